//! Lower bounds on the height of any packing, and the load profile they come from.
//!
//! At any instant the pieces live then occupy disjoint address ranges below the height, so
//! the height is at least the sum of their extents: the *load*. Its maximum over time,
//! LOAD, is the classic bound. Two more facts are free: every buffer (even one that is never
//! live) needs `[offset, offset + size)` to exist, so the height is at least its size; and a
//! fixed buffer ends exactly at `offset + size`. The bound is the largest of the three.
//!
//! Everything here is one sort of the piece endpoints (or, where the times are dense, one
//! pass summing them by time): O(n log n), no pairwise work.

use crate::model::{Offset, Problem, Time};
use crate::sort::sort_pairs;

/// The total extent of the pieces live over time, as a step function.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadProfile {
    /// `(time, load)`: the load from `time` until the next step's time. The last step has
    /// load 0; consecutive steps have different loads. Empty when nothing is ever live.
    pub steps: Vec<(Time, Offset)>,
}

/// The load's steps from `events` (`(time, change)`, in any order): at each time its
/// changes summed, a step where the sum moves the load.
///
/// Where the times are dense (a trace whose every instant sees events, as long ones do)
/// the changes are summed into an array indexed by time, one pass with no sort: at a million
/// buffers (`huge`) the radix sort of two million events took 0.05-0.08 s, the array 0.01 s.
/// Otherwise they are sorted.
fn steps_of(mut events: Vec<(Time, Offset)>) -> Vec<(Time, Offset)> {
    let mut steps: Vec<(Time, Offset)> = Vec::new();
    let (Some(first), Some(last)) = (
        events.iter().map(|e| e.0).min(),
        events.iter().map(|e| e.0).max(),
    ) else {
        return steps;
    };
    let span = (last - first) as u64 + 1;
    let mut load: Offset = 0;
    if span <= DENSE_TIMES * events.len() as u64 {
        let mut change = vec![0 as Offset; span as usize];
        for &(time, delta) in &events {
            change[(time - first) as usize] += delta;
        }
        // A time without events changes nothing, so it makes no step.
        for (at, &delta) in change.iter().enumerate() {
            load += delta;
            if steps.last().map(|&(_, last)| last) != Some(load) {
                steps.push((first + at as Time, load));
            }
        }
        return steps;
    }
    // Only the time matters: a time's changes are summed.
    sort_pairs(&mut events);
    let mut index = 0;
    while index < events.len() {
        let time = events[index].0;
        while index < events.len() && events[index].0 == time {
            load += events[index].1;
            index += 1;
        }
        if steps.last().map(|&(_, last)| last) != Some(load) {
            steps.push((time, load));
        }
    }
    steps
}

/// [`steps_of`] sums into an array when the times span at most this many per event (the
/// array is then at most the events' size).
const DENSE_TIMES: u64 = 1;

impl LoadProfile {
    /// The profile of `problem`: every buffer's pieces, fixed buffers included.
    /// Assumes `problem.check()` passed.
    pub fn of(problem: &Problem) -> LoadProfile {
        let mut events: Vec<(Time, Offset)> = Vec::with_capacity(2 * problem.buffers.len());
        for buffer in &problem.buffers {
            // Without gaps the one piece is the lifespan: no allocation per buffer.
            if buffer.gaps.is_empty() {
                let life = buffer.lifespan;
                if life.lower < life.upper && buffer.size > 0 {
                    events.push((life.lower, buffer.size));
                    events.push((life.upper, -buffer.size));
                }
                continue;
            }
            for piece in buffer.pieces() {
                let extent = piece.top - piece.bottom;
                events.push((piece.time.lower, extent));
                events.push((piece.time.upper, -extent));
            }
        }
        LoadProfile {
            steps: steps_of(events),
        }
    }

    /// The highest load and the first time it is reached; `(0, 0)` when nothing is live.
    pub fn peak(&self) -> (Time, Offset) {
        self.steps
            .iter()
            .copied()
            .fold(None, |best: Option<(Time, Offset)>, step| match best {
                Some(best) if best.1 >= step.1 => Some(best),
                _ => Some(step),
            })
            .map_or((0, 0), |peak| peak)
    }
}

/// A proven lower bound on the height of every packing, with where it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LowerBound {
    /// The bound: no packing has a smaller height.
    pub height: Offset,
    /// The largest load over time (LOAD).
    pub load: Offset,
    /// Why the bound holds.
    pub reason: BoundReason,
}

/// The fact a [`LowerBound`] rests on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BoundReason {
    /// The pieces live at `time` add up to the bound.
    Load {
        /// The first instant at which the load is highest.
        time: Time,
    },
    /// One buffer alone reaches the bound: its size, or its fixed offset plus size.
    Buffer {
        /// Index of the buffer in the problem.
        index: usize,
    },
    /// The exact search visited every packing of height `bound - 1` and found none.
    Exhausted,
    /// With `widen_windows`: at `time`, in a gap of the buffer at `index`, its range is whole
    /// in memory and only its guests (buffers never live in full while it is) can use the
    /// bytes outside its window; the load then, plus the spare bytes they cannot fill, is
    /// the bound (`widen.rs`).
    Spare {
        /// The instant.
        time: Time,
        /// Index of the buffer in the problem.
        index: usize,
    },
}

