//! Retention: with RETENTION_INACTIVE_DAYS, inactive accounts go, returning owners are warned.

use euterpe::worker::retention::delete_inactive_accounts;
use reqwest::StatusCode;

use crate::both_backends;
use crate::common::{Backend, Spawn, TestApp, browser, spawn_app, spawn_with};

both_backends!(
    inactive_accounts_are_deleted_with_everything_after_the_configured_days,
    nothing_is_deleted_without_the_setting,
    a_returning_owner_is_warned_from_a_week_before,
);

async fn with_retention(backend: Backend, days: u32) -> TestApp {
    spawn_with(
        backend,
        Spawn {
            extra_env: vec![("RETENTION_INACTIVE_DAYS", days.to_string())],
            ..Spawn::default()
        },
    )
    .await
}

async fn account_exists(app: &TestApp, persona: &str) -> bool {
    let account_id = app.fake.persona_facts(persona).unwrap().account_id;
    app.store
        .user_by_account(&account_id)
        .await
        .unwrap()
        .is_some()
}

async fn inactive_accounts_are_deleted_with_everything_after_the_configured_days(backend: Backend) {
    let app = with_retention(backend, 30).await;
    let (alice, bob) = (browser(), browser());
    app.login(&alice, "alice").await;
    app.login(&bob, "bob").await;
    let link = app.share(&alice, &[("panels", "top_songs")]).await;
    let account = app.get(&alice, "/account").await.text().await.unwrap();
    assert!(account.contains("deletes accounts that nobody logs in to or visits for 30 days"));

    app.clock.advance(time::Duration::days(20));
    assert_eq!(
        app.get(&bob, "/").await.status(),
        StatusCode::OK,
        "bob visits"
    );
    // Visitors of alice's share link are not alice.
    assert_eq!(reqwest::get(&link).await.unwrap().status(), StatusCode::OK);
    app.clock.advance(time::Duration::days(9));
    assert_eq!(
        delete_inactive_accounts(&app.state).await.unwrap(),
        0,
        "29 days: kept"
    );
    app.clock.advance(time::Duration::days(2));
    assert_eq!(delete_inactive_accounts(&app.state).await.unwrap(), 1);
    assert!(
        !account_exists(&app, "alice").await,
        "alice, away 31 days, is gone"
    );
    assert!(
        account_exists(&app, "bob").await,
        "bob, away 11 days, stays"
    );
    assert_eq!(
        reqwest::get(&link).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&alice, "/account").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn nothing_is_deleted_without_the_setting(backend: Backend) {
    let app = spawn_app(backend).await;
    app.login(&browser(), "alice").await;
    app.clock.advance(time::Duration::days(1000));
    assert_eq!(delete_inactive_accounts(&app.state).await.unwrap(), 0);
    assert!(account_exists(&app, "alice").await);
}

async fn a_returning_owner_is_warned_from_a_week_before(backend: Backend) {
    let app = with_retention(backend, 30).await;
    let alice = browser();
    app.login(&alice, "alice").await;
    let day = |days: i64| {
        (app.clock.now() + time::Duration::days(days))
            .format(time::macros::format_description!("[year]-[month]-[day]"))
            .unwrap()
    };
    // Back through the still-open session after 23 days: due in 7, so warned.
    app.clock.advance(time::Duration::days(23));
    let (due_on, kept_until) = (day(7), day(30));
    let page = app.get(&alice, "/").await.text().await.unwrap();
    assert!(
        page.contains("Your account was close to being deleted"),
        "{page}"
    );
    assert!(page.contains("You were away for 23 days"));
    assert!(page.contains(&format!(r#"<time datetime="{due_on}">"#)));
    assert!(page.contains(&format!(r#"<time datetime="{kept_until}">"#)));
    let again = app.get(&alice, "/").await.text().await.unwrap();
    assert!(!again.contains("close to being deleted"), "said once");
    // The visit kept the account.
    app.clock.advance(time::Duration::days(7));
    assert_eq!(delete_inactive_accounts(&app.state).await.unwrap(), 0);

    // Back through a new login after 22 days away in all: eight days left, no warning.
    app.clock.advance(time::Duration::days(15));
    let second = browser();
    app.login(&second, "alice").await;
    let page = app.get(&second, "/").await.text().await.unwrap();
    assert!(!page.contains("close to being deleted"));

    // After 25 days away, a new login is warned on the dashboard right after.
    app.clock.advance(time::Duration::days(25));
    let third = browser();
    app.login(&third, "alice").await;
    let page = app.get(&third, "/").await.text().await.unwrap();
    assert!(page.contains("You were away for 25 days"), "{page}");
    assert!(account_exists(&app, "alice").await);
}
