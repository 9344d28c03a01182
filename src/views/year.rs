//! "Your year": the year in review, its card, and the page for a year without plays.

use maud::{Markup, html};

use crate::domain::time::{format_date, month_name};
use crate::domain::zone::Zone;
use crate::domain::{Holes, TopEntry, artist_path, track_path};
use crate::stats::history::{format_minutes, group_thousands};
use crate::stats::year::YearReview;
use crate::views::components::plays;
use crate::views::history::{coverage_note, local_date, month_chart};
use crate::views::subject::{Kind, entry_list};

/// The links to the years before and after, among those with plays.
fn year_nav(year: i64, years: &[i64], base: &str) -> Markup {
    let previous = years.iter().rev().find(|&&y| y < year);
    let next = years.iter().find(|&&y| y > year);
    html! {
        nav.year-nav aria-label="Years" {
            @if let Some(previous) = previous { a rel="prev" href={ (base) "/" (previous) } { "← " (previous) } }
            @if let Some(next) = next { a rel="next" href={ (base) "/" (next) } { (next) " →" } }
        }
    }
}

fn day_text(day: i64) -> String {
    let (year, month, d) = crate::domain::time::civil_from_days(day);
    format!("{d} {} {year}", month_name(month))
}

fn day(day: i64) -> Markup {
    html! { time datetime=(format_date(day)) { (day_text(day)) } }
}

/// Who the year page is for, and where its links lead: the owner's pages, or a share's.
pub struct YearLinks<'a> {
    /// `/year` or `/s/{token}/year`.
    pub base: &'a str,
    /// The dashboard to go back to: `/` or `/s/{token}`.
    pub home: &'a str,
    /// "Your 2025", or the share's heading.
    pub heading: &'a str,
    /// The owner: entries link to their detail pages, and the page names the time zone. A
    /// share's visitor gets neither (the owner's pages are closed to them).
    pub details: bool,
}

