//! Genres and popularity for development-mode apps, from the fakes of MusicBrainz, ListenBrainz
//! and Last.fm: they arrive in the background, are cached for everyone, respect each service's
//! pace, and a service that fails never breaks a panel.

use std::collections::HashSet;
use std::time::Duration;

use euterpe::domain::{Artist, Track};
use euterpe::spotify::models as wire;
use euterpe::stats::{
    LASTFM_LISTENERS_CEILING, LISTENBRAINZ_LISTENS_CEILING, log_scaled_popularity,
};
use euterpe_fakes::open_data::{
    ArtistCase, FakeOpenData, LASTFM_API_KEY, LISTENBRAINZ_TOKEN, OpenFault, OpenFaultKind,
    OpenService,
};
use euterpe_fakes::spotify::Mode;
use reqwest::{Client, StatusCode};

use crate::both_backends;
use crate::common::{
    Backend, Spawn, TestApp, browser, escaped, spawn_demo, spawn_sibling, spawn_with,
};

both_backends!(
    genres_and_popularity_arrive_for_a_development_mode_persona,
    musicbrainz_never_gets_more_than_one_request_a_second,
    cache_hits_cost_nothing_and_a_second_user_pays_only_for_new_artists,
    with_extended_quota_nothing_is_looked_up,
    musicbrainz_down_then_back,
    listenbrainz_slow_then_back,
    listenbrainz_without_a_token_says_so_and_last_fm_fills_in,
    listenbrainz_rate_limit_waits_for_retry_after,
    a_wrong_last_fm_key_says_so_and_is_not_asked_again,
    a_listenbrainz_token_is_sent,
    two_processes_never_fetch_the_same_fact,
    turned_off_it_says_so_and_asks_nobody,
    the_demo_fills_in_genres_and_popularity,
);

/// The panels that show genres or popularity.
const ENRICHED: [&str; 4] = [
    "/hidden_gems",
    "/top_songs",
    "/top_artists",
    "/music_variety_by_season",
];

