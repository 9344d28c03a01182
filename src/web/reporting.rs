//! Error reports to Sentry, when `SENTRY_DSN` is set: panics, `error`-level log events and every
//! 5xx answer, each filed under the request's matched route, and scrubbed (see
//! [`crate::telemetry::scrub`]) before it leaves.

use std::sync::Arc;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use sentry::{Hub, Level, SentryFutureExt};

use super::logging::REQUEST_ID;
use super::timeout::TimedOut;
use crate::telemetry::scrub;

/// Whether error reports go anywhere.
fn enabled() -> bool {
    Hub::main()
        .client()
        .is_some_and(|client| client.is_enabled())
}

/// Gives each request its own Sentry scope, named after its matched route (`GET /top_songs`) and
/// carrying the request (scrubbed) and its id; reports the answer if it is a 5xx of Euterpe's
/// own making and nothing was reported while making it (a panic, an `error` log event).
pub async fn report_errors(request: Request, next: Next) -> Response {
    if !enabled() {
        return next.run(request).await;
    }
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", |path| path.as_str());
    let transaction = format!("{} {route}", request.method());
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let details = scrub::request(sentry::protocol::Request {
        url: request_url(&request).and_then(|url| url.parse().ok()),
        method: Some(request.method().to_string()),
        headers: request
            .headers()
            .iter()
            .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
            .collect(),
        ..Default::default()
    });

    // A hub of its own per request, from the main one (not from this thread's, which other
    // requests' breadcrumbs may have passed through).
    let hub = Arc::new(Hub::new_from_top(Hub::main()));
    hub.configure_scope(|scope| {
        scope.set_transaction(Some(&transaction));
        if let Some(id) = &request_id {
            scope.set_tag("request_id", id);
        }
        scope.add_event_processor(move |mut event| {
            if event.request.is_none() {
                event.request = Some(details.clone());
            }
            Some(event)
        });
    });
    let response = next.run(request).bind_hub(hub.clone()).await;
    let status = response.status();
    let spotifys_fault = response
        .extensions()
        .get::<crate::telemetry::SpotifyFailure>()
        .is_some();
    let not_a_bug = response
        .extensions()
        .get::<crate::telemetry::NotABug>()
        .is_some();
    if status.is_server_error() && hub.last_event_id().is_none() && !spotifys_fault && !not_a_bug {
        let reason = match response.extensions().get::<TimedOut>() {
            Some(TimedOut(limit)) => format!(": cut after {} s", limit.as_secs()),
            None => String::new(),
        };
        let message = format!("{transaction} answered {}{reason}", status.as_u16());
        hub.capture_message(&message, Level::Error);
    }
    response
}

/// The URL the client asked for, as well as the server can tell (the host from `Host`).
fn request_url(request: &Request) -> Option<String> {
    let host = request
        .headers()
        .get(axum::http::header::HOST)?
        .to_str()
        .ok()?;
    let scheme = if super::forwarded::Forwarded::of(request).https() {
        "https"
    } else {
        "http"
    };
    let path = request
        .uri()
        .path_and_query()
        .map_or("/", |path| path.as_str());
    Some(format!("{scheme}://{host}{path}"))
}

/// The answer for a request whose handler panicked: the error page's 500. The panic itself is
/// reported by Sentry's panic hook, inside the request's scope.
pub fn panicked(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    use axum::response::IntoResponse;
    let mut response = axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
    // Rendered by the error-page middleware; not logged again as an error (that would be a
    // second report of the same panic).
    response
        .extensions_mut()
        .insert(crate::error::ErrorMarker(Arc::new(
            crate::error::AppError::Internal("a request handler panicked".into()),
        )));
    response
}
