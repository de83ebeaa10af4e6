//! # bufpack-models
//!
//! Plans a TensorFlow Lite Micro model's tensor arena. TFLite Micro packs every activation
//! tensor into one arena with a greedy planner, and honours a precomputed plan stored in
//! the model as `OfflineMemoryAllocation` metadata. This crate:
//!
//! - reads a `.tflite` file into the buffers TFLite Micro places in the arena, sized and
//!   timed by its own rules ([`read_model`], [`ModelBuffers`]);
//! - computes the plan TFLite Micro's greedy planner would make ([`tflm_greedy`]), so a
//!   result can say what TFLite Micro itself would have needed;
//! - writes a checked plan back into the model ([`with_offline_plan`]), or only when it
//!   saves arena ([`improve`]).
//!
//! Bytes in, bytes out: no I/O, and no dependency on the `bufpack` solver, which turns
//! [`ModelBuffers::buffers`] into its own problem (`id`, `lower`, `upper`, `size`,
//! `alignment` map one to one onto its buffers).
//!
//! A malformed or truncated file gives a [`ModelError`] naming the byte offset, table and
//! field: never a panic.

mod error;
mod flatbuf;
mod greedy;
mod lifetimes;
mod offline;
mod ops;
mod schema;
mod write;

pub use error::{ModelError, ModelErrorKind};
pub use greedy::{tflm_greedy, tflm_greedy_around, GreedyPlan, Scratch};
pub use lifetimes::{ModelBuffers, OperatorSpan, TensorBuffer, BUFFER_ALIGNMENT};
pub use offline::{check_plan, existing_offsets, ExistingPlan};

use flatbuf::Reader;

/// Reads a `.tflite` model: the tensors TFLite Micro places in its arena, when they live,
/// and the offline plan the model may already carry.
pub fn read_model(bytes: &[u8]) -> Result<ModelBuffers, ModelError> {
    let reader = Reader::new(bytes);
    let model = schema::read(&reader)?;
    let mut buffers = lifetimes::model_buffers(&model)?;
    buffers.offline_plan = offline::read_existing(&model, bytes, buffers.tensor_count);
    Ok(buffers)
}

/// The model with `offsets` (one per [`ModelBuffers::buffers`] entry, in bytes from the
/// start of the arena) as its `OfflineMemoryAllocation` metadata, replacing any there.
///
/// The plan is checked first ([`check_plan`]): TFLite Micro trusts it blindly, so an invalid
/// one is an error, never written. The rest of the model is kept as it was (its bytes move;
/// see the `write` module), and the result is read back and compared before it is returned.
pub fn with_offline_plan(bytes: &[u8], offsets: &[u64]) -> Result<Vec<u8>, ModelError> {
    let reader = Reader::new(bytes);
    let model = schema::read(&reader)?;
    let buffers = lifetimes::model_buffers(&model)?;
    offline::check_plan(&buffers, offsets)?;
    let data = offline::encode(&buffers, offsets);
    let planned = write::rewrite(&reader, &model, &data)?;

    let again = read_model(&planned)?;
    let expected: Vec<i32> = data[12..]
        .chunks_exact(4)
        .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let same = again.buffers == buffers.buffers
        && again.steps == buffers.steps
        && again.offline_plan == ExistingPlan::Valid(expected);
    if !same {
        return Err(ModelError::plan(
            "the written model does not read back as the same model with this plan (a bug: please report it)".into(),
        ));
    }
    Ok(planned)
}

/// What [`improve`] decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Improvement {
    /// The plan needs less arena: the planned model.
    Planned {
        /// The model with the plan written in.
        model: Vec<u8>,
        /// Arena TFLite Micro needs with the plan (scratch buffers placed around it).
        arena: u64,
        /// Arena it needs for the model as it was.
        before: u64,
    },
    /// No saving: the model is left as it was.
    Unchanged {
        /// Arena TFLite Micro would need with the plan.
        arena: u64,
        /// Arena it needs for the model as it is.
        before: u64,
    },
}

/// Writes `offsets` into the model only if TFLite Micro then needs less arena than for the
/// model as it is (its own greedy plan, or the offline plan the model carries), with the
/// kernel scratch buffers in `scratch` placed in both cases the way TFLite Micro places
/// them. Pass the scratch buffers the target's kernels request; with none given, the
/// comparison covers the tensors alone.
pub fn improve(
    bytes: &[u8],
    offsets: &[u64],
    scratch: &[Scratch],
) -> Result<Improvement, ModelError> {
    let model = read_model(bytes)?;
    check_plan(&model, offsets)?;
    let before = match existing_offsets(&model, &model.offline_plan) {
        Some(existing) => tflm_greedy_around(&model, &existing, scratch)?.arena,
        None => tflm_greedy(&model, scratch)?.arena,
    };
    let fixed: Vec<Option<u64>> = offsets.iter().map(|&o| Some(o)).collect();
    let arena = tflm_greedy_around(&model, &fixed, scratch)?.arena;
    if arena >= before {
        return Ok(Improvement::Unchanged { arena, before });
    }
    Ok(Improvement::Planned {
        model: with_offline_plan(bytes, offsets)?,
        arena,
        before,
    })
}
