//! Demo mode, as a newcomer meets it: no credentials, the built-in fake Spotify, a banner.

use std::collections::HashMap;
use std::sync::Arc;

use euterpe::app::{self, App};
use euterpe::clock::Clock;
use euterpe::config::Config;
use euterpe::shutdown::Shutdown;
use reqwest::StatusCode;

use crate::both_backends;
use crate::common::{Backend, browser, fresh_database, location};

both_backends!(demo_mode_needs_no_credentials_and_says_it_is_sample_data);

async fn demo_mode_needs_no_credentials_and_says_it_is_sample_data(backend: Backend) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let key_dir = std::env::temp_dir().join(format!("euterpe-demo-{}", uuid::Uuid::new_v4()));
    let vars: HashMap<String, String> = [
        ("DATABASE_URL", fresh_database(backend).await),
        ("PORT", addr.port().to_string()),
        (
            "EUTERPE_KEY_FILE",
            key_dir.join("token.key").display().to_string(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let config = Config::from_vars(&vars).unwrap();
    assert!(config.demo, "no SPOTIFY_CLIENT_ID means demo mode");
    let clock = Clock::system();
    let keys = Arc::new(app::load_keys(&config).unwrap());
    // The generated key is kept in a file only its owner can read.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(key_dir.join("token.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = app::load_keys(&config).unwrap();
        assert_eq!(
            again.key_ids(),
            keys.key_ids(),
            "generated once, then reused"
        );
    }
    let store = app::open_store(&config).await.unwrap();
    let mut config = config;
    let demo = euterpe::demo::start(&mut config, &clock).await.unwrap();
    let routes = Some(demo.routes());
    let state = App::build(config, demo.spotify_config, store, keys, clock, routes);
    tokio::spawn(app::serve(state, listener, Shutdown::new()));
    let base = format!("http://{addr}");
    let client = browser();

    let landing = client
        .get(&base)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(landing.contains("Demo data."));
    let start = client.get(format!("{base}/login")).send().await.unwrap();
    assert_eq!(start.status(), StatusCode::FOUND);
    // The demo's sign-in lives on Euterpe's own origin: it must not send a browser (with a
    // code) to whatever site a crafted link names.
    let mut crafted = reqwest::Url::parse(&location(&start)).unwrap();
    let query: Vec<(String, String)> = crafted
        .query_pairs()
        .map(|(name, value)| match name.as_ref() {
            "redirect_uri" => (
                name.into_owned(),
                "https://evil.example/callback".to_owned(),
            ),
            _ => (name.into_owned(), value.into_owned()),
        })
        .chain([("persona".to_owned(), "alice".to_owned())])
        .collect();
    crafted.query_pairs_mut().clear().extend_pairs(&query);
    let refused = client.get(crafted).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(refused.headers().get("location").is_none());
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("INVALID_CLIENT: Invalid redirect URI")
    );
    // The fake's sign-in page lists the personas as links.
    let chooser = client.get(location(&start)).send().await.unwrap();
    assert_eq!(chooser.status(), StatusCode::OK);
    let chooser_url = chooser.url().clone();
    let page = chooser.text().await.unwrap();
    let link = page
        .split("href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().replace("&amp;", "&"))
        .find(|href| href.contains("persona=alice"))
        .expect("a link for alice");
    let approved = client
        .get(chooser_url.join(&link).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), StatusCode::FOUND);
    let done = client.get(location(&approved)).send().await.unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let dashboard = client
        .get(&base)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(dashboard.contains("Demo data."));
    assert!(dashboard.contains("Your listening"));
    let songs = client
        .get(format!("{base}/top_songs"))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(songs.status(), StatusCode::OK);
    assert!(songs.text().await.unwrap().contains("<table"));
}
