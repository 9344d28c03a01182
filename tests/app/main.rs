//! Euterpe end to end over HTTP: the app on a real port, the fake Spotify, a real database.
//! Every test runs on SQLite and on Postgres.

mod common;

mod account_life;
mod all_panels;

mod demo;
mod login;
mod panels;
mod shares;
mod tokens;
