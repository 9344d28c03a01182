//! One error type for every handler. It becomes an HTML page, or a fragment for htmx requests
//! (see `web::errors`), in plain words, with the right status and no secret in it.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::domain::TimeRange;
use crate::spotify::{FetchError, SpotifyError};
use crate::telemetry::SpotifyFailure;

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
    /// Spotify failed or refused: its weather, told to the user in plain words and left out of
    /// error reports.
    #[error("Spotify: {0}")]
    Spotify(SpotifyError),
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
            Self::Spotify(error) => match error {
                SpotifyError::RateLimited { .. } => StatusCode::SERVICE_UNAVAILABLE,
                SpotifyError::Unavailable
                | SpotifyError::BadResponse(_)
                | SpotifyError::NotFound => StatusCode::BAD_GATEWAY,
                SpotifyError::Timeout => StatusCode::GATEWAY_TIMEOUT,
                SpotifyError::NeedsRelogin | SpotifyError::Unauthorized => StatusCode::UNAUTHORIZED,
                SpotifyError::NotAllowListed | SpotifyError::Forbidden(_) => StatusCode::FORBIDDEN,
            },
            Self::Database(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::UploadStalled(_) => StatusCode::REQUEST_TIMEOUT,
            Self::ShuttingDown => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Why the data a page needed could not be had, for its error state (`None` when the
    /// failure was not one of loading data). Views know this, never a Spotify error.
    pub fn failure(&self) -> Option<Failure> {
        let error = match self {
            Self::Spotify(error) => error,
            Self::Database(_) => return Some(Failure::Database),
            _ => return None,
        };
        Some(match error {
            SpotifyError::RateLimited { retry_after } => Failure::RateLimited {
                retry_after: *retry_after,
            },
            SpotifyError::Unavailable | SpotifyError::BadResponse(_) => Failure::Unavailable,
            SpotifyError::Timeout => Failure::Timeout,
            SpotifyError::NeedsRelogin | SpotifyError::Unauthorized => Failure::LoginExpired,
            SpotifyError::NotAllowListed => Failure::NotAllowListed,
            SpotifyError::Forbidden(_) | SpotifyError::NotFound => Failure::Refused,
        })
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

/// Why a page's data could not be had, as its error state tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Spotify limits how often Euterpe may ask; it may again after this long.
    RateLimited { retry_after: Duration },
    /// Spotify did not answer properly.
    Unavailable,
    /// Spotify did not answer in time.
    Timeout,
    /// The owner's Spotify login ended; logging in again fixes it.
    LoginExpired,
    /// The Spotify account is not on the development-mode app's list.
    NotAllowListed,
    /// Spotify refused the data (a missing permission, or gone).
    Refused,
    /// Euterpe's own database did not answer.
    Database,
}

impl From<SpotifyError> for AppError {
    fn from(err: SpotifyError) -> Self {
        Self::Spotify(err)
    }
}

impl From<FetchError> for AppError {
    fn from(err: FetchError) -> Self {
        match err {
            FetchError::Spotify(error) => Self::Spotify(error),
            FetchError::Database(error) => Self::Database(error),
        }
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

/// The marker the error-page middleware looks for to render an [`AppError`].
#[derive(Clone, Debug)]
pub struct ErrorMarker(pub Arc<AppError>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let spotify = matches!(self, Self::Spotify(_));
        if status.is_server_error() && !spotify && !matches!(self, Self::ShuttingDown) {
            tracing::error!(error = %self, "request failed");
        }
        let mut response = status.into_response();
        if spotify {
            response.extensions_mut().insert(SpotifyFailure);
        }
        response
            .extensions_mut()
            .insert(ErrorMarker(Arc::new(self)));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spotify_failures_carry_their_status_and_marker_and_no_database_case() {
        let limited = AppError::from(FetchError::Spotify(SpotifyError::RateLimited {
            retry_after: Duration::from_secs(30),
        }));
        assert_eq!(limited.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            limited.failure(),
            Some(Failure::RateLimited {
                retry_after: Duration::from_secs(30)
            })
        );
        let response = limited.into_response();
        assert!(
            response.extensions().get::<SpotifyFailure>().is_some(),
            "Spotify's weather is marked so that reporting leaves it out"
        );

        let expired = AppError::from(SpotifyError::NeedsRelogin);
        assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(expired.failure(), Some(Failure::LoginExpired));

        let database = AppError::from(FetchError::from(sqlx::Error::PoolTimedOut));
        assert!(matches!(database, AppError::Database(_)));
        assert_eq!(database.failure(), Some(Failure::Database));
        let response = database.into_response();
        assert!(response.extensions().get::<SpotifyFailure>().is_none());
        assert_eq!(AppError::NotFound.failure(), None);
    }
}
