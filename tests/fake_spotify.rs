//! The fake Spotify, driven over real HTTP the way Euterpe drives the real one, and held
//! against the recorded fixtures and Spotify's OpenAPI description.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use euterpe::clock::Clock;
use euterpe::fake_spotify::{FakeConfig, FakeSpotify, Fault, FaultKind, Mode};
use euterpe::spotify::models::{
    Artist, Artists, CurrentUser, Page, Playlist, PlaylistEntry, RecentlyPlayed, Track,
};
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
        clock: clock.clone(),
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

// ---------------------------------------------------------------------------------------------
// Accounts service

#[tokio::test]
async fn authorize_page_offers_every_persona_and_cancel() {
    let h = start().await;
    let query = authorize_query(None, Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
    let response = h
        .http
        .get(format!("{}/authorize", h.base))
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let url = response.url().clone();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("<title>Euterpe demo — sign in to the fake Spotify</title>"));
    assert!(!html.contains("<style") && !html.contains("<script") && !html.contains("style="));
    let links = hrefs(&html);
    for persona in FakeSpotify::personas() {
        let description = FakeSpotify::persona_description(persona).unwrap();
        assert!(html.contains(description), "{persona}'s description");
        let link = links
            .iter()
            .find(|l| l.ends_with(&format!("&persona={persona}")))
            .unwrap_or_else(|| panic!("no link for {persona}"));
        assert!(link.starts_with('?'), "relative link: {link}");
        // Following it repeats the request with the persona: approved at once.
        let target = url.join(link).unwrap();
        for (name, value) in &query {
            assert_eq!(query_param(target.as_str(), name).as_ref(), Some(value));
        }
        let response = h.http.get(target).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FOUND);
        let location = response.headers()[LOCATION].to_str().unwrap();
        assert_eq!(
            query_param(location, "state").as_deref(),
            Some("st&te é/?=")
        );
        assert!(query_param(location, "code").is_some());
    }
    let cancel = links
        .iter()
        .find(|l| l.contains("error=access_denied"))
        .expect("cancel link");
    assert!(cancel.starts_with(REDIRECT_URI));
    assert_eq!(query_param(cancel, "state").as_deref(), Some("st&te é/?="));
    assert_eq!(
        h.fake.request_count("GET /authorize"),
        1 + FakeSpotify::personas().len()
    );
}

#[tokio::test]
async fn authorize_validates_like_spotify() {
    let h = start().await;
    let ask = |query: Vec<(&'static str, String)>| {
        let request = h.http.get(format!("{}/authorize", h.base)).query(&query);
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    let mut wrong_client = authorize_query(Some("alice"), None);
    wrong_client[0].1 = "someone-else".to_owned();
    let (status, page) = ask(wrong_client).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("INVALID_CLIENT: Invalid client"));

    let no_redirect: Vec<_> = authorize_query(Some("alice"), None)
        .into_iter()
        .filter(|(name, _)| *name != "redirect_uri")
        .collect();
    assert_eq!(ask(no_redirect).await.0, StatusCode::BAD_REQUEST);

    let mut token_flow = authorize_query(Some("alice"), None);
    token_flow[1].1 = "token".to_owned();
    assert_eq!(ask(token_flow).await.0, StatusCode::BAD_REQUEST);

    let mut plain = authorize_query(Some("alice"), Some(&challenge_of(VERIFIER)));
    plain
        .iter_mut()
        .find(|(n, _)| *n == "code_challenge_method")
        .unwrap()
        .1 = "plain".into();
    assert_eq!(ask(plain).await.0, StatusCode::BAD_REQUEST);

    let (status, page) = ask(authorize_query(Some("nobody"), None)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("nobody") && page.contains("persona=alice"));
}

#[tokio::test]
async fn pkce_code_exchange_and_reuse() {
    let h = start().await;
    let challenge = challenge_of(VERIFIER);

    // A public client (no secret) must send a verifier, and the right one.
    let code = h.code("alice", Some(&challenge)).await;
    let public = |code: &str, verifier: Option<&str>| {
        let mut form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.to_owned()),
            ("redirect_uri", REDIRECT_URI.to_owned()),
            ("client_id", client_id()),
        ];
        if let Some(verifier) = verifier {
            form.push(("code_verifier", verifier.to_owned()));
        }
        form
    };
    let send = |form: Vec<(&'static str, String)>| {
        let request = h.http.post(format!("{}/api/token", h.base)).form(&form);
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = send(public(&code, None)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_request");
    let (status, body) = send(public(
        &code,
        Some("the-wrong-verifier-the-wrong-verifier-the-wrong"),
    ))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"error": "invalid_grant", "error_description": "code_verifier was incorrect"})
    );
    let (status, body) = send(public(&code, Some(VERIFIER))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Exactly the recorded answer's fields and types.
    let recorded = fixture("token/authorization_code_exchange.json");
    assert_same_shape(&body, &recorded);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(
        body["scope"],
        SCOPES.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    let access = body["access_token"].as_str().unwrap().to_owned();
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    assert!(access.len() >= 43 && refresh.len() >= 43);
    assert_eq!(h.ok(&access, "/me").await["id"], "alice_demo");

    // Using the code again fails and revokes what it bought (RFC 6749 §4.1.2).
    let (status, body) = send(public(&code, Some(VERIFIER))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"error": "invalid_grant", "error_description": "Invalid authorization code"})
    );
    let (status, _, body) = h.get(&access, "/me").await;
    assert_eq!(
        error_of(status, &body),
        (401, "Invalid access token".to_owned())
    );
    let (status, body) = h.refresh(&refresh).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");

    assert_eq!(h.fake.token_requests("authorization_code"), 4);
    assert_eq!(h.fake.request_count("POST /api/token"), 5);
}

