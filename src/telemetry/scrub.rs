//! What leaves for Sentry is scrubbed here first: no cookies, no `Authorization`, no query
//! strings but the harmless ones (never the callback's `code` and `state`), no client address,
//! and nothing in a message that looks like a token or another long random string.

use std::collections::BTreeMap;

use reqwest::Url;
use sentry::protocol::{Breadcrumb, Context, Event, Request, Value};

/// What replaces a scrubbed value.
pub const REDACTED: &str = "[redacted]";

/// Request headers worth sending: none of them carries a secret or a person's address.
const SAFE_HEADERS: &[&str] = &[
    "accept",
    "accept-language",
    "content-length",
    "content-type",
    "hx-request",
    "hx-target",
    "origin",
    "sec-fetch-mode",
    "sec-fetch-site",
    "user-agent",
    "x-forwarded-proto",
    "x-request-id",
];

/// Query parameters that may stay on a URL: they choose what a page shows, nothing more.
const SAFE_QUERY_PARAMETERS: &[&str] = &["time_range", "logged_out"];

/// Tags Euterpe sets itself whose values are ids, not secrets.
const SAFE_TAGS: &[&str] = &["request_id"];

/// Words at least this long that mix letters and digits (or both cases) are taken for tokens.
const MIN_RANDOM_LEN: usize = 20;

/// Scrubs a whole event (the `before_send` hook).
pub fn event(mut event: Event<'static>) -> Event<'static> {
    if let Some(request) = event.request.take() {
        event.request = Some(self::request(request));
    }
    event.user = None;
    event.message = event.message.map(|message| text(&message));
    if let Some(entry) = event.logentry.as_mut() {
        entry.message = text(&entry.message);
        entry.params.iter_mut().for_each(value);
    }
    for exception in event.exception.values.iter_mut() {
        exception.value = exception.value.as_deref().map(text);
    }
    event.extra.values_mut().for_each(value);
    for (_, context) in event.contexts.iter_mut() {
        if let Context::Other(map) = context {
            map.values_mut().for_each(value);
        }
    }
    for (name, tag) in event.tags.iter_mut() {
        if !SAFE_TAGS.contains(&name.as_str()) {
            *tag = text(tag);
        }
    }
    event.breadcrumbs = std::mem::take(&mut event.breadcrumbs)
        .values
        .into_iter()
        .map(breadcrumb)
        .collect::<Vec<_>>()
        .into();
    event
}

/// Scrubs a breadcrumb (the `before_breadcrumb` hook, and those already on an event).
pub fn breadcrumb(mut crumb: Breadcrumb) -> Breadcrumb {
    crumb.message = crumb.message.map(|message| text(&message));
    crumb.data.values_mut().for_each(value);
    crumb
}

/// Scrubs the request of an event: safe headers only, no cookies, body or environment, and the
/// URL without its query unless every parameter is a harmless one.
pub fn request(request: Request) -> Request {
    Request {
        url: request
            .url
            .and_then(|url| url_without_secrets(url.as_str()).parse().ok()),
        method: request.method,
        headers: request
            .headers
            .into_iter()
            .filter(|(name, _)| SAFE_HEADERS.contains(&name.to_ascii_lowercase().as_str()))
            .map(|(name, header)| {
                // The request id is what ties a report to the log lines: kept as it is.
                let header = if name.eq_ignore_ascii_case("x-request-id") {
                    header
                } else {
                    text(&header)
                };
                (name, header)
            })
            .collect::<BTreeMap<_, _>>(),
        ..Request::default()
    }
}

/// A URL without userinfo, fragment, share-link token (`/s/{token}`: the path itself is the
/// key to someone's dashboard), and query (kept only when every parameter is harmless).
pub fn url_without_secrets(url: &str) -> String {
    let Ok(mut url) = Url::parse(url) else {
        return REDACTED.to_owned();
    };
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_fragment(None);
    if let Some(rest) = url.path().strip_prefix("/s/") {
        let panel = rest.split_once('/').map(|(_, panel)| panel.to_owned());
        let path = match panel {
            Some(panel) => format!("/s/{REDACTED}/{panel}"),
            None => format!("/s/{REDACTED}"),
        };
        url.set_path(&path);
    }
    let harmless = url
        .query_pairs()
        .all(|(name, _)| SAFE_QUERY_PARAMETERS.contains(&name.as_ref()));
    if !harmless {
        url.set_query(None);
    }
    url.to_string()
}

fn value(value: &mut Value) {
    match value {
        Value::String(string) => *string = text(string),
        Value::Array(values) => values.iter_mut().for_each(self::value),
        Value::Object(map) => map.values_mut().for_each(self::value),
        _ => {}
    }
}

/// Scrubs free text: query strings of URLs, what follows `Bearer`/`Basic`, the values of
/// `name=value` or `name: value` pairs whose name says secret, and long random-looking words.
pub fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut redact_next = false;
    for piece in split_keeping_whitespace(text) {
        if piece.chars().all(char::is_whitespace) {
            out.push_str(piece);
            continue;
        }
        let piece = if std::mem::take(&mut redact_next) {
            // Keep what precedes the value (a quote, say), drop the value's first run.
            let lead = piece.find(is_token_char).unwrap_or(piece.len());
            let value_end = piece[lead..]
                .find(|c: char| !is_token_char(c))
                .map_or(piece.len(), |end| lead + end);
            out.push_str(&piece[..lead]);
            let value = &piece[lead..value_end];
            if is_number(value) {
                out.push_str(value);
            } else if !value.is_empty() {
                out.push_str(REDACTED);
            }
            &piece[value_end..]
        } else {
            piece
        };
        let lower = piece.to_ascii_lowercase();
        if lower == "bearer" || lower == "basic" {
            redact_next = true;
            out.push_str(piece);
            continue;
        }
        let (scrubbed, value_follows) = word(piece);
        out.push_str(&scrubbed);
        redact_next = value_follows;
    }
    out
}

