//! `cargo xtask bench --minimize`: asks bufpack for the lowest height of each
//! instance (no capacity) and tabulates height, bound, gap, result, memory and
//! what found the packing.

use std::fmt::Write as _;
use std::path::Path;

use super::instances::{count_buffers, Instance};
use super::parse::{field, leading_number, parse_backtracks, parse_elapsed};
use super::{run_limited, stderr_tail, timeout_flag, Cell, Options, Setup, Timed};
use crate::table::{Align, Table};

/// What one `bufpack --minimize` run printed on stderr; absent lines are `None`.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Figures {
    pub(crate) height: Option<u64>,
    pub(crate) lower_bound: Option<u64>,
    pub(crate) load: Option<u64>,
    /// In percent.
    pub(crate) gap: Option<f64>,
    pub(crate) capacity: Option<u64>,
    pub(crate) elapsed: Option<f64>,
    pub(crate) nodes: Option<u64>,
    pub(crate) backtracks: Option<u64>,
    pub(crate) found_by: Option<String>,
    /// The `Exact search:` line, e.g. `skipped (input too large for it)`.
    pub(crate) exact_search: Option<String>,
    pub(crate) verdict: Option<Verdict>,
    /// Peak resident set in MB.
    pub(crate) memory: Option<f64>,
    /// `Some(true)` for `Validation: validated`, `Some(false)` for anything else.
    pub(crate) validated: Option<bool>,
}

/// What the `Result:` line of a minimisation says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Optimal,
    Feasible,
    Infeasible,
    NoPacking,
}

/// A whole non-negative number at the start of the `word:` line's value.
fn count(stderr: &str, word: &str) -> Option<u64> {
    let value = leading_number(field(stderr, word)?)?;
    (value >= 0.0 && value.fract() == 0.0).then_some(value as u64)
}

/// Reads the `Name: value` lines of `bufpack --minimize`.
pub(crate) fn parse_figures(stderr: &str) -> Figures {
    let text = |word: &str| field(stderr, word).map(str::to_string);
    Figures {
        height: count(stderr, "height"),
        lower_bound: count(stderr, "lower bound"),
        load: count(stderr, "load"),
        gap: field(stderr, "gap").and_then(leading_number),
        capacity: count(stderr, "capacity"),
        elapsed: parse_elapsed(stderr),
        nodes: count(stderr, "nodes"),
        backtracks: parse_backtracks(stderr),
        found_by: text("found by"),
        exact_search: text("exact search"),
        verdict: field(stderr, "result").and_then(parse_verdict),
        memory: field(stderr, "memory").and_then(leading_number),
        validated: field(stderr, "validation").map(|v| v.eq_ignore_ascii_case("validated")),
    }
}

/// `optimal`, `feasible, gap ...`, `infeasible (...)`, `no packing found (...)`.
pub(crate) fn parse_verdict(value: &str) -> Option<Verdict> {
    let value = value.trim().to_ascii_lowercase();
    if value.starts_with("optimal") {
        Some(Verdict::Optimal)
    } else if value.starts_with("feasible") {
        Some(Verdict::Feasible)
    } else if value.starts_with("infeasible") {
        Some(Verdict::Infeasible)
    } else if value.starts_with("no packing") {
        Some(Verdict::NoPacking)
    } else {
        None
    }
}

/// How one minimisation run ended.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Ending {
    Optimal,
    Feasible,
    Infeasible,
    /// No packing within the time limit.
    NoPacking,
    /// Outlived its limit by far and was killed by the bench.
    Killed,
    /// Crashed, rejected its input, or wrote a packing it did not validate.
    Error(String),
}

impl Ending {
    pub(crate) fn label(&self) -> String {
        match self {
            Ending::Optimal => "optimal".to_string(),
            Ending::Feasible => "feasible".to_string(),
            Ending::Infeasible => "infeasible".to_string(),
            Ending::NoPacking => "none".to_string(),
            Ending::Killed => "killed".to_string(),
            Ending::Error(why) => format!("error: {why}"),
        }
    }

    /// Whether the run counts as a failure of the benchmark.
    pub(crate) fn failed(&self) -> bool {
        matches!(self, Ending::Killed | Ending::Error(_))
    }
}

