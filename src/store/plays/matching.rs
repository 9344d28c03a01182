//! Matching an export's plays with the plays other exports (and the poller) already stored, so
//! that one play is stored once whichever source brought it first.

use super::*;

/// How far apart (ms) an export's play and the poller's record of the same play may be: the
/// poller's `played_at` is sometimes the start and sometimes the end of the play.
pub const MATCH_SLACK_MS: i64 = 60_000;

/// How far apart the two exports' records of one play may be (the account data rounds down to
/// the minute).
pub const EXPORTS_SLACK_MS: i64 = 90_000;

/// The artist the extended history names for a compilation's tracks (it names the album's
/// artist; the account data names the track's own).
pub(super) const COMPILATION_ARTIST: &str = "Various Artists";

/// Whether two exports' records of plays close in time name the same track: the same title by
/// the same artist, or by an artist one of them does not know (none, or the compilation's
/// "Various Artists"). Keys alone can't tell: the extended history keys a play by track id and
/// the account data by names (linked to an id only when both names match exactly).
pub(super) fn same_track(a: (&str, &str), b: (&str, &str)) -> bool {
    let vague = |artist: &str| artist.is_empty() || artist.eq_ignore_ascii_case(COMPILATION_ARTIST);
    a.1 == b.1 && (a.0 == b.0 || vague(a.0) || vague(b.0))
}

/// A stored play of another export that new plays may match.
#[derive(Debug)]
pub(super) struct Candidate {
    pub(super) key: String,
    pub(super) played_at: i64,
    pub(super) ms_played: i64,
    /// (artist, title), when known.
    pub(super) names: Option<(String, String)>,
    pub(super) taken: bool,
}

/// What [`match_plays`] decided for a batch.
#[derive(Debug)]
pub(super) struct Matched<'p> {
    /// The plays to store.
    pub(super) keep: Vec<&'p NewPlay>,
    /// Stored plays a new play replaces (and so are to be deleted).
    pub(super) replaced: Vec<Candidate>,
    /// Stored plays (time, key) a new play matched, and so was skipped.
    pub(super) matched: Vec<(i64, String)>,
}

/// Matches a batch of plays (in time order) with other exports' stored records `candidates`
/// (in time order) (the poller's are [`self_guard`]'s), one to
/// one: each with the earliest stored play in its reach that names the same track (the same
/// key, or [`same_track`]) and that no other play matched, so a track played twice in a row
/// stays two plays even where one export holds only one of them. Returns the plays to
/// store and the stored plays to delete: a play keyed by track id replaces a record keyed
/// by names (the account data's), so the play ends up stored the same whichever export
/// came first, and counts with the track's other plays instead of as a track of its own.
///
/// `names_of` gives a track key's (artist, title) when the catalogue knows it. Pure: the
/// writer reads the candidates and applies the outcome.
pub(super) fn match_plays<'p, 'n>(
    plays: &[&'p NewPlay],
    mut candidates: Vec<Candidate>,
    names_of: impl Fn(&str) -> Option<(&'n str, &'n str)>,
) -> Matched<'p> {
    let mut keep = Vec::with_capacity(plays.len());
    let mut replaced = Vec::new();
    let mut matched = Vec::new();
    let mut first = 0;
    for play in plays {
        let earliest = (play.played_at - play.ms_played - MATCH_SLACK_MS)
            .max(play.played_at - EXPORTS_SLACK_MS);
        while candidates
            .get(first)
            .is_some_and(|c| c.played_at < play.played_at - EXPORTS_SLACK_MS)
        {
            first += 1;
        }
        let names = names_of_key(&play.track_key).or_else(|| names_of(&play.track_key));
        let found = candidates[first..]
            .iter()
            .take_while(|c| c.played_at <= play.played_at + EXPORTS_SLACK_MS)
            .position(|c| {
                !c.taken
                    && c.played_at >= earliest
                    && (c.key == play.track_key
                        || names
                            .zip(c.names.as_ref())
                            .is_some_and(|(a, b)| same_track(a, (b.0.as_str(), b.1.as_str()))))
            });
        let Some(found) = found.map(|at| at + first) else {
            keep.push(*play);
            continue;
        };
        let candidate = &mut candidates[found];
        candidate.taken = true;
        if names_of_key(&play.track_key).is_none() && names_of_key(&candidate.key).is_some() {
            keep.push(*play);
            replaced.push(found);
        } else {
            matched.push((candidate.played_at, candidate.key.clone()));
        }
    }
    // Highest first, so each removal leaves the indices still to remove in place.
    replaced.sort_unstable();
    let mut replaced_plays = Vec::with_capacity(replaced.len());
    for index in replaced.into_iter().rev() {
        replaced_plays.push(candidates.swap_remove(index));
    }
    Matched {
        keep,
        replaced: replaced_plays,
        matched,
    }
}

