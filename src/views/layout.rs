//! The page frame: head, header with navigation, demo banner, main, footer.

use maud::{DOCTYPE, Markup, html};

use super::Chrome;
use super::assets;

/// htmx settings: no `eval`, no inline scripts or styles, requests only to this origin, and
/// error responses (400, 429, 5xx) are swapped in too, because they carry the panel's own
/// error message.
const HTMX_CONFIG: &str = r#"{"selfRequestsOnly":true,"allowScriptTags":false,"allowEval":false,"includeIndicatorStyles":false,"historyCacheSize":0,"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"[45]..","swap":true,"error":true}]}"#;

/// A complete HTML page.
pub fn page(title: &str, chrome: Chrome<'_>, main: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                @if chrome.noindex {
                    meta name="robots" content="noindex, nofollow";
                }
                meta name="htmx-config" content=(HTMX_CONFIG);
                title { (title) " · Euterpe" }
                @if let Some(og) = chrome.og {
                    meta property="og:type" content="website";
                    meta property="og:site_name" content="Euterpe";
                    meta property="og:title" content=(og.title);
                    meta property="og:description" content=(og.description);
                    meta property="og:url" content=(og.url);
                    @if let Some(image) = &og.image {
                        meta property="og:image" content=(image);
                        meta property="og:image:width" content="1080";
                        meta property="og:image:height" content="1350";
                        meta name="twitter:card" content="summary_large_image";
                    }
                }
                link rel="stylesheet" href=(assets::url("app.css"));
                link rel="icon" type="image/svg+xml" href=(assets::url("favicon.svg"));
                script src=(assets::url("htmx.min.js")) defer {}
                script src=(assets::url("app.js")) defer {}
            }
            body {
                a.skip-link href="#main" { "Skip to content" }
                header.site-header {
                    a.brand href="/" {
                        img src=(assets::url("favicon.svg")) alt="" width="28" height="28";
                        span { "Euterpe" }
                    }
                    @if let Some(user) = chrome.user {
                        nav.site-nav aria-label="Site" {
                            a href="/" { "Dashboard" }
                            a href="/history" { "History" }
                            a href="/year" { "Your year" }
                            a href="/account" { "Account" }
                            form.inline method="post" action="/logout" {
                                input type="hidden" name="csrf" value=(chrome.csrf.unwrap_or_default());
                                button.link-button type="submit" { "Log out" }
                            }
                            span.who { "Signed in as " strong { (user) } }
                        }
                    }
                }
                @if chrome.demo {
                    div.banner.demo role="note" {
                        strong { "Demo data. " }
                        "This Euterpe is running in demo mode: it talks to a built-in fake Spotify, "
                        "and everything you see is sample data, not anyone's real listening."
                    }
                }
                main #main tabindex="-1" { (main) }
                footer.site-footer {
                    p {
                        "Euterpe — listening statistics Spotify doesn't show you, on a server you control. "
                        "Data from Spotify; Euterpe is not affiliated with Spotify."
                    }
                }
            }
        }
    }
}