#[tokio::test]
async fn token_endpoint_rejects_bad_clients_codes_and_redirects() {
    let h = start().await;
    let code = h.code("bob", None).await;
    // Wrong secret.
    let response = h
        .http
        .post(format!("{}/api/token", h.base))
        .basic_auth(client_id(), Some("not-the-secret"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"error": "invalid_client", "error_description": "Invalid client"})
    );
    // Unknown code, then a redirect URI that differs from the one authorized.
    for (code, redirect_uri, description) in [
        ("no-such-code", REDIRECT_URI, "Invalid authorization code"),
        (
            code.as_str(),
            "http://127.0.0.1:8080/elsewhere",
            "Invalid redirect URI",
        ),
    ] {
        let (status, body) = h
            .token(
                &[
                    ("grant_type", "authorization_code"),
                    ("code", code),
                    ("redirect_uri", redirect_uri),
                ],
                true,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            json!({"error": "invalid_grant", "error_description": description})
        );
    }
    // A code waits ten minutes at most.
    let late = h.code("bob", None).await;
    h.clock.advance(Duration::minutes(11));
    let (status, body) = h
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &late),
                ("redirect_uri", REDIRECT_URI),
            ],
            true,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_description"], "Invalid authorization code");
    // The confidential client without PKCE still gets its tokens for a fresh code.
    let fresh = h.code("bob", None).await;
    let (status, _) = h
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &fresh),
                ("redirect_uri", REDIRECT_URI),
            ],
            true,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = h.token(&[("grant_type", "password")], true).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn refresh_without_rotation_keeps_the_refresh_token() {
    let h = start().await;
    let tokens = h.login("alice").await;
    for _ in 0..2 {
        let (status, body) = h.refresh(&tokens.refresh).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_same_shape(
            &body,
            &fixture("token/refresh_confidential_no_new_refresh_token.json"),
        );
        assert!(body.get("refresh_token").is_none());
        let access = body["access_token"].as_str().unwrap();
        assert_ne!(access, tokens.access);
        assert_eq!(h.ok(access, "/me").await["id"], "alice_demo");
    }
    // The first access token still works until it expires.
    h.ok(&tokens.access, "/me").await;
    assert_eq!(h.fake.token_requests("refresh_token"), 2);
    assert_eq!(h.fake.token_requests("authorization_code"), 1);
}

#[tokio::test]
async fn refresh_with_rotation_retires_the_old_token() {
    let h = start_with(Mode::Development, true).await;
    let tokens = h.login("bob").await;
    let (status, body) = h.refresh(&tokens.refresh).await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &body,
        &fixture("token/refresh_pkce_rotated_refresh_token.json"),
    );
    let rotated = body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rotated, tokens.refresh);
    let (status, body) = h.refresh(&tokens.refresh).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"error": "invalid_grant", "error_description": "Invalid refresh token"})
    );
    let (status, body) = h.refresh(&rotated).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["refresh_token"].is_string());
}

#[tokio::test]
async fn revoked_refresh_tokens_fail() {
    let h = start().await;
    let alice = h.login("alice").await;
    let bob = h.login("bob").await;
    h.fake.revoke_refresh_tokens("alice");
    let (status, body) = h.refresh(&alice.refresh).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"error": "invalid_grant", "error_description": "Refresh token revoked"})
    );
    assert_eq!(h.refresh(&bob.refresh).await.0, StatusCode::OK);
    let (status, body) = h.refresh("never-issued").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_description"], "Invalid refresh token");
}

#[tokio::test]
async fn refresh_tokens_die_six_months_after_authorization() {
    let h = start_with(Mode::Development, true).await;
    let tokens = h.login("alice").await;
    h.clock.advance(Duration::days(100));
    let (status, body) = h.refresh(&tokens.refresh).await;
    assert_eq!(status, StatusCode::OK);
    let rotated = body["refresh_token"].as_str().unwrap().to_owned();
    h.clock.advance(Duration::days(81));
    let (status, body) = h.refresh(&rotated).await;
    assert_eq!(status, StatusCode::OK);
    let rotated = body["refresh_token"].as_str().unwrap().to_owned();
    // Day 182: refreshing along the way did not extend anything.
    h.clock.advance(Duration::days(1));
    let (status, body) = h.refresh(&rotated).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"error": "invalid_grant", "error_description": "Refresh token expired"})
    );
    // Logging in again starts a new six months.
    let again = h.login("alice").await;
    assert_eq!(h.refresh(&again.refresh).await.0, StatusCode::OK);
}

#[tokio::test]
async fn access_tokens_expire() {
    let h = start().await;
    let tokens = h.login("alice").await;
    let bob = h.login("bob").await;
    h.ok(&tokens.access, "/me").await;
    h.fake.expire_access_tokens("alice");
    let (status, headers, body) = h.get(&tokens.access, "/me").await;
    assert_eq!(
        error_of(status, &body),
        (401, "The access token expired".to_owned())
    );
    assert!(
        headers[WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    h.ok(&bob.access, "/me").await;
    // A refreshed token works; an hour later it has expired too.
    let (_, body) = h.refresh(&tokens.refresh).await;
    let access = body["access_token"].as_str().unwrap().to_owned();
    h.ok(&access, "/me/top/tracks").await;
    h.clock.advance(Duration::seconds(3600));
    let (status, _, body) = h.get(&access, "/me").await;
    assert_eq!(error_of(status, &body).1, "The access token expired");
    // Unknown and missing tokens.
    let (status, _, body) = h.get("not-a-token", "/me").await;
    assert_eq!(
        error_of(status, &body),
        (401, "Invalid access token".to_owned())
    );
    let response = h
        .http
        .get(format!("{}/v1/me", h.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"error": {"status": 401, "message": "Invalid access token"}})
    );
}

#[tokio::test]
async fn scopes_are_enforced() {
    let h = start().await;
    let response = h
        .http
        .get(format!("{}/authorize", h.base))
        .query(&[
            ("client_id", client_id().as_str()),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "user-read-private"),
            ("persona", "alice"),
        ])
        .send()
        .await
        .unwrap();
    let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(query_param(&location, "state").is_none());
    let code = query_param(&location, "code").unwrap();
    let (_, body) = h
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT_URI),
            ],
            true,
        )
        .await;
    let access = body["access_token"].as_str().unwrap();
    assert_eq!(body["scope"], "user-read-private");
    h.ok(access, "/me").await;
    let (status, _, body) = h.get(access, "/me/top/tracks").await;
    assert_eq!(
        error_of(status, &body),
        (403, "Insufficient client scope".to_owned())
    );
}

// ---------------------------------------------------------------------------------------------
// Web API

const STRIPPED_IN_DEVELOPMENT: [&str; 7] = [
    "popularity",
    "genres",
    "followers",
    "email",
    "country",
    "product",
    "explicit_content",
];

