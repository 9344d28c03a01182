//! Genres and popularity from open music data, for the apps Spotify stopped sending them to
//! (development mode, since 2026).
//!
//! - Genres: the MusicBrainz artist linked to the Spotify artist's page (found by name only when
//!   exactly one artist has it), then its genres (or, without any, those of its tags that
//!   MusicBrainz lists as genres: `genres.rs`).
//! - Popularity: the track's MusicBrainz recordings (by ISRC; else ListenBrainz's look-up by
//!   artist and track name), then their total ListenBrainz listens, log-scaled to 0–100. When
//!   ListenBrainz has no count (or refuses Euterpe) and the operator set `LASTFM_API_KEY`,
//!   Last.fm's listener count instead. ListenBrainz comes first because it is open data and
//!   identifies a recording exactly; each value is labelled with its source.
//! - With an extended-quota app Spotify's own values win and nothing is looked up.
//!
//! Panels never call these services. They read what is known ([`Enrichment::popularity`],
//! [`Enrichment::genres`]), which also queues what is missing; the background queue
//! (`queue.rs`, run by [`crate::worker`]) fetches it, one service at its own pace, and stores
//! the facts — negative ones too — for 30 days, shared by every user and process.

mod coverage;
pub mod genres;
pub mod http;
pub mod lastfm;
pub mod listenbrainz;
mod memory;
pub mod musicbrainz;
mod queue;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Duration;

use tokio::sync::Notify;

pub use coverage::{Coverage, GenresView, Notice, Origin, PopularityView, Problem, Service};
pub use queue::run;
use queue::{ArtistInput, ArtistState, Stage, TrackInput, TrackState};

use crate::clock::Clock;
use crate::config::EnrichmentConfig;
use crate::domain::{Artist, Track};
use crate::stats::PopularitySource;
use crate::store::{self, ArtistGenresRow, NewJob, Store, TrackPopularityRow, TrackRecordingsRow};
use lastfm::LastFm;
use listenbrainz::ListenBrainz;
use musicbrainz::MusicBrainz;

/// How long a fact (found or not) is kept before it is looked up again.
pub const FACT_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

/// The open-data side of Euterpe: what panels read, and what the queue works with.
pub struct Enrichment {
    config: EnrichmentConfig,
    store: Store,
    clock: Clock,
    musicbrainz: MusicBrainz,
    listenbrainz: ListenBrainz,
    lastfm: Option<LastFm>,
    /// Wakes the queue when a panel adds work.
    wake: Notify,
    /// Facts read a moment ago (see `memory`).
    popularity_facts: memory::Facts<TrackPopularityRow>,
    genre_facts: memory::Facts<ArtistGenresRow>,
}

/// A Spotify artist as the look-ups need it: id and name.
pub type ArtistKey = (String, String);

/// The distinct credited artists of some tracks, in order of first credit.
pub fn artists_of<'a>(tracks: impl IntoIterator<Item = &'a Track>) -> Vec<ArtistKey> {
    let mut seen = HashSet::new();
    tracks
        .into_iter()
        .flat_map(|track| &track.artists)
        .filter(|artist| !artist.id.is_empty() && seen.insert(artist.id.clone()))
        .map(|artist| (artist.id.clone(), artist.name.clone()))
        .collect()
}

/// The artists of stored plays with a Spotify id (the first credited artist carries the name
/// the history knows), each once.
pub fn artists_of_plays(plays: &[crate::store::WindowPlays]) -> Vec<ArtistKey> {
    let mut seen = HashSet::new();
    plays
        .iter()
        .flat_map(|play| {
            play.artist_ids
                .as_deref()
                .unwrap_or_default()
                .split(',')
                .enumerate()
                .map(move |(index, id)| {
                    let name = if index == 0 {
                        play.artist_name.as_str()
                    } else {
                        ""
                    };
                    (id.trim(), name)
                })
        })
        .filter(|(id, _)| !id.is_empty() && seen.insert(id.to_string()))
        .map(|(id, name)| (id.to_owned(), name.to_owned()))
        .collect()
}

/// Spotify artists as the look-ups need them.
pub fn keys_of(artists: &[Artist]) -> Vec<ArtistKey> {
    artists
        .iter()
        .map(|artist| (artist.id.clone(), artist.name.clone()))
        .collect()
}

/// The genres Spotify sent with these artists (extended quota), or `None` (development mode).
pub fn sent_genres(artists: &[Artist]) -> Option<HashMap<String, Vec<String>>> {
    crate::stats::any_genres_known(artists).then(|| {
        artists
            .iter()
            .filter_map(|artist| Some((artist.id.clone(), artist.genres.clone()?)))
            .collect()
    })
}

