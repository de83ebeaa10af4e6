//! The pinned probe: long-lived buffers fixed at the top of the lower bound, everything
//! else packed beneath them.
//!
//! On real traces the heuristics and the search both put long-lived buffers (weights,
//! constants, KV caches) low, since they are large and meet everything. Placed there, they
//! decide the alignment and the shape of the room every short-lived buffer of the trace is
//! then packed into, and a few bytes lost to that at the peak are never won back: the
//! heuristics end a few hundred bytes above the bound, and the exact search cannot move a
//! buffer that crosses every one of its windows. Pinned at the top instead, they leave the
//! short-lived buffers a floor at 0 where every alignment holds, and, fixed, they cross
//! nothing: the rest falls apart at the time cuts only they crossed, into small problems
//! the search decides fast.
//!
//! This is one more attempt at the lower bound, never a proof of anything else: a packing
//! found this way is a packing of the original problem (the pinned offsets are legal ones),
//! and one not found rules nothing out.

use crate::heuristics::{Fit, Greedy, Heuristic, Order};
use crate::model::{lcm, Offset, Problem};

/// The problem with its long-lived buffers fixed at the top of `target` and its capacity
/// set to `target`, or `None` when the probe does not apply: the problem already fixes
/// buffers (pinning must not move them), no buffer (or every buffer) is long-lived, or the
/// long-lived ones do not pack within `target` by themselves.
///
/// A buffer is long-lived when it is live over at least half the time the movable buffers
/// span. Gapped buffers are never pinned (their room changes over their life). The
/// long-lived buffers are packed together by a greedy pass, then raised as a block as far
/// as every alignment among them allows.
pub(super) fn pinned_problem(
    problem: &Problem,
    target: Offset,
    stop: &mut dyn FnMut() -> bool,
) -> Option<Problem> {
    if problem.buffers.iter().any(|b| b.offset.is_some()) {
        return None;
    }
    let occupying = || problem.buffers.iter().filter(|b| b.size > 0);
    let start = occupying().map(|b| b.lifespan.lower).min()?;
    let end = occupying().map(|b| b.lifespan.upper).max()?;
    let long: Vec<usize> = (0..problem.buffers.len())
        .filter(|&i| {
            let b = &problem.buffers[i];
            b.size > 0
                && b.gaps.is_empty()
                && 2 * (b.lifespan.upper - b.lifespan.lower) >= end - start
        })
        .collect();
    if long.is_empty() || long.len() == occupying().count() {
        return None;
    }
    let block = Problem::new(
        long.iter().map(|&i| problem.buffers[i].clone()).collect(),
        target,
    );
    let packed =
        Greedy::new(&block).run(Heuristic::Greedy(Order::Size, Fit::Best), target, stop)?;
    // Raising the block by a multiple of every alignment in it keeps each one legal.
    let mut step: Offset = 1;
    for buffer in &block.buffers {
        step = lcm(step, buffer.alignment)?;
    }
    let raise = (target - packed.height) / step * step;
    let mut pinned = problem.clone();
    pinned.capacity = target;
    for (&index, &offset) in long.iter().zip(&packed.offsets) {
        pinned.buffers[index].offset = Some(offset + raise);
    }
    Some(pinned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Buffer, Solution};
    use crate::validate::validate;

    fn never() -> impl FnMut() -> bool {
        || false
    }

    #[test]
    fn pins_the_long_lived_buffers_at_the_top_and_keeps_their_alignment() {
        // A weight live throughout, aligned to 8, and short buffers (each live under half
        // of [0, 20)): LOAD 20.
        let problem = Problem::new(
            vec![
                Buffer::new("weight", 0, 20, 4).with_alignment(8),
                Buffer::new("a", 0, 6, 16),
                Buffer::new("b", 6, 13, 10),
                Buffer::new("d", 10, 13, 6),
                Buffer::new("c", 13, 20, 16),
            ],
            100,
        );
        let pinned = pinned_problem(&problem, 20, &mut never()).unwrap();
        assert_eq!(pinned.capacity, 20);
        // The highest multiple of 8 with the weight's top at or below 20.
        assert_eq!(pinned.buffers[0].offset, Some(16));
        assert!(pinned.buffers[1..].iter().all(|b| b.offset.is_none()));
        // The rest packs beneath it from 0, and that is a packing of the original at 20.
        let solution = Solution::from_offsets(&problem, vec![16, 0, 0, 10, 0]);
        validate(&pinned, &solution).unwrap();
        validate(&problem, &solution).unwrap();
        assert_eq!(solution.height, 20);
    }

    #[test]
    fn does_not_apply_without_long_or_with_only_long_or_fixed_buffers() {
        let short = Problem::new(
            vec![Buffer::new("a", 0, 2, 4), Buffer::new("b", 2, 10, 4)],
            100,
        );
        // "b" is long (8 of 10), "a" is not: applies.
        assert!(pinned_problem(&short, 8, &mut never()).is_some());
        let all_long = Problem::new(
            vec![Buffer::new("a", 0, 10, 4), Buffer::new("b", 0, 9, 4)],
            100,
        );
        assert!(pinned_problem(&all_long, 8, &mut never()).is_none());
        let mut fixed = short.clone();
        fixed.buffers[0].offset = Some(0);
        assert!(pinned_problem(&fixed, 8, &mut never()).is_none());
        let none_long = Problem::new(
            vec![
                Buffer::new("a", 0, 4, 4),
                Buffer::new("b", 4, 8, 4),
                Buffer::new("c", 8, 12, 4),
            ],
            100,
        );
        assert!(pinned_problem(&none_long, 8, &mut never()).is_none());
        // Long-lived buffers that do not fit the target together: no pin.
        let too_tall = Problem::new(
            vec![
                Buffer::new("a", 0, 10, 5),
                Buffer::new("b", 0, 10, 5),
                Buffer::new("c", 0, 1, 1),
            ],
            100,
        );
        assert!(pinned_problem(&too_tall, 9, &mut never()).is_none());
    }
}
