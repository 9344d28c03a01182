use std::io::{self, Read};

use super::entry::Entry;
use super::scan::{BLOCK, parse_blocks};
use super::*;
use crate::domain::time::{parse_end_time, parse_utc_timestamp};
use crate::store::name_key;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/spotify/export/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The tests' now: 2026-01-01.
fn now() -> i64 {
    parse_utc_timestamp("2026-01-01T00:00:00Z").unwrap()
}

/// What a parse handed over: the plays, and every batch's tracks.
#[derive(Default)]
struct Handed {
    plays: Vec<NewPlay>,
    tracks: Vec<TrackFacts>,
    batches: usize,
}

fn run_with(
    bytes: &[u8],
    known: &HashMap<(String, String), String>,
) -> (Result<FileTally, ParseError>, Handed) {
    let mut handed = Handed::default();
    let result = parse(&mut &bytes[..], known, now(), |batch| {
        handed.plays.extend(batch.plays);
        handed.tracks.extend(batch.tracks);
        handed.batches += 1;
        true
    });
    (result, handed)
}

fn run(bytes: &[u8]) -> (Result<FileTally, ParseError>, Vec<NewPlay>) {
    let (result, handed) = run_with(bytes, &HashMap::new());
    (result, handed.plays)
}

/// A reader handing out a few bytes at a time.
struct Trickle<'a>(&'a [u8], usize);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.1.min(buf.len()).min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

/// The parse of `bytes` handed out `trickle` bytes per read.
fn run_trickled(bytes: &[u8], trickle: usize) -> (Result<FileTally, ParseError>, Vec<NewPlay>) {
    let mut plays = Vec::new();
    let result = parse_blocks(
        &mut Trickle(bytes, trickle),
        BLOCK,
        &HashMap::new(),
        now(),
        |batch| {
            plays.extend(batch.plays);
            true
        },
    );
    (result, plays)
}

#[test]
fn file_names_tell_the_kind() {
    use FileKind::*;
    for (name, kind) in [
        (
            "Spotify Extended Streaming History/Streaming_History_Audio_2019-2021_3.json",
            Some(Extended),
        ),
        ("MyData/endsong_0.json", Some(Extended)),
        (
            "Spotify Extended Streaming History/Streaming_History_Video_2020-2024.json",
            Some(Video),
        ),
        (
            "Spotify Account Data/StreamingHistory_music_3.json",
            Some(AccountMusic),
        ),
        ("MyData/StreamingHistory0.json", Some(AccountMusic)),
        (
            "Spotify Account Data/StreamingHistory_podcast_0.json",
            Some(Podcast),
        ),
        ("Spotify Account Data/Userdata.json", None),
        ("Spotify Account Data/ReadMeFirst.pdf", None),
    ] {
        assert_eq!(kind_from_name(name), kind, "{name}");
    }
}

#[test]
fn file_names_tell_the_series_and_number() {
    for (name, series) in [
        (
            "Spotify Extended Streaming History/Streaming_History_Audio_2020-2021_3.json",
            Some(("streaming_history_audio_", 3)),
        ),
        (
            "Streaming_History_Audio_2022_12.json",
            Some(("streaming_history_audio_", 12)),
        ),
        ("MyData/endsong_0.json", Some(("endsong_", 0))),
        (
            "StreamingHistory_music_0.json",
            Some(("streaminghistory_music_", 0)),
        ),
        (
            "MyData/StreamingHistory1.json",
            Some(("streaminghistory", 1)),
        ),
        ("Streaming_History_Audio_2020.json", None),
        ("Streaming_History_Audio_2020-2021.json", None),
        ("StreamingHistory_music_0 (1).json", None),
        ("notes.txt", None),
    ] {
        assert_eq!(
            series_of(name),
            series.map(|(s, n)| (s.to_owned(), n)),
            "{name}"
        );
    }
}

