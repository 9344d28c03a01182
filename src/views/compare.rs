//! Listening together: the opt-in on `/account`, the list of listeners who opt in, and the
//! comparison page with its sections (each also a fragment htmx can swap in).

use maud::{Markup, html};

use crate::domain::{CompareOptIn, artist_id_path, track_path};
use crate::stats::compare::{Comparison, RecentTogether, SharedRow};
use crate::stats::history::{format_minutes, group_thousands};
use crate::views::components::{cover, plays};

/// The longest name a listener may show the others.
pub const MAX_NAME_CHARS: usize = 80;

/// The sections of a comparison page, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Compatibility,
    Artists,
    Songs,
    Genres,
    NewToYou,
    Recent,
}

impl Section {
    pub const ALL: [Section; 6] = [
        Self::Compatibility,
        Self::Artists,
        Self::Songs,
        Self::Genres,
        Self::NewToYou,
        Self::Recent,
    ];

    /// The section's name in its address, `/compare/{id}/{name}`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Compatibility => "compatibility",
            Self::Artists => "artists",
            Self::Songs => "songs",
            Self::Genres => "genres",
            Self::NewToYou => "new",
            Self::Recent => "recent",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Compatibility => "Compatibility",
            Self::Artists => "Artists you share",
            Self::Songs => "Songs you share",
            Self::Genres => "Genres you share",
            Self::NewToYou => "From their favourites, new to you",
            Self::Recent => "The last four weeks",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// The setting on `/account`.
pub fn account_section(opt_in: Option<&CompareOptIn>, spotify_name: &str, csrf: &str) -> Markup {
    html! {
        section.card #compare aria-labelledby="compare-title" {
            h2 #compare-title { "Listen together" }
            p {
                "Compare your taste with the other listeners of this Euterpe who allow it, and let them compare theirs with yours. "
                "Only listeners who have both turned this on see each other, under the name each chose; "
                "nobody else learns that you use Euterpe. Turning it off takes effect at once."
            }
            form.compare-form method="post" action="/account/compare" {
                input type="hidden" name="csrf" value=(csrf);
                label.check {
                    input type="checkbox" name="enabled" value="1" checked[opt_in.is_some()];
                    " Let the other listeners of this Euterpe compare their taste with mine"
                }
                label for="compare_name" { "Name to show them" }
                input #compare_name type="text" name="shown_name" maxlength=(MAX_NAME_CHARS)
                    autocomplete="off" value=(opt_in.map(|o| o.shown_name.as_str()).unwrap_or_default());
                p.hint { "Your Spotify name is “" (spotify_name) "”: type it or any name, or use the button below." }
                button.button type="submit" { "Save" }
            }
            // A form of its own, so that Enter in the name field never picks this button.
            form.inline method="post" action="/account/compare" {
                input type="hidden" name="csrf" value=(csrf);
                button.link-button type="submit" name="use_spotify_name" value="1" {
                    "Turn this on as “" (spotify_name) "”"
                }
            }
            @if let Some(opt_in) = opt_in {
                p { "You are shown as “" (opt_in.shown_name) "”. " a href="/compare" { "Compare with the others" } }
            }
        }
    }
}

/// `/compare` for a listener who hasn't turned the setting on.
pub fn not_opted_in() -> Markup {
    html! {
        div.page-head { h1 { "Listen together" } p.back { a href="/" { "← Dashboard" } } }
        section.card {
            p {
                "Comparing taste is opt-in: you see the listeners of this Euterpe who allow comparisons "
                "once you allow them too. Turn it on, with the name to show, under "
                a href="/account#compare" { "Listen together on your account page" } "."
            }
        }
    }
}

/// `/compare`: the other listeners who opt in.
pub fn list_page(others: &[CompareOptIn]) -> Markup {
    html! {
        div.page-head { h1 { "Listen together" } p.back { a href="/" { "← Dashboard" } } }
        section.card {
            @if others.is_empty() {
                p.empty-state { "No other listener of this Euterpe allows comparisons yet." }
            } @else {
                ul.entry-list.compare-list {
                    @for other in others {
                        li { a.title href={ "/compare/" (other.public_id) } { (other.shown_name) } }
                    }
                }
            }
            p.hint { "You are listed to them as you are listed here to you: by the name you chose. " a href="/account#compare" { "Change it or turn it off" } "." }
        }
    }
}

