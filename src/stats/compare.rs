//! Comparing two listeners' taste from their Spotify top lists (and, when both have one, their
//! listening histories). The rules are the issue's, each stated where it is applied.

use std::collections::{HashMap, HashSet};

use crate::domain::{Artist, Image, TopEntry, Track};
use crate::stats::chosen_image;

/// How many of their favourites new to you are listed.
pub const NEW_TO_YOU: usize = 10;

/// One listener's top lists of the three ranges (short, medium, long).
pub struct Side<'a> {
    pub artists: [&'a [Artist]; 3],
    pub tracks: [&'a [Track]; 3],
}

impl Side<'_> {
    /// Best (smallest, 1-based) rank of each artist id over the three ranges.
    fn artist_ranks(&self) -> HashMap<&str, usize> {
        best_ranks(self.artists.iter().map(|l| l.iter().map(|a| a.id.as_str())))
    }

    fn track_ranks(&self) -> HashMap<&str, usize> {
        best_ranks(self.tracks.iter().map(|l| l.iter().map(|t| t.id.as_str())))
    }
}

fn best_ranks<'a>(
    lists: impl Iterator<Item = impl Iterator<Item = &'a str>>,
) -> HashMap<&'a str, usize> {
    let mut best: HashMap<&str, usize> = HashMap::new();
    for list in lists {
        for (index, id) in list.enumerate().filter(|(_, id)| !id.is_empty()) {
            let rank = best.entry(id).or_insert(index + 1);
            *rank = (*rank).min(index + 1);
        }
    }
    best
}

/// An artist or song both listeners have in their top lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedRow {
    pub id: String,
    pub name: String,
    /// The artists' names, for a song.
    pub by: String,
    /// The viewer's and the other listener's best rank.
    pub mine: usize,
    pub theirs: usize,
    pub image: Option<Image>,
}

/// A genre both listeners' top artists carry: how many of each side's artists have it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedGenre {
    pub genre: String,
    pub mine: usize,
    pub theirs: usize,
}

/// One of their favourites the viewer has never shown a sign of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewArtist {
    pub id: String,
    pub name: String,
    pub url: String,
    pub image: Option<Image>,
}

/// What the comparison page shows from the top lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    /// `round(100 × |A ∩ B| / |A ∪ B|)` over the distinct top artists of all three ranges;
    /// `None` when neither has a top artist.
    pub compatibility: Option<u32>,
    pub artists: Vec<SharedRow>,
    pub songs: Vec<SharedRow>,
    /// `None` when genres are unknown for either side.
    pub genres: Option<Vec<SharedGenre>>,
    pub new_to_you: Vec<NewArtist>,
}

/// Shared rows ordered by the sum of both best ranks, then by name in code-point order.
fn ordered(mut rows: Vec<SharedRow>) -> Vec<SharedRow> {
    rows.sort_by(|a, b| {
        (a.mine + a.theirs, &a.name, &a.id).cmp(&(b.mine + b.theirs, &b.name, &b.id))
    });
    rows
}

/// What the viewer's own listening shows of artists: ids and names in their stored plays.
pub struct Heard<'a> {
    pub ids: &'a HashSet<String>,
    pub names: &'a HashSet<String>,
}

