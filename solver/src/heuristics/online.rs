//! The online pass (the start-order sweep of `fill.rs` with only the fixed buffers placed),
//! and what the sweeps read of the buffers ([`Spans`]) and spend ([`Budget`]).

use super::fill::fill;
use super::STOP_CHECK;
use crate::model::{Lifespan, Offset, Problem, Time};
use crate::sort::{refine, sort_pairs};

/// Offsets for every buffer of `problem` with `offset + size <= limit`, or `None` when the
/// sweep needs more or `stop` (asked every few thousand buffers) says to give up: the fill
/// with only the fixed buffers placed. Assumes `problem.check()` passed and fixed buffers do
/// not clash.
pub(crate) fn online_best_fit(
    problem: &Problem,
    limit: Offset,
    stop: &mut dyn FnMut() -> bool,
) -> Option<Vec<Offset>> {
    plain_fill(problem, &Spans::of(problem), limit, stop)
}

/// [`online_best_fit`] over `spans` (the peaks pass has them already).
pub(super) fn plain_fill(
    problem: &Problem,
    spans: &Spans,
    limit: Offset,
    stop: &mut dyn FnMut() -> bool,
) -> Option<Vec<Offset>> {
    let placed: Vec<Option<Offset>> = problem.buffers.iter().map(|b| b.offset).collect();
    let mut budget = Budget::new(u64::MAX, stop);
    Some(fill(problem, spans, &placed, limit, None, &mut budget)?.offsets)
}

/// Each buffer's occupied span, from its first piece's start to its last piece's end
/// (`None` for a buffer with no pieces), and the movable ones that have one in the order
/// the fill meets them: by start, larger first among those starting together.
pub(super) struct Spans {
    pub(super) span: Vec<Option<Lifespan>>,
    pub(super) starts: Vec<u32>,
    /// The same buffers by the end of their span: when the fill frees them.
    pub(super) ends: Vec<u32>,
    /// Each buffer's size, and the fixed buffers in order: with `span`, all that the peaks
    /// pass's rounds read of every buffer. Apart from the buffers (112 bytes each), a pass
    /// over them all reads a tenth of the memory (a million-buffer `huge` trace: a few
    /// hundredths of a second a round). (The fill's reads in start order, from the buffers
    /// or from arrays like these, cost the same.)
    pub(super) sizes: Vec<Offset>,
    /// Each buffer's alignment: with `sizes`, what the fill reads of a buffer it places.
    pub(super) alignments: Vec<Offset>,
    pub(super) fixed: Vec<u32>,
}

impl Spans {
    pub(super) fn of(problem: &Problem) -> Spans {
        let count = problem.buffers.len();
        let mut span: Vec<Option<Lifespan>> = Vec::with_capacity(count);
        let mut sizes: Vec<Offset> = Vec::with_capacity(count);
        let mut alignments: Vec<Offset> = Vec::with_capacity(count);
        let mut fixed: Vec<u32> = Vec::new();
        let mut starts: Vec<u32> = Vec::with_capacity(count);
        // One pass over the buffers.
        for (b, buffer) in problem.buffers.iter().enumerate() {
            let occupied = buffer.occupied_span();
            if buffer.offset.is_some() {
                fixed.push(b as u32);
            } else if occupied.is_some() {
                starts.push(b as u32);
            }
            span.push(occupied);
            sizes.push(buffer.size);
            alignments.push(buffer.alignment);
        }
        by_start_then_larger(&mut starts, &span, &sizes);
        let upper: Vec<Time> = span.iter().map(|s| s.map_or(0, |s| s.upper)).collect();
        let mut ends = starts.clone();
        refine(&upper, &mut ends);
        Spans {
            span,
            starts,
            ends,
            sizes,
            alignments,
            fixed,
        }
    }

