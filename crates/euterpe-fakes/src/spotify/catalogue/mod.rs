//! The fake's music catalogue: artists, albums and tracks.
//!
//! Generated once per process from fixed seeds, so every run (and every machine) sees the same
//! ids, names, dates and numbers. Names are made of syllables and word lists so they read like
//! music without being anybody's real work; a handful of deliberate edge cases (markup in names,
//! non-Latin scripts, emoji, two albums called "Greatest Hits", odd release dates) make sure the
//! dashboard meets what real Spotify data throws at it.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::OnceLock;

use super::prng::{Rng, spotify_id};

mod edge;
mod names;
use edge::*;
use names::*;

/// Artists only edge-case personas and demos of escaping rely on.
pub(crate) const EDGE: Range<usize> = 0..10;
/// Artists only `alice` listens to.
pub(crate) const ALICE_ONLY: Range<usize> = 10..67;
/// Artists both `alice` and `bob` listen to.
pub(crate) const SHARED: Range<usize> = 67..83;
/// Artists only `bob` listens to.
pub(crate) const BOB_ONLY: Range<usize> = 83..113;
/// Every artist; the ones past `BOB_ONLY` are in nobody's top lists.
pub(crate) const ARTIST_COUNT: usize = 116;

/// One of Spotify's image renditions.
#[derive(Debug, Clone)]
pub(crate) struct Image {
    pub url: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

#[derive(Debug)]
pub(crate) struct Artist {
    pub id: String,
    pub name: String,
    pub genres: Vec<&'static str>,
    pub popularity: u8,
    pub followers: u64,
    pub images: Vec<Image>,
    /// Albums this artist is the (first) album artist of.
    pub albums: Vec<usize>,
    /// Tracks crediting this artist, as main or featured artist.
    pub tracks: Vec<usize>,
}

#[derive(Debug)]
pub(crate) struct Album {
    pub id: String,
    pub name: String,
    /// `album`, `single` or `compilation`.
    pub album_type: &'static str,
    pub artists: Vec<usize>,
    pub release_date: String,
    /// `day`, `month` or `year`.
    pub precision: &'static str,
    pub images: Vec<Image>,
    pub popularity: u8,
    pub label: String,
    pub upc: String,
    pub tracks: Vec<usize>,
}

#[derive(Debug)]
pub(crate) struct Track {
    pub id: String,
    pub name: String,
    pub album: usize,
    pub artists: Vec<usize>,
    pub duration_ms: u32,
    pub explicit: bool,
    pub popularity: u8,
    pub isrc: String,
    pub track_number: u32,
    /// False for the few tracks only available in some markets.
    pub everywhere: bool,
}

/// The whole catalogue with id look-ups.
#[derive(Debug)]
pub(crate) struct Catalogue {
    pub artists: Vec<Artist>,
    pub albums: Vec<Album>,
    pub tracks: Vec<Track>,
    artist_ids: HashMap<String, usize>,
    album_ids: HashMap<String, usize>,
    track_ids: HashMap<String, usize>,
}

impl Catalogue {
    /// The one catalogue of this process.
    pub(crate) fn get() -> &'static Catalogue {
        static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
        CATALOGUE.get_or_init(generate)
    }

    pub(crate) fn artist(&self, id: &str) -> Option<usize> {
        self.artist_ids.get(id).copied()
    }

    pub(crate) fn album(&self, id: &str) -> Option<usize> {
        self.album_ids.get(id).copied()
    }

    pub(crate) fn track(&self, id: &str) -> Option<usize> {
        self.track_ids.get(id).copied()
    }
}

/// Markets a track is available in (Spotify lists ~180; a realistic subset keeps answers small).
pub(crate) const MARKETS: &[&str] = &[
    "AD", "AE", "AR", "AT", "AU", "BE", "BR", "CA", "CH", "CL", "CO", "CZ", "DE", "DK", "EG", "ES",
    "FI", "FR", "GB", "GR", "HK", "IE", "IN", "IT", "JP", "KR", "MA", "MX", "NL", "NO", "NZ", "PL",
    "PT", "SA", "SE", "SG", "TR", "TW", "US", "ZA",
];
/// The markets of region-restricted tracks.
pub(crate) const FEW_MARKETS: &[&str] = &["CA", "GB", "IE", "US"];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Taste {
    Indie,
    Electronic,
    Rock,
    Jazz,
    Folk,
    HipHop,
    Metal,
    World,
}

