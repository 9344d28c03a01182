use std::io::{self, Read};

use super::entry::Entry;
use super::scan::{BLOCK, parse_blocks};
use super::*;
use crate::domain::time::{parse_end_time, parse_utc_timestamp};
use crate::store::name_key;

mod errors;

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
