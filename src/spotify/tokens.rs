//! Each user's Spotify tokens: encrypted at rest, refreshed once when they are about to expire.
//!
//! Concurrent requests of one user share a single refresh: they queue on an in-process lock and
//! then on the database row lock (which also covers other processes on the same Postgres), and
//! whoever comes second finds the token already fresh.

use crate::domain::UserId;
use std::sync::Arc;

use super::oauth::{OAuth, OAuthError, TokenSet};
use super::{FetchError, SpotifyError};
use crate::clock::Clock;
use crate::crypto::{Column, KeyRing, Secret};
use crate::locks::KeyedLocks;
use crate::store::{Store, StoredTokens};

pub use crate::domain::CONNECTION_LIFETIME_SECS;

/// Refresh when the access token has less than this left (seconds).
pub const REFRESH_MARGIN_SECS: i64 = 60;

/// Reads, refreshes and stores users' tokens.
pub struct TokenManager {
    store: Store,
    keys: Arc<KeyRing>,
    oauth: OAuth,
    clock: Clock,
    refreshing: KeyedLocks<UserId>,
}

impl TokenManager {
    pub fn new(store: Store, keys: Arc<KeyRing>, oauth: OAuth, clock: Clock) -> Self {
        Self {
            store,
            keys,
            oauth,
            clock,
            refreshing: KeyedLocks::default(),
        }
    }

    /// The OAuth client (for logins).
    pub fn oauth(&self) -> &OAuth {
        &self.oauth
    }

    /// Stores the tokens of a fresh login: the authorization (and its six-month clock) starts now.
    pub async fn save_login(&self, user: UserId, tokens: &TokenSet) -> Result<(), FetchError> {
        let Some(refresh_token) = &tokens.refresh_token else {
            return Err(
                SpotifyError::BadResponse("the login answer had no refresh token".into()).into(),
            );
        };
        let now = self.clock.unix();
        let row = StoredTokens {
            user_id: user,
            key_id: self.keys.current_key_id(),
            access_token: self
                .keys
                .encrypt(user, Column::AccessToken, &tokens.access_token),
            refresh_token: self.keys.encrypt(user, Column::RefreshToken, refresh_token),
            access_expires_at: now + tokens.expires_in.as_secs() as i64,
            scope: tokens.scope.clone(),
            authorized_at: now,
            needs_relogin: false,
            updated_at: now,
        };
        self.store.save_tokens(&row).await?;
        Ok(())
    }

    /// A usable access token for `user`, refreshed first if it expires within a minute.
    pub async fn access_token(&self, user: UserId) -> Result<Secret, FetchError> {
        let row = self
            .store
            .tokens(user)
            .await?
            .ok_or(SpotifyError::NeedsRelogin)?;
        if row.needs_relogin {
            return Err(SpotifyError::NeedsRelogin.into());
        }
        if row.access_expires_at - self.clock.unix() > REFRESH_MARGIN_SECS {
            return match self.decrypt(&row, Column::AccessToken) {
                Some(token) => Ok(token),
                None => {
                    self.store.set_needs_relogin(user, true).await?;
                    Err(SpotifyError::NeedsRelogin.into())
                }
            };
        }
        self.refresh(user, None).await
    }

    /// A new access token after Spotify refused `rejected` (unless another request already
    /// replaced it).
    pub async fn refresh_after_rejection(
        &self,
        user: UserId,
        rejected: &Secret,
    ) -> Result<Secret, FetchError> {
        self.refresh(user, Some(rejected)).await
    }

    /// Marks the user as needing to log in again.
    pub async fn require_relogin(&self, user: UserId) -> Result<(), FetchError> {
        self.store.set_needs_relogin(user, true).await?;
        Ok(())
    }

    async fn refresh(&self, user: UserId, rejected: Option<&Secret>) -> Result<Secret, FetchError> {
        let _in_process = self.refreshing.lock(&user).await;
        let lock = self.store.lock_tokens(user).await?;
        let Some(row) = lock.current.clone() else {
            return Err(SpotifyError::NeedsRelogin.into());
        };
        if row.needs_relogin {
            return Err(SpotifyError::NeedsRelogin.into());
        }
        let (Some(access), Some(refresh_token)) = (
            self.decrypt(&row, Column::AccessToken),
            self.decrypt(&row, Column::RefreshToken),
        ) else {
            lock.mark_needs_relogin(user).await?;
            return Err(SpotifyError::NeedsRelogin.into());
        };
        let still_fresh = row.access_expires_at - self.clock.unix() > REFRESH_MARGIN_SECS;
        if still_fresh && rejected != Some(&access) {
            // Someone refreshed while we waited for the lock.
            return Ok(access);
        }
        match self.oauth.refresh(&refresh_token).await {
            Ok(answer) => {
                let now = self.clock.unix();
                let new_refresh = answer.refresh_token.as_ref().unwrap_or(&refresh_token);
                let updated = StoredTokens {
                    key_id: self.keys.current_key_id(),
                    access_token: self.keys.encrypt(
                        user,
                        Column::AccessToken,
                        &answer.access_token,
                    ),
                    refresh_token: self.keys.encrypt(user, Column::RefreshToken, new_refresh),
                    access_expires_at: now + answer.expires_in.as_secs() as i64,
                    scope: if answer.scope.is_empty() {
                        row.scope.clone()
                    } else {
                        answer.scope.clone()
                    },
                    updated_at: now,
                    ..row
                };
                lock.save(&updated).await?;
                tracing::info!(%user, "refreshed Spotify access token");
                Ok(answer.access_token)
            }
            Err(OAuthError::InvalidGrant(reason)) => {
                tracing::info!(%user, %reason, "Spotify refused the refresh token; login needed");
                lock.mark_needs_relogin(user).await?;
                Err(SpotifyError::NeedsRelogin.into())
            }
            Err(OAuthError::RateLimited { retry_after }) => {
                Err(SpotifyError::RateLimited { retry_after }.into())
            }
            Err(OAuthError::InvalidClient) => {
                tracing::error!(
                    "Spotify refused the client id/secret: check SPOTIFY_CLIENT_SECRET"
                );
                Err(SpotifyError::Unavailable.into())
            }
            Err(err) => {
                tracing::warn!(%user, error = %err, "token refresh failed");
                Err(SpotifyError::Unavailable.into())
            }
        }
    }

    /// Decrypts one column. A token that cannot be decrypted (e.g. its key was removed from
    /// the configuration) is as good as none: the caller asks the user to log in again.
    fn decrypt(&self, row: &StoredTokens, column: Column) -> Option<Secret> {
        let stored = match column {
            Column::AccessToken => &row.access_token,
            Column::RefreshToken => &row.refresh_token,
        };
        self.keys
            .decrypt(row.user_id, column, stored)
            .inspect_err(|err| {
                tracing::warn!(user = %row.user_id, error = %err, "stored Spotify token unreadable");
            })
            .ok()
    }
}