/// What [`Enrichment::queue_missing`] found: keys still queued, the services they wait on,
/// and keys whose job finished between the two reads.
#[derive(Default)]
struct Queued {
    pending: HashSet<String>,
    waiting_on: BTreeSet<Service>,
    finished: Vec<String>,
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain structs serialise")
}

impl Enrichment {
    /// The clients and the queue's handle, from the configuration.
    pub fn new(config: EnrichmentConfig, store: Store, clock: Clock) -> Self {
        let http = http::client(&config.user_agent(), config.timeout);
        let musicbrainz = MusicBrainz::new(http.clone(), config.musicbrainz_url.clone());
        let listenbrainz = ListenBrainz::new(
            http.clone(),
            config.listenbrainz_url.clone(),
            config.listenbrainz_token.clone(),
        );
        let lastfm = config
            .lastfm_api_key
            .clone()
            .map(|key| LastFm::new(http, config.lastfm_url.clone(), key));
        Self {
            config,
            store,
            clock,
            musicbrainz,
            listenbrainz,
            lastfm,
            wake: Notify::new(),
            popularity_facts: Default::default(),
            genre_facts: Default::default(),
        }
    }

    /// Whether open-data look-ups are on (`ENRICHMENT` is not `0`).
    pub fn enabled(&self) -> bool {
        self.config.enabled
    }

    /// Forgets the refusals only a configuration change ends (a missing or refused token or
    /// key): the operator may just have set one. Awaited when a process starts, before it
    /// serves a page or works the queue, so no page reads a refusal that no longer holds.
    pub async fn forget_refusals(&self) {
        if !self.enabled() {
            return;
        }
        if let Err(err) = self.store.forget_refusals().await {
            tracing::warn!(error = %err, "could not reset the open services' refusals");
        }
    }

    /// The configuration in use (demo mode points it at the built-in fakes).
    pub fn config(&self) -> &EnrichmentConfig {
        &self.config
    }

    /// Whether Last.fm is asked (the operator set a key).
    pub fn uses_lastfm(&self) -> bool {
        self.lastfm.is_some()
    }

    /// Tells the queue there is new work.
    fn wake(&self) {
        self.wake.notify_waiters();
    }

    /// Popularity for these tracks: Spotify's own when it sent any (then nothing is looked up),
    /// else what open data knows now; what it doesn't know yet is queued. Never fails: a
    /// database problem shows as such in the coverage.
    pub async fn popularity(&self, tracks: &[Track]) -> PopularityView {
        if tracks.is_empty() || crate::stats::any_popularity_known(tracks) {
            return PopularityView::from_spotify(tracks);
        }
        let wanted = distinct_tracks(tracks);
        if !self.enabled() {
            return PopularityView::empty(Coverage::settled(Origin::Off, wanted.len(), 0));
        }
        match self.read_popularity(&wanted).await {
            Ok(view) => view,
            Err(err) => {
                tracing::error!(error = %err, "could not read open-data popularity");
                PopularityView::empty(Coverage::unreadable(wanted.len()))
            }
        }
    }

    /// Genres for these artists: Spotify's (`spotify`, when it sends genres) win and nothing is
    /// looked up; else what MusicBrainz is known to say, with the rest queued.
    pub async fn genres(
        &self,
        spotify: Option<HashMap<String, Vec<String>>>,
        artists: &[ArtistKey],
    ) -> GenresView {
        let mut seen = HashSet::new();
        let wanted: Vec<&ArtistKey> = artists
            .iter()
            .filter(|(id, _)| !id.is_empty() && seen.insert(id.as_str()))
            .collect();
        if let Some(values) = spotify {
            return GenresView::from_spotify(values, wanted.len());
        }
        if wanted.is_empty() {
            return GenresView::empty(Coverage::settled(Origin::Open, 0, 0));
        }
        if !self.enabled() {
            return GenresView::empty(Coverage::settled(Origin::Off, wanted.len(), 0));
        }
        match self.read_genres(&wanted).await {
            Ok(view) => view,
            Err(err) => {
                tracing::error!(error = %err, "could not read open-data genres");
                GenresView::empty(Coverage::unreadable(wanted.len()))
            }
        }
    }

