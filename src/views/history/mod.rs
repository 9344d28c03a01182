//! The history pages: overview, top tracks and artists for a date range, the listening clock,
//! months, variety by season, and the history parts of the account page. Charts are SVG drawn
//! here (classes and presentation attributes only, no inline styles), each with its numbers in
//! a table too.

use maud::{Markup, html};

use crate::domain::time::{format_date, month_name};
use crate::domain::zone::Zone;
use crate::domain::{
    HistorySettings, HistoryTotals, Holes, RecentPlay, TopEntry, artist_path, names_of_key,
    track_path,
};
use crate::stats::Hemisphere;
use crate::stats::history::{format_minutes, group_thousands};

mod patterns;
pub use patterns::{clock_page, month_chart, months_page, seasons_page};

/// The history pages, for the sub-navigation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryPage {
    Overview,
    Top,
    Clock,
    Months,
    Seasons,
    Import,
}

impl HistoryPage {
    const ALL: [HistoryPage; 6] = [
        Self::Overview,
        Self::Top,
        Self::Clock,
        Self::Months,
        Self::Seasons,
        Self::Import,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Self::Overview => "/history",
            Self::Top => "/history/top",
            Self::Clock => "/history/clock",
            Self::Months => "/history/months",
            Self::Seasons => "/history/seasons",
            Self::Import => "/import",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Overview => "Your history",
            Self::Top => "Top tracks and artists",
            Self::Clock => "Listening clock",
            Self::Months => "Month by month",
            Self::Seasons => "Variety by season",
            Self::Import => "Import",
        }
    }
}

/// The links between the history pages.
pub fn history_nav(current: HistoryPage) -> Markup {
    html! {
        nav.panel-nav aria-label="History" {
            ul {
                @for page in HistoryPage::ALL {
                    li { a href=(page.path()) aria-current=[(page == current).then_some("page")] { (page.title()) } }
                }
            }
        }
    }
}

/// A page's head and the history navigation.
pub fn page_head(current: HistoryPage, subtitle: &str) -> Markup {
    html! {
        div.page-head {
            h1 { (current.title()) }
            p.back { a href="/" { "← Dashboard" } }
        }
        @if !subtitle.is_empty() { p.hint { (subtitle) } }
        (history_nav(current))
    }
}

/// A `YYYY-MM-DD` day as the pages write dates: `26 Nov 2026`.
fn human_day(iso: &str) -> String {
    match crate::domain::time::parse_date(iso) {
        Some(days) => {
            let (year, month, day) = crate::domain::time::civil_from_days(days);
            format!("{day} {} {year}", month_name(month))
        }
        None => iso.to_owned(),
    }
}

/// `26 Nov 2026` in the user's time zone.
pub fn local_date(ms: i64, zone: &Zone) -> Markup {
    let local = zone.local(ms);
    html! {
        time datetime=(format_date(local.days)) {
            (local.day) " " (month_name(local.month)) " " (local.year)
        }
    }
}

/// `26 Nov 2026, 14:05` in the user's time zone.
pub fn local_time(ms: i64, zone: &Zone) -> Markup {
    let local = zone.local(ms);
    let minute = (ms + zone.offset_secs(ms) * 1000).rem_euclid(3_600_000) / 60_000;
    html! {
        (local.day) " " (month_name(local.month)) " " (local.year) ", "
        (format!("{:02}:{minute:02}", local.hour))
    }
}

/// The "at least" note: the holes of a view's period, or nothing when there is none.
pub fn coverage_note(holes: &Holes, zone: &Zone) -> Markup {
    if holes.is_empty() {
        return html! {};
    }
    let since = holes.since;
    let holes = &holes.spans;
    html! {
        div.notice.coverage-note role="note" {
            p {
                strong { "These numbers are “at least”. " }
                @match since {
                    Some(since) => {
                        "Euterpe has your plays from " (local_date(since, zone))
                        " on: the ones it recorded since you started using it, and the ones you imported. "
                    }
                    None => "Euterpe knows the plays it records while you use it, and the ones you import. ",
                }
                "It has no record of your listening "
                @if holes.len() == 1 { "for one stretch" } @else { "for " (holes.len()) " stretches" }
                " of this period:"
            }
            ul.holes {
                @for (start, end) in holes.iter().take(8) {
                    li { "from " (local_date(*start, zone)) " to " (local_date(*end, zone)) }
                }
                @if holes.len() > 8 { li { "and " (holes.len() - 8) " more" } }
            }
            p { a href="/import" { "Import your Spotify data export" } " to fill in what came before (and any other gap)." }
        }
    }
}

