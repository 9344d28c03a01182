//! Talking to Spotify: the objects, the OAuth flow, each user's tokens, the HTTP client, and the
//! cached library the panels read.

use crate::domain::UserId;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::clock::Clock;
use crate::locks::KeyedLimits;
use crate::store::Store;

pub mod client;
#[cfg(test)]
pub mod fixtures;
mod lease;
pub mod library;
pub mod models;
pub mod oauth;
mod parsed;
pub mod tokens;
mod translate;

pub use client::SpotifyClient;
pub use library::Library;
pub use oauth::OAuth;
pub use tokens::TokenManager;

/// What can go wrong when Euterpe fetches a user's Spotify data, in the terms the user is told.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SpotifyError {
    /// Spotify answered 429: no calls until `retry_after` has passed.
    #[error("Spotify is rate-limiting Euterpe (retry after {} s)", retry_after.as_secs())]
    RateLimited { retry_after: Duration },
    /// The access token was refused (the caller refreshes once).
    #[error("Spotify refused the access token")]
    Unauthorized,
    /// The user is not on this development-mode app's allow-list.
    #[error("this Spotify account is not registered for this Euterpe's Spotify app")]
    NotAllowListed,
    #[error("Spotify refused the request: {0}")]
    Forbidden(String),
    #[error("Spotify does not know this item")]
    NotFound,
    /// 5xx twice, or no connection.
    #[error("Spotify is unavailable")]
    Unavailable,
    #[error("Spotify did not answer in time")]
    Timeout,
    #[error("Spotify sent an answer Euterpe cannot read: {0}")]
    BadResponse(String),
    /// The refresh token is expired or revoked (or unreadable): the user must log in again.
    #[error("the Spotify login has expired")]
    NeedsRelogin,
}

/// Why reading a user's Spotify data through Euterpe failed: Spotify's own failure, or Euterpe's
/// database (tokens, pauses and the cache live there). Kept apart so that Spotify's weather is
/// told to the user and left out of error reports, while a database failure is reported.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FetchError {
    #[error(transparent)]
    Spotify(#[from] SpotifyError),
    /// Euterpe's own database failed while loading or saving.
    #[error("database error: {0}")]
    Database(Arc<sqlx::Error>),
}

impl From<sqlx::Error> for FetchError {
    fn from(err: sqlx::Error) -> Self {
        Self::Database(Arc::new(err))
    }
}

impl FetchError {
    /// Spotify's failure, when it was Spotify's.
    pub fn spotify(&self) -> Option<&SpotifyError> {
        match self {
            Self::Spotify(error) => Some(error),
            Self::Database(_) => None,
        }
    }
}

/// A 429 whose `Retry-After` is longer than Spotify's rolling 30-second window means the app as
/// a whole is being held back, not one user's burst: every user pauses then.
pub const APP_WIDE_RETRY_AFTER: Duration = Duration::from_secs(30);

/// Authenticated Web API calls for one user at a time: the access token is refreshed when it is
/// about to expire, and once more if Spotify refuses it. After a 429 no call is made for that
/// user (or, for a long pause, any user) until `Retry-After` has passed — in every process, as
/// the pause is kept in the database.
///
/// Each user has at most `in_flight` calls under way at once (the rest wait their turn, first
/// come first served): a cold dashboard asks for everything together, and this keeps one
/// listener's burst from taking every connection.
pub struct Spotify {
    client: SpotifyClient,
    tokens: TokenManager,
    store: Store,
    clock: Clock,
    in_flight: KeyedLimits<UserId>,
}

impl Spotify {
    pub fn new(
        client: SpotifyClient,
        tokens: TokenManager,
        store: Store,
        clock: Clock,
        in_flight: usize,
    ) -> Self {
        Self {
            client,
            tokens,
            store,
            clock,
            in_flight: KeyedLimits::new(in_flight),
        }
    }

    /// The plain client (a login calls `/me` with a token not stored yet).
    pub fn client(&self) -> &SpotifyClient {
        &self.client
    }

    /// The token manager (logins store their tokens through it).
    pub fn tokens(&self) -> &TokenManager {
        &self.tokens
    }

    /// GETs `path` as `user`, unless Spotify has asked us to wait.
    pub async fn get<T: DeserializeOwned>(
        &self,
        user: UserId,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, FetchError> {
        // The pause is read once this call has its place: a 429 that came back while it waited
        // holds it too.
        let _place = self.in_flight.acquire(&user).await;
        let now = self.clock.unix();
        if let Some(until) = self.store.paused_until(user, now).await? {
            return Err(SpotifyError::RateLimited {
                retry_after: Duration::from_secs((until - now).max(1) as u64),
            }
            .into());
        }
        let result = self.get_now(user, path, query).await;
        if let Err(FetchError::Spotify(SpotifyError::RateLimited { retry_after })) = &result {
            self.record_rate_limit(user, *retry_after).await?;
        }
        result
    }

    async fn get_now<T: DeserializeOwned>(
        &self,
        user: UserId,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, FetchError> {
        let token = self.tokens.access_token(user).await?;
        match self.client.get(&token, path, query).await {
            Err(SpotifyError::Unauthorized) => {
                let token = self.tokens.refresh_after_rejection(user, &token).await?;
                match self.client.get(&token, path, query).await {
                    Err(SpotifyError::Unauthorized) => {
                        self.tokens.require_relogin(user).await?;
                        Err(SpotifyError::NeedsRelogin.into())
                    }
                    other => Ok(other?),
                }
            }
            other => Ok(other?),
        }
    }

    /// Remembers a 429 so that no process calls Spotify for this user (or anyone) too early.
    async fn record_rate_limit(
        &self,
        user: UserId,
        retry_after: Duration,
    ) -> Result<(), FetchError> {
        let until = self.clock.unix() + retry_after.as_secs().max(1) as i64;
        self.store.pause(&user.to_string(), until).await?;
        if retry_after > APP_WIDE_RETRY_AFTER {
            tracing::warn!(
                retry_after_secs = retry_after.as_secs(),
                "Spotify rate-limited the app: pausing calls for every user"
            );
            self.store.pause("app", until).await?;
        } else {
            tracing::info!(%user, retry_after_secs = retry_after.as_secs(), "Spotify rate-limited a user");
        }
        Ok(())
    }
}
