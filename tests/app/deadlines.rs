//! Connections and uploads have deadlines: half-sent headers neither crowd out health checks
//! nor stay open; an upload that stops sending is answered `408` and leaves no file; and a
//! shutdown doesn't wait for a client trickling an upload.

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

use crate::both_backends;
use crate::common::server::{closed_within, half_open, serve_beside};
use crate::common::{Backend, TestApp, browser, session_cookie, spawn_app};

both_backends!(
    half_open_sockets_are_closed_by_the_header_deadline,
    a_full_server_makes_room_for_health_checks,
    a_stalled_upload_is_answered_408_and_leaves_no_file,
    a_shutdown_abandons_a_trickling_upload,
    sigterm_ends_the_process_despite_a_trickling_upload,
);

async fn half_open_sockets_are_closed_by_the_header_deadline(backend: Backend) {
    let app = spawn_app(backend).await;
    // Room for every socket: only the deadline closes them.
    let server = serve_beside(&app, |config| {
        config.server.header_read_timeout = Duration::from_secs(1);
    })
    .await;
    let mut sockets = Vec::new();
    for _ in 0..200 {
        sockets.push(half_open(server.addr).await);
    }
    // A socket that sends nothing at all is closed too.
    sockets.push(TcpStream::connect(server.addr).await.unwrap());
    let health = health_checker().get(server.url("/healthz")).send().await;
    assert_eq!(health.unwrap().status(), StatusCode::OK);
    for (n, socket) in sockets.iter_mut().enumerate() {
        assert!(
            closed_within(socket, Duration::from_secs(15)).await,
            "half-open socket {n} is still open past the header deadline"
        );
    }
    // A keep-alive connection left idle is closed by the same deadline.
    let mut idle = TcpStream::connect(server.addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    assert!(closed_within(&mut idle, Duration::from_secs(15)).await);
}

async fn a_full_server_makes_room_for_health_checks(backend: Backend) {
    let app = spawn_app(backend).await;
    // A deadline far away: only the bound can close the half-open sockets in time.
    let server = serve_beside(&app, |config| {
        config.server.max_connections = 16;
        config.server.header_read_timeout = Duration::from_secs(120);
    })
    .await;
    let mut sockets = Vec::new();
    for _ in 0..1000 {
        sockets.push(half_open(server.addr).await);
    }
    // Health checks get through: the oldest waiting connections make room.
    let checker = health_checker();
    for _ in 0..3 {
        let health = checker
            .get(server.url("/healthz"))
            .send()
            .await
            .expect("/healthz answers beside 1,000 half-open sockets");
        assert_eq!(health.status(), StatusCode::OK);
    }
    // All but the newest few have been closed to make room (the bound holds).
    for (n, socket) in sockets.iter_mut().take(1000 - 20).enumerate() {
        assert!(
            closed_within(socket, Duration::from_secs(15)).await,
            "half-open socket {n} is still open beyond the bound"
        );
    }
}

/// A client as a load balancer's health check: a fresh connection, a time limit.
fn health_checker() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// The directory of a test's uploads (empty, its own).
fn upload_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("euterpe-deadlines-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|entry| entry.path()).collect())
        .unwrap_or_default()
}

/// Waits until a saved upload appears in `dir` (the server is receiving the file).
async fn wait_for_upload_file(dir: &Path) {
    for _ in 0..500 {
        if !files_in(dir).is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the upload was never saved to {}", dir.display());
}

/// One piece of a chunked body.
fn chunk(bytes: &[u8]) -> Vec<u8> {
    let mut piece = format!("{:x}\r\n", bytes.len()).into_bytes();
    piece.extend_from_slice(bytes);
    piece.extend_from_slice(b"\r\n");
    piece
}

/// Starts `POST /import` as a logged-in Alice, by hand: the header, the form token and the
/// start of a file, sent chunked (as a browser streaming a large file does); the rest of the
/// file is the caller's to send, or not.
async fn start_upload(
    app: &TestApp,
    addr: std::net::SocketAddr,
) -> (OwnedReadHalf, OwnedWriteHalf) {
    let client = browser();
    let login = app.login(&client, "alice").await;
    let cookie = session_cookie(&login).expect("the login sets the session cookie");
    let csrf = crate::common::history::csrf_of(app, &client).await;
    let boundary = "euterpe-test-boundary";
    let head = format!(
        "POST /import HTTP/1.1\r\nHost: {addr}\r\nCookie: {}={cookie}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\n\
         Transfer-Encoding: chunked\r\n\r\n",
        euterpe::web::SESSION_COOKIE
    );
    let form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
         filename=\"my_spotify_data.zip\"\r\nContent-Type: application/zip\r\n\r\nPK"
    );
    let stream = TcpStream::connect(addr).await.unwrap();
    let (reader, mut writer) = stream.into_split();
    writer.write_all(head.as_bytes()).await.unwrap();
    writer.write_all(&chunk(form.as_bytes())).await.unwrap();
    (reader, writer)
}

/// Reads the server's answer to the end.
async fn answer(reader: &mut OwnedReadHalf) -> String {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), reader.read_to_end(&mut answer));
    let _ = read.await.expect("the server answers and closes");
    String::from_utf8_lossy(&answer).into_owned()
}

