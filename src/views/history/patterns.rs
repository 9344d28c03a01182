//! The history pages of listening patterns: the listening clock, minutes and new artists per
//! month, and variety by season, each a chart with its numbers in a table too.

use maud::{Markup, html};

use super::{HistoryPage, coverage_note, local_date, page_head};
use crate::domain::time::month_name;
use crate::domain::zone::Zone;
use crate::domain::{HistorySettings, Holes};
use crate::stats::history::{ClockGrid, MonthFigure, WEEKDAYS, group_thousands};
use crate::stats::{SeasonStats, format_variety};
use crate::views::charts::{Axes, Bar, column_chart, ticks};

/// The busiest weekday and hour of a clock, in words.
fn busiest(grid: &ClockGrid) -> String {
    let mut best = (0, 0, 0);
    for (day, hours) in grid.plays.iter().enumerate() {
        for (hour, &plays) in hours.iter().enumerate() {
            if plays > best.2 {
                best = (day, hour, plays);
            }
        }
    }
    format!(
        "{} {:02}:00 ({} plays)",
        WEEKDAYS[best.0],
        best.1,
        group_thousands(best.2)
    )
}

/// `/history/clock`: a weekday × hour heat map.
pub fn clock_page(grid: &ClockGrid, holes: &Holes, zone: &Zone) -> Markup {
    let level = |plays: i64| -> i64 {
        if plays == 0 || grid.max == 0 {
            0
        } else {
            1 + (plays * 4 / grid.max).min(4)
        }
    };
    html! {
        (page_head(HistoryPage::Clock, "When you listen: plays per weekday and hour, in your time zone."))
        @if grid.total == 0 {
            p.empty-state { "No plays stored yet." }
        } @else {
            p.range-note { (group_thousands(grid.total)) " plays, hours in " (zone.name()) "." }
            (coverage_note(holes, zone))
            figure.chart {
                // Days across (seven columns fit any screen), hours down; the left 16 % holds
                // the hours' labels.
                svg.heat-map width="100%" height=(24 * 18 + 24) role="img"
                    aria-labelledby="clock-title clock-caption" {
                    title #clock-title { "Listening clock" }
                    @for (day, name) in WEEKDAYS.iter().enumerate() {
                        text.axis x={ (16.0 + (day as f64 + 0.5) * 12.0) "%" } y="14" text-anchor="middle" { (&name[..3]) }
                    }
                    @for hour in 0..24 {
                        @if hour % 3 == 0 {
                            text.axis x="0" y=(24 + hour * 18 + 13) { (format!("{hour:02}:00")) }
                        }
                        @for (day, name) in WEEKDAYS.iter().enumerate() {
                            @let plays = grid.plays[day][hour as usize];
                            rect class=(format!("heat-{}", level(plays)))
                                x={ (16.0 + day as f64 * 12.0) "%" } y=(24 + hour * 18)
                                width="11.4%" height="16" rx="3" {
                                title { (name) " " (format!("{hour:02}:00")) ": " (plays) " plays" }
                            }
                        }
                    }
                }
                figcaption #clock-caption { "Plays per weekday and hour of day; darker is more. Busiest: " (busiest(grid)) "." }
            }
            details.numbers {
                summary { "The numbers" }
                table.data.clock-table {
                    thead { tr { th scope="col" { "Hour" } @for name in WEEKDAYS { th.num scope="col" { abbr title=(name) { (&name[..3]) } } } } }
                    tbody {
                        @for hour in 0..24 {
                            tr { th scope="row" { (format!("{hour:02}")) } @for day in 0..7 { td.num { (grid.plays[day][hour]) } } }
                        }
                    }
                }
            }
        }
    }
}

