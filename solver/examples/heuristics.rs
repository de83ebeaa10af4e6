//! Runs every heuristic on a CSV and prints its height, gap to the lower bound and time:
//! `cargo run --release -p bufpack --example heuristics -- FILE.csv`.

use std::time::Instant;

use bufpack::{
    gap_percent, greedy, read_problem, validate, Heuristic, LowerBound, Order, MAX_MAGNITUDE,
};

fn main() -> Result<(), String> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: heuristics FILE.csv")?;
    let start = Instant::now();
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let problem = read_problem(&text, MAX_MAGNITUDE).map_err(|e| format!("{path}: {e}"))?;
    let read = start.elapsed().as_secs_f64();
    let bound = LowerBound::of(&problem);
    println!(
        "{path}: {} buffers, lower bound {}, read in {read:.3} s",
        problem.buffers.len(),
        bound.height
    );
    let skylines = Order::ALL.map(Heuristic::Skyline);
    // PEAKS=900,800 runs only the peaks-first passes at those thresholds.
    let peaks: Vec<Heuristic> = std::env::var("PEAKS")
        .map(|list| {
            list.split(',')
                .filter_map(|p| p.parse().ok())
                .map(Heuristic::Peaks)
                .collect()
        })
        .unwrap_or_default();
    let all: Vec<Heuristic> = if peaks.is_empty() {
        [Heuristic::Online, Heuristic::Stack]
            .into_iter()
            .chain(skylines)
            .chain(Heuristic::GREEDY)
            .collect()
    } else {
        peaks
    };
    // ONLY=skyline runs only the passes whose name contains that text.
    let only = std::env::var("ONLY").unwrap_or_default();
    for heuristic in all {
        if !heuristic.to_string().contains(&only) {
            continue;
        }
        let start = Instant::now();
        let solution = greedy(&problem, heuristic).map_err(|e| e.to_string())?;
        let elapsed = start.elapsed().as_secs_f64();
        match solution {
            Some(solution) => {
                validate(&problem, &solution).map_err(|e| format!("{heuristic}: {e}"))?;
                let start = Instant::now();
                let csv = bufpack::write_solution(&problem, &solution);
                let written = start.elapsed().as_secs_f64();
                println!("written {} bytes in {written:.3} s", csv.len());
                // HASH=1 prints a hash of the offsets, to compare packings across builds.
                if std::env::var_os("HASH").is_some() {
                    let hash = solution
                        .offsets
                        .iter()
                        .fold(0xcbf2_9ce4_8422_2325u64, |h, &o| {
                            (h ^ o as u64).wrapping_mul(0x0100_0000_01b3)
                        });
                    println!("{heuristic} offsets hash {hash:016x}");
                }
                println!(
                    "{heuristic:<22} height {:>14}  gap {:>7.3}%  {elapsed:.3} s",
                    solution.height,
                    gap_percent(solution.height, bound.height)
                );
            }
            None => println!("{heuristic:<22} no packing"),
        }
    }
    Ok(())
}
