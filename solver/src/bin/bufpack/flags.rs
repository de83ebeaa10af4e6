//! Every flag the tool takes, one table entry each: its name, how it takes a value, its
//! default and help line, and where its value goes in [`Options`]. The parser (`args.rs`)
//! and the help (`help.rs`) are both made from these tables.

use std::time::Duration;

use bufpack::{Offset, SolverParams};
use bufpack_models::Scratch;

use crate::duration::parse_timeout;
use crate::values::{parse_capacity, parse_orderings, parse_path, parse_scratch, parse_threads};

/// Everything a run needs to know.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Options {
    /// The memory size; with `minimize`, an upper limit. Required without `minimize`:
    /// [`crate::args::parse`] never returns `Run` lacking both.
    pub(crate) capacity: Option<Offset>,
    /// Find the lowest height instead of fitting a given capacity.
    pub(crate) minimize: bool,
    /// The input path (a CSV file or a `.tflite` model); `None` reads stdin.
    pub(crate) input: Option<String>,
    /// The output path (a `.tflite` name writes a planned model); `None` writes stdout.
    pub(crate) output: Option<String>,
    /// The time limit; `None` is none.
    pub(crate) timeout: Option<Duration>,
    /// Whether `--timeout` was given (minimisation has a default limit, decision none).
    pub(crate) timeout_given: bool,
    /// Check the solution with the independent validator before writing it.
    pub(crate) validate: bool,
    /// Threads racing the orderings; 1 solves on the calling thread.
    pub(crate) threads: usize,
    /// The techniques and orderings.
    pub(crate) params: SolverParams,
    /// A model's kernel scratch buffers, as given (checked against the model once read).
    pub(crate) scratch: Vec<Scratch>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            capacity: None,
            minimize: false,
            input: None,
            output: None,
            timeout: None,
            timeout_given: false,
            validate: false,
            threads: 1,
            params: SolverParams::default(),
            scratch: Vec::new(),
        }
    }
}

/// One flag: its name (without dashes), how it takes a value, and its help line.
pub(crate) struct Flag {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    pub(crate) help: &'static str,
}

pub(crate) enum Kind {
    /// A boolean, reached through the field it sets; its default is that field's default.
    Switch(fn(&mut Options) -> &mut bool),
    /// A flag with a value: the placeholder and the default shown in the help, and the
    /// setter, which says what it expected when the value will not do.
    Value {
        placeholder: &'static str,
        default: &'static str,
        set: fn(&mut Options, &str) -> Result<(), String>,
    },
}

impl Flag {
    const fn switch(
        name: &'static str,
        help: &'static str,
        field: fn(&mut Options) -> &mut bool,
    ) -> Flag {
        Flag {
            name,
            kind: Kind::Switch(field),
            help,
        }
    }

    const fn value(
        name: &'static str,
        placeholder: &'static str,
        default: &'static str,
        help: &'static str,
        set: fn(&mut Options, &str) -> Result<(), String>,
    ) -> Flag {
        Flag {
            name,
            kind: Kind::Value {
                placeholder,
                default,
                set,
            },
            help,
        }
    }

    pub(crate) fn is_switch(&self) -> bool {
        matches!(self.kind, Kind::Switch(_))
    }
}

/// Input, output and the run itself. One line per flag: name, (placeholder, default,) help,
/// and where the value goes.
#[rustfmt::skip]
pub(crate) const GENERAL: &[Flag] = &[
    Flag::value("capacity", "N", "required", "The maximum memory capacity (an upper limit with --minimize).", |o, v| parse_capacity(v).map(|c| o.capacity = Some(c))),
    Flag::switch("minimize", "Finds the lowest height instead, with a lower bound and the gap.", |o| &mut o.minimize),
    Flag::value("input", "PATH", "-", "The input: a CSV file, or a .tflite model (see below); - reads stdin.", |o, v| parse_path(v, "stdin").map(|p| o.input = p)),
    Flag::value("output", "PATH", "-", "The output CSV file, or a planned model for a .tflite name; - writes stdout.", |o, v| parse_path(v, "stdout").map(|p| o.output = p)),
    Flag::value("timeout", "DURATION", "inf", "The time limit: 10s, 500ms, 1m30s, 3 (seconds) or inf; 10s with --minimize.", |o, v| parse_timeout(v).map(|t| { o.timeout = t; o.timeout_given = true; })),
    Flag::switch("validate", "Validates the solver's output.", |o| &mut o.validate),
    Flag::value("threads", "N", "1", "Threads, up to the machine's cores: one per search of the portfolio (per heuristic pass with --minimize).", |o, v| parse_threads(v).map(|n| o.threads = n)),
];

/// TensorFlow Lite models only.
#[rustfmt::skip]
pub(crate) const MODEL: &[Flag] = &[
    Flag::value("scratch", "LIST", "none", "Kernel scratch buffers: [SUBGRAPH:]OPERATOR:BYTES,... (see below).", |o, v| parse_scratch(v).map(|s| o.scratch = s)),
];

