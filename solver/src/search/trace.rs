//! A record of one search, event by event, for teaching and debugging: every node entered,
//! every placement and its undoing, every pruning with the technique behind it, every split
//! into independent subproblems.
//!
//! Recording is a type parameter of the search ([`Tracer`]): the ordinary solve runs with
//! [`NoTrace`], whose methods are empty and whose events are built by closures that are
//! never called, so the compiled search is the same as before tracing existed. A trace keeps
//! the first `max_events` events and only counts the rest, so a long search cannot exhaust
//! memory.

use crate::model::{Offset, Time};
use crate::params::Preordering;

use super::Report;

/// One recorded search: its events, the counts of all of them, and how it ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// The first events of the search, in order.
    pub events: Vec<TraceEvent>,
    /// Every event of the search by kind, recorded or not.
    pub counts: TraceCounts,
    /// True when events were left out because the limit was reached.
    pub truncated: bool,
    /// The end time of each section: section `s` holds the pieces live just before
    /// `sections[s]` (between the previous end time and this one).
    pub sections: Vec<Time>,
    /// The ordering the traced search ranked buffers by (input order without one).
    pub ordering: Option<Preordering>,
    /// How the traced search ended.
    pub report: Report,
}

/// A buffer the search will try, at the offset it would take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceCandidate {
    /// Index of the buffer in the problem.
    pub buffer: usize,
    /// Its lowest legal offset at this node.
    pub offset: Offset,
}

/// One step of the search. Buffers are indices into the problem's buffers; sections are
/// indices into [`Trace::sections`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceEvent {
    /// A node: the search looks at the unplaced buffers whose sections start in
    /// `first_section..=last_section`.
    Enter {
        /// First section of the component.
        first_section: u32,
        /// Last section of the component.
        last_section: u32,
    },
    /// The node's candidates after pruning, in the order they will be tried.
    Candidates(Vec<TraceCandidate>),
    /// A buffer is placed.
    Place(TraceCandidate),
    /// A placement is undone, because the subtree under it failed.
    Unplace(TraceCandidate),
    /// A rule cut candidates or killed the node.
    Prune(Prune),
    /// No unplaced buffer crosses certain section boundaries, so the component splits into
    /// independent runs (section ranges), solved one after the other.
    Split(Vec<(u32, u32)>),
    /// The node failed: every candidate failed, or it died at entry. The search backs up.
    Backtrack,
}

/// A pruning, with the facts that justify it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prune {
    /// The buffer's lowest legal offset leaves its top above the capacity; offsets only rise
    /// deeper in the search, so the node is dead.
    Capacity {
        /// The buffer.
        buffer: usize,
        /// Its lowest legal offset.
        offset: Offset,
        /// Where its top would be.
        top: Offset,
    },
    /// Canonical order: the buffer would sort before the last placement, and no unplaced
    /// neighbour is left to push it up, so no canonical packing places it: the node is dead.
    Canonical {
        /// The buffer.
        buffer: usize,
        /// Its lowest legal offset, below the canonical level.
        offset: Offset,
    },
    /// Section inference: the buffers live at one instant must stack, and the section's
    /// floor plus the sizes still unplaced in it exceed the capacity: the node is dead.
    Section {
        /// The section.
        section: u32,
        /// Its end time (the instant is just before it).
        time: Time,
        /// Lowest height the unplaced members can start at.
        floor: Offset,
        /// Their total size.
        total: Offset,
    },
    /// Dominance: these candidates sit at or above the lowest top `top` that buffer `by`
    /// could reach; in any packing where one came next, `by` could drop below it.
    Dominance {
        /// The candidates removed.
        dropped: Vec<TraceCandidate>,
        /// The unplaced buffer with the lowest reachable top.
        by: usize,
        /// That top.
        top: Offset,
    },
    /// Hatless: `buffer` has no unplaced neighbour, so it never rises and every canonical
    /// completion places it where it is: the candidates after it are cut.
    Hatless {
        /// The hatless candidate.
        buffer: usize,
        /// The candidates cut after it.
        dropped: Vec<TraceCandidate>,
    },
    /// Hatless: `buffer` had no unplaced neighbour and its subtree failed; its remaining
    /// siblings (`skipped` of them) would fail too, so the node gives up.
    HatlessFailed {
        /// The hatless candidate that failed.
        buffer: usize,
        /// Siblings not tried.
        skipped: u32,
    },
}

