//! The Web API: development-mode stripping, the allow-list, pagination, validation, recently played, faults, snapshots, personas.

use super::*;

#[tokio::test]
async fn development_mode_strips_fields_extended_quota_has_them() {
    let h = start().await;
    let tokens = h.login("alice").await;
    let me = h.ok(&tokens.access, "/me").await;
    for field in [
        "email",
        "country",
        "product",
        "followers",
        "explicit_content",
    ] {
        assert!(
            me.get(field).is_none(),
            "/me has {field} in development mode"
        );
    }
    for field in [
        "id",
        "account_id",
        "display_name",
        "external_urls",
        "href",
        "images",
        "type",
        "uri",
    ] {
        assert!(me.get(field).is_some(), "/me lacks {field}");
    }
    assert_ne!(me["account_id"], me["id"]);
    let tracks = h.ok(&tokens.access, "/me/top/tracks?limit=50").await;
    for track in tracks["items"].as_array().unwrap() {
        assert!(track.get("popularity").is_none());
        assert!(track["external_ids"]["isrc"].is_string());
    }
    let artists = h.ok(&tokens.access, "/me/top/artists?limit=50").await;
    for artist in artists["items"].as_array().unwrap() {
        for field in ["popularity", "genres", "followers"] {
            assert!(artist.get(field).is_none(), "artist has {field}");
        }
        assert!(artist["images"].is_array());
    }

    h.fake.set_mode(Mode::ExtendedQuota);
    let me = h.ok(&tokens.access, "/me").await;
    assert_eq!(me["email"], "alice@example.com");
    for field in ["country", "product", "followers", "explicit_content"] {
        assert!(
            me.get(field).is_some(),
            "/me lacks {field} with extended quota"
        );
    }
    let tracks = h.ok(&tokens.access, "/me/top/tracks?limit=50").await;
    let popularity: Vec<u64> = tracks["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["popularity"].as_u64().expect("popularity"))
        .collect();
    assert!(popularity.iter().all(|p| *p <= 100));
    let artists = h.ok(&tokens.access, "/me/top/artists?limit=50").await;
    let items = artists["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .all(|a| a["genres"].is_array() && a["popularity"].is_u64())
    );
    assert!(
        items
            .iter()
            .any(|a| a["genres"].as_array().unwrap().is_empty())
    );
    assert!(items.iter().all(|a| a["followers"]["total"].is_u64()));
}

#[tokio::test]
async fn stranger_is_not_allow_listed_in_development_mode() {
    let h = start().await;
    let tokens = h.login("stranger").await;
    for path in ["/me", "/me/top/tracks", "/me/playlists"] {
        // As Spotify sends it: the message alone, as text, not the usual JSON error.
        let response = h
            .http
            .get(format!("{}/v1{path}", h.base))
            .bearer_auth(&tokens.access)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        assert_eq!(
            response.text().await.unwrap(),
            "User not registered in the Developer Dashboard"
        );
    }
    h.fake.set_mode(Mode::ExtendedQuota);
    assert_eq!(h.ok(&tokens.access, "/me").await["id"], "stranger_demo");
    let top = h.ok(&tokens.access, "/me/top/tracks").await;
    assert_eq!(top["total"], 15);
}

#[tokio::test]
async fn batch_look_ups_are_gone_in_development_mode() {
    let h = start().await;
    let tokens = h.login("alice").await;
    let facts = h.fake.persona_facts("alice").unwrap();
    let ids = facts.top_artists.long_term[..3].join(",");
    let track_ids = facts.top_tracks.long_term[..3].join(",");
    for path in [
        format!("/artists?ids={ids}"),
        format!("/tracks?ids={track_ids}"),
        "/albums?ids=0000000000000000000000".to_owned(),
    ] {
        let (status, _, body) = h.get(&tokens.access, &path).await;
        assert_eq!(
            error_of(status, &body),
            (403, "Forbidden".to_owned()),
            "{path}"
        );
    }
    // One by one still works.
    let artist = h
        .ok(
            &tokens.access,
            &format!("/artists/{}", facts.top_artists.long_term[0]),
        )
        .await;
    assert_eq!(
        artist["id"].as_str(),
        Some(facts.top_artists.long_term[0].as_str())
    );
    let (status, _, body) = h
        .get(&tokens.access, "/artists/0000000000000000000000")
        .await;
    assert_eq!(error_of(status, &body).0, 404);
    let (status, _, body) = h.get(&tokens.access, "/artists/not-an-id").await;
    assert_eq!(error_of(status, &body).0, 400);

    h.fake.set_mode(Mode::ExtendedQuota);
    let several = h
        .ok(
            &tokens.access,
            &format!("/artists?ids={ids},0000000000000000000000"),
        )
        .await;
    let artists = several["artists"].as_array().unwrap();
    assert_eq!(artists.len(), 4);
    assert!(artists[3].is_null());
    assert_eq!(
        artists[0]["id"].as_str(),
        Some(facts.top_artists.long_term[0].as_str())
    );
    let tracks = h
        .ok(&tokens.access, &format!("/tracks?ids={track_ids}"))
        .await;
    assert_eq!(tracks["tracks"].as_array().unwrap().len(), 3);
    let album_id = tracks["tracks"][0]["album"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let albums = h
        .ok(&tokens.access, &format!("/albums?ids={album_id}"))
        .await;
    assert_eq!(albums["albums"][0]["id"].as_str(), Some(album_id.as_str()));
    let too_many = vec![facts.top_artists.long_term[0].clone(); 51].join(",");
    let (status, _, body) = h
        .get(&tokens.access, &format!("/artists?ids={too_many}"))
        .await;
    assert_eq!(error_of(status, &body).0, 400);
}

#[tokio::test]
async fn playlists_page_to_the_end_in_the_2026_shape() {
    let h = start().await;
    let tokens = h.login("alice").await;
    let facts = h.fake.persona_facts("alice").unwrap();
    assert_eq!(facts.playlists.len(), 17);

    // Every page of /me/playlists, following `next` like a client.
    let mut listed = Vec::new();
    let mut next = Some(format!("{}/v1/me/playlists?limit=5", h.base));
    while let Some(url) = next {
        let page = h.ok(&tokens.access, &url).await;
        assert_eq!(page["total"], 17);
        for playlist in page["items"].as_array().unwrap() {
            assert!(
                playlist.get("tracks").is_none(),
                "pre-2026 `tracks` count object"
            );
            assert!(playlist["items"]["total"].is_u64());
            assert!(
                playlist["items"]["href"]
                    .as_str()
                    .unwrap()
                    .ends_with("/items")
            );
            listed.push(playlist.clone());
        }
        next = page["next"].as_str().map(str::to_owned);
    }
    assert_eq!(listed.len(), 17);
    assert!(listed.iter().any(|p| p["images"].is_null()));
    assert!(listed.iter().any(|p| p["images"] == json!([])));
    assert!(listed.iter().any(|p| p["collaborative"] == true));

    let big = facts
        .playlists
        .iter()
        .find(|p| p.total == 230)
        .expect("the 230-entry playlist");
    assert_eq!(big.name, "Everything I Love");
    let mut entries = Vec::new();
    let mut pages = 0;
    let mut next = Some(format!("{}/v1/playlists/{}/items?limit=50", h.base, big.id));
    while let Some(url) = next {
        let page = h.ok(&tokens.access, &url).await;
        pages += 1;
        assert_eq!(page["total"], 230);
        for entry in page["items"].as_array().unwrap() {
            assert!(entry.get("track").is_none(), "pre-2026 `track` entry");
            assert_eq!(entry["item"]["type"], "track");
            entries.push(entry["item"]["id"].as_str().unwrap().to_owned());
        }
        next = page["next"].as_str().map(str::to_owned);
    }
    assert_eq!((pages, entries.len()), (5, 230));
    assert_eq!(h.fake.request_count("GET /v1/playlists/{id}/items"), 5);

    // Default page size is 20; offset past the end is an empty page.
    let page = h
        .ok(&tokens.access, &format!("/playlists/{}/items", big.id))
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 20);
    let page = h
        .ok(
            &tokens.access,
            &format!("/playlists/{}/items?offset=300", big.id),
        )
        .await;
    assert!(page["items"].as_array().unwrap().is_empty());

    // The empty playlist, someone else's playlist, the collaborative one, unknown ids.
    let empty = facts.playlists.iter().find(|p| p.total == 0).unwrap();
    let page = h
        .ok(&tokens.access, &format!("/playlists/{}/items", empty.id))
        .await;
    assert_eq!(page["total"], 0);
    let foreign = facts.playlists.iter().find(|p| !p.readable).unwrap();
    let (status, _, body) = h
        .get(&tokens.access, &format!("/playlists/{}/items", foreign.id))
        .await;
    assert_eq!(error_of(status, &body), (403, "Forbidden".to_owned()));
    let collaborative = facts.playlists.iter().find(|p| p.collaborative).unwrap();
    assert!(collaborative.readable && collaborative.owner_id == "bob_demo");
    h.ok(
        &tokens.access,
        &format!("/playlists/{}/items", collaborative.id),
    )
    .await;
    let (status, _, body) = h
        .get(&tokens.access, "/playlists/0000000000000000000000/items")
        .await;
    assert_eq!(error_of(status, &body).0, 404);
    let (status, _, body) = h
        .get(&tokens.access, &format!("/playlists/{}/tracks", big.id))
        .await;
    assert_eq!(error_of(status, &body).0, 403);
}

#[tokio::test]
async fn limits_offsets_and_ranges_are_validated() {
    let h = start().await;
    let tokens = h.login("alice").await;
    for path in [
        "/me/top/tracks?limit=0",
        "/me/top/tracks?limit=51",
        "/me/top/artists?limit=ten",
        "/me/top/tracks?offset=-1",
        "/me/top/tracks?time_range=forever",
        "/me/playlists?limit=51",
        "/me/player/recently-played?limit=51",
        "/me/player/recently-played?after=1&before=2",
        "/me/player/recently-played?before=yesterday",
    ] {
        let (status, _, body) = h.get(&tokens.access, path).await;
        assert_eq!(error_of(status, &body).0, 400, "{path}");
    }
    let page = h.ok(&tokens.access, "/me/top/tracks").await;
    assert_eq!(
        (page["limit"].as_u64(), page["offset"].as_u64()),
        (Some(20), Some(0))
    );
    assert_eq!(page["items"].as_array().unwrap().len(), 20);
    assert!(page["previous"].is_null());
    let page = h
        .ok(
            &tokens.access,
            "/me/top/tracks?time_range=short_term&limit=20&offset=40",
        )
        .await;
    assert_eq!(page["total"], 50);
    assert_eq!(page["items"].as_array().unwrap().len(), 10);
    assert!(page["next"].is_null());
    assert!(
        page["previous"]
            .as_str()
            .unwrap()
            .contains("time_range=short_term")
    );
    let page = h.ok(&tokens.access, "/me/top/artists?offset=50").await;
    assert!(page["items"].as_array().unwrap().is_empty());
    assert_eq!(page["total"], 50);
    // Following `next` keeps the range.
    let first = h
        .ok(
            &tokens.access,
            "/me/top/tracks?time_range=long_term&limit=25",
        )
        .await;
    let second = h.ok(&tokens.access, first["next"].as_str().unwrap()).await;
    let facts = h.fake.persona_facts("alice").unwrap();
    let ids: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        facts
            .top_tracks
            .long_term
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn recently_played_serves_the_latest_fifty_with_cursors() {
    let h = start().await;
    let tokens = h.login("alice").await;
    let page = h
        .ok(&tokens.access, "/me/player/recently-played?limit=50")
        .await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 50);
    let times: Vec<OffsetDateTime> = items
        .iter()
        .map(|item| {
            let text = item["played_at"].as_str().unwrap();
            assert_eq!(text.len(), "2023-09-22T15:43:33.750Z".len(), "{text}");
            assert!(text.ends_with('Z'));
            OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap()
        })
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert!(items.iter().all(|item| item["context"].is_null()));
    let ms = |t: OffsetDateTime| (t.unix_timestamp_nanos() / 1_000_000).to_string();
    assert_eq!(
        page["cursors"]["after"].as_str(),
        Some(ms(times[0]).as_str())
    );
    assert_eq!(
        page["cursors"]["before"].as_str(),
        Some(ms(times[49]).as_str())
    );
    // Nothing exists before the latest 50.
    assert!(page["next"].is_null());
    let older = h
        .ok(
            &tokens.access,
            &format!("/me/player/recently-played?before={}", ms(times[49])),
        )
        .await;
    assert!(older["items"].as_array().unwrap().is_empty());
    assert!(older["cursors"].is_null());

    // Smaller pages chain through `next` (before cursors).
    let first = h
        .ok(&tokens.access, "/me/player/recently-played?limit=2")
        .await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let second = h.ok(&tokens.access, first["next"].as_str().unwrap()).await;
    assert_eq!(second["items"][0]["played_at"], items[2]["played_at"]);

    // A poller asking with `after` sees only new plays.
    let newest = ms(times[0]);
    let since = format!("/me/player/recently-played?after={newest}&limit=50");
    assert!(
        h.ok(&tokens.access, &since).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let facts = h.fake.persona_facts("alice").unwrap();
    let now = h.clock.now();
    h.fake
        .add_play("alice", &facts.top_tracks.short_term[0], now);
    h.fake.add_play(
        "alice",
        &facts.top_tracks.short_term[1],
        now + Duration::minutes(3),
    );
    let fresh = h.ok(&tokens.access, &since).await;
    let fresh_items = fresh["items"].as_array().unwrap();
    assert_eq!(fresh_items.len(), 1, "future plays stay hidden");
    assert_eq!(
        fresh_items[0]["track"]["id"].as_str(),
        Some(facts.top_tracks.short_term[0].as_str())
    );
    h.clock.advance(Duration::minutes(4));
    let fresh = h.ok(&tokens.access, &since).await;
    assert_eq!(fresh["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        fresh["items"][0]["track"]["id"].as_str(),
        Some(facts.top_tracks.short_term[1].as_str())
    );

    // A new account has nothing at all.
    let empty = h.login("empty").await;
    let page = h.ok(&empty.access, "/me/player/recently-played").await;
    assert!(page["items"].as_array().unwrap().is_empty());
    assert!(page["cursors"].is_null() && page["next"].is_null());
}

#[tokio::test]
async fn faults_are_injected_and_counted() {
    let h = start().await;
    let tokens = h.login("alice").await;
    let bob = h.login("bob").await;
    h.fake.reset_counters();
    h.fake.inject(Fault {
        route: Some("GET /v1/me/top/tracks".to_owned()),
        persona: None,
        kind: FaultKind::RateLimited {
            retry_after_secs: 37,
        },
        times: Some(2),
    });
    for _ in 0..2 {
        let (status, headers, body) = h.get(&tokens.access, "/me/top/tracks").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(headers[RETRY_AFTER], "37");
        assert_eq!(
            body,
            json!({"error": {"status": 429, "message": "API rate limit exceeded"}})
        );
    }
    h.ok(&tokens.access, "/me/top/tracks").await;
    h.ok(&tokens.access, "/me").await;
    assert_eq!(h.fake.request_count("GET /v1/me/top/tracks"), 3);
    assert_eq!(h.fake.request_count("GET /v1/me"), 1);
    assert_eq!(h.fake.total_api_requests(), 4);

    // Every route, for one persona only, until cleared.
    h.fake.inject(Fault {
        route: None,
        persona: Some("alice".to_owned()),
        kind: FaultKind::Status(503),
        times: None,
    });
    for path in ["/me", "/me/playlists", "/me/player/recently-played"] {
        let (status, _, body) = h.get(&tokens.access, path).await;
        assert_eq!(error_of(status, &body).0, 503);
    }
    h.ok(&bob.access, "/me").await;
    h.fake.clear_faults();
    h.ok(&tokens.access, "/me").await;

    h.fake.inject(Fault {
        route: Some("GET /v1/playlists/{id}/items".to_owned()),
        persona: None,
        kind: FaultKind::Status(502),
        times: Some(1),
    });
    let facts = h.fake.persona_facts("alice").unwrap();
    let path = format!("/playlists/{}/items", facts.playlists[0].id);
    let (status, _, body) = h.get(&tokens.access, &path).await;
    assert_eq!(error_of(status, &body).0, 502);
    h.ok(&tokens.access, &path).await;
    assert_eq!(h.fake.request_count("GET /v1/playlists/{id}/items"), 2);

    h.fake.inject(Fault {
        route: None,
        persona: None,
        kind: FaultKind::Delay(std::time::Duration::from_millis(300)),
        times: Some(1),
    });
    let started = Instant::now();
    h.ok(&tokens.access, "/me").await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));

    // The token endpoint, by its route.
    h.fake.inject(Fault {
        route: Some("POST /api/token".to_owned()),
        persona: Some("alice".to_owned()),
        kind: FaultKind::Status(500),
        times: Some(1),
    });
    assert_eq!(h.refresh(&bob.refresh).await.0, StatusCode::OK);
    let (status, body) = h.refresh(&tokens.refresh).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body["error"], "server_error");
    assert_eq!(h.refresh(&tokens.refresh).await.0, StatusCode::OK);
    assert_eq!(h.fake.token_requests("refresh_token"), 3);
    assert_eq!(h.fake.request_count("POST /api/token"), 3);
    h.fake.reset_counters();
    assert_eq!(h.fake.total_api_requests(), 0);
    assert_eq!(h.fake.request_count("GET /v1/me"), 0);
}

