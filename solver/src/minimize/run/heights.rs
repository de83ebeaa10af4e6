//! The exact probes at heights: the proof probe at the lower bound and the scouts between
//! it and the best height, sharing the time in slices of nodes.

use super::Run;
use crate::minimize::FoundBy;
use crate::model::Offset;
use crate::monitor::Monitor;
use crate::params::SolverParams;
use crate::search::{solution_of, Handovers, KeyTables, Portfolio, Prepared, Step};
use crate::sweep::Sweep;

/// Rounds after which an undecided scout first counts as stalled (see [`Run::probe`]).
const FIRST_PATIENCE: u32 = 2;

/// The fewest nodes per ordering a probe runs before the next probe's turn.
const MIN_SLICE: u64 = 4096;

/// Scouts kept running beside the proof probe.
const SCOUTS: usize = 3;

/// One height the exact search is asked to fit under.
struct Probe<'a> {
    target: Offset,
    rounds: u32,
    portfolio: Portfolio<'a>,
}

impl Run<'_> {
    /// Probes heights with the exact search until the best height is proven or the monitor
    /// stops.
    ///
    /// Two kinds of probe share the time, one equal slice of nodes per search each in turn
    /// (searches pause and resume, so switching wastes nothing). The *proof* probe sits at
    /// the lower bound and gets, per search, as many nodes as all scouts together (on a
    /// perfect packing it also runs the limited discrepancy lanes, so it then gets more than
    /// the scouts in all: on rect-2000 about 70% of each round). *Scouts* bisect between a
    /// scheduling floor and the best height: a scout that
    /// finds a packing lowers the best height; a scout still undecided after `patience`
    /// rounds is taken as a sign (never a proof) that its height is hard, so the floor moves
    /// above it and a new scout goes higher. When the floor meets the best height, it falls
    /// back to the bound and patience doubles. The newest [`SCOUTS`] scouts run on.
    pub(super) fn probe(&mut self, params: &SolverParams, monitor: &mut dyn Monitor) {
        let problem = self.problem;
        let Ok(Ok(prepared)) = Prepared::new(problem, params, &mut ()) else {
            return;
        };
        let sweep = &prepared.sweep;
        // With handovers, the proof probe at the bound also searches the problem merged at
        // its handovers there (`search/handovers.rs`). Only at LOAD is memory ever full, so
        // a bound raised above it has none: this is found once.
        let merged = params
            .handovers
            .then(|| Handovers::find(problem, self.lower_bound))
            .flatten()
            .map(|merged| {
                let sweep = Sweep::new(&merged.problem);
                (merged, sweep)
            });
        let merged_target = self.lower_bound;
        let keys = KeyTables::of(
            problem,
            sweep,
            merged.as_ref().map(|(m, s)| (&m.problem, s)),
        );
        let slice = (4 * sweep.items.len() as u64).max(MIN_SLICE);
        let mut probes: Vec<Probe<'_>> = Vec::new();
        let mut floor = self.lower_bound;
        let mut patience = FIRST_PATIENCE;
        // Heights whose probe tried everything it tries without a packing or a proof (see
        // `Step::Exhausted`): probing them again would repeat the same search.
        let mut unprovable: Vec<Offset> = Vec::new();
        loop {
            self.sync();
            if self.proven() {
                return;
            }
            let top = self.best.as_ref().map_or(self.capacity, |b| b.height - 1);
            if floor > top {
                floor = self.lower_bound;
                patience = patience.saturating_mul(2);
            }
            floor = floor.max(self.lower_bound);
            probes.retain(|p| (self.lower_bound..=top).contains(&p.target));
            let proof = self.role.proof.then_some(self.lower_bound);
            let scout = self
                .role
                .scout
                .map(|(i, n)| floor + (top - floor) * i / (n + 1));
            for target in proof.into_iter().chain(scout) {
                if probes.iter().all(|p| p.target != target) && !unprovable.contains(&target) {
                    probes.push(Probe {
                        target,
                        rounds: 0,
                        portfolio: Portfolio::probe(
                            keys.sweeps(
                                sweep,
                                merged
                                    .as_ref()
                                    .filter(|_| target == merged_target)
                                    .map(|(_, s)| s),
                            ),
                            params,
                            target,
                        ),
                    });
                }
            }
            // Keep the proof probe and the newest scouts (probes are kept in creation order).
            while probes.len() > SCOUTS + 1 {
                match probes.iter().position(|p| p.target != self.lower_bound) {
                    Some(oldest) => drop(probes.remove(oldest)),
                    None => break,
                }
            }
            if probes.is_empty() {
                // Every height left to probe was tried to the end without a decision.
                return;
            }
            // The proof probe gets as many nodes per search as the scouts together: on most
            // inputs the bound is the optimum, and only it can prove so.
            let proof_running = probes.iter().any(|p| p.target == self.lower_bound);
            let scouts = probes.len() as u64 - u64::from(proof_running);
            let mut decided = None;
            for probe in probes.iter_mut() {
                let counter = &mut self.counter;
                probe.rounds += 1;
                let nodes = if probe.target == self.lower_bound {
                    slice * scouts.max(1)
                } else {
                    slice
                };
                let end = probe.portfolio.run_slice(nodes, &mut |nodes, backtracks| {
                    counter.tick(nodes, backtracks, monitor)
                });
                if let Some(end) = end {
                    decided = Some((probe.target, end));
                    break;
                }
                if probe.target != self.lower_bound && probe.rounds >= patience {
                    floor = floor.max(probe.target + 1);
                }
            }
            let Some((target, end)) = decided else {
                continue;
            };
            match end.step {
                Step::Solved => {
                    let merged = merged.as_ref().map(|(m, s)| (m, s));
                    let solution = solution_of(problem, sweep, merged, target, &end);
                    self.improve(solution, FoundBy::Search { probe: target }, monitor);
                }
                Step::Infeasible => {
                    self.raise_bound(target + 1, monitor);
                }
                Step::Exhausted => {
                    // No proof: the bound stays; scouts look higher.
                    self.incomplete = true;
                    unprovable.push(target);
                    probes.retain(|p| p.target != target);
                    floor = floor.max(target + 1);
                }
                Step::Stopped | Step::Paused => {
                    self.stopped = true;
                    return;
                }
            }
        }
    }
}
