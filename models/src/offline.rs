//! The `OfflineMemoryAllocation` metadata: reading one a model carries, checking a plan
//! before it is written, and encoding it.
//!
//! The entry's buffer holds little-endian int32 values `[version, subgraphs, n, offset_0, ..,
//! offset_{n-1}]`: one offset per tensor over all subgraphs, in bytes from the start of the
//! planned part of the arena, -1 for "let TFLite Micro place it". TFLite Micro checks only
//! that `n` equals its tensor count; it trusts the offsets completely, so a wrong plan
//! silently corrupts outputs. Hence [`check_plan`] before anything is written.

use crate::error::ModelError;
use crate::lifetimes::ModelBuffers;
use crate::schema::{Model, OFFLINE_METADATA};

/// The version word written in the plan's header (Arm's Vela writes 0; TFLite Micro does not
/// read it).
const PLAN_VERSION: i32 = 0;

/// An offline plan a model already carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExistingPlan {
    /// The model has no `OfflineMemoryAllocation` entry.
    None,
    /// One offset per tensor over all subgraphs (-1: placed by TFLite Micro).
    Valid(Vec<i32>),
    /// An entry TFLite Micro would refuse or misread, and why.
    Broken(String),
}

/// The entry TFLite Micro would use: the last one whose name is exactly
/// `OfflineMemoryAllocation`, as its `GetOfflinePlannedOffsets` loop does.
pub(crate) fn find_entry(model: &Model) -> Option<usize> {
    model
        .metadata
        .iter()
        .rposition(|m| m.name == OFFLINE_METADATA)
}

/// Reads the plan a model carries, without trusting its length word.
pub(crate) fn read_existing(model: &Model, bytes: &[u8], tensor_count: usize) -> ExistingPlan {
    let Some(entry) = find_entry(model) else {
        return ExistingPlan::None;
    };
    let buffer = model.metadata[entry].buffer as usize;
    let Some(&data) = model.buffer_data.get(buffer) else {
        return ExistingPlan::Broken(format!("its buffer {buffer} does not exist"));
    };
    let (start, len) = data.unwrap_or((0, 0));
    let words: Vec<i32> = bytes[start..start + len]
        .chunks_exact(4)
        .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    if words.len() < 3 {
        return ExistingPlan::Broken(format!("{len} bytes, less than its 12-byte header"));
    }
    let n = words[2];
    if usize::try_from(n) != Ok(tensor_count) {
        return ExistingPlan::Broken(format!(
            "it lists {n} offsets for {tensor_count} tensors (TensorFlow Lite Micro refuses it)"
        ));
    }
    if words.len() < 3 + tensor_count {
        return ExistingPlan::Broken(format!(
            "{len} bytes hold fewer than the {tensor_count} offsets it announces"
        ));
    }
    ExistingPlan::Valid(words[3..3 + tensor_count].to_vec())
}

/// The existing plan's offsets for `model`'s buffers (`None` where it says -1), when it is
/// valid. Offsets it gives constants or variables are not the buffers' business and are
/// left out.
pub fn existing_offsets(model: &ModelBuffers, plan: &ExistingPlan) -> Option<Vec<Option<u64>>> {
    let ExistingPlan::Valid(words) = plan else {
        return None;
    };
    Some(
        model
            .buffers
            .iter()
            .map(|b| u64::try_from(words[b.plan_index]).ok())
            .collect(),
    )
}

/// Checks that `offsets` (one per buffer of `model`) is a plan TFLite Micro can run: every
/// offset aligned, every end within its 32-bit offsets, and no two buffers that are live at
/// the same step sharing a byte. Returns the arena the plan needs.
pub fn check_plan(model: &ModelBuffers, offsets: &[u64]) -> Result<u64, ModelError> {
    let buffers = &model.buffers;
    if offsets.len() != buffers.len() {
        return Err(ModelError::plan(format!(
            "{} offsets for {} buffers",
            offsets.len(),
            buffers.len()
        )));
    }
    let mut arena = 0;
    for (b, &offset) in buffers.iter().zip(offsets) {
        if offset % b.alignment != 0 {
            return Err(ModelError::plan(format!(
                "\"{}\" at offset {offset}, not a multiple of its alignment {}",
                b.id, b.alignment
            )));
        }
        let end = offset.checked_add(b.size).filter(|&e| e <= i32::MAX as u64);
        let end = end.ok_or_else(|| {
            ModelError::plan(format!(
                "\"{}\" at offset {offset} ends past 2^31 - 1, beyond TensorFlow Lite Micro's offsets",
                b.id
            ))
        })?;
        arena = arena.max(end);
    }
    // Sorted by offset, each buffer need only be compared with those starting below its end.
    let mut order: Vec<usize> = (0..buffers.len()).collect();
    order.sort_by_key(|&i| offsets[i]);
    for (k, &i) in order.iter().enumerate() {
        let (a, end) = (&buffers[i], offsets[i] + buffers[i].size);
        for &j in order[k + 1..].iter().take_while(|&&j| offsets[j] < end) {
            let b = &buffers[j];
            if a.lower < b.upper && b.lower < a.upper {
                return Err(ModelError::plan(format!(
                    "\"{}\" (steps {}..{}, bytes {}..{end}) and \"{}\" (steps {}..{}, bytes {}..{}) are live together and overlap",
                    a.id, a.lower, a.upper, offsets[i], b.id, b.lower, b.upper, offsets[j], offsets[j] + b.size
                )));
            }
        }
    }
    Ok(arena)
}

/// The metadata buffer's bytes for a checked plan: -1 for every tensor that is not one of
/// `model`'s buffers (constants, variables, empty tensors), so TFLite Micro treats those
/// exactly as without a plan.
pub(crate) fn encode(model: &ModelBuffers, offsets: &[u64]) -> Vec<u8> {
    let mut words = vec![-1i32; model.tensor_count];
    for (b, &offset) in model.buffers.iter().zip(offsets) {
        // check_plan has bounded every end by i32::MAX.
        words[b.plan_index] = offset as i32;
    }
    let header = [
        PLAN_VERSION,
        model.subgraph_count as i32,
        model.tensor_count as i32,
    ];
    header
        .iter()
        .chain(&words)
        .flat_map(|w| w.to_le_bytes())
        .collect()
}
