//! The peak window probe's problems: the buffers live around the load's peak, packed first
//! on their own, then fixed where they were packed while the fast passes place the rest.
//!
//! On a long trace the greedy passes leave their height at or near the load's peak, where
//! a packing at the bound has no byte free: every buffer live there must stack without a
//! hole. The passes place buffers one by one and leave a few holes there, and the window
//! probe cannot close them afterwards, since the buffers around them are long-lived and
//! cross every window it may take. Here the order is turned round: the buffers live in a
//! window of time around the peak are cut to the window and packed by the exact search at
//! the bound (a problem of a few hundred buffers), then kept there, whole, while the fast
//! passes fill the rest of the trace around them (`huge`, a million buffers, seed 3: 3.0%
//! above the bound by every pass; at the bound with the peak's 187 buffers packed first).
//! The peak stack (`heuristics/stack.rs`) is the same idea at a single instant with a
//! fixed order instead of a search.
//!
//! Cut to the window, two buffers share time there exactly when they share time at all
//! (both meet the window, and intervals that meet pairwise share a point), so the window's
//! packing never clashes when its buffers are restored whole. A packing found this way is a
//! packing of the problem; one not found rules nothing out.

use crate::bounds::LoadProfile;
use crate::model::{Buffer, Lifespan, Offset, Problem, Time};
use crate::sort::sort_pairs;

/// Most local maxima of the load looked at for [`other_peaks`], highest first.
const PEAKS_LOOKED_AT: usize = 64;

/// The buffers live in a window of time, cut to it, as a problem of their own.
#[derive(Debug)]
pub(super) struct PeakWindow {
    /// The buffers cut to the window, capacity the target.
    pub(super) problem: Problem,
    /// Their indices in the original problem, in the window problem's order.
    pub(super) members: Vec<usize>,
}

impl PeakWindow {
    /// The window's buffers whole, not cut to it, with the window problem's capacity.
    pub(super) fn whole(&self, problem: &Problem) -> Problem {
        let buffers = self
            .members
            .iter()
            .map(|&i| problem.buffers[i].clone())
            .collect();
        Problem::new(buffers, self.problem.capacity)
    }

    /// The original problem with the window's buffers fixed, whole, at the offsets of
    /// `offsets` (a packing of the window problem) and capacity `capacity`.
    pub(super) fn pinned(
        &self,
        problem: &Problem,
        offsets: &[Offset],
        capacity: Offset,
    ) -> Problem {
        // Without their names, which no pass reads: on a million buffers, tens of MB.
        let mut buffers: Vec<Buffer> = problem.buffers.iter().map(Buffer::unnamed).collect();
        for (k, &index) in self.members.iter().enumerate() {
            buffers[index].offset = Some(offsets[k]);
        }
        Problem::new(buffers, capacity)
    }
}

/// The buffers that occupy memory during `[peak - half, peak + half]`, cut to that window,
/// with capacity `target`; `None` when the probe does not apply (see [`Neighbourhood`]) or
/// the window holds no buffer or more than `max_items`.
pub(super) fn peak_window(
    problem: &Problem,
    peak: Time,
    half: Time,
    target: Offset,
    max_items: usize,
) -> Option<PeakWindow> {
    Neighbourhood::of(problem, peak, half, max_items)?.window(problem, half, target)
}

/// The buffers nearest an instant in time, nearest first, up to a limit: the windows around
/// it of every width, found with one pass over the trace instead of one for each width.
pub(super) struct Neighbourhood {
    peak: Time,
    /// `(distance, index)` in ascending order: a buffer meets the window of `half` time
    /// units either side of the peak exactly when its distance is at most `half`. Only the
    /// nearest `max_items + 1` buffers that occupy memory: one more shows that a wider window
    /// holds too many.
    nearest: Vec<(Time, i64)>,
    /// How far from the peak buffers were collected: no wider window is known.
    reach: Time,
    max_items: usize,
    /// The distance of the nearest buffer with gaps, whose room changes over its life: no
    /// window may reach it.
    gapped: Time,
}

