//! Building response objects in Spotify's shapes.
//!
//! Shapes follow the recorded fixtures and Spotify's 2026 OpenAPI description: playlists count
//! their entries in `items` (was `tracks`), playlist entries carry `item` (was `track`), and a
//! development-mode app gets no `popularity`, `genres` or `followers` on catalogue objects and
//! no `email`, `country`, `product`, `followers` or `explicit_content` on `/me` — absent, not
//! `null`, exactly as Spotify leaves them out.

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

use super::Mode;
use super::catalogue::{Catalogue, FEW_MARKETS, Image, MARKETS};
use super::personas::{Cover, PERSONAS, User};
use super::prng::Rng;

/// What every object builder needs: where the API lives (links point back at the fake, so a
/// client following `next` or `href` stays on it) and which kind of app is asking.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    /// E.g. `http://127.0.0.1:4321/v1`.
    pub api: String,
    pub mode: Mode,
    /// Where image URLs point instead of Spotify's CDN (demo mode), see
    /// [`FakeConfig::image_base`](super::FakeConfig::image_base).
    pub image_base: Option<String>,
    /// Whether `/me` carries `account_id` (see `FakeSpotify::set_profile_account_id`).
    pub account_id: bool,
}

impl Ctx {
    pub(crate) fn extended(&self) -> bool {
        self.mode == Mode::ExtendedQuota
    }
}

const WITH_MILLISECONDS: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
const WITH_SECONDS: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

/// `2023-09-22T15:43:33.750Z`, as `played_at` is written.
pub(crate) fn timestamp_ms(at: OffsetDateTime) -> String {
    at.format(WITH_MILLISECONDS).expect("UTC times format")
}

/// `2022-05-20T14:10:29Z`, as `added_at` is written.
pub(crate) fn timestamp_s(at: OffsetDateTime) -> String {
    at.format(WITH_SECONDS).expect("UTC times format")
}

/// Milliseconds since the Unix epoch (the unit of recently-played cursors).
pub(crate) fn unix_ms(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

/// The Web API's error body.
pub(crate) fn error(status: u16, message: &str) -> Value {
    json!({ "error": { "status": status, "message": message } })
}

fn images(ctx: &Ctx, images: &[Image]) -> Value {
    images
        .iter()
        .map(|image| {
            json!({ "url": image_url(ctx, &image.url), "width": image.width, "height": image.height })
        })
        .collect()
}

/// The URL of an image: Spotify's CDN address, or its generated stand-in under
/// `image_base` (the made-up CDN hashes would not load in a browser).
pub(crate) fn image_url(ctx: &Ctx, cdn_url: &str) -> String {
    match &ctx.image_base {
        None => cdn_url.to_owned(),
        Some(base) => {
            let name = cdn_url.rsplit('/').next().unwrap_or("cover");
            format!("{base}/{name}.svg")
        }
    }
}

fn open_url(kind: &str, id: &str) -> Value {
    json!({ "spotify": format!("https://open.spotify.com/{kind}/{id}") })
}

pub(crate) fn artist_simple(ctx: &Ctx, cat: &Catalogue, artist: usize) -> Value {
    let artist = &cat.artists[artist];
    json!({
        "external_urls": open_url("artist", &artist.id),
        "href": format!("{}/artists/{}", ctx.api, artist.id),
        "id": artist.id,
        "name": artist.name,
        "type": "artist",
        "uri": format!("spotify:artist:{}", artist.id),
    })
}

/// An ArtistObject (`/me/top/artists`, `/artists/{id}`).
pub(crate) fn artist_full(ctx: &Ctx, cat: &Catalogue, index: usize) -> Value {
    let mut value = artist_simple(ctx, cat, index);
    let artist = &cat.artists[index];
    value["images"] = images(ctx, &artist.images);
    if ctx.extended() {
        value["followers"] = json!({ "href": null, "total": artist.followers });
        value["genres"] = json!(artist.genres);
        value["popularity"] = json!(artist.popularity);
    }
    value
}

fn markets(everywhere: bool) -> &'static [&'static str] {
    if everywhere { MARKETS } else { FEW_MARKETS }
}

