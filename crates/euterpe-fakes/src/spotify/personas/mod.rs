//! The fake's users: who they are, what they listen to, their playlists and their history.
//!
//! Top lists and playlists are built once per process from fixed seeds; the listening history
//! is laid out backwards from the clock's "now" when a `FakeSpotify` is made, so it always
//! looks recent.

use std::collections::HashSet;
use std::sync::OnceLock;

use time::{Duration, OffsetDateTime};

use super::catalogue::{
    ALICE_ONLY, BOB_ONLY, Catalogue, EDGE, GREATEST_HITS_ARTISTS, SHARED, SPECIAL_DATES,
};
use super::prng::{Rng, spotify_id};

mod playlists;
use playlists::*;

/// Index of each range in the per-range arrays: Spotify's three `time_range`s.
pub(crate) const RANGES: [&str; 3] = ["short_term", "medium_term", "long_term"];

/// Who a persona is.
#[derive(Debug)]
pub(crate) struct PersonaDef {
    pub user_id: &'static str,
    pub display_name: &'static str,
    pub description: &'static str,
    pub email: &'static str,
    pub country: &'static str,
    pub product: &'static str,
    pub followers: u64,
    /// On the development-mode app's allow-list.
    pub allow_listed: bool,
    pub profile_images: usize,
}

pub(crate) const PERSONAS: [PersonaDef; 5] = [
    PersonaDef {
        user_id: "alice_demo",
        display_name: "Alice Moreau",
        description: "A rich listener: 50 top tracks and artists in every range, 17 playlists \
                      (one with 230 songs, one empty), two months of listening history.",
        email: "alice@example.com",
        country: "SE",
        product: "premium",
        followers: 42,
        allow_listed: true,
        profile_images: 2,
    },
    PersonaDef {
        user_id: "bob_demo",
        display_name: "Bob Okafor",
        description: "A different taste (jazz, folk, hip hop, metal): 35 top items per range, \
                      5 playlists, a quieter history.",
        email: "bob@example.com",
        country: "US",
        product: "premium",
        followers: 7,
        allow_listed: true,
        profile_images: 2,
    },
    PersonaDef {
        user_id: "empty_demo",
        display_name: "New Listener",
        description: "A brand-new account: no top items, no playlists, no history.",
        email: "empty@example.com",
        country: "GB",
        product: "free",
        followers: 0,
        allow_listed: true,
        profile_images: 0,
    },
    PersonaDef {
        user_id: "markup_demo",
        display_name: "<img src=x onerror=alert(1)> Mallory & \"Co\"",
        description: "A display name and favourite artists full of HTML, quotes, emoji and \
                      non-Latin scripts: checks that everything is escaped.",
        email: "mallory@example.com",
        country: "DE",
        product: "premium",
        followers: 13,
        allow_listed: true,
        profile_images: 1,
    },
    PersonaDef {
        user_id: "stranger_demo",
        display_name: "Sam Stranger",
        description: "A small listener who is not on the app's allow-list: in development mode \
                      Spotify answers 403 to everything.",
        email: "sam@example.com",
        country: "NL",
        product: "free",
        followers: 1,
        allow_listed: false,
        profile_images: 0,
    },
];

pub(crate) const ALICE: usize = 0;
pub(crate) const BOB: usize = 1;
pub(crate) const EMPTY: usize = 2;
pub(crate) const MARKUP: usize = 3;
pub(crate) const STRANGER: usize = 4;

/// The names of every persona, in a fixed order.
pub(crate) const NAMES: [&str; 5] = ["alice", "bob", "empty", "markup", "stranger"];

pub(crate) fn index_of(name: &str) -> Option<usize> {
    NAMES.iter().position(|candidate| *candidate == name)
}

/// The stable, immutable `account_id` Spotify added in 2026 (distinct from the user id).
pub(crate) fn account_id(persona: usize) -> String {
    Rng::seeded("account", persona as u64).base62(16)
}

