//! Static preordering: ranks items by a key string such as `WAT`.
//!
//! Every key but `T` is fixed by the input. `T` (the largest total of any section the item
//! belongs to) changes as the search places buffers: when the search splits into independent
//! subproblems it re-ranks their items with the sections' remaining totals, as each
//! subproblem is a fresh problem of its own.

use crate::model::{Offset, Problem};
use crate::params::{Preordering, SortKey};
use crate::sweep::Sweep;

/// The fixed key values of every item, indexed by [`key_index`].
pub(crate) type KeyTable = Vec<[i64; 8]>;

fn key_index(key: SortKey) -> usize {
    match key {
        SortKey::Area => 0,
        SortKey::Sections => 1,
        SortKey::Lower => 2,
        SortKey::Overlaps => 3,
        SortKey::SectionTotal => 4,
        SortKey::Upper => 5,
        SortKey::Width => 6,
        SortKey::Size => 7,
    }
}

/// The key values of every item; `T` from the sections' full totals.
pub(crate) fn key_table(problem: &Problem, sweep: &Sweep) -> KeyTable {
    let totals: Vec<Offset> = sweep
        .sections
        .iter()
        .map(|members| members.iter().map(|m| m.top - m.bottom).sum())
        .collect();
    sweep
        .items
        .iter()
        .map(|item| {
            let buffer = &problem.buffers[item.index];
            let width = buffer.lifespan.width();
            let mut keys = [0; 8];
            keys[key_index(SortKey::Area)] = buffer.size.saturating_mul(width);
            keys[key_index(SortKey::Sections)] = item.sections.len() as i64;
            keys[key_index(SortKey::Lower)] = buffer.lifespan.lower;
            keys[key_index(SortKey::Overlaps)] = item.neighbours.len() as i64;
            keys[key_index(SortKey::SectionTotal)] = largest_total(item, &totals);
            keys[key_index(SortKey::Upper)] = buffer.lifespan.upper;
            keys[key_index(SortKey::Width)] = width;
            keys[key_index(SortKey::Size)] = buffer.size;
            keys
        })
        .collect()
}

/// The largest of `totals` over the sections `item` belongs to.
pub(crate) fn largest_total(item: &crate::sweep::Item, totals: &[Offset]) -> i64 {
    item.sections
        .iter()
        .map(|member| totals[member.id as usize])
        .max()
        .unwrap_or(0)
}

/// Sorts `items` by the ordering's keys, larger first, ties by item index (input order).
/// `section_total` gives each item's current `T`.
///
/// Takes `&dyn Fn` and compares precomputed rows, so that both callers share one
/// instantiation of the sort (wasm size, see crate::sort); each key, `T` included, is
/// computed once per item rather than at every comparison.
pub(crate) fn sort_by_keys(
    items: &mut [u32],
    ordering: &Preordering,
    keys: &KeyTable,
    section_total: &dyn Fn(u32) -> i64,
) {
    let width = ordering.0.len();
    let mut rows: Vec<i64> = Vec::with_capacity(items.len() * width);
    for &item in items.iter() {
        rows.extend(ordering.0.iter().map(|&k| match k {
            SortKey::SectionTotal => section_total(item),
            _ => keys[item as usize][key_index(k)],
        }));
    }
    let mut positions: Vec<u32> = (0..items.len() as u32).collect();
    positions.sort_unstable_by(|&a, &b| compare_rows(&rows, width, items, a, b));
    let sorted: Vec<u32> = positions.iter().map(|&p| items[p as usize]).collect();
    items.copy_from_slice(&sorted);
}

/// The order of [`sort_by_keys`] between positions `a` and `b`: larger rows first, then
/// smaller items. Not inlined: the sort's copy of it is one call, not several copies of the
/// row comparison (wasm size).
#[inline(never)]
fn compare_rows(rows: &[i64], width: usize, items: &[u32], a: u32, b: u32) -> std::cmp::Ordering {
    let row = |position: u32| &rows[position as usize * width..][..width];
    row(b)
        .cmp(row(a))
        .then(items[a as usize].cmp(&items[b as usize]))
}

/// `rank[item]`: the item's position in the ordering over all items; input order without one.
pub(crate) fn initial_ranks(keys: &KeyTable, ordering: Option<&Preordering>) -> Vec<u32> {
    let mut order: Vec<u32> = (0..keys.len() as u32).collect();
    if let Some(ordering) = ordering {
        let t = key_index(SortKey::SectionTotal);
        sort_by_keys(&mut order, ordering, keys, &|item| keys[item as usize][t]);
    }
    let mut rank = vec![0u32; keys.len()];
    for (position, &item) in order.iter().enumerate() {
        rank[item as usize] = position as u32;
    }
    rank
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_by_keys_matches_a_comparison_of_the_keys_in_turn() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |below: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((seed >> 33) % below) as i64
        };
        let letters = [
            SortKey::Area,
            SortKey::Sections,
            SortKey::Lower,
            SortKey::Overlaps,
            SortKey::SectionTotal,
            SortKey::Upper,
            SortKey::Width,
            SortKey::Size,
        ];
        for _ in 0..100 {
            let n = next(40) as usize;
            // Few distinct values, so that later keys and the index break ties.
            let keys: KeyTable = (0..n)
                .map(|_| std::array::from_fn(|_| next(3) - 1))
                .collect();
            let totals: Vec<i64> = (0..n).map(|_| next(3)).collect();
            let ordering = Preordering((0..next(5)).map(|_| letters[next(8) as usize]).collect());
            let mut items: Vec<u32> = (0..n as u32).filter(|_| next(4) != 0).collect();
            items.reverse();
            let mut expected = items.clone();
            let key = |item: u32, k: SortKey| match k {
                SortKey::SectionTotal => totals[item as usize],
                _ => keys[item as usize][key_index(k)],
            };
            expected.sort_by(|&a, &b| {
                ordering
                    .0
                    .iter()
                    .map(|&k| key(b, k).cmp(&key(a, k)))
                    .find(|o| o.is_ne())
                    .unwrap_or(a.cmp(&b))
            });
            sort_by_keys(&mut items, &ordering, &keys, &|item| totals[item as usize]);
            assert_eq!(items, expected, "{ordering}");
        }
    }
}
