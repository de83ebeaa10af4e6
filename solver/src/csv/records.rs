//! Splitting CSV text into records and fields: RFC 4180 plus the leniencies the reader promises
//! (LF, CRLF or a lone CR as line breaks, blanks around unquoted fields, blanks around quoted
//! ones).
//!
//! This knows nothing of what the columns mean. It is kept apart so that the reader can re-run
//! it over a single record, starting at that record's byte offset, to find where a field starts
//! when a check after parsing fails: the reader then needs to remember one `usize` per row
//! rather than every field's position.
//!
//! Fields borrow from the text whenever they can; only a quoted field holding an escaped quote
//! (`""`) needs a `String` of its own.

use std::borrow::Cow;

use super::error::{excerpt, CsvErrorKind};

/// One field of a record, and where it starts.
#[derive(Debug)]
pub(crate) struct Field<'a> {
    /// The value: unquoted fields trimmed of spaces and tabs, quoted ones unescaped.
    pub(crate) text: Cow<'a, str>,
    /// True when the field was written between quotes.
    pub(crate) quoted: bool,
    /// Byte offset of its first character (of the opening quote when quoted).
    pub(crate) start: usize,
    /// Physical line (1-based) on which it starts.
    pub(crate) line: usize,
    /// Byte offset where that line starts.
    pub(crate) line_start: usize,
}

impl Field<'_> {
    /// The 1-based character column where the field starts.
    pub(crate) fn column(&self, text: &str) -> usize {
        char_column(text, self.line_start, self.start)
    }
}

/// The 1-based character column of byte offset `at` on a line starting at `line_start`.
/// Counting characters costs a pass over the line, so it is only done for errors.
pub(crate) fn char_column(text: &str, line_start: usize, at: usize) -> usize {
    text.get(line_start..at)
        .map_or(1, |before| before.chars().count() + 1)
}

/// A record that could not be split, with the index of the offending field in it.
#[derive(Debug)]
pub(crate) struct RecordError {
    pub(crate) kind: CsvErrorKind,
    /// Index of the offending field in its record, to name its column.
    pub(crate) index: usize,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// A cursor over the records of a text.
pub(crate) struct Records<'a> {
    text: &'a str,
    /// Byte offset of the next unread character.
    pos: usize,
    /// Physical line of `pos`.
    line: usize,
    /// Byte offset where `line` starts.
    line_start: usize,
}

/// True for the blanks trimmed around fields.
fn is_blank(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t')
}

/// True for the bytes that start a line break: LF, and CR, alone (old Mac files) or before
/// an LF (CRLF, one break). A field cannot hold either unless quoted.
fn is_break(byte: u8) -> bool {
    matches!(byte, b'\n' | b'\r')
}

/// The length of the line break starting at byte `at`, if one does: 2 for CRLF, else 1.
fn break_length(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at)? {
        b'\r' if bytes.get(at + 1) == Some(&b'\n') => Some(2),
        b'\r' | b'\n' => Some(1),
        _ => None,
    }
}

/// The physical line (1-based) holding byte `at`, counting line breaks as the records do:
/// CRLF once, a lone CR or LF once each, inside quotes too.
pub(crate) fn line_of(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let before = bytes.get(..at).unwrap_or(bytes);
    let breaks = before
        .iter()
        .enumerate()
        // The CR of a CRLF is not counted: its LF is, when it lies before `at`.
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count();
    breaks + 1
}

impl<'a> Records<'a> {
    /// A cursor at the start of `text`.
    pub(crate) fn new(text: &'a str) -> Self {
        Self::at(text, 0, 1)
    }

    /// A cursor at byte `pos`, which must start physical line `line`.
    pub(crate) fn at(text: &'a str, pos: usize, line: usize) -> Self {
        Records {
            text,
            pos,
            line,
            line_start: pos,
        }
    }

