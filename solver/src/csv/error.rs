//! What can go wrong while reading CSV, and where.
//!
//! Every error carries a physical line and a character column (both 1-based) so that an editor
//! can jump to it, the header name of the column when the error is about one field, and a kind
//! whose message always says what was expected and what was found.

use std::fmt;

use crate::model::ProblemErrorKind;

/// A CSV input that could not be read, with its position.
///
/// `line` counts physical lines, so a quoted field spanning lines moves later rows down, and
/// `column` counts characters (not bytes) from the start of that line, the UTF-8 byte order
/// mark excluded. Both point at where the offending field starts (for a quoted field, at its
/// opening quote). Errors about no single field point at the start of a line: an empty input
/// at line 1, a missing column at the header's line, a row with too few fields at that row's.
/// The one error not found in the text, a bad capacity passed to
/// [`read_problem`](crate::read_problem), has `line == 0` and `column == 0` and its message
/// carries no position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvError {
    /// 1-based physical line (0 when the error is not in the text).
    pub line: usize,
    /// 1-based character column where the offending field starts (0 when not in the text).
    pub column: usize,
    /// The header name of the offending column, as written (trimmed), when there is one.
    pub field: Option<String>,
    /// What is wrong.
    pub kind: CsvErrorKind,
}

/// The ways a CSV input can be wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CsvErrorKind {
    /// No header: the input is empty or holds only blank lines.
    Empty,
    /// The header lacks a required column (its canonical name: `id`, `lower`, `upper`, `size`).
    MissingColumn(&'static str),
    /// The header names one column twice, possibly through two aliases.
    DuplicateColumn {
        /// The second name, as written.
        name: String,
        /// The first name for the same column, as written.
        first: String,
        /// The character column where the first name starts.
        first_column: usize,
    },
    /// A row holds a different number of fields than the header.
    WrongFieldCount {
        /// Fields in the header.
        expected: usize,
        /// Fields in the row (trailing empty ones not counted when there are too many).
        found: usize,
    },
    /// A field that should hold an integer does not, or holds one that is too large.
    BadNumber {
        /// The field's text (shortened when long).
        text: String,
        /// What the field should hold, e.g. "a non-negative integer".
        expected: &'static str,
    },
    /// A gap item that is not `L-U` or `L-U@WL:WU`.
    BadGap {
        /// The offending item (shortened when long).
        text: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A quoted field whose closing quote never comes.
    UnterminatedQuote,
    /// A quote inside an unquoted field, or text after a quoted field's closing quote.
    StrayQuote {
        /// The field's raw text (shortened when long).
        text: String,
    },
    /// A well-formed row describing a malformed buffer (see [`Problem::check`]).
    ///
    /// [`Problem::check`]: crate::Problem::check
    Problem(ProblemErrorKind),
    /// Two rows share an id.
    DuplicateId {
        /// The id.
        id: String,
        /// The line of the first row holding it.
        first_line: usize,
    },
}

/// Texts quoted in messages are cut to this many characters, so that one huge field does not
/// make a huge message.
const EXCERPT_CHARS: usize = 60;

/// `text`, cut to [`EXCERPT_CHARS`] characters with an ellipsis when longer.
pub(crate) fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}...", text.get(..cut).unwrap_or(text)),
    }
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}, column {}", self.line, self.column)?;
            if let Some(field) = &self.field {
                write!(f, " ({field})")?;
            }
            f.write_str(": ")?;
        }
        write!(f, "{}", self.kind)
    }
}

impl std::error::Error for CsvError {}

impl fmt::Display for CsvErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CsvErrorKind::Empty => f.write_str(
                "expected a header line such as \"id,lower,upper,size\", found no non-blank line",
            ),
            CsvErrorKind::MissingColumn(name) => {
                write!(f, "expected a column {name:?}")?;
                let aliases = super::reader::aliases(name);
                if let Some((first, rest)) = aliases.split_first() {
                    write!(f, " (or {first:?}")?;
                    for alias in rest {
                        write!(f, ", {alias:?}")?;
                    }
                    f.write_str(")")?;
                }
                f.write_str(" in the header, found none")
            }
            CsvErrorKind::DuplicateColumn {
                name,
                first,
                first_column,
            } => write!(
                f,
                "expected each column once, found {name:?} naming the same column \
                 as {first:?} at column {first_column}"
            ),
            CsvErrorKind::WrongFieldCount { expected, found } => {
                write!(
                    f,
                    "expected {expected} fields as in the header, found {found}"
                )
            }
            CsvErrorKind::BadNumber { text, expected } => {
                write!(f, "expected {expected}, found {text:?}")
            }
            CsvErrorKind::BadGap { text, reason } => write!(
                f,
                "expected gaps like \"L-U\" or \"L-U@WL:WU\", found {text:?} ({reason})"
            ),
            CsvErrorKind::UnterminatedQuote => f.write_str(
                "expected a closing quote for the field opened here, found the end of the input",
            ),
            CsvErrorKind::StrayQuote { text } => write!(
                f,
                "expected quotes only around a whole field (write \"\" for a quote inside one), \
                 found {text:?}"
            ),
            CsvErrorKind::Problem(kind) => kind.fmt(f),
            CsvErrorKind::DuplicateId { id, first_line } => write!(
                f,
                "expected a unique id, found {id:?} already used on line {first_line}"
            ),
        }
    }
}