#[tokio::test]
async fn touching_a_playlist_changes_its_snapshot() {
    let h = start().await;
    let tokens = h.login("alice").await;
    let facts = h.fake.persona_facts("alice").unwrap();
    let playlist = facts
        .playlists
        .iter()
        .find(|p| p.name == "Sunday Morning")
        .unwrap();
    let held_before = playlist.top_tracks_held[0];
    let listed = |page: &Value| -> Value {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"].as_str() == Some(playlist.id.as_str()))
            .unwrap()
            .clone()
    };
    let before = listed(&h.ok(&tokens.access, "/me/playlists?limit=50").await);
    assert_eq!(
        before["snapshot_id"].as_str(),
        Some(playlist.snapshot_id.as_str())
    );
    let added = h.fake.touch_playlist(&playlist.id);
    let after = listed(&h.ok(&tokens.access, "/me/playlists?limit=50").await);
    assert_ne!(after["snapshot_id"], before["snapshot_id"]);
    assert_eq!(after["items"]["total"], playlist.total + 1);
    let last = h
        .ok(
            &tokens.access,
            &format!("/playlists/{}/items?offset={}", playlist.id, playlist.total),
        )
        .await;
    assert_eq!(
        last["items"][0]["item"]["id"].as_str(),
        Some(added.as_str())
    );
    let facts = h.fake.persona_facts("alice").unwrap();
    let now = facts
        .playlists
        .iter()
        .find(|p| p.id == playlist.id)
        .unwrap();
    assert_eq!(now.top_tracks_held[0], held_before + 1);
    assert_eq!(now.snapshot_id, after["snapshot_id"].as_str().unwrap());
}

