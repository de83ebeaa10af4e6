//! The plain JavaScript objects the package takes and gives, as serde shapes, and their
//! conversions to and from the solver's model. Field names are camelCase, as in
//! `js/index.d.ts`; a number is a JavaScript number (offsets and times are below 2^53, the
//! model's `MAX_MAGNITUDE`, so they cross exactly).

// Built for the trace module alone (feature `trace` without `solver`), part of this serves
// only the solver's functions.
#![cfg_attr(not(feature = "solver"), allow(dead_code))]

use serde::Serialize;
use wasm_bindgen::JsValue;

use bufpack::{
    gap_percent, BoundReason, Buffer, Heuristic, Infeasibility, LowerBound, MinimizeOutcome,
    MinimizeReport, Offset, Problem, Progress, SearchStats, Solution, SolverParams, Time,
    MAX_MAGNITUDE,
};

use crate::error::ErrorShape;

/// `[lower, upper)`, for a lifespan or a window.
#[derive(Clone, Copy, Debug, Serialize)]
pub(crate) struct Range {
    pub(crate) lower: i64,
    pub(crate) upper: i64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GapShape {
    pub(crate) lifespan: Range,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) window: Option<Range>,
}

/// A buffer as JavaScript holds it, written back (`convert::given_problem` reads one,
/// where a missing `alignment` is 1 and missing `gaps` none).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BufferShape {
    pub(crate) id: String,
    pub(crate) lifespan: Range,
    pub(crate) size: i64,
    pub(crate) alignment: i64,
    pub(crate) gaps: Vec<GapShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) offset: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) hint: Option<i64>,
}

/// A problem as JavaScript holds it. No `capacity` means no limit (minimisation), which
/// `solve` refuses.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProblemShape {
    pub(crate) buffers: Vec<BufferShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) capacity: Option<i64>,
}

impl ProblemShape {
    pub(crate) fn from_problem(problem: &Problem, capacity: Option<Offset>) -> ProblemShape {
        ProblemShape {
            buffers: problem
                .buffers
                .iter()
                .map(BufferShape::from_buffer)
                .collect(),
            capacity,
        }
    }
}

/// Refuses a well-formed problem (`Problem::check` passed) whose totals pass
/// [`MAX_MAGNITUDE`]: a fixed buffer's end, or the sizes live at one time. Every height,
/// bound and load the solver reports is then at most `MAX_MAGNITUDE`, so it crosses into
/// JavaScript exactly, and the solver's running sums (in `i64`) cannot overflow. Sums here
/// are in `i128`. O(n) when all sizes together stay within the limit (nearly always), else
/// one sort of the piece endpoints.
pub(crate) fn check_totals(problem: &Problem) -> Result<(), JsValue> {
    for (index, buffer) in problem.buffers.iter().enumerate() {
        if let Some(offset) = buffer.offset {
            // Both are at most MAX_MAGNITUDE after `check`: no overflow.
            let end = offset + buffer.size;
            if end > MAX_MAGNITUDE {
                return Err(ErrorShape::fixed_end_too_large(index, buffer, end).into());
            }
        }
    }
    let limit = i128::from(MAX_MAGNITUDE);
    let all: i128 = problem.buffers.iter().map(|b| i128::from(b.size)).sum();
    if all <= limit {
        return Ok(());
    }
    // (time, change): the sum of a time's changes, in any order, is the load until the next
    // time. (Integer pairs: the solver's shared (i64, i64) sort, see its crate::sort.)
    let mut events: Vec<(Time, i64)> = Vec::with_capacity(2 * problem.buffers.len());
    for buffer in &problem.buffers {
        for piece in buffer.pieces() {
            let extent = piece.top - piece.bottom;
            events.push((piece.time.lower, extent));
            events.push((piece.time.upper, -extent));
        }
    }
    events.sort_unstable();
    let mut load: i128 = 0;
    let mut next = 0;
    while next < events.len() {
        let time = events[next].0;
        while next < events.len() && events[next].0 == time {
            load += i128::from(events[next].1);
            next += 1;
        }
        if load > limit {
            return Err(
                ErrorShape::load_too_large(problem, &live_at(problem, time), time, load).into(),
            );
        }
    }
    Ok(())
}

