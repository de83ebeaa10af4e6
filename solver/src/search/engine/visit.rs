//! A node's visit: the rules that may end it at once (capacity, the canonical order,
//! section inference, release floors, ledges), a split into independent runs, or the node
//! opened on its candidates (hole fillers in a full component, else every item at its lowest
//! offset in canonical order, pruned by dominance and hatless items).

use super::{Action, Candidate, Frame, Level, Search, UNPLACED};
use crate::model::Offset;
use crate::search::trace::{Kind, Prune, TraceEvent, Tracer};

impl<T: Tracer> Search<'_, T> {
    /// Visits a node for component `[lo, hi]`.
    pub(super) fn enter(&mut self, lo: u32, hi: u32) -> Action {
        self.tracer.record(Kind::Enter, || TraceEvent::Enter {
            first_section: lo,
            last_section: hi,
        });
        let sweep = self.sweep;
        let members = sweep.starting_in(lo, hi);
        let first = self.candidates.len();
        let touched = self.touched.take();
        let mut any_open = false;
        // The lowest top any unplaced item of the component could have (see dominance).
        let mut lowest_top = Offset::MAX;
        for &item in members {
            if self.offset[item as usize] != UNPLACED {
                continue;
            }
            any_open = true;
            let size = sweep.items[item as usize].size;
            let offset = self.lowest_offset(item, self.min_offset[item as usize]);
            self.base[item as usize] = offset;
            if offset + size > self.capacity {
                // This item can only go higher from here: the node is dead.
                if T::ON {
                    let buffer = sweep.items[item as usize].index;
                    let prune = Prune::Capacity {
                        buffer,
                        offset,
                        top: offset + size,
                    };
                    self.record_prune(prune);
                }
                return self.fail_at_entry(first);
            }
            lowest_top = lowest_top.min(offset + size);
            let rank = self.rank[item as usize];
            // Canonical: a compacted packing places buffers in (offset, rank) order, each at
            // its lowest offset; a candidate that would sort before the last placement is
            // not next in any of them. Its offset may still rise when a neighbour is placed;
            // with no unplaced neighbour left it never will, and the node is dead.
            let after_level = Level {
                offset,
                rank: rank as i64,
            } > self.level;
            if self.holes {
                // Candidates come from the hole chosen below.
            } else if !self.switches.canonical || after_level {
                self.candidates.push(Candidate { offset, rank, item });
            } else if self.open_neighbours[item as usize] == 0 {
                if T::ON {
                    let buffer = sweep.items[item as usize].index;
                    self.record_prune(Prune::Canonical { buffer, offset });
                }
                return self.fail_at_entry(first);
            }
        }
        if !any_open {
            return Action::Return(true);
        }
        if self.enumerate_raised && !self.holes {
            self.push_raised_offsets(members, lowest_top);
        }
        if self.switches.section_inference {
            if let Some((section, floor)) = self.section_over(lo, hi) {
                let total = self.total[section as usize];
                return self.fail_over_section(section, floor, total, first);
            }
        }
        if self.holes && self.switches.release_floors {
            if let Some((section, level, above)) = self.release_over(lo, hi, touched.is_some()) {
                #[cfg(test)]
                {
                    self.release_prunes += 1;
                }
                return self.fail_over_section(section, level, above, first);
            }
        }
        if !self.holes && self.stacks.is_some() && self.unstackable() {
            return self.fail_at_entry(first);
        }
        if self.holes && self.switches.ledges && self.unfillable(lo, hi, touched) {
            return self.fail_at_entry(first);
        }
        // The checks above hold the whole component to the current canonical level; only
        // then may it split. The root always splits into partitions; deeper nodes only with
        // decomposition on.
        if self.switches.decomposition || self.stack.is_empty() {
            if let Some(action) = self.try_split(lo, hi, members) {
                self.candidates.truncate(first);
                return action;
            }
        }
        if self.holes {
            return self.fill_hole(lo, hi, first);
        }
        self.order_candidates(members, first, lowest_top, true);
        self.open_node(lo, hi, first)
    }

    /// Opens a node on the candidates from `first` on (a backtrack when there are none)
    /// and tries the first of them.
    pub(super) fn open_node(&mut self, lo: u32, hi: u32, first: usize) -> Action {
        if self.candidates.len() == first {
            return self.fail_at_entry(first);
        }
        if T::ON {
            let list = self.traced_candidates(&self.candidates[first..]);
            self.tracer
                .record(Kind::Candidates, || TraceEvent::Candidates(list));
        }
        let more = self.candidates.len() - first > self.window;
        if more {
            self.candidates.truncate(first + self.window);
        }
        self.stack.push(Frame::Node {
            lo,
            hi,
            first: first as u32,
            next: 0,
            undo_mark: self.undo.len() as u32,
            level: self.level,
            hatless: false,
            more,
            tried: 0,
            spent: self.spent,
        });
        self.place_next_candidate()
    }

    /// Ends the node because `total` does not fit above `floor` in `section` (section
    /// inference, or release floors at one of its levels), recorded as one prune.
    fn fail_over_section(
        &mut self,
        section: u32,
        floor: Offset,
        total: Offset,
        first: usize,
    ) -> Action {
        if T::ON {
            let prune = Prune::Section {
                section,
                time: self.sweep.ends[section as usize],
                floor,
                total,
            };
            self.record_prune(prune);
        }
        self.fail_at_entry(first)
    }

    pub(super) fn fail_at_entry(&mut self, first: usize) -> Action {
        self.candidates.truncate(first);
        self.backtracks += 1;
        self.tracer
            .record(Kind::Backtrack, || TraceEvent::Backtrack);
        Action::Return(false)
    }
}
