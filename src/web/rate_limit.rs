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
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{FromFnLayer, Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::extract::RenderMode;
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

/// The client's address: the last hop of `X-Forwarded-For` when a router sent one (Heroku's
/// appends the address it saw, so earlier hops may be made up by the client), else the peer.
///
/// The header is believed only from a peer on a private network or this machine — where a
/// router or reverse proxy sits (Heroku's router reaches a dyno from a private address). A
/// client on the internet talking to Euterpe directly is its own peer address, whatever
/// `X-Forwarded-For` it sends, so it can't pick its own bucket.
pub fn client_ip(headers: &HeaderMap, peer: Option<SocketAddr>) -> Option<IpAddr> {
    if let Some(peer) = peer
        && !is_internal(peer.ip())
    {
        return Some(peer.ip());
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .rfind(|hop| !hop.is_empty())
        .and_then(|hop| {
            hop.parse::<IpAddr>()
                .ok()
                .or_else(|| hop.parse::<SocketAddr>().ok().map(|addr| addr.ip()))
        });
    forwarded.or(peer.map(|peer| peer.ip()))
}

/// Whether an address is loopback, private (RFC 1918, IPv6 unique-local), link-local or shared
/// carrier-grade space: where a proxy in front of Euterpe connects from.
fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_internal(IpAddr::V4(v4)),
            None => {
                let first = v6.segments()[0];
                v6.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
            }
        },
    }
}

async fn check(limiter: Limiter, request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    let mut keys = Vec::with_capacity(2);
    if let Some(ip) = client_ip(request.headers(), peer) {
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

    #[test]
    fn the_client_is_the_last_forwarded_hop() {
        let peer: SocketAddr = "10.1.2.3:5555".parse().unwrap();
        let mut headers = HeaderMap::new();
        assert_eq!(
            client_ip(&headers, Some(peer)),
            Some("10.1.2.3".parse().unwrap())
        );
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.9, 198.51.100.7"),
        );
        assert_eq!(
            client_ip(&headers, Some(peer)),
            Some("198.51.100.7".parse().unwrap())
        );
        headers.append("x-forwarded-for", HeaderValue::from_static("2001:db8::1"));
        assert_eq!(
            client_ip(&headers, Some(peer)),
            Some("2001:db8::1".parse().unwrap())
        );
        let mut junk = HeaderMap::new();
        junk.insert("x-forwarded-for", HeaderValue::from_static("not-an-ip"));
        assert_eq!(
            client_ip(&junk, Some(peer)),
            Some("10.1.2.3".parse().unwrap())
        );
    }

    #[test]
    fn only_a_proxy_on_an_internal_address_is_believed() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("198.51.100.7"));
        let forwarded: IpAddr = "198.51.100.7".parse().unwrap();
        // Reached straight from the internet: the header is the client's own invention.
        for direct in [
            "203.0.113.5:4000",
            "[2001:db8::5]:4000",
            "[::ffff:203.0.113.5]:4000",
        ] {
            let peer: SocketAddr = direct.parse().unwrap();
            assert_eq!(client_ip(&headers, Some(peer)), Some(peer.ip()), "{direct}");
        }
        // Behind a router or proxy on this machine or a private network.
        for proxy in [
            "127.0.0.1:4000",
            "10.1.2.3:4000",
            "172.16.0.9:4000",
            "192.168.1.1:4000",
            "100.64.0.1:4000",
            "[::1]:4000",
            "[fd00::1]:4000",
            "[fe80::1]:4000",
            "[::ffff:10.0.0.1]:4000",
        ] {
            let peer: SocketAddr = proxy.parse().unwrap();
            assert_eq!(client_ip(&headers, Some(peer)), Some(forwarded), "{proxy}");
        }
    }
}
