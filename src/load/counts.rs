//! What the listening history says of the top songs' and top artists' rows: the plays and
//! minutes of each in the panel's window (the one the seasons panel uses for the range), when
//! the history has plays there.

use std::collections::HashMap;

use crate::domain::{Holes, PlayCounts, TimeRange, TopEntry, UserId};
use crate::stats::history::{MIN_HOLE_MS, coverage_holes, season_window};
use crate::store::{self, Store, TopOrder};

/// Which rows to count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counted {
    /// By Spotify track id.
    Tracks,
    /// By artist name (the exports name artists only by name).
    Artists,
}

/// The plays of every track or artist in `range`'s window as of `now_ms`, or `None` when the
/// history has no play there (the panel then shows what it showed before).
pub async fn load(
    store: &Store,
    user: UserId,
    range: TimeRange,
    now_ms: i64,
    counted: Counted,
) -> store::Result<Option<PlayCounts>> {
    let (from, to) = season_window(range, now_ms);
    let (settings, played) = store.settings_and_plays_between(user, from, to).await?;
    if !played {
        return Ok(None);
    }
    // Every entry: the list is cut by the panel's rows, not by rank.
    let all = i64::MAX;
    let entries = async {
        match counted {
            Counted::Tracks => {
                store
                    .top_tracks_between(user, from, to, TopOrder::Plays, all)
                    .await
            }
            Counted::Artists => {
                store
                    .top_artists_between(user, from, to, TopOrder::Plays, all)
                    .await
            }
        }
    };
    let (entries, spans) = tokio::try_join!(entries, store.coverage(user))?;
    let counts: HashMap<String, (i64, i64)> = entries
        .into_iter()
        .map(
            |TopEntry {
                 key,
                 plays,
                 ms_played,
                 ..
             }| (key, (plays, ms_played)),
        )
        .collect();
    let holes = Holes::of(&spans, coverage_holes(&spans, from, to, MIN_HOLE_MS));
    Ok(Some(PlayCounts {
        counts,
        window: (from, to),
        holes,
        zone: settings.zone,
    }))
}
