//! The scan kernels behind [`CumprodExt`](crate::CumprodExt).
//!
//! Every kernel computes, for each lane along the scan axis, `y[0] = x[0]` and
//! `y[i] = y[i - 1] * x[i]`: left to right, the previous product on the left, one
//! multiplication per element, never reassociated. Independent lanes may be
//! visited in any order, which is what lets a kernel pick the loop order that
//! suits the memory layout without changing a single bit of the result.
//!
//! This module reads the layout and dispatches: arrays whose memory is one
//! contiguous block with non-negative strides (C, F or any axis order) go to the
//! kernels of [`contiguous`], which work on slices; anything else (steps,
//! reversed axes, outputs that are views into larger arrays) goes to the
//! general kernels of [`strided`].
//!
//! `conv` turns a borrowed input element into the element type of the result; it is
//! `Clone::clone` for the plain methods and `|x| x.clone().into()` for the `_as` and
//! `_into` methods.
//!
//! The callers check axes and shapes; the kernels assume them valid.

mod contiguous;
pub(crate) mod family;
pub(crate) mod general;
pub(crate) mod memory;
#[cfg(feature = "rayon")]
pub(crate) mod parallel;
mod reverse;
mod segmented;
mod streamed;
mod strided;
#[cfg(test)]
pub(crate) mod test_support;
mod transpose;

use alloc::vec::Vec;
use core::cmp::Reverse;
use core::ops::Mul;

use ndarray::{
    Array, Array1, ArrayView, ArrayViewMut, ArrayViewMut1, Axis, Dimension, ShapeBuilder, Slice,
};

use contiguous::{
    Collect, ContinueInto, InOrder, InPlace, IterInto, MaskedInto, Prepared, SliceInto, Source,
};

/// The axes in their logical order, `0, 1, ..., ndim - 1`.
fn identity<D: Dimension>(ndim: usize) -> D {
    let mut order = D::zeros(ndim);
    for (position, ax) in order.slice_mut().iter_mut().enumerate() {
        *ax = position;
    }
    order
}

/// The axes of `a` from the slowest-varying to the fastest in memory, when `a`
/// is one contiguous block with non-negative strides (so that viewed in that
/// axis order it is in standard layout); `None` otherwise.
fn memory_order<D: Dimension>(shape: &[usize], strides: &[isize]) -> Option<D> {
    let mut order = identity::<D>(shape.len());
    if shape.contains(&0) || is_contiguous_in(shape, strides, order.slice()) {
        // An empty array has no memory to follow; any order will do. A
        // C-contiguous array needs no sort, which costs as much as the scan
        // of a 4 x 4 array.
        return Some(order);
    }
    order.slice_mut().reverse();
    if is_contiguous_in(shape, strides, order.slice()) {
        // F-contiguous: no sort either.
        return Some(order);
    }
    // Axes of length one may carry any stride: they go last, where they
    // change nothing. Unstable sort never allocates; the axis index breaks
    // ties, so the order is deterministic.
    order
        .slice_mut()
        .sort_unstable_by_key(|&ax| (shape[ax] == 1, Reverse(strides[ax]), ax));
    is_contiguous_in(shape, strides, order.slice()).then_some(order)
}

/// Whether the array is one contiguous block with its axes, slowest first,
/// in `order` (axes of length one aside).
fn is_contiguous_in(shape: &[usize], strides: &[isize], order: &[usize]) -> bool {
    let mut expected = 1isize;
    for &ax in order.iter().rev() {
        if shape[ax] != 1 {
            if strides[ax] != expected {
                return false;
            }
            expected *= shape[ax] as isize;
        }
    }
    true
}

/// The block `(outer, n, inner)` of [`contiguous`] for the scan along `axis` of
/// an array whose axes, slowest first, are `order`.
fn block_shape(shape: &[usize], order: &[usize], axis: usize) -> (usize, usize, usize) {
    let position = order
        .iter()
        .position(|&ax| ax == axis)
        .expect("the axis is in the order");
    let outer = order[..position].iter().map(|&ax| shape[ax]).product();
    let inner = order[position + 1..].iter().map(|&ax| shape[ax]).product();
    (outer, shape[axis], inner)
}

