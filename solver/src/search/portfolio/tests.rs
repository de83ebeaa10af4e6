use super::*;
use crate::model::{Buffer, Gap, Lifespan, Solution, Window};
use crate::search::preorder::key_table;
use crate::validate::validate;

#[test]
fn shares_deal_out_every_search_once_whatever_the_number_of_parts() {
    // A perfect packing: the three orderings' searches and the four lanes.
    let problem = cut_in_three(5);
    let sweep = Sweep::new(&problem);
    let keys = key_table(&problem, &sweep);
    let params = SolverParams::default();
    let plan = plan(&sweep, &keys, &params, 5, true);
    assert_eq!(plan.len(), 3 + LANES.len());
    assert!(Share::most_parts(&params) >= plan.len());
    let one = SolverParams {
        preordering_heuristics: params.preordering_heuristics[..1].to_vec(),
        ..params.clone()
    };
    assert_eq!(super::plan(&sweep, &keys, &one, 5, true).len(), 3);
    // At most (a flat load with alignment, and handovers at its height): one ordering and
    // the two by time at the capacity and at the load, and the first ordering's two
    // lanes; then the merged problem's perfect packing: the three orderings and the lanes.
    assert_eq!(Share::most_parts(&one), 3 + 3 + 2 + (3 + 2));
    let no_handovers = SolverParams {
        handovers: false,
        ..one.clone()
    };
    // Without handovers, a flat load with alignment: the orderings at the capacity and
    // at the load, and the lanes.
    assert_eq!(Share::most_parts(&no_handovers), 3 + 3 + 2);
    for parts in 1..=plan.len() + 1 {
        let mut dealt: Vec<usize> = Share::all(parts)
            .flat_map(|share| (0..plan.len()).filter(move |&i| share.keeps(i)))
            .collect();
        dealt.sort_unstable();
        assert_eq!(dealt, (0..plan.len()).collect::<Vec<_>>(), "{parts} parts");
        // Each part builds exactly its searches; part 0 always holds the first
        // ordering's ordinary search, which ends only by deciding.
        let built: usize = Share::all(parts)
            .map(|share| Portfolio::build(Sweeps::one(&sweep, &keys), &params, &plan, share))
            .map(|portfolio| portfolio.searches.len())
            .sum();
        assert_eq!(built, plan.len());
        assert!(Share::all(parts).next().is_some_and(|share| share.keeps(0)));
    }
    // Two parts: the first gets WAT, TWA, WAT's resetting lane and TAW's flush lane.
    let first: Vec<Planned> = (0..plan.len())
        .filter(|&i| Share::all(2).next().unwrap().keeps(i))
        .map(|i| plan[i])
        .collect();
    let lanes: Vec<(Option<usize>, Option<Lane>)> =
        first.iter().map(|p| (p.ordering, p.lane)).collect();
    assert_eq!(
        lanes,
        [
            (Some(0), None),
            (Some(2), None),
            (Some(0), Some(Lane::LimitedResetting)),
            (Some(1), Some(Lane::Flush)),
        ]
    );
    assert_eq!(Share::new(2, 2), None);
    assert_eq!(Share::new(1, 2).map(Share::part), Some(1));
    assert_eq!(Share::all(0).count(), 1);
}

