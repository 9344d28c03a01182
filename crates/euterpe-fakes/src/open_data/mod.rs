//! Built-in fakes of the three open music services Euterpe reads genres and popularity from:
//! MusicBrainz (`/ws/2`), ListenBrainz (`/1`) and Last.fm (`/2.0`), served over real HTTP like
//! the fake Spotify.
//!
//! Their data is derived from the fake Spotify's catalogue (see `data.rs`): a development-mode
//! persona's artists have MusicBrainz genres and its tracks listen counts — except a deliberate
//! few (unknown artists and tracks, one ambiguous name), so negative results are exercised. The
//! JSON follows each service's documented format. Tests read what a service should answer
//! ([`FakeOpenData::expected_genres`], [`FakeOpenData::expected_listens`]…), count requests (in
//! all, per route, per subject, and the most within any one second), inject faults (429 with
//! `Retry-After`, 503, delays) and make ListenBrainz demand a token.
//!
//! One server carries the three under prefixes: `/musicbrainz/ws/2`, `/listenbrainz/1` and
//! `/lastfm/2.0` ([`FakeOpenData::base_url`]).

mod data;
mod faults;
mod lastfm;
mod listenbrainz;
mod musicbrainz;

pub use faults::{OpenFault, OpenFaultKind};
use faults::{fault_response, take_faults};

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

use data::{AMBIGUOUS_ARTIST, OpenWorld};
pub use data::{ArtistCase, NOT_GENRE_TAGS, TrackCase};

use serde_json::{Value, json};

/// The token the fake ListenBrainz accepts.
pub const LISTENBRAINZ_TOKEN: &str = "fake-listenbrainz-token";
/// The API key the fake Last.fm accepts.
pub const LASTFM_API_KEY: &str = "fake-lastfm-key";

/// One of the three services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpenService {
    MusicBrainz,
    ListenBrainz,
    LastFm,
}

impl OpenService {
    /// All three.
    pub const ALL: [OpenService; 3] = [Self::MusicBrainz, Self::ListenBrainz, Self::LastFm];

    /// Where the service is mounted, with its API's own path: its base URL's path.
    pub fn mount(self) -> &'static str {
        match self {
            Self::MusicBrainz => "/musicbrainz/ws/2",
            Self::ListenBrainz => "/listenbrainz/1",
            Self::LastFm => "/lastfm/2.0",
        }
    }
}

#[derive(Default)]
struct ServiceCounters {
    total: usize,
    routes: HashMap<String, usize>,
    arrivals: Vec<Instant>,
    subjects: Vec<String>,
    user_agents: Vec<String>,
    authorizations: Vec<Option<String>>,
}

struct Inner {
    counters: Mutex<HashMap<OpenService, ServiceCounters>>,
    faults: Mutex<Vec<OpenFault>>,
    listenbrainz_requires_token: Mutex<bool>,
    addr: OnceLock<SocketAddr>,
}

/// The three fakes. Cheap to clone: clones share one state.
#[derive(Clone)]
pub struct FakeOpenData {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for FakeOpenData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeOpenData")
            .field("addr", &self.inner.addr.get())
            .finish_non_exhaustive()
    }
}

impl Default for FakeOpenData {
    fn default() -> Self {
        Self::new()
    }
}

