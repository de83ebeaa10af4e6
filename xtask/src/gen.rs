//! `cargo xtask gen`: writes seeded benchmark instances as CSV.
//!
//! The generators themselves live in `bufpack_tests::generate`, shared with the tests; this
//! module only parses options, names files and reports each instance's load, the lower bound
//! any packing's height must reach.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use bufpack::{write_problem, Offset, Problem, MAX_MAGNITUDE};
use bufpack_tests::generate::{self, Rng};

use crate::args::Args;

pub(crate) const SUMMARY: &str =
    "write seeded benchmark instances (ML-like traces, perfect packings)";

pub(crate) const USAGE: &str = "\
Usage: cargo xtask gen --family NAME --buffers N [--seed S] [--out FILE]
                       [--height H --duration D]
       cargo xtask gen --suite DIR

Writes one generated problem as CSV (id,lower,upper,size, and alignment when
some buffer asks for one) to FILE or stdout, and one line to stderr:
  gen: NAME seed=S buffers=COUNT load=L
where load is the largest total size live at one instant, which no packing's
height can be below.

Families:
  cnn           ResNet-like inference: residual blocks whose skip tensors live
                across the block, short workspaces, a few constants
  training      one training step: activations held until their backward op,
                weight gradients until the optimizer step at the end
  transformer   attention and MLP layers around a residual stream, large
                short-lived attention scores, sometimes KV caches
  mixed         2 to 5 of the above one after another, plus buffers handed
                from one to a later one
  huge          a long trace of mostly short lifetimes, exactly N buffers
                (a million in well under a second)
  rect          an H x D rectangle cut into N pieces: the optimum height is
                exactly H (capacity H)
Times are op indices and sizes bytes; every family but rect has capacity
2^53-1 (unbounded: the question is the peak). The trace families return N to
N+20 buffers (mixed: up to N+109), a few percent aligned to 256 or 4096.

Options:
  --family NAME     one of the families above
  --buffers N       how many buffers (at most 10000000)
  --seed S          the generator's seed [default: 1]
  --out FILE        write the CSV here instead of stdout
  --height H        rect only: the rectangle's height [default: 1048576]
  --duration D      rect only: the rectangle's length in time [default: 1000]
  --suite DIR       write the benchmark suite to DIR (created if missing)
                    instead; takes no other option
  -h, --help        print this help

The suite, all with seed 1: cnn, training, transformer and mixed at 1000,
10000 and 60000 buffers (cnn-1000.csv, ..., mixed-60000.csv), huge-1000000.csv,
and rect-200.csv and rect-2000.csv (1048576 x 1000; solve them with
--capacity=1048576). It prints one line per file on stdout: name, buffers,
load; and the time taken on stderr.";

/// More than this many buffers is almost certainly a typo, and would take gigabytes.
const MAX_BUFFERS: usize = 10_000_000;

const DEFAULT_HEIGHT: Offset = 1 << 20;
const DEFAULT_DURATION: i64 = 1000;

/// The generator families, by their command-line names.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Family {
    Cnn,
    Training,
    Transformer,
    Mixed,
    Huge,
    Rect,
}

impl Family {
    const ALL: [Family; 6] = [
        Family::Cnn,
        Family::Training,
        Family::Transformer,
        Family::Mixed,
        Family::Huge,
        Family::Rect,
    ];

    fn name(self) -> &'static str {
        match self {
            Family::Cnn => "cnn",
            Family::Training => "training",
            Family::Transformer => "transformer",
            Family::Mixed => "mixed",
            Family::Huge => "huge",
            Family::Rect => "rect",
        }
    }

    fn parse(raw: &str) -> Result<Family, String> {
        let raw = raw.trim();
        Family::ALL
            .into_iter()
            .find(|family| family.name() == raw)
            .ok_or_else(|| {
                let names: Vec<_> = Family::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "option `--family`: unknown family `{raw}` (expected one of {})",
                    names.join(", ")
                )
            })
    }
}

/// Everything that decides one generated instance.
#[derive(Clone, Debug, PartialEq)]
struct Spec {
    family: Family,
    buffers: usize,
    seed: u64,
    /// The rectangle, for `rect` only.
    height: Offset,
    duration: i64,
}

impl Spec {
    fn generate(&self) -> Problem {
        let rng = &mut Rng::new(self.seed);
        let n = self.buffers;
        match self.family {
            Family::Cnn => generate::inference_cnn(rng, n),
            Family::Training => generate::training(rng, n),
            Family::Transformer => generate::transformer(rng, n),
            Family::Mixed => generate::mixed(rng, n),
            Family::Huge => generate::huge(rng, n),
            Family::Rect => generate::cut_rectangle(rng, n, self.height, self.duration),
        }
    }
}

/// What one invocation asks for.
#[derive(Debug, PartialEq)]
enum Request {
    One { spec: Spec, out: Option<PathBuf> },
    Suite(PathBuf),
}

