//! The sweep: turns a problem into the static structure the search walks.
//!
//! ```text
//!   time ->      e0        e1     e2         (section = pieces live just before an end time)
//!   a  [=========)
//!   b      [==============)
//!   c               [===============)
//!   sections:  s0={a,b}  s1={b,c}  s2={c}
//! ```
//!
//! It yields, for the buffers the search must place (not fixed, occupying some memory):
//! - *sections*: one per distinct end time of a piece; members pairwise overlap in time;
//! - *neighbours*: for each buffer, those it meets in time and the distance each must keep
//!   above it (`top of its piece - bottom of the other's`, maxed over shared times, which is
//!   the size unless windows are involved);
//! - *forbidden ranges* left by fixed buffers: offsets a buffer may not take;
//! - each buffer's *section span* `[first, last]`, from which cuts and partitions follow;
//! - with *raised* pieces (a window whose lower end is above the buffer's offset), each
//!   item's exact *clearances*: where it may not sit relative to each neighbour, so the
//!   search can tuck a buffer beneath another's window (see [`Sweep::tuck`]).

use crate::hash::PairMap;
use crate::model::{Offset, Piece, Problem, Time};
use crate::sort::sort_by_i64_key;

/// Which units of an item are occupied in a section. In a section's member list `id` is the
/// item; in an item's section list it is the section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Member {
    pub(crate) id: u32,
    pub(crate) bottom: Offset,
    pub(crate) top: Offset,
}

/// A buffer the search places, with everything the search needs about it.
#[derive(Clone, Debug)]
pub(crate) struct Item {
    /// Index in the problem.
    pub(crate) index: usize,
    pub(crate) size: Offset,
    pub(crate) alignment: Offset,
    /// `(other item, distance)`: if this is placed at `o`, the other must go at `o + distance`
    /// or higher when placed after it.
    pub(crate) neighbours: Vec<(u32, Offset)>,
    /// The sections the item belongs to, in order, with the units it occupies in each.
    pub(crate) sections: Vec<Member>,
    /// First and last section the buffer belongs to.
    pub(crate) span: (u32, u32),
    /// Half-open offset ranges `[lo, hi)` where a fixed buffer would be hit, sorted by `lo`.
    pub(crate) forbidden: Vec<(Offset, Offset)>,
    /// Some piece starts above the offset (a window with a lower end above 0): another
    /// buffer may sit beneath it, so the lowest offset is not the only one worth trying.
    pub(crate) raised: bool,
    /// Only when [`Sweep::tuck`]: `(other, lo, hi)` says this item's offset may not lie in
    /// `[o + lo, o + hi)` while `other` sits at `o` (one entry per pair of pieces that share
    /// time). Unlike `neighbours`, this keeps the room beneath a raised piece.
    pub(crate) clearances: Vec<(u32, Offset, Offset)>,
}

/// The static structure of a problem, shared read-only by every search of a portfolio.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sweep {
    /// The buffers the search places.
    pub(crate) items: Vec<Item>,
    /// Members of each section.
    pub(crate) sections: Vec<Vec<Member>>,
    /// The end time of each section (its members are live just before it).
    pub(crate) ends: Vec<Time>,
    /// Item indices ordered by the first section of their span.
    pub(crate) by_first: Vec<u32>,
    /// `first_start[s]`: position in `by_first` of the first item whose span starts at `s`
    /// or later; one extra entry at the end.
    pub(crate) first_start: Vec<u32>,
    /// Some item has a raised piece. Then a buffer may fit beneath a neighbour placed before
    /// it, and "above every placed neighbour" is no longer the only way up: the search uses
    /// the exact clearances and also tries the higher offsets of raised items.
    pub(crate) tuck: bool,
    /// Per section: what [`Sweep::fixed_load`] returns; empty without fixed buffers.
    fixed_load: Vec<Offset>,
}

/// A piece tagged with its owner: an item index, or a fixed buffer at a known offset.
#[derive(Clone, Copy)]
struct Tagged {
    piece: Piece,
    owner: Owner,
}

