//! Tokens: encrypted at rest, refreshed once however many requests need it, re-login on
//! `invalid_grant`.

use std::collections::HashSet;

use euterpe::crypto::Column;
use euterpe::store::Backend as StoreBackend;
use euterpe_fakes::spotify::{Fault, FaultKind};
use futures_util::future::join_all;
use reqwest::StatusCode;

use crate::both_backends;
use crate::common::{Backend, Spawn, browser, spawn_app, spawn_sibling, spawn_with};

both_backends!(
    the_database_holds_no_plaintext_token,
    swapped_ciphertexts_do_not_decrypt,
    twenty_concurrent_requests_with_an_expired_token_refresh_once,
    a_rejected_token_is_refreshed_once_and_the_request_succeeds,
    an_expired_refresh_token_asks_for_a_new_login,
    refresh_keeps_or_replaces_the_refresh_token_as_spotify_says,
    a_token_refused_after_a_refresh_asks_for_a_new_login,
    a_failing_token_endpoint_is_told_in_plain_words,
);

/// A panel fragment of a user whose Spotify login has ended: it says so in place, with the
/// button to log in again, and does not send the window anywhere (the dashboard would load its
/// panels again and be sent away again, forever).
async fn assert_relogin_panel(panel: reqwest::Response) {
    assert_eq!(panel.status(), StatusCode::UNAUTHORIZED);
    assert!(panel.headers().get("HX-Redirect").is_none());
    let html = panel.text().await.unwrap();
    assert!(html.starts_with(r#"<section class="panel""#), "{html}");
    assert!(html.contains("Your Spotify login has expired."), "{html}");
    assert!(html.contains(r#"href="/login""#), "{html}");
}

/// Reads every token row as raw bytes, straight from the database.
async fn raw_token_rows(
    app: &crate::common::TestApp,
) -> Vec<(euterpe::domain::UserId, Vec<u8>, Vec<u8>)> {
    let sql = "SELECT user_id, access_token, refresh_token FROM spotify_tokens";
    match app.store.backend() {
        StoreBackend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&app.database_url).await.unwrap();
            sqlx::query_as(sql).fetch_all(&pool).await.unwrap()
        }
        StoreBackend::Postgres => {
            let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
            sqlx::query_as(sql).fetch_all(&pool).await.unwrap()
        }
    }
}

/// Overwrites one user's stored ciphertexts, straight in the database.
async fn set_ciphertexts(
    app: &crate::common::TestApp,
    user: euterpe::domain::UserId,
    access: &[u8],
    refresh: &[u8],
) {
    let sql = "UPDATE spotify_tokens SET access_token = $1, refresh_token = $2 WHERE user_id = $3";
    match app.store.backend() {
        StoreBackend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&app.database_url).await.unwrap();
            sqlx::query(sql)
                .bind(access)
                .bind(refresh)
                .bind(user)
                .execute(&pool)
                .await
                .unwrap();
        }
        StoreBackend::Postgres => {
            let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
            sqlx::query(sql)
                .bind(access)
                .bind(refresh)
                .bind(user)
                .execute(&pool)
                .await
                .unwrap();
        }
    }
}

async fn the_database_holds_no_plaintext_token(backend: Backend) {
    let app = spawn_app(backend).await;
    app.login(&browser(), "alice").await;
    let rows = raw_token_rows(&app).await;
    assert_eq!(rows.len(), 1);
    let (user, access, refresh) = &rows[0];
    let access_plain = app
        .keys
        .decrypt(*user, Column::AccessToken, access)
        .unwrap();
    let refresh_plain = app
        .keys
        .decrypt(*user, Column::RefreshToken, refresh)
        .unwrap();
    for (stored, plain) in [(access, &access_plain), (refresh, &refresh_plain)] {
        let plain = plain.expose().as_bytes();
        assert!(plain.len() >= 16);
        assert!(!stored.windows(plain.len()).any(|window| window == plain));
    }
    if backend == Backend::Sqlite {
        // Nowhere in the database file (or its write-ahead log) either.
        let path = app
            .database_url
            .trim_start_matches("sqlite://")
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        for file in [path.clone(), format!("{path}-wal")] {
            if let Ok(bytes) = std::fs::read(&file) {
                for plain in [&access_plain, &refresh_plain] {
                    let plain = plain.expose().as_bytes();
                    assert!(
                        !bytes.windows(plain.len()).any(|w| w == plain),
                        "{file} holds a token"
                    );
                }
            }
        }
    }
}

