//! A listening history generated for the year-in-review tests: three years of plays through
//! 2023–2025 in Europe/Berlin, with crafted plays for the edges (midnights, New Year, both DST
//! changes, a rediscovery a day past 365 days and one exactly at it), and the calendar
//! arithmetic the tests work their expectations out with — Berlin's offsets written out here,
//! never the code under test.

pub(crate) const DAY: i64 = 86_400;

/// Berlin's offset (seconds) at Unix time `t`, 2022–2025: CEST from 01:00 UTC on the last
/// Sunday of March to 01:00 UTC on the last Sunday of October.
pub(crate) fn berlin_offset(t: i64) -> i64 {
    let summer = [
        (1_648_342_800, 1_667_091_600), // 2022: 27 Mar – 30 Oct
        (1_679_792_400, 1_698_541_200), // 2023: 26 Mar – 29 Oct
        (1_711_846_800, 1_729_990_800), // 2024: 31 Mar – 27 Oct
        (1_743_296_400, 1_761_440_400), // 2025: 30 Mar – 26 Oct
    ];
    if summer.iter().any(|&(a, b)| (a..b).contains(&t)) {
        7200
    } else {
        3600
    }
}

/// Local day number (days since 1970-01-01) and hour in Berlin.
pub(crate) fn local(t: i64) -> (i64, i64) {
    let l = t + berlin_offset(t);
    (l.div_euclid(DAY), l.rem_euclid(DAY) / 3600)
}

/// Civil date of a day number (Howard Hinnant's algorithm).
pub(crate) fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { 1 } else { 0 } + yoe + era * 400, m, d)
}

pub(crate) const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

pub(crate) fn day_text(day: i64) -> String {
    let (y, m, d) = civil(day);
    format!("{d} {} {y}", MONTHS[m as usize - 1])
}

/// A play: end time (Unix s), ms, track index.
#[derive(Clone, Copy)]
pub(crate) struct Play {
    pub(crate) at: i64,
    pub(crate) ms: i64,
    pub(crate) track: usize,
}

pub(crate) struct Song {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) artist: String,
    pub(crate) album: String,
}

pub(crate) fn songs() -> Vec<Song> {
    let artists = [
        "Aster", "Birch", "Cedar", "Dune", "Elm", "Fjord", "Gale", "Heath",
    ];
    (0..16)
        .map(|n| {
            let artist = match n {
                14 => "Iris",
                15 => "Juniper",
                _ => artists[n % artists.len()],
            };
            Song {
                id: format!("{:0>22}", format!("T{n}")),
                name: format!("Song {n:02}"),
                artist: artist.to_owned(),
                album: format!("{artist} {}", if n < 8 { "One" } else { "Two" }),
            }
        })
        .collect()
}

pub(crate) fn entry(play: &Play, song: &Song) -> serde_json::Value {
    let ts = time::OffsetDateTime::from_unix_timestamp(play.at).unwrap();
    serde_json::json!({
        "ts": ts.format(&time::format_description::well_known::Rfc3339).unwrap(),
        "platform": "linux", "ms_played": play.ms, "conn_country": "SE", "ip_addr": "",
        "master_metadata_track_name": song.name, "master_metadata_album_artist_name": song.artist,
        "master_metadata_album_album_name": song.album,
        "spotify_track_uri": format!("spotify:track:{}", song.id),
        "episode_name": null, "episode_show_name": null, "spotify_episode_uri": null,
        "audiobook_title": null, "audiobook_uri": null, "audiobook_chapter_uri": null,
        "audiobook_chapter_title": null, "reason_start": "trackdone", "reason_end": "trackdone",
        "shuffle": false, "skipped": false, "offline": false, "offline_timestamp": 0,
        "incognito_mode": false
    })
}

/// Berlin local time → Unix seconds (for the crafted edge plays).
pub(crate) fn at_local(y: i64, m: u32, d: u32, h: i64, min: i64) -> i64 {
    let days = (0..)
        .map(|n| 19_000 + n)
        .find(|&day| civil(day) == (y, m, d))
        .unwrap();
    let guess = days * DAY + h * 3600 + min * 60;
    guess - berlin_offset(guess - 3600)
}

