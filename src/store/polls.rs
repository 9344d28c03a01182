//! The poller's state per user, and the claim that makes one process poll a user at a time.
//!
//! On Postgres a claim is a transaction holding `FOR UPDATE SKIP LOCKED` on the user's
//! `poll_state` row: a second process skips that user, and once the claim is finished the row's
//! `last_polled_at` tells every process the user was polled recently. SQLite serves one process,
//! which polls users one after another.

use crate::domain::UserId;
use sqlx::{Postgres, Transaction};

use crate::domain::CONNECTION_LIFETIME_SECS;

use super::{Backend, Db, Result, Store, dialect, with_pool};

/// A user's poller state.
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct PollState {
    pub user_id: UserId,
    pub after_ms: Option<i64>,
    pub last_polled_at: i64,
    pub last_success_at: i64,
    pub paused_until: i64,
    pub last_error: Option<String>,
}

/// How a poll of one user ended, to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PollOutcome {
    /// Plays fetched; the new cursor, and the time (Unix seconds) coverage now reaches.
    Success { after_ms: Option<i64>, at: i64 },
    /// Spotify asked to wait until this Unix second.
    Paused { until: i64, error: String },
    /// Anything else; tried again next round.
    Failed { error: String },
}

/// A user claimed for polling by this process.
pub struct PollClaim {
    pub state: PollState,
    tx: Option<Transaction<'static, Postgres>>,
}

const POLL_COLUMNS: &str =
    "p.user_id, p.after_ms, p.last_polled_at, p.last_success_at, p.paused_until, p.last_error";

fn due_sql(backend: Backend) -> String {
    let lock = dialect::skip_locked(backend, "p");
    format!(
        "SELECT {POLL_COLUMNS} FROM poll_state p \
         JOIN spotify_tokens t ON t.user_id = p.user_id \
         WHERE t.needs_relogin = FALSE AND t.authorized_at > $3 \
           AND p.last_polled_at <= $1 AND p.paused_until <= $2 \
         ORDER BY p.last_polled_at, p.user_id LIMIT 1{lock}"
    )
}

impl Store {
    /// Gives every user with tokens a poller row (new users are due at once).
    pub async fn ensure_poll_rows(&self) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO poll_state (user_id) SELECT user_id FROM spotify_tokens \
                 WHERE 1 = 1 ON CONFLICT (user_id) DO NOTHING",
            )
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// The user's poller state, if they were ever polled.
    pub async fn poll_state(&self, user: UserId) -> Result<Option<PollState>> {
        let sql = format!("SELECT {POLL_COLUMNS} FROM poll_state p WHERE p.user_id = $1");
        with_pool!(self, pool => {
            sqlx::query_as::<_, PollState>(&sql).bind(user).fetch_optional(pool).await
        })
    }

    /// Claims the user polled longest ago whose last poll started before `due_before` and who
    /// is neither paused nor waiting for a new login, and whose Spotify connection hasn't reached
    /// its six-month end; marks the poll as started `now`.
    pub async fn claim_due_poll(&self, due_before: i64, now: i64) -> Result<Option<PollClaim>> {
        // The claim is the same two statements on either engine; only where they run differs:
        // on Postgres inside the transaction the claim keeps, on SQLite on the pool.
        macro_rules! claim {
            ($executor:expr) => {{
                let state = sqlx::query_as::<_, PollState>(&due_sql(self.backend()))
                    .bind(due_before)
                    .bind(now)
                    .bind(now - CONNECTION_LIFETIME_SECS)
                    .fetch_optional($executor)
                    .await?;
                if let Some(state) = &state {
                    sqlx::query("UPDATE poll_state SET last_polled_at = $2 WHERE user_id = $1")
                        .bind(state.user_id)
                        .bind(now)
                        .execute($executor)
                        .await?;
                }
                state
            }};
        }
        match &self.db {
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                match claim!(&mut *tx) {
                    Some(state) => Ok(Some(PollClaim {
                        state,
                        tx: Some(tx),
                    })),
                    None => {
                        tx.rollback().await?;
                        Ok(None)
                    }
                }
            }
            Db::Sqlite(pool) => Ok(claim!(pool).map(|state| PollClaim { state, tx: None })),
        }
    }

    /// Pauses every user's polling until `until` (Unix seconds): Spotify's rate limit is per app.
    pub async fn pause_all_polls(&self, until: i64) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query("UPDATE poll_state SET paused_until = $1 WHERE paused_until < $1")
                .bind(until)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }

    /// Records how a claimed poll ended and releases the claim.
    pub async fn finish_poll(&self, claim: PollClaim, outcome: &PollOutcome) -> Result<()> {
        let user = claim.state.user_id;
        macro_rules! apply {
            ($executor:expr) => {
                match outcome {
                    PollOutcome::Success { after_ms, at } => {
                        sqlx::query(
                            "UPDATE poll_state SET after_ms = COALESCE($2, after_ms), \
                             last_success_at = $3, last_error = NULL WHERE user_id = $1",
                        )
                        .bind(user)
                        .bind(*after_ms)
                        .bind(*at)
                        .execute($executor)
                        .await?
                    }
                    PollOutcome::Paused { until, error } => {
                        sqlx::query(
                            "UPDATE poll_state SET paused_until = $2, last_error = $3 WHERE user_id = $1",
                        )
                        .bind(user)
                        .bind(*until)
                        .bind(error)
                        .execute($executor)
                        .await?
                    }
                    PollOutcome::Failed { error } => {
                        sqlx::query("UPDATE poll_state SET last_error = $2 WHERE user_id = $1")
                            .bind(user)
                            .bind(error)
                            .execute($executor)
                            .await?
                    }
                }
            };
        }
        match claim.tx {
            Some(mut tx) => {
                apply!(&mut *tx);
                tx.commit().await
            }
            None => {
                with_pool!(self, pool => { apply!(pool); });
                Ok(())
            }
        }
    }
}
