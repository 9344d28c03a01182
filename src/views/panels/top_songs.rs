//! Top songs: every top track in Spotify's order.

use maud::{Markup, html};

use super::empty;
use crate::stats::SongRow;
use crate::views::components::cover;

/// The Top songs panel body.
pub fn top_songs(rows: &[SongRow]) -> Markup {
    if rows.is_empty() {
        return empty(
            "Spotify has no top songs for you in this range yet. Listen for a while and check back.",
        );
    }
    let any_popularity = rows.iter().any(|row| row.popularity.is_some());
    html! {
        table.ranked {
            caption.visually-hidden { "Your top songs, most played first" }
            thead {
                tr {
                    th scope="col" { abbr title="Rank" { "#" } }
                    th scope="col" { span.visually-hidden { "Cover" } }
                    th scope="col" { "Song" }
                    th scope="col" { "Album" }
                    th scope="col" .num { "Length" }
                    @if any_popularity { th scope="col" .num { "Popularity" } }
                }
            }
            tbody {
                @for row in rows {
                    tr {
                        td.rank { (row.rank) }
                        td { (cover(row.image.as_ref(), &format!("Cover of {}", row.album))) }
                        td {
                            a.title href=(row.url) { (row.name) }
                            span.sub { (row.artists) }
                        }
                        td { (row.album) }
                        td.num { (row.duration) }
                        @if any_popularity {
                            td.num {
                                @match row.popularity {
                                    Some(popularity) => (popularity),
                                    None => span.unknown { "unknown" },
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !any_popularity {
            p.source-note {
                "Popularity isn't shown: Spotify no longer sends it to apps in development mode, "
                "which is how most Euterpes run. Hidden gems explains where it can come from."
            }
        }
    }
}
