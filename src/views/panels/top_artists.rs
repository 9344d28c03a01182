//! Top artists: every top artist in Spotify's order.

use maud::{Markup, html};
use time::OffsetDateTime;

use super::{Scope, empty};
use crate::domain::{PlayCounts, TimeRange, artist_id_path};
use crate::enrichment::{GenresView, Origin};
use crate::panel::Panel;
use crate::stats::ArtistRow;
use crate::views::components::cover;
use crate::views::enrichment::{Fact, status};

/// The Top artists panel body; genres (Spotify's, or MusicBrainz's) when known, and the
/// owner's plays of each artist when the listening history has some in the window.
pub fn top_artists(
    rows: &[ArtistRow],
    genres: &GenresView,
    plays: Option<&PlayCounts>,
    scope: Scope<'_>,
    range: Option<TimeRange>,
    now: OffsetDateTime,
) -> Markup {
    if rows.is_empty() {
        return empty(
            "Spotify has no top artists for you in this range yet. Listen for a while and check back.",
        );
    }
    let coverage = &genres.coverage;
    fn of<'a>(row: &'a ArtistRow, genres: &'a GenresView) -> Option<&'a [String]> {
        row.genres.as_deref().or_else(|| genres.get(&row.id))
    }
    let any_genres = rows.iter().any(|row| of(row, genres).is_some());
    html! {
        (status(Fact::Genres, coverage, scope, Panel::TopArtists, range, now))
        ol.artist-list {
            @for row in rows {
                li {
                    span.rank aria-hidden="true" { (row.rank) }
                    (cover(row.image.as_ref(), &format!("Photo of {}", row.name)))
                    div {
                        a.title href=(super::entry_href(scope, || artist_id_path(&row.id), &row.url)) {
                            span.visually-hidden { "Number " (row.rank) ": " }
                            (row.name)
                        }
                        @match of(row, genres) {
                            Some([]) => span.sub.unknown { "no genres listed" },
                            Some(list) => span.sub { (list.join(", ")) },
                            None if genres.is_pending(&row.id) => span.sub.unknown { "looking up genres…" },
                            None if any_genres => span.sub.unknown { "genres unknown" },
                            None => {},
                        }
                        @if let Some(plays) = plays {
                            span.sub.artist-plays { (super::plays::figures(plays, &row.name)) }
                        }
                    }
                }
            }
        }
        @if let Some(plays) = plays { (super::plays::note(plays)) }
        @if any_genres {
            p.source-note {
                "Genres: "
                @if coverage.origin == Origin::Spotify { "Spotify." } @else { "MusicBrainz." }
            }
        } @else if coverage.pending == 0 {
            p.source-note {
                "Genres aren't shown: Spotify no longer sends them to apps in development mode, "
                "which is how most Euterpes run"
                @match coverage.origin {
                    Origin::Off => ", and open-data look-ups are turned off here (ENRICHMENT=0).",
                    Origin::Open => ", and MusicBrainz doesn't know these artists.",
                    Origin::Spotify => ".",
                }
            }
        }
    }
}
