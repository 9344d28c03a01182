//! The background queue that fetches open-data facts.
//!
//! Each queued fact moves through stages, and each stage needs one service:
//!
//! ```text
//! genres:      resolve ──(no link)──▶ search ──▶ genres              (MusicBrainz)
//!              (25 Spotify pages per request)      (first, monthly: the genre list, genres.rs)
//! popularity:  isrc ──(unknown ISRC)──▶ names ──▶ listens ─(no count)─▶ lastfm
//!              (MusicBrainz)           (ListenBrainz, listens in batches)  (Last.fm, with a key)
//! ```
//!
//! One lane per service works its stages in turn. Before every request it takes the service's
//! next slot from the database (`enrichment_services.next_slot_ms`), so every process sharing
//! the database keeps one pace: MusicBrainz one request per 1.1 s by default. Rows are claimed
//! with a lease (`FOR UPDATE SKIP LOCKED` on Postgres), so two processes never fetch the same
//! fact. A 429, 5xx or timeout pauses the service for its `Retry-After` (or an exponential
//! backoff) in every process; a refused token or key settles the work at once (another source,
//! or "unavailable") so panels don't wait for what can't come. A fact, found or not, is stored
//! for 30 days and the row deleted.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;

use super::coverage::{Problem, Service};
use super::http::OpenError;
use super::listenbrainz::{POPULARITY_BATCH, Quota};
use super::musicbrainz::{NameMatch, URL_BATCH};
use super::{Enrichment, FACT_TTL, to_json};
use crate::shutdown::Shutdown;
use crate::stats::{PopularitySource, log_scaled_popularity};
use crate::store::{self, ArtistGenresRow, JobRow, TrackPopularityRow, TrackRecordingsRow};

mod lookups;

/// How long a claimed row is a worker's before others may take it (a dead worker's rows
/// come back after this).
const LEASE_SECS: i64 = 120;
/// After this many failed tries a fact is given up for [`FAILED_TTL_SECS`].
const MAX_ATTEMPTS: i32 = 8;
/// How long a given-up fact (repeated errors, an unusable answer) is kept.
const FAILED_TTL_SECS: i64 = 24 * 3600;
/// How long a refused look-up (no token, refused key) is kept, and how long the service is
/// left alone after refusing.
const REFUSED_SECS: i64 = 3600;
/// The first backoff after a failure without `Retry-After`; it doubles up to [`MAX_BACKOFF_SECS`].
const FIRST_BACKOFF_SECS: i64 = 5;
const MAX_BACKOFF_SECS: i64 = 600;
/// How long a lane with nothing to do waits before looking again (new work wakes it sooner).
const IDLE_POLL: Duration = Duration::from_secs(1);
/// How long a lane waits after the database failed.
const DATABASE_RETRY: Duration = Duration::from_secs(5);
/// Tracks ready for their listen counts wait up to this long for more to share a request,
/// while MusicBrainz is still finding recordings for others.
const GATHER_SECS: i64 = 20;
/// How often expired facts are deleted.
const PURGE_INTERVAL: Duration = Duration::from_secs(6 * 3600);

/// One step of a fact's way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Find the MusicBrainz artist linked to the Spotify artist's page.
    Resolve,
    /// Find the MusicBrainz artist by name (no link).
    Search,
    /// Read the MusicBrainz artist's genres.
    Genres,
    /// Find the track's recordings by ISRC on MusicBrainz.
    Isrc,
    /// Find the track's recording by names on ListenBrainz.
    Names,
    /// Read the recordings' listen counts on ListenBrainz.
    Listens,
    /// Read the track's listener count on Last.fm.
    LastFm,
}

impl Stage {
    const ALL: [Stage; 7] = [
        Self::Resolve,
        Self::Search,
        Self::Genres,
        Self::Isrc,
        Self::Names,
        Self::Listens,
        Self::LastFm,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Resolve => "resolve",
            Self::Search => "search",
            Self::Genres => "genres",
            Self::Isrc => "isrc",
            Self::Names => "names",
            Self::Listens => "listens",
            Self::LastFm => "lastfm",
        }
    }

    pub(crate) fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// The service this stage asks.
    pub(crate) fn service(self) -> Service {
        match self {
            Self::Resolve | Self::Search | Self::Genres | Self::Isrc => Service::MusicBrainz,
            Self::Names | Self::Listens => Service::ListenBrainz,
            Self::LastFm => Service::LastFm,
        }
    }

    /// How many rows one request serves.
    fn batch(self) -> i64 {
        match self {
            Self::Resolve => URL_BATCH as i64,
            Self::Listens => POPULARITY_BATCH as i64,
            _ => 1,
        }
    }
}