impl PlayWriter {
    /// Matches plays with other exports' records (see [`match_plays`]); the stored plays a play
    /// matched are remembered, so a later batch doesn't match them again.
    pub(super) async fn match_exports<'p>(
        &mut self,
        plays: &[&'p NewPlay],
    ) -> Result<(Vec<&'p NewPlay>, Vec<Candidate>)> {
        let from = plays[0].played_at - EXPORTS_SLACK_MS;
        let to = plays[plays.len() - 1].played_at + EXPORTS_SLACK_MS;
        let candidates = self.other_exports_plays(from, to).await?;
        let names = &self.names;
        let outcome = match_plays(plays, candidates, |key| {
            names
                .get(key)
                .map(|(artist, name)| (artist.as_str(), name.as_str()))
        });
        self.matched.extend(outcome.matched);
        Ok((outcome.keep, outcome.replaced))
    }

    /// The stored plays of other exports in `[from, to]`, in time order, with their tracks'
    /// names; those a play of this writer already matched are left out.
    pub(super) async fn other_exports_plays(
        &mut self,
        from: i64,
        to: i64,
    ) -> Result<Vec<Candidate>> {
        let (user, source) = (self.user, self.source.code());
        const COLUMNS: &str = "p.track_key, p.played_at, p.ms_played, t.artist_name, t.name";
        const FROM: &str = "plays p LEFT JOIN user_tracks t ON t.user_id = p.user_id \
             AND t.track_key = p.track_key WHERE p.user_id = $1 AND p.played_at >= $2 \
             AND p.played_at <= $3 AND p.source NOT IN (1, $4)";
        let sql = json_list(self.backend(), COLUMNS, FROM);
        let json: String = with_tx!(self, tx => {
            sqlx::query_scalar(&sql)
                .bind(user)
                .bind(from)
                .bind(to)
                .bind(source)
                .fetch_one(&mut **tx)
                .await?
        });
        type Row = (String, i64, i64, Option<String>, Option<String>);
        let rows: Vec<Row> = crate::store::decode_json(&json)?;
        let mut candidates: Vec<Candidate> = rows
            .into_iter()
            .filter(|(key, at, ..)| !self.matched.contains(&(*at, key.clone())))
            .map(|(key, played_at, ms_played, artist, name)| {
                let names = match (artist, name) {
                    (Some(artist), Some(name)) => Some((artist, name)),
                    _ => names_of_key(&key).map(|(a, n)| (a.to_owned(), n.to_owned())),
                };
                Candidate {
                    key,
                    played_at,
                    ms_played,
                    names,
                    taken: false,
                }
            })
            .collect();
        candidates.sort_unstable_by(|a, b| (a.played_at, &a.key).cmp(&(b.played_at, &b.key)));
        Ok(candidates)
    }

