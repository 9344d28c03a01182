//! The dashboard's panels over HTTP: fragments and pages, ranges, each user's own data, and the
//! empty and error states.

use euterpe_fakes::spotify::{Fault, FaultKind};
use futures_util::future::join_all;
use reqwest::StatusCode;

use crate::both_backends;
use crate::common::{Backend, browser, escaped, spawn_app};

both_backends!(
    top_songs_and_top_artists_follow_spotifys_order_for_every_range,
    fragments_for_htmx_pages_otherwise,
    a_bad_time_range_is_a_400_naming_the_accepted_values,
    two_users_each_see_only_their_own_data_under_concurrency,
    rate_limits_and_outages_show_the_panels_error_state,
    a_short_rate_limit_pauses_only_that_user,
    an_absurd_retry_after_is_capped_at_a_day,
    an_account_without_top_items_is_told_so,
    logged_out_visitors_are_sent_to_log_in,
    health_and_assets,
);

async fn top_songs_and_top_artists_follow_spotifys_order_for_every_range(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    for range in ["short_term", "medium_term", "long_term"] {
        let expected = app.fake_top_track_names("alice", range).await;
        assert!(expected.len() >= 20, "alice has a long top list");
        let html = app
            .htmx(&client, &format!("/top_songs?time_range={range}"))
            .await
            .text()
            .await
            .unwrap();
        let mut last = 0;
        for name in &expected {
            let at = html[last..]
                .find(&escaped(name))
                .unwrap_or_else(|| panic!("{name} missing or out of order in {range}"));
            last += at;
        }
        let artists = app
            .fake_get(
                "alice",
                &format!("/me/top/artists?time_range={range}&limit=50"),
            )
            .await;
        let html = app
            .htmx(&client, &format!("/top_artists?time_range={range}"))
            .await
            .text()
            .await
            .unwrap();
        let mut last = 0;
        for artist in artists["items"].as_array().unwrap() {
            let name = escaped(artist["name"].as_str().unwrap());
            let at = html[last..]
                .find(&name)
                .unwrap_or_else(|| panic!("{name} in {range}"));
            last += at;
        }
        // Development mode: no genres from Spotify, and the panel says why.
        assert!(html.contains("Genres aren't shown"));
    }
}

