//! What the engine's tests share: perfect packings to search.

use crate::model::{Buffer, Problem};

/// A 20 x 64 rectangle cut into `pieces` pieces at random (by `seed`), full to its
/// height at every instant, some sizes of pieces with the same lifespan swapped.
pub(super) fn cut_rectangle(seed: u64, pieces: usize) -> Problem {
    let mut rng = crate::test_rng::XorShift(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut next = |bound: i64| rng.below(bound as u64) as i64;
    let mut rectangles = vec![(0i64, 20i64, 0i64, 64i64)];
    while rectangles.len() < pieces {
        let index = next(rectangles.len() as i64) as usize;
        let (t0, t1, m0, m1) = rectangles[index];
        if next(2) == 0 && t1 - t0 >= 2 {
            let t = t0 + 1 + next(t1 - t0 - 1);
            rectangles[index] = (t0, t, m0, m1);
            rectangles.push((t, t1, m0, m1));
        } else if m1 - m0 >= 2 {
            let m = m0 + 1 + next(m1 - m0 - 1);
            rectangles[index] = (t0, t1, m0, m);
            rectangles.push((t0, t1, m, m1));
        }
    }
    let mut buffers: Vec<Buffer> = rectangles
        .iter()
        .enumerate()
        .map(|(i, &(t0, t1, m0, m1))| Buffer::new(format!("r{i}"), t0, t1, m1 - m0))
        .collect();
    // Sizes of pieces with the same lifespan dealt out again: the load stays full, the
    // packing may not.
    for _ in 0..next(4) {
        let (a, b) = (next(pieces as i64) as usize, next(pieces as i64) as usize);
        if buffers[a].lifespan == buffers[b].lifespan {
            let size = buffers[a].size;
            buffers[a].size = buffers[b].size;
            buffers[b].size = size;
        }
    }
    Problem::new(buffers, 64)
}
