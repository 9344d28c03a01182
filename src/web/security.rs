//! What a public site sends and checks on every request: the security headers, the move from
//! plain HTTP to HTTPS behind a trusted router (Heroku's sets `X-Forwarded-Proto`; see
//! [`super::forwarded`]), and an `Origin`
//! check on every state-changing request (defence in depth beside each form's token, see
//! [`super::csrf`]).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use reqwest::Url;

use super::forwarded::{Forwarded, Proto};
use crate::error::AppError;
use crate::state::AppState;

/// The Content-Security-Policy of every response: scripts, styles, fonts and connections only
/// from this origin (no inline code, no `eval`), images also from Spotify's image hosts (album
/// art and portraits on `i.scdn.co`, playlist mosaics and uploaded playlist covers), no
/// plugins, no `<base>`, no framing, forms only to this origin.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' https://i.scdn.co https://mosaic.scdn.co https://image-cdn-ak.spotifycdn.com https://image-cdn-fa.spotifycdn.com data:; connect-src 'self'; \
     font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
     form-action 'self'";
/// HSTS for HTTPS responses: one year, subdomains included.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";
/// Other sites learn nothing of the pages their links or images were seen on.
pub const REFERRER_POLICY: &str = "same-origin";

/// The path that answers over plain HTTP too, so that local checks (and the router's) reach it.
const HEALTH_PATH: &str = "/healthz";

/// Sends plain-HTTP requests that came through a router to HTTPS, and adds the security headers
/// to every response.
pub async fn protect(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let https = state.https_by_config() || Forwarded::of(&request).https();
    if let Some(location) = https_location(&state, &request) {
        // 301 for reads; 308 keeps the method and body of anything else.
        let status = if matches!(*request.method(), Method::GET | Method::HEAD) {
            StatusCode::MOVED_PERMANENTLY
        } else {
            StatusCode::PERMANENT_REDIRECT
        };
        let mut response = (status, [(header::LOCATION, location)]).into_response();
        add_headers(response.headers_mut(), false);
        return response;
    }
    let mut response = next.run(request).await;
    add_headers(response.headers_mut(), https);
    response
}

/// Adds the security headers (HSTS only to responses sent over HTTPS).
pub fn add_headers(headers: &mut HeaderMap, https: bool) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static(REFERRER_POLICY),
    );
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        );
    }
}

/// Where a plain-HTTP request forwarded by a router must go instead, if it must: a trusted
/// proxy said `X-Forwarded-Proto: http`, the site is HTTPS (by `PUBLIC_URL`, or on Heroku), and
/// the path is not the health check. The host is the configured origin's (see
/// [`crate::config::Config::site_origin`]): the request's `Host` only when none is configured.
fn https_location(state: &AppState, request: &Request) -> Option<HeaderValue> {
    if Forwarded::of(request).proto != Some(Proto::Http)
        || !state.config.redirect_to_https()
        || request.uri().path() == HEALTH_PATH
    {
        return None;
    }
    let authority = match state.config.site_origin().url() {
        Some(origin) => {
            let host = origin.host_str()?;
            // An https origin's own port; an http one's port is not where HTTPS is served.
            match origin.port().filter(|_| origin.scheme() == "https") {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            }
        }
        // A demo review app: the host the browser asked for, checked to be one.
        None => {
            let host = request.headers().get(header::HOST)?.to_str().ok()?;
            let url = Url::parse(&format!("https://{host}/")).ok()?;
            if url.path() != "/" || !url.username().is_empty() || url.query().is_some() {
                return None;
            }
            url.host_str()?.to_owned()
        }
    };
    let path = request
        .uri()
        .path_and_query()
        .map_or("/", |path| path.as_str());
    HeaderValue::from_str(&format!("https://{authority}{path}")).ok()
}

/// Refuses a state-changing request (anything but GET, HEAD and OPTIONS) whose `Origin` is not
/// this site, or that the browser marks as cross-site. Requests without either header (old
/// browsers, scripts) pass on to the form-token check every such route makes.
pub async fn same_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && !origin_allowed(&state, request.headers()) {
        tracing::warn!(method = %request.method(), "refused a cross-origin request");
        return AppError::CrossSite.into_response();
    }
    next.run(request).await
}

/// Whether the request's `Origin` (if any) is this site: the configured origin (`PUBLIC_URL`,
/// in production else the redirect URI's), or the host the request was sent to.
fn origin_allowed(state: &AppState, headers: &HeaderMap) -> bool {
    if super::csrf::is_cross_site(headers) {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Some(origin) = origin
        .to_str()
        .ok()
        .and_then(|origin| Url::parse(origin).ok())
    else {
        // Includes `Origin: null` (sandboxed frames, some redirects): never this site.
        return false;
    };
    if let Some(site) = state.config.site_origin().url()
        && site.origin() == origin.origin()
    {
        return true;
    }
    let Some(host) = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
    else {
        return false;
    };
    let origin_authority = match origin.port() {
        Some(port) => format!("{}:{port}", origin.host_str().unwrap_or_default()),
        None => origin.host_str().unwrap_or_default().to_owned(),
    };
    origin_authority.eq_ignore_ascii_case(host)
}
