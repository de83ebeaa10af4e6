//! The teaching examples (`fixtures/teaching/`, the app's Learn view): each shows one idea,
//! and each test here proves that idea holds on its example, with the figures the README
//! states (the README's table is read and compared with what the solver computes). They
//! narrate MiniMalloc's search, so they run with [`SolverParams::reference`].

mod support;

use std::collections::HashMap;
use std::path::PathBuf;

use bufpack::{
    greedy, minimize, read_problem, solve, trace, validate, Heuristic, Infeasibility, LowerBound,
    MinimizeOutcome, Offset, Outcome, Problem, Prune, Solution, SolverParams, Trace, TraceEvent,
    MAX_MAGNITUDE,
};
use support::{brute_force_fits, brute_force_packing};

/// The examples, by name, as the README lists them.
const EXAMPLES: [&str; 5] = [
    "perfect",
    "infeasible",
    "decomposition",
    "alignment",
    "gaps",
];

fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/teaching")
}

/// The CSV files of the folder: (name, capacity from the file name, path).
fn files() -> Vec<(String, Offset, PathBuf)> {
    let mut files: Vec<_> = std::fs::read_dir(folder())
        .expect("fixtures/teaching")
        .map(|entry| entry.expect("readable folder").path())
        .filter(|path| path.extension().is_some_and(|e| e == "csv"))
        .map(|path| {
            let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
            let (name, capacity) = stem
                .split_once('.')
                .unwrap_or_else(|| panic!("{stem}: expected <name>.<capacity>.csv"));
            let capacity = capacity
                .parse()
                .unwrap_or_else(|_| panic!("{stem}: capacity {capacity:?}"));
            (name.to_owned(), capacity, path)
        })
        .collect();
    files.sort();
    files
}

