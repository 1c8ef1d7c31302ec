//! Segmented scans (a new product wherever a start flag is true), masked or
//! not, of an input and an output in one memory order, where the output is
//! not large enough to stream ([`streamed`](super::streamed) takes those)
//! or its block is not one the streamed kernels take.
//!
//! Three kernels, by the shape of the block `(outer, n, inner)`:
//!
//! - **lanes** (`inner == 1`): each lane a run of [`RUN`] elements at a
//!   time. A run without a start is the plain chain of multiplications; a
//!   run of starts only is its factors; only a run with both selects, at each
//!   element, between the factor and the product. A select in the chain
//!   costs its latency at every step (one lane of 8 Mi f64 with 1,000
//!   segments, time / the plain scan: 2.1x through the general kernels,
//!   1.3x here). Lanes of at most [`SHORT`] elements select at every
//!   element.
//! - **short rows** (2 to 8 elements): the running products of a row kept in
//!   registers, as the plain kernels do.
//! - **rows**: each row from the one before, in one pass that vectorises.
//!
//! Measured (64 MiB f64, time / the plain scan, before -> after): rows of 4
//! 2.5x -> 1.3x, lanes of 64 (a segment at each element) 2.1x -> 1.4x, rows
//! of 128 Ki elements 1.5x -> 1.0x.
//!
//! Every lane is still multiplied left to right, the product on the left, so
//! the results are those of the general kernels, bit for bit.

use core::ops::Mul;

use super::contiguous::masked_factor;
use super::streamed::Flagged;

/// The elements of a lane whose starts are looked at together, to take the
/// plain chain when none of them starts a segment.
const RUN: usize = 64;

/// Lanes of at most this many elements select at every element: looking
/// at their starts first costs more than it saves (measured, 250 lanes of
/// 4 f64: 2.7x the plain scan through the general kernels, 3.4x looking at
/// runs first, 1.8x selecting at every element).
const SHORT: usize = 16;

/// Writes the segmented scan of the row-major block `(outer, n, inner)`,
/// whose factors and flags `input` gives along its middle axis, into `dst`.
/// `input.starts` must be `Some` (a masked scan alone takes the plain
/// kernels).
pub(super) fn scan_into<A, B, F, O>(
    input: &Flagged<'_, A, F, O>,
    dst: &mut [B],
    (outer, n, inner): (usize, usize, usize),
) where
    B: Clone + Mul<Output = B>,
    F: Fn(&A) -> B,
    O: Fn() -> B,
{
    let len = outer * n * inner;
    let Some(starts) = input.starts else {
        unreachable!("a segmented scan has starts");
    };
    let dst = &mut dst[..len];
    let (src, starts) = (&input.src[..len], &starts[..len]);
    let mask = input.mask.map(|m| &m[..len]);
    let (conv, one) = (input.conv, input.one);
    macro_rules! by_mask {
        ($kernel:ident $(::<$w:literal>)?, $($arg:expr),*) => {
            match mask {
                None => $kernel$(::<_, _, _, $w>)?(src, dst, starts, |x: &A, _: bool| conv(x), Trues(len), $($arg),*),
                Some(mask) => $kernel$(::<_, _, _, $w>)?(
                    src,
                    dst,
                    starts,
                    |x: &A, m: bool| masked_factor(conv, one, x, m),
                    mask,
                    $($arg),*
                ),
            }
        };
    }
    match inner {
        0 => {}
        1 => by_mask!(lanes, n),
        2 => by_mask!(short_rows::<2>, n),
        3 => by_mask!(short_rows::<3>, n),
        4 => by_mask!(short_rows::<4>, n),
        5 => by_mask!(short_rows::<5>, n),
        6 => by_mask!(short_rows::<6>, n),
        7 => by_mask!(short_rows::<7>, n),
        8 => by_mask!(short_rows::<8>, n),
        _ => by_mask!(rows, n, inner),
    }
}

/// The mask of an unmasked scan: `len` flags, all true, which the factor
/// function of an unmasked scan ignores; the kernels keep one signature.
#[derive(Clone, Copy)]
struct Trues(usize);

/// Flags the kernels read: a slice, or [`Trues`].
trait FlagSource: Copy {
    /// The flag of element `k`.
    fn at(self, k: usize) -> bool;

    /// The flags of elements `start..start + len`.
    fn part(self, start: usize, len: usize) -> Self;
}

impl FlagSource for &[bool] {
    #[inline(always)]
    fn at(self, k: usize) -> bool {
        self[k]
    }

    #[inline(always)]
    fn part(self, start: usize, len: usize) -> Self {
        &self[start..start + len]
    }
}

impl FlagSource for Trues {
    #[inline(always)]
    fn at(self, k: usize) -> bool {
        debug_assert!(k < self.0, "a flag of the block");
        true
    }

