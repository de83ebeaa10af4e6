//! Two rules for a full component (one whose sections are full to the capacity, where the
//! engine fills holes: see [`super::engine`]), both bufpack's own. There every open
//! section's room from its floor up must be covered exactly by its unplaced members, each
//! resting where the floors of all its sections are (anything else wastes room), and placed
//! members stack from the ground with no room between them.
//!
//! - **Ledges** (`SolverParams::ledges`): a section at floor `f` needs a member at exactly
//!   `f`. A member `i` can ever rest there only if every section `t` of its span has its
//!   floor at or below `f`, and the room `[floor(t), f)` beneath `i` can be filled exactly by
//!   unplaced members of `t` that fit wholly below `f`: some subset of their sizes sums to
//!   it. A section with no such member is a hole nothing will ever fill: the node is dead.
//!   Without this, such a hole (a ledge left beside a lower run of sections, whose members
//!   then stack to heights that never meet it) is noticed only when the run reaches it, and
//!   every way of stacking the run is tried first.
//! - **Ordered stacks** (`SolverParams::ordered_stacks`): two items with the same sections
//!   and no alignment, one directly on top of the other, can swap places in any packing
//!   (whatever meets one meets the other, and together they cover the same room; an aligned
//!   item might not be allowed at the other's offset, as the fuzz test found). So sorting every such stack
//!   by a fixed key (the item's rank when the search started) turns any packing into one
//!   where no item sits directly on an item of the same sections with a larger key; the
//!   search looks only for those, and never puts an item on such a neighbour.

use crate::model::Offset;
use crate::sweep::Sweep;

/// The state of a search the check reads, borrowed from it.
pub(super) struct View<'s> {
    pub(super) sweep: &'s Sweep,
    /// Per item: its offset, or negative when unplaced.
    pub(super) offset: &'s [Offset],
    /// Per item: its lowest legal offset at this node (valid for unplaced items).
    pub(super) base: &'s [Offset],
    /// Per section: the highest placed top.
    pub(super) floor: &'s [Offset],
    /// Per section: total size of the unplaced members.
    pub(super) total: &'s [Offset],
}

/// Scratch space of [`unfillable_floor`], kept by the search between nodes.
#[derive(Default)]
pub(super) struct Ledges {
    /// Per section: `(stamp, level, fits)`, the last answer of [`Ledges::gap_fits`].
    memo: Vec<(u64, Offset, bool)>,
    stamp: u64,
    sums: Vec<Offset>,
    next: Vec<Offset>,
}

/// Subset sums tracked at most per gap; past it a gap counts as fillable (no prune).
const MAX_SUMS: usize = 64;

impl Ledges {
    pub(super) fn new(sections: usize) -> Ledges {
        Ledges {
            memo: vec![(0, 0, false); sections],
            ..Ledges::default()
        }
    }

    /// Whether section `t`'s room between its floor and `level` can be filled exactly by
    /// unplaced members that fit wholly below `level` (their lowest offset plus size).
    fn gap_fits(&mut self, view: &View<'_>, t: usize, level: Offset) -> bool {
        let gap = level - view.floor[t];
        if gap <= 0 {
            return gap == 0;
        }
        let (stamp, at, fits) = self.memo[t];
        if stamp == self.stamp && at == level {
            return fits;
        }
        // Sums reachable so far, sorted: each member merges in the sums shifted by its size.
        self.sums.clear();
        self.sums.push(0);
        let mut fits = false;
        for m in &view.sweep.sections[t] {
            let item = m.id as usize;
            let size = view.sweep.items[item].size;
            if view.offset[item] >= 0 || view.base[item] + size > level || size > gap {
                continue;
            }
            self.next.clear();
            let (mut a, mut b) = (0, 0);
            let sums = &self.sums;
            while a < sums.len() || b < sums.len() {
                let shifted = sums.get(b).map_or(Offset::MAX, |&sum| sum + size);
                let (value, from_a) = match sums.get(a) {
                    Some(&sum) if sum <= shifted => (sum, true),
                    _ => (shifted, false),
                };
                if value > gap {
                    break;
                }
                if from_a {
                    a += 1;
                    if value == shifted {
                        b += 1;
                    }
                } else {
                    b += 1;
                }
                self.next.push(value);
            }
            std::mem::swap(&mut self.sums, &mut self.next);
            if self.sums.last() == Some(&gap) {
                fits = true;
                break;
            }
            if self.sums.len() > MAX_SUMS {
                fits = true;
                break;
            }
        }
        self.memo[t] = (self.stamp, level, fits);
        fits
    }
}