/// An example, at the capacity its file name gives.
fn example(name: &str) -> Problem {
    let (_, capacity, path) = files()
        .into_iter()
        .find(|(n, ..)| n == name)
        .unwrap_or_else(|| panic!("no teaching example {name}"));
    let text = std::fs::read_to_string(&path).unwrap();
    read_problem(&text, capacity).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn with_capacity(problem: &Problem, capacity: Offset) -> Problem {
    Problem::new(problem.buffers.clone(), capacity)
}

fn checked(problem: &Problem, solution: &Solution) -> Offset {
    validate(problem, solution).unwrap_or_else(|e| panic!("invalid packing: {e}"));
    assert!(solution.height <= problem.capacity);
    solution.height
}

/// The whole trace of the search with `params`; a packing it returns is validated.
fn full_trace(problem: &Problem, params: &SolverParams) -> Trace {
    let traced = trace(problem, params, usize::MAX, &mut ()).expect("well-formed");
    assert!(!traced.truncated);
    if let Outcome::Solved(solution) = &traced.report.outcome {
        checked(problem, solution);
    }
    traced
}

fn default_trace(problem: &Problem) -> Trace {
    full_trace(problem, &SolverParams::reference())
}

/// The lowest height at which `problem` packs, proven by minimisation; its packing is
/// validated.
fn optimum(problem: &Problem) -> Offset {
    let open = with_capacity(problem, MAX_MAGNITUDE);
    let report = minimize(&open, &SolverParams::reference(), &mut ()).unwrap();
    let MinimizeOutcome::Optimal(solution) = &report.outcome else {
        panic!("not proven optimal: {report:?}");
    };
    checked(&open, solution)
}

fn load(problem: &Problem) -> Offset {
    LowerBound::of(problem).load
}

/// The index of the buffer called `name`.
fn index(problem: &Problem, name: &str) -> usize {
    problem
        .buffers
        .iter()
        .position(|b| b.id == name)
        .unwrap_or_else(|| panic!("no buffer {name}"))
}

/// The id of the buffer a trace event names.
fn id(problem: &Problem, buffer: usize) -> &str {
    &problem.buffers[buffer].id
}

/// The placements and undos of a trace, as (id, offset, placed).
fn moves(problem: &Problem, traced: &Trace) -> Vec<(String, Offset, bool)> {
    traced
        .events
        .iter()
        .filter_map(|event| match event {
            TraceEvent::Place(c) => Some((id(problem, c.buffer).to_owned(), c.offset, true)),
            TraceEvent::Unplace(c) => Some((id(problem, c.buffer).to_owned(), c.offset, false)),
            _ => None,
        })
        .collect()
}

/// Every section pruning of a trace, as (section, time, floor, total).
fn section_prunes(traced: &Trace) -> Vec<(u32, i64, Offset, Offset)> {
    traced
        .events
        .iter()
        .filter_map(|event| match event {
            TraceEvent::Prune(Prune::Section {
                section,
                time,
                floor,
                total,
            }) => {
                assert_eq!(traced.sections[*section as usize], *time);
                Some((*section, *time, *floor, *total))
            }
            _ => None,
        })
        .collect()
}

/// Splits that happen below the root: after some buffer was placed and not undone.
fn deep_splits(traced: &Trace) -> Vec<Vec<(u32, u32)>> {
    let mut placed = 0usize;
    let mut splits = Vec::new();
    for event in &traced.events {
        match event {
            TraceEvent::Place(_) => placed += 1,
            TraceEvent::Unplace(_) => placed -= 1,
            TraceEvent::Split(runs) if placed > 0 => splits.push(runs.clone()),
            _ => {}
        }
    }
    splits
}

/// Every heuristic the solver has: the minimisation portfolio and all greedy passes.
fn heuristics() -> Vec<Heuristic> {
    let mut all: Vec<Heuristic> = Heuristic::PORTFOLIO.to_vec();
    for heuristic in Heuristic::GREEDY {
        if !all.contains(&heuristic) {
            all.push(heuristic);
        }
    }
    all
}

#[test]
fn the_folder_holds_exactly_the_examples_and_each_is_small() {
    let names: Vec<String> = files().into_iter().map(|(name, ..)| name).collect();
    let mut expected: Vec<String> = EXAMPLES.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(
        names, expected,
        "a new example needs its test and README entry"
    );
    for name in EXAMPLES {
        let problem = example(name);
        problem.check().unwrap();
        let count = problem.buffers.len();
        assert!((4..=12).contains(&count), "{name}: {count} buffers");
        for buffer in &problem.buffers {
            // Small integers, so the chart reads well.
            assert!(
                buffer.lifespan.lower >= 0 && buffer.lifespan.upper <= 20,
                "{name}"
            );
            assert!((1..=12).contains(&buffer.size), "{name}");
            assert!(buffer.offset.is_none(), "{name}: nothing fixed");
        }
    }
}

#[test]
fn the_readme_table_states_the_computed_figures() {
    let readme = std::fs::read_to_string(folder().join("README.md")).unwrap();
    let mut rows: HashMap<String, Vec<Offset>> = HashMap::new();
    for line in readme
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains(".csv`"))
    {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | title | `file` | capacity | LOAD | optimal height | nodes |
        let file = cells[2].trim_matches('`');
        let name = file.split('.').next().unwrap().to_owned();
        let figures = cells[3..7].iter().map(|c| c.parse().unwrap()).collect();
        assert!(
            files().iter().any(|(_, _, path)| path.ends_with(file)),
            "{file}"
        );
        rows.insert(name, figures);
    }
    assert_eq!(rows.len(), EXAMPLES.len(), "one table row per example");
    for name in EXAMPLES {
        let problem = example(name);
        let computed = vec![
            problem.capacity,
            load(&problem),
            optimum(&problem),
            default_trace(&problem).counts.nodes as Offset,
        ];
        assert_eq!(
            rows[name], computed,
            "{name}: README says [capacity, LOAD, optimum, nodes] = {:?}",
            rows[name]
        );
    }
}

