//! The monthly summaries of the listening history (`history_months`, migration 0007): per user
//! and UTC month, the plays and listening time in total, per quarter hour and per track.
//!
//! The per-quarter-hour and per-track figures are packed lists ([`Counts`]), so a view reads a
//! month as one row, not thousands: SQLite hands rows to Rust at ~1.6 µs each, while a view over
//! ten years of plays needs ~800,000 (track, month) figures. Writers merge what they add into
//! the lists of the months they touched (`store::plays`), in the same transaction as the plays.
//!
//! Listening time is added up saturating, here and wherever plays' `ms_played` are summed: a
//! total that wrapped round would show as negative time (and panic in debug builds), and
//! plays stored before imports refused impossible lengths may hold one close to `i64::MAX`.

use std::collections::HashMap;

use crate::domain::time::BUCKET_MS;

/// Bytes per entry of a packed list: key (u32), plays (u32), ms_played (i64), big-endian (the
/// layout Postgres's `int4send`/`int8send` give, which migration 0007 uses).
pub(crate) const ENTRY: usize = 16;

/// Plays and listening time per key (a quarter hour of a month, or a track number).
pub(crate) type Counts = HashMap<u32, (i64, i64)>;

/// The entries of a packed list: `(key, plays, ms_played)`. Trailing bytes short of an entry
/// are ignored.
pub(crate) fn entries(list: &[u8]) -> impl Iterator<Item = (u32, i64, i64)> + '_ {
    list.chunks_exact(ENTRY).map(|entry| {
        let key = u32::from_be_bytes(entry[0..4].try_into().expect("4 bytes"));
        let plays = u32::from_be_bytes(entry[4..8].try_into().expect("4 bytes"));
        let ms = i64::from_be_bytes(entry[8..16].try_into().expect("8 bytes"));
        (key, i64::from(plays), ms)
    })
}

/// A packed list of `counts`, sorted by key; zero entries are left out (writers build lists
/// with [`merge`]; tests build them here).
#[cfg(test)]
pub(crate) fn pack(counts: &Counts) -> Vec<u8> {
    let mut keys: Vec<(&u32, &(i64, i64))> = counts.iter().filter(|(_, c)| c.0 != 0).collect();
    keys.sort_unstable_by_key(|(key, _)| **key);
    let mut list = Vec::with_capacity(keys.len() * ENTRY);
    for (key, (plays, ms)) in keys {
        list.extend_from_slice(&key.to_be_bytes());
        list.extend_from_slice(&(u32::try_from(*plays).unwrap_or(u32::MAX)).to_be_bytes());
        list.extend_from_slice(&ms.to_be_bytes());
    }
    list
}

/// `list` with `added` added to it: a merge of two sorted runs, so a month of a million
/// tracks costs the new list and the sorted additions, not a map of every entry.
pub(crate) fn merge(list: &[u8], added: &Counts) -> Vec<u8> {
    let mut more: Vec<(u32, i64, i64)> = added.iter().map(|(k, (p, m))| (*k, *p, *m)).collect();
    more.sort_unstable_by_key(|(key, ..)| *key);
    let mut old = entries(list).peekable();
    let mut more = more.into_iter().peekable();
    let mut merged = Vec::with_capacity(list.len() + more.len() * ENTRY);
    loop {
        let (key, plays, ms) = match (old.peek(), more.peek()) {
            (None, None) => break,
            (Some(a), Some(b)) if a.0 == b.0 => {
                let ((key, p, m), (_, q, n)) = (a.to_owned(), b.to_owned());
                old.next();
                more.next();
                (key, p + q, m.saturating_add(n))
            }
            (Some(a), Some(b)) if a.0 < b.0 => old.next().expect("peeked"),
            (Some(_), None) => old.next().expect("peeked"),
            (_, Some(_)) => more.next().expect("peeked"),
        };
        if plays != 0 {
            merged.extend_from_slice(&key.to_be_bytes());
            merged.extend_from_slice(&(u32::try_from(plays).unwrap_or(u32::MAX)).to_be_bytes());
            merged.extend_from_slice(&ms.to_be_bytes());
        }
    }
    merged
}

/// Adds a packed list's figures to per-key totals held in a vector indexed by key (track
/// numbers are small and dense), `sign` = 1 or -1.
pub(crate) fn add_into(totals: &mut Vec<(i64, i64)>, list: &[u8], sign: i64) {
    for (key, plays, ms) in entries(list) {
        let index = key as usize;
        if index >= totals.len() {
            totals.resize(index + 1, (0, 0));
        }
        totals[index].0 += sign * plays;
        totals[index].1 = totals[index].1.saturating_add(sign.saturating_mul(ms));
    }
}

/// The quarter hour of its month (counted from the month's first 00:00 UTC) of a time in the
/// month that starts at `month_start_ms`.
pub(crate) fn bucket_in_month(month_start_ms: i64, played_at: i64) -> u32 {
    ((played_at - month_start_ms).div_euclid(BUCKET_MS)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::utc_month_start_ms;

    #[test]
    fn lists_pack_sorted_and_merge() {
        let mut counts = Counts::new();
        counts.insert(7, (2, 400_000));
        counts.insert(1, (1, 200_000));
        counts.insert(3, (0, 0));
        let list = pack(&counts);
        assert_eq!(list.len(), 2 * ENTRY);
        assert_eq!(
            entries(&list).collect::<Vec<_>>(),
            [(1, 1, 200_000), (7, 2, 400_000)]
        );
        let mut more = Counts::new();
        more.insert(7, (1, 100_000));
        more.insert(4, (5, 5));
        let merged = merge(&list, &more);
        assert_eq!(
            entries(&merged).collect::<Vec<_>>(),
            [(1, 1, 200_000), (4, 5, 5), (7, 3, 500_000)]
        );
        let mut totals = Vec::new();
        add_into(&mut totals, &merged, 1);
        add_into(&mut totals, &list, -1);
        assert_eq!(totals[7], (1, 100_000));
        assert_eq!(totals[1], (0, 0));
        // Big-endian, like Postgres's int4send/int8send.
        assert_eq!(&list[..4], &[0, 0, 0, 1]);
        // Taking a play away (a matched play replaced) drops an entry that reaches zero; keys
        // past the list's end are appended in order.
        let mut change = Counts::new();
        change.insert(1, (-1, -200_000));
        change.insert(9, (1, 1));
        change.insert(8, (2, 2));
        assert_eq!(
            entries(&merge(&merged, &change)).collect::<Vec<_>>(),
            [(4, 5, 5), (7, 3, 500_000), (8, 2, 2), (9, 1, 1)]
        );
    }

    #[test]
    fn quarter_hours_count_from_the_month_start() {
        let march = crate::domain::time::month_index(2024, 3);
        let start = utc_month_start_ms(march);
        assert_eq!(bucket_in_month(start, start), 0);
        assert_eq!(bucket_in_month(start, start + BUCKET_MS * 5 + 1), 5);
    }
}
