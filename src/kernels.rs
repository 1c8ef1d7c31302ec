//! The scan kernels behind [`CumprodExt`](crate::CumprodExt).
//!
//! Every kernel computes, for each lane along the scan axis, `y[0] = x[0]` and
//! `y[i] = y[i - 1] * x[i]`: left to right, the previous product on the left, one
//! multiplication per element, never reassociated. Independent lanes may be
//! visited in any order, which is what lets a kernel pick the loop order that
//! suits the memory layout without changing a single bit of the result.
//!
//! `conv` turns a borrowed input element into the element type of the result; it is
//! `Clone::clone` for the plain methods and `|x| x.clone().into()` for the `_as` and
//! `_into` methods.
//!
//! The callers check axes and shapes; the kernels assume them valid.

use core::cmp::Reverse;
use core::ops::Mul;

use ndarray::{Array, ArrayView, ArrayViewMut, Axis, Dimension, Zip};

/// Writes the running product of the values into the slots, in iteration order.
///
/// Each item is a slot of the result and the value of the input element that
/// belongs there (already converted to the result's type).
pub(crate) fn scan_lane<'a, B>(mut items: impl Iterator<Item = (&'a mut B, B)>)
where
    B: 'a + Clone + Mul<Output = B>,
{
    let Some((first, value)) = items.next() else {
        return;
    };
    *first = value;
    let mut prev = first;
    for (slot, value) in items {
        *slot = prev.clone() * value;
        prev = slot;
    }
}

/// Collects the running products of the elements of `a`, in logical (row-major)
/// order, into a new vector: one allocation, one pass over memory.
///
/// The scan axis has `axis_len` elements, each followed by `inner` elements in
/// row-major order (the product of the lengths of the later axes). With
/// `inner == 1` the input is a sequence of lanes of `axis_len` elements;
/// otherwise it is a sequence of rows of `inner` elements, each continuing the
/// row before it except the first of every `axis_len` rows. With
/// `axis_len == a.len()` and `inner == 1` this is the flattened product.
pub(crate) fn collect_scan<A, B, D>(
    a: &ArrayView<'_, A, D>,
    axis_len: usize,
    inner: usize,
    conv: impl Fn(&A) -> B,
) -> Vec<B>
where
    D: Dimension,
    B: Clone + Mul<Output = B>,
{
    let mut out = Vec::with_capacity(a.len());
    if a.is_empty() {
        return out;
    }
    let chunk = if inner == 1 { axis_len } else { inner };
    match a.as_slice() {
        // Contiguous: chunks of the slice, which the loops below vectorise.
        Some(slice) => {
            for (index, values) in slice.chunks_exact(chunk).enumerate() {
                push_chunk(&mut out, index, axis_len, inner, values.iter().map(&conv));
            }
        }
        None => {
            let mut elements = a.iter();
            for index in 0..a.len() / chunk {
                let values = elements.by_ref().take(chunk).map(&conv);
                push_chunk(&mut out, index, axis_len, inner, values);
            }
        }
    }
    out
}

/// Appends chunk number `index` of [`collect_scan`]: a lane when `inner == 1`,
/// otherwise a row, whose position along the scan axis is `index % axis_len`;
/// row 0 of each block starts its lanes.
fn push_chunk<B>(
    out: &mut Vec<B>,
    index: usize,
    axis_len: usize,
    inner: usize,
    values: impl Iterator<Item = B>,
) where
    B: Clone + Mul<Output = B>,
{
    let position = index % axis_len;
    if inner == 1 {
        push_lane(out, values);
    } else if position == 0 {
        out.extend(values);
    } else {
        push_row(out, inner, values);
    }
}

/// Appends the running products of `values`.
fn push_lane<B: Clone + Mul<Output = B>>(out: &mut Vec<B>, values: impl Iterator<Item = B>) {
    // A `map` over a slice iterator keeps its exact length, so `extend` writes
    // without a capacity check per element.
    let mut prev: Option<B> = None;
    out.extend(values.map(|value| {
        let y = match prev.take() {
            None => value,
            Some(p) => p * value,
        };
        prev = Some(y.clone());
        y
    }));
}

