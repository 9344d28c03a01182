//! Top artists: every top artist in Spotify's order.

use maud::{Markup, html};

use super::empty;
use crate::stats::ArtistRow;
use crate::views::components::cover;

/// The Top artists panel body.
pub fn top_artists(rows: &[ArtistRow]) -> Markup {
    if rows.is_empty() {
        return empty(
            "Spotify has no top artists for you in this range yet. Listen for a while and check back.",
        );
    }
    let any_genres = rows.iter().any(|row| row.genres.is_some());
    html! {
        ol.artist-list {
            @for row in rows {
                li {
                    span.rank aria-hidden="true" { (row.rank) }
                    (cover(row.image.as_ref(), &format!("Photo of {}", row.name)))
                    div {
                        a.title href=(row.url) {
                            span.visually-hidden { "Number " (row.rank) ": " }
                            (row.name)
                        }
                        @if let Some(genres) = &row.genres {
                            @if genres.is_empty() {
                                span.sub.unknown { "no genres listed" }
                            } @else {
                                span.sub { (genres.join(", ")) }
                            }
                        }
                    }
                }
            }
        }
        @if !any_genres {
            p.source-note {
                "Genres aren't shown: Spotify no longer sends them to apps in development mode, "
                "which is how most Euterpes run."
            }
        }
    }
}
