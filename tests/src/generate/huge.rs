//! A very long trace for scale tests: a million buffers in well under a second.

use bufpack::{Buffer, Offset, Problem, MAX_MAGNITUDE};

use super::Rng;

/// A long trace of exactly `buffers` buffers, cheap enough to make a million of.
///
/// Buffers start about one per op (0 to 2 ops apart). 97% live 1 to 50 ops, 3% 51 to 5000,
/// so about 100 are live at a time on average. Sizes are 64 B to 4 MiB, log-uniform by
/// octave (uniform within a power of two), padded to 64. Capacity [`MAX_MAGNITUDE`], no
/// alignment: the point is the number of buffers, not their shape. Integer arithmetic only,
/// so a seed gives the same trace everywhere.
pub fn huge(rng: &mut Rng, buffers: usize) -> Problem {
    let mut all = Vec::with_capacity(buffers);
    let mut now = 0;
    for index in 0..buffers {
        now += rng.range(0, 2);
        let life = if rng.chance(3) {
            rng.range(51, 5000)
        } else {
            rng.range(1, 50)
        };
        all.push(Buffer::new(format!("h{index}"), now, now + life, size(rng)));
    }
    Problem::new(all, MAX_MAGNITUDE)
}

/// 2^e + uniform [0, 2^e) for an octave e in 6..=21, padded to 64: 64 B to 4 MiB.
fn size(rng: &mut Rng) -> Offset {
    let octave = rng.range(6, 21);
    let bytes = (1 << octave) + rng.range(0, (1 << octave) - 1);
    (bytes + 63) / 64 * 64
}
