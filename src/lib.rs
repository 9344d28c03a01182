//! Euterpe: a self-hostable listening-analytics dashboard for Spotify users.

/// The time as Euterpe sees it (shiftable in tests).
pub mod clock;
/// The built-in fake Spotify: accounts service and Web API, used by tests and demo mode.
pub mod fake_spotify;
/// Talking to Spotify: models, OAuth, tokens, the HTTP client and the cached library.
pub mod spotify;
/// Pure computations behind each dashboard panel.
pub mod stats;
