//! What an upload holds: each file (or zip entry) sniffed, put in a reading order, and parsed
//! within the job's unzipped-bytes budget.

use super::*;

/// Where one history file's bytes come from.
#[derive(Clone, Debug)]
pub(super) enum Source {
    Plain(PathBuf),
    ZipEntry(PathBuf, usize),
}

#[derive(Clone, Debug)]
pub(super) struct Item {
    pub(super) name: String,
    /// The file's own name (inside its zip, or as uploaded).
    pub(super) file_name: String,
    pub(super) kind: Option<FileKind>,
    pub(super) source: Source,
    /// Uncompressed bytes.
    pub(super) size: u64,
}

/// What one import job has read, and how much it may.
#[derive(Clone)]
pub(super) struct Budget {
    pub(super) read: Arc<AtomicU64>,
    pub(super) limit: u64,
}

/// A reader that counts what it hands out (for the file's progress and the job's budget) and
/// refuses to go past the budget.
pub(super) struct Counted<'a> {
    pub(super) inner: Box<dyn Read + 'a>,
    pub(super) file: Arc<AtomicU64>,
    pub(super) budget: Budget,
}

impl Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)? as u64;
        self.file.fetch_add(n, Ordering::Relaxed);
        let read = self.budget.read.fetch_add(n, Ordering::Relaxed) + n;
        if read > self.budget.limit {
            return Err(io::Error::other(format!(
                "the files of this upload are larger than {} together once unzipped, which no \
                 Spotify export is (a decade of heavy listening is a few hundred MB)",
                human_bytes(self.budget.limit)
            )));
        }
        Ok(n as usize)
    }
}

pub(super) fn sniff(path: &PathBuf) -> io::Result<Vec<u8>> {
    let mut head = vec![0u8; 64];
    let mut file = File::open(path)?;
    let mut filled = 0;
    while filled < head.len() {
        let n = file.read(&mut head[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    head.truncate(filled);
    Ok(head)
}

pub(super) fn looks_like_json(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    matches!(
        head.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'[' | b'{')
    )
}

/// Lists the history files of the uploads; files that can't be used get a report at once.
pub(super) fn plan(uploads: &[Upload]) -> (Vec<Item>, Vec<FileReport>) {
    let mut items = Vec::new();
    let mut reports = Vec::new();
    let failed = |name: &str, note: String| FileReport {
        name: name.to_owned(),
        kind: None,
        outcome: "failed".into(),
        counts: ImportCounts::default(),
        note: Some(note),
    };
    for upload in uploads {
        let head = match sniff(&upload.path) {
            Ok(head) => head,
            Err(err) => {
                reports.push(failed(
                    &upload.name,
                    format!("the upload could not be read back: {err}"),
                ));
                continue;
            }
        };
        if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            let archive = File::open(&upload.path)
                .map_err(|err| err.to_string())
                .and_then(|file| zip::ZipArchive::new(file).map_err(|err| err.to_string()));
            let mut archive = match archive {
                Ok(archive) => archive,
                Err(err) => {
                    reports.push(failed(
                        &upload.name,
                        format!("this zip archive is damaged or incomplete ({err}); download the export again"),
                    ));
                    continue;
                }
            };
            let mut found = 0;
            for index in 0..archive.len() {
                let Ok(entry) = archive.by_index_raw(index) else {
                    continue;
                };
                if entry.is_dir() {
                    continue;
                }
                let Ok(name) = entry.name().map(|name| name.into_owned()) else {
                    continue;
                };
                let Some(kind) = export::kind_from_name(&name) else {
                    continue;
                };
                found += 1;
                items.push(Item {
                    name: format!("{} › {name}", upload.name),
                    file_name: name,
                    kind: Some(kind),
                    source: Source::ZipEntry(upload.path.clone(), index),
                    size: entry.size(),
                });
            }
            if found == 0 {
                reports.push(failed(
                    &upload.name,
                    "this zip holds no Spotify listening history (Euterpe looks for \
                     Streaming_History_Audio_*.json, endsong_*.json and StreamingHistory*.json): \
                     it is not a Spotify data export"
                        .into(),
                ));
            }
        } else if looks_like_json(&head) {
            items.push(Item {
                name: upload.name.clone(),
                file_name: upload.name.clone(),
                kind: export::kind_from_name(&upload.name),
                source: Source::Plain(upload.path.clone()),
                size: upload.size,
            });
        } else if head.is_empty() {
            reports.push(failed(&upload.name, "the file is empty".into()));
        } else {
            reports.push(failed(
                &upload.name,
                "this is neither a zip archive nor a JSON file, so it is not a Spotify data export"
                    .into(),
            ));
        }
    }
    // Extended history first: account-data entries (names only) link to the tracks it names.
    items.sort_by_key(|item| match item.kind {
        Some(FileKind::Extended) => 0,
        Some(FileKind::AccountMusic) => 1,
        None => 2,
        Some(_) => 3,
    });
    (items, reports)
}

/// Opens a history file (plain, or an entry of a zip) and parses it; `read` counts the bytes
/// read of it.
pub(super) fn parse_item(
    source: &Source,
    now_ms: i64,
    budget: &Budget,
    read: Arc<AtomicU64>,
    known: &HashMap<(String, String), String>,
    sink: impl FnMut(Batch) -> bool,
) -> Result<export::FileTally, ParseError> {
    let read_error = |err: &dyn std::fmt::Display| ParseError::Read(err.to_string());
    let counted = |inner| Counted {
        inner,
        file: read.clone(),
        budget: budget.clone(),
    };
    match source {
        Source::Plain(path) => {
            let file = File::open(path).map_err(|err| read_error(&err))?;
            export::parse(&mut counted(Box::new(file)), known, now_ms, sink)
        }
        Source::ZipEntry(path, index) => {
            let file = File::open(path).map_err(|err| read_error(&err))?;
            let mut archive = zip::ZipArchive::new(file).map_err(|err| read_error(&err))?;
            let entry = archive.by_index(*index).map_err(|err| read_error(&err))?;
            export::parse(&mut counted(Box::new(entry)), known, now_ms, sink)
        }
    }
}
