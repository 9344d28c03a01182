//! The open services' view of the fake Spotify's catalogue: which artists MusicBrainz knows and
//! how (by Spotify link, by name only, twice under one name, not at all), their genres, the
//! recordings behind each ISRC, and listen and listener counts.
//!
//! Everything is derived from the catalogue with a hash of fixed labels, so it is the same on
//! every run and machine, and a development-mode persona's artists and tracks all have an
//! answer — or, for a deliberate few, a well-defined absence.
//!
//! The services know more music than the fake Spotify's personas play: after the catalogue's
//! artists and tracks come [`EXTRA_ARTISTS`] more (three tracks each), so that benchmarks can
//! make up listeners larger than the catalogue (see [`super::FakeOpenData::sample_listener`]).

use std::collections::HashMap;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::spotify::catalogue::Catalogue;

/// The catalogue artist whose name MusicBrainz knows twice (two different artists, neither
/// linked to Spotify): a name search must not pick either. In `alice`'s top artists of every range.
pub(crate) const AMBIGUOUS_ARTIST: usize = 22;
/// The catalogue artist known to MusicBrainz by name only, whose name needs escaping in a search
/// (`Rock & Roll "Forever"`).
pub(crate) const QUOTED_NAME_ARTIST: usize = 1;
/// The catalogue artist with no genres on MusicBrainz but a tag (`O'Brien's Apostrophe`).
pub(crate) const TAGS_ONLY_ARTIST: usize = 9;
/// Tags MusicBrainz users give that are not genres (a folksonomy): artists without genres
/// carry them, voted above their genuine genre tags.
pub const NOT_GENRE_TAGS: [&str; 5] = [
    "seen live",
    "favorites",
    "british",
    "female vocalists",
    "00s",
];
/// Genres MusicBrainz lists that no artist of this world has: they make the genre list longer
/// than one page of 100, as the real one (about 2,000) is.
const MORE_GENRES: [&str; 40] = [
    "acid jazz",
    "baroque pop",
    "big beat",
    "blues",
    "breakbeat",
    "britpop revival",
    "chiptune",
    "country",
    "dancehall",
    "drum and bass",
    "dub",
    "dubstep",
    "electro",
    "emo",
    "eurodance",
    "free jazz",
    "gospel",
    "grime",
    "grunge",
    "hard rock",
    "heavy metal",
    "house",
    "industrial",
    "k-pop",
    "krautrock",
    "latin jazz",
    "madchester",
    "motown",
    "nu metal",
    "opera",
    "pop punk",
    "power pop",
    "punk",
    "r&b",
    "reggae",
    "salsa",
    "ska",
    "swing",
    "thrash metal",
    "uk garage",
];

/// Artists the services know beyond the fake Spotify's catalogue.
pub(crate) const EXTRA_ARTISTS: usize = 150;
/// Tracks of each extra artist.
const EXTRA_TRACKS_EACH: usize = 3;

/// An artist of the open world (the catalogue's first, then the extra ones).
#[derive(Debug, Clone)]
pub(crate) struct PoolArtist {
    /// Its Spotify id.
    pub id: String,
    pub name: String,
    pub genres: Vec<String>,
}

/// A track of the open world.
#[derive(Debug, Clone)]
pub(crate) struct PoolTrack {
    /// Its Spotify id.
    pub id: String,
    pub name: String,
    pub isrc: String,
    /// Spotify's popularity (what the open counts are derived from).
    pub popularity: u8,
    /// Credited artists (pool indices), main first.
    pub artists: Vec<usize>,
    pub duration_ms: u32,
    pub album: String,
    pub release_date: String,
}

/// How MusicBrainz knows a Spotify artist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArtistCase {
    /// A MusicBrainz artist has a "free streaming" link to its Spotify page.
    Linked,
    /// No link, but exactly one MusicBrainz artist has its name.
    ByName,
    /// No link, and two MusicBrainz artists have its name.
    Ambiguous,
    /// MusicBrainz has never heard of it.
    Absent,
}

