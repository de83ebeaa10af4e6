//! A parallel minimisation gives the same report every time on the same number of threads,
//! however the threads happen to be scheduled: the same packing, bound, finder and node
//! counts. Its threads share what they find only at the ends of epochs of counted work
//! (`solver/src/minimize/board.rs`), so a compiler gets the same memory plan from every build.
//! Here the calling thread's monitor sleeps at random stop checks, which changes how far
//! the other threads get while it sleeps; a board read at any moment would show it.

mod support;

use std::time::{Duration, Instant};

use bufpack::{
    minimize_parallel, validate, MinimizeOutcome, MinimizeReport, Monitor, Problem, SolverParams,
};
use bufpack_tests::generate::{cut_rectangle, training, Rng};

/// Sleeps now and then at a stop check; stops only at a limit that keeps a broken build from
/// hanging CI (every run here is proven long before it).
struct Jitter {
    rng: Rng,
    deadline: Instant,
}

impl Monitor for Jitter {
    fn should_stop(&mut self) -> bool {
        if self.rng.chance(3) {
            let micros = self.rng.range(1, 400) as u64;
            std::thread::sleep(Duration::from_micros(micros));
        }
        Instant::now() > self.deadline
    }
}

fn minimised(name: &str, problem: &Problem, threads: usize, jitter: u64) -> MinimizeReport {
    let mut monitor = Jitter {
        rng: Rng::new(jitter),
        deadline: Instant::now() + Duration::from_secs(60),
    };
    let report = minimize_parallel(problem, &SolverParams::default(), threads, &mut monitor)
        .expect("well-formed");
    let MinimizeOutcome::Optimal(solution) = &report.outcome else {
        panic!(
            "{name}, {threads} threads: not proven: {:?}",
            report.outcome
        );
    };
    validate(problem, solution).unwrap_or_else(|e| panic!("{name}: {e}"));
    report
}

/// Instances that take the threads through many epochs before one proves its height: three
/// of MiniMalloc's challenging set, two cut rectangles (proven by the search at the bound)
/// and a generated training trace (by the heuristics and the pinned probe).
fn instances() -> Vec<(String, Problem)> {
    let mut all: Vec<(String, Problem)> = ["A", "C", "K"]
        .into_iter()
        .map(|name| (name.to_string(), support::challenging(name)))
        .collect();
    for seed in [0u64, 3] {
        let pieces = 100 + (37 * seed as usize) % 301;
        let mut problem = cut_rectangle(&mut Rng::new(seed), pieces, 1 << 20, 1000);
        problem.capacity = 1 << 22;
        all.push((format!("rect seed {seed}"), problem));
    }
    let trace = training(&mut Rng::new(11), 3000);
    all.push(("training-3000".to_string(), trace));
    all
}

#[test]
fn a_parallel_minimisation_gives_the_same_report_on_every_run() {
    for (name, problem) in instances() {
        for threads in [2, 3] {
            let first = minimised(&name, &problem, threads, 1);
            for jitter in 2..=4 {
                let again = minimised(&name, &problem, threads, jitter);
                assert_eq!(again, first, "{name}, {threads} threads, run {jitter}");
            }
        }
    }
}
