//! `cargo xtask bench`: times `bufpack` (and optionally a MiniMalloc binary)
//! on the challenging set A-K and prints a Markdown report.

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::args::{parse_list, split_list, split_words, Args};
use crate::machine;
use crate::table::{Align, Table};

pub(crate) const SUMMARY: &str =
    "time bufpack (and optionally MiniMalloc) on the challenging set A-K";

pub(crate) const USAGE: &str = "\
Usage: cargo xtask bench [OPTIONS]

Times bufpack on tests/fixtures/challenging/<X>.<capacity>.csv (capacity from
the file name) and prints a Markdown report on stdout: machine info, then one
row per instance with the median wall time, backtracks and result per thread
count, then a totals row. Progress goes to stderr.

Options:
  --threads LIST        thread counts, one column group each [default: 1,2]
  --timeout SECS        per-run limit, passed as --timeout=<SECS>s [default: 60]
  --repeat N            runs per cell; the median wall time is shown [default: 3]
  --instances LIST      e.g. A,C,K [default: all found]
  --reference PATH      a MiniMalloc binary, run as
                          PATH --capacity=N --input=FILE --timeout=<SECS>s
                        as often as bufpack, interleaved with it per instance;
                        adds its time, result and bufpack/reference ratios
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

Exit status: 0 when every run ended solved, infeasible or timed out; 1 on bad
options, a failed build, or any run that crashed or rejected its input (the
report is still printed).";

/// Options of one `bench` invocation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Options {
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
                "threads",
                "timeout",
                "repeat",
                "instances",
                "reference",
                "extra-args",
                "bin",
                "markdown-out",
            ],
            &["help"],
        )?;
        if args.flag("help") {
            return Ok(None);
        }
        args.no_positional()?;
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
// Parsing what the solvers print on stderr.

/// The text after the first `:` of the first line that starts (after leading
/// whitespace) with `word`, compared case-insensitively, trimmed.
pub(crate) fn field<'a>(stderr: &'a str, word: &str) -> Option<&'a str> {
    stderr.lines().find_map(|line| {
        let line = line.trim_start();
        let head = line.get(..word.len())?;
        if !head.eq_ignore_ascii_case(word) {
            return None;
        }
        let (_, rest) = line.split_once(':')?;
        Some(rest.trim())
    })
}

/// The number at the start of `text` (`0.412 s` -> 0.412, `1,234` -> 1234).
pub(crate) fn leading_number(text: &str) -> Option<f64> {
    let text = text.trim_start();
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(text.len());
    let digits: String = text[..end].chars().filter(|&c| c != ',').collect();
    digits.parse().ok()
}

/// `Backtracks: N` from stderr.
pub(crate) fn parse_backtracks(stderr: &str) -> Option<u64> {
    let value = leading_number(field(stderr, "backtracks")?)?;
    (value >= 0.0 && value.fract() == 0.0).then_some(value as u64)
}

/// The solver's own elapsed time in seconds: an `Elapsed: N` line, or else a
/// bare number at the very start of stderr (upstream MiniMalloc's `main.cc`
/// prints just `std::fixed << setprecision(3)` seconds, without a label).
pub(crate) fn parse_elapsed(stderr: &str) -> Option<f64> {
    if let Some(value) = field(stderr, "elapsed") {
        return leading_number(value);
    }
    let first = stderr.split_whitespace().next()?;
    let first = first.strip_suffix('s').unwrap_or(first);
    let value: f64 = first.parse().ok()?;
    (value.is_finite() && value >= 0.0).then_some(value)
}

/// How one run ended.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Outcome {
    Solved,
    Infeasible,
    TimedOut,
    /// Outlived its limit by far and was killed by the bench.
    Killed,
    /// Crashed, rejected its input, or could not be started.
    Error(String),
}

