//! The history settings an operator can change.

use std::path::PathBuf;
use std::time::Duration;

use crate::domain::ConfigError;

/// The default time between two polls of one user: 50 plays rarely pass faster.
pub const DEFAULT_POLL_INTERVAL_SECS: u64 = 20 * 60;
/// The default largest upload: Spotify's extended history of a heavy listener is a few hundred
/// megabytes of JSON, less zipped.
pub const DEFAULT_IMPORT_MAX_BYTES: u64 = 512 * 1024 * 1024;
/// The default most an import reads once unzipped, all its files together: a decade of heavy
/// listening (100,000 plays a year) is a few hundred megabytes of JSON; a gigabyte leaves room
/// for two decades, and ends a zip bomb's reading (gigabytes from megabytes) early.
pub const DEFAULT_IMPORT_MAX_UNZIPPED_BYTES: u64 = 1024 * 1024 * 1024;

/// `HISTORY_POLL_INTERVAL_SECS`, `IMPORT_MAX_BYTES`, `IMPORT_MAX_UNZIPPED_BYTES`, `IMPORT_DIR`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryConfig {
    /// How often each user's recent plays are fetched; `None` (`0`) turns the poller off.
    pub poll_interval: Option<Duration>,
    /// The largest upload `POST /import` accepts, in bytes (all files together).
    pub import_max_bytes: u64,
    /// The most one import reads once unzipped, in bytes (all files together).
    pub import_max_unzipped_bytes: u64,
    /// Where uploads wait for their import job.
    pub import_dir: PathBuf,
}

impl Default for HistoryConfig {
    fn default() -> Self {
        Self {
            poll_interval: Some(Duration::from_secs(DEFAULT_POLL_INTERVAL_SECS)),
            import_max_bytes: DEFAULT_IMPORT_MAX_BYTES,
            import_max_unzipped_bytes: DEFAULT_IMPORT_MAX_UNZIPPED_BYTES,
            import_dir: std::env::temp_dir().join("euterpe-imports"),
        }
    }
}

impl HistoryConfig {
    /// Reads the variables through `get` (trimmed, empty = unset).
    pub fn from_vars<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<Self, ConfigError> {
        let number = |name: &str, default: u64| -> Result<u64, ConfigError> {
            match get(name) {
                None => Ok(default),
                Some(value) => value.parse().map_err(|_| {
                    ConfigError(format!(
                        "{name} is not a whole number ({value:?}): unset it to use the default"
                    ))
                }),
            }
        };
        let interval = number("HISTORY_POLL_INTERVAL_SECS", DEFAULT_POLL_INTERVAL_SECS)?;
        let import_max_bytes = number("IMPORT_MAX_BYTES", DEFAULT_IMPORT_MAX_BYTES)?;
        let import_max_unzipped_bytes = number(
            "IMPORT_MAX_UNZIPPED_BYTES",
            DEFAULT_IMPORT_MAX_UNZIPPED_BYTES,
        )?;
        for (name, value) in [
            ("IMPORT_MAX_BYTES", import_max_bytes),
            ("IMPORT_MAX_UNZIPPED_BYTES", import_max_unzipped_bytes),
        ] {
            if value == 0 {
                return Err(ConfigError(format!("{name} must be at least 1")));
            }
        }
        Ok(Self {
            poll_interval: (interval > 0).then(|| Duration::from_secs(interval)),
            import_max_bytes,
            import_max_unzipped_bytes,
            import_dir: get("IMPORT_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| Self::default().import_dir),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_values() {
        let none = |_: &str| None;
        assert_eq!(
            HistoryConfig::from_vars(none).unwrap(),
            HistoryConfig::default()
        );
        let off =
            HistoryConfig::from_vars(|name| (name == "HISTORY_POLL_INTERVAL_SECS").then_some("0"))
                .unwrap();
        assert_eq!(off.poll_interval, None);
        let err = HistoryConfig::from_vars(|name| (name == "IMPORT_MAX_BYTES").then_some("lots"))
            .unwrap_err();
        assert!(
            err.0.starts_with("IMPORT_MAX_BYTES is not a whole number"),
            "{err}"
        );
    }
}