#[test]
fn perfect_packs_at_load_where_every_heuristic_stops_above() {
    let problem = example("perfect");
    assert_eq!(problem.capacity, 11);
    assert_eq!(LowerBound::of(&problem).height, 11);
    // Perfect: the memory is full at every instant, not only at the peak.
    for time in 0..8 {
        let live: Offset = problem
            .buffers
            .iter()
            .filter(|b| b.lifespan.lower <= time && time < b.lifespan.upper)
            .map(|b| b.size)
            .sum();
        assert_eq!(live, 11, "time {time}");
    }

    let traced = default_trace(&problem);
    let Outcome::Solved(solution) = &traced.report.outcome else {
        panic!("packs at LOAD: {:?}", traced.report.outcome);
    };
    assert_eq!(checked(&problem, solution), 11);
    assert_eq!(traced.counts.nodes, 11);
    assert_eq!(traced.counts.backtracks, 1);
    // c, thin and long-lived, at the bottom; g takes the bottom after c ends.
    let (a, b, c, d, g) = (
        index(&problem, "a"),
        index(&problem, "b"),
        index(&problem, "c"),
        index(&problem, "d"),
        index(&problem, "g"),
    );
    assert_eq!((solution.offsets[c], solution.offsets[g]), (0, 0));
    // The one backtrack: b right on c, pruned by section inference.
    let steps = moves(&problem, &traced);
    assert_eq!(
        steps[..3],
        [
            ("c".to_owned(), 0, true),
            ("g".to_owned(), 0, true),
            ("b".to_owned(), 1, true),
        ]
    );
    assert_eq!(steps[3], ("b".to_owned(), 1, false));
    assert_eq!(section_prunes(&traced).len(), 1);

    // Every heuristic ends above LOAD: the best at 12, the online allocator at 18.
    let open = with_capacity(&problem, MAX_MAGNITUDE);
    let mut heights = Vec::new();
    let mut big_first = 0;
    for heuristic in heuristics() {
        let packing = greedy(&open, heuristic)
            .unwrap()
            .expect("no capacity limit");
        let height = checked(&open, &packing);
        assert!(height > 11, "{heuristic} reaches LOAD");
        heights.push((heuristic, height));
        // Most put a and d at the bottom and c high; the others start with c, b right on it.
        let at = |i: usize| packing.offsets[i];
        if (at(a), at(d), at(c)) == (0, 0, 10) {
            big_first += 1;
        } else {
            assert_eq!((at(c), at(b)), (0, 1), "{heuristic}");
        }
    }
    assert!(big_first > heights.len() / 2, "{big_first}");
    assert_eq!(heights.len(), 19);
    assert_eq!(heights.iter().map(|&(_, h)| h).min(), Some(12));
    assert!(heights.contains(&(Heuristic::Online, 18)));
}

