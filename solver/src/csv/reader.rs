//! Reading buffers from CSV: the header, then one buffer per row, then the model's checks.
//!
//! Rows are parsed in one pass. The model's well-formedness checks ([`Problem::check`]'s, so
//! that they stay defined in one place) run on each buffer as its row is read, while it is
//! still in the cache, and report once every row has parsed: a syntax error anywhere comes
//! first, then the first malformed buffer or duplicate id in row order. The offending row
//! is then found again from its remembered byte offset and re-split to point at the field at
//! fault.

use super::error::{excerpt, CsvError, CsvErrorKind};
use super::records::{line_of, Field, RecordError, Records};
use super::values::{parse_gap, parse_int, IntError, END_TOO_LARGE, TOO_LARGE};
use crate::model::{
    Buffer, Checks, Gap, Lifespan, Offset, Problem, ProblemError, ProblemErrorKind, MAX_MAGNITUDE,
};

/// The columns the reader understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Id,
    Lower,
    Upper,
    Size,
    Alignment,
    Hint,
    Offset,
    Gaps,
}

const COLUMN_COUNT: usize = 8;

/// Header names (compared trimmed and ASCII case-insensitively), the column each names, and
/// whether its upper bounds are inclusive. The first name of each column is its canonical one.
const NAMES: [(&str, Column, bool); 13] = [
    ("id", Column::Id, false),
    ("buffer", Column::Id, false),
    ("buffer_id", Column::Id, false),
    ("lower", Column::Lower, false),
    ("start", Column::Lower, false),
    ("begin", Column::Lower, false),
    ("upper", Column::Upper, false),
    ("end", Column::Upper, true),
    ("size", Column::Size, false),
    ("alignment", Column::Alignment, false),
    ("hint", Column::Hint, false),
    ("offset", Column::Offset, false),
    ("gaps", Column::Gaps, false),
];

const REQUIRED: [(Column, &str); 4] = [
    (Column::Id, "id"),
    (Column::Lower, "lower"),
    (Column::Upper, "upper"),
    (Column::Size, "size"),
];

/// The other names of the column whose canonical name is `canonical`, for messages.
pub(crate) fn aliases(canonical: &str) -> Vec<&'static str> {
    let Some(&(_, column, _)) = NAMES.iter().find(|(name, ..)| *name == canonical) else {
        return Vec::new();
    };
    NAMES
        .iter()
        .filter(|(name, c, _)| *c == column && *name != canonical)
        .map(|(name, ..)| *name)
        .collect()
}

/// Where each column sits in a record, as the header says.
struct Layout {
    /// For each [`Column`], the index of its field in a record.
    index: [Option<usize>; COLUMN_COUNT],
    /// The header's names, trimmed, by field index: errors name fields with them.
    names: Vec<String>,
    /// The `end` alias is used: uppers of lifespans and gaps are inclusive.
    inclusive: bool,
    /// Fields every row must have: the header's, less trailing unnamed ones.
    width: usize,
}

impl Layout {
    fn field<'f, 'a>(&self, fields: &'f [Field<'a>], column: Column) -> Option<&'f Field<'a>> {
        self.index[column as usize].and_then(|index| fields.get(index))
    }

    fn name(&self, index: usize) -> Option<String> {
        self.names.get(index).cloned()
    }
}

