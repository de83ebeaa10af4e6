//! Every fixture model: read, TFLite Micro's greedy plan, bufpack's plan, written back and
//! read again. Prints one line per model: `cargo test -p bufpack-models --release --test
//! fixtures -- --nocapture`.

mod support;

use std::time::Duration;

use bufpack_models::{
    check_plan, existing_offsets, improve, read_model, tflm_greedy, tflm_greedy_around,
    with_offline_plan, ExistingPlan, Improvement, Scratch,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = support::fixtures()
        .into_iter()
        .find(|p| p.ends_with(name))
        .expect(name);
    std::fs::read(path).unwrap()
}

#[test]
fn every_fixture_plans_and_round_trips() {
    for path in support::fixtures() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let model = read_model(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let outcome = support::solve(&model, Duration::from_secs(10));
        println!("{name}: {}", outcome.summary());

        // TFLite Micro's own plan is a valid plan, and never below the lower bound.
        let greedy = tflm_greedy(&model, &[]).unwrap();
        assert_eq!(
            check_plan(&model, &greedy.offsets).unwrap(),
            greedy.arena,
            "{name}"
        );
        assert!(
            outcome.arena <= greedy.arena && outcome.load <= outcome.arena,
            "{name}"
        );

        // bufpack's plan, written in whatever the saving, reads back with the same buffers.
        let planned =
            with_offline_plan(&bytes, &outcome.offsets).unwrap_or_else(|e| panic!("{name}: {e}"));
        let again = read_model(&planned).unwrap();
        assert_eq!(again.buffers, model.buffers, "{name}");
        let ExistingPlan::Valid(words) = &again.offline_plan else {
            panic!("{name}: no plan read back");
        };
        assert_eq!(words.len(), model.tensor_count, "{name}");
        for (b, &offset) in model.buffers.iter().zip(&outcome.offsets) {
            assert_eq!(words[b.plan_index], offset as i32, "{name}: {}", b.id);
        }
        assert_eq!(
            words.iter().filter(|&&w| w >= 0).count(),
            model.buffers.len(),
            "{name}"
        );

        // The planned model's own plan is what TFLite Micro now uses.
        let fixed = existing_offsets(&again, &again.offline_plan).unwrap();
        let replanned = tflm_greedy_around(&again, &fixed, &[]).unwrap();
        assert_eq!(replanned.arena, outcome.arena, "{name}");

        // Planning the planned model again replaces the entry instead of adding one.
        let twice = with_offline_plan(&planned, &outcome.offsets).unwrap();
        assert_eq!(
            read_model(&twice).unwrap().offline_plan,
            again.offline_plan,
            "{name}"
        );
    }
}

/// The arenas TFLite Micro reports for these models (tflite-micro's Python interpreter,
/// reference kernels, `tests/tflm.rs`); keyword_scrambled's is its tensors alone (TFLite
/// Micro reports 672 bytes with its SVDF scratch buffers).
#[test]
fn greedy_emulation_matches_what_tflite_micro_reports() {
    for (name, arena) in [
        ("person_detect.tflite", 55_296),
        ("mobilenet_v2_quantized_1x3x224x224.tflite", 2_451_840),
        ("micro_speech_quantized.tflite", 5_968),
        ("hello_world_int8.tflite", 32),
        ("keyword_scrambled.tflite", 288),
        ("greedy_trap.tflite", 832),
        ("control_flow.tflite", 624),
        ("control_flow_shared.tflite", 1_424),
    ] {
        let model = read_model(&fixture(name)).unwrap();
        assert_eq!(tflm_greedy(&model, &[]).unwrap().arena, arena, "{name}");
    }
}

#[test]
fn a_saving_is_written() {
    let bytes = fixture("greedy_trap.tflite");
    let model = read_model(&bytes).unwrap();
    let outcome = support::solve(&model, Duration::from_secs(5));
    assert!(outcome.optimal);
    assert_eq!((outcome.tflm, outcome.arena, outcome.load), (832, 640, 640));
    let Improvement::Planned {
        model: planned,
        arena,
        before,
    } = improve(&bytes, &outcome.offsets, &[]).unwrap()
    else {
        panic!("a plan that saves 192 bytes is written");
    };
    assert_eq!((arena, before), (640, 832));
    assert_eq!(read_model(&planned).unwrap().buffers, model.buffers);
}

