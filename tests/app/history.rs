//! Listening history end to end: the poller (idempotence, failures, locking across two
//! processes), the history pages, settings, the data download and account deletion.

use std::collections::HashSet;

use euterpe::stats::history::group_thousands;
use euterpe::store::{NewPlay, PlaySource, TrackFacts, USER_TABLES};
use euterpe::worker::poller::poll_due_users;
use euterpe_fakes::spotify::{Fault, FaultKind};
use reqwest::StatusCode;
use sqlx::Connection;

use crate::both_backends;
use crate::common::history::{count_rows, csrf_of, save_settings, stored_plays, user_id};
use crate::common::{Backend, TestApp, browser, escaped, spawn_app, spawn_sibling};

both_backends!(
    the_poller_stores_each_play_once,
    one_users_failure_never_stalls_the_others,
    history_pages_show_the_users_plays_in_their_time_zone,
    settings_are_validated_and_need_the_form_token,
    the_data_download_holds_everything_but_tokens,
    deleting_an_account_leaves_no_row_in_any_table,
    listening_time_adds_up_without_wrapping,
);

async fn the_poller_stores_each_play_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let alice = user_id(&app, "alice").await;

    let round = poll_due_users(&app.state).await.unwrap();
    assert_eq!(
        round.polled,
        vec![(alice, 50)],
        "Spotify shows the latest 50 plays"
    );
    assert_eq!(stored_plays(&app, alice).await, 50);

    // Not due again before the interval; then nothing new after the cursor.
    assert!(poll_due_users(&app.state).await.unwrap().polled.is_empty());
    app.clock.advance(time::Duration::minutes(21));
    let round = poll_due_users(&app.state).await.unwrap();
    assert_eq!(round.polled, vec![(alice, 0)]);

    // Two new plays (one of a track already stored): both recorded, once.
    let (track, _) = app.fake.plays("alice").last().unwrap().clone();
    let now = app.clock.now();
    app.fake
        .add_play("alice", &track, now - time::Duration::minutes(2));
    app.fake
        .add_play("alice", &track, now - time::Duration::minutes(6));
    app.clock.advance(time::Duration::minutes(21));
    assert_eq!(
        poll_due_users(&app.state).await.unwrap().polled,
        vec![(alice, 2)]
    );
    assert_eq!(stored_plays(&app, alice).await, 52);

    // Storing a play twice is impossible.
    let play = NewPlay {
        track_key: track.clone(),
        played_at: (now - time::Duration::minutes(2)).unix_timestamp() * 1000 + 1,
        ms_played: 200_000,
    };
    let mut writer = app
        .store
        .play_writer(alice, PlaySource::Poller)
        .await
        .unwrap();
    let first = writer.insert(std::slice::from_ref(&play)).await.unwrap();
    let again = writer.insert(std::slice::from_ref(&play)).await.unwrap();
    writer.commit().await.unwrap();
    assert_eq!((first, again), (1, 0));

    // The dashboard links to the history; the history page counts the plays.
    let dashboard = app.get(&client, "/").await.text().await.unwrap();
    assert!(dashboard.contains(r#"href="/history""#));
    let page = app.get(&client, "/history").await.text().await.unwrap();
    assert!(page.contains("53"), "{page}");
}

async fn one_users_failure_never_stalls_the_others(backend: Backend) {
    let app = spawn_app(backend).await;
    let (alice_client, bob_client) = (browser(), browser());
    app.login(&alice_client, "alice").await;
    app.login(&bob_client, "bob").await;
    let (alice, bob) = (user_id(&app, "alice").await, user_id(&app, "bob").await);
    let route = "GET /v1/me/player/recently-played".to_owned();

    // Spotify fails for alice (twice: the client retries a 5xx once): bob is still polled.
    app.fake.inject(Fault {
        route: Some(route.clone()),
        persona: Some("alice".into()),
        kind: FaultKind::Status(503),
        times: Some(2),
    });
    let round = poll_due_users(&app.state).await.unwrap();
    assert_eq!(
        round.polled.iter().map(|(u, _)| *u).collect::<Vec<_>>(),
        vec![bob]
    );
    assert_eq!(round.failed.len(), 1);
    assert_eq!(round.failed[0].0, alice);
    assert!(stored_plays(&app, bob).await > 0);
    assert_eq!(stored_plays(&app, alice).await, 0);

    // A 429 pauses everyone (Spotify's limit is per app) until Retry-After has passed.
    app.clock.advance(time::Duration::minutes(21));
    app.fake.inject(Fault {
        route: Some(route.clone()),
        persona: None,
        kind: FaultKind::RateLimited {
            retry_after_secs: 3600,
        },
        times: Some(1),
    });
    let round = poll_due_users(&app.state).await.unwrap();
    assert!(round.paused_until.is_some());
    assert!(round.polled.is_empty());
    let calls = app.fake.request_count(&route);
    app.clock.advance(time::Duration::minutes(30));
    let round = poll_due_users(&app.state).await.unwrap();
    assert!(
        round.polled.is_empty() && round.failed.is_empty(),
        "{round:?}"
    );
    assert_eq!(
        app.fake.request_count(&route),
        calls,
        "no call during the pause"
    );
    app.clock.advance(time::Duration::minutes(31));
    let round = poll_due_users(&app.state).await.unwrap();
    let polled: HashSet<_> = round.polled.iter().map(|(u, _)| *u).collect();
    assert_eq!(polled, HashSet::from([alice, bob]));
    assert!(stored_plays(&app, alice).await > 0);

    // A user whose login died is skipped from then on, and told so.
    app.fake.revoke_refresh_tokens("alice");
    app.fake.expire_access_tokens("alice");
    app.clock.advance(time::Duration::minutes(21));
    let round = poll_due_users(&app.state).await.unwrap();
    assert_eq!(
        round.polled.iter().map(|(u, _)| *u).collect::<Vec<_>>(),
        vec![bob]
    );
    assert!(
        app.store
            .tokens(alice)
            .await
            .unwrap()
            .unwrap()
            .needs_relogin
    );
    app.clock.advance(time::Duration::minutes(21));
    let round = poll_due_users(&app.state).await.unwrap();
    assert!(
        round.failed.is_empty(),
        "alice is not even tried: {round:?}"
    );
    let page = app
        .get(&alice_client, "/history")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("log in again"), "{page}");
}