/// The first section of `[lo, hi]` of a full component, with room left, that no unplaced
/// member can ever cover at its floor `f`, if any (the member covering it there has a size). A member `i` can rest at `f` only if every section
/// `t` of its span has its floor at or below `f` and the room `[floor(t), f)` can be filled
/// exactly by unplaced members of `t` that fit wholly below `f` (a subset of their sizes
/// sums to it): in a full component no room may be wasted, and `i` sits on that room.
///
/// `touched` is the span of the item placed since the last check, if that is all that
/// changed: then only sections whose answer that placement can change are looked at (those
/// with a member meeting a section with a member meeting the span; the others' members
/// kept their floors and their sections kept their unplaced members and lowest offsets).
pub(super) fn unfillable_floor(
    view: &View<'_>,
    lo: u32,
    hi: u32,
    touched: Option<(u32, u32)>,
    ledges: &mut Ledges,
) -> Option<u32> {
    ledges.stamp += 1;
    let sweep = view.sweep;
    let (lo, hi) = (lo as usize, hi as usize);
    let (from, to) = match touched {
        None => (lo, hi),
        Some((first, last)) => {
            // The sections beside the span, with the runs at their floors.
            let (mut from, mut to) = (
                (first as usize).max(lo + 1) - 1,
                (last as usize + 1).min(hi),
            );
            let (left, right) = (view.floor[from], view.floor[to]);
            while from > lo && view.floor[from - 1] == left {
                from -= 1;
            }
            while to < hi && view.floor[to + 1] == right {
                to += 1;
            }
            (from, to)
        }
    };
    'sections: for s in from..=to {
        if view.total[s] == 0 {
            // Nothing left to cover (buffers of size 0 cover nothing).
            continue;
        }
        let level = view.floor[s];
        // First the members that could rest at `level` now (every section of their span is
        // at it); only without one, the members that need room below filled first.
        let mut waiting = false;
        for m in &sweep.sections[s] {
            let item = m.id as usize;
            if view.offset[item] >= 0 || view.base[item] != level || sweep.items[item].size == 0 {
                continue;
            }
            let (first, last) = sweep.items[item].span;
            let floors = &view.floor[first as usize..=last as usize];
            if floors.iter().all(|&floor| floor == level) {
                continue 'sections;
            }
            waiting |= floors.iter().all(|&floor| floor <= level);
        }
        if waiting {
            for m in &sweep.sections[s] {
                let item = m.id as usize;
                if view.offset[item] >= 0 || view.base[item] != level || sweep.items[item].size == 0
                {
                    continue;
                }
                let (first, last) = sweep.items[item].span;
                let (first, last) = (first as usize, last as usize);
                if (first..=last).all(|t| ledges.gap_fits(view, t, level)) {
                    continue 'sections;
                }
            }
        }
        return Some(s as u32);
    }
    None
}

/// The placed member of `section` whose top is at `level`, if any.
pub(super) fn below(sweep: &Sweep, offset: &[Offset], section: u32, level: Offset) -> Option<u32> {
    sweep.sections[section as usize]
        .iter()
        .map(|m| m.id)
        .find(|&item| {
            let at = offset[item as usize];
            let size = sweep.items[item as usize].size;
            at >= 0 && size > 0 && at + size == level
        })
}

/// Whether `item` may not go directly on top of `below`: they have the same sections and no
/// alignment (so they can swap places in any packing: an aligned one might not sit at the
/// other's offset) and `below` comes later by `key`.
pub(super) fn out_of_order(sweep: &Sweep, key: &[u32], below: u32, item: u32) -> bool {
    let (under, over) = (&sweep.items[below as usize], &sweep.items[item as usize]);
    key[below as usize] > key[item as usize]
        && under.span == over.span
        && under.alignment <= 1
        && over.alignment <= 1
}
