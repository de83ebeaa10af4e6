//! The search trace (teaching mode): replaying it gives the packing the search returns,
//! tracing does not change the search, the bound on its length holds, and every pruning it
//! records carries facts that justify it.

mod support;

use std::collections::HashMap;

use bufpack::{
    solve, trace, validate, Offset, Outcome, Problem, Prune, SolverParams, Technique, Trace,
    TraceEvent,
};
use bufpack_tests::generate::cut_rectangle;
use support::{random_problem, techniques, Rng};

/// Applies the first `steps` placement events of a trace: the offsets of the buffers placed
/// then. Checks stack discipline on the way: a placement never lands on a placed buffer, and
/// an undo always names a buffer where it is.
fn replay(trace: &Trace, steps: usize) -> HashMap<usize, Offset> {
    let mut placed = HashMap::new();
    for event in &trace.events[..steps] {
        match event {
            TraceEvent::Place(c) => {
                assert_eq!(placed.insert(c.buffer, c.offset), None, "placed twice");
            }
            TraceEvent::Unplace(c) => {
                assert_eq!(
                    placed.remove(&c.buffer),
                    Some(c.offset),
                    "undo of a non-placement"
                );
            }
            _ => {}
        }
    }
    placed
}

/// The buffers the search places itself: not fixed, occupying some memory.
fn searched(problem: &Problem) -> Vec<usize> {
    (0..problem.buffers.len())
        .filter(|&i| problem.buffers[i].offset.is_none() && !problem.buffers[i].pieces().is_empty())
        .collect()
}

/// The portfolio of `params` cut down to the one search a trace records: the first
/// ordering's, on the problem as given (without the merged problem's searches, which
/// `handovers` adds beside it, and the split that `layers` tries before it).
fn one_ordering(params: &SolverParams) -> SolverParams {
    SolverParams {
        preordering_heuristics: params.preordering_heuristics[..1].to_vec(),
        handovers: false,
        layers: false,
        ..params.clone()
    }
}

/// Parameter sets: the defaults, each technique flipped, and everything off.
fn param_sets() -> Vec<SolverParams> {
    let mut sets = vec![SolverParams::default(), SolverParams::all_off()];
    for (_, flip) in techniques() {
        let mut params = SolverParams::default();
        flip(&mut params);
        sets.push(params);
    }
    sets
}

fn check_replay(problem: &Problem, params: &SolverParams) -> Trace {
    let traced = trace(problem, params, usize::MAX, &mut ()).expect("well-formed");
    assert!(!traced.truncated);
    let reference = solve(problem, &one_ordering(params), &mut ()).expect("well-formed");
    // Recording changes nothing: same figures, same answer as the untraced search.
    assert_eq!(traced.report.stats.nodes, reference.stats.nodes);
    assert_eq!(traced.report.stats.backtracks, reference.stats.backtracks);
    assert_eq!(traced.report.outcome, reference.outcome);
    assert_eq!(traced.counts.nodes, reference.stats.nodes);
    assert_eq!(traced.counts.backtracks, reference.stats.backtracks);
    let final_state = replay(&traced, traced.events.len());
    match &traced.report.outcome {
        Outcome::Solved(solution) => {
            validate(problem, solution).expect("valid packing");
            let searched = searched(problem);
            assert_eq!(
                final_state.len(),
                searched.len(),
                "every searched buffer placed"
            );
            for index in searched {
                assert_eq!(
                    final_state[&index], solution.offsets[index],
                    "buffer {index}"
                );
            }
        }
        Outcome::Infeasible(_) => assert!(final_state.is_empty(), "all undone"),
        Outcome::Stopped => unreachable!("no monitor"),
        Outcome::Undecided(why) => panic!("tiny problems are decided: {why}"),
    }
    traced
}

#[test]
fn replaying_a_trace_gives_the_packing_the_search_returns() {
    let mut rng = Rng::new(61);
    let mut solved = 0;
    let mut infeasible = 0;
    for case in 0..400 {
        let problem = random_problem(&mut rng, case % 2 == 1);
        for params in param_sets() {
            let traced = check_replay(&problem, &params);
            match traced.report.outcome {
                Outcome::Solved(_) => solved += 1,
                _ => infeasible += 1,
            }
        }
    }
    // Both kinds of ending were exercised.
    assert!(
        solved > 500 && infeasible > 500,
        "{solved} solved, {infeasible} infeasible"
    );
}

