//! The command line, parsed as absl parses MiniMalloc's flags.
//!
//! - `--name=value` and `--name value`, with two dashes or one (`-name=value`);
//! - booleans as `--name`, `--noname` or `--name=true|false|t|f|yes|no|y|n|1|0`
//!   (any case), never `--name value`, since the next argument is not theirs;
//! - integers in decimal or `0x` hex, blanks around them ignored; the last of repeated
//!   switches wins; `--` ends the flags.
//!
//! Stricter than absl where absl would run with something the user surely did not mean: an
//! argument that is not a flag, a flag's missing value swallowing the next flag, an empty
//! path, a flag with a value given twice (absl keeps the last, silently). Every flag is one
//! entry of [`GENERAL`] or [`TECHNIQUES`]; the help is made from them.

use std::fmt;
use std::time::Duration;

use bufpack::{parse_preorderings, Offset, Preordering, SolverParams, MAX_MAGNITUDE};

use crate::duration::parse_timeout;

/// What the command line asks for.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Command {
    /// Solve with these options.
    Run(Options),
    /// Print the usage text.
    Help,
    /// Print the version.
    Version,
}

/// Everything a run needs to know.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Options {
    /// The memory size; with `minimize`, an upper limit. Required without `minimize`:
    /// [`parse`] never returns `Run` lacking both.
    pub(crate) capacity: Option<Offset>,
    /// Find the lowest height instead of fitting a given capacity.
    pub(crate) minimize: bool,
    /// The input CSV path; `None` reads stdin.
    pub(crate) input: Option<String>,
    /// The output CSV path; `None` writes stdout.
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
        }
    }
}

/// A command line that cannot be run; the message says what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UsageError(pub(crate) String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One flag: its name (without dashes), how it takes a value, and its help line.
pub(crate) struct Flag {
    name: &'static str,
    kind: Kind,
    help: &'static str,
}

enum Kind {
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

    fn is_switch(&self) -> bool {
        matches!(self.kind, Kind::Switch(_))
    }
}

/// Input, output and the run itself. One line per flag: name, (placeholder, default,) help,
/// and where the value goes.
#[rustfmt::skip]
const GENERAL: &[Flag] = &[
    Flag::value("capacity", "N", "required", "The maximum memory capacity (an upper limit with --minimize).", |o, v| parse_capacity(v).map(|c| o.capacity = Some(c))),
    Flag::switch("minimize", "Finds the lowest height instead, with a lower bound and the gap.", |o| &mut o.minimize),
    Flag::value("input", "PATH", "-", "The path to the input CSV file; - reads stdin.", |o, v| parse_path(v, "stdin").map(|p| o.input = p)),
    Flag::value("output", "PATH", "-", "The path to the output CSV file; - writes stdout.", |o, v| parse_path(v, "stdout").map(|p| o.output = p)),
    Flag::value("timeout", "DURATION", "inf", "The time limit: 10s, 500ms, 1m30s, 3 (seconds) or inf; 10s with --minimize.", |o, v| parse_timeout(v).map(|t| { o.timeout = t; o.timeout_given = true; })),
    Flag::switch("validate", "Validates the solver's output.", |o| &mut o.validate),
    Flag::value("threads", "N", "1", "Threads, up to the machine's cores: one per ordering (per heuristic pass with --minimize).", |o, v| parse_threads(v).map(|n| o.threads = n)),
];

/// The search's techniques and orderings, as in MiniMalloc.
#[rustfmt::skip]
const TECHNIQUES: &[Flag] = &[
    Flag::switch("canonical_only", "Explores canonical solutions only.", |o| &mut o.params.canonical_only),
    Flag::switch("section_inference", "Performs advanced inference.", |o| &mut o.params.section_inference),
    Flag::switch("dynamic_ordering", "Dynamically orders buffers.", |o| &mut o.params.dynamic_ordering),
    Flag::switch("check_dominance", "Checks for dominated solutions that leave gaps in the allocation.", |o| &mut o.params.check_dominance),
    Flag::switch("unallocated_floor", "Uses min offsets to establish lower bounds on section floors.", |o| &mut o.params.unallocated_floor),
    Flag::switch("static_preordering", "Statically preorders buffers.", |o| &mut o.params.static_preordering),
    Flag::switch("dynamic_decomposition", "Dynamically decomposes buffers.", |o| &mut o.params.dynamic_decomposition),
    Flag::switch("monotonic_floor", "Requires the solution floor to increase monotonically.", |o| &mut o.params.monotonic_floor),
    Flag::switch("hatless_pruning", "Prunes alternate solutions whenever a buffer has nothing overhead.", |o| &mut o.params.hatless_pruning),
    Flag::value("preordering_heuristics", "LIST", "WAT,TAW,TWA", "Static preordering heuristics to attempt (keys below).", |o, v| parse_orderings(v).map(|h| o.params.preordering_heuristics = h)),
];

