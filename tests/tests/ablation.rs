//! One ablation per technique: on a fixed set of problems, turning the technique on (from
//! the defaults) never increases the total backtracks. Runs that hit the node cap count the
//! backtracks they made so far, a lower bound that only makes the "off" side look better.

mod support;

use bufpack::{
    minimize, solve, validate, BoundReason, Buffer, Infeasibility, MinimizeOutcome, Outcome,
    Problem, Report, SolverParams, StopWhen,
};
use support::{techniques, Rng};

/// Per run: stop after this many stop checks (the search checks every 64 nodes).
const TICK_CAP: u64 = 4_000;

/// Perfect packings: a time x memory rectangle cut into pieces fits exactly its height.
fn cut_rectangle(rng: &mut Rng, pieces: usize) -> Problem {
    let mut rectangles = vec![(0i64, 40i64, 0i64, 64i64)];
    while rectangles.len() < pieces {
        let index = rng.range(0, rectangles.len() as i64 - 1) as usize;
        let (t0, t1, m0, m1) = rectangles[index];
        if rng.chance(50) && t1 - t0 >= 2 {
            let t = rng.range(t0 + 1, t1 - 1);
            rectangles[index] = (t0, t, m0, m1);
            rectangles.push((t, t1, m0, m1));
        } else if m1 - m0 >= 2 {
            let m = rng.range(m0 + 1, m1 - 1);
            rectangles[index] = (t0, t1, m0, m);
            rectangles.push((t0, t1, m, m1));
        }
    }
    let buffers = rectangles
        .iter()
        .enumerate()
        .map(|(i, &(t0, t1, m0, m1))| Buffer::new(format!("r{i}"), t0, t1, m1 - m0))
        .collect();
    Problem::new(buffers, 64)
}

fn fixed_set() -> Vec<Problem> {
    let mut rng = Rng::new(7);
    let mut set: Vec<Problem> = (0..12).map(|i| cut_rectangle(&mut rng, 14 + i)).collect();
    // Random problems at their optimum and one below it (found with the default solver).
    for _ in 0..12 {
        let buffers: Vec<Buffer> = (0..14)
            .map(|i| {
                let lower = rng.range(0, 20);
                Buffer::new(
                    format!("b{i}"),
                    lower,
                    lower + rng.range(1, 12),
                    rng.range(1, 16),
                )
            })
            .collect();
        let mut capacity = buffers.iter().map(|b| b.size).sum::<i64>();
        while capacity > 0 {
            let problem = Problem::new(buffers.clone(), capacity - 1);
            let report = solve(&problem, &SolverParams::default(), &mut ()).unwrap();
            match report.outcome {
                Outcome::Solved(solution) => capacity = solution.height,
                _ => break,
            }
        }
        set.push(Problem::new(buffers.clone(), capacity));
        set.push(Problem::new(buffers, capacity - 1));
    }
    for name in ["C", "J", "K"] {
        set.push(support::challenging(name));
    }
    set
}

fn total_backtracks(set: &[Problem], params: &SolverParams) -> u64 {
    set.iter()
        .map(|problem| solve_within_cap(problem, params).stats.backtracks)
        .sum()
}

/// The search with `params` on `problem`, stopped after [`TICK_CAP`] progress ticks; a
/// packing it finds is validated and within the capacity.
fn solve_within_cap(problem: &Problem, params: &SolverParams) -> Report {
    let mut ticks = 0;
    let mut monitor = StopWhen(|| {
        ticks += 1;
        ticks > TICK_CAP
    });
    let report = solve(problem, params, &mut monitor).unwrap();
    if let Outcome::Solved(solution) = &report.outcome {
        validate(problem, solution).unwrap();
        assert!(solution.height <= problem.capacity);
    }
    report
}

#[test]
fn every_technique_pays_for_itself() {
    let set = fixed_set();
    let with_all = total_backtracks(&set, &SolverParams::default());
    let mut report = vec![format!("all on: {with_all} backtracks")];
    let mut worse = Vec::new();
    for (name, flip) in techniques() {
        let mut params = SolverParams::default();
        flip(&mut params);
        let without = total_backtracks(&set, &params);
        report.push(format!("without {name}: {without} backtracks"));
        if with_all > without {
            worse.push(name);
        }
    }
    println!("{}", report.join("\n"));
    assert!(
        worse.is_empty(),
        "turning on {worse:?} increased backtracks:\n{}",
        report.join("\n")
    );
}

