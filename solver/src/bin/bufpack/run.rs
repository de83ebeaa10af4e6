//! One run: read the problem, solve it against the clock, report on stderr, write the packing.
//! A `.tflite` model takes the same road from the search on, through `model.rs`.

use std::io::{self, IsTerminal, Read, Write};
use std::time::{Duration, Instant};

use bufpack::{
    minimize_parallel, read_problem, solve, solve_parallel, validate, write_solution, BoundReason,
    Infeasibility, MinimizeOutcome, MinimizeReport, Monitor, Offset, Outcome, Problem, Report,
    Share, Solution, ValidationError, MAX_MAGNITUDE, MAX_MINIMIZE_THREADS,
};

use crate::args::Options;
use crate::model;
use crate::output::Output;
use crate::signals::{self, Signal};

/// How a run ends, as the exit status says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    /// A packing was found and written (or the help or version printed).
    Success,
    /// No packing: infeasible, undecided, timed out, or (a solver bug) one that did not
    /// validate.
    NoPacking,
    /// Bad input, bad usage, or an I/O error (an output that cannot be written).
    Usage,
    /// Stopped by a signal (Ctrl-C, SIGTERM), after writing the best packing if there was one.
    Stopped(Signal),
    /// A panic: a bug in bufpack (`crash.rs` has said so on stderr). Nothing was written.
    Internal,
}

impl Exit {
    /// The exit status: 0, 1, 2, 70 (`EX_SOFTWARE` of sysexits.h: an internal error), or
    /// 128 + the signal's number (130 for SIGINT, 143 for SIGTERM), as a shell reports a
    /// process that a signal killed.
    pub(crate) fn status(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::NoPacking => 1,
            Exit::Usage => 2,
            Exit::Stopped(signal) => signal.exit_status(),
            Exit::Internal => 70,
        }
    }
}

/// Writes to stderr, ignoring failure: there is nowhere left to report it.
pub(crate) fn say(text: &str) {
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

/// Runs the solver as `options` say; messages go to stderr.
pub(crate) fn run(options: &Options) -> Exit {
    match try_run(options) {
        Ok(exit) => exit,
        Err(message) => {
            say(&format!("bufpack: {message}\n"));
            Exit::Usage
        }
    }
}

/// The clock the solver is watched by: it stops the search at the deadline, if any, or
/// when a signal asks to stop.
pub(crate) struct Clock {
    start: Instant,
    timeout: Option<Duration>,
    deadline: Option<Instant>,
    /// What stopped the search, once something did.
    stop: Option<Stop>,
    /// Panic at the first stop check ([`crate::crash::PANIC_FOR_TESTS`]).
    panic_for_tests: bool,
}

/// Why the search was stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    TimeLimit(Duration),
    Signal(Signal),
}

impl Clock {
    fn start(timeout: Option<Duration>) -> Clock {
        let start = Instant::now();
        Clock {
            start,
            timeout,
            // A deadline beyond what the clock can hold is no deadline.
            deadline: timeout.and_then(|t| start.checked_add(t)),
            stop: None,
            panic_for_tests: std::env::var_os(crate::crash::PANIC_FOR_TESTS).is_some(),
        }
    }

    /// "stopped at the time limit of 10 s", "stopped by signal SIGINT".
    fn stopped(&self) -> String {
        match self.stop {
            Some(Stop::TimeLimit(limit)) => {
                format!("stopped at the time limit of {} s", limit.as_secs_f64())
            }
            Some(Stop::Signal(signal)) => format!("stopped by signal {}", signal.name()),
            None => "stopped".to_string(),
        }
    }

    /// Panics if [`crate::crash::PANIC_FOR_TESTS`] is set: where the search first asks
    /// whether to stop, or else (a search that never asked) once it returns, before anything
    /// is written.
    fn panic_if_asked(&self) {
        assert!(
            !self.panic_for_tests,
            "a deliberate panic in the search ({} is set)",
            crate::crash::PANIC_FOR_TESTS
        );
    }

    /// The signal that stopped the search, if one did.
    fn signal(&self) -> Option<Signal> {
        match self.stop {
            Some(Stop::Signal(signal)) => Some(signal),
            _ => None,
        }
    }
}

impl Monitor for Clock {
    fn should_stop(&mut self) -> bool {
        self.panic_if_asked();
        if self.stop.is_some() {
            return true;
        }
        self.stop = match (signals::received(), self.timeout, self.deadline) {
            (Some(signal), _, _) => Some(Stop::Signal(signal)),
            (None, Some(limit), Some(deadline)) if Instant::now() >= deadline => {
                Some(Stop::TimeLimit(limit))
            }
            _ => None,
        };
        self.stop.is_some()
    }

