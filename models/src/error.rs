//! `ModelError`: what is wrong with a model file or a plan, and where.

use std::fmt;

/// Why a model could not be read, planned or written, and where: the byte offset in the
/// file (when the fault sits at one), the flatbuffer table and field, and the path from the
/// model's root (`subgraphs[0].tensors[12]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelError {
    /// Byte offset in the file of the value at fault, when there is one.
    pub offset: Option<usize>,
    /// The schema table being read (`Model`, `SubGraph`, `Tensor`, ...), or `plan`.
    pub table: &'static str,
    /// The table's field being read (`shape`, `inputs`, ...), empty for the table itself.
    pub field: &'static str,
    /// Where the table sits, from the model's root; empty for the root itself.
    pub path: String,
    /// What is wrong.
    pub kind: ModelErrorKind,
}

/// The ways a model or a plan can be wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelErrorKind {
    /// The file ends (or the value lies) before the `needed` bytes a value needs.
    OutOfBounds {
        /// How many bytes the value needs.
        needed: usize,
        /// The file's length.
        len: usize,
    },
    /// Bytes 4..8 are not TFLite's file identifier `TFL3`.
    NotTflite,
    /// A vtable or table header that cannot be right (too short, odd size).
    BadTable(String),
    /// An index past the end of what it indexes.
    IndexOutOfRange {
        /// The index found.
        index: i64,
        /// How many there are.
        count: usize,
    },
    /// A tensor type TFLite Micro cannot size (`STRING`, `VARIANT`, unknown codes).
    UnsupportedType(u8),
    /// A negative (unknown) dimension: TFLite Micro plans static shapes only.
    DynamicShape(Vec<i32>),
    /// A size that overflows (or exceeds what TFLite Micro's 32-bit offsets address).
    TooLarge(String),
    /// A construct this crate does not handle, said in words.
    Unsupported(String),
    /// Control flow that calls a subgraph from inside itself (TFLite Micro would recurse
    /// forever), or nests deeper than this crate follows.
    Recursion(String),
    /// The plan does not fit the model: wrong length, misaligned, negative, or two buffers
    /// alive at the same time overlapping in memory. Never written.
    BadPlan(String),
}

impl ModelError {
    pub(crate) fn new(
        offset: Option<usize>,
        table: &'static str,
        field: &'static str,
        kind: ModelErrorKind,
    ) -> Self {
        ModelError {
            offset,
            table,
            field,
            path: String::new(),
            kind,
        }
    }

    /// An error about a plan handed to the writer, not about the file.
    pub(crate) fn plan(message: String) -> Self {
        ModelError::new(None, "plan", "", ModelErrorKind::BadPlan(message))
    }

    /// The same error with the path of the table it was found in, outermost first; a path
    /// already set (by an inner table) is kept after it.
    pub(crate) fn within(mut self, path: impl FnOnce() -> String) -> Self {
        let outer = path();
        self.path = match (outer.is_empty(), self.path.is_empty()) {
            (_, true) => outer,
            (true, false) => self.path,
            (false, false) => format!("{outer}.{}", self.path),
        };
        self
    }
}

impl fmt::Display for ModelErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelErrorKind::OutOfBounds { needed, len } => write!(
                f,
                "the value needs {needed} bytes there, past the end of the {len}-byte file (truncated or corrupt)"
            ),
            ModelErrorKind::NotTflite => {
                write!(f, "not a TensorFlow Lite model (no 'TFL3' file identifier at byte 4)")
            }
            ModelErrorKind::BadTable(why) => write!(f, "malformed table: {why}"),
            ModelErrorKind::IndexOutOfRange { index, count } => {
                write!(f, "index {index} is out of range (there are {count})")
            }
            ModelErrorKind::UnsupportedType(code) => write!(
                f,
                "tensor type {code} has no size in TensorFlow Lite Micro (string, variant or unknown)"
            ),
            ModelErrorKind::DynamicShape(shape) => write!(
                f,
                "shape {shape:?} has an unknown (negative) dimension; TensorFlow Lite Micro plans static shapes only"
            ),
            ModelErrorKind::TooLarge(what) => write!(f, "too large: {what}"),
            ModelErrorKind::Unsupported(what) => write!(f, "not supported: {what}"),
            ModelErrorKind::Recursion(what) => write!(f, "control flow: {what}"),
            ModelErrorKind::BadPlan(what) => write!(f, "invalid plan: {what}"),
        }
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(offset) = self.offset {
            write!(f, "at byte {offset}, ")?;
        }
        f.write_str(self.table)?;
        if !self.field.is_empty() {
            write!(f, ".{}", self.field)?;
        }
        if !self.path.is_empty() {
            write!(f, " ({})", self.path)?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl std::error::Error for ModelError {}