/// Names that ask for the usage text (absl's `--helpfull` and `--helpshort` included).
const HELP: [&str; 4] = ["help", "h", "helpfull", "helpshort"];
const VERSION: &str = "version";

fn flags() -> impl Iterator<Item = &'static Flag> {
    GENERAL.iter().chain(TECHNIQUES)
}

/// A name as found on the command line: a flag, the `no` form of a switch, or neither.
enum Found {
    Flag(&'static Flag),
    Negated(&'static Flag),
    Help,
    Version,
    Unknown,
}

fn find(name: &str) -> Found {
    if HELP.contains(&name) {
        return Found::Help;
    }
    if name == VERSION {
        return Found::Version;
    }
    if let Some(flag) = flags().find(|flag| flag.name == name) {
        return Found::Flag(flag);
    }
    match name
        .strip_prefix("no")
        .and_then(|n| flags().find(|flag| flag.name == n))
    {
        Some(flag) => Found::Negated(flag),
        None => Found::Unknown,
    }
}

/// `arg` without its one or two leading dashes, when it is a flag; `-`, `--` and
/// anything not starting with a dash are not.
fn flag_body(arg: &str) -> Option<&str> {
    let body = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-'))?;
    (!body.is_empty()).then_some(body)
}

/// Whether `arg` is a flag this tool knows (with or without a value), so that it cannot be
/// the value of the flag before it.
fn is_known_flag(arg: &str) -> bool {
    flag_body(arg).is_some_and(|body| {
        let name = body.split_once('=').map_or(body, |(name, _)| name);
        !matches!(find(name), Found::Unknown)
    })
}

/// Parses the arguments after the program name.
pub(crate) fn parse<I>(args: I) -> Result<Command, UsageError>
where
    I: IntoIterator,
    I::Item: Into<String>,
{
    let args: Vec<String> = args.into_iter().map(Into::into).collect();
    let flags_end = args.iter().position(|a| a == "--").unwrap_or(args.len());
    // Help and version win wherever they are, as long as they are flags and take no value.
    let early = |names: &[&str]| {
        args[..flags_end]
            .iter()
            .any(|a| flag_body(a).is_some_and(|body| names.contains(&body)))
    };
    if early(&HELP) {
        return Ok(Command::Help);
    }
    if early(&[VERSION]) {
        return Ok(Command::Version);
    }

    let mut options = Options::default();
    // The values given so far, by flag, to refuse a second one.
    let mut given: Vec<(&str, &str)> = Vec::new();
    // The switch just set without `=`, to explain a following `true` or `false`.
    let mut last_switch: Option<&str> = None;
    let mut rest = args[..flags_end].iter();
    while let Some(arg) = rest.next() {
        let switch_before = last_switch.take();
        let Some(body) = flag_body(arg) else {
            return Err(unexpected(arg, switch_before));
        };
        let (name, value) = match body.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (body, None),
        };
        // The flag as the user wrote it, dashes included, for messages.
        let written = &arg[..arg.len() - body.len() + name.len()];
        match find(name) {
            Found::Flag(Flag {
                kind: Kind::Switch(field),
                ..
            }) => match value {
                None => {
                    *field(&mut options) = true;
                    last_switch = Some(name);
                }
                Some(value) => {
                    *field(&mut options) =
                        parse_bool(value).map_err(|e| UsageError(format!("{written}: {e}")))?;
                }
            },
            Found::Negated(
                flag @ Flag {
                    kind: Kind::Switch(field),
                    ..
                },
            ) => {
                if value.is_some() {
                    return Err(UsageError(format!(
                        "{written} takes no value; write --{}=true or --{0}=false",
                        flag.name
                    )));
                }
                *field(&mut options) = false;
            }
            Found::Negated(flag) => {
                return Err(UsageError(format!(
                    "unknown flag {written}: --{} is not a boolean flag, so it has no \"no\" form",
                    flag.name
                )))
            }
            Found::Flag(
                flag @ Flag {
                    kind:
                        Kind::Value {
                            placeholder, set, ..
                        },
                    ..
                },
            ) => {
                let value = match value {
                    Some(value) => value,
                    None => match rest.as_slice().first() {
                        Some(next) if !is_known_flag(next) => {
                            rest.next();
                            next.as_str()
                        }
                        next => {
                            let after = next
                                .map(|n| format!(" (found the flag {n} after it)"))
                                .unwrap_or_default();
                            return Err(UsageError(format!(
                                "{written} needs a value, as in --{}={placeholder}{after}",
                                flag.name
                            )));
                        }
                    },
                };
                if let Some((_, first)) = given.iter().find(|(name, _)| *name == flag.name) {
                    return Err(UsageError(format!(
                        "--{} is given twice, as {first:?} and {value:?}: give it once",
                        flag.name
                    )));
                }
                given.push((flag.name, value));
                set(&mut options, value).map_err(|e| UsageError(format!("{written}: {e}")))?;
            }
            // Only reached with a value: the bare forms were handled before the loop.
            Found::Help | Found::Version => {
                return Err(UsageError(format!("{written} takes no value")));
            }
            Found::Unknown => {
                let hint = suggest(name)
                    .map(|s| format!(" (did you mean --{s}?)"))
                    .unwrap_or_default();
                return Err(UsageError(format!("unknown flag {written}{hint}")));
            }
        }
    }
    if let Some(extra) = args.get(flags_end + 1) {
        return Err(unexpected(extra, None));
    }
    if options.capacity.is_none() && !options.minimize {
        return Err(UsageError(
            "--capacity is required: the memory size, as in --capacity=1048576 (or \
             --minimize to find the smallest)"
                .to_string(),
        ));
    }
    Ok(Command::Run(options))
}

/// The error for an argument that is not a flag; MiniMalloc takes none.
fn unexpected(arg: &str, switch_before: Option<&str>) -> UsageError {
    match switch_before {
        Some(switch) if parse_bool(arg).is_ok() => UsageError(format!(
            "unexpected argument {arg:?}: a boolean flag takes its value after '=', \
             as in --{switch}={arg}"
        )),
        _ => UsageError(format!(
            "unexpected argument {arg:?}: this tool takes only flags, such as --input={arg}"
        )),
    }
}

/// The known flag `name` most likely meant: dashes for underscores, or a typo or two.
fn suggest(name: &str) -> Option<String> {
    let name = name.replace('-', "_");
    let candidates = || {
        flags()
            .map(|flag| flag.name.to_string())
            .chain(
                flags()
                    .filter(|flag| flag.is_switch())
                    .map(|flag| format!("no{}", flag.name)),
            )
            .chain(HELP.iter().chain(&[VERSION]).map(|n| n.to_string()))
    };
    candidates()
        .map(|candidate| (edit_distance(&name, &candidate), candidate))
        .filter(|(distance, candidate)| *distance <= 2.min(candidate.len() / 3))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// absl's booleans: `1 t true y yes` and `0 f false n no`, any case, blanks around ignored.
fn parse_bool(text: &str) -> Result<bool, String> {
    let word = text.trim().to_ascii_lowercase();
    match word.as_str() {
        "1" | "t" | "true" | "y" | "yes" => Ok(true),
        "0" | "f" | "false" | "n" | "no" => Ok(false),
        _ => Err(format!(
            "expected true or false (or 1/0, yes/no), found {text:?}"
        )),
    }
}

/// absl's integers: an optional sign, then decimal digits or `0x` and hex digits, blanks
/// around ignored. `None` when that is not what `text` holds or it is out of `i128`.
fn parse_integer(text: &str) -> Option<i128> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (radix, digits) = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => (16, hex),
        None => (10, digits),
    };
    // `from_str_radix` would take a second sign.
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(digits, radix).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

fn parse_orderings(text: &str) -> Result<Vec<Preordering>, String> {
    parse_preorderings(text).map_err(|e| e.to_string())
}

fn parse_capacity(text: &str) -> Result<Offset, String> {
    parse_integer(text)
        .filter(|c| (0..=i128::from(MAX_MAGNITUDE)).contains(c))
        .and_then(|c| Offset::try_from(c).ok())
        .ok_or_else(|| format!("expected an integer in 0..={MAX_MAGNITUDE}, found {text:?}"))
}

fn parse_threads(text: &str) -> Result<usize, String> {
    parse_integer(text)
        .filter(|&n| n >= 1)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| format!("expected a positive number of threads, found {text:?}"))
}

