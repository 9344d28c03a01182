//! The logged-in user's row, from memory when it was read a moment ago. Every request of a
//! logged-in browser needs it, and it rarely changes; the session, which says who may see what,
//! is still read from the database every time, so a logout or a deleted account (which ends its
//! sessions) takes effect at once in every process.

use std::time::{Duration, Instant};

use quick_cache::sync::Cache;

use crate::domain::UserId;
use crate::store::{self, Store, User};

/// How long a row read from the database is reused. Another process's change to it (a new
/// display name at login) shows here within this time; this process's own changes at once.
pub const FRESH_FOR: Duration = Duration::from_secs(30);

/// Users read recently, at most this many.
const CAPACITY: usize = 1024;

/// Recently read user rows.
pub struct RecentUsers {
    cache: Cache<UserId, (Instant, User)>,
}

impl Default for RecentUsers {
    fn default() -> Self {
        Self {
            cache: Cache::new(CAPACITY),
        }
    }
}

impl RecentUsers {
    /// The user, from memory if read within [`FRESH_FOR`], else from the database.
    pub async fn get(&self, store: &Store, id: UserId) -> store::Result<Option<User>> {
        if let Some((read_at, user)) = self.cache.get(&id)
            && read_at.elapsed() < FRESH_FOR
        {
            return Ok(Some(user));
        }
        self.read(store, id).await
    }

    /// The user as the database has it now (and remembered so).
    pub async fn read(&self, store: &Store, id: UserId) -> store::Result<Option<User>> {
        let user = store.user(id).await?;
        match &user {
            Some(user) => self.cache.insert(id, (Instant::now(), user.clone())),
            None => {
                self.cache.remove(&id);
            }
        }
        Ok(user)
    }

    /// Forgets the user: their row was just changed or deleted.
    pub fn forget(&self, id: UserId) {
        self.cache.remove(&id);
    }
}
