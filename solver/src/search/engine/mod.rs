//! One depth-first search for one ordering, written as a loop over an explicit stack so it
//! can stop after any number of nodes and resume later exactly where it was. A portfolio
//! interleaves several of these without redoing work; a web worker can run one in slices.
//!
//! A *node* solves a *component*: the unplaced items whose section spans start in a range
//! `[lo, hi]` of sections. It either splits the component into independent runs (a
//! `Split` frame solves them one after the other) or tries candidates one by one (a `Node`
//! frame), each placed at its lowest offset.
//!
//! Why lowest offsets and a canonical order suffice: take any packing, sort its buffers by
//! (offset, rank) and drop each in turn to the lowest offset above its already-placed time
//! neighbours; nothing moves up, so the result is still a packing, and the search builds it
//! by placing buffers in exactly that order. See ARCHITECTURE.md for each pruning rule's
//! argument.

mod candidates;
mod discrepancies;
mod inference;
mod offsets;
mod recording;
mod state;
mod switches;
#[cfg(test)]
mod testing;
mod visit;

use super::holes;
use super::preorder::{initial_ranks, KeyTable};
use super::stacks::Stacks;
use super::trace::{Kind, NoTrace, Prune, TraceEvent, Tracer};
use crate::model::Offset;
use crate::params::{Preordering, SolverParams};
use crate::sweep::Sweep;
use offsets::raised_offsets;
use switches::Switches;

const UNPLACED: Offset = -1;

/// How often (in nodes) the search asks its caller whether to stop.
pub(crate) const TICK_NODES: u64 = 64;

/// The most offsets above its lowest that a raised item may need tried at one node, summed
/// over raised items (see [`Search::raised_offsets`]). Above it the search still finds
/// packings but no longer proves that none exists.
pub(crate) const RAISED_OFFSETS: u64 = 1 << 16;

/// Where a search stands after a call to [`Search::run`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Every item is placed; [`Search::item_offsets`] holds the packing.
    Solved,
    /// The whole space was searched: no packing exists.
    Infeasible,
    /// Every offset the search tries was tried, but windowed gaps allow packings it does
    /// not try (the raised items' offsets were over [`RAISED_OFFSETS`]): nothing is proven.
    Exhausted,
    /// The node budget ran out; call `run` again to go on.
    Paused,
    /// The caller asked to stop; call `run` again to go on.
    Stopped,
}

#[derive(Clone, Copy, Debug)]
struct Candidate {
    offset: Offset,
    rank: u32,
    item: u32,
}

/// The canonical level: the last placement's (offset, rank); later ones must come after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Level {
    offset: Offset,
    rank: i64,
}

const GROUND: Level = Level {
    offset: 0,
    rank: -1,
};

#[derive(Clone, Copy, Debug)]
enum Frame {
    /// Trying candidates `candidates[first + next]` ... for component `[lo, hi]`.
    Node {
        lo: u32,
        hi: u32,
        first: u32,
        next: u32,
        undo_mark: u32,
        level: Level,
        /// The candidate being tried met no unplaced item when placed.
        hatless: bool,
        /// Candidates past the stored window are left to make again (see
        /// [`candidates::WINDOW`]).
        more: bool,
        /// Candidates tried so far over all windows, the one being tried included.
        tried: u32,
        /// Discrepancies the path spent above this node (see [`discrepancies`]).
        spent: u32,
    },
    /// Solving `runs[first + next]` ... one after another; all must succeed.
    Split {
        /// The component that split.
        lo: u32,
        hi: u32,
        /// Where the ranks the split replaced start in `saved_ranks`, if it replaced any.
        saved: u32,
        first: u32,
        end: u32,
        next: u32,
        undo_mark: u32,
        level: Level,
        /// The mode of the component that split, restored when its runs are done.
        holes: bool,
        /// Discrepancies the path spent above the split: each run starts from them.
        spent: u32,
    },
}

#[derive(Clone, Copy, Debug)]
enum Action {
    Enter(u32, u32),
    Return(bool),
}

#[derive(Clone, Copy, Debug)]
enum Undo {
    Placed(u32),
    MinOffset(u32, Offset),
    Floor(u32, Offset),
}