async fn a_stalled_upload_is_answered_408_and_leaves_no_file(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = upload_dir();
    let server = serve_beside(&app, |config| {
        config.server.upload_idle_timeout = Duration::from_secs(2);
        config.history.import_dir = dir.clone();
    })
    .await;
    let (mut reader, mut writer) = start_upload(&app, server.addr).await;
    wait_for_upload_file(&dir).await;
    // A slow line is no stall: a byte every half second, for longer than the deadline.
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        writer.write_all(&chunk(b"x")).await.unwrap();
    }
    assert_eq!(
        files_in(&dir).len(),
        1,
        "the upload is still being received"
    );
    // Then nothing: the server gives up, says so, and keeps nothing.
    let answer = answer(&mut reader).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("Upload stopped"), "{answer}");
    assert!(answer.contains("send the file again"), "{answer}");
    assert_eq!(files_in(&dir), Vec::<PathBuf>::new());
    // No import was started.
    let alice = crate::common::history::user_id(&app, "alice").await;
    assert!(app.store.imports(alice).await.unwrap().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

async fn a_shutdown_abandons_a_trickling_upload(backend: Backend) {
    let app = spawn_app(backend).await;
    let dir = upload_dir();
    let request_timeout = Duration::from_secs(2);
    let server = serve_beside(&app, |config| {
        config.request_timeout = request_timeout;
        config.history.import_dir = dir.clone();
    })
    .await;
    let (mut reader, mut writer) = start_upload(&app, server.addr).await;
    wait_for_upload_file(&dir).await;
    // A client that trickles a byte every half second, forever (until the server hangs up).
    let trickle = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            if writer.write_all(&chunk(b"x")).await.is_err() {
                return;
            }
        }
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    server.shutdown.trigger();
    // The server stops without waiting for the upload to end (within REQUEST_TIMEOUT_SECS + 5 s,
    // the promise to Heroku, which kills a process 30 s after SIGTERM)...
    tokio::time::timeout(request_timeout + Duration::from_secs(5), server.serving)
        .await
        .expect("the server stops while the upload still trickles")
        .unwrap()
        .unwrap();
    // ...tells the client, and keeps nothing of the upload.
    let answer = answer(&mut reader).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("restarting"), "{answer}");
    assert_eq!(files_in(&dir), Vec::<PathBuf>::new());
    trickle.abort();
    let _ = std::fs::remove_dir_all(&dir);
}

async fn sigterm_ends_the_process_despite_a_trickling_upload(backend: Backend) {
    // The real command, on the test app's database and fake Spotify (so Alice's session, made
    // on the test app, is valid there too).
    let app = spawn_app(backend).await;
    let dir = upload_dir();
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let addr: std::net::SocketAddr = ([127, 0, 0, 1], port).into();
    let spotify = &app.state.spotify_config;
    let mut process = tokio::process::Command::new(env!("CARGO_BIN_EXE_euterpe"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PORT", port.to_string())
        .env("DATABASE_URL", &app.database_url)
        .env("TOKEN_ENCRYPTION_KEY", &app.key_text)
        .env("SPOTIFY_CLIENT_ID", &spotify.client_id)
        .env("SPOTIFY_CLIENT_SECRET", spotify.client_secret.expose())
        .env("SPOTIFY_ACCOUNTS_URL", &app.fake_base)
        .env("SPOTIFY_API_URL", format!("{}/v1", app.fake_base))
        .env("SPOTIFY_REDIRECT_URI", format!("http://{addr}/callback"))
        .env("ENRICHMENT", "0")
        .env("HISTORY_POLL_INTERVAL_SECS", "0")
        .env("REQUEST_TIMEOUT_SECS", "2")
        .env("IMPORT_DIR", &dir)
        .env("RUST_LOG", "warn")
        // No `.env` of the developer's.
        .current_dir(&dir)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let checker = health_checker();
    let mut up = false;
    for _ in 0..200 {
        if let Ok(health) = checker.get(format!("http://{addr}/healthz")).send().await {
            up = health.status() == StatusCode::OK;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "euterpe serve did not come up");

    let (mut reader, mut writer) = start_upload(&app, addr).await;
    let saved = |dir: &Path| {
        files_in(dir)
            .into_iter()
            .filter(|path| path.extension().is_some_and(|ext| ext == "upload"))
            .count()
    };
    for _ in 0..500 {
        if saved(&dir) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(saved(&dir), 1, "the upload is being received");
    let trickle = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            if writer.write_all(&chunk(b"x")).await.is_err() {
                return;
            }
        }
    });
    let pid = process.id().unwrap();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    // Heroku's SIGKILL comes 30 s after SIGTERM; Euterpe promises REQUEST_TIMEOUT_SECS + 5 s.
    let status = tokio::time::timeout(Duration::from_secs(2 + 5), process.wait())
        .await
        .expect("the process exits while the upload still trickles")
        .unwrap();
    assert!(status.success(), "{status}");
    let answer = answer(&mut reader).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert_eq!(saved(&dir), 0, "the upload's file is removed");
    trickle.abort();
    let _ = std::fs::remove_dir_all(&dir);
}
