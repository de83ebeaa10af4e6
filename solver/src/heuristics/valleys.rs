//! The skyline pass's valleys (see [`super::skyline`]): the plain buffers that left its
//! queue, found as the favourite whose life lies inside a run of times under a level, one
//! class per alignment.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::skyline::Skyline;
use crate::model::{align_up, Offset};
use crate::sort::sort_pairs;

const NONE: u32 = u32::MAX;

/// The plain buffers not placed yet, by the first slot of their lives, for the question
/// "which is the favourite (lowest position in the order) of those whose lives lie inside
/// `[lower, upper)`": a segment tree over them in that order, each node keeping its
/// subtree's earliest end and lowest position (both `NONE` until the buffer waits here,
/// and once placed).
struct Waiting {
    leaves: usize,
    /// First slots, ascending, one a leaf, and the end slots of the same leaves.
    starts: Vec<u32>,
    ends: Vec<u32>,
    end: Vec<u32>,
    position: Vec<u32>,
    /// The leaf of each position in the order (`NONE` for the queued buffers).
    leaf: Vec<u32>,
}

impl Waiting {
    /// `plain`: (first slot, end slot) of every position in the order, `None` for the
    /// buffers that are not plain.
    fn new(plain: &[Option<(u32, u32)>]) -> Waiting {
        // By first slot, through the crate's one sort of pairs (code size).
        let mut keyed: Vec<(i64, i64)> = (0..plain.len())
            .filter_map(|p| plain[p].map(|(start, _)| (i64::from(start), p as i64)))
            .collect();
        sort_pairs(&mut keyed);
        let leaves = keyed.len().max(1).next_power_of_two();
        let mut waiting = Waiting {
            leaves,
            starts: keyed.iter().map(|&(start, _)| start as u32).collect(),
            ends: keyed
                .iter()
                .map(|&(_, p)| plain[p as usize].unwrap_or_default().1)
                .collect(),
            end: vec![NONE; 2 * leaves],
            position: vec![NONE; 2 * leaves],
            leaf: vec![NONE; plain.len()],
        };
        for (index, &(_, position)) in keyed.iter().enumerate() {
            waiting.leaf[position as usize] = index as u32;
        }
        waiting
    }

    fn pull(&mut self, node: usize) {
        let (left, right) = (2 * node, 2 * node + 1);
        self.end[node] = self.end[left].min(self.end[right]);
        self.position[node] = self.position[left].min(self.position[right]);
    }

    fn waits(&self, position: u32) -> bool {
        let leaf = self.leaf[position as usize];
        leaf != NONE && self.position[self.leaves + leaf as usize] != NONE
    }

    /// Makes the buffer at `position` wait here (`true`) or no longer (`false`).
    fn set(&mut self, position: u32, waits: bool) {
        let leaf = self.leaf[position as usize] as usize;
        let mut node = self.leaves + leaf;
        (self.end[node], self.position[node]) = match waits {
            true => (self.ends[leaf], position),
            false => (NONE, NONE),
        };
        while node > 1 {
            node >>= 1;
            self.pull(node);
        }
    }

    /// The lowest position among the waiting buffers whose lives lie inside
    /// `[lower, upper)`, or `NONE`. Branch and bound over the leaves starting in the range:
    /// a subtree is entered only when one of its buffers ends in time and its lowest
    /// position beats the best found.
    fn favourite_inside(&self, lower: u32, upper: u32) -> u32 {
        let first = self.starts.partition_point(|&s| s < lower);
        let last = self.starts.partition_point(|&s| s < upper);
        let mut best = NONE;
        self.search(1, 0, self.leaves, (first, last), upper, &mut best);
        best
    }

    fn search(
        &self,
        node: usize,
        lower: usize,
        upper: usize,
        range: (usize, usize),
        end: u32,
        best: &mut u32,
    ) {
        if upper <= range.0 || range.1 <= lower || self.end[node] > end {
            return;
        }
        if self.position[node] >= *best {
            return;
        }
        if upper - lower == 1 {
            *best = self.position[node];
            return;
        }
        let middle = (lower + upper) / 2;
        let (left, right) = ((2 * node, lower, middle), (2 * node + 1, middle, upper));
        let (near, far) = if self.position[left.0] <= self.position[right.0] {
            (left, right)
        } else {
            (right, left)
        };
        self.search(near.0, near.1, near.2, range, end, best);
        self.search(far.0, far.1, far.2, range, end, best);
    }
}

/// One class of plain buffers (one alignment): its level, its valleys' favourites, its
/// walls.
pub(super) struct Valleys {
    /// The alignment of this class of plain buffers.
    pub(super) alignment: Offset,
    /// The buffers of the class not placed yet, and how many.
    waiting: Waiting,
    pub(super) left: usize,
    /// Every buffer of the class sits at this height (a multiple of the alignment) or
    /// above.
    pub(super) level: Offset,
    /// Time slots (the skyline's leaves past them are padding).
    pub(super) times: usize,
    /// Positions (after a 0, to share the queue's type: code size), each once the
    /// favourite inside a valley at this level; some since placed or cut off (checked when
    /// they come up).
    pub(super) ready: BinaryHeap<Reverse<(Offset, u32)>>,
    /// Raises above the level when made, as (height, index in `spans`).
    pub(super) walls: BinaryHeap<Reverse<(Offset, u32)>>,
    /// The slots `[lower, upper)` of each wall.
    pub(super) spans: Vec<(u32, u32)>,
}