#[test]
fn infeasible_fits_under_load_yet_the_search_proves_nothing_packs() {
    let problem = example("infeasible");
    assert_eq!(problem.capacity, 6);
    // The bound does not rule it out.
    assert_eq!(LowerBound::of(&problem).height, 6);

    let traced = default_trace(&problem);
    assert_eq!(
        traced.report.outcome,
        Outcome::Infeasible(Infeasibility::Exhausted)
    );
    assert_eq!(traced.counts.nodes, 60);
    // The first section pruning: just before time 4, floor 4 plus 3 unplaced units (c, e).
    let prunes = section_prunes(&traced);
    assert_eq!(prunes.first(), Some(&(2, 4, 4, 3)));
    let live_before_4: Vec<&str> = problem
        .buffers
        .iter()
        .filter(|b| b.lifespan.lower < 4 && 4 <= b.lifespan.upper)
        .map(|b| b.id.as_str())
        .collect();
    assert_eq!(live_before_4, ["b", "c", "e"]);
    // It comes with b at 0, a at 2, g and f at 0, d at 2.
    let first = traced
        .events
        .iter()
        .position(|ev| matches!(ev, TraceEvent::Prune(Prune::Section { .. })))
        .unwrap();
    let mut placed: Vec<(String, Offset)> = Vec::new();
    for event in &traced.events[..first] {
        match event {
            TraceEvent::Place(c) => placed.push((id(&problem, c.buffer).to_owned(), c.offset)),
            TraceEvent::Unplace(c) => {
                let undone = placed.pop().expect("an undo follows a placement");
                assert_eq!(undone, (id(&problem, c.buffer).to_owned(), c.offset));
            }
            _ => {}
        }
    }
    let placed: Vec<(&str, Offset)> = placed.iter().map(|(i, o)| (i.as_str(), *o)).collect();
    assert_eq!(placed, [("b", 0), ("a", 2), ("g", 0), ("f", 0), ("d", 2)]);

    // The whole portfolio agrees, and so does brute force over every offset.
    let report = solve(&problem, &SolverParams::reference(), &mut ()).unwrap();
    assert_eq!(
        report.outcome,
        Outcome::Infeasible(Infeasibility::Exhausted)
    );
    assert!(!brute_force_fits(&problem));
    // One unit more is enough.
    assert_eq!(optimum(&problem), 7);
    let packing = brute_force_packing(&with_capacity(&problem, 7)).expect("fits in 7");
    checked(&with_capacity(&problem, 7), &packing);
}

#[test]
fn decomposition_splits_below_the_root_and_never_retries_the_first_half() {
    let problem = example("decomposition");
    assert_eq!((problem.capacity, load(&problem)), (3, 3));

    let on = default_trace(&problem);
    assert!(matches!(on.report.outcome, Outcome::Solved(_)));
    assert_eq!((on.counts.nodes, on.counts.backtracks), (16, 2));
    // The first event after e is placed is the split: sections 0-2 (before time 5) and
    // 3-6 (from time 5).
    let e = index(&problem, "e");
    let first_place = on
        .events
        .iter()
        .position(|ev| matches!(ev, TraceEvent::Place(_)))
        .unwrap();
    assert!(
        matches!(&on.events[first_place], TraceEvent::Place(c) if c.buffer == e && c.offset == 0)
    );
    assert_eq!(
        on.events[first_place + 1],
        TraceEvent::Enter {
            first_section: 0,
            last_section: 6
        }
    );
    assert_eq!(
        on.events[first_place + 2],
        TraceEvent::Split(vec![(0, 2), (3, 6)])
    );
    assert_eq!(on.sections[2], 5);
    let deep = deep_splits(&on);
    assert_eq!(deep.first(), Some(&vec![(0, 2), (3, 6)]));
    // The two runs share nothing: only e is alive on both sides of time 5.
    let across: Vec<&str> = problem
        .buffers
        .iter()
        .filter(|b| b.lifespan.lower < 5 && 5 < b.lifespan.upper)
        .map(|b| b.id.as_str())
        .collect();
    assert_eq!(across, ["e"]);
    // The first half is packed once and never undone; the failure is found once.
    let undone: Vec<String> = moves(&problem, &on)
        .into_iter()
        .filter(|(_, _, placed)| !placed)
        .map(|(id, ..)| id)
        .collect();
    assert_eq!(undone, ["g", "i"]);
    assert_eq!(section_prunes(&on), [(4, 10, 2, 2)]);

    // Without the split, the same failure is blamed on the first half too.
    let params = SolverParams {
        dynamic_decomposition: false,
        ..SolverParams::reference()
    };
    let off = full_trace(&problem, &params);
    assert!(matches!(off.report.outcome, Outcome::Solved(_)));
    assert_eq!(off.counts.splits, 0);
    assert!(deep_splits(&off).is_empty());
    assert_eq!((off.counts.nodes, off.counts.backtracks), (22, 12));
    assert!(off.counts.nodes > on.counts.nodes);
    assert_eq!(section_prunes(&off), [(4, 10, 2, 2); 6]);
    // With i at 0, the search tries a, b and d at the bottom in turn before undoing i.
    let steps = moves(&problem, &off);
    let i_placed = steps.iter().position(|m| *m == ("i".to_owned(), 0, true));
    let i_undone = steps.iter().position(|m| *m == ("i".to_owned(), 0, false));
    let (Some(from), Some(to)) = (i_placed, i_undone) else {
        panic!("i at 0 tried and undone: {steps:?}");
    };
    let mut tried: Vec<&str> = steps[from..to]
        .iter()
        .filter(|(id, offset, placed)| *placed && *offset == 0 && "abcd".contains(id.as_str()))
        .map(|(id, ..)| id.as_str())
        .collect();
    tried.sort_unstable();
    tried.dedup();
    assert_eq!(tried, ["a", "b", "d"]);
}