#[tokio::test]
async fn development_mode_strips_fields_extended_quota_has_them() {
    let h = start().await;
    let tokens = h.login("alice").await;
    let me = h.ok(&tokens.access, "/me").await;
    for field in [
        "email",
        "country",
        "product",
        "followers",
        "explicit_content",
    ] {
        assert!(
            me.get(field).is_none(),
            "/me has {field} in development mode"
        );
    }
    for field in [
        "id",
        "account_id",
        "display_name",
        "external_urls",
        "href",
        "images",
        "type",
        "uri",
    ] {
        assert!(me.get(field).is_some(), "/me lacks {field}");
    }
    assert_ne!(me["account_id"], me["id"]);
    let tracks = h.ok(&tokens.access, "/me/top/tracks?limit=50").await;
    for track in tracks["items"].as_array().unwrap() {
        assert!(track.get("popularity").is_none());
        assert!(track["external_ids"]["isrc"].is_string());
    }
    let artists = h.ok(&tokens.access, "/me/top/artists?limit=50").await;
    for artist in artists["items"].as_array().unwrap() {
        for field in ["popularity", "genres", "followers"] {
            assert!(artist.get(field).is_none(), "artist has {field}");
        }
        assert!(artist["images"].is_array());
    }

    h.fake.set_mode(Mode::ExtendedQuota);
    let me = h.ok(&tokens.access, "/me").await;
    assert_eq!(me["email"], "alice@example.com");
    for field in ["country", "product", "followers", "explicit_content"] {
        assert!(
            me.get(field).is_some(),
            "/me lacks {field} with extended quota"
        );
    }
    let tracks = h.ok(&tokens.access, "/me/top/tracks?limit=50").await;
    let popularity: Vec<u64> = tracks["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["popularity"].as_u64().expect("popularity"))
        .collect();
    assert!(popularity.iter().all(|p| *p <= 100));
    let artists = h.ok(&tokens.access, "/me/top/artists?limit=50").await;
    let items = artists["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .all(|a| a["genres"].is_array() && a["popularity"].is_u64())
    );
    assert!(
        items
            .iter()
            .any(|a| a["genres"].as_array().unwrap().is_empty())
    );
    assert!(items.iter().all(|a| a["followers"]["total"].is_u64()));
}

#[tokio::test]
async fn stranger_is_not_allow_listed_in_development_mode() {
    let h = start().await;
    let tokens = h.login("stranger").await;
    for path in ["/me", "/me/top/tracks", "/me/playlists"] {
        // As Spotify sends it: the message alone, as text, not the usual JSON error.
        let response = h
            .http
            .get(format!("{}/v1{path}", h.base))
            .bearer_auth(&tokens.access)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        assert_eq!(
            response.text().await.unwrap(),
            "User not registered in the Developer Dashboard"
        );
    }
    h.fake.set_mode(Mode::ExtendedQuota);
    assert_eq!(h.ok(&tokens.access, "/me").await["id"], "stranger_demo");
    let top = h.ok(&tokens.access, "/me/top/tracks").await;
    assert_eq!(top["total"], 15);
}

#[tokio::test]
async fn batch_look_ups_are_gone_in_development_mode() {
    let h = start().await;
    let tokens = h.login("alice").await;
    let facts = h.fake.persona_facts("alice").unwrap();
    let ids = facts.top_artists.long_term[..3].join(",");
    let track_ids = facts.top_tracks.long_term[..3].join(",");
    for path in [
        format!("/artists?ids={ids}"),
        format!("/tracks?ids={track_ids}"),
        "/albums?ids=0000000000000000000000".to_owned(),
    ] {
        let (status, _, body) = h.get(&tokens.access, &path).await;
        assert_eq!(
            error_of(status, &body),
            (403, "Forbidden".to_owned()),
            "{path}"
        );
    }
    // One by one still works.
    let artist = h
        .ok(
            &tokens.access,
            &format!("/artists/{}", facts.top_artists.long_term[0]),
        )
        .await;
    assert_eq!(
        artist["id"].as_str(),
        Some(facts.top_artists.long_term[0].as_str())
    );
    let (status, _, body) = h
        .get(&tokens.access, "/artists/0000000000000000000000")
        .await;
    assert_eq!(error_of(status, &body).0, 404);
    let (status, _, body) = h.get(&tokens.access, "/artists/not-an-id").await;
    assert_eq!(error_of(status, &body).0, 400);

    h.fake.set_mode(Mode::ExtendedQuota);
    let several = h
        .ok(
            &tokens.access,
            &format!("/artists?ids={ids},0000000000000000000000"),
        )
        .await;
    let artists = several["artists"].as_array().unwrap();
    assert_eq!(artists.len(), 4);
    assert!(artists[3].is_null());
    assert_eq!(
        artists[0]["id"].as_str(),
        Some(facts.top_artists.long_term[0].as_str())
    );
    let tracks = h
        .ok(&tokens.access, &format!("/tracks?ids={track_ids}"))
        .await;
    assert_eq!(tracks["tracks"].as_array().unwrap().len(), 3);
    let album_id = tracks["tracks"][0]["album"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let albums = h
        .ok(&tokens.access, &format!("/albums?ids={album_id}"))
        .await;
    assert_eq!(albums["albums"][0]["id"].as_str(), Some(album_id.as_str()));
    let too_many = vec![facts.top_artists.long_term[0].clone(); 51].join(",");
    let (status, _, body) = h
        .get(&tokens.access, &format!("/artists?ids={too_many}"))
        .await;
    assert_eq!(error_of(status, &body).0, 400);
}

#[tokio::test]
async fn playlists_page_to_the_end_in_the_2026_shape() {
    let h = start().await;
    let tokens = h.login("alice").await;
    let facts = h.fake.persona_facts("alice").unwrap();
    assert_eq!(facts.playlists.len(), 17);

    // Every page of /me/playlists, following `next` like a client.
    let mut listed = Vec::new();
    let mut next = Some(format!("{}/v1/me/playlists?limit=5", h.base));
    while let Some(url) = next {
        let page = h.ok(&tokens.access, &url).await;
        assert_eq!(page["total"], 17);
        for playlist in page["items"].as_array().unwrap() {
            assert!(
                playlist.get("tracks").is_none(),
                "pre-2026 `tracks` count object"
            );
            assert!(playlist["items"]["total"].is_u64());
            assert!(
                playlist["items"]["href"]
                    .as_str()
                    .unwrap()
                    .ends_with("/items")
            );
            listed.push(playlist.clone());
        }
        next = page["next"].as_str().map(str::to_owned);
    }
    assert_eq!(listed.len(), 17);
    assert!(listed.iter().any(|p| p["images"].is_null()));
    assert!(listed.iter().any(|p| p["images"] == json!([])));
    assert!(listed.iter().any(|p| p["collaborative"] == true));

    let big = facts
        .playlists
        .iter()
        .find(|p| p.total == 230)
        .expect("the 230-entry playlist");
    assert_eq!(big.name, "Everything I Love");
    let mut entries = Vec::new();
    let mut pages = 0;
    let mut next = Some(format!("{}/v1/playlists/{}/items?limit=50", h.base, big.id));
    while let Some(url) = next {
        let page = h.ok(&tokens.access, &url).await;
        pages += 1;
        assert_eq!(page["total"], 230);
        for entry in page["items"].as_array().unwrap() {
            assert!(entry.get("track").is_none(), "pre-2026 `track` entry");
            assert_eq!(entry["item"]["type"], "track");
            entries.push(entry["item"]["id"].as_str().unwrap().to_owned());
        }
        next = page["next"].as_str().map(str::to_owned);
    }
    assert_eq!((pages, entries.len()), (5, 230));
    assert_eq!(h.fake.request_count("GET /v1/playlists/{id}/items"), 5);

    // Default page size is 20; offset past the end is an empty page.
    let page = h
        .ok(&tokens.access, &format!("/playlists/{}/items", big.id))
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 20);
    let page = h
        .ok(
            &tokens.access,
            &format!("/playlists/{}/items?offset=300", big.id),
        )
        .await;
    assert!(page["items"].as_array().unwrap().is_empty());

    // The empty playlist, someone else's playlist, the collaborative one, unknown ids.
    let empty = facts.playlists.iter().find(|p| p.total == 0).unwrap();
    let page = h
        .ok(&tokens.access, &format!("/playlists/{}/items", empty.id))
        .await;
    assert_eq!(page["total"], 0);
    let foreign = facts.playlists.iter().find(|p| !p.readable).unwrap();
    let (status, _, body) = h
        .get(&tokens.access, &format!("/playlists/{}/items", foreign.id))
        .await;
    assert_eq!(error_of(status, &body), (403, "Forbidden".to_owned()));
    let collaborative = facts.playlists.iter().find(|p| p.collaborative).unwrap();
    assert!(collaborative.readable && collaborative.owner_id == "bob_demo");
    h.ok(
        &tokens.access,
        &format!("/playlists/{}/items", collaborative.id),
    )
    .await;
    let (status, _, body) = h
        .get(&tokens.access, "/playlists/0000000000000000000000/items")
        .await;
    assert_eq!(error_of(status, &body).0, 404);
    let (status, _, body) = h
        .get(&tokens.access, &format!("/playlists/{}/tracks", big.id))
        .await;
    assert_eq!(error_of(status, &body).0, 403);
}

#[tokio::test]
async fn limits_offsets_and_ranges_are_validated() {
    let h = start().await;
    let tokens = h.login("alice").await;
    for path in [
        "/me/top/tracks?limit=0",
        "/me/top/tracks?limit=51",
        "/me/top/artists?limit=ten",
        "/me/top/tracks?offset=-1",
        "/me/top/tracks?time_range=forever",
        "/me/playlists?limit=51",
        "/me/player/recently-played?limit=51",
        "/me/player/recently-played?after=1&before=2",
        "/me/player/recently-played?before=yesterday",
    ] {
        let (status, _, body) = h.get(&tokens.access, path).await;
        assert_eq!(error_of(status, &body).0, 400, "{path}");
    }
    let page = h.ok(&tokens.access, "/me/top/tracks").await;
    assert_eq!(
        (page["limit"].as_u64(), page["offset"].as_u64()),
        (Some(20), Some(0))
    );
    assert_eq!(page["items"].as_array().unwrap().len(), 20);
    assert!(page["previous"].is_null());
    let page = h
        .ok(
            &tokens.access,
            "/me/top/tracks?time_range=short_term&limit=20&offset=40",
        )
        .await;
    assert_eq!(page["total"], 50);
    assert_eq!(page["items"].as_array().unwrap().len(), 10);
    assert!(page["next"].is_null());
    assert!(
        page["previous"]
            .as_str()
            .unwrap()
            .contains("time_range=short_term")
    );
    let page = h.ok(&tokens.access, "/me/top/artists?offset=50").await;
    assert!(page["items"].as_array().unwrap().is_empty());
    assert_eq!(page["total"], 50);
    // Following `next` keeps the range.
    let first = h
        .ok(
            &tokens.access,
            "/me/top/tracks?time_range=long_term&limit=25",
        )
        .await;
    let second = h.ok(&tokens.access, first["next"].as_str().unwrap()).await;
    let facts = h.fake.persona_facts("alice").unwrap();
    let ids: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        facts
            .top_tracks
            .long_term
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn recently_played_serves_the_latest_fifty_with_cursors() {
    let h = start().await;
    let tokens = h.login("alice").await;
    let page = h
        .ok(&tokens.access, "/me/player/recently-played?limit=50")
        .await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 50);
    let times: Vec<OffsetDateTime> = items
        .iter()
        .map(|item| {
            let text = item["played_at"].as_str().unwrap();
            assert_eq!(text.len(), "2023-09-22T15:43:33.750Z".len(), "{text}");
            assert!(text.ends_with('Z'));
            OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap()
        })
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert!(items.iter().all(|item| item["context"].is_null()));
    let ms = |t: OffsetDateTime| (t.unix_timestamp_nanos() / 1_000_000).to_string();
    assert_eq!(
        page["cursors"]["after"].as_str(),
        Some(ms(times[0]).as_str())
    );
    assert_eq!(
        page["cursors"]["before"].as_str(),
        Some(ms(times[49]).as_str())
    );
    // Nothing exists before the latest 50.
    assert!(page["next"].is_null());
    let older = h
        .ok(
            &tokens.access,
            &format!("/me/player/recently-played?before={}", ms(times[49])),
        )
        .await;
    assert!(older["items"].as_array().unwrap().is_empty());
    assert!(older["cursors"].is_null());

    // Smaller pages chain through `next` (before cursors).
    let first = h
        .ok(&tokens.access, "/me/player/recently-played?limit=2")
        .await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let second = h.ok(&tokens.access, first["next"].as_str().unwrap()).await;
    assert_eq!(second["items"][0]["played_at"], items[2]["played_at"]);

    // A poller asking with `after` sees only new plays.
    let newest = ms(times[0]);
    let since = format!("/me/player/recently-played?after={newest}&limit=50");
    assert!(
        h.ok(&tokens.access, &since).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let facts = h.fake.persona_facts("alice").unwrap();
    let now = h.clock.now();
    h.fake
        .add_play("alice", &facts.top_tracks.short_term[0], now);
    h.fake.add_play(
        "alice",
        &facts.top_tracks.short_term[1],
        now + Duration::minutes(3),
    );
    let fresh = h.ok(&tokens.access, &since).await;
    let fresh_items = fresh["items"].as_array().unwrap();
    assert_eq!(fresh_items.len(), 1, "future plays stay hidden");
    assert_eq!(
        fresh_items[0]["track"]["id"].as_str(),
        Some(facts.top_tracks.short_term[0].as_str())
    );
    h.clock.advance(Duration::minutes(4));
    let fresh = h.ok(&tokens.access, &since).await;
    assert_eq!(fresh["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        fresh["items"][0]["track"]["id"].as_str(),
        Some(facts.top_tracks.short_term[1].as_str())
    );

    // A new account has nothing at all.
    let empty = h.login("empty").await;
    let page = h.ok(&empty.access, "/me/player/recently-played").await;
    assert!(page["items"].as_array().unwrap().is_empty());
    assert!(page["cursors"].is_null() && page["next"].is_null());
}

#[tokio::test]
async fn faults_are_injected_and_counted() {
    let h = start().await;
    let tokens = h.login("alice").await;
    let bob = h.login("bob").await;
    h.fake.reset_counters();
    h.fake.inject(Fault {
        route: Some("GET /v1/me/top/tracks".to_owned()),
        persona: None,
        kind: FaultKind::RateLimited {
            retry_after_secs: 37,
        },
        times: Some(2),
    });
    for _ in 0..2 {
        let (status, headers, body) = h.get(&tokens.access, "/me/top/tracks").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(headers[RETRY_AFTER], "37");
        assert_eq!(
            body,
            json!({"error": {"status": 429, "message": "API rate limit exceeded"}})
        );
    }
    h.ok(&tokens.access, "/me/top/tracks").await;
    h.ok(&tokens.access, "/me").await;
    assert_eq!(h.fake.request_count("GET /v1/me/top/tracks"), 3);
    assert_eq!(h.fake.request_count("GET /v1/me"), 1);
    assert_eq!(h.fake.total_api_requests(), 4);

    // Every route, for one persona only, until cleared.
    h.fake.inject(Fault {
        route: None,
        persona: Some("alice".to_owned()),
        kind: FaultKind::Status(503),
        times: None,
    });
    for path in ["/me", "/me/playlists", "/me/player/recently-played"] {
        let (status, _, body) = h.get(&tokens.access, path).await;
        assert_eq!(error_of(status, &body).0, 503);
    }
    h.ok(&bob.access, "/me").await;
    h.fake.clear_faults();
    h.ok(&tokens.access, "/me").await;

    h.fake.inject(Fault {
        route: Some("GET /v1/playlists/{id}/items".to_owned()),
        persona: None,
        kind: FaultKind::Status(502),
        times: Some(1),
    });
    let facts = h.fake.persona_facts("alice").unwrap();
    let path = format!("/playlists/{}/items", facts.playlists[0].id);
    let (status, _, body) = h.get(&tokens.access, &path).await;
    assert_eq!(error_of(status, &body).0, 502);
    h.ok(&tokens.access, &path).await;
    assert_eq!(h.fake.request_count("GET /v1/playlists/{id}/items"), 2);

    h.fake.inject(Fault {
        route: None,
        persona: None,
        kind: FaultKind::Delay(std::time::Duration::from_millis(300)),
        times: Some(1),
    });
    let started = Instant::now();
    h.ok(&tokens.access, "/me").await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));

    // The token endpoint, by its route.
    h.fake.inject(Fault {
        route: Some("POST /api/token".to_owned()),
        persona: Some("alice".to_owned()),
        kind: FaultKind::Status(500),
        times: Some(1),
    });
    assert_eq!(h.refresh(&bob.refresh).await.0, StatusCode::OK);
    let (status, body) = h.refresh(&tokens.refresh).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body["error"], "server_error");
    assert_eq!(h.refresh(&tokens.refresh).await.0, StatusCode::OK);
    assert_eq!(h.fake.token_requests("refresh_token"), 3);
    assert_eq!(h.fake.request_count("POST /api/token"), 3);
    h.fake.reset_counters();
    assert_eq!(h.fake.total_api_requests(), 0);
    assert_eq!(h.fake.request_count("GET /v1/me"), 0);
}

