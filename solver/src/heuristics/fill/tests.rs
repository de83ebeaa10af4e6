//! The fill's tests: against the sweep from scratch, and what a refill saves.

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
    let mut never = || false;
    let mut budget = Budget::new(u64::MAX, &mut never);
    let filled = fill(&problem, &spans, &placed, 100, Some(6), &mut budget).unwrap();
    let solution = Solution::from_offsets(&problem, filled.offsets);
    validate(&problem, &solution).unwrap();
    // c goes above f; d takes the part of h's range its window leaves free; e reuses 0..4.
    assert_eq!(solution.offsets, [0, 4, 6, 0, 0]);
    assert_eq!(filled.over, [(0, 4)]);
}

/// A random trace of `count` buffers over about `length` instants, some with gaps (and
/// windows), some aligned; with some fixed where a packing of the others put them.
fn random_problem(rng: &mut crate::test_rng::SplitMix, count: usize, length: i64) -> Problem {
    let buffers: Vec<Buffer> = (0..count)
        .map(|b| {
            let lower = rng.range(0, length);
            let upper = lower + rng.range(1, 12);
            let size = rng.range(1, 9);
            let mut buffer = Buffer::new(format!("b{b}"), lower, upper, size);
            if rng.chance(10) && upper - lower >= 4 {
                let window = rng.chance(50).then(|| (0, rng.range(0, size)));
                buffer = buffer.with_gap(lower + 1, lower + 3, window);
            }
            if rng.chance(15) {
                buffer = buffer.with_alignment([2, 4, 8][rng.below(3) as usize]);
            }
            buffer
        })
        .collect();
    let mut problem = Problem::new(buffers, Offset::MAX / 4);
    let packing =
        super::super::online::online_best_fit(&problem, Offset::MAX / 4, &mut || false).unwrap();
    for (buffer, offset) in problem.buffers.iter_mut().zip(packing) {
        if rng.chance(3) {
            buffer.offset = Some(offset);
        }
    }
    problem
}

/// Partial packings as a peaks pass's rounds make them: a hot set packed, growing in a
/// few stretches of time from one round to the next (rarely shrinking), and some of it
/// packed elsewhere.
/// Hot buffers sit where a packing of the whole put them, or stacked above it.
fn rounds_of_placed(
    rng: &mut crate::test_rng::SplitMix,
    problem: &Problem,
    rounds: usize,
) -> Vec<Vec<Option<Offset>>> {
    let packing =
        super::super::online::online_best_fit(problem, Offset::MAX / 4, &mut || false).unwrap();
    let height = crate::model::height_of(problem, &packing);
    let count = problem.buffers.len();
    let length = problem
        .buffers
        .iter()
        .map(|b| b.lifespan.upper)
        .max()
        .unwrap_or(0);
    let mut hot = vec![false; count];
    let mut lifted = vec![false; count];
    for hot in hot.iter_mut() {
        *hot = rng.chance(15);
    }
    let mut all = Vec::new();
    for _ in 0..rounds {
        // Buffers stacked above the packing never meet anything there.
        let mut stack = height;
        let placed = (0..count)
            .map(|b| {
                let buffer = &problem.buffers[b];
                if buffer.offset.is_some() {
                    return buffer.offset;
                }
                if !hot[b] {
                    return None;
                }
                if !lifted[b] {
                    return Some(packing[b]);
                }
                let at = crate::model::align_up(stack, buffer.alignment);
                stack = at + buffer.size;
                Some(at)
            })
            .collect();
        all.push(placed);
        for _ in 0..rng.range(1, 3) {
            let from = rng.range(0, length);
            let to = from + rng.range(0, 15);
            for b in 0..count {
                let life = problem.buffers[b].lifespan;
                if life.lower < to && from < life.upper {
                    // Mostly growing, as the rounds' hot sets do; shrinking too.
                    if rng.chance(60) {
                        hot[b] = true;
                    } else if rng.chance(5) {
                        hot[b] = false;
                    }
                    if hot[b] && rng.chance(20) {
                        lifted[b] = !lifted[b];
                    }
                }
            }
        }
    }
    all
}

