//! Genres are genres: MusicBrainz tags are a folksonomy ("seen live", "favorites", "british",
//! "female vocalists", "00s"), so an artist without MusicBrainz genres gets only those of its
//! tags that MusicBrainz lists as genres — read from its genre list, page by page, and stored.

use std::collections::HashMap;
use std::time::Duration;

use euterpe::spotify::models::Artist;
use euterpe_fakes::open_data::{
    FakeOpenData, NOT_GENRE_TAGS, OpenFault, OpenFaultKind, OpenService,
};
use reqwest::{Client, StatusCode};

use crate::both_backends;
use crate::common::{Backend, Spawn, TestApp, browser, escaped, spawn_demo, spawn_with};

both_backends!(
    tags_that_are_not_genres_never_count_as_genres,
    until_the_genre_list_is_known_no_tag_counts,
    the_demo_season_panel_ranks_genres_not_tags,
);

const GENRE_LIST: &str = "GET /genre/all";

async fn spawn_open(backend: Backend) -> TestApp {
    spawn_with(
        backend,
        Spawn {
            open_data: true,
            ..Spawn::default()
        },
    )
    .await
}

async fn fragment(app: &TestApp, client: &Client, path: &str) -> String {
    let response = app.htmx(client, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.unwrap()
}

async fn top_artists(app: &TestApp, persona: &str) -> Vec<Artist> {
    let page = app
        .fake_get(persona, "/me/top/artists?time_range=medium_term&limit=50")
        .await;
    serde_json::from_value(page["items"].clone()).unwrap()
}

/// The persona's top artists whose MusicBrainz artist (found by link or name) has tags but no
/// genres.
async fn tags_only_artists(app: &TestApp, persona: &str) -> Vec<Artist> {
    let artists: Vec<Artist> = top_artists(app, persona)
        .await
        .into_iter()
        .filter(|artist| {
            FakeOpenData::tags_only(&artist.id)
                && FakeOpenData::expected_genres(&artist.id).is_some()
        })
        .collect();
    assert!(artists.len() >= 2, "{persona} has few tags-only artists");
    artists
}

/// The folksonomy tags found in `text` (as a genre label: between tags or in a list).
fn tags_in(text: &str) -> Vec<&'static str> {
    let lower = text.to_lowercase();
    NOT_GENRE_TAGS
        .into_iter()
        .filter(|tag| {
            [">", ", ", "\""]
                .iter()
                .any(|before| lower.contains(&format!("{before}{tag}")))
        })
        .collect()
}

/// The `<li>` of an artist in the top-artists panel.
fn artist_item<'h>(html: &'h str, name: &str) -> &'h str {
    let at = html
        .find(&format!("</span>{}</a>", escaped(name)))
        .unwrap_or_else(|| panic!("{name} not in the panel"));
    let end = html[at..].find("</li>").unwrap() + at;
    &html[at..end]
}

/// Stored genres of these artists (the shared facts every panel reads).
async fn stored_genres(app: &TestApp, ids: &[String]) -> HashMap<String, Vec<String>> {
    app.store
        .artist_genres(ids, app.clock.unix())
        .await
        .unwrap()
        .into_iter()
        .map(|row| {
            (
                row.spotify_artist_id,
                serde_json::from_str(&row.genres).unwrap(),
            )
        })
        .collect()
}

