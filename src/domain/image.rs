//! A cover or portrait: the picture every list of songs, artists, albums and playlists shows.

use serde::{Deserialize, Serialize};

/// A cover or portrait image (Spotify's JSON has this shape, so it reads straight into it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    pub url: String,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
}