/// Whether two arrays of the same shape put every element at the same offset.
fn same_strides(shape: &[usize], a: &[isize], b: &[isize]) -> bool {
    shape
        .iter()
        .zip(a.iter().zip(b))
        .all(|(&len, (sa, sb))| len <= 1 || sa == sb)
}

/// Arrays of at most this many elements, scanned along an axis that is not
/// their fastest in memory (or in several lanes shorter than
/// [`contiguous::SHORT_LANE`]), are copied first and then scanned in place,
/// as ndarray's own `cumprod` does: for them the fixed cost of the one-pass
/// kernel (staging, block bookkeeping) outweighs the second pass over a few
/// KiB in cache. Measured against ndarray's `cumprod` (paired medians,
/// `layout_report small`, three runs): 4 x 4 along axis 0 went from
/// 0.89-0.95x to 1.03-1.13x its speed (f64), 16 x 16 i64 from 0.82-0.98x to
/// 0.97-1.07x; at 64 x 64 the one-pass kernel was as fast or faster. Rows
/// wider than [`contiguous::FIXED_ROWS`] take [`contiguous::small_rows`]
/// (16 x 16 i64 along axis 0: 0.82x-0.87x -> 1.12x-1.14x; F order along
/// axis 1: 0.79x-0.86x -> 1.18x-1.21x), and four lanes of 4, copied, are
/// scanned in place (0.93x-1.06x -> 1.1x-1.35x, f64 and i64). One lane
/// of at most this many elements is scanned in one pass instead ([`collect`]).
const SMALL: usize = 1024;

