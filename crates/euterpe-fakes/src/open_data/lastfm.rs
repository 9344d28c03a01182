//! The fake Last.fm API (`/2.0/?method=track.getInfo&format=json`). Like Last.fm, errors come
//! as `{"error": N, "message": …}` — "track not found" with `200 OK`; a wrong key with `403`.

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use super::data::OpenWorld;
use super::{FakeOpenData, LASTFM_API_KEY, OpenService, query_pairs};

/// Last.fm's one endpoint is its root, `/2.0/` (with the slash, as clients write it): routed
/// from the top (a nested router's root would only match without the slash).
pub(super) fn routes(mount: &str) -> Router<FakeOpenData> {
    Router::new()
        .route(&format!("{mount}/"), get(call))
        .route(mount, get(call))
}

fn lastfm_error(status: StatusCode, code: u32, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "error": code, "message": message, "links": [] })),
    )
        .into_response()
}

/// `GET /2.0/?method=…&api_key=…&format=json&…`.
async fn call(State(fake): State<FakeOpenData>, RawQuery(query): RawQuery) -> Response {
    let pairs = query_pairs(query.as_deref().unwrap_or(""));
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    if get("api_key").as_deref() != Some(LASTFM_API_KEY) {
        return lastfm_error(
            StatusCode::FORBIDDEN,
            10,
            "Invalid API key - You must be granted a valid key by last.fm",
        );
    }
    if get("format").as_deref() != Some("json") {
        return lastfm_error(
            StatusCode::BAD_REQUEST,
            5,
            "Invalid format - this fake serves format=json only",
        );
    }
    if get("method").as_deref() != Some("track.getInfo") {
        return lastfm_error(
            StatusCode::BAD_REQUEST,
            3,
            "Invalid Method - No method with that name in this package",
        );
    }
    let (Some(artist), Some(track)) = (get("artist"), get("track")) else {
        return lastfm_error(
            StatusCode::BAD_REQUEST,
            6,
            "Invalid parameters - Your request is missing a required parameter",
        );
    };
    fake.record_subject(OpenService::LastFm, format!("track:{artist}|{track}"));
    let world = OpenWorld::get();
    let Some(found) = world.lastfm_track(&artist, &track) else {
        return lastfm_error(StatusCode::OK, 6, "Track not found");
    };
    let listeners = world.lastfm_listeners[found].unwrap_or(0);
    let entry = &world.pool_tracks[found];
    let main = &world.pool_artists[entry.artists[0]].name;
    let slug = |s: &str| crate::spotify::encode_component(s).replace("%20", "+");
    // Last.fm writes every number as a string.
    axum::Json(json!({
        "track": {
            "name": entry.name,
            "mbid": "",
            "url": format!("https://www.last.fm/music/{}/_/{}", slug(main), slug(&entry.name)),
            "duration": entry.duration_ms.to_string(),
            "streamable": { "#text": "0", "fulltrack": "0" },
            "listeners": listeners.to_string(),
            "playcount": (listeners * 6).to_string(),
            "artist": {
                "name": main,
                "mbid": "",
                "url": format!("https://www.last.fm/music/{}", slug(main)),
            },
            "album": {
                "artist": main,
                "title": entry.album,
                "url": format!("https://www.last.fm/music/{}/{}", slug(main), slug(&entry.album)),
                "image": [],
            },
            "toptags": { "tag": [] },
        }
    }))
    .into_response()
}
