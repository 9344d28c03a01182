//! What the panels read from Spotify, cached per user in the database.
//!
//! A response is fetched once per TTL and then served to every panel and every process from the
//! `spotify_cache` table; concurrent requests for the same resource of the same user wait for
//! the one fetch in flight instead of each making their own.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::models::{Artist, Page, TimeRange, Track};
use super::{Spotify, SpotifyError};
use crate::clock::Clock;
use crate::locks::KeyedLocks;
use crate::store::{CacheEntry, Store};

/// Spotify's largest page, and the length of its top lists.
pub const TOP_LIMIT: u32 = 50;

/// The cached view of each user's Spotify library.
pub struct Library {
    spotify: Arc<Spotify>,
    store: Store,
    clock: Clock,
    ttl: Duration,
    in_flight: KeyedLocks<(Uuid, String)>,
}

impl Library {
    pub fn new(spotify: Arc<Spotify>, store: Store, clock: Clock, ttl: Duration) -> Self {
        Self {
            spotify,
            store,
            clock,
            ttl,
            in_flight: KeyedLocks::default(),
        }
    }

    /// The authenticated client underneath.
    pub fn spotify(&self) -> &Spotify {
        &self.spotify
    }

    /// The user's top tracks for a range, in Spotify's order (at most 50).
    pub async fn top_tracks(
        &self,
        user: Uuid,
        range: TimeRange,
    ) -> Result<Vec<Track>, SpotifyError> {
        let key = format!("top_tracks/{range}");
        let fetch = async move {
            let page: Page<Track> = self
                .spotify
                .get(user, "/me/top/tracks", &top_query(range))
                .await?;
            Ok(page.items)
        };
        self.cached(user, &key, fetch).await
    }

    /// The user's top artists for a range, in Spotify's order (at most 50).
    pub async fn top_artists(
        &self,
        user: Uuid,
        range: TimeRange,
    ) -> Result<Vec<Artist>, SpotifyError> {
        let key = format!("top_artists/{range}");
        let fetch = async move {
            let page: Page<Artist> = self
                .spotify
                .get(user, "/me/top/artists", &top_query(range))
                .await?;
            Ok(page.items)
        };
        self.cached(user, &key, fetch).await
    }

    /// Serves `key` from the cache while fresh; otherwise runs `fetch` once (concurrent callers
    /// wait for it) and caches the result for the TTL. `fetch` does nothing unless awaited.
    async fn cached<T, Fut>(&self, user: Uuid, key: &str, fetch: Fut) -> Result<T, SpotifyError>
    where
        T: Serialize + DeserializeOwned,
        Fut: Future<Output = Result<T, SpotifyError>>,
    {
        if let Some(value) = self.fresh(user, key).await? {
            return Ok(value);
        }
        let _flight = self.in_flight.lock(&(user, key.to_owned())).await;
        // Whoever held the lock before us may have just filled the cache.
        if let Some(value) = self.fresh(user, key).await? {
            return Ok(value);
        }
        let value = fetch.await?;
        let now = self.clock.unix();
        let entry = CacheEntry {
            body: serde_json::to_string(&value).expect("models serialise"),
            fetched_at: now,
            expires_at: now + self.ttl.as_secs() as i64,
        };
        self.store.cache_put(user, key, &entry).await?;
        Ok(value)
    }

    async fn fresh<T: DeserializeOwned>(
        &self,
        user: Uuid,
        key: &str,
    ) -> Result<Option<T>, SpotifyError> {
        let Some(entry) = self.store.cache_get(user, key).await? else {
            return Ok(None);
        };
        if entry.expires_at <= self.clock.unix() {
            return Ok(None);
        }
        // An entry written by an older Euterpe that no longer parses is simply fetched again.
        Ok(serde_json::from_str(&entry.body).ok())
    }
}

fn top_query(range: TimeRange) -> [(&'static str, String); 2] {
    [
        ("time_range", range.as_str().to_owned()),
        ("limit", TOP_LIMIT.to_string()),
    ]
}
