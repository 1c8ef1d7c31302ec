//! Reading NumPy's values from the golden files and comparing results with
//! them, for `tests/optimised/golden.rs` and `tests/suite/family_golden.rs`.
//!
//! Floats and integers must match to the bit, signed zeros and infinities
//! included; a NaN must be a NaN, with its sign and payload bits unspecified
//! (RFC 3514). Complex products may differ from NumPy in the last bit where
//! NumPy's build fuses a multiply-add, so they are compared to a tolerance of a
//! few ulps when their bits differ.

use std::fmt::Debug;
use std::num::Wrapping;

use ndarray::ArrayD;
use num_complex::Complex64;

/// An element type that can be read from a golden file and compared with NumPy.
pub trait Golden: Clone + Debug {
    /// The value written as `token` in a golden file.
    fn parse(token: &str) -> Self;
    /// Whether `self` is NumPy's value, as the module docs define it.
    fn matches(&self, numpy: &Self) -> bool;
}

macro_rules! golden_bits {
    ($($t:ty => $bits:ty),*) => {$(
        impl Golden for $t {
            fn parse(token: &str) -> Self {
                <$t>::from_bits(<$bits>::from_str_radix(token, 16).expect("hex float bits"))
            }
            fn matches(&self, numpy: &Self) -> bool {
                self.to_bits() == numpy.to_bits() || (self.is_nan() && numpy.is_nan())
            }
        }
    )*};
}
golden_bits!(f64 => u64, f32 => u32);

macro_rules! golden_int {
    ($($t:ty),*) => {$(
        impl Golden for $t {
            fn parse(token: &str) -> Self {
                token.parse().expect("decimal integer")
            }
            fn matches(&self, numpy: &Self) -> bool {
                self == numpy
            }
        }
    )*};
}
golden_int!(i64, i32, i8, u8, u64);

impl Golden for bool {
    fn parse(token: &str) -> Self {
        match token {
            "0" => false,
            "1" => true,
            other => panic!("bool token {other:?}"),
        }
    }
    fn matches(&self, numpy: &Self) -> bool {
        self == numpy
    }
}

impl Golden for Wrapping<i64> {
    fn parse(token: &str) -> Self {
        Wrapping(i64::parse(token))
    }
    fn matches(&self, numpy: &Self) -> bool {
        self == numpy
    }
}

impl Golden for Complex64 {
    fn parse(token: &str) -> Self {
        let (re, im) = token.split_once(':').expect("re:im");
        Complex64::new(f64::parse(re), f64::parse(im))
    }
    fn matches(&self, numpy: &Self) -> bool {
        if self.re.matches(&numpy.re) && self.im.matches(&numpy.im) {
            return true;
        }
        // Not bit-identical: NumPy's build fuses some multiply-adds, so each part
        // may differ by rounding relative to the magnitude of the product (seen:
        // at most 1 epsilon times the magnitude; allowed: 2).
        // `hypot`, not `Complex::norm`, which needs num-complex's `std`
        // feature: the tests also build with `--no-default-features`.
        let scale = 2.0 * f64::EPSILON * numpy.re.hypot(numpy.im);
        self.is_finite()
            && numpy.is_finite()
            && approx::abs_diff_eq!(self.re, numpy.re, epsilon = scale)
            && approx::abs_diff_eq!(self.im, numpy.im, epsilon = scale)
    }
}

/// The values of one line of a golden file (`-` for none).
pub fn parse_values<T: Golden>(line: &str) -> Vec<T> {
    if line == "-" {
        Vec::new()
    } else {
        line.split(' ').map(T::parse).collect()
    }
}

/// Asserts that `actual` has NumPy's shape and that every element passes
/// `matches` against NumPy's, naming the first that does not by its index.
pub fn assert_matches_by<T: Debug>(
    actual: &ArrayD<T>,
    numpy: &ArrayD<T>,
    what: &str,
    matches: impl Fn(&T, &T) -> bool,
) {
    assert_eq!(actual.shape(), numpy.shape(), "{what}: shape");
    for (index, (a, n)) in ndarray::indices(numpy.raw_dim())
        .into_iter()
        .zip(actual.iter().zip(numpy.iter()))
    {
        assert!(
            matches(a, n),
            "{what}: at {index:?} got {a:?}, NumPy gave {n:?}"
        );
    }
}

/// [`assert_matches_by`] with [`Golden::matches`].
pub fn assert_matches<T: Golden>(actual: &ArrayD<T>, numpy: &ArrayD<T>, what: &str) {
    assert_matches_by(actual, numpy, what, T::matches);
}