    fn elapsed(&self) -> Option<Duration> {
        Some(self.start.elapsed())
    }
}

/// The time limit of `--minimize` when `--timeout` is not given.
const MINIMIZE_TIMEOUT: Duration = Duration::from_secs(10);

fn try_run(options: &Options) -> Result<Exit, String> {
    // The clock starts first: the time limit holds for the whole run, reading included.
    let timeout = match (options.minimize, options.timeout_given) {
        (true, false) => Some(MINIMIZE_TIMEOUT),
        _ => options.timeout,
    };
    let mut clock = Clock::start(timeout);
    let capacity = match (options.capacity, options.minimize) {
        (Some(capacity), _) => capacity,
        (None, true) => MAX_MAGNITUDE,
        (None, false) => {
            return Err("--capacity is required: the memory size, as in --capacity=1048576".into())
        }
    };
    // Before the input is read: an output that cannot be written fails the run at once.
    let output = Output::open(options.output.as_deref())?;
    let threads = threads(options);
    let input = options.input.as_deref().unwrap_or("<stdin>");
    let bytes = read_input(options.input.as_deref())?;
    // A model is known by its contents, not its name: stdin can carry one too.
    if model::is_model(&bytes) {
        return model::run(options, &bytes, input, capacity, threads, clock, output);
    }
    model::check_csv_input(options, &bytes)?;
    let text = utf8(bytes, input)?;
    let problem = read_problem(&text, capacity).map_err(|e| format!("{input}: {e}"))?;
    drop(text);
    let exit = match search(options, &problem, input, threads, &mut clock)? {
        Searched::Packed(packing) => match finish(options, &problem, &packing.solution, output)? {
            Exit::Success => packing.exit,
            exit => exit,
        },
        Searched::Nothing(exit) => exit,
    };
    // The process ends next, and the system takes its memory back at once: freeing a
    // million buffers one by one first would only delay the exit (a few hundredths of a
    // second).
    std::mem::forget(problem);
    Ok(exit)
}

/// What the search found.
pub(crate) enum Searched {
    /// A packing, to be written.
    Packed(Packing),
    /// None; the exit status says why (infeasible, undecided, stopped).
    Nothing(Exit),
}

/// A packing the search found, with what is proven about its height.
pub(crate) struct Packing {
    pub(crate) solution: Solution,
    /// With `--minimize`, the lower bound it proved (decision proves none).
    pub(crate) lower_bound: Option<Offset>,
    /// Whether minimisation proved the height lowest.
    pub(crate) optimal: bool,
    /// The exit status once it is written: success, or the signal that stopped the search
    /// before it was done.
    pub(crate) exit: Exit,
}

/// Solves `problem` as `options` say (at its capacity, or minimising the height) and prints
/// the summary on stderr.
pub(crate) fn search(
    options: &Options,
    problem: &Problem,
    input: &str,
    threads: usize,
    clock: &mut Clock,
) -> Result<Searched, String> {
    if options.minimize {
        return search_lowest(options, problem, input, threads, clock);
    }
    let report = if threads > 1 {
        solve_parallel(problem, &options.params, threads, clock)
    } else {
        solve(problem, &options.params, clock)
    }
    .map_err(|e| format!("{input}: {e}"))?;
    clock.panic_if_asked();
    let elapsed = clock.start.elapsed();

    say(&summary(problem, &report, elapsed, clock));
    Ok(match report.outcome {
        Outcome::Solved(solution) => Searched::Packed(Packing {
            solution,
            lower_bound: None,
            optimal: false,
            exit: Exit::Success,
        }),
        Outcome::Stopped => {
            Searched::Nothing(clock.signal().map_or(Exit::NoPacking, Exit::Stopped))
        }
        Outcome::Infeasible(_) | Outcome::Undecided(_) => Searched::Nothing(Exit::NoPacking),
    })
}

