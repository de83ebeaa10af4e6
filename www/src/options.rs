//! What the user chose to solve with: a capacity or "minimise", a time limit, the parallel
//! portfolio, and (folded away) every switch of the solver and its orderings.

use bufpack::SolverParams;
use wasm_bindgen::JsValue;

/// A solver switch: its name in the package's API, its label, and what it does.
pub(crate) struct Switch {
    pub(crate) name: &'static str,
    pub(crate) label: &'static str,
    pub(crate) help: &'static str,
}

/// MiniMalloc's switches: the first [`MINIMALLOC`] of [`SWITCHES`]. The rest are bufpack's own.
#[allow(dead_code)] // used by the Learn bundle, not by the app's
pub(crate) const MINIMALLOC: usize = 9;

/// MiniMalloc's techniques (what the Learn view teaches and ablates), without bufpack's own.
#[allow(dead_code)] // used by the Learn bundle, not by the app's
pub(crate) fn minimalloc_switches() -> &'static [Switch] {
    &SWITCHES[..MINIMALLOC]
}

pub(crate) const SWITCHES: [Switch; 23] = [
    Switch {
        name: "canonicalOnly",
        label: "Canonical order",
        help: "Visit each packing once: place buffers in (offset, rank) order.",
    },
    Switch {
        name: "sectionInference",
        label: "Section inference",
        help: "Prune when a section's floor plus its unplaced sizes exceeds the capacity.",
    },
    Switch {
        name: "dynamicOrdering",
        label: "Dynamic ordering",
        help: "Try the lowest candidate offsets first.",
    },
    Switch {
        name: "checkDominance",
        label: "Dominance",
        help: "Skip candidates something else would fit beneath.",
    },
    Switch {
        name: "unallocatedFloor",
        label: "Unallocated floor",
        help: "Raise a section's floor to the lowest spot its unplaced buffers can take.",
    },
    Switch {
        name: "staticPreordering",
        label: "Static preordering",
        help: "Rank buffers by the orderings below, not input order.",
    },
    Switch {
        name: "dynamicDecomposition",
        label: "Decomposition",
        help: "Split into independent subproblems when nothing spans a boundary.",
    },
    Switch {
        name: "monotonicFloor",
        label: "Monotonic floor",
        help: "Raise every floor to the offset being placed.",
    },
    Switch {
        name: "hatlessPruning",
        label: "Hatless pruning",
        help: "A buffer with nothing above it to wait for fails for its siblings too.",
    },
    Switch {
        name: "canonicalFloor",
        label: "Canonical floor (bufpack's own)",
        help: "Not in MiniMalloc. A buffer the canonical order has passed can only go above \
               the level: raise its section's floor as if it did.",
    },
    Switch {
        name: "fillHoles",
        label: "Fill holes (bufpack's own)",
        help: "Not in MiniMalloc. When no room may be wasted (a perfect packing), branch on \
               which buffer fills the lowest hole with the fewest candidates.",
    },
    Switch {
        name: "ledges",
        label: "Ledges (bufpack's own)",
        help: "Not in MiniMalloc. While filling holes: a floor no buffer can rest on exactly \
               (no subset of a lower run's sizes stacks up to it) fails at once.",
    },
    Switch {
        name: "orderedStacks",
        label: "Ordered stacks (bufpack's own)",
        help: "Not in MiniMalloc. While filling holes: two unaligned buffers of the same \
               lifespan, one on the other, are tried in one order only.",
    },
    Switch {
        name: "limitedDiscrepancy",
        label: "Limited discrepancy (bufpack's own)",
        help: "Not in MiniMalloc. On a perfect packing, each ordering also runs as a search \
               that strays from its first candidates a little more in each iteration.",
    },
    Switch {
        name: "flatLoad",
        label: "Flat load (bufpack's own)",
        help: "Not in MiniMalloc. While filling holes: when the load is the same at every \
               time and below the capacity, also searches at that height, where no room may \
               be wasted.",
    },
    Switch {
        name: "releaseFloors",
        label: "Release floors (bufpack's own)",
        help: "Not in MiniMalloc. While filling holes: the buffers that can rest only at some \
               level or higher must fit between it and the capacity.",
    },
    Switch {
        name: "alignedStacks",
        label: "Aligned stacks (bufpack's own)",
        help: "Not in MiniMalloc. Where a time has less room to spare than an alignment, \
               or a fixed buffer is in the way, its buffers must stack there in some order.",
    },
    Switch {
        name: "timeOrderings",
        label: "Time orderings (bufpack's own)",
        help: "Not in MiniMalloc. With alignment, fixed buffers or raised windows: also \
               searches with the buffers ranked by latest end and by latest start.",
    },
    Switch {
        name: "handovers",
        label: "Handovers (bufpack's own)",
        help: "Not in MiniMalloc. At a capacity, where memory is full: also searches with \
               the buffers that form one rectangle in every packing merged into one.",
    },
    Switch {
        name: "widenWindows",
        label: "Widen windows (bufpack's own)",
        help: "Not in MiniMalloc. During a gap, counts a buffer whole while nothing live \
               could use the bytes outside its window.",
    },
    Switch {
        name: "peakWindows",
        label: "Peak windows (bufpack's own)",
        help: "Not in MiniMalloc. When minimising, packs the buffers live around the load's \
               peak at the lower bound first, then fills in the rest around them.",
    },
    Switch {
        name: "layers",
        label: "Layers (bufpack's own)",
        help: "Not in MiniMalloc. Where the load is the same at every time, first splits the \
               buffers into layers stacked one on another, each packed on its own.",
    },
    Switch {
        name: "hotParts",
        label: "Hot parts (bufpack's own)",
        help: "Not in MiniMalloc. When minimising a trace too large for the exact search, \
               searches each crowded part the fast passes leave above the load on its own.",
    },
];

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SolveOptions {
    /// `None`: minimise the height.
    pub(crate) capacity: Option<i64>,
    pub(crate) timeout_seconds: f64,
    pub(crate) parallel: bool,
    /// One per [`SWITCHES`] entry.
    pub(crate) switches: [bool; SWITCHES.len()],
    /// Comma-separated key strings, e.g. `WAT,TAW,TWA`.
    pub(crate) orderings: String,
}

