//! The scans with per-element operands: [`mask`](crate::Cumprod::mask),
//! [`segments`](crate::Cumprod::segments), [`groups`](crate::Cumprod::groups)
//! and [`keep_nan`](crate::Cumprod::keep_nan), with every other option.
//!
//! Every operand is brought into one memory order, the output's when it is
//! contiguous (else the input's, else row-major): operands already in it are
//! read where they are, the others (broadcast flags, strided views) are
//! copied into it first. The block `(outer, n, inner)` of that order (see
//! [`contiguous`](super::contiguous)) is then scanned by [`scan_block`]:
//!
//! - inclusive scans without groups or kept NaN ([`chains`]) hold each lane's
//!   product in the output: the factors are staged a piece or a tile at a
//!   time, then multiplied in cache, contiguous lanes side by side;
//! - grouped inclusive scans ([`groups`]) keep a table of products, one per
//!   group and lane of a row, beside the output;
//! - the rest (exclusive scans, and `keep_nan` without groups) run one
//!   general loop with a product per chain, row by row.
//!
//! The products keep the order of the plain kernels: forward
//! `previous * element`, reverse `element * following`, the first product of
//! each chain a copy of its element, and nothing reassociated.

use alloc::borrow::Cow;
use alloc::vec;
use alloc::vec::Vec;
use core::ops::Mul;

use ndarray::{
    Array, ArrayView, ArrayView1, ArrayViewD, ArrayViewMut, Dimension, IntoDimension, IxDyn, Slice,
};
use num_traits::{CheckedMul, One};

use super::family::{put_initial, slot};
use super::{memory, streamed};
use crate::options::sealed::{Spec, Start};
use crate::options::{Flags, Output};

/// How the scan reads the element at memory index `k` of the block, given
/// what the output holds there (the element itself, in place): `Ok` with the
/// factor, or `Err` with the value to leave in the output when the element
/// takes no part (a NaN kept in place).
type Item<B> = Result<B, B>;

/// Writes the scan of `src` described by `how` into `out`, whose length along
/// the axis is `how.result_len(n)`. `conv` turns an element into the factor
/// (NaN-skipping maps NaN to one there); `keep` returns the value to write for
/// an element that stays as it is (a NaN, with `keep_nan`), else `None`.
pub(crate) fn with_into<A, B, D>(
    src: ArrayView<'_, A, D>,
    out: ArrayViewMut<'_, B, D>,
    how: &Spec<'_, B>,
    conv: &impl Fn(&A) -> B,
    keep: &impl Fn(&A) -> Option<B>,
) where
    B: Clone + Mul<Output = B> + One,
    D: Dimension,
{
    let src = src.into_dyn();
    let mut out = out.into_dyn();
    if let Some((mask, starts)) = forward_flags(how) {
        // A forward inclusive scan from the identity whose only operands are
        // flags: the kernels of input and output slices in one memory order
        // (a mask alone takes the plain kernels of other layouts too).
        if starts.is_none() || super::flagged_takes(&src.view(), &out.view_mut()) {
            let order = working_order(&out, &src);
            let in_order = |f| flags_in_order(f, out.raw_dim(), &order);
            let (mask, starts) = (mask.map(in_order), starts.map(in_order));
            let flags = (mask.as_deref(), starts.as_deref());
            let done =
                super::axis_into_flagged(src.view(), out.view_mut(), flags, how.axis, conv, B::one);
            if done {
                return;
            }
        }
    }
    let out = body(out, src.len_of(how.axis), how);
    if out.is_empty() {
        return;
    }
    let order = working_order(&out, &src);
    let src = src.permuted_axes(&order[..]);
    match src.as_slice() {
        Some(src) => run(out, how, &order, &FromSlice { src, conv, keep }),
        None => {
            let src: Vec<&A> = src.iter().collect();
            // References to the elements, read as a slice of them.
            let input = FromSlice {
                src: &src[..],
                conv: |x: &&A| conv(*x),
                keep: |x: &&A| keep(*x),
            };
            run(out, how, &order, &input);
        }
    }
}

/// A mask and segment starts, either or both.
type MaskAndStarts<'s> = (Option<&'s dyn Flags>, Option<&'s dyn Flags>);

/// The mask and segment starts of options that describe a forward inclusive
/// scan from the identity with flags (one or both) and no other operand.
fn forward_flags<'s, B>(how: &Spec<'s, B>) -> Option<MaskAndStarts<'s>> {
    let e = &how.extras;
    let plain = !how.reverse
        && how.output == Output::Inclusive
        && matches!(how.initial, Start::Identity)
        && e.groups.is_none()
        && !e.keep_nan
        && (e.mask.is_some() || e.starts.is_some());
    plain.then_some((e.mask, e.starts))
}

/// `flags` broadcast to `shape`, as a slice in the memory order `order`:
/// borrowed when they have that shape and layout already, else copied.
fn flags_in_order<'s>(flags: &'s dyn Flags, shape: IxDyn, order: &[usize]) -> Cow<'s, [bool]> {
    let f = flags.flags();
    if f.shape() == shape.slice() {
        return in_order(f, order);
    }
    let f = f.broadcast(shape).expect("checked: the flags broadcast");
    Cow::Owned(in_order(f, order).into_owned())
}

/// Replaces `a` by the scan described by `how` (never `include_initial`).
/// `prepare` turns an element into its factor in place (NaN to one, for
/// NaN-skipping); `keep` tells the elements that stay as they are.
pub(crate) fn with_inplace<B, D>(
    a: ArrayViewMut<'_, B, D>,
    how: &Spec<'_, B>,
    prepare: &impl Fn(&B) -> B,
    keep: &impl Fn(&B) -> bool,
) where
    B: Clone + Mul<Output = B> + One,
    D: Dimension,
{
    let a = a.into_dyn();
    if a.is_empty() {
        return;
    }
    let order = working_order(&a, &a.view());
    run(a, how, &order, &InPlace { prepare, keep });
}

