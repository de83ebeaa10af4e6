//! `cargo xtask bench`: times `bufpack` (and optionally a MiniMalloc binary)
//! on the challenging set A-K, or with `--minimize` asks bufpack for the lowest
//! height of each instance, and prints a Markdown report.
//!
//! This module holds the options, running a child against the clock and what
//! both modes share; `decision` and `minimize` are the two modes, `parse` reads
//! what the solvers print and `instances` finds the files.

mod decision;
mod instances;
mod minimize;
mod parse;
mod wasm;

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::args::{parse_list, split_list, split_words, Args};
use crate::machine;
use instances::{discover, select, Instance};

pub(crate) const SUMMARY: &str =
    "time bufpack (and optionally MiniMalloc) on A-K, its --minimize mode, or the npm package (--wasm)";

pub(crate) const USAGE: &str = "\
Usage: cargo xtask bench [OPTIONS]
       cargo xtask bench --minimize [OPTIONS]
       cargo xtask bench --wasm [OPTIONS]   (the npm package against native;
                                             see cargo xtask bench --wasm --help)

Times bufpack on tests/fixtures/challenging/<X>.<capacity>.csv (capacity from
the file name) and prints a Markdown report on stdout: machine info, then one
row per instance with the median wall time, backtracks and result per thread
count, then a totals row. Progress goes to stderr.

With --minimize, asks bufpack for the lowest height instead, each run being
  bufpack --minimize --validate --output=FILE --timeout=<SECS>s --threads=N
          [EXTRA-ARGS] --input=FILE
(no --capacity), and shows per thread count the median wall time and, of the
median run, the height, lower bound, gap, result (optimal, feasible or none),
peak memory and what found the packing; the totals row counts the optimal
results and gives the total time and the largest gap.

Options:
  --minimize            minimise the height, as above
  --dir DIR             take the instances from DIR: its <name>.<capacity>.csv
                        files; with --minimize any *.csv, named by the file
                        name without `.csv` (and without `.<capacity>`)
                        [default: tests/fixtures/challenging]
  --threads LIST        thread counts, one column group each [default: 1,2]
  --timeout SECS        per-run limit, passed as --timeout=<SECS>s [default: 60]
  --repeat N            runs per cell; the median wall time is shown [default: 3]
  --instances LIST      e.g. A,C,K or cnn-1000,rect-200 [default: all found]
  --reference PATH      a MiniMalloc binary, run as
                          PATH --capacity=N --input=FILE --timeout=<SECS>s
                        as often as bufpack, interleaved with it per instance;
                        adds its time, result and bufpack/reference ratios
                        (not with --minimize)
  --extra-args \"ARGS\"   more arguments for bufpack (shell-like quoting),
                        e.g. --extra-args \"--preordering_heuristics=WAT\"
  --bin PATH            use this bufpack binary instead of building
                          cargo build --release -p bufpack --bin bufpack
  --markdown-out FILE   also write the report (info + table) to FILE
  -h, --help            print this help

Wall time is measured around the whole child process; a run that outlives
its limit by far (1.5 x timeout + 10 s) is killed. Exit 1 without a `Result:`
line (MiniMalloc prints none) counts as a timeout if the run took at least 95%
of the limit, else as infeasible.

Exit status: 0 when every run ended solved, infeasible or timed out (with
--minimize: optimal, feasible, infeasible or no packing found, and every
packing written was validated); 1 on bad options, a failed build, or any run
that crashed, rejected its input or (with --minimize) was killed or wrote a
packing without `Validation: validated` (the report is still printed).";

/// Options of one `bench` invocation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Options {
    /// Minimise the height instead of deciding at the capacity.
    pub(crate) minimize: bool,
    /// Where the instances are; `None` means the challenging set.
    pub(crate) dir: Option<PathBuf>,
    pub(crate) threads: Vec<usize>,
    /// Per-run time limit in seconds.
    pub(crate) timeout: f64,
    pub(crate) repeat: usize,
    /// Instance names (`A`, `C`, ...); `None` means all found.
    pub(crate) instances: Option<Vec<String>>,
    pub(crate) reference: Option<PathBuf>,
    pub(crate) extra_args: Vec<String>,
    pub(crate) bin: Option<PathBuf>,
    pub(crate) markdown_out: Option<PathBuf>,
}