fn source_label(source: i64) -> &'static str {
    match source {
        1 => "recorded",
        2 => "extended history",
        _ => "account data",
    }
}

/// `/history`. `last_checked`: when the poller keeps a record of the user, the Unix second it
/// last fetched their plays (0: not yet).
/// A page of the history's plays, newest first.
pub struct PlaysPage<'a> {
    pub plays: &'a [RecentPlay],
    /// The address of the next, older page, when there is one.
    pub older: Option<&'a str>,
    /// Whether this is the newest page.
    pub first: bool,
}

pub fn overview(
    totals: &HistoryTotals,
    page: PlaysPage<'_>,
    holes: &Holes,
    last_checked: Option<i64>,
    needs_relogin: bool,
    settings: &HistorySettings,
) -> Markup {
    let zone = &settings.zone;
    html! {
        (page_head(HistoryPage::Overview, "Every play Euterpe recorded or imported, in your time zone."))
        @if needs_relogin {
            p.notice.warning { "Euterpe can't record new plays until you " a href="/login" { "log in again" } ": your Spotify login has expired." }
        }
        section.card aria-labelledby="totals-title" {
            h2 #totals-title { "What is stored" }
            @if totals.plays == 0 {
                p.empty-state {
                    "No plays stored yet. Euterpe records what you play from now on (Spotify only shows the last 50 plays, so it checks every few minutes), "
                    "and you can " a href="/import" { "import your whole past from Spotify's data export" } "."
                }
            } @else {
                dl.facts {
                    dt { "Plays" } dd.num-plays { (group_thousands(totals.plays)) }
                    dt { "Time listened" } dd { (format_minutes(totals.ms_played)) }
                    @if let (Some(first), Some(last)) = (totals.first, totals.last) {
                        dt { "From" } dd { (local_date(first, zone)) }
                        dt { "To" } dd { (local_date(last, zone)) }
                    }
                    dt { "Time zone" } dd { (zone.name()) " (" a href="/account#settings-title" { "change" } ")" }
                }
            }
            @if let Some(last_checked) = last_checked {
                p.source-note {
                    @if last_checked > 0 {
                        "Last checked Spotify for new plays: " (local_time(last_checked * 1000, zone)) "."
                    } @else {
                        "Euterpe hasn't checked Spotify for your plays yet."
                    }
                }
            }
        }
        (coverage_note(holes, zone))
        @if !page.plays.is_empty() || !page.first {
            section.card aria-labelledby="recent-title" {
                h2 #recent-title { @if page.first { "Latest plays" } @else { "Earlier plays" } }
                table.ranked {
                    thead { tr { th { "When" } th { "Track" } th { "Source" } } }
                    tbody {
                        @for play in page.plays {
                            tr {
                                td { (local_time(play.played_at, zone)) }
                                td {
                                    a.title href=(track_path(&play.track_key)) { (track_name(&play.name, &play.track_key)) }
                                    span.sub { (play.artist_name) }
                                }
                                td.sub { (source_label(play.source)) }
                            }
                        }
                    }
                }
                nav.pager aria-label="Pages of plays" {
                    @if !page.first { a href="/history#recent-title" { "← Newest plays" } }
                    @if let Some(older) = page.older { a href=(older) { "Older plays →" } }
                }
            }
        }
    }
}

fn track_name<'a>(name: &'a str, key: &'a str) -> &'a str {
    match names_of_key(key) {
        Some((_, track)) if name == key => track,
        _ => name,
    }
}

/// The choices of the top page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopChoice {
    /// `short_term`, `medium_term`, `long_term`, `all` or `custom`.
    pub preset: String,
    /// Local dates, `YYYY-MM-DD`, inclusive.
    pub from: String,
    pub to: String,
    /// `plays` or `minutes`.
    pub by: String,
}

const PRESETS: [(&str, &str); 4] = [
    ("short_term", "Last 4 weeks"),
    ("medium_term", "Last 6 months"),
    ("long_term", "Last year"),
    ("all", "All time"),
];

