//! The ListenBrainz API (`/1`): total listen counts of recordings (`POST /popularity/recording`,
//! in batches) and the metadata look-up that finds a recording by artist and track name. The
//! token, when configured, goes in `Authorization: Token …`; the answer's `X-RateLimit-*`
//! headers tell the queue when to hold back.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::HeaderMap;
use serde::Deserialize;

use super::http::{self, OpenError};
use crate::crypto::Secret;

/// Recording MBIDs per popularity request (ListenBrainz takes up to 1000).
pub const POPULARITY_BATCH: usize = 100;

/// What the answer's rate-limit headers said.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quota {
    /// Requests left in the current window.
    pub remaining: Option<u64>,
    /// When the window resets.
    pub reset_in: Option<Duration>,
}

impl Quota {
    fn read(headers: &HeaderMap) -> Self {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        Self {
            remaining: number("x-ratelimit-remaining"),
            reset_in: number("x-ratelimit-reset-in").map(Duration::from_secs),
        }
    }

    /// How long to hold back before the next request, when the window is used up.
    pub fn exhausted_for(&self) -> Option<Duration> {
        (self.remaining == Some(0)).then(|| self.reset_in.unwrap_or(Duration::from_secs(10)))
    }
}

/// The ListenBrainz client.
#[derive(Clone, Debug)]
pub struct ListenBrainz {
    http: reqwest::Client,
    base: Url,
    token: Option<Secret>,
}

#[derive(Deserialize)]
struct PopularityRow {
    recording_mbid: String,
    total_listen_count: Option<u64>,
}

#[derive(Deserialize)]
struct LookupAnswer {
    recording_mbid: Option<String>,
}

impl ListenBrainz {
    pub fn new(http: reqwest::Client, base: Url, token: Option<Secret>) -> Self {
        Self { http, base, token }
    }

    /// Whether a token is configured.
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(token) => request.header(
                reqwest::header::AUTHORIZATION,
                format!("Token {}", token.expose()),
            ),
            None => request,
        }
    }

    /// Sends a request (with the token, when there is one) and reads the quota it reports;
    /// an answer other than success becomes the error it stands for.
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<(reqwest::Response, Quota), OpenError> {
        let response = self
            .authorized(request)
            .send()
            .await
            .map_err(|err| http::send_error(&err))?;
        let quota = Quota::read(response.headers());
        let status = response.status();
        if !status.is_success() {
            return Err(http::status_error(status, response.headers(), what));
        }
        Ok((response, quota))
    }

    /// Total listen counts of recordings (at most [`POPULARITY_BATCH`]): `None` for those
    /// ListenBrainz has no count for.
    pub async fn popularity(
        &self,
        mbids: &[String],
    ) -> Result<(HashMap<String, Option<u64>>, Quota), OpenError> {
        let url = http::url(&self.base, "/popularity/recording", "");
        let request = self
            .http
            .post(url)
            .json(&serde_json::json!({ "recording_mbids": mbids }));
        let (response, quota) = self.send(request, "ListenBrainz popularity").await?;
        let rows: Vec<PopularityRow> = http::json(response, "ListenBrainz popularity").await?;
        Ok((
            rows.into_iter()
                .map(|row| (row.recording_mbid, row.total_listen_count))
                .collect(),
            quota,
        ))
    }

    /// The recording ListenBrainz matches to an artist and track name, if any.
    pub async fn lookup(
        &self,
        artist: &str,
        track: &str,
    ) -> Result<(Option<String>, Quota), OpenError> {
        let query = format!(
            "artist_name={}&recording_name={}",
            http::encode(artist),
            http::encode(track)
        );
        let url = http::url(&self.base, "/metadata/lookup/", &query);
        let (response, quota) = self
            .send(self.http.get(url), "ListenBrainz metadata look-up")
            .await?;
        // No match is `{}`.
        let answer: LookupAnswer = http::json(response, "ListenBrainz metadata look-up").await?;
        Ok((answer.recording_mbid.filter(|m| !m.is_empty()), quota))
    }
}