/// The search's techniques and orderings, as in MiniMalloc.
#[rustfmt::skip]
pub(crate) const TECHNIQUES: &[Flag] = &[
    Flag::switch("canonical_only", "Explores canonical solutions only.", |o| &mut o.params.canonical_only),
    Flag::switch("section_inference", "Performs advanced inference.", |o| &mut o.params.section_inference),
    Flag::switch("dynamic_ordering", "Dynamically orders buffers.", |o| &mut o.params.dynamic_ordering),
    Flag::switch("check_dominance", "Checks for dominated solutions that leave gaps in the allocation.", |o| &mut o.params.check_dominance),
    Flag::switch("unallocated_floor", "Uses min offsets to establish lower bounds on section floors.", |o| &mut o.params.unallocated_floor),
    Flag::switch("static_preordering", "Statically preorders buffers.", |o| &mut o.params.static_preordering),
    Flag::switch("dynamic_decomposition", "Dynamically decomposes buffers.", |o| &mut o.params.dynamic_decomposition),
    Flag::switch("monotonic_floor", "Requires the solution floor to increase monotonically.", |o| &mut o.params.monotonic_floor),
    Flag::switch("hatless_pruning", "Prunes alternate solutions whenever a buffer has nothing overhead.", |o| &mut o.params.hatless_pruning),
    Flag::switch("canonical_floor", "Counts a buffer ranked before the canonical level as reaching only past it (not in MiniMalloc).", |o| &mut o.params.canonical_floor),
    Flag::switch("fill_holes", "Fills the lowest, most constrained hole first when no room may be wasted (not in MiniMalloc).", |o| &mut o.params.fill_holes),
    Flag::switch("ledges", "With fill_holes, prunes a floor no buffer can ever rest on (subset sums of the room below; not in MiniMalloc).", |o| &mut o.params.ledges),
    Flag::switch("ordered_stacks", "With fill_holes, stacks buffers of the same sections in one order only (not in MiniMalloc).", |o| &mut o.params.ordered_stacks),
    Flag::switch("limited_discrepancy", "On a perfect packing, also runs the first two orderings as limited discrepancy searches, and flush-first lanes (not in MiniMalloc).", |o| &mut o.params.limited_discrepancy),
    Flag::switch("flat_load", "With fill_holes, when the load is the same at every time and below the capacity, also searches at that height (a perfect packing; not in MiniMalloc).", |o| &mut o.params.flat_load),
    Flag::switch("release_floors", "With fill_holes, where no room may be wasted, prunes when the buffers that can rest only at some level or higher do not fit above it (not in MiniMalloc).", |o| &mut o.params.release_floors),
    Flag::switch("aligned_stacks", "Where a time has less room to spare than an alignment (or a fixed buffer in the way), prunes when its buffers stack there in no order (not in MiniMalloc).", |o| &mut o.params.aligned_stacks),
    Flag::switch("time_orderings", "With alignment, fixed buffers or raised windows, the portfolio also runs searches ranked latest end first (UWA) and latest start first (LWA) (not in MiniMalloc).", |o| &mut o.params.time_orderings),
    Flag::switch("handovers", "At a capacity, also searches the problem with the buffers that form one rectangle in every packing merged into one (one ends where memory is full, those starting there fill its room exactly and end together, or the mirror) (not in MiniMalloc).", |o| &mut o.params.handovers),
    Flag::switch("widen_windows", "Counts a gap's buffer in full at the gap's times when no buffer that could use the bytes outside its window is live: the same packings, a higher lower bound (not in MiniMalloc).", |o| &mut o.params.widen_windows),
    Flag::switch("peak_windows", "With --minimize, packs the buffers live around the load's peak at the lower bound first, then fills in the rest around them (not in MiniMalloc).", |o| &mut o.params.peak_windows),
    Flag::switch("layers", "On a problem whose load is the same at every time (a perfect packing), first splits it into layers whose own load is the same at every time, stacked, down to leaves the exact search packs within a budget (not in MiniMalloc).", |o| &mut o.params.layers),
    Flag::switch("hot_parts", "With --minimize on a trace too large for the exact search whole, minimises alone each part of the peaks pass's hot set that no skyline packs at the load, within a budget (not in MiniMalloc).", |o| &mut o.params.hot_parts),
    Flag::value("preordering_heuristics", "LIST", "WAT,TAW,TWA", "Static preordering heuristics to attempt (keys below).", |o, v| parse_orderings(v).map(|h| o.params.preordering_heuristics = h)),
];

/// Names that ask for the usage text (absl's `--helpfull` and `--helpshort` included).
pub(crate) const HELP: [&str; 4] = ["help", "h", "helpfull", "helpshort"];
pub(crate) const VERSION: &str = "version";

/// Every flag, in the help's order.
pub(crate) fn flags() -> impl Iterator<Item = &'static Flag> {
    GENERAL.iter().chain(MODEL).chain(TECHNIQUES)
}
