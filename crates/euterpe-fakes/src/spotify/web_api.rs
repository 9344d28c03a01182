//! The Web API routes under `/v1`.
//!
//! Checks happen in Spotify's order: the access token first (401), then the app's standing
//! (403 for a user who is not allow-listed, for missing scopes and for endpoints development
//! mode lost), then parameters (400), then the resource (403/404).

use std::collections::HashMap;

use axum::Json;
use axum::extract::{FromRequestParts, OriginalUri, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::catalogue::Catalogue;
use super::json::{self, Ctx, PlaylistView};
use super::personas::{PERSONAS, RANGES, World};
use super::{FakeSpotify, Mode, may_read, parse_form, personas};

/// A Web API error: `{"error":{"status":N,"message":"..."}}`, or the bare message as text.
#[derive(Debug)]
pub(super) struct ApiError {
    status: u16,
    message: &'static str,
    /// Set on 401s, like Spotify's `WWW-Authenticate: Bearer ...`.
    www_authenticate: Option<&'static str>,
    /// The message alone as `text/plain`, as Spotify answers a user who is not allow-listed.
    plain: bool,
}

impl ApiError {
    const fn new(status: u16, message: &'static str) -> Self {
        Self {
            status,
            message,
            www_authenticate: None,
            plain: false,
        }
    }

    const fn plain(status: u16, message: &'static str) -> Self {
        Self {
            plain: true,
            ..Self::new(status, message)
        }
    }

    const fn unauthorized(message: &'static str, header: &'static str) -> Self {
        Self {
            status: 401,
            message,
            www_authenticate: Some(header),
            plain: false,
        }
    }
}

const INVALID_TOKEN: ApiError = ApiError::unauthorized(
    "Invalid access token",
    "Bearer realm=\"spotify\", error=\"invalid_token\", error_description=\"Invalid access token\"",
);
const EXPIRED_TOKEN: ApiError = ApiError::unauthorized(
    "The access token expired",
    "Bearer realm=\"spotify\", error=\"invalid_token\", error_description=\"The access token expired\"",
);
/// Not JSON: clients that only read `error.message` have been seen failing on this one.
const NOT_ALLOW_LISTED: ApiError =
    ApiError::plain(403, "User not registered in the Developer Dashboard");
const FORBIDDEN: ApiError = ApiError::new(403, "Forbidden");
const INSUFFICIENT_SCOPE: ApiError = ApiError::new(403, "Insufficient client scope");
const NOT_FOUND: ApiError = ApiError::new(404, "Resource not found");
const INVALID_ID: ApiError = ApiError::new(400, "Invalid base62 id");

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = if self.plain {
            (
                status,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                self.message,
            )
                .into_response()
        } else {
            (status, Json(json::error(self.status, self.message))).into_response()
        };
        if let Some(value) = self.www_authenticate {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(value));
        }
        response
    }
}

type ApiResult = Result<Json<Value>, ApiError>;

/// The token of an `Authorization: Bearer` header.
pub(super) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|token| !token.is_empty())
}

/// The authenticated caller of a Web API route.
pub(super) struct Caller {
    persona: usize,
    scopes: Vec<String>,
    ctx: Ctx,
}

impl Caller {
    fn require(&self, scope: &str) -> Result<(), ApiError> {
        if self.scopes.iter().any(|granted| granted == scope) {
            Ok(())
        } else {
            Err(INSUFFICIENT_SCOPE)
        }
    }
}

/// Where this API is reachable, as the client addressed it: links in answers point there, so
/// following `next` works whether the fake is on a loopback port or nested under a prefix.
fn api_base(parts: &Parts) -> String {
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()));
    let Some(host) = host else {
        return "https://api.spotify.com/v1".to_owned();
    };
    let scheme = parts
        .headers
        .get("x-forwarded-proto")
        .and_then(|value| value.to_str().ok())
        .filter(|value| *value == "https" || *value == "http")
        .unwrap_or("http");
    let prefix = parts
        .extensions
        .get::<OriginalUri>()
        .and_then(|original| original.path().strip_suffix(parts.uri.path()))
        .unwrap_or("");
    format!("{scheme}://{host}{prefix}/v1")
}

impl FromRequestParts<FakeSpotify> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        fake: &FakeSpotify,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers).ok_or(INVALID_TOKEN)?;
        let now = fake.now();
        let (persona, scopes) = {
            let state = fake.state();
            let access = state.access.get(token).ok_or(INVALID_TOKEN)?;
            let grant = &state.grants[access.grant];
            if grant.revoked {
                return Err(INVALID_TOKEN);
            }
            if now >= access.expires_at {
                return Err(EXPIRED_TOKEN);
            }
            let scopes = grant.scope.split_whitespace().map(str::to_owned).collect();
            (grant.persona, scopes)
        };
        let mode = fake.mode();
        if mode == Mode::Development && !PERSONAS[persona].allow_listed {
            return Err(NOT_ALLOW_LISTED);
        }
        Ok(Caller {
            persona,
            scopes,
            ctx: Ctx {
                api: api_base(parts),
                mode,
                image_base: fake.image_base(),
                account_id: fake.profile_account_id(),
            },
        })
    }
}