impl Outcome {
    fn label(&self) -> String {
        match self {
            Outcome::Solved => "solved".to_string(),
            Outcome::Infeasible => "infeasible".to_string(),
            Outcome::TimedOut => "timeout".to_string(),
            Outcome::Killed => "killed".to_string(),
            Outcome::Error(why) => format!("error: {why}"),
        }
    }

    /// Whether the run hit the time limit (its time counts as the limit).
    fn timed_out(&self) -> bool {
        matches!(self, Outcome::TimedOut | Outcome::Killed)
    }
}

/// The outcome named on a `Result:` line, if any.
pub(crate) fn parse_result(stderr: &str) -> Option<Outcome> {
    let value = field(stderr, "result")?.to_ascii_lowercase();
    if value.starts_with("solved") {
        Some(Outcome::Solved)
    } else if value.starts_with("infeasible") {
        Some(Outcome::Infeasible)
    } else if value.starts_with("timed out") || value.starts_with("timeout") {
        Some(Outcome::TimedOut)
    } else {
        None
    }
}

/// Classifies a finished run. `code` is the exit code (`None`: killed by a
/// signal); exit 1 means infeasible or timed out, told apart by the `Result:`
/// line when there is one, else by whether `elapsed` reached 95% of `timeout`.
pub(crate) fn classify(code: Option<i32>, stderr: &str, elapsed: f64, timeout: f64) -> Outcome {
    match code {
        Some(0) => Outcome::Solved,
        Some(1) => match parse_result(stderr) {
            Some(outcome @ (Outcome::Infeasible | Outcome::TimedOut)) => outcome,
            _ if elapsed >= 0.95 * timeout => Outcome::TimedOut,
            _ => Outcome::Infeasible,
        },
        Some(2) => Outcome::Error("bad input (exit 2)".to_string()),
        Some(code) => Outcome::Error(format!("exit {code}")),
        None => Outcome::Error("killed by a signal".to_string()),
    }
}

// ---------------------------------------------------------------------------
// Instances.

/// One benchmark file.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Instance {
    pub(crate) name: String,
    pub(crate) path: PathBuf,
    pub(crate) capacity: u64,
}

/// `A.1048576.csv` -> (`A`, 1048576).
pub(crate) fn parse_instance_name(file_name: &str) -> Option<(String, u64)> {
    let stem = file_name.strip_suffix(".csv")?;
    let (name, capacity) = stem.rsplit_once('.')?;
    if name.is_empty() {
        return None;
    }
    Some((name.to_string(), capacity.parse().ok()?))
}

/// The number of data lines of a CSV (non-blank lines after the header).
pub(crate) fn count_buffers(csv: &str) -> usize {
    let mut lines = csv.lines().filter(|line| !line.trim().is_empty());
    let Some(first) = lines.next() else {
        return 0;
    };
    let is_header = !first.trim_start().starts_with(|c: char| c.is_ascii_digit());
    lines.count() + usize::from(!is_header)
}

