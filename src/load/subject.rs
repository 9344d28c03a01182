//! What a detail page reads: which song, artist or album its address names (an id is looked
//! up in the listener's Spotify top lists, then in the history's catalogue), every stored play
//! of it, and the top lists it may stand in. Spotify being unreachable leaves the history's
//! half of the page standing.

use std::sync::Arc;

use crate::domain::{
    Artist, CatalogueTrack, HistorySettings, Holes, Subject, TimeRange, Track, UserId,
    is_spotify_id, name_key,
};
use crate::spotify::FetchError;
use crate::spotify::library::Library;
use crate::stats::history::{MIN_HOLE_MS, coverage_holes};
use crate::store::Store;

/// A detail page's address, as the router took it apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Address {
    TrackId(String),
    TrackNamed { artist: String, title: String },
    ArtistId(String),
    ArtistNamed(String),
    AlbumId(String),
    AlbumNamed { artist: String, name: String },
}

/// The listener's top lists of the three ranges, in [`TimeRange::ALL`]'s order.
pub struct TopLists {
    pub tracks: [Arc<Vec<Track>>; 3],
    pub artists: [Arc<Vec<Artist>>; 3],
}

/// Everything a detail page is computed from.
pub struct SubjectData {
    /// What the page is about, as the history names it.
    pub subject: Subject,
    /// The Spotify id the address gave, if it gave one.
    pub spotify_id: Option<String>,
    pub settings: HistorySettings,
    /// The subject's tracks in the catalogue.
    pub tracks: Vec<CatalogueTrack>,
    /// Every stored play of them: `(track number, played_at, ms_played)`.
    pub plays: Vec<(i64, i64, i64)>,
    /// The holes in what the history covers, from the first stored play to now.
    pub holes: Holes,
    /// The top lists, or why they couldn't be read.
    pub top: Result<TopLists, FetchError>,
}

async fn top_lists(library: &Library, user: UserId) -> Result<TopLists, FetchError> {
    let library = library.open(user).await?;
    let [short, medium, long] = TimeRange::ALL;
    let (tracks, artists) = tokio::try_join!(
        async {
            tokio::try_join!(
                library.top_tracks(short),
                library.top_tracks(medium),
                library.top_tracks(long),
            )
        },
        library.top_artists_all(),
    )?;
    Ok(TopLists {
        tracks: [tracks.0, tracks.1, tracks.2],
        artists,
    })
}

/// What an id address names, from the top lists (then, for an artist, from the catalogue).
async fn resolve(
    store: &Store,
    user: UserId,
    address: &Address,
    top: Option<&TopLists>,
) -> Result<Option<Subject>, FetchError> {
    let tracks = || {
        top.into_iter()
            .flat_map(|top| top.tracks.iter().flat_map(|l| l.iter()))
    };
    Ok(match address {
        Address::TrackId(id) => is_spotify_id(id).then(|| Subject::Track(id.clone())),
        Address::TrackNamed { artist, title } => Some(Subject::Track(name_key(artist, title))),
        Address::ArtistNamed(name) => Some(Subject::Artist(name.clone())),
        Address::AlbumNamed { artist, name } => Some(Subject::Album {
            artist: artist.clone(),
            name: name.clone(),
        }),
        Address::ArtistId(id) if is_spotify_id(id) => {
            let listed = top
                .into_iter()
                .flat_map(|top| top.artists.iter().flat_map(|l| l.iter()))
                .map(|artist| (&artist.id, &artist.name))
                .chain(tracks().flat_map(|t| t.artists.iter().map(|a| (&a.id, &a.name))))
                .find(|(artist_id, _)| *artist_id == id)
                .map(|(_, name)| name.clone());
            match listed {
                Some(name) => Some(Subject::Artist(name)),
                None => store
                    .artist_name_of_id(user, id)
                    .await?
                    .map(Subject::Artist),
            }
        }
        Address::AlbumId(id) if is_spotify_id(id) => tracks()
            .map(|track| &track.album)
            .find(|album| album.id == *id)
            .map(|album| Subject::Album {
                artist: album
                    .artists
                    .first()
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
                name: album.name.clone(),
            }),
        Address::ArtistId(_) | Address::AlbumId(_) => None,
    })
}

/// Loads the page `address` names for `user` as of `now_ms`; `None` when neither the history
/// nor the top lists know it.
pub async fn load(
    store: &Store,
    library: &Library,
    user: UserId,
    address: &Address,
    now_ms: i64,
) -> Result<Option<SubjectData>, FetchError> {
    let top = top_lists(library, user).await;
    if let Err(error) = &top {
        tracing::warn!(%error, "top lists unavailable for a detail page");
    }
    let Some(subject) = resolve(store, user, address, top.as_ref().ok()).await? else {
        return Ok(None);
    };
    let (settings, tracks, spans) = tokio::try_join!(
        store.history_settings(user),
        store.subject_tracks(user, &subject),
        store.coverage(user),
    )?;
    let plays = store.plays_of_tracks(user, &tracks).await?;
    let spotify_id = match address {
        Address::TrackId(id) | Address::ArtistId(id) | Address::AlbumId(id) => Some(id.clone()),
        _ => None,
    };
    let listed = match address {
        Address::TrackId(id) => top.as_ref().is_ok_and(|top| {
            top.tracks
                .iter()
                .flat_map(|l| l.iter())
                .any(|t| t.id == *id)
        }),
        // An artist or album id resolved only through the lists or the catalogue.
        Address::ArtistId(_) | Address::AlbumId(_) => true,
        _ => named_in_top(&subject, top.as_ref().ok()),
    };
    if tracks.is_empty() && !listed {
        return Ok(None);
    }
    let first = plays.iter().map(|&(_, at, _)| at).min();
    let holes = match first {
        Some(first) => Holes::of(&spans, coverage_holes(&spans, first, now_ms, MIN_HOLE_MS)),
        None => Holes::default(),
    };
    Ok(Some(SubjectData {
        subject,
        spotify_id,
        settings,
        tracks,
        plays,
        holes,
        top,
    }))
}

/// Whether a subject known only by names appears in the top lists.
fn named_in_top(subject: &Subject, top: Option<&TopLists>) -> bool {
    let Some(top) = top else { return false };
    let tracks = || top.tracks.iter().flat_map(|l| l.iter());
    match subject {
        Subject::Track(key) => crate::domain::names_of_key(key).is_some_and(|(artist, title)| {
            tracks().any(|t| t.name == title && t.artists.first().is_some_and(|a| a.name == artist))
        }),
        Subject::Artist(name) => top
            .artists
            .iter()
            .flat_map(|l| l.iter())
            .any(|a| a.name == *name),
        Subject::Album { artist, name } => tracks().any(|t| {
            t.album.name == *name && t.album.artists.first().is_some_and(|a| a.name == *artist)
        }),
    }
}