impl LowerBound {
    /// The bound of `problem` (whose capacity plays no part). Assumes `problem.check()`
    /// passed.
    pub fn of(problem: &Problem) -> LowerBound {
        LowerBound::from_profile(problem, &LoadProfile::of(problem))
    }

    /// The bound of `problem` when its profile is already at hand.
    pub fn from_profile(problem: &Problem, profile: &LoadProfile) -> LowerBound {
        let (time, load) = profile.peak();
        let mut bound = LowerBound {
            height: load,
            load,
            reason: BoundReason::Load { time },
        };
        // A single buffer that reaches the bound is the more telling reason, so it wins ties.
        for (index, buffer) in problem.buffers.iter().enumerate() {
            let end = buffer.offset.unwrap_or(0) + buffer.size;
            if end > 0 && end >= bound.height {
                bound.height = end;
                bound.reason = BoundReason::Buffer { index };
            }
        }
        bound
    }
}

/// `100 * (height - bound) / bound`: how far a height may be above the optimum, in percent
/// of the bound. 0 when the bound is 0 (then every height is 0 as well).
pub fn gap_percent(height: Offset, bound: Offset) -> f64 {
    if bound <= 0 {
        return 0.0;
    }
    100.0 * (height - bound).max(0) as f64 / bound as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Buffer;

    #[test]
    fn steps_are_the_same_summed_by_time_or_sorted() {
        // Events at dense times (summed into an array) and spread ones (sorted), including
        // times whose changes cancel: both give the steps a plain ordered map gives.
        let mut rng = crate::test_rng::SplitMix(7);
        for spread in [1, 3, 1_000_000_007] {
            let mut events = Vec::new();
            for _ in 0..5000 {
                let (time, size) = (rng.range(0, 1999) * spread - 9000, rng.range(1, 50));
                let end = time + rng.range(1, 30) * spread;
                events.extend([(time, size), (end, -size)]);
            }
            let mut by_time = std::collections::BTreeMap::new();
            for &(time, delta) in &events {
                *by_time.entry(time).or_insert(0) += delta;
            }
            let mut expected: Vec<(Time, Offset)> = Vec::new();
            let mut load = 0;
            for (time, delta) in by_time {
                load += delta;
                if expected.last().map(|&(_, last)| last) != Some(load) {
                    expected.push((time, load));
                }
            }
            assert_eq!(steps_of(events), expected, "spread {spread}");
        }
        assert_eq!(steps_of(Vec::new()), []);
    }

    /// The load at `time`, computed directly from every piece.
    fn load_at(problem: &Problem, time: Time) -> Offset {
        problem
            .buffers
            .iter()
            .flat_map(|b| b.pieces())
            .filter(|p| p.time.lower <= time && time < p.time.upper)
            .map(|p| p.top - p.bottom)
            .sum()
    }

    fn step_at(profile: &LoadProfile, time: Time) -> Offset {
        profile
            .steps
            .iter()
            .take_while(|&&(t, _)| t <= time)
            .last()
            .map_or(0, |&(_, load)| load)
    }

    #[test]
    fn profile_matches_the_direct_load_at_every_time() {
        let problem = Problem::new(
            vec![
                Buffer::new("a", 0, 4, 3),
                Buffer::new("b", 2, 8, 2).with_gap(4, 6, Some((1, 2))),
                Buffer::new("c", -3, 1, 5).with_offset(10),
                Buffer::new("d", 6, 6, 7),
                Buffer::new("e", 4, 8, 0),
                Buffer::new("f", 8, 9, 4),
            ],
            100,
        );
        let profile = LoadProfile::of(&problem);
        for time in -5..12 {
            assert_eq!(step_at(&profile, time), load_at(&problem, time), "t={time}");
        }
        // Steps are merged: no two consecutive ones carry the same load.
        assert!(profile.steps.windows(2).all(|w| w[0].1 != w[1].1));
        assert_eq!(profile.steps.last(), Some(&(9, 0)));
        assert_eq!(profile.peak(), (0, 8));
    }

    #[test]
    fn bound_is_the_largest_of_load_size_and_fixed_end() {
        let load_wins = Problem::new(
            vec![Buffer::new("a", 0, 2, 3), Buffer::new("b", 1, 3, 4)],
            0,
        );
        let bound = LowerBound::of(&load_wins);
        assert_eq!((bound.height, bound.load), (7, 7));
        assert_eq!(bound.reason, BoundReason::Load { time: 1 });

        // A buffer that is never live still needs its addresses.
        let size_wins = Problem::new(
            vec![Buffer::new("a", 0, 2, 3), Buffer::new("never", 5, 5, 9)],
            0,
        );
        let bound = LowerBound::of(&size_wins);
        assert_eq!((bound.height, bound.load), (9, 3));
        assert_eq!(bound.reason, BoundReason::Buffer { index: 1 });

        let fixed_wins = Problem::new(
            vec![
                Buffer::new("a", 0, 2, 3),
                Buffer::new("f", 3, 4, 2).with_offset(6),
            ],
            0,
        );
        assert_eq!(LowerBound::of(&fixed_wins).height, 8);
        assert_eq!(LowerBound::of(&Problem::new(vec![], 0)).height, 0);
    }

    #[test]
    fn gap_is_relative_to_the_bound() {
        assert_eq!(gap_percent(110, 100), 10.0);
        assert_eq!(gap_percent(100, 100), 0.0);
        assert_eq!(gap_percent(0, 0), 0.0);
    }
}
