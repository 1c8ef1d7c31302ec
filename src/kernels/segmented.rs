//! Segmented scans (a new product wherever a start flag is true), masked or
//! not, and masked scans along rows, of an input and an output in one
//! memory order, where the output is not large enough to stream
//! ([`streamed`](super::streamed) takes those) or its block is not one the
//! streamed kernels take. The flags are read beside the input, in the same
//! pass; a scan without a mask or without starts reads flags of one value
//! ([`Every`]), which compile away. The factors of a masked scan are
//! selected a piece at a time, into the output, before they are multiplied
//! there ([`put`]): selected one at a time, a mask without a pattern
//! mispredicts the branch that the select becomes.
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
//!   registers, as the plain kernels do (masked rows of 4 f64: 1.6x the plain
//!   scan through [`contiguous`](super::contiguous), which stages the
//!   factors first, 1.2x here).
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
use super::memory::{flag_bytes, ALL_FLAGS};
use super::streamed::Flagged;

/// The elements of a lane whose starts are looked at together, to take the
/// plain chain when none of them starts a segment.
const RUN: usize = 64;

/// Elements whose factors are [`put`] in the output at a time before the
/// short lanes and rows are scanned there: 2 KiB of `f64`, in cache.
const PIECE: usize = 256;

/// Lanes of at most this many elements select at every element: looking
/// at their starts first costs more than it saves (measured, 250 lanes of
/// 4 f64: 2.7x the plain scan through the general kernels, 3.4x looking at
/// runs first, 1.8x selecting at every element).
const SHORT: usize = 16;

/// Writes the scan of the row-major block `(outer, n, inner)`, whose
/// factors and flags `input` gives along its middle axis, into `dst`: a
/// segmented scan (masked or not) of any block, or a masked scan of rows.
/// Contiguous lanes without segments are left to the plain kernels, which
/// scan them faster.
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
    let dst = &mut dst[..len];
    let src = &input.src[..len];
    let (conv, one) = (input.conv, input.one);
    let block = (n, inner);
    let masked = |x: &A, m: bool| masked_factor(conv, one, x, m);
    let plain = |x: &A, _: bool| conv(x);
    let (all, none) = (Every::<true>(len), Every::<false>(len));
    match (input.mask, input.starts) {
        (Some(mask), Some(starts)) => {
            by_width(src, dst, masked, &mask[..len], &starts[..len], block)
        }
        (None, Some(starts)) => by_width(src, dst, plain, all, &starts[..len], block),
        (Some(mask), None) => by_width(src, dst, masked, &mask[..len], none, block),
        (None, None) => by_width(src, dst, plain, all, none, block),
    }
}

/// [`scan_into`] of `src` into `dst`, `factor(x, m)` the factor of element
/// `x` under its mask flag `m`, by the kernel for rows of `inner` elements.
fn by_width<A, B, M: FlagSource, S: FlagSource>(
    src: &[A],
    dst: &mut [B],
    factor: impl Fn(&A, bool) -> B,
    mask: M,
    starts: S,
    (n, inner): (usize, usize),
) where
    B: Clone + Mul<Output = B>,
{
    match inner {
        0 => {}
        1 => lanes(src, dst, starts, factor, mask, n),
        2 => short_rows::<_, _, _, _, 2>(src, dst, starts, factor, mask, n),
        3 => short_rows::<_, _, _, _, 3>(src, dst, starts, factor, mask, n),
        4 => short_rows::<_, _, _, _, 4>(src, dst, starts, factor, mask, n),
        5 => short_rows::<_, _, _, _, 5>(src, dst, starts, factor, mask, n),
        6 => short_rows::<_, _, _, _, 6>(src, dst, starts, factor, mask, n),
        7 => short_rows::<_, _, _, _, 7>(src, dst, starts, factor, mask, n),
        8 => short_rows::<_, _, _, _, 8>(src, dst, starts, factor, mask, n),
        _ => rows(src, dst, starts, factor, mask, n, inner),
    }
}

/// `len` flags, all `FLAG`: the mask of an unmasked scan (which its factor
/// function ignores) and the starts of a scan without segments.
#[derive(Clone, Copy)]
struct Every<const FLAG: bool>(usize);

/// Flags the kernels read: a slice, or [`Every`].
trait FlagSource: Copy {
    /// Whether the flags vary: a mask that does is [`put`] first.
    const VARY: bool;

    /// The flag of element `k`.
    fn at(self, k: usize) -> bool;

    /// The flags of elements `start..start + len`.
    fn part(self, start: usize, len: usize) -> Self;

    /// Whether any flag is true, and whether every flag is, in one pass.
    fn any_all(self) -> (bool, bool);
}

impl FlagSource for &[bool] {
    const VARY: bool = true;

    #[inline(always)]
    fn at(self, k: usize) -> bool {
        self[k]
    }

    #[inline(always)]
    fn part(self, start: usize, len: usize) -> Self {
        &self[start..start + len]
    }

