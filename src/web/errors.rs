//! Turns an [`AppError`] returned anywhere into an HTML page, or a fragment for htmx requests.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::extract::RenderMode;
use crate::error::{AppError, ErrorMarker};
use crate::state::AppState;
use crate::telemetry::NotABug;
use crate::views::{self, Chrome};

/// Renders the error a handler or extractor returned, in the form the request asked for.
pub async fn render_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mode = RenderMode::from_headers(request.headers());
    let mut response = next.run(request).await;
    let Some(ErrorMarker(error)) = response.extensions_mut().remove::<ErrorMarker>() else {
        return response;
    };
    let mut rendered = render(&state, mode, &error);
    if matches!(*error, AppError::ShuttingDown) {
        rendered.extensions_mut().insert(NotABug);
    }
    rendered
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("HX-Request"));
    rendered
}

fn render(state: &AppState, mode: RenderMode, error: &AppError) -> Response {
    let status = error.status();
    match (mode, error) {
        // htmx can't show a login page inside a panel: send the whole window to the start.
        (RenderMode::Fragment, AppError::NotLoggedIn) => {
            (StatusCode::OK, [("HX-Redirect", "/")]).into_response()
        }
        (RenderMode::Fragment, _) => (status, views::errors::fragment(error)).into_response(),
        (RenderMode::Page, _) => {
            let (title, main) = views::errors::page_main(error);
            let page = views::layout::page(title, Chrome::anonymous(state.demo.is_some()), main);
            (status, page).into_response()
        }
    }
}
