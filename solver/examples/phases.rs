//! Times the phases of a minimisation run one by one (reading, check, bound, passes,
//! writing): `cargo run --release -p bufpack --example phases -- FILE.csv [PASS...]`.
//! Passes are `online`, `peaks-800`, `crowding/skyline`, ... as the CLI names them.

use std::time::Instant;

use bufpack::{
    gap_percent, greedy, read_problem, validate, write_solution, Heuristic, LowerBound,
    MAX_MAGNITUDE,
};

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: phases FILE.csv [PASS...]")?;
    let names: Vec<String> = args.collect();
    let clock = Instant::now();
    let mut lap = {
        let mut last = (Instant::now(), cpu());
        move |what: &str| {
            let now = (Instant::now(), cpu());
            eprintln!(
                "{what:<24} {:>7.3} s wall {:>7.3} s CPU",
                (now.0 - last.0).as_secs_f64(),
                now.1 - last.1
            );
            last = now;
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    lap("read file");
    let problem = read_problem(&text, MAX_MAGNITUDE).map_err(|e| format!("{path}: {e}"))?;
    lap("parse");
    drop(text);
    problem.check().map_err(|e| e.to_string())?;
    lap("check");
    let bound = LowerBound::of(&problem);
    lap("bound");
    let all: Vec<Heuristic> = bufpack::Heuristic::PORTFOLIO
        .into_iter()
        .filter(|h| names.is_empty() || names.contains(&h.to_string()))
        .collect();
    let mut best = None;
    for heuristic in all {
        let solution = greedy(&problem, heuristic).map_err(|e| e.to_string())?;
        lap(&heuristic.to_string());
        if let Some(solution) = solution {
            eprintln!(
                "{:<24} gap {:.4}%",
                "",
                gap_percent(solution.height, bound.height)
            );
            validate(&problem, &solution).map_err(|e| format!("{heuristic}: {e}"))?;
            lap("validate");
            best = Some(solution);
        }
    }
    if let Some(solution) = best {
        let csv = write_solution(&problem, &solution);
        lap("write");
        eprintln!("{} bytes", csv.len());
    }
    eprintln!("total {:.3} s", clock.elapsed().as_secs_f64());
    Ok(())
}

/// The process's CPU time so far in seconds, from `/proc/self/schedstat` (Linux; 0 elsewhere).
fn cpu() -> f64 {
    std::fs::read_to_string("/proc/self/schedstat")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}