    /// Eight flags at a time, as the bytes of a word (`true` is 1) read in
    /// one load ([`flag_bytes`]; assembled a byte at a time, 1.05x-1.14x
    /// the time), the words of a run ORed and ANDed together: searched one
    /// at a time
    /// (`contains`), the flags cost a cycle each where a run has no start or
    /// only starts. Measured (time / a copy, paired runs, 1,000 segments a
    /// lane or a start at every element of shorter lanes): one lane of 8 Mi
    /// `f64` 1.49x-1.53x -> 1.29x-1.37x, `i64` 1.51x-1.64x -> 1.27x-1.48x;
    /// `f64` lanes of 100 1.16x-1.44x -> 1.15x-1.24x, of 1,024 in a 4 MiB
    /// array 1.38x-2.68x -> 0.73x-1.68x; lanes with a start in every eighth
    /// element, where a search stops at once, 0.99x-1.01x the time.
    #[inline(always)]
    fn any_all(self) -> (bool, bool) {
        let mut words = self.chunks_exact(8);
        let (or, and) = (&mut words).fold((0, ALL_FLAGS), |(or, and), w| {
            let w = flag_bytes(w.try_into().expect("eight flags"));
            (or | w, and & w)
        });
        let rest = words.remainder();
        (
            or != 0 || rest.contains(&true),
            and == ALL_FLAGS && !rest.contains(&false),
        )
    }
}

impl<const FLAG: bool> FlagSource for Every<FLAG> {
    const VARY: bool = false;

    #[inline(always)]
    fn at(self, k: usize) -> bool {
        debug_assert!(k < self.0, "a flag of the block");
        FLAG
    }

    #[inline(always)]
    fn part(self, start: usize, len: usize) -> Self {
        debug_assert!(start + len <= self.0, "flags of the block");
        Every(len)
    }

    #[inline(always)]
    fn any_all(self) -> (bool, bool) {
        (FLAG && self.0 > 0, FLAG || self.0 == 0)
    }
}