/// All `<name>.<capacity>.csv` files in `dir`, sorted by name.
fn discover(dir: &Path) -> Result<Vec<Instance>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if let Some((name, capacity)) = parse_instance_name(&file_name) {
            found.push(Instance {
                name,
                path: entry.path(),
                capacity,
            });
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// Keeps the `wanted` instances, in the order given.
fn select(all: Vec<Instance>, wanted: &[String]) -> Result<Vec<Instance>, String> {
    wanted
        .iter()
        .map(|name| {
            all.iter()
                .find(|i| i.name.eq_ignore_ascii_case(name))
                .cloned()
                .ok_or_else(|| {
                    let names: Vec<&str> = all.iter().map(|i| i.name.as_str()).collect();
                    format!("no instance `{name}` (found: {})", names.join(","))
                })
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Running.

/// One finished run of a solver.
#[derive(Clone, Debug)]
pub(crate) struct Run {
    /// Wall time around the child process, in seconds.
    pub(crate) wall: f64,
    pub(crate) backtracks: Option<u64>,
    /// The solver's own elapsed figure, if it printed one.
    pub(crate) elapsed: Option<f64>,
    pub(crate) outcome: Outcome,
    /// The last lines of stderr of a failed run, shown with the progress.
    pub(crate) stderr_tail: Vec<String>,
}

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

/// Runs one solver command and classifies the result.
fn run_one(program: &Path, args: &[String], timeout: f64) -> Run {
    let hard_limit = Duration::from_secs_f64(timeout * 1.5 + 10.0);
    match run_timed(program, args, hard_limit) {
        Err(why) => Run {
            wall: 0.0,
            backtracks: None,
            elapsed: None,
            outcome: Outcome::Error(why),
            stderr_tail: Vec::new(),
        },
        Ok((wall, status, stderr)) => {
            let wall = wall.as_secs_f64();
            let elapsed = parse_elapsed(&stderr);
            let outcome = match status {
                None => Outcome::Killed,
                Some(status) => classify(status.code(), &stderr, elapsed.unwrap_or(wall), timeout),
            };
            let mut stderr_tail = Vec::new();
            if let Outcome::Error(_) = outcome {
                let lines: Vec<&str> = stderr.lines().collect();
                let from = lines.len().saturating_sub(5);
                stderr_tail = lines[from..].iter().map(|l| l.to_string()).collect();
            }
            Run {
                wall,
                backtracks: parse_backtracks(&stderr),
                elapsed,
                outcome,
                stderr_tail,
            }
        }
    }
}

/// The repeated runs of one solver configuration on one instance.
#[derive(Clone, Debug, Default)]
pub(crate) struct Cell {
    pub(crate) runs: Vec<Run>,
}

impl Cell {
    /// The median wall time (mean of the middle two for an even count).
    pub(crate) fn median_wall(&self) -> f64 {
        let mut walls: Vec<f64> = self.runs.iter().map(|r| r.wall).collect();
        walls.sort_by(f64::total_cmp);
        let n = walls.len();
        match n {
            0 => 0.0,
            _ if n % 2 == 1 => walls[n / 2],
            _ => (walls[n / 2 - 1] + walls[n / 2]) / 2.0,
        }
    }

    /// The run at the (lower) median wall time; its outcome and backtracks
    /// stand for the cell.
    pub(crate) fn median_run(&self) -> &Run {
        let mut runs: Vec<&Run> = self.runs.iter().collect();
        runs.sort_by(|a, b| a.wall.total_cmp(&b.wall));
        runs[(runs.len() - 1) / 2]
    }

    /// The outcome label, or a tally when the runs disagree.
    pub(crate) fn result_label(&self) -> String {
        let mut tally: Vec<(String, usize)> = Vec::new();
        for run in &self.runs {
            let label = run.outcome.label();
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

    fn timed_out(&self) -> bool {
        self.median_run().outcome.timed_out()
    }

    fn failed(&self) -> bool {
        self.median_run().outcome.label().starts_with("error")
    }

    /// The time that stands for the cell: the limit if it timed out.
    fn time(&self, timeout: f64) -> f64 {
        if self.timed_out() {
            timeout
        } else {
            self.median_wall()
        }
    }
}

/// Formats a cell time: `0.412`, or `≥60.000` when timed out.
fn fmt_time(secs: f64, timed_out: bool) -> String {
    let mark = if timed_out { "≥" } else { "" };
    format!("{mark}{secs:.3}")
}

/// bufpack time / reference time, marked as a bound when one side timed out.
pub(crate) fn fmt_ratio(ours: f64, ours_to: bool, theirs: f64, theirs_to: bool) -> String {
    if (ours_to && theirs_to) || theirs <= 0.0 {
        return "—".to_string();
    }
    let ratio = ours / theirs;
    let mark = match (ours_to, theirs_to) {
        (true, false) => "≥",
        (false, true) => "≤",
        _ => "",
    };
    if ratio >= 10.0 {
        format!("{mark}{ratio:.1}")
    } else if ratio >= 0.1 {
        format!("{mark}{ratio:.2}")
    } else {
        format!("{mark}{ratio:.3}")
    }
}

/// Whether one side proved infeasible what the other solved.
fn disagree(ours: &Cell, theirs: &Cell) -> bool {
    let (a, b) = (&ours.median_run().outcome, &theirs.median_run().outcome);
    matches!(
        (a, b),
        (Outcome::Solved, Outcome::Infeasible) | (Outcome::Infeasible, Outcome::Solved)
    )
}

/// Results of one instance.
struct Row {
    instance: Instance,
    buffers: usize,
    /// One cell per thread count.
    ours: Vec<Cell>,
    reference: Option<Cell>,
}

/// Column totals: summed times, counts of timeouts, solved and errors.
#[derive(Default)]
struct Total {
    time: f64,
    timed_out: usize,
    solved: usize,
    failed: usize,
    backtracks: Option<u64>,
    elapsed: Option<f64>,
}

impl Total {
    fn of<'a>(cells: impl Iterator<Item = &'a Cell>, timeout: f64) -> Total {
        let mut total = Total {
            backtracks: Some(0),
            elapsed: Some(0.0),
            ..Total::default()
        };
        for cell in cells {
            total.time += cell.time(timeout);
            total.timed_out += usize::from(cell.timed_out());
            total.failed += usize::from(cell.failed());
            total.solved += usize::from(cell.median_run().outcome == Outcome::Solved);
            let run = cell.median_run();
            total.backtracks = total.backtracks.zip(run.backtracks).map(|(a, b)| a + b);
            total.elapsed = total.elapsed.zip(run.elapsed).map(|(a, b)| a + b);
        }
        total
    }

    fn result(&self, rows: usize) -> String {
        let mut text = format!("{}/{rows} solved", self.solved);
        if self.timed_out > 0 {
            write!(text, ", {} timeout", self.timed_out).unwrap();
        }
        if self.failed > 0 {
            write!(text, ", {} error", self.failed).unwrap();
        }
        text
    }
}

/// Renders the results table.
fn render_table(rows: &[Row], options: &Options) -> String {
    let timeout = options.timeout;
    let mut header = vec![
        ("instance".to_string(), Align::Left),
        ("buffers".to_string(), Align::Right),
    ];
    for t in &options.threads {
        header.push((format!("t{t} s"), Align::Right));
        header.push((format!("t{t} backtracks"), Align::Right));
        header.push((format!("t{t} result"), Align::Left));
    }
    let with_ref = options.reference.is_some();
    if with_ref {
        header.push(("ref s".to_string(), Align::Right));
        header.push(("ref own s".to_string(), Align::Right));
        header.push(("ref result".to_string(), Align::Left));
        for t in &options.threads {
            header.push((format!("t{t}/ref"), Align::Right));
        }
    }
    let mut table = Table::new(header);
    let dash = || "—".to_string();
    for row in rows {
        let mut cells = vec![row.instance.name.clone(), row.buffers.to_string()];
        for cell in &row.ours {
            let run = cell.median_run();
            cells.push(fmt_time(cell.time(timeout), cell.timed_out()));
            cells.push(run.backtracks.map_or_else(dash, |b| b.to_string()));
            cells.push(cell.result_label());
        }
        if let Some(reference) = &row.reference {
            let run = reference.median_run();
            cells.push(fmt_time(reference.time(timeout), reference.timed_out()));
            cells.push(run.elapsed.map_or_else(dash, |e| format!("{e:.3}")));
            cells.push(reference.result_label());
            for cell in &row.ours {
                cells.push(if cell.failed() || reference.failed() {
                    dash()
                } else if disagree(cell, reference) {
                    "DISAGREE".to_string()
                } else {
                    fmt_ratio(
                        cell.time(timeout),
                        cell.timed_out(),
                        reference.time(timeout),
                        reference.timed_out(),
                    )
                });
            }
        }
        table.row(cells);
    }
    let n = rows.len();
    let buffers: usize = rows.iter().map(|r| r.buffers).sum();
    let mut cells = vec!["**total**".to_string(), buffers.to_string()];
    let ours: Vec<Total> = (0..options.threads.len())
        .map(|i| Total::of(rows.iter().map(|r| &r.ours[i]), timeout))
        .collect();
    for total in &ours {
        cells.push(fmt_time(total.time, total.timed_out > 0));
        let mark = if total.timed_out > 0 { "≥" } else { "" };
        cells.push(total.backtracks.map_or_else(dash, |b| format!("{mark}{b}")));
        cells.push(total.result(n));
    }
    if with_ref {
        let theirs = Total::of(rows.iter().filter_map(|r| r.reference.as_ref()), timeout);
        cells.push(fmt_time(theirs.time, theirs.timed_out > 0));
        cells.push(theirs.elapsed.map_or_else(dash, |e| format!("{e:.3}")));
        cells.push(theirs.result(n));
        for total in &ours {
            cells.push(if total.failed > 0 || theirs.failed > 0 {
                dash()
            } else {
                fmt_ratio(
                    total.time,
                    total.timed_out > 0,
                    theirs.time,
                    theirs.timed_out > 0,
                )
            });
        }
    }
    table.row(cells);
    table.render()
}

/// Where cargo puts build outputs for this workspace.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

fn build(root: &Path) -> Result<PathBuf, String> {
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

/// Shows `path` relative to `root` when it lies inside it.
fn show(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Entry point of `cargo xtask bench`.
pub(crate) fn run(root: &Path, argv: Vec<String>) -> Result<(), String> {
    let Some(options) = Options::parse(argv)? else {
        println!("{USAGE}");
        return Ok(());
    };
    let dir = root.join("tests/fixtures/challenging");
    let all = discover(&dir)?;
    let instances = match &options.instances {
        Some(wanted) => select(all, wanted)?,
        None => all,
    };
    if instances.is_empty() {
        return Err(format!(
            "no <name>.<capacity>.csv files in {}",
            dir.display()
        ));
    }
    if let Some(reference) = &options.reference {
        if !reference.is_file() {
            return Err(format!("--reference {}: no such file", reference.display()));
        }
    }
    let bin = match &options.bin {
        Some(bin) if bin.is_file() => bin.clone(),
        Some(bin) => return Err(format!("--bin {}: no such file", bin.display())),
        None => build(root)?,
    };
    let out_dir = target_dir(root).join("xtask").join("bench");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;

    let mut rows = Vec::new();
    for instance in &instances {
        let csv = std::fs::read_to_string(&instance.path)
            .map_err(|e| format!("{}: {e}", instance.path.display()))?;
        let mut row = Row {
            instance: instance.clone(),
            buffers: count_buffers(&csv),
            ours: vec![Cell::default(); options.threads.len()],
            reference: options.reference.as_ref().map(|_| Cell::default()),
        };
        let common = [
            format!("--capacity={}", instance.capacity),
            format!("--input={}", instance.path.display()),
        ];
        for rep in 1..=options.repeat {
            for (i, threads) in options.threads.iter().enumerate() {
                let output = out_dir.join(format!("{}.t{threads}.csv", instance.name));
                let mut args = common.to_vec();
                args.push(format!("--output={}", output.display()));
                args.push(timeout_flag(options.timeout));
                args.push(format!("--threads={threads}"));
                args.extend(options.extra_args.iter().cloned());
                let run = run_one(&bin, &args, options.timeout);
                progress(
                    instance,
                    &format!("bufpack t{threads}"),
                    rep,
                    &options,
                    &run,
                );
                row.ours[i].runs.push(run);
            }
            if let (Some(reference), Some(cell)) = (&options.reference, &mut row.reference) {
                let mut args = common.to_vec();
                args.push(timeout_flag(options.timeout));
                let run = run_one(reference, &args, options.timeout);
                progress(instance, "reference", rep, &options, &run);
                cell.runs.push(run);
            }
        }
        rows.push(row);
    }

    let mut report = String::from("## bufpack bench\n\n");
    for (key, value) in machine::describe(root) {
        writeln!(report, "- {key}: {value}").unwrap();
    }
    let mut ours = format!("{} {}", show(&bin, root), timeout_flag(options.timeout));
    for arg in &options.extra_args {
        write!(ours, " {arg}").unwrap();
    }
    writeln!(report, "- bufpack: `{ours} --threads=N`").unwrap();
    if let Some(reference) = &options.reference {
        let flag = timeout_flag(options.timeout);
        writeln!(report, "- reference: `{} {flag}`", reference.display()).unwrap();
    }
    writeln!(
        report,
        "- instances: {} (capacity from the file name)",
        show(&dir, root)
    )
    .unwrap();
    report.push('\n');
    report.push_str(&render_table(&rows, &options));
    let interleaved = if options.reference.is_some() {
        ", bufpack and the reference interleaved per instance"
    } else {
        ""
    };
    let repeat = options.repeat;
    let limit = options.timeout;
    write!(
        report,
        "\nTimes are wall-clock seconds around the whole process, \
         median of {repeat} run(s){interleaved}. `≥` marks a timeout, \
         counted at the {limit}s limit. Backtracks and results are those \
         of the median run."
    )
    .unwrap();
    if options.reference.is_some() {
        report.push_str(
            " `ref own s` is the reference's own figure from stderr; \
             `tN/ref` is bufpack's time over the reference's \
             (below 1: bufpack is faster); `DISAGREE` marks an instance \
             one solver solved and the other proved infeasible.",
        );
    }
    report.push('\n');
    print!("{report}");
    if let Some(path) = &options.markdown_out {
        std::fs::write(path, &report).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("bench: wrote {}", path.display());
    }
    let failed = rows
        .iter()
        .flat_map(|r| r.ours.iter().chain(r.reference.as_ref()))
        .flat_map(|c| &c.runs)
        .filter(|run| matches!(run.outcome, Outcome::Error(_)))
        .count();
    if failed > 0 {
        return Err(format!(
            "{failed} run(s) failed; see the table and stderr above"
        ));
    }
    Ok(())
}

fn progress(instance: &Instance, who: &str, rep: usize, options: &Options, run: &Run) {
    let backtracks = run
        .backtracks
        .map_or_else(String::new, |b| format!(", {b} backtracks"));
    eprintln!(
        "bench: {} {who} run {rep}/{}: {:.3} s, {}{backtracks}",
        instance.name,
        options.repeat,
        run.wall,
        run.outcome.label()
    );
    for line in &run.stderr_tail {
        eprintln!("bench:   | {line}");
    }
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

    const BUFPACK_STDERR: &str = "\
Height: 1048576
Elapsed: 0.412 s
Nodes: 10234
Backtracks: 9876
Result: solved (height 1048576 <= capacity 1048576)
";

    #[test]
    fn parses_bufpack_stderr() {
        assert_eq!(field(BUFPACK_STDERR, "height"), Some("1048576"));
        assert_eq!(parse_backtracks(BUFPACK_STDERR), Some(9876));
        assert_eq!(parse_elapsed(BUFPACK_STDERR), Some(0.412));
        assert_eq!(parse_result(BUFPACK_STDERR), Some(Outcome::Solved));
        let timed_out = "Backtracks: 5\nResult: timed out after 10 s\n";
        assert_eq!(parse_result(timed_out), Some(Outcome::TimedOut));
        let infeasible = "Result: infeasible (lower bound 2000000 > capacity)\n";
        assert_eq!(parse_result(infeasible), Some(Outcome::Infeasible));
        assert_eq!(parse_result("Result: ???\n"), None);
        assert_eq!(parse_backtracks("no such line\n"), None);
    }

    #[test]
    fn lenient_field_matching() {
        // Case-insensitive, leading whitespace, first line wins, prefix words.
        let text = "  BACKTRACKS : 1,234 (total)\nbacktracks: 7\n";
        assert_eq!(parse_backtracks(text), Some(1234));
        assert_eq!(field("Backtracks total: 3", "backtracks"), Some("3"));
        // A line without a colon does not match; nor does a too-short line.
        assert_eq!(field("Backtracks 3\nBack", "backtracks"), None);
        // Non-ASCII text before the word's length must not panic.
        assert_eq!(field("é\nÉlapsed: 1", "elapsed"), None);
        assert_eq!(parse_backtracks("Backtracks: 1.5"), None);
    }

    #[test]
    fn minimalloc_elapsed() {
        // Labelled, as newer builds or wrappers print it.
        assert_eq!(parse_elapsed("Elapsed time: 3.25 seconds\n"), Some(3.25));
        // Upstream main.cc: a bare fixed-point number, no newline.
        assert_eq!(parse_elapsed("0.037"), Some(0.037));
        assert_eq!(parse_elapsed("12.500\nPASS\n"), Some(12.5));
        assert_eq!(parse_elapsed("WARNING: something\n"), None);
        assert_eq!(parse_elapsed(""), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(leading_number(" 0.412 s"), Some(0.412));
        assert_eq!(leading_number("12,345 nodes"), Some(12345.0));
        assert_eq!(leading_number("n/a"), None);
    }

    #[test]
    fn classification() {
        assert_eq!(classify(Some(0), "", 1.0, 10.0), Outcome::Solved);
        let said = "Result: timed out\n";
        assert_eq!(classify(Some(1), said, 1.0, 10.0), Outcome::TimedOut);
        let said = "Result: infeasible\n";
        assert_eq!(classify(Some(1), said, 9.9, 10.0), Outcome::Infeasible);
        // No Result line (MiniMalloc): decided by the time taken.
        assert_eq!(classify(Some(1), "", 9.6, 10.0), Outcome::TimedOut);
        assert_eq!(classify(Some(1), "0.010", 0.01, 10.0), Outcome::Infeasible);
        assert!(
            matches!(classify(Some(2), "", 0.0, 10.0), Outcome::Error(e) if e.contains("bad input"))
        );
        assert!(matches!(classify(Some(101), "", 0.0, 10.0), Outcome::Error(e) if e == "exit 101"));
        assert!(matches!(classify(None, "", 0.0, 10.0), Outcome::Error(_)));
    }

    #[test]
    fn instance_names_and_buffers() {
        assert_eq!(
            parse_instance_name("A.1048576.csv"),
            Some(("A".to_string(), 1_048_576))
        );
        assert_eq!(
            parse_instance_name("input.12.csv"),
            Some(("input".to_string(), 12))
        );
        assert_eq!(parse_instance_name("A.csv"), None);
        assert_eq!(parse_instance_name(".12.csv"), None);
        assert_eq!(parse_instance_name("A.1048576.txt"), None);
        assert_eq!(
            count_buffers("id,lower,upper,size\n0,0,1,2\n1,1,2,3\n\n"),
            2
        );
        assert_eq!(count_buffers("0,0,1,2\n1,1,2,3\n"), 2);
        assert_eq!(count_buffers("id,lower,upper,size\n"), 0);
        assert_eq!(count_buffers(""), 0);
    }

    fn run(wall: f64, outcome: Outcome) -> Run {
        Run {
            wall,
            backtracks: Some((wall * 100.0).round() as u64),
            elapsed: None,
            outcome,
            stderr_tail: Vec::new(),
        }
    }

    #[test]
    fn cells() {
        let cell = Cell {
            runs: vec![
                run(3.0, Outcome::Solved),
                run(1.0, Outcome::Solved),
                run(2.0, Outcome::Solved),
            ],
        };
        assert_eq!(cell.median_wall(), 2.0);
        assert_eq!(cell.median_run().backtracks, Some(200));
        assert_eq!(cell.result_label(), "solved");
        assert_eq!(cell.time(60.0), 2.0);
        let cell = Cell {
            runs: vec![
                run(10.1, Outcome::TimedOut),
                run(9.0, Outcome::Solved),
                run(10.2, Outcome::TimedOut),
                run(8.0, Outcome::Solved),
            ],
        };
        assert_eq!(cell.median_wall(), 9.55);
        assert_eq!(cell.median_run().wall, 9.0);
        assert_eq!(cell.result_label(), "mixed: 2x timeout, 2x solved");
        let cell = Cell {
            runs: vec![run(10.1, Outcome::TimedOut)],
        };
        assert!(cell.timed_out());
        assert_eq!(cell.time(10.0), 10.0);
        assert_eq!(fmt_time(cell.time(10.0), true), "≥10.000");
    }

    #[test]
    fn ratios() {
        assert_eq!(fmt_ratio(1.0, false, 2.0, false), "0.50");
        assert_eq!(fmt_ratio(0.01, false, 2.0, false), "0.005");
        assert_eq!(fmt_ratio(30.0, false, 2.0, false), "15.0");
        assert_eq!(fmt_ratio(10.0, true, 2.0, false), "≥5.00");
        assert_eq!(fmt_ratio(1.0, false, 10.0, true), "≤0.10");
        assert_eq!(fmt_ratio(10.0, true, 10.0, true), "—");
        assert_eq!(fmt_ratio(1.0, false, 0.0, false), "—");
    }

    #[test]
    fn table_with_reference() {
        let options = Options {
            reference: Some(PathBuf::from("mm")),
            threads: vec![1],
            timeout: 10.0,
            ..Options::parse(Vec::new()).unwrap().unwrap()
        };
        let instance = |name: &str| Instance {
            name: name.to_string(),
            path: PathBuf::from(name),
            capacity: 1,
        };
        let rows = vec![
            Row {
                instance: instance("C"),
                buffers: 203,
                ours: vec![Cell {
                    runs: vec![run(0.5, Outcome::Solved)],
                }],
                reference: Some(Cell {
                    runs: vec![Run {
                        elapsed: Some(0.9),
                        backtracks: None,
                        ..run(1.0, Outcome::Solved)
                    }],
                }),
            },
            Row {
                instance: instance("J"),
                buffers: 409,
                ours: vec![Cell {
                    runs: vec![run(10.2, Outcome::TimedOut)],
                }],
                reference: Some(Cell {
                    runs: vec![run(4.0, Outcome::Solved)],
                }),
            },
        ];
        let table = render_table(&rows, &options);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 5, "{table}");
        let mut disputed = rows;
        disputed[0].reference.as_mut().unwrap().runs[0].outcome = Outcome::Infeasible;
        let other = render_table(&disputed, &options);
        assert!(
            other.lines().nth(2).unwrap().ends_with("| DISAGREE |"),
            "{other}"
        );
        let cells = |line: &str| -> Vec<String> {
            line.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect()
        };
        assert_eq!(
            cells(lines[0]),
            [
                "instance",
                "buffers",
                "t1 s",
                "t1 backtracks",
                "t1 result",
                "ref s",
                "ref own s",
                "ref result",
                "t1/ref"
            ]
        );
        assert_eq!(
            cells(lines[2]),
            ["C", "203", "0.500", "50", "solved", "1.000", "0.900", "solved", "0.50"]
        );
        assert_eq!(
            cells(lines[3]),
            [
                "J",
                "409",
                "≥10.000",
                "1020",
                "timeout",
                "4.000",
                "—",
                "solved",
                "≥2.50"
            ]
        );
        assert_eq!(
            cells(lines[4]),
            [
                "**total**",
                "612",
                "≥10.500",
                "≥1070",
                "1/2 solved, 1 timeout",
                "5.000",
                "—",
                "2/2 solved",
                "≥2.10"
            ]
        );
    }
}