impl Default for SolveOptions {
    fn default() -> Self {
        let p = SolverParams::default();
        SolveOptions {
            capacity: None,
            timeout_seconds: 10.0,
            parallel: false,
            switches: switches_of(&p),
            orderings: p
                .preordering_heuristics
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
        }
    }
}

/// `params`' switches in the order of [`SWITCHES`].
fn switches_of(params: &SolverParams) -> [bool; SWITCHES.len()] {
    [
        params.canonical_only,
        params.section_inference,
        params.dynamic_ordering,
        params.check_dominance,
        params.unallocated_floor,
        params.static_preordering,
        params.dynamic_decomposition,
        params.monotonic_floor,
        params.hatless_pruning,
        params.canonical_floor,
        params.fill_holes,
        params.ledges,
        params.ordered_stacks,
        params.limited_discrepancy,
        params.flat_load,
        params.release_floors,
        params.aligned_stacks,
        params.time_orderings,
        params.handovers,
        params.widen_windows,
        params.peak_windows,
        params.layers,
        params.hot_parts,
    ]
}

impl SolveOptions {
    /// The options object `solveInWorker` takes.
    pub(crate) fn to_js(&self) -> js_sys::Object {
        let object = js_sys::Object::new();
        let set = |key: &str, value: JsValue| {
            let _ = js_sys::Reflect::set(&object, &key.into(), &value);
        };
        match self.capacity {
            Some(capacity) => set("capacity", (capacity as f64).into()),
            None => set("minimize", JsValue::TRUE),
        }
        set("timeoutSeconds", self.timeout_seconds.into());
        set("parallel", self.parallel.into());
        for (switch, on) in SWITCHES.iter().zip(self.switches) {
            set(switch.name, on.into());
        }
        let orderings = js_sys::Array::new();
        for keys in self
            .orderings
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
        {
            orderings.push(&keys.into());
        }
        set("preorderingHeuristics", orderings.into());
        object
    }

    /// Parses the capacity field: empty means minimise.
    pub(crate) fn parse_capacity(text: &str) -> Result<Option<i64>, String> {
        let text = text.trim().replace(['_', ','], "");
        if text.is_empty() {
            return Ok(None);
        }
        match text.parse::<i64>() {
            Ok(c) if (0..=bufpack::MAX_MAGNITUDE).contains(&c) => Ok(Some(c)),
            _ => Err(format!(
                "expected a whole number of units (or nothing, to minimise), found {text:?}"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_solver() {
        let options = SolveOptions::default();
        assert!(options.switches.iter().all(|&on| on));
        assert_eq!(options.orderings, "WAT,TAW,TWA");
        assert_eq!(options.capacity, None);
    }

    #[test]
    fn the_switches_not_in_minimalloc_come_last() {
        // MiniMalloc's search is the defaults with exactly the switches after MINIMALLOC off.
        let reference = switches_of(&SolverParams::reference());
        assert!(reference[..MINIMALLOC].iter().all(|&on| on));
        assert!(reference[MINIMALLOC..].iter().all(|&on| !on));
        let names: Vec<&str> = SWITCHES[MINIMALLOC..].iter().map(|s| s.name).collect();
        assert_eq!(
            names,
            [
                "canonicalFloor",
                "fillHoles",
                "ledges",
                "orderedStacks",
                "limitedDiscrepancy",
                "flatLoad",
                "releaseFloors",
                "alignedStacks",
                "timeOrderings",
                "handovers",
                "widenWindows",
                "peakWindows",
                "layers",
                "hotParts"
            ]
        );
        assert!(SWITCHES[MINIMALLOC..]
            .iter()
            .all(|s| s.label.contains("bufpack's own") && s.help.contains("Not in MiniMalloc")));
        assert_eq!(minimalloc_switches().len(), 9);
    }

    #[test]
    fn capacity_field() {
        assert_eq!(SolveOptions::parse_capacity(""), Ok(None));
        assert_eq!(
            SolveOptions::parse_capacity(" 1_048_576 "),
            Ok(Some(1_048_576))
        );
        assert_eq!(SolveOptions::parse_capacity("1,024"), Ok(Some(1024)));
        assert!(SolveOptions::parse_capacity("-1").is_err());
        assert!(SolveOptions::parse_capacity("12k").is_err());
    }
}