impl Options {
    /// Parses the command's arguments; `Ok(None)` means help was asked for.
    pub(crate) fn parse(argv: Vec<String>) -> Result<Option<Options>, String> {
        let args = Args::parse(
            argv,
            &[
                "dir",
                "threads",
                "timeout",
                "repeat",
                "instances",
                "reference",
                "extra-args",
                "bin",
                "markdown-out",
            ],
            &["help", "minimize"],
        )?;
        if args.flag("help") {
            return Ok(None);
        }
        args.no_positional()?;
        let minimize = args.flag("minimize");
        if minimize && args.value("reference").is_some() {
            return Err("option `--reference` cannot be used with `--minimize` \
                 (MiniMalloc only decides a given capacity)"
                .to_string());
        }
        let dir = match args.value("dir") {
            Some(raw) if raw.trim().is_empty() => {
                return Err("option `--dir`: empty path".to_string())
            }
            raw => raw.map(PathBuf::from),
        };
        let threads = parse_list::<usize>("threads", args.value("threads").unwrap_or("1,2"))?;
        if threads.contains(&0) {
            return Err("option `--threads`: thread counts must be at least 1".to_string());
        }
        let timeout = match args.value("timeout") {
            None => 60.0,
            Some(raw) => parse_seconds(raw).map_err(|e| format!("option `--timeout`: {e}"))?,
        };
        let repeat = args.parsed_or("repeat", 3usize)?;
        if repeat == 0 {
            return Err("option `--repeat`: must be at least 1".to_string());
        }
        let instances = match args.value("instances") {
            None => None,
            Some(raw) => {
                let names = split_list(raw);
                if names.is_empty() {
                    return Err("option `--instances`: empty list".to_string());
                }
                Some(names)
            }
        };
        let extra_args = match args.value("extra-args") {
            None => Vec::new(),
            Some(raw) => split_words(raw).map_err(|e| format!("option `--extra-args`: {e}"))?,
        };
        Ok(Some(Options {
            minimize,
            dir,
            threads,
            timeout,
            repeat,
            instances,
            reference: args.value("reference").map(PathBuf::from),
            extra_args,
            bin: args.value("bin").map(PathBuf::from),
            markdown_out: args.value("markdown-out").map(PathBuf::from),
        }))
    }
}

/// Parses a positive number of seconds, with or without a trailing `s`.
pub(crate) fn parse_seconds(raw: &str) -> Result<f64, String> {
    let text = raw.trim();
    let text = text.strip_suffix('s').unwrap_or(text);
    match text.trim().parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 => Ok(secs),
        _ => Err(format!(
            "expected a positive number of seconds, got `{raw}`"
        )),
    }
}

/// Formats seconds for a `--timeout=` flag: `60` -> `60s`, `1.5` -> `1.5s`.
pub(crate) fn timeout_flag(secs: f64) -> String {
    format!("--timeout={secs}s")
}

// ---------------------------------------------------------------------------
// Running.

/// Runs `program args` with stdin closed, stdout discarded and stderr
/// captured, killing it after `hard_limit`. Returns the wall time from spawn
/// to exit, the exit status (`None` if we killed it) and stderr.
fn run_timed(
    program: &Path,
    args: &[String],
    hard_limit: Duration,
) -> Result<(Duration, Option<ExitStatus>, String), String> {
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let pid = child.id();
    // stderr is drained on its own thread so that a grandchild still holding
    // the pipe (a wrapper script's leftovers) cannot stall the measurement.
    let mut pipe = child.stderr.take().expect("stderr is piped");
    let (err_tx, err_rx) = mpsc::channel();
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        let _ = err_tx.send(bytes);
    });
    let (done_tx, done_rx) = mpsc::channel();
    thread::spawn(move || {
        let status = child.wait();
        let _ = done_tx.send((status, Instant::now()));
    });
    let lost = || format!("lost track of {}", program.display());
    let (status, end, killed) = match done_rx.recv_timeout(hard_limit) {
        Ok((status, end)) => (status, end, false),
        Err(mpsc::RecvTimeoutError::Timeout) => {
            // The child belongs to the waiting thread; signal it by pid.
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            let (status, end) = done_rx.recv().map_err(|_| lost())?;
            (status, end, true)
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => return Err(lost()),
    };
    let status = status.map_err(|e| format!("waiting for {}: {e}", program.display()))?;
    let stderr = err_rx
        .recv_timeout(Duration::from_secs(5))
        .unwrap_or_default();
    let stderr = String::from_utf8_lossy(&stderr).into_owned();
    Ok((end - start, (!killed).then_some(status), stderr))
}

