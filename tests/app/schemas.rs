//! The two databases' schemas say the same thing: after migrating, SQLite and Postgres hold the
//! same tables with the same columns (the migrations are written twice, once per dialect, so
//! a column added to one and forgotten in the other would otherwise show only in production).

use std::collections::BTreeSet;

use crate::common::{Backend, postgres_available, spawn_app};

/// Tables not of the project's migrations: the migration ledger, and the session store's table,
/// which `tower-sessions-sqlx-store` creates and names per backend.
fn ours(table: &str) -> bool {
    !table.starts_with("_sqlx") && !table.starts_with("sqlite_") && !table.contains("session")
        || table == "user_sessions"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_hold_the_same_tables_and_columns() {
    if !postgres_available().await {
        return;
    }
    let sqlite = spawn_app(Backend::Sqlite).await;
    let postgres = spawn_app(Backend::Postgres).await;

    let pool = sqlx::SqlitePool::connect(&sqlite.database_url)
        .await
        .unwrap();
    let sqlite_columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let pool = sqlx::PgPool::connect(&postgres.database_url).await.unwrap();
    let postgres_columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema()",
    )
    .fetch_all(&pool)
    .await
    .unwrap();

    let set = |columns: Vec<(String, String)>| -> BTreeSet<(String, String)> {
        columns
            .into_iter()
            .filter(|(table, _)| ours(table))
            .collect()
    };
    let (sqlite_columns, postgres_columns) = (set(sqlite_columns), set(postgres_columns));
    let tables: BTreeSet<&str> = sqlite_columns.iter().map(|(t, _)| t.as_str()).collect();
    assert!(
        tables.len() > 20 && tables.contains("plays") && tables.contains("user_sessions"),
        "the migrations made too few tables to compare: {tables:?}"
    );
    let only_sqlite: Vec<_> = sqlite_columns.difference(&postgres_columns).collect();
    let only_postgres: Vec<_> = postgres_columns.difference(&sqlite_columns).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "the schemas differ — only in SQLite: {only_sqlite:?}; only in Postgres: {only_postgres:?}"
    );
}
