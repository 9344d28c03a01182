//! Background work: jobs that run beside the web server (inside `serve` by default) or alone in
//! a worker process (`euterpe worker`, Heroku's worker dyno). Every job takes the shutdown
//! signal and stops at a safe point when it fires.

use std::time::Duration;

use tokio::task::JoinSet;
use tower_sessions::ExpiredDeletion;

use crate::app::AppState;
use crate::shutdown::Shutdown;

/// How often expired login sessions are deleted.
pub const SESSION_CLEANUP_INTERVAL: Duration = Duration::from_secs(3600);

/// Runs every background job until `shutdown` fires, then waits for each to stop.
pub async fn run(state: AppState, shutdown: Shutdown) {
    let mut jobs = JoinSet::new();
    jobs.spawn(session_cleanup(state.clone(), shutdown.clone()));
    jobs.spawn(crate::enrichment::run(
        state.enrichment.clone(),
        shutdown.clone(),
    ));
    while let Some(result) = jobs.join_next().await {
        if let Err(err) = result {
            tracing::error!(error = %err, "a background job failed");
        }
    }
}

/// Deletes expired login sessions (and their links to users) every hour.
async fn session_cleanup(state: AppState, shutdown: Shutdown) {
    let sessions = state.store.session_backend();
    let mut interval = tokio::time::interval(SESSION_CLEANUP_INTERVAL);
    loop {
        tokio::select! {
            _ = interval.tick() => {
                if let Err(err) = sessions.delete_expired().await {
                    tracing::warn!(error = %err, "could not delete expired sessions");
                }
            }
            _ = shutdown.clone().wait() => return,
        }
    }
}