/// `/history/top`.
pub fn top_page(
    choice: &TopChoice,
    totals: (i64, i64),
    tracks: &[TopEntry],
    artists: &[TopEntry],
    holes: &Holes,
    zone: &Zone,
) -> Markup {
    let by_minutes = choice.by == "minutes";
    html! {
        (page_head(HistoryPage::Top, "Counted from your stored plays, for any dates you choose."))
        (top_form(choice, None))
        p.range-note {
            "From " strong { (human_day(&choice.from)) } " to " strong { (human_day(&choice.to)) } " (" (zone.name()) "): "
            span.total-plays { (group_thousands(totals.0)) } " plays, " (format_minutes(totals.1)) "."
        }
        (coverage_note(holes, zone))
        div.panels {
            section.panel aria-labelledby="top-tracks-title" {
                header.panel-head { h2 #top-tracks-title { "Top tracks" } }
                div.panel-body { (top_table(tracks, true, by_minutes)) }
            }
            section.panel aria-labelledby="top-artists-title" {
                header.panel-head { h2 #top-artists-title { "Top artists" } }
                div.panel-body { (top_table(artists, false, by_minutes)) }
            }
        }
    }
}

/// `/history/top` when its period can't be used: the form as sent, saying what to change.
pub fn top_form_error(choice: &TopChoice, message: &str) -> Markup {
    html! {
        (page_head(HistoryPage::Top, "Counted from your stored plays, for any dates you choose."))
        (top_form(choice, Some(message)))
    }
}

/// The period and order form of `/history/top`, with the error of the last try inside it.
fn top_form(choice: &TopChoice, error: Option<&str>) -> Markup {
    let by_minutes = choice.by == "minutes";
    let invalid = error.map(|_| "true");
    let described = error.map(|_| "top-error");
    html! {
        form.range-form.top-form method="get" action="/history/top" {
            @if let Some(message) = error {
                p.form-error #top-error role="alert" { (message) }
            }
            fieldset {
                legend { "Period" }
                @for (value, label) in PRESETS {
                    a.preset href={ "/history/top?preset=" (value) "&by=" (choice.by) }
                        aria-current=[(choice.preset == value).then_some("true")] { (label) }
                }
                label for="from" { "From" }
                input #from type="date" name="from" value=(choice.from) required
                    aria-invalid=[invalid] aria-describedby=[described];
                label for="to" { "To" }
                input #to type="date" name="to" value=(choice.to) required
                    aria-invalid=[invalid] aria-describedby=[described];
            }
            label for="by" { "Order by" }
            select #by name="by" {
                option value="plays" selected[!by_minutes] { "Plays" }
                option value="minutes" selected[by_minutes] { "Minutes" }
            }
            button type="submit" { "Show" }
        }
    }
}

fn top_table(rows: &[TopEntry], tracks: bool, by_minutes: bool) -> Markup {
    if rows.is_empty() {
        return html! { p.empty-state { "No plays in this period." } };
    }
    html! {
        table.ranked {
            thead { tr {
                th.rank { "#" }
                th { @if tracks { "Track" } @else { "Artist" } }
                th.num { @if by_minutes { "Minutes" } @else { "Plays" } }
                th.num { @if by_minutes { "Plays" } @else { "Minutes" } }
            } }
            tbody {
                @for (index, row) in rows.iter().enumerate() {
                    tr {
                        td.rank { (index + 1) }
                        td {
                            @if tracks {
                                a.title href=(track_path(&row.key)) { (track_name(&row.name, &row.key)) }
                                span.sub { (row.artist_name) }
                            } @else {
                                a.title href=(artist_path(&row.name)) { (row.name) }
                            }
                        }
                        @if by_minutes {
                            td.num { (group_thousands(row.ms_played / 60_000)) }
                            td.num { (group_thousands(row.plays)) }
                        } @else {
                            td.num { (group_thousands(row.plays)) }
                            td.num { (group_thousands(row.ms_played / 60_000)) }
                        }
                    }
                }
            }
        }
    }
}

/// While times are in UTC (the default): a note to set the time zone, and — with JavaScript, which
/// reads the browser's zone — a one-click offer to use that zone. `back` is where to return
/// (`dashboard` or `history`).
pub fn zone_offer(settings: &HistorySettings, csrf: &str, back: &str) -> Markup {
    let current = settings.zone.name();
    if current != "UTC" {
        return html! {};
    }
    html! {
        div.notice.zone-offer role="note" data-zone-offer data-current=(current) {
            p data-zone-nojs {
                "Times here are in UTC. " a href="/account#settings-title" { "Set your time zone" }
                " so that hours, days and months are yours."
            }
            form data-zone-js hidden method="post" action="/account/settings" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="time_zone" value=(current);
                input type="hidden" name="hemisphere" value=(settings.hemisphere.as_str());
                input type="hidden" name="back" value=(back);
                p {
                    "Times here are in UTC; your browser says you are in "
                    strong data-zone-name { "another zone" } ". "
                    button type="submit" { "Use my time zone" }
                }
            }
        }
    }
}

