//! Background work: jobs that run beside the web server (inside `serve` by default) or alone in
//! a worker process (`euterpe worker`, Heroku's worker dyno). Every job takes the shutdown
//! signal and stops at a safe point when it fires.

use std::time::Duration;

use tokio::task::JoinSet;
use tower_sessions::ExpiredDeletion;

use crate::shutdown::Shutdown;
use crate::state::AppState;

pub mod poller;
pub mod retention;

/// How often expired login sessions are deleted.
pub const SESSION_CLEANUP_INTERVAL: Duration = Duration::from_secs(3600);

/// Runs every background job until `shutdown` fires, then waits for each to stop.
pub async fn run(state: AppState, shutdown: Shutdown) {
    run_jobs(state, shutdown, true).await
}

/// The background jobs of `euterpe worker`, a process of its own. In demo mode the fake Spotify
/// lives inside the web process (its tokens mean nothing to this process's fake), so the
/// history poller runs there and not here.
pub async fn run_alone(state: AppState, shutdown: Shutdown) {
    let poll = state.demo.is_none();
    if !poll {
        tracing::info!(
            "demo mode: the history poller runs inside `euterpe serve`, next to the demo's \
             fake Spotify, not in this worker"
        );
    }
    run_jobs(state, shutdown, poll).await
}

async fn run_jobs(state: AppState, shutdown: Shutdown, poll: bool) {
    let mut jobs = JoinSet::new();
    jobs.spawn(session_cleanup(state.clone(), shutdown.clone()));
    jobs.spawn(retention::run(state.clone(), shutdown.clone()));
    if poll {
        jobs.spawn(poller::run(state.clone(), shutdown.clone()));
    }
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

/// Deletes expired login sessions and their links to users (see [`crate::store::SessionBackend`]) every hour.
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