/// Classifies a finished run from its exit code (`None`: killed by a signal)
/// and what it printed. Exit 0 must come with a packing that was validated;
/// exit 1 must say why there is none.
pub(crate) fn classify(code: Option<i32>, figures: &Figures) -> Ending {
    let verdict = figures.verdict;
    match code {
        Some(0) => match verdict {
            Some(Verdict::Optimal | Verdict::Feasible) if figures.validated != Some(true) => {
                Ending::Error("packing written without `Validation: validated`".to_string())
            }
            Some(Verdict::Optimal) => Ending::Optimal,
            Some(Verdict::Feasible) => Ending::Feasible,
            _ => Ending::Error("exit 0 without an optimal or feasible `Result:`".to_string()),
        },
        Some(1) => match verdict {
            Some(Verdict::Infeasible) => Ending::Infeasible,
            Some(Verdict::NoPacking) => Ending::NoPacking,
            Some(_) if figures.validated == Some(false) => {
                Ending::Error("the packing failed validation".to_string())
            }
            Some(_) => Ending::Error("exit 1 after finding a packing".to_string()),
            None => Ending::Error("exit 1 without a `Result:` line".to_string()),
        },
        Some(2) => Ending::Error("bad input (exit 2)".to_string()),
        Some(code) => Ending::Error(format!("exit {code}")),
        None => Ending::Error("killed by a signal".to_string()),
    }
}

/// One finished minimisation run.
#[derive(Clone, Debug)]
pub(crate) struct Run {
    /// Wall time around the child process, in seconds.
    pub(crate) wall: f64,
    pub(crate) figures: Figures,
    pub(crate) ending: Ending,
    /// The last lines of stderr of a failed run, shown with the progress.
    pub(crate) stderr_tail: Vec<String>,
}

impl Timed for Run {
    fn wall(&self) -> f64 {
        self.wall
    }

    fn label(&self) -> String {
        self.ending.label()
    }
}

fn run_one(program: &Path, args: &[String], timeout: f64) -> Run {
    match run_limited(program, args, timeout) {
        Err(why) => Run {
            wall: 0.0,
            figures: Figures::default(),
            ending: Ending::Error(why),
            stderr_tail: Vec::new(),
        },
        Ok((wall, status, stderr)) => {
            let figures = parse_figures(&stderr);
            let ending = match status {
                None => Ending::Killed,
                Some(status) => classify(status.code(), &figures),
            };
            let stderr_tail = if ending.failed() {
                stderr_tail(&stderr)
            } else {
                Vec::new()
            };
            Run {
                wall,
                figures,
                ending,
                stderr_tail,
            }
        }
    }
}

/// Results of one instance: one cell per thread count.
pub(crate) struct Row {
    pub(crate) name: String,
    pub(crate) buffers: usize,
    pub(crate) cells: Vec<Cell<Run>>,
}

fn dash() -> String {
    "—".to_string()
}

/// The gap in percent, three decimals as bufpack prints it, but `<0.001` for
/// a height above the bound that the rounding would show as optimal.
fn fmt_gap(figures: &Figures) -> String {
    let Some(gap) = figures.gap else {
        return dash();
    };
    let text = format!("{gap:.3}");
    match (figures.height, figures.lower_bound) {
        (Some(height), Some(bound)) if height > bound && text == "0.000" => "<0.001".to_string(),
        _ => text,
    }
}

/// `Found by`, with a note when the exact search was skipped.
fn found_by(figures: &Figures) -> String {
    let mut text = figures.found_by.clone().unwrap_or_else(dash);
    if let Some(exact) = &figures.exact_search {
        if exact.to_ascii_lowercase().starts_with("skipped") {
            text.push_str("; exact search skipped");
        }
    }
    text
}