#[test]
fn extended_history_current_format() {
    let (tally, handed) = run_with(
        &fixture("extended_Streaming_History_Audio_format2023plus.json"),
        &HashMap::new(),
    );
    let tally = tally.unwrap();
    let plays = handed.plays;
    assert_eq!(tally.kind, Some(FileKind::Extended));
    let counts = tally.counts;
    assert_eq!(tally.plays as usize, plays.len());
    assert_eq!(
        plays.len() as i64
            + counts.short_skipped
            + counts.incognito_skipped
            + counts.no_track
            + counts.other_skipped,
        5
    );
    assert!(
        counts.short_skipped >= 1,
        "the 2.4 s play is short: {counts:?}"
    );
    let monsters = plays
        .iter()
        .find(|p| p.track_key == "50DMJJpAeQv4fIpxZvQz2e")
        .unwrap();
    assert_eq!(
        monsters.played_at,
        parse_utc_timestamp("2023-03-19T18:31:37Z").unwrap()
    );
    assert_eq!(monsters.ms_played, 174_424);
    let facts = handed
        .tracks
        .iter()
        .find(|t| t.track_key == "50DMJJpAeQv4fIpxZvQz2e")
        .unwrap();
    assert_eq!(facts.artist_name, "All Time Low");
    assert_eq!(facts.track_id.as_deref(), Some("50DMJJpAeQv4fIpxZvQz2e"));
    assert_eq!(facts.first_played_at, monsters.played_at);
}

#[test]
fn extended_history_legacy_endsong_with_null_flags() {
    let (tally, plays) = run(&fixture("extended_endsong_0_legacy_format.json"));
    let tally = tally.unwrap();
    assert_eq!(tally.kind, Some(FileKind::Extended));
    assert!(
        plays
            .iter()
            .any(|p| p.track_key == "6pHLEjP6LdsoP31jZDNc6e")
    );
    assert_eq!(
        tally.plays
            + tally.counts.short_skipped
            + tally.counts.incognito_skipped
            + tally.counts.no_track
            + tally.counts.other_skipped,
        5
    );
}

#[test]
fn account_data_music_has_names_only() {
    let (tally, handed) = run_with(
        &fixture("account_StreamingHistory_music_3.json"),
        &HashMap::new(),
    );
    let tally = tally.unwrap();
    assert_eq!(tally.kind, Some(FileKind::AccountMusic));
    assert_eq!(
        tally.plays + tally.counts.short_skipped + tally.counts.no_track,
        150
    );
    let first = &handed.plays[0];
    assert_eq!(first.track_key, name_key("結束バンド", "月並みに輝け"));
    assert_eq!(first.played_at, parse_end_time("2024-09-23 07:36").unwrap());
    assert!(handed.tracks.iter().all(|t| t.track_id.is_none()));
}

#[test]
fn account_entries_link_to_known_tracks_by_exact_names() {
    let mut known = HashMap::new();
    known.insert(
        ("結束バンド".to_owned(), "月並みに輝け".to_owned()),
        "ID1".to_owned(),
    );
    let (result, handed) = run_with(&fixture("account_StreamingHistory_music_3.json"), &known);
    result.unwrap();
    assert_eq!(handed.plays[0].track_key, "ID1");
    assert!(handed.plays.iter().any(|p| p.track_key.starts_with('~')));
}

#[test]
fn podcasts_are_recognised_and_skipped() {
    let (tally, plays) = run(&fixture("account_StreamingHistory_podcast_0.json"));
    let tally = tally.unwrap();
    assert_eq!(tally.kind, Some(FileKind::Podcast));
    assert!(plays.is_empty());
    assert!(tally.counts.other_skipped > 0);
}

