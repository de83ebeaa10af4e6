//! Errors as the JavaScript side receives them: a plain object with a stable `code`, a
//! message that says what and where, and the position or buffer it concerns. `js/core.js`
//! turns it into a `BufpackError` (a real `Error`); the codes are part of the package's API.

// Built for the trace module alone (feature `trace` without `solver`), part of this serves
// only the solver's functions.
#![cfg_attr(not(feature = "solver"), allow(dead_code))]

use serde::Serialize;
use wasm_bindgen::JsValue;

use bufpack::{
    Buffer, CsvError, Infeasibility, ParamsError, Problem, ProblemError, SearchStats, SolveError,
    Undecided, MAX_MAGNITUDE,
};

use crate::numbers::js_fixed;
use crate::shapes::InfeasibilityShape;

/// The stable error codes produced in Rust. (`"aborted"` and `"worker"` are added by the
/// JavaScript wrapper, and `"internal"` for a panic too.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorCode {
    /// CSV text that cannot be read; `line`, `column` and `field` say where.
    Parse,
    /// A malformed problem, solution or option passed as objects; `buffer`/`id` or `path`
    /// say where.
    Invalid,
    /// No packing fits the capacity; `reason` says how we know.
    Infeasible,
    /// The time limit passed before an answer.
    Timeout,
    /// Neither a packing nor a proof (windowed gaps beyond what the search tries, or an
    /// input too large for the exact search whose heuristics found nothing); the message
    /// says which.
    Undecided,
    /// A bug in bufpack: a result that cannot cross into JavaScript.
    Internal,
}

/// The object thrown to JavaScript.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ErrorShape {
    pub(crate) code: ErrorCode,
    pub(crate) message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) field: Option<String>,
    /// The argument at fault, as JavaScript spells it (`"options.capacity"`,
    /// `"params.preorderingHeuristics"`): the same paths the wrapper's own checks give.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) path: Option<String>,
    /// 0-based index of the buffer at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) buffer: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<InfeasibilityShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) nodes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) backtracks: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) elapsed_seconds: Option<f64>,
}

impl ErrorShape {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> ErrorShape {
        ErrorShape {
            code,
            message: message.into(),
            line: None,
            column: None,
            field: None,
            path: None,
            buffer: None,
            id: None,
            reason: None,
            nodes: None,
            backtracks: None,
            elapsed_seconds: None,
        }
    }

    /// A malformed input given as objects: `what` names the argument ("problem", "params").
    pub(crate) fn invalid(what: &str, detail: impl std::fmt::Display) -> ErrorShape {
        ErrorShape::new(ErrorCode::Invalid, format!("invalid {what}: {detail}"))
    }

    /// A malformed argument at `path`: the message is `"{path}: {detail}"`.
    pub(crate) fn at(path: &str, detail: impl std::fmt::Display) -> ErrorShape {
        let mut shape = ErrorShape::new(ErrorCode::Invalid, format!("{path}: {detail}"));
        shape.path = Some(path.to_string());
        shape
    }

    /// A buffer whose fixed offset plus size passes [`MAX_MAGNITUDE`]: its end would not
    /// cross into JavaScript exactly.
    pub(crate) fn fixed_end_too_large(index: usize, buffer: &Buffer, end: i64) -> ErrorShape {
        let mut shape = ErrorShape::new(
            ErrorCode::Invalid,
            format!(
                "invalid problem: buffer {:?} (#{}): its fixed offset {} plus its size {} \
                 ends at {end}, beyond {MAX_MAGNITUDE} (2^53 - 1), the largest number bufpack \
                 handles exactly",
                buffer.id,
                index + 1,
                buffer.offset.unwrap_or(0),
                buffer.size,
            ),
        );
        shape.buffer = Some(index);
        shape.id = Some(buffer.id.clone());
        shape
    }