/// Parses buffers from CSV text.
///
/// # Format
///
/// The first non-blank line is a header naming the columns, in any order; names are trimmed
/// and compared case-insensitively. Each further non-blank line is one buffer.
///
/// | column      | aliases              | meaning                                                   |
/// |-------------|----------------------|-----------------------------------------------------------|
/// | `id`        | `buffer`, `buffer_id`| the buffer's name (any text; unique)                      |
/// | `lower`     | `start`, `begin`     | first instant of the lifespan                             |
/// | `upper`     | `end`                | end of the lifespan: exclusive, but **inclusive** as `end`|
/// | `size`      |                      | units occupied                                            |
/// | `alignment` |                      | optional; empty means 1                                   |
/// | `hint`      |                      | optional preferred offset; negative or empty means none   |
/// | `offset`    |                      | optional; a number fixes the buffer there, empty does not |
/// | `gaps`      |                      | optional; space-separated `L-U` or `L-U@WL:WU`            |
///
/// A gap `L-U` is a time span in absolute times, upper exclusive (inclusive when the header
/// uses `end`), in which the buffer occupies nothing; `@WL:WU` says it still occupies
/// `[offset + WL, offset + WU)` then. Times may be negative: `-5--2@0:4`.
/// Unknown columns are ignored; naming a column twice, even through two aliases, is an error.
///
/// Beyond MiniMalloc's reader: LF or CRLF line endings, a UTF-8 byte order mark, blank lines
/// anywhere (skipped; a row is never dropped silently), RFC 4180 quoted fields (`"a,b"`, `""`
/// for a quote, line breaks inside quotes; what is inside is taken as is), spaces and tabs
/// around fields trimmed, and extra trailing fields tolerated when empty. Numbers are an optional sign and decimal digits,
/// of magnitude at most [`MAX_MAGNITUDE`](crate::MAX_MAGNITUDE).
///
/// After parsing, each buffer is checked as [`Problem::check`](crate::Problem::check) does, and
/// any failure is reported at the row's line and the offending field's column.
///
/// # Errors
///
/// A [`CsvError`] gives the physical line and character column where the offending field
/// starts, the header name of its column, and a message saying what was expected and found:
///
/// ```text
/// line 7, column 12 (size): expected a non-negative integer, found "12x"
/// ```
pub fn read_buffers(text: &str) -> Result<Vec<Buffer>, CsvError> {
    // Positions are counted in the text after the byte order mark, which editors do not show.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let parsed = parse(text)?;
    match parsed.checks.finish(&parsed.buffers) {
        Ok(()) => Ok(parsed.buffers),
        Err(error) => Err(locate(text, &parsed.layout, &parsed.starts, error)),
    }
}

/// Parses a problem: buffers from CSV, with the given capacity.
///
/// A capacity outside `0..=MAX_MAGNITUDE` is reported before the text is read, as an error at
/// line 0, column 0, since it is not in the text.
pub fn read_problem(text: &str, capacity: Offset) -> Result<Problem, CsvError> {
    if !(0..=MAX_MAGNITUDE).contains(&capacity) {
        return Err(CsvError {
            line: 0,
            column: 0,
            field: None,
            kind: CsvErrorKind::Problem(ProblemErrorKind::BadCapacity(capacity)),
        });
    }
    Ok(Problem::new(read_buffers(text)?, capacity))
}

/// Rows parsed, with the checks on them to finish.
struct Parsed {
    buffers: Vec<Buffer>,
    /// Byte offset of each buffer's row, to find it again for an error.
    starts: Vec<usize>,
    layout: Layout,
    /// The buffers' checks, done as they were read (see the module's comment).
    checks: Checks,
}

