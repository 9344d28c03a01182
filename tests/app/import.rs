//! Importing Spotify's data export over HTTP: every format, zips and loose files, the summary,
//! idempotence, no double count with the poller, and broken input.

use euterpe::store::USER_TABLES;
use euterpe::worker::poller::poll_due_users;
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use sqlx::Connection;

use crate::both_backends;
use crate::common::history::*;
use crate::common::{Backend, Spawn, TestApp, browser, location, spawn_app, spawn_with};

both_backends!(
    a_whole_export_zip_is_imported_once,
    the_seasons_panel_says_at_least_where_history_has_holes,
    imports_do_not_double_count_the_pollers_plays,
    broken_files_are_named_and_commit_nothing,
    an_upload_over_the_limit_is_a_413_stating_it,
    uploads_need_the_form_token_and_progress_refreshes,
    a_slow_upload_is_not_cut_by_the_request_time_limit_but_uploads_are_rate_limited,
    deleting_the_account_during_an_import_leaves_nothing,
    a_play_both_exports_hold_is_stored_once_whichever_comes_first,
    a_compilation_track_both_exports_hold_is_stored_once,
    a_track_played_twice_in_a_row_stays_two_plays,
    a_file_that_failed_or_was_not_uploaded_leaves_a_hole,
    an_import_the_database_stops_is_marked_failed,
    a_file_starting_with_a_byte_order_mark_is_imported,
    plays_at_impossible_times_are_skipped_and_counted,
);

async fn a_whole_export_zip_is_imported_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let alice = user_id(&app, "alice").await;
    let export = zip_of(&[
        (
            "Spotify Extended Streaming History/Streaming_History_Audio_2023-2024_0.json",
            fixture("extended_Streaming_History_Audio_format2023plus.json"),
        ),
        (
            "MyData/endsong_0.json",
            fixture("extended_endsong_0_legacy_format.json"),
        ),
        (
            "Spotify Account Data/StreamingHistory_music_3.json",
            fixture("account_StreamingHistory_music_3.json"),
        ),
        (
            "Spotify Account Data/StreamingHistory_podcast_0.json",
            fixture("account_StreamingHistory_podcast_0.json"),
        ),
        (
            "Spotify Account Data/Userdata.json",
            br#"{"username": "someone"}"#.to_vec(),
        ),
        (
            "Spotify Extended Streaming History/Streaming_History_Video_2020.json",
            b"[]".to_vec(),
        ),
    ]);
    let page = import(&app, &client, &[("my_spotify_data.zip", export.clone())]).await;
    let added = figure(&page, "plays-added");
    assert!(added > 100, "{page}");
    assert_eq!(stored_plays(&app, alice).await, added);
    assert!(
        figure(&page, "short") >= 1,
        "short plays are skipped and counted"
    );
    assert!(
        figure(&page, "other") > 0,
        "podcast episodes are recognised and skipped"
    );
    assert!(
        page.contains("Podcast history is recognised but not imported"),
        "{page}"
    );
    assert!(page.contains("Video history is recognised but not imported"));
    assert!(
        !page.contains("Userdata.json"),
        "files that are not history are left alone"
    );
    assert!(page.contains("extended streaming history") && page.contains("account data (music)"));

    // The same export again adds nothing.
    let again = import(&app, &client, &[("my_spotify_data.zip", export)]).await;
    assert_eq!(figure(&again, "plays-added"), 0);
    assert_eq!(figure(&again, "duplicates"), added);
    assert_eq!(stored_plays(&app, alice).await, added);

    // Loose JSON files work as well, and their plays show up in the views.
    let history = app
        .get(&client, "/history/top?preset=all")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        history.contains("結束バンド"),
        "account-data names are kept"
    );
    assert!(history.contains("All Time Low"));
    let months = app
        .get(&client, "/history/months")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        months.contains("2013"),
        "the legacy file's 2013 play starts the months"
    );
    let overview = app.get(&client, "/history").await.text().await.unwrap();
    assert!(
        overview.contains("at least"),
        "years without plays between the files are holes"
    );
}

