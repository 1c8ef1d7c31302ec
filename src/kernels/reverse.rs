//! The reverse scan, `y[n - 1] = x[n - 1]` and `y[i] = x[i] * y[i + 1]`: the
//! mirror image of the kernels of [`contiguous`](super::contiguous).
//!
//! On a contiguous block `(outer, n, inner)` (see [`contiguous`](super::contiguous))
//! the lanes are walked from their end:
//!
//! - `inner == 1`, contiguous lanes: [`GROUP`] lanes side by side, a tile of
//!   [`TILE`] steps at a time, from the last tile to the first
//!   ([`rev_tiles`]), so that the multiplications of the lanes overlap.
//!   Large outputs of `f64`, `i64` and `u64` in lanes of 256 bytes or more
//!   take the streamed lanes kernel, the same tiles streamed from registers
//!   ([`streamed::scan_into_rev`](super::streamed::scan_into_rev)), but for
//!   groups of four lanes of at most 4 KiB, which are scanned in a buffer in
//!   cache and streamed out from there ([`groups_through_cache_rev`]).
//! - `inner > 1`: each row becomes the elementwise product of itself and the
//!   row after it, from the last row to the first; rows are read and written
//!   in memory order, which vectorises. Large outputs of `f64`, `i64` and
//!   `u64` in rows take the streamed rows kernel, walked from the last row
//!   ([`streamed::scan_into_rev`](super::streamed::scan_into_rev)).
//!
//! [`axis_into_rev`] reads the input and writes the products in one pass when
//! input and output are slices in the same memory order; otherwise it copies
//! the input into place and scans the output in place ([`axis_inplace_rev`]).
//! The value on the left of every product is the element itself, the one on
//! the right the product of the elements after it, as in `a * (b * c)`.

use core::ops::{Mul, Range};

use ndarray::{ArrayView, ArrayViewMut, ArrayViewMut1, Axis, Dimension, Slice};

use super::contiguous::{
    four_at_a_time, groups_through_cache_with, lanes_of, piece_len, seeded_short_lanes,
    streams_short, tiled, warm, Four, GROUP, ROWS_BUFFER, SHORT_LANE, TILE,
};
use super::{block_shape, memory_order};

/// Writes the reverse cumulative product of `src` along `axis` into `dst`
/// (same shape). When `seeded`, the last element of every lane is already in
/// `dst` (the last input element times an initial value) and the scan
/// continues from it.
pub(crate) fn axis_into_rev<A, B, D>(
    src: ArrayView<'_, A, D>,
    mut dst: ArrayViewMut<'_, B, D>,
    axis: Axis,
    conv: &impl Fn(&A) -> B,
    seeded: bool,
) where
    B: Clone + Mul<Output = B>,
    D: Dimension,
{
    if dst.is_empty() {
        return;
    }
    if let Some((values, out, block)) = super::same_order_slices(&src, &mut dst, axis) {
        return block_into(values, out, block, conv, seeded);
    }
    // Any other pair of layouts: copy into place (but the seeds), then scan in
    // place.
    let body = Slice::from(..dst.len_of(axis) - usize::from(seeded));
    super::family::copy(
        src.slice_axis(axis, body),
        dst.slice_axis_mut(axis, body),
        conv,
    );
    axis_inplace_rev(dst, axis);
}

