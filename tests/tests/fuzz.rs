//! A differential fuzz: random small problems with every feature (alignment, fixed buffers,
//! zero sizes, gaps with and without raised windows) decided and minimised by the solver
//! and by brute force, and random bytes and mangled CSVs fed to the reader and then to the
//! solver. Any disagreement, invalid packing or panic fails with the input as CSV.
//!
//! CI runs a fixed number of seeded cases. For a long run (hours), give it a time and,
//! optionally, a seed; it prints how many cases it tried:
//!
//! ```sh
//! BUFPACK_FUZZ_SECONDS=3600 BUFPACK_FUZZ_SEED=7 \
//!     cargo test --release -p bufpack-tests --test fuzz -- --nocapture
//! ```

mod support;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use bufpack::{
    minimize, read_problem, solve, validate, write_problem, MinimizeOutcome, Offset, Outcome,
    Problem, SolverParams, MAX_MAGNITUDE,
};
use support::{
    brute_force_fits, random_full_problem, random_problem, random_windowed_problem, techniques,
    tiny_rectangle, Rng,
};

/// Cases per kind when no time is given (CI).
const CI_CASES: u64 = 1500;

/// How long to run, and from which seed: a fixed count in CI, a time when asked.
struct Budget {
    until: Option<Instant>,
    seed: u64,
}

impl Budget {
    fn from_env(default_seed: u64) -> Budget {
        let seconds = std::env::var("BUFPACK_FUZZ_SECONDS")
            .ok()
            .and_then(|s| s.parse::<f64>().ok());
        let seed = std::env::var("BUFPACK_FUZZ_SEED")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(default_seed);
        Budget {
            until: seconds.map(|s| Instant::now() + Duration::from_secs_f64(s)),
            seed,
        }
    }

    fn more(&self, done: u64) -> bool {
        match self.until {
            Some(until) => Instant::now() < until,
            None => done < CI_CASES,
        }
    }
}

/// The least capacity at which brute force packs `problem`, if any (tiny problems only).
fn brute_force_minimum(problem: &Problem) -> Option<Offset> {
    let most: Offset = problem
        .buffers
        .iter()
        .map(|b| b.offset.unwrap_or(0) + b.size + b.alignment)
        .sum();
    (0..=most).find(|&capacity| brute_force_fits(&Problem::new(problem.buffers.clone(), capacity)))
}

/// Runs `check` on `problem`, turning a panic into a failure that shows the input.
fn guarded(what: &str, seed: u64, case: u64, problem: &Problem, check: impl FnOnce()) {
    if let Err(panic) = catch_unwind(AssertUnwindSafe(check)) {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        panic!(
            "{what}, seed {seed}, case {case}, capacity {}: {message}\n{}",
            problem.capacity,
            write_problem(problem)
        );
    }
}

#[test]
fn solver_against_brute_force() {
    let budget = Budget::from_env(0xf022);
    let mut rng = Rng::new(budget.seed);
    let switches = techniques();
    let (mut cases, mut feasible, mut minimised) = (0u64, 0u64, 0u64);
    while budget.more(cases) {
        let problem = match cases % 4 {
            0 => random_windowed_problem(&mut rng),
            // Full at every instant (where hole filling and layers act), at the height or
            // with a unit to spare.
            3 => match tiny_rectangle(&mut rng).or_else(|| random_full_problem(&mut rng)) {
                Some(mut full) => {
                    full.capacity += rng.range(0, 1);
                    full
                }
                None => random_problem(&mut rng, true),
            },
            _ => random_problem(&mut rng, true),
        };
        cases += 1;
        if problem.check().is_err() {
            continue;
        }
        // The defaults, and a random subset of switches flipped.
        let mut params = SolverParams::default();
        for (_, flip) in &switches {
            if rng.chance(30) {
                flip(&mut params);
            }
        }
        let truth = brute_force_fits(&problem);
        feasible += u64::from(truth);
        guarded("decision", budget.seed, cases, &problem, || {
            for params in [SolverParams::default(), params] {
                let report = solve(&problem, &params, &mut ()).expect("well-formed");
                match report.outcome {
                    Outcome::Solved(solution) => {
                        validate(&problem, &solution).expect("valid packing");
                        assert!(truth, "solved, but brute force finds nothing");
                    }
                    Outcome::Infeasible(reason) => {
                        assert!(!truth, "called infeasible ({reason}), but it packs")
                    }
                    other => panic!("tiny problems are decided: {other:?}"),
                }
            }
        });
        let mut unbounded = problem.clone();
        unbounded.capacity = MAX_MAGNITUDE;
        let Some(expected) = brute_force_minimum(&unbounded) else {
            continue;
        };
        minimised += 1;
        guarded("minimisation", budget.seed, cases, &unbounded, || {
            let report = minimize(&unbounded, &SolverParams::default(), &mut ()).unwrap();
            let MinimizeOutcome::Optimal(solution) = &report.outcome else {
                panic!("not proven: {report:?}");
            };
            validate(&unbounded, solution).expect("valid packing");
            assert_eq!(solution.height, expected, "the optimum");
        });
    }
    println!(
        "solver fuzz: {cases} cases from seed {} ({feasible} feasible at their capacity, \
         {minimised} minimised), no disagreement",
        budget.seed
    );
}

