//! Shared helpers for the integration tests: the seeded generator (from the library), random
//! tiny problems and a brute-force oracle.
#![allow(dead_code)]

use bufpack::{validate, Buffer, Offset, Problem, Solution};

// The generators' own splitmix64, so tests and `cargo xtask gen` draw from one source.
// Not every test binary uses it.
#[allow(unused_imports)]
pub(crate) use bufpack_tests::generate::Rng;

/// A problem of 1-6 buffers over a short time line, capacity near its load, with
/// optionally alignments, gaps (some windowed), fixed offsets, zero sizes, empty and
/// negative lifespans.
pub(crate) fn random_problem(rng: &mut Rng, extras: bool) -> Problem {
    let count = rng.range(1, 6) as usize;
    let mut buffers = Vec::with_capacity(count);
    for index in 0..count {
        let lower = rng.range(-3, 6);
        let upper = lower + rng.range(if extras { 0 } else { 1 }, 6);
        let size = rng.range(if extras { 0 } else { 1 }, 4);
        let mut buffer = Buffer::new(format!("b{index}"), lower, upper, size);
        if extras {
            if rng.chance(20) {
                buffer.alignment = rng.range(2, 3);
            }
            if rng.chance(25) && upper - lower >= 3 {
                let gap_lower = rng.range(lower + 1, upper - 2);
                let gap_upper = rng.range(gap_lower + 1, upper - 1);
                let window = (rng.chance(50) && size >= 2).then(|| {
                    let wl = rng.range(0, size - 1);
                    (wl, rng.range(wl + 1, size))
                });
                buffer = buffer.with_gap(gap_lower, gap_upper, window);
            }
            if rng.chance(8) {
                buffer.offset = Some(rng.range(0, 4) * buffer.alignment);
            }
        }
        buffers.push(buffer);
    }
    let capacity = rng.range(2, 9);
    Problem::new(buffers, capacity)
}

/// A problem of 2-4 buffers most of which have gaps with windows, raised ones (a window
/// whose lower end is above 0) among them, so buffers can sit beneath others' windows; now
/// and then an alignment or a fixed buffer. Capacity near the load, at most 8 (the brute
/// force tries every offset).
pub(crate) fn random_windowed_problem(rng: &mut Rng) -> Problem {
    let count = rng.range(2, 4) as usize;
    let mut buffers = Vec::with_capacity(count);
    for index in 0..count {
        let lower = rng.range(0, 4);
        let upper = lower + rng.range(2, 7);
        let size = rng.range(1, 5);
        let mut buffer = Buffer::new(format!("b{index}"), lower, upper, size);
        // Up to two disjoint gaps, each windowed more often than not.
        let mut cursor = lower + 1;
        for _ in 0..2 {
            if cursor >= upper - 1 || rng.chance(30) {
                break;
            }
            let gap_lower = rng.range(cursor, upper - 1);
            let gap_upper = rng.range(gap_lower + 1, upper);
            let window = (rng.chance(75) && size >= 2).then(|| {
                let wl = rng.range(0, size - 1);
                (wl, rng.range(wl + 1, size))
            });
            buffer = buffer.with_gap(gap_lower, gap_upper, window);
            cursor = gap_upper + 1;
        }
        if rng.chance(10) {
            buffer.alignment = 2;
        }
        if rng.chance(8) {
            buffer.offset = Some(rng.range(0, 3) * buffer.alignment);
        }
        buffers.push(buffer);
    }
    let capacity = rng.range(3, 8);
    Problem::new(buffers, capacity)
}

/// Tries every aligned offset of every buffer. Exponential: tiny problems only.
pub(crate) fn brute_force_fits(problem: &Problem) -> bool {
    brute_force_packing(problem).is_some()
}

