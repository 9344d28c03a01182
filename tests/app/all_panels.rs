//! The seven panels beyond top songs and artists, on the fake's personas, and how few calls to
//! Spotify a whole dashboard costs.

use euterpe::panel::Panel;
use euterpe_fakes::spotify::Mode;
use futures_util::future::join_all;
use reqwest::StatusCode;

use crate::both_backends;
use crate::common::history::save_settings;
use crate::common::{
    Backend, Spawn, TestApp, browser, escaped, spawn_app, spawn_sibling, spawn_with,
};

both_backends!(
    top_playlists_counts_every_item_of_the_users_own_playlists,
    playlist_items_are_fetched_again_only_when_the_snapshot_changes,
    artists_standing_and_falling_match_the_three_ranges,
    hidden_gems_and_seasons_say_what_development_mode_lacks,
    with_extended_quota_popularity_and_genres_come_from_spotify,
    release_years_show_figures_chart_and_table,
    a_whole_dashboard_costs_each_resource_once_and_nothing_when_warm,
    two_processes_share_one_fetch,
    every_panel_is_a_full_page_without_javascript,
    seasons_come_from_listening_history_once_there_is_some,
);

/// GETs every panel as htmx does, at the dashboard's default ranges, all at once.
async fn load_dashboard(app: &TestApp, client: &reqwest::Client) -> Vec<(Panel, String)> {
    assert_eq!(app.get(client, "/").await.status(), StatusCode::OK);
    let requests = Panel::ALL.iter().map(|panel| async move {
        let response = app.htmx(client, &panel.path()).await;
        assert_eq!(response.status(), StatusCode::OK, "{}", panel.name());
        (*panel, response.text().await.unwrap())
    });
    join_all(requests).await
}

async fn top_playlists_counts_every_item_of_the_users_own_playlists(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let facts = app.fake.persona_facts("alice").unwrap();
    let html = app
        .htmx(&client, "/top_playlists")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Last 4 weeks"), "short_term by default");
    let mut own: Vec<_> = facts
        .playlists
        .iter()
        .filter(|p| p.owner_id == facts.user_id)
        .collect();
    // Count descending, then name ascending; ten shown.
    own.sort_by(|a, b| {
        b.top_tracks_held[0]
            .cmp(&a.top_tracks_held[0])
            .then(a.name.cmp(&b.name))
    });
    let mut last = 0;
    for playlist in own.iter().take(10) {
        let needle = escaped(&playlist.name);
        let at = html[last..]
            .find(&needle)
            .unwrap_or_else(|| panic!("{} missing or out of order", playlist.name));
        last += at;
        let row = &html[last..];
        let count = format!(
            "<strong>{}</strong> of your top songs",
            playlist.top_tracks_held[0]
        );
        assert!(row.contains(&count), "{}: {count}", playlist.name);
    }
    for playlist in own.iter().skip(10) {
        assert!(
            !html.contains(&escaped(&playlist.name)),
            "only ten are shown"
        );
    }
    for playlist in facts
        .playlists
        .iter()
        .filter(|p| p.owner_id != facts.user_id)
    {
        assert!(
            !html.contains(&escaped(&playlist.name)),
            "{} is not hers",
            playlist.name
        );
    }
    // The 230-entry playlist was read to the end: 30 of her top songs are in it.
    let big = facts.playlists.iter().find(|p| p.total == 230).unwrap();
    assert!(html.contains(&format!(
        "<strong>{}</strong> of your top songs · 230 tracks",
        big.top_tracks_held[0]
    )));
    assert_eq!(
        app.fake.request_count("GET /v1/playlists/{id}/tracks"),
        0,
        "the removed endpoint"
    );
}

async fn playlist_items_are_fetched_again_only_when_the_snapshot_changes(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    app.htmx(&client, "/top_playlists").await;
    let facts = app.fake.persona_facts("alice").unwrap();
    let touched = facts
        .playlists
        .iter()
        .find(|p| p.name == "Morning Coffee")
        .unwrap();
    app.fake.touch_playlist(&touched.id);
    // After the TTL the playlist list is fetched again; only the changed playlist's items are.
    app.clock.advance(time::Duration::minutes(31));
    app.fake.reset_counters();
    let html = app
        .htmx(&client, "/top_playlists")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(app.fake.request_count("GET /v1/me/playlists"), 1);
    assert_eq!(app.fake.request_count("GET /v1/playlists/{id}/items"), 1);
    assert!(html.contains(&format!("{} tracks in all", touched.total + 1)));
}

