//! TFLite Micro's `GreedyMemoryPlanner`, emulated exactly, so every result can say what
//! TFLite Micro itself would have used.
//!
//! Its rule (`greedy_memory_planner.cc`): buffers with an offline offset go first, at that
//! offset, in the order they were added; the others follow sorted by size, largest first
//! (a stable bubble sort of an array filled from its tail, so of equal sizes the one added
//! last goes first), each at the lowest offset found
//! by walking the already placed buffers that share time with it in offset order and taking
//! the first gap between them that is large enough, else the top of the last one. The arena
//! it needs is the highest end of any buffer. The order buffers are added in is tensors
//! (subgraph by subgraph, by index), then kernel scratch buffers in request order.

use crate::error::ModelError;
use crate::lifetimes::{ModelBuffers, BUFFER_ALIGNMENT};

/// A kernel scratch buffer: requested by an operator at run time, so it is not in the file.
/// Its size depends on the kernels TFLite Micro is built with (reference or CMSIS-NN).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scratch {
    /// The requesting operator's subgraph.
    pub subgraph: usize,
    /// The requesting operator's index in that subgraph.
    pub operator: usize,
    /// Bytes requested (rounded up to the buffer alignment as TFLite Micro does).
    pub bytes: u64,
}

/// Where TFLite Micro's greedy planner puts every buffer, and the arena it needs for them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GreedyPlan {
    /// One offset per [`ModelBuffers::buffers`] entry.
    pub offsets: Vec<u64>,
    /// One offset per scratch buffer, in the order given.
    pub scratch_offsets: Vec<u64>,
    /// The arena the plan needs: the highest end of any buffer (0 for none).
    pub arena: u64,
}

/// One buffer for the planner: size, inclusive-exclusive time, and an offline offset.
#[derive(Clone, Copy)]
struct Request {
    size: u64,
    lower: u64,
    upper: u64,
    fixed: Option<u64>,
}

/// The plan TFLite Micro's greedy planner makes for `model` without an offline plan,
/// placing `scratch` too.
pub fn tflm_greedy(model: &ModelBuffers, scratch: &[Scratch]) -> Result<GreedyPlan, ModelError> {
    tflm_greedy_around(model, &vec![None; model.buffers.len()], scratch)
}

/// The plan TFLite Micro makes for `model` carrying an offline plan: `planned[i]` is buffer
/// i's offline offset, or `None` for "let TFLite Micro place it" (the plan's -1). The
/// offline buffers stay where they are (even overlapping: TFLite Micro does not check), and
/// the others, `scratch` included, go into the gaps.
pub fn tflm_greedy_around(
    model: &ModelBuffers,
    planned: &[Option<u64>],
    scratch: &[Scratch],
) -> Result<GreedyPlan, ModelError> {
    if planned.len() != model.buffers.len() {
        return Err(ModelError::plan(format!(
            "{} offsets for {} buffers",
            planned.len(),
            model.buffers.len()
        )));
    }
    let mut requests: Vec<Request> = model
        .buffers
        .iter()
        .zip(planned)
        .map(|(b, &fixed)| Request {
            size: b.size,
            lower: b.lower,
            upper: b.upper,
            fixed,
        })
        .collect();
    for s in scratch {
        let span = model
            .operators
            .iter()
            .find(|o| o.subgraph == s.subgraph && o.operator == s.operator)
            .ok_or_else(|| {
                ModelError::plan(format!(
                    "a scratch buffer of operator {} in subgraph {}, which the model does not have",
                    s.operator, s.subgraph
                ))
            })?;
        requests.push(Request {
            size: s.bytes.div_ceil(BUFFER_ALIGNMENT) * BUFFER_ALIGNMENT,
            lower: span.lower,
            upper: span.upper,
            fixed: None,
        });
    }
    let offsets = place(&requests);
    let arena = requests
        .iter()
        .zip(&offsets)
        .map(|(r, &o)| o + r.size)
        .max()
        .unwrap_or(0);
    let scratch_offsets = offsets[model.buffers.len()..].to_vec();
    let mut offsets = offsets;
    offsets.truncate(model.buffers.len());
    Ok(GreedyPlan {
        offsets,
        scratch_offsets,
        arena,
    })
}

