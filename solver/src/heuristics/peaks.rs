//! Peaks first: pack the buffers live where the load is highest as a small problem of their
//! own, then fill in everything else around them in one online sweep.
//!
//! The height of a packing is decided where the load is close to its maximum; elsewhere
//! there is room to spare. On a long trace those crowded times are few, so the buffers live
//! then (the *hot* buffers: those live at some time where the load reaches a threshold share
//! of the peak) form a problem small enough for the skyline passes, which would not finish
//! on the whole trace. The others (*cold*) then go in start order, each into the tightest free
//! block that stays clear of the hot buffers for its whole life ([`fill`]): O(n log n) plus,
//! per cold buffer, the hot buffers that start while it is live and the free blocks tried.
//!
//! Where the fill still has to go above the hot packing, the hot set grows by the buffers
//! live there and the round runs again: a few rounds find the few places that need care. On
//! a generated trace of a million buffers (`huge`, seed 7) this lands 0.16% above the load
//! bound where the online pass alone is 11% above.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use super::{Greedy, Heuristic, STOP_CHECK};
use crate::bounds::LoadProfile;
use crate::model::{align_up, Lifespan, Offset, Problem, Time};

/// How many bounded blocks a buffer clear of obstacles tries before giving up on alignment
/// and going to the top (as the online pass does).
const ALIGNMENT_TRIES: usize = 8;

/// How many bounded free blocks a cold buffer tries, tightest first, before going on top:
/// all of them (there are about as many as live buffers), since a buffer that goes on top
/// is what raises the height.
const FILL_TRIES: usize = usize::MAX;

/// A placed piece the fill sweep must keep clear of: `[bottom, top)` during `[lower, upper)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Obstacle {
    lower: Time,
    upper: Time,
    bottom: Offset,
    top: Offset,
}

/// Which movable buffers are hot: live (by their whole span) at some time where the load is
/// at least `permille` thousandths of the peak.
fn hot_buffers(
    problem: &Problem,
    spans: &Spans,
    profile: &LoadProfile,
    permille: u32,
) -> Vec<bool> {
    let (_, peak) = profile.peak();
    let hot_at = |load: Offset| i128::from(load) * 1000 >= i128::from(peak) * i128::from(permille);
    // The hot intervals of time, in order, as (lower, upper).
    let mut intervals: Vec<(Time, Time)> = Vec::new();
    for pair in profile.steps.windows(2) {
        let ((lower, load), (upper, _)) = (pair[0], pair[1]);
        if load > 0 && hot_at(load) {
            match intervals.last_mut() {
                Some(last) if last.1 == lower => last.1 = upper,
                _ => intervals.push((lower, upper)),
            }
        }
    }
    problem
        .buffers
        .iter()
        .zip(&spans.span)
        .map(|(buffer, span)| {
            let Some(span) = span.filter(|_| buffer.offset.is_none()) else {
                return false;
            };
            // The first interval ending after the span's start is the only candidate.
            let at = intervals.partition_point(|&(_, end)| end <= span.lower);
            intervals
                .get(at)
                .is_some_and(|&(start, _)| start < span.upper)
        })
        .collect()
}

/// Each buffer's occupied span, from its first piece's start to its last piece's end
/// (`None` for a buffer with no pieces), and the movable ones that have one in the order
/// the fill meets them: by start, larger first among those starting together.
struct Spans {
    span: Vec<Option<Lifespan>>,
    starts: Vec<(Time, i64, u32)>,
}

impl Spans {
    fn of(problem: &Problem) -> Spans {
        let span: Vec<Option<Lifespan>> = problem
            .buffers
            .iter()
            .map(|buffer| {
                if buffer.gaps.is_empty() {
                    let life = buffer.lifespan;
                    (life.lower < life.upper && buffer.size > 0).then_some(life)
                } else {
                    let pieces = buffer.pieces();
                    match (pieces.first(), pieces.last()) {
                        (Some(first), Some(last)) => {
                            Some(Lifespan::new(first.time.lower, last.time.upper))
                        }
                        _ => None,
                    }
                }
            })
            .collect();
        let mut starts: Vec<(Time, i64, u32)> = problem
            .buffers
            .iter()
            .zip(&span)
            .enumerate()
            .filter(|(_, (buffer, _))| buffer.offset.is_none())
            .filter_map(|(b, (buffer, span))| span.map(|s| (s.lower, -buffer.size, b as u32)))
            .collect();
        // (Sizes are at least 0, so -size is exact.)
        starts.sort_unstable();
        Spans { span, starts }
    }
}