/// The first packing (in lexicographic offset order) that validates, if any.
pub(crate) fn brute_force_packing(problem: &Problem) -> Option<Solution> {
    let choices: Vec<Vec<Offset>> = problem
        .buffers
        .iter()
        .map(|b| match b.offset {
            Some(fixed) => vec![fixed],
            None => (0..=problem.capacity - b.size)
                .filter(|o| o % b.alignment == 0)
                .collect(),
        })
        .collect();
    if choices.iter().any(Vec::is_empty) {
        return None;
    }
    let mut pick = vec![0usize; choices.len()];
    loop {
        let offsets: Vec<Offset> = pick.iter().zip(&choices).map(|(&i, c)| c[i]).collect();
        let solution = Solution::from_offsets(problem, offsets);
        if validate(problem, &solution).is_ok() {
            return Some(solution);
        }
        let mut position = 0;
        loop {
            if position == pick.len() {
                return None;
            }
            pick[position] += 1;
            if pick[position] < choices[position].len() {
                break;
            }
            pick[position] = 0;
            position += 1;
        }
    }
}

/// Turns one technique off (or on) in a parameter set.
pub(crate) type Flip = fn(&mut bufpack::SolverParams);

/// Every technique of the solver by its CLI name, with a function that toggles it.
pub(crate) fn techniques() -> Vec<(&'static str, Flip)> {
    vec![
        ("canonical_only", |p| p.canonical_only ^= true),
        ("section_inference", |p| p.section_inference ^= true),
        ("dynamic_ordering", |p| p.dynamic_ordering ^= true),
        ("check_dominance", |p| p.check_dominance ^= true),
        ("unallocated_floor", |p| p.unallocated_floor ^= true),
        ("static_preordering", |p| p.static_preordering ^= true),
        ("dynamic_decomposition", |p| p.dynamic_decomposition ^= true),
        ("monotonic_floor", |p| p.monotonic_floor ^= true),
        ("hatless_pruning", |p| p.hatless_pruning ^= true),
        ("canonical_floor", |p| p.canonical_floor ^= true),
        ("fill_holes", |p| p.fill_holes ^= true),
        ("ledges", |p| p.ledges ^= true),
        ("ordered_stacks", |p| p.ordered_stacks ^= true),
        ("limited_discrepancy", |p| p.limited_discrepancy ^= true),
        ("flat_load", |p| p.flat_load ^= true),
        ("release_floors", |p| p.release_floors ^= true),
        ("aligned_stacks", |p| p.aligned_stacks ^= true),
        ("time_orderings", |p| p.time_orderings ^= true),
        ("handovers", |p| p.handovers ^= true),
        ("widen_windows", |p| p.widen_windows ^= true),
        ("peak_windows", |p| p.peak_windows ^= true),
        ("layers", |p| p.layers ^= true),
        ("hot_parts", |p| p.hot_parts ^= true),
    ]
}

/// Reads a fixture of the challenging set (capacity 1048576).
pub(crate) fn challenging(name: &str) -> Problem {
    fixture(&format!("challenging/{name}.1048576.csv"), 1_048_576)
}

/// A *full* problem: the live sizes add up to the capacity at every instant of its time
/// line, so no packing may waste any room (where `fill_holes` branches on holes). 3-5
/// random buffers, then fillers: over each stretch of time where the load is below its
/// peak, one buffer of the missing size. At this size nearly all are feasible (see
/// `oracle.rs` for the infeasible side). `None` when too large for the brute force.
pub(crate) fn random_full_problem(rng: &mut Rng) -> Option<Problem> {
    let count = rng.range(3, 5) as usize;
    let mut buffers: Vec<Buffer> = (0..count)
        .map(|index| {
            let lower = rng.range(0, 5);
            Buffer::new(
                format!("b{index}"),
                lower,
                lower + rng.range(1, 4),
                rng.range(1, 3),
            )
        })
        .collect();
    let end = buffers.iter().map(|b| b.lifespan.upper).max().unwrap_or(0);
    let load = |t: i64, buffers: &[Buffer]| -> i64 {
        buffers
            .iter()
            .filter(|b| b.lifespan.lower <= t && t < b.lifespan.upper)
            .map(|b| b.size)
            .sum()
    };
    let peak = (0..end).map(|t| load(t, &buffers)).max().unwrap_or(0);
    let missing: Vec<i64> = (0..end).map(|t| peak - load(t, &buffers)).collect();
    let mut t = 0;
    while t < end {
        let size = missing[t as usize];
        let mut upper = t + 1;
        while upper < end && missing[upper as usize] == size {
            upper += 1;
        }
        if size > 0 {
            let id = format!("f{}", buffers.len());
            buffers.push(Buffer::new(id, t, upper, size));
        }
        t = upper;
    }
    let tries = (peak as f64).powi(buffers.len() as i32);
    (tries <= 500_000.0).then(|| Problem::new(buffers, peak))
}

