//! Error reports, as Sentry receives them: the DSN points at a capture server in this test,
//! real failures happen (a database error on `/callback`, a request cut by the time limit, a
//! panicking handler behind Euterpe's middleware), and the events that arrive are inspected for
//! the route, the release, and for anything that must not leave.
//!
//! Its own test binary: Sentry's client and panic hook are global to a process.

use euterpe_testkit as common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use euterpe::config::Config;
use euterpe::telemetry;
use euterpe_fakes::spotify::{Fault, FaultKind};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::Connection;

use common::{Backend, Spawn, browser, session_cookie, spawn_app, spawn_with};

/// Envelopes received by the capture server, as sent.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<String>>>);

impl Captured {
    /// Every event (not transactions or sessions) received so far.
    fn events(&self) -> Vec<Value> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .flat_map(|envelope| envelope_items(envelope))
            .filter(|(kind, _)| kind == "event")
            .map(|(_, payload)| payload)
            .collect()
    }

    fn raw(&self) -> String {
        self.0.lock().unwrap().join("\n")
    }
}

/// A minimal HTTP server that stores each request body and answers `200 {}`.
fn capture_server() -> (SocketAddr, Captured) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let captured = Captured::default();
    let store = captured.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let store = store.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':')
                        && name.eq_ignore_ascii_case("content-length")
                    {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_ok() {
                    store
                        .0
                        .lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&body).into_owned());
                }
                let mut stream = reader.into_inner();
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
                );
            });
        }
    });
    (addr, captured)
}

/// An envelope's items: (type, payload). Format: a header line, then per item a header line
/// (with `type` and maybe `length`) and the payload.
fn envelope_items(envelope: &str) -> Vec<(String, Value)> {
    let mut items = Vec::new();
    let mut rest = match envelope.split_once('\n') {
        Some((_, rest)) => rest,
        None => return items,
    };
    while let Some((header, after)) = rest.split_once('\n') {
        let Ok(header) = serde_json::from_str::<Value>(header) else {
            break;
        };
        let (payload, next) = match header["length"].as_u64() {
            Some(length) => {
                let length = length as usize;
                (&after[..length], after[length..].trim_start_matches('\n'))
            }
            None => after.split_once('\n').unwrap_or((after, "")),
        };
        let kind = header["type"].as_str().unwrap_or_default().to_owned();
        items.push((kind, serde_json::from_str(payload).unwrap_or(Value::Null)));
        rest = next;
    }
    items
}

fn flush() {
    if let Some(client) = sentry::Hub::main().client() {
        client.flush(Some(Duration::from_secs(10)));
    }
}

#[test]
fn reports_name_the_route_and_carry_no_secrets() {
    let (addr, captured) = capture_server();
    // As `main` does: configuration, then Sentry, then logging, then the runtime.
    let vars: HashMap<String, String> = [
        ("SENTRY_DSN", format!("http://0123456789abcdef@{addr}/42")),
        ("SENTRY_ENVIRONMENT", "rehearsal".to_owned()),
        ("HEROKU_SLUG_COMMIT", "3f2e1d0c".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let config = Config::from_vars(&vars).unwrap();
    let guard = telemetry::init_sentry(&config).expect("a DSN starts the client");
    telemetry::init_logging(true);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        a_database_error_on_the_callback(&captured).await;
        a_request_cut_by_the_time_limit(&captured).await;
        spotify_rate_limits_are_not_reported(&captured).await;
        a_share_link_that_fails(&captured).await;
        a_panicking_handler(&captured).await;
    });
    drop(runtime);
    drop(guard);
}

/// The event sent for requests to `transaction`, which must be exactly one.
fn only_event(captured: &Captured, transaction: &str) -> Value {
    flush();
    let events: Vec<Value> = captured
        .events()
        .into_iter()
        .filter(|event| event["transaction"] == transaction)
        .collect();
    assert_eq!(
        events.len(),
        1,
        "one report for {transaction}, got: {events:#?}"
    );
    let event = events.into_iter().next().unwrap();
    assert_eq!(event["release"], "3f2e1d0c");
    assert_eq!(event["environment"], "rehearsal");
    event
}

