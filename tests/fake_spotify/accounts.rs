//! The accounts service: the authorize page, PKCE code exchange, refresh tokens and their six-month end, scopes.

use super::*;

#[tokio::test]
async fn authorize_page_offers_every_persona_and_cancel() {
    let h = start().await;
    let query = authorize_query(None, Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
    let response = h
        .http
        .get(format!("{}/authorize", h.base))
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let url = response.url().clone();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("<title>Euterpe demo — sign in to the fake Spotify</title>"));
    assert!(!html.contains("<style") && !html.contains("<script") && !html.contains("style="));
    let links = hrefs(&html);
    for persona in FakeSpotify::personas() {
        let description = FakeSpotify::persona_description(persona).unwrap();
        assert!(html.contains(description), "{persona}'s description");
        let link = links
            .iter()
            .find(|l| l.ends_with(&format!("&persona={persona}")))
            .unwrap_or_else(|| panic!("no link for {persona}"));
        assert!(link.starts_with('?'), "relative link: {link}");
        // Following it repeats the request with the persona: approved at once.
        let target = url.join(link).unwrap();
        for (name, value) in &query {
            assert_eq!(query_param(target.as_str(), name).as_ref(), Some(value));
        }
        let response = h.http.get(target).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FOUND);
        let location = response.headers()[LOCATION].to_str().unwrap();
        assert_eq!(
            query_param(location, "state").as_deref(),
            Some("st&te é/?=")
        );
        assert!(query_param(location, "code").is_some());
    }
    let cancel = links
        .iter()
        .find(|l| l.contains("error=access_denied"))
        .expect("cancel link");
    assert!(cancel.starts_with(REDIRECT_URI));
    assert_eq!(query_param(cancel, "state").as_deref(), Some("st&te é/?="));
    assert_eq!(
        h.fake.request_count("GET /authorize"),
        1 + FakeSpotify::personas().len()
    );
}

#[tokio::test]
async fn authorize_validates_like_spotify() {
    let h = start().await;
    let ask = |query: Vec<(&'static str, String)>| {
        let request = h.http.get(format!("{}/authorize", h.base)).query(&query);
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    let mut wrong_client = authorize_query(Some("alice"), None);
    wrong_client[0].1 = "someone-else".to_owned();
    let (status, page) = ask(wrong_client).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("INVALID_CLIENT: Invalid client"));

    let no_redirect: Vec<_> = authorize_query(Some("alice"), None)
        .into_iter()
        .filter(|(name, _)| *name != "redirect_uri")
        .collect();
    assert_eq!(ask(no_redirect).await.0, StatusCode::BAD_REQUEST);

    let mut token_flow = authorize_query(Some("alice"), None);
    token_flow[1].1 = "token".to_owned();
    assert_eq!(ask(token_flow).await.0, StatusCode::BAD_REQUEST);

    let mut plain = authorize_query(Some("alice"), Some(&challenge_of(VERIFIER)));
    plain
        .iter_mut()
        .find(|(n, _)| *n == "code_challenge_method")
        .unwrap()
        .1 = "plain".into();
    assert_eq!(ask(plain).await.0, StatusCode::BAD_REQUEST);

    let (status, page) = ask(authorize_query(Some("nobody"), None)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("nobody") && page.contains("persona=alice"));
}