/// Users who own playlists but never sign in.
pub(crate) const OTHER_USERS: [(&str, Option<&str>); 4] = [
    ("carol_demo", Some("Carol")),
    ("dave_demo", Some("Dave ⚡")),
    ("erin_demo", Some("Erin")),
    ("frank_demo", None),
];

/// A Spotify user who owns or adds to playlists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum User {
    Persona(usize),
    Other(usize),
}

impl User {
    pub(crate) fn id(self) -> &'static str {
        match self {
            User::Persona(index) => PERSONAS[index].user_id,
            User::Other(index) => OTHER_USERS[index].0,
        }
    }

    pub(crate) fn display_name(self) -> Option<&'static str> {
        match self {
            User::Persona(index) => Some(PERSONAS[index].display_name),
            User::Other(index) => OTHER_USERS[index].1,
        }
    }
}

/// How a playlist's cover comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cover {
    /// Spotify's 2×2 mosaic of the first albums, in three sizes.
    Mosaic,
    /// An uploaded picture: one image without dimensions.
    Custom,
    /// `images: []`.
    NoImages,
    /// `images: null`, as Spotify answers for some empty playlists.
    Null,
}

/// One entry of a playlist as first generated.
#[derive(Debug, Clone)]
pub(crate) struct EntrySeed {
    /// `None` for the local file.
    pub track: Option<usize>,
    pub added_by: User,
    /// How long before the fake was made the entry was added.
    pub days_ago: f64,
}

#[derive(Debug)]
pub(crate) struct PlaylistSeed {
    pub id: String,
    pub name: String,
    pub description: String,
    pub owner: User,
    pub collaborators: Vec<usize>,
    pub collaborative: bool,
    pub public: bool,
    pub cover: Cover,
    pub entries: Vec<EntrySeed>,
    pub version: u32,
}

/// Everything about the personas that does not depend on the time.
#[derive(Debug)]
pub(crate) struct World {
    /// Per persona, per range (see `RANGES`): artist indices in Spotify's order.
    pub top_artists: Vec<[Vec<usize>; 3]>,
    /// Per persona, per range: track indices in Spotify's order.
    pub top_tracks: Vec<[Vec<usize>; 3]>,
    pub playlists: Vec<PlaylistSeed>,
    /// Per persona: the playlists `/me/playlists` lists, in its order.
    pub libraries: Vec<Vec<usize>>,
}

impl World {
    pub(crate) fn get() -> &'static World {
        static WORLD: OnceLock<World> = OnceLock::new();
        WORLD.get_or_init(build)
    }
}

/// How a persona's artists fall into the three ranges (Venn regions of short, medium, long).
#[derive(Default)]
struct Partition {
    /// In all three ranges.
    all: Vec<usize>,
    /// In long only: "falling off".
    long: Vec<usize>,
    long_medium: Vec<usize>,
    long_short: Vec<usize>,
    medium_short: Vec<usize>,
    medium: Vec<usize>,
    /// In short only: new discoveries.
    short: Vec<usize>,
}

impl Partition {
    /// `(artists, [short, medium, long] weight; 0 = absent)` for each region.
    fn regions(&self) -> [(&[usize], [f64; 3]); 7] {
        [
            (&self.all, [1.0, 1.0, 1.0]),
            (&self.long, [0.0, 0.0, 0.85]),
            (&self.long_medium, [0.0, 0.75, 0.8]),
            (&self.long_short, [0.55, 0.0, 0.5]),
            (&self.medium_short, [0.85, 0.8, 0.0]),
            (&self.medium, [0.0, 0.5, 0.0]),
            (&self.short, [1.05, 0.0, 0.0]),
        ]
    }

    fn union(&self) -> Vec<usize> {
        self.regions()
            .iter()
            .flat_map(|(artists, _)| artists.iter().copied())
            .collect()
    }
}

fn span(range: std::ops::Range<usize>) -> Vec<usize> {
    range.collect()
}

