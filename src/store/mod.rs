//! The database: one [`Store`] interface, served by SQLite (the zero-setup default) or Postgres.
//!
//! Both schemas are kept column-for-column equal (times as Unix seconds, ids as UUIDs, tokens as
//! bytes) and queries use `$n` placeholders, which both backends accept, so most operations are
//! written once and run on either pool through [`with_pool!`] (or a play writer's transaction
//! through `with_tx!`). What the engines spell differently — JSON aggregation, a list bound as
//! JSON, `SKIP LOCKED`, `GREATEST`/`MAX` — is in `dialect.rs`, asked for by [`Backend`]. Whole
//! operations only one engine does its way live in `sqlite.rs` (bulk loads through one JSON
//! parameter) and `postgres.rs` (row and advisory locks, `UNNEST` arrays, `COPY`); the call
//! sites only pick one (`engine_op!` in `plays/`, a `Db` match for the locks and the session
//! table's name). A test (`tests/app/schemas.rs`) holds the two schemas to the same tables and
//! columns.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgSslMode};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, PgPool, SqlitePool};

mod account;
mod cache;
mod catalogue;
mod compare;
mod dialect;
mod genre_list;
mod history;
mod imports;
mod months;
mod plays;
mod polls;
mod postgres;
mod rotation;
mod sessions;
mod shares;
mod sqlite;
mod timeline;
mod tokens;
mod user_id;
mod users;

pub use account::{StoredPlay, StoredTrack, USER_TABLES};
pub use cache::{CacheEntry, CacheStamp, CatalogueEntry};
pub use catalogue::{
    ArtistGenresRow, JobRow, NewJob, ServiceRow, TrackPopularityRow, TrackRecordingsRow,
};
pub use history::{
    CoverageSpan, HistorySettings, HistoryTotals, RecentPlay, TopEntry, TopOrder, WindowPlays,
};
pub use imports::{ImportCounts, ImportRow};
pub use plays::{
    Catalogue, EXPORTS_SLACK_MS, MATCH_SLACK_MS, NewPlay, PlaySource, PlayWriter, TrackFacts,
    is_account_gone, name_key, names_of_key,
};
pub use polls::{PollClaim, PollOutcome, PollState};
pub use rotation::Rekeyed;
pub use sessions::SessionBackend;
pub use shares::{NewShare, Share};
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

/// `$first, $first+1, …` for `count` values.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (0..count)
        .map(|i| format!("${}", first + i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows of a catalogue table whose key is among `ids` and that are still fresh at `now`:
/// `$columns` (in the order of `$row`'s fields) of `$from`, the table and its condition up to
/// `… AND key`, with `$1` bound to `now`; the ids follow in an `IN` list, at most 500 per query.
/// The rows come back as one JSON array: a panel's fifty facts are one row to hand over, not
/// fifty (SQLite's driver passes each row between threads).
macro_rules! fresh_rows {
    ($store:expr, $row:ty, $columns:expr, $from:expr, $ids:expr, $now:expr) => {{
        let mut found: Vec<$row> = Vec::new();
        for chunk in $ids.chunks(500) {
            let from = format!(
                "{} IN ({})",
                $from,
                $crate::store::placeholders(2, chunk.len())
            );
            let sql = $crate::store::dialect::json_list($store.backend(), $columns, &from);
            let json: String = $crate::store::with_pool!($store, pool => {
                let mut query = sqlx::query_scalar(&sql).bind($now);
                for id in chunk {
                    query = query.bind(id);
                }
                query.fetch_one(pool).await
            })?;
            found.extend($crate::store::decode_json::<Vec<$row>>(&json)?);
        }
        Ok(found)
    }};
}
pub(crate) use fresh_rows;

/// `SELECT $columns FROM $from` as a `Vec<$row>`, its parameters bound by `|$query| …` (which
/// binds them to the query it is given and returns it). On SQLite the rows come back as one
/// JSON value the database builds (its driver hands each row between threads, ~1.6 µs); on
/// Postgres as plain rows, since building a JSON value per row costs Postgres more than sending
/// the row (the catalogue's 40,000 tracks, end to end: ~74 ms as JSON, ~32 ms as rows).
macro_rules! select_list {
    ($store:expr, $row:ty, $columns:expr, $from:expr, |$query:ident| $bind:expr) => {{
        match &$store.db {
            $crate::store::Db::Sqlite(pool) => {
                let sql = $crate::store::dialect::json_list(
                    $crate::store::Backend::Sqlite,
                    $columns,
                    $from,
                );
                let $query = sqlx::query_scalar(&sql);
                let json: String = $bind.fetch_one(pool).await?;
                $crate::store::decode_json::<Vec<$row>>(&json)
            }
            $crate::store::Db::Postgres(pool) => {
                let sql = format!("SELECT {} FROM {}", $columns, $from);
                let $query = sqlx::query_as::<_, $row>(&sql);
                $bind.fetch_all(pool).await
            }
        }
    }};
}
pub(crate) use select_list;

/// JSON the database built (rows aggregated by [`dialect::json_list`], each row an array in
/// field order), decoded; a mismatch is the database's decode error.
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|err| sqlx::Error::Decode(Box::new(err)))
}

