//! `/account`: the user's profile and Spotify connection.

use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::extract::CurrentUser;
use crate::app::AppState;
use crate::error::AppError;
use crate::views::{self, Chrome};

/// `GET /account`.
pub async fn page(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Response, AppError> {
    let tokens = state.store.tokens(current.user.id).await?;
    let shares = state.store.shares_of(current.user.id).await?;
    let new_link = super::shares::take_new_link(&current.session).await?;
    let now = state.clock.unix();
    let paused_until = state.store.paused_until(current.user.id, now).await?;
    let main = views::account::account(
        &current.user,
        tokens.as_ref(),
        paused_until,
        now,
        &current.csrf,
        views::share::account_section(
            &shares,
            new_link.as_deref(),
            current.user.name(),
            &current.csrf,
            state.clock.unix(),
        ),
    );
    let chrome = Chrome {
        user: Some(&current.user),
        csrf: Some(&current.csrf),
        demo: state.demo.is_some(),
        noindex: false,
    };
    Ok(views::layout::page("Your account", chrome, main).into_response())
}
