//! Hidden gems: the top tracks from least to most popular.

use maud::{Markup, html};

use super::empty;
use crate::stats::{HiddenGems, PopularitySource};
use crate::views::components::cover;

/// The Hidden gems panel body. `source` names where popularity came from; `None` when no
/// source had any.
pub fn hidden_gems(gems: &HiddenGems, source: Option<PopularitySource>) -> Markup {
    if gems.rows.is_empty() {
        return empty(
            "Spotify has no top songs for you in this range yet, so there are no gems to dig up.",
        );
    }
    html! {
        @match (gems.obscurity, source) {
            (Some(obscurity), Some(source)) => {
                div.figure-row {
                    p.big-figure {
                        span.figure-label { "Obscurity" }
                        span.figure-value { (obscurity) }
                        span.figure-unit { " / 100" }
                    }
                    p.figure-note {
                        "100 minus the mean popularity of the " (gems.known) " songs whose popularity is known. "
                        "Popularity: " strong { (source.label()) } "."
                    }
                }
            }
            _ => {
                div.notice.warning role="note" {
                    p {
                        strong { "No popularity source is available. " }
                        "Spotify stopped sending popularity to apps in development mode (like this "
                        "Euterpe's) in 2026, so the songs can't be ordered by obscurity yet. "
                        "Open listening data — ListenBrainz listen counts, or Last.fm listeners when "
                        "the operator sets a Last.fm key — is what fills it in; until then here are "
                        "your top songs in rank order."
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
                        td { (cover(row.image.as_ref(), &format!("Cover of {}", row.name))) }
                        td {
                            a.title href=(row.url) { (row.name) }
                            span.sub { (row.artists) }
                        }
                        td.num {
                            @match row.popularity {
                                Some(popularity) => (popularity),
                                None => span.unknown { "popularity unknown" },
                            }
                        }
                        td.num { "#" (row.rank) }
                    }
                }
            }
        }
    }
}