#[test]
fn broken_input_is_located() {
    let mut truncated = fixture("extended_endsong_0_legacy_format.json");
    truncated.truncate(truncated.len() / 2);
    match run(&truncated).0 {
        Err(ParseError::Json {
            truncated: true,
            line,
            ..
        }) => assert!(line > 10),
        other => panic!("{other:?}"),
    }
    let wrong = br#"[{"ts": "2024-01-01T00:00:00Z", "ms_played": "lots"}]"#;
    match run(wrong).0 {
        Err(ParseError::Json {
            message,
            line: 1,
            column,
            truncated: false,
        }) => {
            assert!(message.contains("invalid type: string"), "{message}");
            assert!(column > 30, "{column}");
        }
        other => panic!("{other:?}"),
    }
    let syntax = b"[\n{\"ts\": \"2024-01-01T00:00:00Z\",, }]";
    assert!(matches!(
        run(syntax).0,
        Err(ParseError::Json {
            line: 2,
            truncated: false,
            ..
        })
    ));
    assert!(matches!(
        run(br#"{"userName": "x"}"#).0,
        Err(ParseError::NotAnExport(_))
    ));
    match run(br#"[{"name": "Liked Songs"}]"#).0 {
        Err(ParseError::NotAnExport(why)) => assert!(why.contains("entry 1"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        run(b"").0,
        Err(ParseError::Json {
            truncated: true,
            ..
        })
    ));
    let (empty, _) = run(b" [ ] ");
    assert_eq!(empty.unwrap().kind, None);
}

#[test]
fn reading_in_any_pieces_gives_the_same_plays() {
    for name in [
        "extended_Streaming_History_Audio_format2023plus.json",
        "extended_endsong_0_legacy_format.json",
        "account_StreamingHistory_music_3.json",
        "account_StreamingHistory_podcast_0.json",
    ] {
        let bytes = fixture(name);
        let (expected, expected_plays) = run(&bytes);
        let expected = expected.unwrap();
        for trickle in [1, 3, 17, 1000, usize::MAX] {
            let (tally, plays) = run_trickled(&bytes, trickle);
            assert_eq!(tally.unwrap(), expected);
            assert_eq!(
                plays, expected_plays,
                "{name} read {trickle} bytes at a time"
            );
        }
    }
}

/// What serde_json itself says of a document that is not valid JSON: the parser must say the
/// same, at the same place, whatever else it does differently (reading in blocks).
fn serde_says(bytes: &[u8]) -> Option<ParseError> {
    use serde_json::error::Category;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let error = serde_json::from_slice::<Vec<Entry>>(bytes).err()?;
    let (line, column) = (error.line(), error.column());
    match error.classify() {
        Category::Eof => Some(ParseError::Json {
            message: "unexpected end of file".into(),
            line,
            column,
            truncated: true,
        }),
        Category::Syntax => {
            let text = error.to_string();
            let message = text[..text.rfind(" at line ").unwrap()].to_owned();
            Some(ParseError::Json {
                message,
                line,
                column,
                truncated: false,
            })
        }
        // A value of the wrong type: at the top level, not a list of plays at all.
        Category::Data if !bytes.trim_ascii_start().starts_with(b"[") => {
            Some(ParseError::NotAnExport(
                "it holds no list of plays (its top level is not a JSON array)".into(),
            ))
        }
        Category::Data | Category::Io => None,
    }
}

#[test]
fn every_error_is_where_serde_json_puts_it() {
    let good = fixture("extended_endsong_0_legacy_format.json");
    let mut broken: Vec<Vec<u8>> = Vec::new();
    // Cut anywhere, and bytes replaced anywhere.
    for cut in (0..good.len()).step_by(7) {
        broken.push(good[..cut].to_vec());
    }
    for (at, byte) in (0..good.len()).step_by(11).zip(
        [b'x', b'"', b',', b']', b'}', b'{', b'0', b' ']
            .iter()
            .cycle(),
    ) {
        let mut bytes = good.clone();
        bytes[at] = *byte;
        broken.push(bytes);
    }
    for text in [
        &br#"[{"ts": "2024-01-01T00:00:00Z", "ms_played": "lots"}]"#[..],
        b"[\n{\"ts\": \"2024-01-01T00:00:00Z\",, }]",
        br#"{"userName": "x"}"#,
        br#"[1, 2]"#,
        br#"[{"ts":"2024-01-01T00:00:00Z","ms_played":1},]"#,
        br#"[] x"#,
        b"\xEF\xBB\xBF[1]",
        b"\xEF\xBB\xBF",
        b"\xEF\xBB[]",
        b" \xEF\xBB\xBF[]",
        b"",
        b"   ",
        b"[\n\n  ",
        b"[{}\n\n x",
    ] {
        broken.push(text.to_vec());
    }
    let mut compared = 0;
    for bytes in &broken {
        let Some(expected) = serde_says(bytes) else {
            continue;
        };
        compared += 1;
        for trickle in [usize::MAX, 2, 64] {
            let (result, _) = run_trickled(bytes, trickle);
            let text = String::from_utf8_lossy(bytes);
            match (result, &expected) {
                // The parser stops at the first entry it can't use, which may come before
                // serde_json's error further on.
                (Err(ParseError::NotAnExport(_)), ParseError::Json { .. }) => {}
                (Err(ParseError::Json { message, .. }), ParseError::Json { .. })
                    if message.starts_with("entry ") => {}
                (Err(error), expected) => assert_eq!(&error, expected, "{text}"),
                (Ok(tally), _) => panic!("{text} parsed: {tally:?}"),
            }
        }
    }
    assert!(compared > 100, "only {compared} documents compared");
}

#[test]
fn entry_errors_name_the_entry_and_its_end() {
    let text = b"[{\"ts\":\"2020-01-01T10:00:00Z\",\"ms_played\":40000,\"master_metadata_track_name\":\"A\",\"master_metadata_album_artist_name\":\"X\"},\n {\"ts\":\"someday\",\"ms_played\":1}]";
    assert_eq!(
        run(text).0.unwrap_err(),
        ParseError::Json {
            message: "entry 2: ts \"someday\" is not a date and time".into(),
            line: 2,
            column: 31,
            truncated: false,
        }
    );
}

/// `parse` over `head`, `huge` bytes of `filler` and `tail`; with the bytes it left unread.
fn parse_endless(
    head: &[u8],
    filler: u8,
    huge: u64,
    tail: &[u8],
) -> (Result<FileTally, ParseError>, u64) {
    let mut reader = head.chain(io::repeat(filler).take(huge)).chain(tail);
    let result = parse(&mut reader, &HashMap::new(), now(), |_| true);
    let unread = io::copy(&mut reader, &mut io::sink()).unwrap();
    (result, unread)
}

const PLAY: &str = r#"{"ts":"2020-01-01T10:00:00Z","ms_played":40000,"master_metadata_track_name":"A","master_metadata_album_artist_name":"X","spotify_track_uri":"spotify:track:aaa"}"#;

#[test]
fn an_entry_over_the_limit_fails_the_file_and_is_read_no_further() {
    // Entry 3 of 64 MiB (as in a zip bomb), after two plays.
    let head = format!(r#"[{PLAY}, {PLAY}, {{"ts":"2020-01-01T10:00:00Z","ms_played":40000,"x":""#);
    let huge = 64 << 20;
    let (result, left) = parse_endless(head.as_bytes(), b'A', huge, b"\"}]");
    assert_eq!(result.unwrap_err(), ParseError::EntryTooLarge(3));
    assert!(
        left > huge - (2 << 20),
        "only {left} bytes were left unread"
    );
    assert_eq!(
        ParseError::EntryTooLarge(3).to_string(),
        "entry 3 of the file's list is larger than 64 KiB: not a Spotify export entry \
         (a play takes less than 2 KB)"
    );

    // Whitespace padding inside an entry counts as the entry's.
    let head = format!(r#"[{PLAY}, {{"ts":"2020-01-01T10:00:00Z","#);
    let (result, left) = parse_endless(head.as_bytes(), b' ', huge, b"\"ms_played\":1}]");
    assert_eq!(result.unwrap_err(), ParseError::EntryTooLarge(2));
    assert!(
        left > huge - (2 << 20),
        "only {left} bytes were left unread"
    );

    // Just under the limit is an entry like any other, read in pieces of any size.
    let padding = "A".repeat(MAX_ENTRY_BYTES - PLAY.len() - 20);
    let large = format!(r#"[{}, "x":"{padding}"}}]"#, &PLAY[..PLAY.len() - 1]);
    assert!(large.len() < MAX_ENTRY_BYTES);
    for trickle in [usize::MAX, 1 << 16, 1000] {
        let (tally, plays) = run_trickled(large.as_bytes(), trickle);
        assert_eq!(tally.unwrap().plays, 1);
        assert_eq!(plays.len(), 1);
    }

    // A string at the top level is not read to its end.
    let (result, left) = parse_endless(b"\"", b'A', huge, b"\"");
    assert!(
        matches!(result, Err(ParseError::NotAnExport(_))),
        "{result:?}"
    );
    assert!(
        left > huge - (2 << 20),
        "only {left} bytes were left unread"
    );
}

#[test]
fn whitespace_between_entries_and_deep_nesting_cost_nothing_and_fail_plainly() {
    // 128 MiB of blanks between two plays (128 blocks): read through, never held.
    let head = format!("[{PLAY},");
    let tail = format!("{PLAY}]");
    let (result, left) = parse_endless(head.as_bytes(), b'\n', 128 << 20, tail.as_bytes());
    let tally = result.unwrap();
    assert_eq!((tally.plays, left), (2, 0));

    // Lists in lists: not a play, said at the first entry.
    let (result, left) = parse_endless(b"[", b'[', 64 << 20, b"");
    assert_eq!(
        result.unwrap_err(),
        ParseError::NotAnExport(
            "entry 1 of its list is not a play (a JSON object with named fields)".into()
        )
    );
    assert!(left > (60 << 20), "only {left} bytes were left unread");

    // Nesting inside an entry's field is skipped like any value it doesn't read, within the
    // entry's limit.
    let head = format!("[{PLAY},\n{{\"x\":");
    let (result, left) = parse_endless(head.as_bytes(), b'[', 64 << 20, b"");
    assert_eq!(result.unwrap_err(), ParseError::EntryTooLarge(2));
    assert!(left > (60 << 20), "only {left} bytes were left unread");
}

#[test]
fn long_names_are_cut_and_counted_and_batches_stay_small() {
    let long = "ü".repeat(3000);
    let entries: Vec<String> = (0..50)
        .map(|i| {
            format!(
                r#"{{"ts":"2020-01-01T10:{:02}:00Z","ms_played":40000,"master_metadata_track_name":"{long}","master_metadata_album_artist_name":"X{i}","master_metadata_album_album_name":"{long}","spotify_track_uri":"spotify:track:t{i}"}}"#,
                i % 60
            )
        })
        .collect();
    let json = format!("[{}]", entries.join(","));
    let (tally, handed) = run_with(json.as_bytes(), &HashMap::new());
    let tally = tally.unwrap();
    assert_eq!(tally.plays, 50);
    assert_eq!(tally.names_shortened, 100);
    for track in &handed.tracks {
        assert!(track.name.len() <= MAX_NAME_BYTES, "{}", track.name.len());
        // The memory held is the name's, not the 9 KB it was cut from.
        assert!(
            track.name.capacity() <= MAX_NAME_BYTES,
            "{}",
            track.name.capacity()
        );
        assert!(track.name.ends_with('…'));
        assert!(track.name.starts_with("üü"));
        assert!(track.album_name.as_ref().unwrap().len() <= MAX_NAME_BYTES);
    }

    // Many tracks with names near the limit go over in several batches, each within the
    // batch's budget of names.
    let name = "n".repeat(MAX_NAME_BYTES);
    let entries: Vec<String> = (0..3000)
        .map(|i| {
            format!(
                r#"{{"ts":"2020-01-01T10:00:00Z","ms_played":40000,"master_metadata_track_name":"{name}","master_metadata_album_artist_name":"{name}","master_metadata_album_album_name":"{name}","spotify_track_uri":"spotify:track:t{i}"}}"#
            )
        })
        .collect();
    let json = format!("[{}]", entries.join(","));
    let mut largest = 0;
    let mut plays = 0;
    let result = parse(&mut json.as_bytes(), &HashMap::new(), now(), |batch| {
        let text: usize = batch
            .tracks
            .iter()
            .map(|t| {
                t.name.len() + t.artist_name.len() + t.album_name.as_ref().map_or(0, String::len)
            })
            .sum();
        largest = largest.max(text);
        plays += batch.plays.len();
        true
    });
    assert_eq!(result.unwrap().plays, 3000);
    assert_eq!(plays, 3000);
    assert!(largest <= MAX_BATCH_TEXT_BYTES, "{largest}");
}

#[test]
fn a_track_is_handed_over_once_per_batch_with_its_earliest_play() {
    let play = |ts: &str| {
        format!(
            r#"{{"ts":"{ts}","ms_played":40000,"master_metadata_track_name":"A","master_metadata_album_artist_name":"X","spotify_track_uri":"spotify:track:aaa"}}"#
        )
    };
    let json = format!(
        "[{},{},{}]",
        play("2020-01-02T10:00:00Z"),
        play("2020-01-01T10:00:00Z"),
        play("2020-01-03T10:00:00Z")
    );
    let (tally, handed) = run_with(json.as_bytes(), &HashMap::new());
    assert_eq!(tally.unwrap().plays, 3);
    assert_eq!(handed.batches, 1);
    assert_eq!(handed.tracks.len(), 1);
    assert_eq!(
        handed.tracks[0].first_played_at,
        parse_utc_timestamp("2020-01-01T10:00:00Z").unwrap()
    );
}

#[test]
fn a_leading_byte_order_mark_is_skipped() {
    for name in [
        "extended_Streaming_History_Audio_format2023plus.json",
        "account_StreamingHistory_music_3.json",
    ] {
        let plain = fixture(name);
        let marked = [b"\xEF\xBB\xBF", &plain[..]].concat();
        let (expected, expected_plays) = run(&plain);
        let expected = expected.unwrap();
        assert!(!expected_plays.is_empty());
        for trickle in [usize::MAX, 1, 2, 7] {
            let (tally, plays) = run_trickled(&marked, trickle);
            assert_eq!(tally.unwrap(), expected);
            assert_eq!(
                plays, expected_plays,
                "{name} read {trickle} bytes at a time"
            );
        }
    }
    let (empty, _) = run_trickled(b"\xEF\xBB\xBF [ ]", 1);
    assert_eq!(empty.unwrap().kind, None);
}

#[test]
fn plays_at_impossible_times_or_of_impossible_lengths_are_skipped_and_counted() {
    assert_eq!(
        Some(EARLIEST_PLAY_MS),
        parse_utc_timestamp("2006-01-01T00:00:00Z")
    );
    let play = |ts: &str, ms: &str| {
        format!(
            r#"{{"ts":"{ts}","ms_played":{ms},"master_metadata_track_name":"A","master_metadata_album_artist_name":"X","spotify_track_uri":"spotify:track:aaa"}}"#
        )
    };
    let entries = [
        play("2020-05-01T10:00:00Z", "200000"),
        play("0001-01-01T00:00:00Z", "200000"),
        play("9999-12-31T23:59:59Z", "200000"),
        play("2020-05-01T11:00:00Z", "9000000000000000000"),
        play("2020-05-01T12:00:00Z", "-200000"),
        play("2005-12-31T23:59:59Z", "200000"),
        // Now is 2026-01-01: a day ahead is a clock or time zone off, not impossible.
        play("2026-01-01T23:00:00Z", "200000"),
        play("2026-01-02T00:00:01Z", "200000"),
        play("2020-05-01T13:00:00Z", "86400000"),
        play("2020-05-01T14:00:00Z", "86400001"),
    ];
    let json = format!("[{}]", entries.join(",\n"));
    let (tally, plays) = run(json.as_bytes());
    let tally = tally.unwrap();
    assert_eq!(tally.counts.impossible_skipped, 7, "{:?}", tally.counts);
    let times: Vec<i64> = plays.iter().map(|p| p.played_at).collect();
    let at = |ts| parse_utc_timestamp(ts).unwrap();
    assert_eq!(
        times,
        [
            at("2020-05-01T10:00:00Z"),
            at("2026-01-01T23:00:00Z"),
            at("2020-05-01T13:00:00Z")
        ]
    );
    assert_eq!(
        tally.span,
        Some((at("2020-05-01T10:00:00Z"), at("2026-01-01T23:00:00Z")))
    );
    let (trickled, _) = run_trickled(json.as_bytes(), 5);
    assert_eq!(trickled.unwrap(), tally);

    // Account data alike.
    let json = br#"[
      {"endTime":"2020-05-01 10:00","artistName":"X","trackName":"A","msPlayed":200000},
      {"endTime":"1970-01-01 00:00","artistName":"X","trackName":"A","msPlayed":200000},
      {"endTime":"2020-05-01 11:00","artistName":"X","trackName":"A","msPlayed":90000000}
    ]"#;
    let (tally, plays) = run(json);
    assert_eq!(tally.unwrap().counts.impossible_skipped, 2);
    assert_eq!(plays.len(), 1);
}

#[test]
fn short_incognito_and_trackless_entries_are_counted() {
    let json = br#"[
      {"ts":"2024-01-01T10:00:00Z","ms_played":200000,"master_metadata_track_name":"A","master_metadata_album_artist_name":"X","spotify_track_uri":"spotify:track:aaa","incognito_mode":false},
      {"ts":"2024-01-01T10:05:00Z","ms_played":20000,"master_metadata_track_name":"A","master_metadata_album_artist_name":"X","spotify_track_uri":"spotify:track:aaa"},
      {"ts":"2024-01-01T10:10:00Z","ms_played":200000,"master_metadata_track_name":"A","master_metadata_album_artist_name":"X","spotify_track_uri":"spotify:track:aaa","incognito_mode":true},
      {"ts":"2024-01-01T10:20:00Z","ms_played":900000,"master_metadata_track_name":null,"master_metadata_album_artist_name":null,"spotify_track_uri":null,"episode_name":"Ep","spotify_episode_uri":"spotify:episode:e"},
      {"ts":"2024-01-01T10:30:00Z","ms_played":60000,"master_metadata_track_name":null,"master_metadata_album_artist_name":null,"spotify_track_uri":null}
    ]"#;
    let (tally, plays) = run(json);
    let tally = tally.unwrap();
    assert_eq!(plays.len(), 1);
    let c = tally.counts;
    assert_eq!(
        (
            c.short_skipped,
            c.incognito_skipped,
            c.other_skipped,
            c.no_track
        ),
        (1, 1, 1, 1)
    );
}