/// A lane's stages, in the order it takes turns among them.
fn stages_of(service: Service) -> &'static [Stage] {
    match service {
        Service::MusicBrainz => &[Stage::Resolve, Stage::Genres, Stage::Isrc, Stage::Search],
        Service::ListenBrainz => &[Stage::Listens, Stage::Names],
        Service::LastFm => &[Stage::LastFm],
    }
}

/// What a genres look-up needs.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct ArtistInput {
    pub name: String,
}

/// What a genres look-up found so far.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct ArtistState {
    pub mbid: Option<String>,
    /// `spotify_url` or `name`.
    pub matched_by: Option<String>,
}

/// What a popularity look-up needs.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct TrackInput {
    pub isrc: Option<String>,
    pub name: String,
    /// The first credited artist's name.
    pub artist: Option<String>,
}

/// What a popularity look-up found so far.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct TrackState {
    pub mbids: Vec<String>,
}

fn parse<T: for<'de> Deserialize<'de> + Default>(json: &str) -> T {
    serde_json::from_str(json).unwrap_or_default()
}

enum Step {
    Worked,
    Idle,
    /// The service is held back until then (Unix seconds).
    Paused(i64),
}

/// Runs the queue until `shutdown` fires: one lane per service, and a daily clean-up of
/// expired facts. Does nothing when enrichment is off.
pub async fn run(enrichment: Arc<Enrichment>, shutdown: Shutdown) {
    if !enrichment.enabled() {
        return;
    }
    let mut lanes = JoinSet::new();
    for service in Service::ALL {
        lanes.spawn(lane(enrichment.clone(), service, shutdown.clone()));
    }
    lanes.spawn(purge(enrichment.clone(), shutdown.clone()));
    while let Some(result) = lanes.join_next().await {
        if let Err(err) = result {
            tracing::error!(error = %err, "an enrichment lane failed");
        }
    }
}

/// Works one service's stages; stops between requests when `shutdown` fires.
async fn lane(enrichment: Arc<Enrichment>, service: Service, shutdown: Shutdown) {
    let mut turn = 0;
    loop {
        if shutdown.is_triggered() {
            return;
        }
        let notified = enrichment.wake.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let wait = match enrichment.step(service, &mut turn).await {
            Ok(Step::Worked) => continue,
            Ok(Step::Idle) => IDLE_POLL,
            Ok(Step::Paused(until)) => {
                let left = (until - enrichment.clock.unix()).max(0) as u64;
                Duration::from_secs(left).clamp(Duration::from_millis(100), IDLE_POLL)
            }
            Err(err) => {
                tracing::warn!(error = %err, service = service.label(), "enrichment queue: database error");
                DATABASE_RETRY
            }
        };
        tokio::select! {
            _ = &mut notified => {}
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.clone().wait() => return,
        }
    }
}

/// Deletes facts a month past their expiry, now and then.
async fn purge(enrichment: Arc<Enrichment>, shutdown: Shutdown) {
    let mut interval = tokio::time::interval(PURGE_INTERVAL);
    loop {
        tokio::select! {
            _ = interval.tick() => {
                let now = enrichment.clock.unix();
                let grace = FACT_TTL.as_secs() as i64;
                if let Err(err) = enrichment.store.purge_expired_open_data(now, grace).await {
                    tracing::warn!(error = %err, "could not delete expired open-data facts");
                }
            }
            _ = shutdown.clone().wait() => return,
        }
    }
}

fn backoff(failures: i32) -> i64 {
    let doublings = (failures.max(1) - 1).min(16) as u32;
    (FIRST_BACKOFF_SECS << doublings).min(MAX_BACKOFF_SECS)
}

impl Enrichment {
    /// One unit of work for a service: a request (with the rows it serves), or nothing.
    async fn step(&self, service: Service, turn: &mut usize) -> store::Result<Step> {
        let now = self.clock.unix();
        let state = self
            .store
            .services(&[service.as_str()])
            .await?
            .into_iter()
            .next()
            .unwrap_or_default();
        if state.paused_until > now {
            let refused = state
                .problem
                .as_deref()
                .and_then(Problem::parse)
                .is_some_and(Problem::needs_operator);
            if refused && self.settle_refused_work(service, now).await? {
                return Ok(Step::Worked);
            }
            return Ok(Step::Paused(state.paused_until));
        }
        if service == Service::MusicBrainz && self.genre_list_step(now).await? {
            return Ok(Step::Worked);
        }
        let stages = stages_of(service);
        for offset in 0..stages.len() {
            let stage = stages[(*turn + offset) % stages.len()];
            if stage == Stage::Listens && !self.listens_ready(now).await? {
                continue;
            }
            let jobs = self
                .store
                .claim_jobs(stage.as_str(), stage.batch(), now, now + LEASE_SECS)
                .await?;
            if jobs.is_empty() {
                continue;
            }
            *turn = (*turn + offset + 1) % stages.len();
            self.process(stage, jobs).await?;
            return Ok(Step::Worked);
        }
        Ok(Step::Idle)
    }

