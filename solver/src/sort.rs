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
}
