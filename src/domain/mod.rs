//! The project's own words, at the bottom of the house: every other module may use them, and
//! they use nothing of the project (`scripts/check-layers` holds it). Spotify's JSON, the
//! database's rows and the pages are translated into and out of them at their own layers.

mod compare;
mod config_error;
mod connection;
mod hemisphere;
mod history;
mod image;
mod import;
mod music;
mod retention;
mod shared_years;
mod subject;
/// Calendar arithmetic on Unix times and the timestamp formats of Spotify's exports.
pub mod time;
mod time_range;
mod user_id;
/// Time zones: a listener's zone, and the local day, hour and month of a Unix time in it.
pub mod zone;

pub use compare::CompareOptIn;
pub use config_error::ConfigError;
pub use connection::{CONNECTION_LIFETIME_SECS, Connection, Grant, WARNING_SECS};
pub use hemisphere::Hemisphere;
pub use history::{
    CatalogueRow, CatalogueTrack, CoverageSpan, HistorySettings, HistoryTotals, Holes, PlayCounts,
    RecentPlay, TopEntry, WindowPlays, name_key, names_of_key,
};
pub use image::Image;
pub use import::ImportCounts;
pub use music::{
    Album, Artist, ArtistRef, ExternalIds, ExternalUrls, Followers, Playlist, PlaylistOwner, Track,
    pick_image,
};
pub use retention::RetentionWarning;
pub use shared_years::SharedYears;
pub use subject::{
    Subject, album_id_path, album_path, artist_id_path, artist_path, is_spotify_id, track_path,
};
pub use time_range::TimeRange;
pub use user_id::UserId;