#[test]
fn a_share_with_nothing_left_to_run_ends_stopped_and_the_race_goes_on() {
    // Eight parts of seven searches: the last part is empty and ends at once, deciding
    // nothing; the other parts together decide the problem as one thread does.
    let problem = cut_in_three(5);
    let sweep = Sweep::new(&problem);
    let keys = key_table(&problem, &sweep);
    let params = SolverParams::default();
    let plan = plan(&sweep, &keys, &params, 5, true);
    let ends: Vec<Step> = Share::all(8)
        .map(|share| {
            run_plan(
                Sweeps::one(&sweep, &keys),
                &params,
                &plan,
                share,
                &mut |_, _| false,
                &mut |_| {},
            )
        })
        .map(|end| {
            assert!(validated_height(&problem, &sweep, &end) <= 5);
            end.step
        })
        .collect();
    assert_eq!(ends[7], Step::Stopped);
    assert!(
        ends[..7].iter().all(|&step| step == Step::Solved),
        "{ends:?}"
    );
    // A share of only searches at a flat load's height (which prove nothing) that all
    // fail ends stopped too, instead of claiming the problem infeasible.
    let flat = imperfect_flat(6);
    let sweep = Sweep::new(&flat);
    let keys = key_table(&flat, &sweep);
    let plan = super::plan(&sweep, &keys, &params, 6, true);
    assert_eq!(plan.len(), 3 + 3 + LANES.len());
    assert_eq!(
        Share::most_parts(&params),
        plan.len() + 2 * TIME_ORDERINGS.len() + (3 + TIME_ORDERINGS.len() + LANES.len())
    );
    let parts = plan.len();
    for share in Share::all(parts) {
        let end = run_plan(
            Sweeps::one(&sweep, &keys),
            &params,
            &plan,
            share,
            &mut |_, _| false,
            &mut |_| {},
        );
        assert!(validated_height(&flat, &sweep, &end) <= 6);
        let expected = if plan[share.part()].proves {
            Step::Solved
        } else {
            Step::Stopped
        };
        assert_eq!(end.step, expected, "part {}", share.part());
    }
}