fn concat(parts: &[&[usize]]) -> Vec<usize> {
    parts.iter().flat_map(|part| part.iter().copied()).collect()
}

fn partition_of(persona: usize) -> Partition {
    debug_assert_eq!(
        (ALICE_ONLY.start, SHARED.start, BOB_ONLY.start),
        (10, 67, 83)
    );
    match persona {
        // 16 in all three ranges, 10 falling off; 76 artists in all.
        ALICE => Partition {
            all: concat(&[&[0], &span(10..25)]),
            long: concat(&[&[6], &span(25..34)]),
            long_medium: span(34..46),
            long_short: span(46..58),
            medium_short: concat(&[&[3], &span(58..67), &span(67..75)]),
            medium: span(75..79),
            short: span(79..83),
        },
        // 22 in all three ranges, 5 falling off; 46 artists, 16 of them shared with alice.
        BOB => Partition {
            all: span(83..105),
            long: span(105..110),
            long_medium: concat(&[&span(110..113), &[67]]),
            long_short: span(68..72),
            medium_short: span(72..79),
            medium: span(79..81),
            short: span(81..83),
        },
        MARKUP => Partition {
            all: concat(&[&span(EDGE), &[67, 83]]),
            long: vec![10, 84],
            long_medium: vec![11, 85],
            long_short: vec![12],
            medium_short: vec![68, 86],
            medium: vec![13],
            short: vec![14, 87],
        },
        STRANGER => Partition {
            all: vec![88, 89, 90, 91, 69, 15],
            long: vec![92],
            long_medium: vec![93],
            medium_short: vec![70],
            short: vec![94],
            ..Partition::default()
        },
        _ => Partition::default(),
    }
}

/// How many top tracks each persona has per range.
fn top_track_count(persona: usize) -> usize {
    match persona {
        ALICE => 50,
        BOB => 35,
        MARKUP => 30,
        STRANGER => 15,
        _ => 0,
    }
}

fn rank_artists(persona: usize, partition: &Partition) -> [Vec<usize>; 3] {
    let mut love_rng = Rng::seeded("love", persona as u64);
    let mut scored: [Vec<(f64, usize)>; 3] = Default::default();
    for (region, (artists, weights)) in partition.regions().iter().enumerate() {
        for &artist in *artists {
            let love = if region == 0 {
                0.6 + 0.4 * love_rng.unit()
            } else {
                0.35 + 0.65 * love_rng.unit()
            };
            for (range, weight) in weights.iter().enumerate() {
                if *weight > 0.0 {
                    let noise = 0.85 + 0.3 * love_rng.unit();
                    scored[range].push((love * weight * noise, artist));
                }
            }
        }
    }
    scored.map(|mut list| {
        list.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        list.into_iter().map(|(_, artist)| artist).collect()
    })
}

/// How much a persona likes each album: a few albums dominate, as in real top lists.
fn album_affinity(persona: usize, cat: &Catalogue) -> Vec<f64> {
    let mut rng = Rng::seeded("album-affinity", persona as u64);
    let mut affinity: Vec<f64> = cat.albums.iter().map(|_| rng.unit()).collect();
    if persona == ALICE {
        // Make sure alice's top lists show every release-date form and both "Greatest Hits".
        for (artist, album, ..) in SPECIAL_DATES {
            affinity[cat.artists[artist].albums[album]] = 0.8;
        }
        for artist in GREATEST_HITS_ARTISTS {
            for &album in &cat.artists[artist].albums {
                if cat.albums[album].name == "Greatest Hits" {
                    affinity[album] = 0.8;
                }
            }
        }
    }
    affinity
}