/// Headers that may appear in a report.
const SAFE_HEADERS: &[&str] = &[
    "accept",
    "accept-language",
    "content-length",
    "content-type",
    "hx-request",
    "hx-target",
    "origin",
    "sec-fetch-mode",
    "sec-fetch-site",
    "user-agent",
    "x-forwarded-proto",
    "x-request-id",
];

fn assert_request_is_clean(event: &Value, expected_url: &str) {
    let request = &event["request"];
    assert_eq!(request["url"], expected_url, "{event:#}");
    for absent in ["cookies", "query_string", "data", "env"] {
        assert!(
            request.get(absent).is_none_or(
                |value| value.is_null() || value.as_object().is_some_and(|map| map.is_empty())
            ),
            "request.{absent} was sent: {request:#}"
        );
    }
    for name in request["headers"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
    {
        assert!(
            SAFE_HEADERS.contains(&name.to_ascii_lowercase().as_str()),
            "header {name} was sent"
        );
    }
    assert!(event.get("user").is_none_or(Value::is_null), "{event:#}");
}

async fn a_database_error_on_the_callback(captured: &Captured) {
    let app = spawn_app(Backend::Sqlite).await;
    let client = browser();
    let start = client.get(app.url("/login")).send().await.unwrap();
    let cookie = session_cookie(&start).unwrap();
    let callback = {
        let authorize = common::location(&start);
        let approved = client
            .get(format!("{authorize}&persona=alice"))
            .send()
            .await
            .unwrap();
        common::location(&approved)
    };
    let (code, state) = (
        common::query_param(&callback, "code"),
        common::query_param(&callback, "state"),
    );

    // The users table is gone (a botched migration, say): storing the user fails.
    let path = app
        .database_url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let mut db = sqlx::SqliteConnection::connect(&format!("sqlite://{path}"))
        .await
        .unwrap();
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut db)
        .await
        .unwrap();
    sqlx::query("DROP TABLE users")
        .execute(&mut db)
        .await
        .unwrap();
    db.close().await.unwrap();

    let bearer = "BQCs3cr3tAcc3ssT0k3nF0rT3st1ng0nly";
    let failed = client
        .get(&callback)
        .header("Authorization", format!("Bearer {bearer}"))
        .header("X-Forwarded-For", "203.0.113.9")
        .header("Referer", callback.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), StatusCode::SERVICE_UNAVAILABLE);

    let event = only_event(captured, "GET /callback");
    assert_request_is_clean(&event, &app.url("/callback"));
    assert!(
        event["tags"]["request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
        "{event:#}"
    );
    // Error is the default level, which the protocol leaves out.
    assert!(
        event["level"].is_null() || event["level"] == "error",
        "{event:#}"
    );
    if std::env::var_os("EUTERPE_SHOW_SENTRY_EVENT").is_some() {
        eprintln!("{event:#}");
    }
    let raw = captured.raw();
    for secret in [
        code.as_str(),
        state.as_str(),
        cookie.as_str(),
        bearer,
        "203.0.113.9",
    ] {
        assert!(!raw.contains(secret), "{secret} reached Sentry");
    }
}

async fn a_request_cut_by_the_time_limit(captured: &Captured) {
    let app = spawn_with(
        Backend::Sqlite,
        Spawn {
            extra_env: vec![("REQUEST_TIMEOUT_SECS", "1".into())],
            ..Spawn::default()
        },
    )
    .await;
    let client = browser();
    app.login(&client, "alice").await;
    app.fake.inject(Fault {
        route: Some("GET /v1/me/top/tracks".into()),
        persona: None,
        kind: FaultKind::Delay(Duration::from_secs(3)),
        times: None,
    });
    let cut = app.htmx(&client, "/top_songs?time_range=long_term").await;
    assert_eq!(cut.status(), StatusCode::SERVICE_UNAVAILABLE);

    let event = only_event(captured, "GET /top_songs");
    assert_eq!(
        event["message"]["formatted"]
            .as_str()
            .or(event["message"].as_str()),
        Some("GET /top_songs answered 503: cut after 1 s"),
        "{event:#}"
    );
    // Harmless parameters stay: they say what was asked for.
    assert_request_is_clean(&event, &app.url("/top_songs?time_range=long_term"));
}