/// The part of `out` that holds the scan proper: with `include_initial`, the
/// initial values go into the extra slot and the rest is returned.
fn body<'o, B>(
    mut out: ArrayViewMut<'o, B, IxDyn>,
    n: usize,
    how: &Spec<'_, B>,
) -> ArrayViewMut<'o, B, IxDyn>
where
    B: Clone + One,
{
    if how.output != Output::IncludeInitial || out.is_empty() {
        return out;
    }
    let (at, rest) = if how.reverse {
        (n, 0..n)
    } else {
        (0, 1..n + 1)
    };
    put_initial(slot(out.view_mut(), how.axis, at), how.axis, &how.initial);
    out.slice_axis_move(how.axis, Slice::from(rest))
}

/// The axis order, slowest first, in which the scan walks memory: the
/// output's when it is contiguous, else the input's, else row-major.
fn working_order<A, B>(out: &ArrayViewMut<'_, B, IxDyn>, src: &ArrayViewD<'_, A>) -> Vec<usize> {
    super::memory_order::<IxDyn>(out.shape(), out.strides())
        .or_else(|| super::memory_order::<IxDyn>(src.shape(), src.strides()))
        .map_or_else(|| (0..out.ndim()).collect(), |order| order.slice().to_vec())
}

/// The elements of `a` as a slice in the memory order `order` (axes slowest
/// first): borrowed when `a` is laid out so already, else copied.
fn in_order<'v, T: Clone>(a: ArrayViewD<'v, T>, order: &[usize]) -> Cow<'v, [T]> {
    let a = a.permuted_axes(order);
    match a.to_slice() {
        Some(values) => Cow::Borrowed(values),
        None => Cow::Owned(a.iter().cloned().collect()),
    }
}

/// Where the scan reads its elements: memory positions `k` are those of the
/// block in the working order, `cur` what the output holds there (the element
/// itself, in place).
trait Input<B> {
    /// Whether the output is the input (a scan that fails half way cannot
    /// start again).
    const IN_PLACE: bool = false;

    /// The factor of the element at `k` (`Ok`), or the value to leave in the
    /// output when the element takes no part (`Err`: a NaN kept in place).
    fn read(&self, k: usize, cur: &B) -> Item<B>;

    /// Writes the factors of the elements at `start..start + out.len()` into
    /// `out` (for inputs whose every element takes part), one where `mask`
    /// (the block's flags) is false.
    fn stage(&self, start: usize, out: &mut [B], mask: Option<&[bool]>);

    /// The factors of the `T` elements from `start`, whose output is `cur`.
    fn tile<const T: usize>(&self, start: usize, cur: &[B; T], mask: Option<&[bool]>) -> [B; T]
    where
        B: Clone,
    {
        let mut tile = cur.clone();
        self.stage(start, &mut tile, mask);
        tile
    }

    /// Multiplies `products` by the factors of the elements from `start`
    /// (one for a kept element) and writes the results (the kept value for
    /// a kept element) to `out` with streaming stores
    /// ([`memory::stream_times`]): whether it did (else nothing changed).
    fn stream_row(&self, start: usize, products: &mut [B], out: &mut [B]) -> bool {
        let _ = (start, products, out);
        false
    }

    /// Whether [`group_lane`](Self::group_lane) scans (else it leaves the
    /// lane to the caller).
    const GROUP_LANE: bool = false;

    /// The forward grouped scan of one lane whose products have all
    /// started: the element at `start + j` multiplies `products[codes[j]]`
    /// (a kept element leaves it as it is), and the product (or the kept
    /// value) goes to `out[j]`, with streaming stores if `stream`, up to the
    /// first code that has no product. Returns how many positions it
    /// scanned: all of them, or as far as that code.
    fn group_lane(
        &self,
        start: usize,
        codes: &[usize],
        products: &mut [B],
        out: &mut [B],
        stream: bool,
    ) -> usize
    where
        B: Clone + Mul<Output = B>,
    {
        let _ = (start, codes, products, out, stream);
        0
    }
}

/// The input as a slice in the working order (for a strided input, a slice
/// of references to its elements).
struct FromSlice<'v, A, C, K> {
    src: &'v [A],
    conv: C,
    keep: K,
}

impl<A, B, C, K> Input<B> for FromSlice<'_, A, C, K>
where
    B: One,
    C: Fn(&A) -> B,
    K: Fn(&A) -> Option<B>,
{
    fn read(&self, k: usize, _: &B) -> Item<B> {
        let x = &self.src[k];
        (self.keep)(x).map_or_else(|| Ok((self.conv)(x)), Err)
    }

    // Not inlined: a function of its own, whose slices the compiler knows
    // not to overlap, vectorises.
    #[inline(never)]
    fn stage(&self, start: usize, out: &mut [B], mask: Option<&[bool]>) {
        let len = out.len();
        let src = &self.src[start..start + len];
        match mask {
            None => out
                .iter_mut()
                .zip(src)
                .for_each(|(y, x)| *y = (self.conv)(x)),
            Some(mask) => {
                // Indexed, over slices of one length: no bounds checks, and
                // a select that vectorises.
                let mask = &mask[start..start + len];
                for j in 0..len {
                    let v = (self.conv)(&src[j]);
                    out[j] = if mask[j] { v } else { B::one() };
                }
            }
        }
    }

    #[inline(always)]
    fn stream_row(&self, start: usize, products: &mut [B], out: &mut [B]) -> bool {
        let x = &self.src[start..start + products.len()];
        let factor = |j: usize| match (self.keep)(&x[j]) {
            Some(_) => B::one(),
            None => (self.conv)(&x[j]),
        };
        memory::stream_times_keeping(products, factor, |j| (self.keep)(&x[j]), out)
    }

    const GROUP_LANE: bool = true;

    // Over slices, without the iterator of positions that the general lane
    // loop reads each element through. Large outputs are scanned a run at a
    // time into a buffer on the stack and streamed from there, so that the
    // output's lines are not read before they are written.
    #[inline(never)]
    fn group_lane(
        &self,
        start: usize,
        codes: &[usize],
        products: &mut [B],
        out: &mut [B],
        stream: bool,
    ) -> usize
    where
        B: Clone + Mul<Output = B>,
    {
        /// Elements scanned into the buffer at a time (2 KiB of `f64`).
        const RUN: usize = 256;
        let len = out.len();
        let (src, codes) = (&self.src[start..start + len], &codes[..len]);
        // The positions scanned, up to the first code without a product.
        let run = |src: &[A], codes: &[usize], products: &mut [B], out: &mut [B]| -> usize {
            for (j, ((x, &group), y)) in src.iter().zip(codes).zip(out).enumerate() {
                *y = match (self.keep)(x) {
                    Some(kept) => kept,
                    None => {
                        let Some(product) = products.get_mut(group) else {
                            return j;
                        };
                        *product = product.clone() * (self.conv)(x);
                        product.clone()
                    }
                };
            }
            src.len()
        };
        if !stream {
            return run(src, codes, products, out);
        }
        let mut buffer: [B; RUN] = core::array::from_fn(|_| B::one());
        let mut done = 0;
        for ((src, codes), out) in src
            .chunks(RUN)
            .zip(codes.chunks(RUN))
            .zip(out.chunks_mut(RUN))
        {
            let k = run(src, codes, products, &mut buffer[..src.len()]);
            memory::stream_copy(&buffer[..k], &mut out[..k]);
            done += k;
            if k < src.len() {
                break;
            }
        }
        done
    }

    #[inline(always)]
    fn tile<const T: usize>(&self, start: usize, _: &[B; T], mask: Option<&[bool]>) -> [B; T] {
        let src: &[A; T] = self.src[start..start + T].try_into().expect("a whole tile");
        match mask {
            None => core::array::from_fn(|s| (self.conv)(&src[s])),
            Some(mask) => {
                let mask: &[bool; T] = mask[start..start + T].try_into().expect("a whole tile");
                core::array::from_fn(|s| {
                    if mask[s] {
                        (self.conv)(&src[s])
                    } else {
                        B::one()
                    }
                })
            }
        }
    }
}

