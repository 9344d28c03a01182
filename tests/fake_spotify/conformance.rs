//! Conformance: the fake's answers against the recorded fixtures, Spotify's OpenAPI description and Euterpe's models.

use super::*;

/// Spotify's OpenAPI description (the JSON conversion of the fixture's YAML).
struct OpenApi {
    doc: Value,
}

/// A schema with `$ref`, `allOf` and `oneOf` resolved into one set of properties.
#[derive(Default)]
struct Flat {
    kind: Option<String>,
    nullable: bool,
    properties: BTreeMap<String, Value>,
    required: BTreeSet<String>,
    items: Option<Value>,
}

impl Flat {
    fn merge(&mut self, other: Flat) {
        self.kind = other.kind.or(self.kind.take());
        self.nullable |= other.nullable;
        self.properties.extend(other.properties);
        self.required.extend(other.required);
        self.items = other.items.or(self.items.take());
    }
}

impl OpenApi {
    fn load() -> Self {
        Self {
            doc: fixture("openapi/fixed-spotify-open-api.json"),
        }
    }

    fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let pointer = reference.strip_prefix('#').expect("local reference");
            schema = self
                .doc
                .pointer(pointer)
                .unwrap_or_else(|| panic!("dangling {reference}"));
        }
        schema
    }

    fn flatten(&self, schema: &Value) -> Flat {
        let schema = self.resolve(schema);
        let mut flat = Flat::default();
        for part in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            flat.merge(self.flatten(part));
        }
        // Playlist entries are a TrackObject or an EpisodeObject: the fake serves tracks.
        if let Some(first) = schema.get("oneOf").and_then(|o| o.get(0)) {
            flat.merge(self.flatten(first));
        }
        let mut own = Flat {
            kind: schema
                .get("type")
                .and_then(Value::as_str)
                .map(str::to_owned),
            nullable: schema.get("nullable") == Some(&Value::Bool(true)),
            items: schema.get("items").cloned(),
            ..Flat::default()
        };
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            own.properties = properties.clone().into_iter().collect();
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            own.required = required
                .iter()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect();
        }
        flat.merge(own);
        flat
    }

    /// The schema of a path's `200` answer.
    fn answer(&self, path: &str) -> Value {
        let response = self.resolve(&self.doc["paths"][path]["get"]["responses"]["200"]);
        response["content"]["application/json"]["schema"].clone()
    }

    fn schema(&self, name: &str) -> Value {
        json!({ "$ref": format!("#/components/schemas/{name}") })
    }
}

/// Fields the recorded objects have that the fake rightly never sends: track relinking only
/// happens when a `market` is asked for (`is_playable`, `linked_from`), `birthdate` left the API
/// years ago, `restrictions` only come with restricted content.
const NEVER_EXPECTED: [&str; 4] = ["is_playable", "linked_from", "birthdate", "restrictions"];
/// Spotify's documented 2026 renames: `tracks` → `items` on playlists, `track` → `item` on
/// playlist entries.
const RENAMED: [(&str, &str); 2] = [("tracks", "items"), ("track", "item")];

/// Holds one answer of the fake against a schema of the OpenAPI description and against the
/// corresponding recorded object, recursively: the recorded object's keys are all present
/// (modulo development-mode stripping, the renames and `NEVER_EXPECTED`), every key is known to
/// the schema or the recording, JSON types agree with both, `required` holds.
struct Conformance<'a> {
    api: &'a OpenApi,
    development: bool,
    /// Keys that may be `null` although the schema does not say so (what Spotify really does).
    null_ok: &'a [&'a str],
    errors: Vec<String>,
}

fn type_matches(value: &Value, kind: &str) -> bool {
    match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        _ => true,
    }
}

