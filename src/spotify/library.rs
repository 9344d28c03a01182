//! What the panels read from Spotify, cached so that Spotify's rate limit (one allowance per app,
//! shared by every user) is spent once per resource and TTL.
//!
//! - A response is fetched once per TTL and then served to every panel, and every process, from
//!   the `spotify_cache` table.
//! - Concurrent requests for the same resource of the same user wait for the one fetch in flight:
//!   in this process on an in-memory lock, across processes on a lease row in the database.
//! - A playlist's items are cached under its `snapshot_id`, so they are fetched again only when
//!   the playlist changed.
//! - Genres come from the top-artist lists and, with an extended-quota app, from batched
//!   `/artists?ids=` look-ups cached for everyone; a development-mode app gets no genres from
//!   Spotify, so no call is spent asking.

use crate::domain::UserId;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::try_join_all;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::lease::{LEASE, Lease};
use super::models::{self as wire, Artists, Page, PlaylistEntry};
use super::parsed::{MEMORY_BUDGET_BYTES, Parsed};
use super::translate::all;
use super::{FetchError, Spotify, SpotifyError};
use crate::clock::Clock;
use crate::domain::{Artist, Playlist, TimeRange, Track};
use crate::locks::KeyedLocks;
use crate::store::{CacheEntry, CatalogueEntry, Store};

/// Spotify's largest page, and the length of its top lists.
pub const TOP_LIMIT: u32 = 50;
/// The largest `/artists?ids=` batch.
pub const ARTIST_BATCH: usize = 50;
/// A playlist's items are reused this long while its snapshot is unchanged.
pub const PLAYLIST_ITEMS_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
/// Artist objects (genres) are reused this long, by every user.
pub const ARTIST_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
/// How often a waiting request looks for the other process's result.
const LEASE_POLL: Duration = Duration::from_millis(50);

/// The cached view of each user's Spotify library.
pub struct Library {
    spotify: Arc<Spotify>,
    store: Store,
    clock: Clock,
    ttl: Duration,
    in_flight: KeyedLocks<(UserId, String)>,
    /// Answers parsed from the cache, reused while their row is unchanged.
    parsed: Parsed,
}

/// The user's own playlists with the track ids of all their items.
pub type PlaylistsWithTracks = Vec<(Playlist, Arc<Vec<String>>)>;

impl Library {
    pub fn new(spotify: Arc<Spotify>, store: Store, clock: Clock, ttl: Duration) -> Self {
        Self {
            spotify,
            store,
            clock,
            ttl,
            in_flight: KeyedLocks::default(),
            parsed: Parsed::new(MEMORY_BUDGET_BYTES),
        }
    }

    /// The authenticated client underneath.
    pub fn spotify(&self) -> &Spotify {
        &self.spotify
    }

