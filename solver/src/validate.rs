//! Checks a solution against its problem and names the first failure found.
//!
//! Independent of the solver on purpose: it rebuilds occupancy from the model's pieces and
//! sweeps time with an ordered map of occupied memory ranges, so it shares no state (and no
//! bug) with the search. O(n log n), fine for a million buffers.

use std::collections::BTreeSet;
use std::fmt;

use crate::model::{Lifespan, Offset, Problem, Solution};

/// Why a solution is not valid for its problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValidationError {
    /// The solution has a different number of offsets than the problem has buffers.
    WrongCount {
        /// Buffers in the problem.
        expected: usize,
        /// Offsets in the solution.
        found: usize,
    },
    /// An offset below zero or not a multiple of the buffer's alignment.
    Misaligned {
        /// Id of the buffer.
        id: String,
        /// Its offset.
        offset: Offset,
        /// Its alignment.
        alignment: Offset,
    },
    /// A buffer ends above the capacity.
    OutOfCapacity {
        /// Id of the buffer.
        id: String,
        /// `offset + size`.
        end: Offset,
        /// The problem's capacity.
        capacity: Offset,
    },
    /// A fixed buffer was moved.
    FixedMoved {
        /// Id of the buffer.
        id: String,
        /// Where it had to be.
        fixed: Offset,
        /// Where it was put.
        offset: Offset,
    },
    /// Two buffers occupy the same memory at the same time.
    Overlap {
        /// Id of one buffer.
        first: String,
        /// Id of the other.
        second: String,
        /// When both occupy the shared memory.
        time: Lifespan,
        /// The memory both occupy, `[lower, upper)`.
        memory: (Offset, Offset),
    },
    /// The solution's height is not `max(offset + size)`.
    WrongHeight {
        /// The height the solution states.
        claimed: Offset,
        /// The height its offsets reach.
        actual: Offset,
    },
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValidationError::WrongCount { expected, found } => {
                write!(f, "expected {expected} offsets, found {found}")
            }
            ValidationError::Misaligned { id, offset, alignment } => write!(
                f,
                "buffer {id:?} at offset {offset} is not a non-negative multiple of its alignment {alignment}"
            ),
            ValidationError::OutOfCapacity { id, end, capacity } => {
                write!(f, "buffer {id:?} ends at {end}, above the capacity {capacity}")
            }
            ValidationError::FixedMoved { id, fixed, offset } => {
                write!(f, "buffer {id:?} is fixed at {fixed} but was placed at {offset}")
            }
            ValidationError::Overlap { first, second, time, memory } => write!(
                f,
                "buffers {first:?} and {second:?} both occupy [{}, {}) during [{}, {})",
                memory.0, memory.1, time.lower, time.upper
            ),
            ValidationError::WrongHeight { claimed, actual } => {
                write!(f, "the solution claims height {claimed} but its offsets reach {actual}")
            }
        }
    }
}

impl std::error::Error for ValidationError {}

/// Checks every rule of a solution: count, alignment, capacity, fixed offsets, no overlap in
/// time and memory (gaps and windows honoured), and the stated height.
pub fn validate(problem: &Problem, solution: &Solution) -> Result<(), ValidationError> {
    let buffers = &problem.buffers;
    if solution.offsets.len() != buffers.len() {
        return Err(ValidationError::WrongCount {
            expected: buffers.len(),
            found: solution.offsets.len(),
        });
    }
    for (buffer, &offset) in buffers.iter().zip(&solution.offsets) {
        if offset < 0 || offset % buffer.alignment.max(1) != 0 {
            return Err(ValidationError::Misaligned {
                id: buffer.id.clone(),
                offset,
                alignment: buffer.alignment,
            });
        }
        if let Some(fixed) = buffer.offset.filter(|&fixed| fixed != offset) {
            return Err(ValidationError::FixedMoved {
                id: buffer.id.clone(),
                fixed,
                offset,
            });
        }
        if offset + buffer.size > problem.capacity {
            return Err(ValidationError::OutOfCapacity {
                id: buffer.id.clone(),
                end: offset + buffer.size,
                capacity: problem.capacity,
            });
        }
    }
    check_no_overlap(problem, &solution.offsets)?;
    let actual = crate::model::height_of(problem, &solution.offsets);
    if actual != solution.height {
        return Err(ValidationError::WrongHeight {
            claimed: solution.height,
            actual,
        });
    }
    Ok(())
}

/// One occupied rectangle: buffer index, time, absolute memory range.
struct Block {
    buffer: usize,
    time: Lifespan,
    bottom: Offset,
    top: Offset,
}