/// One solve's backtracks (capped like the rest of this file), its packing validated.
fn backtracks(problem: &Problem, params: &SolverParams) -> u64 {
    total_backtracks(std::slice::from_ref(problem), params)
}

/// Hole filling on a perfect packing (`cargo xtask gen --family rect --buffers 248 --seed
/// 4`): the canonical search commits early and retries unrelated placements above the dead
/// end tens of thousands of times; filling the most constrained hole first finds the packing
/// almost without backtracking.
#[test]
fn hole_filling_saves_backtracks_on_a_perfect_packing() {
    let off = SolverParams {
        fill_holes: false,
        ..pieces_as_given()
    };
    let (with, without) = rect_backtracks(4, 248, &off);
    println!("rect-248 seed 4: {with} backtracks with fill_holes, {without} without");
    assert!(with * 20 < without, "{with} with, {without} without");
}

/// Ledges on a perfect packing (`cargo xtask gen --family rect --buffers 314 --seed 79`):
/// without them, a floor left beside a lower run of sections that no buffer can ever rest on
/// (the room beneath every buffer that could is not a sum of sizes that fit there) is only
/// noticed when the run reaches it, after every way of stacking the run was tried.
#[test]
fn ledges_save_backtracks_on_a_perfect_packing() {
    let off = SolverParams {
        ledges: false,
        ..pieces_as_given()
    };
    let (with, without) = rect_backtracks(79, 314, &off);
    println!("rect-314 seed 79: {with} backtracks with ledges, {without} without");
    assert!(with * 20 < without, "{with} with, {without} without");
}

/// Ordered stacks on a perfect packing (`cargo xtask gen --family rect --buffers 164 --seed
/// 18`): cuts across memory leave pieces with the same lifespan stacked on each other, and
/// without a fixed order every permutation of a dead-end stack is tried. Compared without
/// limited discrepancy, whose lanes find this packing on their own (the whole portfolio: 824
/// backtracks with ordered stacks, 816 without) and would hide what ordered stacks do for
/// the depth-first search.
#[test]
fn ordered_stacks_save_backtracks_on_a_perfect_packing() {
    let on = SolverParams {
        limited_discrepancy: false,
        ..pieces_as_given()
    };
    let off = SolverParams {
        ordered_stacks: false,
        ..on.clone()
    };
    let (with, without) = rect_backtracks_between(18, 164, &on, &off);
    println!("rect-164 seed 18: {with} backtracks with ordered_stacks, {without} without");
    assert!(with * 20 < without, "{with} with, {without} without");
}

/// Limited discrepancy on a perfect packing (`cargo xtask gen --family rect --buffers 396
/// --seed 8`, one of the nine of 100 seeds that time out without it): the depth-first search
/// keeps the first candidate of its first 18 decisions for the whole run and refutes what
/// lies beneath them one dead end at a time; an iteration of limited discrepancies tries the
/// siblings of early decisions too, and finds the packing with a few deviations.
#[test]
fn limited_discrepancy_saves_backtracks_on_a_perfect_packing() {
    let off = SolverParams {
        limited_discrepancy: false,
        ..pieces_as_given()
    };
    let (with, without) = rect_backtracks(8, 396, &off);
    println!("rect-396 seed 8: {with} backtracks with limited_discrepancy, {without} without");
    assert!(with * 4 < without, "{with} with, {without} without");
}

/// The lanes beyond the two orderings' limited searches (`cargo xtask gen --family rect
/// --buffers 366 --seed 56`, one of the four of 100 seeds that still timed out with only
/// those): the second ordering's ordinary search with flush hole fillers first finds the
/// packing (TAW, about 148,000 nodes), which neither the ordinary nor the limited searches
/// reach in millions. Without `limited_discrepancy` no lane runs, and the capped search
/// does not decide. Both sides without `release_floors`, which packs this one in about 700
/// backtracks without the lanes' help.
#[test]
fn limited_discrepancy_lanes_pack_rect_366_seed_56() {
    let problem = bufpack_tests::generate::cut_rectangle(&mut Rng::new(56), 366, 1 << 20, 1000);
    let decided = |params: &SolverParams| packs_within_cap(&problem, params);
    let on = SolverParams {
        release_floors: false,
        ..pieces_as_given()
    };
    let off = SolverParams {
        limited_discrepancy: false,
        ..on.clone()
    };
    assert!(decided(&on), "packed with the lanes");
    assert!(!decided(&off), "not decided within the cap without them");
}