/// A path, or `None` for `-` (the standard stream `stream`).
fn parse_path(text: &str, stream: &str) -> Result<Option<String>, String> {
    match text {
        "" => Err(format!(
            "expected a path, or - for {stream}, found an empty value"
        )),
        "-" => Ok(None),
        path => Ok(Some(path.to_string())),
    }
}

/// The usage text's opening, after the first line.
const INTRO: &str = "\
Packs buffers into a memory of fixed capacity so that buffers live at the same
time never overlap: a drop-in replacement for MiniMalloc's command line.

Usage: bufpack --capacity=N [--input=in.csv] [--output=out.csv] [--timeout=10s] [flags]
       bufpack --minimize [--capacity=LIMIT] [--input=in.csv] [--output=out.csv] [flags]

Reads buffers as CSV (id,lower,upper,size; optional alignment, hint, offset and
gaps columns) and writes them back in input order with a final offset column.
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
Each key string, such as WAT, is one search; the first to decide wins.

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

Exit status: 0 solved (with --minimize: a packing found, optimal or not);
1 no packing: infeasible, undecided or timed out; 2 bad input or usage, or
an output that cannot be written; 130 (SIGINT) or 143 (SIGTERM) stopped by
that signal, after writing the best packing found, if any.
";

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
    section(
        "Search techniques (MiniMalloc's; all on by default)",
        TECHNIQUES,
    );
    out.push_str(OUTRO);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Options {
        match parse(args.iter().copied()) {
            Ok(Command::Run(options)) => options,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    fn error(args: &[&str]) -> String {
        match parse(args.iter().copied()) {
            Err(UsageError(message)) => message,
            other => panic!("{args:?} should fail: {other:?}"),
        }
    }

    fn with_capacity(extra: &[&str]) -> Options {
        let mut args = vec!["--capacity=12"];
        args.extend_from_slice(extra);
        run(&args)
    }

    #[test]
    fn defaults_are_minimallocs() {
        let options = run(&["--capacity=12"]);
        assert_eq!(
            options,
            Options {
                capacity: Some(12),
                ..Options::default()
            }
        );
        assert_eq!(options.params, SolverParams::default());
        assert_eq!(options.threads, 1);
        assert_eq!(options.timeout, None);
        assert!(!options.validate);
    }

    #[test]
    fn value_forms() {
        for args in [
            &["--capacity=12"][..],
            &["--capacity", "12"],
            &["-capacity=12"],
            &["-capacity", "12"],
            &["--capacity= 12 "],
            &["--capacity=+12"],
            &["--capacity=0xC"],
            &["--capacity=0X0c"],
            &["--capacity=012"],
        ] {
            assert_eq!(run(args).capacity, Some(12), "{args:?}");
        }
        assert_eq!(run(&["--capacity=0"]).capacity, Some(0));
        let max = MAX_MAGNITUDE.to_string();
        assert_eq!(run(&["--capacity", &max]).capacity, Some(MAX_MAGNITUDE));
    }

    #[test]
    fn paths_and_standard_streams() {
        let options = with_capacity(&["--input=in.csv", "--output", "out.csv"]);
        assert_eq!(options.input.as_deref(), Some("in.csv"));
        assert_eq!(options.output.as_deref(), Some("out.csv"));
        let options = with_capacity(&["--input", "-", "--output=-"]);
        assert_eq!((options.input, options.output), (None, None));
        let options = with_capacity(&["--input=a=b.csv"]);
        assert_eq!(
            options.input.as_deref(),
            Some("a=b.csv"),
            "split at the first '='"
        );
        let options = with_capacity(&["--input", "--weird.csv"]);
        assert_eq!(
            options.input.as_deref(),
            Some("--weird.csv"),
            "not a known flag"
        );
    }

    #[test]
    fn switch_forms() {
        let validate = |extra: &[&str]| with_capacity(extra).validate;
        assert!(validate(&["--validate"]));
        assert!(validate(&["-validate"]));
        assert!(!validate(&["--validate", "--novalidate"]));
        assert!(!validate(&["-novalidate"]));
        for yes in ["true", "TRUE", "t", "yes", "Y", "1", " true "] {
            assert!(validate(&[&format!("--validate={yes}")]), "{yes}");
        }
        for no in ["false", "False", "f", "no", "N", "0"] {
            assert!(
                !validate(&["--validate", &format!("--validate={no}")]),
                "{no}"
            );
        }
    }

    #[test]
    fn every_technique_maps_to_its_field() {
        let all_off = [
            "--nocanonical_only",
            "--nosection_inference",
            "--nodynamic_ordering",
            "--nocheck_dominance",
            "--nounallocated_floor",
            "--nostatic_preordering",
            "--nodynamic_decomposition",
            "--nomonotonic_floor",
            "--nohatless_pruning",
        ];
        assert_eq!(with_capacity(&all_off).params, SolverParams::all_off());
        // Each flag alone turns off its own field and nothing else.
        for (index, flag) in all_off.iter().enumerate() {
            let params = with_capacity(&[flag]).params;
            let fields = |p: &SolverParams| {
                [
                    p.canonical_only,
                    p.section_inference,
                    p.dynamic_ordering,
                    p.check_dominance,
                    p.unallocated_floor,
                    p.static_preordering,
                    p.dynamic_decomposition,
                    p.monotonic_floor,
                    p.hatless_pruning,
                ]
            };
            let mut expected = [true; 9];
            expected[index] = false;
            assert_eq!(fields(&params), expected, "{flag}");
            let off_then_on = with_capacity(&[flag, &format!("--{}=true", &flag[4..])]).params;
            assert_eq!(off_then_on, SolverParams::default(), "{flag}");
        }
        assert!(
            !with_capacity(&["--canonical_only=false"])
                .params
                .canonical_only
        );
        assert!(!with_capacity(&["--canonical_only=0"]).params.canonical_only);
    }

    #[test]
    fn timeout_threads_and_orderings() {
        let options = with_capacity(&["--timeout=1m30s", "--threads", "3"]);
        assert_eq!(options.timeout, Some(Duration::from_secs(90)));
        assert_eq!(options.threads, 3);
        assert_eq!(
            with_capacity(&["--timeout", "500ms"]).timeout,
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            with_capacity(&["--timeout=0"]).timeout,
            Some(Duration::ZERO)
        );
        assert_eq!(with_capacity(&["--timeout=inf"]).timeout, None);
        let orderings = with_capacity(&["--preordering_heuristics=TWA,Z"])
            .params
            .preordering_heuristics;
        let text: Vec<String> = orderings.iter().map(ToString::to_string).collect();
        assert_eq!(text, ["TWA", "Z"]);
    }

    #[test]
    fn help_and_version() {
        for args in [
            &["--help"][..],
            &["-h"],
            &["-help"],
            &["--helpfull"],
            &["--bogus", "--help"],
            &["--capacity=x", "-h"],
            &["--version", "--help"],
        ] {
            assert_eq!(parse(args.iter().copied()), Ok(Command::Help), "{args:?}");
        }
        assert_eq!(parse(["--version"]), Ok(Command::Version));
        assert_eq!(parse(["--capacity=1", "-version"]), Ok(Command::Version));
        // After `--`, nothing is a flag.
        assert!(parse(["--capacity=1", "--", "--help"]).is_err());
    }

    #[test]
    fn usage_errors_say_what_is_wrong() {
        let cases: &[(&[&str], &str)] = &[
            (&[], "--capacity is required: the memory size, as in --capacity=1048576 (or --minimize to find the smallest)"),
            (&["--input=a.csv"], "--capacity is required: the memory size, as in --capacity=1048576 (or --minimize to find the smallest)"),
            (&["--capacity=12", "--bogus"], "unknown flag --bogus"),
            (&["--capacity=12", "-bogus=3"], "unknown flag -bogus"),
            (&["--capacity=12", "---capacity=3"], "unknown flag ---capacity (did you mean --capacity?)"),
            (&["--capacity=12", "--canonical-only"], "unknown flag --canonical-only (did you mean --canonical_only?)"),
            (&["--capacity=12", "--no-validate"], "unknown flag --no-validate (did you mean --novalidate?)"),
            (&["--capacity=12", "--timout=3s"], "unknown flag --timout (did you mean --timeout?)"),
            (&["--capacity=12", "--noinput"], "unknown flag --noinput: --input is not a boolean flag, so it has no \"no\" form"),
            (&["--capacity"], "--capacity needs a value, as in --capacity=N"),
            (&["--input", "--capacity=3"], "--input needs a value, as in --input=PATH (found the flag --capacity=3 after it)"),
            (&["--capacity=12", "--output", "-h=2"], "--output needs a value, as in --output=PATH (found the flag -h=2 after it)"),
            (&["--capacity=abc"], "--capacity: expected an integer in 0..=9007199254740991, found \"abc\""),
            (&["--capacity="], "--capacity: expected an integer in 0..=9007199254740991, found \"\""),
            (&["--capacity=-1"], "--capacity: expected an integer in 0..=9007199254740991, found \"-1\""),
            (&["--capacity=12.5"], "--capacity: expected an integer in 0..=9007199254740991, found \"12.5\""),
            (&["--capacity=9007199254740992"], "--capacity: expected an integer in 0..=9007199254740991, found \"9007199254740992\""),
            (&["--capacity=0x"], "--capacity: expected an integer in 0..=9007199254740991, found \"0x\""),
            (&["--capacity=+-3"], "--capacity: expected an integer in 0..=9007199254740991, found \"+-3\""),
            (&["-capacity=1e3"], "-capacity: expected an integer in 0..=9007199254740991, found \"1e3\""),
            (&["--capacity=12", "--threads=0"], "--threads: expected a positive number of threads, found \"0\""),
            (&["--capacity=12", "--threads=two"], "--threads: expected a positive number of threads, found \"two\""),
            (&["--capacity=12", "--timeout=10x"], "--timeout: expected a duration such as 10s, 500ms, 1m30s, 3 (seconds) or inf, found \"10x\""),
            (&["--capacity=12", "--timeout", "-1s"], "--timeout: expected a non-negative duration, found \"-1s\""),
            (&["--capacity=12", "--validate=maybe"], "--validate: expected true or false (or 1/0, yes/no), found \"maybe\""),
            (&["--capacity=12", "--validate="], "--validate: expected true or false (or 1/0, yes/no), found \"\""),
            (&["--capacity=12", "--novalidate=true"], "--novalidate takes no value; write --validate=true or --validate=false"),
            (&["--capacity=12", "--validate", "false"], "unexpected argument \"false\": a boolean flag takes its value after '=', as in --validate=false"),
            (&["--capacity=12", "in.csv"], "unexpected argument \"in.csv\": this tool takes only flags, such as --input=in.csv"),
            (&["--capacity=12", "-"], "unexpected argument \"-\": this tool takes only flags, such as --input=-"),
            (&["--capacity=12", "--", "x"], "unexpected argument \"x\": this tool takes only flags, such as --input=x"),
            (&["--capacity=12", "--input="], "--input: expected a path, or - for stdin, found an empty value"),
            (&["--capacity=12", "--output="], "--output: expected a path, or - for stdout, found an empty value"),
            (&["--capacity=12", "--preordering_heuristics="], "--preordering_heuristics: empty key string in the preordering list"),
            (&["--capacity=12", "--preordering_heuristics=WAT,"], "--preordering_heuristics: empty key string in the preordering list"),
            (&["--capacity=12", "--preordering_heuristics", "WXT"], "--preordering_heuristics: unknown key 'X' in preordering \"WXT\": use A, C, L, O, T, U, W or Z"),
            (&["--capacity=12", "--help=all"], "--help takes no value"),
            (&["--capacity=12", "--version=1"], "--version takes no value"),
            (&["--capacity=1", "--capacity=12"], "--capacity is given twice, as \"1\" and \"12\": give it once"),
            (&["-capacity=1", "--capacity", "1"], "--capacity is given twice, as \"1\" and \"1\": give it once"),
            (&["--capacity=1", "--timeout=2", "--timeout=inf"], "--timeout is given twice, as \"2\" and \"inf\": give it once"),
            (&["--minimize", "--input", "a.csv", "--input=-"], "--input is given twice, as \"a.csv\" and \"-\": give it once"),
            (&["--minimize", "--threads=2", "--threads=two"], "--threads is given twice, as \"2\" and \"two\": give it once"),
            (&["--minimize", "--preordering_heuristics=WAT", "--preordering_heuristics=TWA"], "--preordering_heuristics is given twice, as \"WAT\" and \"TWA\": give it once"),
        ];
        for (args, expected) in cases {
            assert_eq!(error(args), *expected, "{args:?}");
        }
    }

    #[test]
    fn minimize_needs_no_capacity_and_notes_an_explicit_timeout() {
        let options = run(&["--minimize"]);
        assert!(options.minimize);
        assert_eq!(options.capacity, None);
        assert!(!options.timeout_given);
        let options = run(&["--minimize", "--capacity=100", "--timeout=inf"]);
        assert_eq!(options.capacity, Some(100));
        assert_eq!((options.timeout, options.timeout_given), (None, true));
    }

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
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("timout", "timeout"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(suggest("zzz"), None);
    }
}