/// Replaces `a` by its reverse cumulative product along `axis`.
pub(crate) fn axis_inplace_rev<B, D>(mut a: ArrayViewMut<'_, B, D>, axis: Axis)
where
    B: Clone + Mul<Output = B>,
    D: Dimension,
{
    if a.is_empty() {
        return;
    }
    if let Some(order) = memory_order::<D>(a.shape(), a.strides()) {
        let (outer, n, inner) = block_shape(a.shape(), order.slice(), axis.index());
        let data = a.as_slice_memory_order_mut().expect("a contiguous array");
        return block_inplace(data, outer, n, inner);
    }
    for lane in a.lanes_mut(axis) {
        lane_inplace(lane);
    }
}

/// The reverse scan of one lane of any stride, in place.
fn lane_inplace<B: Clone + Mul<Output = B>>(mut lane: ArrayViewMut1<'_, B>) {
    if let Some(values) = lane.as_slice_mut() {
        // A contiguous lane (of a view that is not one block, such as all but
        // the last element of every row): a slice, without an iterator's
        // bookkeeping per element.
        // The running product stays in a register, not read back from the
        // element just written.
        if let Some((last, rest)) = values.split_last_mut() {
            let mut carry = last.clone();
            for y in rest.iter_mut().rev() {
                carry = y.clone() * carry;
                y.clone_from(&carry);
            }
        }
        return;
    }
    let mut items = lane.into_iter().rev();
    let Some(mut next) = items.next() else {
        return;
    };
    for y in items {
        *y = y.clone() * next.clone();
        next = y;
    }
}

/// The reverse scan of the row-major block `(outer, n, inner)` along its
/// middle axis, in place.
fn block_inplace<B: Clone + Mul<Output = B>>(data: &mut [B], outer: usize, n: usize, inner: usize) {
    if n < 2 || inner == 0 {
        return;
    }
    if inner == 1 {
        // The whole walk runs down through memory, lanes from the last to the
        // first, so that the prefetcher follows it: short lanes taken in
        // increasing order, each read downwards, jump up after every group
        // (measured: 2.9-3.5x a copy for lanes of 64, against 0.9-1.6x for
        // the forward scan).
        let grouped = if n >= SHORT_LANE && tiled::<B>() {
            outer / GROUP * GROUP
        } else {
            0
        };
        let (groups, rest) = data[..outer * n].split_at_mut(grouped * n);
        for lane in rest.chunks_exact_mut(n).rev() {
            for i in (0..n - 1).rev() {
                lane[i] = lane[i].clone() * lane[i + 1].clone();
            }
        }
        // Short lanes a piece of whole groups at a time, warmed first.
        let short = GROUP * n <= piece_len::<B>();
        let per_piece = if short {
            piece_len::<B>() / (GROUP * n)
        } else {
            1
        };
        for piece in groups.chunks_mut(per_piece * GROUP * n).rev() {
            if short {
                warm(piece);
            }
            for group in piece.chunks_exact_mut(GROUP * n).rev() {
                rev_group(group, n);
            }
        }
        return;
    }
    macro_rules! fixed {
        ($($width:literal)*) => {
            match inner {
                $($width => return rows_fixed_inplace::<B, $width>(&mut data[..outer * n * inner], n),)*
                _ => {}
            }
        };
    }
    if tiled::<B>() {
        fixed!(2 3 4 5 6 7 8);
    }
    for block in data.chunks_exact_mut(n * inner).take(outer) {
        for i in (0..n - 1).rev() {
            let (head, tail) = block.split_at_mut((i + 1) * inner);
            for (y, z) in head[i * inner..].iter_mut().zip(&tail[..inner]).rev() {
                *y = y.clone() * z.clone();
            }
        }
    }
}

/// The largest group of [`GROUP`] lanes, in bytes, that
/// [`groups_through_cache_rev`] scans through a buffer.
const CACHED_GROUP_BYTES_REV: usize = 4 << 10;

/// Whether [`groups_through_cache_rev`] takes the reverse scan of the
/// contiguous lanes of `n` elements of an output of `len` elements of `B`:
/// primitives of at most 8 bytes that the memory module writes with
/// streaming stores, into an output of `streamed::MIN_BYTES` or more, in
/// lanes of at least [`SHORT_LANE`] elements whose groups of [`GROUP`] are
/// at most [`CACHED_GROUP_BYTES_REV`]; for floats, lanes of at least 128
/// bytes. Measured (64 MiB, time / a copy, paired runs, before -> after):
/// `i64` lanes of 16 1.35x -> 0.95x-1.07x, of 32 1.59x -> 1.07x, of 64
/// 1.26x-1.4x -> 1.1x, of 128 1.73x-1.93x -> 1.2x-1.33x; `i32` lanes of 64
/// to 256 1.57x-2.73x -> 1.29x-1.55x; `f64` lanes of 16 to 128 1.26x-1.57x
/// -> 1.0x-1.3x; `f32` lanes of 32 to 256 1.47x-2.39x -> 1.06x-1.67x. Left
/// to the other kernels: `i64` lanes of 192 and 256 (1.03x and 0.9x-1.1x
/// the time through the buffer), `f64` lanes of 192 and 256 (0.96x-1.12x),
/// `f32` lanes of 16 (1.12x).
fn through_cache_rev<B>(len: usize, n: usize) -> bool {
    let lane_bytes = n.saturating_mul(core::mem::size_of::<B>());
    n >= SHORT_LANE
        && lane_bytes.saturating_mul(GROUP) <= CACHED_GROUP_BYTES_REV
        && (four_at_a_time::<B>() || lane_bytes >= 128)
        && streams_short::<B>(len)
}

/// The reverse scan of the whole groups of [`GROUP`] contiguous lanes of
/// `n` elements of `src` into `dst`, a group at a time, converted into a
/// buffer in cache, scanned there from the end of each lane and streamed
/// out, the input ahead asked for first, as the forward scan's short
/// integer lanes are ([`groups_through_cache_with`]). Four short lanes read
/// side by side from their ends start as many short streams, which the
/// hardware prefetcher follows late, and staged in the output, each line is
/// read before it is overwritten.
#[inline(never)]
fn groups_through_cache_rev<A, B, F>(src: &[A], dst: &mut [B], n: usize, conv: &F)
where
    B: Clone + Mul<Output = B>,
    F: Fn(&A) -> B,
{
    groups_through_cache_with(src, dst, n, conv, |group| rev_group(group, n));
}

/// Scans in place, from their ends, the [`GROUP`] consecutive lanes of
/// `n >= TILE` elements that make `group`.
fn rev_group<B: Clone + Mul<Output = B>>(group: &mut [B], n: usize) {
    if four_at_a_time::<B>() {
        return four_lanes_rev(&[], group, n, &|_: &()| unreachable!(), Four::InPlace);
    }
    rev_tiles::<B, GROUP>(&mut lanes_of(group, n), |lanes, k, i| {
        let tile: &[B; TILE] = lanes[k][i..i + TILE].try_into().expect("a whole tile");
        tile.clone()
    });
}

/// The reverse scan of the four consecutive lanes of `n` elements of `dst`,
/// side by side, one step of the four at a time, from their ends: the mirror
/// image of the forward kernel's loop for integers, whose tiles do not fit in
/// the general-purpose registers. Seeded: the last element of every lane is
/// already in `dst`.
fn four_lanes_rev<A, B, F>(src: &[A], dst: &mut [B], n: usize, conv: &F, how: Four)
where
    B: Clone + Mul<Output = B>,
    F: Fn(&A) -> B,
{
    let (d0, rest) = dst[..4 * n].split_at_mut(n);
    let (d1, rest) = rest.split_at_mut(n);
    let (d2, d3) = rest.split_at_mut(n);
    let last = |k: usize, d: &[B]| match how {
        Four::Into => conv(&src[k * n + n - 1]),
        _ => d[n - 1].clone(),
    };
    let mut c = [last(0, d0), last(1, d1), last(2, d2), last(3, d3)];
    for (d, c) in [&mut *d0, &mut *d1, &mut *d2, &mut *d3].into_iter().zip(&c) {
        d[n - 1].clone_from(c);
    }
    let [c0, c1, c2, c3] = &mut c;
    let body = n - 1;
    let lanes = d0[..body]
        .iter_mut()
        .zip(&mut d1[..body])
        .zip(d2[..body].iter_mut().zip(&mut d3[..body]));
    if how == Four::InPlace {
        for ((y0, y1), (y2, y3)) in lanes.rev() {
            *c0 = y0.clone() * c0.clone();
            *c1 = y1.clone() * c1.clone();
            *c2 = y2.clone() * c2.clone();
            *c3 = y3.clone() * c3.clone();
            y0.clone_from(c0);
            y1.clone_from(c1);
            y2.clone_from(c2);
            y3.clone_from(c3);
        }
        return;
    }
    let (s0, rest) = src[..4 * n].split_at(n);
    let (s1, rest) = rest.split_at(n);
    let (s2, s3) = rest.split_at(n);
    let inputs = s0[..body]
        .iter()
        .zip(&s1[..body])
        .zip(s2[..body].iter().zip(&s3[..body]));
    for (((y0, y1), (y2, y3)), ((x0, x1), (x2, x3))) in lanes.zip(inputs).rev() {
        *c0 = conv(x0) * c0.clone();
        *c1 = conv(x1) * c1.clone();
        *c2 = conv(x2) * c2.clone();
        *c3 = conv(x3) * c3.clone();
        y0.clone_from(c0);
        y1.clone_from(c1);
        y2.clone_from(c2);
        y3.clone_from(c3);
    }
}

/// The reverse scan of the row-major block `(outer, n, inner)` of `src` into
/// `dst` (same length), in one pass. When `seeded`, the last row of every
/// block is already in `dst` and the scan continues from it.
fn block_into<A, B, F>(
    src: &[A],
    dst: &mut [B],
    (outer, n, inner): (usize, usize, usize),
    conv: &F,
    seeded: bool,
) where
    B: Clone + Mul<Output = B>,
    F: Fn(&A) -> B,
{
    let len = outer * n * inner;
    if n < 2 || inner == 0 {
        // With one element per lane, every element is a seed.
        if !seeded {
            for (y, x) in dst[..len].iter_mut().zip(src) {
                *y = conv(x);
            }
        }
        return;
    }
    let through_cache = !seeded && inner == 1 && through_cache_rev::<B>(len, n);
    if !seeded && !through_cache && super::streamed::applies_rev::<B>(outer, n, inner) {
        // Large outputs in rows, or in contiguous lanes of 256 bytes or
        // more (but those of the buffer below): streamed, from the last
        // row, or the end of each lane.
        let input = super::streamed::Plain { src, conv };
        return super::streamed::scan_into_rev(&input, dst, (outer, n, inner));
    }
    // The elements of a lane that come from the input: all, or all but the
    // seed at the end.
    let own = n - usize::from(seeded);
    if inner == 1 && streams_short::<B>(len) {
        // The seed of a lane: its last input element, or the product already
        // at its end in `dst`.
        let seed = |x: &A, y: &B| if seeded { y.clone() } else { conv(x) };
        if seeded_short_lanes(&src[..len], &mut dst[..len], n, conv, &seed, true) {
            return;
        }
    }
    if inner == 1 {
        let mut lane = 0;
        let piece = piece_len::<B>();
        if through_cache {
            // Groups of lanes through a buffer in cache, streamed out; the
            // lanes after the last whole group below.
            lane = outer / GROUP * GROUP;
            groups_through_cache_rev(&src[..lane * n], &mut dst[..lane * n], n, conv);
        } else if !tiled::<B>() {
            // Large elements: lane by lane, below.
        } else if n >= SHORT_LANE && GROUP * n <= piece {
            // Short lanes: copy the groups in memory order and scan each in
            // place while it is in cache, the copy one group ahead of the
            // scan, as the forward kernels do: four short lanes read side by
            // side from their ends start four short streams, which the
            // prefetcher does not follow.
            let group = GROUP * n;
            let groups = outer / GROUP;
            let copy = |dst: &mut [B], range: Range<usize>| {
                for (ys, xs) in dst[range.clone()]
                    .chunks_exact_mut(n)
                    .zip(src[range].chunks_exact(n))
                {
                    for (y, x) in ys[..own].iter_mut().zip(&xs[..own]) {
                        *y = conv(x);
                    }
                }
            };
            if groups > 0 {
                copy(dst, 0..group);
            }
            for g in 0..groups {
                let end = (g + 1) * group;
                if g + 1 < groups {
                    copy(dst, end..end + group);
                }
                rev_group(&mut dst[end - group..end], n);
            }
            lane = groups * GROUP;
        } else if n >= SHORT_LANE {
            while lane + GROUP <= outer && four_at_a_time::<B>() {
                let range = lane * n..(lane + GROUP) * n;
                let how = if seeded { Four::Seeded } else { Four::Into };
                four_lanes_rev(&src[range.clone()], &mut dst[range], n, conv, how);
                lane += GROUP;
            }
            while lane + GROUP <= outer {
                let range = lane * n..(lane + GROUP) * n;
                let inputs: [&[A]; GROUP] =
                    core::array::from_fn(|k| &src[range.start + k * n..range.start + (k + 1) * n]);
                rev_tiles::<B, GROUP>(
                    &mut lanes_of(&mut dst[range], n),
                    // Called for every tile of every lane: left to the
                    // compiler, it was a call that returned the tile through
                    // memory (measured, 64 MiB, lanes of 8,192 f64: 1.9x a
                    // copy, against 1.0x inlined).
                    #[inline(always)]
                    |lanes, k, i| {
                        let tile: &[A; TILE] =
                            inputs[k][i..i + TILE].try_into().expect("a whole tile");
                        let mut values: [B; TILE] = core::array::from_fn(|s| conv(&tile[s]));
                        if seeded && i + TILE == n {
                            values[TILE - 1] = lanes[k][n - 1].clone();
                        }
                        values
                    },
                );
                lane += GROUP;
            }
        }
        for (ys, xs) in dst[lane * n..len]
            .chunks_exact_mut(n)
            .zip(src[lane * n..len].chunks_exact(n))
        {
            let mut carry = if seeded {
                ys[n - 1].clone()
            } else {
                conv(&xs[n - 1])
            };
            ys[n - 1].clone_from(&carry);
            for (y, x) in ys[..n - 1].iter_mut().zip(&xs[..n - 1]).rev() {
                carry = conv(x) * carry;
                y.clone_from(&carry);
            }
        }
        return;
    }
    macro_rules! fixed {
        ($($width:literal)*) => {
            match inner {
                $($width => return rows_fixed_into::<A, B, F, $width>(&src[..len], &mut dst[..len], n, conv, seeded),)*
                _ => {}
            }
        };
    }
    if tiled::<B>() {
        fixed!(2 3 4 5 6 7 8);
    }
    let block = n * inner;
    for (ys, xs) in dst[..len]
        .chunks_exact_mut(block)
        .zip(src.chunks_exact(block))
    {
        let (rest, last) = ys.split_at_mut(block - inner);
        if !seeded {
            for (y, x) in last.iter_mut().zip(&xs[block - inner..]).rev() {
                *y = conv(x);
            }
        }
        let mut next: &[B] = last;
        let rows = xs[..block - inner].chunks_exact(inner);
        for (row, x) in rest.chunks_exact_mut(inner).zip(rows).rev() {
            // Every row from its end too: the whole walk runs down through
            // memory, a stream the prefetcher follows across pages.
            for ((y, z), x) in row.iter_mut().zip(next).zip(x).rev() {
                *y = conv(x) * z.clone();
            }
            next = row;
        }
    }
}

/// [`rows_fixed_into`] into a large output (16 MiB or more) of the 32- and
/// 64-bit integers, as the forward scan does (`contiguous::rows_fixed_streamed`):
/// the products of [`ROWS_BUFFER`] elements at a time, from the end of each
/// block, written into a buffer on the stack and streamed out from there.
/// Measured (64 MiB, rows of 2, 4 and 8, time / a copy, 21 paired runs):
/// `i64` 1.33x-1.51x with ordinary stores, 1.05x-1.48x so (1.2x at the
/// median; the same rows moved by 0.3x from one run to the next). `f64`
/// measured 1.0x-1.06x with ordinary stores and no faster so, and keeps
/// them. Kept out of line, so that its buffer is on the stack only while it
/// runs.
#[inline(never)]
fn rows_fixed_streamed_rev<A, B, F, const W: usize>(src: &[A], dst: &mut [B], n: usize, conv: &F)
where
    B: Clone + Mul<Output = B>,
    F: Fn(&A) -> B,
{
    let Some(first) = src.first() else {
        return;
    };
    let mut buffer: [B; ROWS_BUFFER] = core::array::from_fn(|_| conv(first));
    // Whole rows.
    let chunk = ROWS_BUFFER / W * W;
    let block = n * W;
    for (ys, xs) in dst.chunks_exact_mut(block).zip(src.chunks_exact(block)) {
        let mut carry: [B; W] = core::array::from_fn(|j| conv(&xs[block - W + j]));
        let mut end = block;
        while end > 0 {
            let start = end.saturating_sub(chunk);
            let buf = &mut buffer[..end - start];
            let mut rows = buf
                .chunks_exact_mut(W)
                .zip(xs[start..end].chunks_exact(W))
                .rev();
            if end == block {
                // The block's last row is its own product.
                if let Some((b, _)) = rows.next() {
                    b.clone_from_slice(&carry);
                }
            }
            for (b, x) in rows {
                rev_row(b, &mut carry, |j, _| conv(&x[j]));
            }
            super::memory::stream_copy(buf, &mut ys[start..end]);
            end = start;
        }
    }
    super::memory::stream_fence();
}

/// [`block_into`] for rows of `W` elements (2 to 8), blocks of `n` rows: the
/// running products of a block are kept in registers from one row to the one
/// before it, instead of read back from the row just written, a round trip
/// through memory per row (measured, 64 MiB, rows of 4: 1.8x-2.1x a copy).
fn rows_fixed_into<A, B, F, const W: usize>(
    src: &[A],
    dst: &mut [B],
    n: usize,
    conv: &F,
    seeded: bool,
) where
    B: Clone + Mul<Output = B>,
    F: Fn(&A) -> B,
{
    if !seeded && four_at_a_time::<B>() && streams_short::<B>(dst.len()) {
        return rows_fixed_streamed_rev::<A, B, F, W>(src, dst, n, conv);
    }
    for (ys, xs) in dst.chunks_exact_mut(n * W).zip(src.chunks_exact(n * W)) {
        let mut rows = ys.chunks_exact_mut(W).zip(xs.chunks_exact(W)).rev();
        let Some((last, x)) = rows.next() else {
            continue;
        };
        let mut carry: [B; W] = if seeded {
            core::array::from_fn(|j| last[j].clone())
        } else {
            core::array::from_fn(|j| conv(&x[j]))
        };
        last.clone_from_slice(&carry);
        for (y, x) in rows {
            rev_row(y, &mut carry, |j, _| conv(&x[j]));
        }
    }
}

/// [`block_inplace`] for rows of `W` elements (2 to 8), blocks of `n` rows,
/// with the running products in registers as in [`rows_fixed_into`].
fn rows_fixed_inplace<B, const W: usize>(data: &mut [B], n: usize)
where
    B: Clone + Mul<Output = B>,
{
    for block in data.chunks_exact_mut(n * W) {
        let mut rows = block.chunks_exact_mut(W).rev();
        let Some(last) = rows.next() else {
            continue;
        };
        let mut carry: [B; W] = core::array::from_fn(|j| last[j].clone());
        for y in rows {
            rev_row(y, &mut carry, |_, value| value.clone());
        }
    }
}

/// One row of a reverse scan over rows of `W` elements: element `j` becomes
/// `value(j, y[j]) * carry[j]`, which is also the new `carry[j]`.
fn rev_row<B, const W: usize>(y: &mut [B], carry: &mut [B; W], value: impl Fn(usize, &B) -> B)
where
    B: Clone + Mul<Output = B>,
{
    for j in (0..W).rev() {
        carry[j] = value(j, &y[j]) * carry[j].clone();
        y[j].clone_from(&carry[j]);
    }
}

/// Scans `K` lanes of `n >= TILE` elements side by side from their end, a
/// tile of [`TILE`] steps at a time: the mirror image of the forward tiles.
///
/// `load(lanes, k, i)` gives the input values of steps `i..i + TILE` of lane
/// `k`; it is handed the output lanes, so that an in-place scan can read them.
fn rev_tiles<B, const K: usize>(
    lanes: &mut [&mut [B]; K],
    mut load: impl FnMut(&[&mut [B]; K], usize, usize) -> [B; TILE],
) where
    B: Clone + Mul<Output = B>,
{
    let n = lanes[0].len();
    // The last element of each lane is its own product.
    let mut carry: [B; K] = core::array::from_fn(|k| load(lanes, k, n - TILE)[TILE - 1].clone());
    for (lane, last) in lanes.iter_mut().zip(&carry) {
        lane[n - 1].clone_from(last);
    }
    // Steps `end..n` are done.
    let mut end = n - 1;
    while end >= TILE {
        let start = end - TILE;
        let mut tiles: [[B; TILE]; K] = core::array::from_fn(|k| load(lanes, k, start));
        for step in (0..TILE).rev() {
            for (tile, c) in tiles.iter_mut().zip(carry.iter_mut()) {
                *c = tile[step].clone() * c.clone();
                tile[step].clone_from(c);
            }
        }
        for (lane, tile) in lanes.iter_mut().zip(&tiles) {
            lane[start..end].clone_from_slice(tile);
        }
        end = start;
    }
    // The first steps, fewer than a tile: lane by lane.
    if end > 0 {
        for k in 0..K {
            let values = load(lanes, k, 0);
            for (y, x) in lanes[k][..end].iter_mut().zip(&values[..end]).rev() {
                carry[k] = x.clone() * carry[k].clone();
                y.clone_from(&carry[k]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::format;
    use alloc::vec;
    use alloc::vec::Vec;

    use super::super::contiguous::lanes_fixed_seeded;
    use super::super::test_support::{buffered_rows_cases, input, Affine};
    use super::*;

    /// The obvious loop over the block `(outer, n, inner)`, from the end of
    /// every lane.
    fn reference<B: Clone + Mul<Output = B>>(
        x: &[B],
        outer: usize,
        n: usize,
        inner: usize,
    ) -> Vec<B> {
        let mut y = x.to_vec();
        for o in 0..outer {
            for i in (0..n.saturating_sub(1)).rev() {
                for j in 0..inner {
                    let at = (o * n + i) * inner + j;
                    y[at] = x[at].clone() * y[at + inner].clone();
                }
            }
        }
        y
    }

    /// [`rows_fixed_streamed_rev`] of rows of `W`, for the lengths of block
    /// (`n` rows) that start a buffer early, exactly, and late, and for one
    /// and several blocks: `Affine` products (which tell the order of the
    /// factors) and `i64` (which `stream_copy` streams, also under Miri).
    fn check_rows_streamed<const W: usize>() {
        for (n, outer) in buffered_rows_cases(ROWS_BUFFER / W) {
            let len = outer * n * W;
            let x = input::<0>(len);
            let mut out = input::<0>(len);
            out.iter_mut().for_each(|y| y.bump());
            rows_fixed_streamed_rev::<_, _, _, W>(&x, &mut out, n, &|a: &Affine<0>| a.clone());
            assert_eq!(out, reference(&x, outer, n, W), "W={W} outer={outer} n={n}");

            // Signs, and a few factors of 3 in the last block.
            let ints: Vec<i64> = (0..len)
                .map(|i| {
                    if i % 97 == 5 && i >= len - n * W {
                        3
                    } else {
                        [1, -1, 1, 1, -1][i % 5]
                    }
                })
                .collect();
            // Off a 16-byte boundary: the first element is stored alone.
            let mut shifted = vec![7_i64; len + 1];
            rows_fixed_streamed_rev::<_, _, _, W>(&ints, &mut shifted[1..], n, &|a: &i64| *a);
            let expected = reference(&ints, outer, n, W);
            assert_eq!(
                (shifted[0], &shifted[1..]),
                (7, &expected[..]),
                "i64 W={W} outer={outer} n={n}"
            );
        }
    }

    #[test]
    fn rows_streamed_through_a_buffer_match_the_reference_loop() {
        check_rows_streamed::<3>();
        if !cfg!(miri) {
            check_rows_streamed::<2>();
            check_rows_streamed::<8>();
        }
    }

    /// [`lanes_fixed_seeded`] in reverse, of lanes of `N`, as many lanes as end a
    /// buffer early, exactly and late (one case under Miri), streamed and
    /// copied, each lane from its last input element, from a seed already in
    /// the output and from an initial value: `Affine` products, which tell
    /// the order of the factors, and `i64` into an output off a 16-byte
    /// boundary.
    fn check_lanes_streamed<const N: usize>() {
        let per_buffer = ROWS_BUFFER / N;
        let counts = if cfg!(miri) {
            vec![per_buffer + 1]
        } else {
            vec![
                1,
                per_buffer - 1,
                per_buffer,
                per_buffer + 1,
                2 * per_buffer + 3,
            ]
        };
        let conv = |a: &Affine<0>| a.clone();
        // An initial value unlike any input element.
        let c = input::<0>(1000)[999].clone();
        for lanes in counts {
            let len = lanes * N;
            let x = input::<0>(len);
            let mut before = input::<0>(len);
            before.iter_mut().for_each(|y| y.bump());
            // The lanes' last elements as the seeds give: their input, the
            // output's, the input times `c`.
            let lasts = |seed: &dyn Fn(usize) -> Affine<0>| {
                let mut from = x.clone();
                for lane in 0..lanes {
                    let last = lane * N + N - 1;
                    from[last] = seed(last);
                }
                reference(&from, lanes, N, 1)
            };
            for streamed in [true, false] {
                let what = format!("N={N} lanes={lanes} streamed={streamed}");
                let mut out = before.clone();
                let seed = |x: &Affine<0>, _: &Affine<0>| x.clone();
                lanes_fixed_seeded::<_, _, _, _, N, true>(&x, &mut out, &conv, &seed, streamed);
                assert_eq!(out, reference(&x, lanes, N, 1), "{what}");

                let mut out = before.clone();
                let seed = |_: &Affine<0>, y: &Affine<0>| y.clone();
                lanes_fixed_seeded::<_, _, _, _, N, true>(&x, &mut out, &conv, &seed, streamed);
                assert_eq!(out, lasts(&|i| before[i].clone()), "seeded {what}");

                let mut out = before.clone();
                let seed = |x: &Affine<0>, _: &Affine<0>| x.clone() * c.clone();
                lanes_fixed_seeded::<_, _, _, _, N, true>(&x, &mut out, &conv, &seed, streamed);
                assert_eq!(out, lasts(&|i| x[i].clone() * c.clone()), "initial {what}");
            }

            let ints: Vec<i64> = (0..len).map(|i| [1, -1, 3, 1, -1][i % 5]).collect();
            let mut shifted = vec![7_i64; len + 1];
            let seed = |x: &i64, _: &i64| *x;
            lanes_fixed_seeded::<_, _, _, _, N, true>(
                &ints,
                &mut shifted[1..],
                &|a: &i64| *a,
                &seed,
                true,
            );
            let expected = reference(&ints, lanes, N, 1);
            assert_eq!(
                (shifted[0], &shifted[1..]),
                (7, &expected[..]),
                "i64 N={N} lanes={lanes}"
            );
        }
    }

    #[test]
    fn short_lanes_streamed_through_a_buffer_match_the_reference_loop() {
        check_lanes_streamed::<3>();
        if !cfg!(miri) {
            check_lanes_streamed::<2>();
            check_lanes_streamed::<4>();
            check_lanes_streamed::<7>();
            check_lanes_streamed::<8>();
        }
    }

    /// [`groups_through_cache_rev`] against the plain loop, whatever the
    /// sizes it is chosen for: lanes of 16 (the shortest), 17, 40 and 64, in
    /// one group and several (one case under Miri); `Affine` products, which
    /// tell the order of the factors, `f64` bit for bit, and `i64` into an
    /// output off a 16-byte boundary. The lanes after the last group take
    /// the loop of [`block_into`] that the other kernels end with (the
    /// large outputs of `tests/suite` end with one to three).
    #[test]
    fn groups_through_a_buffer_match_the_reference_loop() {
        let cases: &[(usize, usize)] = if cfg!(miri) {
            &[(17, 8)]
        } else {
            &[(16, 4), (16, 8), (17, 4), (40, 4), (40, 12), (64, 8)]
        };
        for &(n, lanes) in cases {
            let len = n * lanes;
            let case = format!("n={n} lanes={lanes}");
            let x = input::<0>(len);
            let mut out: Vec<Affine<0>> = input(len).into_iter().rev().collect();
            groups_through_cache_rev(&x, &mut out, n, &Clone::clone);
            assert_eq!(out, reference(&x, lanes, n, 1), "Affine {case}");

            let floats: Vec<f64> = (0..len).map(|i| 1.0 + (i % 13) as f64 * 0.37).collect();
            let mut out = vec![f64::NAN; len];
            groups_through_cache_rev(&floats, &mut out, n, &|x: &f64| *x);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(
                bits(&out),
                bits(&reference(&floats, lanes, n, 1)),
                "f64 {case}"
            );

            let ints: Vec<i64> = (0..len).map(|i| [1, -1, 3, 1, -1, 2][i % 6]).collect();
            let mut shifted = vec![7_i64; len + 1];
            groups_through_cache_rev(&ints, &mut shifted[1..], n, &|a: &i64| *a);
            let expected = reference(&ints, lanes, n, 1);
            assert_eq!(
                (shifted[0], &shifted[1..]),
                (7, &expected[..]),
                "i64 {case}"
            );
        }
    }

    fn check_blocks<const P: usize>() -> usize {
        let mut checked = 0;
        for outer in [0, 1, 2, 3, 4, 5, 8, 9, 17, 33] {
            for n in [0, 1, 2, 7, 8, 9, 15, 16, 17, 24, 25, 33, 100, 130] {
                for inner in [1, 2, 3, 8, 9] {
                    let len = outer * n * inner;
                    let x = input::<P>(len);
                    let expected = reference(&x, outer, n, inner);
                    let case = format!("P={P} outer={outer} n={n} inner={inner}");

                    let mut data = x.clone();
                    block_inplace(&mut data, outer, n, inner);
                    assert_eq!(data, expected, "in place, {case}");

                    let mut dst: Vec<Affine<P>> = input(len).into_iter().rev().collect();
                    block_into(&x, &mut dst, (outer, n, inner), &Clone::clone, false);
                    assert_eq!(dst, expected, "into, {case}");

                    // Seeded: the last row of every block is already in the
                    // output and replaces the input's.
                    let seeds = input::<P>(len + 7)[7..].to_vec();
                    let mut seeded = x.clone();
                    let mut dst: Vec<Affine<P>> = input(len).into_iter().rev().collect();
                    for at in (0..len).filter(|at| (at / inner) % n == n - 1) {
                        seeded[at] = seeds[at].clone();
                        dst[at] = seeds[at].clone();
                    }
                    block_into(&x, &mut dst, (outer, n, inner), &Clone::clone, true);
                    assert_eq!(
                        dst,
                        reference(&seeded, outer, n, inner),
                        "seeded into, {case}"
                    );
                    checked += 1;
                }
            }
        }
        checked
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "thousands of cases on plain slices, hours under Miri; the integration tests run these kernels under Miri on small arrays"
    )]
    fn integer_lanes_match_the_reference_loop() {
        // The integers that take their own four-lane loop
        // (`four_lanes_rev`), with signs in a pseudo-random pattern, so that
        // a value read from the wrong lane or step changes the result.
        let sign = |i: usize| {
            if (i * 2_654_435_761) % 7 < 3 {
                -1i64
            } else {
                1
            }
        };
        for outer in [0, 1, 4, 5, 8, 9] {
            for n in [1, 2, 15, 16, 17, 100, 2048, 2049, 20_000] {
                let len = outer * n;
                let case = format!("outer={outer} n={n}");
                let x: Vec<i64> = (0..len).map(sign).collect();
                let expected = reference(&x, outer, n, 1);

                let mut data = x.clone();
                block_inplace(&mut data, outer, n, 1);
                assert_eq!(data, expected, "in place, {case}");

                let mut dst = vec![7i64; len];
                block_into(&x, &mut dst, (outer, n, 1), &|v: &i64| *v, false);
                assert_eq!(dst, expected, "into, {case}");

                let mut seeded = x.clone();
                let mut dst = vec![7i64; len];
                for at in (0..len).filter(|at| at % n == n - 1) {
                    seeded[at] = -sign(at + 1) * 3;
                    dst[at] = seeded[at];
                }
                block_into(&x, &mut dst, (outer, n, 1), &|v: &i64| *v, true);
                assert_eq!(dst, reference(&seeded, outer, n, 1), "seeded into, {case}");
            }
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "thousands of cases on plain slices, hours under Miri; the integration tests run these kernels under Miri on small arrays"
    )]
    fn reverse_blocks_match_the_reference_loop() {
        // 16-byte elements: one piece (4096 elements) holds every group.
        assert!(check_blocks::<0>() > 600);
        // 128-byte elements: pieces of 512 elements, so that lanes of 16 to
        // 100 are staged a few groups at a time, with partial pieces, and
        // lanes of 130 go side by side without staging.
        assert_eq!(piece_len::<Affine<14>>(), 512);
        assert!(check_blocks::<14>() > 600);
    }
}
