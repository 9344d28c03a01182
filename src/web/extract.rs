//! Extractors: who is asking (`CurrentUser`), how to answer (`RenderMode`), and for which range
//! (`RangeParam`).

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum_htmx::{HxHistoryRestoreRequest, HxRequest, HxTarget};

use super::session::{ABSOLUTE_LIFETIME_SECS, AppSession};
use crate::error::AppError;
use crate::spotify::models::TimeRange;
use crate::state::AppState;
use crate::store::User;
use crate::views::Chrome;
use crate::worker::retention;

/// How often a visit is recorded (seconds): keeps the session's inactivity expiry and the user's
/// last-seen time current without a database write per request.
const SEEN_INTERVAL_SECS: i64 = 3600;

/// Whether to answer with a fragment for htmx to swap in, or a complete page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenderMode {
    Fragment,
    Page,
}

impl RenderMode {
    /// Reads the htmx headers through axum-htmx's extractors, so that its auto-vary layer adds
    /// `Vary` for them.
    pub async fn from_parts(parts: &mut Parts) -> Self {
        let Ok(HxRequest(is_htmx)) = HxRequest::from_request_parts(parts, &()).await;
        let Ok(HxHistoryRestoreRequest(restore)) =
            HxHistoryRestoreRequest::from_request_parts(parts, &()).await;
        let Ok(HxTarget(target)) = HxTarget::from_request_parts(parts, &()).await;
        Self::decide(is_htmx, restore, target.as_deref())
    }

    /// The same decision from raw headers (for responses made outside a handler).
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let has = |name: &str| headers.get(name).is_some_and(|value| value == "true");
        let target = headers
            .get("hx-target")
            .and_then(|value| value.to_str().ok());
        Self::decide(has("hx-request"), has("hx-history-restore-request"), target)
    }

    /// A fragment for htmx requests, except history restoration and swaps of the whole main
    /// content (the range switcher), which need the page.
    fn decide(is_htmx: bool, restore: bool, target: Option<&str>) -> Self {
        if is_htmx && !restore && target != Some(MAIN_ID) {
            Self::Fragment
        } else {
            Self::Page
        }
    }
}

/// The id of every page's `<main>`, which the range switcher swaps as a whole.
pub const MAIN_ID: &str = "main";

impl<S: Send + Sync> FromRequestParts<S> for RenderMode {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_parts(parts).await)
    }
}

/// The `time_range` query parameter: absent, or one of the three accepted values. Anything
/// else is a 400 that names the accepted values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RangeParam(pub Option<TimeRange>);

impl RangeParam {
    /// The chosen range, or the panel's default.
    pub fn or(self, default: TimeRange) -> TimeRange {
        self.0.unwrap_or(default)
    }
}

struct RangeQuery {
    time_range: Option<String>,
}

impl RangeParam {
    /// Reads `time_range` from a raw query string (for handlers that must check something else
    /// first, like a share link's token).
    pub fn from_query(query: Option<&str>) -> Result<Self, AppError> {
        let query: RangeQuery = parse_range_query(query.unwrap_or_default())?;
        match query.time_range {
            None => Ok(Self(None)),
            Some(value) => TimeRange::parse(&value)
                .map(|range| Self(Some(range)))
                .ok_or(AppError::bad_time_range(value)),
        }
    }
}

fn parse_range_query(query: &str) -> Result<RangeQuery, AppError> {
    let mut time_range = None;
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if name == "time_range" {
            if time_range.is_some() {
                // Given twice: neither value is "the" range (the page says so).
                return Err(AppError::bad_time_range(String::new()));
            }
            time_range = Some(value.into_owned());
        }
    }
    Ok(RangeQuery { time_range })
}

impl<S: Send + Sync> FromRequestParts<S> for RangeParam {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Self::from_query(parts.uri.query())
    }
}

/// The logged-in user of this request. Rejects with [`AppError::NotLoggedIn`] otherwise.
pub struct CurrentUser {
    pub user: User,
    pub session: AppSession,
    /// This session's form token, for the forms the page renders.
    pub csrf: String,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        MaybeUser::from_request_parts(parts, state)
            .await?
            .0
            .ok_or(AppError::NotLoggedIn)
    }
}

impl CurrentUser {
    /// The frame of this user's pages: navigation with their name and the logout form.
    pub fn chrome(&self, state: &AppState) -> Chrome<'_> {
        Chrome {
            user: Some(self.user.name()),
            csrf: Some(&self.csrf),
            demo: state.demo.is_some(),
            noindex: false,
            og: None,
        }
    }
}

/// The logged-in user, if there is one (the landing page serves both).
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let session = AppSession::from_request_parts(parts, state).await?;
        let Some((user_id, login_at)) = session.user().await? else {
            return Ok(Self(None));
        };
        let now = state.clock.unix();
        if now - login_at > ABSOLUTE_LIFETIME_SECS {
            session.log_out().await?;
            return Ok(Self(None));
        }
        // Once an hour the visit is recorded, from the row as the database has it; in between
        // a row read a moment ago will do.
        let due = session.mark_seen(now, SEEN_INTERVAL_SECS).await?;
        let user = if due {
            state.users.read(&state.store, user_id).await?
        } else {
            state.users.get(&state.store, user_id).await?
        };
        let Some(user) = user else {
            // The account was deleted: this session is over too.
            session.log_out().await?;
            return Ok(Self(None));
        };
        if due {
            // The retention policy records the visit and says whether to warn; the session
            // carries its word to the next page.
            if let Some(warning) = retention::record_visit(state, &user, now).await? {
                session
                    .set_flash(retention::FLASH, &warning.to_flash())
                    .await?;
            }
            state.users.forget(user_id);
        }
        let csrf = session.csrf_token().await?;
        Ok(Self(Some(CurrentUser {
            user,
            session,
            csrf,
        })))
    }
}
