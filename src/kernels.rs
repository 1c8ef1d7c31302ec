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

/// Collects the running products of `src` into a new vector, in one pass.
///
/// `src` is the row-major traversal of an array whose scan axis has `axis_len`
/// elements, each followed by `inner` elements (the product of the lengths of the
/// later axes). Element `j` of the result therefore continues the product of
/// element `j - inner`, except in the first `inner` positions of each block of
/// `axis_len * inner` elements, which start a lane. With `inner == 1` and
/// `axis_len == src.len()` this is the flattened (axis=None) product.
///
/// The vector is allocated once, with its final length.
pub(crate) fn collect_scan<'a, A, B>(
    src: impl Iterator<Item = &'a A>,
    len: usize,
    axis_len: usize,
    inner: usize,
    conv: impl Fn(&A) -> B,
) -> Vec<B>
where
    A: 'a,
    B: Clone + Mul<Output = B>,
{
    let block = axis_len * inner;
    let mut out: Vec<B> = Vec::with_capacity(len);
    let mut pos = 0;
    for x in src {
        let value = conv(x);
        let y = if pos < inner {
            value
        } else {
            out[out.len() - inner].clone() * value
        };
        out.push(y);
        pos += 1;
        if pos == block {
            pos = 0;
        }
    }
    out
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
    let values = collect_scan(a.iter(), a.len(), a.shape()[axis], inner, conv);
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
        let x = [1, 2, 3, 4, 5, 6, 7, 8];
        let v = collect_scan(x.iter(), 8, 2, 2, |&x| x);
        assert_eq!(v, [1, 2, 3, 8, 5, 6, 35, 48]);
        // Flattened: one lane.
        let v = collect_scan(x.iter(), 8, 8, 1, |&x| x);
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