    /// `user`'s library as of now: one read of which of their cached answers are fresh and in
    /// which version, against which every answer held parsed in memory is checked. A panel opens
    /// it once and reads everything it needs through it.
    pub async fn open(&self, user: UserId) -> Result<UserLibrary<'_>, FetchError> {
        let versions = self
            .store
            .fresh_stamps(user, self.clock.unix())
            .await?
            .into_iter()
            .map(|(key, stamp)| (key, stamp.version))
            .collect();
        Ok(UserLibrary {
            library: self,
            user,
            versions,
        })
    }

    /// Every item of a paged list at `path`. `counted` is how many items it had when it was
    /// listed (0: not known): then all its pages are asked for together. Otherwise the first page
    /// says how many there are, and the rest are asked for together. A list that grew meanwhile
    /// is read on until a page comes back short.
    async fn every_page<T: DeserializeOwned>(
        &self,
        user: UserId,
        path: &str,
        counted: u32,
    ) -> Result<Vec<T>, FetchError> {
        let mut items = Vec::new();
        let (mut offset, mut total) = (0u32, counted);
        if total == 0 {
            let first: Page<T> = self.spotify.get(user, path, &page_query(0)).await?;
            let count = first.items.len() as u32;
            items.extend(first.items);
            if count < TOP_LIMIT {
                return Ok(items);
            }
            (offset, total) = (count, first.total);
        }
        while offset < total {
            let offsets: Vec<u32> = (offset..total).step_by(TOP_LIMIT as usize).collect();
            let pages: Vec<Page<T>> = try_join_all(
                offsets
                    .iter()
                    .map(|&at| async move { self.spotify.get(user, path, &page_query(at)).await }),
            )
            .await?;
            let mut ended = false;
            for page in pages {
                let count = page.items.len() as u32;
                // Spotify's count as of this page.
                total = page.total;
                offset += count;
                ended |= count < TOP_LIMIT;
                items.extend(page.items);
            }
            if ended {
                break;
            }
        }
        Ok(items)
    }

    /// Serves `key` from the cache while fresh; otherwise runs `fetch` once — concurrent callers
    /// in this process and in others wait for it — and caches the result for `ttl`. `fetch`
    /// does nothing unless awaited. What is served is `translate`d from Spotify's shapes and kept
    /// parsed in memory for the next request.
    async fn cached<W, D, Fut>(
        &self,
        user: UserId,
        key: &str,
        ttl: Duration,
        fetch: Fut,
        translate: fn(W) -> D,
    ) -> Result<Arc<D>, FetchError>
    where
        W: Serialize + DeserializeOwned,
        D: Send + Sync + 'static,
        Fut: Future<Output = Result<W, FetchError>>,
    {
        if let Some(value) = self.fresh(user, key, translate).await? {
            return Ok(value);
        }
        let _in_process = self.in_flight.lock(&(user, key.to_owned())).await;
        if let Some(value) = self.fresh(user, key, translate).await? {
            return Ok(value);
        }
        // Another process may be fetching the same thing: wait for its result, within reason.
        let started = Instant::now();
        let lease = loop {
            let now = self.clock.unix();
            let until = now + LEASE.as_secs() as i64;
            if let Some(lease) = Lease::try_take(&self.store, user, key, now, until).await? {
                break Some(lease);
            }
            if started.elapsed() > LEASE {
                break None;
            }
            tokio::time::sleep(LEASE_POLL).await;
            if let Some(value) = self.fresh(user, key, translate).await? {
                return Ok(value);
            }
        };
        let fetched = fetch.await;
        let stored = match &fetched {
            Ok(value) => {
                let now = self.clock.unix();
                let entry = CacheEntry {
                    body: serde_json::to_string(value).expect("models serialise"),
                    fetched_at: now,
                    expires_at: now + ttl.as_secs() as i64,
                    version: new_version(),
                };
                self.store
                    .cache_put(user, key, &entry)
                    .await
                    .map(|()| (entry.version, entry.body.len()))
            }
            Err(_) => Ok((0, 0)),
        };
        // Given back after the result is stored, so that a waiter finds it.
        let released = match lease {
            Some(lease) => lease.release().await,
            None => Ok(()),
        };
        let value = Arc::new(translate(fetched?));
        let (version, size) = stored?;
        released?;
        self.parsed.put(user, key, version, value.clone(), size);
        Ok(value)
    }

    /// The cached answer for `key` while it is fresh, read, parsed and kept in memory.
    async fn fresh<W, D>(
        &self,
        user: UserId,
        key: &str,
        translate: fn(W) -> D,
    ) -> Result<Option<Arc<D>>, FetchError>
    where
        W: DeserializeOwned,
        D: Send + Sync + 'static,
    {
        let now = self.clock.unix();
        let Some(entry) = self.store.cache_get(user, key).await? else {
            return Ok(None);
        };
        if entry.expires_at <= now {
            return Ok(None);
        }
        // An entry written by an older Euterpe that no longer parses is simply fetched again.
        let Ok(wire) = serde_json::from_str::<W>(&entry.body) else {
            return Ok(None);
        };
        let value = Arc::new(translate(wire));
        self.parsed
            .put(user, key, entry.version, value.clone(), entry.body.len());
        Ok(Some(value))
    }
}