/// A rectangle of height 5 cut in three (a perfect packing), at `capacity`.
#[test]
fn the_time_orderings_join_only_with_alignment_fixed_buffers_or_raised_windows() {
    let params = SolverParams::default();
    let orderings = |problem: &Problem| {
        let sweep = Sweep::new(problem);
        let keys = key_table(problem, &sweep);
        super::plan(&sweep, &keys, &params, problem.capacity, true)
            .iter()
            .map(|planned| ordering_at(&params, planned.ordering).unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let mut problem = Problem::new(
        vec![
            Buffer::new("a", 0, 5, 2),
            Buffer::new("b", 0, 3, 3),
            Buffer::new("c", 2, 5, 3),
        ],
        8,
    );
    assert_eq!(orderings(&problem), ["WAT", "TAW", "TWA"]);
    problem.buffers[1].alignment = 4;
    assert_eq!(orderings(&problem), ["WAT", "TAW", "TWA", "UWA", "LWA"]);
    let off = SolverParams {
        time_orderings: false,
        ..params.clone()
    };
    let sweep = Sweep::new(&problem);
    let keys = key_table(&problem, &sweep);
    assert_eq!(super::plan(&sweep, &keys, &off, 8, true).len(), 3);
    problem.buffers[1].alignment = 1;
    problem.buffers[2].offset = Some(0);
    assert_eq!(orderings(&problem).len(), 5, "a fixed buffer");
    problem.buffers[2].offset = None;
    problem.buffers[0].gaps = vec![Gap {
        lifespan: Lifespan::new(1, 3),
        window: Some(Window { lower: 1, upper: 2 }),
    }];
    assert_eq!(orderings(&problem).len(), 5, "a raised window");
    // A decision by one is reported with its keys.
    assert_eq!(ordering_at(&params, Some(4)).unwrap().to_string(), "LWA");
}

fn cut_in_three(capacity: Offset) -> Problem {
    let buffers = vec![
        Buffer::new("a", 0, 5, 2),
        Buffer::new("b", 0, 3, 3),
        Buffer::new("c", 3, 5, 3),
    ];
    Problem::new(buffers, capacity)
}

/// A flat problem (load 5 at every time) with no perfect packing, found by a random
/// search against brute force, that fits in 6.
fn imperfect_flat(capacity: Offset) -> Problem {
    let pieces = [
        (4, 5, 2),
        (3, 5, 2),
        (0, 5, 1),
        (0, 1, 2),
        (0, 2, 2),
        (1, 4, 1),
        (1, 3, 1),
        (2, 4, 1),
        (2, 3, 1),
    ];
    let buffers = pieces
        .iter()
        .enumerate()
        .map(|(i, &(lower, upper, size))| Buffer::new(format!("b{i}"), lower, upper, size))
        .collect();
    Problem::new(buffers, capacity)
}

/// Runs the portfolio of `params` at `capacity` to the end: the step, the packing's
/// height when solved, and how many searches it started with. `probe`: a minimisation's.
fn decide(problem: &Problem, params: &SolverParams, probe: bool) -> (Step, Offset, usize) {
    decide_then(problem, params, probe, |_| {})
}

/// [`decide`], with `change` applied to the portfolio before it runs.
fn decide_then(
    problem: &Problem,
    params: &SolverParams,
    probe: bool,
    change: impl FnOnce(&mut Portfolio<'_>),
) -> (Step, Offset, usize) {
    let sweep = Sweep::new(problem);
    let keys = key_table(problem, &sweep);
    let capacity = problem.capacity;
    let mut portfolio = match probe {
        true => Portfolio::probe(Sweeps::one(&sweep, &keys), params, capacity),
        false => Portfolio::new(&sweep, &keys, params, capacity),
    };
    let searches = portfolio.searches.len();
    change(&mut portfolio);
    let end = loop {
        if let Some(end) = portfolio.run_round(&mut |_, _| false) {
            break end;
        }
    };
    (end.step, validated_height(problem, &sweep, &end), searches)
}

/// The height of a solved end's packing, checked by the validator; 0 if not solved.
fn validated_height(problem: &Problem, sweep: &Sweep, end: &PortfolioEnd) -> Offset {
    let mut offsets = vec![0; problem.buffers.len()];
    for (item, &offset) in sweep.items.iter().zip(&end.item_offsets) {
        offsets[item.index] = offset;
    }
    match end.step {
        Step::Solved => {
            let solution = Solution::from_offsets(problem, offsets);
            validate(problem, &solution).expect("a valid packing");
            solution.height
        }
        _ => 0,
    }
}

#[test]
fn searches_at_a_flat_load_find_its_perfect_packings_and_prove_nothing() {
    let params = SolverParams::default();
    // At its load, no packing: the searches there prove it, as ever.
    assert_eq!(
        decide(&imperfect_flat(5), &params, false).0,
        Step::Infeasible
    );
    // One unit above, three ordinary searches at 6, and three ordinary searches and the
    // five lanes at 5 (none proving: they all fail first, and the ones at 6 decide).
    let (step, height, searches) = decide(&imperfect_flat(6), &params, false);
    assert_eq!(
        (step, height, searches),
        (Step::Solved, 6, 3 + 3 + LANES.len())
    );
    // The same with the searches at 5 run first: each fails, is dropped, and the
    // portfolio goes on until one at 6 finds the packing.
    let mut left = 0;
    let lower_first = |portfolio: &mut Portfolio<'_>| {
        portfolio.searches.rotate_left(3);
        portfolio.entries.rotate_left(3);
    };
    let (step, height, _) = decide_then(&imperfect_flat(6), &params, false, |portfolio| {
        lower_first(portfolio);
        // Within one slice every search at 5 fails, and one at 6 solves.
        let end = portfolio.run_slice(1 << 20, &mut |_, _| false);
        assert_eq!(end.map(|end| end.step), Some(Step::Solved));
        left = portfolio.searches.len();
    });
    assert_eq!((step, height, left), (Step::Solved, 6, 3));
    // Neither with the switch off nor in a minimisation's probe (its probe at the
    // lower bound is the search at the flat load).
    let off = SolverParams {
        flat_load: false,
        ..params.clone()
    };
    assert_eq!(decide(&imperfect_flat(6), &off, false).2, 3);
    assert_eq!(decide(&imperfect_flat(6), &params, true).2, 3);
    // Without the lanes, the ordinary searches at the load only.
    let ordinary = SolverParams {
        limited_discrepancy: false,
        ..params.clone()
    };
    assert_eq!(decide(&imperfect_flat(6), &ordinary, false).2, 6);
    // A perfect packing given room to spare.
    let perfect = cut_in_three(6);
    let (step, height, searches) = decide(&perfect, &params, false);
    assert_eq!((step, searches), (Step::Solved, 3 + 3 + LANES.len()));
    assert!(height <= 6);
}
