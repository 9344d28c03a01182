//! Misbehaviour on demand for the open services: 429s with `Retry-After`, 503s and delays.

use super::*;

/// A misbehaviour to inject into one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenFault {
    pub service: OpenService,
    /// `None`: every route of the service; else a route as the counters name it, e.g.
    /// `"GET /artist/{mbid}"` or `"POST /popularity/recording"`.
    pub route: Option<String>,
    pub kind: OpenFaultKind,
    /// How many requests it hits; `None` until [`FakeOpenData::clear_faults`].
    pub times: Option<usize>,
}

/// What an injected fault does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenFaultKind {
    /// `429 Too Many Requests` with `Retry-After: N`.
    RateLimited { retry_after_secs: u64 },
    /// `503 Service Unavailable`, with `Retry-After` when given (MusicBrainz's way of saying
    /// "slow down" as well as "down").
    Unavailable { retry_after_secs: Option<u64> },
    /// Waits this long (real time) before answering normally.
    Delay(Duration),
}

pub(super) fn take_faults(
    fake: &FakeOpenData,
    service: OpenService,
    key: &str,
) -> (Vec<Duration>, Option<OpenFaultKind>) {
    let mut faults = lock(&fake.inner.faults);
    let mut delays = Vec::new();
    let mut failure = None;
    for fault in faults.iter_mut() {
        let hits = fault.service == service
            && fault.route.as_deref().is_none_or(|route| route == key)
            && fault.times != Some(0);
        if !hits {
            continue;
        }
        match &fault.kind {
            OpenFaultKind::Delay(delay) => delays.push(*delay),
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

/// A failing answer in the service's own error format.
pub(super) fn fault_response(service: OpenService, kind: &OpenFaultKind) -> Response {
    let (status, retry_after) = match kind {
        OpenFaultKind::RateLimited { retry_after_secs } => {
            (StatusCode::TOO_MANY_REQUESTS, Some(*retry_after_secs))
        }
        OpenFaultKind::Unavailable { retry_after_secs } => {
            (StatusCode::SERVICE_UNAVAILABLE, *retry_after_secs)
        }
        OpenFaultKind::Delay(_) => unreachable!("delays never fail a request"),
    };
    let mut response = match service {
        OpenService::MusicBrainz => musicbrainz::error(
            status,
            if status == StatusCode::TOO_MANY_REQUESTS {
                "Your requests are exceeding the allowable rate limit."
            } else {
                "This website is temporarily unavailable."
            },
        ),
        OpenService::ListenBrainz => listenbrainz::error(
            status,
            status.canonical_reason().unwrap_or("Service unavailable"),
        ),
        OpenService::LastFm => {
            let (code, message) = if status == StatusCode::TOO_MANY_REQUESTS {
                (29, "Rate limit exceeded")
            } else {
                (
                    11,
                    "Service Offline - This service is temporarily offline. Try again later.",
                )
            };
            (
                status,
                axum::Json(serde_json::json!({ "error": code, "message": message })),
            )
                .into_response()
        }
    };
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}
