//! The history poller: fetches each user's `/me/player/recently-played` after the last stored
//! play, on an interval, and stores the plays (idempotently; see `store::plays`).
//!
//! Several processes may run it on one Postgres: a user is claimed with `FOR UPDATE SKIP
//! LOCKED` and `last_polled_at` keeps everyone from polling a user polled recently. One user's
//! failure never stops the round; a 429 pauses every user (Spotify's limit is per app) until
//! `Retry-After`; users who must log in again are skipped (the dashboard tells them).

use crate::domain::UserId;
use std::collections::HashMap;
use std::time::Duration;

use crate::domain::time::parse_utc_timestamp;
use crate::shutdown::Shutdown;
use crate::spotify::models::RecentlyPlayed;
use crate::spotify::{FetchError, SpotifyError};
use crate::state::AppState;
use crate::store::{NewPlay, PlaySource, PollOutcome, StoreError, TrackFacts, name_key};

/// Spotify's page size, and all `recently-played` ever shows.
pub const RECENT_LIMIT: usize = 50;
/// The longest pause between two looks at who is due.
const MAX_CHECK: Duration = Duration::from_secs(60);

/// What one round did (for logs and tests).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoundReport {
    /// Users polled successfully, with the plays each added.
    pub polled: Vec<(UserId, u64)>,
    /// Users whose poll failed, with the reason.
    pub failed: Vec<(UserId, String)>,
    /// Set when Spotify rate-limited the app: polling waits until this Unix second.
    pub paused_until: Option<i64>,
}

/// Polls until `shutdown`; `None` interval (HISTORY_POLL_INTERVAL_SECS=0) means off.
pub async fn run(state: AppState, shutdown: Shutdown) {
    let Some(interval) = state.config.history.poll_interval else {
        tracing::info!("history poller off (HISTORY_POLL_INTERVAL_SECS=0)");
        return;
    };
    let check = interval.min(MAX_CHECK);
    loop {
        match poll_due_users(&state).await {
            Ok(report) if !report.polled.is_empty() || !report.failed.is_empty() => {
                tracing::info!(
                    polled = report.polled.len(),
                    failed = report.failed.len(),
                    plays = report.polled.iter().map(|(_, n)| n).sum::<u64>(),
                    "history poll round"
                );
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "history poll round failed: database"),
        }
        let now = state.clock.unix();
        let _ = state.store.fail_stale_imports(now - 15 * 60, now).await;
        tokio::select! {
            _ = tokio::time::sleep(check) => {}
            _ = shutdown.clone().wait() => return,
        }
    }
}

/// Polls every user who is due now, one after another, and returns what happened.
pub async fn poll_due_users(state: &AppState) -> Result<RoundReport, StoreError> {
    let interval = state
        .config
        .history
        .poll_interval
        .unwrap_or(Duration::from_secs(
            crate::history::config::DEFAULT_POLL_INTERVAL_SECS,
        ));
    let store = &state.store;
    store.ensure_poll_rows().await?;
    let mut report = RoundReport::default();
    loop {
        let now = state.clock.unix();
        let due_before = now - interval.as_secs() as i64;
        let Some(claim) = store.claim_due_poll(due_before, now).await? else {
            break;
        };
        let user = claim.state.user_id;
        let outcome = match poll_user(state, user, &claim.state).await {
            Ok((added, after_ms, at)) => {
                report.polled.push((user, added));
                PollOutcome::Success { after_ms, at }
            }
            Err(PollError::Spotify(SpotifyError::RateLimited { retry_after })) => {
                let until = now + retry_after.as_secs().max(1) as i64;
                report.paused_until = Some(until);
                report.failed.push((user, "rate-limited".into()));
                PollOutcome::Paused {
                    until,
                    error: format!("Spotify rate-limited Euterpe until {until}"),
                }
            }
            Err(PollError::Spotify(error)) => {
                report.failed.push((user, error.to_string()));
                PollOutcome::Failed {
                    error: error.to_string(),
                }
            }
            Err(PollError::Store(error)) => {
                report.failed.push((user, error.to_string()));
                PollOutcome::Failed {
                    error: "database error".into(),
                }
            }
        };
        store.finish_poll(claim, &outcome).await?;
        if let Some(until) = report.paused_until {
            // Spotify's limit is per app: nobody is polled until it lifts.
            store.pause_all_polls(until).await?;
            tracing::warn!(
                until,
                "Spotify rate-limited the history poller; polling paused"
            );
            break;
        }
    }
    Ok(report)
}

