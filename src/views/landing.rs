//! The page a logged-out visitor sees.

use maud::{Markup, html};

/// Why the visitor is on the landing page, when there is something to explain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LandingNote {
    None,
    LoggedOut,
    /// The account was just deleted.
    Deleted,
}

/// The landing page's main content.
pub fn landing(note: LandingNote, demo: bool) -> Markup {
    html! {
        section.hero {
            h1 { "Your listening, understood." }
            p.lead {
                "Euterpe shows what Spotify doesn't: your top songs, artists and albums, hidden gems, "
                "the playlists that hold your current favourites, the artists who stay and the ones "
                "who fade, and how your taste moves with the years and the seasons."
            }
            @match note {
                LandingNote::LoggedOut => p.notice role="status" { "You are logged out." },
                LandingNote::Deleted => div.notice role="status" {
                    p { strong { "Your account is deleted. " } "Euterpe no longer keeps anything of yours: your Spotify tokens, history, imports and share links are gone." }
                    p {
                        "To take back the access you gave Euterpe in Spotify too, open "
                        a href="https://www.spotify.com/account/apps/" rel="noreferrer" { "Manage apps" }
                        " in your Spotify account and choose " em { "Remove access" } " next to this app."
                    }
                },
                LandingNote::None => {},
            }
            p {
                a.button.primary href="/login" { "Log in with Spotify" }
            }
            @if demo {
                p.hint {
                    "Demo mode: the login goes to a built-in fake Spotify where you pick a sample "
                    "listener. No Spotify account is needed."
                }
            } @else {
                p.hint {
                    "Euterpe asks Spotify only for read access to your profile, top items, recently "
                    "played tracks and playlists. Your Spotify tokens are stored encrypted."
                }
            }
        }
    }
}
