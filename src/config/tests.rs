//! The configuration's rules, on maps of variables.

use super::*;

fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn debug_output_shows_no_secret() {
    let key = crate::crypto::generate_key();
    let config = Config::from_vars(&vars(&[
        (
            "DATABASE_URL",
            "postgres://euterpe:pgPassw0rdXYZ@db.example/euterpe",
        ),
        ("SPOTIFY_CLIENT_ID", "clientid123"),
        ("SPOTIFY_CLIENT_SECRET", "cl1entS3cretXYZ"),
        (
            "SENTRY_DSN",
            "https://dsnKey0123456789@o1.ingest.sentry.io/42",
        ),
        ("TOKEN_ENCRYPTION_KEY", &key),
        ("LASTFM_API_KEY", "lastfmKeyXYZ"),
    ]))
    .unwrap();
    let printed = format!("{config:?}");
    for secret in [
        "pgPassw0rdXYZ",
        "cl1entS3cretXYZ",
        "dsnKey0123456789",
        "lastfmKeyXYZ",
        key.as_str(),
    ] {
        assert!(!printed.contains(secret), "{secret} in {printed}");
    }
    assert!(printed.contains("clientid123"), "the rest is still there");
}

#[test]
fn defaults_give_a_local_demo_on_8080() {
    let config = Config::from_vars(&vars(&[])).unwrap();
    assert_eq!(config.port, 8080);
    assert_eq!(config.host.to_string(), "127.0.0.1");
    assert!(config.demo);
    assert_eq!(config.database_url.expose(), DEFAULT_DATABASE_URL);
    assert!(config.keys.is_none());
    assert_eq!(config.cache_ttl, Duration::from_secs(1800));
    assert_eq!(config.spotify_in_flight, 10);
}

#[test]
fn a_real_app_needs_its_secret_and_gets_the_loopback_redirect() {
    let err = Config::from_vars(&vars(&[("SPOTIFY_CLIENT_ID", "abc")])).unwrap_err();
    assert!(
        err.0.starts_with("SPOTIFY_CLIENT_SECRET is not set"),
        "{err}"
    );

    let config = Config::from_vars(&vars(&[
        ("SPOTIFY_CLIENT_ID", "abc"),
        ("SPOTIFY_CLIENT_SECRET", "shh"),
        ("PORT", "9000"),
    ]))
    .unwrap();
    let spotify = config.spotify.unwrap();
    assert_eq!(
        spotify.redirect_uri.as_str(),
        "http://127.0.0.1:9000/callback"
    );
    assert_eq!(spotify.api_url.as_str(), "https://api.spotify.com/v1");
    assert!(!config.demo);
}

#[test]
fn each_bad_variable_is_named() {
    for (pairs, starts) in [
        (vec![("PORT", "eighty")], "PORT is not a valid port"),
        (vec![("HOST", "example.com")], "HOST is not an IP"),
        (
            vec![("DATABASE_URL", "mysql://x")],
            "DATABASE_URL must start",
        ),
        (
            vec![("DYNO", "web.1")],
            "TOKEN_ENCRYPTION_KEY is not set: run `euterpe gen-key`",
        ),
        (
            vec![("TOKEN_ENCRYPTION_KEY", "short")],
            "TOKEN_ENCRYPTION_KEY",
        ),
        (
            vec![
                ("SPOTIFY_CLIENT_ID", "a"),
                ("SPOTIFY_CLIENT_SECRET", "b"),
                ("SPOTIFY_REDIRECT_URI", "http://localhost:8080/callback"),
            ],
            "SPOTIFY_REDIRECT_URI uses localhost",
        ),
        (
            vec![
                ("SPOTIFY_CLIENT_ID", "a"),
                ("SPOTIFY_CLIENT_SECRET", "b"),
                ("PUBLIC_URL", "http://euterpe.example.com"),
            ],
            "SPOTIFY_REDIRECT_URI must be https://",
        ),
        (
            vec![
                ("SPOTIFY_CLIENT_ID", "a"),
                ("SPOTIFY_CLIENT_SECRET", "b"),
                ("SPOTIFY_REDIRECT_URI", "http://192.168.1.20:8080/callback"),
            ],
            "SPOTIFY_REDIRECT_URI must be https://",
        ),
    ] {
        let err = Config::from_vars(&vars(&pairs)).unwrap_err();
        assert!(err.0.starts_with(starts), "{pairs:?}: {err}");
        assert!(!err.0.contains('\n'), "one line: {err}");
    }
}

#[test]
fn heroku_settings_come_from_the_dyno_environment() {
    let key = "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a0c2e4a6b8d0f2e4c6a8b0d";
    let local = Config::from_vars(&vars(&[])).unwrap();
    assert_eq!(local.sentry_environment, "development");
    assert!(local.release.starts_with("euterpe@") || option_env!("SOURCE_VERSION").is_some());
    assert!(!local.on_heroku() && !local.redirect_to_https());
    assert!(!local.database_requires_tls());
    assert_eq!(local.request_timeout, Duration::from_secs(15));
    assert_eq!(local.demo_latency, None);

    let dyno = Config::from_vars(&vars(&[
        ("DYNO", "web.1"),
        ("TOKEN_ENCRYPTION_KEY", key),
        ("HEROKU_SLUG_COMMIT", "2c3a0b1"),
        ("SOURCE_VERSION", "ignored"),
        ("REQUEST_TIMEOUT_SECS", "20"),
        ("EUTERPE_DEMO_LATENCY_MS", "2500"),
        ("SENTRY_DSN", "https://abc123@o1.ingest.sentry.io/42"),
    ]))
    .unwrap();
    assert_eq!(dyno.sentry_environment, "production");
    assert_eq!(dyno.release, "2c3a0b1");
    assert!(dyno.on_heroku() && dyno.redirect_to_https());
    assert!(dyno.database_requires_tls());
    assert_eq!(dyno.request_timeout, Duration::from_secs(20));
    assert_eq!(dyno.demo_latency, Some(Duration::from_millis(2500)));

    let review = Config::from_vars(&vars(&[
        ("DYNO", "web.1"),
        ("TOKEN_ENCRYPTION_KEY", key),
        ("SENTRY_ENVIRONMENT", "review"),
        ("SOURCE_VERSION", "9e8d7c6"),
    ]))
    .unwrap();
    assert_eq!(review.sentry_environment, "review");
    assert_eq!(review.release, "9e8d7c6");

    let https = Config::from_vars(&vars(&[("PUBLIC_URL", "https://euterpe.example.com")])).unwrap();
    assert!(https.redirect_to_https() && !https.on_heroku());
}

