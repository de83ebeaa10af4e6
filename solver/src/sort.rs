//! Sorting through few instantiations of the standard sorts.
//!
//! Every distinct closure or element type given to `sort_by_key`, `sort_unstable_by` and the
//! like compiles to a whole copy of the sort, some 3-4 KB of WebAssembly each; with one per
//! call site they made up a quarter of the npm package's code. So the crate sorts plain
//! tuples with `sort_unstable()`, and call sites that share a tuple type share one copy:
//! mostly `(i64, i64)` and `(i64, i64, usize)`. A stable sort by key is an unstable sort of
//! `(key, original index)`, which [`sort_by_i64_key`] does for any slice.

/// Sorts `items` by `key`, stably (equal keys keep their order), through the shared
/// `(i64, i64)` sort of (key, index) pairs. Input already in order costs one pass and no
/// allocation.
pub(crate) fn sort_by_i64_key<T: Copy>(items: &mut [T], key: impl Fn(&T) -> i64) {
    if items.windows(2).all(|pair| key(&pair[0]) <= key(&pair[1])) {
        return;
    }
    let mut keyed: Vec<(i64, i64)> = items
        .iter()
        .enumerate()
        .map(|(index, item)| (key(item), index as i64))
        .collect();
    keyed.sort_unstable();
    let sorted: Vec<T> = keyed
        .iter()
        .map(|&(_, index)| items[index as usize])
        .collect();
    items.copy_from_slice(&sorted);
}

/// Below this many items [`radix_sort_by_key`] hands over to the comparison sort.
const RADIX_MIN: usize = 1 << 12;

/// Sorts `items` by `key`, stably, in linear time: a least-significant-digit radix sort on
/// the key's bytes, skipping the bytes that are the same in every key (times and sizes of
/// real traces fill three or four of the eight). At a million buffers the comparison sorts
/// were a sixth of a whole minimisation; this takes a third of their time or less. Small
/// inputs go to [`sort_by_i64_key`].
pub(crate) fn radix_sort_by_key<T: Copy + Default>(items: &mut [T], key: impl Fn(&T) -> i64) {
    if items.len() < RADIX_MIN {
        sort_by_i64_key(items, key);
        return;
    }
    // Flipping the sign bit makes the keys' order that of unsigned integers.
    let ordered = |item: &T| (key(item) as u64) ^ (1 << 63);
    let mut counts = vec![[0usize; 256]; 8];
    for item in items.iter() {
        let k = ordered(item);
        for (byte, count) in counts.iter_mut().enumerate() {
            count[(k >> (8 * byte)) as usize & 255] += 1;
        }
    }
    let mut scratch: Vec<T> = vec![T::default(); items.len()];
    let mut in_items = true;
    for (byte, count) in counts.iter().enumerate() {
        if count.contains(&items.len()) {
            continue; // Every key has the same byte here.
        }
        let mut next = [0usize; 256];
        let mut total = 0;
        for (digit, &c) in count.iter().enumerate() {
            next[digit] = total;
            total += c;
        }
        let (from, to): (&[T], &mut [T]) = if in_items {
            (items, &mut scratch)
        } else {
            (&scratch, items)
        };
        for item in from {
            let digit = (ordered(item) >> (8 * byte)) as usize & 255;
            to[next[digit]] = *item;
            next[digit] += 1;
        }
        in_items = !in_items;
    }
    if !in_items {
        items.copy_from_slice(&scratch);
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
        radix_sort_by_key(&mut items, |&(key, _)| key);
        assert_eq!(items, expected);
        let mut same: Vec<(i64, i64)> = (0..RADIX_MIN as i64).map(|i| (5, i)).collect();
        let before = same.clone();
        radix_sort_by_key(&mut same, |&(key, _)| key);
        assert_eq!(same, before);
    }
}
