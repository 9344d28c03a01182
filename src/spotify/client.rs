//! The HTTP client of Spotify's Web API: base URL from configuration, timeouts, and each failure
//! turned into a [`SpotifyError`] that says what the user should be told.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{StatusCode, Url};
use serde::de::DeserializeOwned;

use super::SpotifyError;
use crate::crypto::Secret;

/// How long to wait for a TCP/TLS connection to Spotify.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one request to Spotify may take in all.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Spotify's `Retry-After` when it sends none we can read.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(30);
/// The longest pause honoured as given (Spotify has been seen to ask for 20 hours). A larger
/// value is a broken header, and unbounded it would overflow the clock arithmetic of the pause.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// An HTTP client for calls to Spotify (no redirects: a token must never follow one elsewhere).
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Euterpe/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the TLS backend initialises")
}

/// Reads `Retry-After` (seconds) from a response, with a cautious default, between 1 s and
/// [`MAX_RETRY_AFTER`].
pub fn retry_after(headers: &HeaderMap) -> Duration {
    headers
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_RETRY_AFTER)
        .clamp(Duration::from_secs(1), MAX_RETRY_AFTER)
}

/// The Web API client: one per process, shared by every user.
#[derive(Clone, Debug)]
pub struct SpotifyClient {
    http: reqwest::Client,
    api: Url,
}

impl SpotifyClient {
    /// A client for the API at `api` (e.g. `https://api.spotify.com/v1`).
    pub fn new(http: reqwest::Client, api: Url) -> Self {
        Self { http, api }
    }

    /// The URL of `path` (e.g. `/me/top/tracks`) under the API base, with a query.
    fn url(&self, path: &str, query: &[(&str, String)]) -> Url {
        let mut url = Url::parse(&format!(
            "{}{path}",
            self.api.as_str().trim_end_matches('/')
        ))
        .expect("API paths are valid URL paths");
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        url
    }

    /// GETs `path` with the user's access token and parses the JSON answer. A 5xx or a dropped
    /// connection is retried once; a 401 is returned as [`SpotifyError::Unauthorized`] for the
    /// caller to refresh the token.
    pub async fn get<T: DeserializeOwned>(
        &self,
        token: &Secret,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, SpotifyError> {
        let url = self.url(path, query);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let retry = attempt < 2;
            let response = match self
                .http
                .get(url.clone())
                .bearer_auth(token.expose())
                .send()
                .await
            {
                Ok(response) => response,
                Err(err) if err.is_timeout() => return Err(SpotifyError::Timeout),
                Err(_) if retry => continue,
                Err(_) => return Err(SpotifyError::Unavailable),
            };
            let status = response.status();
            if status.is_success() {
                let bytes = response
                    .bytes()
                    .await
                    .map_err(|_| SpotifyError::Unavailable)?;
                return serde_json::from_slice(&bytes)
                    .map_err(|err| SpotifyError::BadResponse(format!("{path}: {err}")));
            }
            match status {
                StatusCode::TOO_MANY_REQUESTS => {
                    return Err(SpotifyError::RateLimited {
                        retry_after: retry_after(response.headers()),
                    });
                }
                StatusCode::UNAUTHORIZED => return Err(SpotifyError::Unauthorized),
                StatusCode::FORBIDDEN => {
                    let message = error_message(response).await;
                    return Err(if not_allow_listed(&message) {
                        SpotifyError::NotAllowListed
                    } else {
                        SpotifyError::Forbidden(message)
                    });
                }
                StatusCode::NOT_FOUND => return Err(SpotifyError::NotFound),
                status if status.is_server_error() && retry => {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                status if status.is_server_error() => return Err(SpotifyError::Unavailable),
                status => {
                    return Err(SpotifyError::BadResponse(format!(
                        "{path}: HTTP {}",
                        status.as_u16()
                    )));
                }
            }
        }
    }
}

/// Whether a 403's message is Spotify's "this user is not on the app's allow-list" (worded
/// "User not registered in the Developer Dashboard"; older apps have seen "not approved").
fn not_allow_listed(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    message.contains("not registered") || message.contains("not approved")
}

/// The message of a Spotify error body: `error.message` of the JSON form, or the text itself
/// (Spotify sends some errors, the allow-list one among them, as plain text).
async fn error_message(response: reqwest::Response) -> String {
    #[derive(serde::Deserialize)]
    struct Body {
        error: Detail,
    }
    #[derive(serde::Deserialize)]
    struct Detail {
        #[serde(default)]
        message: String,
    }
    let bytes = response.bytes().await.unwrap_or_default();
    serde_json::from_slice::<Body>(&bytes)
        .map(|body| body.error.message)
        .unwrap_or_else(|_| {
            // Kept short: it ends up in logs and panel notes.
            String::from_utf8_lossy(&bytes)
                .trim()
                .chars()
                .take(200)
                .collect()
        })
}
