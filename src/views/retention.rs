//! What an owner is told about the deletion of inactive accounts.

use maud::{Markup, html};
use time::OffsetDateTime;

use super::components::date;
use crate::domain::RetentionWarning as Warning;

fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The warning for an owner back after a long absence.
pub fn warning(warning: Warning, inactive_days: u32) -> Markup {
    html! {
        div.banner.warning role="alert" {
            p {
                strong { "Your account was close to being deleted. " }
                "This Euterpe deletes accounts, with all their data, after " (inactive_days)
                " days without a login or visit (visits to your share links don't count). You "
                "were away for " (warning.away_days) " days, so yours was due on "
                (date(at(warning.due_at))) ". This visit keeps it until at least "
                (date(at(warning.kept_until))) "."
            }
        }
    }
}

/// The policy, for the account page.
pub fn policy(inactive_days: Option<u32>) -> Markup {
    html! {
        @if let Some(days) = inactive_days {
            p.hint {
                "This Euterpe deletes accounts that nobody logs in to or visits for " (days)
                " days, with all their data and share links; visits to your share links don't "
                "count as yours. You'll be warned on your next visit from a week before."
            }
        }
    }
}
