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

mod enrichment;
pub mod network;
mod spotify;
pub use enrichment::{
    DEFAULT_LASTFM_INTERVAL_MS, DEFAULT_LISTENBRAINZ_INTERVAL_MS, DEFAULT_MUSICBRAINZ_INTERVAL_MS,
    EnrichmentConfig, PROJECT_URL,
};
pub use network::{SiteOrigin, TrustedProxies};
pub use spotify::SpotifyConfig;

pub use crate::domain::ConfigError;

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
    /// Calls to Spotify one user may have in flight at once (`SPOTIFY_MAX_IN_FLIGHT`).
    pub spotify_in_flight: usize,
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

/// Calls to Spotify one user may have in flight by default. Spotify's rate limit counts calls in
/// a rolling 30-second window per app, so this bound does not change what a dashboard costs,
/// only how fast it is spent. A cold dashboard's calls come in two waves: the top lists and the
/// playlist list (5 calls), then every page of every own playlist (18 for the demo's `alice`,
/// asked for together since the list says how long each is). 10 at once take the second wave in
/// two round trips (8 would take three), and the five listeners a development-mode app may have
/// still can't have more than 50 calls under way between them.
pub const DEFAULT_SPOTIFY_IN_FLIGHT: usize = 10;

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

        let (host, port) = listen_address(&get)?;
        let (database_url, db_pool_max) = database(&get)?;

        let environment = if get("DYNO").is_some()
            || get("EUTERPE_ENV").is_some_and(|env| env.eq_ignore_ascii_case("production"))
        {
            Environment::Production
        } else {
            Environment::Local
        };

        let public_url = public_url(&get)?;

        let demo = get("EUTERPE_DEMO").is_some_and(|value| value == "1" || value == "true")
            || get("SPOTIFY_CLIENT_ID").is_none();

        let spotify = if demo {
            None
        } else {
            Some(SpotifyConfig::from_vars(&get, public_url.as_ref(), port)?)
        };

        let keys = keys(&get, environment)?;

        let cache_ttl = Duration::from_secs(parse_number(
            get("SPOTIFY_CACHE_TTL_SECS"),
            "SPOTIFY_CACHE_TTL_SECS",
            30 * 60,
        )?);
        let spotify_in_flight = parse_number::<usize>(
            get("SPOTIFY_MAX_IN_FLIGHT"),
            "SPOTIFY_MAX_IN_FLIGHT",
            DEFAULT_SPOTIFY_IN_FLIGHT,
        )?;
        if spotify_in_flight == 0 {
            return Err(ConfigError(
                "SPOTIFY_MAX_IN_FLIGHT must be at least 1 (calls one user may have in flight)"
                    .into(),
            ));
        }
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
        let (sentry_dsn, sentry_environment, release) = sentry(&get, environment)?;
        let dyno = get("DYNO").map(str::to_owned);
        let trusted_proxies = TrustedProxies::from_var(get("TRUSTED_PROXIES"), dyno.is_some())?;
        let demo_latency = get("EUTERPE_DEMO_LATENCY_MS")
            .map(|value| parse_number::<u64>(Some(value), "EUTERPE_DEMO_LATENCY_MS", 0))
            .transpose()?
            .filter(|ms| *ms > 0)
            .map(Duration::from_millis);
        let history = crate::history::config::HistoryConfig::from_vars(get)?;
        let retention_inactive_days = retention_days(&get)?;
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
            spotify_in_flight,
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

/// `HOST` and `PORT`: where to listen (the loopback on 8080 unless told).
fn listen_address<'v>(get: &dyn Fn(&str) -> Option<&'v str>) -> Result<(IpAddr, u16), ConfigError> {
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
    Ok((host, port))
}

/// `DATABASE_URL` (a local SQLite file unless told) and `DB_POOL_MAX`.
fn database<'v>(get: &dyn Fn(&str) -> Option<&'v str>) -> Result<(String, u32), ConfigError> {
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
    Ok((database_url, db_pool_max))
}

/// `PUBLIC_URL`: the site's external origin, when set.
fn public_url<'v>(get: &dyn Fn(&str) -> Option<&'v str>) -> Result<Option<Url>, ConfigError> {
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
    Ok(public_url)
}

/// `TOKEN_ENCRYPTION_KEYS` (or the single `TOKEN_ENCRYPTION_KEY`): required in production.
fn keys<'v>(
    get: &dyn Fn(&str) -> Option<&'v str>,
    environment: Environment,
) -> Result<Option<KeyRing>, ConfigError> {
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
    Ok(keys)
}

/// `SENTRY_DSN`, `SENTRY_ENVIRONMENT` and the release events are reported under.
fn sentry<'v>(
    get: &dyn Fn(&str) -> Option<&'v str>,
    environment: Environment,
) -> Result<(Option<Secret>, String, String), ConfigError> {
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
    Ok((sentry_dsn, sentry_environment, release))
}

/// `RETENTION_INACTIVE_DAYS`: how long an inactive account is kept (forever unless set).
fn retention_days<'v>(get: &dyn Fn(&str) -> Option<&'v str>) -> Result<Option<u32>, ConfigError> {
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
    Ok(retention_inactive_days)
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
mod tests;
