//! The right to fetch one user's resource from Spotify, held as a row in the database for at
//! most [`LEASE`], so that processes sharing a database fetch each resource once.
//!
//! A lease must never outlive its fetch: a waiter polls it for up to [`LEASE`], longer than a
//! request may take, so a forgotten lease shows as a panel that "took too long".

use std::time::Duration;

use crate::domain::UserId;
use crate::store::Store;

/// How long one process may hold the right to fetch a resource before others stop waiting.
pub(super) const LEASE: Duration = Duration::from_secs(20);

/// A held lease, given back by [`Lease::release`] or, failing that, when dropped.
pub(super) struct Lease {
    store: Store,
    user: UserId,
    key: String,
    /// The expiry it was taken with, which tells it from a later holder's.
    until: i64,
    released: bool,
}

impl Lease {
    /// Takes the lease of `user`'s `key` until `until` unless someone holds it at `now`.
    ///
    /// The statement runs in a task of its own, so the caller may be dropped meanwhile (a
    /// `try_join!` whose other half failed, a closed tab). Cancelled in place, the statement
    /// could still take the lease after the caller's clean-up had run — SQLite runs it on a
    /// worker thread, Postgres on the server — and nobody would give it back. Here the task
    /// hands over a [`Lease`], which gives itself back when dropped: by the task if the caller
    /// is gone, or with the channel if the caller goes before reading it.
    pub async fn try_take(
        store: &Store,
        user: UserId,
        key: &str,
        now: i64,
        until: i64,
    ) -> Result<Option<Lease>, sqlx::Error> {
        let (answer, asked) = tokio::sync::oneshot::channel();
        let (store, key) = (store.clone(), key.to_owned());
        tokio::spawn(async move {
            let taken = store.try_lease(user, &key, now, until).await;
            // Made only when taken: a lease that wasn't would give back the holder's.
            let lease = taken.map(|taken| {
                taken.then(|| Lease {
                    store,
                    user,
                    key,
                    until,
                    released: false,
                })
            });
            // Unsent, the lease drops here and gives itself back.
            let _ = answer.send(lease);
        });
        asked.await.map_err(|_| {
            sqlx::Error::Protocol("the task taking a fetch lease ended without an answer".into())
        })?
    }

    /// Gives the lease back, so that whoever waits for the fetch's result looks for it now.
    pub async fn release(mut self) -> Result<(), sqlx::Error> {
        let result = self
            .store
            .release_lease_taken_until(self.user, &self.key, self.until)
            .await;
        // Failed or cancelled, the drop below tries again.
        self.released = result.is_ok();
        result
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if self.released {
            return;
        }
        let (store, user, key) = (self.store.clone(), self.user, std::mem::take(&mut self.key));
        let until = self.until;
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { give_back(&store, user, &key, until).await });
        }
    }
}

async fn give_back(store: &Store, user: UserId, key: &str, until: i64) {
    if let Err(error) = store.release_lease_taken_until(user, key, until).await {
        tracing::warn!(%error, "could not give back a fetch lease; it expires by itself");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::PoolOptions;

    async fn sqlite_store(name: &str) -> (Store, std::path::PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("euterpe-lease-{name}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("euterpe.db").display());
        let store = Store::connect(&url, PoolOptions::default()).await.unwrap();
        store.migrate().await.unwrap();
        (store, dir)
    }

    /// Callers dropped at every stage of taking a lease leave none behind: the next fetch
    /// takes it at once instead of waiting for an expiry (the clock here never moves, so a
    /// forgotten lease would stay forever).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_caller_dropped_while_taking_a_lease_leaves_none_behind() {
        let (store, dir) = sqlite_store("dropped").await;
        let new = crate::store::NewUser {
            spotify_account_id: "listener".into(),
            spotify_id: "listener".into(),
            display_name: None,
            email: None,
        };
        let user = store.upsert_user(&new, 1_000).await.unwrap().id;
        let (now, until) = (1_000, 1_000 + LEASE.as_secs() as i64);
        for polls in 0..40 {
            let mut taking = Box::pin(Lease::try_take(&store, user, "top_artists", now, until));
            for _ in 0..polls % 5 {
                let mut context = std::task::Context::from_waker(std::task::Waker::noop());
                if taking.as_mut().poll(&mut context).is_ready() {
                    break;
                }
                tokio::task::yield_now().await;
            }
            if polls % 2 == 1 {
                // The answer arrives, and the caller goes without reading it.
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            drop(taking);
            let mut waited = 0;
            let lease = loop {
                if let Some(lease) = Lease::try_take(&store, user, "top_artists", now, until)
                    .await
                    .unwrap()
                {
                    break lease;
                }
                waited += 1;
                assert!(
                    waited < 500,
                    "a dropped caller's lease was never given back"
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            };
            // Held, it keeps others out; given back, it lets them in.
            assert!(
                Lease::try_take(&store, user, "top_artists", now, until)
                    .await
                    .unwrap()
                    .is_none()
            );
            lease.release().await.unwrap();
        }
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