/// Euterpe's database: users, tokens, sessions and cached Spotify data.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: Db,
}

/// The default pool size: 4 per process keeps two web dynos, a worker and a release dyno
/// (4 × 4 = 16) inside a 20-connection Heroku Postgres plan.
pub const DEFAULT_DB_POOL_MAX: u32 = 4;

/// A Postgres connection idle longer than this is tested before it is used again.
const IDLE_BEFORE_TEST: Duration = Duration::from_secs(5);

/// How a pool is sized and how long a request waits for a connection.
#[derive(Clone, Copy, Debug)]
pub struct PoolOptions {
    pub max_connections: u32,
    /// A request that cannot get a connection within this gives up (the page says the database
    /// is unavailable) rather than hang.
    pub acquire_timeout: Duration,
    /// Postgres only: connect with TLS (`sslmode=require`) unless the URL (or `PGSSLMODE`) sets
    /// an `sslmode` itself. Production turns it on: Heroku Postgres refuses plain connections.
    pub require_tls: bool,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_connections: DEFAULT_DB_POOL_MAX,
            acquire_timeout: Duration::from_secs(5),
            require_tls: false,
        }
    }
}

/// Connection options for a Postgres URL. With `require_tls`, TLS is required (encrypted, the
/// certificate not checked against a CA: Heroku Postgres's certificates are not publicly
/// signed) unless the URL or `PGSSLMODE` chooses an `sslmode`, which wins.
pub fn postgres_options(url: &str, require_tls: bool) -> Result<PgConnectOptions> {
    let options = PgConnectOptions::from_str(url)?.application_name("euterpe");
    let url_chooses = reqwest::Url::parse(url).is_ok_and(|url| {
        url.query_pairs()
            .any(|(name, _)| name == "sslmode" || name == "ssl-mode")
    });
    let env_chooses = std::env::var_os("PGSSLMODE").is_some();
    if require_tls && !url_chooses && !env_chooses {
        Ok(options.ssl_mode(PgSslMode::Require))
    } else {
        Ok(options)
    }
}

impl Store {
    /// Connects to `url` (`sqlite:…`, `postgres://…` or `postgresql://…`). Connections are made
    /// lazily, so a database that is down at start is retried by each request.
    pub async fn connect(url: &str, options: PoolOptions) -> Result<Self> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let connect = postgres_options(url, options.require_tls)?;
            Db::Postgres(
                PgPoolOptions::new()
                    .max_connections(options.max_connections)
                    // A connection in use is known to work (sqlx pings each one as it is given
                    // back); one idle for a while may have been cut by a failover, so only such a
                    // one is tested before it is handed out. Testing every one cost a round trip
                    // per query.
                    .test_before_acquire(false)
                    .before_acquire(|connection, meta| {
                        Box::pin(async move {
                            if meta.idle_for < IDLE_BEFORE_TEST {
                                return Ok(true);
                            }
                            Ok(connection.ping().await.is_ok())
                        })
                    })
                    .acquire_timeout(options.acquire_timeout)
                    .connect_lazy_with(connect),
            )
        } else {
            let connect = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // 16 MiB of page cache per connection (allocated only as used; SQLite's
                // default is 2 MiB, too small for the history's bulk imports and groupings), and
                // temporary B-trees in files: held in memory, a million-track import's sorts
                // and the caches of every connection together took 700 MB (BENCHMARKS.md,
                // "Hostile uploads"); in files they cost what the OS's cache can spare.
                .pragma("cache_size", "-16384")
                .pragma("temp_store", "file");
            Db::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(options.max_connections.max(2))
                    // A connection to a file in this process cannot die quietly the way a
                    // network one can: no health check before every use (it cost a round trip
                    // to the connection's thread per query).
                    .test_before_acquire(false)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_requires_tls_unless_the_url_chooses() {
        if std::env::var_os("PGSSLMODE").is_some() {
            return; // The environment chooses; nothing to decide here.
        }
        let url = "postgres://user:pw@db.example.com:5432/euterpe";
        let mode = |url: &str, require| postgres_options(url, require).unwrap().get_ssl_mode();
        assert!(matches!(mode(url, true), PgSslMode::Require));
        assert!(matches!(mode(url, false), PgSslMode::Prefer));
        let disabled = format!("{url}?sslmode=disable");
        assert!(matches!(mode(&disabled, true), PgSslMode::Disable));
        let verified = format!("{url}?sslmode=verify-full");
        assert!(matches!(mode(&verified, true), PgSslMode::VerifyFull));
    }
}
