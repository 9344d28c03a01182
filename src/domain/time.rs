//! Calendar arithmetic on Unix times, and the timestamp formats of Spotify's exports, parsed
//! without allocation (an import reads a million of them).

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;
/// Milliseconds in a summary bucket (a quarter hour; see `play_buckets`).
pub const BUCKET_MS: i64 = 900_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date `(year, month 1–12, day 1–31)` of a day number since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Monday = 0 … Sunday = 6 of a day number (1970-01-01 was a Thursday).
pub fn weekday_of_days(days: i64) -> usize {
    (days + 3).rem_euclid(7) as usize
}

/// A month counted from January 1970 (the `track_months.month` unit).
pub fn month_index(year: i64, month: u32) -> i64 {
    (year - 1970) * 12 + i64::from(month) - 1
}

/// `(year, month)` of a month index.
pub fn month_of_index(index: i64) -> (i64, u32) {
    (1970 + index.div_euclid(12), index.rem_euclid(12) as u32 + 1)
}

/// The UTC month index of a Unix millisecond time.
pub fn utc_month_of_ms(ms: i64) -> i64 {
    let (year, month, _) = civil_from_days(ms.div_euclid(DAY_MS));
    month_index(year, month)
}

/// Unix milliseconds at 00:00 UTC on the first day of a month index.
pub fn utc_month_start_ms(index: i64) -> i64 {
    let (year, month) = month_of_index(index);
    days_from_civil(year, month, 1) * DAY_MS
}

fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(bytes.iter().fold(0u32, |n, b| n * 10 + u32::from(b - b'0')))
}

fn checked_date(year: u32, month: u32, day: u32) -> Option<i64> {
    if !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days_in_month = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (day <= days_in_month).then(|| days_from_civil(i64::from(year), month, day))
}

/// `YYYY-MM-DD` (and what follows it) → `(days since epoch, rest)`.
fn date_prefix(text: &[u8]) -> Option<(i64, &[u8])> {
    if text.len() < 10 || text[4] != b'-' || text[7] != b'-' {
        return None;
    }
    let days = checked_date(
        digits(&text[..4])?,
        digits(&text[5..7])?,
        digits(&text[8..10])?,
    )?;
    Some((days, &text[10..]))
}

/// A UTC timestamp of the extended streaming history (`ts`, e.g. `2024-04-20T18:15:22Z`),
/// or of the Web API (`played_at`, e.g. `2023-09-22T15:43:33.750Z`), in Unix milliseconds.
/// Fractions of a second and a `+00:00` suffix are accepted; other offsets are applied.
pub fn parse_utc_timestamp(text: &str) -> Option<i64> {
    let (days, rest) = date_prefix(text.as_bytes())?;
    let rest = rest
        .strip_prefix(b"T")
        .or_else(|| rest.strip_prefix(b" "))?;
    if rest.len() < 8 || rest[2] != b':' || rest[5] != b':' {
        return None;
    }
    let (hour, minute, second) = (
        digits(&rest[..2])?,
        digits(&rest[3..5])?,
        digits(&rest[6..8])?,
    );
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &rest[8..];
    let mut millis = 0u32;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let length = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if length == 0 {
            return None;
        }
        let mut scaled = fraction[..length.min(3)].to_vec();
        scaled.resize(3, b'0');
        millis = digits(&scaled)?;
        rest = &fraction[length..];
    }
    let offset_secs: i64 = match rest {
        b"Z" | b"z" | b"+00:00" | b"" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = i64::from(digits(&[*h1, *h2])?);
            let minutes = i64::from(digits(&[*m1, *m2])?);
            let value = hours * 3600 + minutes * 60;
            if *sign == b'-' { -value } else { value }
        }
        _ => return None,
    };
    let secs = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset_secs;
    Some(secs * 1000 + i64::from(millis))
}

/// An account-data `endTime` (`YYYY-MM-DD HH:MM`, UTC, no seconds) in Unix milliseconds.
pub fn parse_end_time(text: &str) -> Option<i64> {
    let (days, rest) = date_prefix(text.as_bytes())?;
    match rest {
        [b' ' | b'T', h1, h2, b':', m1, m2, tail @ ..] => {
            let (hour, minute) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if hour > 23 || minute > 59 {
                return None;
            }
            let seconds = match tail {
                [] | [b'Z'] => 0,
                [b':', s1, s2, end @ ..] if end.is_empty() || end == b"Z" => {
                    digits(&[*s1, *s2]).filter(|s| *s < 60)?
                }
                _ => return None,
            };
            Some((days * 86_400 + i64::from(hour * 3600 + minute * 60 + seconds)) * 1000)
        }
        _ => None,
    }
}

/// A `YYYY-MM-DD` date (a form field) as days since 1970-01-01.
pub fn parse_date(text: &str) -> Option<i64> {
    match date_prefix(text.trim().as_bytes())? {
        (days, []) => Some(days),
        _ => None,
    }
}

/// `YYYY-MM-DD` of a day number.
pub fn format_date(days: i64) -> String {
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// A month's short English name.
pub fn month_name(month: u32) -> &'static str {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    NAMES[(month.clamp(1, 12) - 1) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for days in [-1000, -1, 0, 59, 60, 11_016, 19_000, 20_000, 50_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(weekday_of_days(0), 3, "a Thursday");
        assert_eq!(weekday_of_days(19_723), 0, "1 Jan 2024 was a Monday");
    }

    #[test]
    fn month_indices() {
        assert_eq!(month_index(1970, 1), 0);
        assert_eq!(month_of_index(month_index(2024, 12)), (2024, 12));
        let ms = parse_utc_timestamp("2024-02-29T23:59:59Z").unwrap();
        assert_eq!(month_of_index(utc_month_of_ms(ms)), (2024, 2));
        assert_eq!(utc_month_start_ms(month_index(2024, 3)), ms + 1000);
    }

    #[test]
    fn export_and_api_timestamps_parse() {
        assert_eq!(parse_utc_timestamp("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(
            parse_utc_timestamp("2023-09-22T15:43:33.750Z"),
            Some(1_695_397_413_750),
            "the recorded recently-played fixture's cursor"
        );
        assert_eq!(
            parse_utc_timestamp("2023-09-22T17:43:33.75+02:00"),
            Some(1_695_397_413_750)
        );
        assert_eq!(parse_end_time("1970-01-02 00:01"), Some(86_460_000));
        for bad in [
            "",
            "2024-13-01T00:00:00Z",
            "2024-02-30T00:00:00Z",
            "yesterday",
            "2024-01-01T25:00:00Z",
            "2024-01-01T00:00:00Q",
        ] {
            assert_eq!(parse_utc_timestamp(bad), None, "{bad}");
        }
        for bad in ["2024-01-01", "2024-01-01 7:00", "2024-01-01 07:60"] {
            assert_eq!(parse_end_time(bad), None, "{bad}");
        }
        assert_eq!(parse_date("2024-03-01"), Some(days_from_civil(2024, 3, 1)));
        assert_eq!(parse_date("2024-3-1"), None);
        assert_eq!(format_date(days_from_civil(2024, 3, 1)), "2024-03-01");
    }
}
