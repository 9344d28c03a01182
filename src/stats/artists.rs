//! The three artist panels: top artists, artists standing the test of time, artists falling off.

use std::collections::{HashMap, HashSet};

use crate::domain::{Artist, Image};
use crate::stats::common::chosen_image;

/// One row of the top-artists panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtistRow {
    /// 1-based position in Spotify's top list.
    pub rank: usize,
    /// Spotify artist id.
    pub id: String,
    /// Artist name as Spotify sends it.
    pub name: String,
    /// The portrait to show; `None` means the placeholder.
    pub image: Option<Image>,
    /// Genres as Spotify sends them; `None` when unknown (development mode), which is not the
    /// same as `Some(vec![])`, an artist Spotify knows no genre for.
    pub genres: Option<Vec<String>>,
    /// The artist on open.spotify.com.
    pub url: String,
}

/// Every top artist in Spotify's order.
pub fn top_artists(artists: &[Artist]) -> Vec<ArtistRow> {
    artists
        .iter()
        .enumerate()
        .map(|(index, artist)| ArtistRow {
            rank: index + 1,
            id: artist.id.clone(),
            name: artist.name.clone(),
            image: chosen_image(&artist.images),
            genres: artist.genres.clone(),
            url: artist.external_urls.spotify.clone(),
        })
        .collect()
}

/// Whether Spotify sent genres for at least one artist (it does not in development mode), so
/// the panel can say genres are unavailable rather than show empty cells.
pub fn any_genres_known(artists: &[Artist]) -> bool {
    artists.iter().any(|artist| artist.genres.is_some())
}

/// One row of "artists standing the test of time".
#[derive(Debug, Clone, PartialEq)]
pub struct StandingRow {
    /// Spotify artist id.
    pub id: String,
    /// Artist name (from the short-term list, the freshest of the three).
    pub name: String,
    /// The portrait to show; `None` means the placeholder.
    pub image: Option<Image>,
    /// 1-based rank in the short-, medium- and long-term lists, in that order.
    pub ranks: [usize; 3],
    /// Mean of the three ranks.
    pub mean_rank: f64,
    /// The artist on open.spotify.com.
    pub url: String,
}

/// 1-based rank of each artist id in a top list; an id listed twice keeps its first rank.
fn ranks_by_id(artists: &[Artist]) -> HashMap<&str, usize> {
    let mut ranks = HashMap::new();
    for (index, artist) in artists.iter().enumerate() {
        ranks.entry(artist.id.as_str()).or_insert(index + 1);
    }
    ranks
}

/// Artists (by id) in the top artists of all three ranges, by mean rank ascending, ties by
/// name (code-point order).
pub fn artists_standing_test_of_time(
    short: &[Artist],
    medium: &[Artist],
    long: &[Artist],
) -> Vec<StandingRow> {
    let medium_ranks = ranks_by_id(medium);
    let long_ranks = ranks_by_id(long);
    let mut seen = HashSet::new();
    let mut rows: Vec<(usize, StandingRow)> = Vec::new();
    for (index, artist) in short.iter().enumerate() {
        if !seen.insert(artist.id.as_str()) {
            continue;
        }
        let (Some(&medium_rank), Some(&long_rank)) = (
            medium_ranks.get(artist.id.as_str()),
            long_ranks.get(artist.id.as_str()),
        ) else {
            continue;
        };
        let ranks = [index + 1, medium_rank, long_rank];
        let sum: usize = ranks.iter().sum();
        rows.push((
            sum,
            StandingRow {
                id: artist.id.clone(),
                name: artist.name.clone(),
                image: chosen_image(&artist.images),
                ranks,
                mean_rank: sum as f64 / 3.0,
                url: artist.external_urls.spotify.clone(),
            },
        ));
    }
    // Comparing the integer sums orders exactly as the means do, without float comparison.
    rows.sort_by(|(a_sum, a), (b_sum, b)| a_sum.cmp(b_sum).then_with(|| a.name.cmp(&b.name)));
    rows.into_iter().map(|(_, row)| row).collect()
}

