//! Greedy placement in a given order: each buffer goes to a free offset (first or best fit)
//! above or between the buffers already placed that share time with it.
//!
//! Finding those buffers is the only costly step. A placed piece shares time with
//! `[lower, upper)` exactly when it is live at `lower` (a *stabbing* query, answered by a
//! segment tree over time that stores each placed piece in O(log T) nodes) or starts strictly
//! inside it (a range of the pieces sorted by start). So a pass costs
//! O(n log n + pairs), where `pairs` counts the pieces that share time: buffers that never
//! meet cost nothing.

use super::fit::{choose, forbidden, Fit};
use super::STOP_CHECK;
use crate::model::{Offset, Problem};
use crate::sort::sort_by_i64_key;

const NONE: u32 = u32::MAX;

/// Not placed yet.
pub(crate) const UNSET: Offset = Offset::MIN;

/// One piece of one buffer, with its times replaced by their rank among all piece times.
#[derive(Clone, Copy, Debug)]
pub(super) struct Slot {
    pub(super) buffer: u32,
    pub(super) lower: u32,
    pub(super) upper: u32,
    pub(super) bottom: Offset,
    pub(super) top: Offset,
}

/// Every piece of a problem, indexed for time-overlap queries. Built once per problem and
/// shared by every pass.
pub(crate) struct PieceTable {
    /// `first[b]..first[b + 1]`: the pieces of buffer `b`.
    first: Vec<u32>,
    slots: Vec<Slot>,
    /// Piece ids by `lower`, and their lowers in the same order.
    by_lower: Vec<u32>,
    lowers: Vec<u32>,
    /// Number of distinct piece times.
    pub(super) times: usize,
}

impl PieceTable {
    pub(crate) fn new(problem: &Problem) -> PieceTable {
        let mut first = Vec::with_capacity(problem.buffers.len() + 1);
        let mut raw = Vec::with_capacity(problem.buffers.len());
        for (index, buffer) in problem.buffers.iter().enumerate() {
            first.push(raw.len() as u32);
            for piece in buffer.pieces() {
                raw.push((index as u32, piece));
            }
        }
        first.push(raw.len() as u32);
        let mut times: Vec<i64> = raw
            .iter()
            .flat_map(|(_, p)| [p.time.lower, p.time.upper])
            .collect();
        times.sort_unstable();
        times.dedup();
        let rank = |t: i64| times.partition_point(|&x| x < t) as u32;
        let slots: Vec<Slot> = raw
            .iter()
            .map(|&(buffer, piece)| Slot {
                buffer,
                lower: rank(piece.time.lower),
                upper: rank(piece.time.upper),
                bottom: piece.bottom,
                top: piece.top,
            })
            .collect();
        let mut by_lower: Vec<u32> = (0..slots.len() as u32).collect();
        sort_by_i64_key(&mut by_lower, |&s| i64::from(slots[s as usize].lower));
        let lowers: Vec<u32> = by_lower.iter().map(|&s| slots[s as usize].lower).collect();
        PieceTable {
            first,
            slots,
            by_lower,
            lowers,
            times: times.len(),
        }
    }

    pub(super) fn pieces_of(&self, buffer: usize) -> &[Slot] {
        &self.slots[self.first[buffer] as usize..self.first[buffer + 1] as usize]
    }

    /// Per buffer, the highest load at any time it occupies memory (0 when it never does):
    /// loads per time slot from a difference array, then a max segment tree over slots.
    pub(crate) fn crowding(&self, buffers: usize) -> Vec<i64> {
        let slots = self.times.max(1);
        let mut delta = vec![0i64; slots + 1];
        for slot in &self.slots {
            delta[slot.lower as usize] += slot.top - slot.bottom;
            delta[slot.upper as usize] -= slot.top - slot.bottom;
        }
        let mut tree = vec![0i64; 2 * slots];
        let mut load = 0;
        for (leaf, change) in delta.iter().take(slots).enumerate() {
            load += change;
            tree[slots + leaf] = load;
        }
        for node in (1..slots).rev() {
            tree[node] = tree[2 * node].max(tree[2 * node + 1]);
        }
        let range_max = |lower: u32, upper: u32| {
            let (mut l, mut r, mut best) = (lower as usize + slots, upper as usize + slots, 0);
            while l < r {
                if l & 1 == 1 {
                    best = best.max(tree[l]);
                    l += 1;
                }
                if r & 1 == 1 {
                    r -= 1;
                    best = best.max(tree[r]);
                }
                l >>= 1;
                r >>= 1;
            }
            best
        };
        (0..buffers)
            .map(|b| {
                self.pieces_of(b)
                    .iter()
                    .map(|s| range_max(s.lower, s.upper))
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }

    /// True when the buffer occupies memory at some time.
    pub(crate) fn occupies(&self, buffer: usize) -> bool {
        self.first[buffer] < self.first[buffer + 1]
    }
}

/// Placed pieces, stored in the nodes of a segment tree over piece times, as linked lists
/// in flat arrays (no allocation per node).
struct Stabber {
    leaves: usize,
    head: Vec<u32>,
    next: Vec<u32>,
    piece: Vec<u32>,
}

impl Stabber {
    fn new(leaves: usize) -> Stabber {
        Stabber {
            leaves,
            head: vec![NONE; 2 * leaves.max(1)],
            next: Vec::new(),
            piece: Vec::new(),
        }
    }

    /// Stores `id` for the leaves `[lower, upper)`.
    fn insert(&mut self, id: u32, lower: u32, upper: u32) {
        let (mut l, mut r) = (lower as usize + self.leaves, upper as usize + self.leaves);
        while l < r {
            if l & 1 == 1 {
                self.push(l, id);
                l += 1;
            }
            if r & 1 == 1 {
                r -= 1;
                self.push(r, id);
            }
            l >>= 1;
            r >>= 1;
        }
    }

    fn push(&mut self, node: usize, id: u32) {
        self.next.push(self.head[node]);
        self.piece.push(id);
        self.head[node] = self.piece.len() as u32 - 1;
    }

    /// Calls `f` with every stored piece whose range contains leaf `at`.
    fn stab(&self, at: u32, mut f: impl FnMut(u32)) {
        let mut node = at as usize + self.leaves;
        while node >= 1 {
            let mut entry = self.head[node];
            while entry != NONE {
                f(self.piece[entry as usize]);
                entry = self.next[entry as usize];
            }
            node >>= 1;
        }
    }
}

/// A reusable greedy pass over one problem.
pub(crate) struct Placer<'a> {
    problem: &'a Problem,
    table: &'a PieceTable,
    stabber: Stabber,
    forbidden: Vec<(Offset, Offset)>,
}

impl<'a> Placer<'a> {
    pub(crate) fn new(problem: &'a Problem, table: &'a PieceTable) -> Placer<'a> {
        Placer {
            problem,
            table,
            stabber: Stabber::new(table.times),
            forbidden: Vec::new(),
        }
    }

