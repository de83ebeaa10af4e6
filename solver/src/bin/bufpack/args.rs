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
//! entry of the tables in `flags.rs`; the values are read by `values.rs`.

use std::fmt;

pub(crate) use crate::flags::Options;
use crate::flags::{flags, Flag, Kind, HELP, VERSION};
use crate::values::parse_bool;

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

/// A command line that cannot be run; the message says what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UsageError(pub(crate) String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bufpack::{SolverParams, MAX_MAGNITUDE};

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
            "--nocanonical_floor",
            "--nofill_holes",
            "--noledges",
            "--noordered_stacks",
            "--nolimited_discrepancy",
            "--noflat_load",
            "--norelease_floors",
            "--noaligned_stacks",
            "--notime_orderings",
            "--nohandovers",
            "--nowiden_windows",
            "--nopeak_windows",
            "--nolayers",
            "--nohot_parts",
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
                    p.canonical_floor,
                    p.fill_holes,
                    p.ledges,
                    p.ordered_stacks,
                    p.limited_discrepancy,
                    p.flat_load,
                    p.release_floors,
                    p.aligned_stacks,
                    p.time_orderings,
                    p.handovers,
                    p.widen_windows,
                    p.peak_windows,
                    p.layers,
                    p.hot_parts,
                ]
            };
            let mut expected = [true; 23];
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
    fn edit_distances() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("timout", "timeout"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(suggest("zzz"), None);
    }
}