#[tokio::test]
async fn touching_a_playlist_changes_its_snapshot() {
    let h = start().await;
    let tokens = h.login("alice").await;
    let facts = h.fake.persona_facts("alice").unwrap();
    let playlist = facts
        .playlists
        .iter()
        .find(|p| p.name == "Sunday Morning")
        .unwrap();
    let held_before = playlist.top_tracks_held[0];
    let listed = |page: &Value| -> Value {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"].as_str() == Some(playlist.id.as_str()))
            .unwrap()
            .clone()
    };
    let before = listed(&h.ok(&tokens.access, "/me/playlists?limit=50").await);
    assert_eq!(
        before["snapshot_id"].as_str(),
        Some(playlist.snapshot_id.as_str())
    );
    let added = h.fake.touch_playlist(&playlist.id);
    let after = listed(&h.ok(&tokens.access, "/me/playlists?limit=50").await);
    assert_ne!(after["snapshot_id"], before["snapshot_id"]);
    assert_eq!(after["items"]["total"], playlist.total + 1);
    let last = h
        .ok(
            &tokens.access,
            &format!("/playlists/{}/items?offset={}", playlist.id, playlist.total),
        )
        .await;
    assert_eq!(
        last["items"][0]["item"]["id"].as_str(),
        Some(added.as_str())
    );
    let facts = h.fake.persona_facts("alice").unwrap();
    let now = facts
        .playlists
        .iter()
        .find(|p| p.id == playlist.id)
        .unwrap();
    assert_eq!(now.top_tracks_held[0], held_before + 1);
    assert_eq!(now.snapshot_id, after["snapshot_id"].as_str().unwrap());
}

