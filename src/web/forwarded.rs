//! The one place that decides what `X-Forwarded-For` and `X-Forwarded-Proto` are believed to
//! say: only what a trusted proxy sent (`TRUSTED_PROXIES`, see
//! [`crate::config::TrustedProxies`]). Anyone else could write them to pick their own rate-limit
//! bucket or to pass for HTTPS.
//!
//! [`super::with_middleware`] reads each request once and attaches the result; everything
//! after it (cookies, the HTTPS redirect, rate limits, absolute URLs, error reports) asks
//! [`Forwarded::of`].

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};

use crate::config::TrustedProxies;

/// The scheme a trusted proxy says the client used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    Http,
    Https,
}

/// What is known of a request's client and connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Forwarded {
    /// The address of the TCP peer (a proxy, or the client itself).
    pub peer: Option<IpAddr>,
    /// The client: the last hop of `X-Forwarded-For` when a trusted proxy sent one (Heroku's
    /// router appends the address it saw, so earlier hops may be made up), else the peer.
    pub client: Option<IpAddr>,
    /// What a trusted proxy's `X-Forwarded-Proto` says; `None` without one.
    pub proto: Option<Proto>,
}

impl Forwarded {
    /// Reads the headers of a request from `peer`, believing them only if `proxies` trusts it.
    pub fn read(proxies: &TrustedProxies, headers: &HeaderMap, peer: Option<IpAddr>) -> Self {
        let untrusted = Self {
            peer,
            client: peer,
            proto: None,
        };
        if !peer.is_some_and(|peer| proxies.trusts(peer)) {
            return untrusted;
        }
        let client = headers
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
        let proto = headers
            .get("x-forwarded-proto")
            .and_then(|value| value.to_str().ok())
            .and_then(|proto| match proto.trim() {
                p if p.eq_ignore_ascii_case("https") => Some(Proto::Https),
                p if p.eq_ignore_ascii_case("http") => Some(Proto::Http),
                _ => None,
            });
        Self {
            peer,
            client: client.or(peer),
            proto,
        }
    }

    /// What [`super::with_middleware`] attached to the request; without it (a route served
    /// outside that middleware), the peer alone, no header believed.
    pub fn of(request: &Request) -> Self {
        Self::from_extensions(request.extensions())
    }

    fn from_extensions(extensions: &Extensions) -> Self {
        extensions.get::<Self>().copied().unwrap_or_else(|| {
            let peer = extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip());
            Self {
                peer,
                client: peer,
                proto: None,
            }
        })
    }

    /// Whether a trusted proxy says the client connected over HTTPS.
    pub fn https(&self) -> bool {
        self.proto == Some(Proto::Https)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Forwarded {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_extensions(&parts.extensions))
    }
}

/// Attaches what the request's forwarding headers are believed to say (see the module's
/// documentation), and returns it.
pub fn attach(proxies: &TrustedProxies, request: &mut Request) -> Forwarded {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let forwarded = Forwarded::read(proxies, request.headers(), peer);
    request.extensions_mut().insert(forwarded);
    forwarded
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn a_trusted_proxy_is_believed_and_only_its_last_hop() {
        let proxies = TrustedProxies::from_var(None, true).unwrap();
        let router = Some("10.1.2.3".parse().unwrap());
        let read = |pairs| Forwarded::read(&proxies, &headers(pairs), router);
        let seen = read(&[
            ("x-forwarded-for", "6.6.6.6, 203.0.113.9"),
            ("x-forwarded-proto", "https"),
        ]);
        assert_eq!(seen.client, Some("203.0.113.9".parse().unwrap()));
        assert!(seen.https());
        // Several header lines, a port, junk.
        let lines = read(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-for", "[2001:db8::7]:443"),
        ]);
        assert_eq!(lines.client, Some("2001:db8::7".parse().unwrap()));
        assert_eq!(lines.proto, None);
        let junk = read(&[("x-forwarded-for", "unknown"), ("x-forwarded-proto", "ftp")]);
        assert_eq!((junk.client, junk.proto), (router, None));
        assert_eq!(
            read(&[("x-forwarded-proto", "HTTP")]).proto,
            Some(Proto::Http)
        );
    }

    #[test]
    fn anyone_else_is_their_own_address_over_plain_http() {
        let proxies = TrustedProxies::from_var(None, false).unwrap();
        let lies = headers(&[
            ("x-forwarded-for", "192.0.2.1"),
            ("x-forwarded-proto", "https"),
        ]);
        for peer in ["203.0.113.9", "10.1.2.3", "::ffff:192.168.1.5"] {
            let peer = Some(peer.parse().unwrap());
            let seen = Forwarded::read(&proxies, &lies, peer);
            assert_eq!((seen.client, seen.https()), (peer, false), "{peer:?}");
        }
        let unknown = Forwarded::read(&proxies, &lies, None);
        assert_eq!((unknown.client, unknown.https()), (None, false));
    }
}
