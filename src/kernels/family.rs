//! The extended scans of [`Cumprod`](crate::Cumprod): reverse, exclusive,
//! include-initial, initial values and carries, the overflow check, and the
//! gradient.
//!
//! Every form is built from the kernels of the plain scan: the forward scan
//! goes through [`super::axis_into`], the reverse one through its mirror image
//! [`axis_into_rev`], and with an initial value or carry both first write
//! their seeds (the initial value times the first or last element of every
//! lane), then continue from them ([`super::axis_into_continue`]): all in one
//! pass on contiguous arrays. `exclusive` and `include_initial` copy the input
//! into place shifted by one, put the initial value in front, and scan in
//! place with [`super::axis_inplace`] or [`axis_inplace_rev`]. Both walk
//! memory in order on contiguous arrays.

use alloc::vec::Vec;
use core::ops::Mul;

use ndarray::{
    Array, ArrayView, ArrayView1, ArrayViewMut, ArrayViewMut1, Axis, Dimension, Slice, Zip,
};
use num_traits::float::FloatCore;
use num_traits::{CheckedMul, One};

use super::reverse::{axis_inplace_rev, axis_into_rev};
use crate::options::sealed::{Spec, Start};
use crate::options::Output;

/// Writes `conv` of every element of `src` into `dst` (same shape).
pub(super) fn copy<A, B, D: Dimension>(
    src: ArrayView<'_, A, D>,
    dst: ArrayViewMut<'_, B, D>,
    conv: &impl Fn(&A) -> B,
) {
    Zip::from(dst).and(src).for_each(|y, x| *y = conv(x));
}

/// Sets the slice `slot` (length one along `axis`) to the initial values.
pub(super) fn put_initial<B, D>(slot: ArrayViewMut<'_, B, D>, axis: Axis, initial: &Start<'_, B>)
where
    B: Clone + One,
    D: Dimension,
{
    match initial {
        Start::Identity => slot.into_iter().for_each(|y| *y = B::one()),
        Start::Value(c) => slot.into_iter().for_each(|y| y.clone_from(c)),
        Start::Lanes(lanes) => Zip::from(slot.into_dyn())
            .and(lanes.view().insert_axis(axis))
            .for_each(|y, c| y.clone_from(c)),
    }
}

/// Multiplies the slice `slot` (length one along `axis`) by the initial values:
/// `c * y` for a forward scan (the initial value comes first), `y * c` for a
/// reverse one.
fn apply_initial<B, D>(
    slot: ArrayViewMut<'_, B, D>,
    axis: Axis,
    initial: &Start<'_, B>,
    reverse: bool,
) where
    B: Clone + Mul<Output = B>,
    D: Dimension,
{
    let times = |y: &mut B, c: &B| {
        *y = if reverse {
            y.clone() * c.clone()
        } else {
            c.clone() * y.clone()
        }
    };
    match initial {
        Start::Identity => {}
        Start::Value(c) => slot.into_iter().for_each(|y| times(y, c)),
        Start::Lanes(lanes) => Zip::from(slot.into_dyn())
            .and(lanes.view().insert_axis(axis))
            .for_each(times),
    }
}

/// Writes the seeds of a scan with an initial value or carry into `out`: at
/// position `index` along `axis`, the initial value times `conv` of the
/// element of `src` there (`c * x` forward, `x * c` in reverse, as
/// [`apply_initial`]). One pass over the slice without the axis: kept as a
/// slice of length one along it, copied, then multiplied, the seeds cost
/// more (measured, 64 MiB of `f64` lanes of 2 and 4 with `initial`, the
/// scan included: 5.5x-5.8x and 3.9x-4.1x a copy; so, 4.0x and 3.1x). Where
/// they can, [`super::short_lanes_from_value`] takes the seeds of an
/// initial value as it scans, with no pass of their own.
fn put_seeds<A, B, D>(
    src: ArrayView<'_, A, D>,
    out: ArrayViewMut<'_, B, D>,
    axis: Axis,
    index: usize,
    initial: &Start<'_, B>,
    reverse: bool,
    conv: &impl Fn(&A) -> B,
) where
    B: Clone + Mul<Output = B>,
    D: Dimension,
{
    // Without the axis (dynamic dimensions: `D` may have none fewer).
    let x = src.into_dyn().index_axis_move(axis, index);
    let y = out.into_dyn().index_axis_move(axis, index);
    let seed = |x: &A, c: &B| {
        let v = conv(x);
        if reverse {
            v * c.clone()
        } else {
            c.clone() * v
        }
    };
    match initial {
        Start::Identity => Zip::from(y).and(x).for_each(|y, x| *y = conv(x)),
        Start::Value(c) => Zip::from(y).and(x).for_each(|y, x| *y = seed(x, c)),
        Start::Lanes(lanes) => Zip::from(y)
            .and(x)
            .and(lanes)
            .for_each(|y, x, c| *y = seed(x, c)),
    }
}

