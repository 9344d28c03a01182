//! Panels: the frame every panel shares, its loading, empty and error states, and one module
//! per panel's content.

use maud::{Markup, html};
use time::OffsetDateTime;

use super::components::{clock_time, panel_nav, range_form, range_query, rough_duration};
use crate::domain::TimeRange;
use crate::error::Failure;
use crate::panel::Panel;

pub mod artists_over_time;
pub mod hidden_gems;
pub mod plays;
pub mod release_years;
pub mod seasons;
pub mod top_albums;
pub mod top_artists;
pub mod top_playlists;
pub mod top_songs;

/// Who looks at a panel, and where its URLs live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope<'a> {
    /// Prefix of panel URLs: empty for the owner (`/top_songs`), `/s/{token}` for a share.
    pub base: &'a str,
    pub viewer: Viewer,
    /// The panels reachable here (all nine for the owner, the chosen ones for a share).
    pub panels: &'a [Panel],
}

/// The owner of the data, or an anonymous visitor of a share link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewer {
    Owner,
    Visitor,
}

/// Where a listed entry's name leads: its page in Euterpe for the owner, its page on Spotify for
/// a share's visitor (who can't open the owner's pages).
pub fn entry_href(scope: Scope<'_>, own: impl FnOnce() -> String, spotify: &str) -> String {
    match scope.viewer {
        Viewer::Owner => own(),
        Viewer::Visitor => spotify.to_owned(),
    }
}

impl Scope<'static> {
    /// The logged-in user looking at their own dashboard.
    pub const OWNER: Scope<'static> = Scope {
        base: "",
        viewer: Viewer::Owner,
        panels: &Panel::ALL,
    };
}

impl Scope<'_> {
    /// The URL of a panel in this scope for a range choice.
    pub fn panel_url(&self, panel: Panel, range: Option<TimeRange>) -> String {
        format!(
            "{}/{}{}",
            self.base,
            panel.name(),
            range_query(range.filter(|_| panel.uses_range()))
        )
    }

    /// The dashboard of this scope.
    pub fn home(&self, range: Option<TimeRange>) -> String {
        let home = if self.base.is_empty() { "/" } else { self.base };
        format!("{home}{}", range_query(range))
    }
}

/// The element id of a panel's section (what htmx swaps).
pub fn section_id(panel: Panel) -> String {
    format!("panel-{}", panel.name())
}

/// A panel with its heading (a link to the panel's own page) and the range it shows. On the
/// dashboard a long panel shows its first rows and a link to the rest (see `app.css`).
pub fn frame(scope: Scope<'_>, panel: Panel, range: Option<TimeRange>, body: Markup) -> Markup {
    let id = section_id(panel);
    let url = scope.panel_url(panel, range);
    html! {
        section.panel id=(id) aria-labelledby={ (id) "-title" } {
            header.panel-head {
                h2 id={ (id) "-title" } { a href=(url) { (panel.title()) } }
                p.panel-range {
                    @if panel.uses_range() {
                        (range.unwrap_or(panel.default_range()).label())
                    } @else {
                        "Across all three ranges"
                    }
                }
            }
            div.panel-body {
                (body)
                p.panel-more {
                    a href=(url) { "See the whole list" span.visually-hidden { " of " (panel.title()) } " →" }
                }
            }
        }
    }
}

/// A dashboard's panels: `sections` drawn whole or as slots. While some are slots, a browser
/// without JavaScript reloads the page once, at `reload` (which waits for every panel), so it
/// never keeps a spinner; htmx fills the slots in place instead.
pub fn dashboard_panels(sections: &[Markup], reload: Option<&str>) -> Markup {
    html! {
        @if let Some(reload) = reload {
            noscript {
                meta http-equiv="refresh" content={ "1;url=" (reload) };
                p.loading-note { "Some panels are still loading; this page reloads in a moment. "
                    a href=(reload) { "Reload now" } }
            }
        }
        div #panels .panels {
            @for section in sections { (section) }
        }
    }
}