/// One user's library as of one request (see [`Library::open`]).
pub struct UserLibrary<'a> {
    library: &'a Library,
    user: UserId,
    /// The version of each answer held in memory whose row is fresh.
    versions: HashMap<String, i64>,
}

impl UserLibrary<'_> {
    /// The answer for `key`: from memory when the row is the one parsed there, else from the
    /// cache or Spotify (see [`Library::cached`]).
    async fn get<W, D, Fut>(
        &self,
        key: &str,
        ttl: Duration,
        fetch: Fut,
        translate: fn(W) -> D,
    ) -> Result<Arc<D>, FetchError>
    where
        W: Serialize + DeserializeOwned,
        D: Send + Sync + 'static,
        Fut: Future<Output = Result<W, FetchError>>,
    {
        let held = self
            .versions
            .get(key)
            .and_then(|&version| self.library.parsed.get::<D>(self.user, key, version));
        match held {
            Some(value) => Ok(value),
            None => {
                self.library
                    .cached(self.user, key, ttl, fetch, translate)
                    .await
            }
        }
    }

    /// The user's top tracks for a range, in Spotify's order (at most 50).
    pub async fn top_tracks(&self, range: TimeRange) -> Result<Arc<Vec<Track>>, FetchError> {
        let (library, user) = (self.library, self.user);
        let fetch = async move {
            let page: Page<wire::Track> = library
                .spotify
                .get(user, "/me/top/tracks", &top_query(range))
                .await?;
            Ok(page.items)
        };
        let key = format!("top_tracks/{range}");
        self.get(&key, library.ttl, fetch, all).await
    }

    /// The user's top artists for a range, in Spotify's order (at most 50).
    pub async fn top_artists(&self, range: TimeRange) -> Result<Arc<Vec<Artist>>, FetchError> {
        let (library, user) = (self.library, self.user);
        let fetch = async move {
            let page: Page<wire::Artist> = library
                .spotify
                .get(user, "/me/top/artists", &top_query(range))
                .await?;
            Ok(page.items)
        };
        let key = format!("top_artists/{range}");
        self.get(&key, library.ttl, fetch, all).await
    }

    /// The top artists of all three ranges: short, medium, long.
    pub async fn top_artists_all(&self) -> Result<[Arc<Vec<Artist>>; 3], FetchError> {
        let [short, medium, long] = TimeRange::ALL;
        let (short, medium, long) = tokio::try_join!(
            self.top_artists(short),
            self.top_artists(medium),
            self.top_artists(long),
        )?;
        Ok([short, medium, long])
    }

    /// Every playlist in the user's library (every page of `/me/playlists`).
    pub async fn playlists(&self) -> Result<Arc<Vec<Playlist>>, FetchError> {
        let fetch = self
            .library
            .every_page::<wire::Playlist>(self.user, "/me/playlists", 0);
        self.get("playlists", self.library.ttl, fetch, all).await
    }

    /// The track ids of every item of a playlist (every page), empty for local files and
    /// episodes' missing ids. Reused while the playlist's snapshot is unchanged.
    pub async fn playlist_track_ids(
        &self,
        playlist: &Playlist,
    ) -> Result<Arc<Vec<String>>, FetchError> {
        let path = format!("/playlists/{}/items", playlist.id);
        let (library, user) = (self.library, self.user);
        let fetch = async move {
            // The playlist list said how many entries there are: every page is asked for at once.
            let entries: Vec<PlaylistEntry> =
                library.every_page(user, &path, playlist.total).await?;
            Ok(entries
                .iter()
                .filter_map(PlaylistEntry::content)
                .filter(|track| track.kind != "episode")
                .map(|track| track.id.clone())
                .collect::<Vec<_>>())
        };
        let key = format!("playlist_items/{}@{}", playlist.id, playlist.snapshot_id);
        self.get(&key, PLAYLIST_ITEMS_TTL, fetch, |ids| ids).await
    }

    /// The user's own playlists (owner is `spotify_id`), each with all its track ids. Playlists
    /// owned by others are not read: Spotify refuses their items to most apps anyway. Every
    /// playlist is asked for at once; the user's bound on calls in flight paces them.
    pub async fn own_playlists_with_tracks(
        &self,
        spotify_id: &str,
    ) -> Result<PlaylistsWithTracks, FetchError> {
        let playlists = self.playlists().await?;
        let owned: Vec<&Playlist> = playlists
            .iter()
            .filter(|playlist| playlist.is_owned_by(spotify_id))
            .collect();
        let ids = try_join_all(
            owned
                .iter()
                .map(|playlist| self.playlist_track_ids(playlist)),
        )
        .await?;
        Ok(owned.into_iter().cloned().zip(ids).collect())
    }

    /// Genres by artist id for `artist_ids`, when Spotify provides genres to this app; `None`
    /// when it doesn't (development mode). Known genres come from the user's top artists, then
    /// from the shared artist cache, then from batched `/artists?ids=` look-ups.
    pub async fn genres(
        &self,
        artist_ids: &[String],
    ) -> Result<Option<HashMap<String, Vec<String>>>, FetchError> {
        let tops = self.top_artists_all().await?;
        let (library, user) = (self.library, self.user);
        let mut genres: HashMap<String, Vec<String>> = HashMap::new();
        let mut spotify_sends_genres = false;
        for artist in tops.iter().flat_map(|list| list.iter()) {
            if let Some(list) = &artist.genres {
                spotify_sends_genres = true;
                genres.insert(artist.id.clone(), list.clone());
            }
        }
        if !spotify_sends_genres {
            // Development mode: /artists would answer 403 and artists carry no genres.
            return Ok(None);
        }
        let wanted: Vec<String> = artist_ids
            .iter()
            .filter(|id| !id.is_empty() && !genres.contains_key(*id))
            .cloned()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let now = library.clock.unix();
        for entry in library.store.artists_cached(&wanted, now).await? {
            if let Ok(artist) = serde_json::from_str::<wire::Artist>(&entry.body) {
                genres.insert(artist.id.clone(), artist.genres.unwrap_or_default());
            }
        }
        let missing: Vec<String> = wanted
            .into_iter()
            .filter(|id| !genres.contains_key(id))
            .collect();
        for batch in missing.chunks(ARTIST_BATCH) {
            let answer: Result<Artists, _> = library
                .spotify
                .get(user, "/artists", &[("ids", batch.join(","))])
                .await;
            let artists = match answer {
                Ok(answer) => answer.artists.into_iter().flatten().collect::<Vec<_>>(),
                // Batch look-ups are gone for this app after all: keep what is known.
                Err(FetchError::Spotify(SpotifyError::Forbidden(_))) => break,
                Err(err) => return Err(err),
            };
            let expires_at = library.clock.unix() + ARTIST_TTL.as_secs() as i64;
            let entries: Vec<CatalogueEntry> = artists
                .iter()
                .map(|artist| CatalogueEntry {
                    id: artist.id.clone(),
                    body: serde_json::to_string(artist).expect("models serialise"),
                    expires_at,
                })
                .collect();
            library
                .store
                .put_artists(&entries, library.clock.unix())
                .await?;
            for artist in artists {
                genres.insert(artist.id, artist.genres.unwrap_or_default());
            }
        }
        Ok(Some(genres))
    }
}

/// A new cache row's version: random, so that writers in different processes never repeat one.
fn new_version() -> i64 {
    let (high, _) = uuid::Uuid::new_v4().as_u64_pair();
    high as i64
}

fn top_query(range: TimeRange) -> [(&'static str, String); 2] {
    [
        ("time_range", range.as_str().to_owned()),
        ("limit", TOP_LIMIT.to_string()),
    ]
}

fn page_query(offset: u32) -> [(&'static str, String); 2] {
    [
        ("limit", TOP_LIMIT.to_string()),
        ("offset", offset.to_string()),
    ]
}
