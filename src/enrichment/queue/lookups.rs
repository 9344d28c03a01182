//! The look-ups each stage of the queue makes: resolving artists and recordings on MusicBrainz
//! (by Spotify URL, ISRC or names), their genres, and listen counts from ListenBrainz and
//! Last.fm.

use super::*;

impl Enrichment {
    pub(super) async fn store_recordings(
        &self,
        job: &JobRow,
        input: &TrackInput,
        matched_by: &str,
        mbids: &[String],
    ) -> store::Result<()> {
        let now = self.clock.unix();
        self.store
            .put_track_recordings(&TrackRecordingsRow {
                spotify_track_id: job.key.clone(),
                isrc: input.isrc.clone(),
                matched_by: matched_by.to_owned(),
                mbids: to_json(&mbids),
                fetched_at: now,
                expires_at: now + FACT_TTL.as_secs() as i64,
            })
            .await
    }

    /// Spotify pages → MusicBrainz artists, 25 per request.
    pub(super) async fn resolve(&self, jobs: Vec<JobRow>) -> store::Result<()> {
        let ids: Vec<String> = jobs.iter().map(|job| job.key.clone()).collect();
        let answer = self
            .call(
                Service::MusicBrainz,
                self.musicbrainz.artists_by_spotify_ids(&ids),
            )
            .await?;
        let found = match answer {
            Ok(found) => found,
            Err(err) => return self.failed(Service::MusicBrainz, err, &jobs).await,
        };
        for job in &jobs {
            match found.get(&job.key).map(Vec::as_slice) {
                Some([mbid]) => {
                    let state = ArtistState {
                        mbid: Some(mbid.clone()),
                        matched_by: Some("spotify_url".to_owned()),
                    };
                    self.requeue(job, Stage::Genres, to_json(&state)).await?;
                }
                // Several MusicBrainz artists claim this Spotify page: none can be chosen.
                Some(_) => {
                    let ttl = FACT_TTL.as_secs() as i64;
                    self.finish_genres(job, "ambiguous", None, ttl).await?;
                }
                None => self.requeue(job, Stage::Search, job.state.clone()).await?,
            }
        }
        Ok(())
    }

    /// An artist without a link: by name, when exactly one MusicBrainz artist has it.
    pub(super) async fn search(&self, job: JobRow) -> store::Result<()> {
        let input: ArtistInput = parse(&job.input);
        let ttl = FACT_TTL.as_secs() as i64;
        if input.name.trim().is_empty() {
            return self.finish_genres(&job, "not_found", None, ttl).await;
        }
        let answer = self
            .call(
                Service::MusicBrainz,
                self.musicbrainz.search_artist(&input.name),
            )
            .await?;
        match answer {
            Ok(NameMatch::One(mbid)) => {
                let state = ArtistState {
                    mbid: Some(mbid),
                    matched_by: Some("name".to_owned()),
                };
                self.requeue(&job, Stage::Genres, to_json(&state)).await
            }
            Ok(NameMatch::Ambiguous) => self.finish_genres(&job, "ambiguous", None, ttl).await,
            Ok(NameMatch::None) => self.finish_genres(&job, "not_found", None, ttl).await,
            Err(err) => self.failed(Service::MusicBrainz, err, &[job]).await,
        }
    }

    /// The MusicBrainz artist's genres.
    pub(super) async fn artist_genres(&self, job: JobRow) -> store::Result<()> {
        let state: ArtistState = parse(&job.state);
        let Some(mbid) = state.mbid.clone() else {
            return self.requeue(&job, Stage::Search, job.state.clone()).await;
        };
        let answer = self
            .call(Service::MusicBrainz, self.musicbrainz.artist_genres(&mbid))
            .await?;
        let ttl = FACT_TTL.as_secs() as i64;
        match answer {
            Ok(Some(votes)) => {
                let (genres, ttl) = self.genres_of(votes).await?;
                self.finish_genres(&job, "found", Some((&state, genres)), ttl)
                    .await
            }
            // A link to an artist since merged away: try the name.
            Ok(None) if state.matched_by.as_deref() == Some("spotify_url") => {
                self.requeue(&job, Stage::Search, to_json(&ArtistState::default()))
                    .await
            }
            Ok(None) => self.finish_genres(&job, "not_found", None, ttl).await,
            Err(err) => self.failed(Service::MusicBrainz, err, &[job]).await,
        }
    }

