//! Sorting through few instantiations of the standard sorts.
//!
//! Every distinct closure or element type given to `sort_by_key`, `sort_unstable_by` and the
//! like compiles to a whole copy of the sort, some 3-4 KB of WebAssembly each; with one per
//! call site they made up a quarter of the npm package's code. So the crate sorts plain
//! tuples with `sort_unstable()`, and call sites that share a tuple type share one copy:
//! mostly `(i64, i64)` and `(i64, i64, usize)`. A stable sort by key is an unstable sort of
//! `(key, original index)`, which [`sort_by_i64_key`] does for any slice.

/// Sorts `items` by `key`, stably (equal keys keep their order), through [`sort_pairs`],
/// which is not generic: one copy of the sort serves every caller. Input already in order costs
/// one pass and no allocation.
pub(crate) fn sort_by_i64_key<T: Copy>(items: &mut [T], key: impl Fn(&T) -> i64) {
    if items.windows(2).all(|pair| key(&pair[0]) <= key(&pair[1])) {
        return;
    }
    let mut keyed: Vec<(i64, i64)> = items
        .iter()
        .enumerate()
        .map(|(index, item)| (key(item), index as i64))
        .collect();
    sort_pairs(&mut keyed);
    let sorted: Vec<T> = keyed
        .iter()
        .map(|&(_, index)| items[index as usize])
        .collect();
    items.copy_from_slice(&sorted);
}

/// Reorders `order` (indices into `keys`) stably by their keys: indices of equal keys keep
/// their order. Refining by a second key, then by a first, orders by (first, second).
pub(crate) fn refine(keys: &[i64], order: &mut [u32]) {
    let mut keyed: Vec<(i64, i64)> = order
        .iter()
        .enumerate()
        .map(|(rank, &index)| (keys[index as usize], rank as i64))
        .collect();
    sort_pairs(&mut keyed);
    let before = order.to_vec();
    for (slot, &(_, rank)) in order.iter_mut().zip(&keyed) {
        *slot = before[rank as usize];
    }
}

/// From this many items on, [`sort_pairs`] is a radix sort.
const RADIX_MIN: usize = 1 << 12;

/// Sorts pairs by their first element, stably, if their second elements ascend (as ranks
/// do), and otherwise at least by the first element. A radix sort does large inputs in linear
/// time: least significant byte of the key first, skipping the bytes that are the same in
/// every key (times and sizes of real traces fill three or four of the eight), each pass
/// stable, so that equal keys keep their indices in order. At a million buffers the
/// comparison sort was a sixth of a whole minimisation. Not generic, so one copy serves
/// every caller.
#[inline(never)]
pub(crate) fn sort_pairs(keyed: &mut Vec<(i64, i64)>) {
    if keyed.len() < RADIX_MIN {
        keyed.sort_unstable();
        return;
    }
    // Flipping the sign bit makes the keys' order that of unsigned integers.
    let ordered = |key: i64| (key as u64) ^ (1 << 63);
    let mut counts = vec![[0usize; 256]; 8];
    for &(key, _) in keyed.iter() {
        let key = ordered(key);
        for (byte, count) in counts.iter_mut().enumerate() {
            count[(key >> (8 * byte)) as usize & 255] += 1;
        }
    }
    let mut scratch: Vec<(i64, i64)> = vec![(0, 0); keyed.len()];
    for (byte, count) in counts.iter().enumerate() {
        if count.contains(&keyed.len()) {
            continue; // Every key has the same byte here.
        }
        let mut next = [0usize; 256];
        let mut total = 0;
        for (digit, &c) in count.iter().enumerate() {
            next[digit] = total;
            total += c;
        }
        for &pair in keyed.iter() {
            let digit = (ordered(pair.0) >> (8 * byte)) as usize & 255;
            scratch[next[digit]] = pair;
            next[digit] += 1;
        }
        std::mem::swap(keyed, &mut scratch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably_by_key() {
        let mut items = [(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        sort_by_i64_key(&mut items, |&(key, _)| key);
        assert_eq!(items, [(1, 'b'), (1, 'e'), (2, 'd'), (3, 'a'), (3, 'c')]);
        let mut sorted = [1, 2, 2, 5];
        sort_by_i64_key(&mut sorted, |&x| x);
        assert_eq!(sorted, [1, 2, 2, 5]);
        let mut empty: [i64; 0] = [];
        sort_by_i64_key(&mut empty, |&x| x);
    }

    #[test]
    fn radix_sorts_stably_like_the_comparison_sort() {
        // Enough items for the radix path, keys of both signs and many ties.
        let mut state = 12345u64;
        let mut items: Vec<(i64, i64)> = (0..3 * RADIX_MIN as i64)
            .map(|index| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                let key = (state >> 40) as i64 % 1000 - 500;
                let key = if index % 7 == 0 { key << 40 } else { key };
                (key, index)
            })
            .collect();
        let mut expected = items.clone();
        expected.sort(); // Index ascending within a key: the stable order.
        sort_by_i64_key(&mut items, |&(key, _)| key);
        assert_eq!(items, expected);
        let mut same: Vec<(i64, i64)> = (0..RADIX_MIN as i64).map(|i| (5, i)).collect();
        let before = same.clone();
        sort_by_i64_key(&mut same, |&(key, _)| key);
        assert_eq!(same, before);
    }
}