#[test]
fn replaying_the_trace_of_a_challenging_instance_matches_too() {
    let problem = support::challenging("A");
    let traced = check_replay(&problem, &SolverParams::default());
    assert!(traced.counts.placements >= problem.buffers.len() as u64);
}

#[test]
fn a_trace_keeps_its_first_events_and_counts_the_rest() {
    let mut rng = Rng::new(5);
    let mut truncations = 0;
    for _ in 0..200 {
        let problem = random_problem(&mut rng, true);
        let params = SolverParams::default();
        let full = trace(&problem, &params, usize::MAX, &mut ()).unwrap();
        let limit = full.events.len() / 2;
        let short = trace(&problem, &params, limit, &mut ()).unwrap();
        assert_eq!(short.events[..], full.events[..limit]);
        assert_eq!(short.truncated, limit < full.events.len());
        assert_eq!(short.counts, full.counts);
        assert_eq!(short.report, full.report);
        truncations += usize::from(short.truncated);
    }
    assert!(truncations > 100);
}

#[test]
fn every_pruning_carries_the_facts_that_justify_it() {
    let mut rng = Rng::new(17);
    let mut seen: HashMap<Technique, usize> = HashMap::new();
    // Random tiny problems, and perfect packings (a rectangle cut into pieces), which are
    // tight enough for canonical order's own dead ends to show.
    let mut problems: Vec<Problem> = (0..600)
        .map(|case| random_problem(&mut rng, case % 3 == 0))
        .collect();
    let mut rng = Rng::new(3);
    problems.extend((0..60).map(|i| cut_rectangle(&mut rng, 8 + i % 5, 12, 12)));
    for problem in problems {
        for params in [
            SolverParams::default(),
            no_dynamic_ordering(),
            canonical_alone(),
            hatless_alone(),
        ] {
            let traced = trace(&problem, &params, usize::MAX, &mut ()).unwrap();
            for (step, event) in traced.events.iter().enumerate() {
                let placed = replay(&traced, step);
                match event {
                    TraceEvent::Candidates(list) => {
                        assert!(list.iter().all(|c| !placed.contains_key(&c.buffer)));
                        // A node starts with its first candidate.
                        assert_eq!(
                            traced.events.get(step + 1),
                            Some(&TraceEvent::Place(list[0]))
                        );
                    }
                    TraceEvent::Prune(prune) => {
                        *seen.entry(prune.technique()).or_default() += 1;
                        check_prune(&problem, &traced, &placed, prune);
                    }
                    _ => {}
                }
            }
        }
    }
    for technique in Technique::ALL {
        assert!(
            seen.get(&technique).copied().unwrap_or(0) > 0,
            "{technique:?} never seen"
        );
    }
}

/// Canonical order without the rules that usually prune first, so its own dead ends show.
fn canonical_alone() -> SolverParams {
    SolverParams {
        check_dominance: false,
        hatless_pruning: false,
        section_inference: false,
        dynamic_decomposition: false,
        ..SolverParams::default()
    }
}

/// Hatless pruning without dominance, which otherwise cuts the same candidates first.
fn hatless_alone() -> SolverParams {
    SolverParams {
        check_dominance: false,
        section_inference: false,
        ..SolverParams::default()
    }
}

fn no_dynamic_ordering() -> SolverParams {
    SolverParams {
        dynamic_ordering: false,
        canonical_only: false,
        ..SolverParams::default()
    }
}