#[tokio::test]
async fn pkce_code_exchange_and_reuse() {
    let h = start().await;
    let challenge = challenge_of(VERIFIER);

    // A public client (no secret) must send a verifier, and the right one.
    let code = h.code("alice", Some(&challenge)).await;
    let public = |code: &str, verifier: Option<&str>| {
        let mut form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.to_owned()),
            ("redirect_uri", REDIRECT_URI.to_owned()),
            ("client_id", client_id()),
        ];
        if let Some(verifier) = verifier {
            form.push(("code_verifier", verifier.to_owned()));
        }
        form
    };
    let send = |form: Vec<(&'static str, String)>| {
        let request = h.http.post(format!("{}/api/token", h.base)).form(&form);
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = send(public(&code, None)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_request");
    let (status, body) = send(public(
        &code,
        Some("the-wrong-verifier-the-wrong-verifier-the-wrong"),
    ))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"error": "invalid_grant", "error_description": "code_verifier was incorrect"})
    );
    let (status, body) = send(public(&code, Some(VERIFIER))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Exactly the recorded answer's fields and types.
    let recorded = fixture("token/authorization_code_exchange.json");
    assert_same_shape(&body, &recorded);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(
        body["scope"],
        SCOPES.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    let access = body["access_token"].as_str().unwrap().to_owned();
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    assert!(access.len() >= 43 && refresh.len() >= 43);
    assert_eq!(h.ok(&access, "/me").await["id"], "alice_demo");

    // Using the code again fails and revokes what it bought (RFC 6749 §4.1.2).
    let (status, body) = send(public(&code, Some(VERIFIER))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"error": "invalid_grant", "error_description": "Invalid authorization code"})
    );
    let (status, _, body) = h.get(&access, "/me").await;
    assert_eq!(
        error_of(status, &body),
        (401, "Invalid access token".to_owned())
    );
    let (status, body) = h.refresh(&refresh).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");

    assert_eq!(h.fake.token_requests("authorization_code"), 4);
    assert_eq!(h.fake.request_count("POST /api/token"), 5);
}

#[tokio::test]
async fn token_endpoint_rejects_bad_clients_codes_and_redirects() {
    let h = start().await;
    let code = h.code("bob", None).await;
    // Wrong secret.
    let response = h
        .http
        .post(format!("{}/api/token", h.base))
        .basic_auth(client_id(), Some("not-the-secret"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"error": "invalid_client", "error_description": "Invalid client"})
    );
    // Unknown code, then a redirect URI that differs from the one authorized.
    for (code, redirect_uri, description) in [
        ("no-such-code", REDIRECT_URI, "Invalid authorization code"),
        (
            code.as_str(),
            "http://127.0.0.1:8080/elsewhere",
            "Invalid redirect URI",
        ),
    ] {
        let (status, body) = h
            .token(
                &[
                    ("grant_type", "authorization_code"),
                    ("code", code),
                    ("redirect_uri", redirect_uri),
                ],
                true,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            json!({"error": "invalid_grant", "error_description": description})
        );
    }
    // A code waits ten minutes at most.
    let late = h.code("bob", None).await;
    h.clock.advance(Duration::minutes(11));
    let (status, body) = h
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &late),
                ("redirect_uri", REDIRECT_URI),
            ],
            true,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_description"], "Invalid authorization code");
    // The confidential client without PKCE still gets its tokens for a fresh code.
    let fresh = h.code("bob", None).await;
    let (status, _) = h
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &fresh),
                ("redirect_uri", REDIRECT_URI),
            ],
            true,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = h.token(&[("grant_type", "password")], true).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn refresh_without_rotation_keeps_the_refresh_token() {
    let h = start().await;
    let tokens = h.login("alice").await;
    for _ in 0..2 {
        let (status, body) = h.refresh(&tokens.refresh).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_same_shape(
            &body,
            &fixture("token/refresh_confidential_no_new_refresh_token.json"),
        );
        assert!(body.get("refresh_token").is_none());
        let access = body["access_token"].as_str().unwrap();
        assert_ne!(access, tokens.access);
        assert_eq!(h.ok(access, "/me").await["id"], "alice_demo");
    }
    // The first access token still works until it expires.
    h.ok(&tokens.access, "/me").await;
    assert_eq!(h.fake.token_requests("refresh_token"), 2);
    assert_eq!(h.fake.token_requests("authorization_code"), 1);
}

#[tokio::test]
async fn refresh_with_rotation_retires_the_old_token() {
    let h = start_with(Mode::Development, true).await;
    let tokens = h.login("bob").await;
    let (status, body) = h.refresh(&tokens.refresh).await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &body,
        &fixture("token/refresh_pkce_rotated_refresh_token.json"),
    );
    let rotated = body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rotated, tokens.refresh);
    let (status, body) = h.refresh(&tokens.refresh).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"error": "invalid_grant", "error_description": "Invalid refresh token"})
    );
    let (status, body) = h.refresh(&rotated).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["refresh_token"].is_string());
}