/// Locks a mutex, carrying on after a panic elsewhere (test state stays usable).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl FakeOpenData {
    /// Fresh fakes: no faults, ListenBrainz open without a token.
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                counters: Mutex::new(HashMap::new()),
                faults: Mutex::new(Vec::new()),
                listenbrainz_requires_token: Mutex::new(false),
                addr: OnceLock::new(),
            }),
        }
    }

    /// The three services, each under its mount path.
    pub fn router(&self) -> Router {
        let observed = |service: OpenService, routes: Router<FakeOpenData>| {
            routes
                .layer(middleware::from_fn_with_state(
                    (self.clone(), service),
                    observe,
                ))
                .with_state(self.clone())
        };
        Router::new()
            .nest(
                OpenService::MusicBrainz.mount(),
                observed(OpenService::MusicBrainz, musicbrainz::routes()),
            )
            .nest(
                OpenService::ListenBrainz.mount(),
                observed(OpenService::ListenBrainz, listenbrainz::routes()),
            )
            .merge(observed(
                OpenService::LastFm,
                lastfm::routes(OpenService::LastFm.mount()),
            ))
    }

    /// Serves [`router`](Self::router) on `127.0.0.1` at a free port, in a task that lives as
    /// long as the Tokio runtime. Returns the address.
    pub async fn serve_loopback(&self) -> std::io::Result<SocketAddr> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        self.serve_on(listener)
    }

    /// Like [`serve_loopback`](Self::serve_loopback), from code that is not async (it must run
    /// inside a Tokio runtime).
    pub fn spawn_loopback(&self) -> std::io::Result<SocketAddr> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        self.serve_on(tokio::net::TcpListener::from_std(listener)?)
    }

    fn serve_on(&self, listener: tokio::net::TcpListener) -> std::io::Result<SocketAddr> {
        let address = listener.local_addr()?;
        let _ = self.inner.addr.set(address);
        let router = self.router();
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                tracing::error!(%error, "fake open-data services stopped");
            }
        });
        Ok(address)
    }

    /// A service's base URL (e.g. `http://127.0.0.1:PORT/musicbrainz/ws/2`), once serving.
    ///
    /// # Panics
    /// Before [`serve_loopback`](Self::serve_loopback) or [`spawn_loopback`](Self::spawn_loopback).
    pub fn base_url(&self, service: OpenService) -> String {
        let addr = self.inner.addr.get().expect("the fake is serving");
        format!("http://{addr}{}", service.mount())
    }

    /// `MUSICBRAINZ_URL`, `LISTENBRAINZ_URL` and `LASTFM_URL` pointing at these fakes.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("MUSICBRAINZ_URL", self.base_url(OpenService::MusicBrainz)),
            ("LISTENBRAINZ_URL", self.base_url(OpenService::ListenBrainz)),
            ("LASTFM_URL", self.base_url(OpenService::LastFm)),
        ]
    }

    /// Requests the service received, faulted ones included.
    pub fn requests(&self, service: OpenService) -> usize {
        lock(&self.inner.counters)
            .get(&service)
            .map_or(0, |c| c.total)
    }

    /// Requests on one route of a service, e.g. `"GET /url"`, `"GET /artist/{mbid}"`,
    /// `"GET /artist"` (search), `"GET /isrc/{isrc}"`, `"POST /popularity/recording"`,
    /// `"GET /metadata/lookup/"`, `"GET /?method=track.getInfo"`.
    pub fn route_requests(&self, service: OpenService, route: &str) -> usize {
        lock(&self.inner.counters)
            .get(&service)
            .and_then(|c| c.routes.get(route).copied())
            .unwrap_or(0)
    }

    /// The most requests the service received within any one second.
    pub fn max_requests_in_one_second(&self, service: OpenService) -> usize {
        let counters = lock(&self.inner.counters);
        let Some(arrivals) = counters.get(&service).map(|c| &c.arrivals) else {
            return 0;
        };
        let mut best = 0;
        let mut start = 0;
        for end in 0..arrivals.len() {
            while arrivals[end].duration_since(arrivals[start]) >= Duration::from_secs(1) {
                start += 1;
            }
            best = best.max(end - start + 1);
        }
        best
    }

    /// What the service was asked about, in order: Spotify artist ids (MusicBrainz URL
    /// look-ups), artist MBIDs, `search:{name}`, ISRCs, recording MBIDs, `lookup:{artist}|{track}`,
    /// `track:{artist}|{track}` (Last.fm).
    pub fn subjects(&self, service: OpenService) -> Vec<String> {
        lock(&self.inner.counters)
            .get(&service)
            .map(|c| c.subjects.clone())
            .unwrap_or_default()
    }

    /// The distinct `User-Agent`s the service saw.
    pub fn user_agents(&self, service: OpenService) -> Vec<String> {
        lock(&self.inner.counters)
            .get(&service)
            .map(|c| c.user_agents.clone())
            .unwrap_or_default()
    }

    /// The `Authorization` header of each request the service received, in order.
    pub fn authorizations(&self, service: OpenService) -> Vec<Option<String>> {
        lock(&self.inner.counters)
            .get(&service)
            .map(|c| c.authorizations.clone())
            .unwrap_or_default()
    }

    /// Sets every counter back to zero.
    pub fn reset_counters(&self) {
        lock(&self.inner.counters).clear();
    }

    /// Adds a fault; the earliest matching failure wins (delays add up with it).
    pub fn inject(&self, fault: OpenFault) {
        lock(&self.inner.faults).push(fault);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        lock(&self.inner.faults).clear();
    }

    /// Makes ListenBrainz answer `401` to requests without [`LISTENBRAINZ_TOKEN`] (as some
    /// deployments now do), or not.
    pub fn require_listenbrainz_token(&self, required: bool) {
        *lock(&self.inner.listenbrainz_requires_token) = required;
    }

    fn listenbrainz_requires_token(&self) -> bool {
        *lock(&self.inner.listenbrainz_requires_token)
    }

    fn record_subject(&self, service: OpenService, subject: String) {
        lock(&self.inner.counters)
            .entry(service)
            .or_default()
            .subjects
            .push(subject);
    }

    /// How MusicBrainz knows a Spotify artist; `None` for an id the services don't know.
    pub fn artist_case(spotify_artist_id: &str) -> Option<ArtistCase> {
        let world = OpenWorld::get();
        Some(world.artist_cases[world.artist_index(spotify_artist_id)?])
    }

    /// MusicBrainz's genre list, by name, as `/genre/all` pages through it.
    pub fn genre_list() -> &'static [String] {
        &OpenWorld::get().genres
    }

    /// Whether the MusicBrainz artist of a Spotify artist has tags but no genres (its most voted
    /// tags are then [`NOT_GENRE_TAGS`]).
    pub fn tags_only(spotify_artist_id: &str) -> bool {
        let world = OpenWorld::get();
        world
            .artist_index(spotify_artist_id)
            .and_then(|index| world.mb_artist_of[index])
            .map(|mb| &world.artists[mb])
            .is_some_and(|artist| artist.genres.is_empty() && !artist.tags.is_empty())
    }

    /// How the open services know a Spotify track; `None` for an id they don't know.
    pub fn track_case(spotify_track_id: &str) -> Option<TrackCase> {
        let world = OpenWorld::get();
        Some(world.track_cases[world.track_index(spotify_track_id)?])
    }

    /// The genres a MusicBrainz client should end with for a Spotify artist: its MusicBrainz
    /// genres, most voted first (ties by name) — or, with none, those of its tags voted up that
    /// are in MusicBrainz's genre list. `None` when
    /// no MusicBrainz artist can be told to be it (absent, or an ambiguous name).
    pub fn expected_genres(spotify_artist_id: &str) -> Option<Vec<String>> {
        let world = OpenWorld::get();
        let index = world.artist_index(spotify_artist_id)?;
        if matches!(
            world.artist_cases[index],
            ArtistCase::Absent | ArtistCase::Ambiguous
        ) {
            return None;
        }
        let artist = &world.artists[world.mb_artist_of[index]?];
        let ranked = |list: &[(String, u32)]| {
            let mut list: Vec<(String, u32)> =
                list.iter().filter(|(_, n)| *n > 0).cloned().collect();
            list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            list.into_iter().map(|(name, _)| name).collect::<Vec<_>>()
        };
        let genres = ranked(&artist.genres);
        Some(if genres.is_empty() {
            // Tags count only when MusicBrainz lists them as genres.
            let mut tags = ranked(&artist.tags);
            tags.retain(|tag| world.genres.contains(tag));
            tags
        } else {
            genres
        })
    }

    /// The ListenBrainz listen count a client should end with for a Spotify track: the sum over
    /// the recordings of its ISRC, else over the recording its names find; `None` when neither
    /// finds one or ListenBrainz has no count.
    pub fn expected_listens(spotify_track_id: &str) -> Option<u64> {
        let world = OpenWorld::get();
        let track = &world.pool_tracks[world.track_index(spotify_track_id)?];
        let recordings: Vec<&data::Recording> = match world.recordings_by_isrc.get(&track.isrc) {
            Some(list) => list.iter().map(|&r| &world.recordings[r]).collect(),
            None => {
                let artist = &world.pool_artists[*track.artists.first()?].name;
                world
                    .lookup_by_names(artist, &track.name)
                    .into_iter()
                    .collect()
            }
        };
        let counts: Vec<u64> = recordings.iter().filter_map(|r| r.listens).collect();
        (!counts.is_empty()).then(|| counts.iter().sum())
    }

    /// The Last.fm listener count of a Spotify track (found by its first artist's and its own
    /// name), if Last.fm knows it.
    pub fn expected_lastfm_listeners(spotify_track_id: &str) -> Option<u64> {
        let world = OpenWorld::get();
        let track = &world.pool_tracks[world.track_index(spotify_track_id)?];
        let artist = &world.pool_artists[*track.artists.first()?].name;
        let found = world.lastfm_track(artist, &track.name)?;
        world.lastfm_listeners[found]
    }

    /// The Spotify id of the artist whose name MusicBrainz knows twice.
    pub fn ambiguous_artist_id() -> String {
        OpenWorld::get().pool_artists[AMBIGUOUS_ARTIST].id.clone()
    }

    /// A made-up listener for benchmarks: `artists` artists of the services' world from position
    /// `first` on (the fake Spotify's catalogue, then artists only the open services know), and
    /// `tracks` of their songs — two of each artist at an even position, one of the others, then
    /// more where short. Two listeners whose ranges overlap by half share half their artists and
    /// about half their tracks. Tracks come as a development-mode app gets them: ISRC, no
    /// popularity.
    pub fn sample_listener(first: usize, artists: usize, tracks: usize) -> SampleListener {
        let world = OpenWorld::get();
        let end = (first + artists).min(world.pool_artists.len());
        let chosen: Vec<usize> = (first..end).collect();
        let mut picked: Vec<usize> = Vec::new();
        for (position, &artist) in chosen.iter().enumerate() {
            let wanted = if position % 2 == 0 { 2 } else { 1 };
            picked.extend(world.tracks_of_artist[artist].iter().take(wanted));
        }
        let mut extra_round = 2;
        while picked.len() < tracks && extra_round < 12 {
            for &artist in &chosen {
                if picked.len() >= tracks {
                    break;
                }
                if let Some(&track) = world.tracks_of_artist[artist].get(extra_round) {
                    picked.push(track);
                }
            }
            extra_round += 1;
        }
        picked.truncate(tracks);
        let credit = |a: usize| {
            let artist = &world.pool_artists[a];
            json!({
                "id": artist.id,
                "name": artist.name,
                "external_urls": { "spotify": format!("https://open.spotify.com/artist/{}", artist.id) },
            })
        };
        SampleListener {
            artists: chosen
                .iter()
                .map(|&a| {
                    (
                        world.pool_artists[a].id.clone(),
                        world.pool_artists[a].name.clone(),
                    )
                })
                .collect(),
            tracks: picked
                .iter()
                .map(|&t| {
                    let track = &world.pool_tracks[t];
                    json!({
                        "id": track.id,
                        "name": track.name,
                        "artists": track.artists.iter().map(|&a| credit(a)).collect::<Vec<_>>(),
                        "duration_ms": track.duration_ms,
                        "external_ids": { "isrc": track.isrc },
                        "type": "track",
                    })
                })
                .collect(),
        }
    }
}

