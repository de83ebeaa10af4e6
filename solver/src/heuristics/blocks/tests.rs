//! The free blocks' tests: both forms against a plain list of blocks.

use super::*;

#[test]
fn an_aligned_buffer_the_tightest_blocks_cannot_hold_takes_a_roomier_block_before_the_top() {
    let mut blocks = Blocks::new();
    assert!(blocks.carve(0, 1000));
    // Nine blocks of 5 bytes, none with an 8-aligned spot for 4 bytes, and one of 100.
    for lo in [1, 11, 21, 33, 43, 50, 60, 70, 81] {
        blocks.free(lo, 5);
    }
    blocks.free(200, 100);
    // The first eight tightest blocks fail; the tightest with room for any alignment
    // (11 bytes or more) holds it, where it went on top (1000) before.
    assert_eq!(blocks.allocate_clear(4, 8, &[], 8), (200, 9));
    // An unaligned buffer takes the tightest block, and a conflict can still send one
    // on top.
    assert_eq!(blocks.allocate_clear(4, 1, &[], 8).0, 1);
    assert_eq!(blocks.allocate_clear(50, 8, &[(0, 1000)], 8).0, 1000);
}

/// The blocks as a plain list, with every rule spelled out the slow way: what both of
/// [`Bounded`]'s forms must agree with.
struct Naive {
    /// Bounded `(lo, hi)`, in no order.
    blocks: Vec<(Offset, Offset)>,
    top: Offset,
}

impl Naive {
    fn allocate_clear(
        &mut self,
        size: Offset,
        alignment: Offset,
        conflicts: &[(Offset, Offset)],
        tries: usize,
    ) -> (Offset, u64) {
        let order = |least: Offset| {
            let mut order: Vec<(Offset, Offset)> = self
                .blocks
                .iter()
                .map(|&(lo, hi)| (hi - lo, lo))
                .filter(|&(block, _)| block >= least)
                .collect();
            order.sort_unstable();
            order
        };
        let spot = |(block, lo): (Offset, Offset)| {
            let at = lowest_clear(lo, size, alignment, conflicts);
            (at + size <= lo + block).then_some((lo, at))
        };
        let mut tried = 0;
        let mut found = None;
        for &block in order(size).iter().take(tries) {
            tried += 1;
            found = spot(block);
            if found.is_some() {
                break;
            }
        }
        if found.is_none() {
            if let Some(&roomy) = order(size + alignment - 1).first() {
                tried += 1;
                found = spot(roomy);
            }
        }
        let (lo, at) =
            found.unwrap_or_else(|| (self.top, lowest_clear(self.top, size, alignment, conflicts)));
        self.take(lo, at, size);
        (at, tried)
    }

    fn take(&mut self, lo: Offset, at: Offset, size: Offset) {
        let hi = if lo == self.top {
            UNBOUNDED
        } else {
            let index = self.blocks.iter().position(|&(l, _)| l == lo).unwrap();
            self.blocks.swap_remove(index).1
        };
        for (lo, hi) in [(lo, at), (at + size, hi)] {
            if lo < hi && hi == UNBOUNDED {
                self.top = lo;
            } else if lo < hi {
                self.blocks.push((lo, hi));
            }
        }
    }

    fn carve(&mut self, bottom: Offset, top: Offset) -> bool {
        if bottom >= top {
            return true;
        }
        let holding = std::iter::once((self.top, UNBOUNDED))
            .chain(self.blocks.iter().copied())
            .find(|&(lo, hi)| lo <= bottom && bottom < hi);
        match holding {
            Some((lo, hi)) if top <= hi => {
                self.take(lo, bottom, top - bottom);
                true
            }
            _ => false,
        }
    }

    fn free(&mut self, at: Offset, size: Offset) {
        let (mut lo, mut hi) = (at, at + size);
        if let Some(index) = self.blocks.iter().position(|&(_, h)| h == lo) {
            lo = self.blocks.swap_remove(index).0;
        }
        if hi == self.top {
            self.top = lo;
            return;
        }
        if let Some(index) = self.blocks.iter().position(|&(l, _)| l == hi) {
            hi = self.blocks.swap_remove(index).1;
        }
        self.blocks.push((lo, hi));
    }

    fn sorted(&self) -> Vec<(Offset, Offset)> {
        let mut blocks = self.blocks.clone();
        blocks.sort_unstable();
        blocks
    }
}

impl Blocks {
    fn listed(&self) -> Vec<(Offset, Offset)> {
        match &self.bounded {
            Bounded::Few(by_lo) => by_lo.clone(),
            Bounded::Many(many) => {
                let mut blocks: Vec<(Offset, Offset)> = many
                    .by_size
                    .iter()
                    .map(|&(size, lo)| (lo, lo + size))
                    .collect();
                blocks.sort_unstable();
                assert_eq!(many.end_of.len(), blocks.len());
                assert_eq!(many.start_of.len(), blocks.len());
                blocks
            }
        }
    }
}

#[test]
fn both_forms_choose_as_the_rules_say_through_growth_past_few_blocks() {
    let mut rng = crate::test_rng::SplitMix(20261205);
    let mut went_many = false;
    for round in 0..40 {
        let mut blocks = Blocks::new();
        let mut naive = Naive {
            blocks: Vec::new(),
            top: 0,
        };
        // Taken ranges, to give back later.
        let mut taken: Vec<(Offset, Offset)> = Vec::new();
        // Some rounds fragment memory past FEW blocks, the others stay small.
        let steps = if round % 2 == 0 { 2000 } else { 300 };
        for step in 0..steps {
            let give_back = !taken.is_empty() && rng.chance(if step % 400 < 250 { 30 } else { 60 });
            if give_back {
                let (at, size) = taken.swap_remove(rng.below(taken.len() as u64) as usize);
                blocks.free(at, size);
                naive.free(at, size);
            } else if rng.chance(5) {
                let bottom = rng.range(0, naive.top + 50);
                let top = bottom + rng.range(0, 20);
                let carved = blocks.carve(bottom, top);
                assert_eq!(carved, naive.carve(bottom, top), "carve {bottom}..{top}");
                if carved && bottom < top {
                    taken.push((bottom, top - bottom));
                }
            } else {
                let size = rng.range(1, 12);
                let alignment = [1, 1, 2, 4, 8][rng.below(5) as usize];
                let mut conflicts: Vec<(Offset, Offset)> = (0..rng.below(3))
                    .map(|_| {
                        let bottom = rng.range(0, naive.top + 20);
                        (bottom, bottom + rng.range(0, 15))
                    })
                    .collect();
                conflicts.sort_unstable();
                let tries = [0, 1, 8, usize::MAX][rng.below(4) as usize];
                let got = blocks.allocate_clear(size, alignment, &conflicts, tries);
                let want = naive.allocate_clear(size, alignment, &conflicts, tries);
                assert_eq!(got, want, "round {round} step {step}");
                taken.push((got.0, size));
            }
            assert_eq!(blocks.listed(), naive.sorted(), "round {round} step {step}");
            assert_eq!(blocks.top, naive.top);
            went_many |= matches!(blocks.bounded, Bounded::Many(_));
            // Frozen and thawed now and then (in the form their number calls for), the
            // blocks go on choosing alike.
            if step % 97 == 0 {
                let frozen = blocks.frozen();
                blocks = Blocks::thawed(&frozen);
                assert_eq!(blocks.frozen(), frozen);
                assert_eq!(blocks.len(), naive.blocks.len());
            }
        }
    }
    assert!(went_many, "no round grew past FEW blocks");
}