/// Runs `program args` under [`run_timed`] with the hard limit for a run
/// asked to stop after `timeout` seconds (1.5 x timeout + 10 s). Returns the
/// wall time in seconds, the exit status (`None` if killed) and stderr.
pub(crate) fn run_limited(
    program: &Path,
    args: &[String],
    timeout: f64,
) -> Result<(f64, Option<ExitStatus>, String), String> {
    let hard_limit = Duration::from_secs_f64(timeout * 1.5 + 10.0);
    let (wall, status, stderr) = run_timed(program, args, hard_limit)?;
    Ok((wall.as_secs_f64(), status, stderr))
}

/// The last few lines of a failed run's stderr, shown with the progress.
pub(crate) fn stderr_tail(stderr: &str) -> Vec<String> {
    let lines: Vec<&str> = stderr.lines().collect();
    let from = lines.len().saturating_sub(5);
    lines[from..].iter().map(|l| l.to_string()).collect()
}

/// One run as the table needs it: its wall time and how it ended.
pub(crate) trait Timed {
    /// Wall time around the child process, in seconds.
    fn wall(&self) -> f64;
    /// How the run ended, as a table cell says it.
    fn label(&self) -> String;
}

/// The repeated runs of one solver configuration on one instance.
#[derive(Clone, Debug)]
pub(crate) struct Cell<R> {
    pub(crate) runs: Vec<R>,
}

impl<R> Default for Cell<R> {
    fn default() -> Self {
        Cell { runs: Vec::new() }
    }
}

impl<R: Timed> Cell<R> {
    /// The median wall time (mean of the middle two for an even count).
    pub(crate) fn median_wall(&self) -> f64 {
        let mut walls: Vec<f64> = self.runs.iter().map(R::wall).collect();
        walls.sort_by(f64::total_cmp);
        let n = walls.len();
        match n {
            0 => 0.0,
            _ if n % 2 == 1 => walls[n / 2],
            _ => (walls[n / 2 - 1] + walls[n / 2]) / 2.0,
        }
    }

    /// The run at the (lower) median wall time; its outcome and figures
    /// stand for the cell.
    pub(crate) fn median_run(&self) -> &R {
        let mut runs: Vec<&R> = self.runs.iter().collect();
        runs.sort_by(|a, b| a.wall().total_cmp(&b.wall()));
        runs[(runs.len() - 1) / 2]
    }

    /// The outcome label, or a tally when the runs disagree.
    pub(crate) fn result_label(&self) -> String {
        let mut tally: Vec<(String, usize)> = Vec::new();
        for run in &self.runs {
            let label = run.label();
            match tally.iter_mut().find(|(l, _)| *l == label) {
                Some((_, n)) => *n += 1,
                None => tally.push((label, 1)),
            }
        }
        if tally.len() == 1 {
            return tally.remove(0).0;
        }
        let parts: Vec<String> = tally.iter().map(|(l, n)| format!("{n}x {l}")).collect();
        format!("mixed: {}", parts.join(", "))
    }
}

// ---------------------------------------------------------------------------
// What both modes share: the instances, the binary, the report.

/// Where cargo puts build outputs for this workspace.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

