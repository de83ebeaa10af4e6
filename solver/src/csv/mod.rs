//! MiniMalloc-compatible CSV, read and written.
//!
//! The format, with its aliases and optional columns, is described on [`read_buffers`], which
//! is public (this module is not). Layout: `records` splits text into fields (RFC 4180),
//! `values` parses integers and gap lists, `reader` gives columns their meaning and runs the
//! model's checks, `writer` goes the other way, `error` says what went wrong and where.

mod error;
mod reader;
mod records;
mod values;
mod writer;

#[cfg(test)]
mod tests;

pub use error::{CsvError, CsvErrorKind};
pub use reader::{read_buffers, read_problem};
pub use writer::{write_problem, write_solution};