    #[inline(always)]
    fn part(self, start: usize, len: usize) -> Self {
        debug_assert!(start + len <= self.0, "flags of the block");
        Trues(len)
    }
}

/// Contiguous lanes of `n` elements, one after another, each a [`RUN`] at a
/// time (see the module's docs).
fn lanes<A, B, M: FlagSource>(
    src: &[A],
    dst: &mut [B],
    starts: &[bool],
    factor: impl Fn(&A, bool) -> B,
    mask: M,
    n: usize,
) where
    B: Clone + Mul<Output = B>,
{
    if n <= SHORT {
        // A run or less: the select at every element.
        for base in (0..dst.len()).step_by(n) {
            let mut carry = factor(&src[base], mask.at(base));
            dst[base].clone_from(&carry);
            for k in base + 1..base + n {
                let f = factor(&src[k], mask.at(k));
                carry = if starts[k] { f } else { carry * f };
                dst[k].clone_from(&carry);
            }
        }
        return;
    }
    for base in (0..dst.len()).step_by(n) {
        let mut carry = factor(&src[base], mask.at(base));
        dst[base].clone_from(&carry);
        let mut at = base + 1;
        while at < base + n {
            let end = (base + n).min(at + RUN);
            let (x, s, y) = (&src[at..end], &starts[at..end], &mut dst[at..end]);
            if !s.contains(&true) {
                for (k, (y, x)) in (at..).zip(y.iter_mut().zip(x)) {
                    carry = carry * factor(x, mask.at(k));
                    y.clone_from(&carry);
                }
            } else if !s.contains(&false) {
                for (k, (y, x)) in (at..).zip(y.iter_mut().zip(x)) {
                    *y = factor(x, mask.at(k));
                }
                carry = y[y.len() - 1].clone();
            } else {
                for (k, ((y, x), &s)) in (at..).zip(y.iter_mut().zip(x).zip(s)) {
                    let f = factor(x, mask.at(k));
                    carry = if s { f } else { carry * f };
                    y.clone_from(&carry);
                }
            }
            at = end;
        }
    }
}

/// Blocks of `n` rows of `W` elements: the running products of a block's
/// columns kept in registers from row to row.
fn short_rows<A, B, M: FlagSource, const W: usize>(
    src: &[A],
    dst: &mut [B],
    starts: &[bool],
    factor: impl Fn(&A, bool) -> B,
    mask: M,
    n: usize,
) where
    B: Clone + Mul<Output = B>,
{
    for base in (0..dst.len()).step_by(n * W) {
        let mut carry: [B; W] = core::array::from_fn(|j| factor(&src[base + j], mask.at(base + j)));
        for (y, c) in dst[base..base + W].iter_mut().zip(&carry) {
            y.clone_from(c);
        }
        for k in (base + W..base + n * W).step_by(W) {
            let x: &[A; W] = src[k..k + W].try_into().expect("a whole row");
            let s: &[bool; W] = starts[k..k + W].try_into().expect("a whole row");
            let y: &mut [B; W] = (&mut dst[k..k + W]).try_into().expect("a whole row");
            for j in 0..W {
                let f = factor(&x[j], mask.at(k + j));
                let p = carry[j].clone() * f.clone();
                carry[j] = if s[j] { f } else { p };
                y[j].clone_from(&carry[j]);
            }
        }
    }
}

/// Blocks of `n` rows of `inner` elements: each row after a block's first
/// from the row before it ([`row_from`]).
fn rows<A, B, M: FlagSource>(
    src: &[A],
    dst: &mut [B],
    starts: &[bool],
    factor: impl Fn(&A, bool) -> B,
    mask: M,
    n: usize,
    inner: usize,
) where
    B: Clone + Mul<Output = B>,
{
    for base in (0..dst.len()).step_by(n * inner) {
        for (k, (y, x)) in (base..).zip(dst[base..base + inner].iter_mut().zip(&src[base..])) {
            *y = factor(x, mask.at(k));
        }
        for start in (base + inner..base + n * inner).step_by(inner) {
            let (done, rest) = dst.split_at_mut(start);
            row_from(
                &done[start - inner..],
                &mut rest[..inner],
                &src[start..start + inner],
                &starts[start..start + inner],
                &factor,
                mask.part(start, inner),
            );
        }
    }
}

