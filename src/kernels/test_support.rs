//! Test helpers shared by the kernels' unit tests.

use alloc::vec::Vec;
use core::ops::Mul;

/// A non-commutative element (composition of affine maps `x -> a x + b`
/// modulo 2^64), padded to `P` more words so that big elements make small
/// pieces and every segment boundary shows up in small arrays.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Affine<const P: usize> {
    a: u64,
    b: u64,
    pad: [u64; P],
}

impl<const P: usize> Mul for Affine<P> {
    type Output = Self;
    fn mul(self, rhs: Self) -> Self {
        Affine {
            a: self.a.wrapping_mul(rhs.a),
            b: self.a.wrapping_mul(rhs.b).wrapping_add(self.b),
            pad: self.pad,
        }
    }
}

/// The cases of the tests of the short rows streamed through a buffer of
/// `per_buffer` rows: `(n, outer)`, blocks of `n` rows that end a buffer
/// early, exactly and late, alone and three of them. Under Miri, one block
/// length that ends inside a buffer, three blocks (every case took 85 s).
pub(crate) fn buffered_rows_cases(per_buffer: usize) -> Vec<(usize, usize)> {
    if cfg!(miri) {
        return alloc::vec![(per_buffer + 1, 3)];
    }
    let blocks = [
        2,
        per_buffer - 1,
        per_buffer,
        per_buffer + 1,
        2 * per_buffer + 3,
    ];
    blocks.iter().flat_map(|&n| [(n, 1), (n, 3)]).collect()
}

/// `len` distinct elements, none of which commutes with the others.
pub(crate) fn input<const P: usize>(len: usize) -> Vec<Affine<P>> {
    (0..len as u64)
        .map(|i| Affine {
            a: 2 * i + 3,
            b: i * 7 % 13,
            pad: [0; P],
        })
        .collect()
}

impl<const P: usize> Affine<P> {
    /// Changes the element in a way that does not undo itself: applied twice,
    /// it gives another element than applied once.
    pub(crate) fn bump(&mut self) {
        self.b = self.b.wrapping_add(5);
    }
}

/// An 8-byte non-commutative element: the composition of affine maps
/// `x -> a x + b` modulo 2^32, small enough for the kernels that take only
/// elements of up to 8 bytes.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Word {
    a: u32,
    b: u32,
}

impl Word {
    /// The `i`-th of a sequence of distinct elements.
    pub(crate) fn new(i: usize) -> Self {
        let i = i as u32;
        Word {
            a: i.wrapping_mul(2).wrapping_add(3),
            b: i.wrapping_mul(7) % 13,
        }
    }

    /// The identity: `x -> x`.
    pub(crate) fn one() -> Self {
        Word { a: 1, b: 0 }
    }
}

impl Mul for Word {
    type Output = Self;
    fn mul(self, rhs: Self) -> Self {
        Word {
            a: self.a.wrapping_mul(rhs.a),
            b: self.a.wrapping_mul(rhs.b).wrapping_add(self.b),
        }
    }
}

/// The scan of the row-major block `(outer, n, inner)` along its middle
/// axis, by the definition: `y[0] = x[0]`, `y[i] = y[i - 1] * x[i]`, lane
/// by lane; `x[i]` is `one()` where `mask` is false, and `y[i] = x[i]`
/// where `starts` is true.
pub(crate) fn flagged_reference<A, B: Clone + Mul<Output = B>>(
    src: &[A],
    (outer, n, inner): (usize, usize, usize),
    conv: impl Fn(&A) -> B,
    (mask, starts): (Option<&[bool]>, Option<&[bool]>),
    one: impl Fn() -> B,
) -> Vec<B> {
    let mut out: Vec<B> = src
        .iter()
        .enumerate()
        .map(|(k, x)| match mask {
            Some(mask) if !mask[k] => one(),
            _ => conv(x),
        })
        .collect();
    for o in 0..outer {
        for j in 0..inner {
            for i in 1..n {
                let at = (o * n + i) * inner + j;
                if !starts.is_some_and(|s| s[at]) {
                    out[at] = out[at - inner].clone() * out[at].clone();
                }
            }
        }
    }
    out
}

/// Running products of `Scaled<f64>` and factors that take every path
/// of `memory::stream_times_scaled` and of the row kernels of `Scaled`:
/// pairs in range, products that leave the range (mantissas near 2^510
/// times 2^5), factors out of range themselves (2^±600, subnormal), zeros,
/// infinities and NaN.
pub(crate) fn scaled_operands(len: usize) -> (Vec<crate::Scaled<f64>>, Vec<f64>) {
    use crate::Scaled;
    // 2^k, for k in the normal range.
    let pow2 = |k: i32| f64::from_bits(((k + 1023) as u64) << 52);
    let big = Scaled::from(pow2(300)) * Scaled::from(pow2(210));
    // Each product with an exponent of its own (2^-700 and below are
    // out of range: their exponent goes apart).
    let apart = |j: usize| Scaled::from(pow2(-700 - j as i32));
    // Every third run of eight has the special values; the others are in
    // range, so that whole groups and pairs take the fast paths.
    let special = |j: usize| j / 8 % 3 == 2;
    let products = (0..len)
        .map(|j| match j % 9 {
            0 | 4 if special(j) => big * apart(j) * Scaled::from(1.0 + (j % 4) as f64 * 0.125),
            1 if special(j) => Scaled::from(f64::INFINITY),
            6 if special(j) => Scaled::from(-0.0),
            // Mantissas of 53 significant bits, which a product in the
            // subnormal range would round.
            _ => {
                Scaled::from((0.75 - (j % 6) as f64 * 0.5) * (1.0 + 1.0 / (j as f64 + 3.0)))
                    * apart(j)
            }
        })
        .collect();
    // In the special runs, each kind of product meets the factors that
    // take it out of range (2^510 times 2^600 overflows, times 32 leaves
    // the range; a full mantissa times a subnormal underflows) or make it
    // special.
    let factors = (0..len)
        .map(|j| match j % 9 {
            0 | 6 if special(j) => pow2(600),
            1 if special(j) => 0.0,
            2 if special(j) => f64::MIN_POSITIVE / 9.0,
            3 if special(j) => pow2(-600),
            4 if special(j) => 32.0,
            5 if special(j) => f64::NAN,
            7 if special(j) => f64::INFINITY,
            8 if special(j) => pow2(-1000),
            _ => 1.375 - (j % 5) as f64 * 0.5,
        })
        .collect();
    (products, factors)
}

/// Whether two `Scaled<f64>` hold the same value, NaN matching NaN.
pub(crate) fn same_scaled(a: &crate::Scaled<f64>, b: &crate::Scaled<f64>) -> bool {
    let nan = |s: &crate::Scaled<f64>| s.mantissa().is_nan();
    (nan(a) && nan(b))
        || (a.mantissa().to_bits() == b.mantissa().to_bits() && a.exponent() == b.exponent())
}
