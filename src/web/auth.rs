//! Logging in with Spotify (authorization code + PKCE) and logging out.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::forwarded::Forwarded;
use super::session::AppSession;
use crate::error::{AppError, LoginError};
use crate::spotify::models::CurrentUser as SpotifyUser;
use crate::spotify::oauth::{OAuth, OAuthError};
use crate::spotify::{FetchError, SpotifyError};
use crate::state::AppState;
use crate::store::NewUser;
use crate::worker::retention;

/// `GET /login`: remember a fresh `state` and PKCE verifier in this browser's session, then send
/// the browser to Spotify's consent page.
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    forwarded: Forwarded,
    session: AppSession,
) -> Result<Response, AppError> {
    let request = oauth_for(&state, &headers, forwarded).authorize();
    session
        .begin_login(&request.state, &request.pkce_verifier, state.clock.unix())
        .await?;
    Ok((
        StatusCode::FOUND,
        [(header::LOCATION, request.url.as_str())],
    )
        .into_response())
}

/// The OAuth client for this request. A demo without `PUBLIC_URL` (a review app, whose host
/// name is new each time) sends the browser to the fake's pages and back under the origin the
/// browser used; everything else uses the configured endpoints and redirect URI.
fn oauth_for(state: &AppState, headers: &HeaderMap, forwarded: Forwarded) -> OAuth {
    if state.demo.is_none() || state.config.public_url.is_some() {
        return state.oauth().clone();
    }
    let Some(origin) = reqwest::Url::parse(&super::origin(state, headers, forwarded))
        .ok()
        .filter(|url| url.path() == "/" && url.username().is_empty() && url.query().is_none())
    else {
        return state.oauth().clone();
    };
    let authorize = origin
        .join(super::DEMO_SPOTIFY_PREFIX)
        .expect("an origin joins a path");
    let redirect = origin.join("/callback").expect("an origin joins a path");
    state.oauth().at_origin(&authorize, &redirect)
}

/// What Spotify appends to the redirect URI.
#[derive(Deserialize)]
pub struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /callback`: check `state`, exchange the code, identify the user, store their tokens
/// encrypted, and start a new session for them.
pub async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    forwarded: Forwarded,
    session: AppSession,
    Query(params): Query<CallbackParams>,
) -> Result<Response, AppError> {
    let now = state.clock.unix();
    let returned_state = params
        .state
        .ok_or(AppError::Login(LoginError::MissingState))?;
    let verifier = session.take_login(&returned_state, now).await?;
    if let Some(error) = params.error {
        return Err(AppError::Login(if error == "access_denied" {
            LoginError::Denied
        } else {
            LoginError::Provider(error)
        }));
    }
    let code = params
        .code
        .ok_or(AppError::Login(LoginError::MissingCode))?;

    let tokens = oauth_for(&state, &headers, forwarded)
        .exchange_code(&code, &verifier)
        .await
        .map_err(|err| {
            AppError::Login(match err {
                OAuthError::InvalidGrant(_) => LoginError::CodeRejected,
                OAuthError::RateLimited { retry_after } => LoginError::RateLimited(retry_after),
                OAuthError::InvalidClient => {
                    tracing::error!(
                        "Spotify refused the client id/secret: check the configuration"
                    );
                    LoginError::SpotifyUnavailable
                }
                OAuthError::Unavailable | OAuthError::Unexpected(_) => {
                    LoginError::SpotifyUnavailable
                }
            })
        })?;

    let me = state
        .spotify
        .client()
        .get::<SpotifyUser>(&tokens.access_token, "/me", &[])
        .await
        .map_err(|err| {
            AppError::Login(match err {
                SpotifyError::NotAllowListed => LoginError::NotAllowListed,
                SpotifyError::RateLimited { retry_after } => LoginError::RateLimited(retry_after),
                _ => LoginError::SpotifyUnavailable,
            })
        })?;

    // An owner back after a long absence hears how close deletion came (RETENTION_INACTIVE_DAYS).
    let returning = state.store.user_by_account(me.stable_id()).await?;
    let warning = returning.and_then(|old| {
        retention::warning(state.config.retention_inactive_days, old.last_seen_at, now)
    });
    let user = state
        .store
        .upsert_user(
            &NewUser {
                spotify_account_id: me.stable_id().to_owned(),
                spotify_id: me.id.clone(),
                display_name: me.display_name.clone(),
                email: me.email.clone(),
            },
            now,
        )
        .await?;
    state.users.forget(user.id);
    state
        .spotify
        .tokens()
        .save_login(user.id, &tokens)
        .await
        .map_err(|err| match err {
            FetchError::Database(err) => AppError::Database(err),
            FetchError::Spotify(_) => AppError::Login(LoginError::SpotifyUnavailable),
        })?;
    let session_id = session.log_in(user.id, now).await?;
    if let Some(warning) = warning {
        session
            .set_flash(retention::FLASH, &warning.to_flash())
            .await?;
    }
    state.store.link_session(&session_id, user.id, now).await?;
    tracing::info!(user = %user.id, "logged in");
    Ok(Redirect::to("/").into_response())
}

/// The logout form.
#[derive(Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /logout`: end the session on the server. Refused without this session's form token or
/// when the browser says the form came from another site.
pub async fn logout(
    headers: HeaderMap,
    session: AppSession,
    Form(form): Form<LogoutForm>,
) -> Result<Response, AppError> {
    super::csrf::verify(&headers, &session, &form.csrf).await?;
    session.log_out().await?;
    Ok(Redirect::to("/?logged_out=1").into_response())
}