/// The loading state: htmx fetches the panel as soon as the slot appears; without JavaScript
/// the link opens the panel's own page.
pub fn slot(scope: Scope<'_>, panel: Panel, range: Option<TimeRange>) -> Markup {
    let id = section_id(panel);
    let url = scope.panel_url(panel, range);
    html! {
        section.panel.loading id=(id) aria-labelledby={ (id) "-title" } aria-busy="true"
            hx-get=(url) hx-trigger="load" hx-swap="outerHTML" {
            header.panel-head {
                h2 id={ (id) "-title" } { (panel.title()) }
            }
            div.panel-body {
                p.loading-note {
                    span.spinner aria-hidden="true" {}
                    "Loading… "
                    a href=(url) { "Open " (panel.title()) " on its own page" }
                }
            }
        }
    }
}

/// The main content of a panel's own page: navigation, range switcher, and the panel.
pub fn page_main(
    scope: Scope<'_>,
    heading: &str,
    panel: Panel,
    range: Option<TimeRange>,
    section: Markup,
) -> Markup {
    html! {
        div.page-head {
            h1 { (heading) }
            p.back { a href=(scope.home(range)) { "← All panels" } }
        }
        (panel_nav(scope, Some(panel), range))
        @if panel.uses_range() {
            (range_form(&scope.panel_url(panel, None), range, panel.default_range()))
        } @else {
            p.range-note { "This panel compares all three of Spotify's ranges, so it has no range to choose." }
        }
        (section)
    }
}

/// The empty state: say plainly that there is nothing yet.
pub fn empty(message: &str) -> Markup {
    html! { p.empty-state { (message) } }
}

/// The error state, in words a person understands, with a retry control.
pub fn error_state(
    scope: Scope<'_>,
    panel: Panel,
    range: Option<TimeRange>,
    error: Failure,
    now: OffsetDateTime,
) -> Markup {
    let url = scope.panel_url(panel, range);
    let owner = scope.viewer == Viewer::Owner;
    let retry = html! {
        a.button href=(url) hx-get=(url) hx-target={ "#" (section_id(panel)) } hx-swap="outerHTML" {
            "Try again"
        }
    };
    html! {
        div.error-state role="alert" {
            @match error {
                Failure::RateLimited { retry_after } => {
                    @let back = now + retry_after;
                    p {
                        strong { "Spotify is limiting how often Euterpe may ask for data. " }
                        "Spotify shares one request allowance among everyone using this Euterpe. "
                        @if owner { "Your data" } @else { "This data" }
                        " will be back at " (clock_time(back)) " (in "
                        (rough_duration(retry_after.as_secs() as i64)) ")."
                    }
                    (retry)
                }
                Failure::Unavailable => {
                    p { strong { "Spotify is unavailable right now. " } "It did not answer properly; this is usually over in a few minutes." }
                    (retry)
                }
                Failure::Timeout => {
                    p { strong { "Spotify is slow right now. " } "It did not answer in time." }
                    (retry)
                }
                Failure::LoginExpired | Failure::NotAllowListed | Failure::Refused
                    if !owner =>
                {
                    p {
                        strong { "This data can't be refreshed right now. " }
                        "The owner of this dashboard needs to reconnect Euterpe to Spotify."
                    }
                }
                Failure::LoginExpired => {
                    p { strong { "Your Spotify login has expired. " } "Log in again to see this panel; your data here is kept." }
                    a.button.primary href="/login" { "Log in again" }
                }
                Failure::NotAllowListed => {
                    (not_allow_listed())
                }
                Failure::Refused => {
                    p { strong { "Spotify refused to share this data. " } "Euterpe may be missing a permission; logging in again usually fixes it." }
                    a.button href="/login" { "Log in again" }
                }
                Failure::Database => {
                    p { strong { "Euterpe's database is unavailable right now. " } "Nothing is lost; try again in a moment." }
                    (retry)
                }
            }
        }
    }
}

/// What to do when Spotify says the account is not allow-listed (development-mode apps).
pub fn not_allow_listed() -> Markup {
    html! {
        p {
            strong { "Your Spotify account isn't allowed to use this Euterpe yet. " }
            "Euterpe uses a Spotify app in development mode, which serves at most five accounts, "
            "each added by the app's owner. Ask the person who runs this Euterpe to add your "
            "Spotify account's name and email under "
            em { "User Management" } " in the Spotify developer dashboard, then log in again."
        }
    }
}