/// Splits into alternating runs of whitespace and non-whitespace.
fn split_keeping_whitespace(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut in_space = None;
    for (index, c) in text.char_indices() {
        let space = c.is_whitespace();
        if in_space.is_some_and(|was| was != space) {
            pieces.push(&text[start..index]);
            start = index;
        }
        in_space = Some(space);
    }
    if start < text.len() {
        pieces.push(&text[start..]);
    }
    pieces
}

/// Parameter names whose values are secrets wherever they appear.
const SECRET_NAMES: &[&str] = &[
    "code",
    "state",
    "access_token",
    "refresh_token",
    "token",
    "client_secret",
    "code_verifier",
    "password",
    "authorization",
    "cookie",
];

/// Scrubs one whitespace-free word. Returns it, and whether it ends with a secret's name and
/// separator whose value is the next word (`code: "AQ…"`).
fn word(word: &str) -> (String, bool) {
    // A URL: keep scheme, host and path; the query goes.
    if word.contains("://")
        && let Some(at) = word.find('?')
    {
        return (format!("{}?{REDACTED}", &word[..at]), false);
    }
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    while !rest.is_empty() {
        let run_end = rest.find(|c: char| !is_token_char(c)).unwrap_or(rest.len());
        if run_end == 0 {
            let c = rest.chars().next().expect("rest is not empty");
            out.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let run = &rest[..run_end];
        out.push_str(if looks_random(run) { REDACTED } else { run });
        rest = &rest[run_end..];
        // A secret's name followed by `=` or `:` (and maybe quotes): the value goes.
        if !SECRET_NAMES.contains(&run.to_ascii_lowercase().as_str()) {
            continue;
        }
        let separator_len = rest
            .find(|c: char| !matches!(c, '=' | ':' | '"' | '\''))
            .unwrap_or(rest.len());
        if separator_len == 0 || !rest[..separator_len].contains(['=', ':']) {
            continue;
        }
        out.push_str(&rest[..separator_len]);
        rest = &rest[separator_len..];
        let value_end = rest.find(|c: char| !is_token_char(c)).unwrap_or(rest.len());
        if value_end == 0 && rest.is_empty() {
            return (out, true);
        }
        if value_end > 0 {
            let value = &rest[..value_end];
            out.push_str(if is_number(value) { value } else { REDACTED });
            rest = &rest[value_end..];
        }
    }
    (out, false)
}

/// A plain number (an error code, a count) is never a secret.
fn is_number(value: &str) -> bool {
    !value.is_empty() && value.chars().all(|c| c.is_ascii_digit())
}

/// Characters of tokens, keys and ids (base64, base64url, hex, UUIDs, JWT segments).
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/' | '%')
}