/// The buffers with a piece live at `time`, largest piece first (ties in input order).
fn live_at(problem: &Problem, time: Time) -> Vec<usize> {
    // (negated extent, index) pairs: the plain unstable sort of the pairs keeps ties in input
    // order (the indices are distinct), with the (i64, i64) sort the solver's code already
    // has rather than a stable sort of its own (wasm size, see the solver's crate::sort).
    let mut live: Vec<(i64, i64)> = problem
        .buffers
        .iter()
        .enumerate()
        .filter_map(|(index, buffer)| {
            buffer
                .pieces()
                .iter()
                .filter(|p| p.time.lower <= time && time < p.time.upper)
                .map(|p| p.top - p.bottom)
                .max()
                .map(|extent| (-extent, index as i64))
        })
        .collect();
    live.sort_unstable();
    live.into_iter().map(|(_, index)| index as usize).collect()
}

impl BufferShape {
    fn from_buffer(buffer: &Buffer) -> BufferShape {
        BufferShape {
            id: buffer.id.clone(),
            lifespan: Range {
                lower: buffer.lifespan.lower,
                upper: buffer.lifespan.upper,
            },
            size: buffer.size,
            alignment: buffer.alignment,
            gaps: buffer
                .gaps
                .iter()
                .map(|gap| GapShape {
                    lifespan: Range {
                        lower: gap.lifespan.lower,
                        upper: gap.lifespan.upper,
                    },
                    window: gap.window.map(|w| Range {
                        lower: w.lower,
                        upper: w.upper,
                    }),
                })
                .collect(),
            offset: buffer.offset,
            hint: buffer.hint,
        }
    }
}

/// Every switch of [`SolverParams`], camelCase; a missing one keeps the solver's default.
/// Unknown names are refused (see `convert::params_from_js`), so a misspelt switch is not
/// silently ignored.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ParamsShape {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) canonical_only: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) section_inference: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) dynamic_ordering: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) check_dominance: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) unallocated_floor: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) static_preordering: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) dynamic_decomposition: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) monotonic_floor: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) hatless_pruning: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) canonical_floor: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) fill_holes: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) ledges: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) ordered_stacks: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) limited_discrepancy: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) flat_load: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) release_floors: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) aligned_stacks: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) time_orderings: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) handovers: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) widen_windows: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) peak_windows: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) layers: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) hot_parts: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) preordering_heuristics: Option<Vec<String>>,
}

/// The one field of [`ParamsShape`] that is not a switch, as JavaScript spells it.
pub(crate) const ORDERINGS: &str = "preorderingHeuristics";

