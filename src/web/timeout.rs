//! Every request gets at most `REQUEST_TIMEOUT_SECS` (15 s by default). Heroku's router gives up
//! after 30 s with a bare H12 error page; Euterpe gives up first and says so in its own words: a
//! panel shows its error state with a retry, anything else a plain 503 page.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::extract::RenderMode;
use crate::panel::Panel;
use crate::spotify::models::TimeRange;
use crate::state::AppState;
use crate::views::panels::{Scope, Viewer};
use crate::views::{self, Chrome};

/// Marks a response made because the request ran out of time (error reports say so).
#[derive(Clone, Copy, Debug)]
pub struct TimedOut(pub std::time::Duration);

/// Runs the request, or answers 503 once the configured time is up (the handler is dropped).
/// An export upload (`POST /import`) is exempt: receiving a large file over a slow line takes
/// as long as it takes, and the import itself runs in the background afterwards. It has a
/// deadline of its own instead: 30 s without a byte (see [`super::import`]).
pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() == axum::http::Method::POST
        && request
            .extensions()
            .get::<MatchedPath>()
            .is_some_and(|path| path.as_str() == "/import")
    {
        return next.run(request).await;
    }
    let limit = state.config.request_timeout;
    let mode = RenderMode::from_headers(request.headers());
    let panel = panel_of(&request);
    let range = request.uri().query().and_then(time_range);
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(
                limit_secs = limit.as_secs(),
                "request cut: it took longer than REQUEST_TIMEOUT_SECS"
            );
            let mut response = timed_out(&state, mode, panel, range, limit.as_secs());
            response.extensions_mut().insert(TimedOut(limit));
            response
        }
    }
}

/// The panel a request asks for, and the prefix of its URLs: `/top_songs` (the owner's) or
/// `/s/{token}/top_songs` (a share link's).
fn panel_of(request: &Request) -> Option<(Panel, String)> {
    let matched = request.extensions().get::<MatchedPath>()?.as_str();
    let path = request.uri().path();
    match matched {
        "/s/{token}/{panel}" => {
            let (base, name) = path.rsplit_once('/')?;
            Some((Panel::from_name(name)?, base.to_owned()))
        }
        _ => Some((Panel::from_name(matched.strip_prefix('/')?)?, String::new())),
    }
}

fn timed_out(
    state: &AppState,
    mode: RenderMode,
    panel: Option<(Panel, String)>,
    range: Option<TimeRange>,
    limit_secs: u64,
) -> Response {
    let status = StatusCode::SERVICE_UNAVAILABLE;
    let mut response = match (mode, panel) {
        (RenderMode::Fragment, Some((panel, base))) => {
            let scope = Scope {
                base: &base,
                viewer: Viewer::Owner,
                panels: &Panel::ALL,
            };
            let url = scope.panel_url(panel, range);
            let body = views::limits::panel_timed_out(panel, &url, limit_secs);
            (status, views::panels::frame(scope, panel, range, body)).into_response()
        }
        (RenderMode::Fragment, None) => {
            let (title, body) = views::limits::timed_out(limit_secs);
            (status, views::limits::fragment(title, body)).into_response()
        }
        (RenderMode::Page, _) => {
            let (title, body) = views::limits::timed_out(limit_secs);
            let main = views::limits::page_main(title, body);
            let chrome = Chrome::anonymous(state.demo.is_some());
            (status, views::layout::page(title, chrome, main)).into_response()
        }
    };
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("HX-Request"));
    response
}

/// The `time_range` of a query string, when it is one Euterpe knows.
fn time_range(query: &str) -> Option<TimeRange> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == "time_range")
        .and_then(|(_, value)| TimeRange::parse(value))
}
