//! A song's, an artist's or an album's page: the listener's plays of it from the history, and
//! where it stands in Spotify's top lists.

use maud::{Markup, html};

use crate::domain::zone::Zone;
use crate::domain::{Holes, TimeRange, TopEntry, album_path, artist_path, track_path};
use crate::stats::history::{MonthFigure, format_minutes, group_thousands};
use crate::stats::subject::{Standing, SubjectFigures};
use crate::views::charts::{Axes, Bar, column_chart, ticks};
use crate::views::components::{cover, plays};
use crate::views::history::{coverage_note, local_time, month_chart};

/// What a detail page is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Song,
    Artist,
    Album,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Self::Song => "song",
            Self::Artist => "artist",
            Self::Album => "album",
        }
    }
}

/// Everything a detail page shows.
pub struct SubjectPage<'a> {
    pub kind: Kind,
    pub title: &'a str,
    /// The artist the song or album is by (linked to their page).
    pub by: Option<&'a str>,
    pub figures: &'a SubjectFigures,
    /// Spotify's side, or `None` when the top lists couldn't be read just now.
    pub standing: Option<&'a Standing>,
    /// An artist's or album's most played songs; an artist's most played albums.
    pub songs: &'a [TopEntry],
    pub albums: &'a [TopEntry],
    pub zone: &'a Zone,
    pub holes: &'a Holes,
    /// Where "Open in Spotify" leads, when known.
    pub spotify_url: Option<&'a str>,
}

fn range_label(range: TimeRange) -> &'static str {
    match range {
        TimeRange::ShortTerm => "Last 4 weeks",
        TimeRange::MediumTerm => "Last 6 months",
        TimeRange::LongTerm => "Last year",
    }
}

/// The page's main content.
pub fn subject_page(page: &SubjectPage<'_>) -> Markup {
    let figures = page.figures;
    let image = page.standing.and_then(|s| s.image.as_ref());
    let played = figures.all.0 > 0;
    html! {
        div.page-head.subject-head {
            (cover(image, &format!("Picture of {}", page.title)))
            div {
                p.kicker { (match page.kind { Kind::Song => "Song", Kind::Artist => "Artist", Kind::Album => "Album" }) }
                h1 { (page.title) }
                @if let Some(by) = page.by {
                    p.byline { "by " a href=(artist_path(by)) { (by) } }
                }
                @if let Some(url) = page.spotify_url {
                    p { a.spotify-link href=(url) rel="noopener" { "Open in Spotify" } }
                }
            }
        }
        @if played {
            (coverage_note(page.holes, page.zone))
            section.card aria-labelledby="plays-title" {
                h2 #plays-title { "Your plays" }
                p.hint { "From your listening history, in " (page.zone.name()) "." }
                table.ranked.subject-totals {
                    thead { tr { th scope="col" { "Period" } th.num scope="col" { "Plays" } th.num scope="col" { "Minutes" } } }
                    tbody {
                        tr { th scope="row" { "All time" } td.num.all-plays { (group_thousands(figures.all.0)) } td.num { (format_minutes(figures.all.1)) } }
                        @for (range, (plays, ms)) in &figures.ranges {
                            tr { th scope="row" { (range_label(*range)) } td.num { (group_thousands(*plays)) } td.num { (format_minutes(*ms)) } }
                        }
                    }
                }
                dl.first-last {
                    @if let Some(first) = figures.first { dt { "First play" } dd.first-play { (local_time(first, page.zone)) } }
                    @if let Some(last) = figures.last { dt { "Last play" } dd.last-play { (local_time(last, page.zone)) } }
                }
            }
            section.card aria-labelledby="months-title" {
                h2 #months-title { "Plays per month" }
                (month_chart(&plays_per_month(&figures.months), "subject-months", "Plays per month", "plays"))
            }
            @if page.kind == Kind::Song {
                section.card aria-labelledby="hours-title" {
                    h2 #hours-title { "Plays by hour of the day" }
                    (hour_chart(&figures.by_hour))
                }
            }
            @if !page.songs.is_empty() {
                section.card aria-labelledby="songs-title" {
                    h2 #songs-title { "Your most played songs" @if page.kind == Kind::Album { " on it" } @else { " by them" } }
                    (entry_list(page.songs, Kind::Song, "songs-list"))
                }
            }
            @if !page.albums.is_empty() {
                section.card aria-labelledby="albums-title" {
                    h2 #albums-title { "Your most played albums by them" }
                    (entry_list(page.albums, Kind::Album, "albums-list"))
                }
            }
        } @else {
            section.card.no-plays {
                h2 { "No plays stored yet" }
                p { "Your listening history holds no play of this " (page.kind.noun()) " yet. "
                    a href="/import" { "Import your Spotify history" }
                    " to see how often and when you played it." }
            }
        }
        section.card aria-labelledby="standing-title" {
            h2 #standing-title { "In your Spotify top lists" }
            @match page.standing {
                None => p.hint { "Spotify's top lists couldn't be read just now; try again in a moment." },
                Some(standing) => {
                    table.ranked.standing {
                        thead { tr { th scope="col" { "Range" } th.num scope="col" { "Rank" } } }
                        tbody {
                            @for (range, rank) in &standing.ranks {
                                tr {
                                    th scope="row" { (range_label(*range)) }
                                    td.num { @match rank { Some(rank) => { "#" (rank) }, None => span.unknown { "not in the top 50" } } }
                                }
                            }
                        }
                    }
                    @if page.kind == Kind::Album { p.hint { "Albums rank as on the Top albums panel: by their best song in your top songs." } }
                }
            }
        }
    }
}

fn plays_per_month(months: &[MonthFigure]) -> Vec<MonthFigure> {
    months
        .iter()
        .map(|m| MonthFigure {
            value: m.plays,
            ..*m
        })
        .collect()
}

fn hour_chart(hours: &[i64; 24]) -> Markup {
    let bars: Vec<Bar> = hours
        .iter()
        .enumerate()
        .map(|(hour, plays)| Bar {
            label: format!("{hour:02}:00"),
            value: usize::try_from(*plays).unwrap_or(0),
        })
        .collect();
    let ticks = ticks(24, &[3, 6], |i| i as i64, |i, _| format!("{i:02}"));
    column_chart(
        "subject-hours",
        "Plays by hour of the day",
        Axes {
            across: "Hour of the day",
            unit: "plays",
        },
        &bars,
        &ticks,
    )
}

/// A ranked list of songs or albums with their plays, each linking to its page.
pub fn entry_list(rows: &[TopEntry], kind: Kind, class: &str) -> Markup {
    html! {
        ol.entry-list class=(class) {
            @for row in rows {
                li {
                    @let href = match kind {
                        Kind::Song => track_path(&row.key),
                        Kind::Artist => artist_path(&row.name),
                        Kind::Album => album_path(&row.artist_name, &row.name),
                    };
                    a.title href=(href) { (row.name) }
                    @if !row.artist_name.is_empty() && kind == Kind::Song { span.sub { (row.artist_name) } }
                    " " span.count { (plays(row.plays)) }
                }
            }
        }
    }
}
