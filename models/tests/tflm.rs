//! bufpack's plans in TensorFlow Lite Micro's own interpreter (the `tflite-micro` package):
//! every fixture model it can run is planned, written, and run with and without the plan
//! by `tflm_check.py`: outputs must be identical bit for bit, the arena no larger for every
//! model `improve` would hand back, and a deliberately corrupted plan must change the
//! outputs of some model (so the plan is really read). `control_flow.tflite` (an IF and a
//! WHILE, `fixtures/make_control_flow.py`) and `control_flow_shared.tflite` (the same with a
//! second IF running the same subgraphs) check the nested lifetimes of control-flow
//! subgraphs the same way; a corrupted plan can make their WHILE loop forever, which the
//! script stops and counts as changed.
//!
//! Plans are written here even where they save nothing, to test them in the real runtime.
//! Such a plan can cost arena: TFLite Micro places kernel scratch buffers (not in the file)
//! around an offline plan instead of among the tensors, and keyword_scrambled's SVDF
//! scratch then needs 800 bytes instead of 672. That is why `improve` only writes a plan
//! that saves, and takes the scratch buffers to place.
//!
//! Needs a Python with `tflite-micro` and numpy: `$BUFPACK_VENV` or `target/venv-models`
//! (`python3 -m venv target/venv-models && target/venv-models/bin/pip install tflite-micro`).
//! Without one the test says so and checks nothing.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use bufpack_models::{improve, read_model, tflm_greedy, with_offline_plan, Improvement};

/// Models whose kernels request no scratch buffers here: TFLite Micro's planned arena is
/// exactly the emulated greedy plan of their tensors.
const NO_SCRATCH: &[&str] = &[
    "control_flow.tflite",
    "control_flow_shared.tflite",
    "greedy_trap.tflite",
    "hello_world_int8.tflite",
    "micro_speech_quantized.tflite",
    "mobilenet_v2_quantized_1x3x224x224.tflite",
    "person_detect.tflite",
];

/// Models the PyPI build of TFLite Micro cannot run, and why.
const CANNOT_RUN: &[(&str, &str)] = &[(
    "person_detect_vela.tflite",
    "its one operator is Arm's ethos-u custom operator, which needs the NPU driver",
)];

fn python() -> Option<PathBuf> {
    // $BUFPACK_VENV (xtask's venv) may lack tflite-micro: then target/venv-models is tried.
    let own = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/venv-models");
    let candidates = std::env::var_os("BUFPACK_VENV")
        .map(PathBuf::from)
        .into_iter()
        .chain([own]);
    candidates
        .map(|venv| venv.join("bin/python"))
        .find(|python| {
            Command::new(python)
                .args(["-c", "import tflite_micro, numpy"])
                .output()
                .is_ok_and(|out| out.status.success())
        })
}

/// The number after `"key": ` in the script's JSON line (no JSON dependency for this).
fn field<'a>(json: &'a str, key: &str) -> &'a str {
    let start = json
        .find(&format!("\"{key}\": "))
        .unwrap_or_else(|| panic!("{key} in {json}"))
        + key.len()
        + 4;
    json[start..].split([',', '}']).next().unwrap().trim()
}

#[test]
fn planned_models_run_identically_in_tflite_micro() {
    let Some(python) = python() else {
        println!(
            "skipped: no Python with tflite-micro (set BUFPACK_VENV or make target/venv-models)"
        );
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tflm_check.py");
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tflm");
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut corruption_seen = false;
    for path in support::fixtures() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Some((_, why)) = CANNOT_RUN.iter().find(|(n, _)| *n == name) {
            println!("{name}: not run: {why}");
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let model = read_model(&bytes).unwrap();
        let outcome = support::solve(&model, Duration::from_secs(10));
        // Written whatever the saving: the point is that TFLite Micro runs the plan right.
        let planned = with_offline_plan(&bytes, &outcome.offsets).unwrap();
        let target = out_dir.join(&name);
        std::fs::write(&target, &planned).unwrap();

        let run = Command::new(&python)
            .arg(&script)
            .arg(&path)
            .arg(&target)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success(),
            "{name}: {stdout}\n{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let json = stdout
            .lines()
            .find_map(|l| l.strip_prefix("RESULT "))
            .unwrap_or_else(|| panic!("{name}: no result in {stdout}"));
        let head_original: u64 = field(json, "head_original").parse().unwrap();
        let head_planned: u64 = field(json, "head_planned").parse().unwrap();
        let tflm = tflm_greedy(&model, &[]).unwrap().arena;
        println!(
            "{name}: {}; TFLM reports head {head_original} bytes unplanned, {head_planned} planned ({} outputs identical, corrupted plan changes them: {}{})",
            outcome.summary(),
            field(json, "outputs"),
            field(json, "corrupted_differs"),
            if field(json, "corrupted_hangs") == "true" {
                ", its WHILE loops forever"
            } else {
                ""
            },
        );
        assert_eq!(
            field(json, "identical"),
            "true",
            "{name}: outputs differ with the plan"
        );
        let handed_back = matches!(
            improve(&bytes, &outcome.offsets, &[]).unwrap(),
            Improvement::Planned { .. }
        );
        if handed_back {
            assert!(
                head_planned <= head_original,
                "{name}: the plan needs more arena in TFLite Micro"
            );
        } else if head_planned > head_original {
            println!("  (a plan that saves nothing costs {} bytes of scratch placement here: not handed back)", head_planned - head_original);
        }
        // The planned part of TFLite Micro's arena holds the tensors and scratch buffers:
        // never less than the emulated greedy plan of the tensors alone.
        assert!(
            head_original >= tflm,
            "{name}: emulation {tflm} above TFLite Micro's {head_original}"
        );
        assert!(head_planned >= outcome.arena, "{name}");
        if NO_SCRATCH.contains(&name.as_str()) {
            assert_eq!(
                head_original, tflm,
                "{name}: the emulation of TFLite Micro's greedy planner"
            );
            assert_eq!(
                head_planned, outcome.arena,
                "{name}: TFLite Micro uses the plan as written"
            );
        }
        corruption_seen |= field(json, "corrupted_differs") == "true";
    }
    assert!(
        corruption_seen,
        "no corrupted plan changed any output: TFLite Micro ignores plans here"
    );
}
