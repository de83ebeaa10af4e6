//! Plans TensorFlow Lite Micro models with bufpack and says what TFLite Micro itself would
//! have needed: `cargo run -p bufpack-models --release --example plan -- [--out DIR]
//! [--seconds N] MODEL.tflite...` (no model: the test fixtures). With `--out`, a model whose
//! arena shrinks is written to `DIR/NAME.planned.tflite`; the others are left alone.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::time::Duration;

use bufpack_models::{existing_offsets, improve, read_model, tflm_greedy_around, Improvement};

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut out, mut seconds, mut models) = (None, 10, Vec::new());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = args.next().map(PathBuf::from),
            "--seconds" => {
                seconds = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("--seconds N")
            }
            _ => models.push(PathBuf::from(arg)),
        }
    }
    if models.is_empty() {
        models = support::fixtures();
    }
    for path in models {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let model = match read_model(&bytes) {
            Ok(model) => model,
            Err(e) => {
                println!("{name}: {e}");
                continue;
            }
        };
        let outcome = support::solve(&model, Duration::from_secs(seconds));
        println!("{name}: {}", outcome.summary());
        if let Some(existing) = existing_offsets(&model, &model.offline_plan) {
            let arena = tflm_greedy_around(&model, &existing, &[]).unwrap().arena;
            println!("  carries an offline plan: TFLM would use {arena} bytes with it");
        }
        if let Some(dir) = &out {
            match improve(&bytes, &outcome.offsets, &[]).unwrap() {
                Improvement::Planned { model, .. } => {
                    let target = dir.join(name.replace(".tflite", ".planned.tflite"));
                    std::fs::write(&target, model).unwrap();
                    println!("  wrote {}", target.display());
                }
                Improvement::Unchanged { .. } => {}
            }
        }
    }
}