#[test]
fn no_saving_leaves_the_model_alone() {
    let bytes = fixture("person_detect.tflite");
    let model = read_model(&bytes).unwrap();
    let greedy = tflm_greedy(&model, &[]).unwrap();
    let outcome = improve(&bytes, &greedy.offsets, &[]).unwrap();
    assert_eq!(
        outcome,
        Improvement::Unchanged {
            arena: 55_296,
            before: 55_296
        }
    );
}

#[test]
fn a_model_with_a_better_plan_than_bufpacks_is_kept() {
    // Vela's plan overlaps the NPU's scratch areas with the input and output on purpose
    // (the command stream knows); from the graph alone they are all live together.
    let bytes = fixture("person_detect_vela.tflite");
    let model = read_model(&bytes).unwrap();
    let ExistingPlan::Valid(words) = &model.offline_plan else {
        panic!("Vela writes a plan");
    };
    assert_eq!(words, &[0, -1, -1, 0, 0, 0]);
    let existing = existing_offsets(&model, &model.offline_plan).unwrap();
    assert_eq!(
        tflm_greedy_around(&model, &existing, &[]).unwrap().arena,
        74_464
    );
    let outcome = support::solve(&model, Duration::from_secs(5));
    assert!(matches!(
        improve(&bytes, &outcome.offsets, &[]).unwrap(),
        Improvement::Unchanged { before: 74_464, .. }
    ));
}

#[test]
fn scratch_buffers_are_placed_around_the_plan() {
    let bytes = fixture("person_detect.tflite");
    let model = read_model(&bytes).unwrap();
    let greedy = tflm_greedy(&model, &[]).unwrap();
    // A scratch buffer of the first operator larger than everything: TFLite Micro puts it
    // first (largest first), so both arenas grow by the same amount here.
    let scratch = [Scratch {
        subgraph: 0,
        operator: 0,
        bytes: 100_000,
    }];
    let with = tflm_greedy(&model, &scratch).unwrap();
    assert_eq!(with.scratch_offsets, vec![0]);
    assert!(with.arena >= 100_000 && with.arena <= greedy.arena + 100_000);
    let fixed: Vec<Option<u64>> = greedy.offsets.iter().map(|&o| Some(o)).collect();
    let around = tflm_greedy_around(&model, &fixed, &scratch).unwrap();
    assert!(around.arena >= greedy.arena);
    // A scratch buffer for an operator the model does not have is an error, not a guess.
    let missing = [Scratch {
        subgraph: 3,
        operator: 0,
        bytes: 16,
    }];
    assert!(tflm_greedy(&model, &missing).is_err());
}

#[test]
fn invalid_plans_are_never_written() {
    let bytes = fixture("keyword_scrambled.tflite");
    let model = read_model(&bytes).unwrap();
    let good = tflm_greedy(&model, &[]).unwrap().offsets;

    let all_zero = vec![0; good.len()];
    let error = with_offline_plan(&bytes, &all_zero).unwrap_err();
    assert!(
        error.to_string().contains("are live together and overlap"),
        "{error}"
    );

    let mut misaligned = good.clone();
    misaligned[0] += 8;
    let error = with_offline_plan(&bytes, &misaligned).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("not a multiple of its alignment 16"),
        "{error}"
    );

    let error = with_offline_plan(&bytes, &good[1..]).unwrap_err();
    assert!(error.to_string().contains("offsets for"), "{error}");

    let mut huge = good;
    huge[0] = 1 << 31;
    assert!(with_offline_plan(&bytes, &huge).is_err());
}

