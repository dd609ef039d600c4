//! Sorting through one copy of the standard library's sort. Each `sort_by` with its own element type and comparator
//! compiles to its own copy of the sort (about 5 KB of wasm each), and a dozen of them were a tenth of the module;
//! the crate's sorts go through [`stable_order`] instead, which sorts indices with a comparator behind a reference.

use std::cmp::Ordering;
use std::collections::BTreeMap;

/// `0..n`, ordered by `cmp` of the indices, ties in index order (a stable sort).
pub(crate) fn stable_order(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// Sorts `items` by `cmp`, stably (as `slice::sort_by`).
pub(crate) fn sort_by<T>(items: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    let order = stable_order(items.len(), &|a, b| cmp(&items[a], &items[b]));
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(
        order
            .into_iter()
            .map(|i| slots[i].take().expect("an order names each index once")),
    );
}

/// The distinct characters of `chars`, by code point. Through a map of the type [`crate::vocab::Vocab`] indexes with,
/// whose code the module has anyway; a text of a million characters has only a few hundred distinct ones.
pub(crate) fn distinct_chars(chars: impl IntoIterator<Item = char>) -> Vec<char> {
    let mut seen: BTreeMap<char, u32> = BTreeMap::new();
    for c in chars {
        seen.insert(c, 0);
    }
    seen.into_keys().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably() {
        let mut v = vec![(2, 'a'), (1, 'b'), (2, 'c'), (0, 'd'), (1, 'e')];
        sort_by(&mut v, |a, b| a.0.cmp(&b.0));
        assert_eq!(v, [(0, 'd'), (1, 'b'), (1, 'e'), (2, 'a'), (2, 'c')]);
        let mut empty: Vec<u8> = vec![];
        sort_by(&mut empty, u8::cmp);
        assert!(empty.is_empty());
    }

    #[test]
    fn orders_indices_by_their_values() {
        let x = [0.5f32, -1.0, 0.5, 2.0];
        assert_eq!(stable_order(4, &|a, b| x[b].total_cmp(&x[a])), [3, 0, 2, 1]);
    }

    #[test]
    fn distinct_characters_by_code_point() {
        assert_eq!(
            distinct_chars("hello, é".chars()),
            [' ', ',', 'e', 'h', 'l', 'o', 'é']
        );
    }
}
