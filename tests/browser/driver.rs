//! The browser harness: ChromeDriver and Chromium sessions, logging in through the fake's
//! sign-in page, waiting for panels.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use euterpe::panel::Panel;
use euterpe_testkit::TestApp;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// ChromeDriver, stopped when dropped.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_binary(names: &[&str]) -> Option<PathBuf> {
    let path_dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect())
        .unwrap_or_default();
    names
        .iter()
        .flat_map(|name| {
            std::iter::once(PathBuf::from(name))
                .chain(path_dirs.iter().map(move |dir| dir.join(name)))
        })
        .find(|path| path.is_absolute() && path.is_file())
}

/// Starts ChromeDriver, or explains why the browser test can't run.
pub async fn start_driver() -> Option<(Driver, PathBuf)> {
    let driver = find_binary(&["/usr/bin/chromedriver", "chromedriver"]);
    let chromium = find_binary(&["/usr/bin/chromium", "chromium", "google-chrome"]);
    let (Some(driver), Some(chromium)) = (driver, chromium) else {
        if std::env::var("EUTERPE_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("EUTERPE_REQUIRE_BROWSER=1 but chromium and chromedriver are not installed");
        }
        let _ = writeln!(
            std::io::stderr(),
            "\nNOTE: chromium/chromedriver not found: the real-browser test is SKIPPED. \
             Install Debian's `chromium` and `chromium-driver` to run it; CI sets \
             EUTERPE_REQUIRE_BROWSER=1 so it cannot be skipped there.\n"
        );
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // Chromium (started by ChromeDriver, inheriting this) believes it is in Stockholm, so the
    // tests see Euterpe offer the browser's time zone.
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .env("TZ", "Europe/Stockholm")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver { child, port };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Some((driver, chromium));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start listening");
}

/// How a browser session looks at pages: window size, script, colour scheme.
#[derive(Clone, Copy, Debug)]
pub struct Look {
    pub width: u32,
    pub height: u32,
    pub javascript: bool,
    pub dark: bool,
}

impl Look {
    /// A phone held upright (an iPhone 12–15's CSS pixels).
    pub const PHONE: Look = Look {
        width: 390,
        height: 844,
        javascript: true,
        dark: false,
    };
    /// A common laptop screen.
    pub const DESKTOP: Look = Look {
        width: 1366,
        height: 900,
        javascript: true,
        dark: false,
    };
}

/// A tall desktop window (the whole dashboard in one screenshot).
pub async fn browser(driver: &Driver, chromium: &Path, javascript: bool) -> Client {
    let look = Look {
        width: 1280,
        height: 2600,
        javascript,
        dark: false,
    };
    browser_with(driver, chromium, look).await
}

/// A Chromium session with the given look.
pub async fn browser_with(driver: &Driver, chromium: &Path, look: Look) -> Client {
    let javascript = look.javascript;
    let profile = std::env::temp_dir().join(format!("euterpe-chromium-{}", uuid::Uuid::new_v4()));
    let mut options = json!({
        "binary": chromium,
        "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync",
            format!("--window-size={},{}", look.width, look.height),
            format!("--user-data-dir={}", profile.display()),
        ],
    });
    if look.width < 500 {
        // Chromium's windows are at least 500 px wide: a phone is an emulated device.
        options["mobileEmulation"] = json!({
            "deviceMetrics": { "width": look.width, "height": look.height, "pixelRatio": 3.0, "touch": true }
        });
    }
    if look.dark {
        // Blink's preferred colour scheme: 0 is dark (what `prefers-color-scheme` answers).
        options["args"]
            .as_array_mut()
            .unwrap()
            .push(json!("--blink-settings=preferredColorScheme=0"));
    }
    if !javascript {
        options["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a Chromium session starts")
}

/// Clicks through the fake Spotify's sign-in page as `persona`.
pub async fn log_in(browser: &Client, app: &TestApp, persona: &str) {
    browser.goto(&app.base).await.unwrap();
    browser
        .find(Locator::LinkText("Log in with Spotify"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let persona_link = browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&format!("a[href*='persona={persona}']")))
        .await
        .expect("the fake's sign-in page lists the persona");
    persona_link.click().await.unwrap();
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#panels"))
        .await
        .expect("the dashboard after login");
}

/// Waits until every panel slot has been replaced by its content.
pub async fn wait_for_panels(browser: &Client) {
    for panel in Panel::ALL {
        browser
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(&format!(
                "section#panel-{}:not(.loading)",
                panel.name()
            )))
            .await
            .unwrap_or_else(|_| panic!("{} never loaded", panel.name()));
    }
    // Genres and popularity fill in from the demo's open-data fakes: the panels refresh
    // themselves until nothing is pending.
    for _ in 0..600 {
        let pending = browser
            .execute(
                "return document.querySelectorAll('[data-enrichment-pending]').length",
                vec![],
            )
            .await
            .unwrap();
        if pending == json!(0) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("open-data look-ups never finished");
}

pub async fn panel_text(browser: &Client, panel: Panel) -> String {
    browser
        .find(Locator::Css(&format!("#panel-{}", panel.name())))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}
