//! `cargo xtask bench --wasm`: the npm package against the native solver, same source,
//! same run. Native times come from the release CLI on one thread (wall time, parse
//! included); the package's from `web/bench/solve.mjs` in Node and in headless Chromium,
//! each both on the calling thread ("sync") and through `solveInWorker` end to end
//! ("worker": start a worker, instantiate the compiled module, solve, answer). The table
//! gives medians and the ratios to native; above it, the package's `.wasm` size.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::instances::{discover, select, Instance};
use crate::args::{split_list, Args};
use crate::machine;
use crate::pack;
use crate::table::{Align, Table};

pub(crate) const USAGE: &str = "\
Usage: cargo xtask bench --wasm [--dir DIR] [--instances LIST] [--repeat N]
                         [--timeout SECS] [--allocator talc|dlmalloc] [--markdown-out FILE]

Builds the npm package (as `cargo xtask pack`, into target/npm/bench/), then times the
decision solve of each instance at its capacity: natively in this process,
then with the package in Node and in headless Chromium (/usr/bin/chromium, or $CHROMIUM),
each on the calling thread and through solveInWorker. Prints a Markdown report with the
medians and the wasm/native ratios, and the .wasm size (raw and gzip -9).

Options:
  --dir DIR          the instances: DIR's <name>.<capacity>.csv files, e.g. cut
                     rectangles from `cargo xtask gen --family rect` renamed to
                     <name>.1048576.csv [default: tests/fixtures/challenging]
  --instances LIST   e.g. A,C,K [default: all found]
  --repeat N         runs per cell, median shown [default: 3]
  --timeout SECS     per-run limit [default: 60]
  --allocator NAME   the package's allocator [default: talc]
  --markdown-out F   also write the report to F";

/// One cell: how each run ended and the median time in milliseconds.
#[derive(Clone, Debug, Default)]
struct Timing {
    outcome: String,
    ms: Vec<f64>,
}

impl Timing {
    fn median(&self) -> f64 {
        let mut ms = self.ms.clone();
        ms.sort_by(f64::total_cmp);
        match ms.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => ms[n / 2],
            n => (ms[n / 2 - 1] + ms[n / 2]) / 2.0,
        }
    }
}