impl Prune {
    /// Which technique of the search this pruning comes from.
    pub fn technique(&self) -> Technique {
        match self {
            Prune::Capacity { .. } => Technique::Capacity,
            Prune::Canonical { .. } => Technique::Canonical,
            Prune::Section { .. } => Technique::SectionInference,
            Prune::Dominance { .. } => Technique::Dominance,
            Prune::Hatless { .. } | Prune::HatlessFailed { .. } => Technique::Hatless,
        }
    }
}

/// The rules that prune the search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Technique {
    /// A buffer no longer fits under the capacity (always on).
    Capacity,
    /// Canonical order (`canonical_only`).
    Canonical,
    /// Section inference (`section_inference`, strengthened by the two floor switches).
    SectionInference,
    /// Dominance (`check_dominance`).
    Dominance,
    /// Hatless pruning (`hatless_pruning`).
    Hatless,
}

impl Technique {
    /// Every technique, in the order [`TraceCounts::prunes`] counts them.
    pub const ALL: [Technique; 5] = [
        Technique::Capacity,
        Technique::Canonical,
        Technique::SectionInference,
        Technique::Dominance,
        Technique::Hatless,
    ];

    /// A short stable name: `capacity`, `canonical`, `section`, `dominance`, `hatless`.
    pub fn name(self) -> &'static str {
        match self {
            Technique::Capacity => "capacity",
            Technique::Canonical => "canonical",
            Technique::SectionInference => "section",
            Technique::Dominance => "dominance",
            Technique::Hatless => "hatless",
        }
    }

    fn index(self) -> usize {
        Technique::ALL
            .iter()
            .position(|&t| t == self)
            .expect("listed")
    }
}

/// How many events of each kind the whole search produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TraceCounts {
    /// Nodes entered.
    pub nodes: u64,
    /// Placements.
    pub placements: u64,
    /// Placements undone.
    pub unplacements: u64,
    /// Splits into independent runs.
    pub splits: u64,
    /// Failed nodes.
    pub backtracks: u64,
    /// Prunings per technique, in the order of [`Technique::ALL`].
    pub prunes: [u64; 5],
}

impl TraceCounts {
    /// Prunings by `technique`.
    pub fn prunes_by(&self, technique: Technique) -> u64 {
        self.prunes[technique.index()]
    }
}

/// What kind an event is, known before it is built (so an event past the limit is counted
/// without being built).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    Enter,
    Candidates,
    Place,
    Unplace,
    Prune(Technique),
    Split,
    Backtrack,
}

/// The search's recording hook. `ON` is a constant so that the search's `if T::ON` blocks
/// vanish when tracing is off.
pub(crate) trait Tracer {
    const ON: bool;
    fn record(&mut self, kind: Kind, event: impl FnOnce() -> TraceEvent);
}

/// No tracing: the ordinary search.
pub(crate) struct NoTrace;

impl Tracer for NoTrace {
    const ON: bool = false;
    #[inline(always)]
    fn record(&mut self, _kind: Kind, _event: impl FnOnce() -> TraceEvent) {}
}

/// Keeps the first `limit` events and counts all of them.
pub(crate) struct Recorder {
    pub(crate) events: Vec<TraceEvent>,
    pub(crate) counts: TraceCounts,
    pub(crate) truncated: bool,
    limit: usize,
}

impl Recorder {
    pub(crate) fn new(limit: usize) -> Recorder {
        Recorder {
            events: Vec::new(),
            counts: TraceCounts::default(),
            truncated: false,
            limit,
        }
    }
}

impl Tracer for Recorder {
    const ON: bool = true;

    fn record(&mut self, kind: Kind, event: impl FnOnce() -> TraceEvent) {
        let counts = &mut self.counts;
        match kind {
            Kind::Enter => counts.nodes += 1,
            Kind::Place => counts.placements += 1,
            Kind::Unplace => counts.unplacements += 1,
            Kind::Split => counts.splits += 1,
            Kind::Backtrack => counts.backtracks += 1,
            Kind::Prune(technique) => counts.prunes[technique.index()] += 1,
            Kind::Candidates => {}
        }
        if self.events.len() < self.limit {
            self.events.push(event());
        } else {
            self.truncated = true;
        }
    }
}