#[derive(Clone, Copy, PartialEq)]
enum Owner {
    Item(u32),
    Fixed(Offset),
}

impl Sweep {
    /// The units fixed buffers occupy in `section`, just before its end, where its members
    /// are all live: room none of them can take.
    pub(crate) fn fixed_load(&self, section: usize) -> Offset {
        self.fixed_load.get(section).copied().unwrap_or(0)
    }

    /// Whether some item may not take every offset: it is aligned, or fixed buffers rule out
    /// some of its offsets. Where none is, the order of a section's stack matters only as
    /// hole filling's rules see it (`aligned_stacks`), and MiniMalloc's orderings are on
    /// home ground (`time_orderings`).
    pub(crate) fn restricts_offsets(&self) -> bool {
        self.items
            .iter()
            .any(|item| item.alignment > 1 || !item.forbidden.is_empty())
    }

    /// Builds the structure for the buffers of `problem` that are not fixed and occupy memory.
    /// Fixed buffers only leave forbidden ranges. Assumes `problem.check()` passed.
    pub(crate) fn new(problem: &Problem) -> Sweep {
        let mut items = Vec::new();
        let mut pieces = Vec::new();
        for (index, buffer) in problem.buffers.iter().enumerate() {
            let buffer_pieces = buffer.pieces();
            if buffer_pieces.is_empty() {
                continue;
            }
            let owner = match buffer.offset {
                Some(offset) => Owner::Fixed(offset),
                None => {
                    items.push(Item {
                        index,
                        size: buffer.size,
                        alignment: buffer.alignment,
                        neighbours: Vec::new(),
                        sections: Vec::new(),
                        span: (u32::MAX, 0),
                        forbidden: Vec::new(),
                        raised: buffer_pieces.iter().any(|piece| piece.bottom > 0),
                        clearances: Vec::new(),
                    });
                    Owner::Item(items.len() as u32 - 1)
                }
            };
            pieces.extend(
                buffer_pieces
                    .into_iter()
                    .map(|piece| Tagged { piece, owner }),
            );
        }
        let tuck = items.iter().any(|item| item.raised);
        let (sections, ends) = build_sections(&mut items, &pieces);
        let fixed_load = fixed_load(&pieces, &ends);
        link_neighbours(&mut items, &mut pieces, tuck);
        let (by_first, first_start) = index_by_first_section(&items, sections.len());
        Sweep {
            items,
            sections,
            ends,
            by_first,
            first_start,
            tuck,
            fixed_load,
        }
    }
}

/// Per section (ending at `ends[s]`): the units of the fixed pieces live there, as
/// [`build_sections`] counts an item's piece a member of the sections it is live in; empty
/// when there are none (the common case costs no memory).
fn fixed_load(pieces: &[Tagged], ends: &[Time]) -> Vec<Offset> {
    if !pieces.iter().any(|t| matches!(t.owner, Owner::Fixed(_))) {
        return Vec::new();
    }
    let mut load = vec![0; ends.len()];
    for tagged in pieces {
        if !matches!(tagged.owner, Owner::Fixed(_)) {
            continue;
        }
        let piece = tagged.piece;
        let first = ends.partition_point(|&e| e <= piece.time.lower);
        let last = ends.partition_point(|&e| e <= piece.time.upper);
        for units in load.iter_mut().take(last).skip(first) {
            *units += piece.top - piece.bottom;
        }
    }
    load
}

impl Sweep {
    /// The items whose span starts in sections `lo..=hi`: a component of the search.
    pub(crate) fn starting_in(&self, lo: u32, hi: u32) -> &[u32] {
        &self.by_first
            [self.first_start[lo as usize] as usize..self.first_start[hi as usize + 1] as usize]
    }

