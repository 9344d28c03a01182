//! The account page: who you are to Euterpe and the state of the Spotify connection.

use maud::{Markup, html};
use time::OffsetDateTime;

use super::components::{clock_time, date, rough_duration};
use super::connection::{self, Connection};
use super::import::ImportJob;
use crate::domain::CONNECTION_LIFETIME_SECS;

/// Who the user is to Euterpe, as the account page shows it.
pub struct Profile<'a> {
    /// The name Euterpe greets the user with.
    pub name: &'a str,
    /// The Spotify user id.
    pub spotify_id: &'a str,
    /// When the user first logged in (Unix seconds).
    pub since: i64,
}

/// What the account page says about history recording and imports.
pub struct Recording<'a> {
    /// When the poller last fetched the user's plays successfully (Unix seconds).
    pub last_poll: Option<i64>,
    /// The user's imports, newest first.
    pub imports: &'a [ImportJob],
}

/// The account page's main content.
pub fn account(
    user: Profile<'_>,
    connection: Connection,
    paused_until: Option<i64>,
    recording: Recording<'_>,
    now: i64,
    csrf: &str,
    shares: Markup,
) -> Markup {
    let at =
        |unix: i64| OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    html! {
        div.page-head { h1 { "Your account" } }
        section.card aria-labelledby="profile-title" {
            h2 #profile-title { "Profile" }
            dl.facts {
                dt { "Name" } dd { (user.name) }
                dt { "Spotify user" } dd { (user.spotify_id) }
                dt { "Using Euterpe since" } dd { (date(at(user.since))) }
            }
        }
        (connection::banner(connection))
        section.card aria-labelledby="connection-title" {
            h2 #connection-title { "Spotify connection" }
            dl.facts {
                @match connection {
                    Connection::Healthy { ends_at } | Connection::EndingSoon { ends_at } => {
                        dt { "State" } dd { "Connected" }
                        dt { "Connected since" } dd { (date(at(ends_at - CONNECTION_LIFETIME_SECS))) }
                        dt { "Reconnect by" }
                        dd { (date(at(ends_at))) " (Spotify ends every connection six months after you approve it)" }
                    }
                    Connection::Ended { ended_at } => {
                        dt { "State" } dd { "Ended on " (date(at(ended_at))) " — log in again to reconnect" }
                    }
                    Connection::None => {
                        dt { "State" } dd { "Not connected" }
                    }
                }
                dt { "History recorded" }
                dd {
                    @match recording.last_poll {
                        Some(at_unix) if at_unix > 0 => {
                            "Last fetched " (rough_duration(now - at_unix)) " ago ("
                            (clock_time(at(at_unix))) ", " (date(at(at_unix))) ")."
                        }
                        _ => "Not fetched yet.",
                    }
                }
                dt { "Imports" }
                dd {
                    @if recording.imports.is_empty() {
                        "None yet. " a href="/import" { "Import your Spotify data export" } "."
                    } @else {
                        ul.plain {
                            @for import in recording.imports.iter().take(5) {
                                li {
                                    a href={ "/import/" (import.id) } { (date(at(import.created_at))) ", " (clock_time(at(import.created_at))) }
                                    ": " (import.status)
                                    @if import.status == "done" { ", " (import.counts.plays_added) " plays added" }
                                }
                            }
                        }
                    }
                }
                dt { "Spotify rate limit" }
                dd {
                    @match paused_until {
                        Some(until) => {
                            "Spotify is asking Euterpe to wait: calls resume at " (clock_time(at(until)))
                            " (in " (rough_duration(until - now)) ")."
                        }
                        None => "Not limited right now.",
                    }
                }
            }
        }
        (shares)
        section.card aria-labelledby="session-title" {
            h2 #session-title { "This browser" }
            form method="post" action="/logout" {
                input type="hidden" name="csrf" value=(csrf);
                button type="submit" { "Log out" }
            }
        }
    }
}
