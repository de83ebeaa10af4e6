//! `widen_windows`: a gap's spare bytes count as used when no buffer could use them.
//!
//! During a gap a buffer occupies only its window (or nothing); the rest of its extent,
//! `[offset, offset + size)`, is spare. But a buffer `X` that is live in full at some instant
//! when this buffer `B` is also live in full lies wholly above or below `B`'s extent in every
//! packing (offsets never change), so it cannot use `B`'s spare bytes at any time. Only the
//! other buffers, `B`'s *guests*, can. At the instants of a gap when no guest is live, `B`
//! may as well occupy its whole extent: the packings are exactly the same, and the load
//! (and so the lower bound) rises by the spare bytes. On problem 15029 of the CP-SAT check
//! (18 buffers) the load goes from 88 to 104, against an optimum of 105, and the search no
//! longer has to rule out each of the heights in between.
//!
//! Each widening leaves the set of packings unchanged, so the widened problem can widen
//! further (a buffer that is now full for longer has fewer guests), and so on; the answer
//! for the widened problem is the answer for the original, offsets and all. Problems
//! without gaps are returned as they are, at no cost.

use std::borrow::Cow;

use crate::bounds::{BoundReason, LoadProfile, LowerBound};
use crate::model::{Buffer, Gap, Lifespan, Offset, Problem, ProblemError, Time};
use crate::params::SolverParams;
use crate::sort::sort_pairs;

/// The most buffer pairs one call looks at (a crowded trace with many gaps could otherwise
/// cost gaps x buffers); past it the problem is left as far as it got, which is still exact.
const MAX_PAIRS: u64 = 1 << 24;

/// Rounds over all gaps: a widening can let another through, rarely more than twice.
const MAX_ROUNDS: usize = 4;

/// The problem the searches and the minimisation work on: `problem`, checked
/// ([`Problem::check`]: the one check on the way in, which everything below assumes), and
/// widened when `params` ask for it.
pub(crate) fn widened<'a>(
    problem: &'a Problem,
    params: &SolverParams,
) -> Result<Cow<'a, Problem>, ProblemError> {
    problem.check()?;
    let gaps = problem.buffers.iter().any(|b| !b.gaps.is_empty());
    if !params.widen_windows || !gaps {
        return Ok(Cow::Borrowed(problem));
    }
    Ok(widen_windows(problem))
}

