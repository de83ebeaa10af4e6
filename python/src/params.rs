//! The solver's switches from a Python `bufpack.SolverParams` (or anything with the same
//! attributes; `None` for the defaults).

use bufpack::{Preordering, SolverParams};
use pyo3::prelude::*;

use crate::errors;

/// `SolverParams` read attribute by attribute.
pub(crate) fn from_python(params: Option<&Bound<'_, PyAny>>) -> PyResult<SolverParams> {
    let Some(params) = params.filter(|p| !p.is_none()) else {
        return Ok(SolverParams::default());
    };
    let switch = |name: &str| -> PyResult<bool> {
        params.getattr(name)?.extract::<bool>().map_err(|_| {
            errors::invalid(
                &format!("params.{name}"),
                format!("params.{name}: expected True or False"),
            )
        })
    };
    let orderings: Vec<String> = params
        .getattr("preordering_heuristics")?
        .extract()
        .map_err(|_| {
            errors::invalid(
                "params.preordering_heuristics",
                "params.preordering_heuristics: expected a list of key strings such as \"WAT\""
                    .to_owned(),
            )
        })?;
    let preordering_heuristics = orderings
        .iter()
        .map(|keys| keys.parse::<Preordering>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| {
            errors::invalid(
                "params.preordering_heuristics",
                format!("params.preordering_heuristics: {error}"),
            )
        })?;
    // Switch by switch on the defaults, so fields the Python side does not know keep theirs.
    let mut solver = SolverParams::default();
    let switches: [(&str, &mut bool); 23] = [
        ("canonical_only", &mut solver.canonical_only),
        ("section_inference", &mut solver.section_inference),
        ("dynamic_ordering", &mut solver.dynamic_ordering),
        ("check_dominance", &mut solver.check_dominance),
        ("unallocated_floor", &mut solver.unallocated_floor),
        ("static_preordering", &mut solver.static_preordering),
        ("dynamic_decomposition", &mut solver.dynamic_decomposition),
        ("monotonic_floor", &mut solver.monotonic_floor),
        ("hatless_pruning", &mut solver.hatless_pruning),
        ("canonical_floor", &mut solver.canonical_floor),
        ("fill_holes", &mut solver.fill_holes),
        ("ledges", &mut solver.ledges),
        ("ordered_stacks", &mut solver.ordered_stacks),
        ("limited_discrepancy", &mut solver.limited_discrepancy),
        ("flat_load", &mut solver.flat_load),
        ("release_floors", &mut solver.release_floors),
        ("aligned_stacks", &mut solver.aligned_stacks),
        ("time_orderings", &mut solver.time_orderings),
        ("handovers", &mut solver.handovers),
        ("widen_windows", &mut solver.widen_windows),
        ("peak_windows", &mut solver.peak_windows),
        ("layers", &mut solver.layers),
        ("hot_parts", &mut solver.hot_parts),
    ];
    for (name, value) in switches {
        *value = switch(name)?;
    }
    solver.preordering_heuristics = preordering_heuristics;
    Ok(solver)
}
