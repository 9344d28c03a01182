//! Share links: the visitor's read-only dashboard, and the owner's controls on `/account`.

use maud::{Markup, html};
use time::OffsetDateTime;

use super::components::{date, range_form};
use super::panels::Scope;
use crate::domain::{SharedYears, TimeRange};
use crate::panel::Panel;

/// One of the owner's share links, as the account page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareLink {
    pub id: uuid::Uuid,
    /// The shared panels, in dashboard order.
    pub panels: Vec<Panel>,
    /// The years in review it shows, if any.
    pub years: Option<SharedYears>,
    /// The name visitors see instead of the owner's.
    pub shown_name: Option<String>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub views: i64,
    pub revoked: bool,
    /// Whether the link works now (not revoked, not expired).
    pub live: bool,
}

/// Panels ticked when the owner opens the form.
const PRESELECTED: [Panel; 3] = [Panel::TopSongs, Panel::TopArtists, Panel::TopAlbums];

/// The heading of a shared dashboard: the name its owner chose to show, or none.
pub fn heading(shown_name: Option<&str>) -> String {
    match shown_name {
        Some(name) => format!("{name}'s listening"),
        None => "Shared listening".to_owned(),
    }
}

/// A visitor's view of a share: whose it is, the year in review when shared (its address and
/// the shared years with plays), the range switcher and the shared panels.
pub fn dashboard(
    scope: Scope<'_>,
    shown_name: Option<&str>,
    range: Option<TimeRange>,
    year: Option<(&str, &[i64])>,
    panels: Markup,
) -> Markup {
    html! {
        div.page-head.share-head {
            h1 { (heading(shown_name)) }
            p.share-note {
                "A read-only view of Spotify listening statistics, shared from "
                a href="/" { "Euterpe" } ". "
                "Want your own? " a href="/" { "See your listening on Euterpe" } "."
            }
        }
        @if let Some((base, years)) = year {
            section.card.shared-years aria-labelledby="shared-years-title" {
                h2 #shared-years-title { "Year in review" }
                @if years.is_empty() {
                    p.empty-state { "No year in review to show yet." }
                } @else {
                    p { @for (i, y) in years.iter().rev().enumerate() { @if i > 0 { " · " } a href={ (base) "/" (y) } { (y) } } }
                }
            }
        }
        @if !scope.panels.is_empty() {
            (range_form(&scope.home(None), range, TimeRange::MediumTerm))
            (panels)
        }
    }
}

/// The owner's share controls: the link just made (shown once), the form, and every share.
pub fn account_section(
    shares: &[ShareLink],
    new_link: Option<&str>,
    revoked: bool,
    default_name: &str,
    csrf: &str,
) -> Markup {
    let at =
        |unix: i64| OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    html! {
        section.card #shares aria-labelledby="shares-title" {
            h2 #shares-title { "Share your dashboard" }
            @if let Some(link) = new_link {
                div.notice.new-share role="status" {
                    p { strong { "Your new share link:" } }
                    p {
                        a.share-link href=(link) { (link) }
                        " "
                        // Shown by app.js where the clipboard can be written.
                        button.copy type="button" data-copy=(link) hidden { "Copy" }
                    }
                    p.hint {
                        "Copy it now: Euterpe keeps only a fingerprint of it and can't show it again. "
                        "Anyone with the link sees the panels you chose, read-only, until you revoke it."
                    }
                }
            }
            @if revoked {
                p.notice role="status" { strong { "Share link revoked. " } "It answers “not found” from now on." }
            }
            p {
                "A share link shows the panels you choose to anyone who has it — no login, no "
                "cookies, nothing else of your account. Visitors see your data as cached here, "
                "so they never use up your Spotify allowance."
            }
            form.share-form method="post" action="/shares" {
                input type="hidden" name="csrf" value=(csrf);
                fieldset {
                    legend { "Panels to share" }
                    @for panel in Panel::ALL {
                        label.check {
                            input type="checkbox" name="panels" value=(panel.name())
                                checked[PRESELECTED.contains(&panel)];
                            " " (panel.title())
                        }
                    }
                    p.hint { "Top playlists shows visitors your public playlists only." }
                    label.check {
                        input type="checkbox" name="panels" value="year";
                        " Your year in review"
                    }
                    label for="share_years" { "Years to share" }
                    input #share_years type="text" name="years" inputmode="numeric" autocomplete="off" placeholder="e.g. 2025";
                    p.hint { "Years separated by commas; left empty, every year with plays (now and later)." }
                }
                label for="shown_name" { "Name to show" }
                // Empty by default: a visitor sees no name unless the owner types one.
                input #shown_name type="text" name="shown_name" maxlength="80" autocomplete="off";
                p.hint {
                    "Left empty, the page shows no name. Your Spotify name is “" (default_name)
                    "”; type it, or any name, to show it."
                }
                label for="expires_in_days" { "Expires after (days)" }
                input #expires_in_days type="number" name="expires_in_days" min="1" max="3650" inputmode="numeric";
                p.hint { "Leave empty for a link that works until you revoke it." }
                label.check {
                    input type="checkbox" name="indexable" value="1";
                    " Let search engines index this page"
                }
                button.button.primary type="submit" { "Create share link" }
            }
            @if !shares.is_empty() {
                h3 { "Your share links" }
                table.data.shares-table.stack {
                    thead {
                        tr {
                            th scope="col" { "Panels" }
                            th scope="col" { "Created" }
                            th scope="col" { "Expires" }
                            th scope="col" .num { "Views" }
                            th scope="col" { "State" }
                            th scope="col" { span.visually-hidden { "Action" } }
                        }
                    }
                    tbody {
                        @for share in shares {
                            tr {
                                td data-label="Panels" {
                                    (share.panels.iter().map(|p| p.title().to_owned()).chain(share.years.as_ref().map(SharedYears::describe)).collect::<Vec<_>>().join(", "))
                                    @if let Some(name) = &share.shown_name { span.sub { "as “" (name) "”" } }
                                }
                                td data-label="Created" { (date(at(share.created_at))) }
                                td data-label="Expires" {
                                    @match share.expires_at {
                                        Some(expires) => (date(at(expires))),
                                        None => "never",
                                    }
                                }
                                td.num data-label="Views" { (share.views) }
                                td data-label="State" {
                                    @if share.revoked { "revoked" }
                                    @else if !share.live { "expired" }
                                    @else { "live" }
                                }
                                td {
                                    @if share.live {
                                        form.inline method="post" action={ "/shares/" (share.id) "/revoke" } {
                                            input type="hidden" name="csrf" value=(csrf);
                                            button type="submit" { "Revoke" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
