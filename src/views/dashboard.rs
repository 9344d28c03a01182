//! The dashboard: nine panel slots that htmx fills, under a range switcher.

use maud::{Markup, html};

use super::components::range_form;
use super::panels::{Scope, slot};
use crate::domain::TimeRange;
use crate::panel::Panel;

/// The dashboard's main content.
/// `name` is the name to greet the user with.
pub fn dashboard(name: &str, range: Option<TimeRange>, notices: Markup) -> Markup {
    html! {
        div.page-head {
            h1 { "Your listening" }
            p.greeting { "Hello, " (name) "." }
        }
        (notices)
        (range_form("/", range, TimeRange::MediumTerm))
        div #panels .panels {
            @for panel in Panel::ALL {
                (slot(Scope::OWNER, panel, range))
            }
        }
        (super::history::dashboard_card())
    }
}