    /// Buffers live together at `time` whose sizes add up to `total`, beyond
    /// [`MAX_MAGNITUDE`]. `live` lists them, largest first; the first few are named, and the
    /// largest is the error's `buffer`.
    pub(crate) fn load_too_large(
        problem: &Problem,
        live: &[usize],
        time: i64,
        total: i128,
    ) -> ErrorShape {
        const NAMED: usize = 3;
        let ids: Vec<String> = live
            .iter()
            .take(NAMED)
            .map(|&index| format!("{:?}", problem.buffers[index].id))
            .collect();
        let named = match (ids.len(), live.len() > NAMED) {
            (_, true) => format!("{} and {} more", ids.join(", "), live.len() - NAMED),
            (n, false) if n >= 2 => {
                format!("{} and {}", ids[..n - 1].join(", "), ids[n - 1])
            }
            _ => ids.join(""),
        };
        let mut shape = ErrorShape::new(
            ErrorCode::Invalid,
            format!(
                "invalid problem: buffers {named} are live together at time {time} and need \
                 {total} units in all, beyond {MAX_MAGNITUDE} (2^53 - 1), the largest total \
                 bufpack handles exactly"
            ),
        );
        if let Some(&largest) = live.first() {
            shape.buffer = Some(largest);
            shape.id = Some(problem.buffers[largest].id.clone());
        }
        shape
    }

    pub(crate) fn csv(error: &CsvError) -> ErrorShape {
        let mut shape = ErrorShape::new(ErrorCode::Parse, error.to_string());
        if error.line > 0 {
            shape.line = Some(error.line);
            shape.column = Some(error.column);
        }
        shape.field = error.field.clone();
        shape
    }

    pub(crate) fn problem(error: &ProblemError) -> ErrorShape {
        let mut shape = ErrorShape::invalid("problem", error);
        shape.buffer = error.buffer;
        if error.buffer.is_some() {
            shape.id = Some(error.id.clone());
        }
        shape
    }

    pub(crate) fn solve(error: &SolveError) -> ErrorShape {
        match error {
            SolveError::Problem(error) => ErrorShape::problem(error),
            SolveError::Params(error) => ErrorShape::params(error),
        }
    }

    /// Switches the solver cannot work with: today only the orderings can be wrong.
    pub(crate) fn params(error: &ParamsError) -> ErrorShape {
        ErrorShape::at("params.preorderingHeuristics", error)
    }

    pub(crate) fn infeasible(
        reason: &Infeasibility,
        capacity: i64,
        stats: &SearchStats,
        elapsed_seconds: f64,
    ) -> ErrorShape {
        let mut shape = ErrorShape::new(
            ErrorCode::Infeasible,
            format!("no packing fits the capacity {capacity}: {reason}"),
        );
        if let Infeasibility::TooLarge { id, .. } = reason {
            shape.id = Some(id.clone());
        }
        shape.reason = Some(reason.into());
        shape.with_stats(stats, elapsed_seconds)
    }

    pub(crate) fn undecided(
        why: &Undecided,
        capacity: i64,
        stats: &SearchStats,
        elapsed_seconds: f64,
    ) -> ErrorShape {
        ErrorShape::new(
            ErrorCode::Undecided,
            format!("at capacity {capacity}: {why}"),
        )
        .with_stats(stats, elapsed_seconds)
    }

    pub(crate) fn timeout(stats: &SearchStats, elapsed_seconds: f64) -> ErrorShape {
        ErrorShape::new(
            ErrorCode::Timeout,
            format!(
                "the time limit passed after {} s and {} search nodes, \
                 before a packing was found or ruled out",
                js_fixed(elapsed_seconds, 3),
                stats.nodes
            ),
        )
        .with_stats(stats, elapsed_seconds)
    }

    fn with_stats(mut self, stats: &SearchStats, elapsed_seconds: f64) -> ErrorShape {
        self.nodes = Some(stats.nodes);
        self.backtracks = Some(stats.backtracks);
        self.elapsed_seconds = Some(elapsed_seconds);
        self
    }

    /// The value thrown. Serialising this shape cannot fail (no maps, numbers in range);
    /// should it, an object with the code and the message still goes through (never a bare
    /// string, which the wrapper could not tell from a callback's own exception).
    pub(crate) fn into_js(self) -> JsValue {
        serde_wasm_bindgen::to_value(&self).unwrap_or_else(|_| {
            let object = js_sys::Object::new();
            let code = serde_wasm_bindgen::to_value(&self.code)
                .unwrap_or_else(|_| JsValue::from_str("invalid"));
            let _ = js_sys::Reflect::set(&object, &"code".into(), &code);
            let _ = js_sys::Reflect::set(&object, &"message".into(), &self.message.into());
            object.into()
        })
    }
}

impl From<ErrorShape> for JsValue {
    fn from(shape: ErrorShape) -> JsValue {
        shape.into_js()
    }
}