#[test]
fn steps_name_the_operators_and_variables_stay_out() {
    let model = read_model(&fixture("keyword_scrambled.tflite")).unwrap();
    assert_eq!(model.steps[0], "(before the model runs)");
    assert_eq!(model.steps[1], "inputs");
    assert_eq!(model.steps.len(), 2 + 15);
    assert!(model.steps[2..]
        .iter()
        .all(|s| !s.is_empty() && !s.starts_with("builtin")));
    // Its seven SVDF state tensors live in TFLite Micro's persistent tail.
    assert_eq!(model.variables, 7);
    assert_eq!(model.variable_bytes, 10_240);
    assert!(model
        .buffers
        .iter()
        .all(|b| b.upper > b.lower && b.size % 16 == 0));
}

/// `control_flow.tflite` (`fixtures/make_control_flow.py`): every arena tensor's lifetime and
/// every step's label, derived by hand from TFLite Micro's `MarkAllocationLifetimes` and
/// `MarkSubgraphLifetimesIfNecessary`, so the nesting rule is pinned here.
///
/// TFLite Micro's scope counter starts at 0 with subgraph 0's inputs (c, x) and goes up by
/// one per operator: FULLY_CONNECTED a at 1, FULLY_CONNECTED s at 2, GREATER p at 3, IF at
/// 4. The IF's output b is created at 4, then each subgraph it runs is entered with one more
/// scope: the then subgraph's input a1 at 5 and its four operators at 6..9, the else
/// subgraph's input a2 at 10 and its three operators at 11..13. Only then are the IF's
/// inputs p and a last used, at 13, with b. The WHILE at 14 creates n and w, enters cond
/// (inputs i, v at 15, LESS at 16) and body (inputs j, u at 17, ADD 18, two
/// FULLY_CONNECTED 19 and 20), and uses b and its outputs at 20. FULLY_CONNECTED r at 21
/// ends s, which was live through both control-flow steps; ADD y at 22. A subgraph's
/// outputs stay live to its last scope (then_out 9, else_out 13, more 16, j1 and u1 20).
/// The reader's times are scopes plus one, half-open: [first + 1, last + 2). Constants
/// (weights, zero, n0, limit, one) take no arena.
#[test]
fn control_flow_lifetimes_follow_tflite_micro() {
    let model = read_model(&fixture("control_flow.tflite")).unwrap();
    // (id, first scope, last scope, bytes in the arena, subgraph)
    let expected: &[(&str, u64, u64, u64, usize)] = &[
        ("c", 0, 3, 16, 0),
        ("x", 0, 2, 128, 0),
        ("a", 1, 13, 96, 0),
        ("s", 2, 21, 160, 0),
        ("p", 3, 13, 16, 0),
        ("b", 4, 20, 64, 0),
        ("n", 14, 20, 16, 0),
        ("w", 14, 22, 64, 0),
        ("r", 21, 22, 64, 0),
        ("y", 22, 22, 64, 0),
        ("a1", 5, 6, 96, 1),
        ("h1", 6, 7, 192, 1),
        ("h2", 7, 8, 32, 1),
        ("h3", 8, 9, 128, 1),
        ("then_out", 9, 9, 64, 1),
        ("a2", 10, 11, 96, 2),
        ("e1", 11, 12, 64, 2),
        ("e2", 12, 13, 160, 2),
        ("else_out", 13, 13, 64, 2),
        ("i", 15, 16, 16, 3),
        ("v", 15, 15, 64, 3),
        ("more", 16, 16, 16, 3),
        ("j", 17, 18, 16, 4),
        ("u", 17, 19, 64, 4),
        ("j1", 18, 20, 16, 4),
        ("g", 19, 20, 128, 4),
        ("u1", 20, 20, 64, 4),
    ];
    let got: Vec<(&str, u64, u64, u64, usize)> = model
        .buffers
        .iter()
        .map(|b| (b.id.as_str(), b.lower, b.upper, b.size, b.subgraph))
        .collect();
    let want: Vec<(&str, u64, u64, u64, usize)> = expected
        .iter()
        .map(|&(id, first, last, size, s)| (id, first + 1, last + 2, size, s))
        .collect();
    assert_eq!(got, want);
    // Flat plan indices: subgraphs of 18, 13, 10, 4 and 10 tensors (constants included).
    assert_eq!(model.tensor_count, 55);
    assert_eq!(model.subgraph_count, 5);
    let index = |id: &str| {
        model
            .buffers
            .iter()
            .find(|b| b.id == id)
            .unwrap()
            .plan_index
    };
    assert_eq!(
        [
            index("c"),
            index("a1"),
            index("a2"),
            index("i"),
            index("u1")
        ],
        [0, 18, 31, 41, 54]
    );

    let fc = "FULLY_CONNECTED";
    let mut steps = vec!["(before the model runs)", "inputs", fc, fc, "GREATER", "IF"];
    steps.push("subgraph 1 inputs");
    steps.extend(["subgraph 1: FULLY_CONNECTED"; 4]);
    steps.push("subgraph 2 inputs");
    steps.extend(["subgraph 2: FULLY_CONNECTED"; 3]);
    steps.extend(["WHILE", "subgraph 3 inputs", "subgraph 3: LESS"]);
    steps.extend(["subgraph 4 inputs", "subgraph 4: ADD"]);
    steps.extend(["subgraph 4: FULLY_CONNECTED"; 2]);
    steps.extend([fc, "ADD"]);
    assert_eq!(model.steps, steps);
    // Scope 22 is the last: step 23, and the lifespans end by step 24.
    assert_eq!(model.steps.len(), 24);

    // The control-flow operators span their subgraphs: the IF scopes 4..13, the WHILE
    // 14..20 (the span a kernel scratch buffer of theirs would get).
    let span = |s: usize, o: usize| {
        let op = model
            .operators
            .iter()
            .find(|op| op.subgraph == s && op.operator == o)
            .unwrap();
        (op.lower, op.upper)
    };
    assert_eq!(span(0, 3), (5, 15));
    assert_eq!(span(0, 4), (15, 22));
    assert_eq!(span(1, 0), (7, 8));
    assert_eq!(span(4, 2), (21, 22));
}