/// The generated history: pseudo-random plays of tracks 0–9 through 2023–2025, plus crafted
/// ones for the edges (tracks 10–15 by the artists "Elm"…"Heath" and the rediscovery cases).
pub(crate) fn history() -> Vec<Play> {
    let mut plays = Vec::new();
    let mut seed: u64 = 0x2024_1234_5678_9abc;
    let mut next = |below: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % below
    };
    let start = 1_672_531_200; // 2023-01-01 UTC
    let mut at = start + 3_000;
    while at < 1_767_225_600 - 3 * DAY {
        // Tracks 0–5 only (Aster…Fjord): later tracks are kept for the crafted cases.
        let track = (next(6) * next(6) / 5) as usize;
        plays.push(Play {
            at,
            ms: 60_000 + next(200_000) as i64,
            track,
        });
        at += 20_000 + next(300_000) as i64;
    }
    // Gale (track 6): played 10 Jan 2023, then back 11 Jan 2024 (a rediscovery).
    plays.push(Play {
        at: at_local(2023, 1, 10, 12, 0),
        ms: 100_000,
        track: 6,
    });
    plays.push(Play {
        at: at_local(2024, 1, 11, 12, 0),
        ms: 100_000,
        track: 6,
    });
    // Heath (track 7): played 1 Feb 2023 12:00 and back 1 Feb 2024 12:00, 365 days later to the
    // second: a play 365 days before counts as "within", so not a rediscovery.
    plays.push(Play {
        at: at_local(2023, 2, 1, 12, 0),
        ms: 100_000,
        track: 7,
    });
    plays.push(Play {
        at: at_local(2024, 2, 1, 12, 0),
        ms: 100_000,
        track: 7,
    });
    // Track 8 (Aster): ten plays on 14 Jul 2024, the song on repeat.
    for n in 0..10 {
        plays.push(Play {
            at: at_local(2024, 7, 14, 9, n * 4),
            ms: 200_000,
            track: 8,
        });
    }
    // Track 9 (Birch): 23:59 and 00:01 local around midnights, and New Year's Eve both sides.
    plays.push(Play {
        at: at_local(2024, 12, 31, 23, 59),
        ms: 30_000,
        track: 9,
    });
    plays.push(Play {
        at: at_local(2025, 1, 1, 0, 1),
        ms: 30_000,
        track: 9,
    });
    // Track 10 (Cedar): first ever in 2024 under a new album.
    plays.push(Play {
        at: at_local(2024, 3, 31, 3, 30),
        ms: 90_000,
        track: 10,
    });
    plays.push(Play {
        at: at_local(2024, 10, 27, 2, 30),
        ms: 90_000,
        track: 10,
    });
    // Iris and Juniper (tracks 14, 15): new artists of 2024.
    plays.push(Play {
        at: at_local(2024, 8, 2, 18, 0),
        ms: 150_000,
        track: 14,
    });
    plays.push(Play {
        at: at_local(2024, 8, 3, 18, 0),
        ms: 150_000,
        track: 15,
    });
    // Track 13 (Fjord "Two"): first play of a new song in 2024; artist known before.
    plays.push(Play {
        at: at_local(2024, 5, 5, 20, 0),
        ms: 90_000,
        track: 13,
    });
    plays.sort_by_key(|p| p.at);
    plays
}

/// Imports the generated history as `client`'s extended streaming history.
pub(crate) async fn import_generated(app: &crate::common::TestApp, client: &reqwest::Client) {
    let songs = songs();
    let entries: Vec<serde_json::Value> = history()
        .iter()
        .map(|p| entry(p, &songs[p.track]))
        .collect();
    let export = crate::common::history::zip_of(&[(
        "Streaming_History_Audio_2023-2025_0.json",
        crate::common::history::json(&entries),
    )]);
    crate::common::history::import(app, client, &[("my_spotify_data.zip", export)]).await;
}
