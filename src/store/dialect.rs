//! The SQL the two engines spell differently, in one place. Everything else the store sends is
//! written once and runs on either (see `with_pool!`); a query that needs one of these pieces
//! asks for it by the store's [`Backend`].

use super::Backend;

/// `SELECT <columns> FROM <from>` aggregated into one JSON array of row arrays, as text (`'[]'`
/// when no row matches): one round trip and one decode for a list of any length.
pub(super) fn json_list(backend: Backend, columns: &str, from: &str) -> String {
    match backend {
        Backend::Sqlite => {
            format!("SELECT COALESCE(json_group_array(json_array({columns})), '[]') FROM {from}")
        }
        Backend::Postgres => format!(
            "SELECT COALESCE(json_agg(json_build_array({columns}))::text, '[]') FROM {from}"
        ),
    }
}

/// `<column> IN` the numbers of a JSON array bound as parameter `$<param>`.
pub(super) fn in_json_numbers(backend: Backend, column: &str, param: usize) -> String {
    match backend {
        Backend::Sqlite => format!("{column} IN (SELECT value FROM json_each(${param}))"),
        Backend::Postgres => format!(
            "{column} IN (SELECT value::bigint FROM json_array_elements_text(${param}::json))"
        ),
    }
}

/// The row lock that skips rows another transaction is claiming (of the table aliased `of`, or
/// every table when empty). Postgres only: SQLite serialises writers, so it needs none.
pub(super) fn skip_locked(backend: Backend, of: &str) -> String {
    match (backend, of) {
        (Backend::Sqlite, _) => String::new(),
        (Backend::Postgres, "") => " FOR UPDATE SKIP LOCKED".to_owned(),
        (Backend::Postgres, table) => format!(" FOR UPDATE OF {table} SKIP LOCKED"),
    }
}

/// The function that answers the larger of its arguments (`MAX` is an aggregate on Postgres).
pub(super) fn greatest(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "GREATEST",
        Backend::Sqlite => "MAX",
    }
}