impl Valleys {
    /// The class of `alignment`: `plain` holds (first slot, end slot) of each position in
    /// the order that belongs to it, `None` for the others; `times` time slots.
    pub(super) fn new(alignment: Offset, plain: &[Option<(u32, u32)>], times: usize) -> Valleys {
        Valleys {
            alignment,
            waiting: Waiting::new(plain),
            left: 0,
            level: 0,
            times,
            ready: BinaryHeap::new(),
            walls: BinaryHeap::new(),
            spans: Vec::new(),
        }
    }

    /// Asks for the favourite inside the valley holding `slot` (at most the level); returns
    /// the valley.
    pub(super) fn visit(&mut self, sky: &Skyline, slot: usize) -> (usize, usize) {
        let start = sky.wall_before(slot, self.level);
        let end = sky.next(slot, self.level, true).min(self.times);
        let favourite = self.waiting.favourite_inside(start as u32, end as u32);
        if favourite != NONE {
            self.ready.push(Reverse((0, favourite)));
        }
        (start, end)
    }

    /// Asks every valley at the level that meets `[lower, upper)`; returns the last one
    /// (empty when none).
    pub(super) fn visit_range(
        &mut self,
        sky: &Skyline,
        lower: usize,
        upper: usize,
    ) -> (usize, usize) {
        let mut valley = (0, 0);
        loop {
            let slot = sky.next(valley.1.max(lower), self.level, false);
            if slot >= upper.min(self.times) {
                return valley;
            }
            valley = self.visit(sky, slot);
        }
    }

    pub(super) fn wall(&mut self, height: Offset, lower: u32, upper: u32) {
        self.walls.push(Reverse((height, self.spans.len() as u32)));
        self.spans.push((lower, upper));
    }

    /// The skyline over `[lower, upper)` was raised to `height`.
    pub(super) fn raised(&mut self, sky: &Skyline, lower: u32, upper: u32, height: Offset) {
        if height <= self.level {
            return;
        }
        self.wall(height, lower, upper);
        if self.left == 0 {
            return;
        }
        let (lower, upper) = (lower as usize, upper as usize);
        if lower > 0 && sky.height(lower - 1) <= self.level {
            self.visit(sky, lower - 1);
        }
        if upper < self.times && sky.height(upper) <= self.level {
            self.visit(sky, upper);
        }
    }

    /// Places the class's buffer at `position`.
    pub(super) fn take(&mut self, position: u32) {
        self.waiting.set(position, false);
        self.left -= 1;
    }

    /// Moves the class's buffer at `position`, whose spot is `spot` and life `[lower,
    /// upper)`, from the queue to the valleys, if its spot is not below the level (a
    /// level risen for the others may have passed it); `false` when it stays queued.
    pub(super) fn adopt(
        &mut self,
        sky: &Skyline,
        position: u32,
        spot: Offset,
        life: (usize, usize),
    ) -> bool {
        if spot < self.level {
            return false;
        }
        self.waiting.set(position, true);
        self.left += 1;
        if sky.highest(life.0, life.1) <= self.level {
            self.visit(sky, life.0);
        }
        true
    }

    /// The class's favourite at the lowest level where one can sit, as (level, position),
    /// or `None` when all are placed. `life` gives a position's slots.
    pub(super) fn next(
        &mut self,
        sky: &Skyline,
        life: impl Fn(u32) -> (usize, usize),
    ) -> Option<(Offset, u32)> {
        if self.left == 0 {
            return None;
        }
        loop {
            while let Some(&Reverse((_, position))) = self.ready.peek() {
                let (lower, upper) = life(position);
                if self.waiting.waits(position) && sky.highest(lower, upper) <= self.level {
                    return Some((self.level, position));
                }
                self.ready.pop();
            }
            // None fits at this level: rise to the lowest wall (aligned up: a spot is a
            // multiple of the alignment, and nothing lies between the level and the lowest
            // wall), where the valleys beside the walls now under the level merge. Those
            // walls by first slot (through the crate's one sort of pairs: code size), so a
            // valley met twice is asked once.
            let &Reverse((height, _)) = self.walls.peek()?;
            self.level = align_up(height, self.alignment);
            let mut risen = Vec::new();
            while let Some(&Reverse((wall, index))) = self.walls.peek() {
                if wall > self.level {
                    break;
                }
                self.walls.pop();
                let (lower, upper) = self.spans[index as usize];
                risen.push((i64::from(lower), i64::from(upper)));
            }
            sort_pairs(&mut risen);
            let mut done = 0;
            for (lower, upper) in risen {
                let (lower, upper) = (lower as usize, upper as usize);
                if upper > done {
                    done = done.max(self.visit_range(sky, lower.max(done), upper).1);
                }
            }
        }
    }
}
