//! Top albums: the albums the top tracks come from.

use maud::{Markup, html};

use super::empty;
use crate::stats::AlbumRow;
use crate::views::components::cover;

/// The Top albums panel body.
pub fn top_albums(rows: &[AlbumRow], scope: super::Scope<'_>) -> Markup {
    if rows.is_empty() {
        return empty(
            "Spotify has no top songs for you in this range yet, so there are no albums to rank.",
        );
    }
    html! {
        table.ranked {
            caption.visually-hidden { "Albums with the most of your top songs" }
            thead {
                tr {
                    th scope="col" { span.visually-hidden { "Cover" } }
                    th scope="col" { "Album" }
                    th scope="col" .num { "Top songs" }
                    th scope="col" .num { "Best rank" }
                    th scope="col" .num { "Year" }
                }
            }
            tbody {
                @for row in rows {
                    tr {
                        td.art { (cover(row.image.as_ref(), &format!("Cover of {}", row.name))) }
                        td.name {
                            a.title href=(super::entry_href(scope, || crate::domain::album_id_path(&row.id), &row.url)) { (row.name) }
                            @if !row.artists.is_empty() { span.sub { (row.artists) } }
                        }
                        td.num data-label="Top songs" { (row.track_count) }
                        td.num data-label="Best rank" { "#" (row.best_rank) }
                        td.num data-label="Year" {
                            @match row.release_year {
                                Some(year) => (year),
                                None => span.unknown { "unknown" },
                            }
                        }
                    }
                }
            }
        }
    }
}
