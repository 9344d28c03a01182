//! The open connections: how many, which are busy, and room for one more.
//!
//! A connection is *busy* from the moment its request header has been read until its response
//! body has been sent; otherwise it is waiting for a request header (a new connection, a slow
//! or half-sent header, or an idle keep-alive). When the bound is reached, the oldest waiting
//! connection is closed to make room: a client that can't finish its header loses its place to
//! one that may (a load balancer's health check), and a request in flight is never cut.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use tokio::sync::Notify;

/// The set of open connections, bounded.
#[derive(Debug)]
pub struct Connections {
    max: usize,
    open: Mutex<Open>,
    /// Signalled whenever a connection ends.
    ended: Notify,
}

#[derive(Debug, Default)]
struct Open {
    next_id: u64,
    /// By id, so in order of age (oldest first).
    slots: BTreeMap<u64, Slot>,
}

#[derive(Debug)]
struct Slot {
    state: Arc<State>,
    /// Asked to close (it still counts until its task ends, but not towards the bound).
    closing: bool,
}

/// What a connection and the registry share.
#[derive(Debug, Default)]
pub struct State {
    /// Requests between their header and the end of their response body.
    busy: AtomicUsize,
    /// Signalled to close a connection that waits for a request.
    close: Notify,
}

impl State {
    /// Whether a request is in progress on the connection.
    pub fn is_busy(&self) -> bool {
        self.busy.load(Ordering::SeqCst) > 0
    }

    /// Waits until the registry asks this connection to close.
    pub async fn close_requested(&self) {
        self.close.notified().await;
    }
}

impl Connections {
    /// An empty set that holds at most `max` connections (at least one).
    pub fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            max: max.max(1),
            open: Mutex::new(Open::default()),
            ended: Notify::new(),
        })
    }

    fn open(&self) -> MutexGuard<'_, Open> {
        // A panic while holding the lock leaves plain counters behind: still usable.
        self.open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How many connections are open (closing ones included).
    pub fn len(&self) -> usize {
        self.open().slots.len()
    }

    /// Whether no connection is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Registers a new connection; it leaves the set when the ticket drops.
    pub fn register(self: &Arc<Self>) -> Ticket {
        let state = Arc::new(State::default());
        let mut open = self.open();
        let id = open.next_id;
        open.next_id += 1;
        open.slots.insert(
            id,
            Slot {
                state: state.clone(),
                closing: false,
            },
        );
        Ticket {
            id,
            state,
            connections: self.clone(),
        }
    }

    /// Asks the oldest connection that waits for a request to close. Returns whether there
    /// was one.
    pub fn close_oldest_waiting(&self) -> bool {
        let mut open = self.open();
        let oldest = open
            .slots
            .values_mut()
            .find(|slot| !slot.closing && !slot.state.is_busy());
        match oldest {
            Some(slot) => {
                slot.closing = true;
                // A stored permit: the connection sees it even if it is not waiting yet.
                slot.state.close.notify_one();
                true
            }
            None => false,
        }
    }

    /// How many connections count towards the bound (those asked to close don't).
    fn counted(open: &Open) -> usize {
        open.slots.values().filter(|slot| !slot.closing).count()
    }

    /// Returns once one more connection may be let in: the set is not full, or one of its
    /// connections waits for a request and can make room. While every connection is busy,
    /// new clients wait in the listen queue.
    pub async fn wait_for_room(&self) {
        loop {
            let ended = self.ended.notified();
            tokio::pin!(ended);
            ended.as_mut().enable();
            let room = {
                let open = self.open();
                Self::counted(&open) < self.max
                    || open
                        .slots
                        .values()
                        .any(|slot| !slot.closing && !slot.state.is_busy())
            };
            if room {
                return;
            }
            // A busy connection becoming idle signals nothing, so look again now and then.
            let _ = tokio::time::timeout(Duration::from_millis(100), ended).await;
        }
    }

    /// Keeps the bound after a new connection came in: when over it, the oldest connection
    /// waiting for a request is asked to close. (Only when a new client needs the room: a
    /// full set of idle keep-alive connections is left alone.)
    pub fn keep_bound(&self) {
        let over = Self::counted(&self.open()) > self.max;
        if over {
            self.close_oldest_waiting();
        }
    }

    /// Waits until every connection has ended.
    pub async fn all_ended(&self) {
        loop {
            let ended = self.ended.notified();
            tokio::pin!(ended);
            ended.as_mut().enable();
            if self.is_empty() {
                return;
            }
            ended.await;
        }
    }
}

/// A connection's place in the set.
#[derive(Debug)]
pub struct Ticket {
    id: u64,
    state: Arc<State>,
    connections: Arc<Connections>,
}

impl Ticket {
    /// What the connection shares with the set.
    pub fn state(&self) -> &Arc<State> {
        &self.state
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.connections.open().slots.remove(&self.id);
        self.connections.ended.notify_waiters();
    }
}

/// Marks a connection busy while it lives: made when a request header has been read, kept by
/// the response body until it has been sent (or dropped).
#[derive(Debug)]
pub struct Busy(Arc<State>);

impl Busy {
    /// Marks the connection of `state` busy.
    pub fn start(state: &Arc<State>) -> Self {
        state.busy.fetch_add(1, Ordering::SeqCst);
        Self(state.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A response body that keeps its connection marked busy until it is done. Everything else
/// (length, end of stream) is the inner body's, so `Content-Length` is kept.
pub struct TrackedBody {
    inner: Body,
    _busy: Busy,
}

impl TrackedBody {
    /// `inner`, keeping `busy` alive as long as it is.
    pub fn new(inner: Body, busy: Busy) -> Self {
        Self { inner, _busy: busy }
    }
}

impl http_body::Body for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_set_closes_its_oldest_waiting_connection_never_a_busy_one() {
        let connections = Connections::new(3);
        let first = connections.register();
        let second = connections.register();
        let third = connections.register();
        // The oldest is in the middle of a request.
        let busy = Busy::start(first.state());
        // Full, but nobody else needs the room: nobody is closed.
        connections.keep_bound();
        connections.wait_for_room().await;
        let fourth = connections.register();
        connections.keep_bound();
        // The second (oldest waiting) was asked to close; the others were not.
        tokio::time::timeout(Duration::from_secs(1), second.state().close_requested())
            .await
            .expect("the oldest waiting connection is asked to close");
        for other in [&first, &third, &fourth] {
            let asked =
                tokio::time::timeout(Duration::from_millis(50), other.state().close_requested());
            assert!(asked.await.is_err(), "only the oldest waiting one closes");
        }
        drop(second);
        assert_eq!(connections.len(), 3);
        drop(busy);
        drop((first, third, fourth));
        assert!(connections.is_empty());
    }

    #[tokio::test]
    async fn a_set_of_busy_connections_waits_for_one_to_end() {
        let connections = Connections::new(1);
        let only = connections.register();
        let busy = Busy::start(only.state());
        let waiting = tokio::spawn({
            let connections = connections.clone();
            async move { connections.wait_for_room().await }
        });
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(!waiting.is_finished(), "no room while the only one is busy");
        drop(busy);
        drop(only);
        tokio::time::timeout(Duration::from_secs(1), waiting)
            .await
            .expect("room once it ended")
            .unwrap();
    }
}