/// Two processes on one Postgres never poll the same user at once, and the second does not poll
/// users the first has just polled.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_share_the_users_without_overlap_on_postgres() {
    if !crate::common::postgres_available().await {
        return;
    }
    let app = spawn_app(Backend::Postgres).await;
    let sibling = spawn_sibling(&app).await;
    for persona in ["alice", "bob", "markup"] {
        app.login(&browser(), persona).await;
    }
    let route = "GET /v1/me/player/recently-played";
    // Slow answers, so both processes are busy at the same time.
    app.fake.inject(Fault {
        route: Some(route.into()),
        persona: None,
        kind: FaultKind::Delay(std::time::Duration::from_millis(300)),
        times: None,
    });
    let (one, two) = tokio::join!(poll_due_users(&app.state), poll_due_users(&sibling.state));
    let (one, two) = (one.unwrap(), two.unwrap());
    let first: HashSet<_> = one.polled.iter().map(|(u, _)| *u).collect();
    let second: HashSet<_> = two.polled.iter().map(|(u, _)| *u).collect();
    assert!(first.is_disjoint(&second), "{first:?} / {second:?}");
    assert_eq!(first.len() + second.len(), 3);
    assert_eq!(app.fake.request_count(route), 3, "each user polled once");
    // Polled recently: neither process polls anyone now.
    let (one, two) = tokio::join!(poll_due_users(&app.state), poll_due_users(&sibling.state));
    assert!(one.unwrap().polled.is_empty() && two.unwrap().polled.is_empty());
    assert_eq!(app.fake.request_count(route), 3);
    app.fake.clear_faults();
}

