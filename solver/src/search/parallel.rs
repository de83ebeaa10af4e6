//! The native parallel portfolio: the portfolio's searches are dealt out to threads (the
//! same [`Share`]s a browser's web workers run), the first thread to decide wins and the
//! others stop.
//!
//! Threads are the only thing here a browser lacks, so this module alone is left out of
//! wasm builds.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

use super::engine::Step;
use super::portfolio::{plan, run_plan, PortfolioEnd, Share};
use super::{key_table, Prepared, ProgressCounter, Report, SolveError};
use crate::model::Problem;
use crate::monitor::Monitor;
use crate::params::SolverParams;

/// Like [`solve`](crate::solve), with the portfolio's searches split over `threads` threads
/// (at most one per search). The calling thread is one of them and the only one that
/// talks to `monitor`.
pub fn solve_parallel(
    problem: &Problem,
    params: &SolverParams,
    threads: usize,
    monitor: &mut dyn Monitor,
) -> Result<Report, SolveError> {
    let prepared = match Prepared::new(problem, params, monitor)? {
        Ok(prepared) => prepared,
        Err(outcome) => return Ok(Report::early(outcome)),
    };
    let keys = key_table(problem, &prepared.sweep);
    let plan = plan(&prepared.sweep, &keys, params, problem.capacity, true);
    let shares: Vec<Share> = Share::all(threads.clamp(1, plan.len().max(1))).collect();
    let stop = AtomicBool::new(false);
    let nodes = AtomicU64::new(0);
    let backtracks = AtomicU64::new(0);
    let winner: Mutex<Option<PortfolioEnd>> = Mutex::new(None);
    let run_part = |share: Share, tick: &mut dyn FnMut(u64, u64) -> bool| {
        let end = run_plan(&prepared.sweep, &keys, params, &plan, share, tick);
        if end.step != Step::Stopped {
            stop.store(true, Relaxed);
            let mut winner = winner
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            winner.get_or_insert(end);
        }
    };
    let mut counter = ProgressCounter::default();
    std::thread::scope(|scope| {
        for &share in &shares[1..] {
            let (run_part, stop, nodes, backtracks) = (&run_part, &stop, &nodes, &backtracks);
            scope.spawn(move || {
                run_part(share, &mut |n, b| {
                    nodes.fetch_add(n, Relaxed);
                    backtracks.fetch_add(b, Relaxed);
                    stop.load(Relaxed)
                })
            });
        }
        // The calling thread runs part 0, which holds the first ordering's search: it ends
        // only by deciding or being stopped, so the monitor's stop is relayed to the end.
        run_part(shares[0], &mut |n, b| {
            let others_n = nodes.swap(0, Relaxed);
            let others_b = backtracks.swap(0, Relaxed);
            if counter.tick(n + others_n, b + others_b, monitor) {
                stop.store(true, Relaxed);
            }
            stop.load(Relaxed)
        });
    });
    counter.tick(nodes.load(Relaxed), backtracks.load(Relaxed), &mut ());
    counter.report(monitor);
    let stats = counter.stats();
    let winner = winner
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Ok(match winner {
        Some(end) => prepared.finish(problem, params, end, stats),
        None => Report {
            outcome: super::Outcome::Stopped,
            stats,
        },
    })
}
