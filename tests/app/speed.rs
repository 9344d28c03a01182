//! How a cold dashboard spends its calls to Spotify: all it needs is asked for when the page is
//! drawn, in a chain two calls deep (the playlist list, then every page of every playlist at
//! once), with at most `SPOTIFY_MAX_IN_FLIGHT` of one listener's calls under way together, and
//! each resource fetched once however many requests want it.

use std::time::Duration;

use euterpe::panel::Panel;
use euterpe_fakes::spotify::{Fault, FaultKind, longest_chain, most_in_flight};
use futures_util::future::join_all;
use reqwest::StatusCode;

use crate::both_backends;
use crate::common::history::user_id;
use crate::common::{Backend, Spawn, TestApp, browser, escaped, spawn_app, spawn_with};

both_backends!(
    a_cold_dashboard_is_two_calls_deep,
    one_listeners_calls_in_flight_are_bounded,
    twenty_cold_requests_share_each_fetch,
    a_refresh_written_elsewhere_is_shown_at_once,
);

/// A warm dashboard, page and fragments, commits nothing to the database: no session, visit,
/// cache or queue write (SQLite's `data_version` moves with every commit by another
/// connection). The same SQL runs on Postgres, where no such counter is private to the test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warm_dashboard_writes_nothing() {
    use sqlx::Connection;
    let app = spawn_app(Backend::Sqlite).await;
    let client = browser();
    app.login(&client, "alice").await;
    // Everything once, cold: the dashboard, and each panel's own page at its own range.
    let warm = || async {
        load_dashboard(&app, &client).await;
        for panel in Panel::ALL {
            assert_eq!(
                app.get(&client, &panel.path()).await.status(),
                StatusCode::OK
            );
        }
    };
    warm().await;
    let mut probe = sqlx::SqliteConnection::connect(&app.database_url)
        .await
        .unwrap();
    let before = data_version(&mut probe).await;
    warm().await;
    assert_eq!(data_version(&mut probe).await, before, "a warm GET wrote");
    // The probe sees commits at all: a logout writes.
    let csrf = app.csrf(&client).await;
    client
        .post(app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_ne!(
        data_version(&mut probe).await,
        before,
        "the probe saw no write at all"
    );
}

async fn data_version(probe: &mut sqlx::SqliteConnection) -> i64 {
    sqlx::query_scalar("PRAGMA data_version")
        .fetch_one(probe)
        .await
        .unwrap()
}

/// Every Spotify call answers this late: long enough that calls asked for together overlap
/// and calls that wait for one another don't, even on a busy machine.
const LATENCY: Duration = Duration::from_millis(200);

async fn slow_app(backend: Backend, in_flight: usize) -> TestApp {
    let app = spawn_with(
        backend,
        Spawn {
            extra_env: vec![("SPOTIFY_MAX_IN_FLIGHT", in_flight.to_string())],
            ..Spawn::default()
        },
    )
    .await;
    app.fake.inject(Fault {
        route: None,
        persona: None,
        kind: FaultKind::Delay(LATENCY),
        times: None,
    });
    app
}

/// The dashboard page, then every panel's fragment, all at once (as htmx asks for its slots).
async fn load_dashboard(app: &TestApp, client: &reqwest::Client) {
    assert_eq!(app.get(client, "/").await.status(), StatusCode::OK);
    let fragments = Panel::ALL.iter().map(|panel| async move {
        let response = app
            .htmx(client, &format!("{}?time_range=medium_term", panel.path()))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{}", panel.name());
    });
    join_all(fragments).await;
}

/// The calls a dashboard of `persona` costs: top tracks (one range), top artists (three), the
/// playlist list, and every page of every playlist they own.
fn dashboard_calls(app: &TestApp, persona: &str) -> usize {
    1 + 3 + 1 + app.own_playlist_pages(persona)
}

async fn a_cold_dashboard_is_two_calls_deep(backend: Backend) {
    // Room for every call at once: the chain is what the calls' dependencies make it.
    let app = slow_app(backend, 64).await;
    let client = browser();
    app.login(&client, "alice").await;
    app.fake.reset_counters();
    load_dashboard(&app, &client).await;
    let calls = app.fake.calls();
    assert_eq!(calls.len(), dashboard_calls(&app, "alice"));
    // The top lists and the playlist list together; then every page of every playlist (the list
    // says how long each is), a 230-item one's five pages included.
    assert_eq!(longest_chain(&calls), 2, "{calls:#?}");
}

async fn one_listeners_calls_in_flight_are_bounded(backend: Backend) {
    let app = slow_app(backend, 3).await;
    let (alice, bob) = (browser(), browser());
    app.login(&alice, "alice").await;
    app.login(&bob, "bob").await;
    app.fake.reset_counters();
    join_all([load_dashboard(&app, &alice), load_dashboard(&app, &bob)]).await;
    let calls = app.fake.calls();
    assert_eq!(
        calls.len(),
        dashboard_calls(&app, "alice") + dashboard_calls(&app, "bob")
    );
    // Each listener has their own three places, and uses them all.
    assert_eq!(most_in_flight(&calls, "alice"), 3);
    assert_eq!(most_in_flight(&calls, "bob"), 3);
}

async fn twenty_cold_requests_share_each_fetch(backend: Backend) {
    let app = slow_app(backend, 8).await;
    let client = browser();
    app.login(&client, "alice").await;
    app.fake.reset_counters();
    // Twenty requests at once, for every panel in turn: each resource is still fetched once.
    let requests = (0..20).map(|i| {
        let panel = Panel::ALL[i % Panel::ALL.len()];
        let (app, client) = (&app, &client);
        async move {
            let response = app
                .htmx(client, &format!("{}?time_range=medium_term", panel.path()))
                .await;
            assert_eq!(response.status(), StatusCode::OK, "{}", panel.name());
        }
    });
    join_all(requests).await;
    assert_eq!(app.fake.calls().len(), dashboard_calls(&app, "alice"));
    assert_eq!(app.fake.request_count("GET /v1/me/top/tracks"), 1);
    assert_eq!(app.fake.request_count("GET /v1/me/playlists"), 1);
}

async fn a_refresh_written_elsewhere_is_shown_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let path = "/top_songs?time_range=short_term";
    let first = escaped(&app.fake_top_track_names("alice", "short_term").await[0]);
    app.fake.reset_counters();
    assert!(
        app.htmx(&client, path)
            .await
            .text()
            .await
            .unwrap()
            .contains(&first)
    );
    // Another process refreshes the answer (Spotify now names the first song differently) and
    // stores it: this process kept the old one parsed in memory, and must not serve it again.
    let user = user_id(&app, "alice").await;
    let store = &app.store;
    let mut entry = store
        .cache_get(user, "top_tracks/short_term")
        .await
        .unwrap()
        .expect("the answer is cached");
    let mut body: serde_json::Value = serde_json::from_str(&entry.body).unwrap();
    body[0]["name"] = "Renamed Elsewhere".into();
    entry.body = body.to_string();
    entry.version += 1;
    store
        .cache_put(user, "top_tracks/short_term", &entry)
        .await
        .unwrap();
    let page = app.htmx(&client, path).await.text().await.unwrap();
    assert!(page.contains("Renamed Elsewhere"), "{page}");
    assert!(!page.contains(&first));
    assert_eq!(
        app.fake.request_count("GET /v1/me/top/tracks"),
        1,
        "no new call"
    );
}