pub(crate) fn build(root: &Path) -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let args = ["build", "--release", "-p", "bufpack", "--bin", "bufpack"];
    eprintln!("bench: {cargo} {}", args.join(" "));
    let status = Command::new(&cargo)
        .args(args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run {cargo}: {e}"))?;
    if !status.success() {
        return Err(format!("building bufpack failed ({status})"));
    }
    let bin = target_dir(root)
        .join("release")
        .join(format!("bufpack{}", std::env::consts::EXE_SUFFIX));
    if !bin.is_file() {
        return Err(format!("the build left no {}", bin.display()));
    }
    Ok(bin)
}

/// The instances to run and where things go, common to both modes.
pub(crate) struct Setup {
    root: PathBuf,
    /// The directory the instances come from.
    pub(crate) dir: PathBuf,
    pub(crate) instances: Vec<Instance>,
    /// `--bin`, if given.
    bin: Option<PathBuf>,
    /// Where the packings are written.
    out_dir: PathBuf,
}

impl Setup {
    fn new(root: &Path, options: &Options) -> Result<Setup, String> {
        let dir = match &options.dir {
            Some(dir) => dir.clone(),
            None => root.join("tests/fixtures/challenging"),
        };
        let all = discover(&dir)?;
        // Without --minimize only files that name their capacity count, unless
        // asked for by name (which then fails with the reason).
        let (instances, skipped): (Vec<Instance>, Vec<Instance>) = match &options.instances {
            Some(wanted) => (select(all, wanted)?, Vec::new()),
            None if options.minimize => (all, Vec::new()),
            None => all.into_iter().partition(|i| i.capacity.is_some()),
        };
        let hint = if skipped.is_empty() {
            String::new()
        } else {
            let names: Vec<&str> = skipped.iter().map(|i| i.name.as_str()).collect();
            format!(
                "{} file(s) without a capacity in the name, which only --minimize runs: {}",
                names.len(),
                names.join(",")
            )
        };
        if instances.is_empty() {
            let pattern = if options.minimize {
                "*.csv"
            } else {
                "<name>.<capacity>.csv"
            };
            let hint = if hint.is_empty() {
                hint
            } else {
                format!(" ({hint})")
            };
            return Err(format!("no {pattern} files in {}{hint}", dir.display()));
        }
        if !hint.is_empty() {
            eprintln!("bench: skipping {hint}");
        }
        if let Some(bin) = &options.bin {
            if !bin.is_file() {
                return Err(format!("--bin {}: no such file", bin.display()));
            }
        }
        let out_dir = target_dir(root).join("xtask").join("bench");
        std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
        Ok(Setup {
            root: root.to_path_buf(),
            dir,
            instances,
            bin: options.bin.clone(),
            out_dir,
        })
    }

    /// The bufpack binary: `--bin`, or a fresh release build.
    pub(crate) fn bin(&self) -> Result<PathBuf, String> {
        match &self.bin {
            Some(bin) => Ok(bin.clone()),
            None => build(&self.root),
        }
    }

    /// A file for bufpack's `--output`, under the target directory.
    pub(crate) fn output_file(&self, file_name: &str) -> PathBuf {
        self.out_dir.join(file_name)
    }

    /// The text of an instance's file.
    pub(crate) fn read(&self, instance: &Instance) -> Result<String, String> {
        std::fs::read_to_string(&instance.path)
            .map_err(|e| format!("{}: {e}", instance.path.display()))
    }

