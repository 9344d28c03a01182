//! The Spotify app Euterpe logs in with: its credentials, the redirect URI Spotify matches
//! exactly, and the service's addresses.

use std::net::IpAddr;

use reqwest::Url;

use super::parse_url;
use crate::crypto::Secret;
use crate::domain::ConfigError;

/// Where the Spotify credentials and endpoints come from.
#[derive(Clone, Debug)]
pub struct SpotifyConfig {
    /// The app's client id (in demo mode, the fake's).
    pub client_id: String,
    /// The app's client secret. Never logged (`Debug` prints a redaction).
    pub client_secret: Secret,
    /// Registered redirect URI; Spotify matches it exactly.
    pub redirect_uri: Url,
    /// Accounts service base URL used for the token endpoint (server to server).
    pub accounts_url: Url,
    /// Accounts service base URL the *browser* is sent to for `/authorize`. Equal to
    /// `accounts_url` except for a public demo, whose fake runs on the server's loopback.
    pub authorize_url: Url,
    /// Web API base URL, e.g. `https://api.spotify.com/v1`.
    pub api_url: Url,
}

impl SpotifyConfig {
    /// Reads the app's credentials and addresses. `public_url` and `port` decide the default
    /// redirect URI: behind PUBLIC_URL the callback is there; locally, on the loopback address.
    pub(super) fn from_vars<'v>(
        get: &dyn Fn(&str) -> Option<&'v str>,
        public_url: Option<&Url>,
        port: u16,
    ) -> Result<Self, ConfigError> {
        let client_id = get("SPOTIFY_CLIENT_ID").unwrap_or_default().to_owned();
        let client_secret = get("SPOTIFY_CLIENT_SECRET")
            .ok_or_else(|| {
                ConfigError(
                    "SPOTIFY_CLIENT_SECRET is not set: copy it from your app in the Spotify \
                     developer dashboard (or unset SPOTIFY_CLIENT_ID for demo mode)"
                        .into(),
                )
            })?
            .to_owned();
        // Behind PUBLIC_URL the callback is there; locally, on the loopback address.
        let default_redirect = match public_url {
            Some(public) => public
                .join("/callback")
                .expect("an origin joins a path")
                .to_string(),
            None => format!("http://127.0.0.1:{port}/callback"),
        };
        let redirect_uri = parse_url(
            get("SPOTIFY_REDIRECT_URI").unwrap_or(&default_redirect),
            "SPOTIFY_REDIRECT_URI",
        )?;
        if redirect_uri.host_str() == Some("localhost") {
            return Err(ConfigError(
                "SPOTIFY_REDIRECT_URI uses localhost, which Spotify refuses: use \
                 http://127.0.0.1:PORT/callback instead"
                    .into(),
            ));
        }
        let loopback = redirect_uri
            .host_str()
            .map(|host| host.trim_start_matches('[').trim_end_matches(']'))
            .and_then(|host| host.parse::<IpAddr>().ok())
            .is_some_and(|ip| ip.is_loopback());
        if redirect_uri.scheme() != "https" && !(redirect_uri.scheme() == "http" && loopback) {
            return Err(ConfigError(format!(
                "SPOTIFY_REDIRECT_URI must be https:// (Spotify accepts plain http only on \
                 127.0.0.1 or [::1]): got {redirect_uri}; set PUBLIC_URL to your https \
                 address, or SPOTIFY_REDIRECT_URI itself"
            )));
        }
        let accounts_url = parse_url(
            get("SPOTIFY_ACCOUNTS_URL").unwrap_or("https://accounts.spotify.com"),
            "SPOTIFY_ACCOUNTS_URL",
        )?;
        let api_url = parse_url(
            get("SPOTIFY_API_URL").unwrap_or("https://api.spotify.com/v1"),
            "SPOTIFY_API_URL",
        )?;
        Ok(Self {
            client_id,
            client_secret: Secret::new(client_secret),
            redirect_uri,
            authorize_url: accounts_url.clone(),
            accounts_url,
            api_url,
        })
    }
}