#[tokio::test]
async fn persona_facts_match_what_the_api_serves() {
    let h = start().await;
    let facts = h.fake.persona_facts("alice").unwrap();
    assert_eq!(facts.user_id, "alice_demo");
    assert_eq!(facts.artists_in_all_ranges().len(), 16);
    assert_eq!(facts.artists_falling_off().len(), 10);
    for range in ["short_term", "medium_term", "long_term"] {
        assert_eq!(facts.top_tracks.get(range).unwrap().len(), 50);
        assert_eq!(facts.top_artists.get(range).unwrap().len(), 50);
    }
    assert!(facts.plays > 1000);
    let tokens = h.login("alice").await;
    let me = h.ok(&tokens.access, "/me").await;
    assert_eq!(me["account_id"].as_str(), Some(facts.account_id.as_str()));
    let served: Vec<String> = h
        .ok(
            &tokens.access,
            "/me/top/artists?time_range=short_term&limit=50",
        )
        .await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(served, facts.top_artists.short_term);
    let owned: Vec<_> = facts
        .playlists
        .iter()
        .filter(|p| p.owner_id == "alice_demo")
        .collect();
    assert_eq!(owned.len(), 12);
    let held: Vec<usize> = owned.iter().map(|p| p.top_tracks_held[0]).collect();
    assert_eq!(held.iter().max(), Some(&30));
    assert!(held.contains(&0));

    let bob = h.fake.persona_facts("bob").unwrap();
    assert_eq!(bob.top_tracks.medium_term.len(), 35);
    assert_eq!(bob.artists_in_all_ranges().len(), 22);
    assert_eq!(bob.artists_falling_off().len(), 5);
    let alice_artists: HashSet<&String> = facts.top_artists.long_term.iter().collect();
    let shared = bob
        .top_artists
        .long_term
        .iter()
        .filter(|a| alice_artists.contains(a))
        .count();
    assert!(shared * 2 < bob.top_artists.long_term.len());

    let empty = h.fake.persona_facts("empty").unwrap();
    assert!(empty.top_tracks.medium_term.is_empty() && empty.playlists.is_empty());
    assert_eq!(empty.plays, 0);
    let tokens = h.login("empty").await;
    let top = h.ok(&tokens.access, "/me/top/tracks").await;
    assert_eq!(
        (
            top["total"].as_u64(),
            top["items"].as_array().unwrap().len()
        ),
        (Some(0), 0)
    );
    assert_eq!(h.ok(&tokens.access, "/me/playlists").await["total"], 0);

    let markup = h.login("markup").await;
    let me = h.ok(&markup.access, "/me").await;
    assert_eq!(
        me["display_name"],
        "<img src=x onerror=alert(1)> Mallory & \"Co\""
    );
    let artists = h.ok(&markup.access, "/me/top/artists?limit=50").await;
    assert!(
        artists["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "<script>alert(\"x\")</script>")
    );
    assert!(h.fake.persona_facts("nobody").is_none());
}

#[tokio::test]
async fn nested_under_a_prefix_links_stay_on_the_prefix() {
    let fake = FakeSpotify::new(FakeConfig::default());
    let app = axum::Router::new().nest("/demo-spotify", fake.router());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let h = Harness {
        fake,
        clock: Clock::system(),
        base: format!("http://{address}/demo-spotify"),
        http: Client::builder().redirect(Policy::none()).build().unwrap(),
    };
    let tokens = h.login("alice").await;
    let page = h.ok(&tokens.access, "/me/top/tracks").await;
    let next = page["next"].as_str().unwrap();
    assert!(
        next.starts_with(&format!("http://{address}/demo-spotify/v1/me/top/tracks?")),
        "{next}"
    );
    h.ok(&tokens.access, next).await;
    assert_eq!(h.fake.request_count("GET /v1/me/top/tracks"), 2);
    let response = h
        .http
        .get(format!("{}/authorize", h.base))
        .query(&authorize_query(None, None))
        .send()
        .await
        .unwrap();
    let url = response.url().clone();
    let html = response.text().await.unwrap();
    let link = hrefs(&html)
        .into_iter()
        .find(|l| l.ends_with("persona=bob"))
        .unwrap();
    let response = h.http.get(url.join(&link).unwrap()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
}