/// The slice at position `index` along `axis`, keeping the axis (length one).
pub(super) fn slot<B, D: Dimension>(
    a: ArrayViewMut<'_, B, D>,
    axis: Axis,
    index: usize,
) -> ArrayViewMut<'_, B, D> {
    a.slice_axis_move(axis, Slice::from(index..index + 1))
}

/// Writes the scan of `src` described by `how` into `out`, whose length along
/// the axis is `how.result_len(n)`. `conv` turns an input element into the
/// result's type (NaN-skipping maps NaN to one there).
pub(crate) fn with_into<A, B, D>(
    src: ArrayView<'_, A, D>,
    mut out: ArrayViewMut<'_, B, D>,
    how: &Spec<'_, B>,
    conv: &impl Fn(&A) -> B,
) where
    B: Clone + Mul<Output = B> + One,
    D: Dimension,
{
    let axis = how.axis;
    let n = src.len_of(axis);
    let m = out.len_of(axis);
    if m == 0 {
        return;
    }
    let lead = how.output != Output::Inclusive;
    match (how.reverse, lead, &how.initial) {
        // The plain scan: one pass.
        (false, false, Start::Identity) => super::axis_into(src, out, axis, conv),
        // The identity, then the plain scan of the first m - 1 elements.
        (false, true, Start::Identity) => {
            let (head, body) = out.split_at(axis, 1);
            put_initial(head, axis, &how.initial);
            let src = src.slice_axis(axis, Slice::from(..m - 1));
            super::axis_into(src, body, axis, conv);
        }
        (false, true, initial) => {
            let (head, body) = out.view_mut().split_at(axis, 1);
            put_initial(head, axis, initial);
            copy(src.slice_axis(axis, Slice::from(..m - 1)), body, conv);
            super::axis_inplace(out, axis);
        }
        // The seeds (the initial value times the first element of every
        // lane), then the scan continuing from them: one pass.
        (false, false, initial) => {
            if let Start::Value(c) = initial {
                if super::short_lanes_from_value(src.view(), out.view_mut(), axis, c, false, conv) {
                    return;
                }
            }
            put_seeds(src.view(), out.view_mut(), axis, 0, initial, false, conv);
            super::axis_into_continue(src, out, axis, conv);
        }
        // The mirror image: the plain reverse scan of the last m - 1
        // elements, then the identity.
        (true, true, Start::Identity) => {
            let (body, tail) = out.split_at(axis, m - 1);
            put_initial(tail, axis, &how.initial);
            let src = src.slice_axis(axis, Slice::from(n + 1 - m..));
            axis_into_rev(src, body, axis, conv, false);
        }
        (true, true, initial) => {
            let (body, tail) = out.view_mut().split_at(axis, m - 1);
            put_initial(tail, axis, initial);
            copy(src.slice_axis(axis, Slice::from(n + 1 - m..)), body, conv);
            axis_inplace_rev(out, axis);
        }
        // The mirror image of the plain scan: one pass.
        (true, false, Start::Identity) => axis_into_rev(src, out, axis, conv, false),
        // The seeds (the last element of every lane times the initial value),
        // then the reverse scan continuing from them: one pass.
        (true, false, initial) => {
            if let Start::Value(c) = initial {
                if super::short_lanes_from_value(src.view(), out.view_mut(), axis, c, true, conv) {
                    return;
                }
            }
            put_seeds(src.view(), out.view_mut(), axis, m - 1, initial, true, conv);
            axis_into_rev(src, out, axis, conv, true);
        }
    }
}

