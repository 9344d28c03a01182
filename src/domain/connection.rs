//! The life of a listener's connection to Spotify: Spotify ends every connection six months
//! after the user approved it, whatever happens in between. Euterpe warns two weeks ahead and
//! says plainly when it has ended. The policy is here, once; pages only show its answer.

/// Spotify ends a connection (its refresh token dies) this long after the user authorized
/// Euterpe: six months, whatever refreshes happen in between.
pub const CONNECTION_LIFETIME_SECS: i64 = 182 * 86_400;

/// The warning shows from this long before the end.
pub const WARNING_SECS: i64 = 14 * 86_400;

/// What the policy needs to know of a user's stored grant (Unix seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant {
    /// When the user approved Euterpe on Spotify's page.
    pub authorized_at: i64,
    /// When Euterpe last used or changed the tokens.
    pub updated_at: i64,
    /// Spotify refused the tokens (revoked early) or they could not be read.
    pub needs_relogin: bool,
}

/// Where the connection stands at a given time.
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
    /// The state of a user's `grant` (`None`: no tokens) at `now`.
    pub fn of(grant: Option<Grant>, now: i64) -> Self {
        let Some(grant) = grant else {
            return Self::None;
        };
        let ends_at = grant.authorized_at + CONNECTION_LIFETIME_SECS;
        if now >= ends_at {
            Self::Ended { ended_at: ends_at }
        } else if grant.needs_relogin {
            // Revoked early (or unreadable): it ended when Euterpe last used it.
            Self::Ended {
                ended_at: grant.updated_at,
            }
        } else if now >= ends_at - WARNING_SECS {
            Self::EndingSoon { ends_at }
        } else {
            Self::Healthy { ends_at }
        }
    }

    /// When the user approved the connection still running (`None` unless connected).
    pub fn connected_since(self) -> Option<i64> {
        match self {
            Self::Healthy { ends_at } | Self::EndingSoon { ends_at } => {
                Some(ends_at - CONNECTION_LIFETIME_SECS)
            }
            Self::Ended { .. } | Self::None => None,
        }
    }

    /// Whether the user should reconnect now.
    pub fn needs_attention(self) -> bool {
        !matches!(self, Self::Healthy { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn grant(authorized_at: i64, needs_relogin: bool) -> Option<Grant> {
        Some(Grant {
            authorized_at,
            updated_at: authorized_at + DAY,
            needs_relogin,
        })
    }

    #[test]
    fn six_months_with_a_two_week_warning() {
        let start = 1_700_000_000;
        let end = start + CONNECTION_LIFETIME_SECS;
        assert_eq!(Connection::of(None, start), Connection::None);
        assert_eq!(
            Connection::of(grant(start, false), end - WARNING_SECS - 1),
            Connection::Healthy { ends_at: end }
        );
        assert_eq!(
            Connection::of(grant(start, false), end - WARNING_SECS),
            Connection::EndingSoon { ends_at: end }
        );
        assert_eq!(
            Connection::of(grant(start, false), end),
            Connection::Ended { ended_at: end }
        );
        assert_eq!(
            Connection::of(grant(start, false), start + DAY).connected_since(),
            Some(start)
        );
    }

    #[test]
    fn a_refused_grant_ended_when_last_used() {
        let start = 1_700_000_000;
        assert_eq!(
            Connection::of(grant(start, true), start + 2 * DAY),
            Connection::Ended {
                ended_at: start + DAY
            }
        );
    }
}
