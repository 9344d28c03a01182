//! The user's time zone (IANA names, from the bundled tz database of the `tzdb` crate), and the
//! stretches of constant UTC offset that let the database group plays by local hour or day.

use super::time::{BUCKET_MS, DAY_MS, civil_from_days, first_of_month_days};

/// A time zone by IANA name.
#[derive(Clone, Copy)]
pub struct Zone {
    name: &'static str,
    tz: tz::TimeZoneRef<'static>,
}

impl std::fmt::Debug for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Zone").field(&self.name).finish()
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

/// A stretch of UTC time `[start_ms, end_ms)` with one offset from UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OffsetSpan {
    pub start_ms: i64,
    pub end_ms: i64,
    pub offset_secs: i64,
}

/// A local time's parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalTime {
    /// Local days since 1970-01-01.
    pub days: i64,
    pub year: i64,
    pub month: u32,
    pub day: u32,
    /// Monday = 0 … Sunday = 6.
    pub weekday: usize,
    pub hour: u32,
}

impl Zone {
    /// Coordinated Universal Time, the default.
    pub fn utc() -> Self {
        Self::parse("UTC").expect("the tz database has UTC")
    }

    /// The zone of an IANA name (any letter case); `None` for an unknown name.
    pub fn parse(name: &str) -> Option<Self> {
        let name = name.trim();
        let canonical = tzdb::TZ_NAMES
            .iter()
            .find(|candidate| candidate.eq_ignore_ascii_case(name))?;
        Some(Self {
            name: canonical,
            tz: tzdb::tz_by_name(canonical)?,
        })
    }

