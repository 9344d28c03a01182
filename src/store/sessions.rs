//! Login sessions: the tower-sessions store of the chosen backend, and the link from sessions to
//! users that lets an account's deletion end every one of its sessions.
//!
//! A link lives exactly as long as its session: deleting a session (logout, a new id at login)
//! deletes its link, and the hourly deletion of expired sessions deletes theirs, so the data
//! download lists only sessions that can still be used.

use crate::domain::UserId;
use async_trait::async_trait;
use sqlx::{PgPool, SqlitePool};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use super::{Db, Result, Store, with_pool};

/// The session store of whichever database Euterpe uses.
#[derive(Clone, Debug)]
pub enum SessionBackend {
    Sqlite(SqliteStore, SqlitePool),
    Postgres(PostgresStore, PgPool),
}

impl SessionBackend {
    /// Creates the session table if it does not exist.
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Self::Sqlite(store, _) => store.migrate().await,
            Self::Postgres(store, _) => store.migrate().await,
        }
    }

    /// The table the store keeps sessions in (the crate's defaults).
    fn table(&self) -> &'static str {
        match self {
            Self::Sqlite(..) => "tower_sessions",
            Self::Postgres(..) => "\"tower_sessions\".\"session\"",
        }
    }
}

#[async_trait]
impl SessionStore for SessionBackend {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store, _) => store.create(record).await,
            Self::Postgres(store, _) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store, _) => store.save(record).await,
            Self::Postgres(store, _) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Sqlite(store, _) => store.load(id).await,
            Self::Postgres(store, _) => store.load(id).await,
        }
    }

    /// Deletes the session, then its link to a user. In this order: a failure in between
    /// leaves a link to nothing (deleted with the next expired sessions), never a session
    /// without the link that lets an account's deletion end it.
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let session_id = id.to_string();
        // The same two steps on either engine; only the session store and pool types differ.
        macro_rules! delete_then_unlink {
            ($store:expr, $pool:expr) => {{
                $store.delete(id).await?;
                sqlx::query("DELETE FROM user_sessions WHERE session_id = $1")
                    .bind(&session_id)
                    .execute($pool)
                    .await
                    .map(|_| ())
            }};
        }
        let unlinked = match self {
            Self::Sqlite(store, pool) => delete_then_unlink!(store, pool),
            Self::Postgres(store, pool) => delete_then_unlink!(store, pool),
        };
        unlinked.map_err(|err| session_store::Error::Backend(err.to_string()))
    }
}

#[async_trait]
impl ExpiredDeletion for SessionBackend {
    /// Deletes the expired sessions, then every link whose session is gone.
    async fn delete_expired(&self) -> session_store::Result<()> {
        let orphans = format!(
            "DELETE FROM user_sessions WHERE session_id NOT IN (SELECT id FROM {})",
            self.table()
        );
        let unlinked = match self {
            Self::Sqlite(store, pool) => {
                store.delete_expired().await?;
                sqlx::query(&orphans).execute(pool).await.map(|_| ())
            }
            Self::Postgres(store, pool) => {
                store.delete_expired().await?;
                sqlx::query(&orphans).execute(pool).await.map(|_| ())
            }
        };
        unlinked.map_err(|err| session_store::Error::Backend(err.to_string()))
    }
}

impl Store {
    /// The session store on this database.
    pub fn session_backend(&self) -> SessionBackend {
        match &self.db {
            Db::Sqlite(pool) => {
                SessionBackend::Sqlite(SqliteStore::new(pool.clone()), pool.clone())
            }
            Db::Postgres(pool) => {
                SessionBackend::Postgres(PostgresStore::new(pool.clone()), pool.clone())
            }
        }
    }

    /// Records that a login session belongs to a user.
    pub async fn link_session(&self, session_id: &str, user: UserId, now: i64) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO user_sessions (session_id, user_id, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (session_id) DO NOTHING",
            )
            .bind(session_id)
            .bind(user)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// When each of a user's login sessions began, oldest first (the data download lists them;
    /// the ids are the cookies' secrets and stay out).
    pub async fn login_session_starts(&self, user: UserId) -> Result<Vec<i64>> {
        with_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT created_at FROM user_sessions WHERE user_id = $1 ORDER BY created_at",
            )
            .bind(user)
            .fetch_all(pool)
            .await
        })
    }

    /// Ends every login session of a user (account deletion).
    pub async fn delete_user_sessions(&self, user: UserId) -> Result<()> {
        let sql = format!(
            "DELETE FROM {} WHERE id IN (SELECT session_id FROM user_sessions WHERE user_id = $1)",
            self.session_backend().table()
        );
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(&sql).bind(user).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM user_sessions WHERE user_id = $1")
                .bind(user)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        })
    }
}