/// The output is its own input.
struct InPlace<P, K> {
    prepare: P,
    keep: K,
}

impl<B, P, K> Input<B> for InPlace<P, K>
where
    B: Clone + One,
    P: Fn(&B) -> B,
    K: Fn(&B) -> bool,
{
    const IN_PLACE: bool = true;

    fn read(&self, _: usize, cur: &B) -> Item<B> {
        if (self.keep)(cur) {
            Err(cur.clone())
        } else {
            Ok((self.prepare)(cur))
        }
    }

    fn stage(&self, start: usize, out: &mut [B], mask: Option<&[bool]>) {
        match mask {
            None => out.iter_mut().for_each(|y| *y = (self.prepare)(y)),
            Some(mask) => {
                let mask = &mask[start..start + out.len()];
                for (y, &m) in out.iter_mut().zip(mask) {
                    let v = (self.prepare)(y);
                    *y = if m { v } else { B::one() };
                }
            }
        }
    }
}

/// Factors already staged in the output, as they are.
struct Staged;

impl<B: Clone> Input<B> for Staged {
    fn read(&self, _: usize, cur: &B) -> Item<B> {
        Ok(cur.clone())
    }

    #[inline(always)]
    fn stage(&self, _: usize, _: &mut [B], _: Option<&[bool]>) {}

    #[inline(always)]
    fn tile<const T: usize>(&self, _: usize, cur: &[B; T], _: Option<&[bool]>) -> [B; T] {
        cur.clone()
    }
}

/// Runs the scan of `how` over `out` in the memory order `order`, reading
/// the elements from `input`.
fn run<'s, B, I: Input<B>>(
    mut out: ArrayViewMut<'_, B, IxDyn>,
    how: &Spec<'s, B>,
    order: &[usize],
    input: &I,
) where
    B: Clone + Mul<Output = B> + One,
{
    let shape = out.raw_dim();
    let axis = how.axis.index();
    let (outer, n, inner) = super::block_shape(shape.slice(), order, axis);
    let extras = &how.extras;
    let flags = |f: &'s dyn Flags| flags_in_order(f, shape.clone(), order);
    let mask = extras.mask.map(flags);
    let starts = extras.starts.map(flags);
    // Group codes are checked as the scan reads them when it can start
    // again (a scan into another array, without flags, of codes in one
    // slice); otherwise before it.
    let unchecked = extras.groups.and_then(|codes| {
        let plain = !I::IN_PLACE
            && extras.mask.is_none()
            && extras.starts.is_none()
            && how.output != Output::Exclusive;
        plain.then(|| codes.to_slice()).flatten()
    });
    let codes = match unchecked {
        Some(_) => None,
        None => extras.groups.map(|codes| dense_codes(codes, n)),
    };
    // The start of every lane, in the lane order of the block.
    let carry = match &how.initial {
        Start::Lanes(lanes) => {
            let order: Vec<usize> = order
                .iter()
                .filter(|&&ax| ax != axis)
                .map(|&ax| if ax > axis { ax - 1 } else { ax })
                .collect();
            Some(in_order(lanes.view(), &order))
        }
        Start::Identity | Start::Value(_) => None,
    };
    let restart = match &how.initial {
        Start::Value(c) => Some(*c),
        Start::Identity | Start::Lanes(_) => None,
    };
    let block = Block {
        outer,
        n,
        inner,
        mask: mask.as_deref(),
        starts: starts.as_deref(),
        codes: match (&codes, unchecked) {
            (Some((codes, g)), _) => Some(Codes {
                codes,
                groups: Some(*g),
            }),
            (None, Some(codes)) => Some(Codes {
                codes,
                groups: None,
            }),
            (None, None) => None,
        },
        reverse: how.reverse,
        exclusive: how.output == Output::Exclusive,
        keep: how.extras.keep_nan,
    };
    let first = |lane: usize| match &carry {
        Some(lanes) => Some(lanes[lane].clone()),
        None => restart.cloned(),
    };
    let mut attempt = |block: &Block<'_>| -> Result<(), NotDense> {
        let permuted = out.view_mut().permuted_axes(order);
        if let Some(data) = permuted.into_slice() {
            return scan_block(data, block, input, first, restart);
        }
        // An output that is not one block: scan a copy in the working order
        // (holding the elements, for in place), then write it back.
        let mut work: Vec<B> = out.view().permuted_axes(order).iter().cloned().collect();
        scan_block(&mut work, block, input, first, restart)?;
        let work = Array::from_shape_vec(out.view().permuted_axes(order).raw_dim(), work)
            .expect("as many elements as the output");
        out.view_mut().permuted_axes(order).assign(&work);
        Ok(())
    };
    if attempt(&block).is_err() {
        // Codes beyond the axis length, found during the scan: number the
        // distinct codes and scan again (the input is untouched).
        let (dense, groups) = dense_codes(extras.groups.expect("a grouped scan"), n);
        let block = Block {
            codes: Some(Codes {
                codes: &dense,
                groups: Some(groups),
            }),
            ..block
        };
        attempt(&block).expect("dense codes");
    }
}

