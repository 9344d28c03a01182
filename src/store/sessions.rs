//! Login sessions: the tower-sessions store of the chosen backend, and the link from sessions to
//! users that lets an account's deletion end every one of its sessions.

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};
use uuid::Uuid;

use super::{Db, Result, Store, with_pool};

/// The session store of whichever database Euterpe uses.
#[derive(Clone, Debug)]
pub enum SessionBackend {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl SessionBackend {
    /// Creates the session table if it does not exist.
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Self::Sqlite(store) => store.migrate().await,
            Self::Postgres(store) => store.migrate().await,
        }
    }

    /// The table the store keeps sessions in (the crate's defaults).
    fn table(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "tower_sessions",
            Self::Postgres(_) => "\"tower_sessions\".\"session\"",
        }
    }
}

#[async_trait]
impl SessionStore for SessionBackend {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.create(record).await,
            Self::Postgres(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.save(record).await,
            Self::Postgres(store) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Sqlite(store) => store.load(id).await,
            Self::Postgres(store) => store.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.delete(id).await,
            Self::Postgres(store) => store.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for SessionBackend {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.delete_expired().await,
            Self::Postgres(store) => store.delete_expired().await,
        }
    }
}

impl Store {
    /// The session store on this database.
    pub fn session_backend(&self) -> SessionBackend {
        match &self.db {
            Db::Sqlite(pool) => SessionBackend::Sqlite(SqliteStore::new(pool.clone())),
            Db::Postgres(pool) => SessionBackend::Postgres(PostgresStore::new(pool.clone())),
        }
    }

    /// Records that a login session belongs to a user.
    pub async fn link_session(&self, session_id: &str, user: Uuid, now: i64) -> Result<()> {
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
    pub async fn login_session_starts(&self, user: Uuid) -> Result<Vec<i64>> {
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
    pub async fn delete_user_sessions(&self, user: Uuid) -> Result<()> {
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