async fn spawn_open(backend: Backend, extra_env: Vec<(&'static str, String)>) -> TestApp {
    spawn_with(
        backend,
        Spawn {
            open_data: true,
            extra_env,
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

/// Loads every enriched panel as htmx does.
async fn load_enriched(app: &TestApp, client: &Client) -> Vec<String> {
    let mut pages = Vec::new();
    for path in ENRICHED {
        pages.push(fragment(app, client, path).await);
    }
    pages
}

/// A persona's Spotify objects, straight from the fake Spotify.
async fn top_tracks(app: &TestApp, persona: &str, range: &str) -> Vec<Track> {
    let page = app
        .fake_get(
            persona,
            &format!("/me/top/tracks?time_range={range}&limit=50"),
        )
        .await;
    let items: Vec<wire::Track> = serde_json::from_value(page["items"].clone()).unwrap();
    items.into_iter().map(Track::from).collect()
}

async fn top_artists(app: &TestApp, persona: &str, range: &str) -> Vec<Artist> {
    let page = app
        .fake_get(
            persona,
            &format!("/me/top/artists?time_range={range}&limit=50"),
        )
        .await;
    let items: Vec<wire::Artist> = serde_json::from_value(page["items"].clone()).unwrap();
    items.into_iter().map(Artist::from).collect()
}

/// Polls a panel until `done` holds (a bounded wait, not a blind sleep).
async fn panel_until(
    app: &TestApp,
    client: &Client,
    path: &str,
    done: impl Fn(&str) -> bool,
) -> String {
    let mut html = String::new();
    for _ in 0..200 {
        html = fragment(app, client, path).await;
        if done(&html) {
            return html;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{path} never got there: {html}");
}

/// Waits until a service has received at least `count` requests.
async fn requests_reach(open: &FakeOpenData, service: OpenService, count: usize) {
    for _ in 0..400 {
        if open.requests(service) >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{service:?} got {} requests", open.requests(service));
}

/// The `<li>` of an artist in the top-artists panel.
fn artist_item<'h>(html: &'h str, name: &str) -> &'h str {
    let at = html
        .find(&format!("</span>{}</a>", escaped(name)))
        .unwrap_or_else(|| panic!("{name} not in the panel"));
    let end = html[at..].find("</li>").unwrap() + at;
    &html[at..end]
}

async fn genres_and_popularity_arrive_for_a_development_mode_persona(backend: Backend) {
    let app = spawn_open(backend, vec![]).await;
    let client = browser();
    app.login(&client, "alice").await;

    // At first: what is known (nothing), a note, and an htmx refresh of the panel.
    let gems = fragment(&app, &client, "/hidden_gems").await;
    assert!(
        gems.contains("Looking up popularity in open music data"),
        "{gems}"
    );
    assert!(gems.contains("data-enrichment-pending"));
    assert!(gems.contains(r#"hx-trigger="load delay:2s""#));
    assert!(gems.contains(r##"hx-target="#panel-hidden_gems""##));
    assert!(gems.contains("looking up…"));
    assert!(!gems.contains("No popularity source is available"));
    // Without JavaScript the full page says to reload.
    let page = app
        .get(&client, "/music_variety_by_season")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("without JavaScript, reload the page"),
        "{page}"
    );

    load_enriched(&app, &client).await;
    app.wait_for_open_data().await;

    // Popularity: ListenBrainz listen counts on the log scale, per track.
    let tracks = top_tracks(&app, "alice", "medium_term").await;
    let expected: Vec<Option<u8>> = tracks
        .iter()
        .map(|t| {
            FakeOpenData::expected_listens(&t.id)
                .map(|n| log_scaled_popularity(n, LISTENBRAINZ_LISTENS_CEILING))
        })
        .collect();
    let gems = fragment(&app, &client, "/hidden_gems").await;
    assert!(!gems.contains("data-enrichment-pending"), "{gems}");
    assert!(!gems.contains("hx-trigger"));
    assert!(gems.contains("Popularity: <strong>ListenBrainz</strong> listen counts"));
    let known: Vec<u64> = expected.iter().flatten().map(|p| u64::from(*p)).collect();
    assert!(
        known.len() > 30 && known.len() < tracks.len(),
        "some unknown on purpose"
    );
    let mean = known.iter().sum::<u64>() as f64 / known.len() as f64;
    let obscurity = (100.0 - mean + 0.5).floor() as i64;
    assert!(
        gems.contains(&format!(r#"<span class="figure-value">{obscurity}</span>"#)),
        "obscurity {obscurity}: {gems}"
    );
    let unknown = expected.iter().filter(|p| p.is_none()).count();
    assert_eq!(gems.matches("popularity unknown").count(), unknown);
    assert!(gems.contains("have no listen count in open music data"));
    // The least popular known song comes first.
    let (least, _) = tracks
        .iter()
        .zip(&expected)
        .filter_map(|(t, p)| Some((t, (*p)?)))
        .min_by_key(|(_, p)| *p)
        .unwrap();
    let first_row = gems.find("<tbody>").unwrap();
    assert!(gems[first_row..].find(&escaped(&least.name)).unwrap() < 2000);

    let songs = fragment(&app, &client, "/top_songs").await;
    assert!(songs.contains("Popularity: <strong>ListenBrainz</strong> listen counts"));

    // Genres: MusicBrainz, per artist; the ambiguous name stays unknown.
    let artists = top_artists(&app, "alice", "medium_term").await;
    let html = fragment(&app, &client, "/top_artists").await;
    assert!(html.contains("Genres: MusicBrainz."), "{html}");
    let mut checked = 0;
    for artist in &artists {
        let item = artist_item(&html, &artist.name);
        match FakeOpenData::expected_genres(&artist.id) {
            Some(genres) if genres.is_empty() => assert!(item.contains("no genres listed")),
            Some(genres) => {
                assert!(item.contains(&escaped(&genres.join(", "))), "{item}");
                checked += 1;
            }
            None => assert!(item.contains("genres unknown"), "{item}"),
        }
    }
    assert!(checked > 30);
    let ambiguous = FakeOpenData::ambiguous_artist_id();
    let name = &artists.iter().find(|a| a.id == ambiguous).unwrap().name;
    assert!(artist_item(&html, name).contains("genres unknown"));
    // Found by name: the quoted name was searched (escaped for Lucene) exactly once.
    let searches: Vec<String> = app
        .open()
        .subjects(OpenService::MusicBrainz)
        .into_iter()
        .filter(|s| s.starts_with("search:"))
        .collect();
    assert_eq!(
        searches
            .iter()
            .filter(|s| **s == format!("search:{name}"))
            .count(),
        1
    );

    let seasons = fragment(&app, &client, "/music_variety_by_season").await;
    assert!(seasons.contains("Genres: MusicBrainz."), "{seasons}");
    assert!(seasons.contains("Top genres in"));
    assert!(!seasons.contains("Genres are unavailable"));

    // Every request named Euterpe, its version and a contact.
    let agents = app.open().user_agents(OpenService::MusicBrainz);
    assert_eq!(
        agents,
        vec![format!(
            "Euterpe/{} ( https://github.com/euterpe-dashboard/euterpe )",
            env!("CARGO_PKG_VERSION")
        )]
    );
}

async fn musicbrainz_never_gets_more_than_one_request_a_second(backend: Backend) {
    // MusicBrainz at its real pace (the default); ListenBrainz quick.
    let app = spawn_open(
        backend,
        vec![
            ("MUSICBRAINZ_INTERVAL_MS", "1100".into()),
            ("MUSICBRAINZ_CONTACT", "ops@example.com".into()),
        ],
    )
    .await;
    let artists = top_artists(&app, "markup", "short_term").await;
    let tracks = top_tracks(&app, "markup", "short_term").await;
    // A few artists (one found only by name) and tracks: about ten MusicBrainz requests.
    let mut chosen: Vec<&Artist> = artists.iter().take(4).collect();
    chosen.extend(
        artists
            .iter()
            .find(|a| FakeOpenData::artist_case(&a.id) == Some(ArtistCase::ByName)),
    );
    let keys: Vec<(String, String)> = chosen
        .iter()
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect();
    let enrichment = &app.state.enrichment;
    // Panels ask at the same time; the queue spaces the requests out.
    tokio::join!(
        enrichment.genres(None, &keys),
        enrichment.popularity(&tracks[..3]),
        enrichment.genres(None, &keys[..2]),
    );
    app.wait_for_open_data().await;
    let open = app.open();
    let requests = open.requests(OpenService::MusicBrainz);
    assert!(requests >= 6, "{requests} requests");
    assert_eq!(open.max_requests_in_one_second(OpenService::MusicBrainz), 1);
    assert_eq!(
        open.user_agents(OpenService::MusicBrainz),
        vec![format!(
            "Euterpe/{} ( ops@example.com )",
            env!("CARGO_PKG_VERSION")
        )]
    );
    // All of it is known now.
    let genres = enrichment.genres(None, &keys).await;
    assert_eq!(genres.coverage.pending, 0);
    assert!(genres.coverage.known >= 4);
}

async fn cache_hits_cost_nothing_and_a_second_user_pays_only_for_new_artists(backend: Backend) {
    let app = spawn_open(backend, vec![]).await;
    let open = app.open();
    let alice = browser();
    app.login(&alice, "alice").await;
    load_enriched(&app, &alice).await;
    app.wait_for_open_data().await;
    let asked_for_alice: HashSet<String> = open
        .subjects(OpenService::MusicBrainz)
        .into_iter()
        .collect();
    // Negative results are cached too: the ambiguous name was searched once.
    let ambiguous = FakeOpenData::ambiguous_artist_id();
    assert!(asked_for_alice.contains(&ambiguous));

    // Cache hits: every panel again, nothing asked anywhere, nothing pending.
    open.reset_counters();
    for html in load_enriched(&app, &alice).await {
        assert!(!html.contains("data-enrichment-pending"), "{html}");
    }
    for service in OpenService::ALL {
        assert_eq!(open.requests(service), 0, "{service:?}");
    }

    // A second user: artists alice already has cost nothing; only bob's own are looked up.
    let bob = browser();
    app.login(&bob, "bob").await;
    open.reset_counters();
    load_enriched(&app, &bob).await;
    app.wait_for_open_data().await;
    let alice_facts = app.fake.persona_facts("alice").unwrap();
    let bob_facts = app.fake.persona_facts("bob").unwrap();
    let shared: Vec<&String> = bob_facts
        .top_artists
        .medium_term
        .iter()
        .filter(|id| alice_facts.top_artists.medium_term.contains(id))
        .collect();
    assert!(shared.len() >= 5, "alice and bob share artists");
    let asked_for_bob = open.subjects(OpenService::MusicBrainz);
    assert!(!asked_for_bob.is_empty(), "bob's own artists are looked up");
    for subject in &asked_for_bob {
        assert!(
            !asked_for_alice.contains(subject),
            "{subject} was asked again for bob"
        );
    }
    for id in shared {
        assert!(!asked_for_bob.contains(id));
    }
    // Bob's panels are complete, and alice's still cost nothing.
    let bob_artists = fragment(&app, &bob, "/top_artists").await;
    assert!(bob_artists.contains("Genres: MusicBrainz."));
    open.reset_counters();
    load_enriched(&app, &alice).await;
    assert_eq!(open.requests(OpenService::MusicBrainz), 0);

    // Facts last 30 days; then they are looked up again (after a new login: sessions end
    // after two weeks without a visit).
    app.clock.advance(time::Duration::days(31));
    let alice = browser();
    app.login(&alice, "alice").await;
    let html = fragment(&app, &alice, "/top_artists").await;
    assert!(html.contains("Looking up genres"), "{html}");
    app.wait_for_open_data().await;
    assert!(open.requests(OpenService::MusicBrainz) > 0);
}

async fn with_extended_quota_nothing_is_looked_up(backend: Backend) {
    let app = spawn_with(
        backend,
        Spawn {
            mode: Mode::ExtendedQuota,
            open_data: true,
            ..Spawn::default()
        },
    )
    .await;
    let client = browser();
    app.login(&client, "alice").await;
    let pages = load_enriched(&app, &client).await;
    assert!(pages[0].contains("Popularity: <strong>Spotify</strong>"));
    assert!(pages[1].contains("Popularity: <strong>Spotify</strong>"));
    assert!(pages[2].contains("Genres: Spotify."));
    assert!(pages[3].contains("Genres: Spotify."));
    for html in &pages {
        assert!(!html.contains("data-enrichment-pending"));
        assert!(!html.contains("MusicBrainz") && !html.contains("ListenBrainz"));
    }
    assert_eq!(app.state.enrichment.queued().await.unwrap(), (0, 0));
    for service in OpenService::ALL {
        assert_eq!(app.open().requests(service), 0, "{service:?}");
    }
}

async fn musicbrainz_down_then_back(backend: Backend) {
    let app = spawn_open(backend, vec![]).await;
    let open = app.open();
    open.inject(OpenFault {
        service: OpenService::MusicBrainz,
        route: None,
        kind: OpenFaultKind::Unavailable {
            retry_after_secs: Some(120),
        },
        times: None,
    });
    let client = browser();
    app.login(&client, "alice").await;
    let first = fragment(&app, &client, "/top_artists").await;
    assert!(first.contains("looking up genres…"));
    requests_reach(open, OpenService::MusicBrainz, 1).await;
    // The panel still works: it says what is missing and why, and looks again less often.
    let html = panel_until(&app, &client, "/top_artists", |html| {
        html.contains("MusicBrainz is unavailable right now.")
    })
    .await;
    assert!(
        html.contains("Missing genres will be looked up again at"),
        "{html}"
    );
    assert!(html.contains(r#"hx-trigger="load delay:60s""#), "{html}");
    let seasons = fragment(&app, &client, "/music_variety_by_season").await;
    assert!(seasons.contains("MusicBrainz is unavailable right now."));
    assert!(seasons.contains("Artist variety"));
    // It asked once, then waited for Retry-After instead of hammering.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(open.requests(OpenService::MusicBrainz), 1);

    // Back after the pause: everything arrives.
    open.clear_faults();
    app.clock.advance(time::Duration::seconds(121));
    app.wait_for_open_data().await;
    let html = fragment(&app, &client, "/top_artists").await;
    assert!(html.contains("Genres: MusicBrainz."), "{html}");
    assert!(!html.contains("is unavailable"));
}

async fn listenbrainz_slow_then_back(backend: Backend) {
    let app = spawn_open(backend, vec![("ENRICHMENT_TIMEOUT_MS", "500".into())]).await;
    let open = app.open();
    open.inject(OpenFault {
        service: OpenService::ListenBrainz,
        route: None,
        kind: OpenFaultKind::Delay(Duration::from_secs(2)),
        times: None,
    });
    let client = browser();
    app.login(&client, "alice").await;
    fragment(&app, &client, "/hidden_gems").await;
    let html = panel_until(&app, &client, "/hidden_gems", |html| {
        html.contains("ListenBrainz is answering too slowly right now.")
    })
    .await;
    assert!(html.contains("Looking up popularity"));
    assert!(
        html.contains("Your top songs, least popular first"),
        "the list is still there"
    );

    open.clear_faults();
    app.clock.advance(time::Duration::minutes(11));
    app.wait_for_open_data().await;
    let html = fragment(&app, &client, "/hidden_gems").await;
    assert!(html.contains("Obscurity"), "{html}");
    assert!(!html.contains("too slowly"));
}

async fn listenbrainz_without_a_token_says_so_and_last_fm_fills_in(backend: Backend) {
    // Without Last.fm: popularity is unavailable, and the panel says how to fix it.
    let app = spawn_open(backend, vec![]).await;
    app.open().require_listenbrainz_token(true);
    let client = browser();
    app.login(&client, "alice").await;
    fragment(&app, &client, "/hidden_gems").await;
    app.wait_for_open_data().await;
    let html = fragment(&app, &client, "/hidden_gems").await;
    assert!(
        html.contains("Popularity unavailable: ListenBrainz needs a token; set LISTENBRAINZ_TOKEN"),
        "{html}"
    );
    assert!(html.contains("No popularity source is available"));
    assert!(
        !html.contains("data-enrichment-pending"),
        "nothing left to wait for"
    );
    // One refused request settled every track, for an hour.
    assert_eq!(app.open().requests(OpenService::ListenBrainz), 1);

    // The operator sets the token and restarts: the refusal is forgotten, popularity arrives.
    app.shutdown.trigger();
    let mut app = app;
    app.open_data_env
        .push(("LISTENBRAINZ_TOKEN".into(), LISTENBRAINZ_TOKEN.into()));
    let restarted = spawn_sibling(&app).await;
    let client = browser();
    restarted.login(&client, "alice").await;
    fragment(&restarted, &client, "/hidden_gems").await;
    restarted.wait_for_open_data().await;
    let html = fragment(&restarted, &client, "/hidden_gems").await;
    assert!(
        html.contains("Popularity: <strong>ListenBrainz</strong>"),
        "{html}"
    );
    assert!(!html.contains("needs a token"));

    // With a Last.fm key: Last.fm fills in, labelled as such.
    let app = spawn_open(backend, vec![("LASTFM_API_KEY", LASTFM_API_KEY.into())]).await;
    app.open().require_listenbrainz_token(true);
    let client = browser();
    app.login(&client, "alice").await;
    fragment(&app, &client, "/hidden_gems").await;
    app.wait_for_open_data().await;
    let html = fragment(&app, &client, "/hidden_gems").await;
    assert!(
        html.contains("Popularity: <strong>Last.fm</strong> listener counts"),
        "{html}"
    );
    let tracks = top_tracks(&app, "alice", "medium_term").await;
    let expected: Vec<u8> = tracks
        .iter()
        .filter_map(|t| {
            let listeners = FakeOpenData::expected_lastfm_listeners(&t.id)?;
            Some(log_scaled_popularity(listeners, LASTFM_LISTENERS_CEILING))
        })
        .collect();
    assert!(expected.len() > 30);
    let mean = expected.iter().map(|p| f64::from(*p)).sum::<f64>() / expected.len() as f64;
    let obscurity = (100.0 - mean + 0.5).floor() as i64;
    assert!(html.contains(&format!(r#"<span class="figure-value">{obscurity}</span>"#)));
    assert!(app.open().requests(OpenService::LastFm) >= expected.len());
}

async fn listenbrainz_rate_limit_waits_for_retry_after(backend: Backend) {
    let app = spawn_open(backend, vec![]).await;
    let open = app.open();
    open.inject(OpenFault {
        service: OpenService::ListenBrainz,
        route: None,
        kind: OpenFaultKind::RateLimited {
            // 120 s reads "about 2 minutes" whether the page is drawn in the same second or
            // the next (at 90 s, a second later read "89 seconds").
            retry_after_secs: 120,
        },
        times: None,
    });
    let client = browser();
    app.login(&client, "alice").await;
    fragment(&app, &client, "/hidden_gems").await;
    requests_reach(open, OpenService::ListenBrainz, 1).await;
    let html = panel_until(&app, &client, "/hidden_gems", |html| {
        html.contains("ListenBrainz asked Euterpe to slow down.")
    })
    .await;
    assert!(
        html.contains("Missing popularity will be looked up again at"),
        "{html}"
    );
    assert!(html.contains("(in about 2 minutes)"), "{html}");
    assert!(
        html.contains("Your top songs, least popular first"),
        "the list is still there"
    );
    // One 429, then silence until Retry-After has passed (the fake keeps answering 429).
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(open.requests(OpenService::ListenBrainz), 1);
    app.clock.advance(time::Duration::seconds(60));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        open.requests(OpenService::ListenBrainz),
        1,
        "asked again before Retry-After"
    );

    open.clear_faults();
    app.clock.advance(time::Duration::seconds(61));
    app.wait_for_open_data().await;
    let html = fragment(&app, &client, "/hidden_gems").await;
    assert!(
        html.contains("Popularity: <strong>ListenBrainz</strong>"),
        "{html}"
    );
    assert!(!html.contains("slow down"));
}

async fn a_wrong_last_fm_key_says_so_and_is_not_asked_again(backend: Backend) {
    // ListenBrainz refuses without a token, so Last.fm is the only source, with a wrong key.
    let app = spawn_open(backend, vec![("LASTFM_API_KEY", "not-the-key".into())]).await;
    app.open().require_listenbrainz_token(true);
    let client = browser();
    app.login(&client, "alice").await;
    fragment(&app, &client, "/hidden_gems").await;
    app.wait_for_open_data().await;
    let html = fragment(&app, &client, "/hidden_gems").await;
    assert!(
        html.contains("Last.fm refused the key in LASTFM_API_KEY."),
        "{html}"
    );
    assert!(html.contains("No popularity source is available"), "{html}");
    assert!(
        !html.contains("not-the-key"),
        "the key never reaches a page"
    );
    assert!(
        !html.contains("data-enrichment-pending"),
        "nothing left to wait for"
    );
    // One refusal settles every track: no request per song, and none on the next visit.
    assert_eq!(app.open().requests(OpenService::LastFm), 1);
    fragment(&app, &client, "/hidden_gems").await;
    app.wait_for_open_data().await;
    assert_eq!(app.open().requests(OpenService::LastFm), 1);
}

async fn a_listenbrainz_token_is_sent(backend: Backend) {
    let app = spawn_open(
        backend,
        vec![("LISTENBRAINZ_TOKEN", LISTENBRAINZ_TOKEN.into())],
    )
    .await;
    app.open().require_listenbrainz_token(true);
    let client = browser();
    app.login(&client, "alice").await;
    fragment(&app, &client, "/hidden_gems").await;
    app.wait_for_open_data().await;
    let html = fragment(&app, &client, "/hidden_gems").await;
    assert!(
        html.contains("Popularity: <strong>ListenBrainz</strong>"),
        "{html}"
    );
    let sent = app.open().authorizations(OpenService::ListenBrainz);
    assert!(!sent.is_empty());
    assert!(
        sent.iter()
            .all(|a| a.as_deref() == Some(&format!("Token {LISTENBRAINZ_TOKEN}")[..]))
    );
}

async fn two_processes_never_fetch_the_same_fact(backend: Backend) {
    let app = spawn_open(backend, vec![]).await;
    let sibling = spawn_sibling(&app).await;
    let client = browser();
    app.login(&client, "alice").await;
    let other = browser();
    sibling.login(&other, "bob").await;
    // Both processes queue and both work the queue.
    tokio::join!(
        load_enriched(&app, &client),
        load_enriched(&sibling, &other)
    );
    app.wait_for_open_data().await;
    sibling.wait_for_open_data().await;
    // (ListenBrainz may rightly be asked twice about one recording: two Spotify tracks
    // can be one recording.)
    let subjects = app.open().subjects(OpenService::MusicBrainz);
    let distinct: HashSet<&String> = subjects.iter().collect();
    // Which ones, should it ever happen: seen once under a full suite's load (2026-12-04).
    let mut seen = HashSet::new();
    let twice: Vec<&String> = subjects.iter().filter(|s| !seen.insert(*s)).collect();
    assert_eq!(
        distinct.len(),
        subjects.len(),
        "MusicBrainz was asked twice about {twice:?}"
    );
    // Both apps see everything.
    let html = fragment(&sibling, &other, "/top_artists").await;
    assert!(html.contains("Genres: MusicBrainz."));
    let html = fragment(&app, &client, "/hidden_gems").await;
    assert!(html.contains("Popularity: <strong>ListenBrainz</strong>"));
}

async fn turned_off_it_says_so_and_asks_nobody(backend: Backend) {
    let app = spawn_open(backend, vec![("ENRICHMENT", "0".into())]).await;
    let client = browser();
    app.login(&client, "alice").await;
    let pages = load_enriched(&app, &client).await;
    assert!(pages[0].contains("No popularity source is available"));
    for html in &pages {
        assert!(html.contains("ENRICHMENT=0"), "{html}");
        assert!(!html.contains("data-enrichment-pending"));
    }
    for service in OpenService::ALL {
        assert_eq!(app.open().requests(service), 0);
    }
    assert_eq!(app.state.enrichment.queued().await.unwrap(), (0, 0));
}

async fn the_demo_fills_in_genres_and_popularity(backend: Backend) {
    let app = spawn_demo(backend).await;
    assert!(
        app.open_data.is_some(),
        "demo mode starts the open-data fakes"
    );
    let client = browser();
    app.login(&client, "alice").await;
    load_enriched(&app, &client).await;
    app.wait_for_open_data().await;
    let gems = fragment(&app, &client, "/hidden_gems").await;
    assert!(
        gems.contains("Popularity: <strong>ListenBrainz</strong>"),
        "{gems}"
    );
    let seasons = fragment(&app, &client, "/music_variety_by_season").await;
    assert!(seasons.contains("Genres: MusicBrainz."));
}