/// Appends a row that continues the last `inner` elements of `out`, times `values`.
fn push_row<B: Clone + Mul<Output = B>>(
    out: &mut Vec<B>,
    inner: usize,
    values: impl Iterator<Item = B>,
) {
    let start = out.len() - inner;
    if core::mem::needs_drop::<B>() {
        // Elements that own resources (big integers, strings) may be costly to
        // clone: clone each previous element once and push the product.
        for (j, value) in values.enumerate() {
            let prev = out[start + j].clone();
            out.push(prev * value);
        }
    } else {
        // Plain data: copy the previous row, which is still in cache, then
        // multiply it in place; both loops vectorise.
        let end = out.len();
        out.extend_from_within(start..end);
        for (slot, value) in out[end..].iter_mut().zip(values) {
            *slot = slot.clone() * value;
        }
    }
}

/// Allocates the cumulative product of `a` along `axis`, in one pass.
///
/// The result has `a`'s memory order when `a` is contiguous with non-negative
/// strides (C, F or any other axis order, as NumPy and `ArrayBase::map` do), and
/// standard (C) layout otherwise.
pub(crate) fn scan_axis_alloc<A, B, D>(
    a: ArrayView<'_, A, D>,
    axis: Axis,
    conv: impl Fn(&A) -> B,
) -> Array<B, D>
where
    D: Dimension,
    B: Clone + Mul<Output = B>,
{
    match memory_order(&a) {
        None => collect_standard(a, axis.index(), conv),
        Some(order) => {
            // `order` lists the axes from the slowest-varying to the fastest in
            // memory; viewed that way `a` is in standard layout, so the result is
            // built in memory order and then given back its original axis order.
            let mut inverse = order.clone();
            for (position, &ax) in order.slice().iter().enumerate() {
                inverse[ax] = position;
            }
            let in_memory_order = a.permuted_axes(order);
            collect_standard(in_memory_order, inverse[axis.index()], conv).permuted_axes(inverse)
        }
    }
}

/// The cumulative product of `a` along `axis` as a new standard-layout array.
fn collect_standard<A, B, D>(
    a: ArrayView<'_, A, D>,
    axis: usize,
    conv: impl Fn(&A) -> B,
) -> Array<B, D>
where
    D: Dimension,
    B: Clone + Mul<Output = B>,
{
    let inner = a.shape()[axis + 1..].iter().product();
    let values = collect_scan(&a, a.shape()[axis], inner, conv);
    Array::from_shape_vec(a.raw_dim(), values).expect("one value for each element of the input")
}

/// The axes of `a` from the slowest-varying to the fastest in memory, when `a` is
/// contiguous with non-negative strides but not in standard layout; `None` when a
/// standard-layout result is the right choice.
fn memory_order<A, D: Dimension>(a: &ArrayView<'_, A, D>) -> Option<D> {
    if a.is_standard_layout() || a.as_slice_memory_order().is_none() {
        return None;
    }
    let strides = a.strides();
    if strides.iter().any(|&s| s < 0) {
        return None;
    }
    let mut order = D::zeros(a.ndim());
    for (position, ax) in order.slice_mut().iter_mut().enumerate() {
        *ax = position;
    }
    // Unstable sort never allocates; the axis index breaks ties, so it is deterministic.
    order
        .slice_mut()
        .sort_unstable_by_key(|&ax| (Reverse(strides[ax]), ax));
    // Axes of length one may carry any stride: check that the order found really
    // puts the array in standard layout.
    a.view()
        .permuted_axes(order.clone())
        .is_standard_layout()
        .then_some(order)
}

/// Whether `axis` is the fastest-varying axis of an array (the one with the
/// smallest stride in absolute value among the axes longer than one), so that
/// walking lane by lane follows memory.
fn lanes_are_contiguous(shape: &[usize], strides: &[isize], axis: Axis) -> bool {
    let own = strides[axis.index()].unsigned_abs();
    shape
        .iter()
        .zip(strides)
        .enumerate()
        .all(|(ax, (&len, &stride))| ax == axis.index() || len <= 1 || stride.unsigned_abs() > own)
}

