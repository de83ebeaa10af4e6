//! The window probe's problem: a part of the best packing posed as a problem of its own.
//!
//! Above [`super::run::SEARCH_ITEMS`] buffers the exact search cannot take the whole trace
//! (each of its nodes costs time linear in the buffers left), so the heuristics' packing
//! would be the answer, often a few hundred bytes above the bound. But the bytes above a
//! target height sit in a few places: a handful of buffers whose tops rise past it. Around
//! one of them, the buffers placed in a *band* of memory just under the target during a
//! *window* of time are few enough for the search, and they alone need to move: the
//! search packs them again within the band, around everything else kept where it is (as
//! fixed pieces, cut to the band and to the time the movable buffers span). A packing found
//! this way is a packing of the whole problem with the same height outside the window and
//! at most the target inside it; the band and the window grow until the search succeeds or
//! the part is too large for it. Finding none rules nothing out.

use crate::model::{lcm, Buffer, Lifespan, Offset, Problem, Solution};
use crate::sort::sort_pairs;

/// The most buffers a window may let move: one descent of the search in a window this
/// large takes milliseconds, and larger ones rarely succeed where smaller ones failed.
pub(super) const WINDOW_ITEMS: usize = 4_000;

/// A part of a packing as a problem: the movable buffers first, then the fixed pieces,
/// offsets shifted down by `base`, capacity the target less `base`.
#[derive(Debug)]
pub(super) struct Window {
    pub(super) problem: Problem,
    /// Indices in the original problem of the movable buffers, in the sub-problem's order.
    pub(super) movable: Vec<usize>,
    /// The original offset of the sub-problem's offset 0.
    pub(super) base: Offset,
}

impl Window {
    /// Puts the sub-problem's packing of the movable buffers into `offsets` (the original
    /// problem's).
    pub(super) fn apply(&self, offsets: &mut [Offset], solution: &Solution) {
        for (k, &index) in self.movable.iter().enumerate() {
            offsets[index] = self.base + solution.offsets[k];
        }
    }
}

/// The top of `buffer` placed at `offset` (its highest piece), or `None` when it occupies
/// nothing.
pub(super) fn top(buffer: &Buffer, offset: Offset) -> Option<Offset> {
    if buffer.size == 0 || buffer.lifespan.lower >= buffer.lifespan.upper {
        return None;
    }
    if buffer.gaps.is_empty() {
        return Some(offset + buffer.size);
    }
    buffer.pieces().iter().map(|p| offset + p.top).max()
}

/// The movable buffers whose top rises above `target` in the packing `offsets`, highest
/// first (ties by index).
pub(super) fn over(problem: &Problem, offsets: &[Offset], target: Offset) -> Vec<usize> {
    // (-top, index): ascending is highest first, ties by index (see `sort_pairs`).
    let mut over: Vec<(i64, i64)> = problem
        .buffers
        .iter()
        .enumerate()
        .filter(|(_, b)| b.offset.is_none())
        .filter_map(|(i, b)| {
            top(b, offsets[i])
                .filter(|&t| t > target)
                .map(|t| (-t, i as i64))
        })
        .collect();
    sort_pairs(&mut over);
    over.into_iter().map(|(_, i)| i as usize).collect()
}

