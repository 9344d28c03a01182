//! Behaving well on Heroku and as a public site: the security headers, HTTPS behind the router,
//! cross-site refusals, rate limits, request time limits, graceful shutdown and key rotation.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use euterpe::app::{self, App};
use euterpe::config::Config;
use euterpe::crypto::{KeyRing, generate_key};
use euterpe::shutdown::Shutdown;
use euterpe::web::security::{CONTENT_SECURITY_POLICY, STRICT_TRANSPORT_SECURITY};
use euterpe_fakes::spotify::{Fault, FaultKind};
use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;
use tokio::task::JoinHandle;

use crate::both_backends;
use crate::common::{Backend, Spawn, TestApp, browser, spawn_app, spawn_with};

both_backends!(
    every_answer_carries_exactly_the_security_headers,
    plain_http_behind_the_router_moves_to_https_except_the_health_check,
    state_changing_requests_from_another_origin_are_refused,
    login_starts_and_callbacks_are_rate_limited_per_address_and_user,
    a_panel_that_takes_too_long_shows_its_error_state,
    shutdown_finishes_the_request_in_flight_and_refuses_new_ones,
    rotate_keys_re_encrypts_every_token_and_skips_current_ones,
);

/// The exact CSP, as a browser would read it (kept here in full on purpose, like Mastodon's test:
/// a change to the policy must be a change to this test).
const EXPECTED_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' https://i.scdn.co https://mosaic.scdn.co https://image-cdn-ak.spotifycdn.com https://image-cdn-fa.spotifycdn.com data:; connect-src 'self'; font-src 'self'; \
     object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The headers of a response, by name, without those that vary per response.
fn header_names(response: &reqwest::Response) -> BTreeSet<String> {
    response
        .headers()
        .keys()
        .map(|name| name.as_str().to_owned())
        .filter(|name| !matches!(name.as_str(), "date" | "content-length" | "set-cookie"))
        .collect()
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().unwrap())
}

async fn every_answer_carries_exactly_the_security_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(CONTENT_SECURITY_POLICY, EXPECTED_CSP);

    let expected = |extra: &[&str]| -> BTreeSet<String> {
        [
            // Not a security header, but on every answer too: nothing is cached (caching.rs).
            "cache-control",
            "content-security-policy",
            "content-type",
            "referrer-policy",
            "x-content-type-options",
            "x-request-id",
        ]
        .iter()
        .chain(extra)
        .map(|name| name.to_string())
        .collect()
    };

    // Plain HTTP (local use): no HSTS.
    let landing = app.get(&browser(), "/").await;
    assert_eq!(landing.status(), StatusCode::OK);
    assert_eq!(header_names(&landing), expected(&[]));
    assert_eq!(
        header(&landing, "content-security-policy"),
        Some(EXPECTED_CSP)
    );
    assert_eq!(header(&landing, "x-content-type-options"), Some("nosniff"));
    assert_eq!(header(&landing, "referrer-policy"), Some("same-origin"));
    assert_eq!(header(&landing, "strict-transport-security"), None);

    // Through an HTTPS router: the same, plus HSTS for a year.
    let https = browser()
        .get(app.url("/"))
        .header("X-Forwarded-Proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(
        header_names(&https),
        expected(&["strict-transport-security"])
    );
    assert_eq!(
        header(&https, "strict-transport-security"),
        Some("max-age=31536000; includeSubDomains")
    );
    assert_eq!(
        STRICT_TRANSPORT_SECURITY,
        "max-age=31536000; includeSubDomains"
    );

    // Error pages, fragments, redirects and assets carry them too.
    let client = browser();
    app.login(&client, "alice").await;
    for (path, htmx, status) in [
        ("/no/such/page", false, StatusCode::NOT_FOUND),
        (
            "/top_songs?time_range=forever",
            true,
            StatusCode::BAD_REQUEST,
        ),
        ("/top_songs", true, StatusCode::OK),
        ("/login", false, StatusCode::FOUND),
        ("/healthz", false, StatusCode::OK),
    ] {
        let request = client.get(app.url(path));
        let request = if htmx {
            request.header("HX-Request", "true")
        } else {
            request
        };
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), status, "{path}");
        assert_eq!(
            header(&response, "content-security-policy"),
            Some(EXPECTED_CSP),
            "{path}"
        );
        assert_eq!(header(&response, "x-content-type-options"), Some("nosniff"));
        assert_eq!(header(&response, "referrer-policy"), Some("same-origin"));
    }
    let page = app.get(&client, "/").await.text().await.unwrap();
    let css = page
        .split(r#"<link rel="stylesheet" href=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let asset = app.get(&client, &css).await;
    assert_eq!(asset.status(), StatusCode::OK);
    assert_eq!(header(&asset, "x-content-type-options"), Some("nosniff"));

    // No inline script or style anywhere, which the CSP would block; htmx neither evaluates
    // code nor requests other origins, nor keeps copies of pages in the browser's storage
    // (they would outlive a logout or a revoked share).
    // (The dashboard draws its panels, so a hostile track name such as "javascript:void(0)"
    // is on it as text; what must never be is such an address.)
    for forbidden in ["<script>", "style=", " onclick=", "=\"javascript:"] {
        assert!(!page.contains(forbidden), "{forbidden} in the dashboard");
    }
    for setting in [
        r#""selfRequestsOnly":true"#,
        r#""allowEval":false"#,
        r#""allowScriptTags":false"#,
        r#""historyCacheSize":0"#,
    ] {
        assert!(
            page.replace("&quot;", "\"").contains(setting),
            "htmx config lacks {setting}"
        );
    }
}

