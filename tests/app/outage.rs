//! The database goes away under load (Heroku Postgres maintenance, a failover) and comes back:
//! pages answer 503 in plain words, `/healthz` fails, nothing panics, and Euterpe recovers by
//! itself. Runs on a private Postgres that the test stops and starts.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use tokio::sync::Mutex;

use crate::common::{Backend, Spawn, browser, spawn_with};
use crate::private_postgres::PrivatePostgres;

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
