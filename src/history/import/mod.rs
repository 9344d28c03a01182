//! Import jobs: an upload (zip or JSON files, already on disk) is read file by file in the
//! background; each file is one transaction, so a broken file commits nothing and the others
//! still count. Progress and the summary are saved in the `imports` row the page polls.

use crate::domain::UserId;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::export::{self, Batch, FileKind, ParseError};
use crate::clock::Clock;
use crate::shutdown::Shutdown;
use crate::store::{Backend, Catalogue, ImportCounts, PlaySource, PlayWriter, Store, StoreError};

mod plan;
use plan::*;

/// One uploaded file, saved to disk.
#[derive(Clone, Debug)]
pub struct Upload {
    /// The name the browser sent.
    pub name: String,
    pub path: PathBuf,
    pub size: u64,
}

/// What happened to one file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileReport {
    /// The file's name (inside its zip: `upload.zip › folder/file.json`).
    pub name: String,
    /// What it holds, in words, when known.
    pub kind: Option<String>,
    /// `imported`, `skipped` or `failed`.
    pub outcome: String,
    pub counts: ImportCounts,
    /// Why it was skipped or failed, in plain words.
    pub note: Option<String>,
}

/// `512 MiB`, `3.4 MiB`, `900 KiB`.
pub fn human_bytes(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let value = bytes as f64;
    if value >= KIB * KIB * KIB {
        format!("{:.1} GiB", value / KIB / KIB / KIB).replace(".0 ", " ")
    } else if value >= KIB * KIB {
        format!("{:.1} MiB", value / KIB / KIB).replace(".0 ", " ")
    } else if value >= KIB {
        format!("{:.0} KiB", value / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// Why one file failed.
enum ItemError {
    Parse(ParseError),
    Database(StoreError),
}

/// Runs an import job to its end and deletes its uploads. It reads at most `unzipped_limit`
/// bytes of history, all its files together once unzipped (`IMPORT_MAX_UNZIPPED_BYTES`): a
/// zip bomb's files, however many and each within the parser's limits, would otherwise keep
/// the job reading for hours. A job that panics (a bug) is marked
/// failed at once, in plain words: else it would show as running until the sweep of stale
/// imports.
pub async fn run_job(
    store: Store,
    clock: Clock,
    user: UserId,
    id: Uuid,
    uploads: Vec<Upload>,
    unzipped_limit: u64,
    shutdown: Shutdown,
) {
    let paths: Vec<PathBuf> = uploads.iter().map(|upload| upload.path.clone()).collect();
    let job = {
        let (store, clock) = (store.clone(), clock.clone());
        async move { run(store, clock, user, id, &uploads, unzipped_limit, shutdown).await }
    };
    supervise(&store, &clock, id, job).await;
    for path in paths {
        let _ = tokio::fs::remove_file(&path).await;
    }
}

/// An import that adds this many plays brings the database's statistics up to date.
const LARGE_IMPORT: i64 = 10_000;

/// What a job that stopped on a bug says.
const PANICKED: &str = "This import stopped because of an error in Euterpe itself (it has been \
     logged). The files listed as imported are kept; upload the export again to import the rest \
     (nothing is counted twice).";

/// Runs `job` in a task of its own; if it panics, marks import `id` failed.
async fn supervise(
    store: &Store,
    clock: &Clock,
    id: Uuid,
    job: impl std::future::Future<Output = ()> + Send + 'static,
) {
    if let Err(err) = tokio::spawn(job).await
        && err.is_panic()
    {
        tracing::error!(import = %id, "import job panicked");
        if let Err(err) = store.fail_import(id, PANICKED, clock.unix()).await {
            tracing::error!(error = %err, import = %id, "could not mark the import failed");
        }
    }
}

/// Runs an import job to its end, saving progress as it goes.
async fn run(
    store: Store,
    clock: Clock,
    user: UserId,
    id: Uuid,
    uploads: &[Upload],
    limit: u64,
    shutdown: Shutdown,
) {
    let mut job = Job {
        store: store.clone(),
        clock,
        id,
        user,
        budget: Budget {
            read: Arc::default(),
            limit,
        },
        counts: ImportCounts::default(),
        reports: Vec::new(),
        bytes_done: 0,
        files_done: 0,
        last_saved: Instant::now(),
        catalogue: Catalogue::default(),
        imported: Vec::new(),
    };
    match job.run(uploads, &shutdown).await {
        Ok(()) => {}
        Err(err) if crate::store::is_account_gone(&err) => {
            tracing::info!(import = %id, "import stopped: the account was deleted");
        }
        Err(err) => {
            tracing::error!(error = %err, import = %id, "import job failed: database");
            // Else the job shows as running, its progress bar spinning, until the poller's
            // sweep of stale imports (none when polling is off). Best effort: the database may
            // be what failed.
            let _ = job.save("failed", Some(DATABASE_FAILED)).await;
        }
    }
}

/// What an import that the database stopped says.
const DATABASE_FAILED: &str = "The database failed during this import, so it stopped. The files listed as imported are kept; upload the export again later to import the rest (nothing is counted twice).";

struct Job {
    store: Store,
    clock: Clock,
    id: Uuid,
    user: UserId,
    /// What the job's files may take once unzipped, all together.
    budget: Budget,
    counts: ImportCounts,
    reports: Vec<FileReport>,
    bytes_done: u64,
    files_done: i64,
    last_saved: Instant,
    /// What the last file's writer learnt of the user's catalogue, for the next one.
    catalogue: Catalogue,
    /// The files imported so far, for joining their coverage.
    imported: Vec<Imported>,
}

/// A file a job imported.
struct Imported {
    source: PlaySource,
    /// Its series and number (see [`export::series_of`]).
    series: Option<(String, u32)>,
    /// Its first and last play.
    span: (i64, i64),
}

impl Job {
    async fn save(&mut self, status: &str, error: Option<&str>) -> Result<(), StoreError> {
        let report = serde_json::to_string(&self.reports).unwrap_or_else(|_| "[]".into());
        self.last_saved = Instant::now();
        self.store
            .update_import(
                self.id,
                status,
                self.bytes_done as i64,
                self.files_done,
                &self.counts,
                &report,
                error,
                self.clock.unix(),
            )
            .await
    }

    async fn run(&mut self, uploads: &[Upload], shutdown: &Shutdown) -> Result<(), StoreError> {
        let (items, early) = tokio::task::spawn_blocking({
            let uploads = uploads.to_vec();
            move || plan(&uploads)
        })
        .await
        .unwrap_or_else(|_| (Vec::new(), Vec::new()));
        self.reports.extend(early);
        self.files_done = self.reports.len() as i64;
        self.save("running", None).await?;
        let mut imported_any = false;
        for item in items {
            if shutdown.is_triggered() {
                self.save(
                    "failed",
                    Some("Euterpe was stopped before this import finished. The files listed as imported are kept; upload the export again to import the rest (nothing is counted twice)."),
                )
                .await?;
                return Ok(());
            }
            let report = self.item(&item).await?;
            imported_any |= report.outcome == "imported";
            self.counts += report.counts;
            self.reports.push(report);
            self.files_done += 1;
            self.save("running", None).await?;
        }
        let status = if imported_any || self.reports.iter().all(|r| r.outcome != "failed") {
            "done"
        } else {
            "failed"
        };
        if self.counts.plays_added >= LARGE_IMPORT {
            // Before "done": the page the listener opens next is planned with the new plays.
            // Only a help: the plays are stored whatever it says.
            if let Err(error) = self.store.refresh_history_statistics().await {
                tracing::warn!(%error, "could not refresh the history's statistics");
            }
        }
        self.save(status, None).await
    }

    async fn item(&mut self, item: &Item) -> Result<FileReport, StoreError> {
        let mut report = FileReport {
            name: item.name.clone(),
            kind: item.kind.map(|kind| kind.label().to_owned()),
            outcome: "imported".into(),
            ..FileReport::default()
        };
        if let Some(kind) = item.kind.filter(|kind| !kind.is_music()) {
            report.outcome = "skipped".into();
            report.note = Some(format!(
                "{} is recognised but not imported: Euterpe counts music only",
                capitalise(kind.label())
            ));
            if kind != FileKind::Video {
                // Count the episodes for the summary; nothing is stored.
                let source = item.source.clone();
                let (budget, now_ms) = (self.budget.clone(), self.clock.unix() * 1000);
                let counted = tokio::task::spawn_blocking(move || {
                    parse_item(
                        &source,
                        now_ms,
                        &budget,
                        Arc::default(),
                        &HashMap::new(),
                        |_| true,
                    )
                })
                .await;
                if let Ok(Ok(tally)) = counted {
                    report.counts.other_skipped = tally.counts.other_skipped + tally.plays;
                }
            }
            self.bytes_done += item.size;
            return Ok(report);
        }
        let started_bytes = self.bytes_done;
        match self.parse_and_store(item).await {
            Ok((kind, counts, shortened)) => {
                report.counts = counts;
                if shortened > 0 {
                    report.note = Some(format!(
                        "{} names longer than {} KiB were cut short: no real song, artist or \
                         album name is that long",
                        shortened,
                        export::MAX_NAME_BYTES >> 10
                    ));
                }
                report.kind = kind.map(|kind| kind.label().to_owned()).or(report.kind);
                match kind {
                    Some(kind) if !kind.is_music() => {
                        report.outcome = "skipped".into();
                        report.note = Some(format!(
                            "{} is recognised but not imported: Euterpe counts music only",
                            capitalise(kind.label())
                        ));
                    }
                    _ => {}
                }
            }
            Err(ItemError::Parse(error)) => {
                report.outcome = "failed".into();
                report.note = Some(format!("{error}. Nothing from this file was imported."));
            }
            Err(ItemError::Database(error)) => return Err(error),
        }
        self.bytes_done = started_bytes + item.size;
        Ok(report)
    }

    async fn parse_and_store(
        &mut self,
        item: &Item,
    ) -> Result<(Option<FileKind>, ImportCounts, i64), ItemError> {
        // Only names-only entries (account data) are linked to known tracks by name.
        let known = if item.kind == Some(FileKind::Extended) {
            HashMap::new()
        } else {
            self.store
                .known_track_names(self.user)
                .await
                .map_err(ItemError::Database)?
        };
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Batch>(1);
        let read = Arc::new(AtomicU64::new(0));
        let parser = tokio::task::spawn_blocking({
            let source = item.source.clone();
            let read = read.clone();
            let (budget, now_ms) = (self.budget.clone(), self.clock.unix() * 1000);
            move || {
                parse_item(&source, now_ms, &budget, read, &known, |parsed| {
                    sender.blocking_send(parsed).is_ok()
                })
            }
        });
        let base = self.bytes_done;
        let mut writer: Option<PlayWriter> = None;
        let mut added: u64 = 0;
        let mut failure: Option<StoreError> = None;
        while let Some(batch) = receiver.recv().await {
            if writer.is_none() {
                let catalogue = std::mem::take(&mut self.catalogue);
                match self
                    .store
                    .play_writer_with(self.user, source_of(batch.kind), catalogue)
                    .await
                {
                    Ok(new) => writer = Some(new),
                    Err(err) => {
                        failure = Some(err);
                        break;
                    }
                }
            }
            let Some(current) = writer.as_mut() else {
                break;
            };
            current.name_tracks(&batch.tracks);
            let stored = async {
                let n = current.insert(&batch.plays).await?;
                current.upsert_tracks(&batch.tracks).await?;
                Ok::<_, StoreError>(n)
            };
            match stored.await {
                Ok(n) => added += n,
                Err(err) => {
                    failure = Some(err);
                    break;
                }
            }
            // SQLite: the file's transaction holds the only write lock, so progress is saved
            // between files.
            if self.last_saved.elapsed() >= Duration::from_millis(700)
                && self.store.backend() == Backend::Postgres
            {
                self.bytes_done = base + read.load(Ordering::Relaxed).min(item.size);
                let _ = self.save("running", None).await;
            }
        }
        drop(receiver);
        let parsed = parser
            .await
            .unwrap_or_else(|_| Err(ParseError::Read("the reader stopped unexpectedly".into())));
        if let Some(err) = failure {
            return Err(ItemError::Database(err));
        }
        let tally = parsed.map_err(ItemError::Parse)?;
        let mut counts = tally.counts;
        counts.plays_added = added as i64;
        counts.duplicates = tally.plays - added as i64;
        let file = tally
            .kind
            .filter(|kind| kind.is_music())
            .zip(tally.span)
            .map(|(kind, span)| Imported {
                source: source_of(kind),
                series: export::series_of(&item.file_name),
                span,
            });
        if let Some(mut writer) = writer {
            let store = async {
                // What the file covers, in the transaction of its plays: the export holds
                // every play between its first and last.
                if let Some(file) = &file {
                    writer.add_coverage(file.span.0, file.span.1).await?;
                    for (start, end) in self.gaps_to_neighbours(file) {
                        writer.add_coverage(start, end).await?;
                    }
                }
                writer.commit_keeping().await
            };
            self.catalogue = store.await.map_err(ItemError::Database)?;
            self.imported.extend(file);
        }
        Ok((tally.kind, counts, tally.names_shortened))
    }

    /// The stretches between a file and the neighbours in its series that this job imported
    /// (numbers one apart): the export holds every play of them too. Only neighbours are
    /// joined, so a file that failed, or was not uploaded, leaves its time uncovered.
    fn gaps_to_neighbours(&self, file: &Imported) -> Vec<(i64, i64)> {
        let Some((series, number)) = &file.series else {
            return Vec::new();
        };
        self.imported
            .iter()
            .filter(|other| other.source == file.source)
            .filter_map(|other| {
                let (other_series, other_number) = other.series.as_ref()?;
                (other_series == series && other_number.abs_diff(*number) == 1)
                    .then_some(other.span)
            })
            .filter_map(|(start, end)| {
                if end < file.span.0 {
                    Some((end, file.span.0))
                } else if file.span.1 < start {
                    Some((file.span.1, start))
                } else {
                    None
                }
            })
            .collect()
    }
}

fn source_of(kind: FileKind) -> PlaySource {
    match kind {
        FileKind::AccountMusic => PlaySource::AccountData,
        _ => PlaySource::Extended,
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The import jobs running in this process (an upload lives on this process's disk, so its job
/// runs here). Stopped with the server: a job finishes the file it is on, then records that it
/// was interrupted.
#[derive(Default)]
pub struct ImportJobs {
    shutdown: Shutdown,
    tasks: std::sync::Mutex<tokio::task::JoinSet<()>>,
}

impl ImportJobs {
    /// Starts an import job that reads at most `unzipped_limit` bytes (see [`run_job`]).
    pub fn spawn(
        &self,
        store: Store,
        clock: Clock,
        user: UserId,
        id: Uuid,
        uploads: Vec<Upload>,
        unzipped_limit: u64,
    ) {
        let shutdown = self.shutdown.clone();
        let mut tasks = self
            .tasks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Forget finished jobs.
        while tasks.try_join_next().is_some() {}
        tasks.spawn(run_job(
            store,
            clock,
            user,
            id,
            uploads,
            unzipped_limit,
            shutdown,
        ));
    }

    /// Tells running jobs to stop after their current file and waits for them.
    pub async fn stop(&self) {
        self.shutdown.trigger();
        self.wait().await;
    }

    /// Waits for the running jobs to end.
    pub async fn wait(&self) {
        let mut tasks = std::mem::take(
            &mut *self
                .tasks
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        while tasks.join_next().await.is_some() {}
    }
}

#[cfg(test)]
mod tests;
