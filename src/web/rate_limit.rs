//! Rate limits on the endpoints where abuse is cheap for an attacker and dear for Euterpe (each
//! login start and callback costs a Spotify round trip and a database write; an import parses a
//! whole export).
//!
//! Each limit is a token bucket per client IP and, when someone is logged in, per user: a burst
//! of `burst` requests, refilled evenly over `period`. A refused request gets `429` with
//! `Retry-After` and a page (or, for htmx, a fragment) saying when to try again.
//!
//! The buckets live in the memory of each process: two web dynos allow twice the rate, and a
//! restart forgets them. That is enough against the abuse these limits are for.
//!
//! Adding a limit to a route is one line, on its method router:
//!
//! ```ignore
//! .route("/import", post(history::import).layer(rate_limit::limit(Quota::IMPORT)))
//! ```

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

    /// Tokens added per second.
    fn rate(&self) -> f64 {
        f64::from(self.burst) / self.period.as_secs_f64()
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

/// One quota's buckets, shared by every copy of the route.
#[derive(Clone, Debug)]
pub struct Limiter {
    quota: Quota,
    buckets: Arc<Mutex<HashMap<String, Bucket>>>,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Buckets kept before full (idle) ones are forgotten.
const MAX_BUCKETS: usize = 10_000;

impl Limiter {
    /// Empty buckets for `quota`.
    pub fn new(quota: Quota) -> Self {
        Self {
            quota,
            buckets: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Takes one request from every key's bucket, or none: `Err` holds how long until every
    /// key has one again.
    pub fn take(&self, keys: &[String], now: Instant) -> Result<(), Duration> {
        let rate = self.quota.rate();
        let burst = f64::from(self.quota.burst);
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > MAX_BUCKETS {
            buckets.retain(|_, bucket| refilled(bucket, now, rate, burst) < burst);
        }
        let mut wait = Duration::ZERO;
        for key in keys {
            let tokens = buckets
                .get(key)
                .map_or(burst, |bucket| refilled(bucket, now, rate, burst));
            if tokens < 1.0 {
                wait = wait.max(Duration::from_secs_f64((1.0 - tokens) / rate));
            }
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        for key in keys {
            let tokens = buckets
                .get(key)
                .map_or(burst, |bucket| refilled(bucket, now, rate, burst));
            buckets.insert(
                key.clone(),
                Bucket {
                    tokens: tokens - 1.0,
                    at: now,
                },
            );
        }
        Ok(())
    }
}

fn refilled(bucket: &Bucket, now: Instant, rate: f64, burst: f64) -> f64 {
    let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
    (bucket.tokens + elapsed * rate).min(burst)
}

async fn check(limiter: Limiter, request: Request, next: Next) -> Response {
    let mut keys = Vec::with_capacity(2);
    // The address a trusted proxy reports, else the peer's: a client talking to Euterpe
    // directly can't pick its own bucket by sending `X-Forwarded-For`.
    if let Some(ip) = Forwarded::of(&request).client {
        keys.push(format!("ip:{ip}"));
    }
    if let Some(session) = request.extensions().get::<Session>() {
        // A session that can't be read (database down) limits by address alone; the handler
        // reports the database.
        if let Ok(Some((user, _))) = AppSession(session.clone()).user().await {
            keys.push(format!("user:{user}"));
        }
    }
    match limiter.take(&keys, Instant::now()) {
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
    use super::*;

    #[test]
    fn a_burst_then_one_per_interval() {
        let limiter = Limiter::new(Quota {
            name: "t",
            burst: 3,
            period: Duration::from_secs(30),
        });
        let start = Instant::now();
        let key = vec!["ip:192.0.2.1".to_owned()];
        for _ in 0..3 {
            assert_eq!(limiter.take(&key, start), Ok(()));
        }
        assert_eq!(limiter.take(&key, start), Err(Duration::from_secs(10)));
        // Another address has its own bucket.
        assert_eq!(limiter.take(&["ip:192.0.2.2".to_owned()], start), Ok(()));
        assert!(limiter.take(&key, start + Duration::from_secs(9)).is_err());
        assert_eq!(limiter.take(&key, start + Duration::from_secs(10)), Ok(()));
    }

    #[test]
    fn every_key_must_have_room_and_a_refusal_takes_nothing() {
        let limiter = Limiter::new(Quota {
            name: "t",
            burst: 1,
            period: Duration::from_secs(60),
        });
        let now = Instant::now();
        let user = "user:u1".to_owned();
        assert_eq!(limiter.take(&["ip:a".into(), user.clone()], now), Ok(()));
        // Same user from another address: refused, and the new address's bucket is untouched.
        assert!(limiter.take(&["ip:b".into(), user], now).is_err());
        assert_eq!(limiter.take(&["ip:b".into()], now), Ok(()));
    }
}