/// Renders the results table: per thread count the median wall time, then
/// the median run's height, bound, gap, result, memory and finder.
pub(crate) fn render_table(rows: &[Row], threads: &[usize]) -> String {
    let mut header = vec![
        ("instance".to_string(), Align::Left),
        ("buffers".to_string(), Align::Right),
    ];
    for t in threads {
        for (name, align) in [
            ("s", Align::Right),
            ("height", Align::Right),
            ("bound", Align::Right),
            ("gap %", Align::Right),
            ("result", Align::Left),
            ("MB", Align::Right),
            ("found by", Align::Left),
        ] {
            header.push((format!("t{t} {name}"), align));
        }
    }
    let mut table = Table::new(header);
    for row in rows {
        let mut cells = vec![row.name.clone(), row.buffers.to_string()];
        for cell in &row.cells {
            let f = &cell.median_run().figures;
            cells.push(format!("{:.3}", cell.median_wall()));
            cells.push(f.height.map_or_else(dash, |h| h.to_string()));
            cells.push(f.lower_bound.map_or_else(dash, |b| b.to_string()));
            cells.push(fmt_gap(f));
            cells.push(cell.result_label());
            cells.push(f.memory.map_or_else(dash, |m| format!("{m:.1}")));
            cells.push(found_by(f));
        }
        table.row(cells);
    }
    let buffers: usize = rows.iter().map(|r| r.buffers).sum();
    let mut cells = vec!["**total**".to_string(), buffers.to_string()];
    for i in 0..threads.len() {
        let column: Vec<&Cell<Run>> = rows.iter().map(|r| &r.cells[i]).collect();
        let time: f64 = column.iter().map(|c| c.median_wall()).sum();
        let figures = || column.iter().map(|c| &c.median_run().figures);
        let max = |values: Vec<f64>| values.into_iter().reduce(f64::max);
        let gap = max(figures().filter_map(|f| f.gap).collect());
        let memory = max(figures().filter_map(|f| f.memory).collect());
        cells.push(format!("{time:.3}"));
        cells.push(dash());
        cells.push(dash());
        cells.push(gap.map_or_else(dash, |g| format!("max {g:.3}")));
        cells.push(tally(column.iter().map(|c| &c.median_run().ending)));
        cells.push(memory.map_or_else(dash, |m| format!("max {m:.1}")));
        cells.push(dash());
    }
    table.row(cells);
    table.render()
}

/// `2/3 optimal, 1 feasible`, then any other endings, from the median runs.
fn tally<'a>(endings: impl Iterator<Item = &'a Ending>) -> String {
    let (mut n, mut optimal, mut feasible, mut none, mut infeasible, mut failed) =
        (0, 0, 0, 0, 0, 0);
    for ending in endings {
        n += 1;
        match ending {
            Ending::Optimal => optimal += 1,
            Ending::Feasible => feasible += 1,
            Ending::NoPacking => none += 1,
            Ending::Infeasible => infeasible += 1,
            Ending::Killed | Ending::Error(_) => failed += 1,
        }
    }
    let mut text = format!("{optimal}/{n} optimal");
    for (count, what) in [
        (feasible, "feasible"),
        (none, "none"),
        (infeasible, "infeasible"),
        (failed, "error"),
    ] {
        if count > 0 {
            write!(text, ", {count} {what}").unwrap();
        }
    }
    text
}

/// Runs the minimisation benchmark; returns the report (info lines, table,
/// notes) and the number of failed runs.
pub(crate) fn bench(options: &Options, setup: &Setup) -> Result<(String, usize), String> {
    let bin = setup.bin()?;
    let mut rows = Vec::new();
    for instance in &setup.instances {
        let mut row = Row {
            name: instance.name.clone(),
            buffers: count_buffers(&setup.read(instance)?),
            cells: vec![Cell::default(); options.threads.len()],
        };
        for rep in 1..=options.repeat {
            for (i, threads) in options.threads.iter().enumerate() {
                let output = setup.output_file(&format!("{}.min.t{threads}.csv", instance.name));
                let args = command(options, *threads, &output, &instance.path);
                let run = run_one(&bin, &args, options.timeout);
                progress(instance, *threads, rep, options.repeat, &run);
                row.cells[i].runs.push(run);
            }
        }
        rows.push(row);
    }

    let mut report = String::new();
    let mut shown = vec![setup.show(&bin)];
    shown.extend(command(
        options,
        0,
        Path::new("FILE"),
        Path::new("INSTANCE"),
    ));
    let shown = shown.join(" ").replace("--threads=0", "--threads=N");
    writeln!(report, "- bufpack: `{shown}`").unwrap();
    writeln!(
        report,
        "- instances: {} (no --capacity: the height is minimised)",
        setup.show(&setup.dir)
    )
    .unwrap();
    report.push('\n');
    report.push_str(&render_table(&rows, &options.threads));
    let repeat = options.repeat;
    let limit = options.timeout;
    write!(
        report,
        "\nTimes are wall-clock seconds around the whole process, median of \
         {repeat} run(s); the other columns are those of the median run. \
         `bound` is bufpack's lower bound, `gap %` is (height − bound) / bound, \
         `MB` its peak resident memory. A run stops when it proves its height \
         optimal, at the {limit}s limit, or once its heuristics are done when \
         the exact search is skipped; `none`: no packing found.\n"
    )
    .unwrap();
    let failed = rows
        .iter()
        .flat_map(|r| &r.cells)
        .flat_map(|c| &c.runs)
        .filter(|run| run.ending.failed())
        .count();
    Ok((report, failed))
}

