//! Per-key async locks, so that concurrent requests for one user's resource wait for a single
//! fetch (or a single token refresh) instead of each making their own; and per-key limits, so
//! that one user's requests to Spotify in flight stay bounded.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, Weak};

use tokio::sync::{OwnedMutexGuard, OwnedSemaphorePermit, Semaphore};

/// Shared values created on demand per key and forgotten when no one holds them: the map keeps
/// only weak references, so it stays as small as the set of keys in use.
struct Keyed<K, V> {
    values: Mutex<HashMap<K, Weak<V>>>,
}

impl<K, V> Default for Keyed<K, V> {
    fn default() -> Self {
        Self {
            values: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash + Clone, V> Keyed<K, V> {
    /// The value of `key`, made by `make` when nobody holds one.
    fn get(&self, key: &K, make: impl FnOnce() -> V) -> Arc<V> {
        let mut values = self.values.lock().expect("keyed map poisoned");
        // Forget entries nobody uses any more, so the map stays as small as the live set.
        if values.len() > 64 {
            values.retain(|_, weak| weak.strong_count() > 0);
        }
        match values.get(key).and_then(Weak::upgrade) {
            Some(value) => value,
            None => {
                let value = Arc::new(make());
                values.insert(key.clone(), Arc::downgrade(&value));
                value
            }
        }
    }
}

/// A map of async mutexes created on demand and dropped when no one holds or waits for them.
pub struct KeyedLocks<K> {
    locks: Keyed<K, tokio::sync::Mutex<()>>,
}

impl<K> Default for KeyedLocks<K> {
    fn default() -> Self {
        Self {
            locks: Keyed::default(),
        }
    }
}

impl<K: Eq + Hash + Clone> KeyedLocks<K> {
    /// Waits for the lock of `key`; it is released when the guard drops.
    pub async fn lock(&self, key: &K) -> OwnedMutexGuard<()> {
        let mutex = self.locks.get(key, || tokio::sync::Mutex::new(()));
        mutex.lock_owned().await
    }
}

/// A bound on how many holders each key may have at once (requests in flight per user), first
/// come first served.
pub struct KeyedLimits<K> {
    limit: usize,
    semaphores: Keyed<K, Semaphore>,
}

impl<K> KeyedLimits<K> {
    /// At most `limit` holders per key (at least one).
    pub fn new(limit: usize) -> Self {
        Self {
            limit: limit.max(1),
            semaphores: Keyed::default(),
        }
    }

    /// The bound per key.
    pub fn limit(&self) -> usize {
        self.limit
    }
}

impl<K: Eq + Hash + Clone> KeyedLimits<K> {
    /// Waits for one of `key`'s places; it is given back when the permit drops.
    pub async fn acquire(&self, key: &K) -> OwnedSemaphorePermit {
        let semaphore = self.semaphores.get(key, || Semaphore::new(self.limit));
        semaphore
            .acquire_owned()
            .await
            .expect("a keyed limit's semaphore is never closed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn same_key_serialises_other_keys_do_not() {
        let locks = Arc::new(KeyedLocks::<u32>::default());
        let inside = Arc::new(AtomicUsize::new(0));
        let max_inside = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (locks, inside, max_inside) = (locks.clone(), inside.clone(), max_inside.clone());
            tasks.push(tokio::spawn(async move {
                let _guard = locks.lock(&1).await;
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                max_inside.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                inside.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        let _other = locks.lock(&2).await; // never blocked by key 1
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(max_inside.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_keyed_limit_lets_that_many_in_per_key() {
        let limits = Arc::new(KeyedLimits::<u32>::new(3));
        let inside = Arc::new(AtomicUsize::new(0));
        let max_inside = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..12 {
            let (limits, inside, max_inside) = (limits.clone(), inside.clone(), max_inside.clone());
            tasks.push(tokio::spawn(async move {
                let _permit = limits.acquire(&1).await;
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                max_inside.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                inside.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        // Another key has its own places, even while key 1's are all taken.
        let others: Vec<_> =
            futures_util::future::join_all((0..3).map(|_| limits.acquire(&2))).await;
        assert_eq!(others.len(), 3);
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(max_inside.load(Ordering::SeqCst), 3);
    }
}
