//! A portfolio: one search per ordering (and on perfect packings, lanes beside them),
//! interleaved in slices on one thread, or dealt out to threads and web workers in shares.
//!
//! The reference restarts each ordering from scratch with a doubled node budget, throwing the
//! earlier work away. Our searches pause and resume, so every node is visited once: the total
//! is about (number of orderings) x (nodes of the luckiest ordering), with no waste.

#[cfg(not(target_family = "wasm"))]
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use super::engine::{Search, Step};
use super::preorder::{key_table, KeyTable};
use crate::model::{Offset, Problem};
use crate::params::SolverParams;
use crate::sweep::Sweep;

/// What a portfolio run ends with.
pub(crate) struct PortfolioEnd {
    /// `Solved`, `Infeasible`, `Exhausted` (tried all it tries, proving nothing) or
    /// `Stopped`.
    pub(crate) step: Step,
    /// Which ordering decided, if one did: an index into `params.preordering_heuristics`
    /// followed by [`TIME_ORDERINGS`] (see [`ordering_at`]).
    pub(crate) decided_by: Option<usize>,
    /// When a search decided: its round (from 0) and its index in the plan. A single thread
    /// ends with the least of these over all searches (see `race_plan`, native only).
    #[cfg_attr(target_family = "wasm", allow(dead_code))]
    pub(crate) when: Option<(u64, usize)>,
    /// Item offsets when solved: items of the merged sweep if `merged`.
    pub(crate) item_offsets: Vec<Offset>,
    /// Whether the search that decided ran on the problem with its handovers merged.
    pub(crate) merged: bool,
}

/// What a portfolio searches: the problem's sweep and ordering keys, and with handovers
/// (`search/handovers.rs`) the merged problem's too.
#[derive(Clone, Copy)]
pub(crate) struct Sweeps<'a> {
    pub(crate) original: (&'a Sweep, &'a KeyTable),
    pub(crate) merged: Option<(&'a Sweep, &'a KeyTable)>,
    /// The height at which the merged problem was merged: the capacity, or a flat load's
    /// height below it (where its searches' failure proves nothing, see [`Sweeps::plan`]).
    pub(crate) merged_height: Offset,
}

/// The ordering keys of a problem's sweep, and of its merged problem's if any: what
/// [`Sweeps`] borrows.
/// With the merged problem's, the height it was merged at (its capacity).
pub(crate) struct KeyTables(KeyTable, Option<(KeyTable, Offset)>);

impl KeyTables {
    pub(crate) fn of(problem: &Problem, sweep: &Sweep, merged: Option<(&Problem, &Sweep)>) -> Self {
        KeyTables(
            key_table(problem, sweep),
            merged.map(|(problem, sweep)| (key_table(problem, sweep), problem.capacity)),
        )
    }

    /// `sweep` (and the merged problem's sweep, if given) with these keys.
    pub(crate) fn sweeps<'a>(&'a self, sweep: &'a Sweep, merged: Option<&'a Sweep>) -> Sweeps<'a> {
        let merged = merged.zip(self.1.as_ref());
        Sweeps {
            original: (sweep, &self.0),
            merged: merged.map(|(sweep, (keys, _))| (sweep, keys)),
            merged_height: merged.map_or(0, |(_, &(_, height))| height),
        }
    }
}

impl<'a> Sweeps<'a> {
    /// One sweep, nothing merged.
    #[cfg(test)]
    pub(crate) fn one(sweep: &'a Sweep, keys: &'a KeyTable) -> Sweeps<'a> {
        Sweeps {
            original: (sweep, keys),
            merged: None,
            merged_height: 0,
        }
    }

    /// The whole portfolio at `capacity` (see [`plan`]): the original problem's searches,
    /// then the merged problem's (which run on a quarter of the slices: where handovers
    /// help, they decide within a few thousand nodes; elsewhere they cost the others little).
    /// The merged problem's searches run at the height it was merged at: below the capacity
    /// (a flat load's height) a packing there fits, but their failure proves nothing, as
    /// merging is exact only at that height.
    /// `lower` as for [`plan`] (false for a minimisation's probe).
    pub(crate) fn plan(
        &self,
        params: &SolverParams,
        capacity: Offset,
        lower: bool,
    ) -> Vec<Planned> {
        let (sweep, keys) = self.original;
        let mut planned = plan(sweep, keys, params, capacity, lower);
        if let Some((sweep, keys)) = self.merged {
            let height = self.merged_height;
            planned.extend(
                plan(sweep, keys, params, height, false)
                    .into_iter()
                    .map(|p| Planned {
                        merged: true,
                        proves: p.proves && height == capacity,
                        ..p
                    }),
            );
        }
        planned
    }
}