impl Conformance<'_> {
    fn check(
        &mut self,
        path: &str,
        value: &Value,
        schema: Option<&Value>,
        example: Option<&Value>,
    ) {
        let flat = schema.map(|s| self.api.flatten(s)).unwrap_or_default();
        let key = path.rsplit('.').next().unwrap_or(path);
        if value.is_null() {
            let allowed =
                flat.nullable || example.is_some_and(Value::is_null) || self.null_ok.contains(&key);
            if !allowed {
                self.errors.push(format!("{path}: null"));
            }
            return;
        }
        if let Some(kind) = &flat.kind
            && !type_matches(value, kind)
        {
            self.errors.push(format!(
                "{path}: {} is not a schema {kind}",
                json_type(value)
            ));
        }
        if let Some(example) = example.filter(|e| !e.is_null())
            && json_type(example) != json_type(value)
        {
            self.errors.push(format!(
                "{path}: {} where the recording has {}",
                json_type(value),
                json_type(example)
            ));
        }
        match value {
            Value::Object(map) => {
                for required in &flat.required {
                    let stripped =
                        self.development && STRIPPED_IN_DEVELOPMENT.contains(&required.as_str());
                    if !map.contains_key(required) && !stripped {
                        self.errors
                            .push(format!("{path}: required `{required}` missing"));
                    }
                }
                if self.development {
                    for stripped in STRIPPED_IN_DEVELOPMENT {
                        // Albums' `genres` is documented as always empty, not as deprecated data.
                        let album_genres =
                            stripped == "genres" && map.get("type") == Some(&json!("album"));
                        if map.contains_key(stripped) && !album_genres {
                            self.errors
                                .push(format!("{path}: `{stripped}` in development mode"));
                        }
                    }
                }
                let mut examples: BTreeMap<String, &Value> = BTreeMap::new();
                for (recorded_key, recorded) in
                    example.and_then(Value::as_object).into_iter().flatten()
                {
                    let mut ours = recorded_key.clone();
                    if !map.contains_key(recorded_key)
                        && let Some((_, renamed)) =
                            RENAMED.iter().find(|(old, _)| old == recorded_key)
                    {
                        ours = (*renamed).to_owned();
                    }
                    let stripped = self.development
                        && STRIPPED_IN_DEVELOPMENT.contains(&recorded_key.as_str());
                    if NEVER_EXPECTED.contains(&recorded_key.as_str()) || stripped {
                        continue;
                    }
                    if !map.contains_key(&ours) {
                        self.errors
                            .push(format!("{path}: recorded `{recorded_key}` missing"));
                    }
                    examples.insert(ours, recorded);
                }
                for (name, child) in map {
                    let child_schema = flat.properties.get(name);
                    let child_example = examples.get(name).copied();
                    if child_schema.is_none() && child_example.is_none() {
                        self.errors.push(format!("{path}: unknown key `{name}`"));
                        continue;
                    }
                    self.check(
                        &format!("{path}.{name}"),
                        child,
                        child_schema,
                        child_example,
                    );
                }
            }
            Value::Array(items) => {
                let first = example.and_then(Value::as_array).and_then(|a| a.first());
                for (index, item) in items.iter().enumerate() {
                    self.check(
                        &format!("{path}[{index}]"),
                        item,
                        flat.items.as_ref(),
                        first,
                    );
                }
            }
            _ => {}
        }
    }
}

fn conform(
    api: &OpenApi,
    development: bool,
    null_ok: &[&str],
    value: &Value,
    schema: &Value,
    example: &Value,
) {
    let mut check = Conformance {
        api,
        development,
        null_ok,
        errors: Vec::new(),
    };
    check.check("$", value, Some(schema), Some(example));
    assert!(
        check.errors.is_empty(),
        "{} problems, first: {:#?}",
        check.errors.len(),
        &check.errors[..check.errors.len().min(15)]
    );
}

