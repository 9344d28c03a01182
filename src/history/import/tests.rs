//! Import jobs end in plain words, whatever happens inside them.

use super::*;
use crate::store::PoolOptions;

#[tokio::test]
async fn a_job_that_panics_is_marked_failed_at_once_in_plain_words() {
    let dir = std::env::temp_dir().join(format!("euterpe-supervise-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/test.db?mode=rwc", dir.display());
    let store = Store::connect(&url, PoolOptions::default()).await.unwrap();
    store.migrate().await.unwrap();
    let clock = Clock::system();
    let new = crate::store::NewUser {
        spotify_account_id: "a".into(),
        spotify_id: "a".into(),
        display_name: None,
        email: None,
    };
    let user = store.upsert_user(&new, clock.unix()).await.unwrap().id;
    let id = store.create_import(user, 10, clock.unix()).await.unwrap();
    let row = |store: Store| async move { store.import(user, id).await.unwrap().unwrap() };
    assert_eq!(row(store.clone()).await.status, "queued");

    supervise(&store, &clock, id, async { panic!("a bug in the job") }).await;

    let failed = row(store.clone()).await;
    assert_eq!(failed.status, "failed");
    let error = failed.error.unwrap();
    assert!(error.contains("error in Euterpe itself"), "{error}");
    assert!(!error.contains("a bug in the job"), "{error}");

    // A job that ends normally is left as it left itself.
    let done = store.create_import(user, 10, clock.unix()).await.unwrap();
    let finishing = {
        let store = store.clone();
        let now = clock.unix();
        async move {
            let counts = ImportCounts::default();
            store
                .update_import(done, "done", 10, 1, &counts, "[]", None, now)
                .await
                .unwrap();
        }
    };
    supervise(&store, &clock, done, finishing).await;
    assert_eq!(
        store.import(user, done).await.unwrap().unwrap().status,
        "done"
    );
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
