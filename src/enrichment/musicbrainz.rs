//! The MusicBrainz web service (`/ws/2`, JSON): artists by their Spotify page, their genres
//! and tags, artist search by name, recordings by ISRC, and the list of genres. Each method is one request; the
//! queue paces them (one per second) and handles failures.

use std::collections::HashMap;

use reqwest::{StatusCode, Url};
use serde::Deserialize;

use super::http::{self, OpenError};

/// Spotify artist pages per URL look-up (MusicBrainz takes up to 100 `resource`s; 25 keeps
/// the request line short).
pub const URL_BATCH: usize = 25;
/// A name-search result must score at least this (of 100) to be taken.
pub const MIN_SEARCH_SCORE: u32 = 90;
/// Genres kept per artist.
pub const MAX_GENRES: usize = 10;
/// Genres per page of the genre list (MusicBrainz's most).
pub const GENRE_PAGE: usize = 100;

/// The open.spotify.com page of an artist: how MusicBrainz links to Spotify.
pub fn spotify_artist_url(id: &str) -> String {
    format!("https://open.spotify.com/artist/{id}")
}

/// What a name search concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameMatch {
    /// Exactly one artist has the name (with a high score): its MBID.
    One(String),
    /// Several artists have the name: none can be chosen.
    Ambiguous,
    /// No artist has the name.
    None,
}

/// The MusicBrainz client.
#[derive(Clone, Debug)]
pub struct MusicBrainz {
    http: reqwest::Client,
    base: Url,
}

#[derive(Deserialize)]
struct UrlEntity {
    resource: String,
    #[serde(default)]
    relations: Vec<Relation>,
}

#[derive(Deserialize)]
struct UrlList {
    #[serde(default)]
    urls: Vec<UrlEntity>,
}

#[derive(Deserialize)]
struct Relation {
    #[serde(rename = "target-type", default)]
    target_type: String,
    artist: Option<ArtistRef>,
}

#[derive(Deserialize)]
struct ArtistRef {
    id: String,
}

#[derive(Deserialize)]
struct Voted {
    name: String,
    #[serde(default)]
    count: i64,
}

#[derive(Deserialize)]
struct ArtistWithGenres {
    #[serde(default)]
    genres: Vec<Voted>,
    #[serde(default)]
    tags: Vec<Voted>,
}

/// What MusicBrainz's voters say about an artist: its genres and its tags (a folksonomy: "seen
/// live" is a tag too), each voted up and ranked (see [`ranked`]), not yet cut to [`MAX_GENRES`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArtistVotes {
    pub genres: Vec<String>,
    pub tags: Vec<String>,
}

/// One page of MusicBrainz's genre list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenrePage {
    /// How many genres the whole list has.
    pub total: usize,
    /// The names on this page.
    pub names: Vec<String>,
}

#[derive(Deserialize)]
struct GenreListJson {
    #[serde(rename = "genre-count", default)]
    count: usize,
    #[serde(default)]
    genres: Vec<GenreJson>,
}

#[derive(Deserialize)]
struct GenreJson {
    name: String,
}

#[derive(Deserialize)]
struct SearchHit {
    id: String,
    name: String,
    #[serde(default)]
    score: u32,
}

#[derive(Deserialize)]
struct SearchResults {
    #[serde(default)]
    artists: Vec<SearchHit>,
}

#[derive(Deserialize)]
struct IsrcRecordings {
    #[serde(default)]
    recordings: Vec<ArtistRef>,
}

/// The names of `voted` that people voted up, most votes first, ties by name.
fn ranked(voted: Vec<Voted>) -> Vec<String> {
    let mut voted: Vec<Voted> = voted.into_iter().filter(|v| v.count > 0).collect();
    voted.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    voted.dedup_by(|a, b| a.name == b.name);
    voted.into_iter().map(|v| v.name).collect()
}

/// A Lucene phrase query for an artist name (quotes and backslashes escaped).
pub fn artist_query(name: &str) -> String {
    let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
    format!("artist:\"{escaped}\"")
}

impl MusicBrainz {
    pub fn new(http: reqwest::Client, base: Url) -> Self {
        Self { http, base }
    }

