//! Top playlists: your own playlists that hold the most of your current top songs.

use maud::{Markup, html};

use super::empty;
use crate::stats::PlaylistRow;
use crate::views::components::cover;

/// The Top playlists panel body (`no_top_songs`: Spotify has no top songs for the range, so
/// every count is 0 and says so; `private_left_out`: the owner's private playlists a share
/// link's visitor doesn't see).
pub fn top_playlists(rows: &[PlaylistRow], no_top_songs: bool, private_left_out: usize) -> Markup {
    let private_note = html! {
        @if private_left_out > 0 {
            p.source-note {
                (private_left_out)
                @if private_left_out == 1 { " private playlist is" } @else { " private playlists are" }
                " not shown here."
            }
        }
    };
    if rows.is_empty() && private_left_out > 0 {
        return html! { (empty("No public playlist to show.")) (private_note) };
    }
    if rows.is_empty() {
        return empty(
            "You don't own any playlists yet. Playlists you create on Spotify will show up here.",
        );
    }
    html! {
        @if no_top_songs {
            p.panel-intro { "Spotify has no top songs for you in this range yet, so none of your playlists holds any." }
        }
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
        (private_note)
    }
}
