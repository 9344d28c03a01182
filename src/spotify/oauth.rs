//! Spotify's accounts service: the authorization-code flow with PKCE, and token refresh.

use std::time::Duration;

use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    HttpRequest, HttpResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken,
    RequestTokenError, Scope, TokenResponse, TokenUrl,
};
use reqwest::Url;

use crate::config::SpotifyConfig;
use crate::crypto::Secret;

/// The scopes Euterpe asks for: what the panels and the history need, nothing more (no email).
pub const SCOPES: &[&str] = &[
    "user-read-private",
    "user-top-read",
    "user-read-recently-played",
    "playlist-read-private",
    "playlist-read-collaborative",
];

type ConfiguredClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The start of a login: where to send the browser, and what to remember until it comes back.
pub struct AuthorizeRequest {
    pub url: Url,
    pub state: String,
    pub pkce_verifier: Secret,
}

/// Tokens from the accounts service.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access_token: Secret,
    /// Absent from some refresh answers: then the old refresh token stays valid.
    pub refresh_token: Option<Secret>,
    pub expires_in: Duration,
    pub scope: String,
}

/// Why the accounts service did not give tokens.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OAuthError {
    /// The code or refresh token is not (or no longer) valid: the user must log in again.
    #[error("Spotify refused the grant: {0}")]
    InvalidGrant(String),
    /// Our client id or secret is wrong: an operator problem.
    #[error("Spotify refused Euterpe's client credentials")]
    InvalidClient,
    #[error("Spotify's accounts service is rate-limiting Euterpe")]
    RateLimited { retry_after: Duration },
    #[error("Spotify's accounts service is unavailable")]
    Unavailable,
    #[error("unexpected answer from Spotify's accounts service: {0}")]
    Unexpected(String),
}

/// The transport's verdict on one token request, before oauth2 parses the body.
#[derive(Debug, thiserror::Error)]
enum TransportError {
    #[error("rate limited")]
    RateLimited(Duration),
    #[error("unavailable")]
    Unavailable,
}

/// The OAuth client for one Spotify app.
#[derive(Clone)]
pub struct OAuth {
    client: ConfiguredClient,
    http: reqwest::Client,
}

impl OAuth {
    /// Builds the client from configuration; `http` must not follow redirects.
    pub fn new(config: &SpotifyConfig, http: reqwest::Client) -> Self {
        let base = |url: &Url, path: &str| format!("{}{path}", url.as_str().trim_end_matches('/'));
        let client = BasicClient::new(ClientId::new(config.client_id.clone()))
            .set_client_secret(ClientSecret::new(config.client_secret.expose().to_owned()))
            .set_auth_uri(
                AuthUrl::new(base(&config.authorize_url, "/authorize")).expect("valid base URL"),
            )
            .set_token_uri(
                TokenUrl::new(base(&config.accounts_url, "/api/token")).expect("valid base URL"),
            )
            .set_redirect_uri(
                RedirectUrl::new(config.redirect_uri.to_string()).expect("valid redirect URI"),
            );
        Self { client, http }
    }

    /// The same app with another authorize page and redirect URI: a demo's fake Spotify is
    /// reached under whatever origin the browser used (a review app's host name is new each
    /// time). `authorize_base` is the accounts service's base, like the configuration's.
    pub fn at_origin(&self, authorize_base: &Url, redirect_uri: &Url) -> Self {
        let authorize = format!(
            "{}/authorize",
            authorize_base.as_str().trim_end_matches('/')
        );
        Self {
            client: self
                .client
                .clone()
                .set_auth_uri(AuthUrl::new(authorize).expect("a URL plus a path is a URL"))
                .set_redirect_uri(RedirectUrl::from_url(redirect_uri.clone())),
            http: self.http.clone(),
        }
    }

    /// A fresh authorization request with a random `state` and a PKCE S256 challenge.
    pub fn authorize(&self) -> AuthorizeRequest {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = self
            .client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(SCOPES.iter().map(|scope| Scope::new((*scope).to_owned())))
            .set_pkce_challenge(challenge)
            .url();
        AuthorizeRequest {
            url,
            state: state.secret().clone(),
            pkce_verifier: Secret::new(verifier.secret().clone()),
        }
    }

    /// Exchanges the code the browser brought back for tokens.
    pub async fn exchange_code(
        &self,
        code: &str,
        pkce_verifier: &Secret,
    ) -> Result<TokenSet, OAuthError> {
        let http = TokenHttp(&self.http);
        let response = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.expose().to_owned()))
            .request_async(&http)
            .await;
        response.map(token_set).map_err(classify)
    }

    /// Gets a new access token with the refresh token.
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<TokenSet, OAuthError> {
        let http = TokenHttp(&self.http);
        let token = RefreshToken::new(refresh_token.expose().to_owned());
        let response = self
            .client
            .exchange_refresh_token(&token)
            .request_async(&http)
            .await;
        response.map(token_set).map_err(classify)
    }
}

