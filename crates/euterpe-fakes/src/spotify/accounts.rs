//! The accounts service: `GET /authorize` (a persona chooser instead of a Spotify login) and
//! `POST /api/token` (authorization-code and refresh-token grants, with PKCE).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use maud::{DOCTYPE, Markup, html};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::personas::{self, NAMES, PERSONAS};
use super::{
    AccessToken, CODE_LIFETIME, Code, FakeSpotify, Grant, REFRESH_LIFETIME, RefreshToken,
    decode_component, encode_component, parse_form, random_token,
};

const PAGE_TITLE: &str = "Euterpe demo — sign in to the fake Spotify";

/// The page's own policy: it needs nothing but its HTML.
const PAGE_CSP: &str =
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The CSP of a page that links a same-origin stylesheet.
const STYLED_PAGE_CSP: &str = "default-src 'none'; style-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

fn page(status: StatusCode, title: &str, body: Markup, stylesheet: Option<&str>) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                @if let Some(href) = stylesheet { link rel="stylesheet" href=(href); }
            }
            body {
                main.fake-sign-in { (body) }
            }
        }
    };
    let mut response = (status, markup).into_response();
    let headers = response.headers_mut();
    let csp = if stylesheet.is_some() {
        STYLED_PAGE_CSP
    } else {
        PAGE_CSP
    };
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Spotify shows its errors before a redirect URI is trusted as a bare page.
fn error_page(message: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Error — fake Spotify",
        html! {
            h1 { "Something went wrong" }
            p { (message) }
        },
        None,
    )
}

/// A redirect URI the fake will send a browser to: absolute HTTP(S), no fragment, and plain
/// ASCII so it can go into a `Location` header unchanged.
fn valid_redirect_uri(uri: &str) -> bool {
    (uri.starts_with("https://") || uri.starts_with("http://"))
        && uri.len() > "https://".len()
        && uri.bytes().all(|b| b.is_ascii_graphic())
        && !uri.contains('#')
}

/// Whether `uri` is on the host (and port) the request was sent to.
fn same_origin(uri: &str, headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    url::Url::parse(uri).is_ok_and(|url| {
        let authority = match (url.host_str(), url.port()) {
            (Some(name), Some(port)) => format!("{name}:{port}"),
            (Some(name), None) => name.to_owned(),
            (None, _) => return false,
        };
        authority.eq_ignore_ascii_case(host)
    })
}

/// A PKCE S256 challenge: 43–128 unreserved characters (base64url of a SHA-256 is 43).
fn valid_challenge(challenge: &str) -> bool {
    (43..=128).contains(&challenge.len())
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// `redirect_uri` plus query parameters, joined the way the URI needs.
fn redirect_to(redirect_uri: &str, params: &[(&str, Option<&str>)]) -> String {
    let mut url = redirect_uri.to_owned();
    let mut separator = if url.contains('?') { '&' } else { '?' };
    for (name, value) in params {
        if let Some(value) = value {
            url.push(separator);
            url.push_str(name);
            url.push('=');
            url.push_str(&encode_component(value));
            separator = '&';
        }
    }
    url
}

/// `GET /authorize`: validates the request like Spotify, then either shows the persona chooser
/// or, with `persona=NAME`, approves at once and redirects with a code.
pub(super) async fn authorize(
    State(fake): State<FakeSpotify>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let raw = raw.unwrap_or_default();
    let query = parse_form(raw.as_bytes());
    let get = |name: &str| {
        query
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };

    if get("client_id") != Some(fake.config().client_id.as_str()) {
        return error_page("INVALID_CLIENT: Invalid client");
    }
    let Some(redirect_uri) = get("redirect_uri")
        .filter(|uri| valid_redirect_uri(uri))
        .filter(|uri| !fake.config().same_origin_redirects || same_origin(uri, &headers))
    else {
        return error_page("INVALID_CLIENT: Invalid redirect URI");
    };
    if get("response_type") != Some("code") {
        return error_page("unsupported_response_type: response_type must be code");
    }
    let challenge = get("code_challenge");
    match (challenge, get("code_challenge_method")) {
        (None, None) => {}
        (Some(challenge), Some("S256")) if valid_challenge(challenge) => {}
        (Some(_), Some("S256")) => return error_page("INVALID_REQUEST: Invalid code_challenge"),
        _ => return error_page("INVALID_REQUEST: code_challenge_method must be S256"),
    }
    let state = get("state");
    let scope = get("scope")
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");

    match get("persona") {
        Some(name) => match personas::index_of(name) {
            Some(persona) => {
                let code = random_token("AQ");
                let now = fake.now();
                let mut all = fake.state();
                // Forget codes nobody will exchange any more.
                all.codes
                    .retain(|_, code| code.grant.is_some() || now - code.issued_at < CODE_LIFETIME);
                all.codes.insert(
                    code.clone(),
                    Code {
                        client_id: fake.config().client_id.clone(),
                        redirect_uri: redirect_uri.to_owned(),
                        persona,
                        scope,
                        challenge: challenge.map(str::to_owned),
                        issued_at: now,
                        grant: None,
                    },
                );
                drop(all);
                let location =
                    redirect_to(redirect_uri, &[("code", Some(&code)), ("state", state)]);
                redirect(&location)
            }
            None => chooser(
                &raw,
                redirect_uri,
                state,
                &scope,
                Some(name),
                fake.config().stylesheet.as_deref(),
            ),
        },
        None => chooser(
            &raw,
            redirect_uri,
            state,
            &scope,
            None,
            fake.config().stylesheet.as_deref(),
        ),
    }
}

fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => error_page("INVALID_CLIENT: Invalid redirect URI"),
    }
}

