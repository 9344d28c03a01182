//! Pure computations behind each panel: plain data in, plain data out, no I/O.
//!
//! Every function here takes the project's music objects (`crate::domain`: tracks, artists,
//! playlists, or plain values a loader derived from them) and returns rows that already hold what a view renders: joined artist names,
//! the chosen image, the open.spotify.com link, formatted durations. The rules are those of
//! `PANELS.md`; each file's tests check them on recorded Spotify answers and edge cases.

mod albums;
mod artists;
mod common;
pub mod compare;
mod gems;
pub mod history;
mod playlists;
pub mod ranking;
mod release_years;
mod seasons;
mod songs;
pub mod subject;
#[cfg(test)]
pub(crate) mod testing;
pub mod year;

pub use albums::{AlbumRow, TOP_ALBUMS_SHOWN, top_albums};
pub use artists::{
    ArtistRow, FallingRow, StandingRow, any_genres_known, artists_falling_off,
    artists_standing_test_of_time, top_artists,
};
pub use common::{chosen_image, format_duration, join_artist_names, release_month, release_year};
pub use gems::{
    GemRow, HiddenGems, LASTFM_LISTENERS_CEILING, LISTENBRAINZ_LISTENS_CEILING, PopularitySource,
    any_popularity_known, hidden_gems, log_scaled_popularity, spotify_popularity,
};
pub use playlists::{
    PlaylistRow, TOP_PLAYLISTS_SHOWN, is_public, owned_left_out, owned_playlists, top_playlists,
    top_playlists_where,
};
pub use release_years::{ReleaseYears, decade_label, decade_of, release_year_trends};
pub use seasons::{
    Hemisphere, Season, SeasonItem, SeasonSource, SeasonStats, TOP_GENRES_SHOWN, any_genre_known,
    artist_variety, format_variety, release_month_items, season_of, seasons_in_window,
    variety_by_season,
};
pub use songs::{SongRow, top_songs};