    /// Whether tracks waiting for listen counts should be asked about now: a full batch, or
    /// nothing more coming from MusicBrainz soon, or the oldest has waited long enough.
    async fn listens_ready(&self, now: i64) -> store::Result<bool> {
        let due = self.store.due_by_stage(now).await?;
        let count = |stage: Stage| {
            due.iter()
                .find(|(s, ..)| s == stage.as_str())
                .map_or((0, now), |(_, count, oldest)| (*count, *oldest))
        };
        let (ready, oldest) = count(Stage::Listens);
        let (upstream, _) = count(Stage::Isrc);
        Ok(ready > 0
            && (ready >= Stage::Listens.batch() || upstream == 0 || now - oldest >= GATHER_SECS))
    }

    async fn process(&self, stage: Stage, jobs: Vec<JobRow>) -> store::Result<()> {
        match stage {
            Stage::Resolve => self.resolve(jobs).await,
            Stage::Listens => self.listens(jobs).await,
            _ => {
                for job in jobs {
                    match stage {
                        Stage::Search => self.search(job).await?,
                        Stage::Genres => self.artist_genres(job).await?,
                        Stage::Isrc => self.isrc(job).await?,
                        Stage::Names => self.names(job).await?,
                        _ => self.lastfm_listeners(job).await?,
                    }
                }
                Ok(())
            }
        }
    }

    /// Least time between two requests to a service.
    fn interval(&self, service: Service) -> Duration {
        match service {
            Service::MusicBrainz => self.config.musicbrainz_interval,
            Service::ListenBrainz => self.config.listenbrainz_interval,
            Service::LastFm => self.config.lastfm_interval,
        }
    }

    /// Waits for the service's next free slot, shared by every process on the database.
    async fn pace(&self, service: Service) -> store::Result<()> {
        let interval = self.interval(service).as_millis() as i64;
        if interval == 0 {
            return Ok(());
        }
        let now_ms = (self.clock.now().unix_timestamp_nanos() / 1_000_000) as i64;
        let slot = self
            .store
            .reserve_slot(service.as_str(), now_ms, interval)
            .await?;
        if slot > now_ms {
            tokio::time::sleep(Duration::from_millis((slot - now_ms) as u64)).await;
        }
        Ok(())
    }

    /// Sends one request at the service's pace; a good answer ends a service problem.
    pub(super) async fn call<T>(
        &self,
        service: Service,
        request: impl Future<Output = Result<T, OpenError>>,
    ) -> store::Result<Result<T, OpenError>> {
        self.pace(service).await?;
        let result = request.await;
        if result.is_ok() {
            self.store.service_recovered(service.as_str()).await?;
        }
        Ok(result)
    }

    /// Follows ListenBrainz's quota headers: when the window is used up, nobody asks it again
    /// until it resets.
    async fn honour(&self, quota: Quota) -> store::Result<()> {
        if let Some(wait) = quota.exhausted_for() {
            let until = self.clock.unix() + wait.as_secs().max(1) as i64;
            self.store
                .pause_service(Service::ListenBrainz.as_str(), until)
                .await?;
        }
        Ok(())
    }

    async fn requeue(&self, job: &JobRow, stage: Stage, state: String) -> store::Result<()> {
        self.store
            .requeue_job(
                &job.kind,
                &job.key,
                stage.as_str(),
                &state,
                job.attempts,
                self.clock.unix(),
            )
            .await
    }

    async fn finish_genres(
        &self,
        job: &JobRow,
        outcome: &str,
        found: Option<(&ArtistState, Vec<String>)>,
        ttl_secs: i64,
    ) -> store::Result<()> {
        let now = self.clock.unix();
        let (mbid, matched_by, genres) = match found {
            Some((state, genres)) => (state.mbid.clone(), state.matched_by.clone(), genres),
            None => (None, None, Vec::new()),
        };
        self.store
            .put_artist_genres(&ArtistGenresRow {
                spotify_artist_id: job.key.clone(),
                outcome: outcome.to_owned(),
                mbid,
                matched_by,
                genres: to_json(&genres),
                fetched_at: now,
                expires_at: now + ttl_secs,
            })
            .await?;
        self.store.finish_job(&job.kind, &job.key).await
    }

    async fn finish_popularity(
        &self,
        job: &JobRow,
        outcome: &str,
        found: Option<(PopularitySource, u64)>,
        ttl_secs: i64,
    ) -> store::Result<()> {
        let now = self.clock.unix();
        let (source, count, popularity) = match found {
            Some((source, count)) => {
                let ceiling = source.ceiling().unwrap_or(100);
                let name = match source {
                    PopularitySource::LastFm => "lastfm",
                    _ => "listenbrainz",
                };
                (
                    Some(name.to_owned()),
                    Some(count.min(i64::MAX as u64) as i64),
                    Some(i32::from(log_scaled_popularity(count, ceiling))),
                )
            }
            None => (None, None, None),
        };
        self.store
            .put_track_popularity(&TrackPopularityRow {
                spotify_track_id: job.key.clone(),
                outcome: outcome.to_owned(),
                source,
                count,
                popularity,
                fetched_at: now,
                expires_at: now + ttl_secs,
            })
            .await?;
        self.store.finish_job(&job.kind, &job.key).await
    }