/// `--minimize`: the lowest height found within the time limit, with the bound and gap.
fn search_lowest(
    options: &Options,
    problem: &Problem,
    input: &str,
    threads: usize,
    clock: &mut Clock,
) -> Result<Searched, String> {
    let report = minimize_parallel(problem, &options.params, threads, clock)
        .map_err(|e| format!("{input}: {e}"))?;
    clock.panic_if_asked();
    let elapsed = clock.start.elapsed();
    say(&minimize_summary(
        problem,
        &report,
        elapsed,
        clock,
        options.capacity.is_some(),
    ));
    // A signal that came after the search ended stopped nothing: the result is whole.
    let signal = clock.signal().filter(|_| report.stopped);
    let lower_bound = Some(report.lower_bound);
    let optimal = matches!(report.outcome, MinimizeOutcome::Optimal(_));
    Ok(match report.outcome {
        MinimizeOutcome::Optimal(solution) | MinimizeOutcome::Feasible(solution) => {
            Searched::Packed(Packing {
                optimal,
                solution,
                lower_bound,
                exit: signal.map_or(Exit::Success, Exit::Stopped),
            })
        }
        MinimizeOutcome::Infeasible(_) | MinimizeOutcome::Stopped => {
            Searched::Nothing(signal.map_or(Exit::NoPacking, Exit::Stopped))
        }
    })
}

/// The threads to run: as asked, but no more than the machine's cores nor than the search
/// can use (one per search of the portfolio, or per heuristic pass with `--minimize`), said
/// once on stderr when that is fewer.
fn threads(options: &Options) -> usize {
    let asked = options.threads;
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let (useful, what) = if options.minimize {
        (MAX_MINIMIZE_THREADS, "one per heuristic pass")
    } else {
        (
            Share::most_parts(&options.params),
            "one per search of the portfolio",
        )
    };
    let used = asked.min(cores).min(useful);
    if used < asked {
        let why = if cores <= useful {
            "the machine's cores; more only slows the search"
        } else {
            what
        };
        say(&format!(
            "bufpack: --threads={asked}: using {used} ({why})\n"
        ));
    }
    used
}

/// Validates `solution` if asked, then writes it.
fn finish(
    options: &Options,
    problem: &Problem,
    solution: &Solution,
    output: Output,
) -> Result<Exit, String> {
    if options.validate {
        if let Err(error) = validate(problem, solution) {
            say(&format!(
                "Validation: failed\nbufpack: the packing found is invalid, which is a bug \
                 in the solver: {error}\n"
            ));
            return Ok(Exit::NoPacking);
        }
        say("Validation: validated\n");
    }
    output.write(write_solution(problem, solution).as_bytes())?;
    Ok(Exit::Success)
}

/// The stderr report, one `Name: value` line each, MiniMalloc's `Elapsed` among them.
fn summary(problem: &Problem, report: &Report, elapsed: Duration, clock: &Clock) -> String {
    let mut lines = Vec::new();
    if let Outcome::Solved(solution) = &report.outcome {
        lines.push(format!("Height: {}", solution.height));
    }
    lines.push(format!("Capacity: {}", problem.capacity));
    lines.push(format!("Elapsed: {:.3} s", elapsed.as_secs_f64()));
    lines.push(format!("Nodes: {}", report.stats.nodes));
    lines.push(format!("Backtracks: {}", report.stats.backtracks));
    if let Some(ordering) = &report.stats.ordering {
        lines.push(format!("Ordering: {ordering}"));
    }
    lines.push(match &report.outcome {
        Outcome::Solved(_) => "Result: solved".to_string(),
        Outcome::Infeasible(reason) => format!("Result: infeasible ({reason})"),
        Outcome::Stopped => match clock.stop {
            Some(Stop::TimeLimit(limit)) => {
                format!("Result: timed out after {} s", limit.as_secs_f64())
            }
            _ => format!("Result: {}", clock.stopped()),
        },
        Outcome::Undecided(why) => format!("Result: undecided ({why})"),
    });
    lines.iter().map(|line| format!("{line}\n")).collect()
}