/// The window around buffer `seed` of the packing `offsets` at `level` (0, 1, 2, ...), or
/// `None` when it would let more than `max_items` buffers move.
///
/// At level k the band reaches down from `target` 2^k times as far as `room` (the seed's
/// [`room_floor`]) lies beneath it, and the window of time is the seed's life widened on
/// each side by 2^k - 1 times its length. The buffers placed (wholly) in the band and live in the
/// window may move, and so must every buffer above the target live while they are; the
/// band's floor is lowered to a multiple of their alignments, so that each keeps its own.
pub(super) fn window(
    problem: &Problem,
    offsets: &[Offset],
    target: Offset,
    seed: usize,
    room: Offset,
    level: u32,
    max_items: usize,
) -> Option<Window> {
    let seed_buffer = &problem.buffers[seed];
    let depth = (target - room).max(1);
    let scale = 1i64.checked_shl(level.min(62))?;
    let mut base = target.saturating_sub(depth.saturating_mul(scale)).max(0);
    let life = seed_buffer.lifespan;
    let widen = life.width().max(1).saturating_mul(scale - 1);
    let time = Lifespan::new(
        life.lower.saturating_sub(widen),
        life.upper.saturating_add(widen),
    );
    let is_over = |i: usize| top(&problem.buffers[i], offsets[i]).is_some_and(|t| t > target);
    loop {
        let mut movable: Vec<usize> = (0..problem.buffers.len())
            .filter(|&i| {
                let b = &problem.buffers[i];
                b.offset.is_none()
                    && offsets[i] >= base
                    && time.lower <= b.lifespan.lower
                    && b.lifespan.upper <= time.upper
                    && top(b, offsets[i]).is_some()
            })
            .collect();
        if movable.len() > max_items || movable.is_empty() {
            return None;
        }
        // Every buffer above the target live while a movable one is must move too, or the
        // part could never fit; it may lie lower than the band's floor.
        let mut hull = span(problem, &movable);
        let mut floor = base;
        loop {
            let joining: Vec<usize> = (0..problem.buffers.len())
                .filter(|&i| {
                    problem.buffers[i].lifespan.overlaps(&hull)
                        && is_over(i)
                        && movable.binary_search(&i).is_err()
                })
                .collect();
            if joining.is_empty() {
                break;
            }
            for i in joining {
                if problem.buffers[i].offset.is_some() {
                    // A buffer the caller fixed above the target: no window can help.
                    return None;
                }
                floor = floor.min(offsets[i]);
                let at = movable.binary_search(&i).unwrap_err();
                movable.insert(at, i);
            }
            if movable.len() > max_items {
                return None;
            }
            hull = span(problem, &movable);
        }
        let step = movable
            .iter()
            .try_fold(1, |step, &i| lcm(step, problem.buffers[i].alignment))
            .filter(|&step| step <= target)
            .unwrap_or(target.max(1));
        let aligned = floor / step * step;
        if aligned == base {
            return Some(part(problem, offsets, target, movable, base, hull));
        }
        // A lower floor may take in more buffers: look again from there.
        base = aligned;
    }
}

/// The times looked at in [`room_floor`], at most.
const ROOM_TIMES: usize = 64;

/// The highest floor beneath `target` under which, at each time of the seed's life, lies
/// as much free room as the packing `offsets` puts above `target` then (at the start of
/// each piece live then, at most [`ROOM_TIMES`] of them, evenly spread): a band that
/// reaches less deep could never take in what lies above it. At most the seed's offset.
pub(super) fn room_floor(
    problem: &Problem,
    offsets: &[Offset],
    target: Offset,
    seed: usize,
) -> Offset {
    let life = problem.buffers[seed].lifespan;
    // (when, bottom, top) of every piece live during the seed's life.
    let mut pieces: Vec<(Lifespan, Offset, Offset)> = Vec::new();
    for (i, b) in problem.buffers.iter().enumerate() {
        if b.size == 0 || !b.lifespan.overlaps(&life) {
            continue;
        }
        if b.gaps.is_empty() {
            pieces.push((b.lifespan, offsets[i], offsets[i] + b.size));
        } else {
            for p in b.pieces().iter().filter(|p| p.time.overlaps(&life)) {
                pieces.push((p.time, offsets[i] + p.bottom, offsets[i] + p.top));
            }
        }
    }
    let mut times: Vec<(i64, i64)> = pieces
        .iter()
        .map(|(time, _, _)| (time.lower.max(life.lower), 0))
        .collect();
    sort_pairs(&mut times);
    times.dedup();
    let stride = times.len().div_ceil(ROOM_TIMES).max(1);
    let mut floor = offsets[seed].min(target);
    // (-bottom, top) of the pieces live at a time: ascending is from the top down.
    let mut live: Vec<(i64, i64)> = Vec::new();
    for &(t, _) in times.iter().step_by(stride) {
        live.clear();
        live.extend(
            pieces
                .iter()
                .filter(|(time, _, _)| time.lower <= t && t < time.upper)
                .map(|&(_, bottom, top)| (-bottom, top)),
        );
        let mut above: Offset = live
            .iter()
            .map(|&(b, t)| (t - (-b).max(target)).max(0))
            .sum();
        // Free room beneath the target, from the top down.
        sort_pairs(&mut live);
        let mut cursor = target;
        for &(negated, top) in &live {
            let bottom = -negated;
            if above <= 0 {
                break;
            }
            if top < cursor {
                above -= cursor - top;
                floor = floor.min(top);
            }
            cursor = cursor.min(bottom);
        }
        if above > 0 {
            floor = 0;
        }
    }
    floor.max(0)
}

/// From the first start to the last end of the `buffers`' lives.
fn span(problem: &Problem, buffers: &[usize]) -> Lifespan {
    let lives = || buffers.iter().map(|&i| problem.buffers[i].lifespan);
    Lifespan::new(
        lives().map(|l| l.lower).min().unwrap_or(0),
        lives().map(|l| l.upper).max().unwrap_or(0),
    )
}

