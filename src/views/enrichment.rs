//! How a panel shows its open-data look-ups: progress that refreshes the panel by itself (htmx)
//! with a plain note for no-JS use, each service problem in words, and what stays unknown.

use maud::{Markup, html};
use time::OffsetDateTime;

use super::components::{clock_time, rough_duration};
use super::panels::{Scope, section_id};
use crate::domain::TimeRange;
use crate::enrichment::{Coverage, Notice, Origin, PopularityView, Problem};
use crate::panel::Panel;
use crate::stats::PopularitySource;

/// What a panel looks up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fact {
    /// Artists' genres (MusicBrainz).
    Genres,
    /// Tracks' popularity (ListenBrainz, Last.fm).
    Popularity,
}

impl Fact {
    fn what(self) -> &'static str {
        match self {
            Self::Genres => "genres",
            Self::Popularity => "popularity",
        }
    }

    fn items(self, count: usize) -> &'static str {
        match (self, count) {
            (Self::Genres, 1) => "artist",
            (Self::Genres, _) => "artists",
            (Self::Popularity, 1) => "song",
            (Self::Popularity, _) => "songs",
        }
    }
}

/// The progress of the look-ups, the services' problems and what stays unknown — nothing when
/// the values come from Spotify or look-ups are off (the panel says that in its own words).
pub fn status(
    fact: Fact,
    coverage: &Coverage,
    scope: Scope<'_>,
    panel: Panel,
    range: Option<TimeRange>,
    now: OffsetDateTime,
) -> Markup {
    if coverage.origin != Origin::Open {
        return html! {};
    }
    let done = coverage.wanted.saturating_sub(coverage.pending);
    let services: Vec<&str> = coverage.waiting_on.iter().map(|s| s.label()).collect();
    let url = scope.panel_url(panel, range);
    let target = format!("#{}", section_id(panel));
    html! {
        @if coverage.database_error {
            p.source-note role="status" {
                "Open music data couldn't be read just now (Euterpe's database did not answer); "
                "reload the page to try again."
            }
        }
        @if coverage.pending > 0 {
            @let note = html! {
                p {
                    span.spinner aria-hidden="true" {}
                    strong { "Looking up " (fact.what()) " in open music data" }
                    @if !services.is_empty() { " (" (services.join(", ")) ")" }
                    ": " (done) " of " (coverage.wanted) " " (fact.items(coverage.wanted)) " done. "
                    "This panel fills in by itself; without JavaScript, reload the page in a minute."
                }
            };
            @match coverage.refresh_after(now.unix_timestamp()) {
                Some(seconds) => {
                    div.enrichment-progress role="status" data-enrichment-pending=(coverage.pending)
                        hx-get=(url) hx-trigger={ "load delay:" (seconds) "s" }
                        hx-target=(target) hx-swap="outerHTML" {
                        (note)
                    }
                }
                None => {
                    div.enrichment-progress role="status" data-enrichment-pending=(coverage.pending) {
                        (note)
                    }
                }
            }
        }
        @if coverage.pending > 0 || coverage.refused > 0 {
            @for notice in &coverage.notices {
                (notice_note(fact, notice, now))
            }
        }
        @if coverage.not_found > 0 {
            p.source-note {
                (coverage.not_found) " of " (coverage.wanted) " " (fact.items(coverage.wanted))
                @match fact {
                    Fact::Genres => " aren't on MusicBrainz (or share their name with another artist there), so their genres stay unknown.",
                    Fact::Popularity => " have no listen count in open music data, so their popularity stays unknown.",
                }
            }
        }
    }
}

/// One service problem, in words, with when Euterpe tries again.
fn notice_note(fact: Fact, notice: &Notice, now: OffsetDateTime) -> Markup {
    let service = notice.service.label();
    let retry = OffsetDateTime::from_unix_timestamp(notice.retry_at).unwrap_or(now);
    let left = notice.retry_at - now.unix_timestamp();
    let again = html! {
        @if left > 0 {
            " Missing " (fact.what()) " will be looked up again at " (clock_time(retry))
            " (in " (rough_duration(left)) ")."
        } @else {
            " Euterpe is trying again now."
        }
    };
    html! {
        div.notice.warning role="note" {
            p {
                @match notice.problem {
                    Problem::RateLimited => {
                        strong { (service) " asked Euterpe to slow down." } (again)
                    }
                    Problem::Unavailable => {
                        strong { (service) " is unavailable right now." } (again)
                    }
                    Problem::Slow => {
                        strong { (service) " is answering too slowly right now." } (again)
                    }
                    Problem::NeedsToken => {
                        strong { "Popularity unavailable: ListenBrainz needs a token; set LISTENBRAINZ_TOKEN." }
                        " Whoever runs this Euterpe can get a free token from their settings page on "
                        "listenbrainz.org."
                    }
                    Problem::TokenRefused => {
                        strong { "Popularity unavailable: ListenBrainz refused the token in LISTENBRAINZ_TOKEN." }
                        " Whoever runs this Euterpe should check it."
                    }
                    Problem::KeyRefused => {
                        strong { "Last.fm refused the key in LASTFM_API_KEY." }
                        " Whoever runs this Euterpe should check it."
                    }
                }
            }
        }
    }
}

/// Why a panel has no value of a kind at all (below "No popularity source…" or "Genres are
/// unavailable"): Spotify's 2026 change, then what open data did or couldn't do.
pub fn missing_reason(fact: Fact, coverage: &Coverage) -> Markup {
    let what = fact.what();
    html! {
        "Spotify stopped sending " (what) " to apps in development mode (like this Euterpe's) in 2026. "
        @match coverage.origin {
            Origin::Off => {
                "Euterpe can fill " (what) " in from open music data, but that is turned off here "
                "(ENRICHMENT=0)."
            }
            _ if coverage.database_error => {
                "Euterpe fills " (what) " in from open music data, which couldn't be read just now."
            }
            _ if coverage.refused > 0 => {
                "Euterpe fills " (what) " in from open music data, which refused to answer (see above)."
            }
            _ => {
                "Euterpe looked " (what) " up in open music data, which doesn't know "
                @match fact {
                    Fact::Genres => "these artists.",
                    Fact::Popularity => "these songs.",
                }
            }
        }
    }
}

/// "Spotify", or "ListenBrainz listen counts" and the like, for notes naming the source of
/// every popularity value.
pub fn popularity_sources(popularity: &PopularityView) -> Markup {
    let sources = popularity.sources();
    html! {
        @for (i, source) in sources.iter().enumerate() {
            @if i > 0 { " and " }
            strong { (source.label()) }
            @if *source != PopularitySource::Spotify { " " (source.counts()) }
        }
        @if sources.iter().any(|s| *s != PopularitySource::Spotify) {
            ", on a 0–100 log scale"
        }
        @if sources.len() > 1 { "; each song shows its source" }
    }
}