    async fn get(&self, path: &str, query: &str) -> Result<reqwest::Response, OpenError> {
        let url = http::url(&self.base, path, query);
        self.http
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|err| http::send_error(&err))
    }

    /// The MusicBrainz artists linked to each of these Spotify artists (at most [`URL_BATCH`]),
    /// by Spotify id; an artist MusicBrainz has no link for is absent from the map.
    pub async fn artists_by_spotify_ids(
        &self,
        ids: &[String],
    ) -> Result<HashMap<String, Vec<String>>, OpenError> {
        let mut query: Vec<String> = ids
            .iter()
            .map(|id| format!("resource={}", http::encode(&spotify_artist_url(id))))
            .collect();
        query.push("inc=artist-rels".to_owned());
        query.push("fmt=json".to_owned());
        let response = self.get("/url", &query.join("&")).await?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Ok(HashMap::new());
        }
        if !status.is_success() {
            return Err(http::status_error(
                status,
                response.headers(),
                "MusicBrainz /url",
            ));
        }
        // One resource answers with the URL entity itself, several with a list of the known.
        let value: serde_json::Value = http::json(response, "MusicBrainz /url").await?;
        let entities: Vec<UrlEntity> = if value.get("urls").is_some() {
            serde_json::from_value::<UrlList>(value)
                .map(|list| list.urls)
                .map_err(|err| OpenError::BadResponse(format!("MusicBrainz /url: {err}")))?
        } else {
            vec![
                serde_json::from_value::<UrlEntity>(value)
                    .map_err(|err| OpenError::BadResponse(format!("MusicBrainz /url: {err}")))?,
            ]
        };
        let mut found: HashMap<String, Vec<String>> = HashMap::new();
        for entity in entities {
            let Some(id) = entity
                .resource
                .strip_prefix("https://open.spotify.com/artist/")
                .or_else(|| {
                    entity
                        .resource
                        .strip_prefix("http://open.spotify.com/artist/")
                })
            else {
                continue;
            };
            let mut artists: Vec<String> = entity
                .relations
                .into_iter()
                .filter(|relation| relation.target_type == "artist")
                .filter_map(|relation| relation.artist.map(|artist| artist.id))
                .collect();
            artists.sort();
            artists.dedup();
            if !artists.is_empty() {
                found.insert(id.to_owned(), artists);
            }
        }
        Ok(found)
    }

    /// An artist's genres and tags, each most voted first (which of them count is
    /// [`super::genres::chosen`]'s call). `None` when MusicBrainz doesn't know the MBID (any more).
    pub async fn artist_genres(&self, mbid: &str) -> Result<Option<ArtistVotes>, OpenError> {
        let response = self
            .get(
                &format!("/artist/{}", http::encode(mbid)),
                "inc=genres+tags&fmt=json",
            )
            .await?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(http::status_error(
                status,
                response.headers(),
                "MusicBrainz /artist",
            ));
        }
        let artist: ArtistWithGenres = http::json(response, "MusicBrainz /artist").await?;
        Ok(Some(ArtistVotes {
            genres: ranked(artist.genres),
            tags: ranked(artist.tags),
        }))
    }

    /// One page ([`GENRE_PAGE`] names from `offset`) of the list of every genre MusicBrainz
    /// knows.
    pub async fn genre_page(&self, offset: usize) -> Result<GenrePage, OpenError> {
        let query = format!("limit={GENRE_PAGE}&offset={offset}&fmt=json");
        let response = self.get("/genre/all", &query).await?;
        let status = response.status();
        if !status.is_success() {
            return Err(http::status_error(
                status,
                response.headers(),
                "MusicBrainz /genre/all",
            ));
        }
        let page: GenreListJson = http::json(response, "MusicBrainz /genre/all").await?;
        Ok(GenrePage {
            total: page.count,
            names: page.genres.into_iter().map(|genre| genre.name).collect(),
        })
    }

    /// Searches artists by name; only an exact (case-insensitive) name with a score of at least
    /// [`MIN_SEARCH_SCORE`] counts, and only when exactly one artist has it.
    pub async fn search_artist(&self, name: &str) -> Result<NameMatch, OpenError> {
        let query = format!(
            "query={}&limit=10&fmt=json",
            http::encode(&artist_query(name))
        );
        let response = self.get("/artist", &query).await?;
        let status = response.status();
        if !status.is_success() {
            return Err(http::status_error(
                status,
                response.headers(),
                "MusicBrainz artist search",
            ));
        }
        let results: SearchResults = http::json(response, "MusicBrainz artist search").await?;
        let wanted = name.to_lowercase();
        let mut exact: Vec<String> = results
            .artists
            .into_iter()
            .filter(|hit| hit.score >= MIN_SEARCH_SCORE && hit.name.to_lowercase() == wanted)
            .map(|hit| hit.id)
            .collect();
        exact.dedup();
        Ok(match exact.len() {
            0 => NameMatch::None,
            1 => NameMatch::One(exact.remove(0)),
            _ => NameMatch::Ambiguous,
        })
    }

    /// The recordings carrying an ISRC (empty when MusicBrainz knows none).
    pub async fn recordings_by_isrc(&self, isrc: &str) -> Result<Vec<String>, OpenError> {
        let response = self
            .get(&format!("/isrc/{}", http::encode(isrc)), "fmt=json")
            .await?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Ok(Vec::new());
        }
        if !status.is_success() {
            return Err(http::status_error(
                status,
                response.headers(),
                "MusicBrainz /isrc",
            ));
        }
        let found: IsrcRecordings = http::json(response, "MusicBrainz /isrc").await?;
        let mut ids: Vec<String> = found.recordings.into_iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genres_rank_by_votes_then_name_and_drop_downvoted() {
        let voted = |list: &[(&str, i64)]| {
            list.iter()
                .map(|(name, count)| Voted {
                    name: (*name).to_owned(),
                    count: *count,
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ranked(voted(&[
                ("rock", 2),
                ("pop", 5),
                ("art pop", 2),
                ("meh", 0),
                ("bad", -1)
            ])),
            ["pop", "art pop", "rock"]
        );
    }

    #[test]
    fn names_are_quoted_for_lucene() {
        assert_eq!(
            artist_query(r#"Rock & Roll "Forever" \o/"#),
            r#"artist:"Rock & Roll \"Forever\" \\o/""#
        );
    }
}
