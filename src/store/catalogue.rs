//! Open-data catalogue facts (genres, recordings, popularity), the enrichment queue and the
//! open services' shared state. Facts are shared by every user; see `migrations/*/0005`.

use super::{Result, Store, dialect, fresh_rows, placeholders, with_pool};

/// Genres of one Spotify artist as MusicBrainz lists them (or why there are none).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Deserialize)]
pub struct ArtistGenresRow {
    pub spotify_artist_id: String,
    /// `found`, `not_found`, `ambiguous` or `failed`.
    pub outcome: String,
    pub mbid: Option<String>,
    /// `spotify_url` or `name`.
    pub matched_by: Option<String>,
    /// JSON array of names.
    pub genres: String,
    pub fetched_at: i64,
    pub expires_at: i64,
}

/// The MusicBrainz recordings of one Spotify track.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Deserialize)]
pub struct TrackRecordingsRow {
    pub spotify_track_id: String,
    pub isrc: Option<String>,
    /// `isrc`, `names` or `none`.
    pub matched_by: String,
    /// JSON array of recording MBIDs.
    pub mbids: String,
    pub fetched_at: i64,
    pub expires_at: i64,
}

/// The popularity of one Spotify track from open data (or why there is none).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Deserialize)]
pub struct TrackPopularityRow {
    pub spotify_track_id: String,
    /// `found`, `not_found`, `unavailable` or `failed`.
    pub outcome: String,
    /// `listenbrainz` or `lastfm`.
    pub source: Option<String>,
    pub count: Option<i64>,
    pub popularity: Option<i32>,
    pub fetched_at: i64,
    pub expires_at: i64,
}

/// A fact to fetch, as a panel asks for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewJob {
    /// `genres` or `popularity`.
    pub kind: &'static str,
    /// The Spotify artist or track id.
    pub key: String,
    /// The first step.
    pub stage: &'static str,
    /// JSON: what the look-up needs.
    pub input: String,
    /// JSON: what is already known.
    pub state: String,
}

/// A queue row a worker has claimed.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct JobRow {
    pub kind: String,
    pub key: String,
    pub stage: String,
    pub input: String,
    pub state: String,
    pub attempts: i32,
}

/// One open service's shared state.
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct ServiceRow {
    pub service: String,
    pub next_slot_ms: i64,
    pub paused_until: i64,
    pub problem: Option<String>,
    pub problem_since: Option<i64>,
    pub failures: i32,
}

impl Store {
    /// Fresh genre facts of the artists among `ids`.
    pub async fn artist_genres(&self, ids: &[String], now: i64) -> Result<Vec<ArtistGenresRow>> {
        fresh_rows!(
            self,
            ArtistGenresRow,
            "spotify_artist_id, outcome, mbid, matched_by, genres, fetched_at, expires_at",
            "artist_genres WHERE expires_at > $1 AND spotify_artist_id",
            ids,
            now
        )
    }

    /// Stores (or replaces) a genre fact.
    pub async fn put_artist_genres(&self, row: &ArtistGenresRow) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO artist_genres \
                 (spotify_artist_id, outcome, mbid, matched_by, genres, fetched_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (spotify_artist_id) DO UPDATE SET outcome = excluded.outcome, \
                     mbid = excluded.mbid, matched_by = excluded.matched_by, \
                     genres = excluded.genres, fetched_at = excluded.fetched_at, \
                     expires_at = excluded.expires_at",
            )
            .bind(&row.spotify_artist_id)
            .bind(&row.outcome)
            .bind(&row.mbid)
            .bind(&row.matched_by)
            .bind(&row.genres)
            .bind(row.fetched_at)
            .bind(row.expires_at)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// Fresh recording facts of the tracks among `ids`.
    pub async fn track_recordings(
        &self,
        ids: &[String],
        now: i64,
    ) -> Result<Vec<TrackRecordingsRow>> {
        fresh_rows!(
            self,
            TrackRecordingsRow,
            "spotify_track_id, isrc, matched_by, mbids, fetched_at, expires_at",
            "track_recordings WHERE expires_at > $1 AND spotify_track_id",
            ids,
            now
        )
    }

    /// Stores (or replaces) a recording fact.
    pub async fn put_track_recordings(&self, row: &TrackRecordingsRow) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO track_recordings \
                 (spotify_track_id, isrc, matched_by, mbids, fetched_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (spotify_track_id) DO UPDATE SET isrc = excluded.isrc, \
                     matched_by = excluded.matched_by, mbids = excluded.mbids, \
                     fetched_at = excluded.fetched_at, expires_at = excluded.expires_at",
            )
            .bind(&row.spotify_track_id)
            .bind(&row.isrc)
            .bind(&row.matched_by)
            .bind(&row.mbids)
            .bind(row.fetched_at)
            .bind(row.expires_at)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// Fresh popularity facts of the tracks among `ids`.
    pub async fn track_popularity(
        &self,
        ids: &[String],
        now: i64,
    ) -> Result<Vec<TrackPopularityRow>> {
        fresh_rows!(
            self,
            TrackPopularityRow,
            "spotify_track_id, outcome, source, count, popularity, fetched_at, expires_at",
            "track_popularity WHERE expires_at > $1 AND spotify_track_id",
            ids,
            now
        )
    }

