//! How the search state changes: placing a candidate and undoing placements (the undo log),
//! and splitting a component into independent runs, ranked afresh.

use super::{Action, Candidate, Frame, Level, Search, Undo, GROUND, UNPLACED};
use crate::search::preorder::{largest_total, sort_by_keys};
use crate::search::trace::{Kind, TraceEvent, Tracer};

impl<T: Tracer> Search<'_, T> {
    /// Splits the component's unplaced items into runs that no item spans across. Pushes a
    /// `Split` frame and enters the first run when there are two or more.
    pub(super) fn try_split(&mut self, lo: u32, hi: u32, members: &[u32]) -> Option<Action> {
        let first = self.runs.len();
        let mut current: Option<(u32, u32)> = None;
        for &item in members {
            if self.offset[item as usize] != UNPLACED {
                continue;
            }
            let (start, end) = self.sweep.items[item as usize].span;
            current = match current {
                Some((lo, reach)) if start > reach => {
                    self.runs.push((lo, reach));
                    Some((start, end))
                }
                Some((lo, reach)) => Some((lo, reach.max(end))),
                None => Some((start, end)),
            };
        }
        let Some(last) = current else {
            return Some(Action::Return(true));
        };
        if self.runs.len() == first {
            return None;
        }
        self.runs.push(last);
        if T::ON {
            let runs = self.runs[first..].to_vec();
            self.tracer.record(Kind::Split, || TraceEvent::Split(runs));
        }
        self.stack.push(Frame::Split {
            lo,
            hi,
            saved: self.saved_ranks.len() as u32,
            first: first as u32,
            end: self.runs.len() as u32,
            next: 0,
            undo_mark: self.undo.len() as u32,
            level: self.level,
            holes: self.holes,
            spent: self.spent,
        });
        self.rerank(members);
        if self.reset_runs {
            self.spent = 0;
        }
        // Each run is a problem of its own: its canonical order starts from the ground.
        self.level = GROUND;
        let (run_lo, run_hi) = self.runs[first];
        self.holes = self.full(run_lo, run_hi);
        Some(Action::Enter(run_lo, run_hi))
    }

    /// Ranks the unplaced items again as the fresh problems the runs are, with `T` taken
    /// from the sections' remaining totals. The old ranks are saved on `saved_ranks`, in
    /// `members` order, for [`Search::restore_ranks`]: four bytes an open item rather than an
    /// undo entry of sixteen, as a split deep in a long component ranks thousands again at
    /// every level.
    pub(super) fn rerank(&mut self, members: &[u32]) {
        let Some(ordering) = &self.ordering else {
            return;
        };
        let mut open: Vec<u32> = members
            .iter()
            .copied()
            .filter(|&item| self.offset[item as usize] == UNPLACED)
            .collect();
        let (items, totals) = (&self.sweep.items, &self.total);
        sort_by_keys(&mut open, ordering, self.keys, &|item| {
            largest_total(&items[item as usize], totals)
        });
        let rank = &mut self.rank;
        if open
            .iter()
            .enumerate()
            .all(|(position, &item)| rank[item as usize] == position as u32)
        {
            return;
        }
        self.saved_ranks.extend(
            members
                .iter()
                .filter(|&&item| self.offset[item as usize] == UNPLACED)
                .map(|&item| rank[item as usize]),
        );
        for (position, item) in open.into_iter().enumerate() {
            rank[item as usize] = position as u32;
        }
    }

    /// Puts back the ranks a split of component `[lo, hi]` replaced (saved from `saved` on),
    /// once its placements are undone: the same items are unplaced as when it split.
    pub(super) fn restore_ranks(&mut self, lo: u32, hi: u32, saved: usize) {
        if self.saved_ranks.len() == saved {
            return;
        }
        let sweep = self.sweep;
        let members = sweep.starting_in(lo, hi);
        let mut from = saved;
        for &item in members {
            if self.offset[item as usize] == UNPLACED {
                self.rank[item as usize] = self.saved_ranks[from];
                from += 1;
            }
        }
        debug_assert_eq!(from, self.saved_ranks.len());
        self.saved_ranks.truncate(saved);
    }

    /// Places a candidate; returns true when it met no unplaced item (nothing can land on it).
    pub(super) fn place(&mut self, candidate: Candidate) -> bool {
        let Candidate { offset, rank, item } = candidate;
        if T::ON {
            let placed = self.traced_item(item, offset);
            self.tracer
                .record(Kind::Place, || TraceEvent::Place(placed));
        }
        let entry = &self.sweep.items[item as usize];
        self.undo.push(Undo::Placed(item));
        self.offset[item as usize] = offset;
        let tuck = self.sweep.tuck;
        for member in &entry.sections {
            let section = member.id as usize;
            // Later buffers never go below this one's offset, but with raised pieces they
            // may go beneath a raised piece: then only its offset is a floor.
            let top = offset
                + if tuck && member.bottom > 0 {
                    0
                } else {
                    member.top
                };
            if top > self.floor[section] {
                self.undo.push(Undo::Floor(member.id, self.floor[section]));
                self.floor[section] = top;
            }
            self.total[section] -= member.top - member.bottom;
            self.open[section] -= 1;
        }
        let mut met_unplaced = false;
        // Only hole filling reads which items rose (release floors).
        let mut risen = if self.holes {
            self.risen.as_mut()
        } else {
            None
        };
        if let Some(risen) = &mut risen {
            risen.clear();
        }
        for &(other, distance) in &entry.neighbours {
            self.open_neighbours[other as usize] -= 1;
            if self.offset[other as usize] != UNPLACED {
                continue;
            }
            met_unplaced = true;
            // With raised pieces the exact clearances decide (see `lowest_offset`); a later
            // buffer still never goes below this one's offset.
            let above = offset + if tuck { 0 } else { distance };
            if above > self.min_offset[other as usize] {
                self.undo
                    .push(Undo::MinOffset(other, self.min_offset[other as usize]));
                self.min_offset[other as usize] = above;
                if let Some(risen) = &mut risen {
                    risen.push(other);
                }
            }
        }
        self.level = Level {
            offset,
            rank: rank as i64,
        };
        self.touched = Some(entry.span);
        !met_unplaced
    }

    pub(super) fn undo_to(&mut self, mark: u32) {
        while self.undo.len() > mark as usize {
            match self.undo.pop() {
                Some(Undo::Placed(item)) => {
                    if T::ON {
                        let undone = self.traced_item(item, self.offset[item as usize]);
                        self.tracer
                            .record(Kind::Unplace, || TraceEvent::Unplace(undone));
                    }
                    self.offset[item as usize] = UNPLACED;
                    let entry = &self.sweep.items[item as usize];
                    for &(other, _) in &entry.neighbours {
                        self.open_neighbours[other as usize] += 1;
                    }
                    for member in &entry.sections {
                        self.total[member.id as usize] += member.top - member.bottom;
                        self.open[member.id as usize] += 1;
                    }
                }
                Some(Undo::MinOffset(item, old)) => self.min_offset[item as usize] = old,
                Some(Undo::Floor(section, old)) => self.floor[section as usize] = old,
                None => break,
            }
        }
    }
}
