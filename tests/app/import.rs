//! Importing Spotify's data export over HTTP: every format, zips and loose files, the summary,
//! idempotence, no double count with the poller, and broken input.

use euterpe::store::USER_TABLES;
use euterpe::worker::poller::poll_due_users;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

use crate::both_backends;
use crate::common::history::*;
use crate::common::{Backend, Spawn, browser, location, spawn_app, spawn_with};

both_backends!(
    a_whole_export_zip_is_imported_once,
    the_seasons_panel_says_at_least_where_history_has_holes,
    imports_do_not_double_count_the_pollers_plays,
    broken_files_are_named_and_commit_nothing,
    an_upload_over_the_limit_is_a_413_stating_it,
    uploads_need_the_form_token_and_progress_refreshes,
    a_slow_upload_is_not_cut_by_the_request_time_limit_but_uploads_are_rate_limited,
    deleting_the_account_during_an_import_leaves_nothing,
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

    // And the poller, meeting plays an import already holds, does not store them again. Half
    // an hour on, the new play is newer than every play of the fake's history (which runs up
    // to the moment it was made): an import can't take it for one of those, whatever the time
    // of day the test runs at.
    app.clock.advance(time::Duration::minutes(30));
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