/// Parses the command's arguments; `Ok(None)` means help was asked for.
fn parse(argv: Vec<String>) -> Result<Option<Request>, String> {
    let args = Args::parse(
        argv,
        &[
            "family", "buffers", "seed", "out", "height", "duration", "suite",
        ],
        &["help"],
    )?;
    if args.flag("help") {
        return Ok(None);
    }
    args.no_positional()?;
    if let Some(dir) = args.value("suite") {
        if let Some(other) = ["family", "buffers", "seed", "out", "height", "duration"]
            .into_iter()
            .find(|name| args.value(name).is_some())
        {
            return Err(format!("option `--{other}` cannot be used with `--suite`"));
        }
        return Ok(Some(Request::Suite(PathBuf::from(dir))));
    }
    let family = Family::parse(
        args.value("family")
            .ok_or("option `--family` is required (or `--suite DIR`)")?,
    )?;
    let raw_buffers = args
        .value("buffers")
        .ok_or("option `--buffers` is required")?;
    let buffers = args.parsed_or("buffers", 0usize)?;
    if buffers > MAX_BUFFERS {
        return Err(format!(
            "option `--buffers`: {raw_buffers} is more than {MAX_BUFFERS}"
        ));
    }
    if family != Family::Rect {
        if let Some(name) = ["height", "duration"]
            .into_iter()
            .find(|name| args.value(name).is_some())
        {
            return Err(format!("option `--{name}` applies to `--family rect` only"));
        }
    }
    let spec = Spec {
        family,
        buffers,
        seed: args.parsed_or("seed", 1u64)?,
        height: positive(&args, "height", DEFAULT_HEIGHT)?,
        duration: positive(&args, "duration", DEFAULT_DURATION)?,
    };
    let out = args.value("out").map(PathBuf::from);
    Ok(Some(Request::One { spec, out }))
}

/// The value of `--name` in `1..=MAX_MAGNITUDE`, or `default`.
fn positive(args: &Args, name: &str, default: i64) -> Result<i64, String> {
    let value = args.parsed_or(name, default)?;
    if (1..=MAX_MAGNITUDE).contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "option `--{name}`: {value} is not in 1..={MAX_MAGNITUDE}"
        ))
    }
}

/// The benchmark suite: file name and spec of each instance.
fn suite() -> Vec<(String, Spec)> {
    let spec = |family, buffers| Spec {
        family,
        buffers,
        seed: 1,
        height: DEFAULT_HEIGHT,
        duration: DEFAULT_DURATION,
    };
    let mut files = Vec::new();
    for family in [
        Family::Cnn,
        Family::Training,
        Family::Transformer,
        Family::Mixed,
    ] {
        for buffers in [1000, 10_000, 60_000] {
            files.push(spec(family, buffers));
        }
    }
    files.push(spec(Family::Huge, 1_000_000));
    files.push(spec(Family::Rect, 200));
    files.push(spec(Family::Rect, 2000));
    files
        .into_iter()
        .map(|s| (format!("{}-{}.csv", s.family.name(), s.buffers), s))
        .collect()
}

/// The largest total size live at one instant: a sweep over the start and end of every piece
/// a buffer occupies (so gaps count as they should), sorted by time, O(n log n).
///
/// At equal times ends sort before starts (a negative change before a positive one), as
/// lifespans are half-open: `[0,3)` and `[3,9)` are never live together.
fn max_load(problem: &Problem) -> Offset {
    let mut events: Vec<(i64, Offset)> = Vec::with_capacity(2 * problem.buffers.len());
    for buffer in &problem.buffers {
        for piece in buffer.pieces() {
            let size = piece.top - piece.bottom;
            events.push((piece.time.lower, size));
            events.push((piece.time.upper, -size));
        }
    }
    events.sort_unstable();
    let mut live = 0;
    let mut peak = 0;
    for (_, change) in events {
        live += change;
        peak = peak.max(live);
    }
    peak
}

/// Writes `text` to `path`, or to stdout without a path.
fn write_text(path: Option<&Path>, text: &str) -> Result<(), String> {
    match path {
        Some(path) => std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| format!("stdout: {e}"))
        }
    }
}