/// A grouped scan met a code that is not below the axis length (see
/// [`Codes`]).
#[derive(Debug)]
struct NotDense;

/// The group of every position along the axis, and the number of groups
/// (one more than the largest code) when it is known. When it is not, the
/// scan checks the codes as it reads them, and fails with [`NotDense`] on a
/// code that is not below the axis length.
#[derive(Clone, Copy)]
struct Codes<'x> {
    codes: &'x [usize],
    groups: Option<usize>,
}

/// Group codes `0..g` for the positions along the axis: the codes themselves
/// when they are all below `n` (then `g` is one more than the largest), else
/// the rank of each code among the distinct codes (a sort, but no table
/// indexed by code, however large the codes are).
fn dense_codes<'c>(codes: ArrayView1<'c, usize>, n: usize) -> (Cow<'c, [usize]>, usize) {
    let largest = match codes.as_slice() {
        Some(codes) => codes.iter().copied().max(),
        None => codes.iter().copied().max(),
    }
    .unwrap_or(0);
    if largest < n {
        let codes = match codes.to_slice() {
            Some(codes) => Cow::Borrowed(codes),
            None => Cow::Owned(codes.to_vec()),
        };
        return (codes, largest + 1);
    }
    let mut distinct = codes.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let dense = codes
        .iter()
        .map(|c| distinct.binary_search(c).expect("a code of the list"))
        .collect();
    (Cow::Owned(dense), distinct.len())
}

/// The scan of a block, as [`run`] prepared it.
#[derive(Clone, Copy)]
struct Block<'x> {
    outer: usize,
    n: usize,
    inner: usize,
    /// Where false, the element counts as one (memory order, whole block).
    mask: Option<&'x [bool]>,
    /// Where true, a new product starts (memory order, whole block).
    starts: Option<&'x [bool]>,
    /// The group of every position along the axis.
    codes: Option<Codes<'x>>,
    reverse: bool,
    exclusive: bool,
    /// Whether some elements may stay as they are (`read` may return `Err`).
    keep: bool,
}

/// Scans the block `data` (memory order): `first(lane)` is where lane
/// `lane` starts (`None`: its first product is a copy of its element),
/// `restart` where every later segment and every group starts.
fn scan_block<B>(
    data: &mut [B],
    b: &Block<'_>,
    input: &impl Input<B>,
    first: impl Fn(usize) -> Option<B>,
    restart: Option<&B>,
) -> Result<(), NotDense>
where
    B: Clone + Mul<Output = B> + One,
{
    if !b.exclusive {
        if b.codes.is_some() {
            return groups(data, b, input, restart);
        }
        if !b.keep {
            chains(data, b, input, first, restart);
            return Ok(());
        }
    }
    let Block {
        outer, n, inner, ..
    } = *b;
    let groups = b.codes.map_or(1, |c| {
        c.groups.expect("codes checked before an exclusive scan")
    });
    // One running product per group and lane of a block row.
    let mut state: Vec<Option<B>> = vec![None; groups * inner];
    for o in 0..outer {
        for chains in state.chunks_mut(inner) {
            for (j, chain) in chains.iter_mut().enumerate() {
                *chain = if b.codes.is_some() {
                    restart.cloned()
                } else {
                    first(o * inner + j)
                };
            }
        }
        for step in 0..n {
            let i = if b.reverse { n - 1 - step } else { step };
            let row = (o * n + i) * inner;
            let group = b.codes.map_or(0, |c| c.codes[i]);
            let chains = &mut state[group * inner..(group + 1) * inner];
            // Segments are the same both ways: a reverse scan restarts after
            // (to the left of) each start.
            let resets = b.starts.and_then(|s| {
                let at = if b.reverse {
                    (i + 1 < n).then_some(row + inner)?
                } else {
                    row
                };
                Some(&s[at..at + inner])
            });
            for (j, chain) in chains.iter_mut().enumerate() {
                let k = row + j;
                if resets.is_some_and(|r| r[j]) {
                    *chain = restart.cloned();
                }
                let item = if b.mask.map_or(true, |m| m[k]) {
                    input.read(k, &data[k])
                } else {
                    Ok(B::one())
                };
                data[k] = match item {
                    Err(kept) => kept,
                    Ok(v) => step_chain(chain, v, b.reverse, b.exclusive),
                };
            }
        }
    }
    Ok(())
}

/// Multiplies the chain by `v` and returns the result at its position: the
/// new product, or with `exclusive` the one before it.
#[inline]
fn step_chain<B>(chain: &mut Option<B>, v: B, reverse: bool, exclusive: bool) -> B
where
    B: Clone + Mul<Output = B> + One,
{
    let before = chain.take();
    let next = match &before {
        None => v,
        Some(p) => join(p, v, reverse),
    };
    let y = if exclusive {
        before.unwrap_or_else(B::one)
    } else {
        next.clone()
    };
    *chain = Some(next);
    y
}

/// A product of the checked scans: a value, the product whose multiplication
/// overflowed, or one after it in the same chain.
#[derive(Clone, Debug)]
pub(crate) enum Checked<B> {
    Value(B),
    Overflow,
    After,
}

impl<B: Clone + CheckedMul> Mul for Checked<B> {
    type Output = Self;

    fn mul(self, rhs: Self) -> Self {
        match (self, rhs) {
            (Checked::Value(a), Checked::Value(b)) => {
                a.checked_mul(&b).map_or(Checked::Overflow, Checked::Value)
            }
            _ => Checked::After,
        }
    }
}

