//! Which of an artist's MusicBrainz votes count as genres.
//!
//! MusicBrainz artists have genres and tags. Tags are a folksonomy: "seen live", "favorites",
//! "british", "female vocalists" and "00s" are tags, and so are "shoegaze" and "afrobeat". An
//! artist's genres are its MusicBrainz genres; only when it has none do its tags count, and then
//! only those MusicBrainz lists as genres (`/ws/2/genre/all`, compared case-insensitively).
//!
//! The list is read through the MusicBrainz lane (100 genres a request, at the lane's pace),
//! kept in the database for everyone and read again after 30 days — only when an artist's
//! genres are about to be looked up, so an app that never needs genres never asks for it.
//! While it is unknown (not read yet, or MusicBrainz failed to give it), no tag counts: an
//! artist with only tags then gets no genres, kept a day rather than 30 so that it is looked up
//! again once the list is known.

use std::collections::HashSet;

use super::coverage::Service;
use super::http::OpenError;
use super::musicbrainz::{ArtistVotes, MAX_GENRES};
use super::queue::Stage;
use super::{Enrichment, FACT_TTL};
use crate::store;

/// How long the genre list is used before it is read again (MusicBrainz adds genres now and
/// then; it rarely removes any).
pub const GENRE_LIST_TTL_SECS: i64 = 30 * 24 * 3600;
/// How long a process reading the list holds the others back (it needs a request a second,
/// twenty or so for the real list), and how long the list is left alone after MusicBrainz was
/// unavailable or slow (the lane's pause covers most of it anyway).
const HOLD_SECS: i64 = 60;
/// How long the list is left alone after an answer Euterpe can't use.
const BAD_ANSWER_HOLD_SECS: i64 = 24 * 3600;
/// Pages read at most (the real list has about 20): a service that never says "done" can't
/// keep the lane busy.
const MAX_PAGES: usize = 200;
/// How long genres found while the list was unknown are kept, when tags were left out.
const WITHOUT_LIST_TTL_SECS: i64 = 24 * 3600;

/// An artist's genres: its MusicBrainz genres when it has any, else those of its tags that are
/// in `listed` (lower-case genre names) — never a tag that is not a genre. Ranked as given, at
/// most [`MAX_GENRES`].
pub fn chosen(votes: ArtistVotes, listed: &HashSet<String>) -> Vec<String> {
    let names = if votes.genres.is_empty() {
        votes
            .tags
            .into_iter()
            .filter(|tag| listed.contains(&tag.trim().to_lowercase()))
            .collect()
    } else {
        votes.genres
    };
    names.into_iter().take(MAX_GENRES).collect()
}

impl Enrichment {
    /// Reads MusicBrainz's genre list when it is unknown or a month old and an artist's genres
    /// are due to be looked up; whether it did (one or more requests).
    pub(super) async fn genre_list_step(&self, now: i64) -> store::Result<bool> {
        let stale_before = now - GENRE_LIST_TTL_SECS;
        if !self.store.genre_list_due(now, stale_before).await? {
            return Ok(false);
        }
        let genres_due = self
            .store
            .due_by_stage(now)
            .await?
            .iter()
            .any(|(stage, count, _)| stage == Stage::Genres.as_str() && *count > 0);
        if !genres_due
            || !self
                .store
                .claim_genre_list(now, stale_before, now + HOLD_SECS)
                .await?
        {
            return Ok(false);
        }
        let mut names: Vec<String> = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = self
                .call(
                    Service::MusicBrainz,
                    self.musicbrainz.genre_page(names.len()),
                )
                .await?;
            match page {
                Ok(page) if page.names.is_empty() => break,
                Ok(page) => {
                    names.extend(page.names);
                    if names.len() >= page.total {
                        break;
                    }
                }
                Err(err) => {
                    let hold = match err {
                        OpenError::BadResponse(_) => BAD_ANSWER_HOLD_SECS,
                        _ => HOLD_SECS,
                    };
                    self.store.hold_genre_list(self.clock.unix() + hold).await?;
                    self.failed(Service::MusicBrainz, err, &[]).await?;
                    return Ok(true);
                }
            }
        }
        if names.is_empty() {
            tracing::warn!("MusicBrainz listed no genres; leaving its genre list for a day");
            self.store
                .hold_genre_list(self.clock.unix() + BAD_ANSWER_HOLD_SECS)
                .await?;
        } else {
            tracing::info!(genres = names.len(), "read MusicBrainz's genre list");
            self.store
                .replace_genre_list(&names, self.clock.unix())
                .await?;
        }
        Ok(true)
    }

    /// An artist's genres (see [`chosen`]), and how long to keep them: a day when tags were
    /// left out only because the genre list is unknown, else [`FACT_TTL`].
    pub(super) async fn genres_of(&self, votes: ArtistVotes) -> store::Result<(Vec<String>, i64)> {
        let ttl = FACT_TTL.as_secs() as i64;
        if !votes.genres.is_empty() || votes.tags.is_empty() {
            return Ok((chosen(votes, &HashSet::new()), ttl));
        }
        let listed = self.store.genres_among(&votes.tags).await?;
        if listed.is_empty() && self.store.genre_list_size().await?.1 == 0 {
            return Ok((Vec::new(), WITHOUT_LIST_TTL_SECS));
        }
        Ok((chosen(votes, &listed), ttl))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn votes(genres: &[&str], tags: &[&str]) -> ArtistVotes {
        let owned = |list: &[&str]| list.iter().map(|name| (*name).to_owned()).collect();
        ArtistVotes {
            genres: owned(genres),
            tags: owned(tags),
        }
    }

    fn listed(names: &[&str]) -> HashSet<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn genres_win_and_tags_are_not_looked_at() {
        let list = listed(&["rock", "shoegaze"]);
        assert_eq!(
            chosen(
                votes(&["dream pop", "rock"], &["seen live", "shoegaze"]),
                &list
            ),
            ["dream pop", "rock"]
        );
    }

    #[test]
    fn without_genres_only_tags_that_are_genres_count_in_their_order() {
        let list = listed(&["singer-songwriter", "indie folk", "folk"]);
        let tags = [
            "seen live",
            "favorites",
            "british",
            "Singer-Songwriter",
            "female vocalists",
            "00s",
            "indie folk",
        ];
        assert_eq!(
            chosen(votes(&[], &tags), &list),
            ["Singer-Songwriter", "indie folk"]
        );
    }

    #[test]
    fn while_the_list_is_unknown_no_tag_counts() {
        assert!(chosen(votes(&[], &["seen live", "rock"]), &HashSet::new()).is_empty());
    }

    #[test]
    fn folksonomy_tags_do_not_crowd_genres_out() {
        // Eleven non-genres voted higher than two genre tags: the genres are still found.
        let mut tags: Vec<String> = (0..11).map(|n| format!("favourite {n}")).collect();
        tags.extend(["jazz".to_owned(), "soul".to_owned()]);
        let votes = ArtistVotes {
            genres: Vec::new(),
            tags,
        };
        assert_eq!(chosen(votes, &listed(&["jazz", "soul"])), ["jazz", "soul"]);
    }

    #[test]
    fn at_most_ten_genres() {
        let many: Vec<String> = (0..15).map(|n| format!("genre {n}")).collect();
        let votes = ArtistVotes {
            genres: many,
            tags: Vec::new(),
        };
        assert_eq!(chosen(votes, &HashSet::new()).len(), MAX_GENRES);
    }
}
