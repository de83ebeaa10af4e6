//! TFLite Micro's lifetime rules: which tensors live in the arena, how large, and when.
//!
//! This follows `AllocationInfoBuilder` (`micro_allocation_info.cc`) step for step, because a
//! plan is only safe if every tensor is live in it at least whenever TFLite Micro uses it:
//!
//! - A *scope counter* starts at 0 for subgraph 0's inputs and goes up by one per operator;
//!   a control-flow operator (IF, WHILE, CALL_ONCE) enters each subgraph it runs with one more
//!   step, and that subgraph's operators count on inside the caller's step.
//! - A tensor is first live at the first scope that creates it (a subgraph input at the
//!   subgraph's start, an operator's output at its operator) and last live at the last scope
//!   that uses it (an operator's inputs after the subgraphs it runs, its outputs, and a
//!   subgraph's outputs at the subgraph's end). Both ends are inclusive.
//! - Only tensors that need allocating take arena space: not constants (their buffer holds
//!   data), not variables (TFLite Micro keeps those in the persistent tail), and not empty.
//!
//! A tensor some operator reads but none writes keeps TFLite Micro's "never created" mark
//! (-1), and one nothing touches is live at [-1, -1]. To keep those exact, times here are
//! TFLite Micro's scopes plus one: time 0 is "before any step", and a lifespan is the
//! half-open `[first + 1, last + 2)`.

use std::collections::HashSet;

use crate::error::{ModelError, ModelErrorKind};
use crate::offline::ExistingPlan;
use crate::ops;
use crate::schema::Model;

/// TFLite Micro's buffer alignment (`MicroArenaBufferAlignment`, `kBufferAlignment`): every
/// arena buffer's size is rounded up to it, and every offset the greedy planner gives is a
/// multiple of it.
pub const BUFFER_ALIGNMENT: u64 = 16;

/// Operator visits through control flow beyond which a model is refused (a subgraph run by
/// two operators is walked twice, as TFLite Micro does; nesting could make that explode).
const MAX_VISITS: usize = 1 << 20;

/// One tensor that TFLite Micro places in the arena.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TensorBuffer {
    /// The tensor's name, made unique (`name#subgraph.index` for a repeated or empty name).
    pub id: String,
    /// First step at which it is live (see [`ModelBuffers::steps`]).
    pub lower: u64,
    /// First step at which it is no longer live (half-open).
    pub upper: u64,
    /// Bytes it occupies: its byte length rounded up to [`BUFFER_ALIGNMENT`].
    pub size: u64,
    /// Its byte length as TFLite Micro computes it (elements times element size).
    pub bytes: u64,
    /// Offsets must be multiples of this ([`BUFFER_ALIGNMENT`]).
    pub alignment: u64,
    /// The subgraph the tensor belongs to.
    pub subgraph: usize,
    /// The tensor's index in its subgraph.
    pub tensor: usize,
    /// Its index in an offline plan: tensors of earlier subgraphs, then this index.
    pub plan_index: usize,
}

/// One operator's span of steps: its own step and those of the subgraphs it runs. Kernel
/// scratch buffers requested by the operator live exactly this long.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorSpan {
    /// The operator's subgraph.
    pub subgraph: usize,
    /// Its index in the subgraph.
    pub operator: usize,
    /// First step of the span.
    pub lower: u64,
    /// First step after it (half-open).
    pub upper: u64,
}

