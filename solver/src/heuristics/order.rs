//! The orders in which greedy passes place buffers.

use std::fmt;

use crate::model::Problem;

/// Which buffers a greedy pass places first. Ties go to the larger buffer, then the longer
/// lived, then the earlier, then input order, so every order is deterministic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Order {
    /// Largest size first (TFLite's and XLA's classic).
    Size,
    /// Largest size x lifetime first.
    Area,
    /// Longest lifetime first: long-lived buffers settle low, short ones fill in above.
    Lifetime,
    /// Earliest start first, as an online allocator would see them.
    Start,
    /// Buffers live at the most crowded times first (greedy by breadth): the peak is built
    /// first, when there is still a free choice of offsets.
    Crowding,
}

impl Order {
    /// Every order, in the order passes run them.
    pub const ALL: [Order; 5] = [
        Order::Size,
        Order::Crowding,
        Order::Area,
        Order::Lifetime,
        Order::Start,
    ];
}

impl fmt::Display for Order {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Order::Size => "size",
            Order::Area => "area",
            Order::Lifetime => "lifetime",
            Order::Start => "start",
            Order::Crowding => "crowding",
        })
    }
}

/// The movable buffers of `candidates` sorted by `order`. `crowding[b]` is the highest load
/// over buffer `b`'s life (only read for [`Order::Crowding`]).
pub(crate) fn sort(
    problem: &Problem,
    candidates: &[u32],
    order: Order,
    crowding: &[i64],
) -> Vec<u32> {
    let buffers = &problem.buffers;
    // One key tuple per buffer, sorted with plain `sort_unstable`: a single instantiation of
    // the sort for every order (wasm size, see crate::sort), and keys computed once rather
    // than at every comparison. Larger-first keys are negated; they are all at least 0, so
    // exactly.
    let mut keyed: Vec<(i64, i64, i64, i64, u32)> = candidates
        .iter()
        .map(|&b| {
            let buffer = &buffers[b as usize];
            let width = buffer.lifespan.width();
            let first = match order {
                Order::Size => 0,
                Order::Area => -buffer.size.saturating_mul(width),
                Order::Lifetime => -width,
                Order::Start => buffer.lifespan.lower,
                Order::Crowding => -crowding[b as usize],
            };
            (first, -buffer.size, -width, buffer.lifespan.lower, b)
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|key| key.4).collect()
}

#[cfg(test)]
mod tests {
    use std::cmp::Reverse;

    use super::*;
    use crate::model::Buffer;

    /// The orders as first written, with a sort by key per order: [`sort`] must match them.
    fn sort_by_closures(
        problem: &Problem,
        candidates: &[u32],
        order: Order,
        crowding: &[i64],
    ) -> Vec<u32> {
        let mut sorted = candidates.to_vec();
        let buffers = &problem.buffers;
        let ties = |b: u32| {
            let buffer = &buffers[b as usize];
            (
                Reverse(buffer.size),
                Reverse(buffer.lifespan.width()),
                buffer.lifespan.lower,
                b,
            )
        };
        let size = |b: u32| buffers[b as usize].size;
        let width = |b: u32| buffers[b as usize].lifespan.width();
        match order {
            Order::Size => sorted.sort_by_key(|&b| ties(b)),
            Order::Area => {
                sorted.sort_by_key(|&b| (Reverse(size(b).saturating_mul(width(b))), ties(b)))
            }
            Order::Lifetime => sorted.sort_by_key(|&b| (Reverse(width(b)), ties(b))),
            Order::Start => sorted.sort_by_key(|&b| (buffers[b as usize].lifespan.lower, ties(b))),
            Order::Crowding => sorted.sort_by_key(|&b| (Reverse(crowding[b as usize]), ties(b))),
        }
        sorted
    }

    #[test]
    fn every_order_matches_a_sort_by_its_keys() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |below: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((seed >> 33) % below) as i64
        };
        for round in 0..50 {
            let n = 1 + next(60) as usize;
            // Few distinct values, so that every tie-breaker gets used.
            let buffers: Vec<Buffer> = (0..n)
                .map(|i| {
                    let lower = next(6) - 2;
                    let upper = lower + next(4);
                    Buffer::new(format!("b{i}"), lower, upper, next(4))
                })
                .collect();
            let problem = Problem::new(buffers, 100);
            let crowding: Vec<i64> = (0..n).map(|_| next(5)).collect();
            let candidates: Vec<u32> = (0..n as u32).filter(|&b| b % 7 != round % 7).collect();
            for order in Order::ALL {
                assert_eq!(
                    sort(&problem, &candidates, order, &crowding),
                    sort_by_closures(&problem, &candidates, order, &crowding),
                    "{order}"
                );
            }
        }
    }
}
