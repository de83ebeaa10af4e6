//! The parallel solve answers exactly as one thread does: the same outcome, the same
//! packing and the same deciding ordering, for any number of threads. Its threads race
//! shares of one portfolio and keep the decision a single thread reaches first (see
//! `solver/src/search/parallel.rs`), so a compiler gets the same memory plan on any machine.
//! On cut rectangles whose deciding search is often not the first one: lanes and other
//! orderings, in later rounds.

use std::time::{Duration, Instant};

use bufpack::{
    solve, solve_parallel, solve_share, validate, Monitor, Outcome, Problem, Report, Share,
    SolverParams, StopWhen,
};
use bufpack_tests::generate::{cut_rectangle, Rng};

/// Seeds of `cargo xtask gen --family rect` that one thread decides within a second (the
/// limit only keeps a broken build from hanging CI), several of them by TAW or its lanes.
const SEEDS: [u64; 20] = [
    0, 3, 4, 5, 8, 9, 15, 18, 22, 23, 27, 29, 35, 36, 37, 38, 40, 55, 56, 104,
];

/// The `rect` instance of `seed`, as `cargo xtask gen --family rect --seed S` makes it.
fn rect(seed: u64) -> Problem {
    let pieces = 100 + (37 * seed as usize) % 301;
    cut_rectangle(&mut Rng::new(seed), pieces, 1 << 20, 1000)
}

fn decide(seed: u64, threads: usize) -> Report {
    let problem = rect(seed);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut monitor = StopWhen(|| Instant::now() > deadline);
    let params = SolverParams::default();
    let report = match threads {
        1 => solve(&problem, &params, &mut monitor),
        _ => solve_parallel(&problem, &params, threads, &mut monitor),
    }
    .expect("well-formed");
    let Outcome::Solved(solution) = &report.outcome else {
        panic!("seed {seed}, {threads} threads: {:?}", report.outcome);
    };
    validate(&problem, solution).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    report
}

#[test]
fn any_number_of_threads_gives_the_one_thread_answer() {
    let mut not_first = 0;
    for seed in SEEDS {
        let one = decide(seed, 1);
        not_first +=
            usize::from(one.stats.ordering.as_ref().map(|o| o.to_string()) != Some("WAT".into()));
        for threads in [2, 3, 5, 16] {
            let many = decide(seed, threads);
            assert_eq!(many.outcome, one.outcome, "seed {seed}, {threads} threads");
            assert_eq!(
                many.stats.ordering, one.stats.ordering,
                "seed {seed}, {threads} threads"
            );
        }
    }
    // The answer must often come from a search other than the first, or the race is not
    // tested.
    assert!(
        not_first >= 5,
        "{not_first} seeds decided by another ordering"
    );
}

/// Records the places a share reports (see `Monitor::racing`), and stops it once past
/// `until` (as a race would).
struct Places {
    seen: Vec<u64>,
    until: u64,
}

impl Places {
    fn until(until: u64) -> Places {
        Places {
            seen: Vec::new(),
            until,
        }
    }
}

impl Monitor for Places {
    fn racing(&mut self, place: u64) {
        self.seen.push(place);
    }

    fn should_stop(&mut self) -> bool {
        self.seen.last().is_some_and(|&place| place > self.until)
    }
}

/// What the npm package's race relies on: a share reports strictly increasing places, and
/// decides at the last place it reported, which for the deciding share is the place where
/// one thread decides. Without `layers`, which pack these cut rectangles before the race, in
/// every share alike (below).
#[test]
fn a_share_reports_rising_places_and_decides_at_the_last() {
    let params = SolverParams {
        layers: false,
        ..SolverParams::default()
    };
    for seed in [0, 5, 55] {
        let problem = rect(seed);
        let mut one = Places::until(u64::MAX);
        let whole = solve(&problem, &params, &mut one).expect("well-formed");
        let decided_at = *one.seen.last().expect("a search ran");
        for parts in [2, 3] {
            for share in Share::all(parts) {
                let mut places = Places::until(decided_at);
                let report = solve_share(&problem, &params, share, &mut places).expect("ok");
                let seen = &places.seen;
                assert!(
                    seen.windows(2).all(|w| w[0] < w[1]),
                    "seed {seed}, {share:?}"
                );
                let index = (decided_at & u64::from(u32::MAX)) as usize;
                if index % parts == share.part() {
                    assert_eq!(seen.last(), Some(&decided_at), "seed {seed}, {share:?}");
                    assert_eq!(report.outcome, whole.outcome, "seed {seed}, {share:?}");
                } else {
                    // The others pass the place without deciding, and are stopped there.
                    assert_eq!(report.outcome, Outcome::Stopped, "seed {seed}, {share:?}");
                }
            }
        }
    }
}

/// Where `layers` pack a problem, they do so before the race, in every share the same way:
/// each share decides with no place reported (the npm package's race takes that as a
/// decision before any search), with the packing a whole solve gives.
#[test]
fn layers_decide_before_the_race_in_every_share_alike() {
    let params = SolverParams::default();
    for seed in [0, 5, 16] {
        let problem = rect(seed);
        let mut one = Places::until(u64::MAX);
        let whole = solve(&problem, &params, &mut one).expect("well-formed");
        let Outcome::Solved(solution) = &whole.outcome else {
            panic!("seed {seed}: {:?}", whole.outcome);
        };
        validate(&problem, solution).expect("a packing");
        assert!(
            one.seen.is_empty(),
            "seed {seed}: packed by layers, no search raced"
        );
        for parts in [2, 3] {
            for share in Share::all(parts) {
                let mut places = Places::until(u64::MAX);
                let report = solve_share(&problem, &params, share, &mut places).expect("ok");
                assert!(places.seen.is_empty(), "seed {seed}, {share:?}");
                assert_eq!(report.outcome, whole.outcome, "seed {seed}, {share:?}");
            }
        }
        let raced = solve_parallel(&problem, &params, 3, &mut ()).expect("well-formed");
        assert_eq!(raced.outcome, whole.outcome, "seed {seed}");
    }
}

/// A stop while the threads race ends the solve stopped, at once: the calling thread relays
/// it to every thread, also once its own share is done.
#[test]
fn a_stop_during_a_race_ends_it() {
    // Seed 16 is not decided by the portfolio in a minute (layers, off here, pack it at
    // once); stop after a few thousand stop checks.
    let problem = rect(16);
    let params = SolverParams {
        layers: false,
        ..SolverParams::default()
    };
    for threads in [2, 5] {
        let mut checks = 0;
        let mut monitor = StopWhen(|| {
            checks += 1;
            checks > 5_000
        });
        let report = solve_parallel(&problem, &params, threads, &mut monitor).expect("well-formed");
        assert_eq!(report.outcome, Outcome::Stopped, "{threads} threads");
        assert!(report.stats.nodes > 0);
    }
}
