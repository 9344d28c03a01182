//! The dashboard: nine panels under a range switcher, each drawn whole or as a slot htmx fills.

use maud::{Markup, html};

use super::components::range_form;
use crate::domain::TimeRange;

/// The dashboard's main content: `name` is the name to greet the user with, `panels` the
/// panels' sections (see [`super::panels::dashboard_panels`]), `history` the history's card
/// ([`super::history::dashboard_card`]).
pub fn dashboard(
    name: &str,
    range: Option<TimeRange>,
    notices: Markup,
    panels: Markup,
    history: Markup,
) -> Markup {
    html! {
        div.page-head {
            h1 { "Your listening" }
            p.greeting { "Hello, " (name) "." }
        }
        (notices)
        (range_form("/", range, TimeRange::MediumTerm))
        (panels)
        (history)
    }
}