/// The search state of one ordering. `T` records the search when tracing (see
/// [`super::trace`]); the ordinary search uses [`NoTrace`], which compiles to nothing.
pub(crate) struct Search<'a, T: Tracer = NoTrace> {
    tracer: T,
    sweep: &'a Sweep,
    keys: &'a KeyTable,
    ordering: Option<Preordering>,
    switches: Switches,
    capacity: Offset,
    /// Raised items also try their higher offsets (see [`Search::raised_offsets`]); when
    /// false on a problem with raised items, exhausting the space proves nothing.
    enumerate_raised: bool,
    rank: Vec<u32>,
    offset: Vec<Offset>,
    min_offset: Vec<Offset>,
    /// Per item, for the current node only: its lowest legal offset.
    base: Vec<Offset>,
    /// Per section: highest top of a placed member.
    floor: Vec<Offset>,
    /// Per section: total height of unplaced members.
    total: Vec<Offset>,
    /// Per section: number of unplaced members.
    open: Vec<u32>,
    /// Per item: number of its time neighbours still unplaced.
    open_neighbours: Vec<u32>,
    level: Level,
    /// The current component is full to the capacity in every section and the search fills
    /// its holes (see [`Search::fill_hole`]) instead of going in canonical order.
    holes: bool,
    /// Every item is plain (no fixed buffers, gaps or windows), so hole filling applies.
    plain: bool,
    /// Per item: its rank when the search started, the order in which items with the same
    /// sections are stacked (see [`holes::out_of_order`]).
    stack_key: Vec<u32>,
    /// The span of the item placed since the last node was entered, if any.
    touched: Option<(u32, u32)>,
    /// With release floors in a plain problem: the unplaced items whose lowest offset the
    /// last placement raised (see [`Search::release_over`]).
    risen: Option<Vec<u32>>,
    /// Scratch space of [`Search::release_over`]: `(release, size)` per level of a section's
    /// unplaced members released above its floor, the sections to look at, and per section
    /// the stamp of the last node that listed it.
    releases: Vec<(Offset, Offset)>,
    release_sections: Vec<u32>,
    release_stamps: Vec<u64>,
    release_stamp: u64,
    /// Scratch space of [`holes::unfillable_floor`].
    ledges: holes::Ledges,
    /// Aligned stacks are checked (the rule on, alignment or fixed buffers), with their
    /// scratch space.
    stacks: Option<Box<Stacks>>,
    undo: Vec<Undo>,
    /// The ranks splits replaced (see [`Search::rerank`]), by split, innermost last.
    saved_ranks: Vec<u32>,
    stack: Vec<Frame>,
    candidates: Vec<Candidate>,
    /// The most untried candidates an open node keeps ([`candidates::WINDOW`]).
    window: usize,
    /// Windows made again, for the window's test.
    #[cfg(test)]
    renewed: u64,
    /// Tests: release floors looks at every section after a placement too.
    #[cfg(test)]
    release_everywhere: bool,
    /// Tests: nodes release floors ended.
    #[cfg(test)]
    release_prunes: u64,
    runs: Vec<(u32, u32)>,
    next: Option<Action>,
    finished: Option<bool>,
    /// Nodes visited.
    pub(crate) nodes: u64,
    /// Nodes at which every candidate failed (or none was left to try).
    pub(crate) backtracks: u64,
    /// `(nodes, backtracks)` as of the last call to `tick`.
    ticked: (u64, u64),
    /// With limited discrepancies, the most the current iteration lets a path spend;
    /// `None` for the ordinary search, which tries every candidate (see [`discrepancies`]).
    discrepancy_limit: Option<u32>,
    /// Discrepancies spent on the path to the node being entered.
    spent: u32,
    /// The current iteration left a candidate untried for want of discrepancies, so its
    /// failure proves nothing.
    cut: bool,
    /// With limited discrepancies, each run of a split starts from nothing spent rather
    /// than from what the path to the split spent (see [`discrepancies`]).
    reset_runs: bool,
    /// Hole fillers flush with the floor of a section beside them come first (see
    /// `push_hole_fillers`): in every limited search, and in the portfolio's flush lane.
    flush_first: bool,
}

impl<'a> Search<'a> {
    /// A search over `sweep`'s items ranked by `ordering` (input order without one).
    pub(crate) fn new(
        sweep: &'a Sweep,
        keys: &'a KeyTable,
        ordering: Option<Preordering>,
        params: &SolverParams,
        capacity: Offset,
    ) -> Search<'a> {
        Search::traced(sweep, keys, ordering, params, capacity, NoTrace)
    }
}