/// How the open services know a Spotify track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackCase {
    /// MusicBrainz has one recording with the track's ISRC.
    Isrc,
    /// MusicBrainz has two recordings with the track's ISRC (a duplicate); listens are split.
    IsrcTwice,
    /// MusicBrainz doesn't know the ISRC; ListenBrainz finds the recording by its names.
    NamesOnly,
    /// Neither finds a recording.
    Unknown,
}

/// A MusicBrainz artist.
#[derive(Debug, Clone)]
pub(crate) struct MbArtist {
    pub mbid: String,
    pub name: String,
    pub sort_name: String,
    /// `Person` or `Group`.
    pub kind: &'static str,
    pub country: &'static str,
    pub disambiguation: String,
    /// `(name, votes)`, as MusicBrainz lists them.
    pub genres: Vec<(String, u32)>,
    pub tags: Vec<(String, u32)>,
    /// The pool artist it is (decoys are nobody's).
    pub spotify: Option<usize>,
    /// Whether its Spotify link is in MusicBrainz.
    pub linked: bool,
}

/// A MusicBrainz recording.
#[derive(Debug, Clone)]
pub(crate) struct Recording {
    pub mbid: String,
    /// The pool track it is.
    pub track: usize,
    /// ListenBrainz's total listen count; `None` when it has no data.
    pub listens: Option<u64>,
    /// ListenBrainz's total user count.
    pub users: Option<u64>,
}

/// The open services' whole world.
#[derive(Debug)]
pub(crate) struct OpenWorld {
    /// Spotify's side: the catalogue's artists and tracks, then the extra ones.
    pub pool_artists: Vec<PoolArtist>,
    pub pool_tracks: Vec<PoolTrack>,
    pool_artist_ids: HashMap<String, usize>,
    pool_track_ids: HashMap<String, usize>,
    /// Pool artist → its tracks (as main artist), in pool order.
    pub tracks_of_artist: Vec<Vec<usize>>,
    pub artists: Vec<MbArtist>,
    pub artist_by_mbid: HashMap<String, usize>,
    /// `https://open.spotify.com/artist/{id}` of linked artists → MusicBrainz artist.
    pub artist_by_spotify_url: HashMap<String, usize>,
    /// Pool artist → case.
    pub artist_cases: Vec<ArtistCase>,
    /// Pool artist → its MusicBrainz artist (absent ones have none).
    pub mb_artist_of: Vec<Option<usize>>,
    pub recordings: Vec<Recording>,
    pub recording_by_mbid: HashMap<String, usize>,
    /// ISRC → recordings (MusicBrainz's ISRC index).
    pub recordings_by_isrc: HashMap<String, Vec<usize>>,
    /// Pool track → case.
    pub track_cases: Vec<TrackCase>,
    /// Pool track → its recordings.
    pub recordings_of_track: Vec<Vec<usize>>,
    /// (artist name, track name), lower-cased → pool tracks, in pool order: what a search by
    /// names finds.
    pub tracks_by_names: HashMap<(String, String), Vec<usize>>,
    /// Pool track → Last.fm listeners (`None`: Last.fm doesn't know it).
    pub lastfm_listeners: Vec<Option<u64>>,
    /// MusicBrainz's genre list (`/genre/all`), by name: every genre an artist has, a few
    /// more, and none of [`NOT_GENRE_TAGS`].
    pub genres: Vec<String>,
}

impl OpenWorld {
    /// The one world of this process.
    pub(crate) fn get() -> &'static OpenWorld {
        static WORLD: OnceLock<OpenWorld> = OnceLock::new();
        WORLD.get_or_init(build)
    }

    /// A Spotify artist id's place in the pool.
    pub(crate) fn artist_index(&self, id: &str) -> Option<usize> {
        self.pool_artist_ids.get(id).copied()
    }

    /// A Spotify track id's place in the pool.
    pub(crate) fn track_index(&self, id: &str) -> Option<usize> {
        self.pool_track_ids.get(id).copied()
    }

    /// The recording ListenBrainz's metadata look-up finds for these names, if any.
    pub(crate) fn lookup_by_names(&self, artist: &str, track: &str) -> Option<&Recording> {
        let key = (artist.to_lowercase(), track.to_lowercase());
        self.tracks_by_names
            .get(&key)?
            .iter()
            .find_map(|&t| self.recordings_of_track[t].first())
            .map(|&r| &self.recordings[r])
    }

    /// The catalogue track Last.fm finds for these names, if any.
    pub(crate) fn lastfm_track(&self, artist: &str, track: &str) -> Option<usize> {
        let key = (artist.to_lowercase(), track.to_lowercase());
        self.tracks_by_names
            .get(&key)?
            .iter()
            .copied()
            .find(|&t| self.lastfm_listeners[t].is_some())
    }
}

