//! Spotify: the objects Euterpe reads.
pub mod models;