/// A model's arena as TFLite Micro sees it: the buffers to place and the steps they live in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelBuffers {
    /// The tensors TFLite Micro places in the arena, in its order (subgraph, then tensor
    /// index): the order its greedy planner receives them in, which breaks ties of size.
    pub buffers: Vec<TensorBuffer>,
    /// One label per step: step 0 is before the model runs (tensors nothing writes), then
    /// each subgraph's inputs and each operator by name, control flow nested inside.
    pub steps: Vec<String>,
    /// Every operator's span of steps, subgraph by subgraph.
    pub operators: Vec<OperatorSpan>,
    /// Tensors over all subgraphs: the length an offline plan must have.
    pub tensor_count: usize,
    /// Subgraphs in the model.
    pub subgraph_count: usize,
    /// Constant tensors (their data is in the file, not the arena).
    pub constants: usize,
    /// Variable tensors, and their bytes: TFLite Micro keeps them in the persistent tail of
    /// the arena, outside the planned part, so no plan can save on them.
    pub variables: usize,
    /// Total bytes of the variables, each rounded up to [`BUFFER_ALIGNMENT`].
    pub variable_bytes: u64,
    /// The offline plan the model already carries, if any (Arm's Vela writes one).
    pub offline_plan: ExistingPlan,
}

/// First and last scope (inclusive, -1 when unset) of every tensor, as TFLite Micro marks them.
struct Marks<'m> {
    model: &'m Model,
    /// Index of each subgraph's first tensor in the flat (offline plan) order.
    base: Vec<usize>,
    first: Vec<i64>,
    last: Vec<i64>,
    /// Per subgraph, per operator: first and last scope, for scratch buffers.
    spans: Vec<Vec<(i64, i64)>>,
    scope: i64,
    labels: Vec<String>,
    active: Vec<usize>,
    visits: usize,
}

/// Reads which tensors TFLite Micro places in the arena and when they live.
pub(crate) fn model_buffers(model: &Model) -> Result<ModelBuffers, ModelError> {
    if model.subgraphs.is_empty() {
        return Err(ModelError::new(
            Some(model.root),
            "Model",
            "subgraphs",
            ModelErrorKind::Unsupported("a model without subgraphs".into()),
        ));
    }
    let mut base = Vec::with_capacity(model.subgraphs.len());
    let mut tensor_count = 0;
    for subgraph in &model.subgraphs {
        base.push(tensor_count);
        tensor_count += subgraph.tensors.len();
    }
    let mut marks = Marks {
        model,
        base,
        first: vec![-1; tensor_count],
        last: vec![-1; tensor_count],
        spans: model
            .subgraphs
            .iter()
            .map(|s| vec![(-1, -1); s.operators.len()])
            .collect(),
        scope: 0,
        labels: vec!["(before the model runs)".into(), "inputs".into()],
        active: Vec::new(),
        visits: 0,
    };
    marks.mark(0)?;
    collect(&marks, tensor_count)
}

