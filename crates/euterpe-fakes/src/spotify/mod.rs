//! The built-in fake Spotify: a stateful, in-memory stand-in for Spotify's accounts service
//! and Web API, served over real HTTP.
//!
//! Euterpe's integration tests start it on a loopback port and point `SPOTIFY_ACCOUNTS_URL` at
//! `http://127.0.0.1:PORT` and `SPOTIFY_API_URL` at `http://127.0.0.1:PORT/v1`; demo mode nests
//! [`FakeSpotify::router`] under a prefix so a newcomer without Spotify credentials sees a full
//! dashboard. It behaves like Spotify in 2026 (see the fixtures' `SOURCES.md`): development-mode
//! apps lose `popularity`, `genres`, `followers` and the batch look-ups, playlists use the
//! `items` shapes, refresh tokens die six months after the user's authorization.
//!
//! The catalogue (116 artists, about 165 albums and 900 tracks) and the personas
//! ([`FakeSpotify::personas`]) are generated from fixed seeds: the same on every run. What a
//! persona looks like to a test — ids, top lists, playlists and the numbers the dashboard panels
//! derive from them — is available through [`FakeSpotify::persona_facts`], so tests need not
//! hard-code generated values.
//!
//! Routes (relative, so the router can be nested):
//! - `GET /authorize`, `POST /api/token`
//! - `GET /v1/me`, `/v1/me/top/{tracks,artists}`, `/v1/me/player/recently-played`,
//!   `/v1/me/playlists`, `/v1/playlists/{id}/items` (and the removed `/tracks`, 403),
//!   `/v1/artists/{id}`, `/v1/artists?ids=`, `/v1/tracks/{id}`, `/v1/tracks?ids=`,
//!   `/v1/albums/{id}`, `/v1/albums?ids=`.

mod accounts;
mod calls;
pub(crate) mod catalogue;
mod covers;
mod facts;
mod faults;
mod json;
mod personas;
mod prng;
mod state;
mod web_api;

pub use calls::{Call, longest_chain, most_in_flight};
pub use facts::{PersonaFacts, PlaylistFacts, TopLists};
use faults::fault_response;
pub use faults::{Fault, FaultKind};
use state::*;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime, UtcOffset};

use crate::clock::{Now, SystemNow};
use catalogue::Catalogue;
use personas::{PERSONAS, Play, User, World};

/// Which kind of Spotify app the fake pretends the client is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Every self-hoster's app: at most five allow-listed users, no batch look-ups, no
    /// `popularity`, `genres`, `followers`, and a slimmer `/me`.
    #[default]
    Development,
    /// A registered business's app: everything, including the deprecated fields.
    ExtendedQuota,
}

/// How a [`FakeSpotify`] behaves.
#[derive(Debug, Clone)]
pub struct FakeConfig {
    /// The mode at start; [`FakeSpotify::set_mode`] changes it later.
    pub mode: Mode,
    /// The client id the accounts service knows.
    pub client_id: String,
    /// The secret a confidential client authenticates with (HTTP Basic).
    pub client_secret: String,
    /// How long an access token lives (Spotify: one hour).
    pub access_token_lifetime: Duration,
    /// `false` (default): refresh answers carry no new refresh token, like
    /// `token/refresh_confidential_no_new_refresh_token.json`. `true`: every refresh answer
    /// carries a new one and the old one stops working.
    pub rotate_refresh_tokens: bool,
    /// Every time decision (code, token and refresh-token expiry; history) uses this clock.
    pub clock: Arc<dyn Now>,
    /// `None` (default): image URLs are on Spotify's CDN, like real answers (their made-up
    /// hashes don't load). `Some(base)`: they are `{base}/{name}.svg`, generated covers this fake
    /// serves at `/images/{name}.svg` — demo mode points `base` at the fake's same-origin mount
    /// so browsers show real pictures.
    pub image_base: Option<String>,
    /// `true` (demo mode, where the fake's pages are served on Euterpe's public origin): the
    /// only redirect URIs `/authorize` accepts are on the origin the request came to, as real
    /// Spotify only accepts URIs registered for the app. Otherwise any HTTP(S) URI (tests run
    /// Euterpe and the fake on different ports).
    pub same_origin_redirects: bool,
    /// A stylesheet (a same-origin URL) the sign-in page links, so that the demo's page wears
    /// the look of the app it stands in for. None: plain HTML.
    pub stylesheet: Option<String>,
}

