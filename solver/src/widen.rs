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

use crate::model::{Buffer, Gap, Lifespan, Problem};
use crate::params::SolverParams;
use crate::sort::sort_by_i64_key;

/// The most buffer pairs one call looks at (a crowded trace with many gaps could otherwise
/// cost gaps x buffers); past it the problem is left as far as it got, which is still exact.
const MAX_PAIRS: u64 = 1 << 26;

/// Rounds over all gaps: a widening can let another through, rarely more than twice.
const MAX_ROUNDS: usize = 4;

/// The problem the searches and the minimisation work on: `problem` widened when `params`
/// ask for it. A problem that fails its checks is left for the caller to report.
pub(crate) fn widened<'a>(problem: &'a Problem, params: &SolverParams) -> Cow<'a, Problem> {
    let gaps = problem.buffers.iter().any(|b| !b.gaps.is_empty());
    if !params.widen_windows || !gaps || problem.check().is_err() {
        return Cow::Borrowed(problem);
    }
    widen_windows(problem)
}

/// `problem` with every gap narrowed to the instants at which one of its guests is live
/// (the rest of the gap counted in full), or `problem` itself when no gap narrows.
/// Assumes `problem.check()` passed.
pub(crate) fn widen_windows(problem: &Problem) -> Cow<'_, Problem> {
    if problem.buffers.iter().all(|b| b.gaps.is_empty()) {
        return Cow::Borrowed(problem);
    }
    // Buffers by the start of their lifespan, and the longest lifespan: those live during
    // a gap start within that much before it.
    let mut by_start: Vec<usize> = (0..problem.buffers.len()).collect();
    sort_by_i64_key(&mut by_start, |&i| problem.buffers[i].lifespan.lower);
    let starts: Vec<i64> = by_start
        .iter()
        .map(|&i| problem.buffers[i].lifespan.lower)
        .collect();
    let longest = problem
        .buffers
        .iter()
        .map(|b| b.lifespan.width())
        .max()
        .unwrap_or(0);
    let mut buffers: Cow<'_, [Buffer]> = Cow::Borrowed(&problem.buffers);
    let mut pairs = 0u64;
    for _ in 0..MAX_ROUNDS {
        let mut changed = false;
        for host in 0..buffers.len() {
            if buffers[host].gaps.is_empty() || buffers[host].size == 0 {
                continue;
            }
            let mut gaps = Vec::with_capacity(buffers[host].gaps.len());
            for gap in &buffers[host].gaps {
                let time = gap.lifespan;
                let first = starts.partition_point(|&s| s <= time.lower - longest);
                let last = starts.partition_point(|&s| s < time.upper);
                pairs += (last - first) as u64;
                if pairs > MAX_PAIRS {
                    return finish(problem, buffers);
                }
                let guests = by_start[first..last]
                    .iter()
                    .filter(|&&guest| guest != host)
                    .filter_map(|&guest| guest_times(&buffers[host], &buffers[guest], time));
                gaps.extend(narrowed(*gap, guests.flatten().collect()));
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

fn finish<'a>(problem: &'a Problem, buffers: Cow<'a, [Buffer]>) -> Cow<'a, Problem> {
    match buffers {
        Cow::Borrowed(_) => Cow::Borrowed(problem),
        Cow::Owned(buffers) => Cow::Owned(Problem::new(buffers, problem.capacity)),
    }
}

/// When `guest` occupies anything during `gap` of `host`, if it could use `host`'s spare
/// bytes at all: `None` when it is live in full at an instant when `host` is (then it lies
/// wholly above or below `host` in every packing) or never occupies anything in the gap.
fn guest_times(host: &Buffer, guest: &Buffer, gap: Lifespan) -> Option<Vec<Lifespan>> {
    if guest.size == 0 || !guest.lifespan.overlaps(&gap) {
        return None;
    }
    let host_pieces = host.pieces();
    let guest_pieces = guest.pieces();
    let full = |b: &Buffer, p: &crate::model::Piece| p.bottom == 0 && p.top == b.size;
    let apart = host_pieces.iter().filter(|p| full(host, p)).any(|h| {
        guest_pieces
            .iter()
            .any(|g| full(guest, g) && g.time.overlaps(&h.time))
    });
    if apart {
        return None;
    }
    let times: Vec<Lifespan> = guest_pieces
        .iter()
        .map(|p| Lifespan::new(p.time.lower.max(gap.lower), p.time.upper.min(gap.upper)))
        .filter(|t| t.lower < t.upper)
        .collect();
    (!times.is_empty()).then_some(times)
}

/// `gap` cut down to the union of `times` (all within it), each part with its window.
fn narrowed(gap: Gap, mut times: Vec<Lifespan>) -> Vec<Gap> {
    sort_by_i64_key(&mut times, |t| t.lower);
    let mut parts: Vec<Gap> = Vec::new();
    for time in times {
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
fn spare(problem: &Problem) -> crate::model::Offset {
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
        size: crate::model::Offset,
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

    /// Every placement of small random problems within a height: the widened problem's
    /// packings are exactly the original's (so the widening loses none and adds none).
    #[test]
    fn widening_keeps_exactly_the_same_packings() {
        let mut rng = SplitMix(20261204);
        let (mut widened_some, mut spare_counted) = (0, 0);
        for _ in 0..1500 {
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
            let problem = Problem::new(buffers, 6);
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
