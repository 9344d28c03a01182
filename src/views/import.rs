//! The import pages: the upload form, and a job's progress and summary.

use maud::{Markup, html};

use super::history::{HistoryPage, page_head};
use crate::domain::ImportCounts;
use crate::history::import::{FileReport, human_bytes};
use crate::stats::history::group_thousands;

/// An import job as its pages show it (the web layer fills it in from the stored job).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportJob {
    pub id: uuid::Uuid,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    /// When it was started (Unix seconds).
    pub created_at: i64,
    pub bytes_total: i64,
    pub bytes_done: i64,
    pub files_done: i64,
    pub counts: ImportCounts,
    /// What became of each file, in the order they were read.
    pub reports: Vec<FileReport>,
    /// Why it stopped, when it failed.
    pub error: Option<String>,
}

impl ImportJob {
    /// Whether the job has ended (done or failed).
    pub fn finished(&self) -> bool {
        matches!(self.status.as_str(), "done" | "failed")
    }
}

/// `GET /import`.
pub fn form(csrf: &str, limit: u64, imports: &[ImportJob]) -> Markup {
    html! {
        (page_head(HistoryPage::Import, "Bring in your whole Spotify past from Spotify's own data export."))
        section.card aria-labelledby="import-title" {
            h2 #import-title { "Import your Spotify data export" }
            ol.steps {
                li { "On Spotify's " strong { "Privacy settings" } " page, request your data: the "
                     strong { "Extended streaming history" } " (your whole lifetime, takes up to 30 days) and/or "
                     strong { "Account data" } " (about one year, a few days)." }
                li { "When Spotify's e-mail arrives, download the zip." }
                li { "Upload the zip here as it is, or the JSON files inside it (several at once is fine)." }
            }
            form.import-form method="post" action="/import" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(csrf);
                label for="file" { "Export zip or JSON files" }
                input #file type="file" name="file" multiple accept=".zip,.json,application/zip,application/json" required;
                p.hint { "Up to " (human_bytes(limit)) " in all. Plays shorter than 30 seconds, incognito plays, podcasts, audiobooks and videos are left out; importing the same files again adds nothing." }
                button.primary type="submit" { "Import" }
            }
        }
        @if !imports.is_empty() {
            section.card aria-labelledby="past-title" {
                h2 #past-title { "Your imports" }
                table.ranked {
                    thead { tr { th { "Started" } th { "Status" } th.num { "Plays added" } } }
                    tbody {
                        @for import in imports {
                            tr {
                                td { a href={ "/import/" (import.id) } { (started(import.created_at)) } }
                                td { (status_label(import)) }
                                td.num { (group_thousands(import.counts.plays_added)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn status_label(import: &ImportJob) -> &'static str {
    match import.status.as_str() {
        "queued" => "waiting to start",
        "running" => "importing…",
        "done" => "finished",
        _ => "stopped with an error",
    }
}

/// The progress and summary of one import: refreshed by htmx every second while it runs.
pub fn progress(import: &ImportJob) -> Markup {
    let url = format!("/import/{}/progress", import.id);
    let running = !import.finished();
    let percent = if import.bytes_total > 0 {
        (import.bytes_done * 100 / import.bytes_total).clamp(0, 100)
    } else {
        0
    };
    html! {
        div #import-progress .import-progress aria-live="polite"
            hx-get=[running.then_some(url.as_str())]
            hx-trigger=[running.then_some("every 1s")]
            hx-swap=[running.then_some("outerHTML")] {
            p.import-status { strong { "Status: " } span.status { (status_label(import)) } }
            @if running {
                progress max="100" value=(percent) { (percent) "%" }
                p.hint { (percent) "% read — " (import.files_done) " files finished. "
                    "This page updates by itself; without JavaScript, " a href={ "/import/" (import.id) } { "reload it" } "." }
            }
            @if let Some(error) = &import.error { p.notice.warning { (error) } }
            dl.facts.import-summary {
                dt { "Plays imported" } dd.plays-added { (group_thousands(import.counts.plays_added)) }
                dt { "Already stored (skipped)" } dd.duplicates { (group_thousands(import.counts.duplicates)) }
                dt { "Shorter than 30 seconds (skipped)" } dd.short { (group_thousands(import.counts.short_skipped)) }
                dt { "Incognito (skipped)" } dd.incognito { (group_thousands(import.counts.incognito_skipped)) }
                dt { "Entries without a track" } dd.no-track { (group_thousands(import.counts.no_track)) }
                dt { "Podcast episodes, audiobooks, videos (skipped)" } dd.other { (group_thousands(import.counts.other_skipped)) }
                dt { "Entries with an impossible time or duration (skipped)" } dd.impossible { (group_thousands(import.counts.impossible_skipped)) }
            }
            @if !import.reports.is_empty() {
                h3 { "Files" }
                ul.file-reports {
                    @for report in &import.reports {
                        li class={ "file-report " (report.outcome) } {
                            strong.file-name { (report.name) } " — "
                            @match report.outcome.as_str() {
                                "imported" => { "imported " (group_thousands(report.counts.plays_added)) " plays" @if report.counts.duplicates > 0 { " (" (group_thousands(report.counts.duplicates)) " already stored)" } }
                                "skipped" => { "skipped" }
                                _ => { "not imported" }
                            }
                            @if let Some(kind) = &report.kind { " · " span.kind { (kind) } }
                            @if let Some(note) = &report.note { br; span.note { (note) } }
                        }
                    }
                }
            }
            @if !running {
                p { a.button href="/history" { "See your history" } " " a.button href="/import" { "Import more" } }
            }
        }
    }
}

/// `GET /import/{id}`.
pub fn status_page(import: &ImportJob) -> Markup {
    html! {
        (page_head(HistoryPage::Import, ""))
        section.card aria-labelledby="job-title" {
            h2 #job-title { "Import" }
            (progress(import))
        }
    }
}

/// When an import started, to the minute (two imports of one day told apart), in UTC.
fn started(unix: i64) -> Markup {
    let at =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    html! { (super::components::date(at)) ", " (super::components::clock_time(at)) }
}
