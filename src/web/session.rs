//! The typed login session: what Euterpe keeps in each browser's server-side session.

use crate::domain::UserId;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::crypto::{Secret, random_token};
use crate::error::{AppError, LoginError};

const USER_ID: &str = "user_id";
const LOGIN_AT: &str = "login_at";
const SEEN_AT: &str = "seen_at";
const CSRF: &str = "csrf";
const PENDING_LOGINS: &str = "pending_logins";

/// How long a started login may take (`state` and PKCE verifier lifetime), in seconds.
pub const LOGIN_STATE_TTL_SECS: i64 = 10 * 60;
/// A login session ends this long after the login, whatever the activity (30 days).
pub const ABSOLUTE_LIFETIME_SECS: i64 = 30 * 24 * 3600;
/// Logins started in other tabs that are remembered at once.
const MAX_PENDING_LOGINS: usize = 4;

/// A login started at Spotify and not yet completed.
#[derive(Clone, Serialize, Deserialize)]
struct PendingLogin {
    state: String,
    pkce_verifier: String,
    created_at: i64,
}

/// The session of the current browser.
pub struct AppSession(pub Session);

impl<S: Send + Sync> FromRequestParts<S> for AppSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Session::from_request_parts(parts, state)
            .await
            .map(Self)
            .map_err(|(_, message)| AppError::Internal(message.to_owned()))
    }
}

impl AppSession {
    /// The logged-in user's id and login time, if any.
    pub async fn user(&self) -> Result<Option<(UserId, i64)>, AppError> {
        let user = self.0.get::<UserId>(USER_ID).await?;
        let login_at = self.0.get::<i64>(LOGIN_AT).await?.unwrap_or(0);
        Ok(user.map(|user| (user, login_at)))
    }

    /// Remembers a login that was just sent to Spotify. A few can be pending at once, so that
    /// logins started in two tabs both work.
    pub async fn begin_login(
        &self,
        state: &str,
        verifier: &Secret,
        now: i64,
    ) -> Result<(), AppError> {
        let mut pending = self.pending().await?;
        pending.retain(|login| now - login.created_at < LOGIN_STATE_TTL_SECS);
        pending.push(PendingLogin {
            state: state.to_owned(),
            pkce_verifier: verifier.expose().to_owned(),
            created_at: now,
        });
        let excess = pending.len().saturating_sub(MAX_PENDING_LOGINS);
        pending.drain(..excess);
        self.0.insert(PENDING_LOGINS, pending).await?;
        Ok(())
    }

    /// Takes (and so uses up) the pending login that `state` names; returns its PKCE verifier.
    pub async fn take_login(&self, state: &str, now: i64) -> Result<Secret, AppError> {
        let mut pending = self.pending().await?;
        let position = pending
            .iter()
            .position(|login| constant_time_eq(login.state.as_bytes(), state.as_bytes()));
        let Some(position) = position else {
            return Err(AppError::Login(LoginError::UnknownState));
        };
        let login = pending.remove(position);
        self.0.insert(PENDING_LOGINS, pending).await?;
        if now - login.created_at >= LOGIN_STATE_TTL_SECS {
            return Err(AppError::Login(LoginError::ExpiredState));
        }
        Ok(Secret::new(login.pkce_verifier))
    }

    async fn pending(&self) -> Result<Vec<PendingLogin>, AppError> {
        Ok(self
            .0
            .get::<Vec<PendingLogin>>(PENDING_LOGINS)
            .await?
            .unwrap_or_default())
    }

    /// Completes a login: a new session id (no fixation), the user, a fresh form token.
    /// Returns the new session id, to link it to the user.
    pub async fn log_in(&self, user: UserId, now: i64) -> Result<String, AppError> {
        self.0.clear().await;
        self.0.cycle_id().await?;
        self.0.insert(USER_ID, user).await?;
        self.0.insert(LOGIN_AT, now).await?;
        self.0.insert(SEEN_AT, now).await?;
        self.0.insert(CSRF, random_token(32)).await?;
        // Save now, so the new id exists and can be linked to the user.
        self.0.save().await?;
        self.0
            .id()
            .map(|id| id.to_string())
            .ok_or_else(|| AppError::Internal("session has no id after save".into()))
    }

    /// Ends the session on the server: the cookie is worthless from now on.
    pub async fn log_out(&self) -> Result<(), AppError> {
        self.0.flush().await?;
        Ok(())
    }

    /// Whether the last recorded visit is older than `interval` seconds; records this one if so.
    /// Keeps the inactivity expiry sliding without writing the session on every request.
    pub async fn mark_seen(&self, now: i64, interval: i64) -> Result<bool, AppError> {
        let seen = self.0.get::<i64>(SEEN_AT).await?.unwrap_or(0);
        if now - seen < interval {
            return Ok(false);
        }
        self.0.insert(SEEN_AT, now).await?;
        Ok(true)
    }

    /// Keeps a one-time message for the next page this session sees.
    pub async fn set_flash(&self, key: &str, value: &str) -> Result<(), AppError> {
        self.0.insert(&format!("flash.{key}"), value).await?;
        Ok(())
    }

    /// Takes (and so removes) a one-time message.
    pub async fn take_flash(&self, key: &str) -> Result<Option<String>, AppError> {
        let key = format!("flash.{key}");
        // `remove` marks the session changed even when the key is absent, which would write the
        // session back on every page that merely looks for a message.
        if self.0.get::<String>(&key).await?.is_none() {
            return Ok(None);
        }
        Ok(self.0.remove::<String>(&key).await?)
    }

    /// This session's form token (made on first use).
    pub async fn csrf_token(&self) -> Result<String, AppError> {
        if let Some(token) = self.0.get::<String>(CSRF).await? {
            return Ok(token);
        }
        let token = random_token(32);
        self.0.insert(CSRF, &token).await?;
        Ok(token)
    }

    /// Whether `submitted` is this session's form token.
    pub async fn check_csrf(&self, submitted: &str) -> Result<bool, AppError> {
        let expected = self.0.get::<String>(CSRF).await?;
        Ok(expected
            .is_some_and(|expected| constant_time_eq(expected.as_bytes(), submitted.as_bytes())))
    }
}

/// Writes a changed session back before the answer leaves, within the request's time limit.
///
/// tower-sessions would otherwise save it after every other layer has run: a database that
/// fails at that moment gave a blank 500 with no security headers and no log line, and one that
/// blocks the write held the request past `REQUEST_TIMEOUT_SECS`. Saved here, a failure is the
/// plain "database unavailable" answer of every other page. (The outer layer then saves the
/// same record once more; only requests that change the session pay for that.)
pub async fn persist(request: Request, next: Next) -> Response {
    let session = request.extensions().get::<Session>().cloned();
    let response = next.run(request).await;
    let Some(session) = session else {
        return response;
    };
    // The outer layer's own rules: nothing to write for an empty session or a failed request.
    if !session.is_modified() || response.status().is_server_error() || session.is_empty().await {
        return response;
    }
    match session.save().await {
        Ok(()) => response,
        Err(err) => AppError::from(err).into_response(),
    }
}

/// Compares secrets without an early exit that would leak how many leading bytes matched.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