/// A blank line: nothing but blanks, so one empty unquoted field. (`""` is not blank.)
fn is_blank_line(fields: &[Field<'_>]) -> bool {
    matches!(fields, [field] if !field.quoted && field.text.is_empty())
}

fn parse(text: &str) -> Result<Parsed, CsvError> {
    let mut records = Records::new(text);
    let mut fields = Vec::new();
    let layout = loop {
        match records.next_record(&mut fields) {
            Err(error) => return Err(record_error(error, None)),
            Ok(None) => {
                return Err(CsvError {
                    line: 1,
                    column: 1,
                    field: None,
                    kind: CsvErrorKind::Empty,
                })
            }
            Ok(Some(_)) if is_blank_line(&fields) => {}
            Ok(Some(_)) => break read_header(text, &fields)?,
        }
    };
    let mut buffers = Vec::new();
    let mut starts = Vec::new();
    let mut checks = Checks::new(0);
    loop {
        match records.next_record(&mut fields) {
            Err(error) => return Err(record_error(error, Some(&layout))),
            Ok(None) => break,
            Ok(Some(_)) if is_blank_line(&fields) => {}
            Ok(Some(start)) => {
                let buffer = read_row(text, &layout, &fields)?;
                checks.add(&buffer);
                buffers.push(buffer);
                starts.push(start);
            }
        }
    }
    Ok(Parsed {
        buffers,
        starts,
        layout,
        checks,
    })
}

fn record_error(error: RecordError, layout: Option<&Layout>) -> CsvError {
    CsvError {
        line: error.line,
        column: error.column,
        field: layout.and_then(|layout| layout.name(error.index)),
        kind: error.kind,
    }
}

fn read_header(text: &str, fields: &[Field<'_>]) -> Result<Layout, CsvError> {
    let names: Vec<String> = fields.iter().map(|f| f.text.trim().to_owned()).collect();
    let mut index = [None; COLUMN_COUNT];
    let mut inclusive = false;
    for (i, (field, name)) in fields.iter().zip(&names).enumerate() {
        let Some(&(_, column, is_end)) = NAMES
            .iter()
            .find(|(known, ..)| known.eq_ignore_ascii_case(name))
        else {
            continue; // Unknown columns are ignored.
        };
        let slot = &mut index[column as usize];
        if let Some(first) = *slot {
            return Err(CsvError {
                line: field.line,
                column: field.column(text),
                field: Some(name.clone()),
                kind: CsvErrorKind::DuplicateColumn {
                    name: name.clone(),
                    first: names.get(first).cloned().unwrap_or_default(),
                    first_column: fields.get(first).map_or(1, |f: &Field<'_>| f.column(text)),
                },
            });
        }
        *slot = Some(i);
        inclusive |= is_end;
    }
    let line = fields.first().map_or(1, |f| f.line);
    if let Some((_, name)) = REQUIRED.iter().find(|(c, _)| index[*c as usize].is_none()) {
        return Err(CsvError {
            line,
            column: 1,
            field: None,
            kind: CsvErrorKind::MissingColumn(name),
        });
    }
    let width = names
        .iter()
        .rposition(|n| !n.is_empty())
        .map_or(0, |i| i + 1);
    Ok(Layout {
        index,
        names,
        inclusive,
        width,
    })
}

fn read_row(text: &str, layout: &Layout, fields: &[Field<'_>]) -> Result<Buffer, CsvError> {
    check_width(text, layout, fields)?;
    let row = Row {
        text,
        layout,
        fields,
    };
    let id = row.required(Column::Id)?.text.as_ref().to_owned();
    let lower = row.number(Column::Lower, "an integer")?;
    let upper = row.upper()?;
    let size = row.number(Column::Size, "a non-negative integer")?;
    let alignment = row
        .optional(Column::Alignment, "a positive integer (or empty for 1)")?
        .unwrap_or(1);
    // The format spells "no hint" as a negative number as well as an empty field.
    let hint = row
        .optional(Column::Hint, "an integer (negative or empty for none)")?
        .filter(|&hint| hint >= 0);
    let offset = row.optional(Column::Offset, "an integer (or empty for not fixed)")?;
    let gaps = row.gaps()?;
    Ok(Buffer {
        id,
        lifespan: Lifespan::new(lower, upper),
        size,
        alignment,
        gaps,
        offset,
        hint,
    })
}

/// Too few fields, or extra fields that are not empty, are errors.
fn check_width(text: &str, layout: &Layout, fields: &[Field<'_>]) -> Result<(), CsvError> {
    if fields.len() < layout.width {
        // No field is at fault: point at the start of the row.
        let line = fields.first().map_or(1, |f| f.line);
        return Err(CsvError {
            line,
            column: 1,
            field: None,
            kind: CsvErrorKind::WrongFieldCount {
                expected: layout.width,
                found: fields.len(),
            },
        });
    }
    let extra = fields.get(layout.width..).unwrap_or_default();
    if let Some(first) = extra.iter().find(|f| !f.text.is_empty()) {
        let found = fields
            .iter()
            .rposition(|f| !f.text.is_empty())
            .map_or(0, |i| i + 1);
        return Err(CsvError {
            line: first.line,
            column: first.column(text),
            field: None,
            kind: CsvErrorKind::WrongFieldCount {
                expected: layout.width,
                found,
            },
        });
    }
    Ok(())
}

/// One row being read, to keep the field accessors short.
struct Row<'r, 'a> {
    text: &'r str,
    layout: &'r Layout,
    fields: &'r [Field<'a>],
}

impl Row<'_, '_> {
    fn error(&self, column: Column, field: &Field<'_>, kind: CsvErrorKind) -> CsvError {
        CsvError {
            line: field.line,
            column: field.column(self.text),
            field: self.layout.index[column as usize].and_then(|i| self.layout.name(i)),
            kind,
        }
    }

    /// The field of a required column. The header has it and the row is wide enough, so it
    /// is always there; the error only keeps a broken invariant from panicking.
    fn required(&self, column: Column) -> Result<&Field<'_>, CsvError> {
        self.layout
            .field(self.fields, column)
            .ok_or_else(|| CsvError {
                line: self.fields.first().map_or(1, |f| f.line),
                column: 1,
                field: None,
                kind: CsvErrorKind::WrongFieldCount {
                    expected: self.layout.width,
                    found: self.fields.len(),
                },
            })
    }

    fn number(&self, column: Column, expected: &'static str) -> Result<i64, CsvError> {
        let field = self.required(column)?;
        self.parse(column, field, expected)
    }

    /// The value of an optional column; `None` when the column is absent or the field empty.
    fn optional(&self, column: Column, expected: &'static str) -> Result<Option<i64>, CsvError> {
        match self.layout.field(self.fields, column) {
            Some(field) if !field.text.is_empty() => self.parse(column, field, expected).map(Some),
            _ => Ok(None),
        }
    }

    fn parse(
        &self,
        column: Column,
        field: &Field<'_>,
        expected: &'static str,
    ) -> Result<i64, CsvError> {
        parse_int(field.text.as_bytes()).map_err(|error| {
            let expected = match error {
                IntError::Syntax => expected,
                IntError::TooLarge => TOO_LARGE,
            };
            let text = excerpt(&field.text);
            self.error(column, field, CsvErrorKind::BadNumber { text, expected })
        })
    }

    /// The lifespan's exclusive upper bound: the `upper` field, or `end` + 1.
    fn upper(&self) -> Result<i64, CsvError> {
        let upper = self.number(Column::Upper, "an integer")?;
        if !self.layout.inclusive {
            return Ok(upper);
        }
        if upper >= MAX_MAGNITUDE {
            let field = self.required(Column::Upper)?;
            let text = excerpt(&field.text);
            let kind = CsvErrorKind::BadNumber {
                text,
                expected: END_TOO_LARGE,
            };
            return Err(self.error(Column::Upper, field, kind));
        }
        Ok(upper + 1)
    }

    fn gaps(&self) -> Result<Vec<Gap>, CsvError> {
        let Some(field) = self.layout.field(self.fields, Column::Gaps) else {
            return Ok(Vec::new());
        };
        let mut gaps = Vec::new();
        for item in field.text.split_ascii_whitespace() {
            let gap = parse_gap(item.as_bytes(), self.layout.inclusive).map_err(|reason| {
                let text = excerpt(item);
                self.error(Column::Gaps, field, CsvErrorKind::BadGap { text, reason })
            })?;
            gaps.push(gap);
        }
        Ok(gaps)
    }
}

/// Turns a failed [`Problem::check`] into an error at the offending row and field.
fn locate(text: &str, layout: &Layout, starts: &[usize], error: ProblemError) -> CsvError {
    let index = error.buffer.unwrap_or(0);
    let start = starts.get(index).copied().unwrap_or(0);
    let line = line_of(text, start);
    let (column, kind) = match error.kind {
        ProblemErrorKind::DuplicateId(first) => {
            let first_line = line_of(text, starts.get(first).copied().unwrap_or(0));
            let id = error.id;
            (Column::Id, CsvErrorKind::DuplicateId { id, first_line })
        }
        kind => {
            let column = match kind {
                ProblemErrorKind::ReversedLifespan(_) => Column::Upper,
                ProblemErrorKind::NegativeSize(_) => Column::Size,
                ProblemErrorKind::BadAlignment(_) => Column::Alignment,
                ProblemErrorKind::GapOutsideLifespan(_)
                | ProblemErrorKind::OverlappingGaps(..)
                | ProblemErrorKind::BadWindow(_) => Column::Gaps,
                ProblemErrorKind::BadFixedOffset(_) => Column::Offset,
                // The reader bounds every number and passes a valid capacity, so these do not
                // arise; the row's start is as good a place as any.
                ProblemErrorKind::TooLarge(_)
                | ProblemErrorKind::BadCapacity(_)
                | ProblemErrorKind::DuplicateId(_) => Column::Id,
            };
            (column, CsvErrorKind::Problem(kind))
        }
    };
    // Re-split the row: it split fine the first time, so this cannot fail.
    let mut fields = Vec::new();
    let _ = Records::at(text, start, line).next_record(&mut fields);
    let field_index = layout.index[column as usize];
    let field = field_index.and_then(|i| fields.get(i));
    CsvError {
        line: field.map_or(line, |f| f.line),
        column: field.map_or(1, |f| f.column(text)),
        field: field_index.and_then(|i| layout.name(i)),
        kind,
    }
}
