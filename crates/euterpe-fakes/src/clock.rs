//! The time as the fakes see it.
//!
//! A test runs Euterpe and the fake Spotify on one clock, so that moving it forward (to expire
//! a token, or reach the six-month refresh-token cliff) moves both. The fakes don't know
//! Euterpe's clock type: they ask anything that can tell the time.

use std::fmt::Debug;

use time::OffsetDateTime;

/// Something that tells the time (Euterpe's own clock implements it in demo builds).
pub trait Now: Send + Sync + Debug {
    /// Now, as this clock tells it.
    fn now(&self) -> OffsetDateTime;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemNow;

impl Now for SystemNow {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}