/// Replaces `a` by the scan described by `how` (not `include_initial`, which
/// the caller rejects). `prepare` runs on every element first (NaN-skipping
/// maps NaN to one there).
pub(crate) fn with_inplace<B, D, P>(
    mut a: ArrayViewMut<'_, B, D>,
    how: &Spec<'_, B>,
    prepare: Option<P>,
) where
    B: Clone + Mul<Output = B> + One,
    D: Dimension,
    P: Fn(&mut B),
{
    debug_assert!(how.output != Output::IncludeInitial);
    let axis = how.axis;
    let n = a.len_of(axis);
    if n == 0 {
        return;
    }
    let plain =
        !how.reverse && how.output == Output::Inclusive && matches!(how.initial, Start::Identity);
    match prepare {
        // The plain forward scan prepares each element as it reads it: one pass.
        Some(prepare) if plain => return super::axis_inplace_prepared(a, axis, prepare),
        Some(prepare) => a.map_inplace(prepare),
        None => {}
    }
    // The slot the identity or initial value goes to, for exclusive scans.
    let lead = if how.reverse { n - 1 } else { 0 };
    let scan = |a: ArrayViewMut<'_, B, D>| {
        if how.reverse {
            axis_inplace_rev(a, axis);
        } else {
            super::axis_inplace(a, axis);
        }
    };
    if how.output != Output::Exclusive {
        apply_initial(
            slot(a.view_mut(), axis, lead),
            axis,
            &how.initial,
            how.reverse,
        );
        return scan(a);
    }
    shift(a.view_mut(), axis, !how.reverse);
    put_initial(slot(a.view_mut(), axis, lead), axis, &how.initial);
    match how.initial {
        // The identity is not multiplied in: the element next to it is the
        // first product of the lane, a copy (`1 * x` is not `x` for a complex
        // `x` with an infinite part). The rest of the lane is scanned from it.
        Start::Identity => {
            let body = if how.reverse { 0..n - 1 } else { 1..n };
            scan(a.slice_axis_mut(axis, Slice::from(body)));
        }
        Start::Value(_) | Start::Lanes(_) => scan(a),
    }
}

/// Moves every element one place along `axis`: towards the end when `forward`
/// (`a[i] = a[i - 1]`), towards the start otherwise. The slot left behind keeps
/// a stale value for the caller to overwrite.
fn shift<B: Clone, D: Dimension>(mut a: ArrayViewMut<'_, B, D>, axis: Axis, forward: bool) {
    let n = a.len_of(axis);
    if n < 2 || a.is_empty() {
        // Nothing to move (and no slice to walk along a long empty axis).
        return;
    }
    let contiguous = (a.lanes_mut(axis).into_iter().next())
        .is_some_and(|mut lane| lane.as_slice_mut().is_some());
    if contiguous {
        for mut lane in a.lanes_mut(axis) {
            let values = lane.as_slice_mut().expect("every lane is contiguous");
            if forward {
                values.rotate_right(1);
            } else {
                values.rotate_left(1);
            }
        }
        return;
    }
    // Strided lanes: one whole slice along the axis at a time, copied onto
    // its neighbour, which walks memory in order (element by element down
    // each lane, a cache line per element, took 20 times a copy).
    let one = |i: usize| Slice::from(i..i + 1);
    if forward {
        for i in (1..n).rev() {
            let (head, mut tail) = a.view_mut().split_at(axis, i);
            tail.slice_axis_mut(axis, one(0))
                .assign(&head.slice_axis(axis, one(i - 1)));
        }
    } else {
        for i in 0..n - 1 {
            let (mut head, tail) = a.view_mut().split_at(axis, i + 1);
            head.slice_axis_mut(axis, one(i))
                .assign(&tail.slice_axis(axis, one(0)));
        }
    }
}

