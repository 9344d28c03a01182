//! The nine dashboard panels: their routes, titles and how they use `time_range`.

use crate::domain::TimeRange;

/// A dashboard panel (PANELS.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Panel {
    TopSongs,
    TopArtists,
    TopAlbums,
    HiddenGems,
    TopPlaylists,
    ArtistsStandingTestOfTime,
    ArtistsFallingOff,
    ReleaseYearTrends,
    MusicVarietyBySeason,
}

impl Panel {
    /// Every panel, in dashboard order.
    pub const ALL: [Panel; 9] = [
        Self::TopSongs,
        Self::TopArtists,
        Self::TopAlbums,
        Self::HiddenGems,
        Self::TopPlaylists,
        Self::ArtistsStandingTestOfTime,
        Self::ArtistsFallingOff,
        Self::ReleaseYearTrends,
        Self::MusicVarietyBySeason,
    ];

    /// The route name (the original app's), e.g. `top_songs`.
    pub fn name(self) -> &'static str {
        match self {
            Self::TopSongs => "top_songs",
            Self::TopArtists => "top_artists",
            Self::TopAlbums => "top_albums",
            Self::HiddenGems => "hidden_gems",
            Self::TopPlaylists => "top_playlists",
            Self::ArtistsStandingTestOfTime => "artists_standing_test_of_time",
            Self::ArtistsFallingOff => "artists_falling_off",
            Self::ReleaseYearTrends => "release_year_trends",
            Self::MusicVarietyBySeason => "music_variety_by_season",
        }
    }

    /// The panel's own URL path.
    pub fn path(self) -> String {
        format!("/{}", self.name())
    }

    /// The heading people read.
    pub fn title(self) -> &'static str {
        match self {
            Self::TopSongs => "Top songs",
            Self::TopArtists => "Top artists",
            Self::TopAlbums => "Top albums",
            Self::HiddenGems => "Hidden gems",
            Self::TopPlaylists => "Top playlists",
            Self::ArtistsStandingTestOfTime => "Artists standing the test of time",
            Self::ArtistsFallingOff => "Artists falling off",
            Self::ReleaseYearTrends => "Release-year trends",
            Self::MusicVarietyBySeason => "Music variety by season",
        }
    }

    /// The panel named `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|panel| panel.name() == name)
    }

    /// Whether `time_range` changes what the panel shows (two panels use all three ranges).
    pub fn uses_range(self) -> bool {
        !matches!(
            self,
            Self::ArtistsStandingTestOfTime | Self::ArtistsFallingOff
        )
    }

    /// The range used when the request names none.
    pub fn default_range(self) -> TimeRange {
        match self {
            Self::TopPlaylists => TimeRange::ShortTerm,
            _ => TimeRange::MediumTerm,
        }
    }
}