/// One row of "artists falling off".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FallingRow {
    /// Spotify artist id.
    pub id: String,
    /// Artist name.
    pub name: String,
    /// The portrait to show; `None` means the placeholder.
    pub image: Option<Image>,
    /// 1-based rank in the long-term list.
    pub long_rank: usize,
    /// The artist on open.spotify.com.
    pub url: String,
}

/// Artists (by id) in the long-term top artists and in neither the medium- nor the short-term
/// ones, by long-term rank ascending.
pub fn artists_falling_off(
    short: &[Artist],
    medium: &[Artist],
    long: &[Artist],
) -> Vec<FallingRow> {
    let recent: HashSet<&str> = short
        .iter()
        .chain(medium)
        .map(|artist| artist.id.as_str())
        .collect();
    let mut seen = HashSet::new();
    long.iter()
        .enumerate()
        .filter(|(_, artist)| seen.insert(artist.id.as_str()))
        .filter(|(_, artist)| !recent.contains(artist.id.as_str()))
        .map(|(index, artist)| FallingRow {
            id: artist.id.clone(),
            name: artist.name.clone(),
            image: chosen_image(&artist.images),
            long_rank: index + 1,
            url: artist.external_urls.spotify.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testing::{artist, image};

    fn names_of(rows: &[StandingRow]) -> Vec<&str> {
        rows.iter().map(|row| row.name.as_str()).collect()
    }

    #[test]
    fn development_mode_artists_have_unknown_genres_and_may_lack_images() {
        let mut faceless = artist("x", "Faceless");
        faceless.images.clear();
        let mut no_genres = artist("y", "Known Empty");
        no_genres.genres = Some(Vec::new());
        let rows = top_artists(&[faceless.clone(), no_genres]);
        assert_eq!(rows[0].genres, None);
        assert_eq!(rows[0].image, None);
        assert_eq!(rows[1].genres, Some(Vec::new()));
        assert_eq!(rows[1].image, Some(image("y-300", 300)));
        assert!(!any_genres_known(&[faceless]));
        assert!(top_artists(&[]).is_empty());
    }

    #[test]
    fn standing_the_test_of_time_needs_all_three_ranges_and_orders_by_mean_rank() {
        let a = artist("a", "Alpha");
        let b = artist("b", "Beta");
        let c = artist("c", "Gamma");
        let d = artist("d", "Delta");
        let short = [a.clone(), b.clone(), c.clone(), d.clone()];
        let medium = [c.clone(), a.clone(), b.clone()];
        let long = [b.clone(), c.clone(), a.clone(), d.clone()];
        let rows = artists_standing_test_of_time(&short, &medium, &long);
        // Delta is missing from medium_term, so it does not stand.
        // Alpha 1,2,3 → 2.0; Beta 2,3,1 → 2.0; Gamma 3,1,2 → 2.0: all tied, so by name.
        assert_eq!(names_of(&rows), ["Alpha", "Beta", "Gamma"]);
        assert_eq!(rows[1].ranks, [2, 3, 1]);
        assert_eq!(rows[1].mean_rank, 2.0);
        assert_eq!(rows[0].url, "https://open.spotify.com/artist/a");

        let e = artist("e", "Epsilon");
        let rows = artists_standing_test_of_time(
            &[e.clone(), a.clone(), b.clone()],
            &[b.clone(), e.clone(), a.clone()],
            &[a.clone(), b.clone(), e.clone()],
        );
        // Epsilon 1,2,3 → 2.0; Alpha 2,3,1 → 2.0; Beta 3,1,2 → 2.0 → by name again,
        // whatever the short-term order.
        assert_eq!(names_of(&rows), ["Alpha", "Beta", "Epsilon"]);

        let rows = artists_standing_test_of_time(
            &[a.clone(), b.clone(), c.clone()],
            &[a.clone(), c.clone(), b.clone()],
            &[c.clone(), a.clone(), b.clone()],
        );
        // Alpha 1,1,2 → 1.333…; Gamma 3,2,1 → 2.0; Beta 2,3,3 → 2.666…
        assert_eq!(names_of(&rows), ["Alpha", "Gamma", "Beta"]);
        assert!((rows[0].mean_rank - 4.0 / 3.0).abs() < 1e-12);
        assert_eq!(rows[2].ranks, [2, 3, 3]);
    }

    #[test]
    fn standing_ties_by_name_use_code_points_not_case_or_locale() {
        // Three artists rotated through the three ranges: every rank sum is 6, a full tie.
        let rotated = |x: &Artist, y: &Artist, z: &Artist| {
            artists_standing_test_of_time(
                &[x.clone(), y.clone(), z.clone()],
                &[y.clone(), z.clone(), x.clone()],
                &[z.clone(), x.clone(), y.clone()],
            )
        };
        let upper = artist("u", "Zed");
        let lower = artist("l", "alpha");
        let accent = artist("e", "Émile");
        // "Zed" (Z = U+005A) < "alpha" (a = U+0061) < "Émile" (É = U+00C9).
        assert_eq!(
            names_of(&rotated(&accent, &lower, &upper)),
            ["Zed", "alpha", "Émile"]
        );
        assert_eq!(
            names_of(&rotated(&lower, &upper, &accent)),
            ["Zed", "alpha", "Émile"]
        );
        // Case is not folded: "Zed" < "zed"; and "zed" < "Ábel" because Á is U+00C1.
        let small = artist("s", "zed");
        let abel = artist("a", "Ábel");
        assert_eq!(
            names_of(&rotated(&abel, &small, &upper)),
            ["Zed", "zed", "Ábel"]
        );
    }

    #[test]
    fn identity_is_by_id_not_name() {
        let one = artist("id-1", "Same Name");
        let other = artist("id-2", "Same Name");
        // id-2 is only in short and medium; id-1 is in all three.
        let rows = artists_standing_test_of_time(
            &[other.clone(), one.clone()],
            &[one.clone(), other.clone()],
            std::slice::from_ref(&one),
        );
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].id, "id-1");
        assert_eq!(rows[0].ranks, [2, 1, 1]);

        // A renamed artist is still the same artist.
        let mut renamed = one.clone();
        renamed.name = "New Name".to_owned();
        let falling = artists_falling_off(&[renamed], &[], &[one.clone(), other.clone()]);
        assert_eq!(falling.len(), 1);
        assert_eq!((falling[0].id.as_str(), falling[0].long_rank), ("id-2", 2));
    }

    #[test]
    fn falling_off_keeps_long_term_only_artists_in_long_term_order() {
        let a = artist("a", "Alpha");
        let b = artist("b", "Beta");
        let c = artist("c", "Gamma");
        let d = artist("d", "Delta");
        let e = artist("e", "Epsilon");
        let long = [a.clone(), b.clone(), c.clone(), d.clone(), e.clone()];
        // b is still in short_term, d still in medium_term.
        let rows = artists_falling_off(std::slice::from_ref(&b), std::slice::from_ref(&d), &long);
        let got: Vec<(&str, usize)> = rows
            .iter()
            .map(|row| (row.name.as_str(), row.long_rank))
            .collect();
        assert_eq!(got, [("Alpha", 1), ("Gamma", 3), ("Epsilon", 5)]);
        assert_eq!(rows[1].image, Some(image("c-300", 300)));
        assert_eq!(rows[1].url, "https://open.spotify.com/artist/c");
    }

    #[test]
    fn no_top_artists_means_no_rows() {
        assert!(artists_standing_test_of_time(&[], &[], &[]).is_empty());
        assert!(artists_falling_off(&[], &[], &[]).is_empty());
        let a = artist("a", "Alpha");
        assert!(
            artists_standing_test_of_time(std::slice::from_ref(&a), std::slice::from_ref(&a), &[])
                .is_empty()
        );
    }
}
