//! The server's connection settings: how long a client may take, and how many may be open.

use std::time::Duration;

use crate::domain::ConfigError;

/// The default bound on open connections (`MAX_CONNECTIONS`): well under a dyno's 1,024
/// file descriptors (as `ulimit -n` usually sets), leaving room for the database pool, the
/// upload files and the outgoing calls to Spotify.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// How long a client may take to send a request's header, from the moment the server waits for
/// it (so also how long an idle keep-alive connection stays open).
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(20);
/// How long an export upload may send nothing before it is answered `408` and dropped.
pub const DEFAULT_UPLOAD_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Deadlines and bounds of client connections. Only `MAX_CONNECTIONS` is read from the
/// environment; tests shorten the deadlines through the struct.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    /// The most connections open at once; when full, the oldest connection still waiting for a
    /// request is closed to make room (`MAX_CONNECTIONS`).
    pub max_connections: usize,
    /// The time a client has to send a whole request header. hyper starts this timer whenever
    /// it waits for the next request, so it is also the idle keep-alive timeout.
    pub header_read_timeout: Duration,
    /// The time an export upload may send nothing at all before it is given up.
    pub upload_idle_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            upload_idle_timeout: DEFAULT_UPLOAD_IDLE_TIMEOUT,
        }
    }
}

impl ServerConfig {
    /// Reads `MAX_CONNECTIONS` through `get` (trimmed, empty = unset).
    pub fn from_vars<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<Self, ConfigError> {
        let max_connections = match get("MAX_CONNECTIONS") {
            None => DEFAULT_MAX_CONNECTIONS,
            Some(value) => match value.parse::<usize>() {
                // Fewer than a handful would let a few slow clients crowd out health checks.
                Ok(n) if n >= 8 => n,
                _ => {
                    return Err(ConfigError(format!(
                        "MAX_CONNECTIONS is not a whole number of at least 8 ({value:?}): \
                         unset it to use {DEFAULT_MAX_CONNECTIONS}"
                    )));
                }
            },
        };
        Ok(Self {
            max_connections,
            ..Self::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_connections_defaults_and_is_checked() {
        let none = |_: &str| None;
        assert_eq!(
            ServerConfig::from_vars(none).unwrap(),
            ServerConfig::default()
        );
        let set = |name: &str| (name == "MAX_CONNECTIONS").then_some("900");
        assert_eq!(ServerConfig::from_vars(set).unwrap().max_connections, 900);
        for bad in ["0", "7", "many", "-3"] {
            let get = move |name: &str| (name == "MAX_CONNECTIONS").then_some(bad);
            let err = ServerConfig::from_vars(get).unwrap_err();
            assert!(err.0.contains("MAX_CONNECTIONS"), "{}", err.0);
        }
    }
}