fn check_prune(problem: &Problem, traced: &Trace, placed: &HashMap<usize, Offset>, prune: &Prune) {
    let capacity = problem.capacity;
    match prune {
        Prune::Capacity {
            buffer,
            offset,
            top,
        } => {
            assert!(!placed.contains_key(buffer));
            assert_eq!(*top, offset + problem.buffers[*buffer].size);
            assert!(*top > capacity);
        }
        Prune::Canonical { buffer, .. } => assert!(!placed.contains_key(buffer)),
        Prune::Section {
            section,
            time,
            floor,
            total,
        } => {
            assert_eq!(traced.sections[*section as usize], *time);
            assert!(floor + total > capacity);
            // `total` is what the unplaced buffers live just before `time` occupy.
            let live: Offset = problem
                .buffers
                .iter()
                .enumerate()
                .filter(|(i, b)| b.offset.is_none() && !placed.contains_key(i))
                .flat_map(|(_, b)| b.pieces())
                .filter(|p| p.time.lower < *time && *time <= p.time.upper)
                .map(|p| p.top - p.bottom)
                .sum();
            assert_eq!(*total, live);
        }
        Prune::Dominance { dropped, by, top } => {
            assert!(!dropped.is_empty());
            assert!(!placed.contains_key(by));
            assert!(dropped.iter().all(|c| c.offset >= *top));
        }
        Prune::Hatless { buffer, dropped } => {
            assert!(!placed.contains_key(buffer));
            assert!(!dropped.is_empty());
        }
        Prune::HatlessFailed { buffer, skipped } => {
            assert!(!placed.contains_key(buffer));
            assert!(*skipped > 0);
        }
    }
}

#[test]
fn a_technique_switched_off_never_appears_in_the_trace() {
    let mut rng = Rng::new(23);
    let off: [(Technique, support::Flip); 4] = [
        (Technique::Canonical, |p| p.canonical_only = false),
        (Technique::SectionInference, |p| p.section_inference = false),
        (Technique::Dominance, |p| p.check_dominance = false),
        (Technique::Hatless, |p| p.hatless_pruning = false),
    ];
    for _ in 0..300 {
        let problem = random_problem(&mut rng, true);
        for (technique, flip) in off {
            let mut params = SolverParams::default();
            flip(&mut params);
            let traced = trace(&problem, &params, usize::MAX, &mut ()).unwrap();
            assert_eq!(traced.counts.prunes_by(technique), 0, "{technique:?}");
        }
    }
}

#[test]
fn a_split_names_runs_that_share_no_unplaced_buffer() {
    let mut rng = Rng::new(29);
    let mut splits = 0;
    for _ in 0..400 {
        let problem = random_problem(&mut rng, false);
        let traced = trace(&problem, &SolverParams::default(), usize::MAX, &mut ()).unwrap();
        for event in &traced.events {
            if let TraceEvent::Split(runs) = event {
                splits += 1;
                assert!(runs.len() >= 2);
                assert!(
                    runs.windows(2).all(|w| w[0].1 < w[1].0),
                    "disjoint, in order"
                );
            }
        }
    }
    assert!(splits > 0);
}

#[test]
fn a_problem_ruled_out_before_the_search_has_no_events_and_a_reason() {
    let problem = Problem::new(
        vec![
            bufpack::Buffer::new("a", 0, 4, 3),
            bufpack::Buffer::new("b", 2, 6, 3),
        ],
        5,
    );
    let traced = trace(&problem, &SolverParams::default(), 100, &mut ()).unwrap();
    assert!(traced.events.is_empty());
    assert!(matches!(
        traced.report.outcome,
        Outcome::Infeasible(bufpack::Infeasibility::Load { time: 2, load: 6 })
    ));
}

#[test]
fn a_problem_too_large_for_the_search_is_undecided_in_a_trace_without_heuristics() {
    // 3,200 buffers all live at once: over five million pairs that share time, past the
    // exact search's budget. `solve` packs it with its first heuristic; a trace has no search
    // to record, runs no heuristic, and says why.
    let buffers = (0..3_200)
        .map(|i| bufpack::Buffer::new(format!("b{i}"), 0, 2, 1))
        .collect();
    let problem = Problem::new(buffers, 3_200);
    let traced = trace(&problem, &SolverParams::default(), 100, &mut ()).unwrap();
    assert!(traced.events.is_empty());
    assert!(
        matches!(
            traced.report.outcome,
            Outcome::Undecided(bufpack::Undecided::TooLarge {
                items: 3_200,
                heuristics_tried: false,
                ..
            })
        ),
        "{:?}",
        traced.report.outcome
    );
    let Outcome::Undecided(why) = &traced.report.outcome else {
        unreachable!()
    };
    assert!(
        why.to_string()
            .starts_with("nothing to record: the input is too large"),
        "{why}"
    );
    let solved = solve(&problem, &SolverParams::default(), &mut ()).unwrap();
    match solved.outcome {
        Outcome::Solved(solution) => assert_eq!(validate(&problem, &solution), Ok(())),
        other => panic!("the heuristics pack it: {other:?}"),
    }
}
