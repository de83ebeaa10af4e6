//! `traceSearch`, the recorded search (`bufpack::trace`), and the plain object it returns:
//! events as small tagged objects (`{ kind: "place", buffer, offset }`, ...), counts, and how
//! the search ended. Declared in `npm/index.d.ts` (`SearchTrace`).
//!
//! Built as a `.wasm` of its own (feature `trace`, `bufpack_trace_wasm`), which the package
//! loads on the first trace: recording makes a second copy of the search engine (its
//! `Tracer` is a type parameter, so the untraced search pays nothing for it), which with the
//! events' conversion is about 15 KB gzipped that every page that only solves would
//! otherwise download.

use serde::Serialize;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use bufpack::{
    Offset, Outcome, Problem, Prune, Technique, Time, Trace, TraceCandidate, TraceCounts,
    TraceEvent,
};

use crate::convert::{given_problem, params_from_js, to_js, Thrown};
use crate::error::ErrorShape;
use crate::monitor::{ControlShape, JsMonitor};
use crate::shapes::{InfeasibilityShape, SolutionShape};

/// The most events a trace keeps unless told otherwise: plenty to watch, a few MB at most.
const DEFAULT_TRACE_EVENTS: f64 = 20_000.0;
/// The most a caller may ask for (each event is a small object on the JavaScript heap).
const MAX_TRACE_EVENTS: f64 = 1_000_000.0;

/// Solves at the problem's capacity with one search (the first ordering) and records it:
/// the first `max_events` events (default 20,000) and counts of all. Never throws for an
/// infeasible problem or a time limit: those are outcomes of the trace.
#[wasm_bindgen(js_name = traceSearch)]
pub fn trace_search(
    problem: JsValue,
    params: JsValue,
    max_events: Option<f64>,
    control: JsValue,
) -> Result<JsValue, Thrown> {
    let (problem, capacity) = given_problem(problem)?;
    if capacity.is_none() {
        return Err(ErrorShape::at(
            "problem.capacity",
            "expected a capacity to trace the search at",
        )
        .into());
    }
    let max_events = max_events.unwrap_or(DEFAULT_TRACE_EVENTS);
    if !(max_events.fract() == 0.0 && (0.0..=MAX_TRACE_EVENTS).contains(&max_events)) {
        return Err(ErrorShape::at(
            "options.maxEvents",
            format!("expected a whole number from 0 to {MAX_TRACE_EVENTS}, found {max_events}"),
        )
        .into());
    }
    let params = params_from_js(params)?;
    let mut monitor = JsMonitor::new(ControlShape::from_js(control)?)?;
    let trace = bufpack::trace(&problem, &params, max_events as usize, &mut monitor)
        .map_err(|e| ErrorShape::solve(&e))?;
    if let Some(thrown) = monitor.thrown.take() {
        return Err(thrown);
    }
    to_js(&TraceShape::of(&problem, trace, monitor.elapsed_seconds()))
}

/// What `traceSearch` resolves to.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TraceShape {
    /// `"solved"`, `"infeasible"`, `"stopped"` (time limit, or a callback stopped it) or
    /// `"undecided"` (windowed gaps, or an input too large for the exact search: no events).
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    solution: Option<SolutionShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<InfeasibilityShape>,
    /// The reason in words, when infeasible.
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    events: Vec<EventShape>,
    counts: CountsShape,
    truncated: bool,
    sections: Vec<Time>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ordering: Option<String>,
    nodes: u64,
    backtracks: u64,
    elapsed_seconds: f64,
}

impl TraceShape {
    pub(crate) fn of(problem: &Problem, trace: Trace, elapsed_seconds: f64) -> TraceShape {
        let stats = &trace.report.stats;
        let (outcome, solution, reason, message) = match &trace.report.outcome {
            Outcome::Solved(solution) => (
                "solved",
                Some(SolutionShape::solved(
                    problem,
                    solution.clone(),
                    stats,
                    elapsed_seconds,
                )),
                None,
                None,
            ),
            Outcome::Infeasible(reason) => (
                "infeasible",
                None,
                Some(reason.into()),
                Some(reason.to_string()),
            ),
            Outcome::Stopped => ("stopped", None, None, None),
            Outcome::Undecided(why) => ("undecided", None, None, Some(why.to_string())),
        };
        TraceShape {
            outcome,
            solution,
            reason,
            message,
            events: trace.events.iter().map(EventShape::of).collect(),
            counts: CountsShape::of(&trace.counts),
            truncated: trace.truncated,
            sections: trace.sections,
            ordering: trace.ordering.as_ref().map(ToString::to_string),
            nodes: stats.nodes,
            backtracks: stats.backtracks,
            elapsed_seconds,
        }
    }
}

#[derive(Debug, Serialize)]
struct CandidateShape {
    buffer: usize,
    offset: Offset,
}

impl CandidateShape {
    fn of(candidate: &TraceCandidate) -> CandidateShape {
        CandidateShape {
            buffer: candidate.buffer,
            offset: candidate.offset,
        }
    }

