//! **Handovers** (`SolverParams::handovers`, bufpack's own): groups of buffers that form one
//! rectangle in every packing at the capacity, merged into one buffer, for searches beside
//! the original problem's in a decision's portfolio (`portfolio::Sweeps`).
//!
//! Where the live sizes just before time `t` add up to the capacity, memory is full then:
//! every unit is held by a buffer live across `t` or by one that ends at `t`. A buffer that
//! starts at `t` can therefore only sit in the room the enders leave. So when exactly one
//! buffer `e` ends at `t` and the buffers starting there fill its room exactly (their sizes
//! add up to `e`'s), they tile `e`'s room in every packing. If they also all end together,
//! at `u`, then `e` and they are, in every packing, one rectangle: `[e's start, u)` times
//! `e`'s room. The mirror case, one buffer `s` starting at `t` where the enders fill its
//! room exactly and all started together, is the same rectangle seen from the other side.
//! Replacing each such group by one buffer loses no packing and admits none that the
//! original does not have, so a proof of infeasibility stands too. Merging repeats until
//! nothing merges (a merged buffer can hand over in turn); the load at every instant is
//! unchanged by it, so the full instants are found once.
//!
//! The group's members are placed back by their offsets within it: the hander and a single
//! taker at the same offset, several takers (or several handers) stacked in the order given.
//! Alignment: a single pair keeps the least common multiple of both; stacks are merged only
//! where their members need none. Fixed buffers, buffers that occupy nothing and problems with
//! gaps (whose load the full instants would have to account window by window) are left as
//! they are.
//!
//! Cut rectangles (MiniMalloc's kind of benchmark, `cargo xtask gen --family rect`) are full
//! at every instant: there a time cut of a piece is undone, and a piece cut in time and then
//! in memory as well. A search of the merged problem is another search, not always a shorter
//! one (alone, it ran three of A–K past 30 s that the original's searches decide in about a
//! second), so it runs beside them rather than instead. BENCHMARKS.md has what it saves.

use crate::model::{lcm, Buffer, Offset, Problem, Time};

/// A problem with its handovers merged, and how to place the original buffers back.
pub(crate) struct Handovers {
    /// The merged problem: one buffer per group, in the order of each group's first member.
    pub(crate) problem: Problem,
    /// For each buffer of `problem`, its members: (original index, offset within the group).
    groups: Vec<Vec<(usize, Offset)>>,
}

impl Handovers {
    /// The merged form of `problem` at `height` (its capacity, or a height below it that
    /// the search packs under too), or `None` when nothing merges. The merged problem's
    /// capacity is `height`.
    pub(crate) fn find(problem: &Problem, height: Offset) -> Option<Handovers> {
        if problem.buffers.iter().any(|b| !b.gaps.is_empty()) {
            return None;
        }
        let mut groups: Vec<Group> = problem
            .buffers
            .iter()
            .enumerate()
            .map(|(index, b)| Group::of(index, b))
            .collect();
        let full = full_instants(problem, height);
        if full.is_empty() {
            return None;
        }
        let mut merged_any = false;
        while merge_round(&mut groups, &full) {
            merged_any = true;
        }
        if !merged_any {
            return None;
        }
        // In the order of their first members (through the crate's one sort of pairs: a
        // sort of the groups themselves would be a copy of the standard sort of its own).
        let alive: Vec<Group> = groups.into_iter().filter(|g| g.alive).collect();
        let mut order: Vec<(i64, i64)> = alive
            .iter()
            .enumerate()
            .map(|(k, g)| (g.members[0].0 as i64, k as i64))
            .collect();
        crate::sort::sort_pairs(&mut order);
        let mut slots: Vec<Option<Group>> = alive.into_iter().map(Some).collect();
        let kept: Vec<Group> = order
            .iter()
            .filter_map(|&(_, k)| slots[k as usize].take())
            .collect();
        let buffers = kept
            .iter()
            .map(|g| {
                let first = &problem.buffers[g.members[0].0];
                let mut buffer = Buffer::new(first.id.clone(), g.lower, g.upper, g.size);
                buffer.alignment = g.alignment;
                buffer.offset = first.offset;
                buffer.hint = if g.members.len() == 1 {
                    first.hint
                } else {
                    None
                };
                buffer
            })
            .collect();
        Some(Handovers {
            problem: Problem::new(buffers, height),
            groups: kept.into_iter().map(|g| g.members).collect(),
        })
    }

