//! The application's state: everything a request handler or a background job may need,
//! assembled once at start-up and shared as a cheap handle ([`AppState`]). It sits below the
//! web and worker layers, which both take it, and above everything it holds.

use std::ops::Deref;
use std::sync::Arc;

use axum::Router;

use crate::clock::Clock;
use crate::config::{Config, SpotifyConfig};
use crate::crypto::KeyRing;
use crate::enrichment::Enrichment;
use crate::spotify::{Library, OAuth, Spotify, SpotifyClient, TokenManager, client};
use crate::store::Store;

/// Everything a request handler may need, shared by all requests.
pub struct App {
    pub config: Config,
    /// The Spotify app in use (the fake one in demo mode).
    pub spotify_config: SpotifyConfig,
    pub store: Store,
    pub clock: Clock,
    pub keys: Arc<KeyRing>,
    pub spotify: Arc<Spotify>,
    pub library: Library,
    /// In demo mode, the built-in fake Spotify's pages (its login page and covers), served
    /// under `web::DEMO_SPOTIFY_PREFIX`: all the app knows of the demo (see `crate::demo`).
    pub demo: Option<Router>,
    /// Import jobs running in this process.
    pub imports: crate::history::import::ImportJobs,
    /// Genres and popularity from open music data.
    pub enrichment: Arc<Enrichment>,
    /// User rows read a moment ago (the session is still read every time).
    pub users: crate::load::users::RecentUsers,
}

/// The handlers' state: a cheap handle on the [`App`].
#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.0
    }
}

impl App {
    /// Assembles the app from its parts.
    pub fn build(
        config: Config,
        spotify_config: SpotifyConfig,
        store: Store,
        keys: Arc<KeyRing>,
        clock: Clock,
        demo: Option<Router>,
    ) -> AppState {
        let http = client::http_client();
        let oauth = OAuth::new(&spotify_config, http.clone());
        let tokens = TokenManager::new(store.clone(), keys.clone(), oauth, clock.clone());
        let spotify = Arc::new(Spotify::new(
            SpotifyClient::new(http, spotify_config.api_url.clone()),
            tokens,
            store.clone(),
            clock.clone(),
            config.spotify_in_flight,
        ));
        let library = Library::new(
            spotify.clone(),
            store.clone(),
            clock.clone(),
            config.cache_ttl,
        );
        let enrichment = Arc::new(Enrichment::new(
            config.enrichment.clone(),
            store.clone(),
            clock.clone(),
        ));
        AppState(Arc::new(Self {
            config,
            spotify_config,
            store,
            clock,
            keys,
            spotify,
            library,
            demo,
            imports: Default::default(),
            enrichment,
            users: Default::default(),
        }))
    }

    /// The OAuth client of the Spotify app in use.
    pub fn oauth(&self) -> &OAuth {
        self.spotify.tokens().oauth()
    }

    /// Whether the site is served over HTTPS by configuration.
    pub fn https_by_config(&self) -> bool {
        self.config.public_https()
    }
}
