//! The application: start-up (keys, database, demo Spotify) and serving; the shared state
//! itself is [`crate::state`].

use std::net::SocketAddr;

use reqwest::Url;
use tokio::net::TcpListener;

use crate::clock::Clock;
use crate::config::{Config, ConfigError, SpotifyConfig};
use crate::crypto::KeyRing;
use crate::fake_spotify::{FakeConfig, FakeSpotify, Fault, FaultKind};
use crate::shutdown::Shutdown;
use crate::store::{PoolOptions, Store};

pub use crate::state::{App, AppState};

/// A start-up failure, printed as one line before the process exits.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("cannot open the database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("cannot run the database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot start the demo Spotify: {0}")]
    Demo(std::io::Error),
}

/// The token-encryption keys: configured, or (locally) kept in a private file.
pub fn load_keys(config: &Config) -> Result<KeyRing, StartError> {
    if let Some(keys) = &config.keys {
        return Ok(keys.clone());
    }
    let (keys, created) = KeyRing::load_or_create_file(&config.key_file)?;
    let path = config.key_file.display();
    if created {
        tracing::info!(
            "generated a token-encryption key and saved it in {path} (readable only by you); \
             keep it with the database, or set TOKEN_ENCRYPTION_KEY"
        );
    } else {
        tracing::info!("using the token-encryption key in {path}");
    }
    Ok(keys)
}

/// Opens the database and applies migrations.
pub async fn open_store(config: &Config) -> Result<Store, StartError> {
    let store = Store::connect(
        config.database_url.expose(),
        PoolOptions {
            max_connections: config.db_pool_max,
            require_tls: config.database_requires_tls(),
            ..PoolOptions::default()
        },
    )
    .await?;
    store.migrate().await?;
    Ok(store)
}

/// Starts the built-in fake Spotify on a loopback port and returns the Spotify configuration
/// that points at it.
pub async fn start_demo_spotify(
    config: &Config,
    clock: &Clock,
) -> Result<(FakeSpotify, SpotifyConfig), StartError> {
    let fake_config = FakeConfig {
        clock: clock.clone(),
        // Covers drawn by the fake, served through Euterpe's own origin (see web::router).
        image_base: Some(format!("{}/images", crate::web::DEMO_SPOTIFY_PREFIX)),
        // A deployed demo must not send browsers to any site a link names.
        same_origin_redirects: true,
        ..FakeConfig::default()
    };
    let (client_id, client_secret) = (
        fake_config.client_id.clone(),
        fake_config.client_secret.clone(),
    );
    let fake = FakeSpotify::new(fake_config);
    if let Some(latency) = config.demo_latency {
        // A rehearsal knob: a slow Spotify, to watch timeouts and graceful restarts.
        fake.inject(Fault {
            route: None,
            persona: None,
            kind: FaultKind::Delay(latency),
            times: None,
        });
        tracing::warn!(
            latency_ms = latency.as_millis() as u64,
            "demo mode: every fake Spotify Web API answer is delayed (EUTERPE_DEMO_LATENCY_MS)"
        );
    }
    let addr = fake.serve_loopback().await.map_err(StartError::Demo)?;
    let base = Url::parse(&format!("http://{addr}")).expect("a socket address makes a URL");
    // A public demo (PUBLIC_URL set) sends browsers to the fake's pages through Euterpe itself,
    // since the loopback port is not reachable from outside. Without PUBLIC_URL, each login
    // does the same under the origin the browser used (see `web::auth`).
    let authorize_url = match &config.public_url {
        Some(public) => public
            .join(crate::web::DEMO_SPOTIFY_PREFIX)
            .expect("an origin joins a path"),
        None => base.clone(),
    };
    let spotify = SpotifyConfig {
        client_id,
        client_secret: crate::crypto::Secret::new(client_secret),
        redirect_uri: config.default_redirect_uri(),
        accounts_url: base.clone(),
        authorize_url,
        api_url: base.join("v1").expect("a base URL joins a path"),
    };
    tracing::info!(%addr, "demo mode: the built-in fake Spotify is serving on loopback");
    Ok((fake, spotify))
}

/// Serves `state` on `listener` (with the background jobs beside it) until `shutdown` fires,
/// then finishes in-flight requests (see [`crate::server::run`] for the deadlines) and lets the
/// jobs stop at a safe point.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: Shutdown,
) -> std::io::Result<()> {
    let router = crate::web::router(state.clone());
    state.enrichment.forget_refusals().await;
    let background = tokio::spawn(crate::worker::run(state.clone(), shutdown.clone()));
    let served = crate::server::run(
        listener,
        router,
        &state.config.server,
        state.config.request_timeout,
        shutdown.clone(),
    )
    .await;
    // If serving failed, the jobs must still stop.
    shutdown.trigger();
    let _ = background.await;
    state.imports.stop().await;
    served
}