    /// Queues a job for each key not yet known and says which keys are still queued (and on
    /// which services they wait), and which finished meanwhile: their facts are stored now and
    /// must be read again. Reads first and writes only jobs not queued yet, so that a panel
    /// shown again while the queue works writes nothing.
    async fn queue_missing(
        &self,
        kind: &str,
        jobs: &[NewJob],
        missing: Vec<String>,
        now: i64,
    ) -> store::Result<Queued> {
        let mut stages: HashMap<String, String> = self
            .store
            .queued_stages(kind, &missing)
            .await?
            .into_iter()
            .collect();
        let mut new: Vec<NewJob> = jobs
            .iter()
            .filter(|job| !stages.contains_key(&job.key))
            .cloned()
            .collect();
        if !new.is_empty() {
            // A job may have finished between the read of the facts and that of the queue: a
            // worker stores the fact before it removes the row, so a key found in neither is
            // looked for once more before it is queued, not asked about again.
            let keys: Vec<String> = new.iter().map(|job| job.key.clone()).collect();
            let known = self.known_now(kind, &keys, now).await?;
            new.retain(|job| !known.contains(&job.key));
        }
        if !new.is_empty() {
            if self.store.enqueue_jobs(&new, now).await? > 0 {
                self.wake();
            }
            let keys: Vec<String> = new.iter().map(|job| job.key.clone()).collect();
            stages.extend(self.store.queued_stages(kind, &keys).await?);
        }
        let mut queued = Queued::default();
        for (key, stage) in stages {
            if let Some(stage) = Stage::parse(&stage) {
                queued.waiting_on.insert(stage.service());
            }
            queued.pending.insert(key);
        }
        queued.finished = missing
            .into_iter()
            .filter(|key| !queued.pending.contains(key))
            .collect();
        Ok(queued)
    }

    /// Which of `keys` of a kind have a fresh fact at `now`.
    async fn known_now(
        &self,
        kind: &str,
        keys: &[String],
        now: i64,
    ) -> store::Result<HashSet<String>> {
        Ok(match kind {
            "popularity" => self
                .store
                .track_popularity(keys, now)
                .await?
                .into_iter()
                .map(|fact| fact.spotify_track_id)
                .collect(),
            "genres" => self
                .store
                .artist_genres(keys, now)
                .await?
                .into_iter()
                .map(|fact| fact.spotify_artist_id)
                .collect(),
            _ => HashSet::new(),
        })
    }

    async fn read_popularity(&self, wanted: &[&Track]) -> store::Result<PopularityView> {
        let now = self.clock.unix();
        let ids: Vec<String> = wanted.iter().map(|t| t.id.clone()).collect();
        let (mut facts, unread) = self.popularity_facts.split(&ids, now);
        if !unread.is_empty() {
            let read = self.store.track_popularity(&unread, now).await?;
            self.popularity_facts.remember(&read);
            facts.extend(read);
        }
        let settled: HashSet<String> = facts.iter().map(|f| f.spotify_track_id.clone()).collect();
        let missing: Vec<&Track> = wanted
            .iter()
            .copied()
            .filter(|t| !settled.contains(&t.id))
            .collect();
        let mut queued = Queued::default();
        if !missing.is_empty() {
            let missing_ids: Vec<String> = missing.iter().map(|t| t.id.clone()).collect();
            let recordings: HashMap<String, TrackRecordingsRow> = self
                .store
                .track_recordings(&missing_ids, now)
                .await?
                .into_iter()
                .map(|row| (row.spotify_track_id.clone(), row))
                .collect();
            let jobs: Vec<NewJob> = missing
                .iter()
                .map(|t| self.popularity_job(t, recordings.get(&t.id)))
                .collect();
            queued = self
                .queue_missing("popularity", &jobs, missing_ids, now)
                .await?;
            if !queued.finished.is_empty() {
                facts.extend(self.store.track_popularity(&queued.finished, now).await?);
            }
        }
        let mut values = HashMap::new();
        let (mut not_found, mut refused) = (0, 0);
        for fact in facts {
            let source = match fact.source.as_deref() {
                Some("lastfm") => PopularitySource::LastFm,
                _ => PopularitySource::ListenBrainz,
            };
            match (fact.outcome.as_str(), fact.popularity) {
                ("found", Some(popularity)) => {
                    values.insert(
                        fact.spotify_track_id,
                        (popularity.clamp(0, 100) as u8, source),
                    );
                }
                ("unavailable", _) => refused += 1,
                _ => not_found += 1,
            }
        }
        let mut relevant = queued.waiting_on.clone();
        if refused > 0 {
            relevant.insert(Service::ListenBrainz);
            if self.uses_lastfm() {
                relevant.insert(Service::LastFm);
            }
        }
        let notices = self.notices(&relevant).await?;
        Ok(PopularityView {
            coverage: Coverage {
                origin: Origin::Open,
                wanted: wanted.len(),
                known: values.len(),
                pending: queued.pending.len(),
                not_found,
                refused,
                waiting_on: queued.waiting_on.into_iter().collect(),
                notices,
                database_error: false,
            },
            values,
            pending: queued.pending,
        })
    }

