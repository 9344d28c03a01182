//! Turns an [`AppError`] returned anywhere into an HTML page, or a fragment for htmx requests.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::extract::RenderMode;
use super::session::AppSession;
use crate::error::{AppError, ErrorMarker};
use crate::state::AppState;
use crate::telemetry::NotABug;
use crate::views::{self, Chrome};
use tower_sessions::Session;

/// Renders the error a handler or extractor returned, in the form the request asked for.
pub async fn render_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mode = RenderMode::from_headers(request.headers());
    // Kept for the error page's frame: a logged-in user keeps the site's navigation.
    let session = request.extensions().get::<Session>().cloned();
    let mut response = next.run(request).await;
    let Some(ErrorMarker(error)) = response.extensions_mut().remove::<ErrorMarker>() else {
        return response;
    };
    let signed_in = match (mode, session) {
        (RenderMode::Page, Some(session)) => signed_in(&state, AppSession(session)).await,
        _ => None,
    };
    let mut rendered = render(&state, mode, &error, signed_in.as_ref());
    if matches!(*error, AppError::ShuttingDown) {
        rendered.extensions_mut().insert(NotABug);
    }
    rendered
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("HX-Request"));
    rendered
}

/// The name and form token of the user logged in on this session, if any (nothing when the
/// database can't say: an error page must not fail in turn).
async fn signed_in(state: &AppState, session: AppSession) -> Option<(String, String)> {
    let (user_id, _) = session.user().await.ok()??;
    let user = state.users.get(&state.store, user_id).await.ok()??;
    let csrf = session.csrf_token().await.ok()?;
    Some((user.name().to_owned(), csrf))
}

fn render(
    state: &AppState,
    mode: RenderMode,
    error: &AppError,
    signed_in: Option<&(String, String)>,
) -> Response {
    let status = error.status();
    match (mode, error) {
        // htmx can't show a login page inside a panel: send the whole window to the start.
        (RenderMode::Fragment, AppError::NotLoggedIn) => {
            (StatusCode::OK, [("HX-Redirect", "/")]).into_response()
        }
        (RenderMode::Fragment, _) => (status, views::errors::fragment(error)).into_response(),
        (RenderMode::Page, _) => {
            let (title, main) = views::errors::page_main(error, signed_in.is_some());
            let demo = state.demo.is_some();
            let chrome = match signed_in {
                Some((name, csrf)) => Chrome {
                    user: Some(name),
                    csrf: Some(csrf),
                    demo,
                    noindex: false,
                    og: None,
                },
                None => Chrome::anonymous(demo),
            };
            let page = views::layout::page(title, chrome, main);
            (status, page).into_response()
        }
    }
}
