//! The scans with per-element operands: [`mask`](crate::Cumprod::mask),
//! [`segments`](crate::Cumprod::segments), [`groups`](crate::Cumprod::groups)
//! and [`keep_nan`](crate::Cumprod::keep_nan), with every other option.
//!
//! Every operand is brought into one memory order, the output's when it is
//! contiguous (else the input's, else row-major): operands already in it are
//! read where they are, the others (broadcast flags, strided views) are
//! copied into it first. The block `(outer, n, inner)` of that order (see
//! [`contiguous`](super::contiguous)) is then scanned by [`scan_block`]: one
//! running product per lane (per group and lane for a grouped scan), a row of
//! `inner` lanes at a time, so that memory is read and written in order.
//!
//! The products keep the order of the plain kernels: forward
//! `previous * element`, reverse `element * following`, the first product of
//! each chain a copy of its element, and nothing reassociated.

use alloc::borrow::Cow;
use alloc::vec;
use alloc::vec::Vec;
use core::ops::Mul;

use ndarray::{Array, ArrayView, ArrayViewD, ArrayViewMut, Dimension, IntoDimension, IxDyn, Slice};
use num_traits::{CheckedMul, One};

use super::family::{put_initial, slot};
use crate::options::sealed::{Spec, Start};
use crate::options::Output;

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
    let out = body(out.into_dyn(), src.len_of(how.axis), how);
    if out.is_empty() {
        return;
    }
    let order = working_order(&out, &src);
    let values = Values::new(src, &order);
    run(out, how, &order, |k, _: &B| {
        let x = values.get(k);
        keep(x).map_or_else(|| Ok(conv(x)), Err)
    });
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
    run(a, how, &order, |_, x: &B| {
        if keep(x) {
            Err(x.clone())
        } else {
            Ok(prepare(x))
        }
    });
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

/// The input elements in the working memory order: the input's own slice
/// when it is laid out so, else references to its elements.
enum Values<'v, A> {
    Slice(&'v [A]),
    Refs(Vec<&'v A>),
}

impl<'v, A> Values<'v, A> {
    fn new(a: ArrayViewD<'v, A>, order: &[usize]) -> Self {
        let a = a.permuted_axes(order);
        if a.is_standard_layout() {
            if let Some(values) = a.to_slice() {
                return Values::Slice(values);
            }
        }
        Values::Refs(a.into_iter().collect())
    }

    fn get(&self, k: usize) -> &'v A {
        match self {
            Values::Slice(values) => &values[k],
            Values::Refs(refs) => refs[k],
        }
    }
}

/// Runs the scan of `how` over `out` in the memory order `order`, reading
/// each element through `read` (see [`Item`]).
fn run<B>(
    mut out: ArrayViewMut<'_, B, IxDyn>,
    how: &Spec<'_, B>,
    order: &[usize],
    read: impl Fn(usize, &B) -> Item<B>,
) where
    B: Clone + Mul<Output = B> + One,
{
    let shape = out.raw_dim();
    let axis = how.axis.index();
    let (outer, n, inner) = super::block_shape(shape.slice(), order, axis);
    let extras = &how.extras;
    let flags = |f: &'_ dyn crate::options::Flags| -> Vec<bool> {
        let f = f.flags();
        let f = f
            .broadcast(shape.clone())
            .expect("checked: the flags broadcast");
        in_order(f, order).into_owned()
    };
    let mask = extras.mask.map(flags);
    let starts = extras.starts.map(flags);
    let codes = extras
        .groups
        .map(|codes| dense_codes(codes.iter().copied(), n));
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
        codes: codes.as_ref().map(|(codes, g)| (&codes[..], *g)),
        reverse: how.reverse,
        exclusive: how.output == Output::Exclusive,
    };
    let first = |lane: usize| match &carry {
        Some(lanes) => Some(lanes[lane].clone()),
        None => restart.cloned(),
    };
    let permuted = out.view_mut().permuted_axes(order);
    if let Some(data) = permuted.into_slice() {
        return scan_block(data, &block, &read, first, restart);
    }
    // An output that is not one block: scan a copy in the working order
    // (holding the elements, for in place), then write it back.
    let mut work: Vec<B> = out.view().permuted_axes(order).iter().cloned().collect();
    scan_block(&mut work, &block, &read, first, restart);
    let work = Array::from_shape_vec(out.view().permuted_axes(order).raw_dim(), work)
        .expect("as many elements as the output");
    out.permuted_axes(order).assign(&work);
}

/// Group codes `0..g` for the positions along the axis: the codes themselves
/// when they are all below `n` (then `g` is one more than the largest), else
/// the rank of each code among the distinct codes (a sort, but no table
/// indexed by code, however large the codes are).
fn dense_codes(codes: impl Iterator<Item = usize> + Clone, n: usize) -> (Vec<usize>, usize) {
    let largest = codes.clone().max().unwrap_or(0);
    if largest < n {
        return (codes.collect(), largest + 1);
    }
    let mut distinct: Vec<usize> = codes.clone().collect();
    distinct.sort_unstable();
    distinct.dedup();
    let dense = codes
        .map(|c| distinct.binary_search(&c).expect("a code of the list"))
        .collect();
    (dense, distinct.len())
}

/// The scan of a block, as [`run`] prepared it.
struct Block<'x> {
    outer: usize,
    n: usize,
    inner: usize,
    /// Where false, the element counts as one (memory order, whole block).
    mask: Option<&'x [bool]>,
    /// Where true, a new product starts (memory order, whole block).
    starts: Option<&'x [bool]>,
    /// The group of every position along the axis, and the number of groups.
    codes: Option<(&'x [usize], usize)>,
    reverse: bool,
    exclusive: bool,
}

/// Scans the block `data` (memory order): `first(lane)` is where lane
/// `lane` starts (`None`: its first product is a copy of its element),
/// `restart` where every later segment and every group starts.
fn scan_block<B>(
    data: &mut [B],
    b: &Block<'_>,
    read: &impl Fn(usize, &B) -> Item<B>,
    first: impl Fn(usize) -> Option<B>,
    restart: Option<&B>,
) where
    B: Clone + Mul<Output = B> + One,
{
    let Block {
        outer, n, inner, ..
    } = *b;
    let groups = b.codes.map_or(1, |(_, g)| g);
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
            let group = b.codes.map_or(0, |(codes, _)| codes[i]);
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
                    read(k, &data[k])
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
        Some(p) if reverse => v * p.clone(),
        Some(p) => p.clone() * v,
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