/// A perfect packing given room to spare (`cargo xtask gen --family rect --buffers 144
/// --seed 50` at a capacity 2% above its height, 1069547): the ordinary search may waste up
/// to 2% of the room in every section, so hole filling never applies, and it times out (1.9
/// M backtracks in 2 s; 41 of the 100 seeded instances do so at that capacity, against 2 at
/// their height). With `flat_load` the searches at the load's height find the perfect
/// packing in about 500 backtracks; without, the capped search does not decide. Both sides
/// without `layers`, which split this one at the load's height and pack it with no search.
#[test]
fn flat_load_packs_rect_144_seed_50_with_room_to_spare() {
    let mut problem = bufpack_tests::generate::cut_rectangle(&mut Rng::new(50), 144, 1 << 20, 1000);
    problem.capacity = 1_069_547;
    let decided = |params: &SolverParams| packs_within_cap(&problem, params);
    let on = SolverParams {
        layers: false,
        ..SolverParams::default()
    };
    let off = SolverParams {
        flat_load: false,
        ..on.clone()
    };
    assert!(decided(&on), "packed with flat_load");
    assert!(!decided(&off), "not decided within the cap without it");
}

/// Release floors on a perfect packing (`cargo xtask gen --family rect --buffers 329 --seed
/// 55`, one of the two of 100 seeds the lanes left past 2 s): where a floor higher in their
/// lives holds buffers above a section's floor, those released at some level or higher can
/// already be too many to fit above it, long before section inference sees the section
/// overflow. With the rule the portfolio packs it in about 3,500 backtracks (TAW); without,
/// about 490,000 (WAT, 2 s), past this file's cap.
#[test]
fn release_floors_save_backtracks_on_a_perfect_packing() {
    let off = SolverParams {
        release_floors: false,
        ..pieces_as_given()
    };
    let (with, without) = rect_backtracks(55, 329, &off);
    println!("rect-329 seed 55: {with} backtracks with release_floors, {without} without");
    assert!(with * 20 < without, "{with} with, {without} without");
}

/// Handovers on a perfect packing (`cargo xtask gen --family rect --buffers 346 --seed
/// 88`, one of the two of 100 seeds that time out at 10 s without them): where a piece was
/// cut in time, the piece ending at the cut hands its room over to the one starting there,
/// of the same size, and where memory is full nothing else can take it. Merged back (with
/// pieces cut in memory after a cut in time), 346 pieces are 292 rectangles; the merged
/// problem's searches, beside the original's on a quarter of the slices, pack it in about
/// 16,000 nodes (0.1 s). Without, the capped search does not decide (nor in 60 s).
#[test]
fn handovers_pack_rect_346_seed_88() {
    let problem = bufpack_tests::generate::cut_rectangle(&mut Rng::new(88), 346, 1 << 20, 1000);
    let decided = |params: &SolverParams| packs_within_cap(&problem, params);
    // Layers off on both sides: its leaf of 275 pieces goes to carving, which finds no layer,
    // and each of the six picks' leaf searches takes its share of the cap.
    let with = SolverParams {
        layers: false,
        ..SolverParams::default()
    };
    assert!(decided(&with), "packed with handovers");
    assert!(
        !decided(&pieces_as_given()),
        "not decided within the cap without them"
    );
}

/// Layers on a perfect packing (`cargo xtask gen --family rect --buffers 391 --seed 16`, the
/// one of 100 seeds that no search packed, not in 120 s): its cuts across memory are sets of
/// pieces whose own load is the same at every instant, so they stack, and the split goes on
/// within each until every part but one is a single piece; the one left, 42 pieces, is packed
/// in 49 nodes. Without layers (or with them, but searching the problem whole, as the
/// portfolio does) the capped search does not decide; the flat-load search and the lanes are
/// on in both.
#[test]
fn layers_pack_rect_391_seed_16() {
    let problem = bufpack_tests::generate::cut_rectangle(&mut Rng::new(16), 391, 1 << 20, 1000);
    let decided = |params: &SolverParams| packs_within_cap(&problem, params);
    let off = SolverParams {
        layers: false,
        ..SolverParams::default()
    };
    assert!(decided(&SolverParams::default()), "packed with layers");
    assert!(!decided(&off), "not decided within the cap without them");
}

/// The canonical floor on challenging instance K: a buffer the canonical order already
/// passed at its lowest offset no longer counts as able to fill its sections there.
#[test]
fn canonical_floor_saves_backtracks_on_k() {
    let problem = support::challenging("K");
    let with = backtracks(&problem, &SolverParams::default());
    let without = backtracks(
        &problem,
        &SolverParams {
            canonical_floor: false,
            ..SolverParams::default()
        },
    );
    println!("K: {with} backtracks with canonical_floor, {without} without");
    assert!(with * 2 < without, "{with} with, {without} without");
}

