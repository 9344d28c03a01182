//! Token-encryption keys across an upgrade: a deployment keyed by a passphrase under the old
//! derivation keeps its tokens readable, and `euterpe rotate-keys` moves them to the HKDF key.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use euterpe::crypto::KeyRing;
use euterpe::crypto::derive::{hkdf_key, legacy_key};
use reqwest::StatusCode;

use crate::both_backends;
use crate::common::{Backend, Spawn, TestApp, browser, spawn_sibling, spawn_with};

both_backends!(a_passphrase_deployment_keeps_its_tokens_and_rotate_keys_moves_them_to_hkdf);

/// What Heroku's `"generator": "secret"` sets: 64 hex characters.
const PASSPHRASE: &str = "3b9f0c1e7d24a6851fe0b3c9d72a4e61c8f05b93a7d1e246b0c8f3a95d7e1c42";

async fn key_id_of(app: &TestApp, persona: &str) -> String {
    let me = app.fake_get(persona, "/me").await;
    let user = app
        .store
        .user_by_account(me["account_id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    app.store.tokens(user.id).await.unwrap().unwrap().key_id
}

async fn panel_works(app: &TestApp, client: &reqwest::Client) {
    let panel = app.htmx(client, "/top_artists").await;
    assert_eq!(panel.status(), StatusCode::OK);
    let html = panel.text().await.unwrap();
    assert!(
        html.contains("artist-list") && !html.contains("error-state"),
        "{html}"
    );
}

fn rotate_keys(app: &TestApp, key: &str) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_euterpe"))
        .arg("rotate-keys")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &app.database_url)
        .env("TOKEN_ENCRYPTION_KEY", key)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

async fn a_passphrase_deployment_keeps_its_tokens_and_rotate_keys_moves_them_to_hkdf(
    backend: Backend,
) {
    // Before the upgrade, the passphrase became SHA-256 of a prefix and the text: run a
    // Euterpe on exactly that key, and let Alice log in.
    let legacy = STANDARD.encode(legacy_key(PASSPHRASE));
    let mut app = spawn_with(
        backend,
        Spawn {
            extra_env: vec![("TOKEN_ENCRYPTION_KEY", legacy.clone())],
            ..Spawn::default()
        },
    )
    .await;
    let alice = browser();
    app.login(&alice, "alice").await;
    let legacy_id = KeyRing::parse_list(&legacy, "K").unwrap().current_key_id();
    assert_eq!(key_id_of(&app, "alice").await, legacy_id);

    // The upgrade: the same passphrase now derives the HKDF key, and still reads Alice's tokens.
    app.key_text = PASSPHRASE.to_owned();
    let upgraded = spawn_sibling(&app).await;
    let hkdf_id = KeyRing::parse_list(&STANDARD.encode(hkdf_key(PASSPHRASE)), "K")
        .unwrap()
        .current_key_id();
    assert_eq!(upgraded.keys.current_key_id(), hkdf_id);
    assert_ne!(hkdf_id, legacy_id);
    panel_works(&upgraded, &alice).await;
    // New logins use the HKDF key.
    let bob = browser();
    upgraded.login(&bob, "bob").await;
    assert_eq!(key_id_of(&upgraded, "bob").await, hkdf_id);

    // `euterpe rotate-keys` with the same setting moves Alice's tokens to the HKDF key.
    let stdout = rotate_keys(&upgraded, PASSPHRASE);
    assert!(
        stdout.contains("1 re-encrypted, 1 already used the newest key"),
        "{stdout}"
    );
    assert_eq!(key_id_of(&upgraded, "alice").await, hkdf_id);

    // From now on the legacy key is not needed: a Euterpe holding only the HKDF key, as a
    // raw key, serves both.
    app.key_text = STANDARD.encode(hkdf_key(PASSPHRASE));
    let hkdf_only = spawn_sibling(&app).await;
    assert_eq!(hkdf_only.keys.key_ids(), vec![hkdf_id]);
    for client in [&alice, &bob] {
        panel_works(&hkdf_only, client).await;
    }
}