    /// Reads the next record into `fields` (cleared first) and returns the byte offset where it
    /// starts, or `None` at the end of the text. A blank line reads as one empty unquoted field.
    pub(crate) fn next_record(
        &mut self,
        fields: &mut Vec<Field<'a>>,
    ) -> Result<Option<usize>, RecordError> {
        fields.clear();
        let bytes = self.text.as_bytes();
        if self.pos >= bytes.len() {
            return Ok(None);
        }
        let record_start = self.pos;
        loop {
            let index = fields.len();
            let mut start = self.pos;
            while bytes.get(start).is_some_and(|&b| is_blank(b)) {
                start += 1;
            }
            if bytes.get(start) == Some(&b'"') {
                let field = self.quoted(start, index)?;
                fields.push(field);
            } else {
                // Built here rather than returned in a `Result`: the result's tag shares a
                // word with `quoted`, and reading it back right after writing that byte
                // stalled the loop (a third of the reader's time at a million rows).
                let end = self.unquoted_end(start, index)?;
                fields.push(Field {
                    text: Cow::Borrowed(self.text.get(start..end).unwrap_or_default()),
                    quoted: false,
                    start,
                    line: self.line,
                    line_start: self.line_start,
                });
            }
            // Both field readers leave `pos` on the terminator: a comma, a line break or the
            // end.
            if bytes.get(self.pos) == Some(&b',') {
                self.pos += 1;
                continue;
            }
            match break_length(bytes, self.pos) {
                Some(length) => {
                    self.pos += length;
                    self.line += 1;
                    self.line_start = self.pos;
                }
                None => self.pos = bytes.len(),
            }
            return Ok(Some(record_start));
        }
    }

    /// Scans the unquoted field starting at `start`: leaves `pos` on its terminator and
    /// returns where its text ends, trailing blanks trimmed. (`start` and the end sit next to
    /// ASCII bytes or the ends, so they are char boundaries.)
    fn unquoted_end(&mut self, start: usize, index: usize) -> Result<usize, RecordError> {
        let bytes = self.text.as_bytes();
        let rest = bytes.get(start..).unwrap_or_default();
        let length = rest
            .iter()
            .position(|&b| b == b',' || b == b'"' || is_break(b))
            .unwrap_or(rest.len());
        let mut end = start + length;
        if bytes.get(end) == Some(&b'"') {
            return Err(self.stray_quote(start, end, index));
        }
        self.pos = end;
        while end > start && bytes.get(end - 1).is_some_and(|&b| is_blank(b)) {
            end -= 1;
        }
        Ok(end)
    }

    fn quoted(&mut self, open: usize, index: usize) -> Result<Field<'a>, RecordError> {
        let bytes = self.text.as_bytes();
        let (line, line_start) = (self.line, self.line_start);
        // Content is copied only once an escaped quote shows up: `segment` is where the
        // not-yet-copied part starts.
        let mut owned: Option<String> = None;
        let mut segment = open + 1;
        let mut at = open + 1;
        let close = loop {
            let rest = bytes.get(at..).unwrap_or_default();
            let Some(skip) = rest.iter().position(|&b| b == b'"' || is_break(b)) else {
                return Err(RecordError {
                    kind: CsvErrorKind::UnterminatedQuote,
                    index,
                    line,
                    column: char_column(self.text, line_start, open),
                });
            };
            at += skip;
            // Line breaks inside quotes are content, but still start physical lines.
            if let Some(length) = break_length(bytes, at) {
                at += length;
                self.line += 1;
                self.line_start = at;
            } else if bytes.get(at + 1) == Some(&b'"') {
                let copy = owned.get_or_insert_with(String::new);
                copy.push_str(self.text.get(segment..=at).unwrap_or_default());
                at += 2;
                segment = at;
            } else {
                break at;
            }
        };
        let text = match owned {
            None => Cow::Borrowed(self.text.get(open + 1..close).unwrap_or_default()),
            Some(mut copy) => {
                copy.push_str(self.text.get(segment..close).unwrap_or_default());
                Cow::Owned(copy)
            }
        };
        let mut after = close + 1;
        while bytes.get(after).is_some_and(|&b| is_blank(b)) {
            after += 1;
        }
        match bytes.get(after) {
            None | Some(b',' | b'\n' | b'\r') => self.pos = after,
            Some(_) => {
                // Report from the field's own line, not the one its content ended on.
                self.line = line;
                self.line_start = line_start;
                return Err(self.stray_quote(open, after, index));
            }
        }
        Ok(Field {
            text,
            quoted: true,
            start: open,
            line,
            line_start,
        })
    }

    /// A stray-quote error for the field starting at `start`, quoting it up to its end, which
    /// is the first comma or line break from `stray` (the offending byte: a quoted field's
    /// content may hold commas).
    fn stray_quote(&self, start: usize, stray: usize, index: usize) -> RecordError {
        let bytes = self.text.as_bytes();
        let rest = bytes.get(stray..).unwrap_or_default();
        let mut end = stray
            + rest
                .iter()
                .position(|&b| b == b',' || is_break(b))
                .unwrap_or(rest.len());
        while end > start && bytes.get(end - 1).is_some_and(|&b| is_blank(b)) {
            end -= 1;
        }
        RecordError {
            kind: CsvErrorKind::StrayQuote {
                text: excerpt(self.text.get(start..end).unwrap_or_default()),
            },
            index,
            line: self.line,
            column: char_column(self.text, self.line_start, start),
        }
    }
}