/// The arguments of one run.
fn command(options: &Options, threads: usize, output: &Path, input: &Path) -> Vec<String> {
    let mut args = vec![
        "--minimize".to_string(),
        "--validate".to_string(),
        format!("--output={}", output.display()),
        timeout_flag(options.timeout),
        format!("--threads={threads}"),
    ];
    args.extend(options.extra_args.iter().cloned());
    args.push(format!("--input={}", input.display()));
    args
}

fn progress(instance: &Instance, threads: usize, rep: usize, repeat: usize, run: &Run) {
    let f = &run.figures;
    let mut line = format!(
        "bench: {} minimize t{threads} run {rep}/{repeat}: {:.3} s, {}",
        instance.name,
        run.wall,
        run.ending.label()
    );
    if let Some(height) = f.height {
        write!(line, ", height {height}").unwrap();
    }
    if let Some(gap) = f.gap {
        write!(line, ", gap {gap:.3}%").unwrap();
    }
    eprintln!("{line}");
    for line in &run.stderr_tail {
        eprintln!("bench:   | {line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample from the CLI's documentation, with every line present.
    const SAMPLE: &str = "\
Height: 1031168
Lower bound: 986112 (the load at time 205824)
Load: 986112
Gap: 4.569%
Capacity: 1048576
Elapsed: 30.000 s
Nodes: 123
Backtracks: 120
Found by: exact search (probing height 1031423)
Exact search: skipped (input too large for it)
Result: feasible, gap 4.569% (stopped at the time limit of 30 s)
Memory: 18.6 MB
Validation: validated
";

    #[test]
    fn parses_the_sample() {
        assert_eq!(
            parse_figures(SAMPLE),
            Figures {
                height: Some(1_031_168),
                lower_bound: Some(986_112),
                load: Some(986_112),
                gap: Some(4.569),
                capacity: Some(1_048_576),
                elapsed: Some(30.0),
                nodes: Some(123),
                backtracks: Some(120),
                found_by: Some("exact search (probing height 1031423)".to_string()),
                exact_search: Some("skipped (input too large for it)".to_string()),
                verdict: Some(Verdict::Feasible),
                memory: Some(18.6),
                validated: Some(true),
            }
        );
        assert_eq!(
            found_by(&parse_figures(SAMPLE)),
            "exact search (probing height 1031423); exact search skipped"
        );
        assert_eq!(classify(Some(0), &parse_figures(SAMPLE)), Ending::Feasible);
    }

    #[test]
    fn parses_missing_lines() {
        let none = "Lower bound: 2048 (buffer \"x\" alone)\nLoad: 1024\nElapsed: 5.001 s\n\
                    Nodes: 0\nBacktracks: 0\n\
                    Result: no packing found (stopped at the time limit of 5 s)\n";
        let figures = parse_figures(none);
        assert_eq!(figures.height, None);
        assert_eq!(figures.gap, None);
        assert_eq!(figures.lower_bound, Some(2048));
        assert_eq!(figures.load, Some(1024));
        assert_eq!(figures.found_by, None);
        assert_eq!(figures.memory, None);
        assert_eq!(figures.validated, None);
        assert_eq!(figures.verdict, Some(Verdict::NoPacking));
        assert_eq!(found_by(&figures), "—");
        assert_eq!(classify(Some(1), &figures), Ending::NoPacking);
        assert_eq!(parse_figures(""), Figures::default());
    }

    #[test]
    fn verdicts() {
        assert_eq!(parse_verdict("optimal"), Some(Verdict::Optimal));
        assert_eq!(
            parse_verdict("feasible, gap 0.041%"),
            Some(Verdict::Feasible)
        );
        assert_eq!(
            parse_verdict("infeasible (buffer 3 is larger than the capacity)"),
            Some(Verdict::Infeasible)
        );
        assert_eq!(
            parse_verdict("no packing found (stopped)"),
            Some(Verdict::NoPacking)
        );
        assert_eq!(parse_verdict("solved"), None);
    }

    #[test]
    fn classification() {
        let optimal = "Height: 10\nGap: 0.000%\nResult: optimal\nValidation: validated\n";
        assert_eq!(classify(Some(0), &parse_figures(optimal)), Ending::Optimal);
        // A packing written but not validated (or not said to be) is a failure.
        let unvalidated = "Height: 10\nResult: optimal\n";
        assert!(matches!(
            classify(Some(0), &parse_figures(unvalidated)),
            Ending::Error(e) if e.contains("Validation: validated")
        ));
        let failed = "Height: 10\nResult: optimal\nValidation: failed\n";
        assert!(matches!(
            classify(Some(1), &parse_figures(failed)),
            Ending::Error(e) if e.contains("failed validation")
        ));
        let infeasible = "Result: infeasible (buffer 3 alone exceeds the capacity)\n";
        assert_eq!(
            classify(Some(1), &parse_figures(infeasible)),
            Ending::Infeasible
        );
        assert!(matches!(
            classify(Some(1), &Figures::default()),
            Ending::Error(e) if e.contains("without a `Result:`")
        ));
        assert!(matches!(
            classify(Some(0), &Figures::default()),
            Ending::Error(_)
        ));
        assert!(matches!(
            classify(Some(2), &Figures::default()),
            Ending::Error(e) if e.contains("bad input")
        ));
        assert!(matches!(
            classify(Some(101), &Figures::default()),
            Ending::Error(e) if e == "exit 101"
        ));
        assert!(classify(None, &Figures::default()).failed());
        assert!(Ending::Killed.failed());
        assert!(!Ending::NoPacking.failed());
        assert_eq!(Ending::NoPacking.label(), "none");
    }

    fn run(wall: f64, stderr: &str, ending: Ending) -> Run {
        Run {
            wall,
            figures: parse_figures(stderr),
            ending,
            stderr_tail: Vec::new(),
        }
    }

    #[test]
    fn table() {
        let optimal = "Height: 100\nLower bound: 100 (the load at time 3)\nGap: 0.000%\n\
                       Found by: heuristic crowding/skyline\nResult: optimal\nMemory: 2.5 MB\n\
                       Validation: validated\n";
        let rows = vec![
            Row {
                name: "C".to_string(),
                buffers: 203,
                cells: vec![Cell {
                    runs: vec![
                        run(30.2, SAMPLE, Ending::Feasible),
                        run(30.1, SAMPLE, Ending::Feasible),
                        run(31.0, SAMPLE, Ending::Feasible),
                    ],
                }],
            },
            Row {
                name: "cnn-1000".to_string(),
                buffers: 1010,
                cells: vec![Cell {
                    runs: vec![
                        run(0.5, optimal, Ending::Optimal),
                        run(0.25, optimal, Ending::Optimal),
                        run(9.0, "", Ending::Error("exit 101".to_string())),
                    ],
                }],
            },
        ];
        let table = render_table(&rows, &[1]);
        let cells = |line: &str| -> Vec<String> {
            line.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect()
        };
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 5, "{table}");
        assert_eq!(
            cells(lines[0]),
            [
                "instance",
                "buffers",
                "t1 s",
                "t1 height",
                "t1 bound",
                "t1 gap %",
                "t1 result",
                "t1 MB",
                "t1 found by"
            ]
        );
        assert_eq!(
            cells(lines[2]),
            [
                "C",
                "203",
                "30.200",
                "1031168",
                "986112",
                "4.569",
                "feasible",
                "18.6",
                "exact search (probing height 1031423); exact search skipped"
            ]
        );
        assert_eq!(
            cells(lines[3]),
            [
                "cnn-1000",
                "1010",
                "0.500",
                "100",
                "100",
                "0.000",
                "mixed: 2x optimal, 1x error: exit 101",
                "2.5",
                "heuristic crowding/skyline"
            ]
        );
        assert_eq!(
            cells(lines[4]),
            [
                "**total**",
                "1213",
                "30.700",
                "—",
                "—",
                "max 4.569",
                "1/2 optimal, 1 feasible",
                "max 18.6",
                "—"
            ]
        );
    }

    #[test]
    fn gaps() {
        let tiny = "Height: 15341692416\nLower bound: 15341692032 (x)\nGap: 0.000%\n";
        assert_eq!(fmt_gap(&parse_figures(tiny)), "<0.001");
        let zero = "Height: 10\nLower bound: 10 (x)\nGap: 0.000%\n";
        assert_eq!(fmt_gap(&parse_figures(zero)), "0.000");
        assert_eq!(fmt_gap(&parse_figures(SAMPLE)), "4.569");
        assert_eq!(fmt_gap(&parse_figures("Height: 10\n")), "—");
    }

    #[test]
    fn command_line() {
        let options = Options {
            minimize: true,
            timeout: 5.0,
            extra_args: vec!["--x=1".to_string()],
            ..Options::parse(Vec::new()).unwrap().unwrap()
        };
        assert_eq!(
            command(&options, 2, Path::new("out.csv"), Path::new("in.csv")),
            [
                "--minimize",
                "--validate",
                "--output=out.csv",
                "--timeout=5s",
                "--threads=2",
                "--x=1",
                "--input=in.csv"
            ]
        );
    }
}
