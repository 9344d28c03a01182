//! Charts drawn by the server as SVG. Each bar carries its number as text, so a chart reads
//! without colour, and each chart comes with the same numbers in a table for screen readers and
//! anyone who prefers text.

use maud::{Markup, html};

/// One bar: its label and value.
pub struct Bar {
    pub label: String,
    pub value: usize,
}

/// A vertical bar chart (one bar per label, in the given order), e.g. tracks per release year.
pub fn column_chart(id: &str, title: &str, bars: &[Bar]) -> Markup {
    const HEIGHT: f64 = 160.0;
    const TOP: f64 = 18.0;
    const BOTTOM: f64 = 42.0;
    let bar_width = if bars.len() > 24 { 14.0 } else { 22.0 };
    let gap = 6.0;
    let width = (bars.len() as f64 * (bar_width + gap) + gap).max(120.0);
    let max = bars.iter().map(|bar| bar.value).max().unwrap_or(0).max(1) as f64;
    let title_id = format!("{id}-title");
    html! {
        figure.chart {
            svg.chart-svg role="img" aria-labelledby=(title_id)
                viewBox={ "0 0 " (width) " " (TOP + HEIGHT + BOTTOM) }
                width=(width) height=(TOP + HEIGHT + BOTTOM)
                preserveAspectRatio="xMinYMin meet" {
                title id=(title_id) { (title) }
                line.axis x1="0" x2=(width) y1=(TOP + HEIGHT) y2=(TOP + HEIGHT) {}
                @for (i, bar) in bars.iter().enumerate() {
                    @let x = gap + i as f64 * (bar_width + gap);
                    @let h = (bar.value as f64 / max * HEIGHT).max(1.0);
                    @let y = TOP + HEIGHT - h;
                    g.bar-group {
                        rect.bar x=(x) y=(y) width=(bar_width) height=(h) {
                            title { (bar.label) ": " (bar.value) }
                        }
                        text.value x=(x + bar_width / 2.0) y=(y - 4.0) text-anchor="middle" { (bar.value) }
                        text.label x=(x + bar_width / 2.0) y=(TOP + HEIGHT + 12.0)
                            text-anchor="end"
                            transform={ "rotate(-55 " (x + bar_width / 2.0) " " (TOP + HEIGHT + 12.0) ")" } {
                            (bar.label)
                        }
                    }
                }
            }
        }
    }
}

/// A horizontal bar chart (one row per label), e.g. genre counts.
pub fn bar_chart(id: &str, title: &str, bars: &[Bar]) -> Markup {
    const ROW: f64 = 22.0;
    const LABEL: f64 = 150.0;
    const PLOT: f64 = 200.0;
    const VALUE: f64 = 40.0;
    let width = LABEL + PLOT + VALUE;
    let height = (bars.len() as f64 * ROW).max(ROW);
    let max = bars.iter().map(|bar| bar.value).max().unwrap_or(0).max(1) as f64;
    let title_id = format!("{id}-title");
    html! {
        figure.chart {
            svg.chart-svg role="img" aria-labelledby=(title_id)
                viewBox={ "0 0 " (width) " " (height) } width=(width) height=(height)
                preserveAspectRatio="xMinYMin meet" {
                title id=(title_id) { (title) }
                @for (i, bar) in bars.iter().enumerate() {
                    @let y = i as f64 * ROW;
                    @let w = (bar.value as f64 / max * PLOT).max(1.0);
                    g.bar-group {
                        text.label x=(LABEL - 6.0) y=(y + ROW * 0.68) text-anchor="end" {
                            (truncate(&bar.label, 22))
                        }
                        rect.bar x=(LABEL) y=(y + 3.0) width=(w) height=(ROW - 6.0) {
                            title { (bar.label) ": " (bar.value) }
                        }
                        text.value x=(LABEL + w + 4.0) y=(y + ROW * 0.68) { (bar.value) }
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
                label: "2004".into(),
                value: 7,
            },
            Bar {
                label: "<b>".into(),
                value: 1,
            },
        ]
    }

    #[test]
    fn every_bar_carries_its_number_as_text() {
        let svg = column_chart("years", "Tracks per year", &bars()).into_string();
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains("<title id=\"years-title\">Tracks per year</title>"));
        for needle in [
            ">3</text>",
            ">7</text>",
            ">1</text>",
            ">1999</text>",
            "&lt;b&gt;",
        ] {
            assert!(svg.contains(needle), "{needle} in {svg}");
        }
        assert!(!svg.contains("style="), "no inline styles (CSP)");
    }

    #[test]
    fn the_tallest_bar_fills_the_plot() {
        let svg = column_chart("y", "t", &bars()).into_string();
        assert!(
            svg.contains(r#"height="160""#),
            "the 7 is full height: {svg}"
        );
        let svg = bar_chart("g", "t", &bars()).into_string();
        assert!(svg.contains(r#"width="200""#), "the 7 is full width: {svg}");
    }

    #[test]
    fn long_labels_are_shortened_in_the_chart_not_in_the_table() {
        let long = vec![Bar {
            label: "a very long genre name indeed, really".into(),
            value: 2,
        }];
        let svg = bar_chart("g", "t", &long).into_string();
        assert!(svg.contains("a very long genre nam…"), "{svg}");
        let table = data_table("Genres", "Genre", "Count", &long).into_string();
        assert!(table.contains("a very long genre name indeed, really"));
    }
}