/// A comparison page: its sections, each under its heading.
pub fn compare_page(their_name: &str, sections: &[(Section, Markup)]) -> Markup {
    html! {
        div.page-head {
            h1 { "You and " (their_name) }
            p.back { a href="/compare" { "← Listen together" } }
        }
        @for (section, body) in sections {
            section.card.compare-section id=(section.name()) aria-labelledby={ (section.name()) "-title" } {
                h2 id={ (section.name()) "-title" } { (section.title()) }
                div { (body) }
            }
        }
    }
}

/// The body of one section.
pub fn section_body(
    section: Section,
    comparison: &Comparison,
    recent: Option<&RecentTogether>,
    their_name: &str,
) -> Markup {
    match section {
        Section::Compatibility => html! {
            @match comparison.compatibility {
                Some(percent) => {
                    p.big-figure #compatibility-figure { (percent) "%" }
                    p.hint { "The artists in both your top artists (last 4 weeks, 6 months and year together), as a share of the artists in either." }
                }
                None => p.empty-state { "Neither of you has top artists yet." },
            }
        },
        Section::Artists => shared_rows(&comparison.artists, true, their_name),
        Section::Songs => shared_rows(&comparison.songs, false, their_name),
        Section::Genres => html! {
            @match &comparison.genres {
                None => p.empty-state { "Genres aren't known for your artists yet." },
                Some(genres) if genres.is_empty() => p.empty-state { "No genre in common among your top artists." },
                Some(genres) => {
                    table.ranked.compare-genres {
                        thead { tr { th scope="col" { "Genre" } th.num scope="col" { "Your artists" } th.num scope="col" { "Theirs" } } }
                        tbody { @for g in genres { tr { td { (g.genre) } td.num data-label="Your artists" { (g.mine) } td.num data-label="Theirs" { (g.theirs) } } } }
                    }
                }
            }
        },
        Section::NewToYou => html! {
            @if comparison.new_to_you.is_empty() {
                p.empty-state { "Every one of their favourites already shows up in your listening." }
            } @else {
                ol.entry-list.compare-new {
                    @for artist in &comparison.new_to_you {
                        li { (cover(artist.image.as_ref(), &format!("Photo of {}", artist.name))) " " a.title href=(artist.url) rel="noopener" { (artist.name) } }
                    }
                }
                p.hint { "Their top artists of the last 6 months, in their order, that are in none of your top lists and none of your stored plays. Each opens in Spotify." }
            }
        },
        Section::Recent => html! {
            @match recent {
                None => p.empty-state { "This needs listening history from the last four weeks on both sides." },
                Some(recent) => {
                    dl.big-figures {
                        div { dt { "You" } dd #my-minutes { (format_minutes(recent.my_ms)) } }
                        div { dt { (their_name) } dd #their-minutes { (format_minutes(recent.their_ms)) } }
                    }
                    @if recent.songs.is_empty() {
                        p.empty-state { "No song you both played in the last four weeks." }
                    } @else {
                        h3 { "Songs you both played" }
                        ol.entry-list.compare-recent {
                            @for (song, theirs) in &recent.songs {
                                li {
                                    a.title href=(track_path(&song.key)) { (song.name) }
                                    span.sub { (song.artist_name) }
                                    " " span.count { "you " (plays(song.plays)) ", them " (plays(*theirs)) }
                                }
                            }
                        }
                    }
                }
            }
        },
    }
}

fn shared_rows(rows: &[SharedRow], artists: bool, their_name: &str) -> Markup {
    if rows.is_empty() {
        return html! { p.empty-state { "None in common in your top lists." } };
    }
    html! {
        table.ranked.compare-shared {
            thead { tr {
                th scope="col" { span.visually-hidden { "Picture" } }
                th scope="col" { @if artists { "Artist" } @else { "Song" } }
                th.num scope="col" { "Your rank" }
                th.num scope="col" { (their_name) "’s rank" }
            } }
            tbody {
                @for row in rows {
                    tr {
                        td.art { (cover(row.image.as_ref(), &format!("Picture of {}", row.name))) }
                        td.name {
                            @let href = if artists { artist_id_path(&row.id) } else { track_path(&row.id) };
                            a.title href=(href) data-id=(row.id) { (row.name) }
                            @if !row.by.is_empty() { span.sub { (row.by) } }
                        }
                        td.num.mine data-label="Your rank" { "#" (row.mine) }
                        td.num.theirs data-label={ (their_name) "’s rank" } { "#" (row.theirs) }
                    }
                }
            }
        }
        p.hint { "Ranks are each one's best over the last 4 weeks, 6 months and year; the list runs by the two added up, then by name. " (group_thousands(rows.len() as i64)) " in all." }
    }
}