    /// Every zone name the database knows, sorted.
    pub fn names() -> &'static [&'static str] {
        tzdb::TZ_NAMES
    }

    /// The IANA name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The offset from UTC, in seconds, at a Unix time in milliseconds.
    pub fn offset_secs(&self, ms: i64) -> i64 {
        self.tz
            .find_local_time_type(ms.div_euclid(1000))
            .map(|kind| i64::from(kind.ut_offset()))
            .unwrap_or(0)
    }

    /// The local calendar parts of a Unix time in milliseconds.
    pub fn local(&self, ms: i64) -> LocalTime {
        let local_ms = ms + self.offset_secs(ms) * 1000;
        let days = local_ms.div_euclid(DAY_MS);
        let (year, month, day) = civil_from_days(days);
        LocalTime {
            days,
            year,
            month,
            day,
            weekday: super::time::weekday_of_days(days),
            hour: (local_ms.rem_euclid(DAY_MS) / 3_600_000) as u32,
        }
    }

    /// The UTC instant (ms) of local midnight starting a local day (days since 1970-01-01).
    /// When a transition skips midnight, the first existing instant after it is close enough.
    pub fn local_midnight_ms(&self, days: i64) -> i64 {
        let naive = days * DAY_MS;
        let mut guess = naive - self.offset_secs(naive) * 1000;
        // Twice: the offset at the guess may differ from the one at the naive instant.
        for _ in 0..2 {
            guess = naive - self.offset_secs(guess) * 1000;
        }
        guess
    }

    /// The UTC instant of local midnight on the first day of a month.
    pub fn local_month_start_ms(&self, year: i64, month: u32) -> i64 {
        self.local_midnight_ms(first_of_month_days(year, month))
    }

    /// The stretches of constant offset covering `[from_ms, to_ms)`, in order, with boundaries
    /// on quarter hours (every transition since 1970 falls on one). Found by looking at the
    /// offset once a day and bisecting the days where it changed.
    pub fn offset_spans(&self, from_ms: i64, to_ms: i64) -> Vec<OffsetSpan> {
        let mut spans = Vec::new();
        if to_ms <= from_ms {
            return spans;
        }
        let mut start = from_ms;
        let mut offset = self.offset_secs(from_ms);
        let mut probe = from_ms;
        while probe < to_ms {
            let next = (probe + DAY_MS).min(to_ms);
            let next_offset = self.offset_secs(next.min(to_ms - 1));
            if next_offset != offset {
                // The change lies in (probe, next]: find the first bucket with the new offset.
                let (mut low, mut high) =
                    (probe.div_euclid(BUCKET_MS), next.div_euclid(BUCKET_MS) + 1);
                while high - low > 1 {
                    let middle = (low + high) / 2;
                    if self.offset_secs(middle * BUCKET_MS) == offset {
                        low = middle;
                    } else {
                        high = middle;
                    }
                }
                let change = (high * BUCKET_MS).clamp(start + 1, to_ms);
                spans.push(OffsetSpan {
                    start_ms: start,
                    end_ms: change,
                    offset_secs: offset,
                });
                start = change;
                offset = self.offset_secs(change);
            }
            probe = next;
        }
        spans.push(OffsetSpan {
            start_ms: start,
            end_ms: to_ms,
            offset_secs: offset,
        });
        spans
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::parse_utc_timestamp;

    fn ms(text: &str) -> i64 {
        parse_utc_timestamp(text).unwrap()
    }

    #[test]
    fn names_are_found_in_any_case() {
        assert_eq!(
            Zone::parse("europe/stockholm").unwrap().name(),
            "Europe/Stockholm"
        );
        assert!(Zone::parse("Mars/Olympus_Mons").is_none());
        assert_eq!(Zone::utc().offset_secs(0), 0);
        assert!(Zone::names().contains(&"Asia/Kathmandu"));
    }

    #[test]
    fn local_parts_follow_daylight_saving() {
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        // 2024-03-31 01:00 UTC is 03:00 CEST (summer time started at 01:00 UTC).
        let summer = berlin.local(ms("2024-03-31T01:30:00Z"));
        assert_eq!((summer.month, summer.day, summer.hour), (3, 31, 3));
        let winter = berlin.local(ms("2024-03-31T00:30:00Z"));
        assert_eq!(winter.hour, 1);
        assert_eq!(winter.weekday, 6, "a Sunday");
        // New Year's Eve in UTC is already New Year in Tokyo.
        let tokyo = Zone::parse("Asia/Tokyo")
            .unwrap()
            .local(ms("2023-12-31T20:00:00Z"));
        assert_eq!(
            (tokyo.year, tokyo.month, tokyo.day, tokyo.hour),
            (2024, 1, 1, 5)
        );
    }

    #[test]
    fn offset_spans_split_at_transitions() {
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let spans = berlin.offset_spans(ms("2024-01-01T00:00:00Z"), ms("2025-01-01T00:00:00Z"));
        assert_eq!(spans.len(), 3, "{spans:?}");
        assert_eq!(spans[0].offset_secs, 3600);
        assert_eq!(spans[1].start_ms, ms("2024-03-31T01:00:00Z"));
        assert_eq!(spans[1].offset_secs, 7200);
        assert_eq!(spans[2].start_ms, ms("2024-10-27T01:00:00Z"));
        assert_eq!(spans[2].end_ms, ms("2025-01-01T00:00:00Z"));
        // Contiguous, and every instant gets the offset the zone gives it.
        for pair in spans.windows(2) {
            assert_eq!(pair[0].end_ms, pair[1].start_ms);
        }
        for span in &spans {
            assert_eq!(berlin.offset_secs(span.start_ms), span.offset_secs);
            assert_eq!(berlin.offset_secs(span.end_ms - 1), span.offset_secs);
        }
        let utc = Zone::utc().offset_spans(0, ms("2030-01-01T00:00:00Z"));
        assert_eq!(utc.len(), 1);
    }

    #[test]
    fn local_midnights() {
        let new_york = Zone::parse("America/New_York").unwrap();
        let day = crate::domain::time::days_from_civil(2024, 7, 4).unwrap();
        assert_eq!(new_york.local_midnight_ms(day), ms("2024-07-04T04:00:00Z"));
        assert_eq!(
            new_york.local_month_start_ms(2024, 1),
            ms("2024-01-01T05:00:00Z")
        );
    }
}