async fn tags_that_are_not_genres_never_count_as_genres(backend: Backend) {
    let app = spawn_open(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    for path in ["/top_artists", "/music_variety_by_season"] {
        fragment(&app, &client, path).await;
    }
    app.wait_for_open_data().await;

    // The genre list was read page by page (MusicBrainz gives at most 100 a page) and stored.
    let list = FakeOpenData::genre_list();
    let pages = list.len().div_ceil(100);
    assert!(pages >= 2);
    let open = app.open();
    assert_eq!(
        open.route_requests(OpenService::MusicBrainz, GENRE_LIST),
        pages
    );
    let asked: Vec<String> = open
        .subjects(OpenService::MusicBrainz)
        .into_iter()
        .filter(|s| s.starts_with("genres:"))
        .collect();
    assert_eq!(asked, ["genres:0", "genres:100"]);
    let (fetched_at, count) = app.store.genre_list_size().await.unwrap();
    assert!(fetched_at > 0);
    assert_eq!(count, list.len() as i64);

    // An artist with tags only: its genre tags are its genres, in vote order; its other tags
    // ("seen live" and the like, voted higher) are not.
    let html = fragment(&app, &client, "/top_artists").await;
    for artist in tags_only_artists(&app, "alice").await {
        let expected = FakeOpenData::expected_genres(&artist.id).unwrap();
        let item = artist_item(&html, &artist.name);
        if expected.is_empty() {
            assert!(item.contains("no genres listed"), "{item}");
        } else {
            assert!(item.contains(&escaped(&expected.join(", "))), "{item}");
        }
        assert_eq!(tags_in(item), Vec::<&str>::new(), "{item}");
    }
    assert_eq!(tags_in(&html), Vec::<&str>::new());

    // No stored genre is a folksonomy tag.
    let ids: Vec<String> = top_artists(&app, "alice")
        .await
        .into_iter()
        .map(|a| a.id)
        .collect();
    let stored = stored_genres(&app, &ids).await;
    assert!(stored.len() > 30);
    for genres in stored.values() {
        for genre in genres {
            assert!(!NOT_GENRE_TAGS.contains(&genre.as_str()), "{genre}");
        }
    }

    // The seasons panel ranks genres, never "seen live" or "favorites".
    let seasons = fragment(&app, &client, "/music_variety_by_season").await;
    assert!(seasons.contains("Top genres in"), "{seasons}");
    assert_eq!(tags_in(&seasons), Vec::<&str>::new(), "{seasons}");

    // Another listener: the list is known, so it is not read again.
    open.reset_counters();
    let bob = browser();
    app.login(&bob, "bob").await;
    fragment(&app, &bob, "/top_artists").await;
    app.wait_for_open_data().await;
    assert!(open.route_requests(OpenService::MusicBrainz, "GET /artist/{mbid}") > 0);
    assert_eq!(open.route_requests(OpenService::MusicBrainz, GENRE_LIST), 0);
}

async fn until_the_genre_list_is_known_no_tag_counts(backend: Backend) {
    let app = spawn_open(backend).await;
    let open = app.open();
    open.inject(OpenFault {
        service: OpenService::MusicBrainz,
        route: Some(GENRE_LIST.to_owned()),
        kind: OpenFaultKind::Unavailable {
            retry_after_secs: Some(1),
        },
        times: None,
    });
    let artists = tags_only_artists(&app, "alice").await;
    let keys: Vec<(String, String)> = artists
        .iter()
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect();
    let ids: Vec<String> = artists.iter().map(|a| a.id.clone()).collect();
    let enrichment = &app.state.enrichment;

    // MusicBrainz won't give its genre list: the artists are looked up all the same, with no
    // tag taken for a genre — and that is kept a day, not a month.
    enrichment.genres(None, &keys).await;
    app.wait_for_open_data().await;
    assert!(open.route_requests(OpenService::MusicBrainz, GENRE_LIST) >= 1);
    assert_eq!(app.store.genre_list_size().await.unwrap(), (0, 0));
    let view = enrichment.genres(None, &keys).await;
    assert_eq!(view.coverage.pending, 0);
    for id in &ids {
        assert_eq!(view.values.get(id), Some(&Vec::new()), "{id}");
    }
    let tomorrow = app.clock.unix() + 24 * 3600 + 1;
    let left = app.store.artist_genres(&ids, tomorrow).await.unwrap();
    assert!(left.is_empty(), "{left:?}");

    // A day later MusicBrainz gives the list: the artists get their genre tags.
    open.clear_faults();
    app.clock.advance(time::Duration::hours(25));
    let view = enrichment.genres(None, &keys).await;
    assert_eq!(view.coverage.pending, ids.len());
    app.wait_for_open_data().await;
    let view = enrichment.genres(None, &keys).await;
    let mut with_genres = 0;
    for id in &ids {
        let expected = FakeOpenData::expected_genres(id).unwrap();
        assert_eq!(view.values.get(id), Some(&expected), "{id}");
        with_genres += usize::from(!expected.is_empty());
    }
    assert!(with_genres > 0);
    let (_, count) = app.store.genre_list_size().await.unwrap();
    assert_eq!(count, FakeOpenData::genre_list().len() as i64);
    // Kept a month now.
    let in_a_week = app.clock.unix() + 7 * 24 * 3600;
    tokio::time::sleep(Duration::from_millis(1)).await;
    assert_eq!(
        app.store
            .artist_genres(&ids, in_a_week)
            .await
            .unwrap()
            .len(),
        ids.len()
    );
}

async fn the_demo_season_panel_ranks_genres_not_tags(backend: Backend) {
    let app = spawn_demo(backend).await;
    let client = browser();
    app.login(&client, "alice").await;
    fragment(&app, &client, "/music_variety_by_season").await;
    app.wait_for_open_data().await;
    let seasons = fragment(&app, &client, "/music_variety_by_season").await;
    assert!(seasons.contains("Genres: MusicBrainz."), "{seasons}");
    assert!(seasons.contains("Top genres in"), "{seasons}");
    assert_eq!(tags_in(&seasons), Vec::<&str>::new(), "{seasons}");
}