    /// Deletes stored plays that new plays replace.
    pub(super) async fn delete(&mut self, plays: &[Candidate]) -> Result<()> {
        if plays.is_empty() {
            return Ok(());
        }
        let user = self.user;
        let listed: Vec<(i64, &str)> = plays
            .iter()
            .map(|p| (p.played_at, p.key.as_str()))
            .collect();
        let deleted = engine_op!(self, delete_plays(user, &listed))?;
        if deleted != plays.len() as u64 {
            return Err(sqlx::Error::Protocol(format!(
                "{} of {} replaced plays were deleted: another writer held the user's history",
                deleted,
                plays.len()
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn play(key: &str, played_at: i64, ms_played: i64) -> NewPlay {
        NewPlay {
            track_key: key.to_owned(),
            played_at,
            ms_played,
        }
    }

    fn stored(key: &str, played_at: i64, names: Option<(&str, &str)>) -> Candidate {
        Candidate {
            key: key.to_owned(),
            played_at,
            ms_played: 3 * MIN,
            names: names.map(|(a, t)| (a.to_owned(), t.to_owned())),
            taken: false,
        }
    }

    fn no_names(_: &str) -> Option<(&'static str, &'static str)> {
        None
    }

    #[test]
    fn the_same_key_close_in_time_is_one_play() {
        let new = play("id:1", 100 * MIN, 3 * MIN);
        let outcome = match_plays(
            &[&new],
            vec![stored("id:1", 100 * MIN + 30_000, None)],
            no_names,
        );
        assert!(outcome.keep.is_empty());
        assert_eq!(
            outcome.matched,
            vec![(100 * MIN + 30_000, "id:1".to_owned())]
        );
    }

    #[test]
    fn a_play_out_of_reach_is_new() {
        let new = play("id:1", 100 * MIN, 3 * MIN);
        let outcome = match_plays(&[&new], vec![stored("id:1", 110 * MIN, None)], no_names);
        assert_eq!(outcome.keep, vec![&new]);
        assert!(outcome.matched.is_empty() && outcome.replaced.is_empty());
    }

    #[test]
    fn a_play_keyed_by_id_replaces_the_record_keyed_by_names() {
        let by_names = name_key("Artist", "Song");
        let new = play("id:1", 100 * MIN, 3 * MIN);
        let outcome = match_plays(
            &[&new],
            vec![stored(&by_names, 100 * MIN, Some(("Artist", "Song")))],
            |key| (key == "id:1").then_some(("Artist", "Song")),
        );
        assert_eq!(outcome.keep, vec![&new]);
        assert_eq!(outcome.replaced.len(), 1);
        assert_eq!(outcome.replaced[0].key, by_names);
    }

    #[test]
    fn a_track_played_twice_stays_two_plays_against_one_record() {
        let (first, second) = (
            play("id:1", 100 * MIN, 3 * MIN),
            play("id:1", 103 * MIN, 3 * MIN),
        );
        let outcome = match_plays(
            &[&first, &second],
            vec![stored("id:1", 100 * MIN, None)],
            no_names,
        );
        assert_eq!(outcome.keep, vec![&second]);
        assert_eq!(outcome.matched.len(), 1);
    }

    #[test]
    fn various_artists_names_the_same_track_by_title() {
        let new = play(&name_key("Real Artist", "Song"), 100 * MIN, 3 * MIN);
        let outcome = match_plays(
            &[&new],
            vec![stored("id:9", 100 * MIN, Some(("Various Artists", "Song")))],
            no_names,
        );
        assert!(
            outcome.keep.is_empty(),
            "matched by title under a compilation's artist"
        );
        let other = play(&name_key("Someone Else", "Song"), 100 * MIN, 3 * MIN);
        let outcome = match_plays(
            &[&other],
            vec![stored("id:9", 100 * MIN, Some(("Real Artist", "Song")))],
            no_names,
        );
        assert_eq!(
            outcome.keep,
            vec![&other],
            "another artist's song of the same title"
        );
    }
}
