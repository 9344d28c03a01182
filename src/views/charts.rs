//! Charts drawn by the server as SVG that fill their card at any width: positions across are
//! percentages and text is set in CSS pixels (never scaled down), so a phone and a laptop
//! draw the same chart at their own width with text they can read. Each chart is named by its
//! title and a one-line summary (its accessible name), its axes are labelled, and the same
//! numbers are one click away in a table.

use maud::{Markup, html};

pub use crate::stats::history::group_thousands;

/// One bar: its label and value.
pub struct Bar {
    pub label: String,
    pub value: usize,
}

/// What a chart's axes show: what the bars are (across) and what they count (up).
#[derive(Clone, Copy)]
pub struct Axes<'a> {
    /// What each bar is, e.g. "Release year".
    pub across: &'a str,
    /// What a bar counts, e.g. "tracks".
    pub unit: &'a str,
}

/// A label under a column: on every screen, or only where there is room (not on a phone).
pub struct Tick {
    pub index: usize,
    pub text: String,
    pub everywhere: bool,
}

/// Labels for `count` columns: those `index` where `key(index)` is a multiple of a step, the
/// step chosen so that a phone shows at most 5 labels and a wider screen at most 12. `text`
/// names a column for its label.
pub fn ticks(
    count: usize,
    steps: &[i64],
    key: impl Fn(usize) -> i64,
    text: impl Fn(usize, i64) -> String,
) -> Vec<Tick> {
    let fitting = |most: usize| {
        steps
            .iter()
            .copied()
            .find(|step| (0..count).filter(|&i| key(i) % step == 0).count() <= most)
            .unwrap_or(*steps.last().unwrap_or(&1))
    };
    let (phone, wide) = (fitting(5), fitting(12));
    (0..count)
        .filter(|&i| key(i).rem_euclid(wide) == 0)
        .map(|index| Tick {
            index,
            text: text(index, wide),
            everywhere: key(index).rem_euclid(phone) == 0,
        })
        .collect()
}

/// The one-line summary of a column chart: the span, and where it peaks.
pub fn summary(bars: &[Bar], unit: &str) -> String {
    let (Some(first), Some(last)) = (bars.first(), bars.last()) else {
        return "Nothing to show.".to_owned();
    };
    let total: usize = bars.iter().map(|bar| bar.value).sum();
    let peak = bars.iter().rev().max_by_key(|bar| bar.value);
    let span = if bars.len() == 1 {
        first.label.clone()
    } else {
        format!("{} to {}", first.label, last.label)
    };
    match peak {
        Some(peak) if peak.value > 0 => format!(
            "{span}: {} {unit} in all, most in {} ({}).",
            group_thousands(total as i64),
            peak.label,
            group_thousands(peak.value as i64)
        ),
        _ => format!("{span}: none."),
    }
}

/// Percent with two decimals, for SVG positions.
fn pct(value: f64) -> String {
    format!("{:.2}%", value * 100.0)
}

/// A column chart: one column per bar in the given order (every year or month of a span, empty
/// ones as zero), labelled below at `ticks`, the largest value marked on a guide line.
pub fn column_chart(id: &str, title: &str, axes: Axes<'_>, bars: &[Bar], ticks: &[Tick]) -> Markup {
    const TOP: u32 = 22;
    const PLOT: u32 = 150;
    let height = TOP + PLOT + 44;
    let max = bars.iter().map(|bar| bar.value).max().unwrap_or(0).max(1) as f64;
    let slot = 1.0 / bars.len().max(1) as f64;
    let gap = if bars.len() > 60 { 0.1 } else { 0.2 };
    let summary = summary(bars, axes.unit);
    let (title_id, desc_id) = (format!("{id}-title"), format!("{id}-desc"));
    let last = bars.len().saturating_sub(1);
    html! {
        figure.chart {
            svg.chart-svg.columns width="100%" height=(height) role="img"
                aria-labelledby={ (title_id) " " (desc_id) } {
                title id=(title_id) { (title) }
                desc id=(desc_id) { (summary) }
                line.guide x1="0" x2="100%" y1=(TOP) y2=(TOP) {}
                text.axis x="0" y=(TOP - 6) { (group_thousands(max as i64)) " " (axes.unit) }
                line.axis-line x1="0" x2="100%" y1=(TOP + PLOT) y2=(TOP + PLOT) {}
                @for (i, bar) in bars.iter().enumerate() {
                    @let h = (bar.value as f64 / max * f64::from(PLOT)).round();
                    @let x = pct((i as f64 + gap / 2.0) * slot);
                    @let w = pct(slot * (1.0 - gap));
                    @if bar.value > 0 {
                        rect.bar x=(x) width=(w) y=(f64::from(TOP + PLOT) - h) height=(h.max(1.0)) {
                            title { (bar.label) ": " (group_thousands(bar.value as i64)) " " (axes.unit) }
                        }
                    } @else {
                        // A zero is drawn as a zero (a mark on the axis), not left out.
                        rect.zero x=(x) width=(w) y=(TOP + PLOT - 3) height="3" {
                            title { (bar.label) ": 0 " (axes.unit) }
                        }
                    }
                }
                @for tick in ticks {
                    @let anchor = if tick.index == 0 && bars.len() > 1 { "start" } else if tick.index == last && bars.len() > 1 { "end" } else { "middle" };
                    @let x = if anchor == "start" { tick.index as f64 * slot } else if anchor == "end" { 1.0 } else { (tick.index as f64 + 0.5) * slot };
                    text.tick.wide-only[!tick.everywhere] x=(pct(x)) y=(TOP + PLOT + 16) text-anchor=(anchor) { (tick.text) }
                }
                text.axis-title x="50%" y=(height - 6) text-anchor="middle" { (axes.across) }
            }
            figcaption { (summary) }
        }
    }
}

