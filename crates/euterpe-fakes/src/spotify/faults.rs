//! Misbehaviour on demand: 429s with `Retry-After`, error statuses and delays, for chosen routes
//! and personas, as many times as asked.

use super::*;

/// A misbehaviour to inject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// `None`: every `/v1` route. Otherwise one route, written like the counters' keys, e.g.
    /// `"GET /v1/me/top/tracks"`, `"GET /v1/playlists/{id}/items"` or `"POST /api/token"`.
    pub route: Option<String>,
    /// Only requests made for this persona (by its access, refresh or authorization code).
    pub persona: Option<String>,
    /// What happens to the requests it hits.
    pub kind: FaultKind,
    /// How many requests it hits; `None` until [`FakeSpotify::clear_faults`].
    pub times: Option<usize>,
}

/// What an injected fault does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// `429` with `Retry-After: N` (seconds).
    RateLimited { retry_after_secs: u64 },
    /// This status (e.g. 500, 502, 503) with an error body.
    Status(u16),
    /// Waits this long (real time) before answering normally.
    Delay(std::time::Duration),
}

/// The answer of a failing fault: Web API errors on `/v1`, OAuth errors on the accounts service.
pub(super) fn fault_response(kind: &FaultKind, api: bool) -> Response {
    let (status, retry_after) = match kind {
        FaultKind::RateLimited { retry_after_secs } => (429, Some(*retry_after_secs)),
        FaultKind::Status(status) => (*status, None),
        FaultKind::Delay(_) => unreachable!("delays never fail a request"),
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let message = match status.as_u16() {
        429 => "API rate limit exceeded",
        502 => "Bad gateway.",
        503 => "Service unavailable",
        _ => status.canonical_reason().unwrap_or("Server error"),
    };
    let body = if api {
        json::error(status.as_u16(), message)
    } else {
        let code = match status.as_u16() {
            429 => "rate_limited",
            502..=504 => "temporarily_unavailable",
            _ => "server_error",
        };
        serde_json::json!({ "error": code, "error_description": message })
    };
    let mut response = (status, axum::Json(body)).into_response();
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

impl FakeSpotify {
    /// The faults that hit this request: delays to wait, then at most one failing answer.
    pub(super) fn take_faults(
        &self,
        key: &str,
        concrete: &str,
        api: bool,
        persona: Option<usize>,
    ) -> (Vec<std::time::Duration>, Option<FaultKind>) {
        let mut faults = lock(&self.inner.faults);
        let mut delays = Vec::new();
        let mut failure = None;
        for fault in faults.iter_mut() {
            let route_matches = match &fault.route {
                None => api,
                Some(route) => route == key || route == concrete,
            };
            let persona_matches = match &fault.persona {
                None => true,
                Some(name) => {
                    personas::index_of(name).is_some() && personas::index_of(name) == persona
                }
            };
            if !route_matches || !persona_matches || fault.times == Some(0) {
                continue;
            }
            match &fault.kind {
                FaultKind::Delay(delay) => delays.push(*delay),
                _ if failure.is_some() => continue,
                kind => failure = Some(kind.clone()),
            }
            if let Some(times) = fault.times.as_mut() {
                *times -= 1;
            }
        }
        faults.retain(|fault| fault.times != Some(0));
        (delays, failure)
    }
}
