//! The fake's record of each Web API call it answered and when, so a test or a benchmark can
//! see how many calls a persona had in flight at once and how long the chain of calls that
//! waited for one another was.

use std::time::Instant;

/// One answered `/v1` call.
#[derive(Debug, Clone)]
pub struct Call {
    /// The counters' key, e.g. `GET /v1/playlists/{id}/items`.
    pub route: String,
    /// The persona whose token made the call (`None`: no valid token).
    pub persona: Option<&'static str>,
    /// When the request arrived (before any injected delay).
    pub started: Instant,
    /// When its answer was ready.
    pub ended: Instant,
}

/// The most calls of `persona` under way at one moment.
pub fn most_in_flight(calls: &[Call], persona: &str) -> usize {
    let mut events: Vec<(Instant, i32)> = calls
        .iter()
        .filter(|call| call.persona == Some(persona))
        .flat_map(|call| [(call.started, 1), (call.ended, -1)])
        .collect();
    // An end and a start at the same instant: the end first (the place was given back).
    events.sort_by_key(|&(at, change)| (at, change));
    let (mut now, mut most) = (0i32, 0i32);
    for (_, change) in events {
        now += change;
        most = most.max(now);
    }
    most as usize
}

/// The longest chain of calls each of which started only after the one before it had ended:
/// calls that could depend on one another. Calls under way together count once. For a page whose
/// calls all start when it is drawn, this is the number of round trips its slowest panel waited.
pub fn longest_chain(calls: &[Call]) -> usize {
    let mut sorted: Vec<&Call> = calls.iter().collect();
    sorted.sort_by_key(|call| call.started);
    let mut depth: Vec<usize> = Vec::with_capacity(sorted.len());
    for (index, call) in sorted.iter().enumerate() {
        let before = sorted[..index]
            .iter()
            .zip(&depth)
            .filter(|(earlier, _)| earlier.ended <= call.started)
            .map(|(_, depth)| *depth)
            .max()
            .unwrap_or(0);
        depth.push(before + 1);
    }
    depth.into_iter().max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn call(persona: &'static str, from_ms: u64, to_ms: u64, origin: Instant) -> Call {
        Call {
            route: "GET /v1/me/playlists".into(),
            persona: Some(persona),
            started: origin + Duration::from_millis(from_ms),
            ended: origin + Duration::from_millis(to_ms),
        }
    }

    #[test]
    fn chains_and_overlaps_are_told_apart() {
        let t = Instant::now();
        // Two together, then one after both, then two after that: a chain three deep.
        let calls = [
            call("alice", 0, 10, t),
            call("alice", 1, 11, t),
            call("alice", 12, 20, t),
            call("alice", 21, 30, t),
            call("alice", 21, 31, t),
            call("bob", 0, 40, t),
        ];
        assert_eq!(longest_chain(&calls), 3);
        assert_eq!(most_in_flight(&calls, "alice"), 2);
        assert_eq!(most_in_flight(&calls, "bob"), 1);
        assert_eq!(most_in_flight(&calls, "empty"), 0);
        assert_eq!(longest_chain(&[]), 0);
    }
}
