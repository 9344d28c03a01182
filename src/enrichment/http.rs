//! What the three clients share: the HTTP client (User-Agent, timeouts), URL building, and how
//! an answer becomes an [`OpenError`].

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{StatusCode, Url};

/// How long to wait for a connection to an open service.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest `Retry-After` honoured as given; longer ones are capped (the pause is kept in
/// the database and the panels say when it ends).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(6 * 3600);

/// Why a request to an open service brought nothing usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// `429` (or Last.fm's error 29): slow down, for `Retry-After` when given.
    #[error("rate-limited")]
    RateLimited(Option<Duration>),
    /// `5xx`, or no connection.
    #[error("unavailable")]
    Unavailable(Option<Duration>),
    /// No answer in time.
    #[error("too slow")]
    Slow,
    /// `401`: a token is needed, or the one sent was refused.
    #[error("unauthorized")]
    Unauthorized,
    /// The API key was refused (Last.fm).
    #[error("API key refused")]
    KeyRefused,
    /// Anything else: a request the service rejects or an answer Euterpe can't read. Not
    /// worth repeating soon.
    #[error("bad response: {0}")]
    BadResponse(String),
}

/// The HTTP client of the open services: every request names Euterpe, its version and the
/// operator's contact (MusicBrainz requires a meaningful User-Agent), and gives up after
/// `timeout`.
pub fn client(user_agent: &str, timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .timeout(timeout)
        .user_agent(user_agent)
        .build()
        .expect("the TLS backend initialises")
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `base` + `path` + `?query` (already encoded).
pub fn url(base: &Url, path: &str, query: &str) -> Url {
    let mut text = format!("{}{path}", base.as_str().trim_end_matches('/'));
    if !query.is_empty() {
        text.push('?');
        text.push_str(query);
    }
    Url::parse(&text).expect("a base URL with a path and an encoded query is a URL")
}

/// `Retry-After` in seconds, if readable.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(|secs| Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

/// A failed send: a timeout, or no connection.
pub fn send_error(err: &reqwest::Error) -> OpenError {
    if err.is_timeout() {
        OpenError::Slow
    } else {
        OpenError::Unavailable(None)
    }
}

/// The error of a non-success status (callers handle the statuses that mean an answer, such
/// as MusicBrainz's `404`, first).
pub fn status_error(status: StatusCode, headers: &HeaderMap, what: &str) -> OpenError {
    match status {
        StatusCode::TOO_MANY_REQUESTS => OpenError::RateLimited(retry_after(headers)),
        StatusCode::UNAUTHORIZED => OpenError::Unauthorized,
        status if status.is_server_error() => OpenError::Unavailable(retry_after(headers)),
        status => OpenError::BadResponse(format!("{what}: HTTP {}", status.as_u16())),
    }
}

/// Reads a successful answer's JSON.
pub async fn json<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
    what: &str,
) -> Result<T, OpenError> {
    let bytes = response.bytes().await.map_err(|err| send_error(&err))?;
    serde_json::from_slice(&bytes).map_err(|err| OpenError::BadResponse(format!("{what}: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_the_base_path_and_encoded_query() {
        let base = Url::parse("https://musicbrainz.org/ws/2/").unwrap();
        let built = url(
            &base,
            "/url",
            &format!(
                "resource={}&inc=artist-rels",
                encode("https://open.spotify.com/artist/x")
            ),
        );
        assert_eq!(
            built.as_str(),
            "https://musicbrainz.org/ws/2/url?resource=https%3A%2F%2Fopen.spotify.com%2Fartist%2Fx&inc=artist-rels"
        );
        assert_eq!(encode("a b&\"é"), "a%20b%26%22%C3%A9");
    }

    #[test]
    fn statuses_become_errors() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(
            status_error(StatusCode::TOO_MANY_REQUESTS, &headers, "x"),
            OpenError::RateLimited(Some(Duration::from_secs(7)))
        );
        assert_eq!(
            status_error(StatusCode::SERVICE_UNAVAILABLE, &headers, "x"),
            OpenError::Unavailable(Some(Duration::from_secs(7)))
        );
        assert_eq!(
            status_error(StatusCode::UNAUTHORIZED, &HeaderMap::new(), "x"),
            OpenError::Unauthorized
        );
        assert!(matches!(
            status_error(StatusCode::BAD_REQUEST, &HeaderMap::new(), "x"),
            OpenError::BadResponse(_)
        ));
    }
}