/// Runs the searches of `share` of the portfolio of `params` round-robin until one decides
/// or `tick` asks to stop. `tick` receives the nodes and backtracks since its last call,
/// every few dozen nodes; `racing` each search's place (see [`race_key`]) before its slice.
pub(crate) fn run_portfolio(
    sweeps: Sweeps,
    params: &SolverParams,
    capacity: Offset,
    share: Share,
    tick: &mut dyn FnMut(u64, u64) -> bool,
    racing: &mut dyn FnMut(u64),
) -> PortfolioEnd {
    let plan = sweeps.plan(params, capacity, true);
    run_plan(sweeps, params, &plan, share, tick, racing)
}

/// Runs the searches of `plan` that `share` holds, as [`run_portfolio`] does.
pub(crate) fn run_plan(
    sweeps: Sweeps,
    params: &SolverParams,
    plan: &[Planned],
    share: Share,
    tick: &mut dyn FnMut(u64, u64) -> bool,
    racing: &mut dyn FnMut(u64),
) -> PortfolioEnd {
    let mut portfolio = Portfolio::build(sweeps, params, plan, share);
    let mut may_run = |round: u64, index: usize| {
        racing(race_key(round, index));
        true
    };
    loop {
        if let Some(end) = portfolio.run_round_while(tick, &mut may_run) {
            return end;
        }
    }
}

/// Runs the searches of `plan` that `share` holds, in a race with other shares of the same
/// plan that ends the same whatever the threads' speeds: `earliest` holds the least
/// [`PortfolioEnd::when`] any share has decided at (as `round << 32 | index`, `u64::MAX`
/// before any), and a search runs only while its own round and index come before it. So
/// the decision the race keeps (the earliest) is the one a single thread makes, with the
/// same packing. Ends `Stopped` when it passes `earliest`, has nothing left, or `tick` asks.
#[cfg(not(target_family = "wasm"))]
pub(crate) fn race_plan(
    sweeps: Sweeps,
    params: &SolverParams,
    plan: &[Planned],
    share: Share,
    earliest: &AtomicU64,
    tick: &mut dyn FnMut(u64, u64) -> bool,
) -> PortfolioEnd {
    let mut portfolio = Portfolio::build(sweeps, params, plan, share);
    // The place of the search running: a share that runs ahead in rounds is mid-slice in a
    // long one when another decides earlier, and stops there rather than at the slice's end.
    let place = std::cell::Cell::new(0);
    let mut may_run = |round: u64, index: usize| {
        place.set(race_key(round, index));
        place.get() < earliest.load(Relaxed)
    };
    let mut tick =
        |nodes, backtracks| tick(nodes, backtracks) || place.get() > earliest.load(Relaxed);
    loop {
        if let Some(end) = portfolio.run_round_while(&mut tick, &mut may_run) {
            if let Some((round, index)) = end.when {
                earliest.fetch_min(race_key(round, index), Relaxed);
            }
            return end;
        }
    }
}

/// A decision's place in a single thread's order, as one number: its round, then its index
/// in the plan.
pub(crate) fn race_key(round: u64, index: usize) -> u64 {
    (round.min(u64::from(u32::MAX)) << 32) | (index as u64).min(u64::from(u32::MAX))
}

/// Which of a portfolio's searches one thread or web worker runs: those at `part`,
/// `part + parts`, `part + 2 parts`, ... of the whole portfolio's list (the orderings'
/// searches, then the lanes, then the searches at a flat load's height; see [`plan`]).
///
/// Dealing out searches rather than orderings keeps what runs the same whatever the number
/// of parts: racing the parts runs exactly the one-thread portfolio's searches, each given
/// its slices at least as often, so a thread more never loses a search that would have
/// won (dealt by orderings, each part's lanes were those of its own first two orderings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Share {
    part: usize,
    parts: usize,
}

impl Share {
    /// The whole portfolio, on one thread.
    pub const WHOLE: Share = Share { part: 0, parts: 1 };

    /// Part `part` (from 0) of `parts`; `None` unless `part < parts`.
    pub fn new(part: usize, parts: usize) -> Option<Share> {
        (part < parts).then_some(Share { part, parts })
    }

    /// The shares of a portfolio dealt into `parts` parts (at least one).
    pub fn all(parts: usize) -> impl Iterator<Item = Share> {
        let parts = parts.max(1);
        (0..parts).map(move |part| Share { part, parts })
    }

