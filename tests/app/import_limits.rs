//! Hostile uploads: whatever an export's files hold — endless entries, names of megabytes,
//! blanks, nesting, zip bombs — each bad file ends with a plain error naming it, nothing of it is
//! kept, and the good files of the same upload are imported. (Their memory is measured by
//! `scripts/bench-import-hostile`, see BENCHMARKS.md.)

use std::io::Write;

use reqwest::Client;

use crate::both_backends;
use crate::common::history::*;
use crate::common::{Backend, Spawn, TestApp, browser, spawn_app, spawn_with};

both_backends!(
    an_entry_too_large_fails_its_file_and_the_others_import,
    an_import_reads_at_most_its_unzipped_limit,
    hostile_files_fail_plainly_and_keep_nothing,
    long_names_are_cut_and_many_tracks_are_stored_in_batches,
);

/// One extended-history file of `plays` good plays (every one a track of its own, so batches
/// carry many tracks), then `rest` written as it is: the bad part.
fn plays_then(plays: i64, rest: &mut dyn FnMut(&mut dyn Write)) -> Vec<u8> {
    let mut file = Vec::new();
    file.write_all(b"[").unwrap();
    for n in 0..plays {
        let at = time::OffsetDateTime::from_unix_timestamp(1_500_000_000 + n * 300).unwrap();
        let play = extended(
            &iso(at),
            120_000,
            &format!("Never Stored {n}"),
            "Nobody",
            &format!("never{n}"),
        );
        file.write_all(&serde_json::to_vec(&play).unwrap()).unwrap();
        file.write_all(b",\n").unwrap();
    }
    rest(&mut file);
    file
}

/// `bytes` of `byte`, written a block at a time.
fn repeat(out: &mut dyn Write, byte: u8, bytes: usize) {
    let block = vec![byte; 1 << 16];
    for _ in 0..bytes / block.len() {
        out.write_all(&block).unwrap();
    }
}

