//! `.tflite` models: the tensor arena TensorFlow Lite Micro (TFLM) lays out, packed by the
//! same search as a CSV's buffers, compared with TFLM's own plan, and written back as a
//! planned model (only when it saves arena) or as the tensors with their offsets in CSV.
//!
//! ```text
//!  bytes ──► read_model ──► Problem ──► run::search ──► validate ──► offsets
//!                                                                      │
//!   --output=*.tflite:  improve ──► Planned: write the model │ Unchanged: write nothing
//!   any other output:   TFLM's arena with and without the plan, then the CSV
//! ```
//!
//! The reading, TFLM's greedy planner and the writing are `bufpack-models`' (bytes in, bytes
//! out); this module joins them to the solver and the CLI's input, output and messages.

use std::path::Path;

use bufpack::{gap_percent, validate, write_solution, Buffer, LowerBound, Offset, Problem};
use bufpack_models::{
    existing_offsets, improve, read_model, tflm_greedy, tflm_greedy_around, ExistingPlan,
    Improvement, ModelBuffers, ModelError, Scratch, BUFFER_ALIGNMENT,
};

use crate::args::Options;
use crate::output::Output;
use crate::run::{say, search, Clock, Exit, Packing, Searched};

/// TFLite's file identifier: bytes 4..8 of every model (a flatbuffer's identifier slot).
const IDENTIFIER: &[u8] = b"TFL3";

/// Whether `bytes` are a TFLite model: its identifier at bytes 4..8, whatever the file's name.
pub(crate) fn is_model(bytes: &[u8]) -> bool {
    bytes.get(4..8) == Some(IDENTIFIER)
}

/// Whether `path` has the `.tflite` extension (any case).
fn is_model_path(path: Option<&str>) -> bool {
    path.and_then(|p| Path::new(p).extension())
        .is_some_and(|e| e.eq_ignore_ascii_case("tflite"))
}

/// For an input that is not a model: refuses a `.tflite` name and what only a model can do
/// (a `.tflite` output, `--scratch`).
pub(crate) fn check_csv_input(options: &Options, bytes: &[u8]) -> Result<(), String> {
    let input = options.input.as_deref().unwrap_or("<stdin>");
    if is_model_path(options.input.as_deref()) {
        let found = match bytes.get(4..8) {
            Some(found) => format!(
                "bytes 4..8 are \"{}\", not the file identifier \"TFL3\"",
                found.escape_ascii()
            ),
            None => format!(
                "{} bytes, too short for the file identifier \"TFL3\" at bytes 4..8",
                bytes.len()
            ),
        };
        return Err(format!("{input}: not a TensorFlow Lite model: {found}"));
    }
    if let Some(output) = options.output.as_deref().filter(|o| is_model_path(Some(o))) {
        return Err(format!(
            "--output={output}: only a TensorFlow Lite model can be written as a .tflite \
             file, and {input} is read as CSV; write the packing to a .csv file or stdout"
        ));
    }
    if !options.scratch.is_empty() {
        return Err(format!(
            "--scratch: kernel scratch buffers belong to a TensorFlow Lite model, and \
             {input} is read as CSV"
        ));
    }
    Ok(())
}

/// Plans the model in `bytes` as `options` say and writes the output.
pub(crate) fn run(
    options: &Options,
    bytes: &[u8],
    input: &str,
    capacity: Offset,
    threads: usize,
    mut clock: Clock,
    output: Output,
) -> Result<Exit, String> {
    let model = read_model(bytes).map_err(|e| format!("{input}: {e}"))?;
    let scratch = scratch_of(&model, &options.scratch)?;
    let problem = problem(&model, capacity).map_err(|e| format!("{input}: {e}"))?;
    let writes_model = is_model_path(options.output.as_deref());
    let target = options.output.as_deref().unwrap_or("<stdout>");

    let packing = match search(options, &problem, input, threads, &mut clock)? {
        Searched::Packed(packing) => packing,
        Searched::Nothing(exit) => {
            say(&format!(
                "bufpack: no plan, so nothing is written to {target}\n"
            ));
            return Ok(exit);
        }
    };
    // Always: TFLM trusts an offline plan blindly, so a wrong one would corrupt outputs.
    if let Err(error) = validate(&problem, &packing.solution) {
        say(&format!(
            "Validation: failed\nbufpack: the packing found is invalid, which is a bug in \
             the solver: {error}\n"
        ));
        return Ok(Exit::NoPacking);
    }
    if options.validate {
        say("Validation: validated\n");
    }
    let offsets: Vec<u64> = packing
        .solution
        .offsets
        .iter()
        .map(|&o| u64::try_from(o).unwrap_or(u64::MAX))
        .collect();
    let decided = match decide(bytes, &model, &offsets, &scratch, writes_model) {
        Ok(decided) => decided,
        Err(e) => {
            say(&format!(
                "bufpack: {input}: cannot plan the model with this packing, so nothing is \
                 written to {target}: {e}\n"
            ));
            return Ok(Exit::NoPacking);
        }
    };
    let figures = Figures::of(&model, &problem, &packing, &scratch, &decided);
    say(&format!("{}\n", figures.line(&model.offline_plan)));

    match decided.planned {
        _ if !writes_model => {
            output.write(write_solution(&problem, &packing.solution).as_bytes())?;
        }
        Some(planned) => {
            output.write(&planned)?;
            say(&format!(
                "Planned model: written to {target}, with bufpack's plan as its \
                 OfflineMemoryAllocation metadata\n"
            ));
            if scratch.is_empty() {
                say(
                    "Note: the comparison covers the tensors only; if the target's kernels \
                     request scratch buffers, pass their sizes with \
                     --scratch=[SUBGRAPH:]OPERATOR:BYTES,... to plan around them\n",
                );
            }
        }
        None => {
            // Dropping the output removes its temporary file: any file there stays as it was.
            drop(output);
            let kept = if Path::new(target).exists() {
                " (the file already there is left untouched)"
            } else {
                ""
            };
            say(&format!(
                "Planned model: none, since the plan saves nothing: the model is left as it \
                 was and nothing is written to {target}{kept}\n"
            ));
        }
    }
    Ok(packing.exit)
}

