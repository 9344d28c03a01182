//! The history pages: extract → load (store) → compute (stats::history) → render.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::Markup;
use serde::Deserialize;

use super::extract::{CurrentUser, RangeParam};
use crate::domain::time::{format_date, parse_date};
use crate::error::AppError;
use crate::spotify::models::TimeRange;
use crate::state::AppState;
use crate::stats::history::{
    MIN_HOLE_MS, coverage_holes, listening_clock, minutes_per_month, new_artists_per_month,
    season_items, season_window,
};
use crate::stats::variety_by_season;
use crate::store::{HistorySettings, TopOrder};
use crate::views;
use crate::views::components::range_form;
use crate::views::history::{self as view, TopChoice};

/// How many rows the top lists show.
pub const TOP_SHOWN: i64 = 50;

fn page(state: &AppState, current: &CurrentUser, title: &str, main: Markup) -> Response {
    let chrome = current.chrome(state);
    views::layout::page(title, chrome, main).into_response()
}

async fn holes(
    state: &AppState,
    current: &CurrentUser,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, i64)>, AppError> {
    let spans = state.store.coverage(current.user.id).await?;
    Ok(coverage_holes(&spans, from, to, MIN_HOLE_MS))
}

/// The holes in what all-time views cover (first stored play to now); none without plays.
async fn all_time_holes(
    state: &AppState,
    current: &CurrentUser,
    totals: &crate::store::HistoryTotals,
) -> Result<Vec<(i64, i64)>, AppError> {
    if totals.plays == 0 {
        return Ok(Vec::new());
    }
    let now_ms = state.clock.unix() * 1000;
    holes(state, current, totals.first.unwrap_or(now_ms), now_ms).await
}

/// `GET /history`.
pub async fn overview(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Response, AppError> {
    let user = current.user.id;
    let settings = state.store.history_settings(user).await?;
    let totals = state.store.history_totals(user).await?;
    let recent = state.store.recent_plays(user, 20).await?;
    let poll = state.store.poll_state(user).await?;
    let needs_relogin = state
        .store
        .tokens(user)
        .await?
        .is_none_or(|t| t.needs_relogin);
    let holes = all_time_holes(&state, &current, &totals).await?;
    let main = view::overview(
        &totals,
        &recent,
        &holes,
        poll.map(|poll| poll.last_success_at),
        needs_relogin,
        &settings,
    );
    Ok(page(&state, &current, "Your history", main))
}

#[derive(Deserialize, Default)]
pub struct TopQuery {
    preset: Option<String>,
    from: Option<String>,
    to: Option<String>,
    by: Option<String>,
}

/// `GET /history/top?from=YYYY-MM-DD&to=YYYY-MM-DD&by=plays|minutes` (or `preset=short_term|
/// medium_term|long_term|all`).
pub async fn top(
    State(state): State<AppState>,
    current: CurrentUser,
    Query(query): Query<TopQuery>,
) -> Result<Response, AppError> {
    let user = current.user.id;
    let settings = state.store.history_settings(user).await?;
    let zone = settings.zone;
    let now_ms = state.clock.unix() * 1000;
    let today = zone.local(now_ms).days;
    let by = match query.by.as_deref() {
        None | Some("") | Some("plays") => "plays",
        Some("minutes") => "minutes",
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
        let days = match preset.as_str() {
            "short_term" => 28,
            "medium_term" => 182,
            "long_term" => 365,
            "all" => {
                let first = state
                    .store
                    .history_totals(user)
                    .await?
                    .first
                    .unwrap_or(now_ms);
                today - zone.local(first).days + 1
            }
            other => {
                return Err(AppError::bad_value(format!(
                    "“{other}” is not a period Euterpe knows: use short_term (4 weeks), medium_term (6 months), long_term (a year) or all."
                )));
            }
        };
        (preset, today - days + 1, today)
    };
    let from_ms = zone.local_midnight_ms(from_day);
    let to_ms = zone.local_midnight_ms(to_day + 1);
    let order = if by == "minutes" {
        TopOrder::Minutes
    } else {
        TopOrder::Plays
    };
    let tracks = state
        .store
        .top_tracks_between(user, from_ms, to_ms, order, TOP_SHOWN)
        .await?;
    let artists = state
        .store
        .top_artists_between(user, from_ms, to_ms, order, TOP_SHOWN)
        .await?;
    let totals = state.store.totals_between(user, from_ms, to_ms).await?;
    let holes = holes(&state, &current, from_ms, to_ms.min(now_ms)).await?;
    let choice = TopChoice {
        preset,
        from: format_date(from_day),
        to: format_date(to_day),
        by: by.to_owned(),
    };
    let main = view::top_page(&choice, totals, &tracks, &artists, &holes, &zone);
    Ok(page(&state, &current, "Top tracks and artists", main))
}

/// `GET /history/clock`.
pub async fn clock(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Response, AppError> {
    let user = current.user.id;
    let settings = state.store.history_settings(user).await?;
    let rows = state
        .store
        .plays_by_hour_of_week(user, &settings.zone)
        .await?;
    let grid = listening_clock(&rows);
    let totals = state.store.history_totals(user).await?;
    let holes = all_time_holes(&state, &current, &totals).await?;
    Ok(page(
        &state,
        &current,
        "Listening clock",
        view::clock_page(&grid, &holes, &settings.zone),
    ))
}

/// `GET /history/months`.
pub async fn months(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Response, AppError> {
    let user = current.user.id;
    let settings = state.store.history_settings(user).await?;
    let days = state.store.plays_by_local_day(user, &settings.zone).await?;
    let minutes = minutes_per_month(&days);
    let firsts = state.store.artist_first_plays(user).await?;
    let artists = new_artists_per_month(&firsts, &settings.zone);
    let totals = state.store.history_totals(user).await?;
    let holes = all_time_holes(&state, &current, &totals).await?;
    Ok(page(
        &state,
        &current,
        "Month by month",
        view::months_page(&minutes, &artists, &holes, &settings.zone),
    ))
}

/// `GET /history/seasons?time_range=…`: the history form of "Music variety by season".
pub async fn seasons(
    State(state): State<AppState>,
    current: CurrentUser,
    range: RangeParam,
) -> Result<Response, AppError> {
    let user = current.user.id;
    let settings: HistorySettings = state.store.history_settings(user).await?;
    let chosen = range.or(TimeRange::MediumTerm);
    let now_ms = state.clock.unix() * 1000;
    let window = season_window(chosen, now_ms);
    let plays = state
        .store
        .plays_in_window(user, window.0, window.1, &settings.zone)
        .await?;
    let items = season_items(&plays);
    let no_genres = |_: &str| -> Option<&'static [String]> { None };
    let stats = variety_by_season(&items, &no_genres, settings.hemisphere);
    let holes = if items.is_empty() {
        Vec::new()
    } else {
        holes(&state, &current, window.0, window.1).await?
    };
    let form = range_form("/history/seasons", range.0, TimeRange::MediumTerm);
    let label = match chosen {
        TimeRange::ShortTerm => "Last 28 days",
        TimeRange::MediumTerm => "Last 182 days",
        TimeRange::LongTerm => "Last 365 days",
    };
    let main = view::seasons_page(&stats, window, label, form, &holes, &settings);
    Ok(page(&state, &current, "Variety by season", main))
}