#[tokio::test]
async fn persona_facts_match_what_the_api_serves() {
    let h = start().await;
    let facts = h.fake.persona_facts("alice").unwrap();
    assert_eq!(facts.user_id, "alice_demo");
    assert_eq!(facts.artists_in_all_ranges().len(), 16);
    assert_eq!(facts.artists_falling_off().len(), 10);
    for range in ["short_term", "medium_term", "long_term"] {
        assert_eq!(facts.top_tracks.get(range).unwrap().len(), 50);
        assert_eq!(facts.top_artists.get(range).unwrap().len(), 50);
    }
    assert!(facts.plays > 1000);
    let tokens = h.login("alice").await;
    let me = h.ok(&tokens.access, "/me").await;
    assert_eq!(me["account_id"].as_str(), Some(facts.account_id.as_str()));
    let served: Vec<String> = h
        .ok(
            &tokens.access,
            "/me/top/artists?time_range=short_term&limit=50",
        )
        .await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(served, facts.top_artists.short_term);
    let owned: Vec<_> = facts
        .playlists
        .iter()
        .filter(|p| p.owner_id == "alice_demo")
        .collect();
    assert_eq!(owned.len(), 12);
    let held: Vec<usize> = owned.iter().map(|p| p.top_tracks_held[0]).collect();
    assert_eq!(held.iter().max(), Some(&30));
    assert!(held.contains(&0));

    let bob = h.fake.persona_facts("bob").unwrap();
    assert_eq!(bob.top_tracks.medium_term.len(), 35);
    assert_eq!(bob.artists_in_all_ranges().len(), 22);
    assert_eq!(bob.artists_falling_off().len(), 5);
    let alice_artists: HashSet<&String> = facts.top_artists.long_term.iter().collect();
    let shared = bob
        .top_artists
        .long_term
        .iter()
        .filter(|a| alice_artists.contains(a))
        .count();
    assert!(shared * 2 < bob.top_artists.long_term.len());

    let empty = h.fake.persona_facts("empty").unwrap();
    assert!(empty.top_tracks.medium_term.is_empty() && empty.playlists.is_empty());
    assert_eq!(empty.plays, 0);
    let tokens = h.login("empty").await;
    let top = h.ok(&tokens.access, "/me/top/tracks").await;
    assert_eq!(
        (
            top["total"].as_u64(),
            top["items"].as_array().unwrap().len()
        ),
        (Some(0), 0)
    );
    assert_eq!(h.ok(&tokens.access, "/me/playlists").await["total"], 0);

    let markup = h.login("markup").await;
    let me = h.ok(&markup.access, "/me").await;
    assert_eq!(
        me["display_name"],
        "<img src=x onerror=alert(1)> Mallory & \"Co\""
    );
    let artists = h.ok(&markup.access, "/me/top/artists?limit=50").await;
    assert!(
        artists["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "<script>alert(\"x\")</script>")
    );
    assert!(h.fake.persona_facts("nobody").is_none());
}

#[tokio::test]
async fn nested_under_a_prefix_links_stay_on_the_prefix() {
    let fake = FakeSpotify::new(FakeConfig::default());
    let app = axum::Router::new().nest("/demo-spotify", fake.router());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let h = Harness {
        fake,
        clock: Clock::system(),
        base: format!("http://{address}/demo-spotify"),
        http: Client::builder().redirect(Policy::none()).build().unwrap(),
    };
    let tokens = h.login("alice").await;
    let page = h.ok(&tokens.access, "/me/top/tracks").await;
    let next = page["next"].as_str().unwrap();
    assert!(
        next.starts_with(&format!("http://{address}/demo-spotify/v1/me/top/tracks?")),
        "{next}"
    );
    h.ok(&tokens.access, next).await;
    assert_eq!(h.fake.request_count("GET /v1/me/top/tracks"), 2);
    let response = h
        .http
        .get(format!("{}/authorize", h.base))
        .query(&authorize_query(None, None))
        .send()
        .await
        .unwrap();
    let url = response.url().clone();
    let html = response.text().await.unwrap();
    let link = hrefs(&html)
        .into_iter()
        .find(|l| l.ends_with("persona=bob"))
        .unwrap();
    let response = h.http.get(url.join(&link).unwrap()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
}

// ---------------------------------------------------------------------------------------------
// Conformance: fixtures, OpenAPI, Euterpe's models

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

/// Spotify's OpenAPI description (the JSON conversion of the fixture's YAML).
struct OpenApi {
    doc: Value,
}

/// A schema with `$ref`, `allOf` and `oneOf` resolved into one set of properties.
#[derive(Default)]
struct Flat {
    kind: Option<String>,
    nullable: bool,
    properties: BTreeMap<String, Value>,
    required: BTreeSet<String>,
    items: Option<Value>,
}

impl Flat {
    fn merge(&mut self, other: Flat) {
        self.kind = other.kind.or(self.kind.take());
        self.nullable |= other.nullable;
        self.properties.extend(other.properties);
        self.required.extend(other.required);
        self.items = other.items.or(self.items.take());
    }
}

impl OpenApi {
    fn load() -> Self {
        Self {
            doc: fixture("openapi/fixed-spotify-open-api.json"),
        }
    }

    fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let pointer = reference.strip_prefix('#').expect("local reference");
            schema = self
                .doc
                .pointer(pointer)
                .unwrap_or_else(|| panic!("dangling {reference}"));
        }
        schema
    }

    fn flatten(&self, schema: &Value) -> Flat {
        let schema = self.resolve(schema);
        let mut flat = Flat::default();
        for part in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            flat.merge(self.flatten(part));
        }
        // Playlist entries are a TrackObject or an EpisodeObject: the fake serves tracks.
        if let Some(first) = schema.get("oneOf").and_then(|o| o.get(0)) {
            flat.merge(self.flatten(first));
        }
        let mut own = Flat {
            kind: schema
                .get("type")
                .and_then(Value::as_str)
                .map(str::to_owned),
            nullable: schema.get("nullable") == Some(&Value::Bool(true)),
            items: schema.get("items").cloned(),
            ..Flat::default()
        };
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            own.properties = properties.clone().into_iter().collect();
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            own.required = required
                .iter()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect();
        }
        flat.merge(own);
        flat
    }

    /// The schema of a path's `200` answer.
    fn answer(&self, path: &str) -> Value {
        let response = self.resolve(&self.doc["paths"][path]["get"]["responses"]["200"]);
        response["content"]["application/json"]["schema"].clone()
    }

    fn schema(&self, name: &str) -> Value {
        json!({ "$ref": format!("#/components/schemas/{name}") })
    }
}