    /// Each buffer's span if it is movable and has one (`None` for the fixed ones), in
    /// buffer order.
    pub(super) fn movable(&self) -> impl Iterator<Item = Option<Lifespan>> + '_ {
        let mut fixed = self.fixed.iter().peekable();
        self.span
            .iter()
            .enumerate()
            .map(move |(b, &span)| match fixed.next_if_eq(&&(b as u32)) {
                Some(_) => None,
                None => span,
            })
    }

    /// The height `offsets` (one per buffer) reach: `model::height_of`, from `sizes`.
    pub(super) fn height_of(&self, offsets: &[Offset]) -> Offset {
        self.sizes
            .iter()
            .zip(offsets)
            .map(|(size, offset)| offset + size)
            .max()
            .unwrap_or(0)
    }

    /// The span of buffer `b`, one that has one.
    pub(super) fn of_buffer(&self, b: u32) -> Lifespan {
        self.span[b as usize].unwrap_or(Lifespan::new(0, 0))
    }
}

/// Sorts `starts` (buffers with a span, ascending) by (start, -size, index). Where the
/// start's range and the largest size fit in 62 bits together, one sort of the two packed
/// into one key, which needs no gathers by index; else by size, then stably by start.
/// (At a million buffers the two sorts were a twentieth of a minimisation.)
fn by_start_then_larger(starts: &mut [u32], span: &[Option<Lifespan>], sizes: &[Offset]) {
    let lower = |b: u32| span[b as usize].map_or(0, |s| s.lower);
    if in_start_order(starts, &lower) {
        // Buffers read in start order, as traces often come: only the buffers starting
        // together need ordering, larger first, a handful each, by insertion (stable). (At a
        // million buffers the sort was half of building the spans.)
        for run in starts.chunk_by_mut(|&a, &b| lower(a) == lower(b)) {
            for i in 1..run.len() {
                let mut at = i;
                while at > 0 && sizes[run[at - 1] as usize] < sizes[run[at] as usize] {
                    run.swap(at - 1, at);
                    at -= 1;
                }
            }
        }
        return;
    }
    let (mut first, mut last, mut largest) = (Time::MAX, Time::MIN, 0);
    for &b in starts.iter() {
        first = first.min(lower(b));
        last = last.max(lower(b));
        largest = largest.max(sizes[b as usize]);
    }
    let bits = |value: u64| u64::BITS - value.leading_zeros();
    let size_bits = bits(largest as u64);
    if starts.is_empty() || bits(last.abs_diff(first)) + size_bits > 62 {
        let negated: Vec<i64> = sizes.iter().map(|&size| -size).collect();
        refine(&negated, starts);
        let lowers: Vec<Time> = span.iter().map(|s| s.map_or(0, |s| s.lower)).collect();
        refine(&lowers, starts);
        return;
    }
    // Indices ascend in `starts`, so equal keys keep them in order (the sort is stable).
    let mut keyed: Vec<(i64, i64)> = starts
        .iter()
        .map(|&b| {
            let start = (lower(b) - first) as u64;
            let smaller = (largest - sizes[b as usize]) as u64;
            ((start << size_bits | smaller) as i64, i64::from(b))
        })
        .collect();
    sort_pairs(&mut keyed);
    for (slot, &(_, b)) in starts.iter_mut().zip(&keyed) {
        *slot = b as u32;
    }
}

/// The longest run of buffers starting together that [`by_start_then_larger`] orders by
/// insertion; past it, by the sort.
const RUN_MAX: usize = 32;

/// Whether `starts` ascend by start already, with at most [`RUN_MAX`] starting together.
fn in_start_order(starts: &[u32], lower: &impl Fn(u32) -> Time) -> bool {
    let mut run = 1;
    for pair in starts.windows(2) {
        let (a, b) = (lower(pair[0]), lower(pair[1]));
        run = if a == b { run + 1 } else { 1 };
        if a > b || run > RUN_MAX {
            return false;
        }
    }
    true
}

/// A peaks pass's work budget, and the caller's stop asked once per [`STOP_CHECK`] units.
pub(super) struct Budget<'s> {
    left: u64,
    unchecked: u64,
    stop: &'s mut dyn FnMut() -> bool,
    /// The caller's stop is not asked yet: the pass must first have an answer (see
    /// [`Budget::held`]).
    held: bool,
    /// The budget is spent or the caller said to stop.
    pub(super) stopped: bool,
    /// The caller said to stop.
    pub(super) interrupted: bool,
}

