//! [`factorize`]: group codes from keys of any type.

use std::collections::HashMap;
use std::hash::Hash;
use std::vec::Vec;

/// Dense group codes for keys of any `Hash + Eq` type, as pandas'
/// `factorize` gives them: `codes[i]` is the number of `keys[i]` among the
/// distinct keys in order of first appearance, and `uniques[codes[i]]` is
/// `keys[i]`. The codes are what [`Cumprod::groups`](crate::Cumprod::groups)
/// takes. Needs the `std` feature.
///
/// ```
/// use ndarray::{array, Axis};
/// use ndarray_cumprod::{factorize, Cumprod, CumprodExt};
///
/// let asset = ["AAPL", "MSFT", "AAPL", "MSFT"];
/// let growth = array![1.1, 2.0, 0.5, 3.0];
/// let (codes, uniques) = factorize(asset);
/// assert_eq!((codes.as_slice(), uniques.as_slice()), (&[0, 1, 0, 1][..], &["AAPL", "MSFT"][..]));
/// let compound = growth.cumprod_with(Cumprod::along(Axis(0)).groups(&codes));
/// assert_eq!(compound, array![1.1, 2.0, 1.1 * 0.5, 6.0]);
/// ```
pub fn factorize<K, I>(keys: I) -> (Vec<usize>, Vec<K>)
where
    K: Hash + Eq + Clone,
    I: IntoIterator<Item = K>,
{
    let keys = keys.into_iter();
    let mut numbers: HashMap<K, usize> = HashMap::new();
    let mut uniques: Vec<K> = Vec::new();
    let codes = keys
        .map(|key| {
            *numbers.entry(key).or_insert_with_key(|key| {
                uniques.push(key.clone());
                uniques.len() - 1
            })
        })
        .collect();
    (codes, uniques)
}

#[cfg(test)]
mod tests {
    use super::factorize;
    use std::vec;
    use std::vec::Vec;

    #[test]
    fn codes_follow_first_appearance() {
        let (codes, uniques) = factorize(vec!["b", "a", "b", "c", "a"]);
        assert_eq!(codes, vec![0, 1, 0, 2, 1]);
        assert_eq!(uniques, vec!["b", "a", "c"]);
        let (codes, uniques) = factorize(Vec::<u32>::new());
        assert!(codes.is_empty() && uniques.is_empty());
    }
}