    /// ISRC → MusicBrainz recordings.
    pub(super) async fn isrc(&self, job: JobRow) -> store::Result<()> {
        let input: TrackInput = parse(&job.input);
        let Some(isrc) = input.isrc.clone() else {
            return self.requeue(&job, Stage::Names, job.state.clone()).await;
        };
        let answer = self
            .call(
                Service::MusicBrainz,
                self.musicbrainz.recordings_by_isrc(&isrc),
            )
            .await?;
        match answer {
            Ok(mbids) if !mbids.is_empty() => {
                self.store_recordings(&job, &input, "isrc", &mbids).await?;
                let state = TrackState { mbids };
                self.requeue(&job, Stage::Listens, to_json(&state)).await
            }
            Ok(_) => self.requeue(&job, Stage::Names, job.state.clone()).await,
            Err(err) => self.failed(Service::MusicBrainz, err, &[job]).await,
        }
    }

    /// Artist and track name → a recording, on ListenBrainz.
    pub(super) async fn names(&self, job: JobRow) -> store::Result<()> {
        let input: TrackInput = parse(&job.input);
        let Some(artist) = input.artist.clone().filter(|a| !a.trim().is_empty()) else {
            self.store_recordings(&job, &input, "none", &[]).await?;
            return self.next_source_or_not_found(&job).await;
        };
        let answer = self
            .call(
                Service::ListenBrainz,
                self.listenbrainz.lookup(&artist, &input.name),
            )
            .await?;
        match answer {
            Ok((found, quota)) => {
                self.honour(quota).await?;
                match found {
                    Some(mbid) => {
                        let mbids = vec![mbid];
                        self.store_recordings(&job, &input, "names", &mbids).await?;
                        self.requeue(&job, Stage::Listens, to_json(&TrackState { mbids }))
                            .await
                    }
                    None => {
                        self.store_recordings(&job, &input, "none", &[]).await?;
                        self.next_source_or_not_found(&job).await
                    }
                }
            }
            Err(err) => self.failed(Service::ListenBrainz, err, &[job]).await,
        }
    }

    /// Recordings → total listens on ListenBrainz, for many tracks per request.
    pub(super) async fn listens(&self, jobs: Vec<JobRow>) -> store::Result<()> {
        let states: Vec<TrackState> = jobs.iter().map(|job| parse(&job.state)).collect();
        let mut mbids: Vec<String> = states.iter().flat_map(|s| s.mbids.clone()).collect();
        mbids.sort();
        mbids.dedup();
        if mbids.is_empty() {
            for job in &jobs {
                self.requeue(job, Stage::Names, job.state.clone()).await?;
            }
            return Ok(());
        }
        let answer = self
            .call(Service::ListenBrainz, self.listenbrainz.popularity(&mbids))
            .await?;
        let (counts, quota) = match answer {
            Ok(answer) => answer,
            Err(err) => return self.failed(Service::ListenBrainz, err, &jobs).await,
        };
        self.honour(quota).await?;
        let ttl = FACT_TTL.as_secs() as i64;
        for (job, state) in jobs.iter().zip(&states) {
            let known: Vec<u64> = state
                .mbids
                .iter()
                .filter_map(|mbid| counts.get(mbid).copied().flatten())
                .collect();
            if known.is_empty() {
                self.next_source_or_not_found(job).await?;
            } else {
                let total = known.iter().fold(0u64, |sum, n| sum.saturating_add(*n));
                let found = Some((PopularitySource::ListenBrainz, total));
                self.finish_popularity(job, "found", found, ttl).await?;
            }
        }
        Ok(())
    }

    /// Artist and track name → listeners on Last.fm.
    pub(super) async fn lastfm_listeners(&self, job: JobRow) -> store::Result<()> {
        let Some(lastfm) = &self.lastfm else {
            // Queued by a process with a key; this one has none.
            return self
                .finish_popularity(&job, "unavailable", None, REFUSED_SECS)
                .await;
        };
        let input: TrackInput = parse(&job.input);
        let ttl = FACT_TTL.as_secs() as i64;
        let Some(artist) = input.artist.clone().filter(|a| !a.trim().is_empty()) else {
            return self.finish_popularity(&job, "not_found", None, ttl).await;
        };
        let answer = self
            .call(
                Service::LastFm,
                lastfm.track_listeners(&artist, &input.name),
            )
            .await?;
        match answer {
            Ok(Some(listeners)) => {
                let found = Some((PopularitySource::LastFm, listeners));
                self.finish_popularity(&job, "found", found, ttl).await
            }
            Ok(None) => self.finish_popularity(&job, "not_found", None, ttl).await,
            Err(err) => self.failed(Service::LastFm, err, &[job]).await,
        }
    }
}
