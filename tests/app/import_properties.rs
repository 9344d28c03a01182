//! Property tests of the import path: real export files, cut short, with bytes changed or their
//! shape changed (entries duplicated, reordered, fields removed or given values of any type,
//! the list wrapped or nested), imported beside a good file through the same job `POST
//! /import` starts. Whatever the change: no panic, a bad file keeps nothing, and every play of
//! the good file is kept. A bounded number of random cases per run (`PROPTEST_CASES` sets
//! another); a failure prints the smallest change that fails.

use std::collections::HashSet;

use euterpe::clock::Clock;
use euterpe::history::import::{FileReport, Upload, run_job};
use euterpe::shutdown::Shutdown;
use euterpe::store::{NewUser, PoolOptions, Store};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;
use uuid::Uuid;

use crate::both_backends;
use crate::common::history::{extended, fixture, iso, json, zip_of};
use crate::common::{Backend, fresh_database};

both_backends!(mutated_exports_never_panic_and_never_keep_part_of_a_bad_file);

const FIXTURES: [(&str, &str); 4] = [
    (
        "extended_Streaming_History_Audio_format2023plus.json",
        "Streaming_History_Audio_2023_1.json",
    ),
    ("extended_endsong_0_legacy_format.json", "endsong_0.json"),
    (
        "account_StreamingHistory_music_3.json",
        "StreamingHistory_music_3.json",
    ),
    (
        "account_StreamingHistory_podcast_0.json",
        "StreamingHistory_podcast_0.json",
    ),
];

/// A fixture's entries repeated, each time a day later, to two and a half batches of the
/// parser (10,000 plays), so a change after the first batch comes after plays already went to
/// the database.
fn base(index: usize) -> Vec<u8> {
    static BASES: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    BASES.get_or_init(|| {
        FIXTURES
            .iter()
            .map(|(name, _)| {
                let entries: Vec<Value> = serde_json::from_slice(&fixture(name)).unwrap();
                let account =
                    time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
                let rfc3339 = &time::format_description::well_known::Rfc3339;
                let mut all = Vec::new();
                for day in 0.. {
                    if all.len() >= 25_000 {
                        break;
                    }
                    for entry in &entries {
                        let mut entry = entry.clone();
                        let shift = time::Duration::days(day);
                        if let Some(ts) = entry["ts"].as_str() {
                            let at = time::OffsetDateTime::parse(ts, rfc3339).unwrap() + shift;
                            entry["ts"] = Value::from(at.format(rfc3339).unwrap());
                        } else if let Some(end) = entry["endTime"].as_str() {
                            let at = time::PrimitiveDateTime::parse(end, account).unwrap() + shift;
                            entry["endTime"] = Value::from(at.format(account).unwrap());
                        }
                        all.push(entry);
                    }
                }
                serde_json::to_vec(&all).unwrap()
            })
            .collect()
    })[index]
        .clone()
}

/// Plays of the good file.
const GOOD_PLAYS: i64 = 40;

/// The good file: plays in 2019, of tracks no fixture names.
fn good_file() -> Vec<u8> {
    let plays: Vec<Value> = (0..GOOD_PLAYS)
        .map(|n| {
            let at = time::OffsetDateTime::from_unix_timestamp(1_550_000_000 + n * 600).unwrap();
            extended(
                &iso(at),
                150_000,
                &format!("Good Song {n}"),
                "Good Band",
                &format!("good{n}"),
            )
        })
        .collect();
    json(&plays)
}

/// A value of any JSON type.
fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,40}".prop_map(Value::String),
        Just(Value::Array(vec![Value::from(1)])),
        Just(serde_json::json!({"a": "b"})),
    ]
}

/// The fields an entry of some export has (and one none has).
const FIELDS: [&str; 10] = [
    "ts",
    "ms_played",
    "master_metadata_track_name",
    "master_metadata_album_artist_name",
    "spotify_track_uri",
    "incognito_mode",
    "endTime",
    "artistName",
    "trackName",
    "msPlayed",
];

/// A change to a file.
#[derive(Clone, Debug)]
enum Change {
    /// Cut after this fraction (per mille) of its bytes.
    Truncate(u16),
    /// Bytes at these places (per mille of its length) become these.
    Flip(Vec<(u16, u8)>),
    /// An entry's field gets a value of any type.
    SetField(usize, usize, Value),
    /// An entry loses a field.
    RemoveField(usize, usize),
    /// Each entry twice.
    Duplicate,
    /// Entries in reverse order.
    Reverse,
    /// The list inside an object.
    WrapInObject,
    /// The list inside another list.
    Nest,
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (0u16..1000).prop_map(Change::Truncate),
        prop::collection::vec((0u16..1000, any::<u8>()), 1..4).prop_map(Change::Flip),
        (any::<usize>(), 0..FIELDS.len(), any_value())
            .prop_map(|(entry, field, value)| Change::SetField(entry, field, value)),
        (any::<usize>(), 0..FIELDS.len())
            .prop_map(|(entry, field)| Change::RemoveField(entry, field)),
        Just(Change::Duplicate),
        Just(Change::Reverse),
        Just(Change::WrapInObject),
        Just(Change::Nest),
    ]
}