/// One random change to CSV text: a character dropped, doubled or replaced by something
/// a CSV reader must handle (quotes, separators, line breaks, signs, huge numbers, bytes
/// beyond ASCII), or a line duplicated or dropped.
fn mangle(text: &str, rng: &mut Rng) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return "\"".to_string();
    }
    let at = rng.range(0, chars.len() as i64 - 1) as usize;
    const NASTY: [&str; 16] = [
        "\"",
        ",",
        "\n",
        "\r",
        "\r\n",
        "-",
        "@",
        ":",
        " ",
        "9999999999999999999",
        "0",
        "é",
        "\u{feff}",
        "\t",
        "-9007199254740992",
        "1-2@3:4",
    ];
    let mut out: String;
    match rng.range(0, 4) {
        0 => {
            out = chars[..at].iter().collect();
            out.extend(&chars[at + 1..]);
        }
        1 => {
            out = chars[..=at].iter().collect();
            out.extend(&chars[at..]);
        }
        2 | 3 => {
            out = chars[..at].iter().collect();
            out.push_str(NASTY[rng.range(0, NASTY.len() as i64 - 1) as usize]);
            out.extend(&chars[at + usize::from(rng.chance(50))..]);
        }
        _ => {
            let lines: Vec<&str> = text.split('\n').collect();
            let line = rng.range(0, lines.len() as i64 - 1) as usize;
            let mut kept: Vec<&str> = lines.clone();
            if rng.chance(50) {
                kept.insert(line, lines[line]);
            } else {
                kept.remove(line);
            }
            out = kept.join("\n");
        }
    }
    out
}

#[test]
fn reader_and_solver_on_mangled_and_random_input() {
    let budget = Budget::from_env(0xf023);
    let mut rng = Rng::new(budget.seed);
    let (mut cases, mut read, mut rejected) = (0u64, 0u64, 0u64);
    while budget.more(cases) {
        cases += 1;
        let text = if cases % 5 == 0 {
            // Random bytes, made text the way the command line would refuse or accept them.
            let bytes: Vec<u8> = (0..rng.range(0, 60))
                .map(|_| rng.range(0, 255) as u8)
                .collect();
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            let problem = random_problem(&mut rng, true);
            let mut text = write_problem(&problem);
            for _ in 0..rng.range(1, 4) {
                text = mangle(&text, &mut rng);
            }
            text
        };
        let capacity = rng.range(0, 12);
        let outcome = catch_unwind(|| read_problem(&text, capacity));
        let Ok(result) = outcome else {
            panic!(
                "the reader panicked, seed {}, case {cases}, on {text:?}",
                budget.seed
            );
        };
        match result {
            Err(error) => {
                rejected += 1;
                let message = error.to_string();
                // Lines as any reader could count them (CR, LF or CRLF), plus one past the end.
                let lines = text.matches(['\n', '\r']).count() + 2;
                assert!(
                    !message.is_empty() && error.line <= lines,
                    "case {cases}: error {message:?} (line {}) on {text:?}",
                    error.line
                );
            }
            Ok(problem) => {
                read += 1;
                problem
                    .check()
                    .expect("the reader returns well-formed problems");
                if problem.buffers.len() <= 6 {
                    guarded("mangled input", budget.seed, cases, &problem, || {
                        let report = solve(&problem, &SolverParams::default(), &mut ()).unwrap();
                        if let Outcome::Solved(solution) = report.outcome {
                            validate(&problem, &solution).expect("valid packing");
                        }
                    });
                }
            }
        }
    }
    println!(
        "reader fuzz: {cases} inputs from seed {} ({read} read, {rejected} rejected with a \
         located error), no panic",
        budget.seed
    );
    assert!(read > 0 && rejected > 0, "{read} read, {rejected} rejected");
}
