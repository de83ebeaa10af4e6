//! MiniMalloc's challenging set A-K at capacity 1048576: every instance is solved, on one
//! thread and on two, and every packing validates. The generous limit only keeps a broken
//! build from hanging CI; speed is measured by `cargo xtask bench`, not here.

mod support;

use std::time::{Duration, Instant};

use bufpack::{solve, solve_parallel, validate, Outcome, SolverParams, StopWhen};

const NAMES: [&str; 11] = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K"];
const LIMIT: Duration = Duration::from_secs(120);

fn check_all(threads: usize) {
    for name in NAMES {
        let problem = support::challenging(name);
        let deadline = Instant::now() + LIMIT;
        let mut monitor = StopWhen(|| Instant::now() > deadline);
        let params = SolverParams::default();
        let report = if threads == 1 {
            solve(&problem, &params, &mut monitor)
        } else {
            solve_parallel(&problem, &params, threads, &mut monitor)
        }
        .unwrap();
        let Outcome::Solved(solution) = report.outcome else {
            panic!("{name} on {threads} thread(s): {:?}", report.outcome);
        };
        validate(&problem, &solution).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(solution.height <= problem.capacity);
        assert!(
            report.stats.ordering.is_some(),
            "{name}: the deciding ordering is named"
        );
    }
}

#[test]
fn all_eleven_solve_on_one_thread() {
    check_all(1);
}

#[test]
fn all_eleven_solve_on_two_threads() {
    check_all(2);
}