impl<'a, T: Tracer> Search<'a, T> {
    /// [`Search::new`], recording events into `tracer`.
    pub(crate) fn traced(
        sweep: &'a Sweep,
        keys: &'a KeyTable,
        ordering: Option<Preordering>,
        params: &SolverParams,
        capacity: Offset,
        tracer: T,
    ) -> Search<'a, T> {
        let rank = initial_ranks(keys, ordering.as_ref());
        let items = sweep.items.len();
        let sections = sweep.sections.len();
        let total = sweep
            .sections
            .iter()
            .map(|members| members.iter().map(|m| m.top - m.bottom).sum())
            .collect();
        let open = sweep.sections.iter().map(|m| m.len() as u32).collect();
        let next = if sections == 0 {
            Action::Return(true)
        } else {
            Action::Enter(0, sections as u32 - 1)
        };
        let switches = Switches::from(params);
        // A gap without a window leaves whole pieces on either side, but no member in the
        // sections between: the hole-filling rules read every section of an item's span
        // (its floors, whether it can rest there), so such an item is not plain either (a
        // fuzz case: b5 filling [6, 7) to the capacity made the ledges rule refuse b2 and
        // b4, absent during [6, 7), and called a feasible problem infeasible).
        let plain = !sweep.tuck
            && sweep.items.iter().all(|item| {
                let (first, last) = item.span;
                item.forbidden.is_empty()
                    && item.sections.len() == (last - first) as usize + 1
                    && item
                        .sections
                        .iter()
                        .all(|m| m.bottom == 0 && m.top == item.size)
            });
        // Release floors run only in hole filling, which needs a plain problem.
        let releasing = plain && switches.release_floors;
        let mut search = Search {
            tracer,
            sweep,
            keys,
            ordering,
            switches,
            capacity,
            enumerate_raised: sweep.tuck
                && raised_offsets(sweep, switches, capacity) <= RAISED_OFFSETS,
            rank,
            offset: vec![UNPLACED; items],
            min_offset: vec![0; items],
            base: vec![0; items],
            floor: vec![0; sections],
            total,
            open,
            open_neighbours: sweep
                .items
                .iter()
                .map(|i| i.neighbours.len() as u32)
                .collect(),
            level: GROUND,
            holes: false,
            plain,
            stack_key: Vec::new(),
            touched: None,
            risen: releasing.then(Vec::new),
            releases: Vec::new(),
            release_sections: Vec::new(),
            release_stamps: vec![0; if releasing { sections } else { 0 }],
            release_stamp: 0,
            ledges: holes::Ledges::new(sections),
            // Without alignment or fixed buffers, order matters in a section only where a
            // member is released above its floor with no room to spare, which hole
            // filling's rules cover.
            stacks: (switches.aligned_stacks && sweep.restricts_offsets())
                .then(|| Box::new(Stacks::for_sweep(sweep))),
            undo: Vec::new(),
            saved_ranks: Vec::new(),
            stack: Vec::new(),
            candidates: Vec::new(),
            window: candidates::WINDOW,
            #[cfg(test)]
            renewed: 0,
            #[cfg(test)]
            release_everywhere: false,
            #[cfg(test)]
            release_prunes: 0,
            runs: Vec::new(),
            next: Some(next),
            finished: None,
            nodes: 0,
            backtracks: 0,
            ticked: (0, 0),
            discrepancy_limit: None,
            spent: 0,
            cut: false,
            reset_runs: false,
            flush_first: false,
        };
        if sections > 0 {
            search.holes = search.full(0, sections as u32 - 1);
        }
        if search.switches.ordered_stacks {
            search.stack_key = search.rank.clone();
        }
        search
    }

    /// Offsets of the items once [`Step::Solved`] was returned.
    pub(crate) fn item_offsets(&self) -> &[Offset] {
        &self.offset
    }

    /// The recorder, once the search is over.
    pub(crate) fn into_tracer(self) -> T {
        self.tracer
    }

    /// Runs until solved, proven infeasible, `budget` more nodes were visited, or `tick`
    /// (called every [`TICK_NODES`] nodes with the nodes and backtracks since its last call)
    /// returns true.
    pub(crate) fn run(&mut self, budget: u64, tick: &mut dyn FnMut(u64, u64) -> bool) -> Step {
        if let Some(solved) = self.finished {
            return self.decided(solved);
        }
        let stop_at = self.nodes.saturating_add(budget);
        // Counted from the last tick of any run, so nodes of a run that paused between two
        // ticks are passed on by the next run's first tick rather than lost.
        let (mut ticked_nodes, mut ticked_backtracks) = self.ticked;
        let mut action = self
            .next
            .take()
            .expect("a search is resumed only while unfinished");
        loop {
            match action {
                Action::Enter(lo, hi) => {
                    if self.nodes >= stop_at {
                        self.next = Some(action);
                        self.ticked = (ticked_nodes, ticked_backtracks);
                        return Step::Paused;
                    }
                    if self.nodes - ticked_nodes >= TICK_NODES {
                        let stop = tick(
                            self.nodes - ticked_nodes,
                            self.backtracks - ticked_backtracks,
                        );
                        (ticked_nodes, ticked_backtracks) = (self.nodes, self.backtracks);
                        if stop {
                            self.next = Some(action);
                            self.ticked = (ticked_nodes, ticked_backtracks);
                            return Step::Stopped;
                        }
                    }
                    self.nodes += 1;
                    action = self.enter(lo, hi);
                }
                Action::Return(ok) => match self.stack.last().copied() {
                    None if !ok && self.cut => action = self.next_iteration(),
                    None => {
                        tick(
                            self.nodes - ticked_nodes,
                            self.backtracks - ticked_backtracks,
                        );
                        self.finished = Some(ok);
                        return self.decided(ok);
                    }
                    Some(Frame::Node { .. }) => action = self.return_to_node(ok),
                    Some(Frame::Split { .. }) => action = self.return_to_split(ok),
                },
            }
        }
    }

    /// A finished search's step: a failure is a proof only when the search tried every
    /// packing that matters.
    fn decided(&self, solved: bool) -> Step {
        if solved {
            Step::Solved
        } else if self.sweep.tuck && !self.enumerate_raised {
            Step::Exhausted
        } else {
            Step::Infeasible
        }
    }

    /// Places the top node's next candidate and enters the child node.
    fn place_next_candidate(&mut self) -> Action {
        let Some(Frame::Node {
            lo,
            hi,
            first,
            next,
            tried,
            spent,
            ..
        }) = self.stack.last().copied()
        else {
            unreachable!("called with a node on top");
        };
        self.spent = spent.saturating_add(discrepancies::cost(tried));
        let candidate = self.candidates[(first + next) as usize];
        let hatless = self.place(candidate) && !self.holes;
        if let Some(Frame::Node { hatless: flag, .. }) = self.stack.last_mut() {
            *flag = hatless;
        }
        Action::Enter(lo, hi)
    }

    fn return_to_node(&mut self, ok: bool) -> Action {
        let Some(Frame::Node {
            lo,
            hi,
            first,
            next,
            undo_mark,
            level,
            hatless,
            more,
            tried,
            spent,
        }) = self.stack.last_mut()
        else {
            unreachable!("called with a node on top");
        };
        let (lo, hi, first, undo_mark, level, hatless, more) =
            (*lo, *hi, *first, *undo_mark, *level, *hatless, *more);
        *tried += 1;
        let (tried, spent) = (*tried, *spent);
        if ok {
            self.candidates.truncate(first as usize);
            self.stack.pop();
            return Action::Return(true);
        }
        *next += 1;
        let mut next = *next;
        let mut exhausted = (first + next) as usize >= self.candidates.len();
        self.undo_to(undo_mark);
        self.level = level;
        let pruned = self.switches.hatless && hatless;
        // Candidates may be left (in this window or the next) that the iteration has not
        // the discrepancies for.
        let refused = !pruned && (!exhausted || more) && !self.may_try(tried, spent);
        if exhausted && more && !pruned && !refused {
            self.next_window(lo, hi, first as usize);
            next = 0;
            exhausted = self.candidates.len() == first as usize;
        }
        if exhausted || refused || pruned {
            if T::ON && !exhausted && !refused {
                let failed = self.candidates[(first + next - 1) as usize];
                let prune = Prune::HatlessFailed {
                    buffer: self.sweep.items[failed.item as usize].index,
                    skipped: (self.candidates.len() - (first + next) as usize) as u32,
                };
                self.record_prune(prune);
            }
            self.candidates.truncate(first as usize);
            self.stack.pop();
            self.backtracks += 1;
            self.tracer
                .record(Kind::Backtrack, || TraceEvent::Backtrack);
            return Action::Return(false);
        }
        self.place_next_candidate()
    }

    fn return_to_split(&mut self, ok: bool) -> Action {
        let Some(Frame::Split {
            lo,
            hi,
            saved,
            first,
            end,
            next,
            undo_mark,
            level,
            holes,
            spent,
        }) = self.stack.last_mut()
        else {
            unreachable!("called with a split on top");
        };
        let (lo, hi, saved, first, end, undo_mark, level, holes) =
            (*lo, *hi, *saved, *first, *end, *undo_mark, *level, *holes);
        if ok && first + *next + 1 < end {
            *next += 1;
            // The runs are independent: each may spend what the path to the split left (or,
            // resetting, the whole limit).
            self.spent = if self.reset_runs { 0 } else { *spent };
            self.level = GROUND;
            let (lo, hi) = self.runs[(first + *next) as usize];
            self.holes = self.full(lo, hi);
            return Action::Enter(lo, hi);
        }
        self.level = level;
        self.holes = holes;
        if ok {
            // Every item of the component is placed: their ranks no longer matter.
            self.saved_ranks.truncate(saved as usize);
        } else {
            self.undo_to(undo_mark);
            self.restore_ranks(lo, hi, saved as usize);
        }
        self.runs.truncate(first as usize);
        self.stack.pop();
        Action::Return(ok)
    }
}
