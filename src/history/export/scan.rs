//! The parser's reading of a file: the top-level array, a block of bytes at a time, each entry
//! parsed from the block (serde_json parses a slice far faster than a reader), with every
//! error placed at its line and column in the file.

use std::collections::HashMap;
use std::io::{self, Read};

use super::entry::{Entry, Reading, Refusal};
use super::{Batch, FileTally, MAX_ENTRY_BYTES, ParseError};

/// Bytes read at a time. An entry never needs more (it is at most [`MAX_ENTRY_BYTES`]).
pub(super) const BLOCK: usize = 1 << 20;

/// The UTF-8 byte order mark. Editors on Windows put it at the start of files they save, and
/// JSON parsers refuse it, so a file opened and saved again there would otherwise fail.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why a file whose top level is not an array is refused.
const NOT_A_LIST: &str = "it holds no list of plays (its top level is not a JSON array)";

/// A reader's bytes, a block at a time, knowing where in the file each byte is.
struct Blocks<'r> {
    reader: &'r mut dyn Read,
    buf: Vec<u8>,
    /// The unread bytes are `buf[start..end]`.
    start: usize,
    end: usize,
    eof: bool,
    /// Line (from 1) and column (bytes into the line) of `buf[0]`, as serde_json counts.
    line: usize,
    column: usize,
}

impl Blocks<'_> {
    /// Reads more after the unread bytes, forgetting the read ones.
    fn fill(&mut self) -> Result<(), ParseError> {
        let (line, column) = self.position(self.start);
        (self.line, self.column) = (line, column);
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        loop {
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(ParseError::Read(err.to_string())),
            }
        }
    }

    /// Line and column of `buf[at]`.
    fn position(&self, at: usize) -> (usize, usize) {
        let before = &self.buf[..at];
        match before.iter().rposition(|&b| b == b'\n') {
            None => (self.line, self.column + at),
            Some(last) => (
                self.line + before.iter().filter(|&&b| b == b'\n').count(),
                at - last - 1,
            ),
        }
    }

    /// A syntax error at the byte just looked at (`buf[start]`), as serde_json places it.
    fn syntax(&self, message: &str) -> ParseError {
        let (line, column) = self.position(self.start + 1);
        ParseError::Json {
            message: message.to_owned(),
            line,
            column,
            truncated: false,
        }
    }

    /// The error of a file that ends before its array does.
    fn truncated(&self) -> ParseError {
        let (line, column) = self.position(self.end);
        ParseError::Json {
            message: "unexpected end of file".into(),
            line,
            column,
            truncated: true,
        }
    }

    /// Skips a [`BOM`] at the start; positions count from after it.
    fn skip_bom(&mut self) -> Result<(), ParseError> {
        while self.end < BOM.len() && !self.eof {
            self.fill()?;
        }
        if self.buf[..self.end].starts_with(BOM) {
            self.buf.copy_within(BOM.len()..self.end, 0);
            self.end -= BOM.len();
        }
        Ok(())
    }

    /// The next byte that is not JSON whitespace (not consumed), or `None` at the end.
    fn peek(&mut self) -> Result<Option<u8>, ParseError> {
        loop {
            while self.start < self.end {
                match self.buf[self.start] {
                    b' ' | b'\n' | b'\t' | b'\r' => self.start += 1,
                    byte => return Ok(Some(byte)),
                }
            }
            if self.eof {
                return Ok(None);
            }
            self.fill()?;
        }
    }

    /// The next entry, `index` counting from 1, with the offset in `buf` just after it.
    fn entry(&mut self, index: usize) -> Result<Entry, ParseError> {
        loop {
            let unread = &self.buf[self.start..self.end];
            let mut stream = serde_json::Deserializer::from_slice(unread).into_iter::<Entry>();
            match stream.next() {
                Some(Ok(entry)) => {
                    let length = stream.byte_offset();
                    if length > MAX_ENTRY_BYTES {
                        return Err(ParseError::EntryTooLarge(index));
                    }
                    self.start += length;
                    return Ok(entry);
                }
                Some(Err(error)) if error.is_eof() && !self.eof => {
                    if unread.len() >= MAX_ENTRY_BYTES {
                        return Err(ParseError::EntryTooLarge(index));
                    }
                    self.fill()?;
                }
                Some(Err(error)) => return Err(self.located(&error)),
                None if !self.eof => self.fill()?,
                None => return Err(self.truncated()),
            }
        }
    }

    /// A serde_json error from parsing `buf[start..]`, placed in the file.
    fn located(&self, error: &serde_json::Error) -> ParseError {
        let (line, column) = self.position(self.start);
        let (line, column) = if error.line() <= 1 {
            (line, column + error.column())
        } else {
            (line + error.line() - 1, error.column())
        };
        if error.is_eof() {
            return ParseError::Json {
                message: "unexpected end of file".into(),
                line,
                column,
                truncated: true,
            };
        }
        // serde_json appends " at line L column C": the position is given separately.
        let text = error.to_string();
        let message = match text.rfind(" at line ") {
            Some(cut) => text[..cut].to_owned(),
            None => text,
        };
        ParseError::Json {
            message,
            line,
            column,
            truncated: false,
        }
    }
}