/// A SimplifiedAlbumObject, as embedded in tracks.
pub(crate) fn album_simple(ctx: &Ctx, cat: &Catalogue, index: usize) -> Value {
    let album = &cat.albums[index];
    json!({
        "album_type": album.album_type,
        "artists": album.artists.iter().map(|a| artist_simple(ctx, cat, *a)).collect::<Vec<_>>(),
        "available_markets": MARKETS,
        "external_urls": open_url("album", &album.id),
        "href": format!("{}/albums/{}", ctx.api, album.id),
        "id": album.id,
        "images": images(ctx, &album.images),
        "name": album.name,
        "release_date": album.release_date,
        "release_date_precision": album.precision,
        "total_tracks": album.tracks.len(),
        "type": "album",
        "uri": format!("spotify:album:{}", album.id),
    })
}

/// The fields a track has whether full or simplified.
fn track_common(ctx: &Ctx, cat: &Catalogue, index: usize) -> Value {
    let track = &cat.tracks[index];
    json!({
        "artists": track.artists.iter().map(|a| artist_simple(ctx, cat, *a)).collect::<Vec<_>>(),
        "available_markets": markets(track.everywhere),
        "disc_number": 1,
        "duration_ms": track.duration_ms,
        "explicit": track.explicit,
        "external_urls": open_url("track", &track.id),
        "href": format!("{}/tracks/{}", ctx.api, track.id),
        "id": track.id,
        "is_local": false,
        "name": track.name,
        // Spotify stopped serving previews to new apps in late 2024: always null now.
        "preview_url": null,
        "track_number": track.track_number,
        "type": "track",
        "uri": format!("spotify:track:{}", track.id),
    })
}

/// A TrackObject. In playlists Spotify adds the `episode`/`track` booleans.
pub(crate) fn track_full(ctx: &Ctx, cat: &Catalogue, index: usize, in_playlist: bool) -> Value {
    let track = &cat.tracks[index];
    let mut value = track_common(ctx, cat, index);
    value["album"] = album_simple(ctx, cat, track.album);
    value["external_ids"] = json!({ "isrc": track.isrc });
    if ctx.extended() {
        value["popularity"] = json!(track.popularity);
    }
    if in_playlist {
        value["episode"] = json!(false);
        value["track"] = json!(true);
    }
    value
}

/// An AlbumObject (`/albums/{id}`), with its first page of tracks.
pub(crate) fn album_full(ctx: &Ctx, cat: &Catalogue, index: usize) -> Value {
    let album = &cat.albums[index];
    let mut value = album_simple(ctx, cat, index);
    let year = &album.release_date[..4];
    value["copyrights"] = json!([
        { "text": format!("© {year} {}", album.label), "type": "C" },
        { "text": format!("℗ {year} {}", album.label), "type": "P" },
    ]);
    value["external_ids"] = json!({ "upc": album.upc });
    value["genres"] = json!([]);
    value["label"] = json!(album.label);
    if ctx.extended() {
        value["popularity"] = json!(album.popularity);
    }
    let href = format!("{}/albums/{}/tracks", ctx.api, album.id);
    value["tracks"] = json!({
        "href": format!("{href}?offset=0&limit=50"),
        "items": album.tracks.iter().take(50).map(|t| track_common(ctx, cat, *t)).collect::<Vec<_>>(),
        "limit": 50,
        "next": null,
        "offset": 0,
        "previous": null,
        "total": album.tracks.len(),
    });
    value
}

