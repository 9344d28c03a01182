//! The web layer: routes, sessions, error pages and request logs.

use axum::Router;
use axum::extract::Request;
use axum::http::HeaderMap;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use axum_htmx::AutoVaryLayer;
use time::Duration as TimeDuration;
use tower::ServiceExt;
use tower_http::catch_panic::CatchPanicLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::error::AppError;
use crate::panel::Panel;
use crate::state::AppState;
use crate::store::SessionBackend;
use forwarded::Forwarded;
use rate_limit::Quota;

pub mod account;
pub mod assets;
pub mod auth;
pub mod cache;
pub mod compare;
pub mod csrf;
pub mod dashboard;
pub mod errors;
pub mod extract;
pub mod forwarded;
pub mod health;
pub mod history;
pub mod import;
pub mod logging;
pub mod panels;
pub mod rate_limit;
pub mod reporting;
pub mod security;
pub mod session;
pub mod share_year;
pub mod shares;
pub mod subjects;
pub mod timeout;
pub mod year;

/// Where demo mode serves the fake Spotify's pages and covers (its loopback port is private).
pub const DEMO_SPOTIFY_PREFIX: &str = "/demo-spotify";
/// The session cookie over plain HTTP (local use).
pub const SESSION_COOKIE: &str = "euterpe_session";
/// The session cookie over HTTPS: `__Host-` binds it to this exact origin, secure, path `/`.
pub const SECURE_SESSION_COOKIE: &str = "__Host-euterpe_session";
/// A session ends after this much inactivity.
pub const SESSION_INACTIVITY: TimeDuration = TimeDuration::days(14);

/// Every route of Euterpe, with sessions, error pages and logging.
pub fn router(state: AppState) -> Router {
    // One set of buckets for every share route, so a dashboard and its panels count together.
    let share_limit = rate_limit::limit(Quota::SHARE);
    let mut routes = Router::new()
        .route("/", get(dashboard::index))
        .route(
            "/login",
            get(auth::login).layer(rate_limit::limit(Quota::LOGIN)),
        )
        .route(
            "/callback",
            get(auth::callback).layer(rate_limit::limit(Quota::CALLBACK)),
        )
        .route("/logout", post(auth::logout))
        .route("/account", get(account::page))
        .route("/account/settings", post(account::save_settings))
        .route("/account/data", get(account::download))
        .route("/account/delete", post(account::delete))
        .route("/history", get(history::overview))
        .route("/history/top", get(history::top))
        .route("/history/clock", get(history::clock))
        .route("/history/months", get(history::months))
        .route("/history/seasons", get(history::seasons))
        .route("/tracks/{id}", get(subjects::track))
        .route("/tracks/by/{artist}/{title}", get(subjects::track_named))
        .route("/artists/{id}", get(subjects::artist))
        .route("/artists/by/{name}", get(subjects::artist_named))
        .route("/albums/{id}", get(subjects::album))
        .route("/albums/by/{artist}/{name}", get(subjects::album_named))
        .route("/compare", get(compare::list))
        .route("/compare/{id}", get(compare::page))
        .route("/compare/{id}/{section}", get(compare::section))
        .route("/account/compare", post(compare::save))
        .route("/year", get(year::latest))
        .route("/year/{year}", get(year::page))
        .route("/year/{year}/card.png", get(year::card_png_page))
        .route("/year/{year}/card.svg", get(year::card_svg_page))
        .route(
            "/import",
            get(import::form).merge(
                post(import::upload)
                    .layer(axum::extract::DefaultBodyLimit::disable())
                    .layer(rate_limit::limit(Quota::IMPORT)),
            ),
        )
        .route("/import/{id}", get(import::status))
        .route("/import/{id}/progress", get(import::progress))
        .route("/healthz", get(health::healthz))
        .route("/assets/{hash}/{file}", get(assets::serve))
        .route("/shares", post(shares::create))
        .route("/shares/{id}/revoke", post(shares::revoke))
        .route(
            "/s/{token}",
            get(shares::dashboard).layer(share_limit.clone()),
        )
        .route(
            "/s/{token}/year",
            get(share_year::latest).layer(share_limit.clone()),
        )
        .route(
            "/s/{token}/year/{year}",
            get(share_year::page).layer(share_limit.clone()),
        )
        .route(
            "/s/{token}/year/{year}/card.png",
            get(share_year::card_png).layer(share_limit.clone()),
        )
        .route(
            "/s/{token}/year/{year}/card.svg",
            get(share_year::card_svg).layer(share_limit.clone()),
        )
        .route("/s/{token}/{panel}", get(shares::panel).layer(share_limit));
    for panel in Panel::ALL {
        routes = routes.route(
            &panel.path(),
            get(move |state, current, mode, range| {
                panels::show(panel, state, current, mode, range)
            }),
        );
    }
    if let Some(demo) = &state.demo {
        // The fake's pages and covers, reachable through Euterpe's own origin: a deployed demo's
        // browsers can't reach the fake's loopback port, and covers stay same-origin.
        routes = routes.nest_service(DEMO_SPOTIFY_PREFIX, demo.clone());
    }
    with_middleware(state, routes)
}