/// Whether the search with `params` packs `problem` (the packing validated) before
/// [`TICK_CAP`] progress ticks.
fn packs_within_cap(problem: &Problem, params: &SolverParams) -> bool {
    matches!(
        solve_within_cap(problem, params).outcome,
        Outcome::Solved(_)
    )
}

/// The defaults without `handovers` and `layers`. Cut rectangles are full at every instant,
/// where handovers merge pieces back together and the merged problem's searches are others
/// (seed 4's 248 pieces, merged, are packed in 7 backtracks with or without hole filling),
/// and layers split them into parts packed on their own (most with no search at all): the
/// perfect-packing ablations below measure their rule on the searches it was made for, the
/// pieces as given, and `handovers_pack_rect_346_seed_88` and `layers_pack_rect_391_seed_16`
/// measure handovers and layers.
fn pieces_as_given() -> SolverParams {
    SolverParams {
        handovers: false,
        layers: false,
        ..SolverParams::default()
    }
}

/// Backtracks on `cargo xtask gen --family rect --buffers PIECES --seed SEED` with the
/// defaults (without handovers, see [`no_handovers`]), then with `off` (one switch turned
/// off): the pair an ablation compares.
fn rect_backtracks(seed: u64, pieces: usize, off: &SolverParams) -> (u64, u64) {
    rect_backtracks_between(seed, pieces, &pieces_as_given(), off)
}

/// [`rect_backtracks`] with `on` in place of the defaults.
fn rect_backtracks_between(
    seed: u64,
    pieces: usize,
    on: &SolverParams,
    off: &SolverParams,
) -> (u64, u64) {
    let problem = bufpack_tests::generate::cut_rectangle(
        &mut bufpack_tests::generate::Rng::new(seed),
        pieces,
        1 << 20,
        1000,
    );
    (backtracks(&problem, on), backtracks(&problem, off))
}

/// Aligned stacks on four tiny problems with alignment (`tests/fixtures/aligned`: 26 to 34
/// buffers, a dozen aligned to 2–16, one with 3 fixed buffers, one with gaps whose windows
/// are raised; found by a differential
/// check against CP-SAT). Where little room is left, a time's buffers must stack there in an
/// order where each aligned one starts on its multiple and clear of the fixed ones; section
/// inference sees only their total, and the search tries every way of placing the buffers
/// below before it reaches the top of that stack. With the rule the portfolio packs
/// `peak-31` at its load (222) in about 40 nodes, proves that `peak-31b` fits in no less
/// than 233 (its load is 224) in about 30, that `fixed-34` needs 247 in one, and packs
/// `windows-26` at its load (227) in about 40; without, none is decided within this file's
/// cap (each runs to millions of nodes). Both sides leave the time orderings off: they pack
/// `peak-31` on their own.
#[test]
fn aligned_stacks_decide_tiny_problems_with_alignment() {
    // The time orderings decide some of these too: the rule is measured without them.
    let on = SolverParams {
        time_orderings: false,
        ..SolverParams::default()
    };
    let off = SolverParams {
        aligned_stacks: false,
        ..on.clone()
    };
    let packs = support::fixture("aligned/peak-31.222.csv", 222);
    assert!(packs_within_cap(&packs, &on), "peak-31 packed at 222");
    assert!(
        !packs_within_cap(&packs, &off),
        "peak-31 not decided without the rule"
    );
    let mut tight = support::fixture("aligned/peak-31b.233.csv", 232);
    assert!(
        infeasible_within_cap(&tight, &on),
        "peak-31b proven not to fit 232"
    );
    assert!(
        !infeasible_within_cap(&tight, &off),
        "not proven without the rule"
    );
    tight.capacity = 233;
    assert!(packs_within_cap(&tight, &on), "peak-31b packed at 233");
    let fixed = support::fixture("aligned/fixed-34.247.csv", 246);
    assert!(
        infeasible_within_cap(&fixed, &on),
        "fixed-34 proven not to fit 246"
    );
    assert!(
        !infeasible_within_cap(&fixed, &off),
        "not proven without the rule"
    );
    // Gaps with raised windows (a buffer may sit beneath another's window): the rule
    // stacks each member's piece, not its whole size.
    let windows = support::fixture("aligned/windows-26.227.csv", 227);
    assert!(packs_within_cap(&windows, &on), "windows-26 packed at 227");
    assert!(
        !packs_within_cap(&windows, &off),
        "windows-26 not decided without the rule"
    );
}

