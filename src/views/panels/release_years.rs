//! Release-year trends: when the music you play was released.

use maud::{Markup, html};

use super::empty;
use crate::stats::{ReleaseYears, decade_label};
use crate::views::charts::{Bar, column_chart, data_table};

/// The Release-year trends panel body.
pub fn release_years(years: &ReleaseYears) -> Markup {
    if years.counted == 0 && years.unknown == 0 {
        return empty("Spotify has no top songs for you in this range yet.");
    }
    if years.counted == 0 {
        let songs = if years.unknown == 1 { "song" } else { "songs" };
        return empty(&format!(
            "None of your {} top {songs} in this range has a known release year, so all are left out.",
            years.unknown
        ));
    }
    let per_year: Vec<Bar> = years
        .per_year
        .iter()
        .map(|(year, count)| Bar {
            label: year.to_string(),
            value: *count,
        })
        .collect();
    let per_decade: Vec<Bar> = years
        .per_decade
        .iter()
        .map(|(decade, count)| Bar {
            label: decade_label(*decade),
            value: *count,
        })
        .collect();
    html! {
        dl.facts.figures {
            dt { "Tracks counted" } dd { (years.counted) }
            @if years.unknown > 0 {
                dt { "Left out (year unknown)" } dd { (years.unknown) }
            }
            @if let (Some(earliest), Some(latest)) = (years.earliest, years.latest) {
                dt { "Earliest year" } dd { (earliest) }
                dt { "Latest year" } dd { (latest) }
            }
            @if let Some((year, count)) = years.peak {
                dt { "Peak year" } dd { (year) " (" (count) @if count == 1 { " track" } @else { " tracks" } ")" }
            }
            @if let Some(median) = years.median {
                dt { "Median year" } dd { (median) }
            }
        }
        h3.chart-heading { "Tracks per release year" }
        div.chart-scroll { (column_chart("years-per-year", "Tracks per release year", &per_year)) }
        (data_table("Tracks per release year", "Year", "Tracks", &per_year))
        h3.chart-heading { "Tracks per decade" }
        div.chart-scroll { (column_chart("years-per-decade", "Tracks per decade", &per_decade)) }
        (data_table("Tracks per decade", "Decade", "Tracks", &per_decade))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn songs_without_a_year_are_counted_even_when_none_has_one() {
        let years = ReleaseYears {
            unknown: 20,
            ..ReleaseYears::default()
        };
        let html = release_years(&years).into_string();
        assert!(
            html.contains("None of your 20 top songs in this range has a known release year"),
            "{html}"
        );
    }
}
