//! The native parallel portfolio: the orderings are dealt out to threads (the same split a
//! browser makes across web workers), the first thread to decide wins and the others stop.
//!
//! Threads are the only thing here a browser lacks, so this module alone is left out of
//! wasm builds.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

use super::engine::Step;
use super::portfolio::{run_portfolio, PortfolioEnd};
use super::{split_portfolio, Prepared, ProgressCounter, Report, SolveError};
use crate::model::Problem;
use crate::monitor::Monitor;
use crate::params::SolverParams;

/// Like [`solve`](crate::solve), with the portfolio split over `threads` threads
/// (at most one per ordering). The calling thread is one of them and the only one that
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
    let parts = split_portfolio(params, threads);
    let stop = AtomicBool::new(false);
    let nodes = AtomicU64::new(0);
    let backtracks = AtomicU64::new(0);
    let winner: Mutex<Option<(usize, PortfolioEnd)>> = Mutex::new(None);
    let run_part = |part: usize, tick: &mut dyn FnMut(u64, u64) -> bool| {
        let end = run_portfolio(
            problem,
            &prepared.sweep,
            &parts[part],
            problem.capacity,
            tick,
        );
        if end.step != Step::Stopped {
            stop.store(true, Relaxed);
            let mut winner = winner
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            winner.get_or_insert((part, end));
        }
    };
    let mut counter = ProgressCounter::default();
    std::thread::scope(|scope| {
        for part in 1..parts.len() {
            let (run_part, stop, nodes, backtracks) = (&run_part, &stop, &nodes, &backtracks);
            scope.spawn(move || {
                run_part(part, &mut |n, b| {
                    nodes.fetch_add(n, Relaxed);
                    backtracks.fetch_add(b, Relaxed);
                    stop.load(Relaxed)
                })
            });
        }
        // The calling thread runs part 0 and relays the monitor's stop to everyone.
        run_part(0, &mut |n, b| {
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
        Some((part, end)) => prepared.finish(problem, &parts[part], end, stats),
        None => Report {
            outcome: super::Outcome::Stopped,
            stats,
        },
    })
}
