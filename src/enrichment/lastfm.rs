//! Last.fm (`/2.0`, `format=json`): a track's listener count from `track.getInfo`, asked only
//! when the operator set `LASTFM_API_KEY`. Last.fm reports errors as `{"error": N, "message"}`,
//! often with `200 OK`.

use reqwest::Url;
use serde::Deserialize;

use super::http::{self, OpenError};
use crate::crypto::Secret;

/// The Last.fm client.
#[derive(Clone, Debug)]
pub struct LastFm {
    http: reqwest::Client,
    base: Url,
    key: Secret,
}

#[derive(Deserialize)]
struct Answer {
    error: Option<u32>,
    message: Option<String>,
    track: Option<TrackInfo>,
}

#[derive(Deserialize)]
struct TrackInfo {
    /// A number written as a string.
    listeners: Option<serde_json::Value>,
}

impl LastFm {
    pub fn new(http: reqwest::Client, base: Url, key: Secret) -> Self {
        Self { http, base, key }
    }

    /// How many Last.fm users listened to a track; `None` when Last.fm doesn't know it.
    pub async fn track_listeners(
        &self,
        artist: &str,
        track: &str,
    ) -> Result<Option<u64>, OpenError> {
        let query = format!(
            "method=track.getInfo&api_key={}&artist={}&track={}&autocorrect=1&format=json",
            http::encode(self.key.expose()),
            http::encode(artist),
            http::encode(track)
        );
        let url = http::url(&self.base, "/", &query);
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|err| http::send_error(&err))?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .map_err(|err| http::send_error(&err))?;
        let answer: Option<Answer> = serde_json::from_slice(&bytes).ok();
        if let Some(Answer {
            error: Some(code),
            message,
            ..
        }) = &answer
        {
            return match code {
                // "Track not found" arrives as error 6 (invalid parameters).
                6 | 7 => Ok(None),
                4 | 10 | 26 => Err(OpenError::KeyRefused),
                29 => Err(OpenError::RateLimited(http::retry_after(&headers))),
                8 | 11 | 16 => Err(OpenError::Unavailable(http::retry_after(&headers))),
                code => Err(OpenError::BadResponse(format!(
                    "Last.fm error {code}: {}",
                    message.as_deref().unwrap_or("")
                ))),
            };
        }
        if !status.is_success() {
            return Err(http::status_error(
                status,
                &headers,
                "Last.fm track.getInfo",
            ));
        }
        let Some(info) = answer.and_then(|a| a.track) else {
            return Err(OpenError::BadResponse(
                "Last.fm track.getInfo: no track in the answer".into(),
            ));
        };
        let listeners = match info.listeners {
            Some(serde_json::Value::String(text)) => text.trim().parse::<u64>().ok(),
            Some(serde_json::Value::Number(number)) => number.as_u64(),
            _ => None,
        };
        Ok(listeners)
    }
}
