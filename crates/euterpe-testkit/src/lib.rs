//! The test harness Euterpe's integration tests and benchmarks share: Euterpe on a real port with
//! the fake Spotify, on SQLite or Postgres. A crate of its own, so each test binary links it
//! instead of including its source.
//!
//! Every test runs against both databases (see `both_backends!`). Postgres comes from
//! `TEST_POSTGRES_URL` (default `postgres://postgres:postgres@127.0.0.1:5432/postgres`); each test
//! gets a database of its own. When no Postgres answers, the Postgres variants are skipped and
//! say so on the terminal — unless `EUTERPE_REQUIRE_POSTGRES=1` (CI), which makes that a failure.

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use euterpe::app::{self, App, AppState};
use euterpe::clock::Clock;
use euterpe::config::Config;
use euterpe::crypto::{KeyRing, generate_key};
use euterpe::shutdown::Shutdown;
use euterpe::store::Store;
use euterpe_fakes::open_data::FakeOpenData;
use euterpe_fakes::spotify::{FakeConfig, FakeSpotify, Mode};
use reqwest::header::{LOCATION, SET_COOKIE};
use reqwest::{Client, StatusCode, Url, redirect};
use sqlx::Connection;

pub mod history;
pub mod server;
mod spawn;

pub use spawn::*;

/// Runs each listed `async fn name(backend: Backend)` once on SQLite and once on Postgres.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::Backend::Sqlite).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if $crate::postgres_available().await {
                        super::$name($crate::Backend::Postgres).await;
                    }
                }
            }
        )*
    };
}

/// The database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres:postgres@127.0.0.1:5432/postgres";

fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

static SKIP_NOTICE: AtomicBool = AtomicBool::new(false);

/// Whether Postgres is reachable. If not: fails under `EUTERPE_REQUIRE_POSTGRES=1`, else prints
/// (once, straight to the terminal, past the test harness's capture) that Postgres tests skip.
pub async fn postgres_available() -> bool {
    let url = postgres_admin_url();
    let reachable = tokio::time::timeout(Duration::from_secs(5), sqlx::PgConnection::connect(&url))
        .await
        .is_ok_and(|connection| connection.is_ok());
    if reachable {
        return true;
    }
    if std::env::var("EUTERPE_REQUIRE_POSTGRES").is_ok_and(|value| value == "1") {
        panic!(
            "EUTERPE_REQUIRE_POSTGRES=1 but no Postgres answers at {url}: start one or set TEST_POSTGRES_URL"
        );
    }
    if !SKIP_NOTICE.swap(true, Ordering::SeqCst) {
        let _ = writeln!(
            std::io::stderr(),
            "\nNOTE: Postgres is not reachable at {url}: the Postgres variants of these tests are \
             SKIPPED (they pass without running). Start Postgres or set TEST_POSTGRES_URL to run \
             them; CI sets EUTERPE_REQUIRE_POSTGRES=1 so they cannot be skipped there.\n"
        );
    }
    false
}

/// Test databases older than this are left-overs of earlier runs (no test runs this long).
const STALE_AFTER_SECS: u64 = 3600;

/// Prefix of every test database's name; the creation time (Unix seconds) follows it.
const TEST_DATABASE_PREFIX: &str = "euterpe_test_";

static SWEPT_SQLITE: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
static SWEPT_POSTGRES: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// Whether a test database's name says it was made more than [`STALE_AFTER_SECS`] ago.
fn is_stale(name: &str, now: u64) -> bool {
    name.strip_prefix(TEST_DATABASE_PREFIX)
        .and_then(|rest| rest.split('_').next())
        .and_then(|created| created.parse::<u64>().ok())
        .is_some_and(|created| created + STALE_AFTER_SECS < now)
}

/// Deletes the test databases earlier runs left behind (each test makes its own, and a run makes
/// hundreds), once per test process. Never one younger than an hour: another run may be using it.
async fn sweep_stale_databases(backend: Backend, sqlite_dir: &std::path::Path) {
    let now = unix_now();
    match backend {
        Backend::Sqlite => {
            for entry in std::fs::read_dir(sqlite_dir)
                .into_iter()
                .flatten()
                .flatten()
            {
                let name = entry.file_name().to_string_lossy().into_owned();
                if is_stale(&name, now) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        Backend::Postgres => {
            let Ok(mut connection) = sqlx::PgConnection::connect(&postgres_admin_url()).await
            else {
                return;
            };
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT datname FROM pg_database WHERE datname LIKE 'euterpe\\_test\\_%'",
            )
            .fetch_all(&mut connection)
            .await
            .unwrap_or_default();
            for name in names.iter().filter(|name| is_stale(name, now)) {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut connection)
                    .await;
            }
        }
    }
}

