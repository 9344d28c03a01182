//! `/tracks/…`, `/artists/…`, `/albums/…`: a song's, an artist's or an album's page.
//! Extract the address → load (`load::subject`) → compute (`stats::subject`, `stats::ranking`)
//! → render (`views::subject`).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use super::extract::CurrentUser;
use crate::domain::{Subject, TopEntry, names_of_key};
use crate::error::AppError;
use crate::load::subject::{self, Address, SubjectData};
use crate::state::AppState;
use crate::stats::ranking::{top_albums, top_tracks};
use crate::stats::subject::{
    Standing, album_standing, artist_standing, subject_figures, track_standing,
};
use crate::views;
use crate::views::subject::{Kind, SubjectPage, subject_page};

/// How many songs and albums an artist's or album's page lists.
const LISTED: usize = 10;

/// `GET /tracks/{id}`.
pub async fn track(
    state: State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    show(state, current, Address::TrackId(id)).await
}

/// `GET /tracks/by/{artist}/{title}`: a song the history knows only by name.
pub async fn track_named(
    state: State<AppState>,
    current: CurrentUser,
    Path((artist, title)): Path<(String, String)>,
) -> Result<Response, AppError> {
    show(state, current, Address::TrackNamed { artist, title }).await
}

/// `GET /artists/{id}`.
pub async fn artist(
    state: State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    show(state, current, Address::ArtistId(id)).await
}

/// `GET /artists/by/{name}`.
pub async fn artist_named(
    state: State<AppState>,
    current: CurrentUser,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    show(state, current, Address::ArtistNamed(name)).await
}

/// `GET /albums/{id}`.
pub async fn album(
    state: State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    show(state, current, Address::AlbumId(id)).await
}

/// `GET /albums/by/{artist}/{name}`.
pub async fn album_named(
    state: State<AppState>,
    current: CurrentUser,
    Path((artist, name)): Path<(String, String)>,
) -> Result<Response, AppError> {
    show(state, current, Address::AlbumNamed { artist, name }).await
}

async fn show(
    State(state): State<AppState>,
    current: CurrentUser,
    address: Address,
) -> Result<Response, AppError> {
    let now_ms = state.clock.unix() * 1000;
    let data = subject::load(
        &state.store,
        &state.library,
        current.user.id,
        &address,
        now_ms,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    let figures = subject_figures(&data.plays, &data.settings.zone, now_ms);
    let standing = standing(&data);
    let counts = counts_by_number(&data);
    let (kind, title, by) = describe(&data, standing.as_ref());
    let songs: Vec<TopEntry> = match kind {
        Kind::Song => Vec::new(),
        _ => top_tracks(&data.tracks, &counts, LISTED),
    };
    let albums = match kind {
        Kind::Artist => top_albums(&data.tracks, &counts, LISTED),
        _ => Vec::new(),
    };
    let spotify_url = standing
        .as_ref()
        .and_then(|s| s.url.clone())
        .or_else(|| spotify_url(&address));
    let main = subject_page(&SubjectPage {
        kind,
        title: &title,
        by: by.as_deref(),
        figures: &figures,
        standing: standing.as_ref(),
        songs: &songs,
        albums: &albums,
        zone: &data.settings.zone,
        holes: &data.holes,
        spotify_url: spotify_url.as_deref(),
    });
    Ok(views::layout::page(&title, current.chrome(&state), main).into_response())
}

/// Plays and time per track number, from the subject's plays.
fn counts_by_number(data: &SubjectData) -> Vec<(i64, i64)> {
    let mut counts: Vec<(i64, i64)> = Vec::new();
    for &(no, _, ms) in &data.plays {
        let Ok(index) = usize::try_from(no) else {
            continue;
        };
        if index >= counts.len() {
            counts.resize(index + 1, (0, 0));
        }
        counts[index].0 += 1;
        counts[index].1 = counts[index].1.saturating_add(ms);
    }
    counts
}

fn standing(data: &SubjectData) -> Option<Standing> {
    let top = data.top.as_ref().ok()?;
    let tracks = [&top.tracks[0][..], &top.tracks[1][..], &top.tracks[2][..]];
    let artists = [
        &top.artists[0][..],
        &top.artists[1][..],
        &top.artists[2][..],
    ];
    let id = data.spotify_id.as_deref();
    Some(match &data.subject {
        Subject::Track(key) => {
            let names = names_of_key(key);
            track_standing(&tracks, |t| match names {
                Some((artist, title)) => {
                    t.name == title && t.artists.first().is_some_and(|a| a.name == artist)
                }
                None => t.id == *key,
            })
        }
        Subject::Artist(name) => {
            artist_standing(&artists, |a| id.map_or(a.name == *name, |id| a.id == id))
        }
        Subject::Album { artist, name } => album_standing(&tracks, |album| match id {
            Some(id) => album.id == id,
            None => album.name == *name && album.artists.first().is_some_and(|a| a.name == *artist),
        }),
    })
}

/// The page's kind, title and "by" line.
fn describe(data: &SubjectData, standing: Option<&Standing>) -> (Kind, String, Option<String>) {
    match &data.subject {
        Subject::Track(key) => {
            let known = data.tracks.first();
            let (title, by) = match (
                known,
                names_of_key(key),
                standing.and_then(|s| s.name.clone()),
            ) {
                (Some(track), _, _) => (track.name.clone(), Some(track.artist_name.clone())),
                (None, Some((artist, title)), _) => (title.to_owned(), Some(artist.to_owned())),
                (None, None, Some(name)) => (name, standing.and_then(|s| s.byline.clone())),
                (None, None, None) => (key.clone(), None),
            };
            (Kind::Song, title, by.filter(|by| !by.is_empty()))
        }
        Subject::Artist(name) => (Kind::Artist, name.clone(), None),
        Subject::Album { artist, name } => (
            Kind::Album,
            name.clone(),
            Some(artist.clone()).filter(|a| !a.is_empty()),
        ),
    }
}

/// The subject's page on open.spotify.com, from an id address.
fn spotify_url(address: &Address) -> Option<String> {
    match address {
        Address::TrackId(id) => Some(format!("https://open.spotify.com/track/{id}")),
        Address::ArtistId(id) => Some(format!("https://open.spotify.com/artist/{id}")),
        Address::AlbumId(id) => Some(format!("https://open.spotify.com/album/{id}")),
        _ => None,
    }
}
