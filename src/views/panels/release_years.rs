//! Release-year trends: when the music you play was released.

use maud::{Markup, html};

use super::empty;
use crate::stats::{ReleaseYears, decade_label};
use crate::views::charts::{Axes, Bar, column_chart, data_table, ticks};

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
    // Every year and decade of the span, empty ones as zero, so the axis never skips time.
    let count_of = |list: &[(i32, usize)], key: i32| {
        list.iter()
            .find(|(k, _)| *k == key)
            .map_or(0, |(_, count)| *count)
    };
    let span = |list: &[(i32, usize)], step: i32| -> Vec<i32> {
        match (list.first(), list.last()) {
            (Some((first, _)), Some((last, _))) => {
                (*first..=*last).step_by(step as usize).collect()
            }
            _ => Vec::new(),
        }
    };
    let year_keys = span(&years.per_year, 1);
    let per_year: Vec<Bar> = year_keys
        .iter()
        .map(|&year| Bar {
            label: year.to_string(),
            value: count_of(&years.per_year, year),
        })
        .collect();
    let decade_keys = span(&years.per_decade, 10);
    let per_decade: Vec<Bar> = decade_keys
        .iter()
        .map(|&decade| Bar {
            label: decade_label(decade),
            value: count_of(&years.per_decade, decade),
        })
        .collect();
    let year_ticks = ticks(
        per_year.len(),
        &[1, 2, 5, 10, 20, 50, 100],
        |i| i64::from(year_keys[i]),
        |i, _| year_keys[i].to_string(),
    );
    let decade_ticks = ticks(
        per_decade.len(),
        &[1, 2, 5, 10],
        |i| i as i64,
        |i, _| decade_label(decade_keys[i]),
    );
    let year_axes = Axes {
        across: "Release year",
        unit: "tracks",
    };
    let decade_axes = Axes {
        across: "Decade",
        unit: "tracks",
    };
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
        (column_chart("years-per-year", "Tracks per release year", year_axes, &per_year, &year_ticks))
        (data_table("Tracks per release year", "Year", "Tracks", &per_year))
        h3.chart-heading { "Tracks per decade" }
        (column_chart("years-per-decade", "Tracks per decade", decade_axes, &per_decade, &decade_ticks))
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