/// The time orderings on two tiny problems with alignment (`tests/fixtures/aligned`, 39 and
/// 38 buffers over a few times, packed at their loads; found by the differential check
/// against CP-SAT). MiniMalloc's orderings (`WAT`, `TAW`, `TWA`) run to millions of nodes
/// without a packing; ranked latest end first (`ends-39`) or latest start first
/// (`starts-38`), a search packs them in a few hundred nodes.
#[test]
fn time_orderings_pack_tiny_problems_with_alignment() {
    let off = SolverParams {
        time_orderings: false,
        ..SolverParams::default()
    };
    for (name, height, keys) in [
        ("aligned/ends-39.268.csv", 268, "UWA"),
        ("aligned/starts-38.300.csv", 300, "LWA"),
    ] {
        let problem = support::fixture(name, height);
        let report = solve_within_cap(&problem, &SolverParams::default());
        assert!(matches!(report.outcome, Outcome::Solved(_)), "{name}");
        let by = report.stats.ordering.map(|o| o.to_string());
        assert_eq!(by.as_deref(), Some(keys), "{name}");
        assert!(!packs_within_cap(&problem, &off), "{name} without them");
    }
}

/// `widen_windows` on `windows/spare-18` (see its NOTICE): no buffer can use the spare bytes
/// of `b12`'s gap, so counted in full they raise the load from 88 to 104. Below 104 the
/// widened load rules a height out at once and at 104 the search does, where without the
/// technique each height takes hundreds of thousands of nodes; minimisation proves 105.
#[test]
fn widen_windows_prove_a_gap_no_buffer_can_use() {
    let off = SolverParams {
        widen_windows: false,
        ..SolverParams::default()
    };
    for capacity in [100, 104] {
        let problem = support::fixture("windows/spare-18.105.csv", capacity);
        assert!(
            infeasible_within_cap(&problem, &SolverParams::default()),
            "{capacity}"
        );
        assert!(!infeasible_within_cap(&problem, &off), "{capacity} without");
    }
    let problem = support::fixture("windows/spare-18.105.csv", 1000);
    let minimised = |params: &SolverParams| {
        let mut ticks = 0;
        let mut monitor = StopWhen(|| {
            ticks += 1;
            ticks > TICK_CAP
        });
        let report = minimize(&problem, params, &mut monitor).unwrap();
        validate(&problem, report.solution().expect("a packing")).unwrap();
        report
    };
    let on = minimised(&SolverParams::default());
    assert!(matches!(on.outcome, MinimizeOutcome::Optimal(_)), "{on:?}");
    assert_eq!((on.solution().unwrap().height, on.load), (105, 104));
    let without = minimised(&off);
    assert!(!matches!(without.outcome, MinimizeOutcome::Optimal(_)));
    assert_eq!(without.load, 88);
}

/// `widen_windows`' spare bound on `windows/guests-18` (see its NOTICE): at time 6, in the
/// gap of `b4`, the buffers that could use its spare bytes hold fewer than there are, so
/// the height is at least the load then plus the rest: 218, the optimum. At 217 the bound
/// rules the capacity out at once; without it the search takes about 2 million nodes.
#[test]
fn widen_windows_count_spare_bytes_the_guests_cannot_fill() {
    let off = SolverParams {
        widen_windows: false,
        ..SolverParams::default()
    };
    let problem = support::fixture("windows/guests-18.218.csv", 217);
    let report = solve_within_cap(&problem, &SolverParams::default());
    assert_eq!(report.stats.nodes, 0);
    assert!(matches!(
        report.outcome,
        Outcome::Infeasible(Infeasibility::Load { time: 6, load: 218 })
    ));
    assert!(!infeasible_within_cap(&problem, &off));
    let problem = support::fixture("windows/guests-18.218.csv", 1000);
    let on = minimize(&problem, &SolverParams::default(), &mut ()).unwrap();
    validate(&problem, on.solution().expect("a packing")).unwrap();
    assert!(matches!(on.outcome, MinimizeOutcome::Optimal(_)), "{on:?}");
    assert_eq!(on.lower_bound, 218);
    assert!(matches!(
        on.bound_reason,
        BoundReason::Spare { time: 6, .. }
    ));
}

/// Whether the search with `params` proves that `problem` does not fit before [`TICK_CAP`]
/// progress ticks.
fn infeasible_within_cap(problem: &Problem, params: &SolverParams) -> bool {
    matches!(
        solve_within_cap(problem, params).outcome,
        Outcome::Infeasible(_)
    )
}