/// `problem` with every gap narrowed to the instants at which one of its guests is live
/// (the rest of the gap counted in full), or `problem` itself when no gap narrows.
/// Assumes `problem.check()` passed.
pub(crate) fn widen_windows(problem: &Problem) -> Cow<'_, Problem> {
    if problem.buffers.iter().all(|b| b.gaps.is_empty()) {
        return Cow::Borrowed(problem);
    }
    let mut guests = Guests::new(&problem.buffers);
    let mut buffers: Cow<'_, [Buffer]> = Cow::Borrowed(&problem.buffers);
    for _ in 0..MAX_ROUNDS {
        let mut changed = false;
        for host in 0..buffers.len() {
            if buffers[host].gaps.is_empty() || buffers[host].size == 0 {
                continue;
            }
            let mut gaps = Vec::with_capacity(buffers[host].gaps.len());
            for gap in &buffers[host].gaps {
                let Some(pieces) = guests.within(&buffers, host, gap.lifespan) else {
                    return finish(problem, buffers);
                };
                gaps.extend(narrowed(*gap, pieces.into_iter().map(|(t, _)| t).collect()));
            }
            if gaps != buffers[host].gaps {
                buffers.to_mut()[host].gaps = gaps;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    finish(problem, buffers)
}

/// `bound` raised, where it can be, by the spare bytes of a gap that its guests cannot
/// fill. At an instant `t` of a gap of buffer `B` (size `s`, window `w`), `B`'s range is
/// whole in memory; only its guests can sit in it, in at most `s - w` bytes, and everything
/// else live at `t` lies outside it. So the height is at least the load at `t` plus
/// `max(0, s - w - G)`, `G` the guests' extent at `t`. (Where no guest is live this is what
/// widening counted already.) `profile` is `problem`'s; `problem` passed its checks.
pub(crate) fn raise_by_spare(
    problem: &Problem,
    profile: &LoadProfile,
    bound: LowerBound,
    params: &SolverParams,
) -> LowerBound {
    if !params.widen_windows || problem.buffers.iter().all(|b| b.gaps.is_empty()) {
        return bound;
    }
    let mut best = bound;
    let mut guests = Guests::new(&problem.buffers);
    for (host, buffer) in problem.buffers.iter().enumerate() {
        for gap in &buffer.gaps {
            let window = gap.window.map_or(0, |w| w.upper - w.lower);
            let spare = buffer.size - window;
            if spare <= 0 || gap.lifespan.lower >= gap.lifespan.upper {
                continue;
            }
            let Some(pieces) = guests.within(&problem.buffers, host, gap.lifespan) else {
                return best;
            };
            // The guests' extent over the gap and the load, both step functions: look at
            // every instant either changes.
            let mut events: Vec<(Time, Offset)> = Vec::with_capacity(2 * pieces.len() + 2);
            for (time, extent) in pieces {
                events.push((time.lower, extent));
                events.push((time.upper, -extent));
            }
            let steps = &profile.steps;
            let first = steps.partition_point(|&(t, _)| t <= gap.lifespan.lower);
            events.push((gap.lifespan.lower, 0));
            events.extend(
                steps[first..]
                    .iter()
                    .take_while(|&&(t, _)| t < gap.lifespan.upper)
                    .map(|&(t, _)| (t, 0)),
            );
            sort_pairs(&mut events);
            let mut held = 0;
            let mut index = 0;
            while index < events.len() {
                let time = events[index].0;
                while index < events.len() && events[index].0 == time {
                    held += events[index].1;
                    index += 1;
                }
                if time >= gap.lifespan.upper {
                    break;
                }
                let load = steps[..steps.partition_point(|&(t, _)| t <= time)]
                    .last()
                    .map_or(0, |&(_, load)| load);
                let height = load + (spare - held).max(0);
                if height > best.height {
                    best = LowerBound {
                        height,
                        load: best.load,
                        reason: BoundReason::Spare { time, index: host },
                    };
                }
            }
        }
    }
    best
}

/// Which buffers may use a host's spare bytes: an index of the buffers by the start of
/// their lifespans (lifespans never change here, only gaps), and the pairs looked at so far.
struct Guests {
    by_start: Vec<usize>,
    starts: Vec<Time>,
    /// The longest lifespan: a buffer live during a gap starts within this before it.
    longest: Time,
    pairs: u64,
}

impl Guests {
    fn new(buffers: &[Buffer]) -> Guests {
        // Plain pairs through the one shared sort (code size in WebAssembly).
        let mut keyed: Vec<(i64, i64)> = buffers
            .iter()
            .enumerate()
            .map(|(i, b)| (b.lifespan.lower, i as i64))
            .collect();
        sort_pairs(&mut keyed);
        let starts = keyed.iter().map(|&(start, _)| start).collect();
        let by_start = keyed.iter().map(|&(_, i)| i as usize).collect();
        let longest = buffers
            .iter()
            .map(|b| b.lifespan.width())
            .max()
            .unwrap_or(0);
        Guests {
            by_start,
            starts,
            longest,
            pairs: 0,
        }
    }

    /// The pieces of `host`'s guests within `gap` (cut to it), with their extents; `None`
    /// once [`MAX_PAIRS`] are spent.
    fn within(
        &mut self,
        buffers: &[Buffer],
        host: usize,
        gap: Lifespan,
    ) -> Option<Vec<(Lifespan, Offset)>> {
        let first = self
            .starts
            .partition_point(|&s| s <= gap.lower - self.longest);
        let last = self.starts.partition_point(|&s| s < gap.upper);
        self.pairs += (last - first) as u64;
        if self.pairs > MAX_PAIRS {
            return None;
        }
        let host_full = full_times(&buffers[host]);
        let mut pieces = Vec::new();
        for &guest in &self.by_start[first..last] {
            let buffer = &buffers[guest];
            if guest == host || buffer.size == 0 || !buffer.lifespan.overlaps(&gap) {
                continue;
            }
            // Live in full beside the host: wholly above or below it in every packing.
            let apart = full_times(buffer)
                .iter()
                .any(|g| host_full.iter().any(|h| g.overlaps(h)));
            if apart {
                continue;
            }
            for piece in buffer.pieces() {
                let time = Lifespan::new(
                    piece.time.lower.max(gap.lower),
                    piece.time.upper.min(gap.upper),
                );
                if time.lower < time.upper {
                    pieces.push((time, piece.top - piece.bottom));
                }
            }
        }
        Some(pieces)
    }
}

/// When `buffer` occupies its whole range.
fn full_times(buffer: &Buffer) -> Vec<Lifespan> {
    if buffer.gaps.is_empty() {
        return vec![buffer.lifespan];
    }
    buffer
        .pieces()
        .into_iter()
        .filter(|p| p.bottom == 0 && p.top == buffer.size)
        .map(|p| p.time)
        .collect()
}

fn finish<'a>(problem: &'a Problem, buffers: Cow<'a, [Buffer]>) -> Cow<'a, Problem> {
    match buffers {
        Cow::Borrowed(_) => Cow::Borrowed(problem),
        Cow::Owned(buffers) => Cow::Owned(Problem::new(buffers, problem.capacity)),
    }
}

/// `gap` cut down to the union of `times` (all within it), each part with its window.
fn narrowed(gap: Gap, times: Vec<Lifespan>) -> Vec<Gap> {
    let mut times: Vec<(i64, i64)> = times.iter().map(|t| (t.lower, t.upper)).collect();
    sort_pairs(&mut times);
    let mut parts: Vec<Gap> = Vec::new();
    for (lower, upper) in times {
        let time = Lifespan::new(lower, upper);
        match parts.last_mut() {
            Some(last) if time.lower <= last.lifespan.upper => {
                last.lifespan.upper = last.lifespan.upper.max(time.upper);
            }
            _ => parts.push(Gap {
                lifespan: time,
                window: gap.window,
            }),
        }
    }
    parts
}

/// The spare bytes the widening counted in full: the load of `widened` above `problem`'s at
/// no instant is negative, and this is what a test can check against brute force.
#[cfg(test)]
fn spare(problem: &Problem) -> Offset {
    problem
        .buffers
        .iter()
        .flat_map(|b| b.pieces().into_iter().map(move |p| (b, p)))
        .map(|(b, p)| (b.size - (p.top - p.bottom)) * p.time.width())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Window;
    use crate::test_rng::SplitMix;

    fn gapped(
        id: &str,
        life: (i64, i64),
        size: Offset,
        gap: (i64, i64),
        window: Option<(i64, i64)>,
    ) -> Buffer {
        let mut buffer = Buffer::new(id, life.0, life.1, size);
        buffer.gaps.push(Gap {
            lifespan: Lifespan::new(gap.0, gap.1),
            window: window.map(|(lower, upper)| Window { lower, upper }),
        });
        buffer
    }

    #[test]
    fn a_gap_no_guest_can_use_is_counted_in_full() {
        // `inner` lives inside the host's gap: it may use the spare bytes, but only at 3..5.
        // `long` is live in full beside the host before the gap: never a guest.
        let problem = Problem::new(
            vec![
                gapped("host", (0, 10), 8, (2, 8), Some((2, 4))),
                Buffer::new("long", 1, 9, 5),
                Buffer::new("inner", 3, 5, 6),
            ],
            100,
        );
        let widened = widen_windows(&problem);
        assert_eq!(
            widened.buffers[0].gaps,
            vec![Gap {
                lifespan: Lifespan::new(3, 5),
                window: Some(Window { lower: 2, upper: 4 })
            }]
        );
        assert_eq!(&widened.buffers[1..], &problem.buffers[1..]);
        // Without `inner` the gap goes altogether.
        let alone = Problem::new(problem.buffers[..2].to_vec(), 100);
        assert!(widen_windows(&alone).buffers[0].gaps.is_empty());
    }

    #[test]
    fn problems_without_gaps_are_borrowed() {
        let problem = Problem::new(vec![Buffer::new("a", 0, 2, 3)], 10);
        assert!(matches!(widen_windows(&problem), Cow::Borrowed(_)));
    }

    /// A small random problem: 2-4 buffers over 0..10, sizes 1-3, gaps (some windowed) on
    /// about half of those that live three instants or more.
    fn random_problem(rng: &mut SplitMix) -> Problem {
        let count = rng.range(2, 4) as usize;
        let buffers: Vec<Buffer> = (0..count)
            .map(|i| {
                let lower = rng.range(0, 5);
                let upper = lower + rng.range(1, 5);
                let size = rng.range(1, 3);
                let mut buffer = Buffer::new(format!("b{i}"), lower, upper, size);
                if upper - lower >= 3 && rng.chance(60) {
                    let gap_lower = rng.range(lower + 1, upper - 1);
                    let gap_upper = rng.range(gap_lower + 1, upper);
                    let window = (size >= 2 && rng.chance(50)).then(|| {
                        let w = rng.range(0, size - 1);
                        Window {
                            lower: w,
                            upper: rng.range(w + 1, size),
                        }
                    });
                    buffer.gaps.push(Gap {
                        lifespan: Lifespan::new(gap_lower, gap_upper),
                        window,
                    });
                }
                buffer
            })
            .collect();
        let total = buffers.iter().map(|b| b.size).sum();
        Problem::new(buffers, total)
    }

    /// A host with a gap (windowed or empty), a buffer inside the gap (its guest)
    /// and two live beside it in full, one before the gap and on into it, one from within it
    /// to after it: where the spare bound has something to count.
    fn spare_problem(rng: &mut SplitMix) -> Problem {
        let size = rng.range(2, 4);
        let mut host = Buffer::new("host", 0, 6, size);
        let window = rng.chance(50).then(|| {
            let w = rng.range(0, size - 1);
            Window {
                lower: w,
                upper: rng.range(w + 1, size),
            }
        });
        host.gaps.push(Gap {
            lifespan: Lifespan::new(1, 5),
            window,
        });
        let mut buffers = vec![host];
        for i in 0..rng.range(1, 2) {
            let lower = rng.range(1, 4);
            let upper = rng.range(lower + 1, 5);
            buffers.push(Buffer::new(
                format!("guest{i}"),
                lower,
                upper,
                rng.range(1, 2),
            ));
        }
        buffers.push(Buffer::new("beside", 0, rng.range(2, 5), rng.range(1, 2)));
        buffers.push(Buffer::new("after", rng.range(2, 4), 6, rng.range(1, 2)));
        let total = buffers.iter().map(|b| b.size).sum();
        Problem::new(buffers, total)
    }

    /// The spare bound (on the widened problem, as the solver uses it) is never above the
    /// lowest height of any packing, found by trying every placement; and it does rise
    /// above the load.
    #[test]
    fn the_spare_bound_is_never_above_the_optimum() {
        let mut rng = SplitMix(4122026);
        let (mut raised_some, mut tight) = (0, 0);
        for round in 0..400 {
            let problem = if round % 2 == 0 {
                random_problem(&mut rng)
            } else {
                spare_problem(&mut rng)
            };
            problem.check().expect("a well-formed problem");
            let widened = widen_windows(&problem).into_owned();
            let profile = LoadProfile::of(&widened);
            let bound = LowerBound::from_profile(&widened, &profile);
            let raised =
                raise_by_spare(&widened, &profile, bound.clone(), &SolverParams::default());
            let count = problem.buffers.len();
            let most: Vec<Offset> = problem
                .buffers
                .iter()
                .map(|b| problem.capacity - b.size)
                .collect();
            let mut offsets = vec![0; count];
            let mut optimum = Offset::MAX;
            loop {
                let solution = crate::model::Solution::from_offsets(&problem, offsets.clone());
                if crate::validate::validate(&problem, &solution).is_ok() {
                    optimum = optimum.min(solution.height);
                }
                let Some(i) = (0..count).find(|&i| offsets[i] < most[i]) else {
                    break;
                };
                offsets[i] += 1;
                offsets[..i].iter_mut().for_each(|o| *o = 0);
            }
            assert!(
                raised.height <= optimum,
                "{problem:?}: {raised:?} above {optimum}"
            );
            if raised.height > bound.height {
                raised_some += 1;
                tight += usize::from(raised.height == optimum);
            }
        }
        assert!(raised_some > 20, "{raised_some} bounds raised");
        assert!(tight > 10, "{tight} of them optimal");
    }

    /// Every placement of small random problems within a height: the widened problem's
    /// packings are exactly the original's (so the widening loses none and adds none).
    #[test]
    fn widening_keeps_exactly_the_same_packings() {
        let mut rng = SplitMix(20261204);
        let (mut widened_some, mut spare_counted) = (0, 0);
        for _ in 0..1500 {
            // The same draws as `random_problem`, placed in 6 units.
            let mut problem = random_problem(&mut rng);
            problem.capacity = 6;
            let count = problem.buffers.len();
            problem.check().expect("a well-formed problem");
            let widened = widen_windows(&problem);
            widened.check().expect("the widened problem is well formed");
            if widened.buffers != problem.buffers {
                widened_some += 1;
                spare_counted += spare(&problem) - spare(&widened);
            }
            let mut offsets = vec![0; count];
            loop {
                let solution = crate::model::Solution::from_offsets(&problem, offsets.clone());
                let before = crate::validate::validate(&problem, &solution).is_ok();
                let after = crate::validate::validate(&widened, &solution).is_ok();
                assert_eq!(before, after, "{problem:?} at {offsets:?}");
                // The next placement, offsets 0..6 each.
                let Some(i) = offsets.iter().position(|&o| o < 5) else {
                    break;
                };
                offsets[i] += 1;
                offsets[..i].iter_mut().for_each(|o| *o = 0);
            }
        }
        // The test means something only if gaps were narrowed.
        assert!(widened_some > 200, "{widened_some} problems widened");
        assert!(spare_counted > 0);
    }
}
