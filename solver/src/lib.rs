//! # bufpack
//!
//! Static buffer packing: give every buffer an offset in one memory so that buffers alive at
//! the same time never overlap. This crate holds the model, a MiniMalloc-compatible CSV reader
//! and writer, a validator and an exact solver.
//!
//! The crate does no I/O and reads no clock: callers pass text in, get text out, and decide
//! when to stop through a [`Monitor`]. It builds for `wasm32-unknown-unknown`.

mod csv;
mod model;

pub use model::{
    Buffer, Gap, Lifespan, Offset, Piece, Problem, ProblemError, ProblemErrorKind, Solution, Time,
    Window, MAX_MAGNITUDE,
};

pub use csv::{read_buffers, read_problem, write_problem, write_solution, CsvError, CsvErrorKind};