impl<B: Clone + CheckedMul + One> One for Checked<B> {
    fn one() -> Self {
        Checked::Value(B::one())
    }
}

/// The checked scan of `src` with extras: the result (shape of the result of
/// `how`), or the index in `src` of the first element, in row-major order,
/// whose multiplication overflowed.
pub(crate) fn checked<A, B, D>(
    src: ArrayView<'_, A, D>,
    how: &Spec<'_, B>,
    conv: &impl Fn(&A) -> B,
) -> Result<Array<B, D>, Vec<usize>>
where
    B: Clone + CheckedMul + One,
    D: Dimension,
{
    let value = |x: &B| Checked::Value(x.clone());
    let initial = match &how.initial {
        Start::Value(c) => Some(value(c)),
        Start::Identity | Start::Lanes(_) => None,
    };
    let lanes = match &how.initial {
        Start::Lanes(lanes) => Some(lanes.map(value)),
        Start::Identity | Start::Value(_) => None,
    };
    let spec = Spec {
        axis: how.axis,
        reverse: how.reverse,
        output: how.output,
        initial: match (&initial, &lanes) {
            (Some(c), _) => Start::Value(c),
            (_, Some(lanes)) => Start::Lanes(lanes.view()),
            (None, None) => Start::Identity,
        },
        extras: how.extras.shorten(),
    };
    let mut shape = src.raw_dim();
    let axis = how.axis.index();
    let n = shape[axis];
    shape[axis] = how.result_len(n);
    let mut out = Array::from_elem(shape, Checked::<B>::one());
    with_into(
        src,
        out.view_mut(),
        &spec,
        &|x| Checked::Value(conv(x)),
        &|_| None,
    );
    // The element whose multiplication gave each marked product.
    let element = |mut index: D| -> Option<D> {
        let i = index[axis];
        index[axis] = match (how.output, how.reverse) {
            (Output::Inclusive, _) | (Output::IncludeInitial, true) => i,
            (Output::IncludeInitial, false) | (Output::Exclusive, false) => i.checked_sub(1)?,
            (Output::Exclusive, true) => i + 1,
        };
        Some(index)
    };
    let first = out
        .indexed_iter()
        .filter(|(_, y)| matches!(y, Checked::Overflow))
        .filter_map(|(index, _)| element(index.into_dimension()))
        .map(|index| index.slice().to_vec())
        .min();
    match first {
        Some(index) => Err(index),
        None => Ok(out.mapv(|y| match y {
            Checked::Value(v) => v,
            Checked::Overflow | Checked::After => unreachable!("no product overflowed"),
        })),
    }
}

/// `c * v` forward, `v * c` reverse: `v` joins the product `c`.
#[inline(always)]
fn join<B: Clone + Mul<Output = B>>(c: &B, v: B, reverse: bool) -> B {
    if reverse {
        v * c.clone()
    } else {
        c.clone() * v
    }
}

/// The inclusive scan without groups or kept elements: one product per lane,
/// held in the output itself. The factors are staged into the output a piece
/// of about [`PIECE`] elements at a time (converted, one where masked out),
/// then multiplied there while in cache:
///
/// - long contiguous lanes (`inner == 1`): [`SIDE`] lanes side by side, a
///   tile of [`TILE`] steps at a time, so that their chains of
///   multiplications overlap;
/// - short contiguous lanes: as many whole lanes as fill a piece, each
///   scanned in turn (the processor overlaps short independent chains);
/// - otherwise each row of `inner` lanes becomes the elementwise product of
///   the row scanned before it and its factors, which vectorises.
fn chains<B>(
    data: &mut [B],
    b: &Block<'_>,
    input: &impl Input<B>,
    first: impl Fn(usize) -> Option<B>,
    restart: Option<&B>,
) where
    B: Clone + Mul<Output = B> + One,
{
    let Block {
        n, inner, reverse, ..
    } = *b;
    if n == 0 {
        return;
    }
    let chain = Chain {
        reverse,
        inner,
        starts: b.starts,
        restart,
    };
    if inner == 1 {
        let mut lanes = data.chunks_exact_mut(n).enumerate();
        // Long lanes side by side, read straight from the input; shorter
        // ones are staged below, many at a time in memory order, and then
        // scanned side by side in cache: read side by side from memory, two
        // short lanes were two short streams that the hardware prefetcher
        // did not follow (measured, 64 MiB f64, lanes of 64 with segments:
        // 2.9x-3.4x the plain scan read from memory, 1.8x staged).
        if n >= 2 * TILE && n * SIDE > PIECE {
            chain.lanes_side_by_side(&mut lanes, n, &first, input, b.mask);
        }
        // The other lanes: whole lanes staged a piece at a time, and
        // scanned side by side in cache.
        let per_piece = (PIECE / n).max(1);
        let rest = lanes.next().map(|(lane, _)| lane);
        let Some(from) = rest else { return };
        for (piece, lanes) in data[from * n..].chunks_mut(per_piece * n).enumerate() {
            let base = (from + piece * per_piece) * n;
            input.stage(base, lanes, b.mask);
            let mut lanes = lanes
                .chunks_exact_mut(n)
                .enumerate()
                .map(|(l, data)| (base / n + l, data));
            if n >= 2 * TILE {
                chain.lanes_side_by_side(&mut lanes, n, &first, &Staged, None);
            }
            for (lane, data) in lanes {
                chain.lane(data, lane * n, first(lane));
            }
        }
        return;
    }
    let rows_per_piece = (PIECE / inner).max(1);
    for (o, block) in data.chunks_exact_mut(n * inner).enumerate() {
        let base = o * n * inner;
        // Pieces of rows in the scan's order; each row is multiplied by the
        // row scanned before it, in this piece or the one before.
        let mut done = 0;
        while done < n {
            let count = rows_per_piece.min(n - done);
            let (lo, hi) = if reverse {
                (n - done - count, n - done)
            } else {
                (done, done + count)
            };
            input.stage(
                base + lo * inner,
                &mut block[lo * inner..hi * inner],
                b.mask,
            );
            for step in done..done + count {
                let i = if reverse { n - 1 - step } else { step };
                let at = base + i * inner;
                if step == 0 {
                    let row = &mut block[i * inner..(i + 1) * inner];
                    for (j, y) in row.iter_mut().enumerate() {
                        let v = y.clone();
                        *y = chain.begin(v, first(o * inner + j), at + j);
                    }
                    continue;
                }
                // The row at `i` and the row scanned just before it.
                let (row, before) = if reverse {
                    let (head, tail) = block.split_at_mut((i + 1) * inner);
                    (&mut head[i * inner..], &tail[..inner])
                } else {
                    let (head, tail) = block.split_at_mut(i * inner);
                    (&mut tail[..inner], &head[(i - 1) * inner..])
                };
                match chain.resets(at, inner) {
                    None => {
                        for (y, p) in row.iter_mut().zip(before) {
                            *y = join(p, y.clone(), reverse);
                        }
                    }
                    Some(resets) => {
                        for ((y, p), &r) in row.iter_mut().zip(before).zip(resets) {
                            let v = y.clone();
                            *y = if r {
                                chain.restarted(v)
                            } else {
                                join(p, v, reverse)
                            };
                        }
                    }
                }
            }
            done += count;
        }
    }
}