/// The local file in a playlist: Spotify sends it with `null` ids and links (and a
/// meaningless popularity of 0, which development mode strips like any other).
pub(crate) fn local_track(ctx: &Ctx) -> Value {
    let (artist, album, title, seconds) = (
        "Uncle Ray",
        "Family Recordings",
        "Voice Memo - Campfire Singalong",
        183,
    );
    let plus = |s: &str| s.replace(' ', "+");
    let mut value = json!({
        "album": {
            "album_type": null,
            "artists": [],
            "available_markets": [],
            "external_urls": {},
            "href": null,
            "id": null,
            "images": [],
            "name": album,
            "release_date": null,
            "release_date_precision": null,
            "type": "album",
            "uri": null,
        },
        "artists": [{
            "external_urls": {},
            "href": null,
            "id": null,
            "name": artist,
            "type": "artist",
            "uri": null,
        }],
        "available_markets": [],
        "disc_number": 0,
        "duration_ms": seconds * 1000,
        "episode": false,
        "explicit": false,
        "external_ids": {},
        "external_urls": {},
        "href": null,
        "id": null,
        "is_local": true,
        "name": title,
        "preview_url": null,
        "track": true,
        "track_number": 0,
        "type": "track",
        "uri": format!("spotify:local:{}:{}:{}:{seconds}", plus(artist), plus(album), plus(title)),
    });
    if ctx.extended() {
        value["popularity"] = json!(0);
    }
    value
}

/// A PlaylistUserObject (`added_by`).
pub(crate) fn user_ref(ctx: &Ctx, user: User) -> Value {
    let id = user.id();
    json!({
        "external_urls": open_url("user", id),
        "href": format!("{}/users/{id}", ctx.api),
        "id": id,
        "type": "user",
        "uri": format!("spotify:user:{id}"),
    })
}

/// A PlaylistOwnerObject.
pub(crate) fn owner(ctx: &Ctx, user: User) -> Value {
    let mut value = user_ref(ctx, user);
    value["display_name"] = json!(user.display_name());
    value
}

/// What a playlist looks like in `/me/playlists`.
pub(crate) struct PlaylistView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub owner: User,
    pub collaborative: bool,
    pub public: bool,
    pub cover: Cover,
    pub snapshot_id: &'a str,
    pub total: usize,
    /// Albums of the first entries, for the mosaic cover.
    pub first_albums: Vec<usize>,
}

fn playlist_images(ctx: &Ctx, cat: &Catalogue, view: &PlaylistView<'_>) -> Value {
    let hash_of = |album: usize| {
        cat.albums[album]
            .images
            .first()
            .map(|image| image.url.rsplit('/').next().unwrap_or_default().to_owned())
    };
    match view.cover {
        Cover::Null => Value::Null,
        Cover::NoImages => json!([]),
        Cover::Custom => {
            let tail: String = view
                .id
                .bytes()
                .map(|b| format!("{b:02x}"))
                .take(12)
                .collect();
            json!([{
                "url": image_url(ctx, &format!("https://image-cdn-ak.spotifycdn.com/image/ab67706c0000da84{tail}")),
                "width": null,
                "height": null,
            }])
        }
        Cover::Mosaic => {
            let mut covers: Vec<String> = Vec::new();
            for album in &view.first_albums {
                if let Some(hash) = hash_of(*album)
                    && !covers.contains(&hash)
                {
                    covers.push(hash);
                }
            }
            if covers.len() >= 4 {
                let joined: String = covers[..4].concat();
                [640, 300, 60]
                    .into_iter()
                    .map(|size| {
                        json!({
                            "url": image_url(ctx, &format!("https://mosaic.scdn.co/{size}/{joined}")),
                            "width": size,
                            "height": size,
                        })
                    })
                    .collect()
            } else if let Some(album) = view
                .first_albums
                .iter()
                .find(|a| !cat.albums[**a].images.is_empty())
            {
                // Fewer than four different covers: Spotify shows the first album's cover.
                images(ctx, &cat.albums[*album].images[..1])
            } else {
                json!([])
            }
        }
    }
}

