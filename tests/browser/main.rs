//! Euterpe in a real browser: headless Chromium driven through ChromeDriver.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). Without them the
//! tests print a NOTE and skip — unless `EUTERPE_REQUIRE_BROWSER=1` (CI), which makes that a
//! failure. The dashboard screenshot lands in `target/screenshots/`; with
//! `EUTERPE_UPDATE_SCREENSHOT=1` it also replaces `docs/dashboard.png`.

mod dashboard;
mod driver;
mod layout;
