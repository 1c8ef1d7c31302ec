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
