//! How many requests to MusicBrainz, ListenBrainz and Last.fm it takes to fill in genres and
//! popularity for a development-mode listener: a typical new user's dashboard (100 artists,
//! 150 tracks) on a cold cache, then a second user sharing half of them, then the first again.
//!
//! `cargo bench --bench enrichment_requests` runs at the services' real pace (MusicBrainz one
//! request per 1.1 s: about ten minutes per database); `-- --quick` runs with no pause between
//! requests (the same MusicBrainz counts; ListenBrainz then batches more listens per request).
//! BENCHMARKS.md holds the last run.

use euterpe_testkit as common;

use std::time::{Duration, Instant};

use common::{Backend, Spawn, TestApp, postgres_available, spawn_with};
use euterpe::config::{
    DEFAULT_LASTFM_INTERVAL_MS, DEFAULT_LISTENBRAINZ_INTERVAL_MS, DEFAULT_MUSICBRAINZ_INTERVAL_MS,
};
use euterpe::domain::Track;
use euterpe::spotify::models as wire;
use euterpe_fakes::open_data::{FakeOpenData, OpenService, SampleListener};

/// A sample listener's artists, and their tracks read as Euterpe reads Spotify's answers.
struct Listener {
    artists: Vec<(String, String)>,
    tracks: Vec<Track>,
}

impl From<SampleListener> for Listener {
    fn from(sample: SampleListener) -> Self {
        Self {
            artists: sample.artists,
            tracks: sample
                .tracks
                .into_iter()
                .map(|track| {
                    let track: wire::Track =
                        serde_json::from_value(track).expect("the fake's track reads");
                    Track::from(track)
                })
                .collect(),
        }
    }
}

const ROUTES: [(OpenService, &str, &str); 8] = [
    (OpenService::MusicBrainz, "GET /url", "URL look-ups"),
    (
        OpenService::MusicBrainz,
        "GET /artist/{mbid}",
        "artist genres",
    ),
    (OpenService::MusicBrainz, "GET /artist", "name searches"),
    (
        OpenService::MusicBrainz,
        "GET /isrc/{isrc}",
        "ISRC look-ups",
    ),
    (
        OpenService::MusicBrainz,
        "GET /genre/all",
        "genre list pages",
    ),
    (
        OpenService::ListenBrainz,
        "POST /popularity/recording",
        "popularity batches",
    ),
    (
        OpenService::ListenBrainz,
        "GET /metadata/lookup/",
        "look-ups by name",
    ),
    (
        OpenService::LastFm,
        "GET /?method=track.getInfo",
        "track.getInfo",
    ),
];

struct Run {
    requests: [usize; 3],
    routes: Vec<(String, usize)>,
    max_per_second: usize,
    elapsed: Duration,
    no_popularity: usize,
    no_genres: usize,
}

/// Asks for a listener's genres and popularity as their dashboard does, and waits until the
/// queue has settled every one.
async fn enrich(app: &TestApp, listener: &Listener) -> Run {
    let open = app.open();
    open.reset_counters();
    let started = Instant::now();
    let enrichment = &app.state.enrichment;
    tokio::join!(
        enrichment.genres(None, &listener.artists),
        enrichment.popularity(&listener.tracks),
    );
    assert!(
        enrichment.wait_until_idle(Duration::from_secs(3600)).await,
        "the queue did not settle within an hour"
    );
    let elapsed = started.elapsed();
    let genres = enrichment.genres(None, &listener.artists).await;
    let popularity = enrichment.popularity(&listener.tracks).await;
    Run {
        requests: OpenService::ALL.map(|s| open.requests(s)),
        routes: ROUTES
            .iter()
            .map(|(service, route, label)| {
                (label.to_string(), open.route_requests(*service, route))
            })
            .filter(|(_, count)| *count > 0)
            .collect(),
        max_per_second: open.max_requests_in_one_second(OpenService::MusicBrainz),
        elapsed,
        no_popularity: popularity.coverage.wanted - popularity.coverage.known,
        no_genres: genres.coverage.wanted - genres.coverage.known,
    }
}

fn row(backend: Backend, who: &str, run: &Run) {
    let routes = run
        .routes
        .iter()
        .map(|(label, count)| format!("{label} {count}"))
        .collect::<Vec<_>>()
        .join(", ");
    println!(
        "| {backend:?} | {who} | {} | {} | {} | {} | {:.0} s | {} | {} / {} | {routes} |",
        run.requests[0],
        run.requests[1],
        run.requests[2],
        run.requests.iter().sum::<usize>(),
        run.elapsed.as_secs_f64(),
        run.max_per_second,
        run.no_genres,
        run.no_popularity,
    );
}

#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|arg| arg == "--quick");
    let mut backends = vec![Backend::Sqlite];
    if postgres_available().await {
        backends.push(Backend::Postgres);
    }
    let first = Listener::from(FakeOpenData::sample_listener(10, 100, 150));
    let second = Listener::from(FakeOpenData::sample_listener(60, 100, 150));
    let shared_artists = first
        .artists
        .iter()
        .filter(|a| second.artists.contains(a))
        .count();
    let shared_tracks = first
        .tracks
        .iter()
        .filter(|t| second.tracks.iter().any(|u| u.id == t.id))
        .count();
    println!(
        "listeners: A and B have 100 artists and 150 tracks each; B shares {shared_artists} artists and {shared_tracks} tracks with A; {} pace\n",
        if quick { "no" } else { "the services' real" }
    );
    println!(
        "| database | listener | MusicBrainz | ListenBrainz | Last.fm | all | time to complete | most MusicBrainz requests in 1 s | without genres / popularity | by route |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for backend in backends {
        let mut extra_env = Vec::new();
        if !quick {
            extra_env = vec![
                (
                    "MUSICBRAINZ_INTERVAL_MS",
                    DEFAULT_MUSICBRAINZ_INTERVAL_MS.to_string(),
                ),
                (
                    "LISTENBRAINZ_INTERVAL_MS",
                    DEFAULT_LISTENBRAINZ_INTERVAL_MS.to_string(),
                ),
                ("LASTFM_INTERVAL_MS", DEFAULT_LASTFM_INTERVAL_MS.to_string()),
                ("ENRICHMENT_TIMEOUT_MS", "10000".to_string()),
            ];
        }
        let app = spawn_with(
            backend,
            Spawn {
                open_data: true,
                extra_env,
                ..Spawn::default()
            },
        )
        .await;
        row(backend, "A, cold", &enrich(&app, &first).await);
        row(backend, "B, sharing half", &enrich(&app, &second).await);
        row(backend, "A again", &enrich(&app, &first).await);
        app.shutdown.trigger();
    }
}
