//! Who is believed about the request's origin: `X-Forwarded-For`/`-Proto` only from
//! `TRUSTED_PROXIES`, and in production the configured origin, never the request's `Host`, in
//! links and redirects.

use reqwest::StatusCode;

use crate::both_backends;
use crate::common::{
    Backend, Spawn, TestApp, browser, fresh_database, location, session_cookie, set_cookies,
    spawn_with,
};

both_backends!(
    forwarded_headers_count_only_from_a_trusted_proxy,
    in_production_links_and_redirects_use_the_configured_origin_whatever_the_host,
);

async fn app_with(backend: Backend, env: &[(&'static str, &str)]) -> TestApp {
    spawn_with(
        backend,
        Spawn {
            extra_env: env.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
            ..Spawn::default()
        },
    )
    .await
}

async fn forwarded_headers_count_only_from_a_trusted_proxy(backend: Backend) {
    // The tests connect from loopback: trusted by default, not when the list leaves it out.
    let public = ("PUBLIC_URL", "https://euterpe.example.com");
    let trusting = app_with(backend, &[public]).await;
    let distrusting = app_with(backend, &[public, ("TRUSTED_PROXIES", "192.0.2.0/24")]).await;
    let client = browser();

    // "The client used plain HTTP": a trusted proxy gets the redirect, anyone else is served.
    for (app, redirected) in [(&trusting, true), (&distrusting, false)] {
        let answer = client
            .get(app.url("/account"))
            .header("X-Forwarded-Proto", "http")
            .send()
            .await
            .unwrap();
        let moved = answer.status() == StatusCode::MOVED_PERMANENTLY;
        assert_eq!(moved, redirected, "{}", answer.status());
    }

    // "The client is someone else each time": a trusted proxy's clients each get their own
    // login limit; anyone else is one client whatever the header says (10 a minute).
    for (app, refused_at_11th) in [(&trusting, false), (&distrusting, true)] {
        let mut statuses = Vec::new();
        for i in 1..=11 {
            let start = browser()
                .get(app.url("/login"))
                .header("X-Forwarded-For", format!("198.51.100.{i}"))
                .send()
                .await
                .unwrap();
            statuses.push(start.status());
        }
        assert!(
            statuses[..10].iter().all(|s| *s == StatusCode::FOUND),
            "{statuses:?}"
        );
        assert_eq!(
            statuses[10] == StatusCode::TOO_MANY_REQUESTS,
            refused_at_11th,
            "{statuses:?}"
        );
    }

    // "The client used HTTPS" from an untrusted peer doesn't make the cookie `Secure`.
    let none = app_with(backend, &[("TRUSTED_PROXIES", "none")]).await;
    let answer = browser()
        .get(none.url("/login"))
        .header("X-Forwarded-Proto", "https")
        .send()
        .await
        .unwrap();
    let cookie = set_cookies(&answer).pop().unwrap();
    assert!(cookie.starts_with("euterpe_session="), "{cookie}");
    assert!(answer.headers().get("strict-transport-security").is_none());
}

/// A database a production configuration can open: Postgres without TLS is allowed only when
/// the URL says so (production otherwise requires it, and the test server has none).
async fn production_database(backend: Backend) -> String {
    let url = fresh_database(backend).await;
    match backend {
        Backend::Sqlite => url,
        Backend::Postgres => format!("{url}?sslmode=disable"),
    }
}

async fn in_production_links_and_redirects_use_the_configured_origin_whatever_the_host(
    backend: Backend,
) {
    let hostile = "evil.example";
    // On Heroku without PUBLIC_URL: the redirect URI's origin.
    let database = production_database(backend).await;
    let heroku = app_with(
        backend,
        &[
            ("DYNO", "web.1"),
            ("DATABASE_URL", &database),
            (
                "SPOTIFY_REDIRECT_URI",
                "https://euterpe.example.com/callback",
            ),
        ],
    )
    .await;
    // Elsewhere in production, PUBLIC_URL (over the redirect URI).
    let database = production_database(backend).await;
    let public = app_with(
        backend,
        &[
            ("EUTERPE_ENV", "production"),
            ("DATABASE_URL", &database),
            ("PUBLIC_URL", "https://euterpe.example.org"),
            ("SPOTIFY_REDIRECT_URI", "https://login.example.org/callback"),
        ],
    )
    .await;

    for (app, origin) in [
        (&heroku, "https://euterpe.example.com"),
        (&public, "https://euterpe.example.org"),
    ] {
        let moved = browser()
            .get(app.url("/account?x=1"))
            .header("Host", hostile)
            .header("X-Forwarded-Proto", "http")
            .send()
            .await
            .unwrap();
        assert_eq!(moved.status(), StatusCode::MOVED_PERMANENTLY);
        assert_eq!(location(&moved), format!("{origin}/account?x=1"));
    }

    // A share link made through a request with a hostile Host still points at the site.
    let cookie = log_in_over_https(&heroku, "alice").await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let https = |request: reqwest::RequestBuilder| {
        request
            .header("Cookie", format!("__Host-euterpe_session={cookie}"))
            .header("X-Forwarded-Proto", "https")
    };
    let account = https(client.get(heroku.url("/account")))
        .send()
        .await
        .unwrap();
    assert_eq!(account.status(), StatusCode::OK);
    let page = account.text().await.unwrap();
    let csrf = page
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let created = https(client.post(heroku.url("/shares")))
        .header("Host", hostile)
        .form(&[("csrf", csrf.as_str()), ("panels", "top_songs")])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let page = https(client.get(heroku.url("/account")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let link = page
        .split(r#"class="share-link" href=""#)
        .nth(1)
        .expect("the new link is shown")
        .split('"')
        .next()
        .unwrap();
    assert!(link.starts_with("https://euterpe.example.com/s/"), "{link}");
    assert!(!page.contains(hostile));
}

/// Logs in on a site whose redirect URI is elsewhere (the browser would go there): the callback
/// Spotify sends the browser to is replayed on the test server, through a trusted proxy saying
/// HTTPS. The session cookie is `Secure`, so it is carried by hand. Returns its value.
async fn log_in_over_https(app: &TestApp, persona: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let start = client
        .get(app.url("/login"))
        .header("X-Forwarded-Proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), StatusCode::FOUND);
    let before = session_cookie(&start).unwrap();
    let approved = client
        .get(format!("{}&persona={persona}", location(&start)))
        .send()
        .await
        .unwrap();
    let callback = location(&approved);
    let query = callback
        .strip_prefix("https://euterpe.example.com/callback")
        .unwrap_or_else(|| panic!("Spotify returns to the redirect URI: {callback}"));
    let done = client
        .get(app.url(&format!("/callback{query}")))
        .header("Cookie", format!("__Host-euterpe_session={before}"))
        .header("X-Forwarded-Proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(
        done.status(),
        StatusCode::SEE_OTHER,
        "{}",
        done.text().await.unwrap()
    );
    session_cookie(&done).unwrap()
}
