//! Spotify answers kept parsed in this process's memory, so that a warm panel neither reads nor
//! parses the stored JSON again. The database stays the truth: an answer is used only while the
//! cached row still carries the version it was parsed from, so a refresh by another process (or
//! by this one) is seen at once.

use std::any::Any;
use std::sync::Arc;

use quick_cache::Weighter;
use quick_cache::sync::Cache;

use crate::domain::UserId;

/// How much parsed data a process keeps, counted as the size of the JSON it was parsed from
/// (the parsed objects are of the same order). A listener's whole dashboard is a few hundred
/// kilobytes, so this holds dozens of listeners and keeps memory small.
pub const MEMORY_BUDGET_BYTES: u64 = 16 * 1024 * 1024;

type Key = (UserId, String);

/// One parsed answer, with the version of the row it came from.
#[derive(Clone)]
struct Held {
    version: i64,
    value: Arc<dyn Any + Send + Sync>,
    weight: u64,
}

#[derive(Clone)]
struct BySize;

impl Weighter<Key, Held> for BySize {
    fn weight(&self, _key: &Key, held: &Held) -> u64 {
        held.weight
    }
}

/// The parsed answers of every user, bounded by [`MEMORY_BUDGET_BYTES`].
pub struct Parsed {
    cache: Cache<Key, Held, BySize>,
}

impl Parsed {
    /// An empty memory holding at most `budget` bytes' worth of answers.
    pub fn new(budget: u64) -> Self {
        Self {
            cache: Cache::with_weighter(1024, budget, BySize),
        }
    }

    /// The answer parsed from version `version` of `user`'s `key`, if it is held.
    pub fn get<T: Any + Send + Sync>(
        &self,
        user: UserId,
        key: &str,
        version: i64,
    ) -> Option<Arc<T>> {
        let held = self.cache.get(&(user, key.to_owned()))?;
        if held.version != version {
            return None;
        }
        held.value.downcast::<T>().ok()
    }

    /// Holds `value`, parsed from version `version` of `user`'s `key` (`size`: its JSON's length).
    pub fn put<T: Any + Send + Sync>(
        &self,
        user: UserId,
        key: &str,
        version: i64,
        value: Arc<T>,
        size: usize,
    ) {
        let held = Held {
            version,
            value,
            weight: size.max(1) as u64,
        };
        self.cache.insert((user, key.to_owned()), held);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_version_parsed_is_served() {
        let parsed = Parsed::new(1 << 20);
        let user = UserId::from(uuid::Uuid::new_v4());
        parsed.put(
            user,
            "top_tracks/short_term",
            7,
            Arc::new(vec![1u32, 2]),
            10,
        );
        assert_eq!(
            parsed
                .get::<Vec<u32>>(user, "top_tracks/short_term", 7)
                .as_deref(),
            Some(&vec![1, 2])
        );
        // Replaced in the database since: not served.
        assert!(
            parsed
                .get::<Vec<u32>>(user, "top_tracks/short_term", 8)
                .is_none()
        );
        // Another user's, another key's, or another type's: not served either.
        let other = UserId::from(uuid::Uuid::new_v4());
        assert!(
            parsed
                .get::<Vec<u32>>(other, "top_tracks/short_term", 7)
                .is_none()
        );
        assert!(
            parsed
                .get::<Vec<u32>>(user, "top_tracks/long_term", 7)
                .is_none()
        );
        assert!(
            parsed
                .get::<String>(user, "top_tracks/short_term", 7)
                .is_none()
        );
    }

    #[test]
    fn memory_stays_within_its_budget() {
        let parsed = Parsed::new(10_000);
        let user = UserId::from(uuid::Uuid::new_v4());
        for index in 0..100 {
            parsed.put(user, &format!("key/{index}"), 1, Arc::new(index), 1_000);
        }
        let held = (0..100)
            .filter(|index| {
                parsed
                    .get::<i32>(user, &format!("key/{index}"), 1)
                    .is_some()
            })
            .count();
        assert!(held <= 10, "{held} answers of 1,000 bytes held in 10,000");
        assert!(held > 0);
    }
}