/// The sign-in page: plain semantic HTML (no styles or scripts, which Euterpe's CSP forbids),
/// one link per persona that repeats this very request with `&persona=NAME`.
fn chooser(
    raw_query: &str,
    redirect_uri: &str,
    state: Option<&str>,
    scope: &str,
    unknown: Option<&str>,
    stylesheet: Option<&str>,
) -> Response {
    // Keep the original parameters byte for byte; only a previous `persona` choice goes.
    let kept: Vec<&str> = raw_query
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("persona="))
        .collect();
    let base = kept.join("&");
    let link = |name: &str| format!("?{base}&persona={}", encode_component(name));
    let cancel = redirect_to(
        redirect_uri,
        &[("error", Some("access_denied")), ("state", state)],
    );
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    let body = html! {
        h1 { "Sign in to the fake Spotify" }
        p {
            "This is " strong { "Euterpe's demo" } ". Instead of Spotify, a built-in stand-in "
            "answers, with made-up listeners and made-up music. Nothing you do here reaches "
            "Spotify, and no password is needed."
        }
        @if let Some(name) = unknown {
            p role="alert" { "There is no demo listener called “" (name) "”. Pick one below." }
        }
        h2 { "Choose who to be" }
        ul.persona-list {
            @for (index, name) in NAMES.iter().enumerate() {
                li {
                    a.button href=(link(name)) { (name) }
                    " " span.hint { (PERSONAS[index].description) }
                }
            }
        }
        @if !scopes.is_empty() {
            h2 { "What Euterpe asks to see" }
            ul {
                @for scope in &scopes {
                    li { code { (scope) } }
                }
            }
        }
        p { a href=(cancel) { "Cancel" } " and go back without signing in." }
    };
    let status = if unknown.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    page(status, PAGE_TITLE, body, stylesheet)
}

/// An OAuth error answer of the token endpoint.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = (
        status,
        axum::Json(json!({ "error": error, "error_description": description })),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn invalid_grant(description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", description)
}

fn invalid_client() -> Response {
    oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Invalid client")
}

