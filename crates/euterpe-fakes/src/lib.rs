//! Euterpe's stand-ins for the services it talks to: a fake Spotify (accounts service, Web
//! API and generated covers) and fakes of the open music services (MusicBrainz, ListenBrainz,
//! Last.fm). They serve real HTTP on loopback, so Euterpe's own clients are exercised whole.
//!
//! The tests use them, and so does the demo a newcomer sees with `cargo run` (the `euterpe`
//! crate's `demo` feature). A production build without that feature holds none of this code.
//! They know nothing of Euterpe's types: they speak the services' JSON.

mod clock;
pub mod open_data;
pub mod spotify;

pub use clock::{Now, SystemNow};
