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
