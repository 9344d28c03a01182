//! The listening history's word on a top list: each row's plays and minutes in the panel's
//! window, and where those figures come from.

use maud::{Markup, html};

use crate::domain::PlayCounts;
use crate::stats::history::{format_minutes, group_thousands};
use crate::views::history::{coverage_note, local_date};

/// `12 plays · 41 min` of `key` in the window.
pub fn figures(counts: &PlayCounts, key: &str) -> Markup {
    let (plays, ms) = counts.of(key);
    html! {
        span.plays-count { (group_thousands(plays)) @if plays == 1 { " play" } @else { " plays" } }
        @if plays > 0 { span.sub { (format_minutes(ms)) } }
    }
}

/// Where the plays come from: the history's window, and the "at least" note when it has holes.
pub fn note(counts: &PlayCounts) -> Markup {
    let (from, to) = counts.window;
    html! {
        p.source-note {
            "Your plays and minutes: from your listening history, "
            (local_date(from, &counts.zone)) " to " (local_date(to - 1, &counts.zone)) "."
        }
        (coverage_note(&counts.holes, &counts.zone))
    }
}