/// `control_flow_shared.tflite` runs the same then and else subgraphs from two IFs (main
/// operators 3 and 6). TFLite Micro walks them at each IF and keeps a tensor's first
/// creation, so a branch tensor lives from its step under the first IF to its step under the
/// second; the real interpreter's arena (1,424 bytes, `tests/tflm.rs`) equals the greedy plan
/// of these lifetimes (`control_flow.tflite`, without the second IF, needs 624).
///
/// Scopes as in `control_flow_lifetimes_follow_tflite_micro` up to the WHILE (14..20); then
/// FULLY_CONNECTED a3 at 21, the second IF at 22, its then subgraph's input at 23 and
/// operators at 24..27, its else subgraph's input at 28 and operators at 29..31,
/// FULLY_CONNECTED r at 32, ADD y at 33.
#[test]
fn a_subgraph_run_twice_is_live_from_its_first_run_to_its_last() {
    let model = read_model(&fixture("control_flow_shared.tflite")).unwrap();
    let life = |id: &str| {
        let b = model.buffers.iter().find(|b| b.id == id).unwrap();
        (b.lower, b.upper)
    };
    // (first scope + 1, last scope + 2)
    assert_eq!(life("a1"), (6, 26));
    assert_eq!(life("h1"), (7, 27));
    assert_eq!(life("then_out"), (10, 29));
    assert_eq!(life("a2"), (11, 31));
    assert_eq!(life("else_out"), (14, 33));
    assert_eq!(life("p"), (4, 33));
    // b2 is created by the second IF (22) and added to r by y (33).
    assert_eq!(life("b2"), (23, 35));
    assert_eq!(life("s"), (3, 34));
    assert_eq!(model.steps.len(), 35);
    assert_eq!(model.steps[23], "IF");
    assert_eq!(model.steps[24], "subgraph 1 inputs");
    assert_eq!(model.steps[25], "subgraph 1: FULLY_CONNECTED");
    assert_eq!(tflm_greedy(&model, &[]).unwrap().arena, 1_424);
}
