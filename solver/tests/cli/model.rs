//! TensorFlow Lite models through the command line: a planned model written only when it
//! saves arena, the buffers as CSV, scratch buffers, and bad models refused with nothing
//! written. The fixtures are the models crate's (`models/tests/fixtures/tflite/`).

use bufpack::{read_buffers, read_problem, validate, Buffer, Problem, Solution, MAX_MAGNITUDE};
use bufpack_models::{
    check_plan, existing_offsets, improve, read_model, tflm_greedy, tflm_greedy_around,
    ExistingPlan, Improvement, ModelBuffers, Scratch,
};

use super::*;

/// A fixture model's path.
fn fixture(name: &str) -> String {
    format!(
        "{}/../models/tests/fixtures/tflite/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).expect("the fixture model exists")
}

/// The model's buffers as the solver's problem, as the CLI builds it (ids are tensor names).
fn problem(model: &ModelBuffers) -> Problem {
    let int = |v: u64| i64::try_from(v).expect("small");
    let buffers = model
        .buffers
        .iter()
        .map(|b| {
            Buffer::new(b.id.clone(), int(b.lower), int(b.upper), int(b.size))
                .with_alignment(int(b.alignment))
        })
        .collect();
    Problem::new(buffers, MAX_MAGNITUDE)
}

/// Checks that `offsets` are a valid plan of `model` for both validators, and returns the
/// arena TFLite Micro needs with them as its offline plan.
fn assert_valid_plan(model: &ModelBuffers, offsets: &[u64]) -> u64 {
    let problem = problem(model);
    let solution = Solution::from_offsets(
        &problem,
        offsets
            .iter()
            .map(|&o| i64::try_from(o).expect("small"))
            .collect(),
    );
    assert_eq!(validate(&problem, &solution), Ok(()));
    let height = check_plan(model, offsets).expect("the plan checks");
    assert_eq!(height, u64::try_from(solution.height).expect("positive"));
    let fixed: Vec<Option<u64>> = offsets.iter().map(|&o| Some(o)).collect();
    tflm_greedy_around(model, &fixed, &[])
        .expect("the plan is placed")
        .arena
}

/// The offline plan a written model carries, as one offset per buffer.
fn plan_of(model: &ModelBuffers) -> Vec<u64> {
    assert!(matches!(model.offline_plan, ExistingPlan::Valid(_)));
    existing_offsets(model, &model.offline_plan)
        .expect("a valid plan")
        .into_iter()
        .map(|o| o.expect("every arena tensor is planned"))
        .collect()
}

fn assert_says(run: &Run, text: &str) {
    assert!(run.stderr.contains(text), "{text:?} in:\n{}", run.stderr);
}

#[test]
fn greedy_trap_is_planned_and_the_plan_is_valid() {
    let dir = TempDir::new("planned");
    let out = dir.join("planned.tflite");
    let run = bufpack(
        &[
            "--minimize",
            &format!("--input={}", fixture("greedy_trap.tflite")),
            &format!("--output={out}"),
            "--validate",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_says(
        &run,
        "Model: 19 tensors, 7 in the arena, 8 steps; TFLM greedy: 832 bytes, bufpack: 640 \
         bytes (optimal), lower bound 640; saves 192 bytes (23.1%)\n",
    );
    assert_says(&run, "Validation: validated\n");
    assert_says(&run, &format!("Planned model: written to {out}, "));
    // Planned without --scratch: the note saying what the comparison left out.
    assert_says(&run, "Note: the comparison covers the tensors only; ");
    assert_says(&run, "--scratch=[SUBGRAPH:]OPERATOR:BYTES");
    assert_eq!(dir.names(), ["planned.tflite"], "no temporary file left");

    let original = read_model(&fixture_bytes("greedy_trap.tflite")).expect("the fixture reads");
    assert_eq!(original.offline_plan, ExistingPlan::None);
    let planned =
        read_model(&std::fs::read(&out).expect("the model is written")).expect("it reads back");
    assert_eq!(planned.buffers, original.buffers, "the same tensors");
    assert_eq!(planned.steps, original.steps, "the same operators");
    let offsets = plan_of(&planned);
    assert_eq!(assert_valid_plan(&planned, &offsets), 640);
    assert_eq!(tflm_greedy(&original, &[]).expect("plans").arena, 832);
}

#[test]
fn a_model_that_cannot_be_improved_is_left_alone() {
    // (model, the summary's figures) for models where TFLite Micro's plan is already best.
    let cases = [
        (
            "hello_world_int8.tflite",
            "TFLM greedy: 32 bytes, bufpack: 32 bytes (optimal), lower bound 32; no saving: \
             TFLM's plan is already as small\n",
        ),
        (
            "micro_speech_quantized.tflite",
            "TFLM greedy: 5968 bytes, bufpack: 5968 bytes (optimal), lower bound 5968; no \
             saving: TFLM's plan is already as small\n",
        ),
        // Vela's plan overlaps tensors the graph keeps live together, on purpose.
        (
            "person_detect_vela.tflite",
            "TFLM greedy: 158160 bytes, with the model's own plan: 74464 bytes, bufpack: \
             158160 bytes (optimal), lower bound 158160; no saving: the model's own plan is \
             smaller",
        ),
    ];
    for (name, figures) in cases {
        let dir = TempDir::new("unchanged");
        let out = dir.join("planned.tflite");
        let args = [
            "--minimize",
            &format!("--input={}", fixture(name)),
            &format!("--output={out}"),
        ];
        // No file there: none is made.
        let run = bufpack(&args, None);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert_says(&run, figures);
        assert_says(
            &run,
            &format!(
                "Planned model: none, since the plan saves nothing: the model is left as it \
                 was and nothing is written to {out}\n"
            ),
        );
        assert!(!run.stderr.contains("Note:"), "{name}: {}", run.stderr);
        assert_eq!(dir.names(), Vec::<String>::new(), "{name}: nothing written");

        // A file there stays exactly as it was.
        std::fs::write(&out, b"an older model").expect("temp dir is writable");
        let run = bufpack(&args, None);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert_says(&run, "(the file already there is left untouched)\n");
        assert_eq!(std::fs::read(&out).expect("still there"), b"an older model");
        assert_eq!(dir.names(), ["planned.tflite"], "{name}");
    }
}

#[test]
fn any_other_output_gets_the_tensors_with_their_offsets_as_csv() {
    let model = read_model(&fixture_bytes("greedy_trap.tflite")).expect("the fixture reads");
    let out = TempFile::empty("tensors.csv");
    let input = format!("--input={}", fixture("greedy_trap.tflite"));
    let to_file = bufpack(
        &["--minimize", &input, &format!("--output={}", out.path())],
        None,
    );
    assert_eq!(to_file.code, 0, "{}", to_file.stderr);
    assert_says(&to_file, "; saves 192 bytes (23.1%)\n");
    assert!(
        !to_file.stderr.contains("Planned model"),
        "{}",
        to_file.stderr
    );
    let written = std::fs::read_to_string(&out.0).expect("the CSV is written");
    let to_stdout = bufpack(&["--minimize", &input], None);
    assert_eq!(to_stdout.code, 0, "{}", to_stdout.stderr);
    assert_eq!(to_stdout.stdout, written);

    assert!(written.starts_with("id,lower,upper,size,alignment,offset\n"));
    let rows = read_buffers(&written).expect("the CSV reads back");
    let ids: Vec<&str> = rows.iter().map(|b| b.id.as_str()).collect();
    let names: Vec<&str> = model.buffers.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(
        ids, names,
        "one row per tensor in the arena, named as in the model"
    );
    let offsets: Vec<u64> = rows
        .iter()
        .map(|b| u64::try_from(b.offset.expect("an offset")).expect("non-negative"))
        .collect();
    assert_eq!(assert_valid_plan(&model, &offsets), 640);
    // Read as a problem, the CSV is the same buffers, all fixed where the tool put them.
    let again = read_problem(&written, 640).expect("the CSV reads as a problem");
    let fixed: Vec<i64> = again
        .buffers
        .iter()
        .map(|b| b.offset.expect("fixed"))
        .collect();
    assert_eq!(
        validate(&again, &Solution::from_offsets(&again, fixed)),
        Ok(())
    );
}

#[test]
fn a_model_is_known_by_its_bytes_not_its_name() {
    // On stdin, and under a name that is not .tflite.
    let bytes = fixture_bytes("greedy_trap.tflite");
    let renamed = TempFile::empty("model.bin");
    std::fs::write(&renamed.0, &bytes).expect("temp dir is writable");
    let run = bufpack(
        &["--minimize", &format!("--input={}", renamed.path())],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_says(&run, "TFLM greedy: 832 bytes, bufpack: 640 bytes");

    let mut child = Command::new(BUFPACK)
        .arg("--minimize")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the bufpack binary runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(&bytes)
        .expect("stdin takes the model");
    let output = child.wait_with_output().expect("bufpack finishes");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("TFLM greedy: 832 bytes"), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), run.stdout);
}

#[test]
fn bad_models_are_refused_with_nothing_written() {
    let good = fixture_bytes("greedy_trap.tflite");
    let mut random: Vec<u8> = (0..4000_u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    random[4..8].copy_from_slice(b"TFL3");
    let mut root_past_the_end = good.clone();
    root_past_the_end[..4].copy_from_slice(&u32::MAX.to_le_bytes());
    // With TFLite's identifier, the reader's error is said word for word; it names the
    // byte offset, table and field. (name, contents, part of that error)
    let broken: [(&str, Vec<u8>, &str); 4] = [
        (
            "truncated.tflite",
            good[..3000].to_vec(),
            "past the end of the 3000-byte file",
        ),
        (
            "half.tflite",
            good[..good.len() / 2].to_vec(),
            "(truncated or corrupt)",
        ),
        ("root.tflite", root_past_the_end, "at byte 0, Model"),
        ("random.tflite", random, "at byte "),
    ];
    // Without it, the file is not read as a model at all.
    let foreign: [(&str, Vec<u8>, &str); 2] = [
        (
            "table.tflite",
            b"id,lower,upper,size\na,0,1,4\n".to_vec(),
            "not a TensorFlow Lite model: bytes 4..8 are \"ower\", not the file identifier \
             \"TFL3\"\n",
        ),
        (
            "short.tflite",
            b"TFL".to_vec(),
            "not a TensorFlow Lite model: 3 bytes, too short for the file identifier \"TFL3\" \
             at bytes 4..8\n",
        ),
    ];
    let expected = |contents: &[u8], part: &str| match read_model(contents) {
        Err(error) => {
            let text = error.to_string();
            assert!(text.contains(part), "{part:?} in {text}");
            format!("{text}\n")
        }
        Ok(_) => panic!("the reader takes a broken model"),
    };
    let cases = broken
        .iter()
        .map(|(name, contents, part)| (name, contents, expected(contents, part)))
        .chain(
            foreign
                .iter()
                .map(|(name, contents, message)| (name, contents, message.to_string())),
        );
    for (name, contents, message) in cases {
        let dir = TempDir::new("bad");
        let input = dir.join(name);
        std::fs::write(&input, contents).expect("temp dir is writable");
        for output in ["out.tflite", "out.csv"] {
            let out = dir.join(output);
            let run = bufpack(
                &[
                    "--minimize",
                    &format!("--input={input}"),
                    &format!("--output={out}"),
                ],
                None,
            );
            assert_eq!(run.code, 2, "{name}: {}", run.stderr);
            assert_eq!(run.stderr, format!("bufpack: {input}: {message}"), "{name}");
            assert_eq!(dir.names(), [*name], "{name}: nothing written");
        }
    }
}

#[test]
fn flipped_bytes_give_an_error_or_a_valid_plan_never_a_panic() {
    let good = fixture_bytes("greedy_trap.tflite");
    let dir = TempDir::new("flipped");
    let (mut refused, mut planned) = (0, 0);
    // Flips spread over the file: header, tables and vectors, and the weights.
    for case in 0..24_usize {
        let mut bytes = good.clone();
        for k in 0..1 + case % 4 {
            let at = (case * 7919 + k * 104_729) % 1200 + (case % 3) * (good.len() / 3);
            bytes[at.min(good.len() - 1)] ^= 1 << ((case + k) % 8);
        }
        let input = dir.join(&format!("flipped-{case}.tflite"));
        let out = dir.join(&format!("flipped-{case}.planned.tflite"));
        std::fs::write(&input, &bytes).expect("temp dir is writable");
        let run = bufpack(
            &[
                "--minimize",
                &format!("--input={input}"),
                &format!("--output={out}"),
            ],
            None,
        );
        match read_model(&bytes) {
            Err(error) => {
                refused += 1;
                assert_eq!(run.code, 2, "{case}: {}", run.stderr);
                assert_eq!(run.stderr, format!("bufpack: {input}: {error}\n"));
                assert!(!std::path::Path::new(&out).exists(), "{case}");
            }
            Ok(model) => {
                assert!([0, 1].contains(&run.code), "{case}: {}", run.stderr);
                if let Ok(written) = std::fs::read(&out) {
                    planned += 1;
                    let again = read_model(&written).expect("a written model reads back");
                    assert_eq!(again.buffers, model.buffers, "{case}");
                    assert_valid_plan(&again, &plan_of(&again));
                }
            }
        }
        assert!(!run.stderr.contains("panicked"), "{case}: {}", run.stderr);
    }
    assert!(
        refused > 0 && planned > 0,
        "{refused} refused, {planned} planned"
    );
}

#[test]
fn scratch_buffers_enter_the_comparison() {
    let bytes = fixture_bytes("greedy_trap.tflite");
    let model = read_model(&bytes).expect("the fixture reads");
    let dir = TempDir::new("scratch");
    let out = dir.join("planned.tflite");
    let input = format!("--input={}", fixture("greedy_trap.tflite"));
    let scratch = |operator, bytes| Scratch {
        subgraph: 0,
        operator,
        bytes,
    };

    // Small ones: the plan still saves, with them placed around it as TFLite Micro would.
    let run = bufpack(
        &[
            "--minimize",
            &input,
            &format!("--output={out}"),
            "--scratch=3:20,0:2:64",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let given = [scratch(2, 64), scratch(3, 20)];
    let before = tflm_greedy(&model, &given).expect("plans").arena;
    let planned = read_model(&std::fs::read(&out).expect("written")).expect("reads back");
    let offsets = plan_of(&planned);
    assert_valid_plan(&planned, &offsets);
    let fixed: Vec<Option<u64>> = offsets.iter().map(|&o| Some(o)).collect();
    let after = tflm_greedy_around(&planned, &fixed, &given)
        .expect("plans")
        .arena;
    assert!(after < before, "{after} < {before}");
    assert_says(
        &run,
        &format!(
            "Model: 19 tensors, 7 in the arena, 8 steps, 2 kernel scratch buffers (96 bytes); \
             TFLM greedy: {before} bytes, bufpack: {after} bytes ("
        ),
    );
    assert_says(&run, "tensors 640 bytes, optimal), lower bound ");
    assert!(!run.stderr.contains("Note:"), "{}", run.stderr);

    // A large one at the first operator takes the arena's bottom either way: no saving, as
    // the library decides too, and nothing written.
    std::fs::remove_file(&out).expect("the planned model is there");
    let run = bufpack(
        &[
            "--minimize",
            &input,
            &format!("--output={out}"),
            "--scratch=0:1000",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_says(
        &run,
        "1 kernel scratch buffer (1008 bytes); TFLM greedy: 1392 bytes",
    );
    assert_says(&run, "no saving: TFLM's plan is already as small\n");
    assert_eq!(dir.names(), Vec::<String>::new());
    let csv = bufpack(&["--minimize", &input], None);
    let offsets: Vec<u64> = read_buffers(&csv.stdout)
        .expect("reads")
        .iter()
        .map(|b| u64::try_from(b.offset.expect("offset")).expect("non-negative"))
        .collect();
    assert!(matches!(
        improve(&bytes, &offsets, &[scratch(0, 1000)]),
        Ok(Improvement::Unchanged {
            arena: 1392,
            before: 1392
        })
    ));
}

#[test]
fn scratch_lists_that_do_not_fit_are_usage_errors() {
    let dir = TempDir::new("bad-scratch");
    let model = format!("--input={}", fixture("greedy_trap.tflite"));
    let csv = format!("--input={EXAMPLE}");
    let cases = [
        (&model, "--scratch=64", "--scratch: expected SUBGRAPH:OPERATOR:BYTES or OPERATOR:BYTES (subgraph 0), found \"64\""),
        (&model, "--scratch=2:64,", "--scratch: empty entry in the list (entries are separated by commas)"),
        (&model, "--scratch=2:0", "--scratch: in \"2:0\": expected a size in bytes in 1..=2147483647, found \"0\""),
        (&model, "--scratch=two:64", "--scratch: in \"two:64\": expected the operator's index (0, 1, ...), found \"two\""),
        (&model, "--scratch=9:64", "--scratch=0:9:64: subgraph 0 has no operator 9 (it has 6, numbered from 0)"),
        (&model, "--scratch=0:16,1:0:64", "--scratch=1:0:64: the model has no subgraph 1 (it has 1, numbered from 0)"),
        (&csv, "--scratch=0:64", "--scratch: kernel scratch buffers belong to a TensorFlow Lite model"),
    ];
    for (input, flag, expected) in cases {
        let out = dir.join(if *input == csv {
            "out.csv"
        } else {
            "planned.tflite"
        });
        let run = bufpack(
            &["--minimize", input, flag, &format!("--output={out}")],
            None,
        );
        assert_eq!(run.code, 2, "{flag}: {}", run.stderr);
        assert!(
            run.stderr.starts_with(&format!("bufpack: {expected}")),
            "{flag}: {}",
            run.stderr
        );
        assert_eq!(dir.names(), Vec::<String>::new(), "{flag}");
    }
}

#[test]
fn a_csv_input_cannot_be_written_as_a_model() {
    let dir = TempDir::new("csv-to-model");
    for name in ["out.tflite", "OUT.TFLite"] {
        let out = dir.join(name);
        let run = bufpack(
            &[
                "--minimize",
                &format!("--input={EXAMPLE}"),
                &format!("--output={out}"),
            ],
            None,
        );
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert_says(
            &run,
            &format!(
                "bufpack: --output={out}: only a TensorFlow Lite model can be written as a \
                 .tflite file, and {EXAMPLE} is read as CSV"
            ),
        );
        assert_eq!(dir.names(), Vec::<String>::new());
    }
}

#[test]
fn a_model_at_a_capacity_too_small_writes_nothing() {
    let dir = TempDir::new("too-small");
    let out = dir.join("planned.tflite");
    let input = format!("--input={}", fixture("greedy_trap.tflite"));
    let run = bufpack(
        &["--capacity=600", &input, &format!("--output={out}")],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_says(
        &run,
        "Result: infeasible (at time 5 the live buffers need 640 units",
    );
    assert_says(
        &run,
        &format!("bufpack: no plan, so nothing is written to {out}\n"),
    );
    assert_eq!(dir.names(), Vec::<String>::new());
    // At a capacity that fits, the decision's packing is compared like a minimum.
    let run = bufpack(
        &["--capacity=640", &input, &format!("--output={out}")],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_says(
        &run,
        "TFLM greedy: 832 bytes, bufpack: 640 bytes (optimal), lower bound 640",
    );
    let planned = read_model(&std::fs::read(&out).expect("written")).expect("reads back");
    assert_eq!(assert_valid_plan(&planned, &plan_of(&planned)), 640);
}
