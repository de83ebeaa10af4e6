//! The native parallel portfolio: the portfolio's searches are dealt out to threads (the
//! same [`Share`]s a browser's web workers run). The race ends as a single thread would:
//! with the decision a single thread reaches first (the earliest round, then the earliest
//! search in the plan), so the answer, packing included, is the same for any number of
//! threads; only the time to reach it changes.
//!
//! Threads are the only thing here a browser lacks, so this module alone is left out of
//! wasm builds.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::Duration;

use super::portfolio::{race_key, race_plan, PortfolioEnd, Share};
use super::{Prepared, ProgressCounter, Report, SolveError};
use crate::model::Problem;
use crate::monitor::Monitor;
use crate::params::SolverParams;

/// How often the calling thread, once its own share is done, polls the monitor while the
/// others finish theirs (each wakes it when it ends).
const POLL: Duration = Duration::from_millis(5);

/// Like [`solve`](crate::solve), with the portfolio's searches split over `threads` threads
/// (at most one per search), and the same answer. The calling thread is one of them and the
/// only one that talks to `monitor`.
pub fn solve_parallel(
    problem: &Problem,
    params: &SolverParams,
    threads: usize,
    monitor: &mut dyn Monitor,
) -> Result<Report, SolveError> {
    // With `widen_windows`, everything below sees the widened problem (same packings).
    let widened = crate::widen::widened(problem, params).map_err(SolveError::Problem)?;
    let problem = &*widened;
    let prepared = match Prepared::at_capacity(problem, params, monitor)? {
        Ok(prepared) => prepared,
        Err(outcome) => return Ok(Report::early(outcome)),
    };
    let mut counter = ProgressCounter::default();
    // Before the race, on the calling thread: its packing is the one a single thread gives.
    if let Some(report) = prepared.by_layers(problem, params, &mut counter, monitor) {
        return Ok(report);
    }
    let keys = prepared.key_tables(problem);
    let sweeps = prepared.sweeps(&keys);
    let plan = sweeps.plan(params, problem.capacity, true);
    let shares: Vec<Share> = Share::all(threads.clamp(1, plan.len().max(1))).collect();
    // The monitor's stop, relayed to every thread.
    let stop = AtomicBool::new(false);
    // The earliest decision any thread has made (see `race_plan`).
    let earliest = AtomicU64::new(u64::MAX);
    let nodes = AtomicU64::new(0);
    let backtracks = AtomicU64::new(0);
    let winner: Mutex<Option<PortfolioEnd>> = Mutex::new(None);
    let run_part = |share: Share, tick: &mut dyn FnMut(u64, u64) -> bool| {
        let end = race_plan(sweeps, params, &plan, share, &earliest, tick);
        let Some((round, index)) = end.when else {
            return;
        };
        let mut winner = winner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let earlier = |kept: &PortfolioEnd| {
            kept.when
                .is_none_or(|(r, i)| race_key(round, index) < race_key(r, i))
        };
        if winner.as_ref().is_none_or(earlier) {
            *winner = Some(end);
        }
    };
    let mut stopped = false;
    let caller = std::thread::current();
    std::thread::scope(|scope| {
        let handles: Vec<_> = shares[1..]
            .iter()
            .enumerate()
            .map(|(part, &share)| {
                let (run_part, stop, nodes, backtracks) = (&run_part, &stop, &nodes, &backtracks);
                let caller = caller.clone();
                // Named, so that a panic message says which thread it was. (A thread the
                // system will not start is a panic, as with `scope.spawn`.)
                let builder =
                    std::thread::Builder::new().name(format!("bufpack-search-{}", part + 1));
                let spawned = builder.spawn_scoped(scope, move || {
                    run_part(share, &mut |n, b| {
                        nodes.fetch_add(n, Relaxed);
                        backtracks.fetch_add(b, Relaxed);
                        stop.load(Relaxed)
                    });
                    // The calling thread may be waiting for this one.
                    caller.unpark();
                });
                spawned.expect("the system starts a search thread")
            })
            .collect();
        // The calling thread runs part 0 and relays the monitor's stop to everyone, also
        // after its own part is done while the others still run up to the earliest decision.
        let mut relay = |n: u64, b: u64, counter: &mut ProgressCounter| {
            let others_n = nodes.swap(0, Relaxed);
            let others_b = backtracks.swap(0, Relaxed);
            if counter.tick(n + others_n, b + others_b, monitor) {
                stop.store(true, Relaxed);
            }
            stop.load(Relaxed)
        };
        run_part(shares[0], &mut |n, b| relay(n, b, &mut counter));
        while !handles.iter().all(|handle| handle.is_finished()) {
            if relay(0, 0, &mut counter) {
                break;
            }
            std::thread::park_timeout(POLL);
        }
        stopped = stop.load(Relaxed);
    });
    counter.tick(nodes.load(Relaxed), backtracks.load(Relaxed), &mut ());
    counter.report(monitor);
    let stats = counter.stats();
    let winner = winner
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Ok(match winner {
        // Stopped by the monitor, a decision already made is still an answer (perhaps not
        // the one a single thread would have reached first).
        Some(end) => prepared.finish(problem, params, end, stats),
        None => {
            debug_assert!(stopped, "a race ends by a decision or the monitor's stop");
            Report {
                outcome: super::Outcome::Stopped,
                stats,
            }
        }
    })
}