enum PollError {
    Spotify(SpotifyError),
    Store(std::sync::Arc<StoreError>),
}

impl From<StoreError> for PollError {
    fn from(err: StoreError) -> Self {
        Self::Store(std::sync::Arc::new(err))
    }
}

impl From<FetchError> for PollError {
    fn from(err: FetchError) -> Self {
        match err {
            FetchError::Spotify(error) => Self::Spotify(error),
            FetchError::Database(error) => Self::Store(error),
        }
    }
}

/// Fetches and stores one user's new plays; returns how many were added and the new cursor.
async fn poll_user(
    state: &AppState,
    user: UserId,
    poll: &crate::store::PollState,
) -> Result<(u64, Option<i64>, i64), PollError> {
    let mut query = vec![("limit", RECENT_LIMIT.to_string())];
    if let Some(after) = poll.after_ms {
        query.push(("after", after.to_string()));
    }
    let page: RecentlyPlayed = state
        .spotify
        .get(user, "/me/player/recently-played", &query)
        .await?;
    let now = state.clock.unix();
    let now_ms = now * 1000;
    let (plays, tracks) = plays_of(&page);
    let newest = plays.iter().map(|p| p.played_at).max();
    let oldest = plays.iter().map(|p| p.played_at).min();
    let mut writer = state.store.play_writer(user, PlaySource::Poller).await?;
    let added = writer.insert(&plays).await?;
    writer.upsert_tracks(&tracks).await?;
    // Coverage: everything since the last successful poll is known, unless the page was full
    // after a cursor (more than 50 plays may have passed: a hole before the oldest one).
    let full_page = plays.len() >= RECENT_LIMIT;
    let continuous = poll.last_success_at > 0 && !(poll.after_ms.is_some() && full_page);
    let start = match (poll.last_success_at, oldest) {
        (0, Some(oldest)) => oldest,
        (_, Some(oldest)) if !continuous => oldest,
        _ => now_ms,
    };
    let previous_end = continuous.then_some(poll.last_success_at * 1000);
    writer.extend_coverage(previous_end, start, now_ms).await?;
    writer.commit().await?;
    Ok((added, newest.or(poll.after_ms), now))
}

/// The plays of a recently-played page, and what they say about their tracks.
pub fn plays_of(page: &RecentlyPlayed) -> (Vec<NewPlay>, Vec<TrackFacts>) {
    let mut plays = Vec::new();
    let mut tracks: HashMap<String, TrackFacts> = HashMap::new();
    for item in &page.items {
        let Some(played_at) = parse_utc_timestamp(&item.played_at) else {
            continue;
        };
        let track = &item.track;
        let artist_name = track
            .artists
            .first()
            .map(|artist| artist.name.clone())
            .unwrap_or_default();
        let key = if track.id.is_empty() {
            name_key(&artist_name, &track.name)
        } else {
            track.id.clone()
        };
        let ids: Vec<&str> = track
            .artists
            .iter()
            .map(|artist| artist.id.as_str())
            .filter(|id| !id.is_empty())
            .collect();
        plays.push(NewPlay {
            track_key: key.clone(),
            played_at,
            ms_played: track.duration_ms as i64,
        });
        let facts = tracks.entry(key.clone()).or_insert_with(|| TrackFacts {
            track_key: key,
            track_id: (!track.id.is_empty()).then(|| track.id.clone()),
            name: track.name.clone(),
            artist_name,
            album_name: (!track.album.name.is_empty()).then(|| track.album.name.clone()),
            artist_ids: (!ids.is_empty()).then(|| ids.join(",")),
            duration_ms: Some(track.duration_ms as i64),
            first_played_at: played_at,
        });
        facts.first_played_at = facts.first_played_at.min(played_at);
    }
    let mut tracks: Vec<TrackFacts> = tracks.into_values().collect();
    tracks.sort_by(|a, b| a.track_key.cmp(&b.track_key));
    (plays, tracks)
}
