//! **Aligned stacks** (`SolverParams::aligned_stacks`, bufpack's own): a one-section check
//! for a problem with alignment or fixed buffers, where little room is left.
//!
//! At a node every unplaced member of a section goes at or above its lowest offset (its
//! *release*), at a multiple of its alignment and clear of the fixed buffers, and the
//! members' pieces there stack in `[floor, capacity)` without overlapping, wasting at most
//! the section's *slack* (the room there less the pieces' total). A member's piece is its
//! whole size, but in a gap with a raised window it is the window, `[offset + bottom,
//! offset + top)`: the buffer's offset may then lie below the floor, and others may sit
//! beneath the window. Section inference checks only the total. Where the slack is smaller
//! than an alignment, or than a member a fixed buffer is in the way of, or there is none,
//! the order of the stack matters: an aligned member must start where the members below it
//! (and the room wasted beneath it) end on a multiple of its alignment, one that must clear
//! a fixed buffer starts above it, and a member released high needs members below it that
//! fill the room under its release. Without this, a section that no order can fill is
//! noticed only when the search reaches the members at its top, after every way of placing
//! the members below them has been tried (a heavy tail on tiny problems with alignment: 31
//! buffers undecided after 19 M nodes, see BENCHMARKS.md).
//!
//! The check: a depth-first search over the order of the stack, each member put at the
//! lowest legal offset at or above its release where its piece starts at or above the top
//! of the stack so far. Putting a member lower never hurts (the room between can still be
//! wasted later), so for a set of members stacked the lowest top is all that matters, and a
//! set that failed from some top fails from any higher one (remembered per set, so each set
//! is expanded once per top that improves on it). Sections with more members than
//! [`MOST_MEMBERS`], a search past [`MOST_STEPS`], and checks the allowance has no steps
//! left for (see [`STEPS_PER_NODE`]) count as stackable: the check only ever prunes what it
//! has refuted. A section whose floor and members are as at its last check gets the same
//! answer without a search.

use crate::model::{align_up, Offset};
use crate::sweep::Sweep;

/// Sections with more unplaced members are not checked (sets are bit masks of them).
pub(super) const MOST_MEMBERS: usize = 16;

/// Steps (members tried) one check may take before it gives up, answering "stackable".
pub(super) const MOST_STEPS: u32 = 4_096;

/// Steps the checks may spend per node of the search, on average: each node adds this to an
/// allowance (up to [`MOST_ALLOWANCE`]), each check spends its steps from it, and no check
/// starts with less than [`MOST_STEPS`] left. So the rule costs a node at most about this
/// many steps however often it fails to prune, while a check that prunes near the root
/// (where the allowance is full) may take its whole budget.
const STEPS_PER_NODE: u64 = 48;
const MOST_ALLOWANCE: u64 = 1 << 20;

/// One unplaced member of the section being checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Piece {
    /// Its lowest offset.
    pub(super) release: Offset,
    /// Where its piece in this section starts above its offset: above 0 only for a gap's
    /// raised window (the buffer's room beneath it may hold others here).
    pub(super) bottom: Offset,
    /// Its piece's size here.
    pub(super) size: Offset,
    pub(super) alignment: Offset,
    /// The item, when fixed buffers rule out some of its offsets ([`ANY_OFFSET`] when every
    /// aligned one is allowed): members are interchangeable only when this is too.
    pub(super) item: u32,
    /// Steps placing it counts: 1, and more for an item with many ruled-out ranges (finding
    /// its legal offset reads them all), so that the step budgets bound the work.
    pub(super) cost: u32,
}

/// [`Piece::item`] of a member that every aligned offset is allowed.
pub(super) const ANY_OFFSET: u32 = u32::MAX;