async fn swapped_ciphertexts_do_not_decrypt(backend: Backend) {
    let app = spawn_app(backend).await;
    let (alice, bob) = (browser(), browser());
    app.login(&alice, "alice").await;
    app.login(&bob, "bob").await;
    let rows = raw_token_rows(&app).await;
    assert_eq!(rows.len(), 2);
    let (a, b) = (&rows[0], &rows[1]);
    // Each user's ciphertext under the other's id fails, and so does the other column.
    assert!(app.keys.decrypt(b.0, Column::AccessToken, &a.1).is_err());
    assert!(app.keys.decrypt(a.0, Column::AccessToken, &b.1).is_err());
    assert!(app.keys.decrypt(a.0, Column::RefreshToken, &a.1).is_err());

    // Swap them in the database: Euterpe can't use them and asks both to log in again,
    // instead of serving one user's Spotify data to the other.
    for (target, source) in [(a, b), (b, a)] {
        set_ciphertexts(&app, target.0, &source.1, &source.2).await;
    }
    for client in [&alice, &bob] {
        assert_relogin_panel(app.htmx(client, "/top_songs").await).await;
        let dashboard = app.get(client, "/").await.text().await.unwrap();
        assert!(dashboard.contains("Your Spotify connection ended on"));
    }
}

async fn twenty_concurrent_requests_with_an_expired_token_refresh_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    // The access token (one hour) is now expired for Euterpe and for the fake alike.
    app.clock.advance(time::Duration::minutes(61));
    app.fake.reset_counters();
    let paths = [
        "/top_songs?time_range=short_term",
        "/top_songs?time_range=medium_term",
        "/top_songs?time_range=long_term",
        "/top_artists?time_range=short_term",
        "/top_artists?time_range=medium_term",
        "/top_artists?time_range=long_term",
    ];
    let responses = join_all((0..20).map(|i| app.htmx(&client, paths[i % paths.len()]))).await;
    for response in responses {
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_eq!(app.fake.token_requests("refresh_token"), 1);
    // And the six resources were each fetched once.
    assert_eq!(app.fake.request_count("GET /v1/me/top/tracks"), 3);
    assert_eq!(app.fake.request_count("GET /v1/me/top/artists"), 3);
}

/// Postgres only: a SQLite file serves one process (its lock is in-process), while the
/// cross-process guarantee is Postgres's row lock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_postgres_refresh_once() {
    if crate::common::postgres_available().await {
        two_processes_on_one_database_refresh_once(Backend::Postgres).await;
    }
}