    /// Places the fixed buffers at their offsets, then the buffers of `order` (movable ones
    /// that occupy memory, each once) one by one at an offset chosen by `fit` with
    /// `offset + size <= limit`. Buffers in neither group go to their hint when it is legal,
    /// else 0. `None` when some buffer finds no room under `limit`, or when `stop` says so,
    /// asked every [`STOP_CHECK`] units of work: a buffer placed, and each placed piece it
    /// met. Counting buffers alone, a check could be seconds apart where thousands of
    /// buffers are live at once (training-60000: 4,096 buffers took 2.5 s, and a 10 s
    /// minimisation ended at 12.2 s).
    pub(crate) fn place(
        &mut self,
        order: &[u32],
        fit: Fit,
        limit: Offset,
        stop: &mut dyn FnMut() -> bool,
    ) -> Option<Vec<Offset>> {
        let problem = self.problem;
        self.stabber.head.fill(NONE);
        self.stabber.next.clear();
        self.stabber.piece.clear();
        let mut offsets = vec![UNSET; problem.buffers.len()];
        for (index, buffer) in problem.buffers.iter().enumerate() {
            if let Some(offset) = buffer.offset {
                self.set(index, offset, &mut offsets);
            }
        }
        let mut work = 0;
        for &index in order {
            if work >= STOP_CHECK {
                work = 0;
                if stop() {
                    return None;
                }
            }
            let index = index as usize;
            let buffer = &problem.buffers[index];
            self.collect_forbidden(index, &offsets);
            work += 1 + self.forbidden.len().min(STOP_CHECK as usize) as u32;
            let offset = choose(
                &mut self.forbidden,
                buffer.alignment,
                limit - buffer.size,
                fit,
            )?;
            self.set(index, offset, &mut offsets);
        }
        for (index, buffer) in problem.buffers.iter().enumerate() {
            if offsets[index] == UNSET {
                offsets[index] = buffer.resting_offset(limit);
            }
        }
        Some(offsets)
    }

    fn set(&mut self, index: usize, offset: Offset, offsets: &mut [Offset]) {
        offsets[index] = offset;
        let first = self.table.first[index];
        for (id, slot) in (first..).zip(self.table.pieces_of(index)) {
            self.stabber.insert(id, slot.lower, slot.upper);
        }
    }

    /// Fills `self.forbidden` with the offsets of `buffer` that hit a placed piece.
    fn collect_forbidden(&mut self, buffer: usize, offsets: &[Offset]) {
        let table = self.table;
        self.forbidden.clear();
        for slot in table.pieces_of(buffer) {
            let mut meet = |other: &Slot| {
                let at = offsets[other.buffer as usize];
                if at != UNSET && other.buffer as usize != buffer {
                    let range = forbidden(slot.bottom, slot.top, at + other.bottom, at + other.top);
                    self.forbidden.push(range);
                }
            };
            self.stabber
                .stab(slot.lower, |id| meet(&table.slots[id as usize]));
            let from = table.lowers.partition_point(|&l| l <= slot.lower);
            let to = table.lowers.partition_point(|&l| l < slot.upper);
            for &id in &table.by_lower[from..to] {
                meet(&table.slots[id as usize]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Buffer, Solution};
    use crate::validate::validate;

    #[test]
    fn places_around_fixed_buffers_gaps_and_alignment() {
        let problem = Problem::new(
            vec![
                Buffer::new("f", 0, 10, 4).with_offset(2),
                Buffer::new("big", 0, 5, 6).with_gap(1, 4, Some((0, 2))),
                Buffer::new("small", 2, 3, 2),
                Buffer::new("aligned", 4, 8, 1).with_alignment(8),
                Buffer::new("never", 3, 3, 5),
            ],
            100,
        );
        let table = PieceTable::new(&problem);
        let mut placer = Placer::new(&problem, &table);
        for fit in [Fit::First, Fit::Best] {
            let offsets = placer.place(&[1, 2, 3], fit, 100, &mut || false).unwrap();
            let solution = Solution::from_offsets(&problem, offsets);
            validate(&problem, &solution).unwrap();
            // "big" cannot go under "f" (at 2), so it goes at 6; "small" fits under "f".
            assert_eq!(solution.offsets, [2, 6, 0, 0, 0]);
        }
        assert_eq!(
            placer.place(&[1, 2, 3], Fit::First, 11, &mut || false),
            None
        );
    }
}