/// Scratch space of [`Stacks::stackable`], kept by the search between nodes.
pub(super) struct Stacks {
    /// Per section: the largest alignment of its members, and the largest size of those
    /// that fixed buffers keep from some offsets (0 for none); where neither can leave a gap
    /// the slack cannot take, a section with room to spare is passed over without a look at
    /// its members.
    pub(super) hints: Vec<(Offset, Offset)>,
    /// The sections to look at, with their floors, listed by section inference at this node.
    pub(super) tight: Vec<(u32, Offset)>,
    /// The members of the section being checked, sorted (equal ones side by side).
    pub(super) pieces: Vec<Piece>,
    /// Per section: the last check's floor, members (as listed) and answer. Most nodes
    /// leave most sections as their parent left them.
    last: Vec<(Offset, Vec<Piece>, bool)>,
    /// Per set of members: `(stamp, top)`, the lowest top from which the set's remaining
    /// members were found not to stack, in the check with that stamp.
    failed: Vec<(u32, Offset)>,
    stamp: u32,
    steps: u32,
    allowance: u64,
}

impl Default for Stacks {
    fn default() -> Stacks {
        Stacks {
            hints: Vec::new(),
            tight: Vec::new(),
            pieces: Vec::new(),
            last: Vec::new(),
            // Made at the first check: most searches never make one, and many are made.
            failed: Vec::new(),
            stamp: 0,
            steps: 0,
            allowance: MOST_ALLOWANCE,
        }
    }
}

impl Stacks {
    /// Scratch space for a search over `sweep`, with its sections' [`Stacks::hints`].
    pub(super) fn for_sweep(sweep: &Sweep) -> Stacks {
        let hints = sweep
            .sections
            .iter()
            .map(|members| {
                members.iter().fold((1, 0), |(alignment, kept), m| {
                    let item = &sweep.items[m.id as usize];
                    let size = if item.forbidden.is_empty() {
                        0
                    } else {
                        item.size
                    };
                    (alignment.max(item.alignment), kept.max(size))
                })
            })
            .collect();
        Stacks {
            hints,
            ..Stacks::default()
        }
    }

    /// A node of the search: more steps for the checks.
    pub(super) fn grant(&mut self) {
        self.allowance = (self.allowance + STEPS_PER_NODE).min(MOST_ALLOWANCE);
    }

    /// [`Stacks::stackable`] for section `section`, answered from its last check when its
    /// floor and members are the same, and "stackable" (unchecked) when the allowance is
    /// short.
    pub(super) fn section_stackable(
        &mut self,
        section: usize,
        floor: Offset,
        capacity: Offset,
        legal: &dyn Fn(u32, Offset) -> Offset,
    ) -> bool {
        if self.last.len() <= section {
            self.last
                .resize(section + 1, (Offset::MIN, Vec::new(), true));
        }
        let (at, members, answer) = &self.last[section];
        if *at == floor && *members == self.pieces {
            return *answer;
        }
        if self.allowance < u64::from(MOST_STEPS) {
            return true;
        }
        let mut members = std::mem::take(&mut self.last[section].1);
        members.clone_from(&self.pieces);
        let answer = self.stackable(floor, capacity, legal);
        self.allowance -= u64::from(self.steps.min(MOST_STEPS));
        self.last[section] = (floor, members, answer);
        answer
    }

    /// Whether `self.pieces` can be stacked from `floor` up to at most `capacity`; `true`
    /// also when the check gave up. `legal(item, from)` is the lowest offset at or above
    /// `from` that fixed buffers leave to `item` (aligned), for the pieces that name one.
    pub(super) fn stackable(
        &mut self,
        floor: Offset,
        capacity: Offset,
        legal: &dyn Fn(u32, Offset) -> Offset,
    ) -> bool {
        let count = self.pieces.len();
        if count == 0 || count > MOST_MEMBERS {
            return true;
        }
        self.pieces.sort_unstable();
        if self.failed.is_empty() {
            self.failed = vec![(0, 0); 1 << MOST_MEMBERS];
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            // Wrapped: old stamps could match again.
            self.failed.fill((0, 0));
            self.stamp = 1;
        }
        self.steps = 0;
        let left: Offset = self.pieces.iter().map(|p| p.size).sum();
        self.stack(0, floor, left, capacity, legal).unwrap_or(true)
    }

