//! The fake MusicBrainz web service (`/ws/2`, JSON with `fmt=json`): URL look-ups (one or
//! several `resource`s, `inc=artist-rels`), artist look-ups (`inc=genres+tags`), artist search
//! (`query=artist:"…"`), ISRC look-ups and the genre list (`/genre/all`, paged).

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::data::{MbArtist, OpenWorld};
use super::{FakeOpenData, OpenService, query_pairs};

/// The most `resource`s one URL look-up takes.
const MAX_RESOURCES: usize = 100;
/// MusicBrainz's "free streaming" relationship type (how Spotify pages are linked).
const FREE_STREAMING: &str = "769085a1-c2f7-4c24-a532-2375a77693bd";

pub(super) fn routes() -> Router<FakeOpenData> {
    Router::new()
        .route("/url", get(url))
        .route("/artist", get(search_artists))
        .route("/artist/{mbid}", get(artist))
        .route("/isrc/{isrc}", get(isrc))
        .route("/genre/all", get(genre_list))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "Not Found") })
}

/// MusicBrainz's error body.
pub(super) fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(json!({
            "error": message,
            "help": "For usage, please see: https://musicbrainz.org/development/mmd",
        })),
    )
        .into_response()
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `inc` values (`+`-joined; decoded `+` is a space).
fn includes(pairs: &[(String, String)]) -> Vec<String> {
    param(pairs, "inc")
        .unwrap_or("")
        .split([' ', '+'])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The web service answers XML unless asked for JSON; this fake only speaks JSON, and
/// refuses requests without `fmt=json`.
fn not_json(pairs: &[(String, String)]) -> Option<Response> {
    (param(pairs, "fmt") != Some("json")).then(|| {
        error(
            StatusCode::NOT_ACCEPTABLE,
            "this fake answers JSON only: add fmt=json",
        )
    })
}

fn is_mbid(value: &str) -> bool {
    uuid::Uuid::parse_str(value).is_ok() && value.len() == 36
}

/// An artist as it appears inside other entities (relations, search results).
fn artist_ref(artist: &MbArtist) -> Value {
    json!({
        "id": artist.mbid,
        "name": artist.name,
        "sort-name": artist.sort_name,
        "type": artist.kind,
        "type-id": if artist.kind == "Group" {
            "e431f5f6-b5d2-343d-8b36-72607fffb74b"
        } else {
            "b6e035f4-3ce9-331c-97df-83397230b0df"
        },
        "disambiguation": artist.disambiguation,
        "country": artist.country,
    })
}

fn url_entity(resource: &str, artist: &MbArtist, with_relations: bool) -> Value {
    let mut entity = json!({
        "id": super::data::mbid("url", &[resource]),
        "resource": resource,
    });
    if with_relations {
        entity["relations"] = json!([{
            "type": "free streaming",
            "type-id": FREE_STREAMING,
            "target-type": "artist",
            "direction": "backward",
            "begin": null,
            "end": null,
            "ended": false,
            "attributes": [],
            "attribute-values": {},
            "attribute-ids": {},
            "source-credit": "",
            "target-credit": "",
            "artist": artist_ref(artist),
        }]);
    }
    entity
}

/// `GET /url?resource=…[&resource=…]&inc=artist-rels`: one URL entity, or a list of the known
/// ones when several resources are asked.
async fn url(State(fake): State<FakeOpenData>, RawQuery(query): RawQuery) -> Response {
    let pairs = query_pairs(query.as_deref().unwrap_or(""));
    if let Some(response) = not_json(&pairs) {
        return response;
    }
    let resources: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "resource")
        .map(|(_, v)| v.as_str())
        .collect();
    if resources.is_empty() || resources.len() > MAX_RESOURCES {
        return error(
            StatusCode::BAD_REQUEST,
            "give between 1 and 100 resource parameters",
        );
    }
    for resource in &resources {
        let subject = resource
            .strip_prefix("https://open.spotify.com/artist/")
            .unwrap_or(resource);
        fake.record_subject(OpenService::MusicBrainz, subject.to_owned());
    }
    let relations = includes(&pairs).iter().any(|inc| inc == "artist-rels");
    let world = OpenWorld::get();
    let found: Vec<Value> = resources
        .iter()
        .filter_map(|resource| {
            let artist = &world.artists[*world.artist_by_spotify_url.get(*resource)?];
            Some(url_entity(resource, artist, relations))
        })
        .collect();
    if resources.len() == 1 {
        return match found.into_iter().next() {
            Some(entity) => axum::Json(entity).into_response(),
            None => error(StatusCode::NOT_FOUND, "Not Found"),
        };
    }
    axum::Json(json!({
        "url-count": found.len(),
        "url-offset": 0,
        "urls": found,
    }))
    .into_response()
}

/// `GET /artist/{mbid}?inc=genres+tags`.
async fn artist(
    State(fake): State<FakeOpenData>,
    Path(mbid): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = query_pairs(query.as_deref().unwrap_or(""));
    if let Some(response) = not_json(&pairs) {
        return response;
    }
    fake.record_subject(OpenService::MusicBrainz, mbid.clone());
    if !is_mbid(&mbid) {
        return error(StatusCode::BAD_REQUEST, "Invalid mbid.");
    }
    let world = OpenWorld::get();
    let Some(&index) = world.artist_by_mbid.get(&mbid) else {
        return error(StatusCode::NOT_FOUND, "Not Found");
    };
    let artist = &world.artists[index];
    let mut body = artist_ref(artist);
    body["life-span"] = json!({ "begin": null, "end": null, "ended": false });
    body["isnis"] = json!([]);
    body["ipis"] = json!([]);
    let inc = includes(&pairs);
    if inc.iter().any(|i| i == "genres") {
        body["genres"] = artist
            .genres
            .iter()
            .map(|(name, count)| {
                json!({
                    "id": super::data::mbid("genre", &[name]),
                    "name": name,
                    "count": count,
                    "disambiguation": "",
                })
            })
            .collect();
    }
    if inc.iter().any(|i| i == "tags") {
        body["tags"] = artist
            .tags
            .iter()
            .map(|(name, count)| json!({ "name": name, "count": count }))
            .collect();
    }
    axum::Json(body).into_response()
}

