//! The application's state: everything a request handler or a background job may need,
//! assembled once at start-up and shared as a cheap handle ([`AppState`]). It sits below the
//! web and worker layers, which both take it, and above everything it holds.

use std::ops::Deref;
use std::sync::Arc;

use reqwest::Url;

use crate::clock::Clock;
use crate::config::{Config, EnrichmentConfig, SpotifyConfig};
use crate::crypto::KeyRing;
use crate::enrichment::Enrichment;
use crate::fake_open_data::{FakeOpenData, OpenService};
use crate::fake_spotify::FakeSpotify;
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
    /// The built-in fake Spotify, in demo mode.
    pub demo: Option<FakeSpotify>,
    /// Import jobs running in this process.
    pub imports: crate::history::import::ImportJobs,
    /// Genres and popularity from open music data.
    pub enrichment: Arc<Enrichment>,
    /// The built-in fakes of MusicBrainz, ListenBrainz and Last.fm, in demo mode.
    pub demo_open_data: Option<FakeOpenData>,
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
        demo: Option<FakeSpotify>,
    ) -> AppState {
        let http = client::http_client();
        let oauth = OAuth::new(&spotify_config, http.clone());
        let tokens = TokenManager::new(store.clone(), keys.clone(), oauth, clock.clone());
        let spotify = Arc::new(Spotify::new(
            SpotifyClient::new(http, spotify_config.api_url.clone()),
            tokens,
            store.clone(),
            clock.clone(),
        ));
        let library = Library::new(
            spotify.clone(),
            store.clone(),
            clock.clone(),
            config.cache_ttl,
        );
        // The demo's sample listeners are unknown to the real open services: it uses its fakes.
        let (enrichment_config, demo_open_data) = match &demo {
            Some(_) if config.enrichment.enabled && config.enrichment.defaults => {
                match start_demo_open_data(&config.enrichment) {
                    Ok((fake, enrichment)) => (enrichment, Some(fake)),
                    Err(err) => {
                        tracing::warn!(error = %err, "demo mode: no open-data fakes, so no genres or popularity");
                        let mut off = config.enrichment.clone();
                        off.enabled = false;
                        (off, None)
                    }
                }
            }
            _ => (config.enrichment.clone(), None),
        };
        let enrichment = Arc::new(Enrichment::new(
            enrichment_config,
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
            demo_open_data,
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

/// Starts the built-in fakes of MusicBrainz, ListenBrainz and Last.fm on a loopback port (demo
/// mode) and returns the enrichment configuration that points at them, with a quick pace (they
/// are Euterpe's own) and no Last.fm key.
pub fn start_demo_open_data(
    config: &EnrichmentConfig,
) -> std::io::Result<(FakeOpenData, EnrichmentConfig)> {
    let fake = FakeOpenData::new();
    let addr = fake.spawn_loopback()?;
    let url = |service| Url::parse(&fake.base_url(service)).expect("a loopback base URL parses");
    let quick = std::time::Duration::from_millis(20);
    let enrichment = EnrichmentConfig {
        musicbrainz_url: url(OpenService::MusicBrainz),
        listenbrainz_url: url(OpenService::ListenBrainz),
        lastfm_url: url(OpenService::LastFm),
        lastfm_api_key: None,
        listenbrainz_token: None,
        musicbrainz_interval: quick,
        listenbrainz_interval: quick,
        lastfm_interval: quick,
        ..config.clone()
    };
    tracing::info!(%addr, "demo mode: built-in fakes of MusicBrainz and ListenBrainz are serving on loopback");
    Ok((fake, enrichment))
}
