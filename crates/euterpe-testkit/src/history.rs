//! Helpers of the history and import tests: the session's form token, users and their plays,
//! export files and zips, and uploads followed to their end.

use std::io::Write;

use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};

use super::{TestApp, location};

/// This session's form token, read from the account page.
pub async fn csrf_of(app: &TestApp, client: &Client) -> String {
    app.csrf(client).await
}

/// Posts the history settings form (`csrf`: the form token to send, right or wrong).
pub async fn save_settings(
    app: &TestApp,
    client: &Client,
    csrf: &str,
    time_zone: &str,
    hemisphere: &str,
) -> reqwest::Response {
    client
        .post(app.url("/account/settings"))
        .form(&[
            ("csrf", csrf),
            ("time_zone", time_zone),
            ("hemisphere", hemisphere),
        ])
        .send()
        .await
        .unwrap()
}

/// The user id of a persona who logged in.
pub async fn user_id(app: &TestApp, persona: &str) -> euterpe::domain::UserId {
    let facts = app.fake.persona_facts(persona).unwrap();
    app.store
        .user_by_account(&facts.account_id)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Stored plays of a user, counted in the database.
pub async fn stored_plays(app: &TestApp, user: euterpe::domain::UserId) -> i64 {
    count_rows(app, "plays", user).await
}

/// How many rows of `table` belong to `user` (for `users`, the user's own row), read straight
/// from the test's database: the store has no query built from a table name.
pub async fn count_rows(app: &TestApp, table: &str, user: euterpe::domain::UserId) -> i64 {
    let column = if table == "users" { "id" } else { "user_id" };
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1");
    match app.backend {
        super::Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&app.database_url).await.unwrap();
            sqlx::query_scalar(&sql)
                .bind(user)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
        super::Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
            sqlx::query_scalar(&sql)
                .bind(user)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    }
}

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../tests/fixtures/spotify/export/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

pub fn zip_of(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// Uploads files (name, bytes) and returns the answer.
pub async fn upload(
    app: &TestApp,
    client: &Client,
    csrf: Option<&str>,
    files: &[(&str, Vec<u8>)],
) -> reqwest::Response {
    upload_from(app, client, csrf, files, None).await
}

/// [`upload`], from a client address of its own when `forwarded` says one (the address's
/// rate-limit bucket is then fresh; the user's still counts).
pub async fn upload_from(
    app: &TestApp,
    client: &Client,
    csrf: Option<&str>,
    files: &[(&str, Vec<u8>)],
    forwarded: Option<String>,
) -> reqwest::Response {
    let mut form = Form::new();
    if let Some(csrf) = csrf {
        form = form.text("csrf", csrf.to_owned());
    }
    for (name, bytes) in files {
        form = form.part(
            "file",
            Part::bytes(bytes.clone()).file_name(name.to_string()),
        );
    }
    let mut request = client.post(app.url("/import")).multipart(form);
    if let Some(address) = forwarded {
        request = request.header("x-forwarded-for", address);
    }
    request.send().await.unwrap()
}

/// Uploads, follows the job to its end and returns its page.
pub async fn import(app: &TestApp, client: &Client, files: &[(&str, Vec<u8>)]) -> String {
    import_from(app, client, files, None).await
}

/// [`import`] from an address no other upload came from: for tests of more than five uploads
/// (the hourly limit of one address; a user still has the same five).
pub async fn import_anew(app: &TestApp, client: &Client, files: &[(&str, Vec<u8>)]) -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let address = format!("198.51.{}.{}", n / 250, n % 250 + 1);
    import_from(app, client, files, Some(address)).await
}

pub async fn import_from(
    app: &TestApp,
    client: &Client,
    files: &[(&str, Vec<u8>)],
    forwarded: Option<String>,
) -> String {
    let csrf = csrf_of(app, client).await;
    let answer = upload_from(app, client, Some(&csrf), files, forwarded).await;
    assert_eq!(
        answer.status(),
        StatusCode::SEE_OTHER,
        "{}",
        answer.text().await.unwrap()
    );
    let job = location(&answer);
    assert!(job.starts_with("/import/"), "{job}");
    for _ in 0..600 {
        let fragment = app
            .htmx(client, &format!("{job}/progress"))
            .await
            .text()
            .await
            .unwrap();
        if !fragment.contains("hx-trigger") {
            return app.get(client, &job).await.text().await.unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the import did not finish");
}

/// The number shown in a summary line, by its class.
pub fn figure(page: &str, class: &str) -> i64 {
    let marker = format!(r#"<dd class="{class}">"#);
    page.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("no {class} in {page}"))
        .replace(',', "")
        .parse()
        .unwrap()
}

/// An extended-history entry.
pub fn extended(ts: &str, ms: i64, track: &str, artist: &str, id: &str) -> serde_json::Value {
    serde_json::json!({
        "ts": ts, "platform": "linux", "ms_played": ms, "conn_country": "SE", "ip_addr": "",
        "master_metadata_track_name": track, "master_metadata_album_artist_name": artist,
        "master_metadata_album_album_name": "Album", "spotify_track_uri": format!("spotify:track:{id}"),
        "episode_name": null, "episode_show_name": null, "spotify_episode_uri": null,
        "audiobook_title": null, "audiobook_uri": null, "audiobook_chapter_uri": null,
        "audiobook_chapter_title": null, "reason_start": "trackdone", "reason_end": "trackdone",
        "shuffle": false, "skipped": false, "offline": false, "offline_timestamp": 0,
        "incognito_mode": false
    })
}

/// An account-data entry (`StreamingHistory_music_N.json`): the end of the play to the minute,
/// names only.
pub fn account(end: &str, ms: i64, track: &str, artist: &str) -> serde_json::Value {
    serde_json::json!({"endTime": end, "artistName": artist, "trackName": track, "msPlayed": ms})
}

pub fn json(entries: &[serde_json::Value]) -> Vec<u8> {
    serde_json::to_vec_pretty(entries).unwrap()
}

/// An RFC 3339 time, as the extended history writes `ts`.
pub fn iso(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}
