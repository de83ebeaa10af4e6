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