impl Taste {
    fn genres(self) -> &'static [&'static str] {
        match self {
            Taste::Indie => &[
                "indie pop",
                "dream pop",
                "bedroom pop",
                "chamber pop",
                "indie rock",
                "shoegaze",
                "art pop",
                "jangle pop",
            ],
            Taste::Electronic => &[
                "synthpop",
                "deep house",
                "techno",
                "ambient",
                "idm",
                "downtempo",
                "synthwave",
                "electropop",
                "trip hop",
            ],
            Taste::Rock => &[
                "post-punk",
                "garage rock",
                "psychedelic rock",
                "classic rock",
                "alternative rock",
                "new wave",
                "math rock",
                "britpop",
                "blues rock",
            ],
            Taste::Jazz => &[
                "jazz fusion",
                "neo soul",
                "soul",
                "funk",
                "cool jazz",
                "hard bop",
                "contemporary jazz",
                "disco",
            ],
            Taste::Folk => &[
                "indie folk",
                "folk",
                "alt-country",
                "americana",
                "singer-songwriter",
                "bluegrass",
                "chamber folk",
            ],
            Taste::HipHop => &[
                "hip hop",
                "jazz rap",
                "boom bap",
                "lo-fi beats",
                "alternative hip hop",
                "trap",
                "conscious hip hop",
            ],
            Taste::Metal => &[
                "doom metal",
                "post-metal",
                "stoner rock",
                "metalcore",
                "black metal",
                "progressive metal",
            ],
            Taste::World => &[
                "afrobeat",
                "highlife",
                "cumbia",
                "fado",
                "rebetiko",
                "desert blues",
                "bossa nova",
            ],
        }
    }

    const ALL: [Taste; 8] = [
        Taste::Indie,
        Taste::Electronic,
        Taste::Rock,
        Taste::Jazz,
        Taste::Folk,
        Taste::HipHop,
        Taste::Metal,
        Taste::World,
    ];
}

/// The musical leaning of the artist at `index`: personas' tastes follow the roster ranges.
fn taste_of(index: usize) -> Taste {
    use Taste::*;
    if ALICE_ONLY.contains(&index) {
        [Indie, Electronic, Rock, Indie, Electronic, Rock, HipHop][index % 7]
    } else if SHARED.contains(&index) {
        [Indie, Folk, Jazz, Electronic][index % 4]
    } else if BOB_ONLY.contains(&index) {
        [Jazz, Folk, HipHop, Metal, World, Jazz][index % 6]
    } else {
        [Rock, World, Metal][index % 3]
    }
}

/// Album covers and artist portraits in the three sizes Spotify serves, widest first.
fn images(rng: &mut Rng, prefixes: [&str; 3]) -> Vec<Image> {
    let hash = rng.hex(24);
    [640, 300, 64]
        .into_iter()
        .zip(prefixes)
        .map(|(size, prefix)| Image {
            url: format!("https://i.scdn.co/image/{prefix}{hash}"),
            width: Some(size),
            height: Some(size),
        })
        .collect()
}

const ALBUM_IMAGE_PREFIXES: [&str; 3] =
    ["ab67616d0000b273", "ab67616d00001e02", "ab67616d00004851"];
const ARTIST_IMAGE_PREFIXES: [&str; 3] =
    ["ab6761610000e5eb", "ab67616100005174", "ab6761610000f178"];

fn clamp_popularity(value: i64) -> u8 {
    value.clamp(0, 100) as u8
}

/// Release dates forced onto particular albums so every form Spotify sends appears, on albums
/// `alice` loves (see `personas.rs`): `(artist, album of that artist, date, precision)`.
pub(crate) const SPECIAL_DATES: [(usize, usize, &str, &str); 4] = [
    (10, 0, "1987-06-15", "day"),
    (13, 0, "1994-03", "month"),
    (14, 0, "1971", "year"),
    (16, 0, "0000", "year"),
];

/// The artists whose discography includes a compilation called "Greatest Hits".
pub(crate) const GREATEST_HITS_ARTISTS: [usize; 2] = [11, 12];

