//! Rate limits on the endpoints where abuse is cheap for an attacker and dear for Euterpe (each
//! login start and callback costs a Spotify round trip and a database write; an import parses a
//! whole export).
//!
//! Each limit allows, per client IP and, when someone is logged in, per user, a burst of `burst`
//! requests, refilled evenly over `period` (`governor`'s keyed GCRA limiter, which is a token
//! bucket in other words). A refused request gets `429` with `Retry-After` and a page (or, for
//! htmx, a fragment) saying when to try again.
//!
//! The limits live in the memory of each process: two web dynos allow twice the rate, and a
//! restart forgets them. That is enough against the abuse these limits are for.
//!
//! Adding a limit to a route is one line, on its method router:
//!
//! ```ignore
//! .route("/import", post(history::import).layer(rate_limit::limit(Quota::IMPORT)))
//! ```

use std::future::Future;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, MonotonicClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::HashMapStateStore;
use governor::{Quota as Gcra, RateLimiter};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{FromFnLayer, Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::extract::RenderMode;
use super::forwarded::Forwarded;
use super::session::AppSession;
use crate::views::{self, Chrome};

/// How much one client (or user) may do: `burst` requests at once, refilled over `period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    /// Names the limit in logs.
    pub name: &'static str,
    pub burst: u32,
    pub period: Duration,
}

impl Quota {
    /// Login starts (`GET /login`): 10 a minute.
    pub const LOGIN: Quota = Quota {
        name: "login",
        burst: 10,
        period: Duration::from_secs(60),
    };
    /// Returns from Spotify (`GET /callback`): 10 a minute.
    pub const CALLBACK: Quota = Quota {
        name: "callback",
        burst: 10,
        period: Duration::from_secs(60),
    };
    /// Uploads of a Spotify data export (`POST /import`): 5 an hour.
    pub const IMPORT: Quota = Quota {
        name: "import",
        burst: 5,
        period: Duration::from_secs(3600),
    };

    /// Share-link pages and panels (`/s/…`), per visitor address: 300 a minute — a visitor
    /// loading every panel of a shared dashboard many times over, not a scraper's flood.
    pub const SHARE: Quota = Quota {
        name: "share",
        burst: 300,
        period: Duration::from_secs(60),
    };

    /// The same quota in `governor`'s terms: one request back every `period / burst`.
    fn gcra(&self) -> Gcra {
        let burst = NonZeroU32::new(self.burst).unwrap_or(NonZeroU32::MIN);
        let interval = self.period / burst.get();
        Gcra::with_period(interval)
            .unwrap_or_else(|| Gcra::per_second(NonZeroU32::MAX))
            .allow_burst(burst)
    }
}

/// The answer of the rate-limit middleware, boxed so that the layer's type can be named.
type Checked = Pin<Box<dyn Future<Output = Response> + Send>>;

/// The middleware function of [`limit`]'s layer.
type CheckFn = fn(State<Limiter>, Request, Next) -> Checked;

/// The layer that applies `quota` to a route (see the module documentation). Each call makes
/// its own buckets.
pub fn limit(quota: Quota) -> FromFnLayer<CheckFn, Limiter, (State<Limiter>, Request)> {
    let check: CheckFn = |State(limiter), request, next| Box::pin(check(limiter, request, next));
    from_fn_with_state(Limiter::new(quota), check)
}

/// `governor`'s limiter with one allowance per key.
type Keyed<C> =
    RateLimiter<String, HashMapStateStore<String>, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// One quota's limiter, shared by every copy of the route. Generic over the clock so that the
/// unit tests can move time by hand.
#[derive(Clone)]
pub struct Limiter<C: Clock = MonotonicClock> {
    quota: Quota,
    keys: Arc<Keyed<C>>,
    clock: C,
}

impl<C: Clock> std::fmt::Debug for Limiter<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter")
            .field("quota", &self.quota)
            .finish()
    }
}

/// Keys remembered before those back at a full allowance are forgotten (memory stays bounded
/// however many addresses come by).
const MAX_KEYS: usize = 10_000;

impl Limiter {
    /// A fresh limiter for `quota` on the system's monotonic clock.
    pub fn new(quota: Quota) -> Self {
        Self::with_clock(quota, MonotonicClock)
    }
}

impl<C: Clock + Clone> Limiter<C> {
    /// A fresh limiter for `quota` on `clock`.
    pub fn with_clock(quota: Quota, clock: C) -> Self {
        Self {
            quota,
            keys: Arc::new(RateLimiter::hashmap_with_clock(quota.gcra(), clock.clone())),
            clock,
        }
    }

