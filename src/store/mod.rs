//! The database: one [`Store`] interface, served by SQLite (the zero-setup default) or Postgres.
//!
//! Both schemas are kept column-for-column equal (times as Unix seconds, ids as UUIDs, tokens as
//! bytes) and queries use `$n` placeholders, which both backends accept, so most operations are
//! written once and run on either pool through [`with_pool!`]. Where the backends truly differ
//! — row locks, bulk loading, the session table's name — the code lives in `postgres.rs` and
//! `sqlite.rs`.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

mod cache;
mod catalogue;
mod postgres;
mod sessions;
mod tokens;
mod users;

pub use cache::{CacheEntry, CatalogueEntry};
pub use catalogue::{
    ArtistGenresRow, JobRow, NewJob, ServiceRow, TrackPopularityRow, TrackRecordingsRow,
};
pub use sessions::SessionBackend;
pub use tokens::{StoredTokens, TokenLock};
pub use users::{NewUser, User};

/// A database error. Callers treat it as "the database is unavailable right now".
pub type StoreError = sqlx::Error;
/// The result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database engine backs the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The connection pool of either backend.
#[derive(Clone, Debug)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same sqlx code on whichever pool the store holds: `with_pool!(self, pool => …)`.
/// The body is compiled once per backend, so it may use any query both accept.
macro_rules! with_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// Euterpe's database: users, tokens, sessions and cached Spotify data.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: Db,
}

/// How a pool is sized and how long a request waits for a connection.
#[derive(Clone, Copy, Debug)]
pub struct PoolOptions {
    pub max_connections: u32,
    /// A request that cannot get a connection within this gives up (the page says the database
    /// is unavailable) rather than hang.
    pub acquire_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_connections: crate::config::DEFAULT_DB_POOL_MAX,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

impl Store {
    /// Connects to `url` (`sqlite:…`, `postgres://…` or `postgresql://…`). Connections are made
    /// lazily, so a database that is down at start is retried by each request.
    pub async fn connect(url: &str, options: PoolOptions) -> Result<Self> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let connect = PgConnectOptions::from_str(url)?.application_name("euterpe");
            Db::Postgres(
                PgPoolOptions::new()
                    .max_connections(options.max_connections)
                    .acquire_timeout(options.acquire_timeout)
                    .connect_lazy_with(connect),
            )
        } else {
            let connect = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            Db::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(options.max_connections.max(2))
                    .acquire_timeout(options.acquire_timeout)
                    .connect_with(connect)
                    .await?,
            )
        };
        Ok(Self { db })
    }

    /// The engine behind this store.
    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies every pending migration (Euterpe's and the session store's). Safe to run again,
    /// and from several processes at once on Postgres (sqlx takes an advisory lock).
    pub async fn migrate(&self) -> Result<()> {
        match &self.db {
            Db::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
            Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        self.session_backend().migrate().await
    }

    /// A cheap round trip, for `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        with_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))
    }

    /// Closes every connection (at shutdown).
    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await)
    }
}