impl<'s> Budget<'s> {
    pub(super) fn new(units: u64, stop: &'s mut dyn FnMut() -> bool) -> Budget<'s> {
        Budget {
            left: units,
            unchecked: 0,
            stop,
            held: false,
            stopped: false,
            interrupted: false,
        }
    }

    /// A budget whose caller's stop is not asked until [`Budget::release`]: for a pass that
    /// must answer (a minimisation's lead), yet need not finish improving on its answer.
    pub(super) fn held(units: u64, stop: &'s mut dyn FnMut() -> bool) -> Budget<'s> {
        Budget {
            held: true,
            ..Budget::new(units, stop)
        }
    }

    /// From now on the caller's stop is asked: the pass has an answer in hand.
    pub(super) fn release(&mut self) {
        self.held = false;
    }

    /// Asks the caller's stop now, whatever the units spent: for work counted elsewhere (a
    /// part handed to the caller's packer). Once true, always true.
    pub(super) fn ask_stop(&mut self) -> bool {
        if !self.stopped && !self.held && (self.stop)() {
            self.stopped = true;
            self.interrupted = true;
        }
        self.stopped
    }

    /// The caller's stop, for a pass that gives way to another when its budget ran out;
    /// `None` while held (the pass that gives way must answer too).
    pub(super) fn into_stop(self) -> Option<&'s mut dyn FnMut() -> bool> {
        (!self.held).then_some(self.stop)
    }

    /// Spends `units` of work: true when the pass must stop (the budget is spent, or the
    /// caller said so). Once true, always true.
    pub(super) fn spend(&mut self, units: u64) -> bool {
        if self.stopped {
            return true;
        }
        self.left = self.left.saturating_sub(units);
        self.unchecked += units;
        if self.left == 0 {
            self.stopped = true;
        } else if self.unchecked >= u64::from(STOP_CHECK) {
            self.unchecked = 0;
            self.interrupted = !self.held && (self.stop)();
            self.stopped = self.interrupted;
        }
        self.stopped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Buffer, Solution};
    use crate::validate::validate;

    #[test]
    fn buffers_read_in_start_order_are_ordered_as_the_sort_orders_them() {
        // In start order with runs that start together (some longer than RUN_MAX, which
        // take the sort), and shuffled: (start, larger first, index) every time.
        let mut rng = crate::test_rng::SplitMix(20261206);
        for case in 0..60 {
            let count = rng.range(1, 400) as usize;
            let longest = [1, 4, RUN_MAX as i64, RUN_MAX as i64 + 3][case % 4];
            let mut lower = 0;
            let mut buffers = Vec::new();
            while buffers.len() < count {
                lower += rng.range(0, 3);
                for _ in 0..rng.range(1, longest + 1) {
                    let size = rng.range(1, 6);
                    let upper = lower + rng.range(1, 9);
                    buffers.push(Buffer::new(
                        format!("b{}", buffers.len()),
                        lower,
                        upper,
                        size,
                    ));
                }
            }
            if case % 5 == 4 {
                let last = buffers.len() - 1;
                buffers.swap(0, last);
            }
            let problem = Problem::new(buffers, 1000);
            let spans = Spans::of(&problem);
            let mut expected: Vec<u32> = (0..problem.buffers.len() as u32).collect();
            let key = |b: u32| {
                let buffer = &problem.buffers[b as usize];
                (buffer.lifespan.lower, -buffer.size, b)
            };
            expected.sort_by_key(|&b| key(b));
            assert_eq!(spans.starts, expected, "case {case}");
        }
    }

    #[test]
    fn spans_read_what_the_buffers_say() {
        // Fixed buffers first, between and last; one with a gap, one of size 0, one never
        // live.
        let problem = Problem::new(
            vec![
                Buffer::new("f0", 0, 3, 2).with_offset(4),
                Buffer::new("a", 1, 9, 3).with_gap(2, 4, None),
                Buffer::new("empty", 2, 5, 0),
                Buffer::new("f1", 2, 6, 1).with_offset(0),
                Buffer::new("never", 4, 4, 7),
                Buffer::new("b", 0, 2, 5),
                Buffer::new("f2", 7, 8, 3).with_offset(9),
            ],
            100,
        );
        let spans = Spans::of(&problem);
        let movable: Vec<Option<Lifespan>> = problem
            .buffers
            .iter()
            .map(|b| b.occupied_span().filter(|_| b.offset.is_none()))
            .collect();
        assert_eq!(spans.movable().collect::<Vec<_>>(), movable);
        assert_eq!(spans.fixed, [0, 3, 6]);
        for offsets in [vec![0; 7], vec![4, 0, 95, 0, 93, 10, 9]] {
            let height = crate::model::height_of(&problem, &offsets);
            assert_eq!(spans.height_of(&offsets), height);
        }
    }

    #[test]
    fn buffers_go_by_start_then_larger_whether_the_keys_pack_or_not() {
        // Against the two stable sorts, on spans and sizes narrow enough to pack into one
        // key and wide enough not to (times near the magnitude limit), with many ties.
        let mut rng = crate::test_rng::SplitMix(20261206);
        for case in 0..200 {
            let count = rng.range(0, 40) as usize;
            let (base, spread, largest) = match case % 3 {
                0 => (0, 10, 8),
                1 => (-1000, 100_000, 1 << 40),
                _ => (-(1 << 52), 1 << 53, 1 << 20),
            };
            let span: Vec<Option<Lifespan>> = (0..count)
                .map(|_| {
                    let lower = base + rng.range(0, spread);
                    (rng.below(5) > 0).then(|| Lifespan::new(lower, lower + 1))
                })
                .collect();
            let sizes: Vec<Offset> = (0..count).map(|_| rng.range(1, largest)).collect();
            let mut starts: Vec<u32> = (0..count as u32)
                .filter(|&b| span[b as usize].is_some())
                .collect();
            let mut expected = starts.clone();
            let negated: Vec<i64> = sizes.iter().map(|&size| -size).collect();
            refine(&negated, &mut expected);
            let lowers: Vec<Time> = span.iter().map(|s| s.map_or(0, |s| s.lower)).collect();
            refine(&lowers, &mut expected);
            by_start_then_larger(&mut starts, &span, &sizes);
            assert_eq!(starts, expected, "case {case}");
        }
    }

    #[test]
    fn reuses_freed_blocks_and_avoids_fixed_ranges() {
        let problem = Problem::new(
            vec![
                Buffer::new("a", 0, 2, 4),
                Buffer::new("b", 0, 5, 2),
                Buffer::new("c", 2, 4, 3),
                Buffer::new("f", 0, 9, 2).with_offset(3),
                Buffer::new("d", 4, 6, 8).with_alignment(4),
            ],
            100,
        );
        let offsets = online_best_fit(&problem, 100, &mut || false).unwrap();
        let solution = Solution::from_offsets(&problem, offsets);
        validate(&problem, &solution).unwrap();
        // f holds [3, 5) throughout: a takes [5, 9), b [0, 2); c reuses a's block; d
        // (aligned to 4, starting when only b is live) goes above f's range at 8.
        assert_eq!(solution.offsets, [5, 0, 5, 3, 8]);
        assert_eq!(online_best_fit(&problem, 15, &mut || false), None);
        // A fixed buffer holds its range only while it is live: f from time 8 leaves [0, 4)
        // to a, b takes [4, 6), c reuses a's block and d goes to 8 as before.
        let mut later = problem.clone();
        later.buffers[3] = Buffer::new("f", 8, 9, 2).with_offset(3);
        let offsets = online_best_fit(&later, 100, &mut || false).unwrap();
        validate(&later, &Solution::from_offsets(&later, offsets.clone())).unwrap();
        assert_eq!(offsets, [0, 4, 0, 3, 8]);
    }

    #[test]
    fn a_stop_is_heard_every_few_thousand_buffers() {
        let buffers = (0..3 * STOP_CHECK as i64)
            .map(|i| Buffer::new(format!("b{i}"), i, i + 3, 1))
            .collect();
        let problem = Problem::new(buffers, 100);
        let mut asked = 0;
        let stopped = online_best_fit(&problem, 100, &mut || {
            asked += 1;
            asked == 2
        });
        assert_eq!((stopped, asked), (None, 2));
        assert!(online_best_fit(&problem, 100, &mut || false).is_some());
    }
}