/// The HTTP transport of token requests: turns 429 and 5xx into errors that keep their meaning
/// (oauth2's own reqwest transport would report them only as unparsable bodies).
struct TokenHttp<'a>(&'a reqwest::Client);

impl<'c> oauth2::AsyncHttpClient<'c> for TokenHttp<'_> {
    type Error = TransportError;
    type Future =
        std::pin::Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let url =
                Url::parse(&parts.uri.to_string()).map_err(|_| TransportError::Unavailable)?;
            let response = self
                .0
                .request(parts.method, url)
                .headers(parts.headers)
                .body(body)
                .send()
                .await
                .map_err(|_| TransportError::Unavailable)?;
            let status = response.status();
            if status.as_u16() == 429 {
                return Err(TransportError::RateLimited(super::client::retry_after(
                    response.headers(),
                )));
            }
            if status.is_server_error() {
                return Err(TransportError::Unavailable);
            }
            let mut builder = oauth2::http::Response::builder().status(status);
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let bytes = response
                .bytes()
                .await
                .map_err(|_| TransportError::Unavailable)?;
            builder
                .body(bytes.to_vec())
                .map_err(|_| TransportError::Unavailable)
        })
    }
}

fn token_set(response: oauth2::basic::BasicTokenResponse) -> TokenSet {
    TokenSet {
        access_token: Secret::new(response.access_token().secret().clone()),
        refresh_token: response
            .refresh_token()
            .map(|token| Secret::new(token.secret().clone())),
        expires_in: response.expires_in().unwrap_or(Duration::from_secs(3600)),
        scope: response
            .scopes()
            .map(|scopes| {
                scopes
                    .iter()
                    .map(|scope| scope.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default(),
    }
}

fn classify(
    error: RequestTokenError<TransportError, oauth2::basic::BasicErrorResponse>,
) -> OAuthError {
    match error {
        RequestTokenError::ServerResponse(response) => match response.error() {
            BasicErrorResponseType::InvalidGrant => OAuthError::InvalidGrant(
                response
                    .error_description()
                    .cloned()
                    .unwrap_or_else(|| "invalid_grant".into()),
            ),
            BasicErrorResponseType::InvalidClient | BasicErrorResponseType::UnauthorizedClient => {
                OAuthError::InvalidClient
            }
            other => OAuthError::Unexpected(other.to_string()),
        },
        RequestTokenError::Request(TransportError::RateLimited(retry_after)) => {
            OAuthError::RateLimited { retry_after }
        }
        RequestTokenError::Request(TransportError::Unavailable) => OAuthError::Unavailable,
        // Bodies are not echoed: they may hold tokens.
        RequestTokenError::Parse(_, _) => OAuthError::Unexpected("unreadable token answer".into()),
        RequestTokenError::Other(message) => OAuthError::Unexpected(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SpotifyConfig {
        SpotifyConfig {
            client_id: "cid".into(),
            client_secret: crate::crypto::Secret::new("secret"),
            redirect_uri: Url::parse("http://127.0.0.1:8080/callback").unwrap(),
            accounts_url: Url::parse("https://accounts.spotify.com").unwrap(),
            authorize_url: Url::parse("https://accounts.spotify.com").unwrap(),
            api_url: Url::parse("https://api.spotify.com/v1").unwrap(),
        }
    }

    #[test]
    fn authorize_url_carries_state_pkce_and_scopes() {
        let oauth = OAuth::new(&config(), reqwest::Client::new());
        let request = oauth.authorize();
        let url = request.url;
        assert_eq!(
            url.origin().ascii_serialization(),
            "https://accounts.spotify.com"
        );
        assert_eq!(url.path(), "/authorize");
        let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(query["client_id"], "cid");
        assert_eq!(query["response_type"], "code");
        assert_eq!(query["redirect_uri"], "http://127.0.0.1:8080/callback");
        assert_eq!(query["state"], request.state);
        assert_eq!(query["code_challenge_method"], "S256");
        assert_eq!(query["scope"], SCOPES.join(" "));
        assert!(request.state.len() >= 16);
        assert_ne!(query["code_challenge"], request.pkce_verifier.expose());
        assert!(!url.as_str().contains("secret"));
    }

    #[test]
    fn recorded_token_answers_parse() {
        for (file, has_refresh) in [
            (
                include_str!("../../tests/fixtures/spotify/token/authorization_code_exchange.json"),
                true,
            ),
            (
                include_str!(
                    "../../tests/fixtures/spotify/token/refresh_confidential_no_new_refresh_token.json"
                ),
                false,
            ),
            (
                include_str!(
                    "../../tests/fixtures/spotify/token/refresh_pkce_rotated_refresh_token.json"
                ),
                true,
            ),
        ] {
            let response: oauth2::basic::BasicTokenResponse = serde_json::from_str(file).unwrap();
            let set = token_set(response);
            assert_eq!(set.expires_in, Duration::from_secs(3600));
            assert_eq!(set.refresh_token.is_some(), has_refresh);
            assert!(!set.access_token.expose().is_empty());
            assert!(!set.scope.is_empty());
        }
    }
}
