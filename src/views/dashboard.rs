//! The dashboard: nine panel slots that htmx fills, under a range switcher.

use maud::{Markup, html};

use super::components::range_form;
use super::panels::slot;
use crate::panel::Panel;
use crate::spotify::models::TimeRange;
use crate::store::User;

/// The dashboard's main content.
pub fn dashboard(user: &User, range: Option<TimeRange>, needs_relogin: bool) -> Markup {
    html! {
        div.page-head {
            h1 { "Your listening" }
            p.greeting { "Hello, " (user.name()) "." }
        }
        @if needs_relogin {
            div.banner.warning role="alert" {
                p {
                    strong { "Your Spotify login has expired. " }
                    "Spotify ends a connection six months after you approve it, or when access is "
                    "removed. Log in again to refresh your statistics; everything stored here is kept."
                }
                a.button.primary href="/login" { "Log in again" }
            }
        }
        (range_form("/", range, TimeRange::MediumTerm))
        div #panels .panels {
            @for panel in Panel::ALL {
                (slot(panel, range))
            }
        }
        (super::history::dashboard_card())
    }
}
