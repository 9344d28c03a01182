//! Accept errors, logged at most once a minute.
//!
//! When the process runs out of file descriptors, `accept` fails on every try; a line (and,
//! through the log, a Sentry breadcrumb) per failure would drown the log. One line a minute,
//! with a count of the failures not logged, says the same.

use std::time::{Duration, Instant};

/// The shortest time between two logged accept errors.
pub const LOG_INTERVAL: Duration = Duration::from_secs(60);

/// Counts accept errors and says when one should be logged.
#[derive(Debug, Default)]
pub struct AcceptErrors {
    last_logged: Option<Instant>,
    suppressed: u64,
}

impl AcceptErrors {
    /// Notes one error at `now`. Returns `Some(n)` when it should be logged, `n` being the
    /// number of errors left unlogged since the previous line; `None` when it is counted only.
    pub fn note(&mut self, now: Instant) -> Option<u64> {
        let due = self
            .last_logged
            .is_none_or(|last| now.saturating_duration_since(last) >= LOG_INTERVAL);
        if due {
            self.last_logged = Some(now);
            Some(std::mem::take(&mut self.suppressed))
        } else {
            self.suppressed += 1;
            None
        }
    }

    /// Notes an error and logs it if one is due (a warning: not a Sentry event).
    pub fn record(&mut self, error: &std::io::Error) {
        if let Some(suppressed) = self.note(Instant::now()) {
            tracing::warn!(
                error = %error,
                suppressed,
                "accept error (logged at most once a minute; `suppressed` counts the others)"
            );
        }
    }
}

/// Whether an accept error concerns one connection only (the client gave up before it was
/// accepted), so the next `accept` can follow at once and nothing needs saying.
pub fn is_connection_error(error: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        error.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}

/// Whether an accept error means the process (or system) has no file descriptor left.
pub fn is_out_of_descriptors(error: &std::io::Error) -> bool {
    // EMFILE (24) and ENFILE (23) on Linux and the BSDs.
    matches!(error.raw_os_error(), Some(23 | 24))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_a_minute_with_the_count_of_the_rest() {
        let start = Instant::now();
        let mut errors = AcceptErrors::default();
        assert_eq!(errors.note(start), Some(0));
        // One a second for a minute: all counted, none logged.
        for second in 1..60 {
            assert_eq!(errors.note(start + Duration::from_secs(second)), None);
        }
        assert_eq!(errors.note(start + Duration::from_secs(60)), Some(59));
        assert_eq!(errors.note(start + Duration::from_secs(61)), None);
        assert_eq!(errors.note(start + Duration::from_secs(200)), Some(1));
    }

    #[test]
    fn running_out_of_descriptors_is_recognised() {
        let emfile = std::io::Error::from_raw_os_error(24);
        assert!(is_out_of_descriptors(&emfile));
        assert!(!is_connection_error(&emfile));
        let aborted = std::io::Error::from(std::io::ErrorKind::ConnectionAborted);
        assert!(is_connection_error(&aborted) && !is_out_of_descriptors(&aborted));
    }
}