    fn list(candidates: &[TraceCandidate]) -> Vec<CandidateShape> {
        candidates.iter().map(CandidateShape::of).collect()
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
enum EventShape {
    Enter {
        #[serde(rename = "firstSection")]
        first_section: u32,
        #[serde(rename = "lastSection")]
        last_section: u32,
    },
    Candidates {
        candidates: Vec<CandidateShape>,
    },
    Place {
        buffer: usize,
        offset: Offset,
    },
    Unplace {
        buffer: usize,
        offset: Offset,
    },
    Prune(PruneShape),
    Split {
        runs: Vec<(u32, u32)>,
    },
    Backtrack,
}

impl EventShape {
    fn of(event: &TraceEvent) -> EventShape {
        match event {
            TraceEvent::Enter {
                first_section,
                last_section,
            } => EventShape::Enter {
                first_section: *first_section,
                last_section: *last_section,
            },
            TraceEvent::Candidates(list) => EventShape::Candidates {
                candidates: CandidateShape::list(list),
            },
            TraceEvent::Place(c) => EventShape::Place {
                buffer: c.buffer,
                offset: c.offset,
            },
            TraceEvent::Unplace(c) => EventShape::Unplace {
                buffer: c.buffer,
                offset: c.offset,
            },
            TraceEvent::Prune(prune) => EventShape::Prune(PruneShape::of(prune)),
            TraceEvent::Split(runs) => EventShape::Split { runs: runs.clone() },
            TraceEvent::Backtrack => EventShape::Backtrack,
        }
    }
}

/// A pruning: `technique` names the rule, `rule` the variant (hatless has two), the rest
/// are its facts. Serialised flat into the event (`{ kind: "prune", technique, rule, ... }`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PruneShape {
    technique: &'static str,
    rule: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    buffer: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<Offset>,
    /// A capacity prune's top (offset + size) may pass 2^53 - 1 when the capacity is near
    /// it; it crosses as a number (exact up to 2^53, which is all such a top needs to say:
    /// above the capacity).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "top_as_number"
    )]
    top: Option<Offset>,
    #[serde(skip_serializing_if = "Option::is_none")]
    section: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<Time>,
    #[serde(skip_serializing_if = "Option::is_none")]
    floor: Option<Offset>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<Offset>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dropped: Option<Vec<CandidateShape>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<u32>,
}

impl PruneShape {
    fn empty(technique: Technique, rule: &'static str) -> PruneShape {
        PruneShape {
            technique: technique.name(),
            rule,
            buffer: None,
            offset: None,
            top: None,
            section: None,
            time: None,
            floor: None,
            total: None,
            dropped: None,
            skipped: None,
        }
    }

    fn of(prune: &Prune) -> PruneShape {
        let technique = prune.technique();
        match prune {
            Prune::Capacity {
                buffer,
                offset,
                top,
            } => PruneShape {
                buffer: Some(*buffer),
                offset: Some(*offset),
                top: Some(*top),
                ..PruneShape::empty(technique, "capacity")
            },
            Prune::Canonical { buffer, offset } => PruneShape {
                buffer: Some(*buffer),
                offset: Some(*offset),
                ..PruneShape::empty(technique, "canonical")
            },
            Prune::Section {
                section,
                time,
                floor,
                total,
            } => PruneShape {
                section: Some(*section),
                time: Some(*time),
                floor: Some(*floor),
                total: Some(*total),
                ..PruneShape::empty(technique, "section")
            },
            Prune::Dominance { dropped, by, top } => PruneShape {
                // `by` is unknown only if the search's own bookkeeping disagreed; say so
                // rather than name a wrong buffer.
                buffer: (*by != usize::MAX).then_some(*by),
                top: Some(*top),
                dropped: Some(CandidateShape::list(dropped)),
                ..PruneShape::empty(technique, "dominance")
            },
            Prune::Hatless { buffer, dropped } => PruneShape {
                buffer: Some(*buffer),
                dropped: Some(CandidateShape::list(dropped)),
                ..PruneShape::empty(technique, "hatless")
            },
            Prune::HatlessFailed { buffer, skipped } => PruneShape {
                buffer: Some(*buffer),
                skipped: Some(*skipped),
                ..PruneShape::empty(technique, "hatless-failed")
            },
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CountsShape {
    nodes: u64,
    placements: u64,
    unplacements: u64,
    splits: u64,
    backtracks: u64,
    prunes: PrunesShape,
}

/// Prunings by technique (`Technique::name`); a struct, so it crosses as a plain object.
#[derive(Debug, Serialize)]
struct PrunesShape {
    capacity: u64,
    canonical: u64,
    section: u64,
    dominance: u64,
    hatless: u64,
}

impl CountsShape {
    fn of(counts: &TraceCounts) -> CountsShape {
        CountsShape {
            nodes: counts.nodes,
            placements: counts.placements,
            unplacements: counts.unplacements,
            splits: counts.splits,
            backtracks: counts.backtracks,
            prunes: PrunesShape {
                capacity: counts.prunes_by(Technique::Capacity),
                canonical: counts.prunes_by(Technique::Canonical),
                section: counts.prunes_by(Technique::SectionInference),
                dominance: counts.prunes_by(Technique::Dominance),
                hatless: counts.prunes_by(Technique::Hatless),
            },
        }
    }
}

/// Serialises a top as a JavaScript number even past 2^53 - 1 (serde-wasm-bindgen refuses an
/// i64 beyond the safe integers).
fn top_as_number<S: serde::Serializer>(
    top: &Option<Offset>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match top {
        Some(top) => serializer.serialize_f64(*top as f64),
        None => serializer.serialize_none(),
    }
}
