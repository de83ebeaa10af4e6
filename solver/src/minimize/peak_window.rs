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

use crate::model::{Buffer, Lifespan, Offset, Problem, Time};

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
        let mut buffers: Vec<Buffer> = problem
            .buffers
            .iter()
            .map(|b| Buffer {
                id: String::new(),
                gaps: b.gaps.clone(),
                ..*b
            })
            .collect();
        for (k, &index) in self.members.iter().enumerate() {
            buffers[index].offset = Some(offsets[k]);
        }
        Problem::new(buffers, capacity)
    }
}

/// The buffers that occupy memory during `[peak - half, peak + half]`, cut to that window,
/// with capacity `target`; `None` when the probe does not apply (the problem fixes buffers,
/// which pinning must not cross, or one of the window's buffers has gaps, whose room
/// changes over its life) or the window holds more than `max_items` buffers.
pub(super) fn peak_window(
    problem: &Problem,
    peak: Time,
    half: Time,
    target: Offset,
    max_items: usize,
) -> Option<PeakWindow> {
    if problem.buffers.iter().any(|b| b.offset.is_some()) {
        return None;
    }
    let window = Lifespan::new(
        peak.saturating_sub(half),
        peak.saturating_add(half).saturating_add(1),
    );
    let mut members = Vec::new();
    let mut buffers = Vec::new();
    for (index, buffer) in problem.buffers.iter().enumerate() {
        let life = buffer.lifespan;
        if buffer.size == 0 || life.upper <= window.lower || window.upper <= life.lower {
            continue;
        }
        if !buffer.gaps.is_empty() || members.len() == max_items {
            return None;
        }
        members.push(index);
        buffers.push(Buffer {
            lifespan: Lifespan::new(life.lower.max(window.lower), life.upper.min(window.upper)),
            hint: None,
            ..buffer.clone()
        });
    }
    if members.is_empty() {
        return None;
    }
    Some(PeakWindow {
        problem: Problem::new(buffers, target),
        members,
    })
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
