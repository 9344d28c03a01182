//! What the history pages read: the stored plays' summaries for a page's span, with the holes
//! in what the history covers there. Independent reads go side by side; the top lists' period
//! is resolved here because "all" needs the first stored play.

use serde::Deserialize;

use crate::domain::time::{DAY_MS, format_date, parse_date};
use crate::domain::zone::Zone;
use crate::domain::{
    HistorySettings, HistoryTotals, Holes, RecentPlay, TopEntry, UserId, WindowPlays,
};
use crate::error::AppError;
use crate::stats::history::{MIN_HOLE_MS, coverage_holes};
use crate::store::{Store, StoreError, TopOrder};

/// How many rows the top lists show.
pub const TOP_SHOWN: i64 = 50;

/// The holes (at least [`MIN_HOLE_MS`] long) in what the history covers of `[from, to)`.
async fn holes(store: &Store, user: UserId, from: i64, to: i64) -> Result<Holes, StoreError> {
    let spans = store.coverage(user).await?;
    let holes = coverage_holes(&spans, from, to, MIN_HOLE_MS);
    Ok(Holes::of(&spans, holes))
}

/// The holes in what all-time views cover (first stored play to now); none without plays.
async fn all_time_holes(
    store: &Store,
    user: UserId,
    totals: &HistoryTotals,
    now_ms: i64,
) -> Result<Holes, StoreError> {
    if totals.plays == 0 {
        return Ok(Holes::default());
    }
    holes(store, user, totals.first.unwrap_or(now_ms), now_ms).await
}

/// What `/history` shows: totals, the latest plays, the poller's news and the holes.
pub struct Overview {
    pub settings: HistorySettings,
    pub totals: HistoryTotals,
    /// A page of plays, newest first.
    pub recent: Vec<RecentPlay>,
    /// Where the next (older) page starts, when there is one.
    pub older: Option<(i64, String)>,
    /// When the poller last fetched plays (Unix seconds), if it ever did.
    pub last_checked: Option<i64>,
    /// Whether recording waits for the user to log in again (or never had a login).
    pub needs_relogin: bool,
    pub holes: Holes,
}

/// Plays per page of `/history`.
pub const PLAYS_PER_PAGE: i64 = 20;

/// Reads `/history`'s overview of `user` at `now_ms`, its plays from after `before` (the last
/// play of the previous page) or the newest.
pub async fn overview(
    store: &Store,
    user: UserId,
    now_ms: i64,
    before: Option<(i64, &str)>,
) -> Result<Overview, StoreError> {
    let (settings, totals, mut recent, poll, tokens) = tokio::try_join!(
        store.history_settings(user),
        store.history_totals(user),
        store.plays_before(user, before, PLAYS_PER_PAGE + 1),
        store.poll_state(user),
        store.tokens(user),
    )?;
    let holes = all_time_holes(store, user, &totals, now_ms).await?;
    // One play more than a page says whether an older page exists.
    let older = if recent.len() as i64 > PLAYS_PER_PAGE {
        recent.truncate(PLAYS_PER_PAGE as usize);
        recent
            .last()
            .map(|play| (play.played_at, play.track_key.clone()))
    } else {
        None
    };
    Ok(Overview {
        settings,
        totals,
        recent,
        older,
        last_checked: poll.map(|poll| poll.last_success_at),
        needs_relogin: tokens.is_none_or(|t| t.needs_relogin),
        holes,
    })
}

/// An all-time history view's inputs: the settings, the rows it is computed from, its holes.
pub struct AllTime<T> {
    pub settings: HistorySettings,
    pub rows: T,
    pub holes: Holes,
}

/// Reads the plays per hour of the week (`/history/clock`), in the user's zone.
pub async fn clock(
    store: &Store,
    user: UserId,
    now_ms: i64,
) -> Result<AllTime<Vec<(i64, i64, i64)>>, StoreError> {
    let settings = store.history_settings(user).await?;
    let (rows, totals) = tokio::try_join!(
        store.plays_by_hour_of_week(user, &settings.zone),
        store.history_totals(user),
    )?;
    let holes = all_time_holes(store, user, &totals, now_ms).await?;
    Ok(AllTime {
        settings,
        rows,
        holes,
    })
}

/// `/history/months`' rows: plays per local day, and each artist's first play.
pub struct MonthRows {
    pub days: Vec<(i64, i64, i64)>,
    pub first_plays: Vec<(String, i64)>,
}

/// Reads the plays per local day and the artists' first plays (`/history/months`).
pub async fn months(
    store: &Store,
    user: UserId,
    now_ms: i64,
) -> Result<AllTime<MonthRows>, StoreError> {
    let settings = store.history_settings(user).await?;
    let (days, first_plays, totals) = tokio::try_join!(
        store.plays_by_local_day(user, &settings.zone),
        store.artist_first_plays(user),
        store.history_totals(user),
    )?;
    let holes = all_time_holes(store, user, &totals, now_ms).await?;
    Ok(AllTime {
        settings,
        rows: MonthRows { days, first_plays },
        holes,
    })
}

