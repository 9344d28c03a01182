//! The `euterpe` command: `serve` (default), `worker`, `migrate`, `rotate-keys`, `gen-key`.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use euterpe::app::{self, App, AppState, StartError};
use euterpe::clock::Clock;
use euterpe::config::Config;
use euterpe::shutdown::Shutdown;
use euterpe::{crypto, keys, telemetry};

const USAGE: &str = "usage: euterpe [serve | worker | migrate | rotate-keys | gen-key]
  serve        serve the dashboard and run background jobs (the default); runs migrations first
  worker       run only the background jobs (Heroku's worker dyno)
  migrate      apply database migrations and exit (Heroku's release phase)
  rotate-keys  re-encrypt every stored token with the newest of TOKEN_ENCRYPTION_KEYS
  gen-key      print a fresh TOKEN_ENCRYPTION_KEY";

fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    match command.as_str() {
        "gen-key" => {
            println!("{}", crypto::generate_key());
            return ExitCode::SUCCESS;
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        "serve" | "worker" | "migrate" | "rotate-keys" => {}
        other => {
            eprintln!("euterpe: unknown command {other:?}\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    // Read before any thread exists: `.env` loading sets environment variables.
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("euterpe: {err}");
            return ExitCode::FAILURE;
        }
    };
    // Sentry first, before any thread exists (its panic hook and the runtime's threads).
    let sentry = telemetry::init_sentry(&config);
    telemetry::init_logging(sentry.is_some());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the tokio runtime starts");
    let result = runtime.block_on(async {
        match command.as_str() {
            "migrate" => migrate(&config).await,
            "rotate-keys" => rotate_keys(&config).await,
            "worker" => worker(config).await,
            _ => serve(config).await,
        }
    });
    // Lets the runtime's threads go before Sentry sends what is queued (when the guard drops).
    drop(runtime);
    let code = match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err}");
            eprintln!("euterpe: {err}");
            ExitCode::FAILURE
        }
    };
    drop(sentry);
    code
}

async fn migrate(config: &Config) -> Result<(), StartError> {
    let store = app::open_store(config).await?;
    store.close().await;
    tracing::info!("migrations applied");
    Ok(())
}

/// Re-encrypts every token with the newest key, in batches, reporting as it goes.
async fn rotate_keys(config: &Config) -> Result<(), StartError> {
    let keys = app::load_keys(config)?;
    let store = app::open_store(config).await?;
    let newest = keys.current_key_id();
    println!("rotate-keys: re-encrypting tokens with the newest key ({newest})");
    let report = keys::rotate(&store, &keys, keys::BATCH_SIZE, |progress| {
        println!("rotate-keys: {} re-encrypted so far", progress.rotated);
    })
    .await;
    store.close().await;
    let report = report?;
    println!("rotate-keys: {report}");
    if report.unreadable > 0 {
        return Err(StartError::Config(euterpe::config::ConfigError(format!(
            "{} token rows use a key that TOKEN_ENCRYPTION_KEYS does not hold: put the old key \
             back (after the newest) and run rotate-keys again, or those users must log in again",
            report.unreadable
        ))));
    }
    Ok(())
}

/// Opens everything the app needs: keys, the migrated database, and (in demo mode) the built-in
/// fake Spotify.
async fn prepare(mut config: Config) -> Result<AppState, StartError> {
    let clock = Clock::system();
    let keys = Arc::new(app::load_keys(&config)?);
    let store = app::open_store(&config).await?;
    let (spotify, demo) = match config.spotify.clone() {
        Some(spotify) if !config.demo => (spotify, None),
        _ => start_demo(&mut config, &clock).await?,
    };
    Ok(App::build(config, spotify, store, keys, clock, demo))
}

/// Starts the demo's fakes: the Spotify app that points at them, and their pages.
#[cfg(feature = "demo")]
async fn start_demo(
    config: &mut Config,
    clock: &Clock,
) -> Result<(euterpe::config::SpotifyConfig, Option<axum::Router>), StartError> {
    let demo = euterpe::demo::start(config, clock).await?;
    let routes = demo.routes();
    Ok((demo.spotify_config, Some(routes)))
}

/// A build without the `demo` feature has no fakes to serve: Spotify must be configured.
#[cfg(not(feature = "demo"))]
async fn start_demo(
    _config: &mut Config,
    _clock: &Clock,
) -> Result<(euterpe::config::SpotifyConfig, Option<axum::Router>), StartError> {
    Err(StartError::Config(euterpe::config::ConfigError(
        "SPOTIFY_CLIENT_ID is not set, and this build of Euterpe has no demo mode (it was built \
         without the `demo` feature): set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET"
            .to_owned(),
    )))
}

async fn worker(config: Config) -> Result<(), StartError> {
    let state = prepare(config).await?;
    let shutdown = Shutdown::new();
    shutdown.on_signals();
    tracing::info!("Euterpe worker running background jobs");
    state.enrichment.forget_refusals().await;
    euterpe::worker::run_alone(state.clone(), shutdown).await;
    state.store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn serve(config: Config) -> Result<(), StartError> {
    let addr = SocketAddr::new(config.host, config.port);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Listen { addr, source })?;
    let origin = config.site_origin().describe();
    let proxies = config.trusted_proxies.to_string();
    let state = prepare(config).await?;
    tracing::info!("Euterpe is serving on http://{addr}");
    // Which origin links and redirects use, and whose forwarding headers are believed: a
    // misconfigured proxy shows here rather than as wrong links or one shared rate limit.
    tracing::info!(
        "absolute URLs use {origin}; X-Forwarded-For/-Proto are believed from {proxies}"
    );
    let shutdown = Shutdown::new();
    shutdown.on_signals();
    app::serve(state.clone(), listener, shutdown)
        .await
        .map_err(|source| StartError::Listen { addr, source })?;
    state.store.close().await;
    tracing::info!("stopped");
    Ok(())
}