    /// Stores (or replaces) a popularity fact.
    pub async fn put_track_popularity(&self, row: &TrackPopularityRow) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO track_popularity \
                 (spotify_track_id, outcome, source, count, popularity, fetched_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (spotify_track_id) DO UPDATE SET outcome = excluded.outcome, \
                     source = excluded.source, count = excluded.count, \
                     popularity = excluded.popularity, fetched_at = excluded.fetched_at, \
                     expires_at = excluded.expires_at",
            )
            .bind(&row.spotify_track_id)
            .bind(&row.outcome)
            .bind(&row.source)
            .bind(row.count)
            .bind(row.popularity)
            .bind(row.fetched_at)
            .bind(row.expires_at)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// Queues facts to fetch; one already queued stays as it is. Returns how many were added.
    pub async fn enqueue_jobs(&self, jobs: &[NewJob], now: i64) -> Result<u64> {
        if jobs.is_empty() {
            return Ok(0);
        }
        // Always in key order: two panels queueing overlapping artists at once then wait for
        // each other's rows in the same order, which can't deadlock.
        let mut ordered: Vec<&NewJob> = jobs.iter().collect();
        ordered.sort_by(|a, b| (a.kind, &a.key).cmp(&(b.kind, &b.key)));
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut added = 0;
            for job in &ordered {
                added += sqlx::query(
                    "INSERT INTO enrichment_jobs \
                     (kind, key, stage, input, state, attempts, not_before, claimed_until, enqueued_at) \
                     VALUES ($1, $2, $3, $4, $5, 0, $6, 0, $6) \
                     ON CONFLICT (kind, key) DO NOTHING",
                )
                .bind(job.kind)
                .bind(&job.key)
                .bind(job.stage)
                .bind(&job.input)
                .bind(&job.state)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
            Ok(added)
        })
    }

    /// The queued stage of each of `keys` of a kind that is still queued: `(key, stage)`.
    pub async fn queued_stages(
        &self,
        kind: &str,
        keys: &[String],
    ) -> Result<Vec<(String, String)>> {
        let mut found = Vec::new();
        for chunk in keys.chunks(500) {
            let from = format!(
                "enrichment_jobs WHERE kind = $1 AND key IN ({})",
                placeholders(2, chunk.len())
            );
            let rows: Vec<(String, String)> =
                super::select_list!(self, (String, String), "key, stage", &from, |query| {
                    let mut query = query.bind(kind);
                    for key in chunk {
                        query = query.bind(key);
                    }
                    query
                })?;
            found.extend(rows);
        }
        Ok(found)
    }

    /// Claims up to `limit` due rows of `stage` until `lease_until`, oldest first. On Postgres
    /// rows another process is claiming at the same moment are skipped (`SKIP LOCKED`), so two
    /// processes never fetch the same fact; SQLite serialises writers anyway.
    pub async fn claim_jobs(
        &self,
        stage: &str,
        limit: i64,
        now: i64,
        lease_until: i64,
    ) -> Result<Vec<JobRow>> {
        let lock = dialect::skip_locked(self.backend(), "");
        let sql = format!(
            "UPDATE enrichment_jobs SET claimed_until = $1 \
             WHERE (kind, key) IN ( \
                 SELECT kind, key FROM enrichment_jobs \
                 WHERE stage = $2 AND not_before <= $3 AND claimed_until <= $3 \
                 ORDER BY enqueued_at, key LIMIT $4{lock}) \
             RETURNING kind, key, stage, input, state, attempts"
        );
        with_pool!(self, pool => {
            sqlx::query_as::<_, JobRow>(&sql)
                .bind(lease_until)
                .bind(stage)
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await
        })
    }

    /// Moves a claimed row on to its next stage (or back, after a failure, with `attempts`
    /// counted and `not_before` set) and releases the claim.
    pub async fn requeue_job(
        &self,
        kind: &str,
        key: &str,
        stage: &str,
        state: &str,
        attempts: i32,
        not_before: i64,
    ) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query(
                "UPDATE enrichment_jobs SET stage = $3, state = $4, attempts = $5, \
                     not_before = $6, claimed_until = 0 \
                 WHERE kind = $1 AND key = $2",
            )
            .bind(kind)
            .bind(key)
            .bind(stage)
            .bind(state)
            .bind(attempts)
            .bind(not_before)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// Removes a row whose fact is stored.
    pub async fn finish_job(&self, kind: &str, key: &str) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query("DELETE FROM enrichment_jobs WHERE kind = $1 AND key = $2")
                .bind(kind)
                .bind(key)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }

    /// Per stage, the rows due and unclaimed at `now`: `(stage, count, earliest not_before)`.
    pub async fn due_by_stage(&self, now: i64) -> Result<Vec<(String, i64, i64)>> {
        with_pool!(self, pool => {
            sqlx::query_as::<_, (String, i64, i64)>(
                "SELECT stage, COUNT(*), MIN(not_before) FROM enrichment_jobs \
                 WHERE not_before <= $1 AND claimed_until <= $1 GROUP BY stage",
            )
            .bind(now)
            .fetch_all(pool)
            .await
        })
    }

    /// How many rows are queued, and how many of them are due at `now`.
    pub async fn queue_size(&self, now: i64) -> Result<(i64, i64)> {
        with_pool!(self, pool => {
            sqlx::query_as::<_, (i64, i64)>(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN not_before <= $1 THEN 1 ELSE 0 END), 0) \
                 FROM enrichment_jobs",
            )
            .bind(now)
            .fetch_one(pool)
            .await
        })
    }

    /// Reserves the next request slot of a service whose requests must be `interval_ms` apart:
    /// returns the time (Unix milliseconds) the caller may send at. Shared through the database,
    /// so every process on it keeps one pace.
    pub async fn reserve_slot(&self, service: &str, now_ms: i64, interval_ms: i64) -> Result<i64> {
        let later = dialect::greatest(self.backend());
        let sql = format!(
            "INSERT INTO enrichment_services (service, next_slot_ms) VALUES ($1, $2 + $3) \
             ON CONFLICT (service) DO UPDATE SET \
                 next_slot_ms = {later}(enrichment_services.next_slot_ms, $2) + $3 \
             RETURNING next_slot_ms"
        );
        let next = with_pool!(self, pool => {
            sqlx::query_scalar::<_, i64>(&sql)
                .bind(service)
                .bind(now_ms)
                .bind(interval_ms)
                .fetch_one(pool)
                .await
        })?;
        Ok(next - interval_ms)
    }

    /// The shared state of the named services (those never used have no row).
    pub async fn services(&self, names: &[&str]) -> Result<Vec<ServiceRow>> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT service, next_slot_ms, paused_until, problem, problem_since, failures \
             FROM enrichment_services WHERE service IN ({})",
            placeholders(1, names.len())
        );
        with_pool!(self, pool => {
            let mut query = sqlx::query_as::<_, ServiceRow>(&sql);
            for name in names {
                query = query.bind(*name);
            }
            query.fetch_all(pool).await
        })
    }

    /// Records a problem with a service: no request before `paused_until`; `failures` counts
    /// consecutive ones (for the backoff).
    pub async fn service_failed(
        &self,
        service: &str,
        problem: &str,
        paused_until: i64,
        now: i64,
    ) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO enrichment_services \
                 (service, paused_until, problem, problem_since, failures) \
                 VALUES ($1, $2, $3, $4, 1) \
                 ON CONFLICT (service) DO UPDATE SET paused_until = excluded.paused_until, \
                     problem = excluded.problem, \
                     problem_since = COALESCE(enrichment_services.problem_since, excluded.problem_since), \
                     failures = enrichment_services.failures + 1",
            )
            .bind(service)
            .bind(paused_until)
            .bind(problem)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// Holds a service back until `paused_until` without calling it a problem (its own quota
    /// header said so).
    pub async fn pause_service(&self, service: &str, paused_until: i64) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO enrichment_services (service, paused_until) VALUES ($1, $2) \
                 ON CONFLICT (service) DO UPDATE SET paused_until = excluded.paused_until",
            )
            .bind(service)
            .bind(paused_until)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// Forgets a service's problem after a good answer (no write when there was none).
    pub async fn service_recovered(&self, service: &str) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query(
                "UPDATE enrichment_services SET problem = NULL, problem_since = NULL, failures = 0 \
                 WHERE service = $1 AND (problem IS NOT NULL OR failures > 0)",
            )
            .bind(service)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// Forgets refusals that only a configuration change ends (a missing or refused token or
    /// key), and the look-ups they settled as unavailable: called when a process starts, as
    /// the operator may just have set `LISTENBRAINZ_TOKEN` or `LASTFM_API_KEY`.
    pub async fn forget_refusals(&self) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query(
                "UPDATE enrichment_services \
                 SET problem = NULL, problem_since = NULL, failures = 0, paused_until = 0 \
                 WHERE problem IN ('needs_token', 'token_refused', 'key_refused')",
            )
            .execute(pool)
            .await?;
            sqlx::query("DELETE FROM track_popularity WHERE outcome = 'unavailable'")
                .execute(pool)
                .await
                .map(|_| ())
        })
    }

    /// Deletes facts that expired more than `grace` seconds before `now`.
    pub async fn purge_expired_open_data(&self, now: i64, grace: i64) -> Result<u64> {
        let mut purged = 0;
        for table in ["artist_genres", "track_recordings", "track_popularity"] {
            let sql = format!("DELETE FROM {table} WHERE expires_at < $1");
            purged += with_pool!(self, pool => {
                sqlx::query(&sql)
                    .bind(now - grace)
                    .execute(pool)
                    .await
                    .map(|done| done.rows_affected())
            })?;
        }
        Ok(purged)
    }
}
