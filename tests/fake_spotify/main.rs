//! The fake Spotify, driven over real HTTP the way Euterpe drives the real one, and held
//! against the recorded fixtures and Spotify's OpenAPI description.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use euterpe::clock::Clock;
use euterpe::spotify::models::{
    Artist, Artists, CurrentUser, Page, Playlist, PlaylistEntry, RecentlyPlayed, Track,
};
use euterpe_fakes::spotify::{FakeConfig, FakeSpotify, Fault, FaultKind, Mode};
use reqwest::header::{HeaderMap, LOCATION, RETRY_AFTER, WWW_AUTHENTICATE};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode, Url};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

const REDIRECT_URI: &str = "http://127.0.0.1:8080/callback";
const SCOPES: &str = "user-read-private user-read-email user-top-read user-read-recently-played \
                      playlist-read-private playlist-read-collaborative";
const VERIFIER: &str = "a-long-enough-code-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";

fn client_id() -> String {
    FakeConfig::default().client_id
}

fn client_secret() -> String {
    FakeConfig::default().client_secret
}

fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/spotify/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

struct Harness {
    fake: FakeSpotify,
    clock: Clock,
    base: String,
    http: Client,
}

struct Tokens {
    access: String,
    refresh: String,
}

async fn start_with(mode: Mode, rotate_refresh_tokens: bool) -> Harness {
    let clock = Clock::system();
    let fake = FakeSpotify::new(FakeConfig {
        mode,
        rotate_refresh_tokens,
        clock: std::sync::Arc::new(clock.clone()),
        ..FakeConfig::default()
    });
    let address = fake.serve_loopback().await.expect("bind loopback");
    Harness {
        fake,
        clock,
        base: format!("http://{address}"),
        http: Client::builder()
            .redirect(Policy::none())
            .build()
            .expect("client"),
    }
}

async fn start() -> Harness {
    start_with(Mode::Development, false).await
}

fn authorize_query(persona: Option<&str>, challenge: Option<&str>) -> Vec<(&'static str, String)> {
    let mut query = vec![
        ("client_id", client_id()),
        ("response_type", "code".to_owned()),
        ("redirect_uri", REDIRECT_URI.to_owned()),
        ("state", "st&te é/?=".to_owned()),
        ("scope", SCOPES.to_owned()),
    ];
    if let Some(challenge) = challenge {
        query.push(("code_challenge_method", "S256".to_owned()));
        query.push(("code_challenge", challenge.to_owned()));
    }
    if let Some(persona) = persona {
        query.push(("persona", persona.to_owned()));
    }
    query
}

fn query_param(url: &str, name: &str) -> Option<String> {
    Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// `href="..."` values of a page, unescaped.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .map(|rest| {
            rest[..rest.find('"').expect("closing quote")]
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .collect()
}

impl Harness {
    async fn code(&self, persona: &str, challenge: Option<&str>) -> String {
        let response = self
            .http
            .get(format!("{}/authorize", self.base))
            .query(&authorize_query(Some(persona), challenge))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FOUND);
        let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
        assert!(location.starts_with(REDIRECT_URI), "{location}");
        assert_eq!(
            query_param(&location, "state").as_deref(),
            Some("st&te é/?=")
        );
        query_param(&location, "code").expect("code in redirect")
    }

    async fn token(&self, form: &[(&str, &str)], basic: bool) -> (StatusCode, Value) {
        let mut request = self
            .http
            .post(format!("{}/api/token", self.base))
            .form(form);
        if basic {
            request = request.basic_auth(client_id(), Some(client_secret()));
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.expect("JSON token answer"))
    }

    /// Signs a persona in as Euterpe does: confidential client with PKCE.
    async fn login(&self, persona: &str) -> Tokens {
        let code = self.code(persona, Some(&challenge_of(VERIFIER))).await;
        let (status, body) = self
            .token(
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", REDIRECT_URI),
                    ("code_verifier", VERIFIER),
                ],
                true,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        Tokens {
            access: body["access_token"].as_str().unwrap().to_owned(),
            refresh: body["refresh_token"].as_str().unwrap().to_owned(),
        }
    }

    async fn refresh(&self, refresh_token: &str) -> (StatusCode, Value) {
        self.token(
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ],
            true,
        )
        .await
    }

    async fn get(&self, token: &str, path: &str) -> (StatusCode, HeaderMap, Value) {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}/v1{path}", self.base)
        };
        let response = self.http.get(url).bearer_auth(token).send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
        (status, headers, body)
    }

    async fn ok(&self, token: &str, path: &str) -> Value {
        let (status, _, body) = self.get(token, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        body
    }

    async fn text(&self, token: &str, path: &str) -> String {
        let response = self
            .http
            .get(format!("{}/v1{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.text().await.unwrap()
    }
}

fn error_of(status: StatusCode, body: &Value) -> (u16, String) {
    assert_eq!(
        body["error"]["status"].as_u64(),
        Some(u64::from(status.as_u16())),
        "{body}"
    );
    (
        status.as_u16(),
        body["error"]["message"].as_str().unwrap().to_owned(),
    )
}

/// Fields a development-mode app no longer receives (the 2026 platform change).
const STRIPPED_IN_DEVELOPMENT: [&str; 7] = [
    "popularity",
    "genres",
    "followers",
    "email",
    "country",
    "product",
    "explicit_content",
];

/// The same keys with the same JSON types (token answers are small and flat).
fn assert_same_shape(actual: &Value, recorded: &Value) {
    let keys = |v: &Value| -> BTreeMap<String, &'static str> {
        v.as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), json_type(v)))
            .collect()
    };
    assert_eq!(keys(actual), keys(recorded));
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

mod accounts;
mod conformance;
mod web_api;
