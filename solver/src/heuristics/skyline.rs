//! The skyline heuristic: always place next the buffer that can sit lowest.
//!
//! The *skyline* is, at each time, the top of the highest buffer placed there. A buffer can
//! sit just above the skyline over its life; the heuristic places the buffer whose spot is
//! lowest (ties to the order's favourite) and raises the skyline over its life. This is the
//! exact search's first descent without its pruning, so it builds the same kind of packing
//! (every buffer resting on a neighbour).
//!
//! Every buffer starts in a queue keyed by a spot that was true once, checked when it comes
//! up and pushed back when it has risen. In a stack of k buffers that all meet that is k²
//! pushes (58 M on a 60,000-buffer transformer trace). So a *plain* buffer (one piece
//! resting at its offset) whose spot has risen a few times leaves the queue: spots only rise,
//! so the pass rises through the heights as a *level* (one per alignment), and a plain buffer
//! can sit at the level exactly when its life lies inside a *valley*, a maximal run of times
//! where the skyline is at most the level. Each valley asks the waiting buffers
//! ([`super::valleys`]) for the favourite buffer inside it, again only when a placement cuts
//! the valley or the level rises to a *wall* (the top of a placement) and valleys merge: the
//! stack costs O(k log n).
//!
//! Holes under the skyline are never reused, which is what keeps it fast. Fixed buffers
//! raise the skyline over their lives, so nothing is placed beneath them.

use std::cmp::Reverse;
use std::collections::binary_heap::{BinaryHeap, PeekMut};

use super::place::PieceTable;
use super::valleys::Valleys;
use super::STOP_CHECK;
use crate::model::{align_up, Offset, Problem};

/// A segment tree over time slots holding the skyline: range max, range min, and range
/// raise to a value at least the range's current max.
///
/// Because every raise lifts its whole range to at least everything there, a slot's height
/// is simply the largest raise stored on its path to the root: a raise is stored (as `tag`)
/// at the O(log T) nodes covering its range, `sub` keeps each subtree's largest tag and `low`
/// its lowest slot counting only the tags from the node down. Both operations are two
/// bottom-up walks, without recursion or pushing tags down.
pub(super) struct Skyline {
    leaves: usize,
    nodes: Vec<Node>,
}

/// One node of [`Skyline`]'s tree. The three side by side: every walk reads two of them
/// at each node, and as three arrays (a megabyte each on a 35,000-buffer hot set) each read
/// was a cache miss of its own.
#[derive(Clone, Copy, Default)]
struct Node {
    tag: Offset,
    sub: Offset,
    low: Offset,
}

impl Node {
    /// A node whose whole range was raised to `value`.
    fn flat(value: Offset) -> Node {
        Node {
            tag: value,
            sub: value,
            low: value,
        }
    }
}

impl Skyline {
    pub(super) fn new(leaves: usize) -> Skyline {
        let leaves = leaves.max(1).next_power_of_two();
        Skyline {
            leaves,
            nodes: vec![Node::default(); 2 * leaves],
        }
    }

    /// The highest skyline over slots `[lower, upper)` (non-empty).
    pub(super) fn highest(&self, lower: usize, upper: usize) -> Offset {
        let (mut l, mut r) = (lower + self.leaves, upper + self.leaves);
        let (first, last) = (l, r - 1);
        let mut best = 0;
        while l < r {
            if l & 1 == 1 {
                best = best.max(self.nodes[l].sub);
                l += 1;
            }
            if r & 1 == 1 {
                r -= 1;
                best = best.max(self.nodes[r].sub);
            }
            l >>= 1;
            r >>= 1;
        }
        // Raises stored above the covering nodes lie on the paths from the two end slots.
        for end in [first, last] {
            let mut node = end >> 1;
            while node >= 1 {
                best = best.max(self.nodes[node].tag);
                node >>= 1;
            }
        }
        best
    }

    /// The skyline at `slot`.
    pub(super) fn height(&self, slot: usize) -> Offset {
        let mut node = slot + self.leaves;
        let mut best = 0;
        while node >= 1 {
            best = best.max(self.nodes[node].tag);
            node >>= 1;
        }
        best
    }