/// Reads `reader` as a history file: the array of entries, block by block (`block` bytes).
pub(super) fn parse_blocks<S: FnMut(Batch) -> bool>(
    reader: &mut dyn Read,
    block: usize,
    known: &HashMap<(String, String), String>,
    now_ms: i64,
    sink: S,
) -> Result<FileTally, ParseError> {
    let mut reading = Reading::new(known, now_ms, sink);
    let mut blocks = Blocks {
        reader,
        buf: vec![0; block.max(MAX_ENTRY_BYTES + 1)],
        start: 0,
        end: 0,
        eof: false,
        line: 1,
        column: 0,
    };
    blocks.skip_bom()?;
    match blocks.peek()? {
        Some(b'[') => blocks.start += 1,
        // Another JSON value: a profile, a playlist list… (never read whole: it may be huge).
        Some(b'{' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => {
            return Err(ParseError::NotAnExport(NOT_A_LIST.into()));
        }
        Some(_) => return Err(blocks.syntax("expected value")),
        None => return Err(blocks.truncated()),
    }
    if blocks.peek()? == Some(b']') {
        blocks.start += 1;
    } else {
        loop {
            // Serde reads a struct from a list too, by position: a play is an object.
            if blocks.peek()? != Some(b'{') {
                return Err(ParseError::NotAnExport(format!(
                    "entry {} of its list is not a play (a JSON object with named fields)",
                    reading.index + 1
                )));
            }
            let entry = blocks.entry(reading.index + 1)?;
            reading.entry(entry).map_err(|refusal| match refusal {
                Refusal::Stopped => ParseError::Stopped,
                Refusal::NotAnExport(why) => ParseError::NotAnExport(why),
                Refusal::Invalid(message) => {
                    let (line, column) = blocks.position(blocks.start);
                    ParseError::Json {
                        message,
                        line,
                        column,
                        truncated: false,
                    }
                }
            })?;
            match blocks.peek()? {
                Some(b',') => {
                    blocks.start += 1;
                    match blocks.peek()? {
                        Some(b']') => return Err(blocks.syntax("trailing comma")),
                        Some(_) => {}
                        None => return Err(blocks.truncated()),
                    }
                }
                Some(b']') => {
                    blocks.start += 1;
                    break;
                }
                Some(_) => return Err(blocks.syntax("expected `,` or `]`")),
                None => return Err(blocks.truncated()),
            }
        }
    }
    if blocks.peek()?.is_some() {
        return Err(blocks.syntax("trailing characters"));
    }
    reading.flush().map_err(|_| ParseError::Stopped)?;
    Ok(reading.tally)
}