/// Fields the recorded objects have that the fake rightly never sends: track relinking only
/// happens when a `market` is asked for (`is_playable`, `linked_from`), `birthdate` left the API
/// years ago, `restrictions` only come with restricted content.
const NEVER_EXPECTED: [&str; 4] = ["is_playable", "linked_from", "birthdate", "restrictions"];
/// Spotify's documented 2026 renames: `tracks` → `items` on playlists, `track` → `item` on
/// playlist entries.
const RENAMED: [(&str, &str); 2] = [("tracks", "items"), ("track", "item")];

/// Holds one answer of the fake against a schema of the OpenAPI description and against the
/// corresponding recorded object, recursively: the recorded object's keys are all present
/// (modulo development-mode stripping, the renames and `NEVER_EXPECTED`), every key is known to
/// the schema or the recording, JSON types agree with both, `required` holds.
struct Conformance<'a> {
    api: &'a OpenApi,
    development: bool,
    /// Keys that may be `null` although the schema does not say so (what Spotify really does).
    null_ok: &'a [&'a str],
    errors: Vec<String>,
}

fn type_matches(value: &Value, kind: &str) -> bool {
    match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        _ => true,
    }
}

impl Conformance<'_> {
    fn check(
        &mut self,
        path: &str,
        value: &Value,
        schema: Option<&Value>,
        example: Option<&Value>,
    ) {
        let flat = schema.map(|s| self.api.flatten(s)).unwrap_or_default();
        let key = path.rsplit('.').next().unwrap_or(path);
        if value.is_null() {
            let allowed =
                flat.nullable || example.is_some_and(Value::is_null) || self.null_ok.contains(&key);
            if !allowed {
                self.errors.push(format!("{path}: null"));
            }
            return;
        }
        if let Some(kind) = &flat.kind
            && !type_matches(value, kind)
        {
            self.errors.push(format!(
                "{path}: {} is not a schema {kind}",
                json_type(value)
            ));
        }
        if let Some(example) = example.filter(|e| !e.is_null())
            && json_type(example) != json_type(value)
        {
            self.errors.push(format!(
                "{path}: {} where the recording has {}",
                json_type(value),
                json_type(example)
            ));
        }
        match value {
            Value::Object(map) => {
                for required in &flat.required {
                    let stripped =
                        self.development && STRIPPED_IN_DEVELOPMENT.contains(&required.as_str());
                    if !map.contains_key(required) && !stripped {
                        self.errors
                            .push(format!("{path}: required `{required}` missing"));
                    }
                }
                if self.development {
                    for stripped in STRIPPED_IN_DEVELOPMENT {
                        // Albums' `genres` is documented as always empty, not as deprecated data.
                        let album_genres =
                            stripped == "genres" && map.get("type") == Some(&json!("album"));
                        if map.contains_key(stripped) && !album_genres {
                            self.errors
                                .push(format!("{path}: `{stripped}` in development mode"));
                        }
                    }
                }
                let mut examples: BTreeMap<String, &Value> = BTreeMap::new();
                for (recorded_key, recorded) in
                    example.and_then(Value::as_object).into_iter().flatten()
                {
                    let mut ours = recorded_key.clone();
                    if !map.contains_key(recorded_key)
                        && let Some((_, renamed)) =
                            RENAMED.iter().find(|(old, _)| old == recorded_key)
                    {
                        ours = (*renamed).to_owned();
                    }
                    let stripped = self.development
                        && STRIPPED_IN_DEVELOPMENT.contains(&recorded_key.as_str());
                    if NEVER_EXPECTED.contains(&recorded_key.as_str()) || stripped {
                        continue;
                    }
                    if !map.contains_key(&ours) {
                        self.errors
                            .push(format!("{path}: recorded `{recorded_key}` missing"));
                    }
                    examples.insert(ours, recorded);
                }
                for (name, child) in map {
                    let child_schema = flat.properties.get(name);
                    let child_example = examples.get(name).copied();
                    if child_schema.is_none() && child_example.is_none() {
                        self.errors.push(format!("{path}: unknown key `{name}`"));
                        continue;
                    }
                    self.check(
                        &format!("{path}.{name}"),
                        child,
                        child_schema,
                        child_example,
                    );
                }
            }
            Value::Array(items) => {
                let first = example.and_then(Value::as_array).and_then(|a| a.first());
                for (index, item) in items.iter().enumerate() {
                    self.check(
                        &format!("{path}[{index}]"),
                        item,
                        flat.items.as_ref(),
                        first,
                    );
                }
            }
            _ => {}
        }
    }
}

