//! The database goes away under load (Heroku Postgres maintenance, a failover) and comes back:
//! pages answer 503 in plain words, `/healthz` fails, nothing panics, and Euterpe recovers by
//! itself. Runs on a private Postgres that the test stops and starts.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use sqlx::Connection;
use tokio::sync::Mutex;

use crate::both_backends;
use crate::common::{Backend, Spawn, browser, location, session_cookie, spawn_with};
use crate::private_postgres::PrivatePostgres;

both_backends!(a_session_the_database_cannot_store_gets_the_plain_503_in_time);

/// What one request under load got.
#[derive(Debug)]
struct Seen {
    path: &'static str,
    status: StatusCode,
    body: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pages_answer_503_while_the_database_is_away_and_recover_when_it_returns() {
    let Some(postgres) = tokio::task::spawn_blocking(PrivatePostgres::start)
        .await
        .unwrap()
    else {
        return;
    };
    let postgres = Arc::new(postgres);
    // The database URL replaces the harness's (the Backend only picks a URL we override).
    let app = spawn_with(
        Backend::Sqlite,
        Spawn {
            extra_env: vec![("DATABASE_URL", postgres.url("postgres"))],
            ..Spawn::default()
        },
    )
    .await;
    let client = browser();
    app.login(&client, "alice").await;
    assert_eq!(app.get(&client, "/account").await.status(), StatusCode::OK);
    assert_eq!(
        app.htmx(&client, "/top_songs").await.status(),
        StatusCode::OK
    );

    // Load: four clients asking for pages, panels and the health check without pause.
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Vec::<Seen>::new()));
    let mut load = Vec::new();
    for worker in 0..4 {
        let (client, stop, seen) = (client.clone(), stop.clone(), seen.clone());
        let base = app.base.clone();
        load.push(tokio::spawn(async move {
            let paths: [&'static str; 3] = ["/account", "/top_songs", "/healthz"];
            let mut n = worker;
            while !stop.load(Ordering::SeqCst) {
                let path = paths[n % paths.len()];
                n += 1;
                let request = client.get(format!("{base}{path}"));
                let request = if path == "/top_songs" {
                    request.header("HX-Request", "true")
                } else {
                    request
                };
                match request.send().await {
                    Ok(response) => {
                        let status = response.status();
                        let body = response.text().await.unwrap_or_default();
                        seen.lock().await.push(Seen { path, status, body });
                    }
                    Err(err) => panic!("{path}: the server dropped the request: {err}"),
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Postgres goes away.
    let server = postgres.clone();
    tokio::task::spawn_blocking(move || server.stop())
        .await
        .unwrap();
    wait_for(
        &client,
        &app.url("/healthz"),
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    let health = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.text().await.unwrap(), "database unavailable\n");
    let account = app.get(&client, "/account").await;
    assert_eq!(account.status(), StatusCode::SERVICE_UNAVAILABLE);
    let page = account.text().await.unwrap();
    assert!(page.contains("Temporarily unavailable"), "{page}");
    assert!(
        page.contains("Euterpe can't reach its database right now."),
        "{page}"
    );
    let panel = app.htmx(&client, "/top_songs").await;
    assert_eq!(panel.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(!panel.text().await.unwrap().contains("<html"), "a fragment");
    // The landing page needs no database.
    assert_eq!(app.get(&browser(), "/").await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_secs(2)).await;

    // Postgres returns; Euterpe reconnects by itself, and the login survived.
    let server = postgres.clone();
    tokio::task::spawn_blocking(move || server.start_again())
        .await
        .unwrap();
    wait_for(&client, &app.url("/healthz"), StatusCode::OK).await;
    let account = app.get(&client, "/account").await;
    assert_eq!(account.status(), StatusCode::OK);
    assert!(account.text().await.unwrap().contains("Your account"));
    assert_eq!(
        app.htmx(&client, "/top_songs").await.status(),
        StatusCode::OK
    );

    stop.store(true, Ordering::SeqCst);
    for worker in load {
        worker.await.unwrap();
    }
    let seen = seen.lock().await;
    let outage: Vec<&Seen> = seen
        .iter()
        .filter(|seen| seen.status != StatusCode::OK)
        .collect();
    assert!(!outage.is_empty(), "the load saw the outage");
    eprintln!(
        "outage test: {} answers under load, {} of them 503 while the database was away",
        seen.len(),
        outage.len()
    );
    for seen in &outage {
        assert_eq!(
            seen.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{} answered {} during the outage: {}",
            seen.path,
            seen.status,
            seen.body
        );
        let plain = match seen.path {
            "/healthz" => seen.body == "database unavailable\n",
            _ => seen.body.contains("database"),
        };
        assert!(plain, "{}: {}", seen.path, seen.body);
    }
}

/// Starting a login writes a new session. While the database refuses that write (another
/// process holds the lock), the visitor gets Euterpe's own "took too long" page within the time
/// limit, with the security headers, and no cookie for a session that doesn't exist; once the
/// lock is gone, logging in works.
async fn a_session_the_database_cannot_store_gets_the_plain_503_in_time(backend: Backend) {
    let app = spawn_with(
        backend,
        Spawn {
            extra_env: vec![("REQUEST_TIMEOUT_SECS", "1".into())],
            ..Spawn::default()
        },
    )
    .await;
    let lock = WriteLock::take(backend, &app.database_url).await;

    let client = browser();
    // The client's own limit only turns a hang into a failure instead of a stuck test.
    let response = client
        .get(app.url("/login"))
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .expect("an answer while the session table is locked");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        response.headers().contains_key("content-security-policy"),
        "the answer went through Euterpe's own layers"
    );
    assert_eq!(
        session_cookie(&response),
        None,
        "no cookie for an unsaved session"
    );
    let page = response.text().await.unwrap();
    assert!(page.contains("This took too long"), "{page}");
    assert!(page.contains("stopped waiting after 1 second "), "{page}");

    lock.release().await;
    let response = client.get(app.url("/login")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert!(
        location(&response).starts_with(&app.fake_base),
        "{}",
        location(&response)
    );
    assert!(session_cookie(&response).is_some());
}

/// Another process's open transaction holding the write lock on the session table.
enum WriteLock {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl WriteLock {
    async fn take(backend: Backend, url: &str) -> Self {
        match backend {
            Backend::Sqlite => {
                let mut connection = sqlx::SqliteConnection::connect(url).await.unwrap();
                // In WAL mode readers go on; every writer waits for this transaction.
                sqlx::raw_sql("BEGIN IMMEDIATE")
                    .execute(&mut connection)
                    .await
                    .unwrap();
                Self::Sqlite(connection)
            }
            Backend::Postgres => {
                let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::raw_sql("BEGIN; LOCK TABLE \"tower_sessions\".\"session\" IN EXCLUSIVE MODE")
                    .execute(&mut connection)
                    .await
                    .unwrap();
                Self::Postgres(connection)
            }
        }
    }

    async fn release(self) {
        match self {
            Self::Sqlite(mut connection) => {
                sqlx::raw_sql("ROLLBACK")
                    .execute(&mut connection)
                    .await
                    .unwrap();
            }
            Self::Postgres(mut connection) => {
                sqlx::raw_sql("ROLLBACK")
                    .execute(&mut connection)
                    .await
                    .unwrap();
            }
        }
    }
}

/// Polls `url` until it answers `status` (a minute at most).
async fn wait_for(client: &reqwest::Client, url: &str, status: StatusCode) {
    for _ in 0..600 {
        if let Ok(response) = client.get(url).send().await
            && response.status() == status
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{url} never answered {status}");
}