    /// The most parts the portfolio of `params` can be dealt into with a search in each:
    /// its most searches (see [`plan`]), on a perfect packing or on a flat load below the
    /// capacity, and with handovers the merged problem's perfect packing's. More parts would
    /// only idle.
    pub fn most_parts(params: &SolverParams) -> usize {
        let perfect = assemble(params, 1, true, None, true).len();
        let flat = assemble(params, 1, false, params.flat_load.then_some(0), true).len();
        // With handovers, the merged problem's searches too: at the capacity, or at a flat
        // load's height (a perfect packing's).
        let merged = if params.handovers { perfect } else { 0 };
        (perfect + merged).max(flat + merged).max(1)
    }

    /// Which part this is, from 0.
    pub fn part(self) -> usize {
        self.part
    }

    /// Into how many parts the portfolio is dealt.
    pub fn parts(self) -> usize {
        self.parts
    }

    /// Whether this share runs the search at `index` of the whole portfolio.
    fn keeps(self, index: usize) -> bool {
        index % self.parts == self.part
    }
}

/// A search the portfolio adds on a perfect packing, beside the ordinary ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lane {
    /// Limited discrepancies, each run of a split starting from what the path spent.
    Limited,
    /// Limited discrepancies, each run of a split starting from nothing spent.
    LimitedResetting,
    /// An ordinary search with the hole fillers flush with a neighbouring floor first.
    Flush,
}

/// The lanes added on a perfect packing, by the index of their ordering (those past the
/// last ordering are left out), in the order they run. Chosen on the 100 seeded `rect`
/// instances (BENCHMARKS.md, issue 14): the limited searches of the first two orderings, the
/// first one's also resetting at splits, the second one's flush-first ordinary search. A
/// limited search of the third ordering decided none of them and only slowed the others.
const LANES: &[(usize, Lane)] = &[
    (0, Lane::Limited),
    (0, Lane::LimitedResetting),
    (1, Lane::Limited),
    (1, Lane::Flush),
];

/// The orderings `time_orderings` adds after the caller's, on a problem with alignment,
/// fixed buffers or raised windows: latest end first, latest start first. On such problems
/// the orderings led by width can stay stuck for millions of nodes where these decide in
/// under a hundred (a differential check against CP-SAT; BENCHMARKS.md), and the two help
/// on different problems.
pub(crate) const TIME_ORDERINGS: [&str; 2] = ["UWA", "LWA"];

/// A time ordering's slice is the others' shifted right by this much (a quarter).
const TIME_SLICE_SHIFT: u32 = 2;

/// The ordering at `index` of the caller's orderings followed by [`TIME_ORDERINGS`], or
/// input order.
pub(crate) fn ordering_at(
    params: &SolverParams,
    index: Option<usize>,
) -> Option<crate::params::Preordering> {
    let index = index?;
    let own = &params.preordering_heuristics;
    Some(match own.get(index) {
        Some(ordering) => ordering.clone(),
        None => TIME_ORDERINGS[index - own.len()]
            .parse()
            .expect("the time orderings are valid"),
    })
}

/// One search of a portfolio, before it is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Planned {
    /// Its ordering: an index into `params.preordering_heuristics` followed by
    /// [`TIME_ORDERINGS`], `None` for input order.
    ordering: Option<usize>,
    /// `None`: the ordering's ordinary search.
    lane: Option<Lane>,
    /// The height it packs under.
    capacity: Offset,
    /// Whether its failure proves there is no packing (false at a flat load's height).
    proves: bool,
    /// Whether it searches the problem with its handovers merged.
    merged: bool,
}

/// The searches of the whole portfolio at `capacity`, in the order they run: one per
/// ordering; on a problem full to the capacity from the root, the lanes (with
/// `limited_discrepancy`); with `lower`, on a flat load below the capacity, the same again
/// at the load's height (with `flat_load`). The order is what [`Share`] deals out.
pub(crate) fn plan(
    sweep: &Sweep,
    keys: &KeyTable,
    params: &SolverParams,
    capacity: Offset,
    lower: bool,
) -> Vec<Planned> {
    // Whether the first ordering's search fills holes from the root at `height`.
    let first = params.static_preordering.then_some(0);
    let full_at =
        |height| Search::new(sweep, keys, ordering_at(params, first), params, height).starts_full();
    let perfect = full_at(capacity);
    // The same load at every time, below the capacity: a packing at that height is a
    // perfect one, which the hole-filling rules find far faster than the ordinary search
    // finds any packing with room to spare.
    let flat = flat_load(sweep)
        .filter(|&h| !perfect && lower && params.flat_load && h < capacity && full_at(h));
    let timed = sweep.restricts_offsets() || sweep.tuck;
    assemble(params, capacity, perfect, flat, timed)
}