/// The index, in `src`, of the first element (in row-major order) whose
/// multiplication overflows in the scan described by `how`, if any. The
/// multiplications are those of [`with_into`], in the same order.
///
/// Nothing is allocated but the index it returns, and an empty array returns
/// at once, whatever its shape.
pub(crate) fn first_overflow<A, B, D>(
    src: ArrayView<'_, A, D>,
    how: &Spec<'_, B>,
    conv: &impl Fn(&A) -> B,
) -> Option<Vec<usize>>
where
    B: Clone + CheckedMul,
    D: Dimension,
{
    if src.is_empty() {
        return None;
    }
    let axis = how.axis.index();
    let n = src.shape()[axis];
    // The elements that take part: all of them, but for an exclusive scan
    // (the first n - 1, or the last n - 1 for a reverse scan).
    let used = if how.output == Output::Exclusive {
        n - 1
    } else {
        n
    };
    let positions = if how.reverse { n - used..n } else { 0..used };
    // The lanes come in row-major order of the other axes: lane `k` is at
    // `k / inner` along the axes before the scan axis and at `k % inner`
    // along those after it, so the row-major order of the elements is that
    // of `(k / inner, i, k % inner)`.
    let inner: usize = src.shape()[axis + 1..].iter().product();
    let order = |(lane, i): (usize, usize)| (lane / inner, i, lane % inner);
    let mut carries = match &how.initial {
        Start::Lanes(lanes) => Some(lanes.iter()),
        Start::Identity | Start::Value(_) => None,
    };
    let mut first: Option<(usize, usize)> = None;
    for (number, lane) in src.lanes(how.axis).into_iter().enumerate() {
        if first.is_some_and(|(lane, _)| lane / inner < number / inner) {
            // Every element from here on comes later in row-major order.
            break;
        }
        let start = match &how.initial {
            Start::Identity => None,
            Start::Value(c) => Some((*c).clone()),
            Start::Lanes(_) => carries.as_mut().and_then(Iterator::next).cloned(),
        };
        let found = if how.reverse {
            lane_overflow(&lane, positions.clone().rev(), start, true, conv)
        } else {
            lane_overflow(&lane, positions.clone(), start, false, conv)
        };
        if let Some(i) = found {
            if first.map_or(true, |f| order((number, i)) < order(f)) {
                first = Some((number, i));
            }
        }
    }
    let (number, i) = first?;
    // The index: the lane's position among the other axes, row-major, with
    // `i` along the scan axis.
    let mut index = alloc::vec![0; src.ndim()];
    let mut rest = number;
    for ax in (0..src.ndim()).rev() {
        if ax == axis {
            index[ax] = i;
        } else {
            let len = src.shape()[ax];
            index[ax] = rest % len;
            rest /= len;
        }
    }
    Some(index)
}

/// The first position, in the order of `positions`, whose multiplication
/// overflows in the scan of `lane` from `start` (`None`: the first element is
/// its own product).
fn lane_overflow<A, B>(
    lane: &ArrayView1<'_, A>,
    positions: impl Iterator<Item = usize>,
    start: Option<B>,
    reverse: bool,
    conv: &impl Fn(&A) -> B,
) -> Option<usize>
where
    B: CheckedMul,
{
    let mut product = start;
    for i in positions {
        let x = conv(&lane[i]);
        let next = match &product {
            None => Some(x),
            Some(p) if reverse => x.checked_mul(p),
            Some(p) => p.checked_mul(&x),
        };
        match next {
            Some(next) => product = Some(next),
            None => return Some(i),
        }
    }
    None
}

/// The vector-Jacobian product of the cumulative product along `axis`: given
/// the input `x` and the gradient `g` of a loss with respect to the result,
/// writes the gradient with respect to `x` into `dx`.
///
/// With `y[i] = x[0] * ... * x[i]`, `dx[k] = sum over i >= k of g[i] * y[i] / x[k]`.
/// Without dividing by `x[k]` (which may be zero): `dx[k] = p[k] * s[k]` where
/// `p[k] = x[0] * ... * x[k - 1]` and `s[k] = g[k] + x[k + 1] * s[k + 1]`,
/// `s[n - 1] = g[n - 1]`.
pub(crate) fn grad_axis<A, D>(
    x: ArrayView<'_, A, D>,
    g: ArrayView<'_, A, D>,
    axis: Axis,
) -> Array<A, D>
where
    A: FloatCore,
    D: Dimension,
{
    let mut dx = Array::zeros(x.raw_dim());
    if dx.is_empty() {
        // No lane to walk (an empty axis beside a long one has many).
        return dx;
    }
    Zip::from(dx.lanes_mut(axis))
        .and(x.lanes(axis))
        .and(g.lanes(axis))
        .for_each(grad_lane);
    dx
}

fn grad_lane<A: FloatCore>(
    mut dx: ArrayViewMut1<'_, A>,
    x: ArrayView1<'_, A>,
    g: ArrayView1<'_, A>,
) {
    let n = x.len();
    if n == 0 {
        return;
    }
    // dx[k] = p[k] first.
    let mut p = A::one();
    for k in 0..n {
        dx[k] = p;
        p = p * x[k];
    }
    let mut s = g[n - 1];
    dx[n - 1] = dx[n - 1] * s;
    for k in (0..n - 1).rev() {
        s = g[k] + x[k + 1] * s;
        dx[k] = dx[k] * s;
    }
}