/// A tiny full problem for brute force: a rectangle (height 3 to 6, 3 to 6 steps long) cut
/// into 3 to 7 pieces, and in two cases of three the sizes of some pairs of pieces with the
/// same lifespan dealt out again (the load stays; the packing may, in principle, not). Cut
/// pieces with the same lifespan stacked on each other and ledges beside lower runs are what
/// `ordered_stacks` and `ledges` act on. `None` when too large for the brute force.
pub(crate) fn tiny_rectangle(rng: &mut Rng) -> Option<Problem> {
    let height = rng.range(3, 6);
    let duration = rng.range(3, 6);
    let pieces = rng.range(3, 7) as usize;
    let mut rects: Vec<(i64, i64, i64)> = vec![(0, duration, height)];
    for _ in 0..50 {
        if rects.len() >= pieces {
            break;
        }
        cut_once(rng, &mut rects);
    }
    if rng.range(0, 2) > 0 {
        for _ in 0..4 {
            resize_once(rng, &mut rects);
        }
    }
    let buffers: Vec<Buffer> = rects
        .iter()
        .enumerate()
        .map(|(i, &(lower, upper, size))| Buffer::new(format!("r{i}"), lower, upper, size))
        .collect();
    let tries: f64 = buffers
        .iter()
        .map(|b| (height - b.size + 1) as f64)
        .product();
    (tries <= 200_000.0).then(|| Problem::new(buffers, height))
}

/// A full problem of `pieces` buffers: a 12 x 10 rectangle cut into pieces (a perfect
/// packing), then changed without changing the load anywhere: pairs of pieces with the same
/// lifespan get their sizes split another way. Too large for brute force.
pub(crate) fn recut_rectangle(rng: &mut Rng, pieces: usize) -> Problem {
    let height = 12;
    let mut rects: Vec<(i64, i64, i64)> = vec![(0, 10, height)];
    for _ in 0..400 {
        if rects.len() >= pieces {
            break;
        }
        cut_once(rng, &mut rects);
    }
    for _ in 0..200 {
        resize_once(rng, &mut rects);
    }
    let buffers = rects
        .iter()
        .enumerate()
        .map(|(i, &(lower, upper, size))| Buffer::new(format!("r{i}"), lower, upper, size))
        .collect();
    Problem::new(buffers, height)
}

/// One cut of a random piece `(lower, upper, size)`: across time or across memory, half the
/// time each, when the piece is wide or tall enough. The rectangle generators share it.
fn cut_once(rng: &mut Rng, rects: &mut Vec<(i64, i64, i64)>) {
    let index = rng.range(0, rects.len() as i64 - 1) as usize;
    let (lower, upper, size) = rects[index];
    if rng.chance(50) && upper - lower >= 2 {
        let cut = rng.range(lower + 1, upper - 1);
        rects[index] = (lower, cut, size);
        rects.push((cut, upper, size));
    } else if size >= 2 {
        let cut = rng.range(1, size - 1);
        rects[index] = (lower, upper, cut);
        rects.push((lower, upper, size - cut));
    }
}

/// Picks two pieces; when they share a lifespan, splits their total size another way (the
/// load stays the same everywhere).
fn resize_once(rng: &mut Rng, rects: &mut [(i64, i64, i64)]) {
    let a = rng.range(0, rects.len() as i64 - 1) as usize;
    let b = rng.range(0, rects.len() as i64 - 1) as usize;
    let ((la, ua, za), (lb, ub, zb)) = (rects[a], rects[b]);
    if a != b && (la, ua) == (lb, ub) && za + zb >= 3 {
        let split = rng.range(1, za + zb - 1);
        rects[a].2 = split;
        rects[b].2 = za + zb - split;
    }
}

/// Reads `tests/fixtures/NAME` with the given capacity.
pub(crate) fn fixture(name: &str, capacity: i64) -> Problem {
    let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    bufpack::read_problem(&text, capacity).unwrap_or_else(|e| panic!("{path}: {e}"))
}