/// Reads the plays of a seasons window `[from, to)` in the user's zone, with the window's holes
/// (none when it has no plays: the page then says so instead).
pub async fn seasons(
    store: &Store,
    user: UserId,
    (from, to): (i64, i64),
) -> Result<AllTime<Vec<WindowPlays>>, StoreError> {
    let settings = store.history_settings(user).await?;
    let rows = store
        .plays_in_window(user, from, to, &settings.zone)
        .await?;
    let holes = if rows.is_empty() {
        Holes::default()
    } else {
        holes(store, user, from, to).await?
    };
    Ok(AllTime {
        settings,
        rows,
        holes,
    })
}

/// What `/history/top` was asked for: a preset period or a custom one, and the order.
#[derive(Deserialize, Default, Clone)]
pub struct TopQuery {
    pub preset: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub by: Option<String>,
}

/// `/history/top`'s period and order, resolved.
pub struct TopChoice {
    /// `short_term`, `medium_term`, `long_term`, `all` or `custom`.
    pub preset: String,
    /// Local days since 1970-01-01, inclusive.
    pub from_day: i64,
    pub to_day: i64,
    pub by: TopOrder,
}

/// The top lists of a period.
pub struct Top {
    pub choice: TopChoice,
    /// Plays and milliseconds in the period.
    pub totals: (i64, i64),
    pub tracks: Vec<TopEntry>,
    pub artists: Vec<TopEntry>,
    pub holes: Holes,
    pub zone: Zone,
}

/// Resolves the asked period in the user's zone and reads its top lists; a period or order that
/// can't be used is a [`AppError::BadRequest`] saying how to fix it.
pub async fn top(
    store: &Store,
    user: UserId,
    query: TopQuery,
    now_ms: i64,
) -> Result<Top, AppError> {
    let zone = store.history_settings(user).await?.zone;
    let today = zone.local(now_ms).days;
    let by = match query.by.as_deref() {
        None | Some("") | Some("plays") => TopOrder::Plays,
        Some("minutes") => TopOrder::Minutes,
        Some(other) => {
            return Err(AppError::bad_value(format!(
                "“{other}” is not a way to order the lists: use plays or minutes."
            )));
        }
    };
    let custom = query.from.as_deref().is_some_and(|v| !v.is_empty())
        || query.to.as_deref().is_some_and(|v| !v.is_empty());
    let (preset, from_day, to_day) = if custom {
        let date = |value: Option<&str>, name: &str| {
            value.and_then(parse_date).ok_or_else(|| {
                AppError::bad_value(format!(
                    "The “{name}” date is missing or not a date: write it as YYYY-MM-DD, e.g. {}.",
                    format_date(today)
                ))
            })
        };
        let from = date(query.from.as_deref(), "from")?;
        let to = date(query.to.as_deref(), "to")?;
        if from > to {
            return Err(AppError::bad_value(
                "The “from” date is after the “to” date: swap them.",
            ));
        }
        ("custom".to_owned(), from, to)
    } else {
        let preset = query.preset.unwrap_or_else(|| "medium_term".into());
        // One rule with the seasons (PANELS.md: measured back from now): a range starts on the
        // day that was 28, 182 or 365 days ago, and the lists count whole days from there.
        let from = match preset.as_str() {
            "short_term" => zone.local(now_ms - 28 * DAY_MS).days,
            "medium_term" => zone.local(now_ms - 182 * DAY_MS).days,
            "long_term" => zone.local(now_ms - 365 * DAY_MS).days,
            "all" => {
                let first = store.history_totals(user).await?.first.unwrap_or(now_ms);
                zone.local(first).days
            }
            other => {
                return Err(AppError::bad_value(format!(
                    "“{other}” is not a period Euterpe knows: use short_term (4 weeks), medium_term (6 months), long_term (a year) or all."
                )));
            }
        };
        (preset, from, today)
    };
    let from_ms = zone.local_midnight_ms(from_day);
    let to_ms = zone.local_midnight_ms(to_day + 1);
    let (tracks, artists, totals, holes) = tokio::try_join!(
        store.top_tracks_between(user, from_ms, to_ms, by, TOP_SHOWN),
        store.top_artists_between(user, from_ms, to_ms, by, TOP_SHOWN),
        store.totals_between(user, from_ms, to_ms),
        holes(store, user, from_ms, to_ms.min(now_ms)),
    )?;
    Ok(Top {
        choice: TopChoice {
            preset,
            from_day,
            to_day,
            by,
        },
        totals,
        tracks,
        artists,
        holes,
        zone,
    })
}