impl Default for FakeConfig {
    fn default() -> Self {
        Self {
            mode: Mode::Development,
            client_id: "euterpe-demo".to_owned(),
            client_secret: "euterpe-demo-secret".to_owned(),
            access_token_lifetime: Duration::seconds(3600),
            rotate_refresh_tokens: false,
            image_base: None,
            same_origin_redirects: false,
            stylesheet: None,
            clock: Arc::new(SystemNow),
        }
    }
}

/// The fake Spotify. Cheap to clone: clones share one state.
#[derive(Clone)]
pub struct FakeSpotify {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for FakeSpotify {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeSpotify")
            .field("mode", &self.mode())
            .field("client_id", &self.inner.config.client_id)
            .finish_non_exhaustive()
    }
}

struct Inner {
    config: FakeConfig,
    mode: Mutex<Mode>,
    /// `false`: `/me` answers without `account_id`, as before 2026 (`me_pre2026.json`).
    profile_account_id: std::sync::atomic::AtomicBool,
    state: Mutex<Store>,
    faults: Mutex<Vec<Fault>>,
    counters: Mutex<Counters>,
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(crate) fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a space).
pub(crate) fn decode_component(part: &[u8]) -> String {
    let hex = |digit: u8| char::from(digit).to_digit(16);
    let mut out = Vec::with_capacity(part.len());
    let mut i = 0;
    while i < part.len() {
        match (part[i], part.get(i + 1).copied(), part.get(i + 2).copied()) {
            (b'+', ..) => out.push(b' '),
            (b'%', Some(high), Some(low)) if hex(high).is_some() && hex(low).is_some() => {
                out.push((hex(high).unwrap_or(0) * 16 + hex(low).unwrap_or(0)) as u8);
                i += 2;
            }
            (other, ..) => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Decodes `application/x-www-form-urlencoded` (`+` is a space); the first value of a name wins.
pub(crate) fn parse_form(body: &[u8]) -> HashMap<String, String> {
    let decode = decode_component;
    let mut form = HashMap::new();
    for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let mut halves = pair.splitn(2, |b| *b == b'=');
        let name = decode(halves.next().unwrap_or_default());
        let value = decode(halves.next().unwrap_or_default());
        form.entry(name).or_insert(value);
    }
    form
}

/// The counters' key for a request: method and path, with ids replaced by `{id}`.
fn route_key(method: &Method, path: &str) -> String {
    let segments: Vec<&str> = path.split('/').collect();
    let pattern = match segments.as_slice() {
        ["", "v1", "playlists", _, rest @ ..] => {
            let mut pattern = "/v1/playlists/{id}".to_owned();
            for segment in rest {
                pattern.push('/');
                pattern.push_str(segment);
            }
            pattern
        }
        [
            "",
            "v1",
            kind @ ("artists" | "tracks" | "albums" | "users"),
            _,
        ] => {
            format!("/v1/{kind}/{{id}}")
        }
        _ => path.to_owned(),
    };
    format!("{method} {pattern}")
}

impl FakeSpotify {
    /// A fake with fresh state: the catalogue, the personas' playlists and a listening history
    /// ending at `config.clock`'s now.
    pub fn new(config: FakeConfig) -> Self {
        let now = config.clock.now();
        let world = World::get();
        let playlists: Vec<PlaylistState> = world
            .playlists
            .iter()
            .map(|seed| {
                let entries: Vec<Entry> = seed
                    .entries
                    .iter()
                    .map(|entry| Entry {
                        track: entry.track,
                        added_by: entry.added_by,
                        added_at: (now - Duration::seconds_f64(entry.days_ago * 86_400.0))
                            .replace_millisecond(0)
                            .expect("0 is a valid millisecond"),
                    })
                    .collect();
                PlaylistState {
                    snapshot_id: snapshot_id(&seed.id, seed.version, &entries),
                    entries,
                    version: seed.version,
                }
            })
            .collect();
        let playlist_ids = world
            .playlists
            .iter()
            .enumerate()
            .map(|(index, seed)| (seed.id.clone(), index))
            .collect();
        let plays = (0..PERSONAS.len())
            .map(|persona| personas::history(persona, now))
            .collect();
        let mode = config.mode;
        Self {
            inner: Arc::new(Inner {
                config,
                mode: Mutex::new(mode),
                profile_account_id: std::sync::atomic::AtomicBool::new(true),
                state: Mutex::new(Store {
                    codes: HashMap::new(),
                    grants: Vec::new(),
                    access: HashMap::new(),
                    refresh: HashMap::new(),
                    playlists,
                    playlist_ids,
                    plays,
                }),
                faults: Mutex::new(Vec::new()),
                counters: Mutex::new(Counters::default()),
            }),
        }
    }

    /// Every route, relative (`/authorize`, `/api/token`, `/v1/...`), so it can be nested.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/authorize", get(accounts::authorize))
            .route("/api/token", post(accounts::token))
            .route("/images/{name}", get(covers::cover))
            .route("/v1/me", get(web_api::me))
            .route("/v1/me/top/tracks", get(web_api::top_tracks))
            .route("/v1/me/top/artists", get(web_api::top_artists))
            .route(
                "/v1/me/player/recently-played",
                get(web_api::recently_played),
            )
            .route("/v1/me/playlists", get(web_api::my_playlists))
            .route("/v1/playlists/{id}/items", get(web_api::playlist_items))
            .route("/v1/playlists/{id}/tracks", get(web_api::playlist_tracks))
            .route("/v1/artists", get(web_api::several_artists))
            .route("/v1/artists/{id}", get(web_api::artist))
            .route("/v1/tracks", get(web_api::several_tracks))
            .route("/v1/tracks/{id}", get(web_api::track))
            .route("/v1/albums", get(web_api::several_albums))
            .route("/v1/albums/{id}", get(web_api::album))
            .fallback(web_api::not_found)
            .method_not_allowed_fallback(web_api::method_not_allowed)
            .layer(middleware::from_fn_with_state(self.clone(), observe))
            .with_state(self.clone())
    }

    /// Serves [`router`](Self::router) on `127.0.0.1` at a free port, in a spawned task that
    /// lives as long as the Tokio runtime. Returns the address.
    pub async fn serve_loopback(&self) -> std::io::Result<SocketAddr> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let router = self.router();
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                tracing::error!(%error, "fake Spotify server stopped");
            }
        });
        Ok(address)
    }

    /// Switches between development mode and extended quota, effective from the next request.
    pub fn set_mode(&self, mode: Mode) {
        *lock(&self.inner.mode) = mode;
    }

    /// Whether `/me` carries `account_id` (answers recorded before 2026 have none).
    pub fn set_profile_account_id(&self, send: bool) {
        self.inner
            .profile_account_id
            .store(send, std::sync::atomic::Ordering::SeqCst);
    }

    pub(crate) fn profile_account_id(&self) -> bool {
        self.inner
            .profile_account_id
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The current mode.
    pub fn mode(&self) -> Mode {
        *lock(&self.inner.mode)
    }

    /// Where image URLs point (see [`FakeConfig::image_base`]).
    pub(crate) fn image_base(&self) -> Option<String> {
        self.inner.config.image_base.clone()
    }

    /// The personas' names: `alice`, `bob`, `empty`, `markup`, `stranger`.
    pub fn personas() -> &'static [&'static str] {
        &personas::NAMES
    }

    /// A persona's one-line description (shown on the sign-in page).
    pub fn persona_description(persona: &str) -> Option<&'static str> {
        personas::index_of(persona).map(|index| PERSONAS[index].description)
    }

    /// Requests answered on `route` (e.g. `"GET /v1/me/top/tracks"`, `"POST /api/token"`,
    /// `"GET /v1/playlists/{id}/items"`), faulted ones included.
    pub fn request_count(&self, route: &str) -> usize {
        lock(&self.inner.counters)
            .routes
            .get(route)
            .copied()
            .unwrap_or(0)
    }

    /// All `/v1` requests, faulted and unknown routes included.
    pub fn total_api_requests(&self) -> usize {
        lock(&self.inner.counters).api_total
    }

    /// `POST /api/token` requests with this `grant_type` (`authorization_code`, `refresh_token`).
    pub fn token_requests(&self, grant_type: &str) -> usize {
        lock(&self.inner.counters)
            .grants
            .get(grant_type)
            .copied()
            .unwrap_or(0)
    }

    /// Every Web API call answered since the counters were last reset, with its times.
    pub fn calls(&self) -> Vec<Call> {
        lock(&self.inner.counters).calls.clone()
    }

    /// Sets every counter back to zero.
    pub fn reset_counters(&self) {
        *lock(&self.inner.counters) = Counters::default();
    }

    /// Adds a fault; the earliest matching one wins (delays add up with it).
    pub fn inject(&self, fault: Fault) {
        lock(&self.inner.faults).push(fault);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        lock(&self.inner.faults).clear();
    }

    /// The user withdraws the app's access: the persona's refresh tokens answer
    /// `400 invalid_grant "Refresh token revoked"` from now on (access tokens live out their hour).
    ///
    /// # Panics
    /// If `persona` is not one of [`personas`](Self::personas).
    pub fn revoke_refresh_tokens(&self, persona: &str) {
        let persona = persona_index(persona);
        let mut state = self.state();
        let grants: HashSet<usize> = grants_of(&state, persona);
        for token in state.refresh.values_mut() {
            if grants.contains(&token.grant) {
                token.revoked = true;
            }
        }
    }

    /// Makes the persona's current access tokens expired: they answer 401
    /// "The access token expired" from now on.
    ///
    /// # Panics
    /// If `persona` is not one of [`personas`](Self::personas).
    pub fn expire_access_tokens(&self, persona: &str) {
        let persona = persona_index(persona);
        let now = self.now();
        let mut state = self.state();
        let grants = grants_of(&state, persona);
        for token in state.access.values_mut() {
            if grants.contains(&token.grant) {
                token.expires_at = token.expires_at.min(now);
            }
        }
    }

    /// Records a play. It shows in `/me/player/recently-played` once the clock has reached
    /// `played_at` and while it is among the latest 50.
    ///
    /// # Panics
    /// If `persona` or `track_id` is unknown.
    pub fn add_play(&self, persona: &str, track_id: &str, played_at: OffsetDateTime) {
        let persona = persona_index(persona);
        let track = Catalogue::get()
            .track(track_id)
            .unwrap_or_else(|| panic!("unknown track id {track_id}"));
        let at = played_at.to_offset(UtcOffset::UTC);
        let mut state = self.state();
        let plays = &mut state.plays[persona];
        let position = plays.partition_point(|play| play.at <= at);
        plays.insert(position, Play { track, at });
    }

    /// Appends a track to a playlist (as its owner, now) and changes its `snapshot_id`, like
    /// an edit in the Spotify app. The track is the owner's best-ranked `short_term` top track
    /// not yet in it (so "Top playlists" counts change), else the first catalogue track not in
    /// it. Returns the added track's id.
    ///
    /// # Panics
    /// If the playlist is unknown.
    pub fn touch_playlist(&self, playlist_id: &str) -> String {
        let cat = Catalogue::get();
        let world = World::get();
        let index = self.playlist_index(playlist_id);
        let owner = world.playlists[index].owner;
        let state = self.state();
        let held: HashSet<usize> = state.playlists[index]
            .entries
            .iter()
            .filter_map(|e| e.track)
            .collect();
        drop(state);
        let favourites: &[usize] = match owner {
            User::Persona(persona) => &world.top_tracks[persona][0],
            User::Other(_) => &[],
        };
        let track = favourites
            .iter()
            .copied()
            .chain(0..cat.tracks.len())
            .find(|track| !held.contains(track))
            .expect("the catalogue is larger than any playlist");
        let id = cat.tracks[track].id.clone();
        self.add_playlist_items(playlist_id, &[id.as_str()]);
        id
    }

    /// Appends tracks to a playlist (as its owner, now) and changes its `snapshot_id`.
    ///
    /// # Panics
    /// If the playlist or a track is unknown.
    pub fn add_playlist_items(&self, playlist_id: &str, track_ids: &[&str]) {
        let cat = Catalogue::get();
        let index = self.playlist_index(playlist_id);
        let owner = World::get().playlists[index].owner;
        let tracks: Vec<usize> = track_ids
            .iter()
            .map(|id| {
                cat.track(id)
                    .unwrap_or_else(|| panic!("unknown track id {id}"))
            })
            .collect();
        let now = self.now();
        let mut state = self.state();
        let playlist = &mut state.playlists[index];
        playlist
            .entries
            .extend(tracks.into_iter().map(|track| Entry {
                track: Some(track),
                added_by: owner,
                added_at: now,
            }));
        playlist.version += 1;
        playlist.snapshot_id = snapshot_id(playlist_id, playlist.version, &playlist.entries);
    }

    /// A persona's whole stored listening history, oldest first, as `(track id, played_at)`:
    /// more than the API shows (it only ever serves the latest 50), for seeding demo data.
    ///
    /// # Panics
    /// If `persona` is unknown.
    pub fn plays(&self, persona: &str) -> Vec<(String, OffsetDateTime)> {
        let persona = persona_index(persona);
        let cat = Catalogue::get();
        self.state().plays[persona]
            .iter()
            .map(|play| (cat.tracks[play.track].id.clone(), play.at))
            .collect()
    }

    fn now(&self) -> OffsetDateTime {
        self.inner.config.clock.now()
    }

    fn config(&self) -> &FakeConfig {
        &self.inner.config
    }

    fn state(&self) -> MutexGuard<'_, Store> {
        lock(&self.inner.state)
    }

    fn playlist_index(&self, playlist_id: &str) -> usize {
        self.state()
            .playlist_ids
            .get(playlist_id)
            .copied()
            .unwrap_or_else(|| panic!("unknown playlist id {playlist_id}"))
    }

    /// The persona a request acts for, from whichever credential it carries (valid or not).
    fn persona_of_request(
        &self,
        headers: &HeaderMap,
        form: Option<&HashMap<String, String>>,
    ) -> Option<usize> {
        let state = self.state();
        if let Some(form) = form {
            if let Some(code) = form.get("code").and_then(|c| state.codes.get(c)) {
                return Some(code.persona);
            }
            return form
                .get("refresh_token")
                .and_then(|t| state.refresh.get(t))
                .map(|t| state.grants[t.grant].persona);
        }
        let token = web_api::bearer(headers)?;
        state
            .access
            .get(token)
            .map(|t| state.grants[t.grant].persona)
    }

    fn count(&self, key: &str, api: bool, grant_type: Option<&str>) {
        let mut counters = lock(&self.inner.counters);
        *counters.routes.entry(key.to_owned()).or_default() += 1;
        if api {
            counters.api_total += 1;
        }
        if let Some(grant_type) = grant_type {
            *counters.grants.entry(grant_type.to_owned()).or_default() += 1;
        }
    }
}