fn conform(
    api: &OpenApi,
    development: bool,
    null_ok: &[&str],
    value: &Value,
    schema: &Value,
    example: &Value,
) {
    let mut check = Conformance {
        api,
        development,
        null_ok,
        errors: Vec::new(),
    };
    check.check("$", value, Some(schema), Some(example));
    assert!(
        check.errors.is_empty(),
        "{} problems, first: {:#?}",
        check.errors.len(),
        &check.errors[..check.errors.len().min(15)]
    );
}

#[tokio::test]
async fn answers_conform_to_the_fixtures_and_the_openapi_description() {
    let api = OpenApi::load();
    let h = start().await;
    let tokens = h.login("alice").await;
    let facts = h.fake.persona_facts("alice").unwrap();
    let big = &facts.playlists.iter().find(|p| p.total == 230).unwrap().id;
    let road_trip = &facts
        .playlists
        .iter()
        .find(|p| p.name == "Road Trip 2025")
        .unwrap()
        .id;
    let artist = &facts.top_artists.long_term[0];
    let recorded_artists = fixture("webapi/artists_several_pre2026.json");

    for mode in [Mode::Development, Mode::ExtendedQuota] {
        h.fake.set_mode(mode);
        let development = mode == Mode::Development;
        let get = |path: String| {
            let token = tokens.access.clone();
            let h = &h;
            async move { h.ok(&token, &path).await }
        };
        conform(
            &api,
            development,
            &[],
            &get("/me".into()).await,
            &api.answer("/me"),
            &fixture("webapi/me_pre2026.json"),
        );
        for range in ["short_term", "medium_term", "long_term"] {
            conform(
                &api,
                development,
                &[],
                &get(format!("/me/top/tracks?limit=50&time_range={range}")).await,
                &api.answer("/me/top/tracks"),
                &fixture("webapi/me_top_tracks.json"),
            );
            conform(
                &api,
                development,
                &[],
                &get(format!("/me/top/artists?limit=50&time_range={range}")).await,
                &api.answer("/me/top/artists"),
                &fixture("webapi/me_top_artists.json"),
            );
        }
        // The cursor paging object's `next` is "`null` if none" in prose, not in its schema.
        conform(
            &api,
            development,
            &["next"],
            &get("/me/player/recently-played?limit=50".into()).await,
            &api.answer("/me/player/recently-played"),
            &fixture("webapi/me_player_recently_played.json"),
        );
        // Spotify answers `images: null` for some playlists; the description says array.
        conform(
            &api,
            development,
            &["images"],
            &get("/me/playlists?limit=50".into()).await,
            &api.answer("/me/playlists"),
            &fixture("webapi/me_playlists_pre2026.json"),
        );
        for id in [big, road_trip] {
            let mut page = get(format!("/playlists/{id}/items?limit=50")).await;
            // Local files come with `null` ids and links, which the description does not
            // allow for; Euterpe's models must cope (checked below), the schema cannot.
            page["items"]
                .as_array_mut()
                .unwrap()
                .retain(|entry| entry["is_local"] == false);
            conform(
                &api,
                development,
                &[],
                &page,
                &api.answer("/playlists/{playlist_id}/items"),
                &fixture("webapi/playlist_items_pre2026.json"),
            );
        }
        conform(
            &api,
            development,
            &[],
            &get(format!("/artists/{artist}")).await,
            &api.answer("/artists/{id}"),
            &recorded_artists["artists"][0],
        );
        if !development {
            conform(
                &api,
                false,
                &[],
                &get(format!(
                    "/artists?ids={artist},{}",
                    facts.top_artists.long_term[1]
                ))
                .await,
                &api.answer("/artists"),
                &recorded_artists,
            );
            let album =
                get(format!("/tracks/{}", facts.top_tracks.long_term[0])).await["album"]["id"]
                    .as_str()
                    .unwrap()
                    .to_owned();
            let full = get(format!("/albums/{album}")).await;
            let mut check = Conformance {
                api: &api,
                development: false,
                null_ok: &[],
                errors: Vec::new(),
            };
            check.check("$", &full, Some(&api.answer("/albums/{id}")), None);
            assert!(check.errors.is_empty(), "{:#?}", check.errors);
        }
    }

    // Error bodies are ErrorObjects.
    let error_schema = api.schema("ErrorObject");
    for (token, path) in [
        ("nope", "/me".to_owned()),
        (tokens.access.as_str(), "/me/top/tracks?limit=0".to_owned()),
        (
            tokens.access.as_str(),
            "/artists/0000000000000000000000".to_owned(),
        ),
        (tokens.access.as_str(), "/no/such/route".to_owned()),
    ] {
        let (status, _, body) = h.get(token, &path).await;
        assert!(status.is_client_error(), "{path}");
        assert_eq!(body.as_object().unwrap().len(), 1);
        let mut check = Conformance {
            api: &api,
            development: true,
            null_ok: &[],
            errors: Vec::new(),
        };
        check.check("$.error", &body["error"], Some(&error_schema), None);
        assert!(check.errors.is_empty(), "{path}: {:#?}", check.errors);
    }
}