/// Peaks first with hot threshold `permille`: offsets for every buffer below `limit`, or
/// `None` if no round found one before `stop` said to give up.
///
/// Where the fill has to put a buffer above the hot packing's height, the buffers live
/// during its life join the hot set and the round is run again (at most [`ROUNDS`] rounds,
/// the lowest packing kept): the hot set grows where the fill could not cope.
pub(crate) fn peaks(
    problem: &Problem,
    permille: u32,
    limit: Offset,
    stop: &mut dyn FnMut() -> bool,
) -> Option<Vec<Offset>> {
    let profile = LoadProfile::of(problem);
    let spans = Spans::of(problem);
    let mut hot = hot_buffers(problem, &spans, &profile, permille);
    let mut best: Option<(Offset, Vec<Offset>)> = None;
    for _ in 0..ROUNDS {
        let ceiling = best.as_ref().map_or(limit, |(height, _)| height - 1);
        let Some((hot_height, placed)) = pack_hot(problem, &hot, permille, ceiling, stop) else {
            break;
        };
        let Some(filled) = fill(problem, &spans, &placed, limit, hot_height, stop) else {
            break;
        };
        let height = crate::model::height_of(problem, &filled.offsets);
        if height <= ceiling {
            best = Some((height, filled.offsets));
        }
        if filled.over.is_empty() {
            break;
        }
        // Everything live while a buffer that rose was live joins the hot set.
        let over = merge(filled.over);
        for (b, buffer) in problem.buffers.iter().enumerate() {
            let Some(span) = spans.span[b].filter(|_| buffer.offset.is_none()) else {
                continue;
            };
            let at = over.partition_point(|o| o.upper <= span.lower);
            if over.get(at).is_some_and(|o| o.lower < span.upper) {
                hot[b] = true;
            }
        }
    }
    best.map(|(_, offsets)| offsets)
}

/// `spans` sorted and merged into disjoint spans.
fn merge(mut spans: Vec<Lifespan>) -> Vec<Lifespan> {
    spans.sort_unstable_by_key(|span| (span.lower, span.upper));
    let mut merged: Vec<Lifespan> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.lower <= last.upper => last.upper = last.upper.max(span.upper),
            _ => merged.push(span),
        }
    }
    merged
}

/// Rounds of [`peaks`]: the first, and growths of the hot set where the fill rose.
const ROUNDS: usize = 6;

/// The hot buffers (and fixed ones) packed by the best of [`HOT_PASSES`] and peaks at a
/// higher threshold below `limit`:
/// its height and each buffer's offset (`None` for the others).
fn pack_hot(
    problem: &Problem,
    hot: &[bool],
    permille: u32,
    limit: Offset,
    stop: &mut dyn FnMut() -> bool,
) -> Option<(Offset, Vec<Option<Offset>>)> {
    let chosen: Vec<usize> = (0..problem.buffers.len())
        .filter(|&b| hot[b] || problem.buffers[b].offset.is_some())
        .collect();
    let sub = Problem::new(
        chosen.iter().map(|&b| problem.buffers[b].clone()).collect(),
        problem.capacity,
    );
    let mut greedy = Greedy::new(&sub);
    let mut best: Option<(Offset, Vec<Offset>)> = None;
    // The hot problem has the same peak: its own peaks first, at a higher threshold.
    let inner = (permille + 1000) / 2;
    let nested = (inner < 990).then_some(Heuristic::Peaks(inner as u16));
    for heuristic in HOT_PASSES.into_iter().chain(nested) {
        let cap = best.as_ref().map_or(limit, |(height, _)| height - 1);
        match greedy.run(heuristic, cap, stop) {
            Some(solution) => {
                best = Some((solution.height, solution.offsets));
            }
            None if stop() => return None,
            None => {}
        }
    }
    let (height, offsets) = best?;
    let mut placed: Vec<Option<Offset>> = vec![None; problem.buffers.len()];
    for (&b, offset) in chosen.iter().zip(offsets) {
        placed[b] = Some(offset);
    }
    Some((height, placed))
}