pub(crate) fn run(root: &Path, argv: Vec<String>) -> Result<(), String> {
    let args = Args::parse(
        argv,
        &[
            "dir",
            "instances",
            "repeat",
            "timeout",
            "allocator",
            "markdown-out",
        ],
        &["help", "wasm"],
    )?;
    if args.flag("help") {
        println!("{USAGE}");
        return Ok(());
    }
    args.no_positional()?;
    let repeat = args.parsed_or("repeat", 3usize)?.max(1);
    let timeout = args.parsed_or("timeout", 60.0f64)?;
    let allocator = args.value("allocator").unwrap_or("talc");
    let dir = args
        .value("dir")
        .map_or_else(|| root.join("tests/fixtures/challenging"), PathBuf::from);
    let mut instances = discover(&dir)?;
    if instances.is_empty() {
        return Err(format!(
            "{}: no <name>.<capacity>.csv files to time",
            dir.display()
        ));
    }
    if let Some(names) = args.value("instances") {
        instances = select(instances, &split_list(names))?;
    }

    let out = root.join("target/npm/bench");
    let tools = crate::setup::for_build(root)?;
    let package = pack::build(root, &tools, allocator, &out.join("package"), true)?;
    let wasm = std::fs::read(package.join("bufpack_wasm_bg.wasm")).map_err(|e| e.to_string())?;
    let gzipped = gzip_size(&package.join("bufpack_wasm_bg.wasm"))?;

    let bin = super::build(root)?;
    let mut native = Vec::new();
    for instance in &instances {
        eprintln!("bench --wasm: native {}", instance.name);
        native.push(time_native(&bin, instance, repeat, timeout)?);
    }
    let mut columns = vec![("native", native)];
    for engine in ["node", "chromium"] {
        eprintln!("bench --wasm: {engine}");
        let (sync, worker) = time_package(root, &package, engine, &instances, repeat, timeout)?;
        columns.push((
            if engine == "node" {
                "Node sync"
            } else {
                "Chromium sync"
            },
            sync,
        ));
        columns.push((
            if engine == "node" {
                "Node worker"
            } else {
                "Chromium worker"
            },
            worker,
        ));
    }

    let mut report = String::from("## bufpack bench --wasm\n\n");
    for (key, value) in machine::describe(root) {
        report.push_str(&format!("- {key}: {value}\n"));
    }
    if let Some(node) = machine::command_output("node", &["--version"], None) {
        report.push_str(&format!("- node: {node}\n"));
    }
    if let Some(chromium) = machine::command_output("chromium", &["--version"], None) {
        report.push_str(&format!(
            "- chromium: {}\n",
            chromium.lines().last().unwrap_or("")
        ));
    }
    report.push_str(&format!(
        "- package .wasm ({allocator}): {} bytes, {gzipped} gzipped\n- median of {repeat} runs; decision at the capacity in the file name, one thread\n\n",
        wasm.len()
    ));
    report.push_str(&render(&instances, &columns));
    print!("{report}");
    if let Some(path) = args.value("markdown-out") {
        std::fs::write(path, &report).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(())
}

/// The release CLI on one thread, wall time around the process (parse included, as in the
/// package's timings; process start adds about a millisecond).
fn time_native(
    bin: &Path,
    instance: &Instance,
    repeat: usize,
    timeout: f64,
) -> Result<Timing, String> {
    let capacity = instance
        .capacity
        .ok_or_else(|| format!("{}: no capacity in its name", instance.name))?;
    let args = vec![
        format!("--capacity={capacity}"),
        format!("--input={}", instance.path.display()),
        "--output=/dev/null".to_string(),
        "--threads=1".to_string(),
        super::timeout_flag(timeout),
    ];
    let mut timing = Timing::default();
    for _ in 0..repeat {
        let (wall, _, stderr) = super::run_limited(bin, &args, timeout)?;
        timing.ms.push(wall * 1000.0);
        timing.outcome = match stderr.lines().find_map(|l| l.strip_prefix("Result: ")) {
            Some("solved") => "solved".into(),
            Some(other) if other.starts_with("timed out") => "timeout".into(),
            Some(other) => other.to_string(),
            None => "no result".into(),
        };
    }
    Ok(timing)
}

/// Runs web/bench/solve.mjs and reads its JSON lines: (sync, worker) timings per instance.
fn time_package(
    root: &Path,
    package: &Path,
    engine: &str,
    instances: &[Instance],
    repeat: usize,
    timeout: f64,
) -> Result<(Vec<Timing>, Vec<Timing>), String> {
    let output = Command::new("node")
        .current_dir(root)
        .arg("web/bench/solve.mjs")
        .args([
            "--engine",
            engine,
            "--repeat",
            &repeat.to_string(),
            "--timeout",
            &timeout.to_string(),
        ])
        .arg("--package")
        .arg(package)
        .args(instances.iter().map(|i| &i.path))
        .output()
        .map_err(|e| format!("cannot run node: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "web/bench/solve.mjs ({engine}) failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut sync = vec![Timing::default(); instances.len()];
    let mut worker = vec![Timing::default(); instances.len()];
    for line in stdout.lines().filter(|l| l.starts_with('{')) {
        let name = json_string(line, "name").ok_or_else(|| format!("no name in {line}"))?;
        let index = instances
            .iter()
            .position(|i| i.name == name)
            .ok_or_else(|| format!("unknown instance {name}"))?;
        let timing = Timing {
            outcome: json_string(line, "outcome").unwrap_or_default(),
            ms: json_numbers(line, "ms"),
        };
        match json_string(line, "mode").as_deref() {
            Some("sync") => sync[index] = timing,
            Some("worker") => worker[index] = timing,
            other => return Err(format!("unknown mode {other:?} in {line}")),
        }
    }
    Ok((sync, worker))
}

/// `"key":"value"` from one flat JSON line (our own script's output).
fn json_string(line: &str, key: &str) -> Option<String> {
    let rest = line.split(&format!("\"{key}\":\"")).nth(1)?;
    Some(rest.split('"').next()?.to_string())
}

/// `"key":[1.5,2]` from one flat JSON line.
fn json_numbers(line: &str, key: &str) -> Vec<f64> {
    line.split(&format!("\"{key}\":["))
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .map(|list| {
            list.split(',')
                .filter_map(|n| n.trim().parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

fn gzip_size(path: &Path) -> Result<usize, String> {
    let output = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run gzip: {e}"))?;
    Ok(output.stdout.len())
}

fn render(instances: &[Instance], columns: &[(&str, Vec<Timing>)]) -> String {
    let mut header = vec![("instance".to_string(), Align::Left)];
    for (name, _) in columns {
        header.push((format!("{name} ms"), Align::Right));
        if *name != "native" {
            header.push((format!("{name} / native"), Align::Right));
        }
    }
    header.push(("result".to_string(), Align::Left));
    let mut table = Table::new(header);
    let mut totals = vec![0.0; columns.len()];
    for (row, instance) in instances.iter().enumerate() {
        let native = columns[0].1[row].median();
        let mut cells = vec![instance.name.clone()];
        for (column, (name, timings)) in columns.iter().enumerate() {
            let median = timings[row].median();
            totals[column] += median;
            cells.push(format!("{median:.0}"));
            if *name != "native" {
                cells.push(format!("{:.2}", median / native));
            }
        }
        let outcomes: Vec<&str> = columns
            .iter()
            .map(|(_, t)| t[row].outcome.as_str())
            .collect();
        let agreed = outcomes.iter().all(|o| *o == outcomes[0]);
        cells.push(if agreed {
            outcomes[0].to_string()
        } else {
            format!("DISAGREE: {}", outcomes.join("/"))
        });
        table.row(cells);
    }
    let mut cells = vec!["total".to_string()];
    for (column, (name, _)) in columns.iter().enumerate() {
        cells.push(format!("{:.0}", totals[column]));
        if *name != "native" {
            cells.push(format!("{:.2}", totals[column] / totals[0]));
        }
    }
    cells.push(String::new());
    table.row(cells);
    table.render()
}