fn apply(bytes: &[u8], change: &Change) -> Vec<u8> {
    let entries = || -> Vec<Value> { serde_json::from_slice(bytes).unwrap() };
    match change {
        Change::Truncate(permille) => bytes[..bytes.len() * *permille as usize / 1000].to_vec(),
        Change::Flip(flips) => {
            let mut bytes = bytes.to_vec();
            for (at, byte) in flips {
                let at = bytes.len() * *at as usize / 1000;
                bytes[at] = *byte;
            }
            bytes
        }
        Change::SetField(entry, field, value) => {
            let mut entries = entries();
            let n = entries.len();
            entries[entry % n][FIELDS[*field]] = value.clone();
            serde_json::to_vec(&entries).unwrap()
        }
        Change::RemoveField(entry, field) => {
            let mut entries = entries();
            let n = entries.len();
            if let Some(object) = entries[entry % n].as_object_mut() {
                object.remove(FIELDS[*field]);
            }
            serde_json::to_vec(&entries).unwrap()
        }
        Change::Duplicate => {
            let entries = entries();
            let twice: Vec<&Value> = entries.iter().chain(&entries).collect();
            serde_json::to_vec(&twice).unwrap()
        }
        Change::Reverse => {
            let mut entries = entries();
            entries.reverse();
            serde_json::to_vec(&entries).unwrap()
        }
        Change::WrapInObject => [&b"{\"plays\": "[..], bytes, b"}"].concat(),
        Change::Nest => [&b"["[..], bytes, b"]"].concat(),
    }
}

/// Imports the good file and `fixture` changed by `change`, and checks what was kept.
async fn check(
    store: &Store,
    dir: &std::path::Path,
    (fixture_index, change, zipped): (usize, Change, bool),
) -> Result<(), TestCaseError> {
    let file_name = FIXTURES[fixture_index].1;
    let bad = apply(&base(fixture_index), &change);
    let clock = Clock::system();
    let account = Uuid::new_v4().to_string();
    let user = store
        .upsert_user(
            &NewUser {
                spotify_account_id: account.clone(),
                spotify_id: account,
                display_name: None,
                email: None,
            },
            clock.unix(),
        )
        .await
        .unwrap()
        .id;
    let good_name = "Streaming_History_Audio_2019_0.json";
    let files: Vec<(String, Vec<u8>)> = if zipped {
        vec![(
            "my_spotify_data.zip".into(),
            zip_of(&[(good_name, good_file()), (file_name, bad)]),
        )]
    } else {
        vec![(good_name.into(), good_file()), (file_name.into(), bad)]
    };
    let mut uploads = Vec::new();
    for (name, bytes) in files {
        let path = dir.join(Uuid::new_v4().to_string());
        std::fs::write(&path, &bytes).unwrap();
        uploads.push(Upload {
            name,
            path,
            size: bytes.len() as u64,
        });
    }
    let paths: Vec<_> = uploads.iter().map(|u| u.path.clone()).collect();
    let id = store.create_import(user, 1, clock.unix()).await.unwrap();
    run_job(
        store.clone(),
        clock,
        user,
        id,
        uploads,
        1 << 30,
        Shutdown::new(),
    )
    .await;

    let row = store.import(user, id).await.unwrap().unwrap();
    prop_assert!(
        matches!(row.status.as_str(), "done" | "failed"),
        "{}",
        row.status
    );
    let reports: Vec<FileReport> = serde_json::from_str(&row.report).unwrap();
    prop_assert_eq!(reports.len(), 2, "{:?}", reports);
    for report in &reports {
        let note = report.note.clone().unwrap_or_default();
        prop_assert!(
            !note.contains("stopped unexpectedly") && !note.contains("error in Euterpe itself"),
            "a panic: {}",
            note
        );
    }
    let good = reports
        .iter()
        .find(|r| r.name.ends_with(good_name))
        .unwrap();
    prop_assert_eq!(good.outcome.as_str(), "imported");
    prop_assert_eq!(good.counts.plays_added, GOOD_PLAYS);
    let bad = reports
        .iter()
        .find(|r| r.name.ends_with(file_name))
        .unwrap();
    let kept_of_bad = match bad.outcome.as_str() {
        "imported" => bad.counts.plays_added,
        "failed" | "skipped" => 0,
        other => return Err(TestCaseError::fail(format!("outcome {other}"))),
    };
    if bad.outcome == "failed" {
        prop_assert!(
            bad.note
                .as_deref()
                .is_some_and(|n| n.ends_with("Nothing from this file was imported.")),
            "{:?}",
            bad.note
        );
    }

    let stored = store.plays_page(user, None, 100_000).await.unwrap();
    prop_assert_eq!(stored.len() as i64, GOOD_PLAYS + kept_of_bad);
    prop_assert_eq!(
        store.history_totals(user).await.unwrap().plays,
        GOOD_PLAYS + kept_of_bad
    );
    let keys: HashSet<&str> = stored.iter().map(|p| p.track_key.as_str()).collect();
    for n in 0..GOOD_PLAYS {
        let key = format!("good{n}");
        prop_assert!(keys.contains(key.as_str()), "{} was lost", key);
    }
    for path in paths {
        prop_assert!(!path.exists(), "the job deletes its uploads");
    }
    Ok(())
}

async fn mutated_exports_never_panic_and_never_keep_part_of_a_bad_file(backend: Backend) {
    let store = Store::connect(&fresh_database(backend).await, PoolOptions::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let dir = std::env::temp_dir().join(format!("euterpe-properties-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let handle = tokio::runtime::Handle::current();
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(24);
    let result = tokio::task::spawn_blocking({
        let (store, dir) = (store.clone(), dir.clone());
        move || {
            let mut runner = TestRunner::new(Config {
                cases,
                failure_persistence: None,
                ..Config::default()
            });
            runner
                .run(&(0..FIXTURES.len(), change(), any::<bool>()), |case| {
                    handle.block_on(check(&store, &dir, case))
                })
                .map_err(|failure| failure.to_string())
        }
    })
    .await
    .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    store.close().await;
    if let Err(failure) = result {
        panic!("{failure}");
    }
}
