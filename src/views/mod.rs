//! HTML, made by maud at compile time. Every function returns `Markup`; names are escaped by maud,
//! so a Spotify name like `<script>` is shown, never run.

pub mod account;
pub mod assets;
pub mod card;
pub mod charts;
pub mod compare;
pub mod components;
pub mod connection;
pub mod dashboard;
pub mod enrichment;
pub mod errors;
pub mod history;
pub mod import;
pub mod landing;
pub mod layout;
pub mod limits;
pub mod panels;
pub mod retention;
pub mod share;
pub mod subject;
pub mod year;

/// What every page's frame needs to know about the visitor and the site.
#[derive(Clone, Copy)]
pub struct Chrome<'a> {
    /// The logged-in user's name, for the navigation (none on error pages and the landing
    /// page).
    pub user: Option<&'a str>,
    /// This session's form token, for the logout form.
    pub csrf: Option<&'a str>,
    /// Demo mode: the banner says the data is sample data.
    pub demo: bool,
    /// Ask search engines not to index the page (share links, unless their owner allows it).
    pub noindex: bool,
    /// Open Graph tags, so a link posted in a chat shows a preview (shared pages only).
    pub og: Option<&'a OpenGraph>,
}

/// What a link preview shows: a title, a line, and a picture (absolute URLs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenGraph {
    pub title: String,
    pub description: String,
    pub url: String,
    pub image: Option<String>,
}

impl<'a> Chrome<'a> {
    /// A frame for a visitor who is not logged in.
    pub fn anonymous(demo: bool) -> Self {
        Self {
            user: None,
            csrf: None,
            demo,
            noindex: false,
            og: None,
        }
    }
}