/// `row[j] = starts[j] ? f : prev[j] * f`, `f` the factor of `x[j]` under
/// `mask[j]`: a function of its own, never inlined, so that the loop over
/// slices that cannot overlap vectorises.
#[inline(never)]
fn row_from<A, B, M: FlagSource>(
    prev: &[B],
    row: &mut [B],
    x: &[A],
    starts: &[bool],
    factor: &impl Fn(&A, bool) -> B,
    mask: M,
) where
    B: Clone + Mul<Output = B>,
{
    let len = row.len();
    let (prev, x, starts, mask) = (&prev[..len], &x[..len], &starts[..len], mask.part(0, len));
    for j in 0..len {
        let f = factor(&x[j], mask.at(j));
        let p = prev[j].clone() * f.clone();
        row[j] = if starts[j] { f } else { p };
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::super::test_support::Word;
    use super::*;

    /// The scan of the row-major block `(outer, n, inner)` along its middle
    /// axis, by the definition, lane by lane: `y[0] = x[0]`, `y[i] = y[i -
    /// 1] * x[i]`, where `x[i]` is `one()` where the mask is false, and `y[i]
    /// = x[i]` where a segment starts.
    fn reference<A, B: Clone + Mul<Output = B>>(
        src: &[A],
        (outer, n, inner): (usize, usize, usize),
        conv: impl Fn(&A) -> B,
        (mask, starts): (Option<&[bool]>, &[bool]),
        one: impl Fn() -> B,
    ) -> Vec<B> {
        let mut out = Vec::with_capacity(src.len());
        for (k, x) in src.iter().enumerate() {
            out.push(match mask {
                Some(mask) if !mask[k] => one(),
                _ => conv(x),
            });
        }
        for o in 0..outer {
            for j in 0..inner {
                for i in 1..n {
                    let at = (o * n + i) * inner + j;
                    if !starts[at] {
                        out[at] = out[at - inner].clone() * out[at].clone();
                    }
                }
            }
        }
        out
    }

    /// The starts of the block `(outer, n, inner)`, by the position `i`
    /// along the axis: in even lanes, every element of the first two runs
    /// after the lane's first element, then none, then one in five; in odd
    /// lanes, one in three (and their first element flagged). Lanes have
    /// runs of each kind, runs of both, and short lanes both kinds of
    /// element.
    fn starts((outer, n, inner): (usize, usize, usize)) -> Vec<bool> {
        (0..outer * n * inner)
            .map(|k| match (k / (n * inner) % 2, k / inner % n) {
                (1, i) => i % 3 == 0,
                (_, 0) => false,
                (_, 1..=128) => true,
                (_, 129..=260) => false,
                (_, i) => i % 5 == 2,
            })
            .collect()
    }

    /// Lanes shorter and longer than a run (and of one element), rows of
    /// every width with registers of their own and wider ones.
    #[cfg(not(miri))]
    const BLOCKS: &[(usize, usize, usize)] = &[
        (1, 1, 1),
        (3, 1, 4),
        (1, 2, 1),
        (7, 5, 1),
        (3, 70, 1),
        (2, 500, 1),
        (1, 900, 1),
        (1, 300, 2),
        (2, 130, 3),
        (1, 200, 4),
        (3, 40, 7),
        (1, 120, 8),
        (2, 50, 9),
        (1, 30, 130),
    ];

    /// Under Miri, a block for each kernel, with runs of each kind.
    #[cfg(miri)]
    const BLOCKS: &[(usize, usize, usize)] = &[(7, 5, 1), (2, 300, 1), (2, 40, 4), (2, 12, 9)];

    fn check<A, B: Clone + Mul<Output = B> + PartialEq + core::fmt::Debug>(
        make: impl Fn(usize) -> A,
        conv: impl Fn(&A) -> B,
        one: impl Fn() -> B,
    ) {
        for &(outer, n, inner) in BLOCKS {
            let len = outer * n * inner;
            let src: Vec<A> = (0..len).map(&make).collect();
            let starts = starts((outer, n, inner));
            let mask: Vec<bool> = (0..len).map(|k| k % 7 != 3).collect();
            for mask in [None, Some(&mask[..])] {
                let input = Flagged {
                    src: &src,
                    mask,
                    starts: Some(&starts),
                    conv: &conv,
                    one: &one,
                };
                let mut out: Vec<B> = (0..len + 3).map(|_| one()).collect();
                scan_into(&input, &mut out, (outer, n, inner));
                let expected = reference(&src, (outer, n, inner), &conv, (mask, &starts), &one);
                let what = (outer, n, inner, mask.is_some());
                assert_eq!(&out[..len], &expected[..], "{what:?}");
                assert!(out[len..].iter().all(|y| *y == one()), "{what:?}");
            }
        }
    }

    #[test]
    fn segmented_scans_match_the_reference() {
        // Non-commutative: each product must keep its order.
        check(Word::new, Word::clone, Word::one);
        if cfg!(miri) {
            return;
        }
        // Floats near one, so that long runs stay finite, with a zero now
        // and then.
        check(
            |k| {
                if k % 97 == 5 {
                    0.0
                } else {
                    1.0 + (k % 11) as f64 / 64.0
                }
            },
            |x: &f64| *x,
            || 1.0,
        );
        // A conversion to a wider type.
        check(|k| (k % 3 == 0) as u8 + 1, |x: &u8| f32::from(*x), || 1.0);
    }
}
