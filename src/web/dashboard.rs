//! `/`: the dashboard for a logged-in user, the landing page otherwise.

use axum::extract::{Query, RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::extract::{MaybeUser, RangeParam};
use crate::domain::TimeRange;
use crate::error::AppError;
use crate::state::AppState;
use crate::views::connection::{self, Connection};
use crate::views::landing::LandingNote;
use crate::views::panels::Scope;
use crate::views::{self, Chrome};

/// Plays the dashboard's "Recently played" lists.
const RECENTLY_PLAYED: i64 = 10;

/// The range a dashboard shows when none is chosen (what its switcher shows).
pub const DASHBOARD_RANGE: TimeRange = TimeRange::MediumTerm;

#[derive(Deserialize)]
pub struct LandingQuery {
    logged_out: Option<String>,
    deleted: Option<String>,
}

/// The dashboard's panels, drawn with the page (see `panels::draw_dashboard`), and the reload a
/// browser without JavaScript makes while some are still loading.
pub async fn panels(
    state: &AppState,
    owner: &crate::store::User,
    scope: Scope<'_>,
    range: Option<TimeRange>,
    query: Option<&str>,
) -> maud::Markup {
    // The panels show the range the switcher shows (the last 6 months unless chosen), so the
    // switcher never claims a range a panel doesn't show (Top playlists' own default is the
    // last 4 weeks).
    let range = Some(range.unwrap_or(DASHBOARD_RANGE));
    let (wait, waited_for_all) = super::panels::dashboard_wait(state, query);
    let drawn = super::panels::draw_dashboard(state, owner, scope, range, wait).await;
    let reload =
        (drawn.pending && !waited_for_all).then(|| super::panels::reload_url(&scope.home(range)));
    views::panels::dashboard_panels(&drawn.sections, reload.as_deref())
}

/// `GET /`.
pub async fn index(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    range: RangeParam,
    Query(query): Query<LandingQuery>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let demo = state.demo.is_some();
    let Some(current) = user else {
        let note = if query.deleted.is_some() {
            LandingNote::Deleted
        } else if query.logged_out.is_some() {
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
    let (settings, recent) = tokio::try_join!(
        state.store.history_settings(current.user.id),
        state.store.recent_plays(current.user.id, RECENTLY_PLAYED),
    )?;
    let zone = views::history::zone_offer(&settings, &current.csrf, "dashboard");
    let notices = maud::html! { (retention) (connection::banner(connection)) (zone) };
    let panels = panels(&state, &current.user, Scope::OWNER, range.0, raw.as_deref()).await;
    let history = views::history::dashboard_card(&recent, &settings.zone);
    let main = views::dashboard::dashboard(current.user.name(), range.0, notices, panels, history);
    let chrome = current.chrome(&state);
    Ok(views::layout::page("Your listening", chrome, main).into_response())
}
