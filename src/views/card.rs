//! The year's card to share: a 1080×1350 picture (a phone-story shape) drawn as SVG, and the
//! same drawn to PNG by resvg with the bundled Inter font, so it looks the same on any machine
//! (Heroku has no fonts to speak of) and never depends on what a system has installed.

use std::sync::{Arc, LazyLock};

use maud::{Markup, html};
use resvg::{tiny_skia, usvg};

use crate::stats::history::group_thousands;

/// The card's size in pixels.
pub const CARD_WIDTH: u32 = 1080;
pub const CARD_HEIGHT: u32 = 1350;

/// What the card shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardFigures {
    pub year: i64,
    pub minutes: i64,
    pub top_artist: Option<String>,
    /// The song and its artist.
    pub top_song: Option<(String, String)>,
    pub top_genre: Option<String>,
}

/// Bundled under the SIL Open Font License (assets/fonts/OFL.txt).
static INTER_REGULAR: &[u8] = include_bytes!("../../assets/fonts/Inter-Regular.otf");
static INTER_BOLD: &[u8] = include_bytes!("../../assets/fonts/Inter-Bold.otf");

/// The fonts the card may use: Inter only, loaded once.
static FONTS: LazyLock<Arc<usvg::fontdb::Database>> = LazyLock::new(|| {
    let mut fonts = usvg::fontdb::Database::new();
    fonts.load_font_data(INTER_REGULAR.to_vec());
    fonts.load_font_data(INTER_BOLD.to_vec());
    fonts.set_sans_serif_family("Inter");
    Arc::new(fonts)
});

/// `text` cut to `most` characters, with an ellipsis when cut: names can be long, the card is
/// not.
fn fit(text: &str, most: usize) -> String {
    if text.chars().count() <= most {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(most.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

/// One labelled figure of the card, its label at `y`.
fn block(y: u32, label: &str, value: &str, sub: Option<&str>) -> Markup {
    html! {
        text x="96" y=(y) font-size="34" fill="#b9c7ff" letter-spacing="3" { (label.to_uppercase()) }
        text x="96" y=(y + 70) font-size="60" font-weight="bold" fill="#ffffff" { (fit(value, 26)) }
        @if let Some(sub) = sub {
            text x="96" y=(y + 122) font-size="38" fill="#dfe5ff" { (fit(sub, 36)) }
        }
    }
}

/// The card as an SVG document.
pub fn card_svg(card: &CardFigures) -> String {
    let unknown = "not known yet";
    let markup = html! {
        svg xmlns="http://www.w3.org/2000/svg" width=(CARD_WIDTH) height=(CARD_HEIGHT)
            viewBox={ "0 0 " (CARD_WIDTH) " " (CARD_HEIGHT) } font-family="Inter, sans-serif"
            role="img" aria-label={ "Your " (card.year) " in music" } {
            defs {
                linearGradient #bg x1="0" y1="0" x2="1" y2="1" {
                    stop offset="0" stop-color="#2a1a5e" {}
                    stop offset="1" stop-color="#0d3b45" {}
                }
            }
            rect width="100%" height="100%" fill="url(#bg)" {}
            circle cx="930" cy="170" r="260" fill="#ffffff" fill-opacity="0.06" {}
            text x="96" y="150" font-size="40" fill="#b9c7ff" letter-spacing="4" { "YOUR YEAR IN MUSIC" }
            text x="90" y="330" font-size="200" font-weight="bold" fill="#ffffff" { (card.year) }
            text x="96" y="470" font-size="34" fill="#b9c7ff" letter-spacing="3" { "MINUTES LISTENED" }
            text x="96" y="570" font-size="110" font-weight="bold" fill="#ffd36e" { (group_thousands(card.minutes)) }
            (block(700, "Top artist", card.top_artist.as_deref().unwrap_or(unknown), None))
            (block(870, "Top song", card.top_song.as_ref().map_or(unknown, |s| s.0.as_str()), card.top_song.as_ref().map(|s| s.1.as_str())))
            (block(1090, "Top genre", card.top_genre.as_deref().unwrap_or(unknown), None))
            text x="96" y="1270" font-size="32" fill="#b9c7ff" { "Euterpe · listening history" }
        }
    };
    markup.into_string()
}

/// Why a card could not be drawn (never the user's doing: the SVG is our own).
#[derive(Debug, thiserror::Error)]
#[error("the year card could not be drawn: {0}")]
pub struct CardError(String);

/// The card as a PNG of [`CARD_WIDTH`]×[`CARD_HEIGHT`].
pub fn card_png(card: &CardFigures) -> Result<Vec<u8>, CardError> {
    let options = usvg::Options {
        fontdb: FONTS.clone(),
        font_family: "Inter".to_owned(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(&card_svg(card), &options)
        .map_err(|err| CardError(err.to_string()))?;
    let mut pixmap = tiny_skia::Pixmap::new(CARD_WIDTH, CARD_HEIGHT)
        .ok_or_else(|| CardError("no room for the picture".into()))?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap
        .encode_png()
        .map_err(|err| CardError(err.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_with_an_ellipsis_and_markup_is_text() {
        let card = CardFigures {
            year: 2025,
            minutes: 123_456,
            top_artist: Some("<b>An artist whose name goes on and on and on</b>".into()),
            top_song: None,
            top_genre: None,
        };
        let svg = card_svg(&card);
        assert!(svg.contains("123,456"));
        assert!(svg.contains("&lt;b&gt;An artist whose name g…"), "{svg}");
        assert!(!svg.contains("<b>"));
    }
}
