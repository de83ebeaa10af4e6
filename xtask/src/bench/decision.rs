//! The decision runs of `cargo xtask bench`: bufpack (and optionally a MiniMalloc
//! binary) at each instance's capacity, timed, with backtracks and results.

use std::fmt::Write as _;
use std::path::Path;

use super::instances::{count_buffers, Instance};
use super::parse::{classify, parse_backtracks, parse_elapsed, Outcome};
use super::{run_limited, stderr_tail, timeout_flag, Cell, Options, Setup, Timed};
use crate::table::{Align, Table};

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

impl Timed for Run {
    fn wall(&self) -> f64 {
        self.wall
    }

    fn label(&self) -> String {
        self.outcome.label()
    }
}

/// Runs one solver command and classifies the result.
fn run_one(program: &Path, args: &[String], timeout: f64) -> Run {
    match run_limited(program, args, timeout) {
        Err(why) => Run {
            wall: 0.0,
            backtracks: None,
            elapsed: None,
            outcome: Outcome::Error(why),
            stderr_tail: Vec::new(),
        },
        Ok((wall, status, stderr)) => {
            let elapsed = parse_elapsed(&stderr);
            let outcome = match status {
                None => Outcome::Killed,
                Some(status) => classify(status.code(), &stderr, elapsed.unwrap_or(wall), timeout),
            };
            let stderr_tail = match outcome {
                Outcome::Error(_) => stderr_tail(&stderr),
                _ => Vec::new(),
            };
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

impl Cell<Run> {
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
fn disagree(ours: &Cell<Run>, theirs: &Cell<Run>) -> bool {
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
    ours: Vec<Cell<Run>>,
    reference: Option<Cell<Run>>,
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
    fn of<'a>(cells: impl Iterator<Item = &'a Cell<Run>>, timeout: f64) -> Total {
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

/// Runs the decision benchmark; returns the report (info lines, table, notes) and the
/// number of failed runs.
pub(crate) fn bench(options: &Options, setup: &Setup) -> Result<(String, usize), String> {
    let mut instances = Vec::new();
    for instance in &setup.instances {
        let Some(capacity) = instance.capacity else {
            return Err(format!(
                "instance `{}` ({}) has no capacity in its file name \
                 (<name>.<capacity>.csv); only --minimize runs such files",
                instance.name,
                instance.path.display()
            ));
        };
        instances.push((instance, capacity));
    }
    if let Some(reference) = &options.reference {
        if !reference.is_file() {
            return Err(format!("--reference {}: no such file", reference.display()));
        }
    }
    let bin = setup.bin()?;
    let mut rows = Vec::new();
    for (instance, capacity) in instances {
        let mut row = Row {
            instance: instance.clone(),
            buffers: count_buffers(&setup.read(instance)?),
            ours: vec![Cell::default(); options.threads.len()],
            reference: options.reference.as_ref().map(|_| Cell::default()),
        };
        let common = [
            format!("--capacity={capacity}"),
            format!("--input={}", instance.path.display()),
        ];
        for rep in 1..=options.repeat {
            for (i, threads) in options.threads.iter().enumerate() {
                let output = setup.output_file(&format!("{}.t{threads}.csv", instance.name));
                let mut args = common.to_vec();
                args.push(format!("--output={}", output.display()));
                args.push(timeout_flag(options.timeout));
                args.push(format!("--threads={threads}"));
                args.extend(options.extra_args.iter().cloned());
                let run = run_one(&bin, &args, options.timeout);
                progress(instance, &format!("bufpack t{threads}"), rep, options, &run);
                row.ours[i].runs.push(run);
            }
            if let (Some(reference), Some(cell)) = (&options.reference, &mut row.reference) {
                let mut args = common.to_vec();
                args.push(timeout_flag(options.timeout));
                let run = run_one(reference, &args, options.timeout);
                progress(instance, "reference", rep, options, &run);
                cell.runs.push(run);
            }
        }
        rows.push(row);
    }

    let mut report = String::new();
    let mut ours = format!("{} {}", setup.show(&bin), timeout_flag(options.timeout));
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
        setup.show(&setup.dir)
    )
    .unwrap();
    report.push('\n');
    report.push_str(&render_table(&rows, options));
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
    let failed = rows
        .iter()
        .flat_map(|r| r.ours.iter().chain(r.reference.as_ref()))
        .flat_map(|c| &c.runs)
        .filter(|run| matches!(run.outcome, Outcome::Error(_)))
        .count();
    Ok((report, failed))
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
    use std::path::PathBuf;

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
            capacity: Some(1),
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
