//! Euterpe: a self-hostable listening-analytics dashboard for Spotify users.

/// The application state, start-up and serving.
pub mod app;
/// The time as Euterpe sees it (shiftable in tests).
pub mod clock;
/// Environment → typed configuration, with errors that name the variable.
pub mod config;
/// Token encryption (AES-256-GCM with key ids) and secret helpers.
pub mod crypto;
/// Demo mode: the fakes of `euterpe-fakes` started on loopback (the `demo` feature).
#[cfg(feature = "demo")]
pub mod demo;
/// The project's own words (time ranges, hemispheres, times and zones, configuration errors),
/// importing nothing of ours.
pub mod domain;
/// Genres and popularity from open music data (MusicBrainz, ListenBrainz, Last.fm), fetched
/// politely in the background and shared by every user.
pub mod enrichment;
/// The one error type every handler returns.
pub mod error;
/// Listening history: export parsing, import jobs, time zones.
pub mod history;
/// `euterpe rotate-keys`: every stored token re-encrypted with the newest key.
pub mod keys;
/// Loading strategies the handlers share (which stores and services a page reads, in order).
pub mod load;
/// Per-key async locks (single-flight fetches and refreshes).
pub mod locks;
/// The nine dashboard panels: routes, titles, range rules.
pub mod panel;
/// The HTTP server: connections with deadlines and a bound, and a graceful shutdown.
pub mod server;
/// The shutdown signal shared by the server and background work.
pub mod shutdown;
/// Talking to Spotify: models, OAuth, tokens, the HTTP client and the cached library.
pub mod spotify;
/// The application's state (`AppState`), shared by handlers and background jobs.
pub mod state;
/// Pure computations behind each dashboard panel.
pub mod stats;
/// The database: one interface over SQLite and Postgres.
pub mod store;
/// Logging and error reporting.
pub mod telemetry;
/// HTML views (maud).
pub mod views;
/// Routes, extractors, sessions and middleware.
pub mod web;
/// Background jobs, inside `serve` or alone as `euterpe worker`.
pub mod worker;