/// A share link is the key to someone's dashboard: a report about one of its panels names the
/// panel, never the token.
async fn a_share_link_that_fails(captured: &Captured) {
    let app = spawn_with(
        Backend::Sqlite,
        Spawn {
            extra_env: vec![("REQUEST_TIMEOUT_SECS", "1".into())],
            ..Spawn::default()
        },
    )
    .await;
    let owner = browser();
    app.login(&owner, "alice").await;
    let link = app.share(&owner, &[("panels", "top_songs")]).await;
    let token = link.rsplit('/').next().unwrap().to_owned();
    // The owner's cache is cold and Spotify hangs: the visitor's panel is cut by the time limit.
    app.fake.inject(Fault {
        route: Some("GET /v1/me/top/tracks".into()),
        persona: None,
        kind: FaultKind::Delay(Duration::from_secs(3)),
        times: None,
    });
    let visitor = browser();
    let cut = app
        .htmx(
            &visitor,
            &format!("/s/{token}/top_songs?time_range=long_term"),
        )
        .await;
    assert_eq!(cut.status(), StatusCode::SERVICE_UNAVAILABLE);

    let event = only_event(captured, "GET /s/{token}/{panel}");
    assert_request_is_clean(
        &event,
        &app.url("/s/[redacted]/top_songs?time_range=long_term"),
    );
    assert!(
        !captured.raw().contains(&token),
        "the share token reached Sentry"
    );
}

/// A Spotify 429 is Spotify's weather, not Euterpe's bug: the panel says when data is back, the
/// log has it, and nobody is paged.
async fn spotify_rate_limits_are_not_reported(captured: &Captured) {
    let app = spawn_app(Backend::Sqlite).await;
    let client = browser();
    app.login(&client, "alice").await;
    app.fake.inject(Fault {
        route: None,
        persona: None,
        kind: FaultKind::RateLimited {
            retry_after_secs: 60,
        },
        times: None,
    });
    let limited = app.htmx(&client, "/top_artists").await;
    assert_eq!(limited.status(), StatusCode::SERVICE_UNAVAILABLE);
    flush();
    let reported = captured
        .events()
        .iter()
        .filter(|event| event["transaction"] == "GET /top_artists")
        .count();
    assert_eq!(reported, 0);
}

async fn a_panicking_handler(captured: &Captured) {
    let app = spawn_app(Backend::Sqlite).await;
    // A route of this test's own behind Euterpe's real middleware (production has no route
    // that panics on purpose).
    let routes = Router::new().route("/explode/{item}", get(explode));
    let router = euterpe::web::with_middleware(app.state.clone(), routes);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let response = browser()
        .get(format!("http://{addr}/explode/42"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Something went wrong"),
        "the error page, not a dropped connection"
    );

    let event = only_event(captured, "GET /explode/{item}");
    let exception = &event["exception"]["values"][0];
    assert_eq!(exception["mechanism"]["type"], "panic", "{event:#}");
    assert_eq!(
        exception["value"],
        "refresh failed with refresh_token=[redacted] for code=[redacted]"
    );
    assert_request_is_clean(&event, &format!("http://{addr}/explode/42"));
    assert!(!captured.raw().contains(PANIC_TOKEN));
}

const PANIC_TOKEN: &str = "AQDp4n1cR3fr3shT0k3nTh4tMustN0tL34k";

async fn explode() -> &'static str {
    panic!("refresh failed with refresh_token={PANIC_TOKEN} for code=AQxyz");
}
