//! The usage text `--help` prints: made from the flag tables, so every flag is in it with
//! its default, then what the flags cannot say (output, models, stopping, exit status).

use crate::flags::{Flag, Kind, Options, GENERAL, MODEL, TECHNIQUES};

/// The usage text printed by `--help`: every flag with its help line and default.
pub(crate) fn usage() -> String {
    let defaults = Options::default();
    let mut out = format!("bufpack {}\n{INTRO}", env!("CARGO_PKG_VERSION"));
    let mut section = |title: &str, list: &[Flag]| {
        out.push_str(&format!("\n{title}:\n"));
        for flag in list {
            let (form, default) = match &flag.kind {
                Kind::Switch(field) => {
                    let mut options = defaults.clone();
                    let default = *field(&mut options);
                    (
                        format!("--[no]{}", flag.name),
                        format!("default: {default}"),
                    )
                }
                Kind::Value {
                    placeholder,
                    default: "required",
                    ..
                } => (
                    format!("--{}={placeholder}", flag.name),
                    "required".to_string(),
                ),
                Kind::Value {
                    placeholder,
                    default,
                    ..
                } => (
                    format!("--{}={placeholder}", flag.name),
                    format!("default: {default}"),
                ),
            };
            out.push_str(&format!("  {form:<31} {} ({default})\n", flag.help));
        }
    };
    section("Flags", GENERAL);
    section("TensorFlow Lite models", MODEL);
    section(
        "Search techniques (MiniMalloc's; all on by default)",
        TECHNIQUES,
    );
    out.push_str(OUTRO);
    out
}

/// The usage text's opening, after the first line.
const INTRO: &str = "\
Packs buffers into a memory of fixed capacity so that buffers live at the same
time never overlap: a drop-in replacement for MiniMalloc's command line.

Usage: bufpack --capacity=N [--input=in.csv] [--output=out.csv] [--timeout=10s] [flags]
       bufpack --minimize [--capacity=LIMIT] [--input=in.csv] [--output=out.csv] [flags]
       bufpack --minimize --input=model.tflite --output=planned.tflite [--scratch=LIST]

Reads buffers as CSV (id,lower,upper,size; optional alignment, hint, offset and
gaps columns) and writes them back in input order with a final offset column.
Also plans the tensor arena of a TensorFlow Lite Micro model (see below).
";

/// The usage text's closing.
const OUTRO: &str = "
Other:
  --help, -h                      Prints this help and exits.
  --version                       Prints the version and exits.

Flags are written --name=value or --name value, with two dashes or one; a
flag with a value is given at most once. Booleans are --name, --noname or
--name=true|false|1|0|yes|no.

Preordering keys, each ranking larger values first: A area, C sections,
L lower end, O overlaps, T section total, U upper end, W width, Z size.
Each key string, such as WAT, is one search; the first to decide wins. With
--threads the searches are shared out and the answer is the one thread's.

On stderr, one line each: Height (when solved), Capacity, Elapsed, Nodes,
Backtracks, Ordering (when known) and Result: solved, infeasible (reason),
undecided (reason), timed out after T s, or stopped by signal SIGINT.

With --minimize: Height (when found), Lower bound (and why it holds), Load,
Gap (percent of the lower bound), Elapsed, Nodes, Backtracks, Found by, and
Result: optimal, feasible (gap G%), infeasible (reason) or no packing found,
with what stopped it. Without --timeout it stops after 10 s with the best
packing and the gap; --timeout=inf searches until the height is proven optimal.

The time limit counts from the start, reading the input included. Ctrl-C
(SIGINT) or SIGTERM stops the search, and the best packing found so far is
written; a second Ctrl-C kills at once. The output file is replaced whole or
not at all, and one that cannot be written fails the run before the search.

TensorFlow Lite models:
An input whose bytes 4..8 read TFL3 is a .tflite model, whatever its name (a
.tflite name without them is an error). Its buffers are the tensors TensorFlow
Lite Micro (TFLM) places in its arena: ids are tensor names, times are operator
steps, sizes are rounded up to 16 bytes and offsets aligned to 16. They are
packed as a CSV's are, with --minimize or at a --capacity, and stderr adds a
Model line: tensors and steps, the arena TFLM's greedy planner needs (and with
the offline plan the model may carry), bufpack's, the lower bound, the saving.
The arena here is the part TFLM's planner lays out; its persistent data
(variables included) comes on top, the same with any plan.

--output=PATH.tflite writes the model with bufpack's plan as its
OfflineMemoryAllocation metadata, which TFLM's planner follows, but only if
TFLM then needs less arena. Otherwise nothing is written (a file already at
PATH is left as it was), it says so, and the exit status is 0. Any other output
gets the tensors with their offsets as CSV. A CSV input cannot be written as a
.tflite model.

Kernel scratch buffers are requested at run time, not stored in the file, and
their sizes depend on the kernels TFLM is built with. --scratch lists them as
SUBGRAPH:OPERATOR:BYTES or OPERATOR:BYTES (subgraph 0), separated by commas,
such as --scratch=3:1024,5:2048 (operators count from 0). TFLM places them
around the plan as it does; the figures include them, and a plan is written
only if it still saves arena with them placed.

Exit status: 0 solved (with --minimize: a packing found, optimal or not);
1 no packing: infeasible, undecided or timed out; 2 bad input or usage, or
an output that cannot be written; 70 an internal error (a bug in bufpack,
said on stderr; nothing is written); 130 (SIGINT) or 143 (SIGTERM) stopped by
that signal, after writing the best packing found, if any.
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flags::flags;

    #[test]
    fn usage_lists_every_flag_with_its_default() {
        let text = usage();
        for flag in flags() {
            let line = text
                .lines()
                .find(|line| {
                    line.starts_with(&format!("  --{}=", flag.name))
                        || line.starts_with(&format!("  --[no]{} ", flag.name))
                })
                .unwrap_or_else(|| panic!("--{} is missing from:\n{text}", flag.name));
            assert!(line.contains(flag.help), "{line}");
            assert!(
                line.contains("(default: ") || line.contains("(required)"),
                "{line}"
            );
        }
        assert!(text.contains("--[no]canonical_only"));
        assert!(text.contains("(default: true)"));
        assert!(text.contains("--[no]validate"));
        assert!(text.contains("(default: false)"));
        assert!(text.contains("--preordering_heuristics=LIST"));
        assert!(text.contains("(default: WAT,TAW,TWA)"));
        assert!(text.contains("--help, -h"));
        assert!(text.contains("--version"));
        assert!(text.contains("--scratch=LIST"));
        assert!(text.contains("(default: none)"));
        assert!(text.contains("--output=PATH.tflite"));
    }
}