fn query(raw: Option<String>) -> HashMap<String, String> {
    parse_form(raw.unwrap_or_default().as_bytes())
}

/// `limit`: 1–50, `default` when absent.
fn limit(query: &HashMap<String, String>, default: usize) -> Result<usize, ApiError> {
    match query.get("limit") {
        None => Ok(default),
        Some(value) => value
            .parse::<usize>()
            .ok()
            .filter(|limit| (1..=50).contains(limit))
            .ok_or(ApiError::new(400, "Invalid limit")),
    }
}

/// `offset`: 0 or more.
fn offset(query: &HashMap<String, String>) -> Result<usize, ApiError> {
    match query.get("offset") {
        None => Ok(0),
        Some(value) => value
            .parse::<usize>()
            .ok()
            .filter(|offset| *offset <= 100_000)
            .ok_or(ApiError::new(400, "Invalid offset")),
    }
}

fn valid_id(id: &str) -> bool {
    id.len() == 22 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn window<T: Clone>(items: &[T], offset: usize, limit: usize) -> Vec<T> {
    items.iter().skip(offset).take(limit).cloned().collect()
}

/// `GET /v1/me`.
pub(super) async fn me(caller: Caller) -> ApiResult {
    let account_id = personas::account_id(caller.persona);
    Ok(Json(json::me(
        &caller.ctx,
        caller.persona,
        &account_id,
        &caller.scopes,
    )))
}

fn top(caller: &Caller, raw: Option<String>, artists: bool) -> ApiResult {
    caller.require("user-top-read")?;
    let query = query(raw);
    let range = match query.get("time_range") {
        None => 1,
        Some(value) => RANGES
            .iter()
            .position(|range| range == value)
            .ok_or(ApiError::new(400, "Invalid time range"))?,
    };
    let limit = limit(&query, 20)?;
    let offset = offset(&query)?;
    let world = World::get();
    let cat = Catalogue::get();
    let ctx = &caller.ctx;
    let (list, kind) = if artists {
        (&world.top_artists[caller.persona][range], "artists")
    } else {
        (&world.top_tracks[caller.persona][range], "tracks")
    };
    let items = window(list, offset, limit)
        .into_iter()
        .map(|index| {
            if artists {
                json::artist_full(ctx, cat, index)
            } else {
                json::track_full(ctx, cat, index, false)
            }
        })
        .collect();
    let extra = if query.contains_key("time_range") {
        format!("&time_range={}", RANGES[range])
    } else {
        String::new()
    };
    Ok(Json(json::page(
        &format!("{}/me/top/{kind}", ctx.api),
        &extra,
        items,
        offset,
        limit,
        list.len(),
    )))
}

/// `GET /v1/me/top/tracks`.
pub(super) async fn top_tracks(caller: Caller, RawQuery(raw): RawQuery) -> ApiResult {
    top(&caller, raw, false)
}

/// `GET /v1/me/top/artists`.
pub(super) async fn top_artists(caller: Caller, RawQuery(raw): RawQuery) -> ApiResult {
    top(&caller, raw, true)
}

/// How far back Spotify lets anyone look: the latest 50 plays.
const VISIBLE_PLAYS: usize = 50;

/// `GET /v1/me/player/recently-played`.
pub(super) async fn recently_played(
    State(fake): State<FakeSpotify>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    caller.require("user-read-recently-played")?;
    let query = query(raw);
    let limit = limit(&query, 20)?;
    let cursor = |name: &str| -> Result<Option<i64>, ApiError> {
        query
            .get(name)
            .map(|value| {
                value
                    .parse::<i64>()
                    .map_err(|_| ApiError::new(400, "Invalid cursor"))
            })
            .transpose()
    };
    let (after, before) = (cursor("after")?, cursor("before")?);
    if after.is_some() && before.is_some() {
        return Err(ApiError::new(
            400,
            "Only one of after and before may be specified",
        ));
    }
    let now = fake.now();
    // `(played_at in ms, play)`, oldest first: the latest 50 that have happened by now.
    let visible: Vec<(i64, super::Play)> = {
        let state = fake.state();
        let plays = &state.plays[caller.persona];
        let happened = plays.partition_point(|play| play.at <= now);
        plays[happened.saturating_sub(VISIBLE_PLAYS)..happened]
            .iter()
            .map(|play| (json::unix_ms(play.at), *play))
            .collect()
    };
    let mut page: Vec<(i64, super::Play)> = match (after, before) {
        // The `limit` plays right after the cursor, so a poller moving forward misses none.
        (Some(after), _) => visible
            .iter()
            .filter(|(ms, _)| *ms > after)
            .take(limit)
            .copied()
            .collect(),
        (_, Some(before)) => {
            let older: Vec<_> = visible.iter().filter(|(ms, _)| *ms < before).collect();
            older[older.len().saturating_sub(limit)..]
                .iter()
                .map(|entry| **entry)
                .collect()
        }
        _ => visible[visible.len().saturating_sub(limit)..].to_vec(),
    };
    page.reverse(); // newest first, as Spotify answers
    let cat = Catalogue::get();
    let ctx = &caller.ctx;
    let url = format!("{}/me/player/recently-played", ctx.api);
    let newest = page.first().map(|(ms, _)| *ms);
    let oldest = page.last().map(|(ms, _)| *ms);
    let next = match (after, newest, oldest) {
        (Some(_), Some(newest), _) if visible.iter().any(|(ms, _)| *ms > newest) => {
            Some(format!("{url}?after={newest}&limit={limit}"))
        }
        (None, _, Some(oldest)) if visible.iter().any(|(ms, _)| *ms < oldest) => {
            Some(format!("{url}?before={oldest}&limit={limit}"))
        }
        _ => None,
    };
    let href = match (after, before) {
        (Some(after), _) => format!("{url}?after={after}&limit={limit}"),
        (_, Some(before)) => format!("{url}?before={before}&limit={limit}"),
        _ => format!("{url}?limit={limit}"),
    };
    let cursors = match (newest, oldest) {
        (Some(newest), Some(oldest)) => {
            json!({ "after": newest.to_string(), "before": oldest.to_string() })
        }
        _ => Value::Null,
    };
    let items: Vec<Value> = page
        .iter()
        .map(|(_, play)| {
            json!({
                "track": json::track_full(ctx, cat, play.track, false),
                "played_at": json::timestamp_ms(play.at),
                "context": null,
            })
        })
        .collect();
    Ok(Json(json!({
        "items": items,
        "next": next,
        "cursors": cursors,
        "limit": limit,
        "href": href,
    })))
}

/// `GET /v1/me/playlists`.
pub(super) async fn my_playlists(
    State(fake): State<FakeSpotify>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    caller.require("playlist-read-private")?;
    let query = query(raw);
    let limit = limit(&query, 20)?;
    let offset = offset(&query)?;
    let world = World::get();
    let cat = Catalogue::get();
    let library = &world.libraries[caller.persona];
    let state = fake.state();
    let items = window(library, offset, limit)
        .into_iter()
        .map(|index| {
            let seed = &world.playlists[index];
            let live = &state.playlists[index];
            let view = PlaylistView {
                id: &seed.id,
                name: &seed.name,
                description: &seed.description,
                owner: seed.owner,
                collaborative: seed.collaborative,
                public: seed.public,
                cover: seed.cover,
                snapshot_id: &live.snapshot_id,
                total: live.entries.len(),
                first_albums: live
                    .entries
                    .iter()
                    .filter_map(|entry| entry.track)
                    .take(12)
                    .map(|track| cat.tracks[track].album)
                    .collect(),
            };
            json::playlist_simple(&caller.ctx, cat, &view)
        })
        .collect();
    drop(state);
    Ok(Json(json::page(
        &format!("{}/me/playlists", caller.ctx.api),
        "",
        items,
        offset,
        limit,
        library.len(),
    )))
}

/// The playlist a path names, if the caller may read its items.
fn readable_playlist(fake: &FakeSpotify, caller: &Caller, id: &str) -> Result<usize, ApiError> {
    if !valid_id(id) {
        return Err(INVALID_ID);
    }
    let index = fake
        .state()
        .playlist_ids
        .get(id)
        .copied()
        .ok_or(NOT_FOUND)?;
    if may_read(&World::get().playlists[index], caller.persona) {
        Ok(index)
    } else {
        Err(FORBIDDEN)
    }
}

/// `GET /v1/playlists/{id}/items`: only for the owner and collaborators since 2026.
pub(super) async fn playlist_items(
    State(fake): State<FakeSpotify>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    caller.require("playlist-read-private")?;
    let query = query(raw);
    let limit = limit(&query, 20)?;
    let offset = offset(&query)?;
    let index = readable_playlist(&fake, &caller, &id)?;
    let cat = Catalogue::get();
    let state = fake.state();
    let entries = &state.playlists[index].entries;
    let items = entries
        .iter()
        .skip(offset)
        .take(limit)
        .map(|entry| {
            json::playlist_entry(
                &caller.ctx,
                cat,
                entry.track,
                entry.added_by,
                entry.added_at,
            )
        })
        .collect();
    let total = entries.len();
    drop(state);
    Ok(Json(json::page(
        &format!("{}/playlists/{id}/items", caller.ctx.api),
        "",
        items,
        offset,
        limit,
        total,
    )))
}

/// `GET /v1/playlists/{id}/tracks`: removed in 2026, answers 403 whoever asks.
pub(super) async fn playlist_tracks(_caller: Caller) -> ApiResult {
    Err(FORBIDDEN)
}

/// Which catalogue objects a look-up is about.
#[derive(Clone, Copy)]
enum Kind {
    Artist,
    Track,
    Album,
}

impl Kind {
    fn find(self, cat: &Catalogue, id: &str) -> Option<usize> {
        match self {
            Kind::Artist => cat.artist(id),
            Kind::Track => cat.track(id),
            Kind::Album => cat.album(id),
        }
    }

    fn render(self, ctx: &Ctx, cat: &Catalogue, index: usize) -> Value {
        match self {
            Kind::Artist => json::artist_full(ctx, cat, index),
            Kind::Track => json::track_full(ctx, cat, index, false),
            Kind::Album => json::album_full(ctx, cat, index),
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Kind::Artist => "artists",
            Kind::Track => "tracks",
            Kind::Album => "albums",
        }
    }

    /// Most ids one batch look-up takes.
    fn batch_limit(self) -> usize {
        match self {
            Kind::Album => 20,
            _ => 50,
        }
    }
}

fn one(caller: &Caller, kind: Kind, id: &str) -> ApiResult {
    if !valid_id(id) {
        return Err(INVALID_ID);
    }
    let cat = Catalogue::get();
    let index = kind.find(cat, id).ok_or(NOT_FOUND)?;
    Ok(Json(kind.render(&caller.ctx, cat, index)))
}

/// The batch look-ups: gone for development-mode apps (403) since 2026.
fn several(caller: &Caller, kind: Kind, raw: Option<String>) -> ApiResult {
    if caller.ctx.mode == Mode::Development {
        return Err(FORBIDDEN);
    }
    let query = query(raw);
    let ids: Vec<&str> = query
        .get("ids")
        .map(|ids| ids.split(',').filter(|id| !id.is_empty()).collect())
        .unwrap_or_default();
    if ids.is_empty() {
        return Err(ApiError::new(400, "Missing required parameter: ids"));
    }
    if ids.len() > kind.batch_limit() {
        return Err(ApiError::new(400, "Too many ids requested"));
    }
    if !ids.iter().all(|id| valid_id(id)) {
        return Err(INVALID_ID);
    }
    let cat = Catalogue::get();
    let found: Vec<Value> = ids
        .iter()
        .map(|id| match kind.find(cat, id) {
            Some(index) => kind.render(&caller.ctx, cat, index),
            None => Value::Null,
        })
        .collect();
    Ok(Json(json!({ kind.plural(): found })))
}

/// `GET /v1/artists/{id}`.
pub(super) async fn artist(caller: Caller, Path(id): Path<String>) -> ApiResult {
    one(&caller, Kind::Artist, &id)
}

/// `GET /v1/tracks/{id}`.
pub(super) async fn track(caller: Caller, Path(id): Path<String>) -> ApiResult {
    one(&caller, Kind::Track, &id)
}

/// `GET /v1/albums/{id}`.
pub(super) async fn album(caller: Caller, Path(id): Path<String>) -> ApiResult {
    one(&caller, Kind::Album, &id)
}

/// `GET /v1/artists?ids=`.
pub(super) async fn several_artists(caller: Caller, RawQuery(raw): RawQuery) -> ApiResult {
    several(&caller, Kind::Artist, raw)
}

/// `GET /v1/tracks?ids=`.
pub(super) async fn several_tracks(caller: Caller, RawQuery(raw): RawQuery) -> ApiResult {
    several(&caller, Kind::Track, raw)
}

/// `GET /v1/albums?ids=`.
pub(super) async fn several_albums(caller: Caller, RawQuery(raw): RawQuery) -> ApiResult {
    several(&caller, Kind::Album, raw)
}

/// Anything else: Spotify's JSON 404 under `/v1`, a plain one elsewhere.
pub(super) async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/v1") {
        ApiError::new(404, "Service not found").into_response()
    } else {
        (StatusCode::NOT_FOUND, "Not found").into_response()
    }
}

/// A known path with the wrong method.
pub(super) async fn method_not_allowed() -> Response {
    ApiError::new(405, "Method not allowed").into_response()
}