#[tokio::test]
async fn euterpe_models_parse_every_answer() {
    let h = start().await;
    let tokens = h.login("alice").await;
    let facts = h.fake.persona_facts("alice").unwrap();
    for mode in [Mode::Development, Mode::ExtendedQuota] {
        h.fake.set_mode(mode);
        let extended = mode == Mode::ExtendedQuota;

        let user: CurrentUser = serde_json::from_str(&h.text(&tokens.access, "/me").await).unwrap();
        assert_eq!(user.stable_id(), facts.account_id);
        assert_eq!(user.email.is_some(), extended);

        let tracks: Page<Track> =
            serde_json::from_str(&h.text(&tokens.access, "/me/top/tracks?limit=50").await).unwrap();
        assert_eq!((tracks.items.len(), tracks.total), (50, 50));
        assert!(
            tracks
                .items
                .iter()
                .all(|t| t.popularity.is_some() == extended)
        );
        assert!(
            tracks
                .items
                .iter()
                .all(|t| t.album.release_date.is_some() && !t.artists.is_empty())
        );
        assert!(tracks.items.iter().all(|t| t.external_ids.isrc.is_some()));

        let artists: Page<Artist> =
            serde_json::from_str(&h.text(&tokens.access, "/me/top/artists?limit=50").await)
                .unwrap();
        assert!(artists.items.iter().all(|a| a.genres.is_some() == extended));
        assert!(
            artists
                .items
                .iter()
                .all(|a| a.followers.is_some() == extended)
        );

        let playlists: Page<Playlist> =
            serde_json::from_str(&h.text(&tokens.access, "/me/playlists?limit=50").await).unwrap();
        assert_eq!(playlists.items.len(), 17);
        for (parsed, fact) in playlists.items.iter().zip(&facts.playlists) {
            assert_eq!(parsed.id, fact.id);
            assert_eq!(parsed.total() as usize, fact.total);
            assert_eq!(parsed.owner.id, fact.owner_id);
        }

        let road_trip = facts
            .playlists
            .iter()
            .find(|p| p.name == "Road Trip 2025")
            .unwrap();
        let mut entries: Vec<PlaylistEntry> = Vec::new();
        for offset in (0..road_trip.total).step_by(50) {
            let page: Page<PlaylistEntry> = serde_json::from_str(
                &h.text(
                    &tokens.access,
                    &format!("/playlists/{}/items?limit=50&offset={offset}", road_trip.id),
                )
                .await,
            )
            .unwrap();
            entries.extend(page.items);
        }
        assert_eq!(entries.len(), road_trip.total);
        let contents: Vec<&Track> = entries.iter().map(|e| e.content().expect("item")).collect();
        assert_eq!(
            contents
                .iter()
                .filter(|t| t.is_local && t.id.is_empty())
                .count(),
            1
        );
        let ids: Vec<&str> = contents
            .iter()
            .filter(|t| !t.is_local)
            .map(|t| t.id.as_str())
            .collect();
        let distinct: HashSet<&str> = ids.iter().copied().collect();
        assert_eq!(ids.len(), distinct.len() + 1, "one duplicate entry");

        let recent: RecentlyPlayed = serde_json::from_str(
            &h.text(&tokens.access, "/me/player/recently-played?limit=50")
                .await,
        )
        .unwrap();
        assert_eq!(recent.items.len(), 50);
        assert!(recent.cursors.is_some());

        let artist: Artist = serde_json::from_str(
            &h.text(
                &tokens.access,
                &format!("/artists/{}", facts.top_artists.short_term[0]),
            )
            .await,
        )
        .unwrap();
        assert_eq!(artist.id, facts.top_artists.short_term[0]);

        if extended {
            let several: Artists = serde_json::from_str(
                &h.text(
                    &tokens.access,
                    &format!(
                        "/artists?ids={},0000000000000000000000",
                        facts.top_artists.short_term[0]
                    ),
                )
                .await,
            )
            .unwrap();
            assert_eq!(several.artists.len(), 2);
            assert!(several.artists[0].is_some() && several.artists[1].is_none());
        }
    }
}

#[tokio::test]
async fn catalogue_covers_the_edge_cases_panels_meet() {
    let h = start_with(Mode::ExtendedQuota, false).await;
    let tokens = h.login("alice").await;
    let mut dates = BTreeSet::new();
    let mut album_names: Vec<(String, String)> = Vec::new();
    let mut featured = false;
    let mut image_widths = BTreeSet::new();
    for range in ["short_term", "medium_term", "long_term"] {
        let page = h
            .ok(
                &tokens.access,
                &format!("/me/top/tracks?limit=50&time_range={range}"),
            )
            .await;
        for track in page["items"].as_array().unwrap() {
            let album = &track["album"];
            dates.insert((
                album["release_date_precision"].as_str().unwrap().to_owned(),
                album["release_date"].as_str().unwrap().to_owned(),
            ));
            album_names.push((
                album["name"].as_str().unwrap().to_owned(),
                album["id"].as_str().unwrap().to_owned(),
            ));
            featured |= track["artists"].as_array().unwrap().len() >= 2;
            for image in album["images"].as_array().unwrap() {
                image_widths.insert(image["width"].as_u64().unwrap());
                assert!(
                    image["url"]
                        .as_str()
                        .unwrap()
                        .starts_with("https://i.scdn.co/image/")
                );
            }
            let id = track["id"].as_str().unwrap();
            assert_eq!(
                track["uri"].as_str().unwrap(),
                format!("spotify:track:{id}")
            );
            assert_eq!(
                track["external_urls"]["spotify"].as_str().unwrap(),
                format!("https://open.spotify.com/track/{id}")
            );
        }
    }
    assert!(featured);
    assert_eq!(image_widths, BTreeSet::from([64, 300, 640]));
    for (precision, date) in [
        ("day", "1987-06-15"),
        ("month", "1994-03"),
        ("year", "1971"),
        ("year", "0000"),
    ] {
        assert!(
            dates.contains(&(precision.to_owned(), date.to_owned())),
            "alice's top tracks include a {precision} date {date}"
        );
    }
    let greatest: HashSet<&String> = album_names
        .iter()
        .filter(|(name, _)| name == "Greatest Hits")
        .map(|(_, id)| id)
        .collect();
    assert_eq!(
        greatest.len(),
        2,
        "two different albums called Greatest Hits"
    );
    let names: Vec<String> = h
        .ok(
            &tokens.access,
            "/me/top/artists?limit=50&time_range=long_term",
        )
        .await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(names.iter().any(|n| n.contains("<script>")));
    assert!(names.iter().any(|n| n.contains('🌙')));
}