/// Contiguous lanes of `n` elements, one after another, each a [`RUN`] at a
/// time (see the module's docs), its factors [`put`] in place first.
fn lanes<A, B, M: FlagSource, S: FlagSource>(
    src: &[A],
    dst: &mut [B],
    starts: S,
    factor: impl Fn(&A, bool) -> B,
    mask: M,
    n: usize,
) where
    B: Clone + Mul<Output = B>,
{
    if n <= SHORT {
        // As many whole lanes as fit in a piece, the select at every element.
        let piece = PIECE / n * n;
        for at in (0..dst.len()).step_by(piece) {
            let end = dst.len().min(at + piece);
            let (x, y) = (&src[at..end], &mut dst[at..end]);
            put(x, mask.part(at, end - at), &factor, y);
            for (base, lane) in (0..).step_by(n).zip(y.chunks_exact_mut(n)) {
                let mut carry = staged::<_, _, M>(&lane[0], &x[base], &factor);
                lane[0].clone_from(&carry);
                for (k, y) in (base + 1..).zip(&mut lane[1..]) {
                    let f = staged::<_, _, M>(y, &x[k], &factor);
                    carry = if starts.at(at + k) { f } else { carry * f };
                    y.clone_from(&carry);
                }
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
            let (s, x, y) = (starts.part(at, end - at), &src[at..end], &mut dst[at..end]);
            put(x, mask.part(at, end - at), &factor, y);
            let (any, all) = s.any_all();
            if !any {
                for (y, x) in y.iter_mut().zip(x) {
                    carry = carry * staged::<_, _, M>(y, x, &factor);
                    y.clone_from(&carry);
                }
            } else if all {
                let last = y.len() - 1;
                carry = staged::<_, _, M>(&y[last], &x[last], &factor);
                y[last].clone_from(&carry);
                for (y, x) in y[..last].iter_mut().zip(x) {
                    *y = staged::<_, _, M>(y, x, &factor);
                }
            } else {
                for (j, (y, x)) in y.iter_mut().zip(x).enumerate() {
                    let f = staged::<_, _, M>(y, x, &factor);
                    carry = if s.at(j) { f } else { carry * f };
                    y.clone_from(&carry);
                }
            }
            at = end;
        }
    }
}

/// Blocks of `n` rows of `W` elements: the running products of a block's
/// columns kept in registers from row to row, the factors of a [`PIECE`]
/// [`put`] in place first.
fn short_rows<A, B, M: FlagSource, S: FlagSource, const W: usize>(
    src: &[A],
    dst: &mut [B],
    starts: S,
    factor: impl Fn(&A, bool) -> B,
    mask: M,
    n: usize,
) where
    B: Clone + Mul<Output = B>,
{
    let piece = (PIECE / W).max(1) * W;
    for base in (0..dst.len()).step_by(n * W) {
        // The block's first row: its factors.
        let first = &mut dst[base..base + W];
        put(&src[base..base + W], mask.part(base, W), &factor, first);
        let mut carry: [B; W] =
            core::array::from_fn(|j| staged::<_, _, M>(&first[j], &src[base + j], &factor));
        for (y, c) in first.iter_mut().zip(&carry) {
            y.clone_from(c);
        }
        let end = base + n * W;
        for at in (base + W..end).step_by(piece) {
            let end = end.min(at + piece);
            let (x, y) = (&src[at..end], &mut dst[at..end]);
            put(x, mask.part(at, end - at), &factor, y);
            for (k, (y, x)) in (at..)
                .step_by(W)
                .zip(y.chunks_exact_mut(W).zip(x.chunks_exact(W)))
            {
                let y: &mut [B; W] = y.try_into().expect("a whole row");
                let x: &[A; W] = x.try_into().expect("a whole row");
                for j in 0..W {
                    let f = staged::<_, _, M>(&y[j], &x[j], &factor);
                    let p = carry[j].clone() * f.clone();
                    carry[j] = if starts.at(k + j) { f } else { p };
                    y[j].clone_from(&carry[j]);
                }
            }
        }
    }
}

/// `out[j]` = `factor(x[j], mask[j])`, when the mask varies (else nothing:
/// the kernels convert each element as they multiply it, see [`staged`]).
/// A function of its own, never inlined, so that the select of a masked
/// factor vectorises. Chosen as each factor is multiplied, the select was a
/// branch, which a mask without a pattern mispredicts (measured, 64 MiB f64,
/// one element in seven masked out at random, time / the plain scan: rows
/// of 4 2.2x, staged 1.4x). Without a mask, staging the converted elements
/// first made rows of 4 slower (1.4x -> 2.5x).
#[inline(never)]
fn put<A, B, M: FlagSource>(x: &[A], mask: M, factor: &impl Fn(&A, bool) -> B, out: &mut [B]) {
    if !M::VARY {
        return;
    }
    let len = out.len();
    let x = &x[..len];
    for j in 0..len {
        out[j] = factor(&x[j], mask.at(j));
    }
}

/// The factor of an element whose output slot is `y` and input `x`: the
/// one [`put`] there when the mask `M` varies, else `x` converted.
#[inline(always)]
fn staged<A, B: Clone, M: FlagSource>(y: &B, x: &A, factor: &impl Fn(&A, bool) -> B) -> B {
    if M::VARY {
        y.clone()
    } else {
        factor(x, true)
    }
}

/// Blocks of `n` rows of `inner` elements: each row after a block's first
/// from the row before it ([`row_from`]).
fn rows<A, B, M: FlagSource, S: FlagSource>(
    src: &[A],
    dst: &mut [B],
    starts: S,
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
                starts.part(start, inner),
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
fn row_from<A, B, M: FlagSource, S: FlagSource>(
    prev: &[B],
    row: &mut [B],
    x: &[A],
    starts: S,
    factor: &impl Fn(&A, bool) -> B,
    mask: M,
) where
    B: Clone + Mul<Output = B>,
{
    let len = row.len();
    let (prev, x, starts, mask) = (
        &prev[..len],
        &x[..len],
        starts.part(0, len),
        mask.part(0, len),
    );
    for j in 0..len {
        let f = factor(&x[j], mask.at(j));
        let p = prev[j].clone() * f.clone();
        row[j] = if starts.at(j) { f } else { p };
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::super::test_support::{flagged_reference, Word};
    use super::*;

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
            let flags = [None, Some(&mask[..])]
                .into_iter()
                .flat_map(|m| [(m, Some(&starts[..])), (m, None)]);
            for (mask, starts) in flags {
                let input = Flagged {
                    src: &src,
                    mask,
                    starts,
                    conv: &conv,
                    one: &one,
                };
                let mut out: Vec<B> = (0..len + 3).map(|_| one()).collect();
                scan_into(&input, &mut out, (outer, n, inner));
                let expected =
                    flagged_reference(&src, (outer, n, inner), &conv, (mask, starts), &one);
                let what = (outer, n, inner, mask.is_some(), starts.is_some());
                assert_eq!(&out[..len], &expected[..], "{what:?}");
                assert!(out[len..].iter().all(|y| *y == one()), "{what:?}");
            }
        }
    }

    /// [`FlagSource::any_all`] of slices against `contains`: no flags, all,
    /// one set or one clear at every place, the same place set in every
    /// word, and one in three, at lengths around words of eight.
    #[test]
    fn any_all_reads_words_as_the_flags_one_at_a_time() {
        for len in 0..=25 {
            let patterns: [&dyn Fn(usize) -> bool; 4] =
                [&|_| false, &|_| true, &|k| k % 8 == 3, &|k| k % 3 == 1];
            let mut cases: Vec<Vec<bool>> =
                patterns.iter().map(|p| (0..len).map(p).collect()).collect();
            for at in 0..len {
                cases.push((0..len).map(|k| k == at).collect());
                cases.push((0..len).map(|k| k != at).collect());
            }
            for flags in &cases {
                let expected = (flags.contains(&true), !flags.contains(&false));
                assert_eq!(flags.as_slice().any_all(), expected, "{flags:?}");
            }
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "for `Word`, the only type that ran here under Miri (14 s), the memory module turns these paths away at its type checks"
    )]
    fn segmented_scans_match_the_reference() {
        // Non-commutative: each product must keep its order.
        check(Word::new, Word::clone, Word::one);
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