#[test]
fn behind_public_url_the_callback_is_there() {
    let config = Config::from_vars(&vars(&[
        ("SPOTIFY_CLIENT_ID", "abc"),
        ("SPOTIFY_CLIENT_SECRET", "shh"),
        ("PUBLIC_URL", "https://euterpe.example.com"),
    ]))
    .unwrap();
    assert_eq!(
        config.spotify.unwrap().redirect_uri.as_str(),
        "https://euterpe.example.com/callback"
    );
}

#[test]
fn bad_heroku_settings_are_named() {
    for (pairs, starts) in [
        (
            vec![("SENTRY_DSN", "not a dsn")],
            "SENTRY_DSN is not a Sentry DSN",
        ),
        (
            vec![("REQUEST_TIMEOUT_SECS", "0")],
            "REQUEST_TIMEOUT_SECS must be at least 1",
        ),
        (
            vec![("REQUEST_TIMEOUT_SECS", "soon")],
            "REQUEST_TIMEOUT_SECS is not a whole number",
        ),
        (
            vec![("SPOTIFY_MAX_IN_FLIGHT", "0")],
            "SPOTIFY_MAX_IN_FLIGHT must be at least 1",
        ),
        (
            vec![("SPOTIFY_MAX_IN_FLIGHT", "many")],
            "SPOTIFY_MAX_IN_FLIGHT is not a whole number",
        ),
        (
            vec![("EUTERPE_DEMO_LATENCY_MS", "slow")],
            "EUTERPE_DEMO_LATENCY_MS is not a whole number",
        ),
    ] {
        let err = Config::from_vars(&vars(&pairs)).unwrap_err();
        assert!(err.0.starts_with(starts), "{pairs:?}: {err}");
        assert!(!err.0.contains('\n'), "one line: {err}");
    }
}

#[test]
fn enrichment_defaults_to_the_real_services_with_a_polite_pace() {
    let config = Config::from_vars(&vars(&[])).unwrap().enrichment;
    assert!(config.enabled);
    assert!(config.defaults);
    assert_eq!(
        config.musicbrainz_url.as_str(),
        "https://musicbrainz.org/ws/2"
    );
    assert_eq!(
        config.listenbrainz_url.as_str(),
        "https://api.listenbrainz.org/1"
    );
    assert_eq!(
        config.lastfm_url.as_str(),
        "https://ws.audioscrobbler.com/2.0"
    );
    assert!(config.lastfm_api_key.is_none() && config.listenbrainz_token.is_none());
    assert_eq!(config.musicbrainz_interval, Duration::from_millis(1100));
    assert_eq!(
        config.user_agent(),
        format!(
            "Euterpe/{} ( https://github.com/euterpe-dashboard/euterpe )",
            env!("CARGO_PKG_VERSION")
        )
    );

    let config = Config::from_vars(&vars(&[
        ("ENRICHMENT", "0"),
        ("MUSICBRAINZ_URL", "http://127.0.0.1:5000/ws/2"),
        ("MUSICBRAINZ_CONTACT", "ops@example.com"),
        ("LASTFM_API_KEY", "k"),
    ]))
    .unwrap()
    .enrichment;
    assert!(!config.enabled && !config.defaults);
    assert!(config.user_agent().ends_with("( ops@example.com )"));
    assert_eq!(config.lastfm_api_key.unwrap().expose(), "k");
    for (pairs, starts) in [
        (vec![("MUSICBRAINZ_URL", "not a url")], "MUSICBRAINZ_URL"),
        (
            vec![("MUSICBRAINZ_INTERVAL_MS", "soon")],
            "MUSICBRAINZ_INTERVAL_MS",
        ),
        (
            vec![("MUSICBRAINZ_CONTACT", "me (here)")],
            "MUSICBRAINZ_CONTACT",
        ),
    ] {
        let err = Config::from_vars(&vars(&pairs)).unwrap_err();
        assert!(err.0.starts_with(starts), "{pairs:?}: {err}");
    }
}

#[test]
fn dotenv_lines_are_parsed() {
    let path = std::env::temp_dir().join(format!("euterpe-dotenv-{}", std::process::id()));
    std::fs::write(
        &path,
        "# comment\nA=1\nexport B=\"two words\"\nC='x=y'\n\nbad line\n",
    )
    .unwrap();
    let parsed = read_dotenv(&path);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        parsed,
        vec![
            ("A".into(), "1".into()),
            ("B".into(), "two words".into()),
            ("C".into(), "x=y".into())
        ]
    );
}
