//! The history pages: extract → load (`load::history`) → compute (`stats::history`) → render.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::Markup;

use super::extract::{CurrentUser, RangeParam};
use crate::domain::TimeRange;
use crate::domain::time::format_date;
use crate::error::{AppError, BadRequest};
use crate::load::history::{self, TopQuery};
use crate::state::AppState;
use crate::stats::history::{
    listening_clock, minutes_per_month, new_artists_per_month, season_items, season_window,
};
use crate::stats::{seasons_in_window, variety_by_season};
use crate::views;
use crate::views::components::range_form;
use crate::views::history::{self as view, TopChoice};

fn page(state: &AppState, current: &CurrentUser, title: &str, main: Markup) -> Response {
    let chrome = current.chrome(state);
    views::layout::page(title, chrome, main).into_response()
}

/// Where a page of `/history`'s plays starts: after the play at `before` (Unix ms) of track
/// `key`, as the "Older plays" link says.
#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    before: Option<String>,
    key: Option<String>,
}

/// `GET /history` (`?before=…&key=…`: an older page of plays).
pub async fn overview(
    State(state): State<AppState>,
    current: CurrentUser,
    Query(page_query): Query<PageQuery>,
) -> Result<Response, AppError> {
    let before = match (&page_query.before, &page_query.key) {
        (None, _) => None,
        (Some(at), Some(key)) => Some((
            at.parse::<i64>().map_err(|_| {
                AppError::bad_value(
                    "This page of plays has a broken address: start again from the newest plays.",
                )
            })?,
            key.as_str(),
        )),
        (Some(_), None) => {
            return Err(AppError::bad_value(
                "This page of plays has a broken address: start again from the newest plays.",
            ));
        }
    };
    let now_ms = state.clock.unix() * 1000;
    let data = history::overview(&state.store, current.user.id, now_ms, before).await?;
    let older = data.older.as_ref().map(|(at, key)| {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("before", &at.to_string())
            .append_pair("key", key)
            .finish();
        format!("/history?{query}#recent-title")
    });
    let zone = view::zone_offer(&data.settings, &current.csrf, "history");
    let main = view::overview(
        &data.totals,
        view::PlaysPage {
            plays: &data.recent,
            older: older.as_deref(),
            first: before.is_none(),
        },
        &data.holes,
        data.last_checked,
        data.needs_relogin,
        &data.settings,
    );
    Ok(page(
        &state,
        &current,
        "Your history",
        maud::html! { (zone) (main) },
    ))
}

/// `GET /history/top?from=YYYY-MM-DD&to=YYYY-MM-DD&by=plays|minutes` (or `preset=short_term|
/// medium_term|long_term|all`).
pub async fn top(
    State(state): State<AppState>,
    current: CurrentUser,
    Query(query): Query<TopQuery>,
) -> Result<Response, AppError> {
    let now_ms = state.clock.unix() * 1000;
    let asked = query.clone();
    let top = match history::top(&state.store, current.user.id, query, now_ms).await {
        Ok(top) => top,
        // A period that can't be used is said inside the form, which keeps what was typed.
        Err(AppError::BadRequest(BadRequest::Value(message))) => {
            let text = |value: Option<String>| value.unwrap_or_default();
            let choice = TopChoice {
                preset: "custom".to_owned(),
                from: text(asked.from),
                to: text(asked.to),
                by: asked
                    .by
                    .filter(|by| by == "minutes")
                    .unwrap_or_else(|| "plays".into()),
            };
            let main = view::top_form_error(&choice, &message);
            let page = page(&state, &current, "Top tracks and artists", main);
            return Ok((StatusCode::BAD_REQUEST, page).into_response());
        }
        Err(error) => return Err(error),
    };
    let choice = TopChoice {
        preset: top.choice.preset,
        from: format_date(top.choice.from_day),
        to: format_date(top.choice.to_day),
        by: top.choice.by.as_str().to_owned(),
    };
    let main = view::top_page(
        &choice,
        top.totals,
        &top.tracks,
        &top.artists,
        &top.holes,
        &top.zone,
    );
    Ok(page(&state, &current, "Top tracks and artists", main))
}

/// `GET /history/clock`.
pub async fn clock(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Response, AppError> {
    let now_ms = state.clock.unix() * 1000;
    let data = history::clock(&state.store, current.user.id, now_ms).await?;
    let grid = listening_clock(&data.rows);
    let main = view::clock_page(&grid, &data.holes, &data.settings.zone);
    Ok(page(&state, &current, "Listening clock", main))
}

/// `GET /history/months`.
pub async fn months(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Response, AppError> {
    let now_ms = state.clock.unix() * 1000;
    let data = history::months(&state.store, current.user.id, now_ms).await?;
    let zone = &data.settings.zone;
    let minutes = minutes_per_month(&data.rows.days);
    let artists = new_artists_per_month(&data.rows.first_plays, zone);
    let main = view::months_page(&minutes, &artists, &data.holes, zone);
    Ok(page(&state, &current, "Month by month", main))
}

/// `GET /history/seasons?time_range=…`: the history form of "Music variety by season".
pub async fn seasons(
    State(state): State<AppState>,
    current: CurrentUser,
    range: RangeParam,
) -> Result<Response, AppError> {
    let chosen = range.or(TimeRange::MediumTerm);
    let window = season_window(chosen, state.clock.unix() * 1000);
    let data = history::seasons(&state.store, current.user.id, window).await?;
    let items = season_items(&data.rows);
    let no_genres = |_: &str| -> Option<&'static [String]> { None };
    let mut stats = variety_by_season(&items, &no_genres, data.settings.hemisphere);
    let touched = seasons_in_window(
        window.0,
        window.1,
        &data.settings.zone,
        data.settings.hemisphere,
    );
    stats.retain(|season| touched.contains(&season.season));
    let form = range_form("/history/seasons", range.0, TimeRange::MediumTerm);
    let label = match chosen {
        TimeRange::ShortTerm => "Last 28 days",
        TimeRange::MediumTerm => "Last 182 days",
        TimeRange::LongTerm => "Last 365 days",
    };
    let main = view::seasons_page(&stats, window, label, form, &data.holes, &data.settings);
    Ok(page(&state, &current, "Variety by season", main))
}