/// The history parts of `/account`: settings, data download, account deletion.
pub fn account_sections(settings: &HistorySettings, csrf: &str, saved: bool) -> Markup {
    html! {
        section.card aria-labelledby="settings-title" {
            h2 #settings-title { "History settings" }
            @if saved { p.notice role="status" { "Saved." } }
            form.settings-form method="post" action="/account/settings" {
                input type="hidden" name="csrf" value=(csrf);
                label for="time_zone" { "Time zone" }
                @let current = settings.zone.name();
                select #time_zone name="time_zone" data-unset[current == "UTC"] required {
                    @for name in Zone::names() { option value=(name) selected[*name == current] { (name) } }
                }
                p.hint { "Hours, days, months and seasons follow it." }
                p.hint #zone-detected hidden { "Preselected from your browser's time zone: save to keep it." }
                fieldset {
                    legend { "Seasons" }
                    @for hemisphere in [Hemisphere::Northern, Hemisphere::Southern] {
                        label.choice {
                            input type="radio" name="hemisphere" value=(hemisphere.as_str())
                                checked[settings.hemisphere == hemisphere];
                            " " (hemisphere.label())
                        }
                    }
                }
                button type="submit" { "Save settings" }
            }
        }
        section.card aria-labelledby="data-title" {
            h2 #data-title { "Your data" }
            p { "Download everything Euterpe holds about you as one JSON file: your profile, settings, every stored play and track, imports, coverage and cached Spotify answers. Your Spotify login tokens are left out (they are secrets, and useless outside this Euterpe)." }
            a.button href="/account/data" download { "Download your data" }
        }
        section.card.danger aria-labelledby="delete-title" {
            h2 #delete-title { "Delete your account" }
            p { "Deletes your account and everything Euterpe holds about you — plays, imports, settings, cached data and your Spotify connection — and logs you out everywhere. This can't be undone." }
            form method="post" action="/account/delete" {
                input type="hidden" name="csrf" value=(csrf);
                label.choice {
                    input type="checkbox" name="confirm" value="yes" required;
                    " I understand that my account and all my data will be deleted"
                }
                button.danger type="submit" { "Delete my account" }
            }
        }
    }
}

/// The dashboard's card of the history: the last plays stored (`recent`, newest first, times in
/// `zone`) and a link to the rest; with none yet, what the history pages offer.
pub fn dashboard_card(recent: &[RecentPlay], zone: &Zone) -> Markup {
    html! {
        section.card.history-card aria-labelledby="history-card-title" {
            @if recent.is_empty() {
                h2 #history-card-title { "Your listening history" }
                p { "Your real plays, recorded from now on and imported from Spotify's data export: "
                    a href="/history/top" { "top tracks for any dates" } ", "
                    a href="/history/clock" { "your listening clock" } ", "
                    a href="/history/months" { "month by month" } " and "
                    a href="/history/seasons" { "variety by season" } "." }
                p { a.button href="/history" { "Open your history" } " " a.button href="/import" { "Import your Spotify data" } }
            } @else {
                h2 #history-card-title { a href="/history" { "Recently played" } }
                table.ranked.stack.recently-played {
                    thead { tr { th { "When" } th { "Track" } } }
                    tbody {
                        @for play in recent {
                            tr {
                                td data-label="When" { (local_time(play.played_at, zone)) }
                                td data-label="Track" {
                                    a.title href=(track_path(&play.track_key)) { (track_name(&play.name, &play.track_key)) }
                                    span.sub { (play.artist_name) }
                                }
                            }
                        }
                    }
                }
                p.source-note { "Times in " (zone.name()) ", from the plays Euterpe recorded or imported." }
                p { a.button href="/history" { "See your whole history" } " " a.button href="/import" { "Import your Spotify data" } }
            }
        }
    }
}

/// Days → `YYYY-MM-DD` of a local day that contains `ms`.
pub fn local_day_string(ms: i64, zone: &Zone) -> String {
    format_date(zone.local(ms).days)
}
