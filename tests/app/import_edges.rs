//! Imports at the edges: holes where a file failed or was not sent, a database that stops, a
//! byte order mark, impossible times.

use reqwest::{Client, StatusCode};
use sqlx::Connection;

use crate::both_backends;
use crate::common::history::*;
use crate::common::{Backend, TestApp, browser, location, spawn_app};

both_backends!(
    a_file_that_failed_or_was_not_uploaded_leaves_a_hole,
    an_import_the_database_stops_is_marked_failed,
    a_file_starting_with_a_byte_order_mark_is_imported,
    plays_at_impossible_times_are_skipped_and_counted,
);

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