    /// Shows `path` relative to the workspace root when it lies inside it.
    pub(crate) fn show(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}

/// Entry point of `cargo xtask bench`.
pub(crate) fn run(root: &Path, argv: Vec<String>) -> Result<(), String> {
    if argv.iter().any(|arg| arg == "--wasm") {
        return wasm::run(root, argv);
    }
    let Some(options) = Options::parse(argv)? else {
        println!("{USAGE}");
        return Ok(());
    };
    let setup = Setup::new(root, &options)?;
    let (title, (body, failed)) = if options.minimize {
        (
            "bufpack bench --minimize",
            minimize::bench(&options, &setup)?,
        )
    } else {
        ("bufpack bench", decision::bench(&options, &setup)?)
    };
    let mut report = format!("## {title}\n\n");
    for (key, value) in machine::describe(root) {
        report.push_str(&format!("- {key}: {value}\n"));
    }
    report.push_str(&body);
    print!("{report}");
    if let Some(path) = &options.markdown_out {
        std::fs::write(path, &report).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("bench: wrote {}", path.display());
    }
    if failed > 0 {
        return Err(format!(
            "{failed} run(s) failed; see the table and stderr above"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn default_options() {
        let options = Options::parse(Vec::new()).unwrap().unwrap();
        assert_eq!(
            options,
            Options {
                minimize: false,
                dir: None,
                threads: vec![1, 2],
                timeout: 60.0,
                repeat: 3,
                instances: None,
                reference: None,
                extra_args: Vec::new(),
                bin: None,
                markdown_out: None,
            }
        );
    }

    #[test]
    fn all_options() {
        let options = Options::parse(argv(&[
            "--threads=1,4",
            "--timeout",
            "2.5s",
            "--repeat",
            "5",
            "--instances",
            "A, c",
            "--reference",
            "/opt/minimalloc",
            "--extra-args",
            "--preordering_heuristics=WAT --no-x",
            "--bin=target/release/bufpack",
            "--markdown-out",
            "bench.md",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(options.threads, [1, 4]);
        assert_eq!(options.timeout, 2.5);
        assert_eq!(options.repeat, 5);
        assert_eq!(options.instances, Some(argv(&["A", "c"])));
        assert_eq!(options.reference, Some(PathBuf::from("/opt/minimalloc")));
        assert_eq!(
            options.extra_args,
            ["--preordering_heuristics=WAT", "--no-x"]
        );
        assert_eq!(options.bin, Some(PathBuf::from("target/release/bufpack")));
        assert_eq!(options.markdown_out, Some(PathBuf::from("bench.md")));
    }

    #[test]
    fn minimize_options() {
        let options = Options::parse(argv(&[
            "--minimize",
            "--dir",
            "/tmp/suite",
            "--instances=cnn-1000,training-1000",
            "--timeout=5",
            "--threads=1",
        ]))
        .unwrap()
        .unwrap();
        assert!(options.minimize);
        assert_eq!(options.dir, Some(PathBuf::from("/tmp/suite")));
        assert_eq!(
            options.instances,
            Some(argv(&["cnn-1000", "training-1000"]))
        );
        assert_eq!(options.timeout, 5.0);
        assert_eq!(options.threads, [1]);
        // --dir alone is the decision benchmark on another directory.
        let options = Options::parse(argv(&["--dir=fixtures"])).unwrap().unwrap();
        assert!(!options.minimize);
        assert_eq!(options.dir, Some(PathBuf::from("fixtures")));
        let err = Options::parse(argv(&["--reference=mm", "--minimize"])).unwrap_err();
        assert!(err.contains("cannot be used with `--minimize`"), "{err}");
    }

    #[test]
    fn bad_options() {
        for bad in [
            &["--threads=0"][..],
            &["--threads="],
            &["--timeout=0"],
            &["--timeout=-1"],
            &["--timeout=ten"],
            &["--repeat=0"],
            &["--instances=,"],
            &["--extra-args='x"],
            &["--frobnicate"],
            &["stray"],
            &["--minimize=yes"],
            &["--dir="],
            &["--dir"],
            &["--minimize", "--reference=/opt/minimalloc"],
        ] {
            assert!(Options::parse(argv(bad)).is_err(), "{bad:?}");
        }
        assert_eq!(Options::parse(argv(&["--threads=3", "-h"])), Ok(None));
    }

    #[test]
    fn seconds() {
        assert_eq!(parse_seconds("10"), Ok(10.0));
        assert_eq!(parse_seconds(" 10s "), Ok(10.0));
        assert_eq!(parse_seconds("0.25"), Ok(0.25));
        assert!(parse_seconds("inf").is_err());
        assert!(parse_seconds("s").is_err());
        assert_eq!(timeout_flag(60.0), "--timeout=60s");
        assert_eq!(timeout_flag(1.5), "--timeout=1.5s");
    }
}