    /// What [`Sweep::new`] would build, counted without building it: section memberships
    /// plus pairs of pieces that share time. O(n log n): a few sorts, then merges (each
    /// count is a sum of ranks of sorted queries in a sorted list, so no binary search
    /// jumps across arrays larger than the caches: at 2,000,000 buffers those made this
    /// check, meant to be cheap, the slowest step of a run).
    pub(crate) fn cost(problem: &Problem) -> u64 {
        let (mut movable_lowers, mut movable_uppers) = (Vec::new(), Vec::new());
        let (mut lowers, mut uppers) = (Vec::new(), Vec::new());
        for buffer in &problem.buffers {
            for piece in buffer.pieces() {
                lowers.push(piece.time.lower);
                uppers.push(piece.time.upper);
                if buffer.offset.is_none() {
                    movable_lowers.push(piece.time.lower);
                    movable_uppers.push(piece.time.upper);
                }
            }
        }
        for list in [
            &mut movable_lowers,
            &mut movable_uppers,
            &mut lowers,
            &mut uppers,
        ] {
            list.sort_unstable();
        }
        let mut ends = movable_uppers.clone();
        ends.dedup();
        // A piece [a, b) belongs to the sections whose end e has a < e <= b.
        let memberships =
            rank_sum(&movable_uppers, &ends, true) - rank_sum(&movable_lowers, &ends, true);
        // Pieces meeting [a, b): lower < b and upper > a, itself included.
        let meetings = rank_sum(&uppers, &lowers, false)
            - rank_sum(&lowers, &uppers, true)
            - lowers.len() as u64;
        memberships + meetings / 2
    }
}

/// The sum, over the sorted `queries`, of how many of the sorted `values` are below each
/// (`<`), or at most each with `inclusive` (`<=`): one merge.
fn rank_sum(queries: &[i64], values: &[i64], inclusive: bool) -> u64 {
    let mut below = 0;
    let mut total = 0u64;
    for &query in queries {
        while below < values.len()
            && (values[below] < query || (inclusive && values[below] == query))
        {
            below += 1;
        }
        total += below as u64;
    }
    total
}

/// One section per distinct end time of an item's piece; a piece `[a, b)` belongs to every
/// section whose end time `e` has `a < e <= b` (it is live just before `e`).
fn build_sections(items: &mut [Item], pieces: &[Tagged]) -> (Vec<Vec<Member>>, Vec<Time>) {
    let mut ends: Vec<i64> = pieces
        .iter()
        .filter(|t| matches!(t.owner, Owner::Item(_)))
        .map(|t| t.piece.time.upper)
        .collect();
    ends.sort_unstable();
    ends.dedup();
    let mut sections = vec![Vec::new(); ends.len()];
    for tagged in pieces {
        let Owner::Item(item) = tagged.owner else {
            continue;
        };
        let piece = tagged.piece;
        let first = ends.partition_point(|&e| e <= piece.time.lower);
        let last = ends.partition_point(|&e| e <= piece.time.upper);
        for (section, members) in sections.iter_mut().enumerate().take(last).skip(first) {
            members.push(Member {
                id: item,
                bottom: piece.bottom,
                top: piece.top,
            });
            let entry = &mut items[item as usize];
            entry.sections.push(Member {
                id: section as u32,
                bottom: piece.bottom,
                top: piece.top,
            });
            entry.span.0 = entry.span.0.min(section as u32);
            entry.span.1 = entry.span.1.max(section as u32);
        }
    }
    for item in items.iter_mut() {
        sort_by_i64_key(&mut item.sections, |member| i64::from(member.id));
    }
    (sections, ends)
}

