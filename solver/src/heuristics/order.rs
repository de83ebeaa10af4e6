//! The orders in which greedy passes place buffers.

use std::cmp::Reverse;
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
    match order {
        Order::Size => sorted.sort_unstable_by_key(|&b| ties(b)),
        Order::Area => sorted.sort_unstable_by_key(|&b| {
            let buffer = &buffers[b as usize];
            (
                Reverse(buffer.size.saturating_mul(buffer.lifespan.width())),
                ties(b),
            )
        }),
        Order::Lifetime => sorted
            .sort_unstable_by_key(|&b| (Reverse(buffers[b as usize].lifespan.width()), ties(b))),
        Order::Start => {
            sorted.sort_unstable_by_key(|&b| (buffers[b as usize].lifespan.lower, ties(b)))
        }
        Order::Crowding => {
            sorted.sort_unstable_by_key(|&b| (Reverse(crowding[b as usize]), ties(b)))
        }
    }
    sorted
}