async fn two_processes_on_one_database_refresh_once(backend: Backend) {
    let first = spawn_app(backend).await;
    let second = spawn_sibling(&first).await;
    let client = browser();
    first.login(&client, "alice").await;
    first.clock.advance(time::Duration::minutes(61));
    first.fake.reset_counters();
    // Cookies ignore ports, so the same browser is logged in on both processes.
    let requests = (0..20).map(|i| {
        let app = if i % 2 == 0 { &first } else { &second };
        let range = ["short_term", "medium_term", "long_term"][i % 3];
        let path = format!("/top_artists?time_range={range}");
        let client = &client;
        async move { app.htmx(client, &path).await }
    });
    for response in join_all(requests).await {
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_eq!(first.fake.token_requests("refresh_token"), 1);
}

async fn a_rejected_token_is_refreshed_once_and_the_request_succeeds(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    app.fake.expire_access_tokens("alice");
    app.fake.reset_counters();
    let response = app.htmx(&client, "/top_songs").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await.unwrap();
    let expected = app.fake_top_track_names("alice", "medium_term").await;
    assert!(body.contains(&crate::common::escaped(&expected[0])));
    // fake_top_track_names made its own code exchange, not a refresh.
    assert_eq!(app.fake.token_requests("refresh_token"), 1);
}

async fn an_expired_refresh_token_asks_for_a_new_login(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    app.fake.revoke_refresh_tokens("alice");
    app.clock.advance(time::Duration::minutes(61));
    assert_relogin_panel(app.htmx(&client, "/top_artists").await).await;
    let page = app.get(&client, "/top_artists").await;
    assert_eq!(page.status(), StatusCode::UNAUTHORIZED);
    assert!(page.text().await.unwrap().contains("Log in again"));
    let dashboard = app.get(&client, "/").await.text().await.unwrap();
    assert!(dashboard.contains("Your Spotify connection ended on"));
    // Logging in again clears it, keeping the same user.
    app.login(&client, "alice").await;
    let dashboard = app.get(&client, "/").await.text().await.unwrap();
    assert!(!dashboard.contains("Your Spotify connection ended on"));
    let panel = app.htmx(&client, "/top_artists").await;
    let status = panel.status();
    assert_eq!(status, StatusCode::OK, "{}", panel.text().await.unwrap());
    let users: HashSet<_> = raw_token_rows(&app)
        .await
        .into_iter()
        .map(|row| row.0)
        .collect();
    assert_eq!(users.len(), 1);
}

async fn refresh_keeps_or_replaces_the_refresh_token_as_spotify_says(backend: Backend) {
    for rotate in [false, true] {
        let app = spawn_with(
            backend,
            Spawn {
                rotate_refresh_tokens: rotate,
                ..Spawn::default()
            },
        )
        .await;
        let client = browser();
        app.login(&client, "alice").await;
        let (user, _, first_refresh) = raw_token_rows(&app).await.remove(0);
        let first = app
            .keys
            .decrypt(user, Column::RefreshToken, &first_refresh)
            .unwrap();
        for round in 1..=3 {
            app.clock.advance(time::Duration::minutes(61));
            let range = ["short_term", "medium_term", "long_term"][round - 1];
            let response = app
                .htmx(&client, &format!("/top_songs?time_range={range}"))
                .await;
            assert_eq!(
                response.status(),
                StatusCode::OK,
                "rotate={rotate} round {round}"
            );
        }
        let (_, _, last_refresh) = raw_token_rows(&app).await.remove(0);
        let last = app
            .keys
            .decrypt(user, Column::RefreshToken, &last_refresh)
            .unwrap();
        // Without a new refresh token the old one is kept; with one, it replaces the old one
        // (which the fake then refuses, so three refreshes in a row prove it was stored).
        assert_eq!(first == last, !rotate, "rotate={rotate}");
    }
}

/// Spotify refuses the access token (401) even after one refresh: one refresh, one more try,
/// then the user is asked to log in again, on this panel and on the dashboard.
async fn a_token_refused_after_a_refresh_asks_for_a_new_login(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    app.fake.reset_counters();
    app.fake.inject(Fault {
        route: Some("GET /v1/me/top/tracks".into()),
        persona: None,
        kind: FaultKind::Status(401),
        times: None,
    });
    assert_relogin_panel(app.htmx(&client, "/top_songs").await).await;
    assert_eq!(app.fake.token_requests("refresh_token"), 1);
    assert_eq!(app.fake.request_count("GET /v1/me/top/tracks"), 2);
    let dashboard = app.get(&client, "/").await.text().await.unwrap();
    assert!(dashboard.contains("Your Spotify connection ended on"));
}

/// The accounts service failing during a login or a refresh: a page or panel that says what
/// happened and when to try again — never a 500.
async fn a_failing_token_endpoint_is_told_in_plain_words(backend: Backend) {
    let app = spawn_app(backend).await;
    let token_fault = |kind| Fault {
        route: Some("POST /api/token".into()),
        persona: None,
        kind,
        times: None,
    };
    // At login (the code exchange).
    for (kind, status, title) in [
        (
            FaultKind::Status(503),
            StatusCode::BAD_GATEWAY,
            "Spotify is unavailable",
        ),
        (
            FaultKind::RateLimited {
                retry_after_secs: 30,
            },
            StatusCode::SERVICE_UNAVAILABLE,
            "Spotify is busy",
        ),
    ] {
        let client = browser();
        let callback = app.authorize(&client, "alice").await;
        app.fake.clear_faults();
        app.fake.inject(token_fault(kind));
        let answer = client.get(&callback).send().await.unwrap();
        assert_eq!(answer.status(), status, "{title}");
        assert!(answer.text().await.unwrap().contains(title), "{title}");
    }
    app.fake.clear_faults();

    // At a refresh (the access token has expired).
    let client = browser();
    app.login(&client, "alice").await;
    app.clock.advance(time::Duration::minutes(61));
    app.fake.inject(token_fault(FaultKind::RateLimited {
        retry_after_secs: 40,
    }));
    let limited = app.htmx(&client, "/top_songs").await;
    assert_eq!(limited.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(limited.headers()["retry-after"], "40");
    assert!(
        limited
            .text()
            .await
            .unwrap()
            .contains("Spotify is limiting how often Euterpe may ask for data")
    );
    app.fake.clear_faults();
    app.fake.inject(token_fault(FaultKind::Status(503)));
    app.clock.advance(time::Duration::seconds(41));
    let down = app.htmx(&client, "/top_artists").await;
    assert_eq!(down.status(), StatusCode::BAD_GATEWAY);
    assert!(
        down.text()
            .await
            .unwrap()
            .contains("Spotify is unavailable right now")
    );
}
