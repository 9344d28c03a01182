//! Import jobs: one row per upload, with its progress and summary.

use crate::domain::UserId;
use uuid::Uuid;

pub use crate::domain::ImportCounts;

use super::{Result, Store, with_pool};

/// An import job as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ImportRow {
    pub id: Uuid,
    pub user_id: UserId,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub bytes_total: i64,
    pub bytes_done: i64,
    pub files_done: i64,
    pub plays_added: i64,
    pub duplicates: i64,
    pub short_skipped: i64,
    pub incognito_skipped: i64,
    pub no_track: i64,
    pub other_skipped: i64,
    /// Entries with an impossible time or duration (a device's broken clock), skipped.
    pub impossible_skipped: i64,
    /// JSON array of per-file reports (see `history::import::FileReport`).
    pub report: String,
    pub error: Option<String>,
}

impl ImportRow {
    /// Whether the job has ended (done or failed).
    pub fn finished(&self) -> bool {
        matches!(self.status.as_str(), "done" | "failed")
    }

    /// The counters the job has added up so far.
    pub fn counts(&self) -> ImportCounts {
        ImportCounts {
            plays_added: self.plays_added,
            duplicates: self.duplicates,
            short_skipped: self.short_skipped,
            incognito_skipped: self.incognito_skipped,
            no_track: self.no_track,
            other_skipped: self.other_skipped,
            impossible_skipped: self.impossible_skipped,
        }
    }
}

const IMPORT_COLUMNS: &str = "id, user_id, status, created_at, updated_at, bytes_total, \
     bytes_done, files_done, plays_added, duplicates, short_skipped, incognito_skipped, no_track, \
     other_skipped, impossible_skipped, report, error";

impl Store {
    /// Records a new import job, queued.
    pub async fn create_import(&self, user: UserId, bytes_total: i64, now: i64) -> Result<Uuid> {
        let id = Uuid::new_v4();
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO imports (id, user_id, status, created_at, updated_at, bytes_total, \
                 bytes_done, files_done, plays_added, duplicates, short_skipped, incognito_skipped, \
                 no_track, other_skipped, impossible_skipped, report, error) \
                 VALUES ($1, $2, 'queued', $3, $3, $4, 0, 0, 0, 0, 0, 0, 0, 0, 0, '[]', NULL)",
            )
            .bind(id)
            .bind(user)
            .bind(now)
            .bind(bytes_total)
            .execute(pool)
            .await?;
        });
        Ok(id)
    }

    /// One of the user's imports.
    pub async fn import(&self, user: UserId, id: Uuid) -> Result<Option<ImportRow>> {
        let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports WHERE id = $1 AND user_id = $2");
        with_pool!(self, pool => {
            sqlx::query_as::<_, ImportRow>(&sql).bind(id).bind(user).fetch_optional(pool).await
        })
    }

    /// The user's imports, newest first.
    pub async fn imports(&self, user: UserId) -> Result<Vec<ImportRow>> {
        let sql = format!(
            "SELECT {IMPORT_COLUMNS} FROM imports WHERE user_id = $1 ORDER BY created_at DESC, id"
        );
        with_pool!(self, pool => {
            sqlx::query_as::<_, ImportRow>(&sql).bind(user).fetch_all(pool).await
        })
    }

    /// Saves a job's progress: status, bytes read, files finished, counters and report.
    #[allow(clippy::too_many_arguments)]
    pub async fn update_import(
        &self,
        id: Uuid,
        status: &str,
        bytes_done: i64,
        files_done: i64,
        counts: &ImportCounts,
        report: &str,
        error: Option<&str>,
        now: i64,
    ) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query(
                "UPDATE imports SET status = $2, bytes_done = $3, files_done = $4, plays_added = $5, \
                 duplicates = $6, short_skipped = $7, incognito_skipped = $8, no_track = $9, \
                 other_skipped = $10, impossible_skipped = $11, report = $12, error = $13, \
                 updated_at = $14 WHERE id = $1",
            )
            .bind(id)
            .bind(status)
            .bind(bytes_done)
            .bind(files_done)
            .bind(counts.plays_added)
            .bind(counts.duplicates)
            .bind(counts.short_skipped)
            .bind(counts.incognito_skipped)
            .bind(counts.no_track)
            .bind(counts.other_skipped)
            .bind(counts.impossible_skipped)
            .bind(report)
            .bind(error)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// Marks one job failed with `error`, unless it has already ended.
    pub async fn fail_import(&self, id: Uuid, error: &str, now: i64) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query(
                "UPDATE imports SET status = 'failed', error = $2, updated_at = $3 \
                 WHERE id = $1 AND status IN ('queued', 'running')",
            )
            .bind(id)
            .bind(error)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// Marks jobs that a stopped process left unfinished as failed (their upload is gone).
    pub async fn fail_stale_imports(&self, older_than: i64, now: i64) -> Result<u64> {
        with_pool!(self, pool => {
            sqlx::query(
                "UPDATE imports SET status = 'failed', updated_at = $2, error = \
                 'Euterpe restarted before this import finished. The files it had finished are kept; \
                  upload the export again to import the rest (nothing is counted twice).' \
                 WHERE status IN ('queued', 'running') AND updated_at < $1",
            )
            .bind(older_than)
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })
    }
}