struct Builder {
    artists: Vec<Artist>,
    albums: Vec<Album>,
    tracks: Vec<Track>,
    tastes: Vec<Taste>,
}

impl Builder {
    /// Adds an album by `artists[0]` (and any co-artists) with the given track names.
    #[allow(clippy::too_many_arguments)]
    fn add_album(
        &mut self,
        rng: &mut Rng,
        artists: Vec<usize>,
        name: String,
        album_type: &'static str,
        (release_date, precision): (String, &'static str),
        track_names: Vec<String>,
        with_images: bool,
        label: &str,
    ) -> usize {
        let album_index = self.albums.len();
        let main = artists[0];
        let year: i64 = release_date[..4].parse().unwrap_or(0);
        let artist_popularity = i64::from(self.artists[main].popularity);
        let taste = self.tastes[main];
        let explicit_rate = match taste {
            Taste::HipHop => 0.45,
            Taste::Metal => 0.2,
            _ => 0.04,
        };
        let peers = peers_of(main);
        let mut track_indices = Vec::new();
        for (position, track_name) in track_names.into_iter().enumerate() {
            let track_index = self.tracks.len();
            let mut credited = artists.clone();
            let mut name = track_name;
            // Some tracks feature one or two more artists of the same circle.
            if album_type != "single" && rng.chance(0.12) && !peers.is_empty() {
                let extra = 1 + usize::from(rng.chance(0.35));
                let mut featured = Vec::new();
                for _ in 0..extra {
                    let guest = peers.start + rng.below(peers.len());
                    if !credited.contains(&guest) {
                        credited.push(guest);
                        featured.push(self.artists[guest].name.clone());
                    }
                }
                if !featured.is_empty() && rng.chance(0.6) {
                    name = format!("{name} (feat. {})", featured.join(" & "));
                }
            }
            // Versions are named after any credit, as Spotify writes them.
            if main >= EDGE.end && rng.chance(0.07) {
                name.push_str(rng.word(SUFFIXES));
            }
            let long = main == 8 || rng.chance(0.03);
            let duration_ms = if long {
                rng.between(480_000, 1_400_000)
            } else {
                rng.between(95_000, 420_000)
            } as u32;
            let popularity = if rng.chance(0.03) {
                0
            } else {
                clamp_popularity(artist_popularity + rng.between(-22, 8))
            };
            let track = Track {
                id: spotify_id("track", track_index as u64),
                name,
                album: album_index,
                artists: credited.clone(),
                duration_ms,
                explicit: rng.chance(explicit_rate),
                popularity,
                isrc: isrc(rng, year),
                track_number: position as u32 + 1,
                everywhere: !rng.chance(0.06),
            };
            for artist in credited {
                self.artists[artist].tracks.push(track_index);
            }
            self.tracks.push(track);
            track_indices.push(track_index);
        }
        let album = Album {
            id: spotify_id("album", album_index as u64),
            name,
            album_type,
            artists: artists.clone(),
            release_date,
            precision,
            images: if with_images {
                images(rng, ALBUM_IMAGE_PREFIXES)
            } else {
                Vec::new()
            },
            popularity: clamp_popularity(artist_popularity + rng.between(-12, 4)),
            label: label.to_owned(),
            upc: format!("{:012}", rng.next_u64() % 1_000_000_000_000),
            tracks: track_indices,
        };
        self.artists[main].albums.push(album_index);
        self.albums.push(album);
        album_index
    }
}

/// The artists a track by `artist` may feature: the same roster group.
fn peers_of(artist: usize) -> Range<usize> {
    [ALICE_ONLY, SHARED, BOB_ONLY, BOB_ONLY.end..ARTIST_COUNT]
        .into_iter()
        .find(|range| range.contains(&artist))
        .unwrap_or(0..0)
}

fn release(rng: &mut Rng, year: i64) -> (String, &'static str) {
    let month = if year >= 2026 {
        rng.between(1, 2)
    } else {
        rng.between(1, 12)
    };
    let roll = rng.unit();
    if roll < 0.74 {
        (
            format!("{year:04}-{month:02}-{:02}", rng.between(1, 28)),
            "day",
        )
    } else if roll < 0.86 {
        (format!("{year:04}-{month:02}"), "month")
    } else {
        (format!("{year:04}"), "year")
    }
}

fn generate() -> Catalogue {
    let mut builder = Builder {
        artists: Vec::with_capacity(ARTIST_COUNT),
        albums: Vec::new(),
        tracks: Vec::new(),
        tastes: Vec::with_capacity(ARTIST_COUNT),
    };
    let mut names = HashSet::new();

    // Artists first: tracks may feature any artist of the same group.
    for index in 0..ARTIST_COUNT {
        let mut rng = Rng::seeded("artist", index as u64);
        let taste = taste_of(index);
        let (name, genres, popularity, with_images) = if let Some(edge) = EDGE_ARTISTS.get(index) {
            (
                edge.name.to_owned(),
                edge.genres.to_vec(),
                edge.popularity,
                edge.images,
            )
        } else {
            let name = loop {
                let candidate = artist_name(&mut rng, taste);
                if names.insert(candidate.clone()) {
                    break candidate;
                }
            };
            let mut genres: Vec<&'static str> = Vec::new();
            if !rng.chance(0.1) {
                let wanted = 1 + rng.below(4);
                while genres.len() < wanted {
                    let genre = rng.word(taste.genres());
                    if !genres.contains(&genre) {
                        genres.push(genre);
                    }
                }
                if rng.chance(0.15) {
                    let other_taste = *rng.pick(&Taste::ALL);
                    let other = rng.word(other_taste.genres());
                    if !genres.contains(&other) {
                        genres.push(other);
                    }
                }
            }
            let popularity = if rng.chance(0.08) {
                rng.below(7) as u8
            } else {
                (rng.unit().powf(0.8) * 95.0) as u8 + 3
            };
            (name, genres, popularity, !rng.chance(0.07) && index != 20)
        };
        let followers =
            (10f64.powf(1.0 + f64::from(popularity) / 100.0 * 6.3) * (0.5 + rng.unit())) as u64;
        builder.artists.push(Artist {
            id: spotify_id("artist", index as u64),
            name,
            genres,
            popularity,
            followers,
            images: if with_images {
                images(&mut rng, ARTIST_IMAGE_PREFIXES)
            } else {
                Vec::new()
            },
            albums: Vec::new(),
            tracks: Vec::new(),
        });
        builder.tastes.push(taste);
    }

    for index in 0..ARTIST_COUNT {
        let mut rng = Rng::seeded("discography", index as u64);
        let words = if rng.chance(0.5) { ADJECTIVES } else { NOUNS };
        let label = format!("{}{}", rng.word(words), rng.word(LABEL_ENDINGS));
        // Careers start anywhere from the 1960s to now, more of them recently.
        let mut year = match index {
            10 => 1985,
            13 => 1992,
            14 => 1969,
            16 => 2003,
            _ => 1962 + (rng.unit().sqrt() * 63.0) as i64,
        };
        if let Some(edge) = EDGE_ARTISTS.get(index) {
            for (position, (name, tracks)) in edge.albums.iter().enumerate() {
                let date = release(&mut rng, year.min(2026));
                builder.add_album(
                    &mut rng,
                    vec![index],
                    (*name).to_owned(),
                    "album",
                    date,
                    tracks.iter().map(|t| (*t).to_owned()).collect(),
                    position == 0 || edge.images,
                    &label,
                );
                year += rng.between(1, 4);
            }
            continue;
        }
        let album_count = 1 + usize::from(rng.chance(0.4));
        for position in 0..album_count {
            let single = position > 0 && rng.chance(0.25);
            let mut date = release(&mut rng, year.min(2026));
            if let Some((_, _, special, precision)) = SPECIAL_DATES
                .iter()
                .find(|(artist, album, ..)| *artist == index && *album == position)
            {
                date = ((*special).to_owned(), *precision);
            }
            let track_names: Vec<String> = if single {
                (0..1 + rng.below(3))
                    .map(|_| track_name(&mut rng))
                    .collect()
            } else {
                (0..4 + rng.below(5))
                    .map(|_| track_name(&mut rng))
                    .collect()
            };
            let (name, album_type) = if single {
                (track_names[0].clone(), "single")
            } else {
                let artist_name = builder.artists[index].name.clone();
                (album_name(&mut rng, &artist_name, position == 0), "album")
            };
            // A few albums are collaborations credited to two artists.
            let mut album_artists = vec![index];
            let peers = peers_of(index);
            if !single && rng.chance(0.05) {
                let partner = peers.start + rng.below(peers.len());
                if partner != index {
                    album_artists.push(partner);
                }
            }
            let with_images = !rng.chance(0.06);
            builder.add_album(
                &mut rng,
                album_artists,
                name,
                album_type,
                date,
                track_names,
                with_images,
                &label,
            );
            year += rng.between(1, 5);
        }
        if GREATEST_HITS_ARTISTS.contains(&index) {
            // A compilation re-releases earlier songs as new tracks (new ids), as labels do.
            let earlier: Vec<String> = builder.artists[index]
                .albums
                .iter()
                .flat_map(|album| builder.albums[*album].tracks.clone())
                .map(|track| builder.tracks[track].name.clone())
                .collect();
            let mut names: Vec<String> = earlier
                .into_iter()
                .take(12)
                .map(|name| {
                    if rng.chance(0.4) {
                        format!("{name} - Remastered")
                    } else {
                        name
                    }
                })
                .collect();
            while names.len() < 8 {
                names.push(track_name(&mut rng));
            }
            let date = release(&mut rng, year.min(2026));
            builder.add_album(
                &mut rng,
                vec![index],
                "Greatest Hits".to_owned(),
                "compilation",
                date,
                names,
                true,
                &label,
            );
        }
    }

    let artist_ids = index_by(builder.artists.iter().map(|a| a.id.clone()));
    let album_ids = index_by(builder.albums.iter().map(|a| a.id.clone()));
    let track_ids = index_by(builder.tracks.iter().map(|t| t.id.clone()));
    Catalogue {
        artists: builder.artists,
        albums: builder.albums,
        tracks: builder.tracks,
        artist_ids,
        album_ids,
        track_ids,
    }
}

fn index_by(ids: impl Iterator<Item = String>) -> HashMap<String, usize> {
    ids.enumerate().map(|(index, id)| (id, index)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_the_promised_shape() {
        let cat = Catalogue::get();
        assert_eq!(cat.artists.len(), ARTIST_COUNT);
        assert!(cat.albums.len() > 150, "{} albums", cat.albums.len());
        assert!(cat.tracks.len() > 800, "{} tracks", cat.tracks.len());
        // Ids are unique and well formed.
        assert_eq!(cat.artist_ids.len(), cat.artists.len());
        assert_eq!(cat.album_ids.len(), cat.albums.len());
        assert_eq!(cat.track_ids.len(), cat.tracks.len());
        for track in &cat.tracks {
            assert_eq!(track.id.len(), 22);
            assert_eq!(track.isrc.len(), 12, "{}", track.isrc);
        }
        let greatest: Vec<&Album> = cat
            .albums
            .iter()
            .filter(|a| a.name == "Greatest Hits")
            .collect();
        assert_eq!(greatest.len(), 2);
        assert_ne!(greatest[0].artists, greatest[1].artists);
        for (_, _, date, precision) in SPECIAL_DATES {
            assert!(
                cat.albums
                    .iter()
                    .any(|a| a.release_date == date && a.precision == precision)
            );
        }
        assert!(cat.albums.iter().any(|a| a.images.is_empty()));
        assert!(cat.artists.iter().any(|a| a.images.is_empty()));
        assert!(cat.artists.iter().any(|a| a.genres.is_empty()));
        assert!(cat.tracks.iter().any(|t| t.artists.len() == 3));
        assert!(cat.tracks.iter().any(|t| t.artists.len() == 2));
        let years: Vec<i64> = cat
            .albums
            .iter()
            .filter_map(|a| a.release_date[..4].parse().ok())
            .filter(|y| *y >= 1000)
            .collect();
        assert!(years.iter().any(|y| (1960..1970).contains(y)));
        assert!(years.contains(&2026));
        assert!(cat.tracks.iter().any(|t| t.popularity < 5));
        assert!(cat.tracks.iter().any(|t| t.popularity > 80));
    }

    #[test]
    fn catalogue_is_deterministic() {
        let again = generate();
        let cat = Catalogue::get();
        assert_eq!(again.tracks.len(), cat.tracks.len());
        assert_eq!(again.tracks[123].name, cat.tracks[123].name);
        assert_eq!(again.albums[45].release_date, cat.albums[45].release_date);
    }
}