impl Marks<'_> {
    fn create(
        &mut self,
        subgraph: usize,
        tensor: i32,
        field: &'static str,
    ) -> Result<(), ModelError> {
        let i = self.index(subgraph, tensor, field)?;
        if self.first[i] == -1 {
            self.first[i] = self.scope;
        }
        Ok(())
    }

    fn use_(
        &mut self,
        subgraph: usize,
        tensor: i32,
        field: &'static str,
    ) -> Result<(), ModelError> {
        let i = self.index(subgraph, tensor, field)?;
        self.last[i] = self.scope;
        Ok(())
    }

    fn index(
        &self,
        subgraph: usize,
        tensor: i32,
        field: &'static str,
    ) -> Result<usize, ModelError> {
        let count = self.model.subgraphs[subgraph].tensors.len();
        match usize::try_from(tensor) {
            Ok(t) if t < count => Ok(self.base[subgraph] + t),
            _ => Err(ModelError::new(
                None,
                "SubGraph",
                field,
                ModelErrorKind::IndexOutOfRange {
                    index: i64::from(tensor),
                    count,
                },
            )
            .within(|| format!("subgraphs[{subgraph}]"))),
        }
    }

    /// `MarkAllocationLifetimes` for one subgraph, at the current scope.
    fn mark(&mut self, s: usize) -> Result<(), ModelError> {
        let model = self.model;
        let subgraph = &model.subgraphs[s];
        self.active.push(s);
        for &t in &subgraph.inputs {
            self.create(s, t, "inputs")?;
            self.use_(s, t, "inputs")?;
        }
        for (o, op) in subgraph.operators.iter().enumerate() {
            self.visits += 1;
            if self.visits > MAX_VISITS {
                return Err(ModelError::new(
                    Some(op.pos),
                    "Operator",
                    "",
                    ModelErrorKind::Recursion(format!(
                        "subgraphs run by control flow add up to more than {MAX_VISITS} operator steps"
                    )),
                ));
            }
            self.scope += 1;
            self.labels.push(self.label(s, op.opcode));
            let at = |e: ModelError| e.within(|| format!("subgraphs[{s}].operators[{o}]"));
            for &t in &op.outputs {
                self.create(s, t, "outputs").map_err(at)?;
            }
            let start = self.scope;
            for &callee in &op.calls {
                self.enter(s, o, callee)?;
            }
            for &t in op.inputs.iter().filter(|&&t| t >= 0) {
                self.use_(s, t, "inputs").map_err(at)?;
            }
            for &t in &op.outputs {
                self.use_(s, t, "outputs").map_err(at)?;
            }
            let span = &mut self.spans[s][o];
            if span.0 == -1 {
                span.0 = start;
            }
            span.1 = self.scope;
        }
        for &t in &subgraph.outputs {
            self.create(s, t, "outputs")?;
            self.use_(s, t, "outputs")?;
        }
        self.active.pop();
        Ok(())
    }

    /// Runs subgraph `callee` of operator `o` in subgraph `s` one scope further on.
    fn enter(&mut self, s: usize, o: usize, callee: i32) -> Result<(), ModelError> {
        let model = self.model;
        let op = &model.subgraphs[s].operators[o];
        let count = model.subgraphs.len();
        let c = usize::try_from(callee)
            .ok()
            .filter(|&c| c < count)
            .ok_or_else(|| {
                ModelError::new(
                    Some(op.pos),
                    "Operator",
                    "builtin_options",
                    ModelErrorKind::IndexOutOfRange {
                        index: i64::from(callee),
                        count,
                    },
                )
                .within(|| format!("subgraphs[{s}].operators[{o}]"))
            })?;
        if self.active.contains(&c) {
            return Err(ModelError::new(
                Some(op.pos),
                "Operator",
                "builtin_options",
                ModelErrorKind::Recursion(format!(
                    "subgraph {c} runs itself (through subgraphs {:?}); TensorFlow Lite Micro would recurse forever",
                    self.active
                )),
            )
            .within(|| format!("subgraphs[{s}].operators[{o}]")));
        }
        self.scope += 1;
        self.labels.push(format!("subgraph {c} inputs"));
        self.mark(c)
    }

    fn label(&self, s: usize, opcode: u32) -> String {
        let (builtin, custom) = &self.model.codes[opcode as usize];
        let name = match ops::builtin_name(*builtin) {
            Some(_) if *builtin == ops::CUSTOM && !custom.is_empty() => custom.clone(),
            Some(name) => name.to_string(),
            None => format!("builtin {builtin}"),
        };
        if s == 0 {
            name
        } else {
            format!("subgraph {s}: {name}")
        }
    }
}

/// Bytes per element of a schema `TensorType` in TFLite Micro (`TfLiteTypeSizeOf`); `None`
/// for types it cannot size (string, variant, and newer types it does not know).
fn element_size(kind: u8) -> Option<u64> {
    Some(match kind {
        3 | 6 | 9 | 17 => 1,  // UINT8, BOOL, INT8, INT4 (one byte each in TFLite Micro)
        1 | 7 | 16 | 18 => 2, // FLOAT16, INT16, UINT16, BFLOAT16
        0 | 2 | 13 | 15 => 4, // FLOAT32, INT32, RESOURCE, UINT32
        4 | 8 | 10 | 12 => 8, // INT64, COMPLEX64, FLOAT64, UINT64
        11 => 16,             // COMPLEX128
        _ => return None,
    })
}

