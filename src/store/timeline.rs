//! Each summary month's plays themselves, packed (`history_months.timeline`, migration 0012):
//! one 16-byte entry per play, in time order, so a page that needs single plays (a song's
//! plays all along, the year's busiest song-day) reads a month as one row instead of
//! thousands of `plays` rows.
//!
//! `plays` is kept in time order only: an index by track made imports five times slower, so
//! without the timelines a song played every month meant a pass over the whole table. A
//! million plays take 16 MB here, read month by month.
//!
//! Entry layout, big-endian (as Postgres's `int4send`/`int8send` give, which the migration
//! uses): the play's time in ms since its UTC month began (u32: a month is at most
//! 2,678,400,000 ms), its track number (u32), its `ms_played` (i64). Sorted by (time, track),
//! which is also the order `(played_at, track_key)` is unique in.

/// Bytes per entry.
pub(crate) const ENTRY: usize = 16;

/// One play in a month's timeline: ms since the month began, track number, ms played.
pub(crate) type Entry = (u32, u32, i64);

/// The entries of a timeline, in order. Trailing bytes short of an entry are ignored.
pub(crate) fn entries(list: &[u8]) -> impl Iterator<Item = Entry> + '_ {
    list.chunks_exact(ENTRY).map(|entry| {
        let at = u32::from_be_bytes(entry[0..4].try_into().expect("4 bytes"));
        let no = u32::from_be_bytes(entry[4..8].try_into().expect("4 bytes"));
        let ms = i64::from_be_bytes(entry[8..16].try_into().expect("8 bytes"));
        (at, no, ms)
    })
}

fn push(list: &mut Vec<u8>, (at, no, ms): Entry) {
    list.extend_from_slice(&at.to_be_bytes());
    list.extend_from_slice(&no.to_be_bytes());
    list.extend_from_slice(&ms.to_be_bytes());
}

/// `list` with the plays of `added` put in and those of `removed` taken out (each takes out
/// one entry of the same time and track). A merge of sorted runs: a month's timeline is
/// rewritten whole, as its other summaries are, in the writer's transaction.
pub(crate) fn merge(list: &[u8], mut added: Vec<Entry>, mut removed: Vec<Entry>) -> Vec<u8> {
    added.sort_unstable();
    removed.sort_unstable();
    let mut removed = removed.into_iter().peekable();
    let mut old = entries(list).peekable();
    let mut new = added.into_iter().peekable();
    let mut merged = Vec::with_capacity(list.len() + new.len() * ENTRY);
    loop {
        let next = match (old.peek(), new.peek()) {
            (None, None) => break,
            (Some(a), Some(b)) if (b.0, b.1) < (a.0, a.1) => new.next(),
            (Some(_), _) => old.next(),
            (None, Some(_)) => new.next(),
        }
        .expect("peeked");
        // Removals are in the same order: skip those before this entry (not stored: nothing to
        // take out), then take this one out if it is the next.
        while removed.next_if(|r| (r.0, r.1) < (next.0, next.1)).is_some() {}
        if removed
            .next_if(|r| (r.0, r.1) == (next.0, next.1))
            .is_some()
        {
            continue;
        }
        push(&mut merged, next);
    }
    merged
}

/// A timeline of `plays`, sorted (tests build lists here).
#[cfg(test)]
pub(crate) fn pack(plays: &[Entry]) -> Vec<u8> {
    merge(&[], plays.to_vec(), Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plays_go_in_and_out_in_time_order() {
        let list = pack(&[(500, 2, 1_000), (100, 7, 2_000), (500, 1, 3_000)]);
        assert_eq!(list.len(), 3 * ENTRY);
        assert_eq!(
            entries(&list).collect::<Vec<_>>(),
            [(100, 7, 2_000), (500, 1, 3_000), (500, 2, 1_000)]
        );
        // Big-endian, like Postgres's int4send/int8send.
        assert_eq!(&list[..4], &100u32.to_be_bytes());
        // A replaced play goes, a new one of the same moment comes, an unknown removal is
        // ignored, and additions past the end are appended in order.
        let merged = merge(
            &list,
            vec![(900, 3, 5), (500, 3, 4), (50, 1, 6)],
            vec![(500, 1, 3_000), (400, 9, 1)],
        );
        assert_eq!(
            entries(&merged).collect::<Vec<_>>(),
            [
                (50, 1, 6),
                (100, 7, 2_000),
                (500, 2, 1_000),
                (500, 3, 4),
                (900, 3, 5)
            ]
        );
        // Taking out everything leaves an empty timeline.
        let all: Vec<Entry> = entries(&merged).collect();
        assert!(merge(&merged, Vec::new(), all).is_empty());
    }
}