/// A column chart of months (every month of the span, silent ones as zero), labelled with
/// month names where there is room and years where there isn't.
pub fn month_chart(figures: &[MonthFigure], id: &str, title: &str, unit: &str) -> Markup {
    let bars: Vec<Bar> = figures
        .iter()
        .map(|f| Bar {
            label: format!("{} {}", month_name(f.month), f.year),
            value: usize::try_from(f.value).unwrap_or(0),
        })
        .collect();
    // Months counted from year 0, so that steps of 3, 6 and 12 land on January.
    let key = |i: usize| figures[i].year * 12 + i64::from(figures[i].month) - 1;
    let ticks = ticks(
        figures.len(),
        &[1, 3, 6, 12, 24, 60, 120],
        key,
        |i, step| {
            let figure = &figures[i];
            if figure.month == 1 || i == 0 || step >= 12 {
                format!("{} {}", month_name(figure.month), figure.year)
            } else {
                month_name(figure.month).to_owned()
            }
        },
    );
    column_chart(
        id,
        title,
        Axes {
            across: "Month",
            unit,
        },
        &bars,
        &ticks,
    )
}

/// `/history/months`: minutes listened and new artists per month.
pub fn months_page(
    minutes: &[MonthFigure],
    artists: &[MonthFigure],
    holes: &Holes,
    zone: &Zone,
) -> Markup {
    html! {
        (page_head(HistoryPage::Months, "Minutes listened, and artists heard for the first time, per month in your time zone."))
        @if minutes.is_empty() {
            p.empty-state { "No plays stored yet." }
        } @else {
            (coverage_note(holes, zone))
            section.card aria-labelledby="minutes-title" {
                h2 #minutes-title { "Minutes listened per month" }
                (month_chart(minutes, "minutes-chart", "Minutes listened per month", "minutes"))
                details.numbers {
                    summary { "The numbers" }
                    table.ranked.months-table {
                        thead { tr { th { "Month" } th.num { "Minutes" } th.num { "Plays" } } }
                        tbody { @for m in minutes { tr { td { (month_name(m.month)) " " (m.year) } td.num { (group_thousands(m.value)) } td.num { (group_thousands(m.plays)) } } } }
                    }
                }
            }
            section.card aria-labelledby="artists-title" {
                h2 #artists-title { "New artists per month" }
                p.hint { "An artist is new in the month of your first stored play of them (exports name the album artist)." }
                (month_chart(artists, "artists-chart", "New artists per month", "new artists"))
                details.numbers {
                    summary { "The numbers" }
                    table.ranked.artists-table {
                        thead { tr { th { "Month" } th.num { "New artists" } } }
                        tbody { @for m in artists { tr { td { (month_name(m.month)) " " (m.year) } td.num { (m.value) } } } }
                    }
                }
            }
        }
    }
}

/// `/history/seasons`: the history form of "Music variety by season".
pub fn seasons_page(
    stats: &[SeasonStats],
    window: (i64, i64),
    range_label: &str,
    range_form: Markup,
    holes: &Holes,
    settings: &HistorySettings,
) -> Markup {
    let zone = &settings.zone;
    let any = stats.iter().any(|s| s.items > 0);
    html! {
        (page_head(HistoryPage::Seasons, "How many artists each season of your listening holds, from your stored plays."))
        (range_form)
        p.range-note {
            (range_label) ": " (local_date(window.0, zone)) " to " (local_date(window.1, zone)) ", "
            (settings.hemisphere.label()) ", " (zone.name()) ". Source: listening history."
        }
        @if !any {
            p.empty-state { "No stored plays in this period, so the dashboard's panel uses release months instead." }
        } @else {
            (coverage_note(holes, zone))
            table.ranked.seasons-table {
                thead { tr { th { "Season" } th.num { "Plays" } th.num { "Artists" } th.num { "Artist variety" } } }
                tbody {
                    @for season in stats {
                        tr {
                            th { (season.season.label()) }
                            td.num { (group_thousands(season.items as i64)) }
                            td.num { (season.distinct_artists) }
                            td.num { (format_variety(season.artist_variety)) }
                        }
                    }
                }
            }
            p.source-note { "Artist variety is 1.000 when every artist was played equally often, 0 with one artist. Genres are shown in the dashboard's panel." }
        }
    }
}
