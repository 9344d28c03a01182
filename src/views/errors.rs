//! Error pages and fragments, in plain words.

use maud::{Markup, html};

use super::panels::not_allow_listed;
use crate::error::{AppError, BadRequest, Failure, LoginError};
use crate::views::components::rough_duration;

/// A title and an explanation for an error.
pub fn describe(error: &AppError) -> (&'static str, Markup) {
    match error {
        AppError::NotFound => (
            "Page not found",
            html! { p { "There is nothing at this address: the link may be mistyped, or it was a share link that has been revoked or has expired." } },
        ),
        AppError::NotLoggedIn => (
            "Please log in",
            html! { p { "This page shows your own Spotify data, so you need to log in first." } p { a.button.primary href="/login" { "Log in with Spotify" } } },
        ),
        AppError::BadRequest(BadRequest::TimeRange(value)) => (
            "Unknown time range",
            html! {
                p {
                    @if value.is_empty() {
                        "The time range in this address is empty or given more than once. "
                    } @else {
                        "“" (value) "” is not a time range Euterpe knows. "
                    }
                    "Use one of: " code { "short_term" } " (last 4 weeks), "
                    code { "medium_term" } " (last 6 months) or "
                    code { "long_term" } " (last year)."
                }
                p.accepted.visually-hidden { "Accepted values: " (AppError::accepted_ranges()) }
            },
        ),
        AppError::Login(login) => describe_login(login),
        AppError::BadRequest(BadRequest::Form(message)) => (
            "That didn't work",
            html! { p { (message) } p { "Go back, change it and try again." } },
        ),
        AppError::CrossSite => (
            "Request refused",
            html! { p { "This form was sent from another site or from an old page, so Euterpe refused it to protect your account. Go back, reload the page and try again." } },
        ),
        AppError::TooLarge(limit) => (
            "Upload too large",
            html! {
                p { "This upload is larger than this Euterpe accepts: the limit is "
                    strong.limit { (crate::history::import::human_bytes(*limit)) } " (" (limit) " bytes) for all files together." }
                p { "Upload the export's files in several smaller uploads (nothing is counted twice), or ask the operator to raise "
                    code { "IMPORT_MAX_BYTES" } "." }
                p { a href="/import" { "Back to the import page" } }
            },
        ),
        AppError::BadRequest(BadRequest::Value(message)) => {
            ("Can't use this", html! { p { (message) } })
        }
        AppError::Spotify(_) => describe_spotify(error.failure()),
        AppError::Database(_) => (
            "Temporarily unavailable",
            html! { p { "Euterpe can't reach its database right now. Nothing is lost; please try again in a minute." } },
        ),
        AppError::UploadStalled(idle) => (
            "Upload stopped",
            html! {
                p { "Nothing of the upload arrived for " (idle.as_secs()) " seconds, so Euterpe stopped waiting and kept nothing of it." }
                p { "Check your connection and send the file again." }
                p { a href="/import" { "Back to the import page" } }
            },
        ),
        AppError::ShuttingDown => (
            "Euterpe is restarting",
            html! {
                p { "Euterpe is restarting, so it stopped receiving your upload and kept nothing of it." }
                p { "Please send the file again in a minute." }
                p { a href="/import" { "Back to the import page" } }
            },
        ),
        AppError::Internal(_) => (
            "Something went wrong",
            html! { p { "Euterpe hit an unexpected problem. It has been logged; please try again." } },
        ),
    }
}

/// A page that needed Spotify's data and could not have it. (Panels say it in their own error
/// state, with the details; a whole page only needs to say what to do.)
fn describe_spotify(failure: Option<Failure>) -> (&'static str, Markup) {
    match failure {
        Some(Failure::LoginExpired) => (
            "Log in again",
            html! { p { "Your Spotify login has expired. " a href="/login" { "Log in again" } "; your data here is kept." } },
        ),
        Some(Failure::NotAllowListed) => ("Not allowed yet", not_allow_listed()),
        _ => (
            "Spotify didn't answer",
            html! { p { "Spotify is unavailable, slow or busy right now; this is usually over in a few minutes. Please try again." } },
        ),
    }
}

fn describe_login(error: &LoginError) -> (&'static str, Markup) {
    let again = html! { p { a.button.primary href="/login" { "Try again" } } };
    match error {
        LoginError::MissingState | LoginError::UnknownState => (
            "Login link not valid",
            html! { p { "This login can't be completed: its security check doesn't match this browser, or the link was already used. Start the login again from here." } (again) },
        ),
        LoginError::ExpiredState => (
            "Login took too long",
            html! { p { "The login was started more than ten minutes ago, so it has expired." } (again) },
        ),
        LoginError::MissingCode | LoginError::CodeRejected => (
            "Login not accepted",
            html! { p { "Spotify did not accept this login (the link may have been used already or be too old)." } (again) },
        ),
        LoginError::Denied => (
            "Login cancelled",
            html! { p { "You chose not to connect Euterpe to Spotify. Nothing was stored." } (again) },
        ),
        LoginError::Provider(_) => (
            "Spotify reported a problem",
            html! { p { "Spotify could not complete the login." } (again) },
        ),
        LoginError::NotAllowListed => (
            "Account not allowed yet",
            html! { (not_allow_listed()) (again) },
        ),
        LoginError::SpotifyUnavailable => (
            "Spotify is unavailable",
            html! { p { "Spotify didn't answer properly, so the login couldn't finish. Please try again in a few minutes." } (again) },
        ),
        LoginError::RateLimited(retry_after) => (
            "Spotify is busy",
            html! { p { "Spotify is limiting how often Euterpe may call it. Please try again in " (rough_duration(retry_after.as_secs() as i64)) "." } (again) },
        ),
    }
}

/// An error as the main content of a full page, with a way back: to the dashboard for someone
/// logged in, to the home page for anyone else.
pub fn page_main(error: &AppError, signed_in: bool) -> (&'static str, Markup) {
    let (title, body) = describe(error);
    (
        title,
        html! {
            div.page-head { h1 { (title) } }
            div.error-page {
                (body)
                p.way-back {
                    @if signed_in { a href="/" { "← Back to your dashboard" } }
                    @else { a href="/" { "← Go to Euterpe's home page" } }
                }
            }
        },
    )
}

/// An error as a fragment for htmx to swap in.
pub fn fragment(error: &AppError) -> Markup {
    let (title, body) = describe(error);
    html! { div.error-state role="alert" { p { strong { (title) } } (body) } }
}
