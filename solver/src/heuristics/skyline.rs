//! The skyline heuristic: always place next the buffer that can sit lowest.
//!
//! The *skyline* is, at each time, the top of the highest buffer placed there. A buffer can
//! sit just above the skyline over its life; the heuristic places the buffer whose spot is
//! lowest (ties to the order's favourite) and raises the skyline over its life. This is the
//! exact search's first descent without its pruning, so it builds the same kind of packing
//! (every buffer resting on a neighbour), in O((n + r) log n) where `r` counts buffers whose
//! spot rose while they waited in the queue.
//!
//! Holes under the skyline are never reused, which is what keeps it fast. Fixed buffers
//! raise the skyline over their lives, so nothing is placed beneath them.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::place::PieceTable;
use super::STOP_CHECK;
use crate::model::{align_up, Offset, Problem};

/// A segment tree over time slots holding the skyline: range max, and range raise to a
/// value at least the range's current max.
///
/// Because every raise lifts its whole range to at least everything there, a slot's height
/// is simply the largest raise stored on its path to the root: a raise is stored (as `tag`)
/// at the O(log T) nodes covering its range, and `sub` keeps each subtree's largest tag.
/// Both operations are two bottom-up walks, without recursion or pushing tags down.
struct Skyline {
    leaves: usize,
    tag: Vec<Offset>,
    sub: Vec<Offset>,
}

impl Skyline {
    fn new(leaves: usize) -> Skyline {
        let leaves = leaves.max(1).next_power_of_two();
        Skyline {
            leaves,
            tag: vec![0; 2 * leaves],
            sub: vec![0; 2 * leaves],
        }
    }

    /// The highest skyline over slots `[lower, upper)` (non-empty).
    fn highest(&self, lower: usize, upper: usize) -> Offset {
        let (mut l, mut r) = (lower + self.leaves, upper + self.leaves);
        let (first, last) = (l, r - 1);
        let mut best = 0;
        while l < r {
            if l & 1 == 1 {
                best = best.max(self.sub[l]);
                l += 1;
            }
            if r & 1 == 1 {
                r -= 1;
                best = best.max(self.sub[r]);
            }
            l >>= 1;
            r >>= 1;
        }
        // Raises stored above the covering nodes lie on the paths from the two end slots.
        for end in [first, last] {
            let mut node = end >> 1;
            while node >= 1 {
                best = best.max(self.tag[node]);
                node >>= 1;
            }
        }
        best
    }

    /// Lifts the skyline over `[lower, upper)` (non-empty) to `value`, which is at least its
    /// max there.
    fn raise(&mut self, lower: usize, upper: usize, value: Offset) {
        let (mut l, mut r) = (lower + self.leaves, upper + self.leaves);
        let (first, last) = (l, r - 1);
        while l < r {
            if l & 1 == 1 {
                self.tag[l] = value;
                self.sub[l] = value;
                l += 1;
            }
            if r & 1 == 1 {
                r -= 1;
                self.tag[r] = value;
                self.sub[r] = value;
            }
            l >>= 1;
            r >>= 1;
        }
        for end in [first, last] {
            let mut node = end >> 1;
            while node >= 1 {
                self.sub[node] = self.tag[node]
                    .max(self.sub[2 * node])
                    .max(self.sub[2 * node + 1]);
                node >>= 1;
            }
        }
    }
}

/// Offsets by the skyline heuristic with every buffer ending at or below `limit`, or `None`
/// (also when `stop`, asked every [`STOP_CHECK`] steps, says so). `order` lists the movable
/// buffers that occupy memory, favourites first: it breaks ties between equally low spots.
pub(crate) fn skyline(
    problem: &Problem,
    table: &PieceTable,
    order: &[u32],
    limit: Offset,
    stop: &mut dyn FnMut() -> bool,
) -> Option<Vec<Offset>> {
    let mut sky = Skyline::new(table.times);
    let mut offsets = vec![0; problem.buffers.len()];
    for (index, buffer) in problem.buffers.iter().enumerate() {
        let Some(at) = buffer.offset else { continue };
        offsets[index] = at;
        for slot in table.pieces_of(index) {
            let (lower, upper) = (slot.lower as usize, slot.upper as usize);
            let top = sky.highest(lower, upper).max(at + slot.top);
            sky.raise(lower, upper, top);
        }
    }
    let spot = |sky: &Skyline, buffer: usize| {
        let alignment = problem.buffers[buffer].alignment;
        let lowest = table
            .pieces_of(buffer)
            .iter()
            .map(|s| sky.highest(s.lower as usize, s.upper as usize) - s.bottom)
            .max()
            .unwrap_or(0)
            .max(0);
        align_up(lowest, alignment)
    };
    // Min-heap on (spot, position in `order`).
    let mut queue: BinaryHeap<Reverse<(Offset, u32)>> = (0..order.len() as u32)
        .map(|position| Reverse((0, position)))
        .collect();
    let mut steps = 0u32;
    while let Some(Reverse((queued, position))) = queue.pop() {
        steps = steps.wrapping_add(1);
        if steps % STOP_CHECK == 0 && stop() {
            return None;
        }
        let buffer = order[position as usize] as usize;
        let at = spot(&sky, buffer);
        if at > queued {
            queue.push(Reverse((at, position)));
            continue;
        }
        if at + problem.buffers[buffer].size > limit {
            return None;
        }
        offsets[buffer] = at;
        for slot in table.pieces_of(buffer) {
            sky.raise(slot.lower as usize, slot.upper as usize, at + slot.top);
        }
    }
    for (index, buffer) in problem.buffers.iter().enumerate() {
        if buffer.offset.is_none() && !table.occupies(index) {
            offsets[index] = buffer.resting_offset(limit);
        }
    }
    Some(offsets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Buffer, Solution};
    use crate::validate::validate;

    #[test]
    fn places_the_lowest_spot_first_and_stacks_on_the_skyline() {
        let problem = Problem::new(
            vec![
                Buffer::new("long", 0, 10, 2),
                Buffer::new("left", 0, 5, 3),
                Buffer::new("right", 5, 10, 3),
                Buffer::new("top", 3, 7, 1).with_alignment(4),
                Buffer::new("windowed", 8, 12, 4).with_gap(8, 10, Some((2, 4))),
            ],
            100,
        );
        let table = PieceTable::new(&problem);
        let offsets = skyline(&problem, &table, &[0, 1, 2, 3, 4], 100, &mut || false).unwrap();
        let solution = Solution::from_offsets(&problem, offsets);
        validate(&problem, &solution).unwrap();
        // "long" goes at 0, and so does "windowed" (its window [2, 4) clears long's top);
        // "left" rests on long at 2, "right" on the window at 4; "top" rests on right's top
        // 7, aligned up to 8.
        assert_eq!(solution.offsets, [0, 2, 4, 8, 0]);
        assert_eq!(
            skyline(&problem, &table, &[0, 1, 2, 3, 4], 8, &mut || false),
            None
        );
    }
}