/// The searches of a portfolio at `capacity`, once [`plan`] has found whether the problem
/// is full to it from the root (`perfect`: the lanes too, against the heavy tail of a search
/// stuck beneath a wrong early decision, see `LANES`) or else a flat load's height to search
/// at as well (`flat`: searches whose failure proves nothing), and whether it has
/// alignment, fixed buffers or raised windows (`timed`: the time orderings too).
fn assemble(
    params: &SolverParams,
    capacity: Offset,
    perfect: bool,
    flat: Option<Offset>,
    timed: bool,
) -> Vec<Planned> {
    // Without static preordering every ordering is input order: one search is enough.
    let own = params.preordering_heuristics.len();
    let orderings: Vec<Option<usize>> = if params.static_preordering {
        let time = if timed && params.time_orderings {
            TIME_ORDERINGS.len()
        } else {
            0
        };
        (0..own + time).map(Some).collect()
    } else {
        vec![None]
    };
    let orderings = &orderings;
    let ordinary = |capacity, proves| {
        orderings.iter().map(move |&ordering| Planned {
            ordering,
            lane: None,
            capacity,
            proves,
            merged: false,
        })
    };
    let lanes = |capacity, proves| {
        LANES
            .iter()
            .filter(|_| params.limited_discrepancy)
            // The caller's orderings only: the time orderings have no lanes.
            .filter(move |&&(index, _)| index < own.max(1))
            .filter_map(move |&(index, lane)| {
                orderings.get(index).map(|&ordering| Planned {
                    ordering,
                    lane: Some(lane),
                    capacity,
                    proves,
                    merged: false,
                })
            })
    };
    let mut plan: Vec<Planned> = ordinary(capacity, true).collect();
    if perfect {
        plan.extend(lanes(capacity, true));
    } else if let Some(height) = flat {
        plan.extend(ordinary(height, false));
        plan.extend(lanes(height, false));
    }
    plan
}

/// The searches of a plan (or of a share of it), run in rounds that can be spread over time: a
/// minimisation keeps several of these (one per height it probes) and resumes each in turn.
pub(crate) struct Portfolio<'a> {
    searches: Vec<Search<'a>>,
    /// Per search: its place in the plan, ordering, and whether its failure proves there is
    /// no packing (false for the searches at a lower height, see [`plan`]).
    entries: Vec<Entry>,
    slice: u64,
    /// Rounds run so far by [`Portfolio::run_round`].
    round: u64,
}

/// What a portfolio knows of one of its searches besides the search.
#[derive(Clone, Copy)]
struct Entry {
    index: usize,
    ordering: Option<usize>,
    proves: bool,
    /// Its slices are the others' shifted right by this: a time ordering's are a quarter,
    /// and so are a search's of the merged problem.
    thinner: u32,
    merged: bool,
}

/// The load of every section when it is the same for all (the height of a perfect packing,
/// if one exists); `None` otherwise.
pub(crate) fn flat_load(sweep: &Sweep) -> Option<Offset> {
    let mut loads = sweep
        .sections
        .iter()
        .map(|members| members.iter().map(|m| m.top - m.bottom).sum::<Offset>());
    let first = loads.next()?;
    loads.all(|load| load == first).then_some(first)
}