/// The dashboard's seasons panel in its history form, like the history pages, reads "at least"
/// when the window has stretches no import covers — for a share's visitors too, without the
/// owner's import link.
async fn the_seasons_panel_says_at_least_where_history_has_holes(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let now = app.clock.now();
    // Two separate exports, 150 and 20 days ago: nothing covers the months between.
    for days_ago in [150, 20] {
        let plays: Vec<serde_json::Value> = (0..5)
            .map(|n| {
                let at = now - time::Duration::days(days_ago) + time::Duration::minutes(4 * n);
                extended(
                    &iso(at),
                    200_000,
                    &format!("Song {n}"),
                    "Band",
                    &format!("{n:0>22}"),
                )
            })
            .collect();
        let file = serde_json::to_vec(&plays).unwrap();
        import(&app, &client, &[("Streaming_History_Audio_0.json", file)]).await;
    }
    let panel = app
        .htmx(&client, "/music_variety_by_season?time_range=medium_term")
        .await
        .text()
        .await
        .unwrap();
    assert!(panel.contains("listening history"), "{panel}");
    assert!(panel.contains("These numbers are “at least”."), "{panel}");
    assert!(panel.contains(r#"href="/import""#), "{panel}");

    let link = app
        .share(&client, &[("panels", "music_variety_by_season")])
        .await;
    let visitor = browser()
        .get(format!(
            "{link}/music_variety_by_season?time_range=medium_term"
        ))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        visitor.contains("These numbers are “at least”."),
        "{visitor}"
    );
    assert!(!visitor.contains("/import"), "{visitor}");
}

async fn imports_do_not_double_count_the_pollers_plays(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let alice = user_id(&app, "alice").await;
    poll_due_users(&app.state).await.unwrap();
    assert_eq!(stored_plays(&app, alice).await, 50);
    let recent = app.store.recent_plays(alice, 50).await.unwrap();

    // The export records the same 50 plays by their END (the poller's played_at is when they
    // started here), half a second off, plus 10 older plays the poller never saw.
    let mut entries = Vec::new();
    for play in &recent {
        let end = time::OffsetDateTime::from_unix_timestamp(play.played_at / 1000 + 185).unwrap();
        entries.push(extended(
            &iso(end),
            180_000,
            &play.name,
            &play.artist_name,
            &play.track_key,
        ));
    }
    let oldest = recent.last().unwrap();
    for n in 1..=10 {
        let at = time::OffsetDateTime::from_unix_timestamp(oldest.played_at / 1000 - n * 86_400)
            .unwrap();
        entries.push(extended(
            &iso(at),
            200_000,
            &oldest.name,
            &oldest.artist_name,
            &oldest.track_key,
        ));
    }
    let file = serde_json::to_vec_pretty(&entries).unwrap();
    let page = import(
        &app,
        &client,
        &[("Streaming_History_Audio_2025.json", file)],
    )
    .await;
    assert_eq!(figure(&page, "plays-added"), 10, "{page}");
    assert_eq!(figure(&page, "duplicates"), 50);
    assert_eq!(stored_plays(&app, alice).await, 60);

    // Account data names the same plays (minute precision, names only): linked to the known
    // tracks by exact names, and not counted again.
    let account: Vec<serde_json::Value> = recent
        .iter()
        .take(5)
        .map(|play| {
            let end =
                time::OffsetDateTime::from_unix_timestamp((play.played_at / 1000 + 185) / 60 * 60)
                    .unwrap();
            serde_json::json!({
                "endTime": format!("{} {:02}:{:02}", end.date(), end.hour(), end.minute()),
                "artistName": play.artist_name, "trackName": play.name, "msPlayed": 180_000
            })
        })
        .collect();
    let page = import(
        &app,
        &client,
        &[(
            "StreamingHistory_music_0.json",
            serde_json::to_vec(&account).unwrap(),
        )],
    )
    .await;
    assert_eq!(figure(&page, "plays-added"), 0, "{page}");
    assert_eq!(figure(&page, "duplicates"), 5);
    assert_eq!(stored_plays(&app, alice).await, 60);

    // And the poller, meeting plays an import already holds, does not store them again.
    let (track, _) = app.fake.plays("alice").last().unwrap().clone();
    let started = app.clock.now() - time::Duration::minutes(10);
    app.fake.add_play("alice", &track, started);
    let name = app
        .store
        .recent_plays(alice, 60)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.track_key == track)
        .unwrap();
    let end = started + time::Duration::seconds(200);
    let file = serde_json::to_vec(&[extended(
        &iso(end),
        200_000,
        &name.name,
        &name.artist_name,
        &track,
    )])
    .unwrap();
    let page = import(&app, &client, &[("endsong_9.json", file)]).await;
    assert_eq!(figure(&page, "plays-added"), 1);
    app.clock.advance(time::Duration::minutes(21));
    let round = poll_due_users(&app.state).await.unwrap();
    assert_eq!(round.polled, vec![(alice, 0)], "{round:?}");
    assert_eq!(stored_plays(&app, alice).await, 61);
}