/// A SimplifiedPlaylistObject in its 2026 shape (`items: {href, total}`).
pub(crate) fn playlist_simple(ctx: &Ctx, cat: &Catalogue, view: &PlaylistView<'_>) -> Value {
    json!({
        "collaborative": view.collaborative,
        "description": view.description,
        "external_urls": open_url("playlist", view.id),
        "href": format!("{}/playlists/{}", ctx.api, view.id),
        "id": view.id,
        "images": playlist_images(ctx, cat, view),
        "items": {
            "href": format!("{}/playlists/{}/items", ctx.api, view.id),
            "total": view.total,
        },
        "name": view.name,
        "owner": owner(ctx, view.owner),
        "primary_color": null,
        "public": view.public,
        "snapshot_id": view.snapshot_id,
        "type": "playlist",
        "uri": format!("spotify:playlist:{}", view.id),
    })
}

/// A PlaylistTrackObject in its 2026 shape (`item`).
pub(crate) fn playlist_entry(
    ctx: &Ctx,
    cat: &Catalogue,
    track: Option<usize>,
    added_by: User,
    added_at: OffsetDateTime,
) -> Value {
    json!({
        "added_at": timestamp_s(added_at),
        "added_by": user_ref(ctx, added_by),
        "is_local": track.is_none(),
        "item": match track {
            Some(track) => track_full(ctx, cat, track, true),
            None => local_track(ctx),
        },
        "primary_color": null,
        "video_thumbnail": { "url": null },
    })
}

/// A PrivateUserObject. Extended-quota apps also get the deprecated private fields, each only
/// with the scope that grants it.
pub(crate) fn me(ctx: &Ctx, persona: usize, account_id: &str, scopes: &[String]) -> Value {
    let def = &PERSONAS[persona];
    let id = def.user_id;
    let mut value = json!({
        "account_id": account_id,
        "display_name": def.display_name,
        "external_urls": open_url("user", id),
        "href": format!("{}/users/{id}", ctx.api),
        "id": id,
        "images": profile_images(ctx, persona, def.profile_images),
        "type": "user",
        "uri": format!("spotify:user:{id}"),
    });
    if !ctx.account_id
        && let Some(me) = value.as_object_mut()
    {
        me.remove("account_id");
    }
    if ctx.extended() {
        let has = |scope: &str| scopes.iter().any(|s| s == scope);
        if has("user-read-email") {
            value["email"] = json!(def.email);
        }
        if has("user-read-private") {
            value["country"] = json!(def.country);
            value["product"] = json!(def.product);
            value["explicit_content"] = json!({ "filter_enabled": false, "filter_locked": false });
        }
        value["followers"] = json!({ "href": null, "total": def.followers });
    }
    value
}

fn profile_images(ctx: &Ctx, persona: usize, count: usize) -> Value {
    let hash = Rng::seeded("profile", persona as u64).hex(24);
    [(300, "ab6775700000ee85"), (64, "ab67757000003b82")]
        .into_iter()
        .take(count)
        .map(|(size, prefix)| {
            json!({
                "url": image_url(ctx, &format!("https://i.scdn.co/image/{prefix}{hash}")),
                "width": size,
                "height": size,
            })
        })
        .collect()
}

/// A paging object's links: `(href, next, previous)` for a page at `offset`.
pub(crate) fn page(
    url: &str,
    extra_query: &str,
    items: Vec<Value>,
    offset: usize,
    limit: usize,
    total: usize,
) -> Value {
    let link = |offset: usize| format!("{url}?offset={offset}&limit={limit}{extra_query}");
    json!({
        "href": link(offset),
        "items": items,
        "limit": limit,
        "next": (offset + limit < total).then(|| link(offset + limit)),
        "offset": offset,
        "previous": (offset > 0).then(|| link(offset.saturating_sub(limit))),
        "total": total,
    })
}