/// Whether `persona` may read a playlist's items: owner or collaborator.
fn may_read(seed: &personas::PlaylistSeed, persona: usize) -> bool {
    seed.owner == User::Persona(persona) || seed.collaborators.contains(&persona)
}

fn grants_of(state: &Store, persona: usize) -> HashSet<usize> {
    state
        .grants
        .iter()
        .enumerate()
        .filter(|(_, grant)| grant.persona == persona)
        .map(|(index, _)| index)
        .collect()
}

fn persona_index(name: &str) -> usize {
    personas::index_of(name).unwrap_or_else(|| panic!("unknown persona {name}"))
}

/// Locks a mutex, carrying on after a panic elsewhere (test state stays usable).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How many answered calls [`FakeSpotify::calls`] remembers.
const MAX_CALLS_KEPT: usize = 10_000;

/// Counts every request and applies injected faults before the route answers.
async fn observe(State(fake): State<FakeSpotify>, request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let path = request.uri().path().to_owned();
    let key = route_key(request.method(), &path);
    let concrete = format!("{} {path}", request.method());
    let api = path == "/v1" || path.starts_with("/v1/");
    let (request, form) = if path == "/api/token" {
        // The token endpoint's credentials are in its body: read it, then hand it on.
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 20)
            .await
            .unwrap_or_default();
        let form = parse_form(&bytes);
        (Request::from_parts(parts, Body::from(bytes)), Some(form))
    } else {
        (request, None)
    };
    let grant_type = form
        .as_ref()
        .and_then(|f| f.get("grant_type"))
        .map(String::as_str);
    fake.count(&key, api, grant_type);
    let persona = fake.persona_of_request(request.headers(), form.as_ref());
    let (delays, failure) = fake.take_faults(&key, &concrete, api, persona);
    for delay in delays {
        tokio::time::sleep(delay).await;
    }
    let response = match failure {
        Some(kind) => fault_response(&kind, api),
        None => next.run(request).await,
    };
    if api {
        let mut counters = lock(&fake.inner.counters);
        // A long-running demo keeps only the latest calls.
        if counters.calls.len() >= MAX_CALLS_KEPT {
            counters.calls.drain(..MAX_CALLS_KEPT / 2);
        }
        counters.calls.push(Call {
            route: key,
            persona: persona.map(|index| personas::NAMES[index]),
            started,
            ended: std::time::Instant::now(),
        });
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_keys_use_patterns() {
        let get = Method::GET;
        assert_eq!(
            route_key(&get, "/v1/me/top/tracks"),
            "GET /v1/me/top/tracks"
        );
        assert_eq!(
            route_key(&get, "/v1/playlists/abc/items"),
            "GET /v1/playlists/{id}/items"
        );
        assert_eq!(route_key(&get, "/v1/artists/abc"), "GET /v1/artists/{id}");
        assert_eq!(route_key(&get, "/v1/artists"), "GET /v1/artists");
        assert_eq!(route_key(&Method::POST, "/api/token"), "POST /api/token");
    }

    #[test]
    fn forms_and_components_round_trip() {
        let form = parse_form(b"a=1+2&b=%26%3D%C3%A9&a=ignored&c&d=%zz%+1%4");
        assert_eq!(form["a"], "1 2");
        assert_eq!(form["b"], "&=é");
        assert_eq!(form["c"], "");
        assert_eq!(form["d"], "%zz% 1%4");
        assert_eq!(encode_component("a b&c/é~"), "a%20b%26c%2F%C3%A9~");
    }

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = random_token("BQ");
        assert!(a.len() > 60);
        assert_ne!(a, random_token("BQ"));
        assert!(
            a[2..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }
}