/// Writes the cumulative product of `src` along `axis` into `dst` (same shape).
pub(crate) fn scan_axis_into<A, B, D>(
    src: ArrayView<'_, A, D>,
    mut dst: ArrayViewMut<'_, B, D>,
    axis: Axis,
    conv: impl Fn(&A) -> B,
) where
    D: Dimension,
    B: Clone + Mul<Output = B>,
{
    if lanes_are_contiguous(dst.shape(), dst.strides(), axis) {
        // Lane by lane: each lane is a sequential scan along memory.
        Zip::from(dst.lanes_mut(axis))
            .and(src.lanes(axis))
            .for_each(|out, x| scan_lane(out.into_iter().zip(x).map(|(o, x)| (o, conv(x)))));
    } else {
        // Slice by slice along the axis: every step is an elementwise product of
        // two whole slices, which walks memory in order.
        let mut out_slices = dst.axis_chunks_iter_mut(axis, 1);
        let mut src_slices = src.axis_chunks_iter(axis, 1);
        let (Some(mut prev), Some(first)) = (out_slices.next(), src_slices.next()) else {
            return;
        };
        Zip::from(&mut prev)
            .and(&first)
            .for_each(|o, x| *o = conv(x));
        for (mut out, x) in out_slices.zip(src_slices) {
            Zip::from(&mut out)
                .and(&prev)
                .and(&x)
                .for_each(|o, p, x| *o = p.clone() * conv(x));
            prev = out;
        }
    }
}

/// Replaces `a` by its cumulative product along `axis`.
pub(crate) fn scan_axis_inplace<A, D>(mut a: ArrayViewMut<'_, A, D>, axis: Axis)
where
    D: Dimension,
    A: Clone + Mul<Output = A>,
{
    if lanes_are_contiguous(a.shape(), a.strides(), axis) {
        for lane in a.lanes_mut(axis) {
            scan_lane(lane.into_iter().map(|x| {
                let value = x.clone();
                (x, value)
            }));
        }
    } else {
        let mut slices = a.axis_chunks_iter_mut(axis, 1);
        let Some(mut prev) = slices.next() else {
            return;
        };
        for mut cur in slices {
            Zip::from(&mut cur)
                .and(&prev)
                .for_each(|c, p| *c = p.clone() * c.clone());
            prev = cur;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array2, ShapeBuilder, Slice};

    #[test]
    fn collect_scan_handles_inner_blocks() {
        // shape (2, 2, 2) scanned along axis 1: inner = 2, axis_len = 2.
        let x = ndarray::Array::from_shape_vec((2, 2, 2), vec![1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
        let v = collect_scan(&x.view(), 2, 2, |&x| x);
        assert_eq!(v, [1, 2, 3, 8, 5, 6, 35, 48]);
        // Flattened: one lane.
        let v = collect_scan(&x.view(), 8, 1, |&x| x);
        assert_eq!(v, [1, 2, 6, 24, 120, 720, 5040, 40320]);
    }

    #[test]
    fn both_loop_orders_of_into_agree() {
        let a = array![[1, 2, 3], [4, 5, 6], [7, 8, 9]];
        let expected_0 = array![[1, 2, 3], [4, 10, 18], [28, 80, 162]];
        let expected_1 = array![[1, 2, 6], [4, 20, 120], [7, 56, 504]];
        for (axis, expected) in [(0, &expected_0), (1, &expected_1)] {
            // C output: axis 1 uses lanes, axis 0 slices; F output: the reverse.
            for f_order in [false, true] {
                let mut out = Array2::<i32>::zeros((3, 3).set_f(f_order));
                let uses_lanes = lanes_are_contiguous(out.shape(), out.strides(), Axis(axis));
                assert_eq!(uses_lanes, (axis == 1) != f_order);
                scan_axis_into(a.view(), out.view_mut(), Axis(axis), |&x| x);
                assert_eq!(&out, expected);

                let mut inplace = Array2::<i32>::zeros((3, 3).set_f(f_order));
                inplace.assign(&a);
                scan_axis_inplace(inplace.view_mut(), Axis(axis));
                assert_eq!(&inplace, expected);
            }
        }
    }

    #[test]
    fn memory_order_follows_the_input() {
        let c = Array2::<u8>::zeros((2, 3));
        assert_eq!(memory_order(&c.view()), None);
        let f = Array2::<u8>::zeros((2, 3).f());
        assert_eq!(memory_order(&f.view()), Some(ndarray::Dim([1, 0])));
        let strided = c.slice_axis(Axis(1), Slice::new(0, None, 2));
        assert_eq!(memory_order(&strided), None);
        let reversed = f.slice_axis(Axis(0), Slice::new(0, None, -1));
        assert_eq!(memory_order(&reversed), None);
    }
}