impl Neighbourhood {
    /// The buffers within `reach` of `peak` (its windows up to that half-width); `None` when
    /// the problem fixes buffers, which pinning must not cross.
    pub(super) fn of(
        problem: &Problem,
        peak: Time,
        reach: Time,
        max_items: usize,
    ) -> Option<Neighbourhood> {
        if problem.buffers.iter().any(|b| b.offset.is_some()) {
            return None;
        }
        let mut gapped = Time::MAX;
        let mut nearest = Vec::new();
        for (index, buffer) in problem.buffers.iter().enumerate() {
            let life = buffer.lifespan;
            if buffer.size == 0 || life.upper <= life.lower {
                continue;
            }
            // It meets [peak - h, peak + h + 1) when lower <= peak + h and upper > peak - h.
            let distance = (life.lower.saturating_sub(peak))
                .max(peak.saturating_add(1).saturating_sub(life.upper))
                .max(0);
            if distance > reach {
                continue;
            }
            if buffer.gaps.is_empty() {
                nearest.push((distance, index as i64));
            } else {
                gapped = gapped.min(distance);
            }
        }
        // The crate's one sort of pairs (`crate::sort`): another instance of the standard
        // sorts would cost the npm package kilobytes.
        sort_pairs(&mut nearest);
        nearest.truncate(max_items + 1);
        // Kept while the windows' fills run: a million buffers' distances are 16 MB.
        nearest.shrink_to_fit();
        Some(Neighbourhood {
            peak,
            nearest,
            reach,
            max_items,
            gapped,
        })
    }

    /// How many buffers the widest window holds, up to one more than the limit.
    pub(super) fn len(&self) -> usize {
        self.nearest.len()
    }

    /// How many buffers the window of `half` time units either side of the peak holds;
    /// `None` where [`Self::window`] has no window.
    pub(super) fn count(&self, half: Time) -> Option<usize> {
        let count = self
            .nearest
            .partition_point(|&(distance, _)| distance <= half);
        let refused =
            half > self.reach || half >= self.gapped || count > self.max_items || count == 0;
        (!refused).then_some(count)
    }

    /// The buffers live within `half` time units of the peak, cut to that window, with
    /// capacity `target`, in the problem's order; `None` when the window reaches a buffer
    /// with gaps, holds no buffer or more than the limit, or is wider than the reach the
    /// neighbourhood was collected with (it would miss buffers).
    pub(super) fn window(
        &self,
        problem: &Problem,
        half: Time,
        target: Offset,
    ) -> Option<PeakWindow> {
        let count = self.count(half)?;
        let mut near: Vec<(i64, i64)> =
            self.nearest[..count].iter().map(|&(_, i)| (i, 0)).collect();
        sort_pairs(&mut near);
        let members: Vec<usize> = near.iter().map(|&(i, _)| i as usize).collect();
        let window = Lifespan::new(
            self.peak.saturating_sub(half),
            self.peak.saturating_add(half).saturating_add(1),
        );
        let buffers = members
            .iter()
            .map(|&index| {
                let buffer = &problem.buffers[index];
                let life = buffer.lifespan;
                Buffer {
                    lifespan: Lifespan::new(
                        life.lower.max(window.lower),
                        life.upper.min(window.upper),
                    ),
                    hint: None,
                    ..buffer.clone()
                }
            })
            .collect();
        Some(PeakWindow {
            problem: Problem::new(buffers, target),
            members,
        })
    }
}

