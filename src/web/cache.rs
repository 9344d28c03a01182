//! Caching: nothing Euterpe answers may be kept by a browser or a proxy, unless the handler
//! said otherwise.
//!
//! Pages, fragments, the account page, history, imports and the data download depend on the
//! session; share pages (`/s/…`) depend on a link that can be revoked at any time, and a
//! revocation must take effect at once. So every response gets `Cache-Control: no-store,
//! private` by default. Only handlers that know better set their own header, and it is kept:
//! the content-hashed assets (`public, max-age=31536000, immutable`, see [`super::assets`]; the
//! favicon is one of them) and, in demo mode, the fake Spotify's generated covers. `/healthz`
//! and error pages get the default: a health check must never be answered from a cache.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The `Cache-Control` of everything that depends on who asks (or on a revocable link).
pub const PRIVATE: &str = "no-store, private";

/// Adds `Cache-Control: no-store, private` to every response that has no `Cache-Control` yet.
pub async fn no_store_by_default(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static(PRIVATE));
    response
}