    /// The offsets of the original buffers, given the merged problem's.
    pub(crate) fn unmerge(&self, merged_offsets: &[Offset], original_count: usize) -> Vec<Offset> {
        let mut offsets = vec![0; original_count];
        for (members, &offset) in self.groups.iter().zip(merged_offsets) {
            for &(index, within) in members {
                offsets[index] = offset + within;
            }
        }
        offsets
    }
}

/// A buffer of the merged problem while merging.
struct Group {
    lower: Time,
    upper: Time,
    size: Offset,
    alignment: Offset,
    /// May take part in a merge: placed freely and occupying something.
    movable: bool,
    /// False once merged into another group.
    alive: bool,
    members: Vec<(usize, Offset)>,
}

impl Group {
    fn of(index: usize, b: &Buffer) -> Group {
        Group {
            lower: b.lifespan.lower,
            upper: b.lifespan.upper,
            size: b.size,
            alignment: b.alignment,
            movable: b.offset.is_none() && b.size > 0 && b.lifespan.lower < b.lifespan.upper,
            alive: true,
            members: vec![(index, 0)],
        }
    }

    /// Whether the group is live at some instant (a buffer live at no instant is no ender).
    fn occupies(&self) -> bool {
        self.size > 0 && self.lower < self.upper
    }
}

/// The times `t` at which the live sizes just before `t` (on the instant `t - 1`) add up to
/// `height`, sorted.
fn full_instants(problem: &Problem, height: Offset) -> Vec<Time> {
    let mut changes: Vec<(Time, Offset)> = Vec::with_capacity(2 * problem.buffers.len());
    for b in &problem.buffers {
        if b.size > 0 && b.lifespan.lower < b.lifespan.upper {
            changes.push((b.lifespan.lower, b.size));
            changes.push((b.lifespan.upper, -b.size));
        }
    }
    changes.sort_unstable();
    let mut full = Vec::new();
    let mut load: Offset = 0;
    let mut i = 0;
    while i < changes.len() {
        let time = changes[i].0;
        // `load` holds on [previous change, time): the instant time - 1 included.
        if load == height && height > 0 {
            full.push(time);
        }
        while i < changes.len() && changes[i].0 == time {
            load += changes[i].1;
            i += 1;
        }
    }
    full
}