/// Elements staged at a time by [`chains`]: 16 KiB of `f64`, well within
/// the first-level cache.
const PIECE: usize = 2048;

/// Lanes scanned side by side by [`chains`]: two (measured on f64 lanes of
/// 8,192 with a mask, against the plain scan: 4 lanes 2.8x, 2 lanes 1.9x, 8
/// lanes 3.5x; the tiles of more lanes no longer stay in registers).
const SIDE: usize = 2;

/// Steps of a lane multiplied together by [`Chain::side_by_side`].
const TILE: usize = 8;

/// What every chain of [`chains`] shares.
struct Chain<'x, B> {
    reverse: bool,
    /// The distance in memory between consecutive elements of a lane.
    inner: usize,
    starts: Option<&'x [bool]>,
    restart: Option<&'x B>,
}

impl<B: Clone + Mul<Output = B> + One> Chain<'_, B> {
    /// The product that a segment starting with factor `v` begins with.
    fn restarted(&self, v: B) -> B {
        match self.restart {
            Some(c) => join(c, v, self.reverse),
            None => v,
        }
    }

    /// The first product of a lane: its first factor `v`, at memory position
    /// `k`, joined to the lane's start (unless a segment starts there).
    fn begin(&self, v: B, start: Option<B>, k: usize) -> B {
        let flagged = self.starts.is_some_and(|s| !self.reverse && s[k]);
        match start {
            _ if flagged => self.restarted(v),
            Some(c) => join(&c, v, self.reverse),
            None => v,
        }
    }

    /// Whether a segment restarts at each of the `len` elements from memory
    /// position `at`; `None` without segments. Segments are the same both
    /// ways, so a reverse scan restarts just after each start (one step
    /// further along the axis, `inner` further in memory; never asked for
    /// the last element of a lane).
    fn resets(&self, at: usize, len: usize) -> Option<&[bool]> {
        let s = self.starts?;
        let at = if self.reverse { at + self.inner } else { at };
        Some(&s[at..at + len])
    }

    /// The product at the element `v` of a lane, at memory position `k`,
    /// which follows the product `p`.
    #[inline(always)]
    fn next(&self, p: &B, v: B, k: usize) -> B {
        if self.resets(k, 1).is_some_and(|r| r[0]) {
            self.restarted(v)
        } else {
            join(p, v, self.reverse)
        }
    }

    /// Scans in place one staged contiguous lane at memory position `at`.
    fn lane(&self, lane: &mut [B], at: usize, start: Option<B>) {
        let n = lane.len();
        let (i0, rest) = if self.reverse {
            (n - 1, 0..n - 1)
        } else {
            (0, 1..n)
        };
        let v = lane[i0].clone();
        let mut p = self.begin(v, start, at + i0);
        lane[i0].clone_from(&p);
        let mut step = |i: usize, lane: &mut [B]| {
            p = self.next(&p, lane[i].clone(), at + i);
            lane[i].clone_from(&p);
        };
        if self.reverse {
            rest.rev().for_each(|i| step(i, lane));
        } else {
            rest.for_each(|i| step(i, lane));
        }
    }

    /// Scans the contiguous lanes of `n` elements of `lanes`, each given with
    /// its index in the block, [`SIDE`] at a time while that many are left,
    /// from `first(lane)`, reading their factors from `input`.
    fn lanes_side_by_side<'d>(
        &self,
        lanes: &mut impl ExactSizeIterator<Item = (usize, &'d mut [B])>,
        n: usize,
        first: &impl Fn(usize) -> Option<B>,
        input: &impl Input<B>,
        mask: Option<&[bool]>,
    ) where
        B: 'd,
    {
        while lanes.len() >= SIDE {
            let group: [(usize, &mut [B]); SIDE] =
                core::array::from_fn(|_| lanes.next().expect("SIDE lanes left"));
            let starts: [Option<B>; SIDE] = core::array::from_fn(|g| first(group[g].0));
            self.side_by_side(
                group.map(|(lane, data)| (lane * n, data)),
                starts,
                input,
                mask,
            );
        }
    }

    /// Scans `L` long contiguous lanes (`inner == 1`, at least two tiles)
    /// side by side: each is given with its memory position in the block,
    /// and starts from `starts`. Each lane is staged a piece at a time.
    #[inline(never)]
    fn side_by_side<const L: usize>(
        &self,
        mut lanes: [(usize, &mut [B]); L],
        starts: [Option<B>; L],
        input: &impl Input<B>,
        mask: Option<&[bool]>,
    ) {
        let n = lanes[0].1.len();
        let reverse = self.reverse;
        let i0 = if reverse { n - 1 } else { 0 };
        let mut starts = starts.into_iter();
        let mut p: [B; L] = core::array::from_fn(|g| {
            let (base, lane) = &mut lanes[g];
            input.stage(*base + i0, &mut lane[i0..=i0], mask);
            let v = lane[i0].clone();
            let y = self.begin(v, starts.next().flatten(), *base + i0);
            lane[i0].clone_from(&y);
            y
        });
        // Whole tiles side by side, each read, multiplied and written in one
        // go, so that the reading, bound by memory, overlaps the chains of
        // multiplications; then the rest lane by lane.
        let mut from = 1;
        while from + TILE <= n {
            let at = if reverse { n - from - TILE } else { from };
            // Loaded in a loop: built with `array::from_fn`, the load was a
            // call that returned each tile through memory (measured, 64 MiB
            // f64, lanes of 64 with segments: 19.3 ms, 16.5-17 ms in a loop).
            let mut tiles: [[B; TILE]; L] =
                core::array::from_fn(|_| core::array::from_fn(|_| B::one()));
            for (tile, (base, lane)) in tiles.iter_mut().zip(&lanes) {
                let cur: &[B; TILE] = lane[at..at + TILE].try_into().expect("a whole tile");
                *tile = input.tile(*base + at, cur, mask);
            }
            if self.starts.is_none() {
                for step in 0..TILE {
                    let s = if reverse { TILE - 1 - step } else { step };
                    for (tile, p) in tiles.iter_mut().zip(p.iter_mut()) {
                        *p = join(p, tile[s].clone(), reverse);
                        tile[s].clone_from(p);
                    }
                }
            } else {
                let resets: [Option<&[bool]>; L] =
                    core::array::from_fn(|g| self.resets(lanes[g].0 + at, TILE));
                for step in 0..TILE {
                    let s = if reverse { TILE - 1 - step } else { step };
                    for ((tile, p), r) in tiles.iter_mut().zip(p.iter_mut()).zip(&resets) {
                        let v = tile[s].clone();
                        *p = if r.is_some_and(|r| r[s]) {
                            self.restarted(v)
                        } else {
                            join(p, v, reverse)
                        };
                        tile[s].clone_from(p);
                    }
                }
            }
            for ((_, lane), tile) in lanes.iter_mut().zip(&tiles) {
                lane[at..at + TILE].clone_from_slice(tile);
            }
            from += TILE;
        }
        for ((base, lane), p) in lanes.iter_mut().zip(p.iter_mut()) {
            for step in from..n {
                let i = if reverse { n - 1 - step } else { step };
                input.stage(*base + i, &mut lane[i..=i], mask);
                *p = self.next(p, lane[i].clone(), *base + i);
                lane[i].clone_from(p);
            }
        }
    }
}