async fn artists_standing_and_falling_match_the_three_ranges(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let facts = app.fake.persona_facts("alice").unwrap();
    let standing = app
        .htmx(&client, "/artists_standing_test_of_time")
        .await
        .text()
        .await
        .unwrap();
    let falling = app
        .htmx(&client, "/artists_falling_off")
        .await
        .text()
        .await
        .unwrap();
    // The owner's lists lead to each artist's page in Euterpe, by Spotify id.
    let link = |id: &str| format!("\"/artists/{id}\"");
    let in_all = facts.artists_in_all_ranges();
    let off = facts.artists_falling_off();
    assert_eq!((in_all.len(), off.len()), (16, 10));
    for id in &facts.top_artists.long_term {
        assert_eq!(
            standing.contains(&link(id)),
            in_all.contains(id),
            "standing: {id}"
        );
        assert_eq!(
            falling.contains(&link(id)),
            off.contains(id),
            "falling: {id}"
        );
    }
    // Falling off: in long_term order, each with its rank there.
    let mut last = 0;
    for id in &off {
        let rank = facts
            .top_artists
            .long_term
            .iter()
            .position(|a| a == id)
            .unwrap()
            + 1;
        let at = falling[last..].find(&link(id)).unwrap();
        last += at;
        assert!(falling[last..].contains(&format!("#{rank} over the last year")));
    }
    // A valid range is accepted and ignored.
    let ignored = app
        .htmx(&client, "/artists_falling_off?time_range=short_term")
        .await;
    assert_eq!(ignored.text().await.unwrap(), falling);
}

async fn hidden_gems_and_seasons_say_what_development_mode_lacks(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let top = app.fake_top_track_names("alice", "medium_term").await;
    let gems = app
        .htmx(&client, "/hidden_gems")
        .await
        .text()
        .await
        .unwrap();
    assert!(gems.contains("No popularity source is available"));
    assert!(!gems.contains("Obscurity"));
    assert_eq!(gems.matches("popularity unknown").count(), top.len());
    // Still every top song, in rank order.
    let mut last = 0;
    for name in &top {
        last += gems[last..].find(&escaped(name)).unwrap();
    }
    app.fake.reset_counters();
    let seasons = app
        .htmx(&client, "/music_variety_by_season")
        .await
        .text()
        .await
        .unwrap();
    assert!(seasons.contains("Genres are unavailable"));
    assert!(seasons.contains("Seasons from: <strong>release month</strong>"));
    for season in ["Winter", "Spring", "Summer", "Fall"] {
        assert!(seasons.contains(&format!(">{season}</h3>")), "{season}");
    }
    assert!(seasons.contains("Artist variety"));
    assert_eq!(
        app.fake.request_count("GET /v1/artists"),
        0,
        "no call for what can't come back"
    );
}

