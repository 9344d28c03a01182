//! Listening history: Spotify's data export (parsing and import jobs), the user's time zone,
//! and the calendar arithmetic the history views share. The poller that records new plays lives
//! in `worker::poller`; the queries in `store::plays` and `store::history`; the computations in
//! `stats::history`.

pub mod config;
pub mod export;
pub mod import;

// Times and zones are the project's own words (crate::domain); named here too for the
// history's callers.
pub use crate::domain::{time, zone};
pub use zone::Zone;