    /// Lifts the skyline over `[lower, upper)` (non-empty) to `value`, which is at least its
    /// max there.
    pub(super) fn raise(&mut self, lower: usize, upper: usize, value: Offset) {
        let (mut l, mut r) = (lower + self.leaves, upper + self.leaves);
        let (first, last) = (l, r - 1);
        while l < r {
            if l & 1 == 1 {
                self.nodes[l] = Node::flat(value);
                l += 1;
            }
            if r & 1 == 1 {
                r -= 1;
                self.nodes[r] = Node::flat(value);
            }
            l >>= 1;
            r >>= 1;
        }
        for end in [first, last] {
            let mut node = end >> 1;
            while node >= 1 {
                let (left, right) = (2 * node, 2 * node + 1);
                let (l, r) = (self.nodes[left], self.nodes[right]);
                let here = &mut self.nodes[node];
                here.sub = here.tag.max(l.sub).max(r.sub);
                here.low = here.tag.max(l.low.min(r.low));
                node >>= 1;
            }
        }
    }

    /// The first slot at or after `from` whose height is above `level` (`above`) or at most
    /// `level` (`!above`); `self.leaves` when there is none. O(log T): a subtree is entered
    /// only when its max (or min) says it holds such a slot, or when it holds `from`.
    pub(super) fn next(&self, from: usize, level: Offset, above: bool) -> usize {
        self.next_in(1, 0, self.leaves, 0, from, level, above)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn next_in(
        &self,
        node: usize,
        lower: usize,
        upper: usize,
        inherited: Offset,
        from: usize,
        level: Offset,
        above: bool,
    ) -> usize {
        let found = if above {
            self.nodes[node].sub.max(inherited) > level
        } else {
            self.nodes[node].low.max(inherited) <= level
        };
        if upper <= from || !found {
            return self.leaves;
        }
        if upper - lower == 1 {
            return lower;
        }
        let (inherited, middle) = (inherited.max(self.nodes[node].tag), (lower + upper) / 2);
        let left = self.next_in(2 * node, lower, middle, inherited, from, level, above);
        if left < self.leaves {
            return left;
        }
        self.next_in(2 * node + 1, middle, upper, inherited, from, level, above)
    }

    /// One past the last slot before `before` whose height is above `level` (0 when none).
    pub(super) fn wall_before(&self, before: usize, level: Offset) -> usize {
        self.wall_before_in(1, 0, self.leaves, 0, before, level)
    }

    pub(super) fn wall_before_in(
        &self,
        node: usize,
        lower: usize,
        upper: usize,
        inherited: Offset,
        before: usize,
        level: Offset,
    ) -> usize {
        if lower >= before || self.nodes[node].sub.max(inherited) <= level {
            return 0;
        }
        if upper - lower == 1 {
            return upper;
        }
        let (inherited, middle) = (inherited.max(self.nodes[node].tag), (lower + upper) / 2);
        let right = self.wall_before_in(2 * node + 1, middle, upper, inherited, before, level);
        if right > 0 {
            return right;
        }
        self.wall_before_in(2 * node, lower, middle, inherited, before, level)
    }
}

/// Pushes back after which a plain buffer leaves the queue for its valleys. Valleys cost
/// every raise a few tree walks while their class has buffers, so buffers that rise a few
/// times stay queued (cnn-60000: 0.07 s queued, 0.18-0.24 s when every buffer pushed back
/// twice moved). The packing is the same whatever the number; tests move buffers sooner.
const ADOPT_AFTER: u8 = if cfg!(test) { 1 } else { 8 };

/// Classes of plain buffers at most, one per alignment (the first met in the order); plain
/// buffers of other alignments are queued. Each class looks at every raise.
const CLASSES: usize = 4;

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
    let mut fixed = Vec::new();
    for (index, buffer) in problem.buffers.iter().enumerate() {
        let Some(at) = buffer.offset else { continue };
        offsets[index] = at;
        for slot in table.pieces_of(index) {
            let (lower, upper) = (slot.lower as usize, slot.upper as usize);
            let top = sky.highest(lower, upper).max(at + slot.top);
            sky.raise(lower, upper, top);
            fixed.push((top, slot.lower, slot.upper));
        }
    }
    // The slots and class of each plain buffer: one piece resting at its offset.
    let mut alignments: Vec<Offset> = Vec::new();
    let mut plains: Vec<Option<(u32, u32)>> = vec![None; order.len()];
    let mut class_of = vec![CLASSES; order.len()];
    for (position, &buffer) in order.iter().enumerate() {
        let [slot] = table.pieces_of(buffer as usize) else {
            continue;
        };
        let alignment = problem.buffers[buffer as usize].alignment;
        let class = match alignments.iter().position(|&a| a == alignment) {
            Some(class) => class,
            None if slot.bottom == 0 && alignments.len() < CLASSES => {
                alignments.push(alignment);
                alignments.len() - 1
            }
            None => continue,
        };
        if slot.bottom == 0 {
            plains[position] = Some((slot.lower, slot.upper));
            class_of[position] = class;
        }
    }
    let mut classes: Vec<Valleys> = Vec::with_capacity(alignments.len());
    for (class, &alignment) in alignments.iter().enumerate() {
        let mine: Vec<Option<(u32, u32)>> = (0..order.len())
            .map(|p| plains[p].filter(|_| class_of[p] == class))
            .collect();
        let mut valleys = Valleys::new(alignment, &mine, table.times);
        for &(top, lower, upper) in &fixed {
            if top > 0 {
                valleys.wall(top, lower, upper);
            }
        }
        classes.push(valleys);
    }
    let life = |position: u32| {
        let (lower, upper) = plains[position as usize].unwrap_or_default();
        (lower as usize, upper as usize)
    };
    // Read for every spot asked and every placement: apart from the buffers (112 bytes
    // each), whose reads missed the cache and were a third of the pass's time on a
    // 35,000-buffer hot set.
    let alignments_of: Vec<Offset> = problem.buffers.iter().map(|b| b.alignment).collect();
    let sizes_of: Vec<Offset> = problem.buffers.iter().map(|b| b.size).collect();
    let spot = |sky: &Skyline, buffer: usize| {
        let alignment = alignments_of[buffer];
        let lowest = table
            .pieces_of(buffer)
            .iter()
            .map(|s| sky.highest(s.lower as usize, s.upper as usize) - s.bottom)
            .max()
            .unwrap_or(0)
            .max(0);
        align_up(lowest, alignment)
    };
    // Every buffer starts in a min-heap on (a spot it had, position in `order`): checked
    // when it comes up, pushed back when its spot has risen. Most are placed at once or
    // after a few pushes; a plain one pushed back more than `ADOPT_AFTER` times moves to
    // its class's valleys, where rising costs nothing.
    let mut queue: BinaryHeap<Reverse<(Offset, u32)>> = (0..order.len() as u32)
        .map(|position| Reverse((0, position)))
        .collect();
    let mut pushed = vec![0u8; order.len()];
    let mut steps = 0u32;
    loop {
        steps = steps.wrapping_add(1);
        if steps.is_multiple_of(STOP_CHECK) && stop() {
            return None;
        }
        let queued = match queue.peek_mut() {
            Some(mut top) => {
                let Reverse((queued, position)) = *top;
                let at = spot(&sky, order[position as usize] as usize);
                if at > queued {
                    let class = class_of[position as usize];
                    let pushes = &mut pushed[position as usize];
                    *pushes = pushes.saturating_add(1);
                    let adopted = *pushes > ADOPT_AFTER
                        && class < CLASSES
                        && classes[class].adopt(&sky, position, at, life(position));
                    if adopted {
                        PeekMut::pop(top);
                    } else {
                        // Pushed back: one sift down in place of a pop and a push.
                        *top = Reverse((at, position));
                    }
                    continue;
                }
                Some((at, position))
            }
            None => None,
        };
        let (mut best, mut from) = (queued, CLASSES);
        for (class, valleys) in classes.iter_mut().enumerate() {
            let Some(candidate) = valleys.next(&sky, life) else {
                continue;
            };
            if !matches!(best, Some(best) if best < candidate) {
                (best, from) = (Some(candidate), class);
            }
        }
        let Some((at, position)) = best else { break };
        match classes.get_mut(from) {
            Some(valleys) => valleys.take(position),
            None => {
                queue.pop();
            }
        }
        let buffer = order[position as usize] as usize;
        if at + sizes_of[buffer] > limit {
            return None;
        }
        offsets[buffer] = at;
        for slot in table.pieces_of(buffer) {
            let top = at + slot.top;
            sky.raise(slot.lower as usize, slot.upper as usize, top);
            for valleys in &mut classes {
                valleys.raised(&sky, slot.lower, slot.upper, top);
            }
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
    use crate::test_rng::SplitMix;
    use crate::validate::validate;

    /// The pass as it was before valleys: every buffer queued by a spot it had, checked when
    /// it comes up and pushed back when it has risen. The definition the pass must keep.
    fn reference(
        problem: &Problem,
        table: &PieceTable,
        order: &[u32],
        limit: Offset,
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
            let lowest = table
                .pieces_of(buffer)
                .iter()
                .map(|s| sky.highest(s.lower as usize, s.upper as usize) - s.bottom)
                .max()
                .unwrap_or(0)
                .max(0);
            align_up(lowest, problem.buffers[buffer].alignment)
        };
        let mut queue: BinaryHeap<Reverse<(Offset, u32)>> = (0..order.len() as u32)
            .map(|position| Reverse((0, position)))
            .collect();
        while let Some(Reverse((queued, position))) = queue.pop() {
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

    /// Splitmix64 drawn as offsets, so random cases repeat exactly.
    struct Rng(SplitMix);

    impl Rng {
        fn below(&mut self, bound: u64) -> i64 {
            self.0.below(bound) as i64
        }
    }

    #[test]
    fn valleys_place_exactly_as_the_queue_by_spot() {
        let mut rng = Rng(SplitMix(7));
        for case in 0..3000 {
            let count = 1 + rng.below(if case % 10 == 0 { 200 } else { 30 }) as usize;
            let horizon = 2 + rng.below(40);
            let buffers: Vec<Buffer> = (0..count)
                .map(|index| {
                    let lower = rng.below(horizon as u64);
                    let reach = 1 + rng.below(horizon as u64) as u64;
                    let upper = lower + 1 + rng.below(reach);
                    // Few sizes, so spots tie often.
                    let size = 1 + rng.below(if case % 3 == 0 { 2 } else { 8 });
                    let mut buffer = Buffer::new(format!("b{index}"), lower, upper, size);
                    match rng.below(20) {
                        // Up to six alignments: more than the classes.
                        0 => buffer = buffer.with_alignment(1 + rng.below(6)),
                        3 | 4 if case % 2 == 0 => buffer = buffer.with_alignment(2),
                        1 if upper - lower >= 3 => {
                            let window = match rng.below(3) {
                                0 => None,
                                1 => Some((0, size.min(1))),
                                _ => Some((size / 2, size)),
                            };
                            buffer = buffer.with_gap(lower + 1, upper - 1, window);
                        }
                        2 => buffer = buffer.with_offset(rng.below(12)),
                        _ => {}
                    }
                    buffer
                })
                .collect();
            let problem = Problem::new(buffers, 1 << 40);
            let table = PieceTable::new(&problem);
            let mut order: Vec<u32> = (0..count as u32)
                .filter(|&b| problem.buffers[b as usize].offset.is_none())
                .filter(|&b| table.occupies(b as usize))
                .collect();
            for i in (1..order.len()).rev() {
                order.swap(i, rng.below(i as u64 + 1) as usize);
            }
            let expected = reference(&problem, &table, &order, 1 << 40);
            let got = skyline(&problem, &table, &order, 1 << 40, &mut || false);
            assert_eq!(got, expected, "case {case}: {problem:?}");
            let height = Solution::from_offsets(&problem, got.unwrap()).height;
            for limit in [height - 1, height] {
                assert_eq!(
                    skyline(&problem, &table, &order, limit, &mut || false),
                    reference(&problem, &table, &order, limit),
                    "case {case} at {limit}"
                );
            }
        }
    }

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
