//! Share links: what a visitor sees, what they never see, and how links end.

use std::collections::HashSet;

use euterpe::crypto::sha256_hex;
use euterpe::store::Backend as StoreBackend;
use futures_util::future::join_all;
use reqwest::StatusCode;

use crate::both_backends;
use crate::common::{Backend, TestApp, browser, escaped, location, spawn_app};

both_backends!(
    a_visitor_sees_exactly_the_chosen_panels_with_the_owners_data,
    every_other_path_under_a_token_is_the_same_404,
    revocation_and_expiry_take_effect_at_once,
    visitors_cost_at_most_one_fetch_per_ttl,
    tokens_are_long_random_and_stored_only_as_fingerprints,
    share_forms_are_checked,
    share_routes_are_rate_limited_per_visitor_address,
    visitors_see_only_public_playlists,
);

/// Makes a share through the account page's form; returns the link, checking it is shown once.
async fn share(app: &TestApp, owner: &reqwest::Client, fields: &[(&str, &str)]) -> String {
    let link = app.share(owner, fields).await;
    let again = app.get(owner, "/account").await.text().await.unwrap();
    assert!(!again.contains(&link), "shown once only");
    link
}

async fn a_visitor_sees_exactly_the_chosen_panels_with_the_owners_data(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = browser();
    app.login(&owner, "alice").await;
    // The name to show starts empty: showing one is the owner's choice.
    let account = app.get(&owner, "/account").await.text().await.unwrap();
    let name_field = account
        .split(r#"<input id="shown_name""#)
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .expect("the share form has a name field");
    assert!(!name_field.contains("value="), "{name_field}");
    let link = share(
        &app,
        &owner,
        &[
            ("panels", "top_songs"),
            ("panels", "artists_falling_off"),
            ("shown_name", "Alice M."),
        ],
    )
    .await;
    assert!(link.starts_with(&app.url("/s/")));

    let visitor = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = visitor.get(&link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers().get("set-cookie").is_none(),
        "visitors get no session"
    );
    assert_eq!(
        page.headers().get("x-robots-tag").unwrap(),
        "noindex, nofollow"
    );
    let page = page.text().await.unwrap();
    assert!(page.contains("Alice M.&#39;s listening") || page.contains("Alice M.'s listening"));
    assert!(page.contains(r#"<meta name="robots" content="noindex, nofollow">"#));
    let path = link.trim_start_matches(&app.base).to_owned();
    for panel in euterpe::panel::Panel::ALL {
        let shared = matches!(panel.name(), "top_songs" | "artists_falling_off");
        assert_eq!(
            page.contains(&format!(r#"href="{path}/{}"#, panel.name())),
            shared,
            "{}",
            panel.name()
        );
    }
    // Never the owner's ids, email or the Spotify tokens; no account or logout controls.
    let facts = app.fake.persona_facts("alice").unwrap();
    let songs = visitor
        .get(format!("{link}/top_songs"))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(songs.status(), StatusCode::OK);
    assert!(songs.headers().get("set-cookie").is_none());
    let songs = songs.text().await.unwrap();
    let top = app.fake_top_track_names("alice", "medium_term").await;
    assert!(songs.contains(&escaped(&top[0])));
    let long = visitor
        .get(format!("{link}/top_songs?time_range=long_term"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(long.starts_with("<!DOCTYPE html>"));
    assert!(long.contains(&escaped(
        &app.fake_top_track_names("alice", "long_term").await[0]
    )));
    for text in [&page, &songs, &long] {
        assert!(!text.contains(facts.user_id), "spotify id leaked");
        assert!(!text.contains(&facts.account_id), "account id leaked");
        assert!(!text.contains("/account"), "no account link");
        assert!(!text.contains("Log out"));
        assert!(
            !text.contains(&facts.display_name.to_string()) || facts.display_name == "Alice M."
        );
    }
    let bad = visitor
        .get(format!("{link}/top_songs?time_range=always"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("short_term"));

    // With the owner's consent, search engines may index it.
    let open = share(
        &app,
        &owner,
        &[("panels", "top_artists"), ("indexable", "1")],
    )
    .await;
    let open = visitor.get(&open).send().await.unwrap();
    assert!(open.headers().get("x-robots-tag").is_none());
    assert!(!open.text().await.unwrap().contains("noindex"));

    // The owner sees the view counted.
    let account = app.get(&owner, "/account").await.text().await.unwrap();
    assert!(
        account.contains(r#"<td class="num" data-label="Views">1</td>"#),
        "one view of each"
    );
}

async fn every_other_path_under_a_token_is_the_same_404(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = browser();
    app.login(&owner, "alice").await;
    let link = share(&app, &owner, &[("panels", "top_songs")]).await;
    let visitor = reqwest::Client::new();
    let not_found = visitor
        .get(app.url("/s/not-a-real-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(not_found.status(), StatusCode::NOT_FOUND);
    let reference = not_found.text().await.unwrap();
    for path in [
        format!("{link}/top_albums"),
        format!("{link}/account"),
        format!("{link}/top_songs/extra"),
        format!("{link}x"),
        format!("{link}x/top_songs"),
        app.url(&format!("/s/{}", "A".repeat(43))),
    ] {
        let response = visitor.get(&path).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            response.text().await.unwrap(),
            reference,
            "{path} is distinguishable"
        );
    }
}

async fn revocation_and_expiry_take_effect_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = browser();
    app.login(&owner, "alice").await;
    let revoked = share(&app, &owner, &[("panels", "top_songs")]).await;
    let expiring = share(
        &app,
        &owner,
        &[("panels", "top_songs"), ("expires_in_days", "2")],
    )
    .await;
    let visitor = reqwest::Client::new();
    for link in [&revoked, &expiring] {
        assert_eq!(
            visitor.get(link).send().await.unwrap().status(),
            StatusCode::OK
        );
    }
    let account = app.get(&owner, "/account").await.text().await.unwrap();
    // The row of the link without expiry holds the revoke form to use.
    let row = account
        .split("<tr>")
        .find(|row| row.contains(">never</td>"))
        .unwrap();
    let revoke_action = row
        .split(r#"action="/shares/"#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let csrf = app.csrf(&owner).await;
    // Another user cannot revoke it.
    let mallory = browser();
    app.login(&mallory, "bob").await;
    let mallory_csrf = app.csrf(&mallory).await;
    let refused = mallory
        .post(app.url(&format!("/shares/{revoke_action}")))
        .form(&[("csrf", mallory_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        visitor.get(&revoked).send().await.unwrap().status(),
        StatusCode::OK
    );
    let done = owner
        .post(app.url(&format!("/shares/{revoke_action}")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    // The owner is told it happened.
    let back = location(&done);
    assert_eq!(back, "/account?revoked=1#shares");
    let account = app.get(&owner, &back).await.text().await.unwrap();
    assert!(account.contains("Share link revoked"));
    assert_eq!(
        visitor.get(&revoked).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        visitor
            .get(format!("{revoked}/top_songs"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert!(
        app.get(&owner, "/account")
            .await
            .text()
            .await
            .unwrap()
            .contains(">revoked<")
    );

    app.clock
        .advance(time::Duration::days(2) - time::Duration::seconds(5));
    assert_eq!(
        visitor.get(&expiring).send().await.unwrap().status(),
        StatusCode::OK
    );
    app.clock.advance(time::Duration::seconds(10));
    assert_eq!(
        visitor.get(&expiring).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert!(
        app.get(&owner, "/account")
            .await
            .text()
            .await
            .unwrap()
            .contains(">expired<")
    );
}

async fn visitors_cost_at_most_one_fetch_per_ttl(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = browser();
    app.login(&owner, "alice").await;
    let link = share(&app, &owner, &[("panels", "top_albums")]).await;
    let panel = format!("{link}/top_albums");
    let visitors = reqwest::Client::new();
    for round in 0..2 {
        app.fake.reset_counters();
        // Two hundred visitors, each from an address of their own.
        let requests = (0..200).map(|i| {
            let visitors = &visitors;
            let panel = &panel;
            async move {
                visitors
                    .get(panel)
                    .header("HX-Request", "true")
                    .header("X-Forwarded-For", format!("198.51.{round}.{i}"))
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        });
        for status in join_all(requests).await {
            assert_eq!(status, StatusCode::OK);
        }
        assert_eq!(
            app.fake.request_count("GET /v1/me/top/tracks"),
            1,
            "round {round}"
        );
        assert_eq!(app.fake.total_api_requests(), 1, "round {round}");
        app.clock.advance(time::Duration::minutes(31));
    }
}

async fn tokens_are_long_random_and_stored_only_as_fingerprints(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = browser();
    app.login(&owner, "alice").await;
    let mut tokens = HashSet::new();
    for _ in 0..20 {
        let link = share(&app, &owner, &[("panels", "top_songs")]).await;
        let token = link.rsplit('/').next().unwrap().to_owned();
        assert!(token.len() >= 22, "at least 128 bits: {token}");
        assert!(
            token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        tokens.insert(token);
    }
    assert_eq!(tokens.len(), 20);
    // Every base64url character position varies across tokens (no fixed prefix).
    let first: HashSet<char> = tokens.iter().map(|t| t.chars().next().unwrap()).collect();
    assert!(first.len() > 5, "first characters vary: {first:?}");
    let rows: Vec<(String, String)> = match app.store.backend() {
        StoreBackend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&app.database_url).await.unwrap();
            sqlx::query_as("SELECT token_hash, panels FROM shares")
                .fetch_all(&pool)
                .await
                .unwrap()
        }
        StoreBackend::Postgres => {
            let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
            sqlx::query_as("SELECT token_hash, panels FROM shares")
                .fetch_all(&pool)
                .await
                .unwrap()
        }
    };
    let hashes: HashSet<String> = rows.into_iter().map(|row| row.0).collect();
    for token in &tokens {
        assert!(!hashes.contains(token), "a token stored in clear");
        assert!(hashes.contains(&sha256_hex(token.as_bytes())));
    }
}

async fn share_forms_are_checked(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = browser();
    app.login(&owner, "alice").await;
    let csrf = app.csrf(&owner).await;
    for (fields, message) in [
        (vec![], "Choose at least one panel"),
        (
            vec![("panels", "top_songs"), ("expires_in_days", "0")],
            "whole number of days",
        ),
        (
            vec![("panels", "top_songs"), ("expires_in_days", "soon")],
            "whole number of days",
        ),
        (vec![("panels", "nope")], "is not one of Euterpe"),
    ] {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(fields);
        let response = owner
            .post(app.url("/shares"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{message}");
        assert!(response.text().await.unwrap().contains(message));
    }
    let forged = owner
        .post(app.url("/shares"))
        .form(&[("csrf", "guess"), ("panels", "top_songs")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let cross_site = owner
        .post(app.url("/shares"))
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[("csrf", csrf.as_str()), ("panels", "top_songs")])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    assert!(
        !app.get(&owner, "/account")
            .await
            .text()
            .await
            .unwrap()
            .contains("Your share links")
    );
}

async fn share_routes_are_rate_limited_per_visitor_address(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = browser();
    app.login(&owner, "alice").await;
    let link = share(&app, &owner, &[("panels", "top_songs")]).await;
    let visitors = reqwest::Client::new();
    let get = |path: String, address: &'static str| {
        let visitors = visitors.clone();
        async move {
            visitors
                .get(path)
                .header("X-Forwarded-For", address)
                .send()
                .await
                .unwrap()
        }
    };
    // A dashboard and its panels count together: 300 a minute per address (and 5 more each
    // second). 400 at once from one address: the first 300 at least are served, then refused.
    let answers = join_all((0..400).map(|i| {
        let path = if i % 2 == 0 {
            link.clone()
        } else {
            format!("{link}/top_songs")
        };
        get(path, "203.0.113.7")
    }))
    .await;
    let served = answers
        .iter()
        .filter(|a| a.status() == StatusCode::OK)
        .count();
    let refused: Vec<_> = answers
        .into_iter()
        .filter(|a| a.status() == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert!(served >= 300, "only {served} served");
    assert!(!refused.is_empty(), "a flood from one address is refused");
    assert_eq!(served + refused.len(), 400, "nothing but 200 and 429");
    let refused = refused.into_iter().next().unwrap();
    assert!(refused.headers().get("retry-after").is_some());
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Please try again in")
    );
    // Another visitor is not held back.
    assert_eq!(
        get(link.clone(), "198.51.100.4").await.status(),
        StatusCode::OK
    );
}

/// Sharing Top playlists shows visitors the owner's public playlists only; the private ones are
/// counted, not named.
async fn visitors_see_only_public_playlists(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = browser();
    app.login(&owner, "alice").await;
    let facts = app.fake.persona_facts("alice").unwrap();
    let listed = app.fake_get("alice", "/me/playlists?limit=50").await;
    let (mut public, mut private) = (Vec::new(), Vec::new());
    for playlist in listed["items"].as_array().unwrap() {
        if playlist["owner"]["id"] != facts.user_id {
            continue;
        }
        let name = playlist["name"].as_str().unwrap().to_owned();
        if playlist["public"] == true {
            public.push(name);
        } else {
            private.push(name);
        }
    }
    assert!(
        !public.is_empty() && !private.is_empty(),
        "alice has both kinds"
    );

    let link = share(&app, &owner, &[("panels", "top_playlists")]).await;
    let seen = browser()
        .get(format!("{link}/top_playlists"))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for name in &private {
        assert!(
            !seen.contains(&escaped(name)),
            "private {name} shown: {seen}"
        );
    }
    assert!(
        public.iter().any(|name| seen.contains(&escaped(name))),
        "{seen}"
    );
    let note = if private.len() == 1 {
        "1 private playlist is not shown here.".to_owned()
    } else {
        format!("{} private playlists are not shown here.", private.len())
    };
    assert!(seen.contains(&note), "{seen}");
    // The owner's own panel keeps them all.
    let own = app
        .htmx(&owner, "/top_playlists")
        .await
        .text()
        .await
        .unwrap();
    assert!(!own.contains("private playlist"), "{own}");
}
