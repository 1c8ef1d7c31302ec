//! General kernels, for any strides: outputs that are not one contiguous
//! block (steps, reversed axes, views into larger arrays) and the flattened
//! scan into such an output. They walk the arrays with ndarray's iterators and
//! `Zip`, choosing between lane by lane and slice by slice from the output's
//! strides.

use core::ops::Mul;

use ndarray::{ArrayView, ArrayViewMut, Axis, Dimension, Zip};

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
        for mut lane in a.lanes_mut(axis) {
            if let Some(values) = lane.as_slice_mut() {
                // A contiguous lane: indices, without an iterator's
                // bookkeeping per element.
                let len = values.len();
                super::contiguous::scan_run(values, 0..len);
                continue;
            }
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
    use alloc::vec;

    use super::*;
    use ndarray::{array, Array2, ShapeBuilder};

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
}
