//! The reader and writer on damaged models: every fixture truncated and bit-flipped. Each
//! must give a result or a `ModelError`, never a panic (or an out-of-bounds read, which in
//! safe Rust would be a panic).

mod support;

use std::panic::{catch_unwind, AssertUnwindSafe};

use bufpack_models::{read_model, tflm_greedy, with_offline_plan};

/// splitmix64: a seed names one sequence of flips everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Reads, plans with TFLite Micro's own plan, writes: whatever the bytes, no panic.
fn exercise(bytes: &[u8]) -> bool {
    let Ok(model) = read_model(bytes) else {
        return false;
    };
    let plan = tflm_greedy(&model, &[]).expect("no scratch");
    if let Ok(planned) = with_offline_plan(bytes, &plan.offsets) {
        assert_eq!(read_model(&planned).unwrap().buffers, model.buffers);
    }
    true
}

fn must_not_panic(what: &str, bytes: &[u8]) -> bool {
    catch_unwind(AssertUnwindSafe(|| exercise(bytes)))
        .unwrap_or_else(|_| panic!("panicked on {what}"))
}

#[test]
fn truncated_models_give_errors() {
    for path in support::fixtures() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        // Every length of the first kilobyte (headers, vtables), then 300 spread over the rest.
        let mut lengths: Vec<usize> = (0..bytes.len().min(1024)).collect();
        lengths.extend((0..300).map(|k| 1024 + k * bytes.len().saturating_sub(1024) / 300));
        for len in lengths.into_iter().filter(|&l| l < bytes.len()) {
            let read = must_not_panic(&format!("{name} cut to {len} bytes"), &bytes[..len]);
            // Flatbuffers keep their root and tables at the front: a cut file fails to read
            // unless only trailing data (weights) was cut, which the arena does not need.
            if len < 64 {
                assert!(!read, "{name} cut to {len} bytes read as a model");
            }
        }
        let error = read_model(&bytes[..20.min(bytes.len())]).unwrap_err();
        assert!(error.to_string().contains("byte"), "{name}: {error}");
    }
}

#[test]
fn bit_flips_give_errors_or_models() {
    let mut rng = Rng(16);
    for path in support::fixtures() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let original = std::fs::read(&path).unwrap();
        // The front holds the tables and vectors the reader follows: most flips go there.
        let front = original.len().min(4096);
        let mut bytes = original.clone();
        let (mut read, mut refused) = (0, 0);
        for round in 0..600 {
            let at = if round % 4 == 0 {
                rng.below(original.len())
            } else {
                rng.below(front)
            };
            let bit = rng.below(8);
            bytes[at] ^= 1 << bit;
            if must_not_panic(
                &format!("{name} with bit {bit} of byte {at} flipped"),
                &bytes,
            ) {
                read += 1;
            } else {
                refused += 1;
            }
            bytes[at] = original[at];
        }
        // Several flips at once, too.
        for _ in 0..100 {
            let flips: Vec<usize> = (0..8).map(|_| rng.below(front)).collect();
            for &at in &flips {
                bytes[at] ^= 1 << rng.below(8);
            }
            must_not_panic(&format!("{name} with bytes {flips:?} flipped"), &bytes);
            bytes.copy_from_slice(&original);
        }
        println!("{name}: {read} single flips still read, {refused} refused");
    }
}

#[test]
fn errors_say_where() {
    let path = support::fixtures()
        .into_iter()
        .find(|p| p.ends_with("hello_world_int8.tflite"))
        .unwrap();
    let mut bytes = std::fs::read(path).unwrap();
    bytes[4] = b'X';
    let error = read_model(&bytes).unwrap_err();
    assert_eq!(error.offset, Some(4));
    assert_eq!(error.to_string(), "at byte 4, Model.file_identifier: not a TensorFlow Lite model (no 'TFL3' file identifier at byte 4)");
    // A root offset past the end of the file.
    bytes[4] = b'T';
    bytes[0..4].copy_from_slice(&u32::MAX.to_le_bytes());
    let error = read_model(&bytes).unwrap_err();
    assert_eq!(
        (error.offset, error.table, error.field),
        (Some(0), "Model", "root")
    );
}