async fn fragments_for_htmx_pages_otherwise(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let fragment = app.htmx(&client, "/top_songs").await;
    assert_eq!(fragment.status(), StatusCode::OK);
    let vary = fragment
        .headers()
        .get("vary")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(vary.to_ascii_lowercase().contains("hx-request"), "{vary}");
    let fragment = fragment.text().await.unwrap();
    assert!(
        fragment.starts_with(r#"<section class="panel" id="panel-top_songs""#),
        "{fragment}"
    );
    assert!(!fragment.contains("<html"));

    let page = app.get(&client, "/top_songs?time_range=long_term").await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains(r#"id="panel-top_songs""#));
    assert!(
        page.contains(r#"<option value="long_term" selected>"#),
        "range form"
    );
    assert!(
        page.contains(r#"href="/top_artists?time_range=long_term""#),
        "navigation"
    );

    // History restoration gets the whole page.
    let restore = client
        .get(app.url("/top_songs"))
        .header("HX-Request", "true")
        .header("HX-History-Restore-Request", "true")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(restore.starts_with("<!DOCTYPE html>"));
}

async fn a_bad_time_range_is_a_400_naming_the_accepted_values(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    for path in [
        "/top_songs?time_range=forever",
        "/top_artists?time_range=SHORT_TERM",
        "/artists_falling_off?time_range=x",
        "/?time_range=yesterday",
    ] {
        for htmx in [false, true] {
            let response = if htmx {
                app.htmx(&client, path).await
            } else {
                app.get(&client, path).await
            };
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
            let body = response.text().await.unwrap();
            for accepted in ["short_term", "medium_term", "long_term"] {
                assert!(body.contains(accepted), "{path}: {body}");
            }
            assert_eq!(body.starts_with("<!DOCTYPE html>"), !htmx, "{path}");
        }
    }
    // Given twice, neither value is blamed: the page says what is wrong with the address.
    let twice = app
        .get(
            &client,
            "/top_songs?time_range=short_term&time_range=long_term",
        )
        .await;
    assert_eq!(twice.status(), StatusCode::BAD_REQUEST);
    let body = twice.text().await.unwrap();
    assert!(body.contains("empty or given more than once"), "{body}");
    assert!(!body.contains("is not a time range"), "{body}");
}

async fn two_users_each_see_only_their_own_data_under_concurrency(backend: Backend) {
    let app = spawn_app(backend).await;
    let (alice, bob) = (browser(), browser());
    app.login(&alice, "alice").await;
    app.login(&bob, "bob").await;
    let alice_top = app.fake_top_track_names("alice", "medium_term").await;
    let bob_top = app.fake_top_track_names("bob", "medium_term").await;
    let only_alice: Vec<_> = alice_top
        .iter()
        .filter(|n| !bob_top.contains(n))
        .take(3)
        .collect();
    let only_bob: Vec<_> = bob_top
        .iter()
        .filter(|n| !alice_top.contains(n))
        .take(3)
        .collect();
    assert!(
        !only_alice.is_empty() && !only_bob.is_empty(),
        "personas differ"
    );

    let app = &app;
    let requests = (0..50).map(|i| {
        let (client, who) = if i % 2 == 0 {
            (&alice, "alice")
        } else {
            (&bob, "bob")
        };
        let path = match i % 5 {
            0 | 1 => "/top_songs",
            2 => "/top_songs?time_range=medium_term",
            3 => "/top_artists",
            _ => "/",
        };
        async move {
            (
                who,
                path,
                app.htmx(client, path).await.text().await.unwrap(),
            )
        }
    });
    for (who, path, body) in join_all(requests).await {
        if !path.starts_with("/top_songs") {
            continue;
        }
        let (mine, theirs) = if who == "alice" {
            (&only_alice, &only_bob)
        } else {
            (&only_bob, &only_alice)
        };
        for name in mine.iter() {
            assert!(body.contains(&escaped(name)), "{who} misses {name}");
        }
        for name in theirs.iter() {
            assert!(!body.contains(&escaped(name)), "{who} sees {name}");
        }
    }
}

async fn rate_limits_and_outages_show_the_panels_error_state(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    app.fake.inject(Fault {
        route: Some("GET /v1/me/top/tracks".into()),
        persona: None,
        kind: FaultKind::RateLimited {
            retry_after_secs: 120,
        },
        times: None,
    });
    let limited = app.htmx(&client, "/top_songs").await;
    assert_eq!(limited.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(limited.headers().get("retry-after").unwrap(), "120");
    let body = limited.text().await.unwrap();
    assert!(body.contains("Spotify is limiting how often Euterpe may ask for data"));
    assert!(body.contains("about 2 minutes"));
    assert!(body.contains("Try again"));
    assert!(body.contains(r#"hx-get="/top_songs""#), "retry control");
    let page = app.get(&client, "/top_songs").await;
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.text().await.unwrap().contains("<!DOCTYPE html>"));

    // A Retry-After beyond Spotify's 30-second window holds back every call of the app:
    // another panel doesn't even ask.
    app.fake.reset_counters();
    let held = app.htmx(&client, "/top_artists").await;
    assert_eq!(held.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(app.fake.total_api_requests(), 0);
    app.clock.advance(time::Duration::seconds(121));

    app.fake.clear_faults();
    app.fake.inject(Fault {
        route: Some("GET /v1/me/top/artists".into()),
        persona: None,
        kind: FaultKind::Status(503),
        times: None,
    });
    app.fake.reset_counters();
    let down = app.htmx(&client, "/top_artists").await;
    assert_eq!(down.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(
        app.fake.request_count("GET /v1/me/top/artists"),
        2,
        "a 5xx is retried once, not more"
    );
    let body = down.text().await.unwrap();
    assert!(body.contains("Spotify is unavailable right now"));
    assert!(body.contains("Try again"));
    assert!(!body.contains("Something went wrong"), "not a 500 page");

    // One 5xx is retried once, invisibly.
    app.fake.clear_faults();
    app.fake.inject(Fault {
        route: Some("GET /v1/me/top/tracks".into()),
        persona: None,
        kind: FaultKind::Status(502),
        times: Some(1),
    });
    let recovered = app.htmx(&client, "/top_songs?time_range=long_term").await;
    assert_eq!(recovered.status(), StatusCode::OK);
}

async fn a_short_rate_limit_pauses_only_that_user(backend: Backend) {
    let app = spawn_app(backend).await;
    let (alice, bob) = (browser(), browser());
    app.login(&alice, "alice").await;
    app.login(&bob, "bob").await;
    app.fake.inject(Fault {
        route: None,
        persona: Some("alice".into()),
        kind: FaultKind::RateLimited {
            retry_after_secs: 10,
        },
        times: Some(1),
    });
    let limited = app.htmx(&alice, "/top_songs").await;
    assert_eq!(limited.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(limited.text().await.unwrap().contains("about 10 seconds"));
    app.fake.reset_counters();
    // Alice waits without calling Spotify; Bob is not held back.
    assert_eq!(
        app.htmx(&alice, "/top_artists").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(app.fake.total_api_requests(), 0);
    assert_eq!(app.htmx(&bob, "/top_songs").await.status(), StatusCode::OK);
    assert_eq!(app.fake.total_api_requests(), 1);
    app.clock.advance(time::Duration::seconds(11));
    assert_eq!(
        app.htmx(&alice, "/top_songs").await.status(),
        StatusCode::OK
    );
}

/// A `Retry-After` of 31,000 years (a broken header) pauses everyone for a day at most, and
/// every panel still answers in words instead of failing.
async fn an_absurd_retry_after_is_capped_at_a_day(backend: Backend) {
    let app = spawn_app(backend).await;
    let (alice, bob) = (browser(), browser());
    app.login(&alice, "alice").await;
    app.login(&bob, "bob").await;
    app.fake.inject(Fault {
        route: None,
        persona: Some("alice".into()),
        kind: FaultKind::RateLimited {
            retry_after_secs: 1_000_000_000_000,
        },
        times: Some(1),
    });
    for (client, path) in [(&alice, "/top_songs"), (&bob, "/top_artists")] {
        let limited = app.htmx(client, path).await;
        assert_eq!(limited.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        // A day from when the 429 came: bob asks a moment later, so a second may have passed.
        let retry_after: u64 = limited.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            (86_390..=86_400).contains(&retry_after),
            "{path}: {retry_after}"
        );
        let html = limited.text().await.unwrap();
        assert!(html.contains("will be back at"), "{html}");
        let page = app.get(client, path).await;
        assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
    }
    app.clock
        .advance(time::Duration::hours(24) + time::Duration::seconds(1));
    assert_eq!(
        app.htmx(&bob, "/top_artists").await.status(),
        StatusCode::OK
    );
}

async fn an_account_without_top_items_is_told_so(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "empty").await;
    let songs = app.htmx(&client, "/top_songs").await;
    assert_eq!(songs.status(), StatusCode::OK);
    assert!(
        songs
            .text()
            .await
            .unwrap()
            .contains("Spotify has no top songs for you in this range yet")
    );
    let artists = app
        .htmx(&client, "/top_artists")
        .await
        .text()
        .await
        .unwrap();
    assert!(artists.contains("Spotify has no top artists for you in this range yet"));
    // Every other panel says what is missing, rather than a result that reads as an answer
    // ("nobody has fallen off", "no release months").
    for (path, says) in [
        (
            "/top_albums",
            "Spotify has no top songs for you in this range yet",
        ),
        (
            "/hidden_gems",
            "Spotify has no top songs for you in this range yet",
        ),
        ("/top_playlists", "You don't own any playlists yet"),
        (
            "/artists_standing_test_of_time",
            "Spotify has no top artists for you yet.",
        ),
        (
            "/artists_falling_off",
            "Spotify has no top artists of the last year for you yet.",
        ),
        (
            "/release_year_trends",
            "Spotify has no top songs for you in this range yet.",
        ),
        (
            "/music_variety_by_season",
            "Spotify has no top songs for you in this range yet.",
        ),
    ] {
        let panel = app.htmx(&client, path).await;
        assert_eq!(panel.status(), StatusCode::OK, "{path}");
        let html = panel.text().await.unwrap();
        assert!(html.contains(says), "{path}: {html}");
    }
}

async fn logged_out_visitors_are_sent_to_log_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    let page = app.get(&client, "/top_songs").await;
    assert_eq!(page.status(), StatusCode::UNAUTHORIZED);
    assert!(page.text().await.unwrap().contains(r#"href="/login""#));
    let fragment = app.htmx(&client, "/top_songs").await;
    assert_eq!(fragment.headers().get("HX-Redirect").unwrap(), "/");
    assert_eq!(
        app.get(&client, "/account").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get(&client, "/nowhere").await.status(),
        StatusCode::NOT_FOUND
    );
}

async fn health_and_assets(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    let health = app.get(&client, "/healthz").await;
    assert_eq!(health.status(), StatusCode::OK);
    let landing = app.get(&client, "/").await.text().await.unwrap();
    let htmx = landing
        .split(r#"<script src=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        htmx.starts_with("/assets/") && htmx.ends_with("/htmx.min.js"),
        "{htmx}"
    );
    let script = app.get(&client, &htmx).await;
    assert_eq!(script.status(), StatusCode::OK);
    assert_eq!(
        script.headers().get("cache-control").unwrap(),
        "public, max-age=31536000, immutable"
    );
    assert!(script.text().await.unwrap().contains("htmx"));
    let stale = app
        .get(&client, "/assets/0000000000000000/htmx.min.js")
        .await;
    assert_eq!(stale.headers().get("cache-control").unwrap(), "no-cache");
}