/// The passes tried on the hot problem before peaks at a higher threshold, best kept. (The
/// area skyline as well cost a third more time on `huge` traces and was better on none of
/// 100k to 1M buffers, seeds 7 to 9.)
const HOT_PASSES: [Heuristic; 1] = [Heuristic::Skyline(super::Order::Crowding)];

/// A completed packing, and the lives of the buffers that had to go above the ceiling the
/// fill was given.
struct Filled {
    offsets: Vec<Offset>,
    over: Vec<Lifespan>,
}

/// Completes a partial packing: `placed[b]` is `Some` for the buffers already placed (fixed
/// buffers among them), which stay where they are. The others go in start order into the
/// tightest free block clear of the placed buffers' pieces over their whole span (their own
/// gaps are ignored); buffers that occupy nothing rest below `limit`. `None` when `stop`
/// says to give up; `over` holds the lives of the buffers that end above `ceiling`.
fn fill(
    problem: &Problem,
    spans: &Spans,
    placed: &[Option<Offset>],
    limit: Offset,
    ceiling: Offset,
    stop: &mut dyn FnMut() -> bool,
) -> Option<Filled> {
    let mut over = Vec::new();
    let mut offsets = vec![0; problem.buffers.len()];
    let mut obstacles: Vec<Obstacle> = Vec::new();
    for (index, buffer) in problem.buffers.iter().enumerate() {
        match placed[index] {
            Some(offset) => {
                offsets[index] = offset;
                obstacles.extend(buffer.pieces().iter().map(|piece| Obstacle {
                    lower: piece.time.lower,
                    upper: piece.time.upper,
                    bottom: offset + piece.bottom,
                    top: offset + piece.top,
                }));
            }
            None if spans.span[index].is_none() => offsets[index] = buffer.resting_offset(limit),
            None => {}
        }
    }
    obstacles.sort_unstable();
    let mut free = Blocks::new();
    // Live cold buffers and live obstacles, by end: (end, bottom, size).
    let mut live: BinaryHeap<Reverse<(Time, Offset, Offset)>> = BinaryHeap::new();
    let mut next_obstacle = 0;
    let mut conflicts: Vec<(Offset, Offset)> = Vec::new();
    let cold = spans
        .starts
        .iter()
        .filter(|&&(_, _, b)| placed[b as usize].is_none());
    for (count, &(lower, _, index)) in cold.enumerate() {
        if count % STOP_CHECK as usize == 0 && count > 0 && stop() {
            return None;
        }
        let index = index as usize;
        // Replay every end and obstacle start up to `lower`, ends first on ties.
        loop {
            let end = live.peek().map(|&Reverse((end, _, _))| end);
            let start = obstacles.get(next_obstacle).map(|o| o.lower);
            match (end, start) {
                (Some(end), start) if end <= lower && start.map_or(true, |s| end <= s) => {
                    let Reverse((_, bottom, size)) = live.pop().expect("peeked");
                    free.free(bottom, size);
                }
                (_, Some(start)) if start <= lower => {
                    let o = obstacles[next_obstacle];
                    next_obstacle += 1;
                    if !free.carve(o.bottom, o.top) {
                        debug_assert!(false, "an obstacle's range is not free");
                        return None;
                    }
                    live.push(Reverse((o.upper, o.bottom, o.top - o.bottom)));
                }
                _ => break,
            }
        }
        let buffer = &problem.buffers[index];
        let upper = spans.span[index].map_or(lower, |span| span.upper);
        // Obstacles starting while this buffer is live, lowest first.
        conflicts.clear();
        conflicts.extend(
            obstacles[next_obstacle..]
                .iter()
                .take_while(|o| o.lower < upper)
                .map(|o| (o.bottom, o.top)),
        );
        let at = if conflicts.is_empty() {
            free.allocate_clear(buffer.size, buffer.alignment, &[], ALIGNMENT_TRIES)
        } else {
            conflicts.sort_unstable();
            free.allocate_clear(buffer.size, buffer.alignment, &conflicts, FILL_TRIES)
        };
        if at + buffer.size > ceiling {
            over.push(Lifespan::new(lower, upper));
        }
        offsets[index] = at;
        live.push(Reverse((upper, at, buffer.size)));
    }
    Some(Filled { offsets, over })
}