#[tokio::test]
async fn answers_conform_to_the_fixtures_and_the_openapi_description() {
    let api = OpenApi::load();
    let h = start().await;
    let tokens = h.login("alice").await;
    let facts = h.fake.persona_facts("alice").unwrap();
    let big = &facts.playlists.iter().find(|p| p.total == 230).unwrap().id;
    let road_trip = &facts
        .playlists
        .iter()
        .find(|p| p.name == "Road Trip 2025")
        .unwrap()
        .id;
    let artist = &facts.top_artists.long_term[0];
    let recorded_artists = fixture("webapi/artists_several_pre2026.json");

    for mode in [Mode::Development, Mode::ExtendedQuota] {
        h.fake.set_mode(mode);
        let development = mode == Mode::Development;
        let get = |path: String| {
            let token = tokens.access.clone();
            let h = &h;
            async move { h.ok(&token, &path).await }
        };
        conform(
            &api,
            development,
            &[],
            &get("/me".into()).await,
            &api.answer("/me"),
            &fixture("webapi/me_pre2026.json"),
        );
        for range in ["short_term", "medium_term", "long_term"] {
            conform(
                &api,
                development,
                &[],
                &get(format!("/me/top/tracks?limit=50&time_range={range}")).await,
                &api.answer("/me/top/tracks"),
                &fixture("webapi/me_top_tracks.json"),
            );
            conform(
                &api,
                development,
                &[],
                &get(format!("/me/top/artists?limit=50&time_range={range}")).await,
                &api.answer("/me/top/artists"),
                &fixture("webapi/me_top_artists.json"),
            );
        }
        // The cursor paging object's `next` is "`null` if none" in prose, not in its schema.
        conform(
            &api,
            development,
            &["next"],
            &get("/me/player/recently-played?limit=50".into()).await,
            &api.answer("/me/player/recently-played"),
            &fixture("webapi/me_player_recently_played.json"),
        );
        // Spotify answers `images: null` for some playlists; the description says array.
        conform(
            &api,
            development,
            &["images"],
            &get("/me/playlists?limit=50".into()).await,
            &api.answer("/me/playlists"),
            &fixture("webapi/me_playlists_pre2026.json"),
        );
        for id in [big, road_trip] {
            let mut page = get(format!("/playlists/{id}/items?limit=50")).await;
            // Local files come with `null` ids and links, which the description does not
            // allow for; Euterpe's models must cope (checked below), the schema cannot.
            page["items"]
                .as_array_mut()
                .unwrap()
                .retain(|entry| entry["is_local"] == false);
            conform(
                &api,
                development,
                &[],
                &page,
                &api.answer("/playlists/{playlist_id}/items"),
                &fixture("webapi/playlist_items_pre2026.json"),
            );
        }
        conform(
            &api,
            development,
            &[],
            &get(format!("/artists/{artist}")).await,
            &api.answer("/artists/{id}"),
            &recorded_artists["artists"][0],
        );
        if !development {
            conform(
                &api,
                false,
                &[],
                &get(format!(
                    "/artists?ids={artist},{}",
                    facts.top_artists.long_term[1]
                ))
                .await,
                &api.answer("/artists"),
                &recorded_artists,
            );
            let album =
                get(format!("/tracks/{}", facts.top_tracks.long_term[0])).await["album"]["id"]
                    .as_str()
                    .unwrap()
                    .to_owned();
            let full = get(format!("/albums/{album}")).await;
            let mut check = Conformance {
                api: &api,
                development: false,
                null_ok: &[],
                errors: Vec::new(),
            };
            check.check("$", &full, Some(&api.answer("/albums/{id}")), None);
            assert!(check.errors.is_empty(), "{:#?}", check.errors);
        }
    }

    // Error bodies are ErrorObjects.
    let error_schema = api.schema("ErrorObject");
    for (token, path) in [
        ("nope", "/me".to_owned()),
        (tokens.access.as_str(), "/me/top/tracks?limit=0".to_owned()),
        (
            tokens.access.as_str(),
            "/artists/0000000000000000000000".to_owned(),
        ),
        (tokens.access.as_str(), "/no/such/route".to_owned()),
    ] {
        let (status, _, body) = h.get(token, &path).await;
        assert!(status.is_client_error(), "{path}");
        assert_eq!(body.as_object().unwrap().len(), 1);
        let mut check = Conformance {
            api: &api,
            development: true,
            null_ok: &[],
            errors: Vec::new(),
        };
        check.check("$.error", &body["error"], Some(&error_schema), None);
        assert!(check.errors.is_empty(), "{path}: {:#?}", check.errors);
    }
}

