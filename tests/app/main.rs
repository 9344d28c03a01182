//! Euterpe end to end over HTTP: the app on a real port, the fake Spotify, a real database.
//! Every test runs on SQLite and on Postgres.

use euterpe_testkit as common;
use euterpe_testkit::both_backends;

mod account_life;
mod all_panels;
mod caching;
mod compare;
mod deadlines;
mod demo;
mod enrichment;
mod experience;
mod generated_history;
mod genres;
mod heroku;
mod history;
mod history_summaries;
mod import;
mod import_edges;
mod import_exports;
mod import_limits;
mod import_properties;
mod keys;
mod login;
mod outage;
mod panels;
mod play_counts;
mod private_postgres;
mod proxies;
mod recently_played;
mod retention;
mod schemas;
mod share_year;
mod shares;
mod speed;
mod tokens;
mod year;