#[test]
fn a_refill_packs_as_a_fill_from_scratch() {
    let mut rng = crate::test_rng::SplitMix(20261206);
    let (mut copied, mut gave_up, mut many) = (0, 0, 0);
    for case in 0..200 {
        // Every fourth trace crowded: hundreds of buffers live at once leave more free
        // blocks than the vector of few holds.
        let crowded = case % 4 == 3;
        let count = rng.range(1, if crowded { 3000 } else { 600 }) as usize;
        let length = count as i64 / if crowded { 150 } else { 3 };
        let problem = random_problem(&mut rng, count, length + 1);
        let spans = Spans::of(&problem);
        let mut last = None;
        for (round, placed) in rounds_of_placed(&mut rng, &problem, 5).iter().enumerate() {
            // With a ceiling, as the peaks pass fills; without one, a limit that some
            // fills cannot keep to (they give up, and the next refill starts afresh).
            let (ceiling, limit) = match rng.chance(70) {
                true => (Some(rng.range(0, 40)), Offset::MAX / 4),
                false => (None, rng.range(5, 80)),
            };
            let mut never = || false;
            let mut budget = Budget::new(u64::MAX, &mut never);
            let fresh = fill(&problem, &spans, placed, limit, ceiling, &mut budget);
            let again = refill(
                &problem,
                &spans,
                placed,
                limit,
                ceiling,
                &mut budget,
                &mut last,
            );
            let at = format!("case {case} round {round}");
            let (fresh, again) = match (fresh, again) {
                (Some(fresh), Some(again)) => (fresh, again),
                (None, None) => {
                    gave_up += 1;
                    continue;
                }
                (fresh, again) => {
                    panic!("{at}: {:?} against {:?}", fresh.is_some(), again.is_some())
                }
            };
            assert_eq!(again.offsets, fresh.offsets, "{at}");
            assert_eq!(again.over, fresh.over, "{at}");
            let solution = Solution::from_offsets(&problem, again.offsets);
            validate(&problem, &solution).unwrap_or_else(|e| panic!("{at}: {e:?}"));
            copied += fresh.swept - again.swept.min(fresh.swept);
            let kept = last.as_ref().map_or(&[][..], |l: &LastFill| &l.checkpoints);
            many += kept.iter().filter(|c| c.free.len() > 128).count();
        }
    }
    // The refills copied buffers, some fills gave up, and some sweeps had many free blocks:
    // the cases tested each.
    assert!(copied > 2_000, "{copied}");
    assert!(gave_up > 20, "{gave_up}");
    assert!(many > 20, "{many}");
}

#[test]
fn a_refill_sweeps_only_where_the_placed_buffers_changed() {
    // The ablation: a long trace, and a second round that changes the hot set in one
    // stretch of a few instants.
    let mut rng = crate::test_rng::SplitMix(7);
    let problem = random_problem(&mut rng, 6000, 2000);
    let spans = Spans::of(&problem);
    let mut placed: Vec<Option<Offset>> = problem.buffers.iter().map(|b| b.offset).collect();
    let mut never = || false;
    let mut budget = Budget::new(u64::MAX, &mut never);
    let mut last = None;
    let first = refill(
        &problem,
        &spans,
        &placed,
        1 << 40,
        None,
        &mut budget,
        &mut last,
    );
    let first = first.unwrap();
    // Three buffers starting near the middle go hot where the first fill put them.
    let middle: Vec<usize> = (0..problem.buffers.len())
        .filter(|&b| {
            placed[b].is_none() && (1000..1004).contains(&problem.buffers[b].lifespan.lower)
        })
        .take(3)
        .collect();
    assert_eq!(middle.len(), 3);
    for &b in &middle {
        placed[b] = Some(first.offsets[b]);
    }
    let fresh = fill(&problem, &spans, &placed, 1 << 40, None, &mut budget).unwrap();
    let again = refill(
        &problem,
        &spans,
        &placed,
        1 << 40,
        None,
        &mut budget,
        &mut last,
    );
    let again = again.unwrap();
    assert_eq!(again.offsets, fresh.offsets);
    validate(&problem, &Solution::from_offsets(&problem, again.offsets)).unwrap();
    // The fill from scratch sweeps every cold buffer; the refill, a few hundred around
    // the change (from the checkpoint before it until the sweep is as before again).
    let cold = spans.starts.len()
        - spans
            .starts
            .iter()
            .filter(|&&b| placed[b as usize].is_some())
            .count();
    assert_eq!(fresh.swept, cold);
    assert!(again.swept * 10 < cold, "{} of {cold}", again.swept);
}