/// The stderr report of `--minimize`.
fn minimize_summary(
    problem: &Problem,
    report: &MinimizeReport,
    elapsed: Duration,
    clock: &Clock,
    limit_given: bool,
) -> String {
    let mut lines = Vec::new();
    if let Some(solution) = report.solution() {
        lines.push(format!("Height: {}", solution.height));
    }
    let why = match &report.bound_reason {
        BoundReason::Load { time } => format!("the load at time {time}"),
        BoundReason::Buffer { index } => {
            format!("buffer {:?} alone", problem.buffers[*index].id)
        }
        BoundReason::Exhausted => "the exact search ruled out every lower height".to_string(),
        BoundReason::Spare { time, index } => format!(
            "the load at time {time} and the bytes of buffer {:?} outside its window that the \
             buffers live then cannot fill",
            problem.buffers[*index].id
        ),
    };
    lines.push(format!("Lower bound: {} ({why})", report.lower_bound));
    lines.push(format!("Load: {}", report.load));
    if let (Some(gap), Some(solution)) = (report.gap_percent(), report.solution()) {
        let above = solution.height - report.lower_bound;
        lines.push(match above {
            0 => "Gap: 0.000%".to_string(),
            _ => format!("Gap: {gap:.3}% ({above} above the lower bound)"),
        });
    }
    if problem.capacity < MAX_MAGNITUDE {
        lines.push(format!("Capacity: {}", problem.capacity));
    }
    lines.push(format!("Elapsed: {:.3} s", elapsed.as_secs_f64()));
    lines.push(format!("Nodes: {}", report.stats.nodes));
    lines.push(format!("Backtracks: {}", report.stats.backtracks));
    if let Some(found_by) = &report.found_by {
        lines.push(format!("Found by: {found_by}"));
    }
    if !report.searched && !report.stopped && matches!(report.outcome, MinimizeOutcome::Feasible(_))
    {
        lines.push("Exact search: skipped (input too large for it)".to_string());
    }
    if report.incomplete {
        lines.push(
            "Exact search: incomplete (windowed gaps allow more placements than it tries \
             at some heights; those heights were not ruled out)"
                .to_string(),
        );
    }
    let stopped = clock.stopped();
    lines.push(match &report.outcome {
        MinimizeOutcome::Optimal(_) => "Result: optimal".to_string(),
        MinimizeOutcome::Feasible(_) if report.stopped => format!(
            "Result: feasible, gap {:.3}% ({stopped})",
            report.gap_percent().unwrap_or(0.0)
        ),
        MinimizeOutcome::Feasible(_) => format!(
            "Result: feasible, gap {:.3}%",
            report.gap_percent().unwrap_or(0.0)
        ),
        MinimizeOutcome::Infeasible(reason) => {
            format!("Result: infeasible ({})", infeasible(reason, limit_given))
        }
        MinimizeOutcome::Stopped => format!("Result: no packing found ({stopped})"),
    });
    if let Some(memory) = peak_memory() {
        lines.push(format!("Memory: {memory:.1} MB"));
    }
    lines.iter().map(|line| format!("{line}\n")).collect()
}

/// Why no packing exists, in words that fit the run. Without `--capacity`, minimisation's
/// only limit is the largest memory bufpack can address, which the library's reasons call
/// "the capacity", as if one had been given.
fn infeasible(reason: &Infeasibility, limit_given: bool) -> String {
    let beyond = format!("more than bufpack can address (2^53-1 = {MAX_MAGNITUDE})");
    match reason {
        _ if limit_given => reason.to_string(),
        Infeasibility::TooLarge { id, end }
        | Infeasibility::FixedClash(ValidationError::OutOfCapacity { id, end, .. }) => {
            format!("buffer {id:?} needs memory up to {end}, {beyond}")
        }
        Infeasibility::Load { time, load } => {
            format!("at time {time} the live buffers need {load} units, {beyond}")
        }
        _ => reason.to_string(),
    }
}

/// The process's peak resident memory in MB, where the system tells it (Linux).
fn peak_memory() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kilobytes: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kilobytes / 1024.0)
}

/// The input's bytes, from the file at `path` or from stdin.
fn read_input(path: Option<&str>) -> Result<Vec<u8>, String> {
    let label = path.unwrap_or("<stdin>");
    match path {
        Some(path) => std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}")),
        None => {
            let stdin = io::stdin();
            if stdin.is_terminal() {
                return Err(
                    "no --input given and stdin is a terminal: pass --input=FILE, or pipe the \
                     CSV in (see --help)"
                        .to_string(),
                );
            }
            let mut bytes = Vec::new();
            stdin
                .lock()
                .read_to_end(&mut bytes)
                .map_err(|e| format!("cannot read {label}: {e}"))?;
            Ok(bytes)
        }
    }
}

/// The input as text, or where it stops being UTF-8.
fn utf8(bytes: Vec<u8>, label: &str) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let valid = e.utf8_error().valid_up_to();
        // The prefix is valid UTF-8, so this cannot fail; positions as CsvError counts them.
        let before = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
        // Line breaks are LF, CRLF (once) or a lone CR, as the CSV reader counts them.
        let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let breaks = before.matches(['\n', '\r']).count() - before.matches("\r\n").count();
        format!(
            "{label}: line {}, column {}: expected UTF-8 text, found the byte 0x{:02X}",
            breaks + 1,
            before[line_start..].chars().count() + 1,
            bytes[valid]
        )
    })
}
