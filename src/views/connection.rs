//! The Spotify connection's life: Spotify ends every connection six months after the user
//! approved it, whatever happens in between. Euterpe warns two weeks ahead and says plainly when
//! it has ended.

use maud::{Markup, html};
use time::OffsetDateTime;

use super::components::date;
use crate::domain::CONNECTION_LIFETIME_SECS;
use crate::store::StoredTokens;

/// The warning shows from this long before the end.
pub const WARNING_SECS: i64 = 14 * 86_400;

/// Where the connection stands at `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connection {
    /// Connected; the end is more than two weeks away.
    Healthy { ends_at: i64 },
    /// The end is within two weeks.
    EndingSoon { ends_at: i64 },
    /// The six months are over (or Spotify refused the login): history recording has paused.
    Ended { ended_at: i64 },
    /// Never connected (no tokens).
    None,
}

impl Connection {
    /// The state of `tokens` at `now`.
    pub fn of(tokens: Option<&StoredTokens>, now: i64) -> Self {
        let Some(tokens) = tokens else {
            return Self::None;
        };
        let ends_at = tokens.authorized_at + CONNECTION_LIFETIME_SECS;
        if now >= ends_at {
            Self::Ended { ended_at: ends_at }
        } else if tokens.needs_relogin {
            // Revoked early (or unreadable): it ended when Euterpe last used it.
            Self::Ended {
                ended_at: tokens.updated_at,
            }
        } else if now >= ends_at - WARNING_SECS {
            Self::EndingSoon { ends_at }
        } else {
            Self::Healthy { ends_at }
        }
    }

    /// Whether the user should reconnect now.
    pub fn needs_attention(self) -> bool {
        !matches!(self, Self::Healthy { .. })
    }
}

fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The banner for the dashboard and the account page; nothing while all is well.
pub fn banner(connection: Connection) -> Markup {
    html! {
        @match connection {
            Connection::EndingSoon { ends_at } => {
                div.banner.warning role="status" {
                    p {
                        strong { "Your Spotify connection ends on " (date(at(ends_at))) ". " }
                        "Spotify ends every app's access six months after you approve it. Reconnect "
                        "now to keep your statistics current and your listening history recording — "
                        "it takes one click, and everything stored here is kept."
                    }
                    a.button.primary href="/login" { "Reconnect to Spotify" }
                }
            }
            Connection::Ended { ended_at } => {
                div.banner.warning role="alert" {
                    p {
                        strong { "Your Spotify connection ended on " (date(at(ended_at))) ". " }
                        "History recording has paused since then, and your statistics can't be "
                        "refreshed. Log in again to reconnect — everything stored here is kept."
                    }
                    a.button.primary href="/login" { "Reconnect to Spotify" }
                }
            }
            Connection::Healthy { .. } | Connection::None => {}
        }
    }
}
