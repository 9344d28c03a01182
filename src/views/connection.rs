//! The Spotify connection's banner: two weeks' warning before Spotify's six-month end, and a
//! plain word once it has ended (the state itself is computed by `domain::Connection`).

use maud::{Markup, html};
use time::OffsetDateTime;

use super::components::date;
pub use crate::domain::Connection;

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