fn rank_tracks(persona: usize, artists: &[Vec<usize>; 3], cat: &Catalogue) -> [Vec<usize>; 3] {
    let count = top_track_count(persona);
    let albums = album_affinity(persona, cat);
    let mut rng = Rng::seeded("track-affinity", persona as u64);
    let affinity: Vec<f64> = cat
        .tracks
        .iter()
        .map(|track| albums[track.album].powf(1.5) * (0.4 + 0.6 * rng.unit()))
        .collect();
    std::array::from_fn(|range| {
        let mut noise = Rng::seeded(RANGES[range], persona as u64);
        let ranked = &artists[range];
        let mut scored: Vec<(f64, usize)> = Vec::new();
        let mut seen = HashSet::new();
        for (rank, &artist) in ranked.iter().enumerate() {
            for &track in &cat.artists[artist].tracks {
                if !seen.insert(track) {
                    continue;
                }
                // A track counts with the best-ranked artist credited on it.
                let best = cat.tracks[track]
                    .artists
                    .iter()
                    .filter_map(|a| ranked.iter().position(|r| r == a))
                    .min()
                    .unwrap_or(rank);
                let weight = 1.0 / (1.0 + best as f64 / 6.0);
                scored.push((
                    weight * affinity[track] * (0.55 + 0.9 * noise.unit()),
                    track,
                ));
            }
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().take(count).map(|(_, t)| t).collect()
    })
}

/// Every track crediting any of `artists`, without repeats.
fn tracks_of(cat: &Catalogue, artists: &[usize]) -> Vec<usize> {
    let mut seen = HashSet::new();
    artists
        .iter()
        .flat_map(|artist| cat.artists[*artist].tracks.iter().copied())
        .filter(|track| seen.insert(*track))
        .collect()
}

fn release_year(cat: &Catalogue, track: usize) -> i64 {
    let date = &cat.albums[cat.tracks[track].album].release_date;
    date[..4].parse().unwrap_or(0)
}

fn build() -> World {
    let cat = Catalogue::get();
    let partitions: Vec<Partition> = (0..PERSONAS.len()).map(partition_of).collect();
    let top_artists: Vec<[Vec<usize>; 3]> = partitions
        .iter()
        .enumerate()
        .map(|(persona, partition)| rank_artists(persona, partition))
        .collect();
    let top_tracks: Vec<[Vec<usize>; 3]> = top_artists
        .iter()
        .enumerate()
        .map(|(persona, artists)| rank_tracks(persona, artists, cat))
        .collect();

    let mut builder = PlaylistBuilder {
        playlists: Vec::new(),
    };
    let mut libraries: Vec<Vec<usize>> = vec![Vec::new(); PERSONAS.len()];
    let own = |builder: &mut PlaylistBuilder, persona: usize, plans: &[PlaylistPlan]| {
        let pool = tracks_of(cat, &partitions[persona].union());
        let short = &top_tracks[persona][0];
        plans
            .iter()
            .enumerate()
            .map(|(position, plan)| {
                let seed = (persona * 100 + position) as u64;
                let throwback = plan.name.starts_with("Throwbacks");
                let road_trip = plan.name.starts_with("Road Trip");
                let plan_for_pick = PlaylistPlan {
                    // Road Trip keeps two of its slots for a duplicate and a local file.
                    total: plan.total - if road_trip { 2 } else { 0 },
                    ..*plan
                };
                let mut tracks = builder.tracks_for(seed, &plan_for_pick, short, &pool, |t| {
                    !throwback || (1970..2000).contains(&release_year(cat, t))
                });
                if road_trip {
                    let favourite = tracks
                        .iter()
                        .flatten()
                        .copied()
                        .find(|t| short.contains(t))
                        .expect("road trip has a short-term favourite");
                    tracks.push(Some(favourite));
                    tracks.insert(tracks.len() / 2, None);
                }
                let owner = User::Persona(persona);
                builder.push(owner, plan, tracks, &[owner])
            })
            .collect::<Vec<usize>>()
    };
    let alice_own = own(&mut builder, ALICE, &ALICE_PLAYLISTS);
    let bob_own = own(&mut builder, BOB, &BOB_PLAYLISTS);
    let markup_own = own(&mut builder, MARKUP, &MARKUP_PLAYLISTS);
    let stranger_own = own(&mut builder, STRANGER, &STRANGER_PLAYLISTS);

    // Bob's collaborative playlist, which alice adds to as well.
    let office = {
        let mut rng = Rng::seeded("office-mix", 0);
        let mut tracks: Vec<usize> = top_tracks[BOB][1].iter().take(20).copied().collect();
        for track in top_tracks[ALICE][1].iter().take(30) {
            if !tracks.contains(track) && tracks.len() < 44 {
                tracks.push(*track);
            }
        }
        rng.shuffle(&mut tracks);
        let index = builder.push(
            User::Persona(BOB),
            &plan(
                "Office Mix (collab)",
                "Anyone in the office can add songs. Be nice.",
                0,
                0,
                Cover::Mosaic,
                false,
            ),
            tracks.into_iter().map(Some).collect(),
            &[User::Persona(BOB), User::Persona(ALICE)],
        );
        builder.playlists[index].collaborative = true;
        builder.playlists[index].collaborators = vec![ALICE];
        index
    };

    let others: Vec<usize> = OTHER_PLAYLISTS
        .iter()
        .enumerate()
        .map(|(position, (owner, name, size))| {
            let mut rng = Rng::seeded("other-playlist", position as u64);
            let start = SHARED.start + rng.below(BOB_ONLY.end - SHARED.start - 10);
            let artists: Vec<usize> = (start..start + 10).collect();
            let mut tracks = tracks_of(cat, &artists);
            rng.shuffle(&mut tracks);
            tracks.truncate(*size);
            let user = User::Other(*owner);
            builder.push(
                user,
                &plan(name, "", 0, 0, Cover::Mosaic, true),
                tracks.into_iter().map(Some).collect(),
                &[user],
            )
        })
        .collect();

    // The order `/me/playlists` lists them in: own and followed playlists mixed, as in life.
    let a = &alice_own;
    libraries[ALICE] = vec![
        a[0], a[3], office, a[4], a[5], others[0], a[6], a[2], a[7], others[1], a[8], a[10], a[9],
        others[2], a[11], others[3], a[1],
    ];
    libraries[BOB] = vec![office, bob_own[0], a[0], bob_own[1], bob_own[2]];
    libraries[MARKUP] = vec![markup_own[0], a[10], markup_own[1]];
    libraries[STRANGER] = stranger_own.clone();
    libraries[EMPTY] = Vec::new();

    World {
        top_artists,
        top_tracks,
        playlists: builder.playlists,
        libraries,
    }
}

/// One play of the listening history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Play {
    pub track: usize,
    pub at: OffsetDateTime,
}

