//! The functions JavaScript calls. Each takes plain objects, returns a plain object or
//! throws an error object (see `error.rs`); `js/core.js` wraps them into the public API.

use serde::Serialize;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use bufpack::{
    greedy, read_problem, write_problem, write_solution, Buffer, Heuristic, Infeasibility,
    LoadProfile, LowerBound, MinimizeOutcome, Outcome, Problem, SearchStats, Share, Solution,
    SolverParams, MAX_MAGNITUDE,
};

use crate::columns::columns;
use crate::convert::{
    given_problem, integers, params_from_js, problem_from_js, solution_from_js, to_js, Thrown,
};
use crate::error::{ErrorCode, ErrorShape};
use crate::monitor::{ControlShape, JsMonitor, ShareShape};
use crate::numbers::js_number;
use crate::shapes::{
    check_totals, BoundShape, ParamsShape, ProblemShape, ReasonShape, SolutionShape,
};

/// The solver's default switches, so JavaScript's `SolverParams` has one source of truth.
#[wasm_bindgen(js_name = defaultParams)]
pub fn default_params() -> Result<JsValue, Thrown> {
    to_js(&ParamsShape::from_params(&SolverParams::default()))
}

/// MiniMalloc's search: its techniques on, bufpack's own off (`SolverParams.reference()`).
#[wasm_bindgen(js_name = referenceParams)]
pub fn reference_params() -> Result<JsValue, Thrown> {
    to_js(&ParamsShape::from_params(&SolverParams::reference()))
}

/// Reads MiniMalloc CSV. `capacity` may be left out (no limit, for minimisation).
#[wasm_bindgen(js_name = parseCsv)]
pub fn parse_csv(text: &str, capacity: Option<f64>) -> Result<JsValue, Thrown> {
    let problem = read_csv(text, capacity)?;
    to_js(&ProblemShape::from_problem(
        &problem,
        capacity.map(|_| problem.capacity),
    ))
}

fn read_csv(text: &str, capacity: Option<f64>) -> Result<Problem, Thrown> {
    let capacity = capacity_from_js(capacity)?;
    let problem = read_problem(text, capacity).map_err(|e| ErrorShape::csv(&e))?;
    check_totals(&problem)?;
    Ok(problem)
}

/// A capacity from JavaScript: a non-negative integer up to `MAX_MAGNITUDE`; none means no
/// limit.
fn capacity_from_js(capacity: Option<f64>) -> Result<i64, Thrown> {
    match capacity {
        None => Ok(MAX_MAGNITUDE),
        Some(c) if c.fract() == 0.0 && (0.0..=MAX_MAGNITUDE as f64).contains(&c) => Ok(c as i64),
        Some(c) => Err(ErrorShape::at(
            "options.capacity",
            format!(
                "expected an integer in 0..={MAX_MAGNITUDE}, found {}",
                js_number(c)
            ),
        )
        .into()),
    }
}

/// Writes the problem as CSV; with a solution, adds the `offset` column (MiniMalloc's
/// output format).
#[wasm_bindgen(js_name = toCsv)]
pub fn to_csv(problem: JsValue, solution: JsValue) -> Result<String, Thrown> {
    let problem = problem_from_js(problem)?;
    if solution.is_undefined() || solution.is_null() {
        return Ok(write_problem(&problem));
    }
    let solution = solution_from_js(&problem, solution)?;
    // The validator reports a wrong count as a verdict; a CSV would get blank offsets.
    if solution.offsets.len() != problem.buffers.len() {
        return Err(ErrorShape::at(
            "solution.offsets",
            format!(
                "expected {} offsets (one per buffer), found {}",
                problem.buffers.len(),
                solution.offsets.len()
            ),
        )
        .into());
    }
    Ok(write_solution(&problem, &solution))
}

/// Decides whether the problem fits its capacity: a packing, or an `"infeasible"` or
/// `"timeout"` error.
#[wasm_bindgen]
pub fn solve(problem: JsValue, params: JsValue, control: JsValue) -> Result<JsValue, Thrown> {
    let (problem, capacity) = given_problem(problem)?;
    if capacity.is_none() {
        return Err(ErrorShape::at(
            "problem.capacity",
            "expected a capacity to solve against (use minimize to find the lowest height)",
        )
        .into());
    }
    solve_problem(&problem, params, control)
}