    /// Takes one request from each key's allowance, in order, stopping at the first key without
    /// room: `Err` holds how long until that key has one again. The caller puts the user before
    /// the address, so a user refused (say, from a second address) spends nothing of that
    /// address's allowance.
    pub fn take(&self, keys: &[String]) -> Result<(), Duration> {
        if self.keys.len() > MAX_KEYS {
            self.keys.retain_recent();
            self.keys.shrink_to_fit();
        }
        for key in keys {
            if let Err(not_until) = self.keys.check_key(key) {
                return Err(not_until.wait_time_from(self.clock.now()));
            }
        }
        Ok(())
    }
}

async fn check(limiter: Limiter, request: Request, next: Next) -> Response {
    let mut keys = Vec::with_capacity(2);
    if let Some(session) = request.extensions().get::<Session>() {
        // A session that can't be read (database down) limits by address alone; the handler
        // reports the database.
        if let Ok(Some((user, _))) = AppSession(session.clone()).user().await {
            keys.push(format!("user:{user}"));
        }
    }
    // The address a trusted proxy reports, else the peer's: a client talking to Euterpe
    // directly can't pick its own allowance by sending `X-Forwarded-For`.
    if let Some(ip) = Forwarded::of(&request).client {
        keys.push(format!("ip:{ip}"));
    }
    match limiter.take(&keys) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let retry_after = wait.as_secs_f64().ceil().max(1.0) as u64;
            tracing::warn!(
                limit = limiter.quota.name,
                retry_after_secs = retry_after,
                "rate limited"
            );
            too_many_requests(RenderMode::from_headers(request.headers()), retry_after)
        }
    }
}

fn too_many_requests(mode: RenderMode, retry_after: u64) -> Response {
    let now = time::OffsetDateTime::now_utc();
    let (title, body) = views::limits::too_many_requests(retry_after, now);
    let status = StatusCode::TOO_MANY_REQUESTS;
    let mut response = match mode {
        RenderMode::Fragment => (status, views::limits::fragment(title, body)).into_response(),
        RenderMode::Page => {
            let main = views::limits::page_main(title, body);
            // No demo banner needed: this page only says when to come back.
            let page = views::layout::page(title, Chrome::anonymous(false), main);
            (status, page).into_response()
        }
    };
    let headers = response.headers_mut();
    headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    headers.insert(header::VARY, HeaderValue::from_static("HX-Request"));
    response
}

#[cfg(test)]
mod tests {
    use governor::clock::FakeRelativeClock;

    use super::*;

    fn limiter(burst: u32, period_secs: u64) -> (Limiter<FakeRelativeClock>, FakeRelativeClock) {
        let clock = FakeRelativeClock::default();
        let quota = Quota {
            name: "t",
            burst,
            period: Duration::from_secs(period_secs),
        };
        (Limiter::with_clock(quota, clock.clone()), clock)
    }

    #[test]
    fn a_burst_then_one_per_interval() {
        let (limiter, clock) = limiter(3, 30);
        let key = vec!["ip:192.0.2.1".to_owned()];
        for _ in 0..3 {
            assert_eq!(limiter.take(&key), Ok(()));
        }
        assert_eq!(limiter.take(&key), Err(Duration::from_secs(10)));
        // Another address has its own allowance.
        assert_eq!(limiter.take(&["ip:192.0.2.2".to_owned()]), Ok(()));
        clock.advance(Duration::from_secs(9));
        assert!(limiter.take(&key).is_err());
        clock.advance(Duration::from_secs(1));
        assert_eq!(limiter.take(&key), Ok(()));
    }

    #[test]
    fn a_refused_user_spends_nothing_of_the_new_address() {
        let (limiter, _clock) = limiter(1, 60);
        let user = "user:u1".to_owned();
        assert_eq!(limiter.take(&[user.clone(), "ip:a".into()]), Ok(()));
        // Same user from another address: refused, and the new address's allowance is untouched.
        assert!(limiter.take(&[user, "ip:b".into()]).is_err());
        assert_eq!(limiter.take(&["ip:b".into()]), Ok(()));
    }

    #[test]
    fn forgotten_keys_keep_memory_bounded() {
        let (limiter, clock) = limiter(1, 1);
        for n in 0..=MAX_KEYS {
            assert_eq!(limiter.take(&[format!("ip:{n}")]), Ok(()));
        }
        clock.advance(Duration::from_secs(2));
        assert_eq!(limiter.take(&["ip:new".to_owned()]), Ok(()));
        assert!(limiter.keys.len() < 10, "{} keys kept", limiter.keys.len());
    }
}
