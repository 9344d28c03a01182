//! How many calls to Spotify one full dashboard costs: cold (empty cache) and warm (second
//! load), in development mode and with extended quota, on SQLite and (if reachable) Postgres.
//!
//! `cargo bench --bench upstream_calls` prints a table; BENCHMARKS.md holds the last run.

use euterpe_testkit as common;

use common::{Backend, Spawn, TestApp, browser, postgres_available, spawn_with};
use euterpe::panel::Panel;
use euterpe_fakes::spotify::Mode;
use futures_util::future::join_all;

/// One dashboard as a browser with htmx loads it: the page (which draws the panels that are
/// ready and starts the others), then, at once, the fragment of every slot it left.
async fn dashboard(app: &TestApp, client: &reqwest::Client) {
    let page = app.get(client, "/").await.text().await.unwrap();
    let slots: Vec<String> = page
        .split(r#"<section class="panel loading""#)
        .skip(1)
        .filter_map(|slot| slot.split(r#"hx-get=""#).nth(1)?.split('"').next())
        .map(|url| url.replace("&amp;", "&"))
        .collect();
    join_all(slots.iter().map(|url| async move {
        app.htmx(client, url).await;
    }))
    .await;
    // Whatever the page started and no fragment waited for still counts: let it finish.
    for panel in Panel::ALL {
        app.htmx(client, &format!("{}?time_range=medium_term", panel.path()))
            .await;
    }
}

async fn measure(backend: Backend, mode: Mode) -> (usize, usize, Vec<(String, usize)>) {
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

#[tokio::main]
async fn main() {
    let mut backends = vec![Backend::Sqlite];
    if postgres_available().await {
        backends.push(Backend::Postgres);
    }
    println!("| database | mode | cold: calls | warm: calls | cold calls by route |");
    println!("|---|---|---|---|---|");
    for backend in backends {
        for mode in [Mode::Development, Mode::ExtendedQuota] {
            let (cold, warm, routes) = measure(backend, mode).await;
            let by_route = routes
                .iter()
                .filter(|(_, count)| *count > 0)
                .map(|(route, count)| format!("`{route}` {count}"))
                .collect::<Vec<_>>()
                .join(", ");
            println!("| {backend:?} | {mode:?} | {cold} | {warm} | {by_route} |");
        }
    }
}
