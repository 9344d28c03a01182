//! Calendar arithmetic on Unix times, and the timestamp formats of Spotify's exports, both done
//! by the `time` crate: dates are `time::Date`s, and the formats are static format descriptions
//! parsed without allocation (an import reads a million of them).

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::parsing::Parsed;
use time::{Date, Month};

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;
/// Milliseconds in a summary bucket (a quarter hour; see `play_buckets`).
pub const BUCKET_MS: i64 = 900_000;

/// The Julian day number of 1970-01-01, which turns `time`'s day count into ours.
const EPOCH_JULIAN_DAY: i64 = 2_440_588;

/// The calendar date of a day number since 1970-01-01. Days beyond `time`'s range (±9999 years,
/// which no stored play reaches) are clamped to its ends rather than panicking.
pub fn date_of_days(days: i64) -> Date {
    let julian = (days + EPOCH_JULIAN_DAY).clamp(
        i64::from(Date::MIN.to_julian_day()),
        i64::from(Date::MAX.to_julian_day()),
    );
    Date::from_julian_day(julian as i32).unwrap_or(Date::MIN)
}

/// Days since 1970-01-01 of a date.
pub fn days_of_date(date: Date) -> i64 {
    i64::from(date.to_julian_day()) - EPOCH_JULIAN_DAY
}

/// Days since 1970-01-01 of a proleptic Gregorian date; `None` when there is no such date.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> Option<i64> {
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date = Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?);
    date.ok().map(days_of_date)
}

/// Days since 1970-01-01 of the first of a month (month clamped to 1–12, the year to `time`'s
/// range, so it always answers).
pub fn first_of_month_days(year: i64, month: u32) -> i64 {
    let year = year.clamp(i64::from(Date::MIN.year()), i64::from(Date::MAX.year()));
    let month = Month::try_from(month.clamp(1, 12) as u8).unwrap_or(Month::January);
    Date::from_calendar_date(year as i32, month, 1).map_or(0, days_of_date)
}

/// The date `(year, month 1–12, day 1–31)` of a day number since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let date = date_of_days(days);
    (
        i64::from(date.year()),
        u32::from(u8::from(date.month())),
        u32::from(date.day()),
    )
}

/// Monday = 0 … Sunday = 6 of a day number.
pub fn weekday_of_days(days: i64) -> usize {
    usize::from(date_of_days(days).weekday().number_days_from_monday())
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
    first_of_month_days(year, month) * DAY_MS
}

/// Spotify's timestamps: `2024-04-20T18:15:22Z` (extended history, `ts`),
/// `2023-09-22T15:43:33.750Z` (Web API, `played_at`); a space for the `T`, a missing or numeric
/// offset, and any fraction of a second are accepted too.
const TIMESTAMP: &[BorrowedFormatItem<'_>] = format_description!(
    version = 2,
    "[year]-[month]-[day][first [T][ ]][hour]:[minute]:[second][optional [.[subsecond]]]\
     [optional [[first [Z][z][[offset_hour sign:mandatory]:[offset_minute]]]]]"
);

/// Account data's `endTime`: `2024-09-23 07:36`, sometimes with seconds or a `Z`.
const END_TIME: &[BorrowedFormatItem<'_>] = format_description!(
    version = 2,
    "[year]-[month]-[day][first [ ][T]][hour]:[minute][optional [:[second]]][optional [Z]]"
);

