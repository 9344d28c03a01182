//! A share link's year in review: `/s/{token}/year[/{yyyy}[/card.png|card.svg]]`, for the years
//! its owner chose (every 404 alike, as for the rest of a share), with Open Graph tags whose
//! picture is the card, so a link posted in a chat shows it.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};

use super::forwarded::Forwarded;
use super::shares::{live_share, visitor_chrome, with_robots};
use super::year::{Format, Reviewed, card, parse_year, review};
use crate::domain::SharedYears;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::Share;
use crate::views::year::{YearLinks, card_figure, year_page};
use crate::views::{self, Chrome, OpenGraph};

/// The share behind `token` and the years it shows, or the one 404.
async fn shared(state: &AppState, token: &str) -> Result<(Share, SharedYears), AppError> {
    let share = live_share(state, token).await?;
    let years = share.years().ok_or(AppError::NotFound)?;
    Ok((share, years))
}

/// The shared years that hold plays, oldest first.
pub async fn years_with_plays(
    state: &AppState,
    share: &Share,
    years: &SharedYears,
) -> Result<Vec<i64>, AppError> {
    let settings = state.store.history_settings(share.user_id).await?;
    let all = state
        .store
        .years_with_plays(share.user_id, &settings.zone)
        .await?;
    Ok(all.into_iter().filter(|y| years.includes(*y)).collect())
}

/// `GET /s/{token}/year`: the latest shared year with plays.
pub async fn latest(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let (share, years) = shared(&state, &token).await?;
    let latest = years_with_plays(&state, &share, &years)
        .await?
        .last()
        .copied()
        .ok_or(AppError::NotFound)?;
    Ok(Redirect::to(&format!("/s/{token}/year/{latest}")).into_response())
}

/// `GET /s/{token}/year/{yyyy}`.
pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    forwarded: Forwarded,
    Path((token, year)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (share, years) = shared(&state, &token).await?;
    let year = parse_year(&year)?;
    if !years.includes(year) {
        return Err(AppError::NotFound);
    }
    let Reviewed::Year(review, data) = review(&state, share.user_id, Some(year)).await? else {
        return Err(AppError::NotFound);
    };
    let shown: Vec<i64> = data
        .years
        .iter()
        .copied()
        .filter(|y| years.includes(*y))
        .collect();
    let heading = match &share.shown_name {
        Some(name) => format!("{name}'s {year} in music"),
        None => format!("{year} in music"),
    };
    let (base, home) = (format!("/s/{token}/year"), format!("/s/{token}"));
    let links = YearLinks {
        base: &base,
        home: &home,
        heading: &heading,
        details: false,
    };
    let main = maud::html! {
        (year_page(&review, &shown, &data.holes, &data.settings.zone, &links))
        (card_figure(&format!("{base}/{year}"), year))
    };
    let origin = super::origin(&state, &headers, forwarded);
    let mut line = format!(
        "{} minutes of music",
        crate::stats::history::group_thousands(review.ms_played / 60_000)
    );
    if let Some(artist) = review.top_artists.first() {
        line.push_str(&format!(" · top artist: {}", artist.name));
    }
    if let Some(song) = review.top_songs.first() {
        line.push_str(&format!(" · top song: {}", song.name));
    }
    let og = OpenGraph {
        title: heading.clone(),
        description: line,
        url: format!("{origin}{base}/{year}"),
        image: Some(format!("{origin}{base}/{year}/card.png")),
    };
    let chrome = Chrome {
        og: Some(&og),
        ..visitor_chrome(&state, &share)
    };
    let page = views::layout::page(&heading, chrome, main);
    Ok(with_robots(page.into_response(), &share))
}

/// `GET /s/{token}/year/{yyyy}/card.png`.
pub async fn card_png(
    State(state): State<AppState>,
    Path((token, year)): Path<(String, String)>,
) -> Result<Response, AppError> {
    shared_card(&state, &token, &year, Format::Png).await
}

/// `GET /s/{token}/year/{yyyy}/card.svg`.
pub async fn card_svg(
    State(state): State<AppState>,
    Path((token, year)): Path<(String, String)>,
) -> Result<Response, AppError> {
    shared_card(&state, &token, &year, Format::Svg).await
}

async fn shared_card(
    state: &AppState,
    token: &str,
    year: &str,
    format: Format,
) -> Result<Response, AppError> {
    let (share, years) = shared(state, token).await?;
    if !years.includes(parse_year(year)?) {
        return Err(AppError::NotFound);
    }
    let response = card(state, share.user_id, year, format).await?;
    Ok(with_robots(response, &share))
}
