//! Broken, hostile and oversized input: every error located where serde_json puts it, limits
//! that fail a file plainly, names cut to size.

use super::*;

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
