//! Logs to stdout, one line per event, filtered by `RUST_LOG`; and, with `SENTRY_DSN`, error
//! reports to Sentry.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

mod reporting;
pub mod scrub;

pub use reporting::{init_sentry, sentry_options};

/// What is logged when `RUST_LOG` is unset: Euterpe's own events, and only problems from the
/// libraries underneath.
pub const DEFAULT_FILTER: &str =
    "info,sqlx=warn,tower_sessions=warn,tower_sessions_core=warn,hyper=warn,reqwest=warn";

/// Installs the log subscriber (once per process). With `sentry`, `error` events also become
/// Sentry reports and `warn`/`info` events their breadcrumbs.
pub fn init_logging(sentry: bool) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    // Colours only for a person at a terminal; log collectors (Heroku) get plain lines.
    let stdout = tracing_subscriber::fmt::layer()
        .with_target(false)
        .with_ansi(std::io::stdout().is_terminal());
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(stdout)
        .with(sentry.then(sentry::integrations::tracing::layer))
        .try_init();
}

/// Marks an answer whose 5xx comes from Spotify (rate limit, outage), not from Euterpe: error
/// reporting leaves these to the logs instead of paging anyone for Spotify's weather. Handlers
/// put it in the response's extensions; the per-request reporting reads it.
#[derive(Clone, Copy, Debug)]
pub struct SpotifyFailure;

/// Marks a server-side status that is no fault of Euterpe's (a request given up because the
/// process is restarting): neither logged as an error nor reported to Sentry.
#[derive(Clone, Copy, Debug)]
pub struct NotABug;
