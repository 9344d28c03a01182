//! What a visitor sees when Euterpe holds back: too many attempts (429), or a request that took
//! longer than Euterpe lets any request take (503 before Heroku's router would cut it).

use maud::{Markup, html};
use time::OffsetDateTime;

use super::components::{clock_time, rough_duration};
use super::panels::section_id;
use crate::panel::Panel;

/// Title and explanation of a refused attempt, saying when to try again.
pub fn too_many_requests(retry_after_secs: u64, now: OffsetDateTime) -> (&'static str, Markup) {
    let back = now + time::Duration::seconds(retry_after_secs as i64);
    (
        "Too many attempts",
        html! {
            p {
                "This was tried too often in a short time, so Euterpe is pausing it for a moment. "
                "Please try again in " (rough_duration(retry_after_secs as i64)) ", at "
                (clock_time(back)) "."
            }
        },
    )
}

/// Title and explanation of a request that Euterpe stopped waiting for.
pub fn timed_out(limit_secs: u64) -> (&'static str, Markup) {
    (
        "This took too long",
        html! {
            p {
                "Euterpe stopped waiting after " (seconds(limit_secs)) " so that the page would not "
                "hang; Spotify or the database is slow right now. Nothing is lost: reload the "
                "page to try again."
            }
        },
    )
}

/// A panel's error state when loading it took too long, with a retry control (`url`: the
/// panel's own address, the owner's or a share link's).
pub fn panel_timed_out(panel: Panel, url: &str, limit_secs: u64) -> Markup {
    html! {
        div.error-state role="alert" {
            p {
                strong { "This panel took too long. " }
                "Euterpe stopped waiting after " (seconds(limit_secs)) "; Spotify or the database "
                "is slow right now. Nothing is lost."
            }
            a.button href=(url) hx-get=(url) hx-target={ "#" (section_id(panel)) } hx-swap="outerHTML" {
                "Try again"
            }
        }
    }
}

/// An explanation as a fragment for htmx to swap in.
pub fn fragment(title: &str, body: Markup) -> Markup {
    html! { div.error-state role="alert" { p { strong { (title) } } (body) } }
}

/// An explanation as the main content of a full page.
pub fn page_main(title: &str, body: Markup) -> Markup {
    html! { div.page-head { h1 { (title) } } div.error-page { (body) } }
}

/// "1 second", "15 seconds".
fn seconds(n: u64) -> String {
    format!("{n} second{}", if n == 1 { "" } else { "s" })
}
