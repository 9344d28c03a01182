//! `/`: the dashboard for a logged-in user, the landing page otherwise.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::extract::{MaybeUser, RangeParam};
use crate::error::AppError;
use crate::state::AppState;
use crate::views::connection::{self, Connection};
use crate::views::landing::LandingNote;
use crate::views::{self, Chrome};

#[derive(Deserialize)]
pub struct LandingQuery {
    logged_out: Option<String>,
}

/// `GET /`.
pub async fn index(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    range: RangeParam,
    Query(query): Query<LandingQuery>,
) -> Result<Response, AppError> {
    let demo = state.demo.is_some();
    let Some(current) = user else {
        let note = if query.logged_out.is_some() {
            LandingNote::LoggedOut
        } else {
            LandingNote::None
        };
        let main = views::landing::landing(note, demo);
        return Ok(views::layout::page("Welcome", Chrome::anonymous(demo), main).into_response());
    };
    let tokens = state.store.tokens(current.user.id).await?;
    let connection = Connection::of(tokens.map(|t| t.grant()), state.clock.unix());
    let retention = super::retention_notice(&state, &current).await?;
    let notices = maud::html! { (retention) (connection::banner(connection)) };
    let main = views::dashboard::dashboard(current.user.name(), range.0, notices);
    let chrome = current.chrome(&state);
    Ok(views::layout::page("Your listening", chrome, main).into_response())
}
