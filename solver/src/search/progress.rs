//! Counting a search's nodes, hearing the monitor's stop, and reporting progress.

use super::SearchStats;
use crate::model::Offset;
use crate::monitor::{Monitor, Progress};

/// Adds up node counts from ticks, polls the monitor for a stop, and reports progress
/// every [`PROGRESS_NODES`] nodes.
#[derive(Default)]
pub(crate) struct ProgressCounter {
    nodes: u64,
    backtracks: u64,
    reported_at: u64,
    /// Copied into every report when minimising.
    pub(crate) best_height: Option<Offset>,
    pub(crate) lower_bound: Option<Offset>,
}

/// How many nodes pass between two progress reports.
const PROGRESS_NODES: u64 = 1 << 14;

impl ProgressCounter {
    /// Counts nodes of a search run elsewhere (the pinned probe's own).
    pub(crate) fn add(&mut self, nodes: u64, backtracks: u64) {
        self.nodes += nodes;
        self.backtracks += backtracks;
    }

    pub(crate) fn tick(&mut self, nodes: u64, backtracks: u64, monitor: &mut dyn Monitor) -> bool {
        self.nodes += nodes;
        self.backtracks += backtracks;
        if self.nodes - self.reported_at >= PROGRESS_NODES || monitor.wants_progress() {
            self.report(monitor);
        }
        monitor.should_stop()
    }

    pub(crate) fn report(&mut self, monitor: &mut dyn Monitor) {
        self.reported_at = self.nodes;
        let progress = Progress {
            nodes: self.nodes,
            backtracks: self.backtracks,
            elapsed: monitor.elapsed(),
            best_height: self.best_height,
            lower_bound: self.lower_bound,
        };
        monitor.progress(&progress);
    }

    pub(crate) fn stats(&self) -> SearchStats {
        SearchStats {
            nodes: self.nodes,
            backtracks: self.backtracks,
            ordering: None,
        }
    }
}