/// A fresh, empty database of the given backend; returns its URL.
pub async fn fresh_database(backend: Backend) -> String {
    let name = format!(
        "{TEST_DATABASE_PREFIX}{}_{}",
        unix_now(),
        uuid::Uuid::new_v4().simple()
    );
    let dir = std::env::temp_dir().join("euterpe-tests");
    let swept = match backend {
        Backend::Sqlite => &SWEPT_SQLITE,
        Backend::Postgres => &SWEPT_POSTGRES,
    };
    swept
        .get_or_init(|| sweep_stale_databases(backend, &dir))
        .await;
    match backend {
        Backend::Sqlite => {
            std::fs::create_dir_all(&dir).unwrap();
            let path: PathBuf = dir.join(format!("{name}.db"));
            format!("sqlite://{}?mode=rwc", path.display())
        }
        Backend::Postgres => {
            let admin = postgres_admin_url();
            let mut connection = sqlx::PgConnection::connect(&admin).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut connection)
                .await
                .unwrap();
            let mut url = Url::parse(&admin).unwrap();
            url.set_path(&name);
            url.to_string()
        }
    }
}

/// A running Euterpe with its fake Spotify.
pub struct TestApp {
    pub backend: Backend,
    pub addr: SocketAddr,
    pub base: String,
    pub database_url: String,
    pub fake: FakeSpotify,
    pub fake_base: String,
    pub clock: Clock,
    pub keys: Arc<KeyRing>,
    pub key_text: String,
    pub store: Store,
    pub state: AppState,
    pub shutdown: Shutdown,
    /// The fakes of MusicBrainz, ListenBrainz and Last.fm, when the test asked for them
    /// ([`Spawn::open_data`]) or in demo mode.
    pub open_data: Option<FakeOpenData>,
    /// The open-data variables this app was started with (a sibling gets the same).
    pub open_data_env: Vec<(String, String)>,
}

/// A browser-like client: keeps cookies, does not follow redirects (tests look at each hop).
pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of a response's `Location` header.
pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .unwrap_or_else(|| panic!("no Location on a {} answer", response.status()))
        .to_str()
        .unwrap()
        .to_owned()
}

/// The `Set-Cookie` headers of a response.
pub fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect()
}

/// The session cookie's value from a response, if it sets one.
pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
    set_cookies(response).into_iter().find_map(|cookie| {
        let pair = cookie.split(';').next()?.trim().to_owned();
        let (name, value) = pair.split_once('=')?;
        name.ends_with("euterpe_session").then(|| value.to_owned())
    })
}

