//! Top songs: every top track in Spotify's order.

use maud::{Markup, html};
use time::OffsetDateTime;

use super::{Scope, empty};
use crate::domain::{PlayCounts, TimeRange, track_path};
use crate::enrichment::{Origin, PopularityView};
use crate::panel::Panel;
use crate::stats::SongRow;
use crate::views::components::cover;
use crate::views::enrichment::{Fact, popularity_sources, status};

/// The Top songs panel body; popularity (Spotify's, or open data's with its source) when known,
/// and the owner's plays of each song when the listening history has some in the window.
pub fn top_songs(
    rows: &[SongRow],
    popularity: &PopularityView,
    plays: Option<&PlayCounts>,
    scope: Scope<'_>,
    range: Option<TimeRange>,
    now: OffsetDateTime,
) -> Markup {
    if rows.is_empty() {
        return empty(
            "Spotify has no top songs for you in this range yet. Listen for a while and check back.",
        );
    }
    let value = |row: &SongRow| {
        row.popularity
            .or_else(|| popularity.values.get(&row.id).map(|(value, _)| *value))
    };
    let coverage = &popularity.coverage;
    let any_popularity = rows.iter().any(|row| value(row).is_some());
    let mixed = popularity.sources().len() > 1;
    html! {
        (status(Fact::Popularity, coverage, scope, Panel::TopSongs, range, now))
        table.ranked {
            caption.visually-hidden { "Your top songs, most played first" }
            thead {
                tr {
                    th scope="col" { abbr title="Rank" { "#" } }
                    th scope="col" { span.visually-hidden { "Cover" } }
                    th scope="col" { "Song" }
                    th scope="col" .num { "Length" }
                    @if any_popularity { th scope="col" .num { "Popularity" } }
                    @if plays.is_some() { th scope="col" .num { "Your plays" } }
                }
            }
            tbody {
                @for row in rows {
                    tr {
                        td.rank { (row.rank) }
                        td.art { (cover(row.image.as_ref(), &format!("Cover of {}", row.album))) }
                        td.name {
                            a.title href=(super::entry_href(scope, || track_path(&row.id), &row.url)) { (row.name) }
                            span.sub {
                                (row.artists)
                                span.album { " · " span.visually-hidden { "album " } (row.album) }
                            }
                        }
                        td.num data-label="Length" { (row.duration) }
                        @if any_popularity {
                            td.num data-label="Popularity" {
                                @match value(row) {
                                    Some(popularity_value) => {
                                        (popularity_value)
                                        @if mixed {
                                            @if let Some(source) = popularity.source_of(&row.id) {
                                                span.value-source { (source.label()) }
                                            }
                                        }
                                    }
                                    None if popularity.is_pending(&row.id) => span.unknown { "looking up…" },
                                    None => span.unknown { "unknown" },
                                }
                            }
                        }
                        @if let Some(plays) = plays {
                            td.num data-label="Your plays" { (super::plays::figures(plays, &row.id)) }
                        }
                    }
                }
            }
        }
        @if let Some(plays) = plays { (super::plays::note(plays)) }
        @if any_popularity {
            p.source-note { "Popularity: " (popularity_sources(popularity)) "." }
        } @else if coverage.pending == 0 {
            p.source-note {
                "Popularity isn't shown: Spotify no longer sends it to apps in development mode, "
                "which is how most Euterpes run"
                @if coverage.origin == Origin::Off {
                    ", and open-data look-ups are turned off here (ENRICHMENT=0)"
                }
                ". Hidden gems explains where it can come from."
            }
        }
    }
}
