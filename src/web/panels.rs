//! The nine panel routes. Each reads as extract → load → compute → render; `respond` wraps the
//! result as an htmx fragment or a full page, with the panel's error state when loading failed.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::Markup;

use super::extract::{CurrentUser, RangeParam, RenderMode};
use crate::app::AppState;
use crate::panel::Panel;
use crate::spotify::SpotifyError;
use crate::spotify::models::TimeRange;
use crate::stats;
use crate::views::{self, Chrome};

/// `GET /{panel}`.
pub async fn show(
    panel: Panel,
    State(state): State<AppState>,
    current: CurrentUser,
    mode: RenderMode,
    range: RangeParam,
) -> Response {
    let chosen = range.or(panel.default_range());
    let user = current.user.id;
    let body = match panel {
        Panel::TopSongs => {
            let tracks = state.library.top_tracks(user, chosen).await;
            tracks.map(|tracks| views::panels::top_songs::top_songs(&stats::top_songs(&tracks)))
        }
        Panel::TopArtists => {
            let artists = state.library.top_artists(user, chosen).await;
            artists.map(|artists| {
                views::panels::top_artists::top_artists(&stats::top_artists(&artists))
            })
        }
        _ => Ok(views::panels::coming_soon(panel)),
    };
    respond(&state, &current, mode, panel, range.0, body)
}

/// Wraps a panel body (or its error) in the panel frame, as a fragment or a whole page.
fn respond(
    state: &AppState,
    current: &CurrentUser,
    mode: RenderMode,
    panel: Panel,
    range: Option<TimeRange>,
    body: Result<Markup, SpotifyError>,
) -> Response {
    let (status, body, retry_after) = match body {
        Ok(body) => (StatusCode::OK, body, None),
        Err(SpotifyError::NeedsRelogin) if mode == RenderMode::Fragment => {
            // The dashboard explains the expired login; htmx reloads the whole window there.
            return (StatusCode::OK, [("HX-Redirect", "/")]).into_response();
        }
        Err(error) => {
            if let SpotifyError::Database(err) = &error {
                tracing::error!(error = %err, panel = panel.name(), "panel failed: database");
            }
            let retry_after = match &error {
                SpotifyError::RateLimited { retry_after } => Some(retry_after.as_secs()),
                _ => None,
            };
            let view = views::panels::error_state(panel, range, &error, state.clock.now());
            (error_status(&error), view, retry_after)
        }
    };
    let section = views::panels::frame(panel, range, body);
    let mut response = match mode {
        RenderMode::Fragment => (status, section).into_response(),
        RenderMode::Page => {
            let chrome = Chrome {
                user: Some(&current.user),
                csrf: Some(&current.csrf),
                demo: state.demo.is_some(),
            };
            let main = views::panels::page_main(panel, range, section);
            (status, views::layout::page(panel.title(), chrome, main)).into_response()
        }
    };
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// The status of a panel that could not load.
fn error_status(error: &SpotifyError) -> StatusCode {
    match error {
        SpotifyError::RateLimited { .. } | SpotifyError::Database(_) => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        SpotifyError::Unavailable | SpotifyError::BadResponse(_) | SpotifyError::NotFound => {
            StatusCode::BAD_GATEWAY
        }
        SpotifyError::Timeout => StatusCode::GATEWAY_TIMEOUT,
        SpotifyError::NeedsRelogin | SpotifyError::Unauthorized => StatusCode::UNAUTHORIZED,
        SpotifyError::NotAllowListed | SpotifyError::Forbidden(_) => StatusCode::FORBIDDEN,
    }
}
