//! Open-data facts a panel read a moment ago, kept in memory. Facts are catalogue data shared
//! by every listener and change only when the queue stores a new one, so a warm panel need not
//! read the same fifty facts again on every request: a fact is reused for [`FRESH_FOR`] (and
//! never past its own expiry). Only facts that exist are kept, so a fact the queue is still
//! looking for is read from the database each time and shows as soon as it is stored.

use std::time::{Duration, Instant};

use quick_cache::sync::Cache;

use crate::store::{ArtistGenresRow, TrackPopularityRow};

/// How long a fact read from the database is reused. A fact that another process replaces
/// (a refresh after thirty days) shows here within this time.
pub const FRESH_FOR: Duration = Duration::from_secs(60);

/// Facts held at most, per kind.
const CAPACITY: usize = 20_000;

/// A stored fact: which catalogue item it is about, and until when it holds.
pub trait Fact: Clone + Send + Sync + 'static {
    fn key(&self) -> &str;
    fn expires_at(&self) -> i64;
}

impl Fact for TrackPopularityRow {
    fn key(&self) -> &str {
        &self.spotify_track_id
    }
    fn expires_at(&self) -> i64 {
        self.expires_at
    }
}

impl Fact for ArtistGenresRow {
    fn key(&self) -> &str {
        &self.spotify_artist_id
    }
    fn expires_at(&self) -> i64 {
        self.expires_at
    }
}

/// Recently read facts of one kind.
pub struct Facts<R: Fact> {
    cache: Cache<String, (Instant, R)>,
}

impl<R: Fact> Default for Facts<R> {
    fn default() -> Self {
        Self {
            cache: Cache::new(CAPACITY),
        }
    }
}

impl<R: Fact> Facts<R> {
    /// The facts about `keys` held and still good at `now` (Unix seconds), and the keys whose
    /// facts must be read.
    pub fn split(&self, keys: &[String], now: i64) -> (Vec<R>, Vec<String>) {
        let mut held = Vec::new();
        let mut unread = Vec::new();
        for key in keys {
            match self.cache.get(key) {
                Some((read_at, fact))
                    if read_at.elapsed() < FRESH_FOR && fact.expires_at() > now =>
                {
                    held.push(fact)
                }
                _ => unread.push(key.clone()),
            }
        }
        (held, unread)
    }

    /// Keeps facts just read from the database.
    pub fn remember(&self, facts: &[R]) {
        let now = Instant::now();
        for fact in facts {
            self.cache
                .insert(fact.key().to_owned(), (now, fact.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(id: &str, expires_at: i64) -> TrackPopularityRow {
        TrackPopularityRow {
            spotify_track_id: id.into(),
            outcome: "found".into(),
            source: Some("listenbrainz".into()),
            count: Some(10),
            popularity: Some(40),
            fetched_at: 0,
            expires_at,
        }
    }

    #[test]
    fn held_facts_are_used_until_they_expire_and_the_rest_are_read() {
        let facts = Facts::default();
        facts.remember(&[fact("a", 100), fact("b", 50)]);
        let keys = ["a".to_owned(), "b".to_owned(), "c".to_owned()];
        let (held, unread) = facts.split(&keys, 60);
        assert_eq!(held, vec![fact("a", 100)]);
        // `b` expired at 50; `c` was never read.
        assert_eq!(unread, vec!["b".to_owned(), "c".to_owned()]);
    }
}
