//! Which years in review a share link shows: every year with plays, or the ones its owner
//! listed. Stored among the share's panel names as `year` or `year:2023+2024`.

/// The years in review a share shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SharedYears {
    /// Every year with plays, now and later.
    All,
    /// These years only (ascending, no repeats).
    Only(Vec<i64>),
}

impl SharedYears {
    /// Whether `year` is shared.
    pub fn includes(&self, year: i64) -> bool {
        match self {
            Self::All => true,
            Self::Only(years) => years.contains(&year),
        }
    }

    /// The token stored among the share's panel names.
    pub fn token(&self) -> String {
        match self {
            Self::All => "year".to_owned(),
            Self::Only(years) => {
                let list: Vec<String> = years.iter().map(i64::to_string).collect();
                format!("year:{}", list.join("+"))
            }
        }
    }

    /// The shared years a stored token names, if it is one.
    pub fn from_token(token: &str) -> Option<Self> {
        if token == "year" {
            return Some(Self::All);
        }
        let list = token.strip_prefix("year:")?;
        let mut years: Vec<i64> = list.split('+').filter_map(|y| y.parse().ok()).collect();
        years.sort_unstable();
        years.dedup();
        Some(Self::Only(years))
    }

    /// How the owner's list of shares describes it.
    pub fn describe(&self) -> String {
        match self {
            Self::All => "Year in review (every year)".to_owned(),
            Self::Only(years) => {
                let list: Vec<String> = years.iter().map(i64::to_string).collect();
                format!("Year in review ({})", list.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_round_trips() {
        for years in [SharedYears::All, SharedYears::Only(vec![2023, 2025])] {
            assert_eq!(SharedYears::from_token(&years.token()), Some(years));
        }
        assert_eq!(SharedYears::from_token("top_songs"), None);
    }
}