/// The top of the unbounded free block.
const UNBOUNDED: Offset = Offset::MAX;

/// Free memory as disjoint blocks `[lo, hi)`, one of them unbounded: the online pass's free
/// blocks, with a block's neighbours found by hashing its ends rather than in an ordered
/// map (the fill runs a few times over the whole trace, and this is most of its time).
struct Blocks {
    /// `lo -> hi` for every block.
    end_of: HashMap<Offset, Offset, Hash>,
    /// `hi -> lo` for the bounded blocks.
    start_of: HashMap<Offset, Offset, Hash>,
    /// `(hi - lo, lo)` for the bounded blocks: best fit.
    by_size: BTreeSet<(Offset, Offset)>,
    /// Where the unbounded block starts.
    top: Offset,
}

impl Blocks {
    fn new() -> Blocks {
        let mut blocks = Blocks {
            end_of: HashMap::default(),
            start_of: HashMap::default(),
            by_size: BTreeSet::new(),
            top: 0,
        };
        blocks.insert(0, UNBOUNDED);
        blocks
    }

    fn insert(&mut self, lo: Offset, hi: Offset) {
        if lo >= hi {
            return;
        }
        self.end_of.insert(lo, hi);
        if hi == UNBOUNDED {
            self.top = lo;
        } else {
            self.start_of.insert(hi, lo);
            self.by_size.insert((hi - lo, lo));
        }
    }

    fn remove(&mut self, lo: Offset) -> Offset {
        let hi = self.end_of.remove(&lo).unwrap_or(lo);
        if hi != UNBOUNDED {
            self.start_of.remove(&hi);
            self.by_size.remove(&(hi - lo, lo));
        }
        hi
    }

    /// Takes `[at, at + size)` out of the block starting at `lo`.
    fn take(&mut self, lo: Offset, at: Offset, size: Offset) {
        let hi = self.remove(lo);
        self.insert(lo, at);
        self.insert(at + size, hi);
    }

    /// The tightest of the first `tries` bounded blocks with an aligned spot for `size` clear
    /// of every range in `conflicts` (sorted by bottom), else the lowest such spot in the
    /// unbounded block; taken, and returned.
    fn allocate_clear(
        &mut self,
        size: Offset,
        alignment: Offset,
        conflicts: &[(Offset, Offset)],
        tries: usize,
    ) -> Offset {
        let (lo, at) = self
            .by_size
            .range((size, Offset::MIN)..)
            .take(tries)
            .map(|&(block, lo)| (lo, lowest_clear(lo, size, alignment, conflicts), lo + block))
            .find(|&(_, at, hi)| at + size <= hi)
            .map_or_else(
                || (self.top, lowest_clear(self.top, size, alignment, conflicts)),
                |(lo, at, _)| (lo, at),
            );
        self.take(lo, at, size);
        at
    }

    /// Takes `[bottom, top)` out of free memory; `false` (and nothing taken) if it is not
    /// all free. Linear in the blocks: only placed pieces (few) are carved.
    fn carve(&mut self, bottom: Offset, top: Offset) -> bool {
        let block = if self.top <= bottom {
            Some((self.top, UNBOUNDED))
        } else {
            self.by_size
                .iter()
                .map(|&(size, lo)| (lo, lo + size))
                .find(|&(lo, hi)| lo <= bottom && bottom < hi)
        };
        match block {
            Some((lo, hi)) if hi >= top => {
                self.take(lo, bottom, top - bottom);
                true
            }
            _ => false,
        }
    }

    /// Gives `[at, at + size)` back, merged with the free blocks beside it.
    fn free(&mut self, at: Offset, size: Offset) {
        let (mut lo, mut hi) = (at, at + size);
        if let Some(&before) = self.start_of.get(&at) {
            self.remove(before);
            lo = before;
        }
        if self.end_of.contains_key(&hi) {
            hi = self.remove(hi);
        }
        self.insert(lo, hi);
    }
}

