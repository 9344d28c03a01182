//! Configuration from the environment (and, locally, a `.env` file), turned into typed values.
//!
//! Every problem is reported as one line that names the variable and says how to fix it, so a
//! misconfigured deploy fails at start with a readable message instead of at the first request.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::Url;

use crate::crypto::{KeyRing, Secret};

pub mod network;
pub use network::{SiteOrigin, TrustedProxies};

pub use crate::domain::ConfigError;

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

/// How the process should behave about secrets it cannot find.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    /// A laptop or a self-hosted box: missing keys are generated and kept in a local file.
    Local,
    /// Heroku (`DYNO` set) or `EUTERPE_ENV=production`: missing secrets are errors.
    Production,
}

/// Everything Euterpe reads from its environment.
#[derive(Clone, Debug)]
pub struct Config {
    pub host: IpAddr,
    pub port: u16,
    /// `sqlite://…` or `postgres://…` (it may hold the database's password: redacted in
    /// `Debug`).
    pub database_url: Secret,
    /// Upper bound of the database pool of this process.
    pub db_pool_max: u32,
    /// `None` in demo mode until the fake Spotify has started and filled it in.
    pub spotify: Option<SpotifyConfig>,
    /// Demo mode: the built-in fake Spotify serves every Spotify call.
    pub demo: bool,
    /// Token-encryption keys, newest first. `None` when the key must still be generated.
    pub keys: Option<KeyRing>,
    /// The external origin, e.g. `https://euterpe.example.com`.
    pub public_url: Option<Url>,
    pub environment: Environment,
    /// How long a cached Spotify response is served before it is fetched again.
    pub cache_ttl: Duration,
    /// Requests still running after this are answered with an error page (Heroku cuts at 30 s).
    pub request_timeout: Duration,
    /// Where a locally generated token key is kept.
    pub key_file: PathBuf,
    /// Optional Sentry DSN (validated at start; its key is redacted in `Debug`).
    pub sentry_dsn: Option<Secret>,
    /// The environment Sentry files events under (`SENTRY_ENVIRONMENT`).
    pub sentry_environment: String,
    /// The release Sentry files events under: the deployed commit when Heroku says it.
    pub release: String,
    /// Heroku's dyno name (`DYNO`), when running on Heroku.
    pub dyno: Option<String>,
    /// Who may set `X-Forwarded-For`/`-Proto` (`TRUSTED_PROXIES`, see [`network`]).
    pub trusted_proxies: TrustedProxies,
    /// Demo mode only: extra latency of every fake Spotify Web API answer (a rehearsal knob).
    pub demo_latency: Option<Duration>,
    /// Listening history: poll interval, import limits.
    pub history: crate::history::config::HistoryConfig,
    /// Accounts nobody logged in to or visited for this many days are deleted (`None`: kept
    /// forever).
    pub retention_inactive_days: Option<u32>,
    /// Genres and popularity from open music data (MusicBrainz, ListenBrainz, Last.fm).
    pub enrichment: EnrichmentConfig,
    /// Connection deadlines and bound (`MAX_CONNECTIONS`; see [`crate::server`]).
    pub server: crate::server::ServerConfig,
}

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

    fn from_vars<'v>(get: &dyn Fn(&str) -> Option<&'v str>) -> Result<Self, ConfigError> {
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

/// The default SQLite database: a file in the working directory, created on first use.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://euterpe.db?mode=rwc";
pub use crate::store::DEFAULT_DB_POOL_MAX;

impl Config {
    /// Reads the process environment, after loading `.env` (if any) for unset variables.
    pub fn from_env() -> Result<Self, ConfigError> {
        load_dotenv(Path::new(".env"));
        let vars: HashMap<String, String> = std::env::vars().collect();
        Self::from_vars(&vars)
    }

    /// Builds the configuration from a map of variables (the environment, or a test's map).
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            vars.get(name)
                .map(|value| value.trim())
                .filter(|value| !value.is_empty())
        };

        let port = match get("PORT") {
            None => 8080,
            Some(value) => value.parse::<u16>().map_err(|_| {
                ConfigError(format!(
                    "PORT is not a valid port number ({value:?}): use a number from 1 to 65535"
                ))
            })?,
        };
        let host = match get("HOST") {
            None => IpAddr::from([127, 0, 0, 1]),
            Some(value) => value.parse().map_err(|_| {
                ConfigError(format!(
                    "HOST is not an IP address ({value:?}): use e.g. 127.0.0.1 or 0.0.0.0"
                ))
            })?,
        };
        let database_url = get("DATABASE_URL")
            .unwrap_or(DEFAULT_DATABASE_URL)
            .to_owned();
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError(
                "DATABASE_URL must start with sqlite:, postgres:// or postgresql:// \
                 (unset it to use a local SQLite file)"
                    .into(),
            ));
        }
        let db_pool_max = parse_number(get("DB_POOL_MAX"), "DB_POOL_MAX", DEFAULT_DB_POOL_MAX)?;
        if db_pool_max == 0 {
            return Err(ConfigError("DB_POOL_MAX must be at least 1".into()));
        }

        let environment = if get("DYNO").is_some()
            || get("EUTERPE_ENV").is_some_and(|env| env.eq_ignore_ascii_case("production"))
        {
            Environment::Production
        } else {
            Environment::Local
        };

        let public_url = get("PUBLIC_URL")
            .map(|value| {
                let url = Url::parse(value).map_err(|_| {
                    ConfigError(format!(
                        "PUBLIC_URL is not a URL ({value:?}): use the site's origin, e.g. https://euterpe.example.com"
                    ))
                })?;
                if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                    return Err(ConfigError(
                        "PUBLIC_URL must be an http(s) origin, e.g. https://euterpe.example.com"
                            .into(),
                    ));
                }
                Ok(url)
            })
            .transpose()?;

        let demo = get("EUTERPE_DEMO").is_some_and(|value| value == "1" || value == "true")
            || get("SPOTIFY_CLIENT_ID").is_none();

        let spotify = if demo {
            None
        } else {
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
            let default_redirect = match &public_url {
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
            Some(SpotifyConfig {
                client_id,
                client_secret: Secret::new(client_secret),
                redirect_uri,
                authorize_url: accounts_url.clone(),
                accounts_url,
                api_url,
            })
        };

        let keys = match (get("TOKEN_ENCRYPTION_KEYS"), get("TOKEN_ENCRYPTION_KEY")) {
            (Some(list), _) => Some(KeyRing::parse_list(list, "TOKEN_ENCRYPTION_KEYS")?),
            (None, Some(key)) => Some(KeyRing::parse_list(key, "TOKEN_ENCRYPTION_KEY")?),
            (None, None) if environment == Environment::Production => {
                return Err(ConfigError(
                    "TOKEN_ENCRYPTION_KEY is not set: run `euterpe gen-key` and set its output \
                     (required in production, where no local key file is kept)"
                        .into(),
                ));
            }
            (None, None) => None,
        };

        let cache_ttl = Duration::from_secs(parse_number(
            get("SPOTIFY_CACHE_TTL_SECS"),
            "SPOTIFY_CACHE_TTL_SECS",
            30 * 60,
        )?);
        let request_timeout = Duration::from_secs(parse_number(
            get("REQUEST_TIMEOUT_SECS"),
            "REQUEST_TIMEOUT_SECS",
            15,
        )?);
        if request_timeout.is_zero() {
            return Err(ConfigError(
                "REQUEST_TIMEOUT_SECS must be at least 1 (Heroku cuts requests at 30)".into(),
            ));
        }
        let key_file = PathBuf::from(get("EUTERPE_KEY_FILE").unwrap_or(".euterpe/token.key"));
        let sentry_dsn = get("SENTRY_DSN")
            .map(|dsn| {
                dsn.parse::<sentry::types::Dsn>().map_err(|_| {
                    ConfigError(
                        "SENTRY_DSN is not a Sentry DSN: copy it from the project's Client Keys \
                         page, or unset it"
                            .into(),
                    )
                })?;
                Ok(Secret::new(dsn))
            })
            .transpose()?;
        let sentry_environment = get("SENTRY_ENVIRONMENT")
            .unwrap_or(match environment {
                Environment::Production => "production",
                Environment::Local => "development",
            })
            .to_owned();
        let release = get("HEROKU_SLUG_COMMIT")
            .or(get("SOURCE_VERSION"))
            .or(option_env!("SOURCE_VERSION"))
            .map_or_else(
                || concat!("euterpe@", env!("CARGO_PKG_VERSION")).to_owned(),
                str::to_owned,
            );
        let dyno = get("DYNO").map(str::to_owned);
        let trusted_proxies = TrustedProxies::from_var(get("TRUSTED_PROXIES"), dyno.is_some())?;
        let demo_latency = get("EUTERPE_DEMO_LATENCY_MS")
            .map(|value| parse_number::<u64>(Some(value), "EUTERPE_DEMO_LATENCY_MS", 0))
            .transpose()?
            .filter(|ms| *ms > 0)
            .map(Duration::from_millis);
        let history = crate::history::config::HistoryConfig::from_vars(get)?;
        let retention_inactive_days = match get("RETENTION_INACTIVE_DAYS") {
            None => None,
            Some(value) => match value.parse::<u32>() {
                Ok(days) if days >= 1 => Some(days),
                _ => {
                    return Err(ConfigError(format!(
                        "RETENTION_INACTIVE_DAYS is not a whole number of days of at least 1 \
                         ({value:?}): unset it to keep accounts forever"
                    )));
                }
            },
        };
        let enrichment = EnrichmentConfig::from_vars(&get)?;
        let server = crate::server::ServerConfig::from_vars(get)?;

        Ok(Self {
            host,
            port,
            database_url: Secret::new(database_url),
            db_pool_max,
            spotify,
            demo,
            keys,
            public_url,
            environment,
            cache_ttl,
            request_timeout,
            key_file,
            sentry_dsn,
            sentry_environment,
            release,
            dyno,
            trusted_proxies,
            demo_latency,
            history,
            retention_inactive_days,
            enrichment,
            server,
        })
    }

    /// Whether Euterpe runs on a Heroku dyno (`DYNO` is set).
    pub fn on_heroku(&self) -> bool {
        self.dyno.is_some()
    }

    /// Whether plain-HTTP requests forwarded by a router must be redirected to HTTPS: the site
    /// is configured as HTTPS, or runs on Heroku, whose router serves both.
    pub fn redirect_to_https(&self) -> bool {
        self.public_https() || self.on_heroku()
    }

    /// Whether connections to Postgres must use TLS unless `DATABASE_URL` says otherwise:
    /// always in production (Heroku Postgres requires it).
    pub fn database_requires_tls(&self) -> bool {
        self.environment == Environment::Production
    }

    /// Whether the site is served over HTTPS by configuration (cookies become `Secure`): its
    /// configured origin ([`Config::site_origin`]) is `https`.
    pub fn public_https(&self) -> bool {
        self.site_origin()
            .url()
            .is_some_and(|url| url.scheme() == "https")
    }

    /// The default redirect URI for this port (what demo mode registers with its fake).
    pub fn default_redirect_uri(&self) -> Url {
        match &self.public_url {
            Some(public) => public.join("/callback").expect("an origin joins a path"),
            None => Url::parse(&format!("http://127.0.0.1:{}/callback", self.port))
                .expect("a loopback URL parses"),
        }
    }
}