#[tokio::test]
async fn euterpe_models_parse_every_answer() {
    let h = start().await;
    let tokens = h.login("alice").await;
    let facts = h.fake.persona_facts("alice").unwrap();
    for mode in [Mode::Development, Mode::ExtendedQuota] {
        h.fake.set_mode(mode);
        let extended = mode == Mode::ExtendedQuota;

        let user: CurrentUser = serde_json::from_str(&h.text(&tokens.access, "/me").await).unwrap();
        assert_eq!(user.stable_id(), facts.account_id);
        assert_eq!(user.email.is_some(), extended);

        let tracks: Page<Track> =
            serde_json::from_str(&h.text(&tokens.access, "/me/top/tracks?limit=50").await).unwrap();
        assert_eq!((tracks.items.len(), tracks.total), (50, 50));
        assert!(
            tracks
                .items
                .iter()
                .all(|t| t.popularity.is_some() == extended)
        );
        assert!(
            tracks
                .items
                .iter()
                .all(|t| t.album.release_date.is_some() && !t.artists.is_empty())
        );
        assert!(tracks.items.iter().all(|t| t.external_ids.isrc.is_some()));

        let artists: Page<Artist> =
            serde_json::from_str(&h.text(&tokens.access, "/me/top/artists?limit=50").await)
                .unwrap();
        assert!(artists.items.iter().all(|a| a.genres.is_some() == extended));
        assert!(
            artists
                .items
                .iter()
                .all(|a| a.followers.is_some() == extended)
        );

        let playlists: Page<Playlist> =
            serde_json::from_str(&h.text(&tokens.access, "/me/playlists?limit=50").await).unwrap();
        assert_eq!(playlists.items.len(), 17);
        for (parsed, fact) in playlists.items.iter().zip(&facts.playlists) {
            assert_eq!(parsed.id, fact.id);
            assert_eq!(parsed.total() as usize, fact.total);
            assert_eq!(parsed.owner.id, fact.owner_id);
        }

        let road_trip = facts
            .playlists
            .iter()
            .find(|p| p.name == "Road Trip 2025")
            .unwrap();
        let mut entries: Vec<PlaylistEntry> = Vec::new();
        for offset in (0..road_trip.total).step_by(50) {
            let page: Page<PlaylistEntry> = serde_json::from_str(
                &h.text(
                    &tokens.access,
                    &format!("/playlists/{}/items?limit=50&offset={offset}", road_trip.id),
                )
                .await,
            )
            .unwrap();
            entries.extend(page.items);
        }
        assert_eq!(entries.len(), road_trip.total);
        let contents: Vec<&Track> = entries.iter().map(|e| e.content().expect("item")).collect();
        assert_eq!(
            contents
                .iter()
                .filter(|t| t.is_local && t.id.is_empty())
                .count(),
            1
        );
        let ids: Vec<&str> = contents
            .iter()
            .filter(|t| !t.is_local)
            .map(|t| t.id.as_str())
            .collect();
        let distinct: HashSet<&str> = ids.iter().copied().collect();
        assert_eq!(ids.len(), distinct.len() + 1, "one duplicate entry");

        let recent: RecentlyPlayed = serde_json::from_str(
            &h.text(&tokens.access, "/me/player/recently-played?limit=50")
                .await,
        )
        .unwrap();
        assert_eq!(recent.items.len(), 50);
        assert!(recent.cursors.is_some());

        let artist: Artist = serde_json::from_str(
            &h.text(
                &tokens.access,
                &format!("/artists/{}", facts.top_artists.short_term[0]),
            )
            .await,
        )
        .unwrap();
        assert_eq!(artist.id, facts.top_artists.short_term[0]);

        if extended {
            let several: Artists = serde_json::from_str(
                &h.text(
                    &tokens.access,
                    &format!(
                        "/artists?ids={},0000000000000000000000",
                        facts.top_artists.short_term[0]
                    ),
                )
                .await,
            )
            .unwrap();
            assert_eq!(several.artists.len(), 2);
            assert!(several.artists[0].is_some() && several.artists[1].is_none());
        }
    }
}

#[tokio::test]
async fn catalogue_covers_the_edge_cases_panels_meet() {
    let h = start_with(Mode::ExtendedQuota, false).await;
    let tokens = h.login("alice").await;
    let mut dates = BTreeSet::new();
    let mut album_names: Vec<(String, String)> = Vec::new();
    let mut featured = false;
    let mut image_widths = BTreeSet::new();
    for range in ["short_term", "medium_term", "long_term"] {
        let page = h
            .ok(
                &tokens.access,
                &format!("/me/top/tracks?limit=50&time_range={range}"),
            )
            .await;
        for track in page["items"].as_array().unwrap() {
            let album = &track["album"];
            dates.insert((
                album["release_date_precision"].as_str().unwrap().to_owned(),
                album["release_date"].as_str().unwrap().to_owned(),
            ));
            album_names.push((
                album["name"].as_str().unwrap().to_owned(),
                album["id"].as_str().unwrap().to_owned(),
            ));
            featured |= track["artists"].as_array().unwrap().len() >= 2;
            for image in album["images"].as_array().unwrap() {
                image_widths.insert(image["width"].as_u64().unwrap());
                assert!(
                    image["url"]
                        .as_str()
                        .unwrap()
                        .starts_with("https://i.scdn.co/image/")
                );
            }
            let id = track["id"].as_str().unwrap();
            assert_eq!(
                track["uri"].as_str().unwrap(),
                format!("spotify:track:{id}")
            );
            assert_eq!(
                track["external_urls"]["spotify"].as_str().unwrap(),
                format!("https://open.spotify.com/track/{id}")
            );
        }
    }
    assert!(featured);
    assert_eq!(image_widths, BTreeSet::from([64, 300, 640]));
    for (precision, date) in [
        ("day", "1987-06-15"),
        ("month", "1994-03"),
        ("year", "1971"),
        ("year", "0000"),
    ] {
        assert!(
            dates.contains(&(precision.to_owned(), date.to_owned())),
            "alice's top tracks include a {precision} date {date}"
        );
    }
    let greatest: HashSet<&String> = album_names
        .iter()
        .filter(|(name, _)| name == "Greatest Hits")
        .map(|(_, id)| id)
        .collect();
    assert_eq!(
        greatest.len(),
        2,
        "two different albums called Greatest Hits"
    );
    let names: Vec<String> = h
        .ok(
            &tokens.access,
            "/me/top/artists?limit=50&time_range=long_term",
        )
        .await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(names.iter().any(|n| n.contains("<script>")));
    assert!(names.iter().any(|n| n.contains('🌙')));
}