/// Up to `count` instants other than `first` where the load has a local maximum, highest
/// first, each with a column (the buffers live then) of its own: an instant is passed over
/// when more than three quarters of an earlier one's column (`first`'s included) is live
/// at it too,
/// as at the small rises and falls around one peak. Where several instants come close to
/// the peak, which column packed first lets the rest reach the bound is a matter of luck
/// (`huge`, 20,000 buffers, seed 2: the fourth highest, 5% below the peak; the first ends
/// 5.5% above LOAD); these are the other tries.
pub(super) fn other_peaks(
    problem: &Problem,
    profile: &LoadProfile,
    first: Time,
    count: usize,
) -> Vec<Time> {
    let steps = &profile.steps;
    let mut maxima: Vec<(Offset, Time)> = (0..steps.len())
        .filter(|&i| {
            let load = steps[i].1;
            (i == 0 || steps[i - 1].1 < load) && steps.get(i + 1).is_none_or(|s| s.1 < load)
        })
        .map(|i| (-steps[i].1, steps[i].0))
        .filter(|&(_, time)| time != first)
        .collect();
    // Highest first, earlier first among equals (times ascend already: the sort keeps
    // their order). Through the crate's one sort of pairs, as everywhere (`crate::sort`).
    sort_pairs(&mut maxima);
    let live = |b: &Buffer, at: Time| b.size > 0 && b.lifespan.lower <= at && at < b.lifespan.upper;
    let column = |at: Time| -> Vec<usize> {
        (0..problem.buffers.len())
            .filter(|&i| live(&problem.buffers[i], at))
            .collect()
    };
    let mut columns = vec![column(first)];
    let mut picked = Vec::new();
    for &(_, at) in maxima.iter().take(PEAKS_LOOKED_AT) {
        if picked.len() == count {
            break;
        }
        let shared = |c: &Vec<usize>| c.iter().filter(|&&i| live(&problem.buffers[i], at)).count();
        if columns.iter().any(|c| 4 * shared(c) > 3 * c.len()) {
            continue;
        }
        picked.push(at);
        columns.push(column(at));
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Solution;
    use crate::validate::validate;

    fn trace() -> Problem {
        Problem::new(
            vec![
                Buffer::new("early", 0, 4, 3),
                Buffer::new("long", 2, 20, 5),
                Buffer::new("peak", 9, 11, 4),
                Buffer::new("late", 12, 30, 2),
                Buffer::new("empty", 9, 11, 0),
            ],
            100,
        )
    }

    #[test]
    fn cuts_the_buffers_live_in_the_window_to_it() {
        let part = peak_window(&trace(), 10, 1, 9, 10).unwrap();
        assert_eq!(part.members, [1, 2]);
        assert_eq!(part.problem.capacity, 9);
        let spans: Vec<_> = part.problem.buffers.iter().map(|b| b.lifespan).collect();
        assert_eq!(spans, [Lifespan::new(9, 12), Lifespan::new(9, 11)]);
        // A wider window meets `late` too; a limit below its count refuses it.
        assert_eq!(
            peak_window(&trace(), 10, 2, 9, 10).unwrap().members,
            [1, 2, 3]
        );
        assert!(peak_window(&trace(), 10, 2, 9, 2).is_none());
    }

    #[test]
    fn the_neighbourhood_gives_every_window_a_scan_would() {
        // Random traces, some buffers empty, zero-sized or with gaps: for every half-width,
        // the window equals a scan of the whole trace.
        let mut rng = crate::test_rng::SplitMix(20261206);
        for case in 0..300 {
            let count = rng.range(1, 30) as usize;
            let buffers: Vec<Buffer> = (0..count)
                .map(|i| {
                    let lower = rng.range(0, 40);
                    let upper = lower + rng.range(0, 12);
                    let mut buffer = Buffer::new(format!("b{i}"), lower, upper, rng.range(0, 3));
                    if rng.chance(5) && upper > lower + 2 {
                        buffer.gaps = vec![crate::model::Gap {
                            lifespan: Lifespan::new(lower + 1, lower + 2),
                            window: None,
                        }];
                    }
                    buffer
                })
                .collect();
            let problem = Problem::new(buffers, 100);
            let peak = rng.range(0, 50);
            let max_items = rng.range(1, 30) as usize;
            let near = Neighbourhood::of(&problem, peak, Time::MAX, max_items).unwrap();
            let plain = (0..count)
                .filter(|&i| {
                    let b = &problem.buffers[i];
                    b.size > 0 && b.lifespan.lower < b.lifespan.upper && b.gaps.is_empty()
                })
                .count();
            assert_eq!(near.len(), plain.min(max_items + 1), "case {case}");
            for half in 0..60 {
                let meets = |b: &Buffer| {
                    let life = b.lifespan;
                    b.size > 0
                        && life.lower < life.upper
                        && life.lower <= peak + half
                        && life.upper > peak - half
                };
                let members: Vec<usize> =
                    (0..count).filter(|&i| meets(&problem.buffers[i])).collect();
                let gapped = members.iter().any(|&i| !problem.buffers[i].gaps.is_empty());
                let expected = (!members.is_empty() && !gapped && members.len() <= max_items)
                    .then(|| members.clone());
                // Wider than the reach: refused, not a window that misses buffers.
                let short = Neighbourhood::of(&problem, peak, half, max_items).unwrap();
                assert!(short.window(&problem, half + 1, 7).is_none());
                // Reaching only as far as the window, as `peak_window` does, the same.
                let reaching = peak_window(&problem, peak, half, 7, max_items);
                assert_eq!(
                    reaching.map(|w| w.members),
                    expected,
                    "case {case} half {half}"
                );
                let window = near.window(&problem, half, 7);
                assert_eq!(near.count(half), window.as_ref().map(|w| w.members.len()));
                assert_eq!(
                    window.as_ref().map(|w| w.members.clone()),
                    expected,
                    "case {case} half {half}"
                );
                if let Some(window) = window {
                    assert_eq!(window.problem.capacity, 7);
                    for (k, &i) in window.members.iter().enumerate() {
                        let (whole, cut) = (
                            problem.buffers[i].lifespan,
                            window.problem.buffers[k].lifespan,
                        );
                        assert_eq!(cut.lower, whole.lower.max(peak - half));
                        assert_eq!(cut.upper, whole.upper.min(peak + half + 1));
                    }
                }
            }
        }
    }

    #[test]
    fn the_pinned_problem_keeps_the_windows_packing_whole() {
        let problem = trace();
        let part = peak_window(&problem, 10, 2, 11, 10).unwrap();
        let pinned = part.pinned(&problem, &[0, 5, 9], 11);
        let fixed: Vec<_> = pinned.buffers.iter().map(|b| b.offset).collect();
        assert_eq!(fixed, [None, Some(0), Some(5), Some(9), None]);
        // Restored whole, the window's buffers still clash with nothing.
        let solution = Solution::from_offsets(&pinned, vec![5, 0, 5, 9, 0]);
        validate(&pinned, &solution).unwrap();
    }

    #[test]
    fn other_peaks_are_local_maxima_with_columns_of_their_own() {
        // Loads: 4 over [0, 2), 7 at 2, 4 at 3, 11 over [4, 6) (the first peak), 9, then 10
        // at 7 (a small rise after it, mostly the same buffers: passed over), 9, 1, then 6
        // over [10, 12).
        let problem = Problem::new(
            vec![
                Buffer::new("a", 0, 4, 4),
                Buffer::new("b", 2, 3, 3),
                Buffer::new("c", 4, 9, 5),
                Buffer::new("d", 4, 9, 2),
                Buffer::new("e", 4, 9, 1),
                Buffer::new("h", 4, 9, 1),
                Buffer::new("x", 4, 6, 2),
                Buffer::new("y", 7, 8, 1),
                Buffer::new("f", 9, 12, 1),
                Buffer::new("g", 10, 12, 5),
            ],
            100,
        );
        let profile = LoadProfile::of(&problem);
        assert_eq!(profile.peak(), (4, 11));
        // At 7, c, d, e and h (four of the peak's five buffers) are live: passed over.
        assert_eq!(other_peaks(&problem, &profile, 4, 5), [2, 10]);
        assert_eq!(other_peaks(&problem, &profile, 4, 1), [2]);
    }

    #[test]
    fn refuses_fixed_buffers_and_gaps() {
        let mut fixed = trace();
        fixed.buffers[0].offset = Some(0);
        assert!(peak_window(&fixed, 10, 1, 9, 10).is_none());
        let mut gapped = trace();
        gapped.buffers[1].gaps = vec![crate::model::Gap {
            lifespan: Lifespan::new(3, 5),
            window: None,
        }];
        assert!(peak_window(&gapped, 10, 1, 9, 10).is_none());
        // Gaps outside the window's buffers do not matter.
        let mut elsewhere = trace();
        elsewhere.buffers[0].gaps = vec![crate::model::Gap {
            lifespan: Lifespan::new(1, 2),
            window: None,
        }];
        assert!(peak_window(&elsewhere, 10, 1, 9, 10).is_some());
    }
}