/// Each switch of `params`, with its name as JavaScript spells it (as [`ParamsShape`]
/// writes it: serde's camelCase). A switch added to the solver fails to compile in
/// [`ParamsShape::from_params`] until it is exposed, and belongs here too.
#[inline(never)] // Called three times: one copy of the table.
pub(crate) fn switches(params: &mut SolverParams) -> [(&'static str, &mut bool); 23] {
    [
        ("canonicalOnly", &mut params.canonical_only),
        ("sectionInference", &mut params.section_inference),
        ("dynamicOrdering", &mut params.dynamic_ordering),
        ("checkDominance", &mut params.check_dominance),
        ("unallocatedFloor", &mut params.unallocated_floor),
        ("staticPreordering", &mut params.static_preordering),
        ("dynamicDecomposition", &mut params.dynamic_decomposition),
        ("monotonicFloor", &mut params.monotonic_floor),
        ("hatlessPruning", &mut params.hatless_pruning),
        ("canonicalFloor", &mut params.canonical_floor),
        ("fillHoles", &mut params.fill_holes),
        ("ledges", &mut params.ledges),
        ("orderedStacks", &mut params.ordered_stacks),
        ("limitedDiscrepancy", &mut params.limited_discrepancy),
        ("flatLoad", &mut params.flat_load),
        ("releaseFloors", &mut params.release_floors),
        ("alignedStacks", &mut params.aligned_stacks),
        ("timeOrderings", &mut params.time_orderings),
        ("handovers", &mut params.handovers),
        ("widenWindows", &mut params.widen_windows),
        ("peakWindows", &mut params.peak_windows),
        ("layers", &mut params.layers),
        ("hotParts", &mut params.hot_parts),
    ]
}

impl ParamsShape {
    /// All switches, filled with `params`' values. `params` is taken apart field by field,
    /// so a switch added to the solver fails to compile here until it is exposed.
    pub(crate) fn from_params(params: &SolverParams) -> ParamsShape {
        let SolverParams {
            canonical_only,
            section_inference,
            dynamic_ordering,
            check_dominance,
            unallocated_floor,
            static_preordering,
            dynamic_decomposition,
            monotonic_floor,
            hatless_pruning,
            canonical_floor,
            fill_holes,
            ledges,
            ordered_stacks,
            limited_discrepancy,
            flat_load,
            release_floors,
            aligned_stacks,
            time_orderings,
            handovers,
            widen_windows,
            peak_windows,
            layers,
            hot_parts,
            preordering_heuristics,
        } = params;
        ParamsShape {
            canonical_only: Some(*canonical_only),
            section_inference: Some(*section_inference),
            dynamic_ordering: Some(*dynamic_ordering),
            check_dominance: Some(*check_dominance),
            unallocated_floor: Some(*unallocated_floor),
            static_preordering: Some(*static_preordering),
            dynamic_decomposition: Some(*dynamic_decomposition),
            monotonic_floor: Some(*monotonic_floor),
            hatless_pruning: Some(*hatless_pruning),
            canonical_floor: Some(*canonical_floor),
            fill_holes: Some(*fill_holes),
            ledges: Some(*ledges),
            ordered_stacks: Some(*ordered_stacks),
            limited_discrepancy: Some(*limited_discrepancy),
            flat_load: Some(*flat_load),
            release_floors: Some(*release_floors),
            aligned_stacks: Some(*aligned_stacks),
            time_orderings: Some(*time_orderings),
            handovers: Some(*handovers),
            widen_windows: Some(*widen_windows),
            peak_windows: Some(*peak_windows),
            layers: Some(*layers),
            hot_parts: Some(*hot_parts),
            preordering_heuristics: Some(
                preordering_heuristics
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            ),
        }
    }
}

/// Why a lower bound holds.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub(crate) enum ReasonShape {
    /// The buffers live at `time` add up to it.
    Load { time: Time, message: String },
    /// One buffer alone reaches it.
    Buffer { id: String, message: String },
    /// The exact search ruled out every lower height.
    Search { message: String },
    /// The load at `time` and the bytes of buffer `id` outside its window that the buffers
    /// live then cannot fill (`widen_windows`).
    Spare {
        time: Time,
        id: String,
        message: String,
    },
}

impl ReasonShape {
    pub(crate) fn of(problem: &Problem, reason: &BoundReason, bound: Offset) -> ReasonShape {
        match reason {
            BoundReason::Load { time } => ReasonShape::Load {
                time: *time,
                message: format!("the buffers live at time {time} need {bound} units together"),
            },
            BoundReason::Buffer { index } => {
                let id = problem.buffers[*index].id.clone();
                ReasonShape::Buffer {
                    message: format!("buffer {id:?} alone reaches {bound}"),
                    id,
                }
            }
            BoundReason::Exhausted => ReasonShape::Search {
                message: format!("the exact search found no packing below {bound}"),
            },
            // The same sentence as the load's (they do need that much then; `id` says whose
            // spare bytes count): one format string less in the worker's WebAssembly.
            BoundReason::Spare { time, index } => ReasonShape::Spare {
                time: *time,
                message: format!("the buffers live at time {time} need {bound} units together"),
                id: problem.buffers[*index].id.clone(),
            },
        }
    }
}

/// A packing with its figures: what `solve`, `minimize` and the heuristics return.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SolutionShape {
    pub(crate) offsets: Vec<Offset>,
    pub(crate) height: Offset,
    /// `"solved"` (fits the capacity), `"optimal"` (proven lowest), `"feasible"` (the best
    /// found; the optimum is between `lowerBound` and `height`).
    pub(crate) status: &'static str,
    pub(crate) lower_bound: Offset,
    pub(crate) bound_reason: ReasonShape,
    pub(crate) load: Offset,
    pub(crate) gap_percent: f64,
    pub(crate) nodes: u64,
    pub(crate) backtracks: u64,
    pub(crate) elapsed_seconds: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ordering: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) found_by: Option<String>,
    /// Minimisation was stopped (time limit) before the height was proven.
    pub(crate) stopped: bool,
    /// Some height could be neither packed nor ruled out (windowed gaps beyond what the
    /// exact search tries): the bound did not rise there.
    pub(crate) incomplete: bool,
}