/// A fast hash for offsets (no denial-of-service concern here): one multiplication, the
/// well-mixed high bits rotated down, since offsets are often multiples of a power of two.
type Hash = BuildHasherDefault<OffsetHasher>;

#[derive(Default)]
struct OffsetHasher(u64);

impl Hasher for OffsetHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0 ^ value).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn write_i64(&mut self, value: i64) {
        self.write_u64(value as u64);
    }

    fn finish(&self) -> u64 {
        self.0.rotate_left(32)
    }
}

/// The lowest `at >= lo` aligned to `alignment` with `[at, at + size)` clear of every range
/// in `conflicts` (sorted by bottom).
fn lowest_clear(
    lo: Offset,
    size: Offset,
    alignment: Offset,
    conflicts: &[(Offset, Offset)],
) -> Offset {
    let mut at = align_up(lo, alignment);
    for &(bottom, top) in conflicts {
        if top <= at || bottom == top {
            continue;
        }
        if bottom >= at + size {
            break;
        }
        at = align_up(top, alignment);
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Buffer, Solution};
    use crate::validate::validate;

    #[test]
    fn the_fill_keeps_clear_of_placed_pieces_over_their_whole_life() {
        // h is placed at 0..4 from time 3 (after a gap 5..7 in which only its window 2..4 is
        // occupied); f is fixed at 4..6 over 0..10. The cold buffers meet h only after they
        // start: c (0..4, size 4) must not sit at 0..4 although that block is free at 0.
        let problem = Problem::new(
            vec![
                Buffer::new("h", 3, 9, 4).with_gap(5, 7, Some((2, 4))),
                Buffer::new("f", 0, 10, 2).with_offset(4),
                Buffer::new("c", 0, 4, 4),
                Buffer::new("d", 5, 7, 2),
                Buffer::new("e", 9, 10, 4),
            ],
            100,
        );
        let spans = Spans::of(&problem);
        let placed = [Some(0), Some(4), None, None, None];
        let filled = fill(&problem, &spans, &placed, 100, 6, &mut || false).unwrap();
        let solution = Solution::from_offsets(&problem, filled.offsets);
        validate(&problem, &solution).unwrap();
        // c goes above f; d takes the part of h's range its window leaves free; e reuses 0..4.
        assert_eq!(solution.offsets, [0, 4, 6, 0, 0]);
        assert_eq!(filled.over, [Lifespan::new(0, 4)]);
    }

    #[test]
    fn hot_buffers_are_the_ones_live_near_the_peak() {
        let problem = Problem::new(
            vec![
                Buffer::new("a", 0, 2, 10),
                Buffer::new("b", 1, 3, 1),
                Buffer::new("c", 2, 4, 3),
                Buffer::new("d", 4, 6, 2),
                Buffer::new("e", 0, 6, 1).with_offset(20),
            ],
            100,
        );
        let profile = LoadProfile::of(&problem);
        let spans = Spans::of(&problem);
        // Loads 11, 12, 5, 4, 3, 3: the peak 12 at time 1, 0.9 of it reached over 0..2.
        let hot = hot_buffers(&problem, &spans, &profile, 900);
        assert_eq!(hot, [true, true, false, false, false]);
        // 0.3 of it (3.6) over 0..4, a quarter (3) everywhere; fixed buffers are never hot.
        let hot = hot_buffers(&problem, &spans, &profile, 300);
        assert_eq!(hot, [true, true, true, false, false]);
        let hot = hot_buffers(&problem, &spans, &profile, 250);
        assert_eq!(hot, [true, true, true, true, false]);
    }

    #[test]
    fn peaks_validates_and_hears_a_stop() {
        let buffers = (0..3 * STOP_CHECK as i64)
            .map(|i| Buffer::new(format!("b{i}"), i, i + 1 + i % 7, 1 + (i * 37) % 11))
            .collect();
        let problem = Problem::new(buffers, Offset::MAX / 4);
        let offsets = peaks(&problem, 800, problem.capacity, &mut || false).unwrap();
        validate(&problem, &Solution::from_offsets(&problem, offsets)).unwrap();
        let mut asked = 0;
        let stopped = peaks(&problem, 800, problem.capacity, &mut || {
            asked += 1;
            true
        });
        assert_eq!(stopped, None);
        assert!(asked >= 1);
    }
}