async fn plain_http_behind_the_router_moves_to_https_except_the_health_check(backend: Backend) {
    let app = spawn_with(
        backend,
        Spawn {
            extra_env: vec![("PUBLIC_URL", "https://euterpe.example.com".into())],
            ..Spawn::default()
        },
    )
    .await;
    let client = browser();
    let via_router = |method: reqwest::Method, path: &str| {
        client
            .request(method, app.url(path))
            .header("X-Forwarded-Proto", "http")
    };

    let account = via_router(reqwest::Method::GET, "/account?x=1")
        .send()
        .await
        .unwrap();
    assert_eq!(account.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        header(&account, "location"),
        Some("https://euterpe.example.com/account?x=1")
    );
    assert!(
        account.headers().get("set-cookie").is_none(),
        "no session started"
    );
    assert_eq!(header(&account, "strict-transport-security"), None);

    // Anything but a read keeps its method and body: 308.
    let logout = via_router(reqwest::Method::POST, "/logout")
        .form(&[("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        header(&logout, "location"),
        Some("https://euterpe.example.com/logout")
    );

    // The health check answers over plain HTTP.
    let health = via_router(reqwest::Method::GET, "/healthz")
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);

    // HTTPS from the router: served, with HSTS.
    let https = client
        .get(app.url("/"))
        .header("X-Forwarded-Proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(https.status(), StatusCode::OK);
    assert!(header(&https, "strict-transport-security").is_some());

    // Without a router in front (no X-Forwarded-Proto) nothing moves.
    assert_eq!(app.get(&client, "/").await.status(), StatusCode::OK);

    // A local Euterpe (no PUBLIC_URL, not on Heroku) behind a plain-HTTP proxy stays on HTTP.
    let local = spawn_app(backend).await;
    let proxied = browser()
        .get(local.url("/"))
        .header("X-Forwarded-Proto", "http")
        .send()
        .await
        .unwrap();
    assert_eq!(proxied.status(), StatusCode::OK);
}

async fn state_changing_requests_from_another_origin_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let csrf = app.csrf(&client).await;

    // A cross-site form post with a valid token (say, leaked): refused by its Origin.
    for origin in ["https://evil.example", "null", "http://127.0.0.1:1"] {
        let forged = client
            .post(app.url("/logout"))
            .header("Origin", origin)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "Origin: {origin}");
        assert!(
            forged
                .text()
                .await
                .unwrap()
                .contains("refused it to protect your account")
        );
    }
    assert_eq!(
        app.get(&client, "/account").await.status(),
        StatusCode::OK,
        "still logged in"
    );

    // The same post from this site's own page is accepted.
    let own = client
        .post(app.url("/logout"))
        .header("Origin", app.base.clone())
        .header("Sec-Fetch-Site", "same-origin")
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&client, "/account").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn login_starts_and_callbacks_are_rate_limited_per_address_and_user(backend: Backend) {
    let app = spawn_app(backend).await;
    let login_from = |client: &reqwest::Client, forwarded_for: &str| {
        client
            .get(app.url("/login"))
            .header("X-Forwarded-For", forwarded_for.to_owned())
            .send()
    };

    // Ten login starts a minute per address; the eleventh is refused with Retry-After.
    let client = browser();
    for _ in 0..10 {
        let start = login_from(&client, "203.0.113.5").await.unwrap();
        assert_eq!(start.status(), StatusCode::FOUND);
    }
    let refused = login_from(&client, "203.0.113.5").await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = header(&refused, "retry-after").unwrap().parse().unwrap();
    assert!(
        (1..=60).contains(&retry_after),
        "Retry-After: {retry_after}"
    );
    let page = refused.text().await.unwrap();
    assert!(page.contains("Too many attempts"), "{page}");
    assert!(page.contains("Please try again in about"), "{page}");
    assert!(page.contains("<html"), "a whole page");

    // Made-up earlier hops don't help: the router's (last) hop is the address.
    let spoofed = login_from(&client, "198.51.100.1, 203.0.113.5")
        .await
        .unwrap();
    assert_eq!(spoofed.status(), StatusCode::TOO_MANY_REQUESTS);
    // For htmx, a fragment.
    let fragment = client
        .get(app.url("/login"))
        .header("X-Forwarded-For", "203.0.113.5")
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(fragment.status(), StatusCode::TOO_MANY_REQUESTS);
    let fragment = fragment.text().await.unwrap();
    assert!(fragment.contains("Too many attempts") && !fragment.contains("<html"));

    // Another address has its own allowance.
    assert_eq!(
        login_from(&client, "203.0.113.6").await.unwrap().status(),
        StatusCode::FOUND
    );

    // Callbacks: ten a minute per address too.
    let other = browser();
    for _ in 0..10 {
        let callback = other
            .get(app.url("/callback?code=x&state=y"))
            .header("X-Forwarded-For", "192.0.2.77")
            .send()
            .await
            .unwrap();
        assert_eq!(callback.status(), StatusCode::BAD_REQUEST);
    }
    let callback = other
        .get(app.url("/callback?code=x&state=y"))
        .header("X-Forwarded-For", "192.0.2.77")
        .send()
        .await
        .unwrap();
    assert_eq!(callback.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(callback.headers().contains_key(RETRY_AFTER));

    // Per user: a logged-in user who starts logins from ever new addresses is still limited.
    let user = browser();
    let done = app.authorize(&user, "alice").await;
    let finished = user
        .get(&done)
        .header("X-Forwarded-For", "192.0.2.200")
        .send()
        .await
        .unwrap();
    assert_eq!(finished.status(), StatusCode::SEE_OTHER);
    let mut statuses = Vec::new();
    for n in 0..11 {
        let start = login_from(&user, &format!("192.0.2.{n}")).await.unwrap();
        statuses.push(start.status());
    }
    assert_eq!(statuses[..10], [StatusCode::FOUND; 10]);
    assert_eq!(statuses[10], StatusCode::TOO_MANY_REQUESTS);
}

async fn a_panel_that_takes_too_long_shows_its_error_state(backend: Backend) {
    let app = spawn_with(
        backend,
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

    let panel = app.htmx(&client, "/top_songs?time_range=long_term").await;
    assert_eq!(panel.status(), StatusCode::SERVICE_UNAVAILABLE);
    let html = panel.text().await.unwrap();
    assert!(
        html.starts_with(r#"<section class="panel" id="panel-top_songs""#),
        "{html}"
    );
    assert!(html.contains("This panel took too long."), "{html}");
    assert!(html.contains("stopped waiting after 1 second;"), "{html}");
    assert!(
        html.contains(r#"hx-get="/top_songs?time_range=long_term""#),
        "a retry: {html}"
    );
    assert!(html.contains("Try again"));

    // A share link's panel, the same, with a retry under the link.
    let link = app.share(&client, &[("panels", "top_songs")]).await;
    let shared_path = link.strip_prefix(&app.base).unwrap().to_owned();
    let shared = app
        .htmx(
            &browser(),
            &format!("{shared_path}/top_songs?time_range=long_term"),
        )
        .await;
    assert_eq!(shared.status(), StatusCode::SERVICE_UNAVAILABLE);
    let html = shared.text().await.unwrap();
    assert!(html.contains("This panel took too long."), "{html}");
    assert!(
        html.contains(&format!(
            r#"hx-get="{shared_path}/top_songs?time_range=long_term""#
        )),
        "a retry under the link: {html}"
    );

    // A whole page that takes too long: a plain 503 page.
    let page = app.get(&client, "/top_songs").await;
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("<html") && page.contains("This took too long"),
        "{page}"
    );

    // Other panels and pages are not held up.
    assert_eq!(app.get(&client, "/account").await.status(), StatusCode::OK);
}

/// A Euterpe on `app`'s database and fake Spotify with other variables, whose serving task is
/// returned (it ends when the server has shut down).
async fn sibling_with(app: &TestApp, extra: &[(&str, String)]) -> (TestApp, JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut vars = crate::common::sibling_vars(app);
    vars.insert("PORT".into(), addr.port().to_string());
    vars.insert(
        "SPOTIFY_REDIRECT_URI".into(),
        format!("http://{addr}/callback"),
    );
    for (name, value) in extra {
        vars.insert((*name).to_owned(), value.clone());
    }
    let config = Config::from_vars(&vars).unwrap();
    let keys = Arc::new(app::load_keys(&config).unwrap());
    let store = app::open_store(&config).await.unwrap();
    let spotify = config.spotify.clone().unwrap();
    let state = App::build(
        config,
        spotify,
        store.clone(),
        keys.clone(),
        app.clock.clone(),
        None,
    );
    let shutdown = Shutdown::new();
    let serving = tokio::spawn({
        let (state, shutdown) = (state.clone(), shutdown.clone());
        async move {
            app::serve(state, listener, shutdown).await.unwrap();
        }
    });
    let sibling = TestApp {
        backend: app.backend,
        addr,
        base: format!("http://{addr}"),
        database_url: app.database_url.clone(),
        fake: app.fake.clone(),
        fake_base: app.fake_base.clone(),
        clock: app.clock.clone(),
        keys,
        key_text: app.key_text.clone(),
        store,
        state,
        shutdown,
        open_data: app.open_data.clone(),
        open_data_env: app.open_data_env.clone(),
    };
    (sibling, serving)
}

async fn shutdown_finishes_the_request_in_flight_and_refuses_new_ones(backend: Backend) {
    let app = spawn_app(backend).await;
    let (server, serving) = sibling_with(&app, &[]).await;
    let client = browser();
    server.login(&client, "alice").await;
    app.fake.inject(Fault {
        route: Some("GET /v1/me/top/tracks".into()),
        persona: None,
        kind: FaultKind::Delay(Duration::from_secs(2)),
        times: None,
    });
    let in_flight = tokio::spawn({
        let (client, url) = (client.clone(), server.url("/top_songs"));
        async move {
            client
                .get(url)
                .header("HX-Request", "true")
                .send()
                .await
                .unwrap()
        }
    });
    // Wait until the request is inside Euterpe, waiting on Spotify.
    while app.fake.request_count("GET /v1/me/top/tracks") == 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.shutdown.trigger();
    tokio::time::sleep(Duration::from_millis(200)).await;

    // No new connections...
    assert!(
        tokio::net::TcpStream::connect(server.addr).await.is_err(),
        "still accepting after the shutdown signal"
    );
    // ...but the request in flight finishes normally...
    let answer = in_flight.await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(answer.text().await.unwrap().contains("<table"));
    // ...and then serving (background jobs included) ends, well within Heroku's 30 s.
    tokio::time::timeout(Duration::from_secs(30), serving)
        .await
        .expect("the server stops after its last request")
        .unwrap();
}

async fn rotate_keys_re_encrypts_every_token_and_skips_current_ones(backend: Backend) {
    // Alice logs in while only the old key exists.
    let app = spawn_app(backend).await;
    let old_key = app.key_text.clone();
    let alice = browser();
    app.login(&alice, "alice").await;

    // A new key is added in front; Bob logs in on a Euterpe that already has it.
    let new_key = generate_key();
    let both = format!("{new_key},{old_key}");
    let (rotated_app, _) = sibling_with(&app, &[("TOKEN_ENCRYPTION_KEYS", both.clone())]).await;
    let bob = browser();
    rotated_app.login(&bob, "bob").await;

    let ring = KeyRing::parse_list(&both, "TOKEN_ENCRYPTION_KEYS").unwrap();
    let old_id = KeyRing::parse_list(&old_key, "K").unwrap().current_key_id();
    let new_id = ring.current_key_id();
    assert_eq!(
        key_ids(&app).await,
        BTreeSet::from([old_id, new_id.clone()])
    );

    // `euterpe rotate-keys`, the command itself.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_euterpe"))
        .arg("rotate-keys")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &app.database_url)
        .env("TOKEN_ENCRYPTION_KEYS", &both)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains(
            "rotate-keys: 1 re-encrypted, 1 already used the newest key, 0 changed meanwhile, \
             0 unreadable"
        ),
        "{stdout}"
    );
    assert_eq!(key_ids(&app).await, BTreeSet::from([new_id.clone()]));
    for row in token_rows(&app).await {
        assert!(ring.is_current(&row.access_token) && ring.is_current(&row.refresh_token));
    }

    // Run again (say, after an interruption): nothing left to do.
    let report = euterpe::keys::rotate(&app.store, &ring, 1, |_| {})
        .await
        .unwrap();
    assert_eq!(
        (report.rotated, report.already_current, report.unreadable),
        (0, 2, 0)
    );

    // The old key can go: a Euterpe with only the new key serves both users.
    let (new_only, _) = sibling_with(&app, &[("TOKEN_ENCRYPTION_KEYS", new_key.clone())]).await;
    for client in [&alice, &bob] {
        let panel = new_only.htmx(client, "/top_artists").await;
        assert_eq!(panel.status(), StatusCode::OK);
        let html = panel.text().await.unwrap();
        assert!(
            html.contains("artist-list") && !html.contains("error-state"),
            "{html}"
        );
    }

    // A ring without the key the rows use reports them unreadable and changes nothing.
    let stranger = KeyRing::parse_list(&generate_key(), "K").unwrap();
    let mut batches = 0;
    let report = euterpe::keys::rotate(&app.store, &stranger, 1, |_| batches += 1)
        .await
        .unwrap();
    assert_eq!((report.rotated, report.unreadable), (0, 2));
    assert_eq!(batches, 2, "one row per batch");
    assert_eq!(key_ids(&app).await, BTreeSet::from([new_id]));
}

async fn token_rows(app: &TestApp) -> Vec<euterpe::store::StoredTokens> {
    let mut rows = Vec::new();
    for account in ["alice", "bob"] {
        let me = app.fake_get(account, "/me").await;
        let user = app
            .store
            .user_by_account(me["account_id"].as_str().unwrap())
            .await
            .unwrap()
            .unwrap();
        rows.push(app.store.tokens(user.id).await.unwrap().unwrap());
    }
    rows
}

async fn key_ids(app: &TestApp) -> BTreeSet<String> {
    token_rows(app)
        .await
        .into_iter()
        .map(|row| row.key_id)
        .collect()
}
