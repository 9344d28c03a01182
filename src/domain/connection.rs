//! The life of a listener's connection to Spotify.

/// Spotify ends a connection (its refresh token dies) this long after the user authorized
/// Euterpe: six months, whatever refreshes happen in between.
pub const CONNECTION_LIFETIME_SECS: i64 = 182 * 86_400;