/// The inclusive grouped scan: one product per group and lane of a block
/// row, kept beside the output. Kept elements leave their group's product as
/// it is.
///
/// Without flags, the positions go a chunk at a time; with codes not checked
/// yet, each chunk's codes are checked as it is read (from memory once, then
/// from cache), and the products grow to the largest code so far. A single
/// lane, forward, checks each code as it multiplies instead
/// ([`Chains::lane_forward`]).
fn groups<B, I: Input<B>>(
    data: &mut [B],
    b: &Block<'_>,
    input: &I,
    restart: Option<&B>,
) -> Result<(), NotDense>
where
    B: Clone + Mul<Output = B> + One,
{
    let Block {
        n, inner, reverse, ..
    } = *b;
    let Some(Codes { codes, groups }) = b.codes else {
        return Ok(());
    };
    if n == 0 || inner == 0 {
        return Ok(());
    }
    let fresh = restart.cloned().unwrap_or_else(B::one);
    let mut chains = Chains {
        products: Vec::new(),
        started: Vec::new(),
        waiting: 0,
        fresh,
        restart: restart.is_some(),
        reverse,
    };
    chains.grow(groups.unwrap_or(0) * inner);
    let plain = b.mask.is_none() && b.starts.is_none();
    debug_assert!(
        plain || groups.is_some(),
        "codes checked before a scan with flags"
    );
    // A large output, forward, of a type that streams: its rows multiplied
    // and written with streaming stores, as the plain scan's are.
    let stream = plain
        && !reverse
        && memory::streams::<B>()
        && data.len().saturating_mul(core::mem::size_of::<B>()) >= streamed::MIN_BYTES;
    for (o, block) in data.chunks_exact_mut(n * inner).enumerate() {
        let base = o * n * inner;
        if o > 0 {
            chains.reset();
        }
        if plain {
            // The common case in loops of its own: rows in order (reversed
            // for a reverse scan), each multiplied into its group's row of
            // products.
            let mut done = 0;
            while done < n {
                let count = CHUNK.min(n - done);
                let (lo, hi) = if reverse {
                    (n - done - count, n - done)
                } else {
                    (done, done + count)
                };
                let codes = &codes[lo..hi];
                let block = &mut block[lo * inner..hi * inner];
                let at = base + lo * inner;
                if inner == 1 && !reverse && I::GROUP_LANE {
                    // One lane, forward: the codes checked as they are read.
                    let scanned = chains.lane_forward(block, codes, at, n, input, stream);
                    if scanned.is_err() {
                        memory::stream_fence();
                        return scanned;
                    }
                    done += count;
                    continue;
                }
                if groups.is_none() {
                    let largest = codes.iter().copied().max().unwrap_or(0);
                    if largest >= n {
                        memory::stream_fence();
                        return Err(NotDense);
                    }
                    chains.grow((largest + 1) * inner);
                }
                if inner == 1 {
                    // One lane: no rows to slice, a loop of its own.
                    let items = block.iter_mut().zip(codes).zip(at..at + count);
                    if reverse {
                        chains.lane(items.rev(), input);
                    } else {
                        chains.lane(items, input);
                    }
                } else {
                    let rows = block
                        .chunks_exact_mut(inner)
                        .zip(codes)
                        .zip((at..at + count * inner).step_by(inner));
                    if reverse {
                        chains.rows(rows.rev(), input, false);
                    } else {
                        chains.rows(rows, input, stream);
                    }
                }
                done += count;
            }
            continue;
        }
        for step in 0..n {
            let i = if reverse { n - 1 - step } else { step };
            let group = codes[i] * inner;
            let row = &mut block[i * inner..(i + 1) * inner];
            let at = base + i * inner;
            for (j, y) in row.iter_mut().enumerate() {
                let k = at + j;
                let restarts = b.starts.is_some_and(|s| {
                    if reverse {
                        i + 1 < n && s[k + inner]
                    } else {
                        s[k]
                    }
                });
                if restarts {
                    chains.restart(group + j);
                }
                let item = if b.mask.map_or(true, |m| m[k]) {
                    input.read(k, y)
                } else {
                    Ok(B::one())
                };
                match item {
                    Err(kept) => *y = kept,
                    Ok(v) => *y = chains.push(group + j, v).clone(),
                }
            }
        }
    }
    if stream {
        memory::stream_fence();
    }
    Ok(())
}