/// `CalculateOffsetsIfNeeded`: offline buffers first, then the rest largest first, each
/// at the first gap among the time-sharing buffers already placed, in offset order.
fn place(requests: &[Request]) -> Vec<u64> {
    let mut order: Vec<usize> = (0..requests.len())
        .filter(|&i| requests[i].fixed.is_some())
        .collect();
    // TFLite Micro fills the online part of its sort array from the tail, so before its
    // stable sort they stand in reverse order: of two equal sizes, the later one goes first.
    let mut online: Vec<usize> = (0..requests.len())
        .rev()
        .filter(|&i| requests[i].fixed.is_none())
        .collect();
    online.sort_by(|&a, &b| requests[b].size.cmp(&requests[a].size));
    order.extend(online);

    let mut offsets = vec![0; requests.len()];
    // Placed buffers as (offset, request), kept sorted by offset; a new entry goes after
    // those with an equal offset, as TFLite Micro's linked-list insertion does.
    let mut placed: Vec<(u64, usize)> = Vec::with_capacity(requests.len());
    for &i in &order {
        let wanted = requests[i];
        let offset = match wanted.fixed {
            Some(offset) => offset,
            None => first_fit(requests, &placed, &wanted),
        };
        offsets[i] = offset;
        let at = placed.partition_point(|&(o, _)| o <= offset);
        placed.insert(at, (offset, i));
    }
    offsets
}

/// The lowest gap TFLite Micro's walk finds for `wanted` among `placed`.
fn first_fit(requests: &[Request], placed: &[(u64, usize)], wanted: &Request) -> u64 {
    let mut candidate = 0u64;
    let live = placed.iter().filter(|&&(_, j)| {
        let other = &requests[j];
        other.lower < wanted.upper && wanted.lower < other.upper
    });
    for &(offset, j) in live {
        // TFLite Micro compares the signed gap; a buffer starting below the candidate
        // leaves a negative gap, so the walk moves on past it.
        if offset >= candidate && offset - candidate >= wanted.size {
            return candidate;
        }
        candidate = candidate.max(offset + requests[j].size);
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requests(list: &[(u64, u64, u64)]) -> Vec<Request> {
        list.iter()
            .map(|&(size, lower, upper)| Request {
                size,
                lower,
                upper,
                fixed: None,
            })
            .collect()
    }

    #[test]
    fn largest_first_then_first_gap() {
        // a: 32 bytes [0,2); b: 16 bytes [1,3); c: 16 bytes [2,4), d: 48 bytes [3,5).
        // Order: d, a, then c before b (equal sizes: the later first). d at 0; a at 0 (no
        // time shared with d); c shares time with d only, so above it at 48; b shares with
        // a (0..32) and c (48..64), and fits in the gap between them at 32.
        let r = requests(&[(32, 0, 2), (16, 1, 3), (16, 2, 4), (48, 3, 5)]);
        assert_eq!(place(&r), vec![0, 32, 48, 0]);
    }

    #[test]
    fn equal_sizes_go_last_added_first_and_fill_gaps() {
        // Three 16-byte buffers all live together: the last added is placed first.
        let r = requests(&[(16, 0, 3), (16, 0, 3), (16, 0, 3)]);
        assert_eq!(place(&r), vec![32, 16, 0]);
        // A hole between two placed buffers is used when large enough.
        let mut r = requests(&[(16, 0, 2), (16, 0, 2), (16, 0, 2)]);
        r[1].fixed = Some(32);
        r[0].fixed = Some(0);
        assert_eq!(place(&r), vec![0, 32, 16]);
    }
}