/// The buffers as a problem for the solver: one per tensor in the arena, in the model's
/// order, ids the tensor names (the fields map one to one).
fn problem(model: &ModelBuffers, capacity: Offset) -> Result<Problem, String> {
    let value = |id: &str, what: &str, v: u64| {
        Offset::try_from(v).map_err(|_| {
            format!("tensor {id:?}: its {what} {v} is beyond what bufpack can address")
        })
    };
    let buffers = model
        .buffers
        .iter()
        .map(|b| {
            Ok(Buffer::new(
                b.id.clone(),
                value(&b.id, "first step", b.lower)?,
                value(&b.id, "last step", b.upper)?,
                value(&b.id, "size", b.size)?,
            )
            .with_alignment(value(&b.id, "alignment", b.alignment)?))
        })
        .collect::<Result<Vec<Buffer>, String>>()?;
    Ok(Problem::new(buffers, capacity))
}

/// `--scratch` checked against the model, in the order TFLM requests scratch buffers
/// (subgraph by subgraph, operator by operator; an operator's own requests as given), which
/// is the order its planner receives them in.
fn scratch_of(model: &ModelBuffers, given: &[Scratch]) -> Result<Vec<Scratch>, String> {
    for s in given {
        let at = format!("--scratch={}:{}:{}", s.subgraph, s.operator, s.bytes);
        if s.subgraph >= model.subgraph_count {
            return Err(format!(
                "{at}: the model has no subgraph {} (it has {}, numbered from 0)",
                s.subgraph, model.subgraph_count
            ));
        }
        let count = model
            .operators
            .iter()
            .filter(|o| o.subgraph == s.subgraph)
            .count();
        if s.operator >= count {
            return Err(format!(
                "{at}: subgraph {} has no operator {} (it has {count}, numbered from 0)",
                s.subgraph, s.operator
            ));
        }
    }
    let mut scratch = given.to_vec();
    scratch.sort_by_key(|s| (s.subgraph, s.operator));
    Ok(scratch)
}

/// TFLM's arena for the model as it is (its own greedy plan, or the offline plan it
/// carries) and with bufpack's plan, scratch buffers placed by TFLM's rule in all; and the
/// planned model, when one is to be written.
struct Decision {
    /// TFLM's greedy plan without any offline plan.
    greedy: u64,
    /// The model as it is: `greedy`, or with the offline plan it carries.
    before: u64,
    /// With bufpack's plan.
    after: u64,
    /// The planned model, when a `.tflite` output was asked for and the plan saves arena.
    planned: Option<Vec<u8>>,
}

/// What [`improve`] decides when a model is to be written; for any other output, the same
/// figures without writing one.
fn decide(
    bytes: &[u8],
    model: &ModelBuffers,
    offsets: &[u64],
    scratch: &[Scratch],
    writes_model: bool,
) -> Result<Decision, ModelError> {
    let greedy = tflm_greedy(model, scratch)?.arena;
    if writes_model {
        let (before, after, planned) = match improve(bytes, offsets, scratch)? {
            Improvement::Planned {
                model,
                arena,
                before,
            } => (before, arena, Some(model)),
            Improvement::Unchanged { arena, before } => (before, arena, None),
        };
        return Ok(Decision {
            greedy,
            before,
            after,
            planned,
        });
    }
    // As `improve` compares.
    let before = match existing_offsets(model, &model.offline_plan) {
        Some(existing) => tflm_greedy_around(model, &existing, scratch)?.arena,
        None => greedy,
    };
    let fixed: Vec<Option<u64>> = offsets.iter().map(|&o| Some(o)).collect();
    let after = tflm_greedy_around(model, &fixed, scratch)?.arena;
    Ok(Decision {
        greedy,
        before,
        after,
        planned: None,
    })
}