#[tokio::test]
async fn revoked_refresh_tokens_fail() {
    let h = start().await;
    let alice = h.login("alice").await;
    let bob = h.login("bob").await;
    h.fake.revoke_refresh_tokens("alice");
    let (status, body) = h.refresh(&alice.refresh).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"error": "invalid_grant", "error_description": "Refresh token revoked"})
    );
    assert_eq!(h.refresh(&bob.refresh).await.0, StatusCode::OK);
    let (status, body) = h.refresh("never-issued").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_description"], "Invalid refresh token");
}

#[tokio::test]
async fn refresh_tokens_die_six_months_after_authorization() {
    let h = start_with(Mode::Development, true).await;
    let tokens = h.login("alice").await;
    h.clock.advance(Duration::days(100));
    let (status, body) = h.refresh(&tokens.refresh).await;
    assert_eq!(status, StatusCode::OK);
    let rotated = body["refresh_token"].as_str().unwrap().to_owned();
    h.clock.advance(Duration::days(81));
    let (status, body) = h.refresh(&rotated).await;
    assert_eq!(status, StatusCode::OK);
    let rotated = body["refresh_token"].as_str().unwrap().to_owned();
    // Day 182: refreshing along the way did not extend anything.
    h.clock.advance(Duration::days(1));
    let (status, body) = h.refresh(&rotated).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"error": "invalid_grant", "error_description": "Refresh token expired"})
    );
    // Logging in again starts a new six months.
    let again = h.login("alice").await;
    assert_eq!(h.refresh(&again.refresh).await.0, StatusCode::OK);
}

#[tokio::test]
async fn access_tokens_expire() {
    let h = start().await;
    let tokens = h.login("alice").await;
    let bob = h.login("bob").await;
    h.ok(&tokens.access, "/me").await;
    h.fake.expire_access_tokens("alice");
    let (status, headers, body) = h.get(&tokens.access, "/me").await;
    assert_eq!(
        error_of(status, &body),
        (401, "The access token expired".to_owned())
    );
    assert!(
        headers[WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    h.ok(&bob.access, "/me").await;
    // A refreshed token works; an hour later it has expired too.
    let (_, body) = h.refresh(&tokens.refresh).await;
    let access = body["access_token"].as_str().unwrap().to_owned();
    h.ok(&access, "/me/top/tracks").await;
    h.clock.advance(Duration::seconds(3600));
    let (status, _, body) = h.get(&access, "/me").await;
    assert_eq!(error_of(status, &body).1, "The access token expired");
    // Unknown and missing tokens.
    let (status, _, body) = h.get("not-a-token", "/me").await;
    assert_eq!(
        error_of(status, &body),
        (401, "Invalid access token".to_owned())
    );
    let response = h
        .http
        .get(format!("{}/v1/me", h.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"error": {"status": 401, "message": "Invalid access token"}})
    );
}

#[tokio::test]
async fn scopes_are_enforced() {
    let h = start().await;
    let response = h
        .http
        .get(format!("{}/authorize", h.base))
        .query(&[
            ("client_id", client_id().as_str()),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "user-read-private"),
            ("persona", "alice"),
        ])
        .send()
        .await
        .unwrap();
    let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(query_param(&location, "state").is_none());
    let code = query_param(&location, "code").unwrap();
    let (_, body) = h
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT_URI),
            ],
            true,
        )
        .await;
    let access = body["access_token"].as_str().unwrap();
    assert_eq!(body["scope"], "user-read-private");
    h.ok(access, "/me").await;
    let (status, _, body) = h.get(access, "/me/top/tracks").await;
    assert_eq!(
        error_of(status, &body),
        (403, "Insufficient client scope".to_owned())
    );
}