    /// Whether the members not in `placed` stack from `top`; `None` past the step budget.
    fn stack(
        &mut self,
        placed: u32,
        top: Offset,
        left: Offset,
        capacity: Offset,
        legal: &dyn Fn(u32, Offset) -> Offset,
    ) -> Option<bool> {
        if left == 0 {
            return Some(true);
        }
        let (stamp, failed_from) = self.failed[placed as usize];
        if stamp == self.stamp && failed_from <= top {
            return Some(false);
        }
        let mut previous: Option<Piece> = None;
        for index in 0..self.pieces.len() {
            if placed & (1 << index) != 0 {
                continue;
            }
            let piece = self.pieces[index];
            // Equal members are interchangeable: trying the first untried one is enough.
            if previous == Some(piece) {
                continue;
            }
            previous = Some(piece);
            self.steps += piece.cost;
            if self.steps > MOST_STEPS {
                return None;
            }
            // Its piece starts at or above the top: its offset at or above the top less
            // the piece's bottom.
            let from = (top - piece.bottom).max(piece.release);
            let offset = if piece.item == ANY_OFFSET {
                align_up(from, piece.alignment)
            } else {
                legal(piece.item, from)
            };
            // Every member left must still fit above this one's top.
            let end = offset + piece.bottom + piece.size;
            if end + (left - piece.size) > capacity {
                continue;
            }
            if self.stack(
                placed | (1 << index),
                end,
                left - piece.size,
                capacity,
                legal,
            )? {
                return Some(true);
            }
        }
        self.failed[placed as usize] = (self.stamp, top);
        Some(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn piece(release: Offset, size: Offset, alignment: Offset) -> Piece {
        Piece {
            release,
            bottom: 0,
            size,
            alignment,
            item: ANY_OFFSET,
            cost: 1,
        }
    }

    fn stackable(pieces: &[Piece], floor: Offset, capacity: Offset) -> bool {
        let mut stacks = Stacks {
            pieces: pieces.to_vec(),
            ..Stacks::default()
        };
        stacks.stackable(floor, capacity, &|_, _| {
            unreachable!("no piece names an item")
        })
    }

    #[test]
    fn an_aligned_member_needs_members_below_it_that_end_on_its_alignment() {
        // Floor 1, room 11: the 8 aligned to 8 must start at 8 (too high) unless the 3 and
        // a 4 fill [1, 8) first.
        assert!(!stackable(&[piece(1, 3, 1), piece(1, 8, 8)], 1, 12));
        assert!(stackable(
            &[piece(1, 3, 1), piece(1, 4, 1), piece(1, 8, 8)],
            1,
            16
        ));
        // Alone the 3 ends at 4 and the 8 starts at 8: 4 units wasted.
        assert!(!stackable(&[piece(1, 3, 1), piece(1, 8, 8)], 1, 13));
        assert!(stackable(&[piece(1, 3, 1), piece(1, 8, 8)], 1, 16));
    }

    #[test]
    fn a_member_released_high_needs_the_room_beneath_it_filled() {
        // The 5 can start at 4 at the lowest: [0, 4) must hold the 3 and waste 1 unit.
        assert!(!stackable(&[piece(0, 3, 1), piece(4, 5, 1)], 0, 8));
        assert!(stackable(&[piece(0, 3, 1), piece(4, 5, 1)], 0, 9));
        assert!(stackable(&[piece(0, 4, 1), piece(4, 5, 1)], 0, 9));
    }

    #[test]
    fn fixed_buffers_leave_a_member_only_some_offsets() {
        // Item 0 (size 3) may not start at 0 or 2 (a fixed buffer in the way): below 5 the
        // 2 and the 3 stack in neither order.
        let legal = |_: u32, from: Offset| match from {
            0 => 1,
            2 => 3,
            other => other,
        };
        let pieces = [
            piece(0, 2, 1),
            Piece {
                item: 0,
                ..piece(0, 3, 1)
            },
        ];
        let check = |capacity| {
            let mut stacks = Stacks {
                pieces: pieces.to_vec(),
                ..Stacks::default()
            };
            stacks.stackable(0, capacity, &legal)
        };
        assert!(!check(5));
        assert!(check(6));
    }

    #[test]
    fn agrees_with_trying_every_order() {
        let mut rng = crate::test_rng::XorShift(7);
        let mut next = |n: u64| rng.below(n) as Offset;
        for _ in 0..3_000 {
            let count = 1 + next(6) as usize;
            let pieces: Vec<Piece> = (0..count)
                .map(|_| piece(next(6), 1 + next(9), [1, 1, 2, 4, 8][next(5) as usize]))
                .collect();
            let floor = 0;
            let left: Offset = pieces.iter().map(|p| p.size).sum();
            let capacity = left + next(4);
            let truth = every_order(&pieces, floor, capacity);
            assert_eq!(
                stackable(&pieces, floor, capacity),
                truth,
                "{pieces:?} in [{floor}, {capacity})"
            );
        }
    }

    #[test]
    fn raised_pieces_agree_with_trying_every_offset() {
        // Pieces that start above their offset (gaps' raised windows): the check against
        // every assignment of offsets, so the greedy stacking itself is checked too.
        let mut rng = crate::test_rng::XorShift(11);
        let mut next = |n: u64| rng.below(n) as Offset;
        for _ in 0..3_000 {
            let count = 1 + next(4) as usize;
            let pieces: Vec<Piece> = (0..count)
                .map(|_| Piece {
                    bottom: [0, 0, 1, 2, 3][next(5) as usize],
                    ..piece(next(6), 1 + next(5), [1, 1, 2, 4][next(4) as usize])
                })
                .collect();
            let floor = next(4);
            let left: Offset = pieces.iter().map(|p| p.size).sum();
            let capacity = floor + left + next(4);
            let truth = every_offset(&pieces, &mut Vec::new(), floor, capacity);
            assert_eq!(
                stackable(&pieces, floor, capacity),
                truth,
                "{pieces:?} in [{floor}, {capacity})"
            );
        }
    }

    /// Brute force: some legal offset for each piece (aligned, at or above its release) puts
    /// every piece's `[offset + bottom, offset + bottom + size)` inside `[floor, capacity)`,
    /// none overlapping.
    fn every_offset(
        pieces: &[Piece],
        taken: &mut Vec<(Offset, Offset)>,
        floor: Offset,
        capacity: Offset,
    ) -> bool {
        let Some((p, rest)) = pieces.split_first() else {
            return true;
        };
        let mut offset = align_up(p.release, p.alignment);
        while offset + p.bottom + p.size <= capacity {
            let (start, end) = (offset + p.bottom, offset + p.bottom + p.size);
            if start >= floor && taken.iter().all(|&(s, e)| end <= s || e <= start) {
                taken.push((start, end));
                let fits = every_offset(rest, taken, floor, capacity);
                taken.pop();
                if fits {
                    return true;
                }
            }
            offset += p.alignment;
        }
        false
    }

    /// Brute force: some order of the members, each at its lowest aligned offset above the
    /// previous top and its release, ends at most at `capacity`.
    fn every_order(pieces: &[Piece], top: Offset, capacity: Offset) -> bool {
        if pieces.is_empty() {
            return true;
        }
        (0..pieces.len()).any(|i| {
            let p = pieces[i];
            let end = align_up(top.max(p.release), p.alignment) + p.size;
            let mut rest = pieces.to_vec();
            rest.remove(i);
            end <= capacity && every_order(&rest, end, capacity)
        })
    }
}