impl TestApp {
    /// An absolute URL on Euterpe.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Logs `client` in as a persona through the whole OAuth dance; returns the callback answer.
    pub async fn login(&self, client: &Client, persona: &str) -> reqwest::Response {
        let callback = self.authorize(client, persona).await;
        let response = client.get(&callback).send().await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "login as {persona} failed: {}",
            response.text().await.unwrap()
        );
        assert_eq!(location(&response), "/");
        response
    }

    /// Starts a login and approves it at the fake as `persona`; returns the callback URL the
    /// fake redirected to (not yet visited).
    pub async fn authorize(&self, client: &Client, persona: &str) -> String {
        let start = client.get(self.url("/login")).send().await.unwrap();
        assert_eq!(start.status(), StatusCode::FOUND);
        let authorize = location(&start);
        // Straight to the fake, or (demo mode) to the fake's pages through Euterpe's own origin.
        assert!(
            authorize.starts_with(&format!("{}/authorize?", self.fake_base))
                || authorize.starts_with(&self.url("/demo-spotify/authorize?")),
            "{authorize}"
        );
        let approved = client
            .get(format!("{authorize}&persona={persona}"))
            .send()
            .await
            .unwrap();
        assert_eq!(approved.status(), StatusCode::FOUND);
        let callback = location(&approved);
        assert!(callback.starts_with(&self.url("/callback?")), "{callback}");
        callback
    }

    /// Makes a share link through the account page's form (`fields` beside the form token, e.g.
    /// `("panels", "top_songs")`); returns the link, which the page shows once.
    pub async fn share(&self, client: &Client, fields: &[(&str, &str)]) -> String {
        let mut form = vec![("csrf".to_owned(), self.csrf(client).await)];
        form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let created = client
            .post(self.url("/shares"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(
            created.status(),
            StatusCode::SEE_OTHER,
            "{}",
            created.text().await.unwrap()
        );
        assert_eq!(location(&created), "/account#shares");
        let account = self.get(client, "/account").await.text().await.unwrap();
        account
            .split(r#"class="share-link" href=""#)
            .nth(1)
            .expect("the new link is shown")
            .split('"')
            .next()
            .unwrap()
            .to_owned()
    }

    /// The form token `/account` gives this client (for its POST forms).
    pub async fn csrf(&self, client: &Client) -> String {
        let account = self.get(client, "/account").await.text().await.unwrap();
        account
            .split(r#"name="csrf" value=""#)
            .nth(1)
            .expect("the account page has a form token")
            .split('"')
            .next()
            .unwrap()
            .to_owned()
    }

    /// POSTs `fields` to `path` as the page's form does, with this client's form token.
    pub async fn post_form(
        &self,
        client: &Client,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let csrf = self.csrf(client).await;
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        client
            .post(self.url(path))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// GETs a path as a plain browser navigation.
    pub async fn get(&self, client: &Client, path: &str) -> reqwest::Response {
        client.get(self.url(path)).send().await.unwrap()
    }

    /// GETs a path as htmx does (`HX-Request: true`).
    pub async fn htmx(&self, client: &Client, path: &str) -> reqwest::Response {
        client
            .get(self.url(path))
            .header("HX-Request", "true")
            .send()
            .await
            .unwrap()
    }

    /// How many pages of items `persona`'s own playlists have, from the fake's facts: what a
    /// dashboard reads of them (an empty playlist still costs one call).
    pub fn own_playlist_pages(&self, persona: &str) -> usize {
        let facts = self.fake.persona_facts(persona).unwrap();
        facts
            .playlists
            .iter()
            .filter(|p| p.owner_id == facts.user_id)
            .map(|p| p.total.div_ceil(50).max(1))
            .sum()
    }

    /// The expected answer of the fake for `persona`: its own `/v1` data, fetched with a token
    /// the test gets from the fake directly (independently of Euterpe).
    pub async fn fake_get(&self, persona: &str, path: &str) -> serde_json::Value {
        let token = fake_token(&self.fake_base, &self.state.spotify_config, persona).await;
        let response = Client::new()
            .get(format!("{}/v1{path}", self.fake_base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    /// The fakes of the open music services (the test must have asked for them).
    pub fn open(&self) -> &FakeOpenData {
        self.open_data
            .as_ref()
            .expect("this app runs without the open-data fakes: spawn it with open_data: true")
    }

    /// Waits (up to a minute) until the open-data queue is empty.
    pub async fn wait_for_open_data(&self) {
        assert!(
            self.state
                .enrichment
                .wait_until_idle(Duration::from_secs(60))
                .await,
            "the open-data queue did not empty within a minute: {:?}",
            self.state.enrichment.queued().await
        );
    }

    /// The names of a persona's top tracks for a range, in order, straight from the fake.
    pub async fn fake_top_track_names(&self, persona: &str, range: &str) -> Vec<String> {
        let page = self
            .fake_get(
                persona,
                &format!("/me/top/tracks?time_range={range}&limit=50"),
            )
            .await;
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|track| track["name"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// An access token for `persona`, from the fake's own code flow (no Euterpe involved).
pub async fn fake_token(
    fake_base: &str,
    spotify: &euterpe::config::SpotifyConfig,
    persona: &str,
) -> String {
    let client = browser();
    // On the fake's own origin (never visited: the code is read off the redirect), which a
    // demo-mode fake also accepts.
    let redirect_uri = format!("{fake_base}/callback");
    let redirect_uri = redirect_uri.as_str();
    let authorize = client
        .get(format!("{fake_base}/authorize"))
        .query(&[
            ("client_id", spotify.client_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", redirect_uri),
            ("state", "test"),
            ("scope", "user-top-read playlist-read-private"),
            ("persona", persona),
        ])
        .send()
        .await
        .unwrap();
    let callback = Url::parse(&location(&authorize)).unwrap();
    let code = callback
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let answer: serde_json::Value = client
        .post(format!("{fake_base}/api/token"))
        .basic_auth(&spotify.client_id, Some(spotify.client_secret.expose()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect_uri),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["access_token"].as_str().unwrap().to_owned()
}

/// The value of one query parameter of a URL.
pub fn query_param(url: &str, name: &str) -> String {
    Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(key, _)| key == name)
        .unwrap_or_else(|| panic!("no {name} in {url}"))
        .1
        .into_owned()
}

/// HTML-escapes a name the way maud does, to look for it in a page.
pub fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