    fn popularity_job(&self, track: &Track, recordings: Option<&TrackRecordingsRow>) -> NewJob {
        let isrc = track
            .external_ids
            .isrc
            .as_deref()
            .map(|isrc| isrc.trim().to_ascii_uppercase())
            .filter(|isrc| isrc.len() == 12 && isrc.bytes().all(|b| b.is_ascii_alphanumeric()));
        let input = TrackInput {
            isrc,
            name: track.name.clone(),
            artist: track.artists.first().map(|a| a.name.clone()),
        };
        let (stage, state) = match recordings {
            // The recordings are known (a fact outlives a failed popularity look-up).
            Some(row) if row.matched_by != "none" => (
                Stage::Listens,
                TrackState {
                    mbids: serde_json::from_str(&row.mbids).unwrap_or_default(),
                },
            ),
            Some(_) if self.uses_lastfm() => (Stage::LastFm, TrackState::default()),
            Some(_) => (Stage::Names, TrackState::default()),
            None if input.isrc.is_some() => (Stage::Isrc, TrackState::default()),
            None => (Stage::Names, TrackState::default()),
        };
        NewJob {
            kind: "popularity",
            key: track.id.clone(),
            stage: stage.as_str(),
            input: to_json(&input),
            state: to_json(&state),
        }
    }

    async fn read_genres(&self, wanted: &[&ArtistKey]) -> store::Result<GenresView> {
        let now = self.clock.unix();
        let ids: Vec<String> = wanted.iter().map(|(id, _)| id.clone()).collect();
        let (mut facts, unread) = self.genre_facts.split(&ids, now);
        if !unread.is_empty() {
            let read = self.store.artist_genres(&unread, now).await?;
            self.genre_facts.remember(&read);
            facts.extend(read);
        }
        let settled: HashSet<String> = facts.iter().map(|f| f.spotify_artist_id.clone()).collect();
        let missing: Vec<&ArtistKey> = wanted
            .iter()
            .copied()
            .filter(|(id, _)| !settled.contains(id))
            .collect();
        let mut queued = Queued::default();
        if !missing.is_empty() {
            let missing_ids: Vec<String> = missing.iter().map(|(id, _)| id.clone()).collect();
            let jobs: Vec<NewJob> = missing
                .iter()
                .map(|(id, name)| NewJob {
                    kind: "genres",
                    key: id.clone(),
                    stage: Stage::Resolve.as_str(),
                    input: to_json(&ArtistInput { name: name.clone() }),
                    state: to_json(&ArtistState::default()),
                })
                .collect();
            queued = self
                .queue_missing("genres", &jobs, missing_ids, now)
                .await?;
            if !queued.finished.is_empty() {
                facts.extend(self.store.artist_genres(&queued.finished, now).await?);
            }
        }
        let mut values = HashMap::new();
        let mut not_found = 0;
        for fact in facts {
            if fact.outcome == "found" {
                let genres: Vec<String> = serde_json::from_str(&fact.genres).unwrap_or_default();
                values.insert(fact.spotify_artist_id, genres);
            } else {
                not_found += 1;
            }
        }
        let notices = self.notices(&queued.waiting_on).await?;
        Ok(GenresView {
            coverage: Coverage {
                origin: Origin::Open,
                wanted: wanted.len(),
                known: values.len(),
                pending: queued.pending.len(),
                not_found,
                refused: 0,
                waiting_on: queued.waiting_on.into_iter().collect(),
                notices,
                database_error: false,
            },
            values,
            pending: queued.pending,
        })
    }

    /// The current problems of these services.
    async fn notices(&self, services: &BTreeSet<Service>) -> store::Result<Vec<Notice>> {
        if services.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<&str> = services.iter().map(|s| s.as_str()).collect();
        Ok(self
            .store
            .services(&names)
            .await?
            .into_iter()
            .filter_map(|row| {
                Some(Notice {
                    service: Service::parse(&row.service)?,
                    problem: Problem::parse(row.problem.as_deref()?)?,
                    retry_at: row.paused_until,
                })
            })
            .collect())
    }

    /// How many facts are queued, and how many of those are due now.
    pub async fn queued(&self) -> store::Result<(i64, i64)> {
        self.store.queue_size(self.clock.unix()).await
    }

    /// Waits until the queue is empty (everything asked for is known, or known to be
    /// unknown), up to `timeout`; returns whether it is. For tests and benchmarks.
    pub async fn wait_until_idle(&self, timeout: Duration) -> bool {
        let started = std::time::Instant::now();
        loop {
            if matches!(self.queued().await, Ok((0, _))) {
                return true;
            }
            if started.elapsed() > timeout {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// The tracks worth asking about: distinct ids, no local files.
fn distinct_tracks(tracks: &[Track]) -> Vec<&Track> {
    let mut seen = HashSet::new();
    tracks
        .iter()
        .filter(|t| !t.id.is_empty() && !t.is_local && seen.insert(t.id.as_str()))
        .collect()
}