/// `GET /genre/all?limit=…&offset=…`: one page of MusicBrainz's genres, by name (at most 100
/// per page, 25 unless asked).
async fn genre_list(State(fake): State<FakeOpenData>, RawQuery(query): RawQuery) -> Response {
    let pairs = query_pairs(query.as_deref().unwrap_or(""));
    if let Some(response) = not_json(&pairs) {
        return response;
    }
    let number = |name: &str, default: usize| {
        param(&pairs, name).map_or(Some(default), |value| value.parse::<usize>().ok())
    };
    let (Some(limit), Some(offset)) = (number("limit", 25), number("offset", 0)) else {
        return error(StatusCode::BAD_REQUEST, "limit and offset must be numbers");
    };
    let limit = limit.clamp(1, 100);
    fake.record_subject(OpenService::MusicBrainz, format!("genres:{offset}"));
    let all = &OpenWorld::get().genres;
    let genres: Vec<Value> = all
        .iter()
        .skip(offset)
        .take(limit)
        .map(|name| {
            json!({
                "id": super::data::mbid("genre", &[name]),
                "name": name,
                "disambiguation": "",
            })
        })
        .collect();
    axum::Json(json!({
        "genre-count": all.len(),
        "genre-offset": offset,
        "genres": genres,
    }))
    .into_response()
}

/// The phrase of a Lucene query `artist:"…"` (or the whole query), unescaped.
fn search_phrase(query: &str) -> String {
    let query = query.trim();
    let field = query.strip_prefix("artist:").unwrap_or(query).trim();
    let inner = field
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or(field);
    let mut phrase = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                phrase.push(next);
            }
        } else {
            phrase.push(c);
        }
    }
    phrase
}

/// `GET /artist?query=…&limit=…`: exact names score 100, names sharing a word less.
async fn search_artists(State(fake): State<FakeOpenData>, RawQuery(query): RawQuery) -> Response {
    let pairs = query_pairs(query.as_deref().unwrap_or(""));
    if let Some(response) = not_json(&pairs) {
        return response;
    }
    let Some(lucene) = param(&pairs, "query") else {
        return error(StatusCode::BAD_REQUEST, "query is required");
    };
    let phrase = search_phrase(lucene);
    fake.record_subject(OpenService::MusicBrainz, format!("search:{phrase}"));
    let limit: usize = param(&pairs, "limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(25)
        .clamp(1, 100);
    let wanted = phrase.to_lowercase();
    let words: Vec<&str> = wanted.split_whitespace().filter(|w| w.len() > 2).collect();
    let mut hits: Vec<(u32, &MbArtist)> = OpenWorld::get()
        .artists
        .iter()
        .filter_map(|artist| {
            let name = artist.name.to_lowercase();
            let score = if name == wanted {
                100
            } else {
                let shared = words.iter().filter(|w| name.contains(**w)).count();
                if shared == 0 {
                    return None;
                }
                (40 + 40 * shared / words.len().max(1)) as u32
            };
            Some((score, artist))
        })
        .collect();
    hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.mbid.cmp(&b.1.mbid)));
    let count = hits.len();
    let artists: Vec<Value> = hits
        .into_iter()
        .take(limit)
        .map(|(score, artist)| {
            let mut entry = artist_ref(artist);
            entry["score"] = json!(score);
            entry["tags"] = artist
                .tags
                .iter()
                .map(|(name, count)| json!({ "name": name, "count": count }))
                .collect();
            entry
        })
        .collect();
    axum::Json(json!({
        "created": "2026-11-26T12:00:00.000Z",
        "count": count,
        "offset": 0,
        "artists": artists,
    }))
    .into_response()
}

/// `GET /isrc/{isrc}`: the recordings with that ISRC.
async fn isrc(
    State(fake): State<FakeOpenData>,
    Path(isrc): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = query_pairs(query.as_deref().unwrap_or(""));
    if let Some(response) = not_json(&pairs) {
        return response;
    }
    fake.record_subject(OpenService::MusicBrainz, isrc.clone());
    if isrc.len() != 12 || !isrc.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return error(StatusCode::BAD_REQUEST, "Invalid isrc.");
    }
    let world = OpenWorld::get();
    let Some(found) = world.recordings_by_isrc.get(&isrc) else {
        return error(StatusCode::NOT_FOUND, "Not Found");
    };
    let recordings: Vec<Value> = found
        .iter()
        .map(|&r| {
            let recording = &world.recordings[r];
            let track = &world.pool_tracks[recording.track];
            json!({
                "id": recording.mbid,
                "title": track.name,
                "length": track.duration_ms,
                "video": false,
                "disambiguation": "",
                "first-release-date": track.release_date,
            })
        })
        .collect();
    axum::Json(json!({ "isrc": isrc, "recordings": recordings })).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_phrases_are_unescaped() {
        assert_eq!(
            search_phrase(r#"artist:"Rock \& Roll \"Forever\"""#),
            r#"Rock & Roll "Forever""#
        );
        assert_eq!(search_phrase("plain words"), "plain words");
    }
}
