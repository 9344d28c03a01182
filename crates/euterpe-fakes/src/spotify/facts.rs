//! What a persona looks like to a test: ids, top lists, playlists and the numbers the dashboard
//! panels derive from them, so tests need not hard-code generated values.

use super::*;

/// Spotify's three top-list windows, as ids in Spotify's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopLists {
    /// About the last four weeks.
    pub short_term: Vec<String>,
    /// About the last six months (Spotify's default range).
    pub medium_term: Vec<String>,
    /// About the last year.
    pub long_term: Vec<String>,
}

impl TopLists {
    /// The list for a `time_range` value; `None` for anything else.
    pub fn get(&self, time_range: &str) -> Option<&[String]> {
        match time_range {
            "short_term" => Some(&self.short_term),
            "medium_term" => Some(&self.medium_term),
            "long_term" => Some(&self.long_term),
            _ => None,
        }
    }
}

/// One playlist as a persona's `/me/playlists` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaylistFacts {
    pub id: String,
    pub name: String,
    pub owner_id: String,
    pub collaborative: bool,
    /// Whether this persona may read its items (owner or collaborator); else 403.
    pub readable: bool,
    /// Entries, including duplicates and local files.
    pub total: usize,
    pub snapshot_id: String,
    /// Distinct track ids among its entries that are in the persona's top tracks, per range
    /// `[short_term, medium_term, long_term]`: what the "Top playlists" panel counts.
    pub top_tracks_held: [usize; 3],
}

/// What tests can rely on about a persona, read from the fake's current state.
#[derive(Debug, Clone)]
pub struct PersonaFacts {
    /// The name `/authorize?persona=` takes.
    pub name: &'static str,
    /// `/me`'s `id`.
    pub user_id: &'static str,
    /// `/me`'s `account_id` (stable, distinct from `id`).
    pub account_id: String,
    pub display_name: &'static str,
    /// The line the sign-in page shows.
    pub description: &'static str,
    /// On the development-mode allow-list (only `stranger` is not).
    pub allow_listed: bool,
    /// Track ids of `/me/top/tracks`, per range.
    pub top_tracks: TopLists,
    /// Artist ids of `/me/top/artists`, per range.
    pub top_artists: TopLists,
    /// In `/me/playlists` order.
    pub playlists: Vec<PlaylistFacts>,
    /// Plays in the whole stored history (the API only ever shows the latest 50).
    pub plays: usize,
}

impl PersonaFacts {
    /// Artist ids in the top artists of all three ranges, in `long_term` order.
    pub fn artists_in_all_ranges(&self) -> Vec<String> {
        let t = &self.top_artists;
        t.long_term
            .iter()
            .filter(|a| t.medium_term.contains(a) && t.short_term.contains(a))
            .cloned()
            .collect()
    }

    /// Artist ids in `long_term` but in neither `medium_term` nor `short_term`, in `long_term`
    /// order.
    pub fn artists_falling_off(&self) -> Vec<String> {
        let t = &self.top_artists;
        t.long_term
            .iter()
            .filter(|a| !t.medium_term.contains(a) && !t.short_term.contains(a))
            .cloned()
            .collect()
    }
}

impl FakeSpotify {
    /// What tests can rely on about a persona, as things stand now; `None` for an unknown name.
    pub fn persona_facts(&self, persona: &str) -> Option<PersonaFacts> {
        let index = personas::index_of(persona)?;
        let cat = Catalogue::get();
        let world = World::get();
        let def = &PERSONAS[index];
        let ids = |list: &[usize], of_track: bool| -> Vec<String> {
            list.iter()
                .map(|i| {
                    if of_track {
                        cat.tracks[*i].id.clone()
                    } else {
                        cat.artists[*i].id.clone()
                    }
                })
                .collect()
        };
        let lists = |lists: &[Vec<usize>; 3], of_track: bool| TopLists {
            short_term: ids(&lists[0], of_track),
            medium_term: ids(&lists[1], of_track),
            long_term: ids(&lists[2], of_track),
        };
        let state = self.state();
        let top_tracks = &world.top_tracks[index];
        let playlists = world.libraries[index]
            .iter()
            .map(|&playlist| {
                let seed = &world.playlists[playlist];
                let live = &state.playlists[playlist];
                let held: HashSet<usize> = live.entries.iter().filter_map(|e| e.track).collect();
                PlaylistFacts {
                    id: seed.id.clone(),
                    name: seed.name.clone(),
                    owner_id: seed.owner.id().to_owned(),
                    collaborative: seed.collaborative,
                    readable: may_read(seed, index),
                    total: live.entries.len(),
                    snapshot_id: live.snapshot_id.clone(),
                    top_tracks_held: std::array::from_fn(|range| {
                        top_tracks[range]
                            .iter()
                            .filter(|t| held.contains(t))
                            .count()
                    }),
                }
            })
            .collect();
        Some(PersonaFacts {
            name: personas::NAMES[index],
            user_id: def.user_id,
            account_id: personas::account_id(index),
            display_name: def.display_name,
            description: def.description,
            allow_listed: def.allow_listed,
            top_tracks: lists(&world.top_tracks[index], true),
            top_artists: lists(&world.top_artists[index], false),
            playlists,
            plays: state.plays[index].len(),
        })
    }
}
