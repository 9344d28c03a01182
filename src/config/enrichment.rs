//! Where genres and popularity come from when Spotify doesn't send them, and how politely.

use std::time::Duration;

use reqwest::Url;

use super::{parse_number, parse_url};
use crate::crypto::Secret;
use crate::domain::ConfigError;

/// Where genres and popularity come from when Spotify doesn't send them (development mode), and
/// how politely they are fetched.
#[derive(Clone, Debug)]
pub struct EnrichmentConfig {
    /// `ENRICHMENT=0` turns open-data look-ups off.
    pub enabled: bool,
    /// MusicBrainz web service, e.g. `https://musicbrainz.org/ws/2`.
    pub musicbrainz_url: Url,
    /// ListenBrainz API, e.g. `https://api.listenbrainz.org/1`.
    pub listenbrainz_url: Url,
    /// Last.fm API, e.g. `https://ws.audioscrobbler.com/2.0`.
    pub lastfm_url: Url,
    /// Last.fm is asked only with a key.
    pub lastfm_api_key: Option<Secret>,
    /// Sent to ListenBrainz when set (some deployments answer 401 without one).
    pub listenbrainz_token: Option<Secret>,
    /// The contact MusicBrainz's User-Agent carries (a URL or an email address).
    pub contact: String,
    /// Least time between two requests to MusicBrainz (its rule: one per second).
    pub musicbrainz_interval: Duration,
    /// Least time between two requests to ListenBrainz.
    pub listenbrainz_interval: Duration,
    /// Least time between two requests to Last.fm (its rule: five per second at most).
    pub lastfm_interval: Duration,
    /// How long one request to an open service may take.
    pub timeout: Duration,
    /// `true` when the base URLs and paces were left at their defaults (demo mode then uses
    /// its built-in fakes of the three services).
    pub defaults: bool,
}

/// The project's address, MusicBrainz's default contact.
pub const PROJECT_URL: &str = "https://github.com/euterpe-dashboard/euterpe";

/// MusicBrainz allows one request per second; 1.1 s leaves room for network jitter, so two
/// requests never arrive within one second.
pub const DEFAULT_MUSICBRAINZ_INTERVAL_MS: u64 = 1100;

/// ListenBrainz publishes its quota in `X-RateLimit-*` headers (which Euterpe follows); five
/// requests a second keeps well inside it.
pub const DEFAULT_LISTENBRAINZ_INTERVAL_MS: u64 = 200;

/// Last.fm asks for no more than five requests a second, averaged over five minutes.
pub const DEFAULT_LASTFM_INTERVAL_MS: u64 = 250;

impl EnrichmentConfig {
    /// The User-Agent every open service sees: names Euterpe, its version and a contact, as
    /// MusicBrainz requires.
    pub fn user_agent(&self) -> String {
        format!("Euterpe/{} ( {} )", env!("CARGO_PKG_VERSION"), self.contact)
    }

    pub(super) fn from_vars<'v>(
        get: &dyn Fn(&str) -> Option<&'v str>,
    ) -> Result<Self, ConfigError> {
        let enabled = !matches!(get("ENRICHMENT"), Some("0" | "false" | "off" | "no"));
        let url = |name: &str, default: &str| parse_url(get(name).unwrap_or(default), name);
        let millis = |name: &str, default: u64| -> Result<Duration, ConfigError> {
            Ok(Duration::from_millis(parse_number(
                get(name),
                name,
                default,
            )?))
        };
        let names = [
            "MUSICBRAINZ_URL",
            "LISTENBRAINZ_URL",
            "LASTFM_URL",
            "MUSICBRAINZ_INTERVAL_MS",
            "LISTENBRAINZ_INTERVAL_MS",
            "LASTFM_INTERVAL_MS",
        ];
        let contact = get("MUSICBRAINZ_CONTACT").unwrap_or(PROJECT_URL).to_owned();
        if contact.contains(['(', ')', '\n', '\r']) {
            return Err(ConfigError(
                "MUSICBRAINZ_CONTACT must be one line without parentheses: a URL or an email address"
                    .into(),
            ));
        }
        Ok(Self {
            enabled,
            musicbrainz_url: url("MUSICBRAINZ_URL", "https://musicbrainz.org/ws/2")?,
            listenbrainz_url: url("LISTENBRAINZ_URL", "https://api.listenbrainz.org/1")?,
            lastfm_url: url("LASTFM_URL", "https://ws.audioscrobbler.com/2.0")?,
            lastfm_api_key: get("LASTFM_API_KEY").map(Secret::new),
            listenbrainz_token: get("LISTENBRAINZ_TOKEN").map(Secret::new),
            contact,
            musicbrainz_interval: millis(
                "MUSICBRAINZ_INTERVAL_MS",
                DEFAULT_MUSICBRAINZ_INTERVAL_MS,
            )?,
            listenbrainz_interval: millis(
                "LISTENBRAINZ_INTERVAL_MS",
                DEFAULT_LISTENBRAINZ_INTERVAL_MS,
            )?,
            lastfm_interval: millis("LASTFM_INTERVAL_MS", DEFAULT_LASTFM_INTERVAL_MS)?,
            timeout: Duration::from_millis(parse_number(
                get("ENRICHMENT_TIMEOUT_MS"),
                "ENRICHMENT_TIMEOUT_MS",
                10_000,
            )?),
            defaults: names.iter().all(|name| get(name).is_none()),
        })
    }
}
