//! What a panel knows of genres or popularity right now, where each value came from, what is
//! still being looked up, and why something is missing: plain data for the views.

use std::collections::{HashMap, HashSet};

use crate::domain::Track;
use crate::stats::PopularitySource;

/// One of the open services.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    MusicBrainz,
    ListenBrainz,
    LastFm,
}

impl Service {
    /// All three, in the order notes list them.
    pub const ALL: [Service; 3] = [Self::MusicBrainz, Self::ListenBrainz, Self::LastFm];

    /// The name kept in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MusicBrainz => "musicbrainz",
            Self::ListenBrainz => "listenbrainz",
            Self::LastFm => "lastfm",
        }
    }

    /// The service's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::MusicBrainz => "MusicBrainz",
            Self::ListenBrainz => "ListenBrainz",
            Self::LastFm => "Last.fm",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// What is wrong with a service at the moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Problem {
    /// It answered 429: Euterpe waits for its `Retry-After`.
    RateLimited,
    /// It answered 5xx or could not be reached.
    Unavailable,
    /// It did not answer in time.
    Slow,
    /// It wants a token and none is configured (ListenBrainz: `LISTENBRAINZ_TOKEN`).
    NeedsToken,
    /// It refused the configured token.
    TokenRefused,
    /// It refused the configured API key (Last.fm: `LASTFM_API_KEY`).
    KeyRefused,
}

impl Problem {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RateLimited => "rate_limited",
            Self::Unavailable => "unavailable",
            Self::Slow => "slow",
            Self::NeedsToken => "needs_token",
            Self::TokenRefused => "token_refused",
            Self::KeyRefused => "key_refused",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            Self::RateLimited,
            Self::Unavailable,
            Self::Slow,
            Self::NeedsToken,
            Self::TokenRefused,
            Self::KeyRefused,
        ]
        .into_iter()
        .find(|p| p.as_str() == value)
    }

    /// Whether only the operator can end it (by changing the configuration).
    pub fn needs_operator(self) -> bool {
        matches!(
            self,
            Self::NeedsToken | Self::TokenRefused | Self::KeyRefused
        )
    }
}

/// A service problem a panel explains.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub service: Service,
    pub problem: Problem,
    /// When Euterpe asks it again (Unix seconds).
    pub retry_at: i64,
}

/// Where a panel's values come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Spotify sent them (an extended-quota app): nothing is looked up elsewhere.
    Spotify,
    /// Open music data, as far as it has been looked up.
    Open,
    /// Spotify doesn't send them and open-data look-ups are turned off (`ENRICHMENT=0`).
    Off,
}

/// How far the open-data look-ups of one panel have come.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coverage {
    pub origin: Origin,
    /// Distinct items (artists or tracks) the panel asked about.
    pub wanted: usize,
    /// Items with a value.
    pub known: usize,
    /// Items still queued.
    pub pending: usize,
    /// Items the services don't know (or, for an artist, whose name is ambiguous).
    pub not_found: usize,
    /// Items a service refused to look up (a token or key problem).
    pub refused: usize,
    /// The services the pending items wait for.
    pub waiting_on: Vec<Service>,
    /// Current problems of the services this panel needs.
    pub notices: Vec<Notice>,
    /// The database could not be read: nothing is known this time.
    pub database_error: bool,
}

impl Coverage {
    /// Everything from one origin with nothing to look up.
    pub fn settled(origin: Origin, wanted: usize, known: usize) -> Self {
        Self {
            origin,
            wanted,
            known,
            pending: 0,
            not_found: 0,
            refused: 0,
            waiting_on: Vec::new(),
            notices: Vec::new(),
            database_error: false,
        }
    }

    /// Open data that could not be read (the database failed).
    pub fn unreadable(wanted: usize) -> Self {
        Self {
            database_error: true,
            ..Self::settled(Origin::Open, wanted, 0)
        }
    }

    /// The current problem of a service, if it has one.
    pub fn notice(&self, service: Service) -> Option<&Notice> {
        self.notices.iter().find(|n| n.service == service)
    }

    /// In how many seconds the panel should look again for what is pending; `None` when nothing
    /// will change soon (nothing pending, or every service it waits for is held back until the
    /// operator acts). Every 2 s while a service works on it; when all are held back, at their
    /// earliest retry (between 5 s and a minute).
    pub fn refresh_after(&self, now: i64) -> Option<u64> {
        if self.pending == 0 || self.origin != Origin::Open {
            return None;
        }
        let held = |service: &Service| {
            self.notice(*service)
                .is_some_and(|n| n.problem.needs_operator() || n.retry_at > now)
        };
        if self.waiting_on.is_empty() || self.waiting_on.iter().any(|s| !held(s)) {
            return Some(2);
        }
        let soonest = self
            .waiting_on
            .iter()
            .filter_map(|s| self.notice(*s))
            .filter(|n| !n.problem.needs_operator())
            .map(|n| n.retry_at)
            .min()?;
        Some((soonest - now).clamp(5, 60) as u64)
    }
}