/// A number from fixed labels: the same everywhere, spread evenly.
pub(crate) fn hash(label: &str, parts: &[&str]) -> u64 {
    let mut hasher = Sha256::new();
    hasher.update(label.as_bytes());
    for part in parts {
        hasher.update([0]);
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// A MusicBrainz-style identifier (a UUID) from fixed labels.
pub(crate) fn mbid(label: &str, parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"mbid:");
    hasher.update(label.as_bytes());
    for part in parts {
        hasher.update([0]);
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    let bytes: [u8; 16] = digest[..16].try_into().expect("16 bytes");
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// A fraction in [0, 1) from a hash.
fn unit(value: u64) -> f64 {
    (value >> 11) as f64 / (1u64 << 53) as f64
}

fn artist_case(index: usize) -> ArtistCase {
    match index {
        AMBIGUOUS_ARTIST => ArtistCase::Ambiguous,
        QUOTED_NAME_ARTIST => ArtistCase::ByName,
        TAGS_ONLY_ARTIST => ArtistCase::Linked,
        _ => match hash("artist-case", &[&index.to_string()]) % 9 {
            3 => ArtistCase::Absent,
            5 => ArtistCase::ByName,
            _ => ArtistCase::Linked,
        },
    }
}

fn track_case(index: usize) -> TrackCase {
    match hash("track-case", &[&index.to_string()]) % 20 {
        0 => TrackCase::NamesOnly,
        1 => TrackCase::Unknown,
        2 | 3 => TrackCase::IsrcTwice,
        _ => TrackCase::Isrc,
    }
}

/// Total listens on ListenBrainz for a track of Spotify popularity `popularity`: about
/// 10^(popularity × 6 / 100), so that the log scale gives back roughly Spotify's figure.
fn listens(index: usize, popularity: u8) -> Option<u64> {
    let h = hash("listens", &[&index.to_string()]);
    if h % 13 == 7 {
        return None;
    }
    let base = 10f64.powf(f64::from(popularity) * 6.0 / 100.0);
    Some((base * (0.5 + unit(h))).round().max(1.0) as u64)
}

/// Last.fm listeners: a larger audience than ListenBrainz's, about 10^(popularity × 6.4 / 100).
fn lastfm_listeners(index: usize, popularity: u8) -> Option<u64> {
    let h = hash("lastfm", &[&index.to_string()]);
    if h % 11 == 4 {
        return None;
    }
    let base = 10f64.powf(f64::from(popularity) * 6.4 / 100.0);
    Some((base * (0.4 + unit(h))).round().max(1.0) as u64)
}

const COUNTRIES: [&str; 8] = ["GB", "US", "SE", "DE", "FR", "JP", "NG", "BR"];

fn build() -> OpenWorld {
    let (pool_artists, pool_tracks) = pool();
    let mut artists: Vec<MbArtist> = Vec::new();
    let mut artist_cases = Vec::with_capacity(pool_artists.len());
    let mut mb_artist_of = vec![None; pool_artists.len()];
    for (index, artist) in pool_artists.iter().enumerate() {
        let case = artist_case(index);
        artist_cases.push(case);
        if case == ArtistCase::Absent {
            continue;
        }
        let h = hash("mb-artist", &[&artist.id]);
        let count = artist.genres.len() as u32;
        let genres: Vec<(String, u32)> = artist
            .genres
            .iter()
            .enumerate()
            .map(|(position, genre)| (genre.clone(), count - position as u32 + (h % 3) as u32))
            .collect();
        let mut tags = genres.clone();
        if index == TAGS_ONLY_ARTIST {
            tags.push(("singer-songwriter".to_owned(), 2));
        }
        if h.is_multiple_of(4) {
            // Not every tag is a genre, and some have been voted down.
            tags.push(("seen live".to_owned(), 1));
            tags.push(("overrated".to_owned(), 0));
        }
        // An eighth of artists (and the tags-only one) have tags but no genres, and their
        // most voted tags say nothing about the music.
        let tags_only = index == TAGS_ONLY_ARTIST || h % 8 == 3;
        if tags_only {
            for (rank, tag) in NOT_GENRE_TAGS.iter().enumerate() {
                tags.push(((*tag).to_owned(), 10 - rank as u32));
            }
        }
        let genres = if tags_only { Vec::new() } else { genres };
        mb_artist_of[index] = Some(artists.len());
        artists.push(MbArtist {
            mbid: mbid("artist", &[&artist.id]),
            name: artist.name.clone(),
            sort_name: artist.name.clone(),
            kind: if h.is_multiple_of(2) {
                "Group"
            } else {
                "Person"
            },
            country: COUNTRIES[(h >> 8) as usize % COUNTRIES.len()],
            disambiguation: String::new(),
            genres,
            tags,
            spotify: Some(index),
            linked: case == ArtistCase::Linked,
        });
        if case == ArtistCase::Ambiguous {
            artists.push(MbArtist {
                mbid: mbid("decoy", &[&artist.id]),
                name: artist.name.clone(),
                sort_name: artist.name.clone(),
                kind: "Group",
                country: "FI",
                disambiguation: "Finnish folk duo".to_owned(),
                genres: vec![("finnish folk".to_owned(), 3)],
                tags: vec![("finnish folk".to_owned(), 3)],
                spotify: None,
                linked: false,
            });
        }
    }
    let artist_by_mbid = artists
        .iter()
        .enumerate()
        .map(|(i, a)| (a.mbid.clone(), i))
        .collect();
    let artist_by_spotify_url = artists
        .iter()
        .enumerate()
        .filter(|(_, a)| a.linked)
        .filter_map(|(i, a)| {
            let spotify = &pool_artists[a.spotify?];
            Some((format!("https://open.spotify.com/artist/{}", spotify.id), i))
        })
        .collect();

    let mut recordings: Vec<Recording> = Vec::new();
    let mut recordings_by_isrc: HashMap<String, Vec<usize>> = HashMap::new();
    let mut track_cases = Vec::with_capacity(pool_tracks.len());
    let mut recordings_of_track = vec![Vec::new(); pool_tracks.len()];
    let mut tracks_by_names: HashMap<(String, String), Vec<usize>> = HashMap::new();
    let mut tracks_of_artist = vec![Vec::new(); pool_artists.len()];
    let mut lastfm = Vec::with_capacity(pool_tracks.len());
    for (index, track) in pool_tracks.iter().enumerate() {
        let case = track_case(index);
        track_cases.push(case);
        let total = listens(index, track.popularity);
        let users = |listens: u64| (listens / 7).max(1);
        let mut add = |mbid: String, listens: Option<u64>| {
            recordings_of_track[index].push(recordings.len());
            recordings.push(Recording {
                mbid,
                track: index,
                listens,
                users: listens.map(users),
            });
            recordings.len() - 1
        };
        match case {
            TrackCase::Isrc => {
                let r = add(mbid("recording", &[&track.isrc, "0"]), total);
                recordings_by_isrc
                    .entry(track.isrc.clone())
                    .or_default()
                    .push(r);
            }
            TrackCase::IsrcTwice => {
                // A duplicate recording not merged yet: most listens went to the first.
                let first = total.map(|n| n - n * 3 / 10);
                let second = total.map(|n| n * 3 / 10);
                let a = add(mbid("recording", &[&track.isrc, "0"]), first);
                let b = add(mbid("recording", &[&track.isrc, "1"]), second);
                recordings_by_isrc
                    .entry(track.isrc.clone())
                    .or_default()
                    .extend([a, b]);
            }
            TrackCase::NamesOnly => {
                add(mbid("lb-recording", &[&track.id]), total);
            }
            TrackCase::Unknown => {}
        }
        if let Some(&first) = track.artists.first() {
            tracks_of_artist[first].push(index);
            tracks_by_names
                .entry((
                    pool_artists[first].name.to_lowercase(),
                    track.name.to_lowercase(),
                ))
                .or_default()
                .push(index);
        }
        lastfm.push(lastfm_listeners(index, track.popularity));
    }
    let recording_by_mbid = recordings
        .iter()
        .enumerate()
        .map(|(i, r)| (r.mbid.clone(), i))
        .collect();
    let genres = genre_list(&pool_artists, &artists);
    let pool_artist_ids = index_by(pool_artists.iter().map(|a| a.id.clone()));
    let pool_track_ids = index_by(pool_tracks.iter().map(|t| t.id.clone()));
    OpenWorld {
        pool_artists,
        pool_tracks,
        pool_artist_ids,
        pool_track_ids,
        tracks_of_artist,
        artists,
        artist_by_mbid,
        artist_by_spotify_url,
        artist_cases,
        mb_artist_of,
        recordings,
        recording_by_mbid,
        recordings_by_isrc,
        track_cases,
        recordings_of_track,
        tracks_by_names,
        lastfm_listeners: lastfm,
        genres,
    }
}

/// The names MusicBrainz lists as genres: every genre of the catalogue (those tags-only
/// artists carry as tags too) and of MusicBrainz's artists, and more; sorted.
fn genre_list(pool_artists: &[PoolArtist], artists: &[MbArtist]) -> Vec<String> {
    let mut names: Vec<String> = pool_artists
        .iter()
        .flat_map(|artist| artist.genres.iter().cloned())
        .chain(
            artists
                .iter()
                .flat_map(|artist| artist.genres.iter().map(|(name, _)| name.clone())),
        )
        .chain(["singer-songwriter".to_owned()])
        .chain(MORE_GENRES.iter().map(|name| (*name).to_owned()))
        .collect();
    names.sort();
    names.dedup();
    names
}

fn index_by(ids: impl Iterator<Item = String>) -> HashMap<String, usize> {
    ids.enumerate().map(|(index, id)| (id, index)).collect()
}

/// A Spotify-style id (22 characters of base 62) from fixed labels.
fn spotify_style_id(label: &str, n: usize) -> String {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut hasher = Sha256::new();
    hasher.update(label.as_bytes());
    hasher.update(n.to_be_bytes());
    hasher
        .finalize()
        .iter()
        .take(22)
        .map(|b| char::from(DIGITS[usize::from(*b) % DIGITS.len()]))
        .collect()
}

const SYLLABLES: [&str; 16] = [
    "ka", "lo", "mi", "re", "sa", "tu", "vel", "dor", "an", "is", "mar", "quen", "bri", "zo", "el",
    "nu",
];
const GENRES: [&str; 12] = [
    "indie pop",
    "post-punk",
    "ambient",
    "techno",
    "soul",
    "jazz fusion",
    "indie folk",
    "hip hop",
    "doom metal",
    "afrobeat",
    "synthpop",
    "shoegaze",
];

/// A made-up word of two or three syllables from a hash, capitalised.
fn word(h: u64) -> String {
    let count = 2 + (h % 2) as usize;
    let text: String = (0..count)
        .map(|i| SYLLABLES[((h >> (8 * (i + 1))) % 16) as usize])
        .collect();
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The fake Spotify's catalogue, then [`EXTRA_ARTISTS`] more artists with three tracks each.
fn pool() -> (Vec<PoolArtist>, Vec<PoolTrack>) {
    let cat = Catalogue::get();
    let mut artists: Vec<PoolArtist> = cat
        .artists
        .iter()
        .map(|a| PoolArtist {
            id: a.id.clone(),
            name: a.name.clone(),
            genres: a.genres.iter().map(|g| (*g).to_owned()).collect(),
        })
        .collect();
    let mut tracks: Vec<PoolTrack> = cat
        .tracks
        .iter()
        .map(|t| {
            let album = &cat.albums[t.album];
            PoolTrack {
                id: t.id.clone(),
                name: t.name.clone(),
                isrc: t.isrc.clone(),
                popularity: t.popularity,
                artists: t.artists.clone(),
                duration_ms: t.duration_ms,
                album: album.name.clone(),
                release_date: album.release_date.clone(),
            }
        })
        .collect();
    let mut names: std::collections::HashSet<String> =
        artists.iter().map(|a| a.name.to_lowercase()).collect();
    for extra in 0..EXTRA_ARTISTS {
        let h = hash("extra-artist", &[&extra.to_string()]);
        let mut name = format!("{} {}", word(h), word(h.rotate_left(29)));
        while !names.insert(name.to_lowercase()) {
            name.push_str(" II");
        }
        let genres = (0..1 + h % 3)
            .map(|i| GENRES[((h >> (16 + 4 * i)) % 12) as usize].to_owned())
            .fold(Vec::new(), |mut list: Vec<String>, genre| {
                if !list.contains(&genre) {
                    list.push(genre);
                }
                list
            });
        let index = artists.len();
        artists.push(PoolArtist {
            id: spotify_style_id("extra-artist", extra),
            name: name.clone(),
            genres,
        });
        for n in 0..EXTRA_TRACKS_EACH {
            let t = hash("extra-track", &[&extra.to_string(), &n.to_string()]);
            let serial = extra * EXTRA_TRACKS_EACH + n;
            tracks.push(PoolTrack {
                id: spotify_style_id("extra-track", serial),
                name: format!("{} {}", word(t), word(t.rotate_left(17))),
                isrc: format!("QZEUT{:02}{:05}", 10 + t % 16, serial),
                popularity: (t % 90) as u8 + 5,
                artists: vec![index],
                duration_ms: 150_000 + (t % 150_000) as u32,
                album: format!("{} Sessions", word(h.rotate_left(7))),
                release_date: format!("20{:02}-{:02}-01", 10 + t % 16, 1 + t % 12),
            });
        }
    }
    (artists, tracks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_world_has_every_case_and_is_deterministic() {
        let world = OpenWorld::get();
        let cat = Catalogue::get();
        assert_eq!(world.artist_cases.len(), cat.artists.len() + EXTRA_ARTISTS);
        assert_eq!(world.pool_tracks[0].id, cat.tracks[0].id);
        assert_eq!(world.artist_index(&cat.artists[5].id), Some(5));
        assert!(world.pool_tracks.iter().all(|t| t.isrc.len() == 12));
        for case in [
            ArtistCase::Linked,
            ArtistCase::ByName,
            ArtistCase::Ambiguous,
            ArtistCase::Absent,
        ] {
            assert!(world.artist_cases.contains(&case), "{case:?}");
        }
        for case in [
            TrackCase::Isrc,
            TrackCase::IsrcTwice,
            TrackCase::NamesOnly,
            TrackCase::Unknown,
        ] {
            assert!(world.track_cases.contains(&case), "{case:?}");
        }
        let ambiguous = &cat.artists[AMBIGUOUS_ARTIST].name;
        assert_eq!(
            world
                .artists
                .iter()
                .filter(|a| &a.name == ambiguous)
                .count(),
            2
        );
        assert_eq!(mbid("x", &["1"]), mbid("x", &["1"]));
        assert_ne!(mbid("x", &["1"]), mbid("x", &["2"]));
        assert_eq!(mbid("x", &["1"]).len(), 36);
        assert!(world.recordings.iter().any(|r| r.listens.is_none()));
        assert!(world.lastfm_listeners.iter().any(Option::is_none));
        // More than one page of genres; no folksonomy tag among them.
        assert!(world.genres.len() > 100, "{}", world.genres.len());
        assert!(
            NOT_GENRE_TAGS
                .iter()
                .all(|tag| !world.genres.iter().any(|g| g == tag))
        );
        let tags_only = world.artists.iter().filter(|a| a.genres.is_empty()).count();
        assert!(tags_only > 10, "{tags_only}");
    }
}