/// `(days of history, mean sessions a day, fewest and most plays in a session)`.
fn history_shape(persona: usize) -> Option<(i64, f64, i64, i64)> {
    match persona {
        ALICE => Some((60, 3.0, 6, 18)),
        BOB => Some((60, 1.4, 4, 12)),
        MARKUP => Some((21, 1.0, 3, 8)),
        STRANGER => Some((10, 0.8, 3, 7)),
        _ => None,
    }
}

/// Lays out a persona's listening history over the days before `now`, oldest first: a few
/// listening sessions a day in waking hours, tracks back to back, mostly from the top lists
/// that were current at the time.
pub(crate) fn history(persona: usize, now: OffsetDateTime) -> Vec<Play> {
    let Some((days, sessions_per_day, fewest, most)) = history_shape(persona) else {
        return Vec::new();
    };
    let cat = Catalogue::get();
    let world = World::get();
    let lists = &world.top_tracks[persona];
    let mut rng = Rng::seeded("history", persona as u64);
    let midnight = now.replace_time(time::Time::MIDNIGHT);
    let mut plays = Vec::new();
    for day in (0..=days).rev() {
        let day_start = midnight - Duration::days(day);
        let sessions = (sessions_per_day * (0.4 + 1.2 * rng.unit())).round() as usize;
        let mut starts: Vec<i64> = (0..sessions)
            .map(|_| rng.between(7 * 60, 23 * 60))
            .collect();
        starts.sort_unstable();
        let mut not_before = day_start;
        for start in starts {
            let mut at = (day_start + Duration::minutes(start)).max(not_before);
            for _ in 0..rng.between(fewest, most) {
                let age_days = (now - at).whole_days();
                let weights = if age_days < 28 {
                    [0.6, 0.25, 0.15]
                } else {
                    [0.2, 0.5, 0.3]
                };
                let roll = rng.unit();
                let range = if roll < weights[0] {
                    0
                } else if roll < weights[0] + weights[1] {
                    1
                } else {
                    2
                };
                let list = &lists[range];
                if list.is_empty() {
                    break;
                }
                // Favourites get most plays: bias the pick towards the head of the list.
                let position = ((list.len() as f64) * rng.unit().powf(1.7)) as usize;
                let track = list[position.min(list.len() - 1)];
                let played = at + Duration::milliseconds(rng.between(0, 999));
                if played >= now {
                    break;
                }
                plays.push(Play { track, at: played });
                // Mostly listened through; now and then skipped after half a minute or so.
                let listened = if rng.chance(0.12) {
                    rng.between(31_000, 90_000)
                } else {
                    i64::from(cat.tracks[track].duration_ms)
                };
                at += Duration::milliseconds(listened + rng.between(0, 4_000));
            }
            not_before = at;
        }
    }
    plays.sort_by_key(|play| play.at);
    plays
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(list: &[usize]) -> HashSet<usize> {
        list.iter().copied().collect()
    }

    #[test]
    fn alice_ranges_overlap_as_designed() {
        let world = World::get();
        let [short, medium, long] = &world.top_artists[ALICE];
        assert_eq!((short.len(), medium.len(), long.len()), (50, 50, 50));
        let (s, m, l) = (set(short), set(medium), set(long));
        let all_three = l.iter().filter(|a| m.contains(a) && s.contains(a)).count();
        let falling = l
            .iter()
            .filter(|a| !m.contains(a) && !s.contains(a))
            .count();
        assert_eq!((all_three, falling), (16, 10));
        for list in &world.top_tracks[ALICE] {
            assert_eq!(list.len(), 50);
            assert_eq!(set(list).len(), 50);
        }
    }

    #[test]
    fn bob_mostly_differs_from_alice() {
        let world = World::get();
        let alice: HashSet<usize> = world.top_artists[ALICE].iter().flatten().copied().collect();
        let bob: HashSet<usize> = world.top_artists[BOB].iter().flatten().copied().collect();
        assert_eq!(world.top_artists[BOB][1].len(), 35);
        assert!(bob.intersection(&alice).count() * 2 < bob.len());
    }

    #[test]
    fn playlists_hold_the_planned_favourites() {
        let world = World::get();
        let short = set(&world.top_tracks[ALICE][0]);
        for (index, plan) in ALICE_PLAYLISTS.iter().enumerate() {
            let playlist = &world.playlists[index];
            assert_eq!(playlist.name, plan.name);
            assert_eq!(playlist.entries.len(), plan.total);
            let distinct: HashSet<usize> = playlist
                .entries
                .iter()
                .filter_map(|e| e.track)
                .filter(|t| short.contains(t))
                .collect();
            assert_eq!(distinct.len(), plan.short_top, "{}", plan.name);
        }
    }

    #[test]
    fn history_is_recent_and_plentiful() {
        let now = OffsetDateTime::now_utc();
        let plays = history(ALICE, now);
        assert!(plays.len() > 800, "{} plays", plays.len());
        assert!(plays.windows(2).all(|w| w[0].at <= w[1].at));
        assert!(plays.last().unwrap().at < now);
        assert!(history(EMPTY, now).is_empty());
    }
}
