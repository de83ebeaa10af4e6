//! Seeded instance generators, for tests and for `cargo xtask gen`.
//!
//! Every generator is a function of an [`Rng`] and a target size, and nothing else: the same
//! seed gives the same problem on every platform (integer arithmetic only, no hashing, no
//! clock). Three kinds:
//!
//! - [`cut_rectangle`]: perfect packings, whose optimum is known (the rectangle's height), so
//!   a solver's answer can be checked, not just validated.
//! - Trace families, shaped like what an ML compiler hands its memory planner:
//!   [`inference_cnn`], [`training`], [`transformer`] and [`mixed`]. Times are op indices,
//!   sizes are bytes (mostly padded to 64, from 64 B to tens of MB, a few shapes repeating
//!   layer after layer), a few percent of buffers ask for an alignment of 256 or 4096, and
//!   the capacity is [`bufpack::MAX_MAGNITUDE`]: the question is the peak, not a fit. No gaps
//!   and no fixed offsets.
//! - [`huge`]: a million-buffer trace for scale, made in a fraction of a second.
//!
//! Counts: a trace family adds whole layers (or blocks, so that the shapes stay real) until it
//! has at least `buffers` tensors, so it returns `buffers` to `buffers + 20`
//! (mixed: `buffers + 109`, up to 20 per segment plus its handoffs). [`huge`] returns exactly
//! `buffers`, and [`cut_rectangle`] exactly `pieces` (at least one) unless the rectangle has
//! fewer unit cells.

mod cnn;
mod huge;
mod mixed;
mod rect;
mod rng;
mod trace;
mod training;
mod transformer;

pub use cnn::inference_cnn;
pub use huge::huge;
pub use mixed::mixed;
pub use rect::cut_rectangle;
pub use rng::Rng;
pub use training::training;
pub use transformer::transformer;

#[cfg(test)]
mod tests;