/// Sweeps time; at each instant the live blocks' memory ranges must be disjoint, which an
/// ordered map keyed by range bottom checks against the two neighbours of each insertion.
fn check_no_overlap(problem: &Problem, offsets: &[Offset]) -> Result<(), ValidationError> {
    let mut blocks = Vec::new();
    for (buffer_index, (buffer, &offset)) in problem.buffers.iter().zip(offsets).enumerate() {
        for piece in buffer.pieces() {
            blocks.push(Block {
                buffer: buffer_index,
                time: piece.time,
                bottom: offset + piece.bottom,
                top: offset + piece.top,
            });
        }
    }
    // Events: (time, block for a start or block - 2^62 for an end). Ends sort before starts at
    // the same time because lifespans are half-open: a block ending at t and one starting at t
    // never meet. (Plain integer pairs: the crate's shared (i64, i64) sort, see crate::sort.)
    const END: i64 = 1 << 62;
    let mut events: Vec<(i64, i64)> = Vec::with_capacity(blocks.len() * 2);
    for (index, block) in blocks.iter().enumerate() {
        events.push((block.time.lower, index as i64));
        events.push((block.time.upper, index as i64 - END));
    }
    events.sort_unstable();
    // The live blocks as (bottom, index), the free blocks' set type (heuristics/blocks.rs):
    // one copy of the tree's code (wasm size).
    let mut live: BTreeSet<(Offset, i64)> = BTreeSet::new();
    for (_, event) in events {
        let is_start = event >= 0;
        let index = if is_start { event } else { event + END };
        let block = &blocks[index as usize];
        if !is_start {
            live.remove(&(block.bottom, index));
            continue;
        }
        let below = live.range(..(block.bottom, index)).next_back();
        let above = live.range((block.bottom, index)..).next();
        for &(_, other) in below.into_iter().chain(above) {
            let other_block = &blocks[other as usize];
            if other_block.bottom < block.top && block.bottom < other_block.top {
                return Err(overlap_error(problem, block, other_block));
            }
        }
        live.insert((block.bottom, index));
    }
    Ok(())
}

fn overlap_error(problem: &Problem, a: &Block, b: &Block) -> ValidationError {
    let (first, second) = if a.buffer < b.buffer { (a, b) } else { (b, a) };
    ValidationError::Overlap {
        first: problem.buffers[first.buffer].id.clone(),
        second: problem.buffers[second.buffer].id.clone(),
        time: Lifespan::new(
            a.time.lower.max(b.time.lower),
            a.time.upper.min(b.time.upper),
        ),
        memory: (a.bottom.max(b.bottom), a.top.min(b.top)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Buffer;

    fn check(buffers: Vec<Buffer>, capacity: Offset, offsets: &[Offset]) -> Result<(), String> {
        let problem = Problem::new(buffers, capacity);
        let solution = Solution::from_offsets(&problem, offsets.to_vec());
        validate(&problem, &solution).map_err(|e| e.to_string())
    }

    #[test]
    fn accepts_touching_in_time_and_in_memory() {
        let buffers = vec![
            Buffer::new("a", 0, 3, 4),
            Buffer::new("b", 3, 9, 4),
            Buffer::new("c", 0, 9, 4),
        ];
        assert_eq!(check(buffers, 8, &[0, 0, 4]), Ok(()));
    }

    #[test]
    fn names_each_failure() {
        let two = || vec![Buffer::new("a", 0, 4, 4), Buffer::new("b", 2, 6, 4)];
        assert_eq!(
            check(two(), 8, &[0, 2]).unwrap_err(),
            "buffers \"a\" and \"b\" both occupy [2, 4) during [2, 4)"
        );
        assert_eq!(
            check(two(), 6, &[0, 4]).unwrap_err(),
            "buffer \"b\" ends at 8, above the capacity 6"
        );
        let aligned = vec![Buffer::new("a", 0, 4, 4).with_alignment(8)];
        assert_eq!(
            check(aligned, 64, &[4]).unwrap_err(),
            "buffer \"a\" at offset 4 is not a non-negative multiple of its alignment 8"
        );
        let fixed = vec![Buffer::new("f", 0, 4, 4).with_offset(8)];
        assert_eq!(
            check(fixed, 64, &[0]).unwrap_err(),
            "buffer \"f\" is fixed at 8 but was placed at 0"
        );
        let problem = Problem::new(two(), 8);
        let short = Solution {
            offsets: vec![0],
            height: 4,
        };
        assert_eq!(
            validate(&problem, &short).unwrap_err().to_string(),
            "expected 2 offsets, found 1"
        );
        let lying = Solution {
            offsets: vec![0, 4],
            height: 7,
        };
        assert_eq!(
            validate(&problem, &lying).unwrap_err().to_string(),
            "the solution claims height 7 but its offsets reach 8"
        );
    }

    #[test]
    fn honours_gaps_and_windows() {
        // "b" lives only during a's plain gap [2, 4): same memory is fine.
        let plain = vec![
            Buffer::new("a", 0, 6, 4).with_gap(2, 4, None),
            Buffer::new("b", 2, 4, 4),
        ];
        assert_eq!(check(plain, 4, &[0, 0]), Ok(()));
        // During a's windowed gap it keeps [1, 2) relative: "b" at 2 fits above the window
        // but "c" at 0 of size 2 hits it.
        let window = || Buffer::new("a", 0, 6, 4).with_gap(2, 4, Some((1, 2)));
        assert_eq!(
            check(vec![window(), Buffer::new("b", 2, 4, 2)], 4, &[0, 2]),
            Ok(())
        );
        assert_eq!(
            check(vec![window(), Buffer::new("c", 2, 4, 2)], 4, &[0, 0]).unwrap_err(),
            "buffers \"a\" and \"c\" both occupy [1, 2) during [2, 4)"
        );
    }

    #[test]
    fn finds_an_overlap_hidden_behind_a_neighbour() {
        // At time 5 the live ranges are a=[0,10), c=[10,20); b=[5,15) must clash with one of
        // them even though it is inserted between them in the ordered map.
        let buffers = vec![
            Buffer::new("a", 0, 9, 10),
            Buffer::new("c", 0, 9, 10),
            Buffer::new("b", 5, 6, 10),
        ];
        assert!(check(buffers, 30, &[0, 10, 5]).is_err());
    }
}
