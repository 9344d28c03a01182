//! Logging in and out: the OAuth dance, `state`, PKCE, sessions and their cookies.

use euterpe::store::Backend as StoreBackend;
use reqwest::StatusCode;
use tower_sessions::ExpiredDeletion;

use crate::both_backends;
use crate::common::{
    Backend, TestApp, browser, escaped, location, query_param, session_cookie, set_cookies,
    spawn_app,
};

both_backends!(
    the_oauth_dance_logs_in_and_the_dashboard_shows_nine_panels,
    an_account_keeps_its_data_when_spotify_starts_or_stops_sending_account_id,
    callback_refuses_missing_wrong_reused_and_expired_state,
    a_replayed_code_fails_cleanly,
    provider_errors_and_refusals_get_friendly_pages,
    a_user_not_on_the_allow_list_is_told_what_the_operator_must_do,
    the_session_id_changes_at_login_and_logout_kills_the_old_cookie,
    logout_and_expiry_delete_the_session_rows,
    logout_refuses_cross_site_and_tokenless_posts,
    cookies_are_secure_and_host_prefixed_over_https,
    names_with_markup_are_escaped,
    a_session_ends_thirty_days_after_login_whatever_the_activity,
);

async fn the_oauth_dance_logs_in_and_the_dashboard_shows_nine_panels(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();

    let landing = app.get(&client, "/").await;
    assert_eq!(landing.status(), StatusCode::OK);
    let landing = landing.text().await.unwrap();
    assert!(landing.contains("Log in with Spotify"));
    assert!(landing.contains(r#"href="/login""#));

    // /login is a 302 to the accounts service's /authorize with state and PKCE S256.
    let start = app.get(&client, "/login").await;
    assert_eq!(start.status(), StatusCode::FOUND);
    let authorize = reqwest::Url::parse(&location(&start)).unwrap();
    assert_eq!(authorize.path(), "/authorize");
    let query: std::collections::HashMap<_, _> = authorize.query_pairs().into_owned().collect();
    assert_eq!(query["code_challenge_method"], "S256");
    assert!(query["state"].len() >= 20);
    assert_eq!(query["redirect_uri"], app.url("/callback"));

    app.login(&client, "alice").await;
    let dashboard = app.get(&client, "/").await.text().await.unwrap();
    assert!(dashboard.contains("Your listening"));
    // Every panel is there, drawn whole or as a slot htmx fills, its title a link to its page.
    for panel in euterpe::panel::Panel::ALL {
        assert!(
            dashboard.contains(&format!(r#"id="panel-{}""#, panel.name())),
            "section for {}",
            panel.name()
        );
        assert!(
            dashboard.contains(&format!(r#"href="/{}"#, panel.name())),
            "no-JS link"
        );
    }
    let me = app.fake_get("alice", "/me").await;
    let name = me["display_name"].as_str().unwrap();
    assert!(dashboard.contains(&escaped(name)), "greets {name}");

    // The user row holds Spotify's immutable account id.
    let user = app
        .store
        .user_by_account(me["account_id"].as_str().unwrap())
        .await
        .unwrap()
        .expect("the user is stored under Spotify's account_id");
    assert_eq!(user.spotify_id, me["id"].as_str().unwrap());
}

async fn callback_refuses_missing_wrong_reused_and_expired_state(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();

    let missing = app.get(&client, "/callback?code=abc").await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    assert!(
        missing
            .text()
            .await
            .unwrap()
            .contains("Login link not valid")
    );

    let callback = app.authorize(&client, "alice").await;
    let wrong = callback.replace("state=", "state=x");
    let wrong = client.get(&wrong).send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);

    // Another browser cannot use this browser's state.
    let other = browser();
    let stolen = other.get(&callback).send().await.unwrap();
    assert_eq!(stolen.status(), StatusCode::BAD_REQUEST);

    let first = client.get(&callback).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let reused = client.get(&callback).send().await.unwrap();
    assert_eq!(reused.status(), StatusCode::BAD_REQUEST);
    assert!(reused.text().await.unwrap().contains("already used"));

    let late = browser();
    let callback = app.authorize(&late, "bob").await;
    app.clock.advance(time::Duration::minutes(11));
    let expired = late.get(&callback).send().await.unwrap();
    assert_eq!(expired.status(), StatusCode::BAD_REQUEST);
    assert!(
        expired
            .text()
            .await
            .unwrap()
            .contains("more than ten minutes")
    );
}

async fn a_replayed_code_fails_cleanly(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    let callback = app.authorize(&client, "alice").await;
    let code = query_param(&callback, "code");
    assert_eq!(
        client.get(&callback).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );

    // A fresh, valid state carrying the already-used code.
    let again = app.authorize(&client, "alice").await;
    let fresh_state = query_param(&again, "state");
    let replay = client
        .get(app.url("/callback"))
        .query(&[("code", code.as_str()), ("state", fresh_state.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
    assert!(
        replay
            .text()
            .await
            .unwrap()
            .contains("Spotify did not accept this login")
    );
}

async fn provider_errors_and_refusals_get_friendly_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    let callback = app.authorize(&client, "alice").await;
    let state = query_param(&callback, "state");
    let denied = client
        .get(app.url("/callback"))
        .query(&[("error", "access_denied"), ("state", state.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), StatusCode::BAD_REQUEST);
    let page = denied.text().await.unwrap();
    assert!(page.contains("You chose not to connect Euterpe to Spotify"));
    assert!(page.contains(r#"href="/login""#), "a try-again link");
}

async fn a_user_not_on_the_allow_list_is_told_what_the_operator_must_do(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    let callback = app.authorize(&client, "stranger").await;
    let response = client.get(&callback).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let page = response.text().await.unwrap();
    assert!(page.contains("User Management"), "{page}");
    assert!(page.contains("five accounts"));
    // Not logged in afterwards.
    let top = app.get(&client, "/top_songs").await;
    assert_eq!(top.status(), StatusCode::UNAUTHORIZED);
}

async fn the_session_id_changes_at_login_and_logout_kills_the_old_cookie(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    let start = app.get(&client, "/login").await;
    let before = session_cookie(&start).expect("login starts a session");
    let callback = {
        let approved = client
            .get(format!("{}&persona=alice", location(&start)))
            .send()
            .await
            .unwrap();
        location(&approved)
    };
    let done = client.get(&callback).send().await.unwrap();
    let after = session_cookie(&done).expect("login sets a new session cookie");
    assert_ne!(before, after, "no session fixation");

    // The pre-login id is dead.
    let fixated = reqwest::Client::new()
        .get(app.url("/top_songs"))
        .header("Cookie", format!("euterpe_session={before}"))
        .send()
        .await
        .unwrap();
    assert_eq!(fixated.status(), StatusCode::UNAUTHORIZED);

    // Logged in with the new one; log out; the same cookie is then refused.
    let with_cookie = |path: &str| {
        reqwest::Client::new()
            .get(app.url(path))
            .header("Cookie", format!("euterpe_session={after}"))
    };
    assert_eq!(
        with_cookie("/account").send().await.unwrap().status(),
        StatusCode::OK
    );
    let csrf = app.csrf(&client).await;
    let out = client
        .post(app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        with_cookie("/account").send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let landing = app
        .get(&client, &location(&out))
        .await
        .text()
        .await
        .unwrap();
    assert!(landing.contains("You are logged out."));
}

async fn logout_refuses_cross_site_and_tokenless_posts(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let no_token = client
        .post(app.url("/logout"))
        .form(&[("csrf", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
    assert!(
        no_token
            .text()
            .await
            .unwrap()
            .contains("refused it to protect your account")
    );
    let csrf = app.csrf(&client).await;
    let cross_site = client
        .post(app.url("/logout"))
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    // Still logged in after both refusals.
    assert_eq!(app.get(&client, "/account").await.status(), StatusCode::OK);
}

async fn cookies_are_secure_and_host_prefixed_over_https(backend: Backend) {
    let app = spawn_app(backend).await;
    let plain = app.get(&browser(), "/login").await;
    let cookie = set_cookies(&plain).pop().unwrap();
    assert!(cookie.starts_with("euterpe_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"));

    let https = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/login"))
        .header("X-Forwarded-Proto", "https")
        .send()
        .await
        .unwrap();
    let cookie = set_cookies(&https).pop().unwrap();
    assert!(cookie.starts_with("__Host-euterpe_session="), "{cookie}");
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    assert!(!cookie.contains("Domain"), "__Host- cookies have no Domain");
    let max_age: i64 = cookie
        .split(';')
        .find_map(|part| part.trim().strip_prefix("Max-Age="))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(max_age, 14 * 24 * 3600, "14 days of inactivity");
}

async fn names_with_markup_are_escaped(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "markup").await;
    let dashboard = app.get(&client, "/").await.text().await.unwrap();
    let name = app.fake_get("markup", "/me").await["display_name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(name.contains('<'), "the persona's name has markup: {name}");
    assert!(dashboard.contains(&escaped(&name)));
    assert!(!dashboard.contains(&name));
    let songs = app.htmx(&client, "/top_songs").await.text().await.unwrap();
    assert!(
        !songs.contains("<script>alert"),
        "a track name ran as markup"
    );
}

async fn a_session_ends_thirty_days_after_login_whatever_the_activity(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    // Active all along: a visit every ten days, the last one a day before the end.
    for days in [10, 10, 9] {
        app.clock.advance(time::Duration::days(days));
        assert_eq!(app.get(&client, "/account").await.status(), StatusCode::OK);
    }
    app.clock
        .advance(time::Duration::days(1) + time::Duration::seconds(1));
    assert_eq!(
        app.get(&client, "/account").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

/// Answers recorded before 2026 carry no `account_id`, so a user may first be stored under their
/// Spotify user id. When `account_id` appears (or goes missing again), they are the same user:
/// same row, same share links, same history.
async fn an_account_keeps_its_data_when_spotify_starts_or_stops_sending_account_id(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let facts = app.fake.persona_facts("alice").unwrap();
    app.fake.set_profile_account_id(false);
    let client = browser();
    app.login(&client, "alice").await;
    let first = app
        .store
        .user_by_account(facts.user_id)
        .await
        .unwrap()
        .expect("stored under the user id");
    app.share(&client, &[("panels", "top_songs")]).await;

    for send in [true, false] {
        app.fake.set_profile_account_id(send);
        let client = browser();
        app.login(&client, "alice").await;
        let user = app
            .store
            .user_by_account(&facts.account_id)
            .await
            .unwrap()
            .expect("keyed by account_id from now on");
        assert_eq!(user.id, first.id, "account_id sent: {send}");
        assert!(
            app.store
                .user_by_account(facts.user_id)
                .await
                .unwrap()
                .is_none()
        );
        let account = app.get(&client, "/account").await.text().await.unwrap();
        assert!(
            account.contains("Top songs"),
            "the share link is still there"
        );
        assert!(account.contains("revoke"), "{account}");
    }
}

/// Runs one statement on the app's database directly, and returns the number of rows it touched
/// (or, for a `SELECT COUNT(*)`, the count).
async fn sql(app: &TestApp, sqlite: &str, postgres: &str) -> i64 {
    let count = sqlite.starts_with("SELECT");
    match app.store.backend() {
        StoreBackend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&app.database_url).await.unwrap();
            if count {
                sqlx::query_scalar(sqlite).fetch_one(&pool).await.unwrap()
            } else {
                let done = sqlx::query(sqlite).execute(&pool).await.unwrap();
                done.rows_affected() as i64
            }
        }
        StoreBackend::Postgres => {
            let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
            if count {
                sqlx::query_scalar(postgres).fetch_one(&pool).await.unwrap()
            } else {
                let done = sqlx::query(postgres).execute(&pool).await.unwrap();
                done.rows_affected() as i64
            }
        }
    }
}

async fn user_session_rows(app: &TestApp) -> i64 {
    let count = "SELECT COUNT(*) FROM user_sessions";
    sql(app, count, count).await
}

async fn logout_and_expiry_delete_the_session_rows(backend: Backend) {
    let app = spawn_app(backend).await;
    let (laptop, phone) = (browser(), browser());
    app.login(&laptop, "alice").await;
    app.login(&phone, "alice").await;
    assert_eq!(user_session_rows(&app).await, 2);
    let listed = |data: serde_json::Value| data["login_sessions"].as_array().unwrap().len();
    let data = app.get(&phone, "/account/data").await.json().await.unwrap();
    assert_eq!(listed(data), 2);

    // The laptop logs out: its row goes, the phone's stays and the download lists only it.
    let csrf = app.csrf(&laptop).await;
    let out = laptop
        .post(app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(user_session_rows(&app).await, 1);
    let data = app.get(&phone, "/account/data").await.json().await.unwrap();
    assert_eq!(listed(data), 1);

    // A session that expires unused loses its row at the hourly clean-up.
    let expired = sql(
        &app,
        "UPDATE tower_sessions SET expiry_date = 0",
        "UPDATE tower_sessions.session SET expiry_date = now() - interval '1 day'",
    )
    .await;
    assert_eq!(expired, 1);
    app.store.session_backend().delete_expired().await.unwrap();
    assert_eq!(user_session_rows(&app).await, 0);
    assert_eq!(
        app.get(&phone, "/account").await.status(),
        StatusCode::UNAUTHORIZED
    );
}
