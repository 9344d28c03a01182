//! One error type for every handler. It becomes an HTML page, or a fragment for htmx requests
//! (see `web::errors`), in plain words, with the right status and no secret in it.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::domain::TimeRange;

/// Why a login did not complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginError {
    /// The callback came without `state`.
    MissingState,
    /// `state` was not issued to this browser, or was already used.
    UnknownState,
    /// `state` is older than ten minutes.
    ExpiredState,
    /// The callback came without `code`.
    MissingCode,
    /// The user said no on Spotify's page.
    Denied,
    /// Spotify reported another error on the callback (its `error` value).
    Provider(String),
    /// Spotify refused the code (used twice, expired, or not ours).
    CodeRejected,
    /// The account is not on this development-mode app's allow-list.
    NotAllowListed,
    /// Spotify could not be reached or failed.
    SpotifyUnavailable,
    /// Spotify is rate-limiting Euterpe.
    RateLimited(Duration),
}

/// What was wrong with a request, so that its page can say how to fix it (all answered 400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadRequest {
    /// `time_range` was not one of the accepted values (empty: missing a value, or given twice).
    TimeRange(String),
    /// A form or address the user got wrong; the message says what to change, in plain words.
    Form(String),
    /// A value that can't be used; the message says which and why, in plain words.
    Value(String),
}

/// Everything a handler can fail with.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    #[error("page not found")]
    NotFound,
    /// The page needs a logged-in user.
    #[error("not logged in")]
    NotLoggedIn,
    #[error("login failed: {0:?}")]
    Login(LoginError),
    /// Something the user (or their browser) sent that can't be used; it says how to fix it.
    #[error("bad request: {0:?}")]
    BadRequest(BadRequest),
    /// A state-changing request without this site's form token, or from another site.
    #[error("cross-site request refused")]
    CrossSite,
    /// An upload larger than the configured limit (bytes).
    #[error("upload too large (limit {0} bytes)")]
    TooLarge(u64),
    /// The database is unreachable or failed.
    #[error("database unavailable: {0}")]
    Database(Arc<sqlx::Error>),
    /// An export upload sent nothing for this long (the server's upload idle deadline).
    #[error("upload stalled: nothing received for {} s", .0.as_secs())]
    UploadStalled(Duration),
    /// The server is shutting down (a restart or deploy) and gave up on this request.
    #[error("abandoned: the server is shutting down")]
    ShuttingDown,
    /// A bug or an impossible state; details go to the log, not the page.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::NotLoggedIn => StatusCode::UNAUTHORIZED,
            Self::Login(error) => match error {
                LoginError::NotAllowListed => StatusCode::FORBIDDEN,
                LoginError::SpotifyUnavailable => StatusCode::BAD_GATEWAY,
                LoginError::RateLimited(_) => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::BAD_REQUEST,
            },
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::CrossSite => StatusCode::FORBIDDEN,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Database(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::UploadStalled(_) => StatusCode::REQUEST_TIMEOUT,
            Self::ShuttingDown => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A bad `time_range` (see [`BadRequest::TimeRange`]).
    pub fn bad_time_range(value: impl Into<String>) -> Self {
        Self::BadRequest(BadRequest::TimeRange(value.into()))
    }

    /// A form the user got wrong (see [`BadRequest::Form`]).
    pub fn bad_form(message: impl Into<String>) -> Self {
        Self::BadRequest(BadRequest::Form(message.into()))
    }

    /// A value that can't be used (see [`BadRequest::Value`]).
    pub fn bad_value(message: impl Into<String>) -> Self {
        Self::BadRequest(BadRequest::Value(message.into()))
    }

    /// The accepted values, for the message of a bad `time_range`.
    pub fn accepted_ranges() -> String {
        TimeRange::ALL
            .iter()
            .map(|range| range.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        Self::Database(Arc::new(err))
    }
}

impl From<tower_sessions::session::Error> for AppError {
    fn from(err: tower_sessions::session::Error) -> Self {
        // The session store is the database.
        Self::Database(Arc::new(sqlx::Error::Protocol(err.to_string())))
    }
}

/// Marks a server-side status that is no fault of Euterpe's (a request given up because the
/// process is restarting): neither logged as an error nor reported to Sentry.
#[derive(Clone, Copy, Debug)]
pub struct NotABug;

/// The marker the error-page middleware looks for to render an [`AppError`].
#[derive(Clone, Debug)]
pub struct ErrorMarker(pub Arc<AppError>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() && !matches!(self, Self::ShuttingDown) {
            tracing::error!(error = %self, "request failed");
        }
        let mut response = status.into_response();
        response
            .extensions_mut()
            .insert(ErrorMarker(Arc::new(self)));
        response
    }
}