impl SolutionShape {
    /// A decision solve's packing; the bound is computed here (O(n log n)).
    pub(crate) fn solved(
        problem: &Problem,
        solution: Solution,
        stats: &SearchStats,
        elapsed_seconds: f64,
    ) -> SolutionShape {
        let bound = LowerBound::of(problem);
        SolutionShape {
            gap_percent: gap_percent(solution.height, bound.height),
            bound_reason: ReasonShape::of(problem, &bound.reason, bound.height),
            offsets: solution.offsets,
            height: solution.height,
            status: "solved",
            lower_bound: bound.height,
            load: bound.load,
            nodes: stats.nodes,
            backtracks: stats.backtracks,
            elapsed_seconds,
            ordering: stats.ordering.as_ref().map(ToString::to_string),
            found_by: stats
                .ordering
                .as_ref()
                .map(|ordering| format!("exact search ({ordering})")),
            stopped: false,
            incomplete: false,
        }
    }

    /// A minimisation's packing, if it has one.
    pub(crate) fn minimized(
        problem: &Problem,
        report: MinimizeReport,
        elapsed_seconds: f64,
    ) -> Option<SolutionShape> {
        let gap = report.gap_percent().unwrap_or(0.0);
        let (solution, status) = match report.outcome {
            MinimizeOutcome::Optimal(solution) => (solution, "optimal"),
            MinimizeOutcome::Feasible(solution) => (solution, "feasible"),
            MinimizeOutcome::Infeasible(_) | MinimizeOutcome::Stopped => return None,
        };
        Some(SolutionShape {
            offsets: solution.offsets,
            height: solution.height,
            status,
            lower_bound: report.lower_bound,
            bound_reason: ReasonShape::of(problem, &report.bound_reason, report.lower_bound),
            load: report.load,
            gap_percent: gap,
            nodes: report.stats.nodes,
            backtracks: report.stats.backtracks,
            elapsed_seconds,
            ordering: report.stats.ordering.as_ref().map(ToString::to_string),
            found_by: report.found_by.map(|by| by.to_string()),
            stopped: report.stopped,
            incomplete: report.incomplete,
        })
    }

    /// One heuristic's packing.
    pub(crate) fn heuristic(
        problem: &Problem,
        heuristic: Heuristic,
        solution: Solution,
        elapsed_seconds: f64,
    ) -> SolutionShape {
        let mut shape =
            SolutionShape::solved(problem, solution, &SearchStats::default(), elapsed_seconds);
        shape.found_by = Some(format!("heuristic {heuristic}"));
        shape
    }
}

/// The live figures sent to `onProgress`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProgressShape {
    pub(crate) nodes: u64,
    pub(crate) backtracks: u64,
    pub(crate) elapsed_seconds: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) best_height: Option<Offset>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) lower_bound: Option<Offset>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) gap_percent: Option<f64>,
    /// In a share of a race, the place of the search running (see `Monitor::racing`),
    /// exact as a number (`round << 32 | index`, rounds far below 2^21).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) place: Option<f64>,
}

impl ProgressShape {
    pub(crate) fn of(progress: &Progress, elapsed_seconds: f64) -> ProgressShape {
        ProgressShape {
            nodes: progress.nodes,
            backtracks: progress.backtracks,
            elapsed_seconds,
            best_height: progress.best_height,
            lower_bound: progress.lower_bound,
            gap_percent: progress.gap_percent(),
            place: None,
        }
    }
}

/// Why no packing fits, as `error.reason` holds it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub(crate) enum InfeasibilityShape {
    /// One buffer alone does not fit.
    TooLarge { id: String, end: Offset },
    /// Two fixed buffers overlap.
    FixedClash { detail: String },
    /// The buffers live at `time` need more than the capacity.
    Load { time: Time, load: Offset },
    /// The search ruled out every packing.
    Exhausted,
}

impl From<&Infeasibility> for InfeasibilityShape {
    fn from(reason: &Infeasibility) -> Self {
        match reason {
            Infeasibility::TooLarge { id, end } => InfeasibilityShape::TooLarge {
                id: id.clone(),
                end: *end,
            },
            Infeasibility::FixedClash(clash) => InfeasibilityShape::FixedClash {
                detail: clash.to_string(),
            },
            Infeasibility::Load { time, load } => InfeasibilityShape::Load {
                time: *time,
                load: *load,
            },
            Infeasibility::Exhausted => InfeasibilityShape::Exhausted,
        }
    }
}

/// The bound of a problem and its load over time, for drawing.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BoundShape {
    pub(crate) height: Offset,
    pub(crate) load: Offset,
    pub(crate) reason: ReasonShape,
    /// `(time, load)` steps: the load from each time until the next step's.
    pub(crate) profile: Vec<(Time, Offset)>,
}
