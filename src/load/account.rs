//! What the account page shows of a user, read from the store at once: the Spotify grant, share
//! links, history settings, Spotify's pause, the poller's last success and the imports.

use crate::domain::{CompareOptIn, Grant, HistorySettings, UserId};
use crate::store::{ImportRow, Share, Store, StoreError};

/// The stored facts behind `/account`.
pub struct AccountData {
    /// The stored Spotify grant (`None`: never connected).
    pub grant: Option<Grant>,
    /// The user's share links, newest first.
    pub shares: Vec<Share>,
    pub settings: HistorySettings,
    /// Until when Spotify asked Euterpe to wait (Unix seconds), if it still does at `now`.
    pub paused_until: Option<i64>,
    /// When the poller last fetched the user's plays (Unix seconds), if it ever tried.
    pub last_poll: Option<i64>,
    /// The user's imports, newest first.
    pub imports: Vec<ImportRow>,
    /// Whether (and as whom) the user lets the other listeners compare their taste.
    pub compare: Option<CompareOptIn>,
}

/// Reads everything `/account` shows of `user` at `now`, the reads side by side.
pub async fn load(store: &Store, user: UserId, now: i64) -> Result<AccountData, StoreError> {
    let (tokens, shares, settings, paused_until, poll, imports, compare) = tokio::try_join!(
        store.tokens(user),
        store.shares_of(user),
        store.history_settings(user),
        store.paused_until(user, now),
        store.poll_state(user),
        store.imports(user),
        store.compare_opt_in(user),
    )?;
    Ok(AccountData {
        grant: tokens.map(|tokens| tokens.grant()),
        shares,
        settings,
        paused_until,
        last_poll: poll.map(|poll| poll.last_success_at),
        imports,
        compare,
    })
}
