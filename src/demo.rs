//! Demo mode, as `cargo run` serves it with no Spotify credentials: the built-in fake Spotify
//! and fakes of the open music services (from the `euterpe-fakes` crate), started on loopback,
//! with the configuration that points Euterpe at them.
//!
//! This module exists only with the `demo` cargo feature (on by default). The rest of Euterpe
//! knows of the demo only the fake's pages it serves under [`crate::web::DEMO_SPOTIFY_PREFIX`]
//! (`App::demo`, a router or none).

use std::sync::Arc;

use axum::Router;
use euterpe_fakes::open_data::{FakeOpenData, OpenService};
use euterpe_fakes::spotify::{FakeConfig, FakeSpotify, Fault, FaultKind};
use reqwest::Url;
use time::OffsetDateTime;

use crate::app::StartError;
use crate::clock::Clock;
use crate::config::{Config, EnrichmentConfig, SpotifyConfig};

/// The fakes share Euterpe's clock, so a test that moves it moves both.
impl euterpe_fakes::Now for Clock {
    fn now(&self) -> OffsetDateTime {
        Clock::now(self)
    }
}

/// The running demo: the fakes (tests drive them) and the Spotify app that points at the fake.
pub struct Demo {
    pub spotify: FakeSpotify,
    /// The open-data fakes, when enrichment is on with its default services.
    pub open_data: Option<FakeOpenData>,
    /// The fake's Spotify app: client id and secret, and its addresses.
    pub spotify_config: SpotifyConfig,
}

impl Demo {
    /// The fake's login page and covers, for Euterpe to serve under its own origin.
    pub fn routes(&self) -> Router {
        self.spotify.router()
    }
}

/// Starts the demo's fakes on loopback ports. Enrichment, when on with its default services,
/// is pointed at the open-data fakes in `config` (the demo's sample listeners are unknown to the
/// real services).
pub async fn start(config: &mut Config, clock: &Clock) -> Result<Demo, StartError> {
    let (spotify, spotify_config) = start_spotify(config, clock).await?;
    let open_data = if config.enrichment.enabled && config.enrichment.defaults {
        match start_open_data(&config.enrichment) {
            Ok((fake, enrichment)) => {
                config.enrichment = enrichment;
                Some(fake)
            }
            Err(err) => {
                tracing::warn!(error = %err, "demo mode: no open-data fakes, so no genres or popularity");
                config.enrichment.enabled = false;
                None
            }
        }
    } else {
        None
    };
    Ok(Demo {
        spotify,
        open_data,
        spotify_config,
    })
}

/// Starts the built-in fake Spotify on a loopback port and returns the Spotify configuration
/// that points at it.
async fn start_spotify(
    config: &Config,
    clock: &Clock,
) -> Result<(FakeSpotify, SpotifyConfig), StartError> {
    let fake_config = FakeConfig {
        clock: Arc::new(clock.clone()),
        // Covers drawn by the fake, served through Euterpe's own origin (see web::router).
        image_base: Some(format!("{}/images", crate::web::DEMO_SPOTIFY_PREFIX)),
        // A deployed demo must not send browsers to any site a link names.
        same_origin_redirects: true,
        // The sign-in page wears the app's look (the stylesheet is served on the same origin).
        stylesheet: Some(crate::views::assets::url("app.css")),
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

/// Starts the built-in fakes of MusicBrainz, ListenBrainz and Last.fm on a loopback port and
/// returns the enrichment configuration that points at them, with a quick pace (they are
/// Euterpe's own) and no Last.fm key.
pub fn start_open_data(
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
