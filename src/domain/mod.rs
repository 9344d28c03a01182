//! The project's own words, at the bottom of the house: every other module may use them, and
//! they use nothing of the project (`scripts/check-layers` holds it). Spotify's JSON, the
//! database's rows and the pages are translated into and out of them at their own layers.

mod config_error;
mod time_range;

pub use config_error::ConfigError;
pub use time_range::TimeRange;
