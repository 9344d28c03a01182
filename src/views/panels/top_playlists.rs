//! Top playlists: your own playlists that hold the most of your current top songs.

use maud::{Markup, html};

use super::empty;
use crate::stats::PlaylistRow;
use crate::views::components::cover;

/// The Top playlists panel body.
pub fn top_playlists(rows: &[PlaylistRow]) -> Markup {
    if rows.is_empty() {
        return empty(
            "You don't own any playlists yet. Playlists you create on Spotify will show up here.",
        );
    }
    html! {
        ol.playlist-list {
            @for row in rows {
                li {
                    (cover(row.image.as_ref(), &format!("Cover of {}", row.name)))
                    div {
                        a.title href=(row.url) { (row.name) }
                        span.sub {
                            strong { (row.matches) }
                            " of your top songs · "
                            (row.total) @if row.total == 1 { " track" } @else { " tracks" } " in all"
                        }
                    }
                }
            }
        }
    }
}