/// Who is calling: `Some(true)` a confidential client (HTTP Basic with the secret),
/// `Some(false)` a public PKCE client (`client_id` in the form), `None` neither.
fn authenticate(
    fake: &FakeSpotify,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Option<bool> {
    let config = fake.config();
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "));
    if let Some(encoded) = basic {
        let decoded = STANDARD.decode(encoded.trim()).ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        // RFC 6749 §2.3.1 form-encodes both before Basic (the `oauth2` crate does); accept
        // them either way.
        let matches = |given: &str, expected: &str| {
            given == expected || decode_component(given.as_bytes()) == expected
        };
        let id_ok = matches(id, &config.client_id);
        let form_id_agrees = form
            .get("client_id")
            .is_none_or(|form_id| *form_id == config.client_id);
        return (id_ok && matches(secret, &config.client_secret) && form_id_agrees).then_some(true);
    }
    (form.get("client_id") == Some(&config.client_id)).then_some(false)
}

/// `POST /api/token`.
pub(super) async fn token(
    State(fake): State<FakeSpotify>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
    if !form_type {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Content-Type must be application/x-www-form-urlencoded",
        );
    }
    let form = parse_form(&body);
    let Some(confidential) = authenticate(&fake, &headers, &form) else {
        return invalid_client();
    };
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => exchange_code(&fake, &form, confidential),
        Some("refresh_token") => refresh(&fake, &form),
        None => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type parameter is missing",
        ),
        Some(_) => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be client_credentials, authorization_code or refresh_token",
        ),
    }
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn token_answer(fake: &FakeSpotify, access: &str, scope: &str, refresh: Option<&str>) -> Response {
    let mut body = json!({
        "access_token": access,
        "token_type": "Bearer",
        "scope": scope,
        "expires_in": fake.config().access_token_lifetime.whole_seconds(),
    });
    if let Some(refresh) = refresh {
        body["refresh_token"] = json!(refresh);
    }
    let mut response = (StatusCode::OK, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn exchange_code(
    fake: &FakeSpotify,
    form: &HashMap<String, String>,
    confidential: bool,
) -> Response {
    let client_id = fake.config().client_id.clone();
    let now = fake.now();
    let verifier = form.get("code_verifier").filter(|v| !v.is_empty());
    if !confidential && verifier.is_none() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "code_verifier required",
        );
    }
    let mut state = fake.state();
    let Some(code) = form.get("code").and_then(|code| state.codes.get(code)) else {
        return invalid_grant("Invalid authorization code");
    };
    if code.client_id != client_id {
        return invalid_grant("Invalid authorization code");
    }
    if let Some(grant) = code.grant {
        // A code used twice was probably stolen: whatever it bought is revoked (RFC 6749 §4.1.2).
        state.grants[grant].revoked = true;
        return invalid_grant("Invalid authorization code");
    }
    if now - code.issued_at >= CODE_LIFETIME {
        return invalid_grant("Invalid authorization code");
    }
    if form.get("redirect_uri") != Some(&code.redirect_uri) {
        return invalid_grant("Invalid redirect URI");
    }
    let verified = match (&code.challenge, verifier) {
        (Some(challenge), Some(verifier)) => s256(verifier) == *challenge,
        (Some(_), None) => false,
        // A verifier for a code that had no challenge proves nothing.
        (None, Some(_)) => false,
        (None, None) => true,
    };
    if !verified {
        return invalid_grant("code_verifier was incorrect");
    }
    let grant = Grant {
        persona: code.persona,
        client_id,
        scope: code.scope.clone(),
        authorized_at: code.issued_at,
        revoked: false,
    };
    let scope = grant.scope.clone();
    let code_key = form.get("code").cloned().unwrap_or_default();
    state.grants.push(grant);
    let grant = state.grants.len() - 1;
    if let Some(code) = state.codes.get_mut(&code_key) {
        code.grant = Some(grant);
    }
    let access = random_token("BQ");
    let refresh = random_token("AQ");
    state.access.insert(
        access.clone(),
        AccessToken {
            grant,
            expires_at: now + fake.config().access_token_lifetime,
        },
    );
    state.refresh.insert(
        refresh.clone(),
        RefreshToken {
            grant,
            superseded: false,
            revoked: false,
        },
    );
    drop(state);
    token_answer(fake, &access, &scope, Some(&refresh))
}

fn refresh(fake: &FakeSpotify, form: &HashMap<String, String>) -> Response {
    let now = fake.now();
    let mut state = fake.state();
    let presented = form.get("refresh_token").cloned().unwrap_or_default();
    let Some(token) = state.refresh.get(&presented) else {
        return invalid_grant("Invalid refresh token");
    };
    let grant_index = token.grant;
    let grant = &state.grants[grant_index];
    if grant.client_id != fake.config().client_id || token.superseded {
        return invalid_grant("Invalid refresh token");
    }
    if token.revoked || grant.revoked {
        return invalid_grant("Refresh token revoked");
    }
    if now - grant.authorized_at >= REFRESH_LIFETIME {
        return invalid_grant("Refresh token expired");
    }
    let scope = grant.scope.clone();
    let access = random_token("BQ");
    state.access.insert(
        access.clone(),
        AccessToken {
            grant: grant_index,
            expires_at: now + fake.config().access_token_lifetime,
        },
    );
    let rotated = fake.config().rotate_refresh_tokens.then(|| {
        let fresh = random_token("AQ");
        if let Some(old) = state.refresh.get_mut(&presented) {
            old.superseded = true;
        }
        state.refresh.insert(
            fresh.clone(),
            RefreshToken {
                grant: grant_index,
                superseded: false,
                revoked: false,
            },
        );
        fresh
    });
    drop(state);
    token_answer(fake, &access, &scope, rotated.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_rfc_7636_example() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn redirects_keep_existing_queries() {
        assert_eq!(
            redirect_to(
                "https://a.example/cb",
                &[("code", Some("x y")), ("state", None)]
            ),
            "https://a.example/cb?code=x%20y"
        );
        assert_eq!(
            redirect_to(
                "http://127.0.0.1:8080/cb?k=v",
                &[("error", Some("access_denied")), ("state", Some("s&t"))]
            ),
            "http://127.0.0.1:8080/cb?k=v&error=access_denied&state=s%26t"
        );
        assert!(!valid_redirect_uri("javascript:alert(1)"));
        assert!(!valid_redirect_uri("https://a.example/cb#frag"));
    }
}