fn solve_problem(problem: &Problem, params: JsValue, control: JsValue) -> Result<JsValue, Thrown> {
    let params = params_from_js(params)?;
    let mut control = ControlShape::from_js(control)?;
    let share = share_from_js(control.share.take())?;
    let mut monitor = JsMonitor::new(control)?;
    monitor.racing = share.parts() > 1;
    let report = bufpack::solve_share(problem, &params, share, &mut monitor)
        .map_err(|e| ErrorShape::solve(&e))?;
    if let Some(thrown) = monitor.thrown.take() {
        return Err(thrown);
    }
    let elapsed = monitor.elapsed_seconds();
    match report.outcome {
        Outcome::Solved(solution) => to_js(&SolutionShape::solved(
            problem,
            solution,
            &report.stats,
            elapsed,
        )),
        Outcome::Infeasible(reason) => {
            Err(ErrorShape::infeasible(&reason, problem.capacity, &report.stats, elapsed).into())
        }
        Outcome::Stopped => Err(ErrorShape::timeout(&report.stats, elapsed).into()),
        Outcome::Undecided(why) => {
            Err(ErrorShape::undecided(&why, problem.capacity, &report.stats, elapsed).into())
        }
    }
}

/// The most workers a solve with `params` can keep busy: its portfolio's most searches.
#[wasm_bindgen(js_name = mostSearches)]
pub fn most_searches(params: JsValue) -> Result<f64, Thrown> {
    Ok(Share::most_parts(&params_from_js(params)?) as f64)
}

/// The share of the portfolio a worker runs: the whole without one.
fn share_from_js(shape: Option<ShareShape>) -> Result<Share, Thrown> {
    let Some(ShareShape { part, parts }) = shape else {
        return Ok(Share::WHOLE);
    };
    let whole = |x: f64| x.fract() == 0.0 && (0.0..=1024.0).contains(&x);
    (whole(part) && whole(parts))
        .then(|| Share::new(part as usize, parts as usize))
        .flatten()
        .ok_or_else(|| {
            ErrorShape::at(
                "options.share",
                format!("expected a part from 0 below a whole number of parts up to 1024, found part {} of {}", js_number(part), js_number(parts)),
            )
            .into()
        })
}

/// Finds the lowest height, never above the capacity if one is given. Anytime: with a time
/// limit, returns the best packing found, `status: "feasible"` and its gap.
#[wasm_bindgen]
pub fn minimize(problem: JsValue, params: JsValue, control: JsValue) -> Result<JsValue, Thrown> {
    let problem = problem_from_js(problem)?;
    minimize_problem(&problem, params, control)
}

fn minimize_problem(
    problem: &Problem,
    params: JsValue,
    control: JsValue,
) -> Result<JsValue, Thrown> {
    let params = params_from_js(params)?;
    let control = ControlShape::from_js(control)?;
    if control.share.is_some() {
        // A minimisation probes many heights; its workers each get orderings of their own.
        return Err(ErrorShape::at(
            "options.share",
            "expected no share: only a solve at a capacity is dealt out by search",
        )
        .into());
    }
    let mut monitor = JsMonitor::new(control)?;
    let report =
        bufpack::minimize(problem, &params, &mut monitor).map_err(|e| ErrorShape::solve(&e))?;
    if let Some(thrown) = monitor.thrown.take() {
        return Err(thrown);
    }
    let elapsed = monitor.elapsed_seconds();
    let error = match &report.outcome {
        MinimizeOutcome::Infeasible(reason) => Some(ErrorShape::infeasible(
            reason,
            problem.capacity,
            &report.stats,
            elapsed,
        )),
        MinimizeOutcome::Stopped => Some(ErrorShape::timeout(&report.stats, elapsed)),
        _ => None,
    };
    if let Some(error) = error {
        return Err(error.into());
    }
    let shape = SolutionShape::minimized(problem, report, elapsed)
        .expect("optimal and feasible outcomes carry a packing");
    to_js(&shape)
}

/// Reads CSV and solves (or minimises) it in one call, without the problem crossing into
/// JavaScript and back. Returns `{ solution, problem?, columns? }`: `problem_form` is
/// `"none"`, `"objects"` (the problem as plain objects) or `"columns"` (problem and offsets
/// as typed arrays, see `columns.rs`: what a page drawing a large result wants).
#[wasm_bindgen(js_name = solveCsv)]
pub fn solve_csv(
    text: &str,
    capacity: Option<f64>,
    minimize: bool,
    problem_form: &str,
    params: JsValue,
    control: JsValue,
) -> Result<JsValue, Thrown> {
    if !matches!(problem_form, "none" | "objects" | "columns") {
        return Err(ErrorShape::at(
            "options.returnProblem",
            format!("expected true, false, \"objects\" or \"columns\", found {problem_form:?}"),
        )
        .into());
    }
    let problem = read_csv(text, capacity)?;
    if !minimize && capacity.is_none() {
        return Err(ErrorShape::at(
            "options.capacity",
            "expected a capacity to solve against (or minimize: true)",
        )
        .into());
    }
    let solution = if minimize {
        minimize_problem(&problem, params, control)?
    } else {
        solve_problem(&problem, params, control)?
    };
    let result = js_sys::Object::new();
    let set =
        |key: &str, value: &JsValue| js_sys::Reflect::set(&result, &key.into(), value).map(drop);
    set("solution", &solution)?;
    match problem_form {
        "objects" => {
            let shape = ProblemShape::from_problem(&problem, capacity.map(|_| problem.capacity));
            set("problem", &to_js(&shape)?)?;
        }
        "columns" => {
            let offsets = js_sys::Reflect::get(&solution, &"offsets".into())?;
            let offsets = integers(&offsets, "solution.offsets")?;
            set("columns", &columns(&problem, &offsets)?)?;
            // The offsets travel once, in the columns: a plain array of a million numbers
            // costs the receiving thread tens of milliseconds to decode. The wrapper gives
            // `solution.offsets` back from the columns when asked.
            js_sys::Reflect::delete_property(
                solution.unchecked_ref::<js_sys::Object>(),
                &"offsets".into(),
            )?;
        }
        _ => {}
    }
    Ok(result.into())
}

