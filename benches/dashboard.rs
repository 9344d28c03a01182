//! One full dashboard, as a browser loads it: how many calls to Spotify it costs, how long the
//! longest chain of calls that waited for one another is, and how long the listener waits.
//!
//! `cargo bench --bench dashboard` prints two tables; BENCHMARKS.md holds the last run.
//!
//! 1. Calls, cold (empty cache) and warm (second load), in development mode and with extended
//!    quota, on SQLite and (if reachable) Postgres, through a fake Spotify that answers at once.
//! 2. Time, as `cargo run` serves it with `EUTERPE_DEMO_LATENCY_MS=150` (the demo's fake Spotify
//!    answers every Web API call after 150 ms, the real service's typical latency): the page,
//!    then every slot's fragment over at most 6 connections at once, like a browser; cold right
//!    after logging in, then warm. Each cold load is a fresh Euterpe on a fresh database.

use std::sync::Arc;
use std::time::{Duration, Instant};

use euterpe_testkit as common;

use common::{Backend, Spawn, TestApp, browser, postgres_available, spawn_demo_with, spawn_with};
use euterpe::panel::Panel;
use euterpe_fakes::spotify::{Mode, longest_chain, most_in_flight};
use futures_util::future::join_all;
use tokio::sync::Semaphore;

/// Connections a browser opens to one origin at once.
const BROWSER_CONNECTIONS: usize = 6;
/// The fake Spotify's answer time in the timed runs.
const LATENCY_MS: &str = "150";
/// Cold loads timed per database (each on a fresh Euterpe).
const RUNS: usize = 5;

/// The URLs of the slots a dashboard page left for htmx to fill.
fn slots_of(page: &str) -> Vec<String> {
    page.split(r#"<section class="panel loading""#)
        .skip(1)
        .filter_map(|slot| slot.split(r#"hx-get=""#).nth(1)?.split('"').next())
        .map(|url| url.replace("&amp;", "&"))
        .collect()
}

/// One dashboard as a browser with htmx loads it: the page (which draws the panels that are
/// ready and starts the others), then every slot's fragment, at most six at a time. Returns how
/// long it took until the last fragment was in, and how many slots there were.
async fn dashboard(app: &TestApp, client: &reqwest::Client) -> (Duration, usize) {
    let started = Instant::now();
    let page = app.get(client, "/").await.text().await.unwrap();
    let slots = slots_of(&page);
    let connections = Arc::new(Semaphore::new(BROWSER_CONNECTIONS));
    join_all(slots.iter().map(|url| {
        let connections = connections.clone();
        async move {
            let _connection = connections.acquire().await.unwrap();
            let body = app.htmx(client, url).await.text().await.unwrap();
            assert!(!body.contains("panel loading"), "{url} answered a slot");
        }
    }))
    .await;
    (started.elapsed(), slots.len())
}

/// Waits for whatever the page started that no fragment waited for, so the counts are whole.
async fn settle(app: &TestApp, client: &reqwest::Client) {
    for panel in Panel::ALL {
        app.htmx(client, &format!("{}?time_range=medium_term", panel.path()))
            .await;
    }
}

async fn calls(backend: Backend, mode: Mode) -> (usize, usize, Vec<(String, usize)>) {
    let app = spawn_with(
        backend,
        Spawn {
            mode,
            ..Spawn::default()
        },
    )
    .await;
    let client = browser();
    app.login(&client, "alice").await;
    app.fake.reset_counters();
    dashboard(&app, &client).await;
    settle(&app, &client).await;
    let cold = app.fake.total_api_requests();
    let routes = [
        "GET /v1/me/top/tracks",
        "GET /v1/me/top/artists",
        "GET /v1/me/playlists",
        "GET /v1/playlists/{id}/items",
        "GET /v1/artists",
    ]
    .iter()
    .map(|route| (route.to_string(), app.fake.request_count(route)))
    .collect();
    app.fake.reset_counters();
    dashboard(&app, &client).await;
    (cold, app.fake.total_api_requests(), routes)
}

/// One timed run: (cold time, slots, cold calls, longest chain, most in flight, warm time,
/// warm calls).
struct Timed {
    cold: Duration,
    slots: usize,
    calls: usize,
    chain: usize,
    in_flight: usize,
    warm: Duration,
    warm_calls: usize,
}

async fn timed(backend: Backend) -> Timed {
    let app = spawn_demo_with(backend, &[("EUTERPE_DEMO_LATENCY_MS", LATENCY_MS)]).await;
    let client = browser();
    app.login(&client, "alice").await;
    app.fake.reset_counters();
    let (cold, slots) = dashboard(&app, &client).await;
    settle(&app, &client).await;
    let log = app.fake.calls();
    app.fake.reset_counters();
    let (warm, _) = dashboard(&app, &client).await;
    Timed {
        cold,
        slots,
        calls: log.len(),
        chain: longest_chain(&log),
        in_flight: most_in_flight(&log, "alice"),
        warm,
        warm_calls: app.fake.total_api_requests(),
    }
}

fn ms(duration: Duration) -> String {
    format!("{:.0} ms", duration.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let mut backends = vec![Backend::Sqlite];
    if postgres_available().await {
        backends.push(Backend::Postgres);
    }
    println!("| database | mode | cold: calls | warm: calls | cold calls by route |");
    println!("|---|---|---|---|---|");
    for &backend in &backends {
        for mode in [Mode::Development, Mode::ExtendedQuota] {
            let (cold, warm, routes) = calls(backend, mode).await;
            let by_route = routes
                .iter()
                .filter(|(_, count)| *count > 0)
                .map(|(route, count)| format!("`{route}` {count}"))
                .collect::<Vec<_>>()
                .join(", ");
            println!("| {backend:?} | {mode:?} | {cold} | {warm} | {by_route} |");
        }
    }
    println!();
    println!(
        "Every Spotify call answered after {LATENCY_MS} ms; `alice`; {BROWSER_CONNECTIONS} connections."
    );
    println!();
    println!(
        "| database | run | cold dashboard | slots | calls | longest chain | most in flight | warm dashboard | warm calls |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for &backend in &backends {
        let mut colds = Vec::new();
        for run in 1..=RUNS {
            let t = timed(backend).await;
            println!(
                "| {backend:?} | {run} | {} | {} | {} | {} | {} | {} | {} |",
                ms(t.cold),
                t.slots,
                t.calls,
                t.chain,
                t.in_flight,
                ms(t.warm),
                t.warm_calls
            );
            colds.push(t.cold);
        }
        colds.sort();
        println!(
            "| {backend:?} | median | {} | | | | | | |",
            ms(colds[colds.len() / 2])
        );
    }
}
