//! The connection's life: Spotify's six-month cliff, announced ahead and after.

use euterpe::store::Backend as StoreBackend;
use euterpe_fakes::spotify::{Fault, FaultKind};
use reqwest::StatusCode;

use crate::both_backends;
use crate::common::{Backend, TestApp, browser, spawn_app};

both_backends!(
    the_six_month_cliff_is_announced_two_weeks_ahead_and_reconnecting_keeps_everything,
    after_the_cliff_the_banner_says_recording_paused_since_that_date,
    the_account_page_says_when_history_was_recorded_and_spotify_is_rate_limiting,
    history_recording_stops_at_the_cliff_and_resumes_on_reconnect,
);

/// Makes the user's authorization `days` old, as if approved that long ago (a login always
/// restarts Spotify's clock, so the test moves the stored date instead).
async fn authorized_days_ago(app: &TestApp, days: i64) {
    let at = app.clock.unix() - days * 86_400;
    let sql = "UPDATE spotify_tokens SET authorized_at = $1";
    match app.store.backend() {
        StoreBackend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&app.database_url).await.unwrap();
            sqlx::query(sql).bind(at).execute(&pool).await.unwrap();
        }
        StoreBackend::Postgres => {
            let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
            sqlx::query(sql).bind(at).execute(&pool).await.unwrap();
        }
    }
}

fn day(app: &TestApp, days_from_now: i64) -> String {
    let at = app.clock.now() + time::Duration::days(days_from_now);
    at.format(time::macros::format_description!("[year]-[month]-[day]"))
        .unwrap()
}

async fn the_six_month_cliff_is_announced_two_weeks_ahead_and_reconnecting_keeps_everything(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let account = app.get(&client, "/account").await.text().await.unwrap();
    assert!(
        account.contains(&format!(r#"<time datetime="{}">"#, day(&app, 182))),
        "reconnect by"
    );
    for path in ["/", "/account"] {
        let page = app.get(&client, path).await.text().await.unwrap();
        assert!(
            !page.contains("Your Spotify connection ends"),
            "{path}: too early"
        );
    }
    authorized_days_ago(&app, 167).await;
    for path in ["/", "/account"] {
        let page = app.get(&client, path).await.text().await.unwrap();
        assert!(
            !page.contains("Your Spotify connection ends"),
            "{path}: 15 days left"
        );
    }
    authorized_days_ago(&app, 170).await;
    for path in ["/", "/account"] {
        let page = app.get(&client, path).await.text().await.unwrap();
        assert!(page.contains("Your Spotify connection ends on"), "{path}");
        assert!(
            page.contains(&format!(r#"<time datetime="{}">"#, day(&app, 12))),
            "{path}"
        );
        assert!(
            page.contains(r#"href="/login">Reconnect to Spotify"#),
            "{path}"
        );
    }
    // Reconnecting is a fresh login: the clock restarts, the account is the same.
    let before = app
        .store
        .user_by_account(&app.fake.persona_facts("alice").unwrap().account_id)
        .await
        .unwrap()
        .unwrap();
    app.login(&client, "alice").await;
    let page = app.get(&client, "/").await.text().await.unwrap();
    assert!(!page.contains("Your Spotify connection ends"));
    let after = app
        .store
        .user_by_account(&app.fake.persona_facts("alice").unwrap().account_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(before.id, after.id);
    assert_eq!(
        app.htmx(&client, "/top_songs").await.status(),
        StatusCode::OK
    );
}

async fn after_the_cliff_the_banner_says_recording_paused_since_that_date(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    authorized_days_ago(&app, 185).await;
    for path in ["/", "/account"] {
        let page = app.get(&client, path).await.text().await.unwrap();
        assert!(page.contains("Your Spotify connection ended on"), "{path}");
        assert!(
            page.contains(&format!(r#"<time datetime="{}">"#, day(&app, -3))),
            "{path}"
        );
        assert!(
            page.contains("History recording has paused since then"),
            "{path}"
        );
    }
}

async fn the_account_page_says_when_history_was_recorded_and_spotify_is_rate_limiting(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let account = app.get(&client, "/account").await.text().await.unwrap();
    assert!(account.contains("Not limited right now."));
    assert!(account.contains("Not fetched yet."));
    assert!(account.contains("None yet."), "no imports");
    euterpe::worker::poller::poll_due_users(&app.state)
        .await
        .unwrap();
    let account = app.get(&client, "/account").await.text().await.unwrap();
    // Seconds ago, however slow the machine running the test.
    let fetched = account
        .split("Last fetched about ")
        .nth(1)
        .and_then(|rest| rest.split(" ago").next())
        .unwrap_or_default();
    assert!(
        fetched.ends_with(" second") || fetched.ends_with(" seconds"),
        "{account}"
    );
    app.fake.inject(Fault {
        route: None,
        persona: None,
        kind: FaultKind::RateLimited {
            retry_after_secs: 600,
        },
        times: Some(1),
    });
    app.htmx(&client, "/top_songs").await;
    let account = app.get(&client, "/account").await.text().await.unwrap();
    assert!(account.contains("Spotify is asking Euterpe to wait"));
    assert!(account.contains("about 10 minutes"));
}

async fn history_recording_stops_at_the_cliff_and_resumes_on_reconnect(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let alice = app
        .store
        .user_by_account(&app.fake.persona_facts("alice").unwrap().account_id)
        .await
        .unwrap()
        .unwrap()
        .id;
    let polled = |report: &euterpe::worker::poller::RoundReport| {
        report.polled.iter().any(|(user, _)| *user == alice)
    };
    authorized_days_ago(&app, 181).await;
    let report = euterpe::worker::poller::poll_due_users(&app.state)
        .await
        .unwrap();
    assert!(
        polled(&report),
        "a day before the end, history is still recorded"
    );
    authorized_days_ago(&app, 183).await;
    app.clock.advance(time::Duration::minutes(21));
    let report = euterpe::worker::poller::poll_due_users(&app.state)
        .await
        .unwrap();
    assert!(
        !polled(&report),
        "after the end, the poller leaves the user alone"
    );
    app.fake.reset_counters();
    let report = euterpe::worker::poller::poll_due_users(&app.state)
        .await
        .unwrap();
    assert!(!polled(&report));
    assert_eq!(app.fake.total_api_requests(), 0);
    // Reconnecting restarts the clock, and recording with it.
    app.login(&client, "alice").await;
    app.clock.advance(time::Duration::minutes(21));
    let report = euterpe::worker::poller::poll_due_users(&app.state)
        .await
        .unwrap();
    assert!(polled(&report));
}