/// Finds every pair of pieces that share time, by a sweep over start times with the live
/// pieces kept in a list, and records distances between items and the ranges fixed
/// buffers forbid; with `tuck`, also every pair's exact clearance.
fn link_neighbours(items: &mut [Item], pieces: &mut [Tagged], tuck: bool) {
    sort_by_i64_key(pieces, |t| t.piece.time.lower);
    let mut distances = PairMap::default();
    let mut live: Vec<Tagged> = Vec::new();
    for &tagged in pieces.iter() {
        let now = tagged.piece.time.lower;
        live.retain(|other| other.piece.time.upper > now);
        for other in &live {
            match (tagged.owner, other.owner) {
                (Owner::Item(a), Owner::Item(b)) if a != b => {
                    let mut keep = |from: u32, to: u32, distance: Offset| {
                        let entry = distances.entry((from, to)).or_insert(distance);
                        *entry = (*entry).max(distance);
                    };
                    keep(a, b, tagged.piece.top - other.piece.bottom);
                    keep(b, a, other.piece.top - tagged.piece.bottom);
                    if tuck {
                        let (pa, pb) = (&tagged.piece, &other.piece);
                        // b's piece [x + pb.bottom, x + pb.top) misses a's piece at o exactly
                        // when x - o lies outside [pa.bottom - pb.top + 1, pa.top - pb.bottom).
                        let clearance =
                            |p: &Piece, q: &Piece| (p.bottom - q.top + 1, p.top - q.bottom);
                        let (lo, hi) = clearance(pa, pb);
                        items[b as usize].clearances.push((a, lo, hi));
                        let (lo, hi) = clearance(pb, pa);
                        items[a as usize].clearances.push((b, lo, hi));
                    }
                }
                (Owner::Item(item), Owner::Fixed(at)) => {
                    forbid(&mut items[item as usize], &tagged.piece, at, &other.piece)
                }
                (Owner::Fixed(at), Owner::Item(item)) => {
                    forbid(&mut items[item as usize], &other.piece, at, &tagged.piece)
                }
                _ => {}
            }
        }
        live.push(tagged);
    }
    // Each item's neighbours in order of `to`: one sort of every link by (from, to), packed
    // into one i64 so that it is the crate's shared (i64, i64) sort (see crate::sort).
    let mut links: Vec<(i64, Offset)> = distances
        .into_iter()
        .map(|((from, to), distance)| ((i64::from(from) << 32) | i64::from(to), distance))
        .collect();
    links.sort_unstable();
    for (pair, distance) in links {
        items[(pair as u64 >> 32) as usize]
            .neighbours
            .push((pair as u32, distance));
    }
    for item in items.iter_mut() {
        item.forbidden.sort_unstable();
        item.forbidden.dedup();
        item.clearances.sort_unstable();
        item.clearances.dedup();
    }
}

/// An item's piece `[o + bottom, o + top)` hits a fixed piece `[at + fb, at + ft)` exactly when
/// `o` is in `[at + fb - top + 1, at + ft - bottom)`.
fn forbid(item: &mut Item, piece: &Piece, at: Offset, fixed: &Piece) {
    let lo = at + fixed.bottom - piece.top + 1;
    let hi = at + fixed.top - piece.bottom;
    if lo < hi {
        item.forbidden.push((lo, hi));
    }
}