async fn history_pages_show_the_users_plays_in_their_time_zone(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let bob_client = browser();
    app.login(&bob_client, "bob").await;
    poll_due_users(&app.state).await.unwrap();
    let alice = user_id(&app, "alice").await;

    // The most played of alice's 50 stored plays is first in her top tracks.
    let recent = app.store.recent_plays(alice, 50).await.unwrap();
    let mut counts: std::collections::HashMap<&str, usize> = Default::default();
    for play in &recent {
        *counts.entry(play.name.as_str()).or_default() += 1;
    }
    let most = counts.values().max().copied().unwrap();
    let top = app.get(&client, "/history/top?preset=short_term").await;
    assert_eq!(top.status(), StatusCode::OK);
    let html = top.text().await.unwrap();
    let leader = html.split("<tbody>").nth(1).unwrap();
    let first_row = leader.split("</tr>").next().unwrap();
    let leader_name = counts
        .iter()
        .filter(|(_, n)| **n == most)
        .map(|(name, _)| escaped(name))
        .collect::<Vec<_>>();
    assert!(
        leader_name
            .iter()
            .any(|name| first_row.contains(name.as_str())),
        "{first_row}"
    );
    assert!(
        html.contains(r#"<span class="total-plays">50</span>"#),
        "{html}"
    );
    // Bob sees his own plays only.
    let bob = user_id(&app, "bob").await;
    let bob_plays = stored_plays(&app, bob).await;
    let bob_html = app
        .get(&bob_client, "/history/top?preset=all&by=minutes")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        bob_html.contains(&format!(r#"<span class="total-plays">{bob_plays}</span>"#)),
        "{bob_html}"
    );

    // A custom range works; a bad one is a 400 in plain words.
    let today = app.clock.now().date();
    let week_ago = today - time::Duration::days(7);
    let custom = app
        .get(&client, &format!("/history/top?from={week_ago}&to={today}"))
        .await;
    assert_eq!(custom.status(), StatusCode::OK);
    let bad = app
        .get(&client, "/history/top?from=yesterday&to=2024-01-01")
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("YYYY-MM-DD"));
    let reversed = app
        .get(&client, &format!("/history/top?from={today}&to={week_ago}"))
        .await;
    assert_eq!(reversed.status(), StatusCode::BAD_REQUEST);

    // The clock: 50 plays in the grid, in UTC, then shifted by the chosen zone.
    let clock = app
        .get(&client, "/history/clock")
        .await
        .text()
        .await
        .unwrap();
    assert!(clock.contains("<svg"), "an SVG heat map");
    assert!(!clock.contains("style="), "no inline styles (strict CSP)");
    let utc_cells = cell_titles(&clock);
    assert_eq!(utc_cells.values().sum::<i64>(), 50);
    let csrf = csrf_of(&app, &client).await;
    let saved = save_settings(&app, &client, &csrf, "Asia/Kathmandu", "southern").await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let shifted = cell_titles(
        &app.get(&client, "/history/clock")
            .await
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(shifted.values().sum::<i64>(), 50);
    assert_ne!(shifted, utc_cells, "UTC+5:45 moves plays to other hours");

    // Months and seasons.
    let months = app
        .get(&client, "/history/months")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        months.contains("Minutes listened per month") && months.contains("New artists per month")
    );
    assert!(months.contains("<svg"));
    let seasons = app
        .get(&client, "/history/seasons?time_range=short_term")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        seasons.contains("Southern hemisphere") && seasons.contains("Asia/Kathmandu"),
        "{seasons}"
    );
    assert!(seasons.contains("listening history"));
    let bad_range = app
        .get(&client, "/history/seasons?time_range=forever")
        .await;
    assert_eq!(bad_range.status(), StatusCode::BAD_REQUEST);

    // Logged out: sent to log in.
    let anonymous = app.get(&browser(), "/history").await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

/// `weekday hour → plays` from the heat map's cell titles.
fn cell_titles(html: &str) -> std::collections::BTreeMap<String, i64> {
    html.split("<title>")
        .skip(1)
        .filter_map(|rest| {
            let title = rest.split("</title>").next()?;
            let (cell, plays) = title.split_once(": ")?;
            let plays: i64 = plays.strip_suffix(" plays")?.parse().ok()?;
            (plays > 0).then(|| (cell.to_owned(), plays))
        })
        .collect()
}

async fn settings_are_validated_and_need_the_form_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let alice = user_id(&app, "alice").await;
    let csrf = csrf_of(&app, &client).await;
    let unknown = save_settings(&app, &client, &csrf, "Mars/Olympus", "northern").await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    assert!(unknown.text().await.unwrap().contains("Mars/Olympus"));
    let forged = save_settings(&app, &client, "nope", "Europe/Paris", "northern").await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.store.history_settings(alice).await.unwrap().zone.name(),
        "UTC"
    );
    let ok = save_settings(&app, &client, &csrf, "europe/paris", "northern").await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.store.history_settings(alice).await.unwrap().zone.name(),
        "Europe/Paris"
    );
    let account = app
        .get(&client, "/account?saved=1")
        .await
        .text()
        .await
        .unwrap();
    assert!(account.contains(r#"value="Europe/Paris""#));
}

async fn the_data_download_holds_everything_but_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    poll_due_users(&app.state).await.unwrap();
    let link = app.share(&client, &[("panels", "top_songs")]).await;
    let share_token = link.rsplit('/').next().unwrap().to_owned();
    let response = app.get(&client, "/account/data").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let text = response.text().await.unwrap();
    let data: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(data["plays"].as_array().unwrap().len(), 50);
    assert!(!data["tracks"].as_array().unwrap().is_empty());
    assert_eq!(data["spotify_tokens"], "omitted");
    assert_eq!(data["user"]["spotify_id"], "alice_demo");
    assert!(data["poller"]["last_success_at"].as_i64().unwrap() > 0);
    assert!(!text.contains("access_token") && !text.contains("refresh_token"));
    assert!(!text.contains(&share_token), "a share link's token");
    assert_eq!(
        data["shares"][0]["panels"],
        serde_json::json!(["top_songs"])
    );
    assert_eq!(data["shares"][0]["views"], 0);
    assert_eq!(data["login_sessions"].as_array().unwrap().len(), 1);
    assert!(
        data["spotify_connection"]["authorized_at"]
            .as_i64()
            .unwrap()
            > 0
    );
    assert!(
        !data["spotify_connection"]["scope"]
            .as_str()
            .unwrap()
            .is_empty()
    );
    // Every table holding rows of a user is in the download, or left out for a stated reason.
    for table in tables_with_user_id(&app).await {
        let key = match table.as_str() {
            "plays" => "plays",
            "user_tracks" => "tracks",
            "history_coverage" => "coverage",
            "poll_state" => "poller",
            "imports" => "imports",
            "user_settings" => "settings",
            "spotify_cache" => "spotify_cache",
            "shares" => "shares",
            "spotify_tokens" => "spotify_connection",
            "user_sessions" => "login_sessions",
            "compare_optins" => "listen_together",
            // Derived from plays (charts' summaries), and a lock held for seconds.
            "history_months" | "spotify_fetch_leases" => continue,
            other => panic!("the data download doesn't say what it does with {other}"),
        };
        assert!(data.get(key).is_some(), "{table} is missing as {key}");
    }
    // Nobody else's data is in it.
    let bob = browser();
    app.login(&bob, "bob").await;
    let bobs: serde_json::Value = app.get(&bob, "/account/data").await.json().await.unwrap();
    assert_eq!(bobs["user"]["spotify_id"], "bob_demo");
    assert!(
        bobs["plays"].as_array().unwrap().is_empty(),
        "bob was never polled"
    );
}

