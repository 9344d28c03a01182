//! Logs to stdout, one line per event, filtered by `RUST_LOG`.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// What is logged when `RUST_LOG` is unset: Euterpe's own events, and only problems from the
/// libraries underneath.
pub const DEFAULT_FILTER: &str =
    "info,sqlx=warn,tower_sessions=warn,tower_sessions_core=warn,hyper=warn,reqwest=warn";

/// Installs the log subscriber (once per process).
pub fn init_logging() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    // Colours only for a person at a terminal; log collectors (Heroku) get plain lines.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stdout().is_terminal())
        .try_init();
}
