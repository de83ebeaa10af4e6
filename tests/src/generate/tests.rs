use bufpack::{Problem, MAX_MAGNITUDE};

use super::*;

type Family = fn(&mut Rng, usize) -> Problem;

const TRACES: [(&str, Family); 4] = [
    ("cnn", inference_cnn),
    ("training", training),
    ("transformer", transformer),
    ("mixed", mixed),
];

/// Every generator, with cut_rectangle at a fixed rectangle.
fn all() -> Vec<(&'static str, Family)> {
    let mut all = TRACES.to_vec();
    all.push(("huge", huge));
    all.push(("rect", |rng, n| cut_rectangle(rng, n, 1000, 300)));
    all
}

#[test]
fn every_generator_is_deterministic_and_well_formed() {
    for (name, family) in all() {
        for seed in [1, 2, 99] {
            let first = family(&mut Rng::new(seed), 500);
            assert_eq!(
                first,
                family(&mut Rng::new(seed), 500),
                "{name} seed {seed}"
            );
            assert_ne!(
                first,
                family(&mut Rng::new(seed + 1), 500),
                "{name} seed {seed}"
            );
            first
                .check()
                .unwrap_or_else(|e| panic!("{name} seed {seed}: {e}"));
        }
    }
}

#[test]
fn trace_counts_stay_within_the_documented_bounds() {
    for (name, family) in TRACES {
        // One segment's overshoot per segment for mixed (at most five), plus its handoffs.
        let slack = if name == "mixed" { 5 * 20 + 9 } else { 20 };
        for buffers in [0, 1, 7, 50, 333, 2000, 20_000] {
            for seed in 1..=3 {
                let count = family(&mut Rng::new(seed), buffers).buffers.len();
                assert!(
                    (buffers..=buffers + slack).contains(&count),
                    "{name} seed {seed}: asked {buffers}, got {count}"
                );
            }
        }
    }
    for buffers in [0, 1, 12_345] {
        assert_eq!(huge(&mut Rng::new(3), buffers).buffers.len(), buffers);
    }
}

#[test]
fn traces_look_like_what_a_compiler_plans() {
    for (name, family) in TRACES {
        for seed in 1..=4 {
            let problem = family(&mut Rng::new(seed), 3000);
            assert_eq!(problem.capacity, MAX_MAGNITUDE, "{name}");
            let buffers = &problem.buffers;
            for b in buffers {
                assert!(
                    b.lifespan.lower >= 0 && b.lifespan.width() >= 1,
                    "{name}: {b:?}"
                );
                assert!((64..=256 << 20).contains(&b.size), "{name}: {b:?}");
                assert!([1, 256, 4096].contains(&b.alignment), "{name}: {b:?}");
                assert!(b.gaps.is_empty() && b.offset.is_none(), "{name}: {b:?}");
            }
            let padded = buffers.iter().filter(|b| b.size % 64 == 0).count();
            assert!(padded * 10 >= buffers.len() * 9, "{name}: {padded} padded");
            let aligned = buffers.iter().filter(|b| b.alignment > 1).count();
            assert!(
                (1..=buffers.len() / 10).contains(&aligned),
                "{name}: {aligned} aligned"
            );
            // Shapes repeat layer after layer: few distinct sizes.
            let mut sizes: Vec<_> = buffers.iter().map(|b| b.size).collect();
            sizes.sort_unstable();
            sizes.dedup();
            assert!(sizes.len() <= 100, "{name}: {} distinct sizes", sizes.len());
        }
    }
}

#[test]
fn training_releases_activations_in_reverse() {
    let problem = training(&mut Rng::new(5), 400);
    let activations: Vec<_> = problem
        .buffers
        .iter()
        .filter(|b| b.id.starts_with("relu."))
        .map(|b| b.lifespan)
        .collect();
    assert!(activations.len() > 10);
    // Made in order, each one outlives the next: nested lifetimes.
    for pair in activations.windows(2) {
        assert!(pair[0].lower < pair[1].lower, "{pair:?}");
        assert!(pair[0].upper > pair[1].upper, "{pair:?}");
    }
}

