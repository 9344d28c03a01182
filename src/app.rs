//! The application: start-up (keys, database, demo Spotify) and serving; the shared state
//! itself is [`crate::state`].

use std::net::SocketAddr;

use tokio::net::TcpListener;

use crate::config::{Config, ConfigError};
use crate::crypto::KeyRing;
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
