//! Artists standing the test of time, and artists falling off.

use maud::{Markup, html};

use super::empty;
use crate::stats::{FallingRow, StandingRow};
use crate::views::components::cover;

/// What each of the three rank columns is, for a phone's stacked rows.
const RANGE_LABELS: [&str; 3] = ["Last 4 weeks", "Last 6 months", "Last year"];

/// The Artists standing the test of time panel body (`no_top_artists`: Spotify has none in
/// any of the three ranges).
pub fn standing(rows: &[StandingRow], no_top_artists: bool, scope: super::Scope<'_>) -> Markup {
    if no_top_artists {
        return empty("Spotify has no top artists for you yet.");
    }
    if rows.is_empty() {
        return empty(
            "No artist is in your top artists of the last 4 weeks, 6 months and year all at once — yet.",
        );
    }
    html! {
        p.panel-intro { "In your top artists of the last 4 weeks, the last 6 months and the last year." }
        table.ranked {
            caption.visually-hidden { "Artists in all three of your top lists, steadiest first" }
            thead {
                tr {
                    th scope="col" { span.visually-hidden { "Photo" } }
                    th scope="col" { "Artist" }
                    th scope="col" .num { abbr title="Rank over the last 4 weeks" { "4 wk" } }
                    th scope="col" .num { abbr title="Rank over the last 6 months" { "6 mo" } }
                    th scope="col" .num { abbr title="Rank over the last year" { "1 yr" } }
                    th scope="col" .num { "Mean" }
                }
            }
            tbody {
                @for row in rows {
                    tr {
                        td.art { (cover(row.image.as_ref(), &format!("Photo of {}", row.name))) }
                        td.name { a.title href=(super::entry_href(scope, || crate::domain::artist_id_path(&row.id), &row.url)) { (row.name) } }
                        @for (rank, label) in row.ranks.iter().zip(RANGE_LABELS) { td.num data-label=(label) { "#" (rank) } }
                        td.num data-label="Mean rank" { (format!("{:.1}", row.mean_rank)) }
                    }
                }
            }
        }
    }
}

/// The Artists falling off panel body (`no_year_list`: Spotify has no top artists of the
/// last year, so nothing can have fallen off it).
pub fn falling_off(rows: &[FallingRow], no_year_list: bool, scope: super::Scope<'_>) -> Markup {
    if no_year_list {
        return empty("Spotify has no top artists of the last year for you yet.");
    }
    if rows.is_empty() {
        return empty(
            "No artist has dropped out of your recent listening: everyone in your top artists of the year is still in your last 6 months or 4 weeks.",
        );
    }
    html! {
        p.panel-intro { "In your top artists of the last year, but in neither the last 6 months nor the last 4 weeks." }
        ol.artist-list {
            @for row in rows {
                li {
                    span.rank aria-hidden="true" { (row.long_rank) }
                    (cover(row.image.as_ref(), &format!("Photo of {}", row.name)))
                    div {
                        a.title href=(super::entry_href(scope, || crate::domain::artist_id_path(&row.id), &row.url)) { (row.name) }
                        span.sub { "#" (row.long_rank) " over the last year" }
                    }
                }
            }
        }
    }
}