/// One pass over the full instants in time order, merging where a handover is forced.
/// Returns whether anything merged.
fn merge_round(groups: &mut [Group], full: &[Time]) -> bool {
    // Enders and starters of every full instant, by group index.
    let mut enders: Vec<Vec<usize>> = vec![Vec::new(); full.len()];
    let mut starters: Vec<Vec<usize>> = vec![Vec::new(); full.len()];
    for (index, g) in groups.iter().enumerate() {
        if !g.alive || !g.occupies() {
            continue;
        }
        if let Ok(at) = full.binary_search(&g.upper) {
            enders[at].push(index);
        }
        if let Ok(at) = full.binary_search(&g.lower) {
            starters[at].push(index);
        }
    }
    let mut merged = false;
    for at in 0..full.len() {
        // Earlier merges this round may have changed these lists' groups: skip the dead.
        let ends: Vec<usize> = enders[at]
            .iter()
            .copied()
            .filter(|&g| groups[g].alive)
            .collect();
        let starts: Vec<usize> = starters[at]
            .iter()
            .copied()
            .filter(|&g| groups[g].alive)
            .collect();
        if ends.is_empty() || starts.is_empty() {
            continue;
        }
        if ends.iter().chain(&starts).any(|&g| !groups[g].movable) {
            continue;
        }
        let (into, stacked) = if ends.len() == 1 {
            (ends[0], &starts)
        } else if starts.len() == 1 {
            (starts[0], &ends)
        } else {
            continue;
        };
        let total: Offset = stacked.iter().map(|&g| groups[g].size).sum();
        if total != groups[into].size {
            continue;
        }
        // The stacked side must share its far end (takers) or its start (handers).
        let taking = ends.len() == 1;
        let far = |g: usize| {
            if taking {
                groups[g].upper
            } else {
                groups[g].lower
            }
        };
        let far_end = far(stacked[0]);
        if stacked.iter().any(|&g| far(g) != far_end) {
            continue;
        }
        let alignment = if stacked.len() == 1 {
            match lcm(groups[into].alignment, groups[stacked[0]].alignment) {
                Some(a) => a,
                None => continue,
            }
        } else if stacked.iter().all(|&g| groups[g].alignment == 1) {
            groups[into].alignment
        } else {
            continue;
        };
        let mut within: Offset = 0;
        let mut members = std::mem::take(&mut groups[into].members);
        for &g in stacked.iter() {
            let shift = within;
            within += groups[g].size;
            members.extend(groups[g].members.drain(..).map(|(i, o)| (i, o + shift)));
            groups[g].alive = false;
        }
        let group = &mut groups[into];
        group.members = members;
        group.alignment = alignment;
        if taking {
            group.upper = far_end;
            // The merged group now ends where the takers did: it is an ender there.
            if let Ok(later) = full.binary_search(&far_end) {
                enders[later].push(into);
            }
        } else {
            group.lower = far_end;
        }
        merged = true;
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Solution;
    use crate::test_rng::SplitMix;
    use crate::validate::validate;

    fn buffers(spec: &[(Time, Time, Offset)]) -> Vec<Buffer> {
        spec.iter()
            .enumerate()
            .map(|(i, &(l, u, s))| Buffer::new(format!("b{i}"), l, u, s))
            .collect()
    }

    #[test]
    fn a_cut_piece_is_put_back_together() {
        // [0, 4) x [0, 10) cut at time 2, then its right half cut in memory at 6; beside it
        // a buffer of 5 over the whole time keeps memory full at 15.
        let problem = Problem::new(buffers(&[(0, 2, 10), (2, 4, 6), (2, 4, 4), (0, 4, 5)]), 15);
        let merged = Handovers::find(&problem, problem.capacity).expect("the cut piece merges");
        assert_eq!(merged.problem.buffers.len(), 2);
        let whole = &merged.problem.buffers[0];
        assert_eq!(
            (whole.lifespan.lower, whole.lifespan.upper, whole.size),
            (0, 4, 10)
        );
        let offsets = merged.unmerge(&[5, 0], 4);
        assert_eq!(offsets, vec![5, 5, 11, 0]);
    }

    #[test]
    fn room_to_spare_merges_nothing() {
        let problem = Problem::new(buffers(&[(0, 2, 10), (2, 4, 10)]), 11);
        assert!(Handovers::find(&problem, problem.capacity).is_none());
        // Full, but two enders and two starters: which takes which room is open.
        let problem = Problem::new(buffers(&[(0, 2, 5), (0, 2, 5), (2, 4, 5), (2, 4, 5)]), 10);
        assert!(Handovers::find(&problem, problem.capacity).is_none());
    }

    #[test]
    fn alignment_merges_a_pair_only() {
        let mut spec = buffers(&[(0, 2, 8), (2, 4, 8)]);
        spec[0].alignment = 4;
        spec[1].alignment = 6;
        let merged = Handovers::find(&Problem::new(spec, 8), 8).expect("a pair merges");
        assert_eq!(merged.problem.buffers[0].alignment, 12);
        let mut spec = buffers(&[(0, 2, 8), (2, 4, 4), (2, 4, 4)]);
        spec[1].alignment = 4;
        assert!(Handovers::find(&Problem::new(spec, 8), 8).is_none());
    }

    /// Some packing of `problem`, trying every offset of every buffer (tiny problems only).
    fn any_packing(problem: &Problem) -> Option<Vec<Offset>> {
        fn place(problem: &Problem, offsets: &mut Vec<Offset>) -> bool {
            let next = offsets.len();
            if next == problem.buffers.len() {
                let solution = Solution::from_offsets(problem, offsets.clone());
                return validate(problem, &solution).is_ok();
            }
            let buffer = &problem.buffers[next];
            for offset in 0..=problem.capacity - buffer.size {
                offsets.push(offset);
                if place(problem, offsets) {
                    return true;
                }
                offsets.pop();
            }
            false
        }
        let mut offsets = Vec::new();
        place(problem, &mut offsets).then_some(offsets)
    }

    /// Merging keeps exactly the packings: on small cut rectangles with some alignment (and
    /// sometimes a piece taken out), at their load and one above, the merged problem has a packing exactly when the
    /// original has, and every merged packing placed back is one of the original's.
    #[test]
    fn merged_problems_pack_exactly_when_the_originals_do() {
        let mut rng = SplitMix(20261204);
        let (mut merged_some, mut packed) = (0, 0);
        for _ in 0..3_000 {
            let height = rng.range(3, 6);
            let mut rects = vec![(0, rng.range(2, 6), 0, height)];
            let pieces = rng.range(2, 6) as usize;
            while rects.len() < pieces {
                let i = rng.below(rects.len() as u64) as usize;
                let (l, u, b, t) = rects[i];
                if rng.chance(50) && u - l >= 2 {
                    let cut = rng.range(l + 1, u - 1);
                    rects[i] = (l, cut, b, t);
                    rects.push((cut, u, b, t));
                } else if t - b >= 2 {
                    let cut = rng.range(b + 1, t - 1);
                    rects[i] = (l, u, b, cut);
                    rects.push((l, u, cut, t));
                }
            }
            // Sometimes a piece taken out: memory is no longer full everywhere.
            if rects.len() > 2 && rng.chance(30) {
                rects.swap_remove(rng.below(rects.len() as u64) as usize);
            }
            let buffers: Vec<Buffer> = rects
                .iter()
                .enumerate()
                .map(|(i, &(l, u, b, t))| {
                    let mut buffer = Buffer::new(format!("r{i}"), l, u, t - b);
                    buffer.alignment = [1, 1, 2, 3][rng.below(4) as usize];
                    buffer
                })
                .collect();
            let load = (0..6)
                .map(|t| {
                    let live = rects.iter().filter(|r| r.0 <= t && t < r.1);
                    live.map(|r| r.3 - r.2).sum::<Offset>()
                })
                .max()
                .unwrap_or(0);
            for capacity in [load, load + 1] {
                let problem = Problem::new(buffers.clone(), capacity);
                let Some(merged) = Handovers::find(&problem, problem.capacity) else {
                    continue;
                };
                merged_some += 1;
                let original = any_packing(&problem);
                let found = any_packing(&merged.problem);
                assert_eq!(found.is_some(), original.is_some(), "{problem:#?}");
                if let Some(offsets) = found {
                    packed += 1;
                    let back = merged.unmerge(&offsets, problem.buffers.len());
                    validate(&problem, &Solution::from_offsets(&problem, back))
                        .unwrap_or_else(|e| panic!("{e}: {problem:#?}"));
                }
            }
        }
        assert!(
            merged_some > 500 && packed > 200,
            "{merged_some} merged, {packed} packed"
        );
    }
}
