//! Starting Euterpe for a test: with the fake Spotify in a chosen mode (and, when asked, the
//! open-data fakes), as the demo, or as a second process on the same database.

use super::*;

/// Options for [`spawn_with`].
pub struct Spawn {
    pub mode: Mode,
    /// The fake answers refreshes with a new refresh token and kills the old one.
    pub rotate_refresh_tokens: bool,
    pub extra_env: Vec<(&'static str, String)>,
    /// Starts the fakes of the open music services and points Euterpe at them, with a quick
    /// pace (`extra_env` can set `MUSICBRAINZ_INTERVAL_MS` and the like back). Without it
    /// open-data look-ups are off (`ENRICHMENT=0`), so no test ever calls the real services.
    pub open_data: bool,
}

impl Default for Spawn {
    fn default() -> Self {
        Self {
            mode: Mode::Development,
            rotate_refresh_tokens: false,
            extra_env: Vec::new(),
            open_data: false,
        }
    }
}

/// The variables that point Euterpe at `fake` with a quick pace and short timeouts.
pub fn open_data_env(fake: &FakeOpenData) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = fake
        .env()
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
    for (name, value) in [
        ("ENRICHMENT", "1"),
        ("MUSICBRAINZ_INTERVAL_MS", "5"),
        ("LISTENBRAINZ_INTERVAL_MS", "5"),
        ("LASTFM_INTERVAL_MS", "5"),
        ("ENRICHMENT_TIMEOUT_MS", "2000"),
    ] {
        env.push((name.to_owned(), value.to_owned()));
    }
    env
}

/// Starts Euterpe (on port 0) and a fake Spotify in development mode.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_with(backend, Spawn::default()).await
}

