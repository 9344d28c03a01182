//! The built-in fake Spotify.
