//! The account page: who you are to Euterpe and the state of the Spotify connection.

use maud::{Markup, html};
use time::OffsetDateTime;

use super::components::date;
use crate::store::{StoredTokens, User};

/// Spotify refresh tokens die this long after the user's authorization (six months).
pub const REFRESH_TOKEN_LIFETIME_DAYS: i64 = 182;

/// The account page's main content.
pub fn account(user: &User, tokens: Option<&StoredTokens>, csrf: &str, shares: Markup) -> Markup {
    let at =
        |unix: i64| OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    html! {
        div.page-head { h1 { "Your account" } }
        section.card aria-labelledby="profile-title" {
            h2 #profile-title { "Profile" }
            dl.facts {
                dt { "Name" } dd { (user.name()) }
                dt { "Spotify user" } dd { (user.spotify_id) }
                dt { "Using Euterpe since" } dd { (date(at(user.created_at))) }
            }
        }
        section.card aria-labelledby="connection-title" {
            h2 #connection-title { "Spotify connection" }
            @match tokens {
                Some(tokens) if !tokens.needs_relogin => {
                    dl.facts {
                        dt { "Connected since" } dd { (date(at(tokens.authorized_at))) }
                        dt { "Reconnect by" }
                        dd { (date(at(tokens.authorized_at + REFRESH_TOKEN_LIFETIME_DAYS * 86400))) " (Spotify ends every connection after six months)" }
                    }
                }
                _ => {
                    p.notice.warning { "Euterpe is not connected to your Spotify account right now." }
                    a.button.primary href="/login" { "Log in again" }
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