/// Every table with a `user_id` column, read from the database's own catalogue.
async fn tables_with_user_id(app: &TestApp) -> Vec<String> {
    match app.backend {
        Backend::Sqlite => {
            let mut connection = sqlx::SqliteConnection::connect(&app.database_url)
                .await
                .unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND name NOT LIKE '_sqlx%'",
            )
            .fetch_all(&mut connection)
            .await
            .unwrap();
            let mut with = Vec::new();
            for table in tables {
                let columns: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}')"))
                        .fetch_all(&mut connection)
                        .await
                        .unwrap();
                if columns.iter().any(|c| c == "user_id") {
                    with.push(table);
                }
            }
            with
        }
        Backend::Postgres => {
            let mut connection = sqlx::PgConnection::connect(&app.database_url)
                .await
                .unwrap();
            sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.columns \
                 WHERE column_name = 'user_id' AND table_schema = 'public'",
            )
            .fetch_all(&mut connection)
            .await
            .unwrap()
        }
    }
}

async fn deleting_an_account_leaves_no_row_in_any_table(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let other = browser();
    app.login(&other, "bob").await;
    let alice = user_id(&app, "alice").await;
    let bob = user_id(&app, "bob").await;
    // Give alice a row in every table: plays and summaries (poller), coverage, poll state,
    // cache (a panel), settings, an import.
    poll_due_users(&app.state).await.unwrap();
    assert_eq!(
        app.htmx(&client, "/top_songs").await.status(),
        StatusCode::OK
    );
    let csrf = csrf_of(&app, &client).await;
    save_settings(&app, &client, &csrf, "Europe/Oslo", "northern").await;
    app.store
        .create_import(alice, 0, app.clock.unix())
        .await
        .unwrap();
    // A share link, a fetch lease held right now, and a rate-limit pause.
    let shared = client
        .post(app.url("/shares"))
        .form(&[("csrf", csrf.as_str()), ("panels", "top_songs")])
        .send()
        .await
        .unwrap();
    assert_eq!(shared.status(), StatusCode::SEE_OTHER);
    let now = app.clock.unix();
    assert!(
        app.store
            .try_lease(alice, "top_tracks/long_term", now, now + 20)
            .await
            .unwrap()
    );
    app.store.pause(&alice.to_string(), now + 60).await.unwrap();
    assert_eq!(
        app.store.paused_until(alice, now).await.unwrap(),
        Some(now + 60)
    );
    let second_browser = browser();
    app.login(&second_browser, "alice").await;

    // Alice lets the others compare their taste with hers.
    let opted = app
        .post_form(
            &client,
            "/account/compare",
            &[("enabled", "1"), ("shown_name", "Alice")],
        )
        .await;
    assert_eq!(opted.status(), StatusCode::SEE_OTHER);

    let session_ids: Vec<String> = session_rows(&app, Some(alice)).await;
    assert_eq!(session_ids.len(), 2, "two browsers");
    let tables = tables_with_user_id(&app).await;
    for table in USER_TABLES {
        assert!(tables.iter().any(|t| t == table), "{table} is a user table");
    }
    for table in &tables {
        assert!(
            count_rows(&app, table, alice).await > 0,
            "alice has rows in {table} before the deletion"
        );
    }

    // Not without the confirmation, not without the form token.
    let unconfirmed = client
        .post(app.url("/account/delete"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(unconfirmed.status(), StatusCode::BAD_REQUEST);
    let forged = client
        .post(app.url("/account/delete"))
        .form(&[("csrf", "forged"), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(count_rows(&app, "users", alice).await, 1);

    let deleted = client
        .post(app.url("/account/delete"))
        .form(&[("csrf", csrf.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert_eq!(count_rows(&app, "users", alice).await, 0);
    for table in &tables {
        assert_eq!(
            count_rows(&app, table, alice).await,
            0,
            "a row of alice's is left in {table}"
        );
    }
    // Both of alice's browsers are logged out; bob keeps everything.
    for browser in [&client, &second_browser] {
        assert_eq!(
            app.get(browser, "/history").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let left = session_rows(&app, None).await;
    for id in &session_ids {
        assert!(!left.contains(id), "alice's login session {id} is left");
    }
    let sessions_left = left.len();
    assert!(sessions_left >= 1, "bob's session is kept");
    assert_eq!(app.get(&other, "/history").await.status(), StatusCode::OK);
    assert!(count_rows(&app, "plays", bob).await > 0);
    assert_eq!(
        app.store.paused_until(alice, now).await.unwrap(),
        None,
        "alice's pause is gone"
    );
}

/// Login sessions: alice's (through `user_sessions`) or the ids of every stored session.
async fn session_rows(app: &TestApp, user: Option<euterpe::domain::UserId>) -> Vec<String> {
    let sql = match (user, app.backend) {
        (Some(_), _) => "SELECT session_id FROM user_sessions WHERE user_id = $1",
        (None, Backend::Sqlite) => "SELECT id FROM tower_sessions",
        (None, Backend::Postgres) => "SELECT id FROM tower_sessions.session",
    };
    match app.backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&app.database_url)
                .await
                .unwrap();
            let query = sqlx::query_scalar(sql);
            let query = match user {
                Some(user) => query.bind(user),
                None => query,
            };
            query.fetch_all(&mut c).await.unwrap()
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&app.database_url)
                .await
                .unwrap();
            let query = sqlx::query_scalar(sql);
            let query = match user {
                Some(user) => query.bind(user),
                None => query,
            };
            query.fetch_all(&mut c).await.unwrap()
        }
    }
}

/// Plays of absurd lengths, as imports stored them before they refused such entries: their
/// listening time adds up to the most a total can hold, never wrapping round to negative.
async fn listening_time_adds_up_without_wrapping(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let alice = user_id(&app, "alice").await;
    // Two tracks of one artist, each played twice in its own quarter hour of one hour (and B
    // once in the next hour), each play longer than half of what a total can hold; later, one
    // more in that hour, and two in the same hour of the week in April (on the 5th and 19th).
    let noon = 1_583_064_000_000; // Sunday 2020-03-01 12:00 UTC
    let endless = 5_000_000_000_000_000_000;
    let play = |track: &str, minute: i64| NewPlay {
        track_key: track.into(),
        played_at: noon + minute * 60_000,
        ms_played: endless,
    };
    let plays = [
        play("id_endless_a", 0),
        play("id_endless_a", 1),
        play("id_endless_b", 20),
        play("id_endless_b", 21),
        play("id_endless_b", 60),
    ];
    let facts = |track: &str, name: &str| TrackFacts {
        track_key: track.into(),
        track_id: Some(track.into()),
        name: name.into(),
        artist_name: "Endless Band".into(),
        album_name: None,
        artist_ids: None,
        duration_ms: None,
        first_played_at: noon,
    };
    let week_ms = 7 * 86_400_000;
    let later = [
        vec![play("id_endless_a", 2)],
        vec![
            NewPlay {
                played_at: noon + 5 * week_ms,
                ..play("id_endless_a", 0)
            },
            NewPlay {
                played_at: noon + 7 * week_ms,
                ..play("id_endless_a", 0)
            },
        ],
    ];
    for plays in [&plays[..], &later[0], &later[1]] {
        let mut writer = app
            .store
            .play_writer(alice, PlaySource::Extended)
            .await
            .unwrap();
        assert_eq!(writer.insert(plays).await.unwrap(), plays.len() as u64);
        writer
            .upsert_tracks(&[
                facts("id_endless_a", "Endless A"),
                facts("id_endless_b", "Endless B"),
            ])
            .await
            .unwrap();
        writer.commit().await.unwrap();
    }

    let most = format!("{} h", group_thousands(i64::MAX / 3_600_000));
    for page in [
        "/history",
        "/history/months",
        "/history/clock",
        "/history/seasons",
        "/history/top?from=2020-03-01&to=2020-03-31&by=minutes",
        "/history/top?preset=all&by=minutes",
        "/history/top?from=2020-03-01&to=2020-04-05&by=minutes",
    ] {
        let answer = app.get(&client, page).await;
        assert_eq!(answer.status(), StatusCode::OK, "{page}");
        let text = answer.text().await.unwrap();
        assert!(
            !text.contains(">-"),
            "{page} shows a negative figure: {text}"
        );
        if page == "/history" || page.starts_with("/history/top") {
            assert!(text.contains(&most), "{page}: {text}");
        }
    }
}