/// A zip of several files, each written by its callback (large ones never whole in memory
/// twice: the zip compresses them as they come).
fn zip_streamed(files: Vec<(&str, Vec<u8>)>) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, bytes) in files {
        writer.start_file(name, options).unwrap();
        writer.write_all(&bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// The report line of one file of the upload `my_spotify_data.zip`.
fn report(page: &str, name: &str) -> String {
    let marker = format!(r#"<strong class="file-name">my_spotify_data.zip › {name}</strong>"#);
    page.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split("</li>").next())
        .unwrap_or_else(|| panic!("{name} is not reported: {page}"))
        .to_owned()
}

/// The good file every hostile upload carries beside its bad ones: its plays must be kept.
const GOOD: &str = "Streaming_History_Audio_2023_9.json";

fn good_file() -> Vec<u8> {
    fixture("extended_Streaming_History_Audio_format2023plus.json")
}

/// What importing the good file alone stores (on a user of its own).
async fn good_plays(app: &TestApp) -> i64 {
    let client = browser();
    app.login(&client, "bob").await;
    let page = import(
        app,
        &client,
        &[("my_spotify_data.zip", zip_of(&[(GOOD, good_file())]))],
    )
    .await;
    let added = figure(&page, "plays-added");
    assert!(added > 0, "{page}");
    added
}

/// Only the good file's plays are stored, and the history's totals say so.
async fn only_the_good_plays(app: &TestApp, client: &Client, page: &str, good: i64) {
    let alice = user_id(app, "alice").await;
    assert!(
        report(page, GOOD).contains(&format!("imported {good} plays")),
        "{page}"
    );
    assert_eq!(figure(page, "plays-added"), good, "{page}");
    assert_eq!(stored_plays(app, alice).await, good);
    assert_eq!(app.store.history_totals(alice).await.unwrap().plays, good);
    let top = app
        .get(client, "/history/top?preset=all")
        .await
        .text()
        .await
        .unwrap();
    assert!(!top.contains("Nobody"), "no play of a bad file: {top}");
}

/// A small zip holding one endless entry (the memory-exhaustion attack: a few megabytes of zip
/// unzip to gigabytes, all in one array entry).
async fn an_entry_too_large_fails_its_file_and_the_others_import(backend: Backend) {
    let app = spawn_app(backend).await;
    let good = good_plays(&app).await;
    let client = browser();
    app.login(&client, "alice").await;

    // More than one batch of plays (so some reach the database), then a 64 MiB entry.
    let endless = plays_then(10_001, &mut |out| {
        out.write_all(br#"{"ts":"2020-01-01T00:00:00Z","ms_played":40000,"x":""#)
            .unwrap();
        repeat(out, b'A', 64 << 20);
        out.write_all(b"\"}]").unwrap();
    });
    let export = zip_streamed(vec![
        ("Streaming_History_Audio_2020_0.json", endless),
        (GOOD, good_file()),
    ]);
    assert!(export.len() < 1 << 20, "the zip is small: {}", export.len());

    let page = import(&app, &client, &[("my_spotify_data.zip", export)]).await;
    let bad = report(&page, "Streaming_History_Audio_2020_0.json");
    assert!(
        bad.contains(
            "entry 10002 of the file's list is larger than 64 KiB: not a Spotify export entry"
        ) && bad.contains("Nothing from this file was imported"),
        "{bad}"
    );
    only_the_good_plays(&app, &client, &page, good).await;
}

/// Many entries, each small enough, add up: an import reads at most IMPORT_MAX_UNZIPPED_BYTES
/// (here 20 MiB) of unzipped data, whatever the files.
async fn an_import_reads_at_most_its_unzipped_limit(backend: Backend) {
    let app = spawn_with(
        backend,
        Spawn {
            extra_env: vec![
                ("IMPORT_MAX_BYTES", (1 << 20).to_string()),
                ("IMPORT_MAX_UNZIPPED_BYTES", (20 << 20).to_string()),
            ],
            ..Spawn::default()
        },
    )
    .await;
    let client = browser();
    app.login(&client, "alice").await;
    let alice = user_id(&app, "alice").await;
    // Files of about 8 MiB: 160 plays padded to 50 KiB each.
    let padding = "A".repeat(50 << 10);
    let padded = |file: i64| -> Vec<u8> {
        let plays: Vec<serde_json::Value> = (0..160)
            .map(|n| {
                let at = time::OffsetDateTime::from_unix_timestamp(
                    1_500_000_000 + (file * 160 + n) * 300,
                )
                .unwrap();
                let mut play = extended(&iso(at), 120_000, "Song", "Band", "id_padded");
                play["x"] = serde_json::Value::String(padding.clone());
                play
            })
            .collect();
        serde_json::to_vec(&plays).unwrap()
    };
    let names: Vec<String> = (0..4)
        .map(|file| format!("Streaming_History_Audio_2017_{file}.json"))
        .collect();
    let mut files = vec![(
        "Streaming_History_Audio_2023.json",
        fixture("extended_Streaming_History_Audio_format2023plus.json"),
    )];
    for (file, name) in names.iter().enumerate() {
        files.push((name.as_str(), padded(file as i64)));
    }
    let export = zip_of(&files);
    assert!(export.len() < 1 << 20, "the zip is small: {}", export.len());

    let page = import(&app, &client, &[("my_spotify_data.zip", export)]).await;
    // The fixture and two files (16 MiB) fit in 20 MiB; the third goes past, and the fourth
    // is not read.
    assert!(
        report(&page, &names[0]).contains("imported 160 plays"),
        "{page}"
    );
    assert!(
        report(&page, &names[1]).contains("imported 160 plays"),
        "{page}"
    );
    for name in &names[2..] {
        let report = report(&page, name);
        assert!(
            report.contains("not imported")
                && report.contains(
                    "the files of this upload are larger than 20 MiB together once unzipped, \
                     which no Spotify export is"
                ),
            "{report}"
        );
    }
    let added = figure(&page, "plays-added");
    assert!(added > 320, "{page}");
    assert_eq!(stored_plays(&app, alice).await, added);
}

/// Every hostile shape in one upload, beside a good file: each bad file is named with what is
/// wrong with it, in plain words, and nothing of it is kept.
async fn hostile_files_fail_plainly_and_keep_nothing(backend: Backend) {
    let app = spawn_with(
        backend,
        Spawn {
            extra_env: vec![("IMPORT_MAX_UNZIPPED_BYTES", (64 << 20).to_string())],
            ..Spawn::default()
        },
    )
    .await;
    let good = good_plays(&app).await;
    let client = browser();
    app.login(&client, "alice").await;

    let play = |n: i64, name: &str| {
        let at = time::OffsetDateTime::from_unix_timestamp(1_400_000_000 + n * 300).unwrap();
        serde_json::to_vec(&extended(
            &iso(at),
            120_000,
            name,
            "Nobody",
            &format!("bomb{n}"),
        ))
        .unwrap()
    };
    // Names of 1 MiB (each entry a track of its own): over the entry limit at the first.
    let names_bomb = {
        let mut file = b"[".to_vec();
        for n in 0..40 {
            if n > 0 {
                file.push(b',');
            }
            file.extend(play(n, &format!("{}{n}", "n".repeat(1 << 20))));
        }
        file.push(b']');
        file
    };
    // One string of 16 MiB, after a batch's worth of good plays.
    let huge_string = plays_then(10_001, &mut |out| {
        out.write_all(br#"{"ts":"2020-01-01T00:00:00Z","master_metadata_track_name":""#)
            .unwrap();
        repeat(out, b'A', 16 << 20);
        out.write_all(b"\"}]").unwrap();
    });
    // Blanks between two plays: read through, never held, until the unzipped limit.
    let blanks = plays_then(10_001, &mut |out| {
        repeat(out, b' ', 80 << 20);
        out.write_all(&play(1, "After the blanks")).unwrap();
        out.write_all(b"]").unwrap();
    });
    // A million tiny entries, none a play.
    let tiny = {
        let mut file = b"[".to_vec();
        file.extend(std::iter::repeat_n(&b"{},"[..], 999_999).flatten());
        file.extend(b"{}]");
        file
    };
    // Arrays in arrays, 10 million deep.
    let deep = vec![b'['; 10_000_000];
    // Entries of 1 MiB each.
    let megabytes = {
        let mut file = b"[".to_vec();
        for n in 0..8 {
            if n > 0 {
                file.push(b',');
            }
            file.extend(br#"{"ts":"2020-01-01T00:00:00Z","ms_played":40000,"x":""#);
            file.extend(vec![b'A'; 1 << 20]);
            file.extend(b"\"}");
        }
        file.push(b']');
        file
    };
    let bad: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "Streaming_History_Audio_2014_0.json",
            names_bomb,
            "entry 1 of the file's list is larger than 64 KiB",
        ),
        (
            "Streaming_History_Audio_2015_1.json",
            huge_string,
            "entry 10002 of the file's list is larger than 64 KiB",
        ),
        (
            "Streaming_History_Audio_2016_2.json",
            tiny,
            "this is not a Spotify streaming history file: entry 1 has neither “ts” nor “endTime”",
        ),
        (
            "Streaming_History_Audio_2017_3.json",
            deep,
            "entry 1 of its list is not a play (a JSON object with named fields)",
        ),
        (
            "Streaming_History_Audio_2018_4.json",
            megabytes,
            "entry 1 of the file's list is larger than 64 KiB",
        ),
        // Last: it spends the job's unzipped limit.
        (
            "Streaming_History_Audio_2019_5.json",
            blanks,
            "larger than 64 MiB together once unzipped",
        ),
    ];
    let mut files: Vec<(&str, Vec<u8>)> = vec![(GOOD, good_file())];
    let expected: Vec<(&str, &str)> = bad.iter().map(|(name, _, why)| (*name, *why)).collect();
    files.extend(bad.into_iter().map(|(name, bytes, _)| (name, bytes)));
    let export = zip_streamed(files);
    assert!(export.len() < 2 << 20, "the zip is small: {}", export.len());

    let page = import(&app, &client, &[("my_spotify_data.zip", export)]).await;
    for (name, why) in expected {
        let report = report(&page, name);
        assert!(
            report.contains("not imported")
                && report.contains(why)
                && report.contains("Nothing from this file was imported"),
            "{name}: {report}"
        );
    }
    only_the_good_plays(&app, &client, &page, good).await;
}

/// Names longer than any real one are cut to 1 KiB, and the report says how many; a file of
/// many thousands of tracks reaches the database in batches and every play counts.
async fn long_names_are_cut_and_many_tracks_are_stored_in_batches(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let alice = user_id(&app, "alice").await;

    let long = "ü".repeat(5_000);
    let plays: Vec<serde_json::Value> = (0..25_000)
        .map(|n| {
            let at = time::OffsetDateTime::from_unix_timestamp(1_400_000_000 + n * 300).unwrap();
            let name = if n < 3 {
                format!("{long}{n}")
            } else {
                format!("Song {n}")
            };
            extended(&iso(at), 120_000, &name, "Band", &format!("t{n}"))
        })
        .collect();
    let export = zip_of(&[("Streaming_History_Audio_2014_0.json", json(&plays))]);
    let page = import(&app, &client, &[("my_spotify_data.zip", export)]).await;
    let file = report(&page, "Streaming_History_Audio_2014_0.json");
    assert!(
        file.contains("imported 25,000 plays")
            && file.contains("3 names longer than 1 KiB were cut short"),
        "{file}"
    );
    assert_eq!(stored_plays(&app, alice).await, 25_000);
    assert!(!page.contains("The database failed"), "{page}");
    // So large an import refreshes the database's statistics as it ends: a statement the
    // engine accepts (a failure would only be logged).
    app.store.refresh_history_statistics().await.unwrap();
    let tracks = app.store.tracks_page(alice, "", 30_000).await.unwrap();
    assert_eq!(tracks.len(), 25_000);
    let cut: Vec<_> = tracks.iter().filter(|t| t.name.starts_with("üü")).collect();
    assert_eq!(cut.len(), 3);
    assert!(
        cut.iter()
            .all(|t| t.name.len() <= 1024 && t.name.ends_with('…'))
    );
}
