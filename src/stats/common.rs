//! Small rules shared by several panels: durations, release dates, artist credits, images.

use crate::domain::{Album, ArtistRef, Image, pick_image};

/// Writes a track length as `m:ss` from `⌊duration_ms / 1000⌋` seconds.
///
/// Minutes are not wrapped into hours (`61:05`), because a few classical and ambient tracks run
/// past an hour and `1:01:05` would read like a different format in a column of `m:ss`.
pub fn format_duration(duration_ms: u64) -> String {
    let seconds = duration_ms / 1000;
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// The release year of an album's `release_date`, or `None` when it is unknown.
///
/// The year is the first four characters when they are all ASCII digits and the year is at
/// least 1000: Spotify sends `0000` for albums whose date it does not know, and anything
/// shorter or non-numeric is no year at all.
pub fn release_year(release_date: Option<&str>) -> Option<i32> {
    let mut characters = release_date?.chars();
    let mut year = 0i32;
    for _ in 0..4 {
        // `to_digit(10)` accepts only '0'..='9': other scripts' digits are not a year here.
        let digit = characters.next()?.to_digit(10)?;
        year = year * 10 + digit as i32;
    }
    // Only the first four characters matter, whatever follows them.
    (year >= 1000).then_some(year)
}

/// The release month (1–12) of an album whose date is precise to the month or the day.
///
/// The precision decides, not the string: a `year`-precision date has no month even if it
/// were written with one. The month is the part after the first `-` (`YYYY-MM[-DD]`).
pub fn release_month(album: &Album) -> Option<u8> {
    match album.release_date_precision.as_deref() {
        Some("month" | "day") => {}
        _ => return None,
    }
    let date = album.release_date.as_deref()?;
    let month = date.split('-').nth(1)?;
    if month.is_empty() || month.len() > 2 || !month.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let month: u8 = month.parse().ok()?;
    (1..=12).contains(&month).then_some(month)
}

/// The credited artists' names joined by `", "`, in Spotify's order.
pub fn join_artist_names(artists: &[ArtistRef]) -> String {
    artists
        .iter()
        .map(|artist| artist.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The image a row shows (300 pixels wide, else the first), owned so rows stand alone.
/// `None` means the view draws its neutral placeholder.
pub fn chosen_image(images: &[Image]) -> Option<Image> {
    pick_image(images).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testing::{album_dated, image};

    #[test]
    fn durations_are_whole_seconds_as_m_ss() {
        assert_eq!(format_duration(0), "0:00");
        assert_eq!(format_duration(999), "0:00");
        assert_eq!(format_duration(1_000), "0:01");
        // 3:32.027 is floored, never rounded up to 3:33.
        assert_eq!(format_duration(212_027), "3:32");
        assert_eq!(format_duration(59_999), "0:59");
        assert_eq!(format_duration(60_000), "1:00");
        assert_eq!(format_duration(600_000), "10:00");
        // Minutes are unbounded: an hour and five seconds is 60:05, not 1:00:05.
        assert_eq!(format_duration(3_665_000), "61:05");
        assert_eq!(format_duration(3_600_000), "60:00");
    }

    #[test]
    fn release_years_take_the_first_four_digits() {
        assert_eq!(release_year(Some("2021-04-30")), Some(2021));
        assert_eq!(release_year(Some("1999-12")), Some(1999));
        assert_eq!(release_year(Some("1967")), Some(1967));
        assert_eq!(release_year(Some("1000")), Some(1000));
    }

    #[test]
    fn release_years_that_are_not_years_are_unknown() {
        assert_eq!(release_year(Some("0000")), None);
        assert_eq!(release_year(Some("0999-01-01")), None);
        assert_eq!(release_year(Some("")), None);
        assert_eq!(release_year(None), None);
        assert_eq!(release_year(Some("199")), None);
        assert_eq!(release_year(Some("19x9")), None);
        assert_eq!(release_year(Some(" 1999")), None);
        assert_eq!(release_year(Some("-199")), None);
        // Arabic-Indic digits are digits to Unicode but not to a year.
        assert_eq!(release_year(Some("١٩٩٩")), None);
    }

    #[test]
    fn release_months_need_month_or_day_precision() {
        assert_eq!(release_month(&album_dated("2021-04-30", "day")), Some(4));
        assert_eq!(release_month(&album_dated("2014-12", "month")), Some(12));
        assert_eq!(release_month(&album_dated("2014-01", "month")), Some(1));
        // A year-only date has no month, whatever the string looks like.
        assert_eq!(release_month(&album_dated("2014", "year")), None);
        assert_eq!(release_month(&album_dated("2014-05-01", "year")), None);
        // Precision claims a month that is not there or not a month.
        assert_eq!(release_month(&album_dated("2014", "day")), None);
        assert_eq!(release_month(&album_dated("2014-13-01", "day")), None);
        assert_eq!(release_month(&album_dated("2014-00-01", "day")), None);
        assert_eq!(release_month(&album_dated("2014-ab-01", "day")), None);
        assert_eq!(release_month(&album_dated("", "day")), None);
        let mut missing = album_dated("", "day");
        missing.release_date = None;
        assert_eq!(release_month(&missing), None);
        let mut no_precision = album_dated("2014-05-01", "");
        no_precision.release_date_precision = None;
        assert_eq!(release_month(&no_precision), None);
    }

    #[test]
    fn artist_names_are_joined_with_comma_space() {
        let credit = |name: &str| ArtistRef {
            id: format!("id-{name}"),
            name: name.to_owned(),
            ..ArtistRef::default()
        };
        assert_eq!(join_artist_names(&[]), "");
        assert_eq!(join_artist_names(&[credit("Zedd")]), "Zedd");
        assert_eq!(
            join_artist_names(&[credit("Hailee Steinfeld"), credit("Grey"), credit("Zedd")]),
            "Hailee Steinfeld, Grey, Zedd"
        );
    }

    #[test]
    fn image_choice_prefers_300_wide_else_first_else_none() {
        let images = [image("big", 640), image("mid", 300), image("small", 64)];
        assert_eq!(chosen_image(&images), Some(image("mid", 300)));
        let images = [image("big", 640), image("mid", 320), image("small", 160)];
        assert_eq!(chosen_image(&images), Some(image("big", 640)));
        assert_eq!(chosen_image(&[]), None);
    }
}
