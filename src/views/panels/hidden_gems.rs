//! Hidden gems: the top tracks from least to most popular.

use maud::{Markup, html};
use time::OffsetDateTime;

use super::{Scope, empty};
use crate::domain::TimeRange;
use crate::enrichment::PopularityView;
use crate::panel::Panel;
use crate::stats::HiddenGems;
use crate::views::components::cover;
use crate::views::enrichment::{Fact, missing_reason, popularity_sources, status};

/// The Hidden gems panel body. `popularity` says where each value came from (Spotify, or open
/// data looked up in the background) and how far the look-ups are.
pub fn hidden_gems(
    gems: &HiddenGems,
    popularity: &PopularityView,
    scope: Scope<'_>,
    range: Option<TimeRange>,
    now: OffsetDateTime,
) -> Markup {
    if gems.rows.is_empty() {
        return empty(
            "Spotify has no top songs for you in this range yet, so there are no gems to dig up.",
        );
    }
    let coverage = &popularity.coverage;
    let mixed = popularity.sources().len() > 1;
    html! {
        (status(Fact::Popularity, coverage, scope, Panel::HiddenGems, range, now))
        @match gems.obscurity {
            Some(obscurity) => {
                div.figure-row {
                    p.big-figure {
                        span.figure-label { "Obscurity" }
                        span.figure-value { (obscurity) }
                        span.figure-unit { " / 100" }
                    }
                    p.figure-note {
                        "100 minus the mean popularity of the " (gems.known) " songs whose popularity is known. "
                        "Popularity: " (popularity_sources(popularity)) "."
                    }
                }
            }
            // The progress note above says what is coming.
            None if coverage.pending > 0 => {}
            None => {
                div.notice.warning role="note" {
                    p {
                        strong { "No popularity source is available. " }
                        (missing_reason(Fact::Popularity, coverage))
                        " Here are your top songs in rank order."
                    }
                }
            }
        }
        table.ranked {
            caption.visually-hidden { "Your top songs, least popular first" }
            thead {
                tr {
                    th scope="col" { span.visually-hidden { "Cover" } }
                    th scope="col" { "Song" }
                    th scope="col" .num { "Popularity" }
                    th scope="col" .num { "Rank" }
                }
            }
            tbody {
                @for row in &gems.rows {
                    tr {
                        td.art { (cover(row.image.as_ref(), &format!("Cover of {}", row.name))) }
                        td.name {
                            a.title href=(super::entry_href(scope, || crate::domain::track_path(&row.id), &row.url)) { (row.name) }
                            span.sub { (row.artists) }
                        }
                        td.num data-label="Popularity" {
                            @match row.popularity {
                                Some(value) => {
                                    (value)
                                    @if mixed {
                                        @if let Some(source) = popularity.source_of(&row.id) {
                                            span.value-source { (source.label()) }
                                        }
                                    }
                                }
                                None if popularity.is_pending(&row.id) => span.unknown { "looking up…" },
                                None => span.unknown { "popularity unknown" },
                            }
                        }
                        td.num data-label="Rank" { "#" (row.rank) }
                    }
                }
            }
        }
    }
}
