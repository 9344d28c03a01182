//! A second server beside a [`TestApp`], on its database and fake Spotify, with a configuration
//! the test adjusts (short deadlines, a small connection bound), and its serving task, which
//! ends when the server has shut down.
//!
//! Session cookies are not bound to a port, so a client logged in on the first server is
//! logged in on this one too.

use std::net::SocketAddr;
use std::time::Duration;

use euterpe::app::{self, App, AppState};
use euterpe::config::Config;
use euterpe::shutdown::Shutdown;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

use super::TestApp;

/// A server started by [`serve_beside`].
pub struct Beside {
    pub addr: SocketAddr,
    pub base: String,
    pub state: AppState,
    pub shutdown: Shutdown,
    /// Ends (with `serve`'s result) once the server has shut down.
    pub serving: JoinHandle<std::io::Result<()>>,
}

impl Beside {
    /// An absolute URL on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// Serves `app`'s configuration, changed by `adjust`, on a port of its own.
pub async fn serve_beside(app: &TestApp, adjust: impl FnOnce(&mut Config)) -> Beside {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = app.state.config.clone();
    config.port = addr.port();
    adjust(&mut config);
    let state = App::build(
        config,
        app.state.spotify_config.clone(),
        app.store.clone(),
        app.keys.clone(),
        app.clock.clone(),
        None,
    );
    let shutdown = Shutdown::new();
    let serving = tokio::spawn(app::serve(state.clone(), listener, shutdown.clone()));
    Beside {
        addr,
        base: format!("http://{addr}"),
        state,
        shutdown,
        serving,
    }
}

/// Whether the server has closed `stream`: reads (and drops) whatever it sent until the end,
/// for at most `within`.
pub async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buffer = [0u8; 1024];
    tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// Opens a connection and sends the start of a request header, never its end.
pub async fn half_open(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    stream
}