#[test]
fn mixed_hands_buffers_across_segments() {
    let problem = mixed(&mut Rng::new(8), 2000);
    let handoffs = problem
        .buffers
        .iter()
        .filter(|b| b.id.starts_with("handoff."))
        .count();
    assert!(handoffs >= 1);
    assert!(problem.buffers.iter().any(|b| b.id.starts_with("s1.")));
}

#[test]
fn huge_keeps_few_buffers_live() {
    let problem = huge(&mut Rng::new(1), 200_000);
    let end = problem
        .buffers
        .iter()
        .map(|b| b.lifespan.upper)
        .max()
        .unwrap();
    let live_time: i64 = problem.buffers.iter().map(|b| b.lifespan.width()).sum();
    let average = live_time / end;
    assert!((20..=300).contains(&average), "{average} live on average");
    for b in &problem.buffers {
        assert!(
            (64..=4 << 20).contains(&b.size) && b.size % 64 == 0,
            "{b:?}"
        );
        assert!((1..=5000).contains(&b.lifespan.width()), "{b:?}");
    }
}

/// The live sizes at every instant of `[0, duration)`, summed directly.
fn load_profile(problem: &Problem, duration: i64) -> Vec<i64> {
    let mut load = vec![0; duration as usize];
    for b in &problem.buffers {
        for t in b.lifespan.lower..b.lifespan.upper {
            load[t as usize] += b.size;
        }
    }
    load
}

#[test]
fn rectangle_pieces_tile_the_rectangle() {
    for (seed, pieces, height, duration) in [
        (1, 200, 1000, 300),
        (2, 50, 7, 40),
        (3, 500, 1 << 20, 50),
        (4, 1, 9, 9),
    ] {
        let problem = cut_rectangle(&mut Rng::new(seed), pieces, height, duration);
        let buffers = &problem.buffers;
        assert_eq!(problem.capacity, height);
        assert_eq!(buffers.len(), pieces);
        assert!(buffers
            .iter()
            .all(|b| b.size >= 1 && b.lifespan.width() >= 1));
        assert!(buffers
            .iter()
            .all(|b| b.lifespan.lower >= 0 && b.lifespan.upper <= duration));
        let area: i64 = buffers.iter().map(|b| b.size * b.lifespan.width()).sum();
        assert_eq!(area, height * duration);
        assert!(load_profile(&problem, duration)
            .iter()
            .all(|&l| l == height));
    }
}

#[test]
fn a_small_rectangle_stops_at_unit_pieces() {
    let problem = cut_rectangle(&mut Rng::new(1), 100, 2, 3);
    assert_eq!(problem.buffers.len(), 6);
    assert!(problem
        .buffers
        .iter()
        .all(|b| b.size == 1 && b.lifespan.width() == 1));
    assert_eq!(load_profile(&problem, 3), [2, 2, 2]);
    let whole = cut_rectangle(&mut Rng::new(1), 0, 5, 4);
    assert_eq!(whole.buffers.len(), 1);
    assert_eq!(whole.buffers[0].size, 5);
}

#[test]
fn rng_matches_splitmix64() {
    // Reference values of splitmix64 seeded with 0.
    let mut rng = Rng::new(0);
    assert_eq!(rng.next(), 0xe220_a839_7b1d_cdaf);
    assert_eq!(rng.next(), 0x6e78_9e6a_a1b9_65f4);
    let mut rng = Rng::new(7);
    for _ in 0..1000 {
        assert!((-3..=3).contains(&rng.range(-3, 3)));
    }
    let mut items: Vec<u32> = (0..50).collect();
    rng.shuffle(&mut items);
    let mut sorted = items.clone();
    sorted.sort_unstable();
    assert_ne!(items, sorted);
    assert_eq!(sorted, (0..50).collect::<Vec<_>>());
}