async fn with_extended_quota_popularity_and_genres_come_from_spotify(backend: Backend) {
    let app = spawn_with(
        backend,
        Spawn {
            mode: Mode::ExtendedQuota,
            ..Spawn::default()
        },
    )
    .await;
    let client = browser();
    app.login(&client, "alice").await;
    let gems = app
        .htmx(&client, "/hidden_gems")
        .await
        .text()
        .await
        .unwrap();
    assert!(gems.contains("Obscurity"));
    assert!(gems.contains("Popularity: <strong>Spotify</strong>"));
    assert!(!gems.contains("popularity unknown"));
    // Least popular first.
    let tracks = app
        .fake_get("alice", "/me/top/tracks?time_range=medium_term&limit=50")
        .await;
    let mut by_popularity: Vec<(u64, usize, String)> = tracks["items"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, t)| {
            (
                t["popularity"].as_u64().unwrap(),
                i,
                t["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    by_popularity.sort();
    let (first, last) = (&by_popularity[0].2, &by_popularity.last().unwrap().2);
    assert!(gems.find(&escaped(first)).unwrap() < gems.find(&escaped(last)).unwrap());
    let mean = by_popularity.iter().map(|t| t.0 as f64).sum::<f64>() / by_popularity.len() as f64;
    let obscurity = (100.0 - mean + 0.5).floor() as i64;
    assert!(gems.contains(&format!(r#"<span class="figure-value">{obscurity}</span>"#)));

    app.fake.reset_counters();
    let seasons = app
        .htmx(&client, "/music_variety_by_season")
        .await
        .text()
        .await
        .unwrap();
    assert!(!seasons.contains("Genres are unavailable"));
    assert!(seasons.contains("Genres: Spotify."));
    assert!(seasons.contains("Top genres in"));
    // Genres of artists outside the top lists come in batches of at most 50 ids.
    let batches = app.fake.request_count("GET /v1/artists");
    assert!(batches <= 2, "{batches} batch look-ups");
    // Cached for everyone: a second look costs nothing.
    app.fake.reset_counters();
    app.clock.advance(time::Duration::minutes(31));
    app.htmx(&client, "/music_variety_by_season").await;
    assert_eq!(app.fake.request_count("GET /v1/artists"), 0);
}

async fn release_years_show_figures_chart_and_table(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    let html = app
        .htmx(&client, "/release_year_trends?time_range=long_term")
        .await
        .text()
        .await
        .unwrap();
    for label in [
        "Tracks counted",
        "Earliest year",
        "Latest year",
        "Peak year",
        "Median year",
    ] {
        assert!(html.contains(&format!("<dt>{label}</dt>")), "{label}");
    }
    assert!(html.contains(r#"<svg class="chart-svg columns" width="100%""#));
    assert!(
        html.contains(r#"role="img" aria-labelledby="years-per-year-title years-per-year-desc""#)
    );
    assert!(html.contains("Tracks per decade as a table"));
    // Alice's long-term list includes a 0000 date, which is left out and counted.
    let tracks = app
        .fake_get("alice", "/me/top/tracks?time_range=long_term&limit=50")
        .await;
    let unknown = tracks["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| {
            let date = t["album"]["release_date"].as_str().unwrap_or("");
            date.len() < 4 || !date[..4].chars().all(|c| c.is_ascii_digit()) || &date[..4] < "1000"
        })
        .count();
    if unknown > 0 {
        assert!(html.contains(&format!(
            "<dt>Left out (year unknown)</dt><dd>{unknown}</dd>"
        )));
    }
    assert!(html.contains(&format!("<dt>Tracks counted</dt><dd>{}</dd>", 50 - unknown)));
}

async fn a_whole_dashboard_costs_each_resource_once_and_nothing_when_warm(backend: Backend) {
    for mode in [Mode::Development, Mode::ExtendedQuota] {
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
        load_dashboard(&app, &client).await;
        let item_pages = app.own_playlist_pages("alice");
        // top tracks ×2 (medium; short for playlists), top artists ×3, /me/playlists ×1,
        // every page of every own playlist, and (extended only) genre batches.
        let expected = 2 + 3 + 1 + item_pages;
        let cold = app.fake.total_api_requests();
        let batches = app.fake.request_count("GET /v1/artists");
        assert_eq!(cold - batches, expected, "{mode:?}");
        if mode == Mode::Development {
            assert_eq!(batches, 0);
        }
        app.fake.reset_counters();
        load_dashboard(&app, &client).await;
        assert_eq!(app.fake.total_api_requests(), 0, "warm: {mode:?}");
    }
}

async fn two_processes_share_one_fetch(backend: Backend) {
    let first = spawn_app(backend).await;
    let second = spawn_sibling(&first).await;
    let client = browser();
    first.login(&client, "alice").await;
    first.fake.reset_counters();
    let requests = (0..10).map(|i| {
        let app = if i % 2 == 0 { &first } else { &second };
        let client = &client;
        async move {
            app.htmx(client, "/top_albums?time_range=long_term")
                .await
                .status()
        }
    });
    for status in join_all(requests).await {
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(first.fake.request_count("GET /v1/me/top/tracks"), 1);
}

async fn every_panel_is_a_full_page_without_javascript(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "bob").await;
    for panel in Panel::ALL {
        let page = app.get(&client, &panel.path()).await;
        assert_eq!(page.status(), StatusCode::OK, "{}", panel.name());
        let page = page.text().await.unwrap();
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains(&format!(r#"id="panel-{}""#, panel.name())));
        assert!(page.contains(r#"<nav class="panel-nav""#));
        assert!(
            !page.contains("Loading…"),
            "{} rendered, not lazy",
            panel.name()
        );
    }
}

async fn seasons_come_from_listening_history_once_there_is_some(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    euterpe::worker::poller::poll_due_users(&app.state)
        .await
        .unwrap();
    // The poller stored the 50 plays Spotify remembers; count them per season by hand.
    let now = app.clock.now();
    let mut plays = app.fake.plays("alice");
    plays.retain(|(_, at)| *at <= now);
    plays.sort_by_key(|(_, at)| *at);
    let recent: Vec<_> = plays.iter().rev().take(50).collect();
    for (hemisphere, seasons) in [
        ("northern", ["Winter", "Spring", "Summer", "Fall"]),
        ("southern", ["Summer", "Fall", "Winter", "Spring"]),
    ] {
        let csrf = app.csrf(&client).await;
        let saved = save_settings(&app, &client, &csrf, "UTC", hemisphere).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let html = app
            .htmx(&client, "/music_variety_by_season?time_range=short_term")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("Seasons from: <strong>listening history</strong>"),
            "{html}"
        );
        assert!(html.contains("in your time zone (UTC)"));
        let mut expected = [0usize; 4];
        for (_, at) in &recent {
            // Northern order: Winter (Dec–Feb), Spring, Summer, Fall.
            let index = match u8::from(at.month()) {
                12 | 1 | 2 => 0,
                3..=5 => 1,
                6..=8 => 2,
                _ => 3,
            };
            expected[index] += 1;
        }
        for (count, season) in expected.iter().zip(seasons) {
            // Only the seasons the 4 weeks reach are shown; one with plays always is.
            let Some(section) = html.split(&format!(">{season}</h3>")).nth(1) else {
                assert_eq!(*count, 0, "{hemisphere}: {season} missing");
                continue;
            };
            assert!(
                section.contains(&format!("<dt>Plays</dt><dd>{count}</dd>")),
                "{hemisphere}: {season} should hold {count} plays"
            );
        }
    }
}
