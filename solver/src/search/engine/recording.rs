//! What the search records when traced (see [`crate::search::trace`]): items as the trace
//! names them, prunings with their facts. With [`crate::search::trace::NoTrace`] none of it
//! runs.

use super::{Candidate, Search, UNPLACED};
use crate::model::Offset;
use crate::search::trace::{Kind, Prune, TraceCandidate, TraceEvent, Tracer};

impl<T: Tracer> Search<'_, T> {
    /// An item as a trace names it: its buffer index, at `offset`.
    pub(super) fn traced_item(&self, item: u32, offset: Offset) -> TraceCandidate {
        TraceCandidate {
            buffer: self.sweep.items[item as usize].index,
            offset,
        }
    }

    pub(super) fn traced_candidates(&self, candidates: &[Candidate]) -> Vec<TraceCandidate> {
        candidates
            .iter()
            .map(|c| self.traced_item(c.item, c.offset))
            .collect()
    }

    pub(super) fn record_prune(&mut self, prune: Prune) {
        self.tracer
            .record(Kind::Prune(prune.technique()), || TraceEvent::Prune(prune));
    }

    /// Records which candidates dominance is about to drop, and the unplaced item whose
    /// lowest top `lowest_top` justifies it.
    pub(super) fn record_dominance(&mut self, members: &[u32], first: usize, lowest_top: Offset) {
        let dropped: Vec<TraceCandidate> = self.candidates[first..]
            .iter()
            .filter(|c| c.offset >= lowest_top)
            .map(|c| self.traced_item(c.item, c.offset))
            .collect();
        if dropped.is_empty() {
            return;
        }
        let by = members.iter().copied().find(|&item| {
            self.offset[item as usize] == UNPLACED
                && self.base[item as usize] + self.sweep.items[item as usize].size == lowest_top
        });
        let by = by.map_or(usize::MAX, |item| self.sweep.items[item as usize].index);
        self.record_prune(Prune::Dominance {
            dropped,
            by,
            top: lowest_top,
        });
    }
}