/// Compares `me` with `them`. `genres` holds what is known of the artists' genres by id (`None`:
/// not known).
pub fn compare(
    me: &Side<'_>,
    them: &Side<'_>,
    heard: &Heard<'_>,
    genres: Option<&HashMap<String, Vec<String>>>,
) -> Comparison {
    let (mine, theirs) = (me.artist_ranks(), them.artist_ranks());
    let union = mine
        .keys()
        .chain(theirs.keys())
        .collect::<HashSet<_>>()
        .len();
    let both: Vec<&str> = mine
        .keys()
        .filter(|id| theirs.contains_key(*id))
        .copied()
        .collect();
    let compatibility =
        (union > 0).then(|| (100.0 * both.len() as f64 / union as f64).round() as u32);
    let artist_of = |id: &str| {
        me.artists
            .iter()
            .chain(them.artists.iter())
            .flat_map(|l| l.iter())
            .find(|a| a.id == id)
    };
    let artists = ordered(
        both.iter()
            .filter_map(|id| {
                let artist = artist_of(id)?;
                Some(SharedRow {
                    id: artist.id.clone(),
                    name: artist.name.clone(),
                    by: String::new(),
                    mine: mine[id],
                    theirs: theirs[id],
                    image: chosen_image(&artist.images),
                })
            })
            .collect(),
    );

    let (my_tracks, their_tracks) = (me.track_ranks(), them.track_ranks());
    let track_of = |id: &str| me.tracks.iter().flat_map(|l| l.iter()).find(|t| t.id == id);
    let songs = ordered(
        my_tracks
            .iter()
            .filter_map(|(id, &rank)| {
                let theirs = *their_tracks.get(id)?;
                let track = track_of(id)?;
                Some(SharedRow {
                    id: track.id.clone(),
                    name: track.name.clone(),
                    by: crate::stats::join_artist_names(&track.artists),
                    mine: rank,
                    theirs,
                    image: chosen_image(&track.album.images),
                })
            })
            .collect(),
    );

    let genres = genres.map(|genres| {
        let count = |ranks: &HashMap<&str, usize>| {
            let mut counts: HashMap<&str, usize> = HashMap::new();
            for id in ranks.keys() {
                let distinct: HashSet<&str> = genres
                    .get(*id)
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                for genre in distinct {
                    *counts.entry(genre).or_default() += 1;
                }
            }
            counts
        };
        let (my_genres, their_genres) = (count(&mine), count(&theirs));
        let mut shared: Vec<SharedGenre> = my_genres
            .iter()
            .filter_map(|(genre, &mine)| {
                Some(SharedGenre {
                    genre: (*genre).to_owned(),
                    mine,
                    theirs: *their_genres.get(genre)?,
                })
            })
            .collect();
        shared.sort_by(|a, b| {
            (std::cmp::Reverse(a.mine.min(a.theirs)), &a.genre)
                .cmp(&(std::cmp::Reverse(b.mine.min(b.theirs)), &b.genre))
        });
        shared
    });

    // Their medium-term favourites in their order that appear in none of my top lists (top
    // artists, or credited on a top song) and in none of my stored plays.
    let in_my_tracks: HashSet<&str> = me
        .tracks
        .iter()
        .flat_map(|l| l.iter())
        .flat_map(|t| t.artists.iter().map(|a| a.id.as_str()))
        .collect();
    let new_to_you = them.artists[1]
        .iter()
        .filter(|a| {
            !mine.contains_key(a.id.as_str())
                && !in_my_tracks.contains(a.id.as_str())
                && !heard.ids.contains(&a.id)
                && !heard.names.contains(&a.name)
        })
        .take(NEW_TO_YOU)
        .map(|a| NewArtist {
            id: a.id.clone(),
            name: a.name.clone(),
            url: a.external_urls.spotify.clone(),
            image: chosen_image(&a.images),
        })
        .collect();

    Comparison {
        compatibility,
        artists,
        songs,
        genres,
        new_to_you,
    }
}

/// Both listeners' last four weeks, from their histories.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecentTogether {
    pub my_ms: i64,
    pub their_ms: i64,
    /// Songs both played: the viewer's entry, with both play counts; most plays together first,
    /// then by name.
    pub songs: Vec<(TopEntry, i64)>,
}

/// The last four weeks of both histories (every track each played, with plays and time).
pub fn recent_together(mine: &[TopEntry], theirs: &[TopEntry]) -> RecentTogether {
    let their_plays: HashMap<&str, i64> =
        theirs.iter().map(|e| (e.key.as_str(), e.plays)).collect();
    let mut songs: Vec<(TopEntry, i64)> = mine
        .iter()
        .filter_map(|e| Some((e.clone(), *their_plays.get(e.key.as_str())?)))
        .collect();
    songs.sort_by(|(a, a_theirs), (b, b_theirs)| {
        (std::cmp::Reverse(a.plays + a_theirs), &a.name, &a.key).cmp(&(
            std::cmp::Reverse(b.plays + b_theirs),
            &b.name,
            &b.key,
        ))
    });
    RecentTogether {
        my_ms: mine.iter().map(|e| e.ms_played).sum(),
        their_ms: theirs.iter().map(|e| e.ms_played).sum(),
        songs,
    }
}
