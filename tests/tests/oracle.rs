//! The exact solver against a brute-force oracle on many tiny random problems: every packing
//! it returns validates, every "infeasible" agrees with exhaustive enumeration, answers are
//! deterministic, and every combination of switches decides the same way.

mod support;

use bufpack::{solve, validate, Outcome, Problem, SolverParams};
use support::{brute_force_fits, random_problem, techniques, Rng};

fn decide(problem: &Problem, params: &SolverParams) -> Option<bufpack::Solution> {
    let report = solve(problem, params, &mut ()).expect("well-formed problem");
    match report.outcome {
        Outcome::Solved(solution) => {
            if let Err(error) = validate(problem, &solution) {
                panic!("invalid packing ({error}) for {problem:#?}");
            }
            assert!(solution.height <= problem.capacity);
            Some(solution)
        }
        Outcome::Infeasible(_) => None,
        Outcome::Stopped => unreachable!("nothing stops this solve"),
    }
}

/// Each switch flipped on its own, from both the default and the all-off baseline.
fn switch_variants() -> Vec<(String, SolverParams)> {
    let mut variants = vec![
        ("default".to_string(), SolverParams::default()),
        ("all off".to_string(), SolverParams::all_off()),
    ];
    for (name, flip) in techniques() {
        for (base_name, base) in [
            ("default", SolverParams::default()),
            ("all off", SolverParams::all_off()),
        ] {
            let mut params = base;
            flip(&mut params);
            variants.push((format!("{base_name} with {name} flipped"), params));
        }
    }
    variants
}

#[test]
fn agrees_with_brute_force_on_tiny_problems() {
    let variants = switch_variants();
    let mut rng = Rng::new(0x5eed);
    let (mut feasible, mut infeasible) = (0, 0);
    for case in 0..1500 {
        let problem = random_problem(&mut rng, case % 3 == 0);
        let truth = brute_force_fits(&problem);
        if truth {
            feasible += 1
        } else {
            infeasible += 1
        }
        for (name, params) in &variants {
            let found = decide(&problem, params);
            assert_eq!(
                found.is_some(),
                truth,
                "case {case}, {name}: solver says {}, brute force says {truth}\n{problem:#?}",
                found.is_some()
            );
        }
    }
    // The generator must exercise both answers, or this test proves little.
    assert!(
        feasible > 300 && infeasible > 300,
        "{feasible} feasible, {infeasible} infeasible"
    );
}

#[test]
fn answers_are_deterministic() {
    let mut rng = Rng::new(42);
    for _ in 0..200 {
        let problem = random_problem(&mut rng, true);
        let params = SolverParams::default();
        let first = solve(&problem, &params, &mut ()).unwrap();
        let second = solve(&problem, &params, &mut ()).unwrap();
        assert_eq!(first, second);
    }
}
