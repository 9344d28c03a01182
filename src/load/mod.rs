//! Loading strategies the handlers share: which stores and services a page's data comes from,
//! and in what order, so a handler reads extract → load → compute → render in a few lines.
//! A loader fetches; it computes nothing a view shows and renders nothing.

/// What `/account` shows of a user: grant, shares, settings, pause, poller, imports.
pub mod account;
/// Two listeners' taste compared: both top lists, the viewer's heard artists, genres, history.
pub mod compare;
/// The plays of the top songs' and top artists' rows in the listening history.
pub mod counts;
/// What the history pages read: summaries of a span, with its holes.
pub mod history;
/// The inputs of the music-variety-by-season panel: the listening history, else the top tracks.
pub mod seasons;
/// A song's, artist's or album's detail page: what its address names, its plays, its ranks.
pub mod subject;
/// The logged-in user's row, from memory when it was read a moment ago.
pub mod users;
/// The year in review: the year's counts, days, hours and the edges of each artist's plays.
pub mod year;