    /// Gives up on a row for a while.
    async fn give_up(&self, job: &JobRow) -> store::Result<()> {
        if job.kind == "genres" {
            self.finish_genres(job, "failed", None, FAILED_TTL_SECS)
                .await
        } else {
            self.finish_popularity(job, "failed", None, FAILED_TTL_SECS)
                .await
        }
    }

    /// No recording was found, or no count: Last.fm is next when configured.
    async fn next_source_or_not_found(&self, job: &JobRow) -> store::Result<()> {
        if self.lastfm.is_some() {
            self.requeue(job, Stage::LastFm, job.state.clone()).await
        } else {
            let ttl = FACT_TTL.as_secs() as i64;
            self.finish_popularity(job, "not_found", None, ttl).await
        }
    }

    /// A request failed: hold the service back and the rows with it, or settle them.
    pub(super) async fn failed(
        &self,
        service: Service,
        err: OpenError,
        jobs: &[JobRow],
    ) -> store::Result<()> {
        let now = self.clock.unix();
        let (problem, retry_after) = match err {
            OpenError::Unauthorized | OpenError::KeyRefused => {
                let problem = match service {
                    Service::ListenBrainz if self.listenbrainz.has_token() => Problem::TokenRefused,
                    Service::ListenBrainz => Problem::NeedsToken,
                    _ => Problem::KeyRefused,
                };
                tracing::warn!(
                    service = service.label(),
                    problem = problem.as_str(),
                    "an open service refuses Euterpe until its configuration changes"
                );
                self.store
                    .service_failed(service.as_str(), problem.as_str(), now + REFUSED_SECS, now)
                    .await?;
                for job in jobs {
                    self.settle_refused(service, job).await?;
                }
                return Ok(());
            }
            OpenError::BadResponse(message) => {
                tracing::warn!(
                    service = service.label(),
                    %message,
                    "an open service gave an answer Euterpe can't use; leaving it for a day"
                );
                for job in jobs {
                    self.give_up(job).await?;
                }
                return Ok(());
            }
            OpenError::RateLimited(retry_after) => (Problem::RateLimited, retry_after),
            OpenError::Unavailable(retry_after) => (Problem::Unavailable, retry_after),
            OpenError::Slow => (Problem::Slow, None),
        };
        let failures = self
            .store
            .services(&[service.as_str()])
            .await?
            .first()
            .map_or(0, |row| row.failures)
            + 1;
        let wait = retry_after.map_or_else(|| backoff(failures), |d| d.as_secs().max(1) as i64);
        tracing::info!(
            service = service.label(),
            problem = problem.as_str(),
            wait_secs = wait,
            "an open service is holding back; pausing it"
        );
        self.store
            .service_failed(service.as_str(), problem.as_str(), now + wait, now)
            .await?;
        for job in jobs {
            let attempts = job.attempts + 1;
            if attempts >= MAX_ATTEMPTS {
                self.give_up(job).await?;
            } else {
                self.store
                    .requeue_job(
                        &job.kind,
                        &job.key,
                        &job.stage,
                        &job.state,
                        attempts,
                        now + wait,
                    )
                    .await?;
            }
        }
        Ok(())
    }

    /// A row the service refuses to serve: Last.fm takes it over when configured, else its
    /// popularity is "unavailable" for an hour (the panels say why).
    async fn settle_refused(&self, service: Service, job: &JobRow) -> store::Result<()> {
        if job.kind == "genres" {
            return self.finish_genres(job, "failed", None, REFUSED_SECS).await;
        }
        if service == Service::ListenBrainz && self.lastfm.is_some() {
            return self.requeue(job, Stage::LastFm, job.state.clone()).await;
        }
        self.finish_popularity(job, "unavailable", None, REFUSED_SECS)
            .await
    }

    /// Settles the due rows of a service that refuses Euterpe; whether there were any.
    async fn settle_refused_work(&self, service: Service, now: i64) -> store::Result<bool> {
        let mut any = false;
        for stage in stages_of(service) {
            let jobs = self
                .store
                .claim_jobs(stage.as_str(), 100, now, now + LEASE_SECS)
                .await?;
            for job in &jobs {
                self.settle_refused(service, job).await?;
            }
            any |= !jobs.is_empty();
        }
        Ok(any)
    }
}

#[cfg(test)]
mod tests;