/// A listener made up by [`FakeOpenData::sample_listener`].
#[derive(Debug, Clone)]
pub struct SampleListener {
    /// `(Spotify id, name)` of each artist.
    pub artists: Vec<(String, String)>,
    /// Spotify track objects (JSON), as a development-mode app gets them.
    pub tracks: Vec<Value>,
}

/// The counters' key of a request to a service: method and path with ids as `{…}`; Last.fm's
/// routes are its `method` parameter.
fn route_key(service: OpenService, method: &str, path: &str, query: &str) -> String {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let pattern = match (service, segments.as_slice()) {
        (OpenService::MusicBrainz, ["", "artist", _]) => "/artist/{mbid}".to_owned(),
        (OpenService::MusicBrainz, ["", "isrc", _]) => "/isrc/{isrc}".to_owned(),
        (OpenService::LastFm, _) => {
            let method_param = query
                .split('&')
                .find_map(|pair| pair.strip_prefix("method="))
                .unwrap_or("");
            format!("/?method={method_param}")
        }
        _ => path.to_owned(),
    };
    format!("{method} {pattern}")
}

/// Counts every request and applies injected faults before the route answers.
async fn observe(
    State((fake, service)): State<(FakeOpenData, OpenService)>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or("").to_owned();
    let key = route_key(service, request.method().as_str(), &path, &query);
    // Read before any await: the request's body is not `Sync`, so no borrow may cross one.
    let (user_agent, authorization) = {
        let read = |name: header::HeaderName| {
            request
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        (read(header::USER_AGENT), read(header::AUTHORIZATION))
    };
    {
        let mut counters = lock(&fake.inner.counters);
        let counters = counters.entry(service).or_default();
        counters.total += 1;
        *counters.routes.entry(key.clone()).or_default() += 1;
        counters.arrivals.push(Instant::now());
        if let Some(agent) = &user_agent
            && !counters.user_agents.contains(agent)
        {
            counters.user_agents.push(agent.clone());
        }
        counters.authorizations.push(authorization);
    }
    let (delays, failure) = take_faults(&fake, service, &key);
    for delay in delays {
        tokio::time::sleep(delay).await;
    }
    if let Some(kind) = failure {
        return fault_response(service, &kind);
    }
    if service == OpenService::MusicBrainz && user_agent.is_none_or(|ua| ua.trim().is_empty()) {
        // MusicBrainz refuses anonymous clients.
        return musicbrainz::error(
            StatusCode::FORBIDDEN,
            "Requests without a meaningful User-Agent are refused",
        );
    }
    next.run(request).await
}

/// Splits a query string into its pairs, keeping repeated names (MusicBrainz's `resource`).
pub(crate) fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (
                crate::spotify::decode_component(name.as_bytes()),
                crate::spotify::decode_component(value.as_bytes()),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_keys_name_the_routes() {
        use OpenService::*;
        assert_eq!(
            route_key(MusicBrainz, "GET", "/artist/abc", "inc=genres"),
            "GET /artist/{mbid}"
        );
        assert_eq!(
            route_key(MusicBrainz, "GET", "/artist", "query=x"),
            "GET /artist"
        );
        assert_eq!(
            route_key(MusicBrainz, "GET", "/isrc/US1", ""),
            "GET /isrc/{isrc}"
        );
        assert_eq!(
            route_key(MusicBrainz, "GET", "/url", "resource=x"),
            "GET /url"
        );
        assert_eq!(
            route_key(ListenBrainz, "POST", "/popularity/recording", ""),
            "POST /popularity/recording"
        );
        assert_eq!(
            route_key(LastFm, "GET", "/", "api_key=k&method=track.getInfo&x=1"),
            "GET /?method=track.getInfo"
        );
    }

    #[test]
    fn query_pairs_keep_repeats_and_decode() {
        assert_eq!(
            query_pairs("resource=a%2Fb&resource=c&inc=genres+tags"),
            vec![
                ("resource".to_owned(), "a/b".to_owned()),
                ("resource".to_owned(), "c".to_owned()),
                ("inc".to_owned(), "genres tags".to_owned()),
            ]
        );
    }

    #[test]
    fn expectations_follow_the_cases() {
        let cat = crate::spotify::catalogue::Catalogue::get();
        let ambiguous = FakeOpenData::ambiguous_artist_id();
        assert_eq!(
            FakeOpenData::artist_case(&ambiguous),
            Some(ArtistCase::Ambiguous)
        );
        assert_eq!(FakeOpenData::expected_genres(&ambiguous), None);
        let linked = cat
            .artists
            .iter()
            .find(|a| {
                FakeOpenData::artist_case(&a.id) == Some(ArtistCase::Linked) && a.genres.len() > 1
            })
            .unwrap();
        let genres = FakeOpenData::expected_genres(&linked.id).unwrap();
        assert_eq!(genres.len(), linked.genres.len());
        assert!(cat.tracks.iter().any(|t| {
            FakeOpenData::track_case(&t.id) == Some(TrackCase::Unknown)
                && FakeOpenData::expected_listens(&t.id).is_none()
        }));
    }

    #[test]
    fn sample_listeners_share_what_their_ranges_share() {
        let a = FakeOpenData::sample_listener(10, 100, 150);
        let b = FakeOpenData::sample_listener(60, 100, 150);
        assert_eq!((a.artists.len(), a.tracks.len()), (100, 150));
        assert_eq!((b.artists.len(), b.tracks.len()), (100, 150));
        let shared_artists = a.artists.iter().filter(|x| b.artists.contains(x)).count();
        assert_eq!(shared_artists, 50);
        let shared_tracks = a
            .tracks
            .iter()
            .filter(|t| b.tracks.iter().any(|u| u["id"] == t["id"]))
            .count();
        assert!((60..=90).contains(&shared_tracks), "{shared_tracks}");
        // As a development-mode app gets them: an ISRC, no popularity.
        assert!(a.tracks.iter().all(|t| t.get("popularity").is_none()));
        assert!(
            a.tracks
                .iter()
                .all(|t| t["external_ids"]["isrc"].is_string())
        );
    }
}