#[test]
fn alignment_raises_the_optimum_and_every_offset_is_aligned() {
    let problem = example("alignment");
    assert_eq!((problem.capacity, load(&problem)), (9, 8));
    let unaligned = Problem::new(
        problem
            .buffers
            .iter()
            .map(|b| bufpack::Buffer {
                alignment: 1,
                ..b.clone()
            })
            .collect(),
        problem.capacity,
    );
    assert_eq!(optimum(&problem), 9);
    assert_eq!(optimum(&unaligned), 8);
    // At 8 the search proves nothing aligned fits (LOAD allows it); brute force agrees.
    let tight = with_capacity(&problem, 8);
    let report = solve(&tight, &SolverParams::reference(), &mut ()).unwrap();
    assert_eq!(
        report.outcome,
        Outcome::Infeasible(Infeasibility::Exhausted)
    );
    assert!(!brute_force_fits(&tight));

    let traced = default_trace(&problem);
    let Outcome::Solved(solution) = &traced.report.outcome else {
        panic!("{:?}", traced.report.outcome);
    };
    assert_eq!(checked(&problem, solution), 9);
    assert_eq!(traced.counts.nodes, 10);
    for (buffer, offset) in problem.buffers.iter().zip(&solution.offsets) {
        assert_eq!(offset % buffer.alignment, 0, "{}", buffer.id);
    }
    // c at 0 first: a and b can start no lower than 4, and 4 + 6 > 9 before time 6.
    let steps = moves(&problem, &traced);
    assert_eq!(steps[0], ("c".to_owned(), 0, true));
    assert_eq!(section_prunes(&traced).first(), Some(&(0, 6, 4, 6)));
    assert_eq!(solution.offsets, [0, 4, 7, 0, 4], "a, b, c, d, e");
}

#[test]
fn gaps_let_another_buffer_use_the_memory() {
    let problem = example("gaps");
    assert_eq!((problem.capacity, load(&problem)), (8, 8));
    let without = Problem::new(
        problem
            .buffers
            .iter()
            .map(|b| bufpack::Buffer {
                gaps: Vec::new(),
                ..b.clone()
            })
            .collect(),
        problem.capacity,
    );
    assert!(problem.buffers.iter().any(|b| !b.gaps.is_empty()));
    assert_eq!(load(&without), 10);
    assert_eq!(optimum(&problem), 8);
    assert_eq!(optimum(&without), 10);
    assert!(!brute_force_fits(&with_capacity(&without, 9)));

    let traced = default_trace(&problem);
    let Outcome::Solved(solution) = &traced.report.outcome else {
        panic!("{:?}", traced.report.outcome);
    };
    assert_eq!(checked(&problem, solution), 8);
    assert_eq!(traced.counts.nodes, 8);
    // a and b hold the same memory, a during its life outside the gap, b inside it.
    let (a, b) = (index(&problem, "a"), index(&problem, "b"));
    assert_eq!(
        problem.buffers[a].gaps[0].lifespan,
        problem.buffers[b].lifespan
    );
    assert_eq!(problem.buffers[a].size, problem.buffers[b].size);
    assert_eq!(solution.offsets[a], 0);
    assert_eq!(solution.offsets[b], 0);
}
