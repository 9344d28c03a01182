//! The fake ListenBrainz API (`/1`): recording popularity (`POST /popularity/recording`) and the
//! metadata look-up by names (`GET /metadata/lookup/`). Every answer carries ListenBrainz's
//! `X-RateLimit-*` headers; with [`FakeOpenData::require_listenbrainz_token`] requests without
//! `Authorization: Token …` get `401`.

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::data::OpenWorld;
use super::{FakeOpenData, LISTENBRAINZ_TOKEN, OpenService, query_pairs};

/// The most MBIDs one popularity request takes (ListenBrainz's `MAX_ITEMS_PER_GET`).
const MAX_ITEMS: usize = 1000;
/// The quota the headers announce: requests per window of `RATE_WINDOW_SECS`.
const RATE_LIMIT: usize = 100;
const RATE_WINDOW_SECS: u64 = 10;

pub(super) fn routes() -> Router<FakeOpenData> {
    Router::new()
        .route("/popularity/recording", post(popularity))
        .route("/metadata/lookup/", get(lookup))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "Not found") })
}

/// ListenBrainz's error body.
pub(super) fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "code": status.as_u16(), "error": message })),
    )
        .into_response()
}

/// A `401` when the token rule is not met.
fn refusal(fake: &FakeOpenData, headers: &HeaderMap) -> Option<Response> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned());
    match given {
        Some(value) if value == format!("Token {LISTENBRAINZ_TOKEN}") => None,
        Some(_) => Some(error(
            StatusCode::UNAUTHORIZED,
            "Invalid authorization token.",
        )),
        None if fake.listenbrainz_requires_token() => Some(error(
            StatusCode::UNAUTHORIZED,
            "You need to provide an Authorization header.",
        )),
        None => None,
    }
}

/// Adds the quota headers: the remaining count falls with the requests of the current window.
fn with_rate_headers(fake: &FakeOpenData, mut response: Response) -> Response {
    let recent = {
        let counters = super::lock(&fake.inner.counters);
        counters.get(&OpenService::ListenBrainz).map_or(0, |c| {
            c.arrivals
                .iter()
                .filter(|at| at.elapsed().as_secs() < RATE_WINDOW_SECS)
                .count()
        })
    };
    let headers = response.headers_mut();
    headers.insert("x-ratelimit-limit", HeaderValue::from(RATE_LIMIT));
    headers.insert(
        "x-ratelimit-remaining",
        HeaderValue::from(RATE_LIMIT.saturating_sub(recent)),
    );
    headers.insert("x-ratelimit-reset-in", HeaderValue::from(RATE_WINDOW_SECS));
    response
}

/// `POST /popularity/recording {"recording_mbids": [...]}`: counts in the order asked, `null`
/// for recordings without data.
async fn popularity(
    State(fake): State<FakeOpenData>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Some(response) = refusal(&fake, &headers) {
        return with_rate_headers(&fake, response);
    }
    let parsed: Option<Vec<String>> = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| serde_json::from_value(v.get("recording_mbids")?.clone()).ok());
    let Some(mbids) = parsed else {
        return with_rate_headers(
            &fake,
            error(
                StatusCode::BAD_REQUEST,
                "recording_mbids JSON element must be present and contain a list of recording_mbids",
            ),
        );
    };
    if mbids.is_empty() || mbids.len() > MAX_ITEMS {
        return with_rate_headers(
            &fake,
            error(
                StatusCode::BAD_REQUEST,
                "give between 1 and 1000 recording_mbids",
            ),
        );
    }
    for mbid in &mbids {
        if uuid::Uuid::parse_str(mbid).is_err() {
            return with_rate_headers(
                &fake,
                error(
                    StatusCode::BAD_REQUEST,
                    &format!("recording_mbid {mbid} is not valid."),
                ),
            );
        }
        fake.record_subject(OpenService::ListenBrainz, mbid.clone());
    }
    let world = OpenWorld::get();
    let rows: Vec<Value> = mbids
        .iter()
        .map(|mbid| {
            let recording = world
                .recording_by_mbid
                .get(mbid)
                .map(|&r| &world.recordings[r]);
            json!({
                "recording_mbid": mbid,
                "total_listen_count": recording.and_then(|r| r.listens),
                "total_user_count": recording.and_then(|r| r.users),
            })
        })
        .collect();
    with_rate_headers(&fake, axum::Json(rows).into_response())
}

/// `GET /metadata/lookup/?artist_name=…&recording_name=…`: the best match, or `{}`.
async fn lookup(
    State(fake): State<FakeOpenData>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if let Some(response) = refusal(&fake, &headers) {
        return with_rate_headers(&fake, response);
    }
    let pairs = query_pairs(query.as_deref().unwrap_or(""));
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let (Some(artist), Some(recording)) = (get("artist_name"), get("recording_name")) else {
        return with_rate_headers(
            &fake,
            error(
                StatusCode::BAD_REQUEST,
                "artist_name and recording_name are required",
            ),
        );
    };
    fake.record_subject(
        OpenService::ListenBrainz,
        format!("lookup:{artist}|{recording}"),
    );
    let world = OpenWorld::get();
    let body = match world.lookup_by_names(&artist, &recording) {
        Some(found) => {
            let track = &world.pool_tracks[found.track];
            let artist_mbids: Vec<String> = track
                .artists
                .iter()
                .filter_map(|&a| world.mb_artist_of[a].map(|m| world.artists[m].mbid.clone()))
                .collect();
            let credit: Vec<&str> = track
                .artists
                .iter()
                .map(|&a| world.pool_artists[a].name.as_str())
                .collect();
            json!({
                "artist_credit_name": credit.join(" & "),
                "artist_mbids": artist_mbids,
                "recording_mbid": found.mbid,
                "recording_name": track.name,
                "release_mbid": super::data::mbid("release", &[&track.album, &track.release_date]),
                "release_name": track.album,
            })
        }
        None => json!({}),
    };
    with_rate_headers(&fake, axum::Json(body).into_response())
}
