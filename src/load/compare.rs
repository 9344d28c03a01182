//! What a comparison page reads: both listeners' top lists (each through their own Spotify
//! connection, from the cache when fresh), the artists the viewer's history names, the genres
//! the panels know of both sides' artists, and both histories' last four weeks when both have
//! plays there.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::domain::{Artist, TimeRange, TopEntry, Track, UserId};
use crate::enrichment::{self, Enrichment};
use crate::spotify::FetchError;
use crate::spotify::library::Library;
use crate::stats::history::season_window;
use crate::store::{Store, TopOrder};

/// One listener's top lists of the three ranges, in [`TimeRange::ALL`]'s order.
pub struct Lists {
    pub artists: [Arc<Vec<Artist>>; 3],
    pub tracks: [Arc<Vec<Track>>; 3],
}

/// Everything a comparison page is computed from.
pub struct CompareData {
    pub mine: Lists,
    pub theirs: Lists,
    /// Artist ids and names in the viewer's stored plays.
    pub heard_ids: HashSet<String>,
    pub heard_names: HashSet<String>,
    /// Genres by artist id, when known (Spotify's, else open data's).
    pub genres: Option<HashMap<String, Vec<String>>>,
    /// Every track each played in the last four weeks, when both histories have plays there.
    pub recent: Option<(Vec<TopEntry>, Vec<TopEntry>)>,
}

async fn lists(library: &Library, user: UserId) -> Result<Lists, FetchError> {
    let library = library.open(user).await?;
    let [short, medium, long] = TimeRange::ALL;
    let (artists, tracks) = tokio::try_join!(library.top_artists_all(), async {
        tokio::try_join!(
            library.top_tracks(short),
            library.top_tracks(medium),
            library.top_tracks(long)
        )
    })?;
    Ok(Lists {
        artists,
        tracks: [tracks.0, tracks.1, tracks.2],
    })
}

/// The last four weeks of `user`'s history, every track, if it has plays there.
async fn last_four_weeks(
    store: &Store,
    user: UserId,
    now_ms: i64,
) -> Result<Option<Vec<TopEntry>>, FetchError> {
    let (from, to) = season_window(TimeRange::ShortTerm, now_ms);
    if !store.has_plays_between(user, from, to).await? {
        return Ok(None);
    }
    Ok(Some(
        store
            .top_tracks_between(user, from, to, TopOrder::Plays, i64::MAX)
            .await?,
    ))
}

/// Loads the comparison of `me` with `them` as of `now_ms`.
pub async fn load(
    store: &Store,
    library: &Library,
    enrichment: &Enrichment,
    me: UserId,
    them: UserId,
    now_ms: i64,
) -> Result<CompareData, FetchError> {
    let (mine, theirs, catalogue, my_recent, their_recent) = tokio::try_join!(
        lists(library, me),
        lists(library, them),
        async { Ok(store.catalogue(me).await?) },
        last_four_weeks(store, me, now_ms),
        last_four_weeks(store, them, now_ms),
    )?;
    let mut heard_ids = HashSet::new();
    let mut heard_names = HashSet::new();
    for track in catalogue {
        for id in track.artist_ids.as_deref().unwrap_or_default().split(',') {
            if !id.trim().is_empty() {
                heard_ids.insert(id.trim().to_owned());
            }
        }
        heard_names.insert(track.artist_name);
    }
    let every: Vec<Artist> = mine
        .artists
        .iter()
        .chain(theirs.artists.iter())
        .flat_map(|l| l.iter().cloned())
        .collect();
    let view = enrichment
        .genres(
            enrichment::sent_genres(&every),
            &enrichment::keys_of(&every),
        )
        .await;
    let genres = (!view.values.is_empty()).then_some(view.values);
    let recent = my_recent.zip(their_recent);
    Ok(CompareData {
        mine,
        theirs,
        heard_ids,
        heard_names,
        genres,
        recent,
    })
}
