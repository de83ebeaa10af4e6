use super::*;
use crate::test_rng::SplitMix;

/// The fewest weights adding up to zero, by trying every subset.
fn fewest_by_brute_force(weights: &[Offset]) -> usize {
    (1usize..1 << weights.len())
        .filter(|mask| {
            let sum: Offset = (0..weights.len())
                .filter(|i| mask >> i & 1 == 1)
                .map(|i| weights[i])
                .sum();
            sum == 0
        })
        .map(|mask| mask.count_ones() as usize)
        .min()
        .unwrap()
}

/// A `duration` x `height` rectangle cut across time or memory into `pieces` pieces.
fn cut_rectangle(rng: &mut SplitMix, pieces: usize, height: Offset) -> Problem {
    let mut cuts = vec![(0, 30, 0, height)];
    while cuts.len() < pieces {
        let at = rng.below(cuts.len() as u64) as usize;
        let (t0, t1, m0, m1) = cuts[at];
        if rng.chance(50) && t1 - t0 >= 2 {
            let t = rng.range(t0 + 1, t1 - 1);
            cuts[at] = (t0, t, m0, m1);
            cuts.push((t, t1, m0, m1));
        } else if m1 - m0 >= 2 {
            let m = rng.range(m0 + 1, m1 - 1);
            cuts[at] = (t0, t1, m0, m);
            cuts.push((t0, t1, m, m1));
        }
    }
    let buffers = cuts
        .iter()
        .enumerate()
        .map(|(i, &(t0, t1, m0, m1))| Buffer::new(format!("r{i}"), t0, t1, m1 - m0))
        .collect();
    Problem::new(buffers, height)
}

/// Leaves packed by trying every offset of every member (tiny leaves only).
fn brute_force(leaf: &Problem) -> Option<Vec<Offset>> {
    fn place(leaf: &Problem, offsets: &mut Vec<Offset>) -> bool {
        let next = offsets.len();
        if next == leaf.buffers.len() {
            return true;
        }
        let b = &leaf.buffers[next];
        for offset in 0..=leaf.capacity - b.size {
            let clear = leaf.buffers[..next]
                .iter()
                .zip(offsets.iter())
                .all(|(o, &at)| {
                    !o.lifespan.overlaps(&b.lifespan)
                        || at + o.size <= offset
                        || offset + b.size <= at
                });
            if clear {
                offsets.push(offset);
                if place(leaf, offsets) {
                    return true;
                }
                offsets.pop();
            }
        }
        false
    }
    let mut offsets = Vec::new();
    place(leaf, &mut offsets).then_some(offsets)
}

#[test]
fn cut_rectangles_split_into_layers_that_stack_into_a_packing() {
    let mut rng = SplitMix(5);
    let (mut split_count, mut packed, mut leaf_sizes) = (0, 0, 0);
    for round in 0..200 {
        let height = [12, 64, 1 << 20][round % 3];
        let problem = cut_rectangle(&mut rng, 6 + round % 30, height);
        let Some(split) = split(&problem, height) else {
            continue;
        };
        split_count += 1;
        // Every piece in exactly one leaf.
        let mut seen = vec![0; problem.buffers.len()];
        for leaf in &split.leaves {
            for &i in &leaf.members {
                seen[i as usize] += 1;
            }
            leaf_sizes = leaf_sizes.max(leaf.members.len());
        }
        assert!(seen.iter().all(|&n| n == 1), "round {round}: {seen:?}");
        let small = split.leaves.iter().all(|leaf| leaf.members.len() <= 6);
        if !small {
            continue;
        }
        if let Some(solution) = pack(&problem, &split, LeafOrder::LargestFirst, &mut brute_force) {
            validate(&problem, &solution).unwrap();
            assert_eq!(solution.height, height);
            packed += 1;
        }
        // Leaves packed higher than their height (each member lifted by one more than
        // the last) lift what lies above them: still a packing, just higher.
        let mut lifted = |leaf: &Problem| {
            let packed = brute_force(leaf)?;
            Some(
                packed
                    .iter()
                    .enumerate()
                    .map(|(k, &o)| o + k as Offset * leaf.capacity)
                    .collect(),
            )
        };
        let mut loose = problem.clone();
        loose.capacity = Offset::MAX / 4;
        if let Some(solution) = pack(&loose, &split, LeafOrder::SmallestFirst, &mut lifted) {
            validate(&loose, &solution).unwrap();
            assert!(solution.height >= height);
        }
    }
    println!("{split_count} of 200 split, {packed} packed, largest leaf {leaf_sizes}");
    // Found by the first run of this test: most cut rectangles split, down to leaves the
    // brute force packs.
    assert!(split_count >= 190, "{split_count} of 200 split");
    assert!(packed >= 180, "{packed} of {split_count} packed");
    assert!(leaf_sizes > 1);
}