/// The sub-problem: the `movable` buffers (sorted indices) free, everything else that
/// occupies memory above `base` during `hull` fixed where `offsets` puts it, cut to the band
/// and to `hull`.
fn part(
    problem: &Problem,
    offsets: &[Offset],
    target: Offset,
    movable: Vec<usize>,
    base: Offset,
    hull: Lifespan,
) -> Window {
    let mut buffers: Vec<Buffer> = movable
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let b = &problem.buffers[i];
            Buffer {
                id: format!("m{k}"),
                offset: None,
                hint: None,
                ..b.clone()
            }
        })
        .collect();
    let mut next = movable.iter().copied().peekable();
    let mut fixed = |time: Lifespan, bottom: Offset, top: Offset| {
        let (lower, upper) = (time.lower.max(hull.lower), time.upper.min(hull.upper));
        if lower < upper && top > base {
            let bottom = bottom.max(base);
            let id = format!("f{}", buffers.len());
            buffers.push(Buffer::new(id, lower, upper, top - bottom).with_offset(bottom - base));
        }
    };
    for (i, b) in problem.buffers.iter().enumerate() {
        if next.peek() == Some(&i) {
            next.next();
            continue;
        }
        if b.size == 0 || !b.lifespan.overlaps(&hull) {
            continue;
        }
        let offset = offsets[i];
        if b.gaps.is_empty() {
            fixed(b.lifespan, offset, offset + b.size);
        } else {
            for piece in b.pieces() {
                fixed(piece.time, offset + piece.bottom, offset + piece.top);
            }
        }
    }
    Window {
        problem: Problem::new(buffers, target - base),
        movable,
        base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heuristics::{Greedy, Heuristic};
    use crate::model::MAX_MAGNITUDE;
    use crate::params::SolverParams;
    use crate::search::{check_fixed, solve, Outcome};
    use crate::validate::validate;

    #[test]
    fn a_window_frees_its_band_and_time_and_fixes_the_rest_cut_to_them() {
        // Capacity 10. "low" (0..10, size 4) sits at 0; "a" (2..4, size 3) at 4; "b"
        // (2..5, size 4) at 7 ends at 11, above the target 10; "c" (6..8) far away in time.
        let problem = Problem::new(
            vec![
                Buffer::new("low", 0, 10, 4),
                Buffer::new("a", 2, 4, 3),
                Buffer::new("b", 2, 5, 4),
                Buffer::new("c", 6, 8, 9),
            ],
            MAX_MAGNITUDE,
        );
        let offsets = vec![0, 4, 7, 0];
        assert_eq!(over(&problem, &offsets, 10), [2]);
        // During b's life 0..11 is full (4 + 3 + 4 = 11): no room beneath 10 takes in b's
        // excess, so the band reaches down to 0.
        assert_eq!(room_floor(&problem, &offsets, 10, 2), 0);
        let part = window(&problem, &offsets, 10, 2, 0, 0, 100).unwrap();
        assert_eq!(part.base, 0);
        // a and b move (their lives lie in b's), "low" does not (it outlives the window)
        // and stays as a fixed piece cut to the time a and b span; "c" is not met.
        assert_eq!(part.movable, [1, 2]);
        assert_eq!(part.problem.capacity, 10);
        let fixed: Vec<_> = part.problem.buffers[2..]
            .iter()
            .map(|b| (b.lifespan.lower, b.lifespan.upper, b.size, b.offset))
            .collect();
        assert_eq!(fixed, [(2, 5, 4, Some(0))]);
        // Nothing fits (4 + 3 + 4 > 10 at time 3): the search says so.
        let report = solve(&part.problem, &SolverParams::default(), &mut ()).unwrap();
        assert!(matches!(report.outcome, Outcome::Infeasible(_)));
    }

    #[test]
    fn the_band_reaches_down_to_the_free_room_and_keeps_alignment() {
        // "w" (0..10, size 6) at 0 leaves a hole 6..8 beneath "x" (0..10, size 2) at 8;
        // "s" (4..6, size 2, aligned to 2) at 10 rises above the target 10. The room it
        // needs (2) lies at 6..8, beneath "x": the band's floor is 6, a multiple of 2.
        let problem = Problem::new(
            vec![
                Buffer::new("w", 0, 10, 6),
                Buffer::new("x", 0, 10, 2),
                Buffer::new("s", 4, 6, 2).with_alignment(2),
            ],
            MAX_MAGNITUDE,
        );
        let offsets = vec![0, 8, 10];
        assert_eq!(room_floor(&problem, &offsets, 10, 2), 6);
        let part = window(&problem, &offsets, 10, 2, 6, 0, 100).unwrap();
        assert_eq!(part.base, 6);
        assert_eq!(part.movable, [2]);
        let report = solve(&part.problem, &SolverParams::default(), &mut ()).unwrap();
        let Outcome::Solved(solution) = report.outcome else {
            panic!("{:?}", report.outcome)
        };
        let mut repaired = offsets.clone();
        part.apply(&mut repaired, &solution);
        assert_eq!(repaired, [0, 8, 6]);
        let repaired = Solution::from_offsets(&problem, repaired);
        validate(&problem, &repaired).unwrap();
        assert_eq!(repaired.height, 10);
    }

    #[test]
    fn a_buffer_fixed_by_the_caller_above_the_target_gets_no_window() {
        let problem = Problem::new(
            vec![
                Buffer::new("f", 0, 4, 4).with_offset(8),
                Buffer::new("m", 0, 4, 4),
            ],
            MAX_MAGNITUDE,
        );
        let offsets = vec![8, 12];
        // Only "m" is movable and above; its window must take in "f", which cannot move.
        assert_eq!(over(&problem, &offsets, 10), [1]);
        let room = room_floor(&problem, &offsets, 10, 1);
        assert!(window(&problem, &offsets, 10, 1, room, 3, 100).is_none());
    }

    /// A small seeded generator (a linear congruential one): lives, sizes, gaps,
    /// alignments and a few fixed buffers.
    fn random_problem(seed: u64) -> Problem {
        let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut next = |below: i64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) % below as u64) as i64
        };
        let count = 3 + next(14);
        let mut buffers = Vec::new();
        for i in 0..count {
            let lower = next(12);
            let mut buffer = Buffer::new(format!("b{i}"), lower, lower + 1 + next(6), 1 + next(5));
            if next(4) == 0 {
                buffer = buffer.with_alignment(1 + next(3));
            }
            if buffer.lifespan.width() >= 3 && next(4) == 0 {
                let window = (next(2) == 0).then_some((0, 1));
                buffer = buffer.with_gap(lower + 1, lower + 2, window);
            }
            if i == 0 && next(3) == 0 {
                let offset = next(3) * buffer.alignment;
                buffer = buffer.with_offset(offset);
            }
            buffers.push(buffer);
        }
        Problem::new(buffers, MAX_MAGNITUDE)
    }

    #[test]
    fn any_packing_of_a_window_is_a_packing_of_the_whole_within_the_target() {
        // The soundness of the cut: whatever the search does with a window, put back, the
        // whole problem's packing is legal, the movable buffers end at or below the target
        // and the others keep their offsets.
        let params = SolverParams::default();
        let mut repaired_some = 0;
        for seed in 0..400 {
            let problem = random_problem(seed);
            if problem.check().is_err() || check_fixed(&problem).is_err() {
                continue;
            }
            let Some(start) =
                Greedy::new(&problem).run(Heuristic::Online, MAX_MAGNITUDE, &mut || false)
            else {
                continue;
            };
            let bound = crate::bounds::LowerBound::of(&problem).height;
            for target in [bound, (bound + start.height) / 2] {
                for seed_index in over(&problem, &start.offsets, target) {
                    let room = room_floor(&problem, &start.offsets, target, seed_index);
                    for level in 0..5 {
                        let Some(part) = window(
                            &problem,
                            &start.offsets,
                            target,
                            seed_index,
                            room,
                            level,
                            100,
                        ) else {
                            continue;
                        };
                        assert!(part.movable.contains(&seed_index), "seed {seed}");
                        part.problem.check().unwrap();
                        check_fixed(&part.problem).unwrap();
                        let report = solve(&part.problem, &params, &mut ()).unwrap();
                        let Outcome::Solved(solution) = report.outcome else {
                            continue;
                        };
                        let mut offsets = start.offsets.clone();
                        part.apply(&mut offsets, &solution);
                        for (i, buffer) in problem.buffers.iter().enumerate() {
                            if part.movable.contains(&i) {
                                assert!(top(buffer, offsets[i]).unwrap() <= target);
                            } else {
                                assert_eq!(offsets[i], start.offsets[i]);
                            }
                        }
                        let solution = Solution::from_offsets(&problem, offsets);
                        validate(&problem, &solution)
                            .unwrap_or_else(|e| panic!("seed {seed}, level {level}: {e}"));
                        repaired_some += 1;
                    }
                }
            }
        }
        assert!(repaired_some > 100, "{repaired_some}");
    }
}
