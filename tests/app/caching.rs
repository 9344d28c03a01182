//! Nothing private is cached: every answer that depends on the session, and every share page
//! (a revoked link must stop working at once), says `Cache-Control: no-store, private`; only
//! the content-hashed assets may be kept, for a year.

use reqwest::{Response, StatusCode};

use crate::both_backends;
use crate::common::history::*;
use crate::common::{Backend, browser, spawn_app};

both_backends!(
    private_answers_are_never_stored,
    share_pages_are_never_stored_and_hashed_assets_are,
);

const PRIVATE: &str = "no-store, private";

fn cache_control(response: &Response) -> String {
    response
        .headers()
        .get("cache-control")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[track_caller]
fn assert_private(what: &str, response: &Response) {
    assert_eq!(cache_control(response), PRIVATE, "{what}");
}

async fn private_answers_are_never_stored(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    // The login's own answers (its redirects set the session cookie).
    let login = app.login(&client, "alice").await;
    assert_private("the login callback", &login);

    for path in ["/", "/account", "/history", "/import", "/top_songs"] {
        let page = app.get(&client, path).await;
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        assert_private(path, &page);
    }
    // Fragments, as htmx asks for them: a panel and a history view.
    for path in [
        "/top_songs?time_range=short_term",
        "/history/top?preset=all",
    ] {
        let fragment = app.htmx(&client, path).await;
        assert_eq!(fragment.status(), StatusCode::OK, "{path}");
        assert_private(path, &fragment);
    }
    // The data download.
    let data = app.get(&client, "/account/data").await;
    assert_eq!(data.status(), StatusCode::OK);
    assert_private("the data download", &data);

    // An import: the upload's answer, its status page and its progress fragment.
    let csrf = csrf_of(&app, &client).await;
    let files = [(
        "StreamingHistory_music_3.json",
        fixture("account_StreamingHistory_music_3.json"),
    )];
    let uploaded = upload(&app, &client, Some(&csrf), &files).await;
    assert_eq!(uploaded.status(), StatusCode::SEE_OTHER);
    assert_private("the upload's answer", &uploaded);
    let status = crate::common::location(&uploaded);
    let page = app.get(&client, &status).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_private("an import's page", &page);
    let progress = app.get(&client, &format!("{status}/progress")).await;
    assert_private("an import's progress", &progress);

    // Error pages and a logged-out visitor's answers depend on the session too.
    let missing = app.get(&client, "/no-such-page").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_private("a 404 page", &missing);
    let stranger = browser();
    let landing = app.get(&stranger, "/").await;
    assert_private("the landing page", &landing);
    let refused = app.get(&stranger, "/account").await;
    assert_private("a page that needs a login", &refused);
    // A health check must never be answered by a cache either.
    let health = app.get(&stranger, "/healthz").await;
    assert_eq!(health.status(), StatusCode::OK);
    assert_private("/healthz", &health);
}

async fn share_pages_are_never_stored_and_hashed_assets_are(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = browser();
    app.login(&owner, "alice").await;
    let link = app.share(&owner, &[("panels", "top_songs")]).await;
    let path = link
        .strip_prefix(&app.base)
        .unwrap_or(&link)
        .trim_end_matches('/')
        .to_owned();
    assert!(path.starts_with("/s/"), "{link}");

    let visitor = browser();
    let dashboard = app.get(&visitor, &path).await;
    assert_eq!(dashboard.status(), StatusCode::OK);
    assert_private("a share page", &dashboard);
    let panel = app.htmx(&visitor, &format!("{path}/top_songs")).await;
    assert_eq!(panel.status(), StatusCode::OK);
    assert_private("a share page's panel", &panel);

    // The stylesheet and the favicon, under the URLs the page names (with their hashes).
    let html = dashboard.text().await.unwrap();
    for name in ["app.css", "favicon.svg"] {
        let url = html
            .split('"')
            .find(|part| part.starts_with("/assets/") && part.ends_with(name))
            .unwrap_or_else(|| panic!("the page names {name}"))
            .to_owned();
        let asset = app.get(&visitor, &url).await;
        assert_eq!(asset.status(), StatusCode::OK, "{url}");
        assert_eq!(
            cache_control(&asset),
            "public, max-age=31536000, immutable",
            "{url}"
        );
    }
}