#[test]
fn problems_not_full_at_one_height_are_left_alone() {
    // The load changes.
    let uneven = Problem::new(
        vec![Buffer::new("a", 0, 4, 3), Buffer::new("b", 0, 2, 2)],
        10,
    );
    assert_eq!(split(&uneven, 10), None);
    // Flat, but above the height asked for.
    let flat = Problem::new(
        vec![
            Buffer::new("a", 0, 4, 3),
            Buffer::new("b", 0, 2, 2),
            Buffer::new("c", 2, 4, 2),
        ],
        10,
    );
    assert_eq!(split(&flat, 4), None);
    // Flat at 5: `a` alone is a layer, and so are `b` and `c` together.
    let leaves = split(&flat, 5).expect("two layers").leaves;
    let mut members: Vec<Vec<u32>> = leaves.iter().map(|l| l.members.clone()).collect();
    members.sort();
    assert_eq!(members, vec![vec![0], vec![1], vec![2]]);
    // Aligned, fixed or with gaps: left alone.
    for change in 0..3 {
        let mut problem = flat.clone();
        let b = &mut problem.buffers[0];
        match change {
            0 => b.alignment = 2,
            1 => b.offset = Some(0),
            _ => {
                b.gaps = vec![crate::model::Gap {
                    lifespan: crate::model::Lifespan::new(1, 2),
                    window: None,
                }]
            }
        }
        assert_eq!(split(&problem, 5), None, "change {change}");
    }
    // One layer only: at 2, `a` hands over to `c` and `d`; at 3, `b` and `d` to `e`.
    let one = Problem::new(
        vec![
            Buffer::new("a", 0, 2, 3),
            Buffer::new("b", 0, 3, 2),
            Buffer::new("c", 2, 4, 1),
            Buffer::new("d", 2, 3, 2),
            Buffer::new("e", 3, 4, 4),
        ],
        5,
    );
    assert_eq!(split(&one, 5), None);
}

#[test]
fn both_subset_searches_find_a_smallest_balanced_group() {
    let mut rng = SplitMix(11);
    for round in 0..300 {
        let n = 3 + rng.below(12) as usize;
        let spread = [4, 30, 1000][round % 3];
        let mut weights: Vec<Offset> = (0..n)
            .map(|_| {
                let w = 1 + rng.below(spread) as Offset;
                if rng.below(2) == 0 {
                    w
                } else {
                    -w
                }
            })
            .collect();
        let total: Offset = weights.iter().sum();
        if total == 0 {
            continue;
        }
        weights.push(-total);
        let fewest = fewest_by_brute_force(&weights);
        let range = weights.iter().map(|w| w.unsigned_abs()).sum::<u64>() as usize + 1;
        for group in [meet_in_the_middle(&weights), table(&weights, range)] {
            assert_eq!(group.len(), fewest, "{weights:?}: {group:?}");
            assert_eq!(group.iter().map(|&i| weights[i]).sum::<Offset>(), 0);
            let mut distinct = group.clone();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(distinct.len(), group.len());
        }
    }
}