/// The figures of the summary line.
struct Figures {
    tensors: usize,
    in_arena: usize,
    steps: usize,
    /// Kernel scratch buffers given, and their bytes as TFLM rounds them.
    scratch: usize,
    scratch_bytes: u64,
    /// TFLM's arenas: greedy, for the model as it is, with bufpack's plan (scratch placed).
    greedy: u64,
    before: u64,
    after: u64,
    /// bufpack's packing of the tensors alone.
    height: u64,
    tensors_optimal: bool,
    tensors_gap: f64,
    /// A lower bound on the arena of any plan, scratch buffers included.
    bound: u64,
}

impl Figures {
    fn of(
        model: &ModelBuffers,
        problem: &Problem,
        packing: &Packing,
        scratch: &[Scratch],
        decided: &Decision,
    ) -> Figures {
        let height = packing.solution.height;
        // Decision proves no bound; the load's is at hand.
        let tensors_bound = packing
            .lower_bound
            .unwrap_or_else(|| LowerBound::of(problem).height);
        // Scratch buffers live as long as their operators run: with them as buffers too,
        // the load still bounds every plan from below.
        let mut with_scratch = problem.clone();
        for (s, index) in scratch.iter().zip(1..) {
            if let Some(span) = model
                .operators
                .iter()
                .find(|o| o.subgraph == s.subgraph && o.operator == s.operator)
            {
                with_scratch.buffers.push(Buffer::new(
                    format!("scratch #{index}"),
                    offset(span.lower),
                    offset(span.upper),
                    offset(rounded(s.bytes)),
                ));
            }
        }
        let bound = match scratch {
            [] => tensors_bound,
            _ => tensors_bound.max(LowerBound::of(&with_scratch).height),
        };
        Figures {
            tensors: model.tensor_count,
            in_arena: model.buffers.len(),
            steps: model.steps.len(),
            scratch: scratch.len(),
            scratch_bytes: scratch.iter().map(|s| rounded(s.bytes)).sum(),
            greedy: decided.greedy,
            before: decided.before,
            after: decided.after,
            height: u64::try_from(height).unwrap_or(0),
            tensors_optimal: packing.optimal || height <= tensors_bound,
            tensors_gap: gap_percent(height, tensors_bound),
            bound: u64::try_from(bound).unwrap_or(0),
        }
    }

    /// "Model: 19 tensors, 7 in the arena, 8 steps; TFLM greedy: 832 bytes, bufpack:
    /// 640 bytes (optimal), lower bound 640; saves 192 bytes (23.1%)".
    fn line(&self, existing: &ExistingPlan) -> String {
        let mut line = format!(
            "Model: {} tensors, {} in the arena, {} steps",
            self.tensors, self.in_arena, self.steps
        );
        if self.scratch > 0 {
            line.push_str(&format!(
                ", {} kernel scratch buffer{} ({} bytes)",
                self.scratch,
                plural(self.scratch),
                self.scratch_bytes
            ));
        }
        let (tflm, whose) = match existing {
            ExistingPlan::Valid(_) => (
                format!(
                    "TFLM greedy: {} bytes, with the model's own plan: {} bytes",
                    self.greedy, self.before
                ),
                "the model's own",
            ),
            _ => (format!("TFLM greedy: {} bytes", self.before), "TFLM's"),
        };
        let tensors = match self.tensors_optimal {
            true => "optimal".to_string(),
            false => format!("gap {:.2}%", self.tensors_gap),
        };
        let quality = match (self.scratch, self.after <= self.bound) {
            (0, _) => tensors,
            (_, true) => format!("optimal; tensors {} bytes, {tensors}", self.height),
            (_, false) => format!(
                "gap {:.2}%; tensors {} bytes, {tensors}",
                gap_percent(offset(self.after), offset(self.bound)),
                self.height
            ),
        };
        line.push_str(&format!(
            "; {tflm}, bufpack: {} bytes ({quality}), lower bound {}",
            self.after, self.bound
        ));
        if self.after < self.before {
            let saved = self.before - self.after;
            line.push_str(&format!(
                "; saves {saved} bytes ({:.1}%)",
                100.0 * saved as f64 / self.before as f64
            ));
        } else if self.before < self.bound {
            // Only a plan that overlaps tensors the graph keeps live together goes below the
            // bound; Arm's Vela does so on purpose, knowing what its NPU commands touch.
            line.push_str(&format!(
                "; no saving: {whose} plan is smaller, below the lower bound for the graph \
                 (it overlaps tensors the graph keeps live together, as Arm's Vela does on purpose)"
            ));
        } else if self.after == self.before {
            line.push_str(&format!("; no saving: {whose} plan is already as small"));
        } else {
            line.push_str(&format!("; no saving: {whose} plan is smaller"));
        }
        if let ExistingPlan::Broken(why) = existing {
            line.push_str(&format!(
                " (the model's OfflineMemoryAllocation entry is unusable: {why})"
            ));
        }
        line
    }
}

/// A figure as the solver's unit (they are far below its limit of 2^53 - 1).
fn offset(value: u64) -> Offset {
    Offset::try_from(value).unwrap_or(Offset::MAX)
}

/// A scratch buffer's size as TFLM rounds it.
fn rounded(bytes: u64) -> u64 {
    bytes.div_ceil(BUFFER_ALIGNMENT) * BUFFER_ALIGNMENT
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