/// Starts Euterpe and a fake Spotify with options.
pub async fn spawn_with(backend: Backend, options: Spawn) -> TestApp {
    let clock = Clock::system();
    let fake_config = FakeConfig {
        mode: options.mode,
        rotate_refresh_tokens: options.rotate_refresh_tokens,
        clock: Arc::new(clock.clone()),
        ..FakeConfig::default()
    };
    let (client_id, client_secret) = (
        fake_config.client_id.clone(),
        fake_config.client_secret.clone(),
    );
    let fake = FakeSpotify::new(fake_config);
    let fake_addr = fake.serve_loopback().await.unwrap();
    let (open_data, open_env) = if options.open_data {
        let open = FakeOpenData::new();
        open.serve_loopback().await.unwrap();
        let env = open_data_env(&open);
        (Some(open), env)
    } else {
        (None, vec![("ENRICHMENT".to_owned(), "0".to_owned())])
    };
    let database_url = fresh_database(backend).await;
    let key_text = generate_key();
    let mut vars: HashMap<String, String> = [
        ("DATABASE_URL", database_url.clone()),
        ("SPOTIFY_CLIENT_ID", client_id),
        ("SPOTIFY_CLIENT_SECRET", client_secret),
        ("SPOTIFY_ACCOUNTS_URL", format!("http://{fake_addr}")),
        ("SPOTIFY_API_URL", format!("http://{fake_addr}/v1")),
        ("TOKEN_ENCRYPTION_KEY", key_text.clone()),
        // The history poller is driven by the tests that need it (worker::poller).
        ("HISTORY_POLL_INTERVAL_SECS", "0".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    vars.extend(open_env);
    for (name, value) in options.extra_env {
        vars.insert(name.to_owned(), value);
    }
    start(
        backend,
        vars,
        fake,
        format!("http://{fake_addr}"),
        clock,
        key_text,
        open_data,
    )
    .await
}

/// Starts Euterpe in demo mode, as `cargo run` does: its own built-in fake Spotify (with the
/// generated covers), no Spotify credentials.
pub async fn spawn_demo(backend: Backend) -> TestApp {
    spawn_demo_with(backend, &[]).await
}

/// [`spawn_demo`] with more variables set, e.g. `EUTERPE_DEMO_LATENCY_MS`.
pub async fn spawn_demo_with(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let database_url = fresh_database(backend).await;
    let key_text = generate_key();
    let vars: HashMap<String, String> = [
        ("DATABASE_URL", database_url.clone()),
        ("PORT", addr.port().to_string()),
        ("TOKEN_ENCRYPTION_KEY", key_text.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .chain(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    .collect();
    let mut config = Config::from_vars(&vars).expect("demo configuration is valid");
    assert!(config.demo);
    let clock = Clock::system();
    let demo = euterpe::demo::start(&mut config, &clock).await.unwrap();
    let routes = Some(demo.routes());
    let fake_base = demo
        .spotify_config
        .accounts_url
        .as_str()
        .trim_end_matches('/')
        .to_owned();
    let spotify = demo.spotify_config.clone();
    launch(
        backend,
        listener,
        config,
        spotify,
        routes,
        Harness {
            fake: demo.spotify,
            fake_base,
            clock,
            key_text,
            open_data: demo.open_data,
            open_data_env: Vec::new(),
        },
    )
    .await
}

/// The variables of a second Euterpe beside `app`: its database, its fake Spotify, its key and
/// its open-data settings (off unless the test started the fakes).
pub fn sibling_vars(app: &TestApp) -> HashMap<String, String> {
    let mut vars: HashMap<String, String> = [
        ("DATABASE_URL", app.database_url.clone()),
        (
            "SPOTIFY_CLIENT_ID",
            app.state.spotify_config.client_id.clone(),
        ),
        (
            "SPOTIFY_CLIENT_SECRET",
            app.state.spotify_config.client_secret.expose().to_owned(),
        ),
        ("SPOTIFY_ACCOUNTS_URL", app.fake_base.clone()),
        ("SPOTIFY_API_URL", format!("{}/v1", app.fake_base)),
        ("TOKEN_ENCRYPTION_KEY", app.key_text.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    vars.extend(app.open_data_env.iter().cloned());
    vars
}

/// Starts a second Euterpe process-equivalent on the same database and fake Spotify (for the
/// "two processes on one Postgres" tests).
pub async fn spawn_sibling(app: &TestApp) -> TestApp {
    let mut vars = sibling_vars(app);
    vars.insert("HISTORY_POLL_INTERVAL_SECS".into(), "0".into());
    start(
        app.backend,
        vars,
        app.fake.clone(),
        app.fake_base.clone(),
        app.clock.clone(),
        app.key_text.clone(),
        app.open_data.clone(),
    )
    .await
}

async fn start(
    backend: Backend,
    mut vars: HashMap<String, String>,
    fake: FakeSpotify,
    fake_base: String,
    clock: Clock,
    key_text: String,
    open_data: Option<FakeOpenData>,
) -> TestApp {
    vars.entry("ENRICHMENT".into())
        .or_insert_with(|| "0".into());
    let open_data_env: Vec<(String, String)> = vars
        .iter()
        .filter(|(name, _)| {
            name.starts_with("ENRICHMENT")
                || name.starts_with("MUSICBRAINZ_")
                || name.starts_with("LISTENBRAINZ_")
                || name.starts_with("LASTFM_")
        })
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    vars.insert("PORT".into(), addr.port().to_string());
    vars.entry("SPOTIFY_REDIRECT_URI".into())
        .or_insert_with(|| format!("http://{addr}/callback"));
    let config = Config::from_vars(&vars).expect("test configuration is valid");
    let spotify = config.spotify.clone().expect("tests configure Spotify");
    launch(
        backend,
        listener,
        config,
        spotify,
        None,
        Harness {
            fake,
            fake_base,
            clock,
            key_text,
            open_data,
            open_data_env,
        },
    )
    .await
}

/// What a test's Euterpe runs beside: the fakes, the shared clock, the key it was given.
struct Harness {
    fake: FakeSpotify,
    fake_base: String,
    clock: Clock,
    key_text: String,
    open_data: Option<FakeOpenData>,
    open_data_env: Vec<(String, String)>,
}

/// What every start shares: open (and migrate) the database, build the app, serve it on
/// `listener` with its background jobs.
async fn launch(
    backend: Backend,
    listener: tokio::net::TcpListener,
    config: Config,
    spotify: euterpe::config::SpotifyConfig,
    demo: Option<axum::Router>,
    harness: Harness,
) -> TestApp {
    let addr = listener.local_addr().unwrap();
    let database_url = config.database_url.expose().to_owned();
    let keys = Arc::new(app::load_keys(&config).unwrap());
    let store = app::open_store(&config).await.unwrap();
    let state = App::build(
        config,
        spotify,
        store.clone(),
        keys.clone(),
        harness.clock.clone(),
        demo,
    );
    let shutdown = Shutdown::new();
    tokio::spawn(app::serve(state.clone(), listener, shutdown.clone()));
    TestApp {
        backend,
        addr,
        base: format!("http://{addr}"),
        database_url,
        fake: harness.fake,
        fake_base: harness.fake_base,
        clock: harness.clock,
        keys,
        key_text: harness.key_text,
        store,
        state,
        shutdown,
        open_data: harness.open_data,
        open_data_env: harness.open_data_env,
    }
}