/// Popularity by track id for one panel, with each value's source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PopularityView {
    pub values: HashMap<String, (u8, PopularitySource)>,
    /// Tracks still being looked up.
    pub pending: HashSet<String>,
    pub coverage: Coverage,
}

impl PopularityView {
    /// Spotify's own figures (extended quota), or none at all.
    pub fn from_spotify(tracks: &[Track]) -> Self {
        let values: HashMap<String, (u8, PopularitySource)> = tracks
            .iter()
            .filter_map(|t| Some((t.id.clone(), (t.popularity?, PopularitySource::Spotify))))
            .collect();
        let known = values.len();
        Self {
            values,
            pending: HashSet::new(),
            coverage: Coverage::settled(Origin::Spotify, tracks.len(), known),
        }
    }

    /// No values, for a reason the coverage gives.
    pub fn empty(coverage: Coverage) -> Self {
        Self {
            values: HashMap::new(),
            pending: HashSet::new(),
            coverage,
        }
    }

    /// A track's popularity, when known.
    pub fn of(&self, track: &Track) -> Option<u8> {
        self.values.get(&track.id).map(|(value, _)| *value)
    }

    /// Where a track's popularity came from.
    pub fn source_of(&self, id: &str) -> Option<PopularitySource> {
        self.values.get(id).map(|(_, source)| *source)
    }

    /// Whether a track is still being looked up.
    pub fn is_pending(&self, id: &str) -> bool {
        self.pending.contains(id)
    }

    /// The distinct sources of the known values, Spotify first, then ListenBrainz, Last.fm.
    pub fn sources(&self) -> Vec<PopularitySource> {
        [
            PopularitySource::Spotify,
            PopularitySource::ListenBrainz,
            PopularitySource::LastFm,
        ]
        .into_iter()
        .filter(|s| self.values.values().any(|(_, source)| source == s))
        .collect()
    }
}

/// Genres by artist id for one panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenresView {
    pub values: HashMap<String, Vec<String>>,
    /// Artists still being looked up.
    pub pending: HashSet<String>,
    pub coverage: Coverage,
}

impl GenresView {
    /// Genres Spotify sent (extended quota).
    pub fn from_spotify(values: HashMap<String, Vec<String>>, wanted: usize) -> Self {
        let known = values.len();
        Self {
            values,
            pending: HashSet::new(),
            coverage: Coverage::settled(Origin::Spotify, wanted, known),
        }
    }

    /// No values, for a reason the coverage gives.
    pub fn empty(coverage: Coverage) -> Self {
        Self {
            values: HashMap::new(),
            pending: HashSet::new(),
            coverage,
        }
    }

    /// An artist's genres, when known (possibly none listed).
    pub fn get(&self, id: &str) -> Option<&[String]> {
        self.values.get(id).map(Vec::as_slice)
    }

    /// Whether an artist is still being looked up.
    pub fn is_pending(&self, id: &str) -> bool {
        self.pending.contains(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending_on(services: &[Service], notices: Vec<Notice>) -> Coverage {
        Coverage {
            pending: 3,
            waiting_on: services.to_vec(),
            notices,
            ..Coverage::settled(Origin::Open, 10, 7)
        }
    }

    #[test]
    fn refreshes_quickly_while_a_service_works_and_slowly_or_never_when_held_back() {
        let now = 1_000;
        assert_eq!(
            Coverage::settled(Origin::Open, 5, 5).refresh_after(now),
            None
        );
        assert_eq!(
            pending_on(&[Service::MusicBrainz], vec![]).refresh_after(now),
            Some(2)
        );
        let down = |retry_at| Notice {
            service: Service::MusicBrainz,
            problem: Problem::Unavailable,
            retry_at,
        };
        assert_eq!(
            pending_on(&[Service::MusicBrainz], vec![down(now + 30)]).refresh_after(now),
            Some(30)
        );
        assert_eq!(
            pending_on(&[Service::MusicBrainz], vec![down(now + 3600)]).refresh_after(now),
            Some(60)
        );
        // The pause is over: back to the quick pace.
        assert_eq!(
            pending_on(&[Service::MusicBrainz], vec![down(now - 1)]).refresh_after(now),
            Some(2)
        );
        // One of two services still works.
        assert_eq!(
            pending_on(
                &[Service::MusicBrainz, Service::ListenBrainz],
                vec![down(now + 600)]
            )
            .refresh_after(now),
            Some(2)
        );
        let token = Notice {
            service: Service::ListenBrainz,
            problem: Problem::NeedsToken,
            retry_at: now + 3600,
        };
        assert_eq!(
            pending_on(&[Service::ListenBrainz], vec![token]).refresh_after(now),
            None
        );
    }

    #[test]
    fn names_round_trip() {
        for service in Service::ALL {
            assert_eq!(Service::parse(service.as_str()), Some(service));
        }
        for problem in [
            Problem::RateLimited,
            Problem::NeedsToken,
            Problem::KeyRefused,
        ] {
            assert_eq!(Problem::parse(problem.as_str()), Some(problem));
        }
    }
}