async fn broken_files_are_named_and_commit_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let alice = user_id(&app, "alice").await;
    let good = fixture("extended_endsong_0_legacy_format.json");
    let first = import(&app, &client, &[("endsong_0.json", good.clone())]).await;
    let before = stored_plays(&app, alice).await;
    assert_eq!(figure(&first, "plays-added"), before);
    assert!(before > 0);

    // A large file that breaks after more than one batch of plays: none of it may stay.
    let mut entries: Vec<serde_json::Value> = (0..12_500)
        .map(|n| {
            let at = time::OffsetDateTime::from_unix_timestamp(1_600_000_000 + n * 300).unwrap();
            extended(
                &iso(at),
                120_000,
                &format!("Song {n}"),
                "Band",
                &format!("id{n:0>20}"),
            )
        })
        .collect();
    entries.push(serde_json::json!({"ts": "2024-01-01T00:00:00Z", "ms_played": "a lot"}));
    let late_error = serde_json::to_vec_pretty(&entries).unwrap();
    let mut truncated = good.clone();
    truncated.truncate(good.len() * 2 / 3);
    let wrong_type = br#"[{"endTime": "2024-01-01 10:00", "artistName": "A", "trackName": "B", "msPlayed": true}]"#.to_vec();
    let not_export = br#"{"username": "alice", "country": "SE"}"#.to_vec();
    let page = import(
        &app,
        &client,
        &[
            ("Streaming_History_Audio_2020.json", late_error),
            ("endsong_1.json", truncated),
            ("StreamingHistory_music_0.json", wrong_type),
            ("Userdata.json", not_export),
            ("notes.txt", b"hello".to_vec()),
            ("export.zip", b"PK\x03\x04 definitely not a zip".to_vec()),
            (
                "Streaming_History_Audio_2021.json",
                fixture("extended_Streaming_History_Audio_format2023plus.json"),
            ),
        ],
    )
    .await;
    let after = stored_plays(&app, alice).await;
    let good_added = figure(&page, "plays-added");
    assert!(good_added > 0, "the good file still counts: {page}");
    assert_eq!(
        after,
        before + good_added,
        "nothing of the broken files is stored"
    );
    let report = |name: &str| -> String {
        let start = page
            .find(&format!(r#"<strong class="file-name">{name}</strong>"#))
            .unwrap_or_else(|| panic!("{name} not reported: {page}"));
        page[start..].split("</li>").next().unwrap().to_owned()
    };
    let late = report("Streaming_History_Audio_2020.json");
    assert!(
        late.contains("not imported") && late.contains("line ") && late.contains("column"),
        "{late}"
    );
    assert!(late.contains("invalid type"), "{late}");
    let cut = report("endsong_1.json");
    assert!(cut.contains("truncated") && cut.contains("line "), "{cut}");
    let wrong = report("StreamingHistory_music_0.json");
    assert!(wrong.contains("line 1, column"), "{wrong}");
    assert!(report("Userdata.json").contains("not a Spotify streaming history file"));
    assert!(report("notes.txt").contains("neither a zip archive nor a JSON file"));
    assert!(report("export.zip").contains("zip archive is damaged"));
    assert!(report("Streaming_History_Audio_2021.json").contains("imported"));
    // The earlier import's plays are intact and the page is still whole.
    assert!(after >= before);
    assert_eq!(app.get(&client, "/history").await.status(), StatusCode::OK);
}

async fn an_upload_over_the_limit_is_a_413_stating_it(backend: Backend) {
    let app = spawn_with(
        backend,
        Spawn {
            extra_env: vec![("IMPORT_MAX_BYTES", "4096".into())],
            ..Spawn::default()
        },
    )
    .await;
    let client = browser();
    app.login(&client, "alice").await;
    let alice = user_id(&app, "alice").await;
    let csrf = csrf_of(&app, &client).await;
    let big = vec![b' '; 10_000];
    let answer = upload(&app, &client, Some(&csrf), &[("endsong_0.json", big)]).await;
    assert_eq!(answer.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let page = answer.text().await.unwrap();
    assert!(
        page.contains("4 KiB") && page.contains("4096 bytes"),
        "{page}"
    );
    assert!(
        app.store.imports(alice).await.unwrap().is_empty(),
        "no job was started"
    );
    let form = app.get(&client, "/import").await.text().await.unwrap();
    assert!(form.contains("Up to 4 KiB"));
}

async fn uploads_need_the_form_token_and_progress_refreshes(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let alice = user_id(&app, "alice").await;
    let file = [(
        "endsong_0.json",
        fixture("extended_endsong_0_legacy_format.json"),
    )];
    let forged = upload(&app, &client, Some("forged"), &file).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let missing = upload(&app, &client, None, &file).await;
    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    assert_eq!(stored_plays(&app, alice).await, 0);

    // A job still running: its page refreshes itself with htmx and offers a reload without JS.
    let id = app
        .store
        .create_import(alice, 100, app.clock.unix())
        .await
        .unwrap();
    let page = app
        .get(&client, &format!("/import/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"hx-trigger="every 1s""#), "{page}");
    assert!(
        page.contains(&format!(r#"href="/import/{id}""#)),
        "a plain reload link"
    );
    assert!(page.contains("<progress"));
    // Someone else's job is not found.
    let bob = browser();
    app.login(&bob, "bob").await;
    assert_eq!(
        app.get(&bob, &format!("/import/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let form = app.get(&client, "/import").await.text().await.unwrap();
    assert!(form.contains(r#"enctype="multipart/form-data""#) && form.contains(r#"name="csrf""#));
}

async fn a_slow_upload_is_not_cut_by_the_request_time_limit_but_uploads_are_rate_limited(
    backend: Backend,
) {
    let app = spawn_with(
        backend,
        Spawn {
            extra_env: vec![("REQUEST_TIMEOUT_SECS", "1".into())],
            ..Spawn::default()
        },
    )
    .await;
    let client = browser();
    app.login(&client, "alice").await;
    let csrf = csrf_of(&app, &client).await;
    // The file trickles in over about 2.5 s, past the 1 s limit for ordinary requests.
    let bytes = fixture("extended_Streaming_History_Audio_format2023plus.json");
    let chunks: Vec<Vec<u8>> = bytes
        .chunks(bytes.len() / 5 + 1)
        .map(<[u8]>::to_vec)
        .collect();
    let stream = futures_util::stream::unfold(chunks.into_iter(), |mut chunks| async move {
        let chunk = chunks.next()?;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        Some((Ok::<_, std::io::Error>(chunk), chunks))
    });
    let part = Part::stream(reqwest::Body::wrap_stream(stream))
        .file_name("Streaming_History_Audio_2023_0.json");
    let form = Form::new().text("csrf", csrf.clone()).part("file", part);
    let slow = client
        .post(app.url("/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        slow.status(),
        StatusCode::SEE_OTHER,
        "{}",
        slow.text().await.unwrap()
    );
    assert!(location(&slow).starts_with("/import/"));

    // Five uploads an hour; the sixth is refused with a time to come back.
    for _ in 0..4 {
        let answer = upload(
            &app,
            &client,
            Some(&csrf),
            &[("StreamingHistory0.json", b"[]".to_vec())],
        )
        .await;
        assert_ne!(answer.status(), StatusCode::TOO_MANY_REQUESTS);
    }
    let refused = upload(
        &app,
        &client,
        Some(&csrf),
        &[("StreamingHistory0.json", b"[]".to_vec())],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().get("retry-after").is_some());
    // The form itself stays reachable.
    assert_eq!(app.get(&client, "/import").await.status(), StatusCode::OK);
}

/// An account deleted while its import runs: the file being written is deleted with the rest,
/// and the files after it write nothing (plays carry no foreign key to cascade from).
async fn deleting_the_account_during_an_import_leaves_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let alice = user_id(&app, "alice").await;
    let start = time::macros::datetime!(2020-01-01 00:00 UTC);
    let files: Vec<(String, Vec<u8>)> = (0..8)
        .map(|file| {
            let plays: Vec<serde_json::Value> = (0..20_000)
                .map(|n| {
                    let at = start + time::Duration::minutes(4 * (file * 20_000 + n));
                    let track = n % 500;
                    extended(
                        &iso(at),
                        200_000,
                        &format!("Song {track}"),
                        "Artist",
                        &format!("{track:0>22}"),
                    )
                })
                .collect();
            (
                format!("Streaming_History_Audio_2020_{file}.json"),
                serde_json::to_vec(&plays).unwrap(),
            )
        })
        .collect();
    let files: Vec<(&str, Vec<u8>)> = files
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.clone()))
        .collect();
    let csrf = csrf_of(&app, &client).await;
    let answer = upload(&app, &client, Some(&csrf), &files).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);

    // The first file is in; the others are still to come.
    for _ in 0..600 {
        if count_rows(&app, "plays", alice).await > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let deleted = client
        .post(app.url("/account/delete"))
        .form(&[("csrf", csrf.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    app.state.imports.wait().await;

    assert_eq!(count_rows(&app, "users", alice).await, 0);
    for table in USER_TABLES {
        assert_eq!(
            count_rows(&app, table, alice).await,
            0,
            "a row of the deleted account is left in {table}"
        );
    }
}

/// The all-time top tracks as shown: (title, artist, plays).
async fn top_tracks(app: &TestApp, client: &Client) -> Vec<(String, String, i64)> {
    let page = app
        .get(client, "/history/top?preset=all&by=plays")
        .await
        .text()
        .await
        .unwrap();
    let tracks = page.split(r#"id="top-artists-title""#).next().unwrap();
    tracks
        .split(r#"<span class="title">"#)
        .skip(1)
        .map(|row| {
            let text = |after: &str| {
                row.split(after)
                    .nth(1)
                    .and_then(|rest| rest.split('<').next())
                    .unwrap()
                    .to_owned()
            };
            let title = row.split('<').next().unwrap().to_owned();
            let plays = text(r#"<td class="num">"#)
                .replace(',', "")
                .parse()
                .unwrap();
            (title, text(r#"<span class="sub">"#), plays)
        })
        .collect()
}

/// Three plays of one song as each export records them: the extended history by track id and
/// to the second, the account data by names and to the minute.
fn song_a_in_both_exports() -> (Vec<u8>, Vec<u8>) {
    let days = ["2020-03-01", "2020-03-02", "2020-03-03"];
    let extended_file: Vec<serde_json::Value> = days
        .iter()
        .map(|day| {
            extended(
                &format!("{day}T10:03:27Z"),
                180_000,
                "Song A",
                "Band",
                "6songAAAAAAAAAAAAAAAAA",
            )
        })
        .collect();
    let account_file: Vec<serde_json::Value> = days
        .iter()
        .map(|day| account(&format!("{day} 10:03"), 180_000, "Song A", "Band"))
        .collect();
    (json(&extended_file), json(&account_file))
}

async fn a_play_both_exports_hold_is_stored_once_whichever_comes_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let (extended_file, account_file) = song_a_in_both_exports();
    let extended_name = "Streaming_History_Audio_2020_0.json";
    let account_name = "StreamingHistory_music_0.json";

    // Account data first: the extended history's plays replace its records of them.
    let client = browser();
    app.login(&client, "alice").await;
    let alice = user_id(&app, "alice").await;
    let first = import_anew(&app, &client, &[(account_name, account_file.clone())]).await;
    assert_eq!(figure(&first, "plays-added"), 3, "{first}");
    let second = import_anew(&app, &client, &[(extended_name, extended_file.clone())]).await;
    assert_eq!(figure(&second, "plays-added"), 0, "{second}");
    assert_eq!(figure(&second, "duplicates"), 3);
    assert_eq!(stored_plays(&app, alice).await, 3);
    assert_eq!(
        top_tracks(&app, &client).await,
        [("Song A".to_owned(), "Band".to_owned(), 3)]
    );
    let stored = app.store.recent_plays(alice, 10).await.unwrap();
    assert!(
        stored
            .iter()
            .all(|p| p.track_key == "6songAAAAAAAAAAAAAAAAA" && p.played_at % 60_000 == 27_000),
        "the extended history's records, keyed by track id, are kept: {stored:?}"
    );
    // Both again: nothing more.
    for (name, file) in [
        (account_name, &account_file),
        (extended_name, &extended_file),
    ] {
        let again = import_anew(&app, &client, &[(name, file.clone())]).await;
        assert_eq!(figure(&again, "plays-added"), 0, "{again}");
    }
    assert_eq!(stored_plays(&app, alice).await, 3);

    // Extended history first, account data after: separately, and in one upload.
    for (persona, together) in [("bob", false), ("empty", true)] {
        let client = browser();
        app.login(&client, persona).await;
        let user = user_id(&app, persona).await;
        let files = [
            (extended_name, extended_file.clone()),
            (account_name, account_file.clone()),
        ];
        let added = if together {
            let page = import_anew(&app, &client, &[("my_spotify_data.zip", zip_of(&files))]).await;
            figure(&page, "plays-added")
        } else {
            let mut added = 0;
            for file in files {
                added += figure(&import_anew(&app, &client, &[file]).await, "plays-added");
            }
            added
        };
        assert_eq!(added, 3, "{persona}");
        assert_eq!(stored_plays(&app, user).await, 3, "{persona}");
        assert_eq!(
            top_tracks(&app, &client).await,
            [("Song A".to_owned(), "Band".to_owned(), 3)],
            "{persona}"
        );
    }
}

async fn a_compilation_track_both_exports_hold_is_stored_once(backend: Backend) {
    let app = spawn_app(backend).await;
    // The extended history names a compilation's artist ("Various Artists"), the account data
    // the track's own.
    let days = ["2021-05-01", "2021-05-02"];
    let extended_file = json(
        &days
            .iter()
            .map(|day| {
                extended(
                    &format!("{day}T22:41:05Z"),
                    200_000,
                    "Song B",
                    "Various Artists",
                    "7songBBBBBBBBBBBBBBBBB",
                )
            })
            .collect::<Vec<_>>(),
    );
    let account_file = json(
        &days
            .iter()
            .map(|day| account(&format!("{day} 22:41"), 200_000, "Song B", "Real Artist"))
            .collect::<Vec<_>>(),
    );
    let extended_file = ("Streaming_History_Audio_2021_0.json", extended_file);
    let account_file = ("StreamingHistory_music_0.json", account_file);
    for (persona, files) in [
        ("alice", [account_file.clone(), extended_file.clone()]),
        ("bob", [extended_file.clone(), account_file.clone()]),
    ] {
        let client = browser();
        app.login(&client, persona).await;
        let user = user_id(&app, persona).await;
        let first = import_anew(&app, &client, &files[..1]).await;
        assert_eq!(figure(&first, "plays-added"), 2, "{persona}: {first}");
        let second = import_anew(&app, &client, &files[1..]).await;
        assert_eq!(figure(&second, "plays-added"), 0, "{persona}: {second}");
        assert_eq!(stored_plays(&app, user).await, 2, "{persona}");
        let top = top_tracks(&app, &client).await;
        assert_eq!(top.len(), 1, "{persona}: {top:?}");
        assert_eq!((top[0].0.as_str(), top[0].2), ("Song B", 2), "{persona}");
    }
    // Different songs of the same name are not taken for one another.
    let client = browser();
    app.login(&client, "empty").await;
    let empty = user_id(&app, "empty").await;
    let other = json(&[account(
        "2021-05-01 22:41",
        200_000,
        "Song B",
        "Another Band",
    )]);
    import_anew(&app, &client, &[extended_file]).await;
    let page = import_anew(&app, &client, &[("StreamingHistory_music_0.json", other)]).await;
    assert_eq!(
        figure(&page, "plays-added"),
        0,
        "a compilation's track may be anyone's"
    );
    let band = json(&[extended(
        "2021-05-03T10:00:00Z",
        200_000,
        "Song C",
        "Band",
        "8songCCCCCCCCCCCCCCCCC",
    )]);
    import_anew(&app, &client, &[("endsong_0.json", band)]).await;
    let other = json(&[account("2021-05-03 10:00", 200_000, "Song C", "Other Band")]);
    let page = import_anew(&app, &client, &[("StreamingHistory_music_1.json", other)]).await;
    assert_eq!(figure(&page, "plays-added"), 1, "{page}");
    assert_eq!(stored_plays(&app, empty).await, 4);
}

async fn a_track_played_twice_in_a_row_stays_two_plays(backend: Backend) {
    let app = spawn_app(backend).await;
    // A 45-second song twice in a row. The account data holds only the second play (its period
    // begins in between): it must not stand for both.
    let extended_file = (
        "Streaming_History_Audio_2022_0.json",
        json(&[
            extended(
                "2022-01-10T08:00:45Z",
                45_000,
                "Short",
                "Band",
                "9shortDDDDDDDDDDDDDDDD",
            ),
            extended(
                "2022-01-10T08:01:30Z",
                45_000,
                "Short",
                "Band",
                "9shortDDDDDDDDDDDDDDDD",
            ),
        ]),
    );
    let second_only = (
        "StreamingHistory_music_0.json",
        json(&[account("2022-01-10 08:01", 45_000, "Short", "Band")]),
    );
    let both = (
        "StreamingHistory_music_0.json",
        json(&[
            account("2022-01-10 08:00", 45_000, "Short", "Band"),
            account("2022-01-10 08:01", 45_000, "Short", "Band"),
        ]),
    );
    for (persona, files) in [
        ("alice", [second_only.clone(), extended_file.clone()]),
        ("bob", [extended_file.clone(), second_only.clone()]),
        ("empty", [both.clone(), extended_file.clone()]),
        ("markup", [extended_file.clone(), both.clone()]),
    ] {
        let client = browser();
        app.login(&client, persona).await;
        let user = user_id(&app, persona).await;
        for file in files {
            import_anew(&app, &client, &[file]).await;
        }
        assert_eq!(stored_plays(&app, user).await, 2, "{persona}");
        let top = top_tracks(&app, &client).await;
        assert_eq!(
            top.iter().map(|t| t.2).sum::<i64>(),
            2,
            "{persona}: {top:?}"
        );
    }
}

/// A year of plays, one every ten days, as an extended-history file.
fn year_of_plays(year: i32) -> Vec<u8> {
    let start = time::Date::from_calendar_date(year, time::Month::January, 5)
        .unwrap()
        .midnight()
        .assume_utc();
    json(
        &(0..36)
            .map(|n| {
                extended(
                    &iso(start + time::Duration::days(10 * n) + time::Duration::hours(18)),
                    200_000,
                    &format!("Song {year}"),
                    "Band",
                    &format!("{year}songEEEEEEEEEEEEEEEE"),
                )
            })
            .collect::<Vec<_>>(),
    )
}

/// The holes the history overview names, as (from, to) dates.
async fn holes_shown(app: &TestApp, client: &Client) -> Vec<(String, String)> {
    let page = app.get(client, "/history").await.text().await.unwrap();
    let Some(list) = page.split(r#"<ul class="holes">"#).nth(1) else {
        return Vec::new();
    };
    let list = list.split("</ul>").next().unwrap();
    list.split("<li>")
        .skip(1)
        .filter(|item| item.contains("datetime"))
        .map(|item| {
            let dates: Vec<&str> = item
                .split(r#"datetime=""#)
                .skip(1)
                .map(|rest| rest.split('"').next().unwrap())
                .collect();
            (dates[0].to_owned(), dates[1].to_owned())
        })
        .collect()
}

async fn a_file_that_failed_or_was_not_uploaded_leaves_a_hole(backend: Backend) {
    let app = spawn_app(backend).await;
    let name = |year: i32, n: u32| format!("Streaming_History_Audio_{year}_{n}.json");
    let mut truncated = year_of_plays(2021);
    truncated.truncate(truncated.len() / 2);
    let (first, last) = (
        (name(2020, 0), year_of_plays(2020)),
        (name(2022, 2), year_of_plays(2022)),
    );
    for (persona, middle) in [
        ("alice", Some(truncated)),
        ("bob", None),
        ("empty", Some(year_of_plays(2021))),
    ] {
        let client = browser();
        app.login(&client, persona).await;
        let mut files = vec![first.clone()];
        files.extend(middle.map(|bytes| (name(2021, 1), bytes)));
        files.push(last.clone());
        if persona == "empty" {
            // Inside a zip, in the export's folder.
            let entries: Vec<(String, Vec<u8>)> = files
                .into_iter()
                .map(|(name, bytes)| (format!("Spotify Extended Streaming History/{name}"), bytes))
                .collect();
            let entries: Vec<(&str, Vec<u8>)> = entries
                .iter()
                .map(|(name, bytes)| (name.as_str(), bytes.clone()))
                .collect();
            files = vec![("my_spotify_data.zip".to_owned(), zip_of(&entries))];
        }
        let files: Vec<(&str, Vec<u8>)> = files
            .iter()
            .map(|(name, bytes)| (name.as_str(), bytes.clone()))
            .collect();
        import_anew(&app, &client, &files).await;
        let holes = holes_shown(&app, &client).await;
        // Besides the time since the last play (no poller ran), only 2021, when its file
        // failed or is missing: files numbered one after another are joined.
        let months: Vec<(&str, &str)> = holes
            .iter()
            .map(|(from, to)| (&from[..7], &to[..7]))
            .collect();
        if persona == "empty" {
            assert_eq!(months.len(), 1, "{holes:?}");
        } else {
            assert_eq!(months.len(), 2, "{persona}: {holes:?}");
            assert_eq!(months[0], ("2020-12", "2022-01"), "{persona}: {holes:?}");
        }
        assert_eq!(months.last().unwrap().0, "2022-12", "{persona}: {holes:?}");
    }
}

/// The database failing mid-job: the job is marked failed, not left running for ever.
async fn an_import_the_database_stops_is_marked_failed(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    // Every history writer reads the coverage table first.
    let drop = "DROP TABLE history_coverage";
    match backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&app.database_url)
                .await
                .unwrap();
            sqlx::query(drop).execute(&mut c).await.unwrap();
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&app.database_url)
                .await
                .unwrap();
            sqlx::query(drop).execute(&mut c).await.unwrap();
        }
    }
    let csrf = csrf_of(&app, &client).await;
    let files = [("Streaming_History_Audio_2020_0.json", year_of_plays(2020))];
    let answer = upload(&app, &client, Some(&csrf), &files).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let job = location(&answer);
    app.state.imports.wait().await;
    let progress = app
        .htmx(&client, &format!("{job}/progress"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!progress.contains("hx-trigger"), "{progress}");
    assert!(!progress.contains("<progress"), "{progress}");
    assert!(progress.contains("stopped with an error"), "{progress}");
    assert!(progress.contains("The database failed"), "{progress}");
}

/// A file saved again by a Windows editor starts with a UTF-8 byte order mark.
async fn a_file_starting_with_a_byte_order_mark_is_imported(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let alice = user_id(&app, "alice").await;
    let marked = |name: &str| [&b"\xEF\xBB\xBF"[..], &fixture(name)].concat();
    let page = import(
        &app,
        &client,
        &[
            (
                "Streaming_History_Audio_2023_0.json",
                marked("extended_Streaming_History_Audio_format2023plus.json"),
            ),
            (
                "my_spotify_data.zip",
                zip_of(&[(
                    "MyData/endsong_0.json",
                    marked("extended_endsong_0_legacy_format.json"),
                )]),
            ),
        ],
    )
    .await;
    assert!(!page.contains("not imported"), "{page}");
    let added = figure(&page, "plays-added");
    assert!(added >= 2, "{page}");
    assert_eq!(stored_plays(&app, alice).await, added);
}

/// A device with a broken clock: a few entries of a real export end in year 1 or 9999, or last
/// longer than a lifetime. The file is kept; they are skipped, counted, and cover nothing.
async fn plays_at_impossible_times_are_skipped_and_counted(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let alice = user_id(&app, "alice").await;
    let good = |day: u8| {
        extended(
            &format!("2020-03-{day:02}T12:00:00Z"),
            200_000,
            "Good Song",
            "Good Band",
            "id_good_song",
        )
    };
    let entries = [
        good(1),
        extended("0001-01-01T00:00:00Z", 200_000, "Year One", "Band", "id_1"),
        good(2),
        extended("9999-12-31T23:59:59Z", 200_000, "Year 9999", "Band", "id_2"),
        extended(
            "2020-03-03T12:00:00Z",
            9_000_000_000_000_000_000,
            "Endless",
            "Band",
            "id_3",
        ),
        good(4),
    ];
    let page = import(
        &app,
        &client,
        &[(
            "Streaming_History_Audio_2020_0.json",
            serde_json::to_vec(&entries).unwrap(),
        )],
    )
    .await;
    assert!(!page.contains("not imported"), "{page}");
    assert_eq!(figure(&page, "plays-added"), 3, "{page}");
    assert_eq!(figure(&page, "impossible"), 3, "{page}");
    assert!(page.contains("Entries with an impossible time or duration (skipped)"));
    assert_eq!(stored_plays(&app, alice).await, 3);

    // What the import covers is the span of its good plays.
    let coverage = app.store.coverage(alice).await.unwrap();
    let day_ms = |day: i64| (1_583_020_800 + (day - 1) * 86_400 + 43_200) * 1000;
    assert!(
        coverage
            .iter()
            .all(|span| span.start_ms >= day_ms(1) && span.end_ms <= day_ms(4)),
        "{coverage:?}"
    );
    let overview = app.get(&client, "/history").await.text().await.unwrap();
    assert!(
        overview.contains(r#"<time datetime="2020-03-01">"#)
            && overview.contains(r#"<time datetime="2020-03-04">"#),
        "{overview}"
    );
    for page in ["/history", "/history/months", "/history/top?preset=all"] {
        let text = app.get(&client, page).await.text().await.unwrap();
        assert!(
            !text.contains(r#"datetime="0001-"#)
                && !text.contains(r#"datetime="9999-"#)
                && !text.contains("Year One")
                && !text.contains("Year 9999")
                && !text.contains("Endless"),
            "{page}: {text}"
        );
    }
    let months = app
        .get(&client, "/history/months")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        months.contains("2020") && !months.contains("9999"),
        "{months}"
    );
}
