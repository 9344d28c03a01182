//! Music variety by season.

use crate::domain::Holes;
use maud::{Markup, html};
use time::OffsetDateTime;

use super::{Scope, Viewer, empty};
use crate::domain::TimeRange;
use crate::domain::zone::Zone;
use crate::enrichment::{GenresView, Origin};
use crate::panel::Panel;
use crate::stats::{Hemisphere, SeasonSource, SeasonStats, format_variety};
use crate::views::charts::{Bar, bar_chart, data_table};
use crate::views::enrichment::{Fact, missing_reason, status};
use crate::views::history::coverage_note;

/// Where the genres came from, or why there are none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenreSource {
    Spotify,
    /// Open music data: MusicBrainz artist genres.
    MusicBrainz,
    /// Spotify sends no genres to this (development-mode) app and no open source filled them.
    Unavailable,
}

impl GenreSource {
    /// Where a panel's genres came from, as far as they are known.
    pub fn of(genres: &GenresView) -> Self {
        match genres.coverage.origin {
            Origin::Spotify => Self::Spotify,
            Origin::Open if genres.coverage.known > 0 => Self::MusicBrainz,
            _ => Self::Unavailable,
        }
    }
}

/// How the seasons were drawn: from which source, in which hemisphere and time zone.
#[derive(Clone, Copy, Debug)]
pub struct Basis<'a> {
    pub source: SeasonSource,
    /// Release-month form: Spotify has no top songs at all for this range (an empty list is
    /// not "no release months").
    pub no_top_songs: bool,
    pub hemisphere: Hemisphere,
    /// The user's time zone (the history form places plays in it).
    pub zone: &'a Zone,
    /// History form: the stretches of the window no poll or import covers (the counts are then
    /// "at least").
    pub holes: &'a Holes,
}

/// The Music variety by season panel body; `genres` says where they came from and how far
/// the look-ups are.
pub fn seasons(
    stats: &[SeasonStats],
    basis: Basis<'_>,
    genres_view: &GenresView,
    scope: Scope<'_>,
    range: Option<TimeRange>,
    now: OffsetDateTime,
) -> Markup {
    let Basis {
        source,
        no_top_songs,
        hemisphere,
        zone,
        holes,
    } = basis;
    let time_zone = zone.name();
    let genres = GenreSource::of(genres_view);
    let total: usize = stats.iter().map(|season| season.items).sum();
    let counted = match source {
        SeasonSource::ListeningHistory => "Plays",
        SeasonSource::ReleaseMonth => "Songs",
    };
    html! {
        p.panel-intro {
            "Seasons from: " strong { (source.label()) }
            @match source {
                SeasonSource::ReleaseMonth => " — each top song counts in the season of the month it was released (songs with only a release year are left out).",
                SeasonSource::ListeningHistory => {
                    " — this range has plays in your listening history, so each play counts in the season it was played, in your time zone ("
                    (time_zone) "), instead of your top songs' release months. Only the seasons this range reaches are shown."
                }
            }
            " " (hemisphere.label()) " seasons."
        }
        @if !holes.is_empty() {
            @if scope.viewer == Viewer::Owner {
                (coverage_note(holes, zone))
            } @else {
                div.notice.coverage-note role="note" {
                    p {
                        strong { "These numbers are “at least”. " }
                        "The history behind them has gaps in this period."
                    }
                }
            }
        }
        (status(Fact::Genres, &genres_view.coverage, scope, Panel::MusicVarietyBySeason, range, now))
        // Nothing to say of genres when there is nothing to place in a season.
        @if genres == GenreSource::Unavailable && genres_view.coverage.pending == 0 && total > 0 {
            div.notice.warning role="note" {
                p {
                    strong { "Genres are unavailable. " }
                    (missing_reason(Fact::Genres, &genres_view.coverage))
                    " The panel shows everything but genres."
                }
            }
        }
        @if total == 0 {
            (empty(match source {
                SeasonSource::ReleaseMonth if no_top_songs => "Spotify has no top songs for you in this range yet.",
                SeasonSource::ReleaseMonth => "None of your top songs in this range has a release month, so there is nothing to place in a season.",
                SeasonSource::ListeningHistory => "No plays stored in this range yet.",
            }))
        } @else {
            div.season-grid {
                @for season in stats {
                    section.season aria-labelledby={ "season-" (season.season.label()) } {
                        h3 id={ "season-" (season.season.label()) } { (season.season.label()) }
                        dl.facts {
                            dt { (counted) } dd { (season.items) }
                            dt { "Distinct artists" } dd { (season.distinct_artists) }
                            dt { "Artist variety" } dd { (format_variety(season.artist_variety)) }
                            @if genres != GenreSource::Unavailable {
                                dt { "Distinct genres" } dd { (season.distinct_genres) }
                            }
                        }
                        @if genres != GenreSource::Unavailable && !season.top_genres.is_empty() {
                            @let bars: Vec<Bar> = season.top_genres.iter().map(|(genre, count)| Bar { label: genre.clone(), value: *count }).collect();
                            @let title = format!("Top genres in {}", season.season.label());
                            @let summary = format!("{} genres; most often {} ({}).", bars.len(), bars[0].label, bars[0].value);
                            (bar_chart(&format!("genres-{}", season.season.label()), &title, &summary, &bars))
                            (data_table(&title, "Genre", "Count", &bars))
                        }
                    }
                }
            }
            p.source-note {
                "Artist variety runs from 0 (one artist) to 1 (plays spread evenly over every artist)."
                @match genres {
                    GenreSource::Spotify => " Genres: Spotify.",
                    GenreSource::MusicBrainz => " Genres: MusicBrainz.",
                    GenreSource::Unavailable => "",
                }
            }
        }
    }
}