/// `routes` behind everything every Euterpe route gets: sessions, error pages, time limits,
/// security headers and checks, error reports and request logs. (Tests use it to put routes of
/// their own behind the same middleware.)
pub fn with_middleware(state: AppState, routes: Router<AppState>) -> Router {
    // Innermost first: a panic becomes a 500; a changed session is saved; a request gets at most
    // REQUEST_TIMEOUT_SECS; cross-origin writes are refused; errors become pages; each request
    // has its own Sentry scope; HTTP moves to HTTPS and every answer gets the security headers;
    // every answer without a caching policy of its own gets `no-store, private` (redirects and
    // error pages included); one log line.
    let routes = routes
        .fallback(|| async { AppError::NotFound })
        .layer(CatchPanicLayer::custom(reporting::panicked))
        .layer(from_fn(session::persist))
        .layer(from_fn_with_state(state.clone(), timeout::limit))
        .layer(from_fn_with_state(state.clone(), security::same_origin))
        .layer(from_fn_with_state(state.clone(), errors::render_errors))
        .layer(AutoVaryLayer)
        .layer(from_fn(reporting::report_errors))
        .layer(from_fn_with_state(state.clone(), security::protect))
        .layer(from_fn(cache::no_store_by_default))
        .layer(from_fn(logging::log_requests))
        .with_state(state.clone());

    // Two copies of the routes, one per cookie policy, chosen per request: over HTTPS the cookie
    // is `Secure` and `__Host-`-prefixed; plain HTTP (local use) can't carry a secure cookie.
    let sessions = state.store.session_backend();
    let plain = routes.clone().layer(session_layer(sessions.clone(), false));
    let secure = routes.layer(session_layer(sessions, true));
    let https_by_config = state.https_by_config();
    let proxies = state.config.trusted_proxies.clone();
    Router::new().fallback_service(tower::service_fn(move |mut request: Request| {
        // Attached first, whatever the cookie policy: everything after this reads it.
        let forwarded = forwarded::attach(&proxies, &mut request);
        let https = https_by_config || forwarded.https();
        let router = if https { secure.clone() } else { plain.clone() };
        router.oneshot(request)
    }))
}

/// The one-time warning for an owner back after a long absence (see
/// [`crate::worker::retention`]), or nothing.
pub async fn retention_notice(
    state: &AppState,
    current: &extract::CurrentUser,
) -> Result<maud::Markup, AppError> {
    let warning = current
        .session
        .take_flash(crate::worker::retention::FLASH)
        .await?
        .as_deref()
        .and_then(crate::worker::retention::Warning::from_flash);
    Ok(match (warning, state.config.retention_inactive_days) {
        (Some(warning), Some(days)) => crate::views::retention::warning(warning, days),
        _ => maud::html! {},
    })
}

/// The site's origin for absolute URLs: the configured one (see
/// [`crate::config::Config::site_origin`]), else the `Host` the request came to, with `https`
/// when a trusted proxy says so.
pub fn origin(state: &AppState, headers: &HeaderMap, forwarded: Forwarded) -> String {
    if let Some(origin) = state.config.site_origin().url() {
        return origin.origin().ascii_serialization();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|value| value.to_str().ok())
        .filter(|host| !host.is_empty() && host.chars().all(|c| c.is_ascii_graphic()))
        .unwrap_or("127.0.0.1");
    let scheme = if forwarded.https() { "https" } else { "http" };
    format!("{scheme}://{host}")
}

fn session_layer(store: SessionBackend, secure: bool) -> SessionManagerLayer<SessionBackend> {
    SessionManagerLayer::new(store)
        .with_name(if secure {
            SECURE_SESSION_COOKIE
        } else {
            SESSION_COOKIE
        })
        .with_secure(secure)
        .with_http_only(true)
        // Lax, not Strict: the return from Spotify's login page is a cross-site navigation.
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(SESSION_INACTIVITY))
}