/// [`axis_alloc`] without a conversion: a small array is copied with
/// `to_owned` (a `memcpy` for plain types) before the scan in place.
pub(crate) fn axis_alloc_same<A, D>(a: ArrayView<'_, A, D>, axis: Axis) -> Array<A, D>
where
    D: Dimension,
    A: Clone + Mul<Output = A>,
{
    axis_alloc_with(a, axis, A::clone, |a, _| a.to_owned())
}

/// Allocates the cumulative product of `a` along `axis`, in one pass.
///
/// The result has `a`'s memory order when `a` is contiguous with non-negative
/// strides (C, F or any other axis order, as NumPy and `ArrayBase::map` do), and
/// standard (C) layout otherwise.
pub(crate) fn axis_alloc<A, B, D>(
    a: ArrayView<'_, A, D>,
    axis: Axis,
    conv: impl Fn(&A) -> B,
) -> Array<B, D>
where
    D: Dimension,
    B: Clone + Mul<Output = B>,
{
    axis_alloc_with(a, axis, conv, |a, conv| a.map(conv))
}

/// [`axis_alloc`], with `copy` making the copy in `a`'s memory order that a
/// small array is scanned in place in (see [`SMALL`]).
fn axis_alloc_with<A, B, D, F>(
    a: ArrayView<'_, A, D>,
    axis: Axis,
    conv: F,
    copy: impl FnOnce(&ArrayView<'_, A, D>, &F) -> Array<B, D>,
) -> Array<B, D>
where
    D: Dimension,
    B: Clone + Mul<Output = B>,
    F: Fn(&A) -> B,
{
    let order = memory_order::<D>(a.shape(), a.strides());
    let contiguous = order.is_some();
    let order = order.unwrap_or_else(|| identity(a.ndim()));
    // Viewed with its axes in `order`, `a` is in standard layout (or is read
    // in that logical order): the result is built in that order, then given
    // back its original axis order.
    let (outer, n, inner) = block_shape(a.shape(), order.slice(), axis.index());
    let short_lanes = inner == 1 && outer > 1 && n < contiguous::SHORT_LANE;
    if contiguous && (inner > 1 || short_lanes) && a.len() <= SMALL {
        let mut out = copy(&a, &conv);
        // The copy of a contiguous array keeps its memory order (`to_owned`
        // and `map` do): the block is the same, and need not be worked out
        // again, which costs about a tenth of a call on 4 x 4.
        if same_strides(a.shape(), a.strides(), out.strides()) {
            if let Some(data) = out.as_slice_memory_order_mut() {
                if inner > contiguous::FIXED_ROWS {
                    contiguous::small_rows(data, n, inner);
                } else {
                    contiguous::scan(&mut InPlace(data), outer, n, inner);
                }
                return out;
            }
        }
        axis_inplace(out.view_mut(), axis);
        return out;
    }
    let inverse = inverse(&order);
    let permuted = a.permuted_axes(order);
    let values = match permuted.as_slice() {
        Some(values) => collect_slice(values, outer, n, inner, conv),
        None => collect(InOrder(permuted.iter()), outer, n, inner, conv),
    };
    Array::from_shape_vec(permuted.raw_dim(), values)
        .expect("one value for each element of the input")
        .permuted_axes(inverse)
}

/// The axes that undo `order`: `a.permuted_axes(order).permuted_axes(inverse)`
/// is `a`.
fn inverse<D: Dimension>(order: &D) -> D {
    let mut inverse = order.clone();
    for (position, &ax) in order.slice().iter().enumerate() {
        inverse[ax] = position;
    }
    inverse
}

/// `a.map(conv)`: the converted elements in `a`'s memory order when `a` is
/// contiguous with non-negative strides (in standard layout otherwise), in a
/// vector advised for huge pages ([`memory`]).
pub(crate) fn mapped<A, B, D: Dimension>(
    a: ArrayView<'_, A, D>,
    conv: impl Fn(&A) -> B,
) -> Array<B, D> {
    let Some(order) = memory_order::<D>(a.shape(), a.strides()) else {
        return a.map(conv);
    };
    let inverse = inverse(&order);
    let permuted = a.permuted_axes(order);
    let Some(values) = permuted.as_slice() else {
        return permuted.map(conv).permuted_axes(inverse);
    };
    let mut out = Vec::with_capacity(values.len());
    memory::advise(&mut out);
    out.extend(values.iter().map(conv));
    Array::from_shape_vec(permuted.raw_dim(), out)
        .expect("one value for each element of the input")
        .permuted_axes(inverse)
}

/// `Array::from_elem` of `shape` (in F order when `fortran`), in a vector
/// advised for huge pages ([`memory`]).
pub(crate) fn filled<B: Clone, D: Dimension>(shape: D, fortran: bool, value: B) -> Array<B, D> {
    let len = shape.size();
    let mut out = Vec::with_capacity(len);
    memory::advise(&mut out);
    out.resize(len, value);
    Array::from_shape_vec(shape.set_f(fortran), out).expect("one value for each element")
}

/// Allocates the cumulative product of the elements of `a` in logical order.
pub(crate) fn flat_alloc<A, B, D>(a: ArrayView<'_, A, D>, conv: impl Fn(&A) -> B) -> Array1<B>
where
    D: Dimension,
    B: Clone + Mul<Output = B>,
{
    let len = a.len();
    if let Some(values) = a.as_slice() {
        return Array1::from_vec(collect(values, 1, len, 1, conv));
    }
    match a.first() {
        // Contiguous in another order (F, say): transpose into the vector as
        // `cumprod_flat_into` does, instead of reading the input in logical
        // order, a strided walk. The vector is filled a band at a time, just
        // before the band is written.
        Some(first) if memory_order::<D>(a.shape(), a.strides()).is_some() => {
            let mut values = Vec::with_capacity(len);
            memory::advise(&mut values);
            let mut out = transpose::Growing {
                values,
                fill: conv(first),
            };
            transpose::gather_scan(&a, &mut out, conv);
            Array1::from_vec(out.values)
        }
        _ => Array1::from_vec(collect(InOrder(a.iter()), 1, len, 1, conv)),
    }
}

/// [`collect`] of a slice: several contiguous lanes of floats into `Scaled`
/// take [`crate::scaled::scan_float_lanes`], in a vector filled first.
/// Measured (time / the allocating plain scan of the floats, random factors
/// in [0.25, 1), F order, lanes along axis 0): `f64`, 1 MiB, lanes of 128 to
/// 8,192, 3.0x-4.0x -> 2.0x-2.5x; 64 MiB, 1.9x-2.1x -> 1.75x-1.9x (a new
/// output of 128 MiB takes most of the time). A single lane keeps
/// [`collect`], which reads, multiplies and writes in one pass (8 Mi `f64`:
/// 1.3x-1.4x, 1.5x through the filled vector).
fn collect_slice<A, B>(
    values: &[A],
    outer: usize,
    n: usize,
    inner: usize,
    conv: impl Fn(&A) -> B,
) -> Vec<B>
where
    B: Clone + Mul<Output = B>,
{
    if inner == 1 && outer > 1 && crate::scaled::takes_float_lanes(&conv) {
        if let Some(first) = values.first() {
            let mut dst = Vec::with_capacity(values.len());
            memory::advise(&mut dst);
            dst.resize(values.len(), conv(first));
            if crate::scaled::scan_float_lanes(values, &mut dst, n, &conv) {
                return dst;
            }
        }
    }
    collect(values, outer, n, inner, conv)
}

/// The scan of the block `(outer, n, inner)` read from `src`, into a new vector.
fn collect<A, B>(
    src: impl Source<Item = A>,
    outer: usize,
    n: usize,
    inner: usize,
    conv: impl Fn(&A) -> B,
) -> Vec<B>
where
    B: Clone + Mul<Output = B>,
{
    let mut dst = Vec::with_capacity(outer * n * inner);
    memory::advise(&mut dst);
    if inner == 1 && outer == 1 && n <= SMALL {
        // One short lane in one pass, read, multiplied and written: staged
        // first, as longer lanes are, it cost a second pass (i64 [256]:
        // 0.85x the speed of ndarray's `cumprod`, 1.2x in one pass). Several
        // short lanes keep the kernels that scan them side by side.
        let mut src = src;
        src.extend_scanned(0..n, &mut dst, &conv);
        return dst;
    }
    let mut stage = Collect { dst, src, conv };
    contiguous::scan(&mut stage, outer, n, inner);
    stage.dst
}

/// Writes the cumulative product of the elements of `src`, in logical order,
/// into `dst` (of length `src.len()`).
pub(crate) fn flat_into<A, B, D>(
    src: ArrayView<'_, A, D>,
    mut dst: ArrayViewMut1<'_, B>,
    conv: impl Fn(&A) -> B,
) where
    D: Dimension,
    B: Clone + Mul<Output = B>,
{
    let len = src.len();
    let Some(out) = dst.as_slice_mut() else {
        strided::scan_lane(dst.iter_mut().zip(src.iter()).map(|(y, x)| (y, conv(x))));
        return;
    };
    match src.as_slice() {
        Some(values) => contiguous::scan(
            &mut SliceInto {
                src: values,
                dst: out,
                conv,
            },
            1,
            len,
            1,
        ),
        // Logical order against memory order (F order, say): the elements
        // copied into place in the order that suits both memories, and the
        // scan of the output, which is then in logical order, interleaved
        // where they can be.
        None => transpose::gather_scan(&src, out, conv),
    }
}

/// Input and output slices in the same memory order, and the block
/// `(outer, n, inner)` of a scan over them.
type SameOrder<'s, 'd, A, B> = (&'s [A], &'d mut [B], (usize, usize, usize));

/// When `dst` is one contiguous block and `src` a slice in the same memory
/// order: both as slices, and the block `(outer, n, inner)` of the scan along
/// `axis` (see [`contiguous`]).
fn same_order_slices<'s, 'd, A, B, D: Dimension>(
    src: &ArrayView<'s, A, D>,
    dst: &'d mut ArrayViewMut<'_, B, D>,
    axis: Axis,
) -> Option<SameOrder<'s, 'd, A, B>> {
    let order = memory_order::<D>(dst.shape(), dst.strides())?;
    if !same_strides(dst.shape(), dst.strides(), src.strides()) {
        return None;
    }
    let values = src.to_slice_memory_order()?;
    let block = block_shape(dst.shape(), order.slice(), axis.index());
    Some((values, dst.as_slice_memory_order_mut()?, block))
}

/// Writes the cumulative product of `src` along `axis` into `dst` (same shape).
pub(crate) fn axis_into<A, B, D>(
    src: ArrayView<'_, A, D>,
    dst: ArrayViewMut<'_, B, D>,
    axis: Axis,
    conv: impl Fn(&A) -> B,
) where
    D: Dimension,
    B: Clone + Mul<Output = B>,
{
    axis_into_part(src, dst, axis, conv, 0);
}

/// [`axis_into`] for `dst`, a part of an output of `whole` elements (the
/// piece of one thread; 0 for a whole output): whether the output is large
/// enough for streaming stores is the whole output's size.
pub(crate) fn axis_into_part<A, B, D>(
    src: ArrayView<'_, A, D>,
    mut dst: ArrayViewMut<'_, B, D>,
    axis: Axis,
    conv: impl Fn(&A) -> B,
    whole: usize,
) where
    D: Dimension,
    B: Clone + Mul<Output = B>,
{
    if dst.is_empty() {
        // Nothing to write (and an empty view need not have a slice).
        return;
    }
    if let Some((values, out, (outer, n, inner))) = same_order_slices(&src, &mut dst, axis) {
        if streamed::applies::<B>(outer, n, inner, whole)
            || (crate::scaled::converts_f64(&conv)
                && streamed::applies_scaled::<B>(outer, n, inner, whole))
        {
            let input = streamed::Plain {
                src: values,
                conv: &conv,
            };
            return streamed::scan_into(&input, out, (outer, n, inner));
        }
        if inner == 1 && crate::scaled::scan_float_lanes(values, out, n, &conv) {
            return;
        }
        let mut stage = SliceInto {
            src: values,
            dst: out,
            conv,
        };
        return contiguous::scan(&mut stage, outer, n, inner);
    }
    let Some(order) = memory_order::<D>(dst.shape(), dst.strides()) else {
        return strided::scan_axis_into(src, dst, axis, conv);
    };
    // Read the input in the output's memory order.
    let (outer, n, inner) = block_shape(dst.shape(), order.slice(), axis.index());
    let out = dst
        .as_slice_memory_order_mut()
        .expect("a contiguous output");
    let src = src.permuted_axes(order);
    let mut stage = IterInto {
        src: src.iter(),
        dst: out,
        conv,
    };
    contiguous::scan(&mut stage, outer, n, inner);
}

/// Writes the cumulative product of `src` along `axis` into `dst` (same
/// shape), elements whose flag in `mask` is false counting as `one()` and a
/// new product starting (with the element's factor) wherever `starts` is
/// true, when `src` and `dst` are slices in the same memory order and the
/// flags are in that order; returns whether it did (else nothing is
/// written). Large outputs stream ([`streamed::scan_flagged_into`]); masked
/// scans along contiguous lanes take the plain kernels, the others those of
/// [`segmented`].
pub(crate) fn axis_into_flagged<A, B, D>(
    src: ArrayView<'_, A, D>,
    mut dst: ArrayViewMut<'_, B, D>,
    (mask, starts): (Option<&[bool]>, Option<&[bool]>),
    axis: Axis,
    conv: impl Fn(&A) -> B,
    one: impl Fn() -> B,
) -> bool
where
    D: Dimension,
    B: Clone + Mul<Output = B>,
{
    if dst.is_empty() {
        return true;
    }
    let Some((values, out, (outer, n, inner))) = same_order_slices(&src, &mut dst, axis) else {
        return false;
    };
    let input = streamed::Flagged {
        src: values,
        mask,
        starts,
        conv: &conv,
        one: &one,
    };
    if streamed::takes_flagged::<B>((outer, n, inner), starts.is_none()) {
        streamed::scan_flagged_into(&input, out, (outer, n, inner));
        return true;
    }
    match (mask, starts) {
        (Some(mask), None) if inner == 1 => {
            let mut stage = MaskedInto {
                src: values,
                mask,
                dst: out,
                conv,
                one,
            };
            contiguous::scan(&mut stage, outer, n, inner);
        }
        (None, None) => return false,
        _ => segmented::scan_into(&input, out, (outer, n, inner)),
    }
    true
}

/// Whether [`axis_into_flagged`] takes the scan of `src` into `dst`:
/// slices in the same memory order.
pub(crate) fn flagged_takes<A, B, D: Dimension>(
    src: &ArrayView<'_, A, D>,
    dst: &ArrayViewMut<'_, B, D>,
) -> bool {
    memory_order::<D>(dst.shape(), dst.strides()).is_some()
        && same_strides(dst.shape(), dst.strides(), src.strides())
        && memory_order::<D>(src.shape(), src.strides()).is_some()
}

/// Writes the cumulative product of `src` along `axis` into `dst` (same
/// shape), continuing from the first element of every lane, which the caller
/// has already written into `dst` (a seed, such as an initial value times the
/// first input element). One pass when both are slices in the same order.
pub(crate) fn axis_into_continue<A, B, D>(
    src: ArrayView<'_, A, D>,
    mut dst: ArrayViewMut<'_, B, D>,
    axis: Axis,
    conv: impl Fn(&A) -> B,
) where
    D: Dimension,
    B: Clone + Mul<Output = B>,
{
    if dst.is_empty() {
        return;
    }
    if let Some((values, out, (outer, n, inner))) = same_order_slices(&src, &mut dst, axis) {
        if inner == 1
            && contiguous::seeded_short_lanes(
                values,
                out,
                n,
                &conv,
                &|_: &A, y: &B| y.clone(),
                false,
            )
        {
            return;
        }
        let mut stage = ContinueInto {
            src: values,
            dst: out,
            conv,
            n,
            inner,
        };
        return contiguous::scan(&mut stage, outer, n, inner);
    }
    // Any other pair of layouts: the rest of the input into place, then the
    // scan in place.
    let rest = Slice::from(1..);
    family::copy(
        src.slice_axis(axis, rest),
        dst.slice_axis_mut(axis, rest),
        &conv,
    );
    axis_inplace(dst, axis);
}

/// Writes into `dst` (same shape) the scan of `src` along `axis` from the
/// initial value `c` (`c` times the first element of every lane, or the
/// last element times `c` in `reverse`), if both are slices in the same
/// memory order along whose contiguous lanes of 2 to 8 elements the scan
/// runs; else does nothing and returns false. The seeds are taken as each
/// lane is scanned, with no pass of their own, which cost more than the
/// scan: measured (64 MiB of lanes of 2 to 8, time / a copy), the seeds
/// written first, then each lane scanned from its own, `f64` 2.3x-2.7x and
/// `i64` 2.5x-2.8x; so, 1.1x-1.25x and 0.9x-1.3x (in reverse, `f64`
/// 1.1x-1.2x, against 2.6x-4.6x).
pub(crate) fn short_lanes_from_value<A, B, D>(
    src: ArrayView<'_, A, D>,
    mut dst: ArrayViewMut<'_, B, D>,
    axis: Axis,
    c: &B,
    reverse: bool,
    conv: impl Fn(&A) -> B,
) -> bool
where
    D: Dimension,
    B: Clone + Mul<Output = B>,
{
    let Some((values, out, (_, n, 1))) = same_order_slices(&src, &mut dst, axis) else {
        return false;
    };
    let seed = |x: &A, _: &B| {
        if reverse {
            conv(x) * c.clone()
        } else {
            c.clone() * conv(x)
        }
    };
    contiguous::seeded_short_lanes(values, out, n, &conv, &seed, reverse)
}

/// Replaces `a` by its cumulative product along `axis`.
pub(crate) fn axis_inplace<A, D>(mut a: ArrayViewMut<'_, A, D>, axis: Axis)
where
    D: Dimension,
    A: Clone + Mul<Output = A>,
{
    if a.is_empty() {
        return;
    }
    let Some(order) = memory_order::<D>(a.shape(), a.strides()) else {
        return strided::scan_axis_inplace(a, axis);
    };
    let (outer, n, inner) = block_shape(a.shape(), order.slice(), axis.index());
    let data = a.as_slice_memory_order_mut().expect("a contiguous array");
    contiguous::scan(&mut InPlace(data), outer, n, inner);
}

/// Replaces `a` by the cumulative product along `axis` of `prepare` applied to
/// each element, in one pass over contiguous memory.
pub(crate) fn axis_inplace_prepared<A, D>(
    mut a: ArrayViewMut<'_, A, D>,
    axis: Axis,
    prepare: impl Fn(&mut A),
) where
    D: Dimension,
    A: Clone + Mul<Output = A>,
{
    if a.is_empty() {
        return;
    }
    let Some(order) = memory_order::<D>(a.shape(), a.strides()) else {
        a.map_inplace(prepare);
        return strided::scan_axis_inplace(a, axis);
    };
    let (outer, n, inner) = block_shape(a.shape(), order.slice(), axis.index());
    let data = a.as_slice_memory_order_mut().expect("a contiguous array");
    contiguous::scan(&mut Prepared { data, prepare }, outer, n, inner);
}
