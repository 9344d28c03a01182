//! Euterpe end to end over HTTP: the app on a real port, the fake Spotify, a real database.
//! Every test runs on SQLite and on Postgres.

mod common;

mod all_panels;

mod demo;
mod enrichment;
mod login;
mod panels;
mod tokens;