/// A form's date.
const DATE: &[BorrowedFormatItem<'_>] = format_description!(version = 2, "[year]-[month]-[day]");

/// Parses `text` whole against `items`, returning the parsed fields and the day number of the
/// date they name (`None` for text that doesn't fit, or a date that doesn't exist).
fn parse_whole(text: &str, items: &[BorrowedFormatItem<'_>]) -> Option<(Parsed, i64)> {
    let mut parsed = Parsed::new();
    let rest = parsed.parse_items(text.as_bytes(), items).ok()?;
    if !rest.is_empty() {
        return None;
    }
    let date = Date::from_calendar_date(parsed.year()?, parsed.month()?, parsed.day()?.get());
    Some((parsed, days_of_date(date.ok()?)))
}

/// Unix milliseconds of a day number and a time of day in seconds.
fn unix_ms(days: i64, seconds: i64, millis: i64) -> i64 {
    (days * 86_400 + seconds) * 1000 + millis
}

/// A UTC timestamp of the extended streaming history (`ts`, e.g. `2024-04-20T18:15:22Z`),
/// or of the Web API (`played_at`, e.g. `2023-09-22T15:43:33.750Z`), in Unix milliseconds.
/// Fractions of a second and a `+00:00` suffix are accepted; other offsets are applied. A leap
/// second (`:60`) counts as the next minute's first.
pub fn parse_utc_timestamp(text: &str) -> Option<i64> {
    let (parsed, days) = parse_whole(text, TIMESTAMP)?;
    let seconds = i64::from(parsed.hour_24()?) * 3600
        + i64::from(parsed.minute()?) * 60
        + i64::from(parsed.second()?);
    let millis = i64::from(parsed.subsecond().unwrap_or(0) / 1_000_000);
    let offset = match parsed.offset_hour() {
        Some(hours) => {
            let minutes = i64::from(parsed.offset_minute_signed().unwrap_or(0));
            i64::from(hours) * 3600 + minutes * 60
        }
        None => 0,
    };
    Some(unix_ms(days, seconds - offset, millis))
}

/// An account-data `endTime` (`YYYY-MM-DD HH:MM`, UTC, no seconds) in Unix milliseconds.
pub fn parse_end_time(text: &str) -> Option<i64> {
    let (parsed, days) = parse_whole(text, END_TIME)?;
    let second = parsed.second().unwrap_or(0);
    if second > 59 {
        return None;
    }
    let seconds =
        i64::from(parsed.hour_24()?) * 3600 + i64::from(parsed.minute()?) * 60 + i64::from(second);
    Some(unix_ms(days, seconds, 0))
}

/// A `YYYY-MM-DD` date (a form field) as days since 1970-01-01.
pub fn parse_date(text: &str) -> Option<i64> {
    parse_whole(text.trim(), DATE).map(|(_, days)| days)
}

/// `YYYY-MM-DD` of a day number.
pub fn format_date(days: i64) -> String {
    date_of_days(days).to_string()
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
        assert_eq!(days_from_civil(1970, 1, 1), Some(0));
        assert_eq!(days_from_civil(2000, 3, 1), Some(11_017));
        assert_eq!(days_from_civil(2023, 2, 29), None, "not a leap year");
        assert_eq!(days_from_civil(2024, 13, 1), None);
        for days in [-1000, -1, 0, 59, 60, 11_016, 19_000, 20_000, 50_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), Some(days));
        }
        assert_eq!(first_of_month_days(2000, 3), 11_017);
        assert_eq!(first_of_month_days(2000, 0), first_of_month_days(2000, 1));
        assert_eq!(
            civil_from_days(i64::MAX / 2).0,
            9999,
            "clamped, not a panic"
        );
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
        assert_eq!(
            parse_utc_timestamp("2023-09-22 15:43:33.7509Z"),
            Some(1_695_397_413_750),
            "a space for the T; a fraction is cut to milliseconds"
        );
        assert_eq!(
            parse_utc_timestamp("2023-09-22T15:43:33"),
            parse_utc_timestamp("2023-09-22T15:43:33+00:00"),
            "no offset is UTC"
        );
        assert_eq!(
            parse_utc_timestamp("2016-12-31T23:59:60Z"),
            parse_utc_timestamp("2017-01-01T00:00:00Z"),
            "a leap second is the next minute's first"
        );
        assert_eq!(
            parse_utc_timestamp("2024-01-01T00:30:00-01:30"),
            Some(parse_utc_timestamp("2024-01-01T02:00:00Z").unwrap())
        );
        assert_eq!(parse_end_time("1970-01-02 00:01"), Some(86_460_000));
        assert_eq!(parse_end_time("1970-01-02T00:01:05Z"), Some(86_465_000));
        for bad in [
            "",
            "2024-13-01T00:00:00Z",
            "2024-02-30T00:00:00Z",
            "yesterday",
            "2024-01-01T25:00:00Z",
            "2024-01-01T00:00:00Q",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00Z trailing",
            "2024-1-01T00:00:00Z",
        ] {
            assert_eq!(parse_utc_timestamp(bad), None, "{bad}");
        }
        for bad in [
            "2024-01-01",
            "2024-01-01 7:00",
            "2024-01-01 07:60",
            "2024-01-01 07:00:60",
            "2023-02-29 07:00",
        ] {
            assert_eq!(parse_end_time(bad), None, "{bad}");
        }
        assert_eq!(parse_date(" 2024-03-01 "), days_from_civil(2024, 3, 1));
        assert_eq!(parse_date("2024-3-1"), None);
        assert_eq!(
            format_date(days_from_civil(2024, 3, 1).unwrap()),
            "2024-03-01"
        );
    }
}