/// The year in review.
pub fn year_page(
    review: &YearReview,
    years: &[i64],
    holes: &Holes,
    zone: &Zone,
    links: &YearLinks<'_>,
) -> Markup {
    let r = review;
    html! {
        div.page-head {
            h1 { (links.heading) }
            p.back { a href=(links.home) { "← Dashboard" } }
        }
        @if links.details {
            p.hint { "Your year in review, from your stored plays, in " (zone.name()) "." }
        } @else {
            p.hint { "A year in review from a listening history, shared from " a href="/" { "Euterpe" } "." }
        }
        (year_nav(r.year, years, links.base))
        @if links.details {
            (coverage_note(holes, zone))
        } @else if !holes.is_empty() {
            // A visitor learns that the numbers are a floor, not when the owner's record stops.
            p.notice.coverage-note role="note" { strong { "These numbers are “at least”: " } "the history has gaps in this year." }
        }
        section.card.year-figures aria-label="The year in numbers" {
            dl.big-figures {
                div { dt { "Minutes listened" } dd #year-minutes { (group_thousands(r.ms_played / 60_000)) } }
                div { dt { "Plays" } dd #year-plays { (group_thousands(r.plays)) } }
                div { dt { "Songs" } dd #year-songs { (group_thousands(r.songs as i64)) } }
                div { dt { "Artists" } dd #year-artists { (group_thousands(r.artists as i64)) } }
            }
        }
        div.panels {
            section.panel aria-labelledby="year-songs-title" {
                header.panel-head { h2 #year-songs-title { "Top songs" } }
                div.panel-body { (list(&r.top_songs, Kind::Song, "year-top-songs", links.details)) }
            }
            section.panel aria-labelledby="year-artists-title" {
                header.panel-head { h2 #year-artists-title { "Top artists" } }
                div.panel-body { (list(&r.top_artists, Kind::Artist, "year-top-artists", links.details)) }
            }
            section.panel aria-labelledby="year-albums-title" {
                header.panel-head { h2 #year-albums-title { "Top albums" } }
                div.panel-body { (list(&r.top_albums, Kind::Album, "year-top-albums", links.details)) }
            }
            @if !r.top_genres.is_empty() {
                section.panel aria-labelledby="year-genres-title" {
                    header.panel-head { h2 #year-genres-title { "Top genres" } }
                    div.panel-body {
                        ol.entry-list.year-top-genres { @for (genre, count) in &r.top_genres { li { span.title { (genre) } " " span.count { (plays(*count)) } } } }
                        p.source-note { "From the genres the panels know of your artists, weighted by their plays this year." }
                    }
                }
            }
        }
        section.card aria-labelledby="moments-title" {
            h2 #moments-title { "Moments" }
            dl.year-moments {
                @if let Some((d, ms)) = r.busiest_day { dt { "Busiest day" } dd #busiest-day { (day(d)) ": " (format_minutes(ms)) } }
                @if let Some((month, minutes)) = r.busiest_month { dt { "Month with most minutes" } dd #busiest-month { (month_name(month)) ": " (group_thousands(minutes)) " min" } }
                @if let Some((hour, count)) = r.busiest_hour { dt { "Hour with most plays" } dd #busiest-hour { (format!("{hour:02}:00–{:02}:00", (hour + 1) % 24)) ": " (plays(count)) } }
                @if let Some((start, length)) = r.longest_streak {
                    dt { "Longest streak" }
                    dd #longest-streak { (length) " day" @if length != 1 { "s" } " in a row, from " (day(start)) " to " (day(start + length - 1)) }
                }
                @if let Some(repeat) = &r.on_repeat {
                    dt { "On repeat" }
                    dd #on-repeat {
                        (entry_name(&repeat.song, Kind::Song, links.details))
                        " — " (plays(repeat.plays)) " on " (day(repeat.day))
                    }
                }
            }
        }
        section.card aria-labelledby="new-title" {
            h2 #new-title { "New artists" }
            @if r.first_year_on_record {
                p #new-artists { "This is your first year on record: all " (group_thousands(r.new_artists.len() as i64)) " artists are new to your history." }
            } @else if r.new_artists.is_empty() {
                p #new-artists { "No artist was new this year." }
            } @else {
                p #new-artists { (group_thousands(r.new_artists.len() as i64)) " artists played for the first time, most played first:" }
                (list(&r.new_artists[..r.new_artists.len().min(10)], Kind::Artist, "year-new-artists", links.details))
            }
        }
        section.card aria-labelledby="rediscovered-title" {
            h2 #rediscovered-title { "Rediscoveries" }
            p.hint { "Artists you came back to after a year or more without a play." }
            @if r.rediscoveries.is_empty() {
                p.empty-state { "None this year." }
            } @else {
                ul.entry-list.year-rediscoveries {
                    @for found in &r.rediscoveries {
                        li {
                            @if links.details { a.title href=(artist_path(&found.artist)) { (found.artist) } } @else { span.title { (found.artist) } }
                            " — back on " (local_date(found.back_on, zone))
                        }
                    }
                }
            }
        }
        section.card aria-labelledby="year-months-title" {
            h2 #year-months-title { "Minutes per month" }
            (month_chart(&r.months, "year-months", "Minutes listened per month", "minutes"))
        }
    }
}

fn entry_name(entry: &TopEntry, kind: Kind, details: bool) -> Markup {
    html! {
        @if details {
            a.title href=(match kind { Kind::Song => track_path(&entry.key), _ => artist_path(&entry.name) }) { (entry.name) }
        } @else { span.title { (entry.name) } }
        @if !entry.artist_name.is_empty() { span.sub { " · " (entry.artist_name) } }
    }
}

fn list(rows: &[TopEntry], kind: Kind, class: &str, details: bool) -> Markup {
    if rows.is_empty() {
        return html! { p.empty-state { "None known." } };
    }
    if details {
        return entry_list(rows, kind, class);
    }
    html! {
        ol.entry-list class=(class) {
            @for row in rows {
                li {
                    span.title { (row.name) }
                    @if !row.artist_name.is_empty() { span.sub { (row.artist_name) } }
                    " " span.count { (plays(row.plays)) }
                }
            }
        }
    }
}

/// The card's image and download link, on the year page.
pub fn card_figure(card_base: &str, year: i64) -> Markup {
    html! {
        section.card.year-card aria-labelledby="card-title" {
            h2 #card-title { "Your card" }
            img.year-card-image src={ (card_base) "/card.png" } width="270" height="338"
                alt={ "Your " (year) " in music: minutes listened, top artist, top song and top genre" };
            p {
                a href={ (card_base) "/card.png" } download={ "euterpe-" (year) ".png" } { "Download the card (PNG)" }
                " · " a href={ (card_base) "/card.svg" } { "SVG" }
            }
        }
    }
}

/// A year without plays: say so, and offer the import.
pub fn empty_year(year: Option<i64>, years: &[i64]) -> Markup {
    html! {
        div.page-head {
            h1 { @if let Some(year) = year { "Your " (year) } @else { "Your year" } }
            p.back { a href="/" { "← Dashboard" } }
        }
        section.card.no-plays {
            p {
                @if let Some(year) = year { "Your history holds no plays in " (year) ". " } @else { "Your history holds no plays yet. " }
                a href="/import" { "Import your Spotify history" } " to see your year in review."
            }
            @if !years.is_empty() {
                p { "Years with plays: "
                    @for (i, y) in years.iter().enumerate() { @if i > 0 { ", " } a href={ "/year/" (y) } { (y) } }
                }
            }
        }
    }
}
