//! `/year/{yyyy}`: the year in review, and its card as PNG and SVG. Extract → load
//! (`load::year`) → compute (`stats::year`) → render (`views::year`, `views::card`).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};

use super::extract::CurrentUser;
use crate::domain::UserId;
use crate::error::AppError;
use crate::load::year::{self, YearData, YearLoad};
use crate::state::AppState;
use crate::stats::year::{YearReview, year_review};
use crate::views;
use crate::views::card::{CardFigures, card_png, card_svg};
use crate::views::year::{YearLinks, card_figure, empty_year, year_page};

/// The year a path names: four digits, 1970 to 9999 (anything else has no page).
pub fn parse_year(text: &str) -> Result<i64, AppError> {
    match text.parse::<i64>() {
        Ok(year) if text.len() == 4 && (1970..=9999).contains(&year) => Ok(year),
        _ => Err(AppError::NotFound),
    }
}

/// A year asked for, reviewed: its review and what it came from, or the years that have plays.
pub enum Reviewed {
    Year(Box<YearReview>, Box<YearData>),
    Empty { year: Option<i64>, years: Vec<i64> },
}

/// Loads and computes `user`'s year `year` (`None`: the latest with plays).
pub async fn review(
    state: &AppState,
    user: UserId,
    year: Option<i64>,
) -> Result<Reviewed, AppError> {
    let now_ms = state.clock.unix() * 1000;
    let loaded = year::load(
        &state.store,
        &state.library,
        &state.enrichment,
        user,
        year,
        now_ms,
    )
    .await?;
    Ok(match loaded {
        YearLoad::Year(data) => Reviewed::Year(Box::new(year_review(&data.inputs())), data),
        YearLoad::Empty { year, years } => Reviewed::Empty { year, years },
    })
}

/// The card's figures from the review.
pub fn card_of(review: &YearReview) -> CardFigures {
    CardFigures {
        year: review.year,
        minutes: review.ms_played / 60_000,
        top_artist: review.top_artists.first().map(|a| a.name.clone()),
        top_song: review
            .top_songs
            .first()
            .map(|s| (s.name.clone(), s.artist_name.clone())),
        top_genre: review.top_genres.first().map(|(genre, _)| genre.clone()),
    }
}

/// `GET /year`: the latest year with plays.
pub async fn latest(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Response, AppError> {
    let settings = state.store.history_settings(current.user.id).await?;
    let years = state
        .store
        .years_with_plays(current.user.id, &settings.zone)
        .await?;
    match years.last() {
        Some(year) => Ok(Redirect::to(&format!("/year/{year}")).into_response()),
        None => {
            let main = empty_year(None, &years);
            Ok(views::layout::page("Your year", current.chrome(&state), main).into_response())
        }
    }
}

/// `GET /year/{yyyy}`.
pub async fn page(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(year): Path<String>,
) -> Result<Response, AppError> {
    let year = parse_year(&year)?;
    let title = format!("Your {year}");
    let main = match review(&state, current.user.id, Some(year)).await? {
        Reviewed::Year(review, data) => {
            let links = YearLinks {
                base: "/year",
                home: "/",
                heading: &title,
                details: true,
            };
            maud::html! {
                (year_page(&review, &data.years, &data.holes, &data.settings.zone, &links))
                (card_figure(&format!("/year/{year}"), year))
            }
        }
        Reviewed::Empty { year, years } => empty_year(year, &years),
    };
    Ok(views::layout::page(&title, current.chrome(&state), main).into_response())
}

/// `GET /year/{yyyy}/card.png`.
pub async fn card_png_page(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(year): Path<String>,
) -> Result<Response, AppError> {
    card(&state, current.user.id, &year, Format::Png).await
}

/// `GET /year/{yyyy}/card.svg`.
pub async fn card_svg_page(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(year): Path<String>,
) -> Result<Response, AppError> {
    card(&state, current.user.id, &year, Format::Svg).await
}

/// The card's picture formats.
#[derive(Clone, Copy)]
pub enum Format {
    Png,
    Svg,
}

/// `user`'s card of `year` (404 for a year without plays).
pub async fn card(
    state: &AppState,
    user: UserId,
    year: &str,
    format: Format,
) -> Result<Response, AppError> {
    let year = parse_year(year)?;
    let Reviewed::Year(review, _) = review(state, user, Some(year)).await? else {
        return Err(AppError::NotFound);
    };
    let card = card_of(&review);
    let cache = (header::CACHE_CONTROL, "private, max-age=300");
    Ok(match format {
        Format::Svg => (
            [(header::CONTENT_TYPE, "image/svg+xml"), cache],
            card_svg(&card),
        )
            .into_response(),
        Format::Png => {
            // Drawing takes tens of milliseconds of CPU: off the async threads.
            let png = tokio::task::spawn_blocking(move || card_png(&card))
                .await
                .map_err(|err| AppError::Internal(err.to_string()))?
                .map_err(|err| AppError::Internal(err.to_string()))?;
            ([(header::CONTENT_TYPE, "image/png"), cache], png).into_response()
        }
    })
}
