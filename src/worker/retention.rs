//! Retention of inactive accounts: with `RETENTION_INACTIVE_DAYS` set, an account whose owner
//! has neither logged in nor visited for that many days is deleted with all its data, once a
//! day. Visits to the owner's share links are not the owner's visits. Seven days before the
//! deadline, the owner's next visit shows a warning (the visit itself keeps the account).

use std::time::Duration;

use crate::shutdown::Shutdown;
use crate::state::AppState;
use crate::store::StoreError;

/// How often inactive accounts are looked for.
pub const INTERVAL: Duration = Duration::from_secs(24 * 3600);
/// The warning shows to owners returning this close to (or past) their deadline.
pub const WARNING_DAYS: i64 = 7;

pub use crate::domain::RetentionWarning as Warning;

/// The session's one-time message key for the warning.
pub const FLASH: &str = "retention_warning";

/// The warning for an owner who last came at `last_seen` and is back at `now`, if they were
/// away long enough to be within a week of deletion.
pub fn warning(inactive_days: Option<u32>, last_seen: i64, now: i64) -> Option<Warning> {
    let days = i64::from(inactive_days?);
    let due_at = last_seen + days * 86_400;
    (now >= due_at - WARNING_DAYS * 86_400).then_some(Warning {
        away_days: (now - last_seen) / 86_400,
        due_at,
        kept_until: now + days * 86_400,
    })
}

/// Records that `user` came by at `now` (so the clock of the retention policy starts again) and
/// returns the warning their visit calls for: an account that was close to deletion is told
/// how long it had been away and how long it is now kept.
pub async fn record_visit(
    state: &AppState,
    user: &crate::store::User,
    now: i64,
) -> Result<Option<Warning>, StoreError> {
    let warned = warning(state.config.retention_inactive_days, user.last_seen_at, now);
    state.store.touch_user(user.id, now).await?;
    Ok(warned)
}

/// Deletes every account inactive for the configured number of days; returns how many.
pub async fn delete_inactive_accounts(state: &AppState) -> Result<usize, StoreError> {
    let Some(days) = state.config.retention_inactive_days else {
        return Ok(0);
    };
    let cutoff = state.clock.unix() - i64::from(days) * 86_400;
    let users = state.store.inactive_users(cutoff).await?;
    for user in &users {
        state.store.delete_account(*user).await?;
    }
    if !users.is_empty() {
        tracing::info!(
            deleted = users.len(),
            inactive_days = days,
            "deleted inactive accounts and all their data"
        );
    }
    Ok(users.len())
}

/// Runs [`delete_inactive_accounts`] at start and then daily, until shutdown.
pub async fn run(state: AppState, shutdown: Shutdown) {
    if state.config.retention_inactive_days.is_none() {
        return;
    }
    let mut interval = tokio::time::interval(INTERVAL);
    loop {
        tokio::select! {
            _ = interval.tick() => {
                if let Err(err) = delete_inactive_accounts(&state).await {
                    tracing::warn!(error = %err, "could not delete inactive accounts");
                }
            }
            _ = shutdown.clone().wait() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    #[test]
    fn the_warning_starts_a_week_before_the_deadline() {
        assert_eq!(warning(None, 0, 1000 * DAY), None, "kept forever");
        assert_eq!(warning(Some(30), 0, 22 * DAY), None);
        let warned = warning(Some(30), 0, 23 * DAY).unwrap();
        assert_eq!(warned.away_days, 23);
        assert_eq!(warned.due_at, 30 * DAY);
        assert_eq!(warned.kept_until, 53 * DAY);
        assert!(
            warning(Some(30), 0, 45 * DAY).is_some(),
            "late, but not yet deleted"
        );
    }
}