fn index_by_first_section(items: &[Item], sections: usize) -> (Vec<u32>, Vec<u32>) {
    let mut by_first: Vec<u32> = (0..items.len() as u32).collect();
    sort_by_i64_key(&mut by_first, |&item| {
        i64::from(items[item as usize].span.0)
    });
    let mut first_start = vec![0u32; sections + 1];
    let mut position = 0;
    for (section, start) in first_start.iter_mut().enumerate() {
        while position < by_first.len()
            && (items[by_first[position] as usize].span.0 as usize) < section
        {
            position += 1;
        }
        *start = position as u32;
    }
    (by_first, first_start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Buffer;

    #[test]
    fn sections_neighbours_and_spans_of_the_doc_diagram() {
        let problem = Problem::new(
            vec![
                Buffer::new("a", 0, 4, 1),
                Buffer::new("b", 2, 8, 2),
                Buffer::new("c", 6, 12, 3),
            ],
            10,
        );
        let sweep = Sweep::new(&problem);
        let members: Vec<Vec<u32>> = sweep
            .sections
            .iter()
            .map(|s| s.iter().map(|m| m.id).collect())
            .collect();
        assert_eq!(members, [vec![0, 1], vec![1, 2], vec![2]]);
        assert_eq!(sweep.items[1].neighbours, [(0, 2), (2, 2)]);
        let spans: Vec<_> = sweep.items.iter().map(|i| i.span).collect();
        assert_eq!(spans, [(0, 0), (0, 1), (1, 2)]);
        assert_eq!(sweep.first_start, [0, 2, 3, 3]);
    }

    #[test]
    fn cost_counts_memberships_and_meeting_pairs() {
        // A small seeded generator: lifespans, gaps and fixed buffers of every kind.
        let mut state = 0x5eed_c057u64;
        let mut next = |below: i64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) % below as u64) as i64
        };
        for _ in 0..200 {
            let buffers: Vec<Buffer> = (0..next(12))
                .map(|i| {
                    let lower = next(10);
                    let mut buffer =
                        Buffer::new(format!("b{i}"), lower, lower + next(6), 1 + next(3));
                    if buffer.lifespan.width() >= 3 && next(3) == 0 {
                        buffer = buffer.with_gap(lower + 1, lower + 2, None);
                    }
                    if next(5) == 0 {
                        buffer.offset = Some(next(4));
                    }
                    buffer
                })
                .collect();
            let problem = Problem::new(buffers, 100);
            let pieces: Vec<(Piece, bool)> = problem
                .buffers
                .iter()
                .flat_map(|b| b.pieces().into_iter().map(move |p| (p, b.offset.is_none())))
                .collect();
            let ends: std::collections::BTreeSet<i64> = pieces
                .iter()
                .filter(|(_, movable)| *movable)
                .map(|(p, _)| p.time.upper)
                .collect();
            let memberships: usize = pieces
                .iter()
                .filter(|(_, movable)| *movable)
                .map(|(p, _)| {
                    ends.iter()
                        .filter(|&&e| p.time.lower < e && e <= p.time.upper)
                        .count()
                })
                .sum();
            let mut meetings = 0;
            for (i, (a, _)) in pieces.iter().enumerate() {
                for (b, _) in &pieces[i + 1..] {
                    if a.time.lower < b.time.upper && b.time.lower < a.time.upper {
                        meetings += 1;
                    }
                }
            }
            assert_eq!(Sweep::cost(&problem), (memberships + meetings) as u64);
        }
    }

    #[test]
    fn windows_shorten_distances_and_fixed_buffers_forbid_ranges() {
        // During [2, 4) "a" occupies only [0, 1) of its 4 units, so "b" may sit 1 above it.
        let problem = Problem::new(
            vec![
                Buffer::new("a", 0, 6, 4).with_gap(2, 4, Some((0, 1))),
                Buffer::new("b", 2, 4, 2),
                Buffer::new("f", 3, 5, 2).with_offset(10),
            ],
            20,
        );
        let sweep = Sweep::new(&problem);
        assert_eq!(sweep.items.len(), 2);
        assert_eq!(sweep.items[0].neighbours, [(1, 1)]);
        assert_eq!(sweep.items[1].neighbours, [(0, 2)]);
        // "b" (size 2) hits "f" at [10, 12) when its offset is in [9, 12).
        assert_eq!(sweep.items[1].forbidden, [(9, 12)]);
        // "a" meets "f" during [3, 4) with its window [0, 1) and during [4, 5) with all 4 units.
        assert_eq!(sweep.items[0].forbidden, [(7, 12), (10, 12)]);
        // Sections end where the items' pieces do (2, 4, 6), and hold what is live just
        // before: "f" (live in [3, 5)) at 3, in the second.
        assert_eq!(sweep.ends, [2, 4, 6]);
        assert_eq!(
            (0..3).map(|s| sweep.fixed_load(s)).collect::<Vec<_>>(),
            [0, 2, 0]
        );
        let later = Problem::new(
            vec![
                Buffer::new("a", 0, 2, 1),
                Buffer::new("b", 0, 6, 1),
                Buffer::new("f", 3, 6, 2).with_offset(10),
                Buffer::new("g", 0, 2, 3).with_offset(4),
            ],
            20,
        );
        // Sections end at 2 and 6: "g" is live just before 2, "f" just before 6.
        let later = Sweep::new(&later);
        assert_eq!([later.fixed_load(0), later.fixed_load(1)], [3, 2]);
        let none = Sweep::new(&Problem::new(vec![Buffer::new("a", 0, 2, 1)], 20));
        assert!(none.fixed_load.is_empty());
    }
}
