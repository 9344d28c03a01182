//! Euterpe's HTTP server: its own accept loop around hyper, so that connections have deadlines
//! and a bound.
//!
//! - A client has [`ServerConfig::header_read_timeout`] to send each request header (hyper's
//!   timer, which also closes idle keep-alive connections); half-sent headers don't hold
//!   sockets forever.
//! - At most [`ServerConfig::max_connections`] are open; when full, the oldest connection still
//!   waiting for a request is closed to make room, so a flood of silent sockets can't starve
//!   `/healthz` or exhaust the file descriptors.
//! - Accept errors (say, out of file descriptors) are logged at most once a minute.
//! - On shutdown the listener closes at once, requests in flight finish (each is cut at
//!   `REQUEST_TIMEOUT_SECS` anyway, and uploads give up by themselves), and whatever is still
//!   open [`DRAIN_GRACE`] after that limit is dropped, so the process exits in time.

pub mod accept_errors;
pub mod connections;
pub mod settings;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::shutdown::Shutdown;
use accept_errors::AcceptErrors;
use connections::{Busy, Connections, Ticket, TrackedBody};
pub use settings::ServerConfig;

/// How long past `REQUEST_TIMEOUT_SECS` a shutdown waits for connections before dropping them.
pub const DRAIN_GRACE: Duration = Duration::from_secs(2);

/// The pause after an accept error that is not about one connection (so that running out of
/// file descriptors doesn't spin), short enough that a health check is hardly delayed.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(50);

/// Serves `router` on `listener` until `shutdown` fires, then lets requests in flight finish,
/// for at most `request_timeout` + [`DRAIN_GRACE`]. Every request carries the peer address
/// (`ConnectInfo<SocketAddr>`) and the [`Shutdown`] signal as extensions.
pub async fn run(
    listener: TcpListener,
    router: Router,
    config: &ServerConfig,
    request_timeout: Duration,
    shutdown: Shutdown,
) -> std::io::Result<()> {
    let connections = Connections::new(config.max_connections);
    let mut tasks = JoinSet::new();
    let mut accept_errors = AcceptErrors::default();
    let stop = shutdown.clone().wait();
    tokio::pin!(stop);
    loop {
        // While every connection is busy, new clients wait in the listen queue.
        tokio::select! {
            biased;
            _ = &mut stop => break,
            _ = connections.wait_for_room() => {}
        }
        let accepted = tokio::select! {
            biased;
            _ = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        // Finished connections' results are of no interest; reaping keeps the set small.
        while tasks.try_join_next().is_some() {}
        match accepted {
            Ok((stream, peer)) => {
                let ticket = connections.register();
                connections.keep_bound();
                tasks.spawn(serve_connection(
                    stream,
                    peer,
                    router.clone(),
                    config.header_read_timeout,
                    ticket,
                    shutdown.clone(),
                ));
            }
            Err(error) if accept_errors::is_connection_error(&error) => {}
            Err(error) => {
                accept_errors.record(&error);
                if accept_errors::is_out_of_descriptors(&error) {
                    // A waiting connection's descriptor is the one to give back.
                    connections.close_oldest_waiting();
                }
                tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
            }
        }
    }
    // No new connections: clients (and Heroku's router) see a refusal, not a hang.
    drop(listener);
    let deadline = request_timeout + DRAIN_GRACE;
    if tokio::time::timeout(deadline, connections.all_ended())
        .await
        .is_err()
    {
        tracing::warn!(
            open = connections.len(),
            "shutting down: dropping connections still open {} s after the signal",
            deadline.as_secs()
        );
    }
    tasks.shutdown().await;
    Ok(())
}

/// Serves one connection until it ends, is asked to make room, or the server shuts down (then
/// it finishes the request in flight and closes).
async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    header_read_timeout: Duration,
    ticket: Ticket,
    shutdown: Shutdown,
) {
    let state = ticket.state().clone();
    let signal = shutdown.clone();
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        // The header has been read: the connection is busy until the response body is sent.
        let busy = Busy::start(&state);
        request.extensions_mut().insert(ConnectInfo(peer));
        request.extensions_mut().insert(signal.clone());
        let router = router.clone();
        async move {
            let response = router.oneshot(request.map(Body::new)).await?;
            Ok::<_, Infallible>(response.map(|body| TrackedBody::new(body, busy)))
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout)
        .keep_alive(true);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let stop = shutdown.wait();
    tokio::pin!(stop);
    let state = ticket.state();
    let mut closing = false;
    loop {
        tokio::select! {
            // An error here is the client's (a timeout, a reset, a malformed request): hyper has
            // answered what it could; nothing to log per connection.
            _ = connection.as_mut() => break,
            _ = &mut stop, if !closing => {
                closing = true;
                connection.as_mut().graceful_shutdown();
            }
            _ = state.close_requested(), if !closing => {
                if !state.is_busy() {
                    break;
                }
                // It started a request meanwhile: let that finish, then close.
                closing = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
    drop(ticket);
}