/// Positions of a grouped scan whose codes are checked at a time: 32 KiB of
/// codes, read from memory once, then from cache.
const CHUNK: usize = 4096;

/// The running products of a grouped scan, one per group and lane.
struct Chains<B> {
    products: Vec<B>,
    /// Whether each product has started: without an initial value, the
    /// first product of a group is a copy of its element.
    started: Vec<bool>,
    /// How many products have not started.
    waiting: usize,
    /// Where every product starts: the initial value, or one (not started).
    fresh: B,
    /// Whether there is an initial value (products start started).
    restart: bool,
    reverse: bool,
}

impl<B: Clone + Mul<Output = B>> Chains<B> {
    /// Makes room for `len` products.
    fn grow(&mut self, len: usize) {
        if len > self.products.len() {
            if !self.restart {
                self.waiting += len - self.products.len();
            }
            self.products.resize(len, self.fresh.clone());
            self.started.resize(len, self.restart);
        }
    }

    /// Starts every product again (a new block).
    fn reset(&mut self) {
        for at in 0..self.products.len() {
            self.restart(at);
        }
    }

    /// Starts product `at` again.
    fn restart(&mut self, at: usize) {
        self.products[at].clone_from(&self.fresh);
        if self.started[at] && !self.restart {
            self.waiting += 1;
        }
        self.started[at] = self.restart;
    }

    /// Multiplies the factor `v` into product `at`, and returns it.
    #[inline(always)]
    fn push(&mut self, at: usize, v: B) -> &B {
        let product = &mut self.products[at];
        *product = if self.started[at] {
            join(product, v, self.reverse)
        } else {
            self.started[at] = true;
            self.waiting -= 1;
            v
        };
        product
    }

    /// [`rows`](Self::rows) for one lane: its elements, each with its group
    /// and memory position, in the scan's order.
    fn lane<'d, I>(&mut self, mut items: I, input: &impl Input<B>)
    where
        B: 'd,
        I: Iterator<Item = ((&'d mut B, &'d usize), usize)>,
    {
        while self.waiting > 0 {
            let Some(((y, &group), k)) = items.next() else {
                return;
            };
            match input.read(k, y) {
                Ok(v) => *y = self.push(group, v).clone(),
                Err(kept) => *y = kept,
            }
        }
        let reverse = self.reverse;
        for ((y, &group), k) in items {
            match input.read(k, y) {
                Ok(v) => {
                    let product = &mut self.products[group];
                    *product = join(product, v, reverse);
                    y.clone_from(product);
                }
                Err(kept) => *y = kept,
            }
        }
    }

    /// [`lane`](Self::lane), forward, over the positions `at..` of `out`
    /// with their groups `codes`, for an input that scans grouped lanes
    /// ([`Input::GROUP_LANE`]), checking the codes as it goes: a code
    /// without a product grows the products up to it, or, at `n` or beyond,
    /// fails. Where every product has started, the input scans
    /// ([`Input::group_lane`], with streaming stores if `stream`) up to the
    /// next code without a product.
    fn lane_forward(
        &mut self,
        out: &mut [B],
        codes: &[usize],
        at: usize,
        n: usize,
        input: &impl Input<B>,
        stream: bool,
    ) -> Result<(), NotDense> {
        let len = out.len();
        let mut from = 0;
        while from < len {
            let group = codes[from];
            if group >= self.products.len() {
                if group >= n {
                    return Err(NotDense);
                }
                self.grow(group + 1);
            }
            if self.waiting == 0 {
                let scanned = input.group_lane(
                    at + from,
                    &codes[from..],
                    &mut self.products,
                    &mut out[from..],
                    stream,
                );
                if scanned > 0 {
                    from += scanned;
                    continue;
                }
            }
            match input.read(at + from, &out[from]) {
                Ok(v) => out[from] = self.push(group, v).clone(),
                Err(kept) => out[from] = kept,
            }
            from += 1;
        }
        Ok(())
    }

    /// The rows of a grouped scan without flags, each with its group and
    /// memory position, in the scan's order. Until every product has
    /// started, each element checks whether its product has; from then on
    /// (with groups in random order, after a few times as many rows as there
    /// are groups) the loop only multiplies.
    /// With `stream` (a large output, forward), rows are multiplied and
    /// written with streaming stores where the input can
    /// ([`Input::stream_row`]).
    fn rows<'d, I>(&mut self, mut rows: I, input: &impl Input<B>, stream: bool)
    where
        B: 'd,
        I: Iterator<Item = ((&'d mut [B], &'d usize), usize)>,
    {
        while self.waiting > 0 {
            let Some(((row, &group), at)) = rows.next() else {
                return;
            };
            let first = group * row.len();
            for (j, (y, k)) in row.iter_mut().zip(at..).enumerate() {
                match input.read(k, y) {
                    Ok(v) => *y = self.push(first + j, v).clone(),
                    Err(kept) => *y = kept,
                }
            }
        }
        let reverse = self.reverse;
        for ((row, &group), at) in rows {
            let width = row.len();
            let products = &mut self.products[group * width..(group + 1) * width];
            if stream && input.stream_row(at, products, row) {
                continue;
            }
            for ((y, product), k) in row.iter_mut().zip(products).zip(at..) {
                match input.read(k, y) {
                    Ok(v) => {
                        *product = join(product, v, reverse);
                        y.clone_from(product);
                    }
                    Err(kept) => *y = kept,
                }
            }
        }
    }
}
