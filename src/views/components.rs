//! Pieces shared by pages and panels.

use maud::{Markup, html};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::domain::{Image, TimeRange};
use crate::panel::Panel;
use crate::views::panels::Scope;

/// The query string that selects a range, or nothing for the panel's default.
pub fn range_query(range: Option<TimeRange>) -> String {
    range.map_or_else(String::new, |range| format!("?time_range={range}"))
}

/// The range switcher. Without JavaScript it is a plain GET form that reloads the page; with
/// htmx it swaps the page's main content in place and pushes the URL, so reload and
/// back/forward show the same state.
pub fn range_form(action: &str, current: Option<TimeRange>, default: TimeRange) -> Markup {
    let selected = current.unwrap_or(default);
    html! {
        form.range-form method="get" action=(action)
            hx-get=(action) hx-target="#main" hx-select="#main" hx-swap="outerHTML"
            hx-push-url="true" hx-trigger="change, submit" {
            label for="time_range" { "Time range" }
            select #time_range name="time_range" {
                @for range in TimeRange::ALL {
                    option value=(range.as_str()) selected[range == selected] { (range.label()) }
                }
            }
            button type="submit" { "Show" }
        }
    }
}

/// Links to the own page of every panel in a scope (the navigation of full panel pages).
pub fn panel_nav(scope: Scope<'_>, current: Option<Panel>, range: Option<TimeRange>) -> Markup {
    html! {
        nav.panel-nav aria-label="Panels" {
            ul {
                @for panel in scope.panels.iter().copied() {
                    li {
                        a href=(scope.panel_url(panel, range))
                            aria-current=[(current == Some(panel)).then_some("page")] {
                            (panel.title())
                        }
                    }
                }
            }
        }
    }
}

/// A cover or portrait, or a neutral placeholder when Spotify has none.
pub fn cover(image: Option<&Image>, alt: &str) -> Markup {
    html! {
        @match image {
            Some(image) => img.cover src=(image.url) alt=(alt) width="64" height="64" loading="lazy";
            None => span.cover.placeholder role="img" aria-label=(alt) { "♪" },
        }
    }
}

/// A time as `HH:MM UTC`, inside a machine-readable `<time>`.
pub fn clock_time(at: OffsetDateTime) -> Markup {
    let iso = at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let shown = at
        .format(format_description!("[hour]:[minute] UTC"))
        .unwrap_or_default();
    html! { time datetime=(iso) { (shown) } }
}

/// A date as `26 Nov 2026`.
pub fn date(at: OffsetDateTime) -> Markup {
    let iso = at
        .format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default();
    let shown = at
        .format(format_description!(
            "[day padding:none] [month repr:short] [year]"
        ))
        .unwrap_or_default();
    html! { time datetime=(iso) { (shown) } }
}

/// "about 5 minutes", "about 2 hours": a rough duration for people.
pub fn rough_duration(seconds: i64) -> String {
    let seconds = seconds.max(1);
    let (value, unit) = if seconds < 90 {
        (seconds, "second")
    } else if seconds < 90 * 60 {
        ((seconds + 30) / 60, "minute")
    } else if seconds < 36 * 3600 {
        ((seconds + 1800) / 3600, "hour")
    } else {
        ((seconds + 43200) / 86400, "day")
    };
    let plural = if value == 1 { "" } else { "s" };
    format!("about {value} {unit}{plural}")
}

/// `1 play`, `2 plays`, `1,234 plays`.
pub fn plays(count: i64) -> String {
    let unit = if count == 1 { "play" } else { "plays" };
    format!("{} {unit}", crate::stats::history::group_thousands(count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rough_durations_read_naturally() {
        assert_eq!(rough_duration(1), "about 1 second");
        assert_eq!(rough_duration(45), "about 45 seconds");
        assert_eq!(rough_duration(300), "about 5 minutes");
        assert_eq!(rough_duration(7200), "about 2 hours");
        assert_eq!(rough_duration(20 * 3600), "about 20 hours");
        assert_eq!(rough_duration(3 * 86400), "about 3 days");
    }

    #[test]
    fn range_form_marks_the_current_range() {
        let html = range_form("/", Some(TimeRange::LongTerm), TimeRange::MediumTerm).into_string();
        assert!(
            html.contains(r#"<option value="long_term" selected>"#),
            "{html}"
        );
        assert!(html.contains(r#"<option value="medium_term">"#));
        assert!(html.contains(r#"method="get" action="/""#));
    }
}