/// Checks a solution: `{ valid: true }`, or `{ valid: false, message }` naming the first
/// failure. A malformed problem or solution throws `"invalid"`.
#[wasm_bindgen]
pub fn validate(problem: JsValue, solution: JsValue) -> Result<JsValue, Thrown> {
    #[derive(Serialize)]
    struct Validity {
        valid: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    }
    let problem = problem_from_js(problem)?;
    let solution = solution_from_js(&problem, solution)?;
    let message = bufpack::validate(&problem, &solution)
        .err()
        .map(|e| e.to_string());
    to_js(&Validity {
        valid: message.is_none(),
        message,
    })
}

/// The proven lower bound on the height, why it holds, and the load over time.
#[wasm_bindgen(js_name = lowerBound)]
pub fn lower_bound(problem: JsValue) -> Result<JsValue, Thrown> {
    let problem = problem_from_js(problem)?;
    let profile = LoadProfile::of(&problem);
    let bound = LowerBound::from_profile(&problem, &profile);
    to_js(&BoundShape {
        height: bound.height,
        load: bound.load,
        reason: ReasonShape::of(&problem, &bound.reason, bound.height),
        profile: profile.steps,
    })
}

/// Every heuristic pass, by name (`"crowding/skyline"`, `"size/best-fit"`, ...).
fn heuristics() -> Vec<Heuristic> {
    let mut all = Heuristic::PORTFOLIO.to_vec();
    for heuristic in Heuristic::GREEDY {
        if !all.contains(&heuristic) {
            all.push(heuristic);
        }
    }
    all
}

/// The names [`run_heuristic`] accepts, the minimiser's favourites first.
#[wasm_bindgen(js_name = heuristicNames)]
pub fn heuristic_names() -> Vec<String> {
    heuristics().iter().map(ToString::to_string).collect()
}

/// Packs with one heuristic, ignoring the capacity (the height says whether it fits).
#[wasm_bindgen(js_name = runHeuristic)]
pub fn run_heuristic(problem: JsValue, name: &str) -> Result<JsValue, Thrown> {
    let mut problem = problem_from_js(problem)?;
    let Some(heuristic) = heuristics().into_iter().find(|h| h.to_string() == name) else {
        return Err(ErrorShape::at(
            "name",
            format!(
                "expected one of {}, found {name:?}",
                heuristic_names().join(", ")
            ),
        )
        .into());
    };
    problem.capacity = MAX_MAGNITUDE;
    let start = js_sys::Date::now();
    match greedy(&problem, heuristic).map_err(|e| ErrorShape::solve(&e))? {
        Some(solution) => to_js(&SolutionShape::heuristic(
            &problem,
            heuristic,
            solution,
            (js_sys::Date::now() - start) / 1000.0,
        )),
        None => Err(fixed_clash(&problem).into()),
    }
}

/// Why a heuristic found nothing without a limit: two fixed buffers clash. The clash is
/// named by validating the fixed buffers alone.
fn fixed_clash(problem: &Problem) -> ErrorShape {
    let fixed: Vec<Buffer> = problem
        .buffers
        .iter()
        .filter(|b| b.offset.is_some())
        .cloned()
        .collect();
    let offsets = fixed.iter().filter_map(|b| b.offset).collect();
    let fixed = Problem::new(fixed, MAX_MAGNITUDE);
    match bufpack::validate(&fixed, &Solution::from_offsets(&fixed, offsets)) {
        Err(clash) => ErrorShape::infeasible(
            &Infeasibility::FixedClash(clash),
            problem.capacity,
            &SearchStats::default(),
            0.0,
        ),
        Ok(()) => ErrorShape::new(ErrorCode::Infeasible, "the heuristic found no packing"),
    }
}