/// A horizontal bar chart (one row per label), e.g. genre counts: each label above its bar,
/// the value at the row's end.
pub fn bar_chart(id: &str, title: &str, summary: &str, bars: &[Bar]) -> Markup {
    const ROW: u32 = 36;
    let height = (bars.len() as u32 * ROW).max(ROW);
    let max = bars.iter().map(|bar| bar.value).max().unwrap_or(0).max(1) as f64;
    let (title_id, desc_id) = (format!("{id}-title"), format!("{id}-desc"));
    html! {
        figure.chart {
            svg.chart-svg.rows width="100%" height=(height) role="img"
                aria-labelledby={ (title_id) " " (desc_id) } {
                title id=(title_id) { (title) }
                desc id=(desc_id) { (summary) }
                @for (i, bar) in bars.iter().enumerate() {
                    @let y = i as u32 * ROW;
                    g.bar-group {
                        text.label x="0" y=(y + 14) { (truncate(&bar.label, 40)) }
                        rect.bar x="0" y=(y + 19) width=(pct(bar.value as f64 / max * 0.88)) height="12" {
                            title { (bar.label) ": " (bar.value) }
                        }
                        text.value x="100%" y=(y + 30) text-anchor="end" { (bar.value) }
                    }
                }
            }
        }
    }
}

/// The same numbers as a table (two columns), for screen readers and people who prefer text.
pub fn data_table(caption: &str, label_heading: &str, value_heading: &str, bars: &[Bar]) -> Markup {
    html! {
        details.chart-data {
            summary { (caption) " as a table" }
            table.data {
                caption.visually-hidden { (caption) }
                thead { tr { th scope="col" { (label_heading) } th scope="col" .num { (value_heading) } } }
                tbody {
                    @for bar in bars {
                        tr { th scope="row" { (bar.label) } td.num { (bar.value) } }
                    }
                }
            }
        }
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars() -> Vec<Bar> {
        vec![
            Bar {
                label: "1999".into(),
                value: 3,
            },
            Bar {
                label: "2000".into(),
                value: 0,
            },
            Bar {
                label: "<b>".into(),
                value: 7,
            },
        ]
    }

    const AXES: Axes<'static> = Axes {
        across: "Release year",
        unit: "tracks",
    };

    #[test]
    fn a_chart_is_named_by_its_title_and_summary_and_labels_its_axes() {
        let ticks = ticks(3, &[1], |i| i as i64, |i, _| bars()[i].label.clone());
        let svg = column_chart("years", "Tracks per year", AXES, &bars(), &ticks).into_string();
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains(r#"aria-labelledby="years-title years-desc""#));
        assert!(svg.contains("<title id=\"years-title\">Tracks per year</title>"));
        assert!(
            svg.contains("1999 to &lt;b&gt;: 10 tracks in all, most in &lt;b&gt; (7)."),
            "{svg}"
        );
        for needle in [
            ">1999</text>",
            ">2000</text>",
            ">Release year</text>",
            ">7 tracks</text>",
        ] {
            assert!(svg.contains(needle), "{needle} in {svg}");
        }
        assert!(!svg.contains("style="), "no inline styles (CSP)");
        assert!(
            !svg.contains("viewBox"),
            "drawn at the card's width, text never scaled"
        );
    }

    #[test]
    fn the_tallest_bar_fills_the_plot_and_an_empty_year_keeps_its_place() {
        let svg = column_chart("y", "t", AXES, &bars(), &[]).into_string();
        assert!(
            svg.contains(r#"height="150""#),
            "the 7 is full height: {svg}"
        );
        assert_eq!(
            svg.matches(r#"<rect class="bar""#).count(),
            2,
            "a bar for each non-zero: {svg}"
        );
        assert!(
            svg.contains(r#"<rect class="zero""#) && svg.contains("2000: 0 tracks"),
            "the zero is drawn: {svg}"
        );
        assert!(
            svg.contains(r#"x="70.00%""#),
            "the third bar keeps the third place: {svg}"
        );
        let svg = bar_chart("g", "t", "s", &bars()).into_string();
        assert!(
            svg.contains(r#"width="88.00%""#),
            "the 7 is full width: {svg}"
        );
    }

    #[test]
    fn a_phone_gets_at_most_five_labels_and_a_wide_screen_twelve() {
        let years: Vec<i64> = (1968..=2024).collect();
        let ticks = ticks(
            years.len(),
            &[1, 2, 5, 10, 20, 50],
            |i| years[i],
            |i, _| years[i].to_string(),
        );
        let everywhere = ticks.iter().filter(|t| t.everywhere).count();
        assert!((1..=5).contains(&everywhere), "{everywhere}");
        assert!(
            ticks.len() <= 12 && ticks.len() > everywhere,
            "{}",
            ticks.len()
        );
        assert!(ticks.iter().all(|t| years[t.index] % 5 == 0));
    }

    #[test]
    fn long_labels_are_shortened_in_the_chart_not_in_the_table() {
        let long = vec![Bar {
            label: "a very long genre name indeed, really, longer than forty characters".into(),
            value: 2,
        }];
        let svg = bar_chart("g", "t", "s", &long).into_string();
        assert!(
            svg.contains("a very long genre name indeed, really, …"),
            "{svg}"
        );
        let table = data_table("Genres", "Genre", "Count", &long).into_string();
        assert!(table.contains("longer than forty characters"));
    }
}
