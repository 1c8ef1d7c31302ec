//! The multi-threaded kernels behind [`ParCumprodExt`](crate::ParCumprodExt)
//! (cargo feature `rayon`).
//!
//! Lanes along the scan axis are independent, so the array is cut along the
//! slowest-varying axis of the output's memory, when that is not the scan
//! axis, into a few pieces per thread; each piece is scanned by the serial
//! kernels. Every lane is computed by one thread, in the serial order: the
//! result is the same, bit for bit, as the serial one.

use core::ops::Mul;

use ndarray::parallel::prelude::*;
use ndarray::{Array, ArrayView, ArrayViewMut, Axis, Dimension};

/// Arrays with fewer elements than this are scanned on the calling thread:
/// below it, waking threads costs more than it saves (measured with
/// `layout_report --threads` on 2 cores).
pub(crate) const MIN_PARALLEL_LEN: usize = 1 << 16;

/// Pieces per thread: a few, so that a slow thread does not hold up the rest.
const PIECES_PER_THREAD: usize = 4;

/// The axis to cut along and the length of a piece, or `None` when the
/// array is too small or has no other axis longer than one.
fn split(shape: &[usize], strides: &[isize], axis: Axis) -> Option<(Axis, usize)> {
    if shape.iter().product::<usize>() < MIN_PARALLEL_LEN {
        return None;
    }
    // The slowest axis, so that each piece of a contiguous array is itself
    // contiguous and gets the fast kernels. When that is the scan axis, the
    // pieces would be strided and slower than the whole: stay serial.
    let cut = (0..shape.len())
        .filter(|&ax| shape[ax] > 1)
        .max_by_key(|&ax| (strides[ax].unsigned_abs(), shape[ax]))?;
    if cut == axis.index() {
        return None;
    }
    let pieces = rayon::current_num_threads() * PIECES_PER_THREAD;
    // Every piece holds at least a group of lanes, which the serial kernels
    // scan side by side: a piece of fewer lanes would be bound by the
    // latency of its chains (measured, f64 [4, 2097152] along axis 1 in
    // place: split into one lane a piece, 0.62x the serial speed).
    let lanes_per_index = shape.iter().product::<usize>() / shape[axis.index()] / shape[cut];
    let len = shape[cut]
        .div_ceil(pieces)
        .max(super::contiguous::GROUP.div_ceil(lanes_per_index.max(1)));
    (len < shape[cut]).then_some((Axis(cut), len))
}

/// [`super::axis_into`] on several threads.
pub(crate) fn axis_into<A, B, D, F>(
    src: ArrayView<'_, A, D>,
    mut dst: ArrayViewMut<'_, B, D>,
    axis: Axis,
    conv: F,
) where
    D: Dimension,
    A: Sync,
    B: Clone + Mul<Output = B> + Send + Sync,
    F: Fn(&A) -> B + Sync,
{
    let Some((cut, len)) = split(dst.shape(), dst.strides(), axis) else {
        return super::axis_into(src, dst, axis, conv);
    };
    // Each piece streams its stores if the whole output would.
    let whole = dst.len();
    dst.axis_chunks_iter_mut(cut, len)
        .into_par_iter()
        .zip(src.axis_chunks_iter(cut, len).into_par_iter())
        .for_each(|(out, piece)| super::axis_into_part(piece, out, axis, &conv, whole));
}

/// [`super::axis_inplace`] on several threads.
pub(crate) fn axis_inplace<A, D>(mut a: ArrayViewMut<'_, A, D>, axis: Axis)
where
    D: Dimension,
    A: Clone + Mul<Output = A> + Send + Sync,
{
    let Some((cut, len)) = split(a.shape(), a.strides(), axis) else {
        return super::axis_inplace(a, axis);
    };
    a.axis_chunks_iter_mut(cut, len)
        .into_par_iter()
        .for_each(|piece| super::axis_inplace(piece, axis));
}

/// [`super::axis_alloc_same`] on several threads: as [`axis_alloc`] with
/// `Clone::clone`, and for arrays that stay on one thread the very same
/// serial path as `cumprod_axis`.
pub(crate) fn axis_alloc_same<A, D>(a: ArrayView<'_, A, D>, axis: Axis) -> Array<A, D>
where
    D: Dimension,
    A: Clone + Mul<Output = A> + Send + Sync,
{
    if split(a.shape(), a.strides(), axis).is_none() {
        return super::axis_alloc_same(a, axis);
    }
    axis_alloc(a, axis, A::clone)
}

/// [`super::axis_alloc`] on several threads: the converted input is copied
/// into a new array in its memory order ([`super::mapped`], on the calling
/// thread), then scanned in place in parallel.
pub(crate) fn axis_alloc<A, B, D, F>(a: ArrayView<'_, A, D>, axis: Axis, conv: F) -> Array<B, D>
where
    D: Dimension,
    A: Sync,
    B: Clone + Mul<Output = B> + Send + Sync,
    F: Fn(&A) -> B + Sync,
{
    if split(a.shape(), a.strides(), axis).is_none() {
        return super::axis_alloc(a, axis, conv);
    }
    // The copy on one thread, into a vector advised for huge pages: collected
    // in parallel (`par_map_collect`), it took page faults that cost more than
    // the second thread saved (measured, 64 MiB f64: 0.5x the serial speed).
    let mut out = super::mapped(a, conv);
    axis_inplace(out.view_mut(), axis);
    out
}
