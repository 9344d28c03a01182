//! The personas' playlists: what each holds (plans), and how they are filled from the catalogue.

use super::*;

/// A playlist to generate: owner, name, size and how many of the owner's `short_term` top
/// tracks it holds.
pub(super) struct PlaylistPlan {
    pub(super) name: &'static str,
    pub(super) description: &'static str,
    pub(super) total: usize,
    pub(super) short_top: usize,
    pub(super) cover: Cover,
    pub(super) public: bool,
}

pub(super) const fn plan(
    name: &'static str,
    description: &'static str,
    total: usize,
    short_top: usize,
    cover: Cover,
    public: bool,
) -> PlaylistPlan {
    PlaylistPlan {
        name,
        description,
        total,
        short_top,
        cover,
        public,
    }
}

/// Alice's own playlists. "Road Trip 2025" also holds a duplicate entry and a local file
/// (both within its total).
pub(super) const ALICE_PLAYLISTS: [PlaylistPlan; 12] = [
    plan(
        "Everything I Love",
        "Every song I can't skip. All 230 of them.",
        230,
        30,
        Cover::Mosaic,
        true,
    ),
    plan("Nothing Here Yet", "", 0, 0, Cover::Null, false),
    plan("Untitled Mixtape", "", 14, 6, Cover::NoImages, false),
    plan(
        "Morning Coffee",
        "Slow starts and strong coffee.",
        25,
        12,
        Cover::Custom,
        true,
    ),
    plan(
        "Late Night Drive",
        "Windows down, city lights.",
        40,
        9,
        Cover::Mosaic,
        true,
    ),
    plan(
        "Gym & Running",
        "Tempo over taste.",
        33,
        9,
        Cover::Mosaic,
        false,
    ),
    plan(
        "Focus / Deep Work",
        "No lyrics, mostly.",
        60,
        7,
        Cover::Custom,
        true,
    ),
    plan(
        "Road Trip 2025",
        "Includes Uncle Ray's campfire recording.",
        48,
        5,
        Cover::Mosaic,
        true,
    ),
    plan("Sunday Morning", "", 18, 3, Cover::Mosaic, true),
    plan(
        "Old Favourites",
        "The ones from years ago.",
        70,
        2,
        Cover::Mosaic,
        false,
    ),
    plan(
        "<i>Weird</i> & \"Wonderful\"",
        "Names that break websites.",
        11,
        4,
        Cover::Mosaic,
        true,
    ),
    plan("Throwbacks: 1970s–1990s", "", 35, 1, Cover::Mosaic, true),
];

pub(super) const BOB_PLAYLISTS: [PlaylistPlan; 3] = [
    plan(
        "Bob's Jazz Brunch",
        "Sunday, eggs, saxophones.",
        30,
        8,
        Cover::Mosaic,
        true,
    ),
    plan("Bassline Studies", "", 22, 5, Cover::Mosaic, true),
    plan("Quiet Evenings", "", 15, 5, Cover::Custom, false),
];

pub(super) const MARKUP_PLAYLISTS: [PlaylistPlan; 2] = [
    plan(
        "<script>alert('playlist')</script>",
        "<b>bold</b> & \"quoted\"",
        12,
        6,
        Cover::Mosaic,
        true,
    ),
    plan("Ελληνικά & 日本語 🎶", "", 9, 3, Cover::Mosaic, true),
];

pub(super) const STRANGER_PLAYLISTS: [PlaylistPlan; 2] = [
    plan("Unfamiliar Tunes", "", 10, 4, Cover::Mosaic, true),
    plan("Road Noise", "", 7, 2, Cover::NoImages, false),
];

/// `(owner, name, size)` of playlists owned by users who never sign in; alice follows them.
pub(super) const OTHER_PLAYLISTS: [(usize, &str, usize); 4] = [
    (0, "Carol's Jazz Corner", 20),
    (1, "Garage Rock Forever", 26),
    (2, "Wedding Dance Floor", 45),
    (3, "Metal Mondays", 16),
];

pub(super) struct PlaylistBuilder {
    pub(super) playlists: Vec<PlaylistSeed>,
}

impl PlaylistBuilder {
    /// Adds a playlist owned by `owner` as `plan` describes it (its counts aside), holding
    /// `tracks` added in turn by `adders`.
    pub(super) fn push(
        &mut self,
        owner: User,
        plan: &PlaylistPlan,
        tracks: Vec<Option<usize>>,
        adders: &[User],
    ) -> usize {
        let index = self.playlists.len();
        let mut rng = Rng::seeded("playlist", index as u64);
        // Entries were added over the playlist's life, oldest first.
        let age = rng.between(20, 700) as f64;
        let count = tracks.len().max(1) as f64;
        let entries = tracks
            .into_iter()
            .enumerate()
            .map(|(position, track)| EntrySeed {
                track,
                added_by: adders[position % adders.len()],
                days_ago: age * (1.0 - position as f64 / count) * (0.9 + 0.1 * rng.unit()),
            })
            .collect();
        self.playlists.push(PlaylistSeed {
            id: spotify_id("playlist", index as u64),
            name: plan.name.to_owned(),
            description: plan.description.to_owned(),
            owner,
            collaborators: Vec::new(),
            collaborative: false,
            public: plan.public,
            cover: plan.cover,
            entries,
            version: 1 + rng.below(60) as u32,
        });
        index
    }

    /// Picks a playlist's tracks: `plan.short_top` of the owner's short-term top tracks and the
    /// rest from `pool` (never a short-term top track, so the counts are exact).
    pub(super) fn tracks_for(
        &self,
        seed: u64,
        plan: &PlaylistPlan,
        short_top: &[usize],
        pool: &[usize],
        filter: impl Fn(usize) -> bool,
    ) -> Vec<Option<usize>> {
        let mut rng = Rng::seeded("playlist-tracks", seed);
        let mut favourites = short_top.to_vec();
        rng.shuffle(&mut favourites);
        let mut picked: Vec<usize> = favourites.into_iter().take(plan.short_top).collect();
        let mut fillers: Vec<usize> = pool
            .iter()
            .copied()
            .filter(|t| !short_top.contains(t) && filter(*t))
            .collect();
        rng.shuffle(&mut fillers);
        let wanted = plan.total.saturating_sub(picked.len());
        assert!(
            fillers.len() >= wanted,
            "not enough tracks for {}",
            plan.name
        );
        picked.extend(fillers.into_iter().take(wanted));
        rng.shuffle(&mut picked);
        picked.into_iter().map(Some).collect()
    }
}