fn parse_url(value: &str, name: &str) -> Result<Url, ConfigError> {
    Url::parse(value).map_err(|_| ConfigError(format!("{name} is not a valid URL ({value:?})")))
}

fn parse_number<T: std::str::FromStr>(
    value: Option<&str>,
    name: &str,
    default: T,
) -> Result<T, ConfigError> {
    match value {
        None => Ok(default),
        Some(value) => value.parse().map_err(|_| {
            ConfigError(format!(
                "{name} is not a whole number ({value:?}): unset it to use the default"
            ))
        }),
    }
}

/// Sets variables from a `.env` file that the environment doesn't already set.
///
/// The file is read by `dotenvy` (`NAME=value`, quoted or not, `#` comments, `export`); a line
/// it can't read is skipped, and a missing file is fine: `.env` is only a local convenience.
pub fn load_dotenv(path: &Path) {
    for (name, value) in read_dotenv(path) {
        if std::env::var_os(&name).is_none() {
            // SAFETY: called once at start-up, before the runtime spawns any thread.
            unsafe { std::env::set_var(name, value) };
        }
    }
}

/// The variables a `.env` file sets, in its order; none when it can't be read.
fn read_dotenv(path: &Path) -> Vec<(String, String)> {
    let Ok(lines) = dotenvy::from_path_iter(path) else {
        return Vec::new();
    };
    let mut vars = Vec::new();
    for line in lines {
        match line {
            Ok(var) => vars.push(var),
            // One malformed line doesn't cost the others.
            Err(dotenvy::Error::LineParse(..)) => {}
            Err(_) => break,
        }
    }
    vars
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn debug_output_shows_no_secret() {
        let key = crate::crypto::generate_key();
        let config = Config::from_vars(&vars(&[
            (
                "DATABASE_URL",
                "postgres://euterpe:pgPassw0rdXYZ@db.example/euterpe",
            ),
            ("SPOTIFY_CLIENT_ID", "clientid123"),
            ("SPOTIFY_CLIENT_SECRET", "cl1entS3cretXYZ"),
            (
                "SENTRY_DSN",
                "https://dsnKey0123456789@o1.ingest.sentry.io/42",
            ),
            ("TOKEN_ENCRYPTION_KEY", &key),
            ("LASTFM_API_KEY", "lastfmKeyXYZ"),
        ]))
        .unwrap();
        let printed = format!("{config:?}");
        for secret in [
            "pgPassw0rdXYZ",
            "cl1entS3cretXYZ",
            "dsnKey0123456789",
            "lastfmKeyXYZ",
            key.as_str(),
        ] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(printed.contains("clientid123"), "the rest is still there");
    }

    #[test]
    fn defaults_give_a_local_demo_on_8080() {
        let config = Config::from_vars(&vars(&[])).unwrap();
        assert_eq!(config.port, 8080);
        assert_eq!(config.host.to_string(), "127.0.0.1");
        assert!(config.demo);
        assert_eq!(config.database_url.expose(), DEFAULT_DATABASE_URL);
        assert!(config.keys.is_none());
        assert_eq!(config.cache_ttl, Duration::from_secs(1800));
    }

    #[test]
    fn a_real_app_needs_its_secret_and_gets_the_loopback_redirect() {
        let err = Config::from_vars(&vars(&[("SPOTIFY_CLIENT_ID", "abc")])).unwrap_err();
        assert!(
            err.0.starts_with("SPOTIFY_CLIENT_SECRET is not set"),
            "{err}"
        );

        let config = Config::from_vars(&vars(&[
            ("SPOTIFY_CLIENT_ID", "abc"),
            ("SPOTIFY_CLIENT_SECRET", "shh"),
            ("PORT", "9000"),
        ]))
        .unwrap();
        let spotify = config.spotify.unwrap();
        assert_eq!(
            spotify.redirect_uri.as_str(),
            "http://127.0.0.1:9000/callback"
        );
        assert_eq!(spotify.api_url.as_str(), "https://api.spotify.com/v1");
        assert!(!config.demo);
    }

    #[test]
    fn each_bad_variable_is_named() {
        for (pairs, starts) in [
            (vec![("PORT", "eighty")], "PORT is not a valid port"),
            (vec![("HOST", "example.com")], "HOST is not an IP"),
            (
                vec![("DATABASE_URL", "mysql://x")],
                "DATABASE_URL must start",
            ),
            (
                vec![("DYNO", "web.1")],
                "TOKEN_ENCRYPTION_KEY is not set: run `euterpe gen-key`",
            ),
            (
                vec![("TOKEN_ENCRYPTION_KEY", "short")],
                "TOKEN_ENCRYPTION_KEY",
            ),
            (
                vec![
                    ("SPOTIFY_CLIENT_ID", "a"),
                    ("SPOTIFY_CLIENT_SECRET", "b"),
                    ("SPOTIFY_REDIRECT_URI", "http://localhost:8080/callback"),
                ],
                "SPOTIFY_REDIRECT_URI uses localhost",
            ),
            (
                vec![
                    ("SPOTIFY_CLIENT_ID", "a"),
                    ("SPOTIFY_CLIENT_SECRET", "b"),
                    ("PUBLIC_URL", "http://euterpe.example.com"),
                ],
                "SPOTIFY_REDIRECT_URI must be https://",
            ),
            (
                vec![
                    ("SPOTIFY_CLIENT_ID", "a"),
                    ("SPOTIFY_CLIENT_SECRET", "b"),
                    ("SPOTIFY_REDIRECT_URI", "http://192.168.1.20:8080/callback"),
                ],
                "SPOTIFY_REDIRECT_URI must be https://",
            ),
        ] {
            let err = Config::from_vars(&vars(&pairs)).unwrap_err();
            assert!(err.0.starts_with(starts), "{pairs:?}: {err}");
            assert!(!err.0.contains('\n'), "one line: {err}");
        }
    }

    #[test]
    fn heroku_settings_come_from_the_dyno_environment() {
        let key = "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4a6b8d0f2e4c6a8b0d";
        let local = Config::from_vars(&vars(&[])).unwrap();
        assert_eq!(local.sentry_environment, "development");
        assert!(local.release.starts_with("euterpe@") || option_env!("SOURCE_VERSION").is_some());
        assert!(!local.on_heroku() && !local.redirect_to_https());
        assert!(!local.database_requires_tls());
        assert_eq!(local.request_timeout, Duration::from_secs(15));
        assert_eq!(local.demo_latency, None);

        let dyno = Config::from_vars(&vars(&[
            ("DYNO", "web.1"),
            ("TOKEN_ENCRYPTION_KEY", key),
            ("HEROKU_SLUG_COMMIT", "2c3a0b1"),
            ("SOURCE_VERSION", "ignored"),
            ("REQUEST_TIMEOUT_SECS", "20"),
            ("EUTERPE_DEMO_LATENCY_MS", "2500"),
            ("SENTRY_DSN", "https://abc123@o1.ingest.sentry.io/42"),
        ]))
        .unwrap();
        assert_eq!(dyno.sentry_environment, "production");
        assert_eq!(dyno.release, "2c3a0b1");
        assert!(dyno.on_heroku() && dyno.redirect_to_https());
        assert!(dyno.database_requires_tls());
        assert_eq!(dyno.request_timeout, Duration::from_secs(20));
        assert_eq!(dyno.demo_latency, Some(Duration::from_millis(2500)));

        let review = Config::from_vars(&vars(&[
            ("DYNO", "web.1"),
            ("TOKEN_ENCRYPTION_KEY", key),
            ("SENTRY_ENVIRONMENT", "review"),
            ("SOURCE_VERSION", "9e8d7c6"),
        ]))
        .unwrap();
        assert_eq!(review.sentry_environment, "review");
        assert_eq!(review.release, "9e8d7c6");

        let https =
            Config::from_vars(&vars(&[("PUBLIC_URL", "https://euterpe.example.com")])).unwrap();
        assert!(https.redirect_to_https() && !https.on_heroku());
    }

    #[test]
    fn behind_public_url_the_callback_is_there() {
        let config = Config::from_vars(&vars(&[
            ("SPOTIFY_CLIENT_ID", "abc"),
            ("SPOTIFY_CLIENT_SECRET", "shh"),
            ("PUBLIC_URL", "https://euterpe.example.com"),
        ]))
        .unwrap();
        assert_eq!(
            config.spotify.unwrap().redirect_uri.as_str(),
            "https://euterpe.example.com/callback"
        );
    }

    #[test]
    fn bad_heroku_settings_are_named() {
        for (pairs, starts) in [
            (
                vec![("SENTRY_DSN", "not a dsn")],
                "SENTRY_DSN is not a Sentry DSN",
            ),
            (
                vec![("REQUEST_TIMEOUT_SECS", "0")],
                "REQUEST_TIMEOUT_SECS must be at least 1",
            ),
            (
                vec![("REQUEST_TIMEOUT_SECS", "soon")],
                "REQUEST_TIMEOUT_SECS is not a whole number",
            ),
            (
                vec![("EUTERPE_DEMO_LATENCY_MS", "slow")],
                "EUTERPE_DEMO_LATENCY_MS is not a whole number",
            ),
        ] {
            let err = Config::from_vars(&vars(&pairs)).unwrap_err();
            assert!(err.0.starts_with(starts), "{pairs:?}: {err}");
            assert!(!err.0.contains('\n'), "one line: {err}");
        }
    }

    #[test]
    fn enrichment_defaults_to_the_real_services_with_a_polite_pace() {
        let config = Config::from_vars(&vars(&[])).unwrap().enrichment;
        assert!(config.enabled);
        assert!(config.defaults);
        assert_eq!(
            config.musicbrainz_url.as_str(),
            "https://musicbrainz.org/ws/2"
        );
        assert_eq!(
            config.listenbrainz_url.as_str(),
            "https://api.listenbrainz.org/1"
        );
        assert_eq!(
            config.lastfm_url.as_str(),
            "https://ws.audioscrobbler.com/2.0"
        );
        assert!(config.lastfm_api_key.is_none() && config.listenbrainz_token.is_none());
        assert_eq!(config.musicbrainz_interval, Duration::from_millis(1100));
        assert_eq!(
            config.user_agent(),
            format!(
                "Euterpe/{} ( https://github.com/euterpe-dashboard/euterpe )",
                env!("CARGO_PKG_VERSION")
            )
        );

        let config = Config::from_vars(&vars(&[
            ("ENRICHMENT", "0"),
            ("MUSICBRAINZ_URL", "http://127.0.0.1:5000/ws/2"),
            ("MUSICBRAINZ_CONTACT", "ops@example.com"),
            ("LASTFM_API_KEY", "k"),
        ]))
        .unwrap()
        .enrichment;
        assert!(!config.enabled && !config.defaults);
        assert!(config.user_agent().ends_with("( ops@example.com )"));
        assert_eq!(config.lastfm_api_key.unwrap().expose(), "k");
        for (pairs, starts) in [
            (vec![("MUSICBRAINZ_URL", "not a url")], "MUSICBRAINZ_URL"),
            (
                vec![("MUSICBRAINZ_INTERVAL_MS", "soon")],
                "MUSICBRAINZ_INTERVAL_MS",
            ),
            (
                vec![("MUSICBRAINZ_CONTACT", "me (here)")],
                "MUSICBRAINZ_CONTACT",
            ),
        ] {
            let err = Config::from_vars(&vars(&pairs)).unwrap_err();
            assert!(err.0.starts_with(starts), "{pairs:?}: {err}");
        }
    }

    #[test]
    fn dotenv_lines_are_parsed() {
        let path = std::env::temp_dir().join(format!("euterpe-dotenv-{}", std::process::id()));
        std::fs::write(
            &path,
            "# comment\nA=1\nexport B=\"two words\"\nC='x=y'\n\nbad line\n",
        )
        .unwrap();
        let parsed = read_dotenv(&path);
        std::fs::remove_file(&path).unwrap();
        assert_eq!(
            parsed,
            vec![
                ("A".into(), "1".into()),
                ("B".into(), "two words".into()),
                ("C".into(), "x=y".into())
            ]
        );
    }
}