/// Byte length of a tensor: elements times element size, refusing what TFLite Micro cannot
/// size or what would overflow its 32-bit offsets.
fn byte_length(shape: &[i32], kind: u8, pos: usize) -> Result<u64, ModelError> {
    let err = |kind| ModelError::new(Some(pos), "Tensor", "shape", kind);
    if shape.iter().any(|&d| d < 0) {
        return Err(err(ModelErrorKind::DynamicShape(shape.to_vec())));
    }
    let size = element_size(kind).ok_or_else(|| {
        ModelError::new(
            Some(pos),
            "Tensor",
            "type",
            ModelErrorKind::UnsupportedType(kind),
        )
    })?;
    shape
        .iter()
        .try_fold(size, |acc, &d| acc.checked_mul(d as u64))
        .filter(|&bytes| bytes <= i32::MAX as u64)
        .ok_or_else(|| {
            err(ModelErrorKind::TooLarge(format!(
                "shape {shape:?} exceeds 2^31 - 1 bytes"
            )))
        })
}

fn collect(marks: &Marks<'_>, tensor_count: usize) -> Result<ModelBuffers, ModelError> {
    let model = marks.model;
    let mut buffers = Vec::new();
    let (mut constants, mut variables, mut variable_bytes) = (0, 0, 0);
    let mut seen = HashSet::new();
    for (s, subgraph) in model.subgraphs.iter().enumerate() {
        for (t, tensor) in subgraph.tensors.iter().enumerate() {
            let at = |e: ModelError| e.within(|| format!("subgraphs[{s}].tensors[{t}]"));
            let data = model
                .buffer_data
                .get(tensor.buffer as usize)
                .ok_or_else(|| {
                    at(ModelError::new(
                        Some(tensor.pos),
                        "Tensor",
                        "buffer",
                        ModelErrorKind::IndexOutOfRange {
                            index: i64::from(tensor.buffer),
                            count: model.buffer_data.len(),
                        },
                    ))
                })?;
            if data.is_some_and(|(_, len)| len > 0) {
                constants += 1;
                continue;
            }
            let bytes = byte_length(&tensor.shape, tensor.kind, tensor.pos).map_err(at)?;
            let size = bytes.div_ceil(BUFFER_ALIGNMENT) * BUFFER_ALIGNMENT;
            if tensor.is_variable {
                variables += 1;
                variable_bytes += size;
                continue;
            }
            if bytes == 0 {
                continue;
            }
            let i = marks.base[s] + t;
            let lower = (marks.first[i] + 1) as u64;
            let upper = ((marks.last[i] + 2) as u64).max(lower + 1);
            buffers.push(TensorBuffer {
                id: unique_id(&mut seen, &tensor.name, s, t),
                lower,
                upper,
                size,
                bytes,
                alignment: BUFFER_ALIGNMENT,
                subgraph: s,
                tensor: t,
                plan_index: i,
            });
        }
    }
    let operators = marks
        .spans
        .iter()
        .enumerate()
        .flat_map(|(s, spans)| {
            spans
                .iter()
                .enumerate()
                .map(move |(o, &(first, last))| OperatorSpan {
                    subgraph: s,
                    operator: o,
                    lower: (first + 1) as u64,
                    upper: ((last + 2) as u64).max((first + 2) as u64),
                })
        })
        .collect();
    Ok(ModelBuffers {
        buffers,
        steps: marks.labels.clone(),
        operators,
        tensor_count,
        subgraph_count: model.subgraphs.len(),
        constants,
        variables,
        variable_bytes,
        offline_plan: ExistingPlan::None,
    })
}

/// The tensor's name, or `name#subgraph.index` when the name is empty or already taken.
fn unique_id(seen: &mut HashSet<String>, name: &str, s: usize, t: usize) -> String {
    let mut id = if name.is_empty() || seen.contains(name) {
        format!("{name}#{s}.{t}")
    } else {
        name.to_string()
    };
    while seen.contains(&id) {
        id.push('\'');
    }
    seen.insert(id.clone());
    id
}