impl<'a> Portfolio<'a> {
    /// The whole portfolio at `capacity` (see [`plan`]).
    #[cfg(test)]
    pub(crate) fn new(
        sweep: &'a Sweep,
        keys: &'a KeyTable,
        params: &SolverParams,
        capacity: Offset,
    ) -> Portfolio<'a> {
        let plan = plan(sweep, keys, params, capacity, true);
        Portfolio::build(Sweeps::one(sweep, keys), params, &plan, Share::WHOLE)
    }

    /// A minimisation's probe at `capacity`: the searches of the portfolio at that height
    /// only (the probe at the lower bound is the one at a flat load's height), and with
    /// `sweeps.merged` (the problem merged at its handovers at `capacity`) its searches too.
    pub(crate) fn probe(
        sweeps: Sweeps<'a>,
        params: &SolverParams,
        capacity: Offset,
    ) -> Portfolio<'a> {
        let plan = sweeps.plan(params, capacity, false);
        Portfolio::build(sweeps, params, &plan, Share::WHOLE)
    }

    /// The searches of `plan` that `share` runs.
    fn build(
        sweeps: Sweeps<'a>,
        params: &SolverParams,
        plan: &[Planned],
        share: Share,
    ) -> Portfolio<'a> {
        let (sweep, _) = sweeps.original;
        let mut portfolio = Portfolio {
            searches: Vec::new(),
            entries: Vec::new(),
            round: 0,
            // Slices start small, so an easy ordering wins fast, and double each round, so
            // switching costs stay a small fraction of the work.
            slice: (2 * sweep.items.len() as u64).max(64),
        };
        for (index, planned) in plan.iter().enumerate().filter(|&(i, _)| share.keeps(i)) {
            let ordering = ordering_at(params, planned.ordering);
            let (sweep, keys) = match (planned.merged, sweeps.merged) {
                (true, Some(merged)) => merged,
                _ => sweeps.original,
            };
            let mut search = Search::new(sweep, keys, ordering, params, planned.capacity);
            match planned.lane {
                None => {}
                Some(Lane::Limited) => search.limit_discrepancies(),
                Some(Lane::LimitedResetting) => {
                    search.limit_discrepancies();
                    search.reset_runs();
                }
                Some(Lane::Flush) => search.flush_first(),
            }
            portfolio.searches.push(search);
            // The time orderings decide where they help within a few thousand nodes; a
            // quarter of the slice keeps what they cost a long proof by the others small.
            let time = planned
                .ordering
                .is_some_and(|o| o >= params.preordering_heuristics.len());
            let shift = |thin: bool| if thin { TIME_SLICE_SHIFT } else { 0 };
            portfolio.entries.push(Entry {
                index,
                ordering: planned.ordering,
                proves: planned.proves,
                thinner: shift(time) + shift(planned.merged),
                merged: planned.merged,
            });
        }
        portfolio
    }

    /// Gives every search one slice of nodes, then doubles the slice. Returns the end
    /// when a search decides or `tick` asks to stop; `None` to be called again.
    #[cfg(test)]
    pub(crate) fn run_round(
        &mut self,
        tick: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Option<PortfolioEnd> {
        self.run_round_while(tick, &mut |_, _| true)
    }

    /// [`Portfolio::run_round`], asking `may_run(round, index in the plan)` before each
    /// search: `false` ends the round, and the run, as stopped.
    fn run_round_while(
        &mut self,
        tick: &mut dyn FnMut(u64, u64) -> bool,
        may_run: &mut dyn FnMut(u64, usize) -> bool,
    ) -> Option<PortfolioEnd> {
        let round = self.round;
        let end = self.run_slice_while(self.slice, tick, &mut |index| may_run(round, index));
        self.slice = self.slice.saturating_mul(2);
        self.round += 1;
        end
    }

    /// Gives every search `slice` more nodes. Returns the end when a search decides or
    /// `tick` asks to stop; `None` to be called again.
    pub(crate) fn run_slice(
        &mut self,
        slice: u64,
        tick: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Option<PortfolioEnd> {
        self.run_slice_while(slice, tick, &mut |_| true)
    }

    /// [`Portfolio::run_slice`], asking `may_run(index in the plan)` before each search:
    /// `false` ends the slice, and the run, as stopped.
    fn run_slice_while(
        &mut self,
        slice: u64,
        tick: &mut dyn FnMut(u64, u64) -> bool,
        may_run: &mut dyn FnMut(usize) -> bool,
    ) -> Option<PortfolioEnd> {
        let stopped = PortfolioEnd {
            step: Step::Stopped,
            decided_by: None,
            when: None,
            item_offsets: Vec::new(),
            merged: false,
        };
        if self.searches.is_empty() {
            // A share with no search (more parts than searches), or whose every search was
            // at a flat load's height and failed: it has nothing to add to the race.
            return Some(stopped);
        }
        let mut at = 0;
        while at < self.searches.len() {
            let entry = self.entries[at];
            if !may_run(entry.index) {
                return Some(stopped);
            }
            let step = self.searches[at].run((slice >> entry.thinner).max(1), tick);
            if step == Step::Paused {
                at += 1;
                continue;
            }
            if !entry.proves && matches!(step, Step::Infeasible | Step::Exhausted) {
                // Nothing at the lower height: the others go on.
                drop(self.searches.remove(at));
                self.entries.remove(at);
                continue;
            }
            if step == Step::Stopped {
                return Some(stopped);
            }
            return Some(PortfolioEnd {
                step,
                decided_by: entry.ordering.or(Some(0)),
                when: Some((self.round, entry.index)),
                item_offsets: self.searches[at].item_offsets().to_vec(),
                merged: entry.merged,
            });
        }
        None
    }
}

#[cfg(test)]
mod tests;