/// Long, and mixing character classes the way random strings do (words of prose don't).
fn looks_random(run: &str) -> bool {
    if run.len() < MIN_RANDOM_LEN {
        return false;
    }
    let lower = run.chars().any(|c| c.is_ascii_lowercase());
    let upper = run.chars().any(|c| c.is_ascii_uppercase());
    let digit = run.chars().any(|c| c.is_ascii_digit());
    [lower, upper, digit]
        .into_iter()
        .filter(|&class| class)
        .count()
        >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_codes_leave_messages() {
        let access = "BQDx8a0Zk3Jq9Wm2Lp7Nc4Vb6Rt1Ys5Hu0Ge";
        let cases = [
            (
                format!("Spotify said 401 for Bearer {access}"),
                "Spotify said 401 for Bearer [redacted]".to_owned(),
            ),
            (
                "GET https://euterpe.example.com/callback?code=AQabc&state=xyz failed".to_owned(),
                "GET https://euterpe.example.com/callback?[redacted] failed".to_owned(),
            ),
            (
                "refresh_token=shortone expired; code: \"AQ1\"".to_owned(),
                "refresh_token=[redacted] expired; code: \"[redacted]\"".to_owned(),
            ),
            (
                format!("token {access} rejected"),
                "token [redacted] rejected".to_owned(),
            ),
            (
                "user 0d6f3c1e-7a2b-4c5d-9e8f-1a2b3c4d5e6f logged in".to_owned(),
                "user [redacted] logged in".to_owned(),
            ),
        ];
        for (message, expected) in cases {
            assert_eq!(text(&message), expected);
        }
    }

    #[test]
    fn plain_words_and_paths_survive() {
        for message in [
            "database unavailable: pool timed out while waiting for an open connection",
            "GET /top_songs answered 503 after 15 s",
            "error returned from database: relation \"authorization_codes_table\" does not exist",
            "panicked at src/web/panels.rs:42:9",
            "error returned from database: (code: 1) no such table: users",
        ] {
            assert_eq!(text(message), message);
        }
    }

    #[test]
    fn urls_keep_only_harmless_queries() {
        assert_eq!(
            url_without_secrets("https://e.example/callback?code=AQ123&state=abc"),
            "https://e.example/callback"
        );
        assert_eq!(
            url_without_secrets("https://e.example/top_songs?time_range=long_term"),
            "https://e.example/top_songs?time_range=long_term"
        );
        assert_eq!(
            url_without_secrets("https://u:p@e.example/x?time_range=short_term&token=1#frag"),
            "https://e.example/x"
        );
    }

    #[test]
    fn share_link_tokens_are_cut_from_urls() {
        let token = "P6NogvEAzwPii9-pzx1nbAQkTLbwQIbQECdPdMOVyHw";
        assert_eq!(
            url_without_secrets(&format!("https://e.example/s/{token}")),
            "https://e.example/s/[redacted]"
        );
        assert_eq!(
            url_without_secrets(&format!(
                "https://e.example/s/{token}/top_songs?time_range=short_term"
            )),
            "https://e.example/s/[redacted]/top_songs?time_range=short_term"
        );
        assert_eq!(
            url_without_secrets("https://e.example/shares/3/revoke"),
            "https://e.example/shares/3/revoke"
        );
    }

    #[test]
    fn requests_lose_cookies_and_credentials() {
        let request = Request {
            url: "https://e.example/callback?code=AQ&state=s".parse().ok(),
            method: Some("GET".into()),
            cookies: Some("__Host-euterpe_session=abc".into()),
            query_string: Some("code=AQ&state=s".into()),
            headers: [
                ("Cookie", "__Host-euterpe_session=abc"),
                ("Authorization", "Bearer abc"),
                ("User-Agent", "Firefox"),
                ("X-Forwarded-For", "203.0.113.9"),
                ("Referer", "https://e.example/callback?code=AQ"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
            ..Request::default()
        };
        let scrubbed = self::request(request);
        assert_eq!(scrubbed.url.unwrap().as_str(), "https://e.example/callback");
        assert_eq!(scrubbed.cookies, None);
        assert_eq!(scrubbed.query_string, None);
        assert_eq!(
            scrubbed.headers.keys().collect::<Vec<_>>(),
            vec!["User-Agent"]
        );
    }
}
