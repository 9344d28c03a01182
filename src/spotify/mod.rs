//! Talking to Spotify: the objects, the OAuth flow, each user's tokens, the HTTP client, and the
//! cached library the panels read.

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use uuid::Uuid;

pub mod client;
pub mod library;
pub mod models;
pub mod oauth;
pub mod tokens;

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
    /// Euterpe's own database failed while loading or saving.
    #[error("database error: {0}")]
    Database(Arc<sqlx::Error>),
}

impl From<sqlx::Error> for SpotifyError {
    fn from(err: sqlx::Error) -> Self {
        Self::Database(Arc::new(err))
    }
}

/// Authenticated Web API calls for one user at a time: the access token is refreshed when it is
/// about to expire, and once more if Spotify refuses it.
pub struct Spotify {
    client: SpotifyClient,
    tokens: TokenManager,
}

impl Spotify {
    pub fn new(client: SpotifyClient, tokens: TokenManager) -> Self {
        Self { client, tokens }
    }

    /// The plain client (a login calls `/me` with a token not stored yet).
    pub fn client(&self) -> &SpotifyClient {
        &self.client
    }

    /// The token manager (logins store their tokens through it).
    pub fn tokens(&self) -> &TokenManager {
        &self.tokens
    }

    /// GETs `path` as `user`.
    pub async fn get<T: DeserializeOwned>(
        &self,
        user: Uuid,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, SpotifyError> {
        let token = self.tokens.access_token(user).await?;
        match self.client.get(&token, path, query).await {
            Err(SpotifyError::Unauthorized) => {
                let token = self.tokens.refresh_after_rejection(user, &token).await?;
                match self.client.get(&token, path, query).await {
                    Err(SpotifyError::Unauthorized) => {
                        self.tokens.require_relogin(user).await?;
                        Err(SpotifyError::NeedsRelogin)
                    }
                    other => other,
                }
            }
            other => other,
        }
    }
}