pub(crate) fn run(_root: &Path, argv: Vec<String>) -> Result<(), String> {
    let Some(request) = parse(argv)? else {
        println!("{USAGE}");
        return Ok(());
    };
    match request {
        Request::One { spec, out } => {
            let problem = spec.generate();
            write_text(out.as_deref(), &write_problem(&problem))?;
            let capacity = match spec.family {
                Family::Rect => format!(" capacity={}", problem.capacity),
                _ => String::new(),
            };
            eprintln!(
                "gen: {} seed={} buffers={} load={}{capacity}",
                spec.family.name(),
                spec.seed,
                problem.buffers.len(),
                max_load(&problem)
            );
            Ok(())
        }
        Request::Suite(dir) => {
            let started = Instant::now();
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let files = suite();
            for (name, spec) in &files {
                let problem = spec.generate();
                write_text(Some(&dir.join(name)), &write_problem(&problem))?;
                println!(
                    "{name:<22} buffers={:<8} load={}",
                    problem.buffers.len(),
                    max_load(&problem)
                );
            }
            eprintln!(
                "gen: wrote {} files to {} in {:.1} s",
                files.len(),
                dir.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bufpack::Buffer;

    fn argv(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    fn one(args: &[&str]) -> Spec {
        match parse(argv(args)) {
            Ok(Some(Request::One { spec, .. })) => spec,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    #[test]
    fn options() {
        let spec = one(&["--family", "training", "--buffers=500"]);
        assert_eq!(
            spec,
            Spec {
                family: Family::Training,
                buffers: 500,
                seed: 1,
                height: DEFAULT_HEIGHT,
                duration: DEFAULT_DURATION,
            }
        );
        let spec = one(&[
            "--family=rect",
            "--buffers=9",
            "--seed=7",
            "--height=5",
            "--duration=3",
        ]);
        assert_eq!((spec.seed, spec.height, spec.duration), (7, 5, 3));
        assert_eq!(
            parse(argv(&["--family=huge", "--buffers=3", "--out", "x.csv"])),
            Ok(Some(Request::One {
                spec: Spec {
                    family: Family::Huge,
                    buffers: 3,
                    seed: 1,
                    height: DEFAULT_HEIGHT,
                    duration: DEFAULT_DURATION,
                },
                out: Some(PathBuf::from("x.csv"))
            }))
        );
        assert_eq!(
            parse(argv(&["--suite", "bench"])),
            Ok(Some(Request::Suite(PathBuf::from("bench"))))
        );
        assert_eq!(parse(argv(&["--family=frob", "-h"])), Ok(None));
        for family in Family::ALL {
            assert_eq!(Family::parse(family.name()), Ok(family));
        }
    }

    #[test]
    fn bad_options() {
        for (bad, expected) in [
            (&["--buffers=5"][..], "`--family` is required"),
            (&["--family=cnn"], "`--buffers` is required"),
            (&["--family=gpt", "--buffers=5"], "unknown family `gpt`"),
            (&["--family=cnn", "--buffers=-1"], "cannot parse `-1`"),
            (&["--family=cnn", "--buffers=20000000"], "more than"),
            (
                &["--family=cnn", "--buffers=5", "--height=4"],
                "`--family rect` only",
            ),
            (
                &["--family=rect", "--buffers=5", "--height=0"],
                "not in 1..=",
            ),
            (
                &["--family=rect", "--buffers=5", "--duration=x"],
                "cannot parse",
            ),
            (&["--suite=d", "--seed=2"], "cannot be used with `--suite`"),
            (
                &["--family=cnn", "--buffers=5", "stray"],
                "unexpected argument",
            ),
        ] {
            let error = parse(argv(bad)).unwrap_err();
            assert!(error.contains(expected), "{bad:?}: {error}");
        }
    }

    #[test]
    fn load_is_the_peak_of_live_sizes() {
        let problem = Problem::new(
            vec![
                Buffer::new("a", 0, 3, 4),
                Buffer::new("b", 3, 9, 5), // touches a, never overlaps it
                Buffer::new("c", 2, 5, 2),
                Buffer::new("d", 4, 8, 3).with_gap(4, 6, None),
                Buffer::new("e", 5, 7, 10).with_gap(5, 6, Some((2, 5))),
            ],
            100,
        );
        // t=5: b 5 + d nothing (gap) + e window 3 = 8; t=6: b 5 + d 3 + e 10 = 18.
        assert_eq!(max_load(&problem), 18);
        assert_eq!(max_load(&Problem::new(Vec::new(), 1)), 0);
    }

    #[test]
    fn rectangles_load_their_height() {
        let spec = one(&["--family=rect", "--buffers=300", "--height=77"]);
        assert_eq!(max_load(&spec.generate()), 77);
    }

    #[test]
    fn suite_names() {
        let names: Vec<String> = suite().into_iter().map(|(name, _)| name).collect();
        assert_eq!(names.len(), 15);
        assert!(names.contains(&"training-10000.csv".to_string()));
        assert!(names.contains(&"huge-1000000.csv".to_string()));
        assert!(names.contains(&"rect-2000.csv".to_string()));
    }

    #[test]
    fn writes_a_readable_file() {
        let path = std::env::temp_dir().join(format!("xtask-gen-{}.csv", std::process::id()));
        let path_arg = path.display().to_string();
        let root = Path::new(".");
        let args = [
            "--family=mixed",
            "--buffers=300",
            "--seed=4",
            "--out",
            &path_arg,
        ];
        run(root, argv(&args)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        let read = bufpack::read_problem(&text, MAX_MAGNITUDE).unwrap();
        let spec = one(&args);
        assert_eq!(read, spec.generate());
    }
}
