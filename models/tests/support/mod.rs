//! Shared by the fixture tests and the `plan` example: the model's buffers as a `bufpack`
//! problem, minimised under a time limit, and the one-line summary every result prints.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bufpack::{
    minimize, Buffer, LowerBound, MinimizeReport, Monitor, Problem, SolverParams, MAX_MAGNITUDE,
};
use bufpack_models::{tflm_greedy, ModelBuffers};

/// The fixture models, in a fixed order.
pub(crate) fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tflite");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tflite"))
        .collect();
    paths.sort();
    paths
}

/// The buffers as a problem for the solver: the fields map one to one.
pub(crate) fn problem(model: &ModelBuffers) -> Problem {
    let buffers = model
        .buffers
        .iter()
        .map(|b| {
            Buffer::new(b.id.clone(), b.lower as i64, b.upper as i64, b.size as i64)
                .with_alignment(b.alignment as i64)
        })
        .collect();
    Problem::new(buffers, MAX_MAGNITUDE)
}

/// Stops the solver at a deadline.
struct Deadline(Instant);

impl Monitor for Deadline {
    fn should_stop(&mut self) -> bool {
        Instant::now() >= self.0
    }
}

/// Everything a result line says, and the offsets to write.
pub(crate) struct Outcome {
    pub(crate) tensors: usize,
    pub(crate) buffers: usize,
    pub(crate) tflm: u64,
    pub(crate) load: u64,
    pub(crate) arena: u64,
    pub(crate) optimal: bool,
    pub(crate) offsets: Vec<u64>,
    pub(crate) report: MinimizeReport,
}

/// Minimises the arena of `model` for at most `limit`.
pub(crate) fn solve(model: &ModelBuffers, limit: Duration) -> Outcome {
    let problem = problem(model);
    let load = LowerBound::of(&problem).load;
    let tflm = tflm_greedy(model, &[]).expect("no scratch buffers").arena;
    let report = minimize(
        &problem,
        &SolverParams::default(),
        &mut Deadline(Instant::now() + limit),
    )
    .expect("a well-formed problem");
    let solution = report
        .solution()
        .expect("no capacity: always a packing")
        .clone();
    bufpack::validate(&problem, &solution).expect("the solver's packing is valid");
    Outcome {
        tensors: model.tensor_count,
        buffers: model.buffers.len(),
        tflm,
        load: load as u64,
        arena: solution.height as u64,
        optimal: matches!(report.outcome, bufpack::MinimizeOutcome::Optimal(_)),
        offsets: solution.offsets.iter().map(|&o| o as u64).collect(),
        report,
    }
}

impl Outcome {
    /// "TFLM greedy: X bytes, bufpack: Y bytes (optimal / gap), lower bound Z".
    pub(crate) fn summary(&self) -> String {
        let quality = if self.optimal {
            "optimal".to_string()
        } else {
            format!("gap {:.2}%", self.report.gap_percent().unwrap_or(f64::NAN))
        };
        let saving = if self.arena < self.tflm {
            format!(
                "saves {} bytes ({:.1}%)",
                self.tflm - self.arena,
                100.0 * (self.tflm - self.arena) as f64 / self.tflm as f64
            )
        } else {
            "no saving possible: model left as it was".to_string()
        };
        format!(
            "{} tensors, {} in the arena; TFLM greedy: {} bytes, bufpack: {} bytes ({quality}), lower bound {}; {saving}",
            self.tensors, self.buffers, self.tflm, self.arena, self.report.lower_bound,
        )
    }
}
