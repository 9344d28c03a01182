//! The Sentry client, when `SENTRY_DSN` is set: every event and breadcrumb is scrubbed (see
//! [`super::scrub`]) before it leaves. Requests get their scope in `web::reporting`.

use std::sync::Arc;

use super::scrub;
use crate::config::Config;

/// The Sentry client options for this configuration (no client without a DSN).
pub fn sentry_options(config: &Config) -> sentry::ClientOptions {
    sentry::ClientOptions {
        dsn: config
            .sentry_dsn
            .as_ref()
            .and_then(|dsn| dsn.expose().parse().ok()),
        release: Some(config.release.clone().into()),
        environment: Some(config.sentry_environment.clone().into()),
        // Never the client's address, cookies or headers: see `scrub`.
        send_default_pii: false,
        max_request_body_size: sentry::MaxRequestBodySize::None,
        before_send: Some(Arc::new(|event| Some(scrub::event(event)))),
        before_breadcrumb: Some(Arc::new(|crumb| Some(scrub::breadcrumb(crumb)))),
        ..sentry::ClientOptions::default()
    }
}

/// Starts the Sentry client when a DSN is configured; keep the guard until the process ends (it
/// sends what is still queued). Call it before the Tokio runtime exists.
pub fn init_sentry(config: &Config) -> Option<sentry::ClientInitGuard> {
    config.sentry_dsn.as_ref()?;
    let guard = sentry::init(sentry_options(config));
    guard.is_enabled().then_some(guard)
}
