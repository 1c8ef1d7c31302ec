//! Scans over contiguous memory: the fast kernels.
//!
//! A contiguous array with non-negative strides, read in memory order, is a
//! row-major block of shape `(outer, n, inner)` where `n` is the length of the
//! scan axis, `inner` the number of elements between two consecutive elements
//! of a lane (the product of the lengths of the axes that vary faster in
//! memory) and `outer` the number of such blocks. [`scan`] walks that block in
//! an order chosen from `n` and `inner`:
//!
//! - `inner == 1`, the lanes are contiguous: several lanes are scanned side by
//!   side ([`scan_group`]), so that the multiplications of a lane, which must
//!   wait for each other, overlap with those of the other lanes.
//! - `inner > 1`, the lanes are strided: the block is a sequence of rows of
//!   `inner` elements, each row the elementwise product of the row before and
//!   the input row, which walks memory in order and vectorises. Rows of up to 8
//!   elements keep the previous row in registers ([`rows_fixed`]).
//!
//! The output is written through a [`Stage`], which puts the (converted)
//! input values where the results go, a cache-sized piece at a time, and then
//! lets the kernel turn them into products in place while they are still in
//! cache. When input and output are slices in the same order ([`SliceInto`]),
//! the group, lane and row kernels read the input and write the products in
//! one pass instead. Each lane is still computed left to right,
//! `previous * current`.

use alloc::vec::Vec;
use core::ops::{Mul, Range};

use super::memory;

/// How many elements of `B` a piece staged at once holds: 64 KiB, which stays
/// in the level-2 cache of any current CPU while a kernel works on it.
pub(super) fn piece_len<B>() -> usize {
    (64 * 1024 / core::mem::size_of::<B>().max(1)).max(1)
}

/// The size of the pieces that [`scan_row_pieces`] stages one ahead of the
/// row kernels.
const PIPELINE_BYTES: usize = 2048;

/// Lanes scanned side by side. Four lanes, a tile of 8 steps each, keep the
/// multiplier busy without running out of registers: measured on a 2-core
/// AMD EPYC, 4 lanes beat 2, 8 and 16 by 15% to 60% (f64, lanes of 64 to
/// 8192 elements).
pub(super) const GROUP: usize = 4;

/// The largest element, in bytes, that the group and row kernels hold in
/// arrays on the stack: about 50 at a time (four lanes of [`TILE`]-step
/// tiles and their running products, or two rows of up to 8 elements).
/// Larger elements (a matrix of several KiB, say) take the plain lane and row
/// loops, which hold two or three at a time, so that any element type fits a
/// thread's stack (2 MiB for test threads and rayon's workers) in debug and
/// release builds; the multiplication of such elements costs far more than
/// any loop order saves.
const TILED_MAX_BYTES: usize = 128;

/// Whether elements of `B` are small enough for the group and row kernels
/// (see [`TILED_MAX_BYTES`]).
pub(super) const fn tiled<B>() -> bool {
    core::mem::size_of::<B>() <= TILED_MAX_BYTES
}

/// The largest group of [`GROUP`] lanes, in bytes, that a sequential stage
/// (a vector being filled) stages whole and scans in cache. Longer lanes
/// were scanned one at a time, at the latency of one multiplication per
/// element, since a vector can only grow at its end (measured, `cumprod_axis`
/// of 64 MiB, lanes of 8,192 i64: 1.26x `to_owned`, slower than ndarray's
/// `cumprod`; 1.12x staged in groups of 256 KiB).
const SEQUENTIAL_GROUP_BYTES: usize = 512 << 10;

/// Lanes shorter than this are scanned one after another: the processor
/// overlaps short independent lanes by itself.
pub(super) const SHORT_LANE: usize = 16;
const _: () = assert!(
    SHORT_LANE >= TILE,
    "a group scan needs a whole tile per lane"
);

/// The output of a scan, as seen by the kernels: positions are indices into
/// the output's memory.
pub(crate) trait Stage<B> {
    /// Whether [`stage`](Stage::stage) must be called on consecutive ranges,
    /// each starting where the last one ended (true when the input is read
    /// through an iterator or the output is a vector being filled).
    const SEQUENTIAL: bool;

    /// Whether staging touches nothing ([`InPlace`]): a group of short lanes
    /// is then read from memory, not from cache.
    const IN_PLACE: bool = false;

    /// Writes the input values that belong at the positions `range` of the
    /// output there, and returns the output, at least up to `range.end`.
    fn stage(&mut self, range: Range<usize>) -> &mut [B];

    /// Stages and scans the [`GROUP`] consecutive lanes of `n >= TILE`
    /// elements that start at `base`.
    fn scan_group(&mut self, base: usize, n: usize)
    where
        B: Clone + Mul<Output = B>,
    {
        let end = base + GROUP * n;
        let out = self.stage(base..end);
        scan_group::<B, GROUP>(&mut out[base..end], n, false);
    }

    /// Scans the groups of [`GROUP`] short lanes of `n` elements in `range`
    /// through a buffer in cache, streamed out from there, if the stage
    /// takes that path ([`SliceInto`] into a large output); else does
    /// nothing and returns false.
    fn scan_groups_through_cache(&mut self, range: Range<usize>, n: usize) -> bool
    where
        B: Clone + Mul<Output = B>,
    {
        let _ = (range, n);
        false
    }

    /// Scans the `rows` rows of `W` elements at the start of the output, in
    /// blocks of `n` rows, reading the input and writing the products in one
    /// pass, if the stage reads its input from a slice ([`SliceInto`], and
    /// [`ContinueInto`] from its seeds); else does nothing and returns false.
    fn scan_rows_in_one_pass<const W: usize>(&mut self, rows: usize, n: usize) -> bool
    where
        B: Clone + Mul<Output = B>,
    {
        let _ = (rows, n);
        false
    }

    /// Stages and scans the lane of `n` elements at `base`, a piece of about
    /// [`PIPELINE_BYTES`] at a time, each staged one piece ahead of its scan:
    /// the copy, bound by memory, runs while the chain of multiplications,
    /// bound by their latency, works through the piece before.
    fn scan_lane(&mut self, base: usize, n: usize)
    where
        B: Clone + Mul<Output = B>,
    {
        let piece = PIPELINE_BYTES / core::mem::size_of::<B>().max(1);
        stage_ahead(self, base..base + n, piece, |out, done| {
            scan_run(&mut out[base..done.end], done.start - base..done.end - base);
        });
    }

    /// Stages the row of `len` elements at `start` and multiplies it, element
    /// by element, by the row of `len` elements just before it:
    /// `out[start + j] = out[start - len + j] * x[start + j]`.
    fn stage_row_product(&mut self, start: usize, len: usize)
    where
        B: Clone + Mul<Output = B>,
    {
        let out = self.stage(start..start + len);
        let (done, row) = out.split_at_mut(start);
        times_row(&mut row[..len], &done[start - len..]);
    }
}

/// `row[j] = prev[j] * row[j]`, for the rows of an in-place scan.
///
/// Written inline after a `split_at_mut`, the loop ran one element at a time:
/// the compiler could not tell the two rows apart. Through a function that is
/// never inlined, whose two arguments cannot overlap, it vectorises (measured,
/// 64 x 64 f64 along axis 0: 1.9 µs a call to 1.4 µs; 64 MiB in place, 1.1x a
/// copy to 0.8x). Integers that baseline x86-64 has no vector multiplication
/// for keep the inline loop: the emulated vector multiplication was slower
/// than one `imul` per element (64 x 64 i64: 2.0 µs to 2.2 µs).
fn times_row<B: Clone + Mul<Output = B>>(row: &mut [B], prev: &[B]) {
    #[inline(never)]
    fn apart<B: Clone + Mul<Output = B>>(row: &mut [B], prev: &[B]) {
        for (y, p) in row.iter_mut().zip(prev) {
            *y = p.clone() * y.clone();
        }
    }
    if let (Some(row), Some(prev)) = (memory::same_mut(&mut *row), memory::same_ref(prev)) {
        crate::scaled::times_row_f64(row, prev);
    } else if memory::times_words(row, prev) {
        // 64-bit integers, eight at a time with AVX-512 (a product of
        // integers is the same either way round).
    } else if scalar_multiply::<B>() {
        for (y, p) in row.iter_mut().zip(prev) {
            *y = p.clone() * y.clone();
        }
    } else {
        apart(row, prev);
    }
}

/// Whether `B` is a 32- or 64-bit integer, which baseline x86-64 (SSE2)
/// multiplies one at a time. `typeid` gives the type's identity without the
/// `'static` bound that `core::any::TypeId::of` needs; lifetimes aside, the
/// comparison is exact, and a type it does not know only takes the other loop.
pub(super) fn scalar_multiply<B>() -> bool {
    use core::any::TypeId;
    let id = typeid::of::<B>();
    [
        TypeId::of::<i64>(),
        TypeId::of::<u64>(),
        TypeId::of::<i32>(),
        TypeId::of::<u32>(),
        TypeId::of::<isize>(),
        TypeId::of::<usize>(),
    ]
    .contains(&id)
}

/// Whether lanes of `B` are scanned four at a time, step by step
/// ([`four_lanes`]) rather than in tiles: the integers of
/// [`scalar_multiply`], and [`Scaled`](crate::Scaled) products, whose tiles
/// of two words an element spilled too (measured, 64 MiB `f64` into
/// `Scaled<f64>`, lanes of 1,024 or 8,192: 6.0x the plain scan in tiles, 2.6x
/// four at a time).
pub(super) fn four_at_a_time<B>() -> bool {
    use core::any::TypeId;
    let id = typeid::of::<B>();
    scalar_multiply::<B>()
        || id == TypeId::of::<crate::Scaled<f64>>()
        || id == TypeId::of::<crate::Scaled<f32>>()
}

/// The array is its own input: nothing to stage.
pub(crate) struct InPlace<'a, B>(pub(crate) &'a mut [B]);

impl<B> Stage<B> for InPlace<'_, B> {
    const SEQUENTIAL: bool = false;
    const IN_PLACE: bool = true;

    fn stage(&mut self, _: Range<usize>) -> &mut [B] {
        self.0
    }
}

/// The array is its own input, and `prepare` runs on every element before the
/// scan reads it (NaN-skipping maps NaN to one there): still one pass.
pub(crate) struct Prepared<'a, B, P> {
    pub(crate) data: &'a mut [B],
    pub(crate) prepare: P,
}

impl<B, P: Fn(&mut B)> Stage<B> for Prepared<'_, B, P> {
    const SEQUENTIAL: bool = false;

    fn stage(&mut self, range: Range<usize>) -> &mut [B] {
        self.data[range].iter_mut().for_each(&self.prepare);
        self.data
    }

    fn scan_group(&mut self, base: usize, n: usize)
    where
        B: Clone + Mul<Output = B>,
    {
        // Prepare each tile as it is loaded: staging the whole group first
        // would walk long lanes twice.
        let prepare = &self.prepare;
        let end = base + GROUP * n;
        scan_tiles::<B, GROUP>(
            &mut lanes_of(&mut self.data[base..end], n),
            |lanes, k, i| {
                let tile: &[B; TILE] = lanes[k][i..i + TILE].try_into().expect("a whole tile");
                let mut tile = tile.clone();
                tile.iter_mut().for_each(prepare);
                tile
            },
        );
    }

    fn scan_lane(&mut self, base: usize, n: usize)
    where
        B: Clone + Mul<Output = B>,
    {
        // One loop: a lane alone is bound by the latency of its
        // multiplications, and a separate preparing pass would add to it.
        let Some((first, rest)) = self.data[base..base + n].split_first_mut() else {
            return;
        };
        (self.prepare)(first);
        let mut carry = first.clone();
        for y in rest {
            (self.prepare)(y);
            carry = carry * y.clone();
            y.clone_from(&carry);
        }
    }
}

/// Input and output are slices in the same memory order.
pub(crate) struct SliceInto<'a, A, B, F> {
    pub(crate) src: &'a [A],
    pub(crate) dst: &'a mut [B],
    pub(crate) conv: F,
}

impl<A, B, F: Fn(&A) -> B> Stage<B> for SliceInto<'_, A, B, F> {
    const SEQUENTIAL: bool = false;

    fn stage(&mut self, range: Range<usize>) -> &mut [B] {
        for (y, x) in self.dst[range.clone()].iter_mut().zip(&self.src[range]) {
            *y = (self.conv)(x);
        }
        self.dst
    }

    fn scan_group(&mut self, base: usize, n: usize)
    where
        B: Clone + Mul<Output = B>,
    {
        // One pass: read the input lanes and write the products directly.
        let end = base + GROUP * n;
        scan_group_into::<A, B, F, GROUP>(
            &self.src[base..end],
            &mut self.dst[base..end],
            n,
            &self.conv,
            false,
        );
    }

    fn scan_groups_through_cache(&mut self, range: Range<usize>, n: usize) -> bool
    where
        B: Clone + Mul<Output = B>,
    {
        if !through_cache::<B>(self.dst.len(), n) {
            return false;
        }
        groups_through_cache(
            &self.src[range.clone()],
            &mut self.dst[range],
            n,
            &self.conv,
        );
        true
    }

    fn scan_rows_in_one_pass<const W: usize>(&mut self, rows: usize, n: usize) -> bool
    where
        B: Clone + Mul<Output = B>,
    {
        let len = rows * W;
        let (src, dst) = (&self.src[..len], &mut self.dst[..len]);
        rows_fixed_one_pass::<A, B, F, W>(src, dst, n, &self.conv, false);
        true
    }

    fn scan_lane(&mut self, base: usize, n: usize)
    where
        B: Clone + Mul<Output = B>,
    {
        // One pass: the lane is bound by the latency of its multiplications,
        // and a copy before them would add to it.
        if n == 0 {
            return;
        }
        self.dst[base] = (self.conv)(&self.src[base]);
        continue_lane(
            &self.src[base..base + n],
            &mut self.dst[base..base + n],
            &self.conv,
        );
    }

    fn stage_row_product(&mut self, start: usize, len: usize)
    where
        B: Clone + Mul<Output = B>,
    {
        // One pass: read the input row and write the products directly.
        row_product_into(self.src, self.dst, start, len, &self.conv);
    }
}

/// Input and output are slices in the same memory order, and the first
/// element of every lane is already in the output (a seed: the initial value
/// times the first input element): the scan continues from it, in one pass.
pub(crate) struct ContinueInto<'a, A, B, F> {
    pub(crate) src: &'a [A],
    pub(crate) dst: &'a mut [B],
    pub(crate) conv: F,
    /// The block `(_, n, inner)` being scanned: the seeds are the first row of
    /// `inner` elements of every block of `n * inner`.
    pub(crate) n: usize,
    pub(crate) inner: usize,
}

impl<A, B, F: Fn(&A) -> B> Stage<B> for ContinueInto<'_, A, B, F> {
    const SEQUENTIAL: bool = false;

    fn stage(&mut self, range: Range<usize>) -> &mut [B] {
        // Every position of `range` but the seeds, a block at a time.
        let block = self.n * self.inner;
        let mut at = range.start;
        while at < range.end {
            let start = at - at % block;
            let end = range.end.min(start + block);
            let from = at.max(start + self.inner);
            if from < end {
                for (y, x) in self.dst[from..end].iter_mut().zip(&self.src[from..end]) {
                    *y = (self.conv)(x);
                }
            }
            at = end;
        }
        self.dst
    }

    fn scan_group(&mut self, base: usize, n: usize)
    where
        B: Clone + Mul<Output = B>,
    {
        // One pass, as for `SliceInto`, with each lane's first tile starting
        // from its seed.
        let end = base + GROUP * n;
        scan_group_into::<A, B, F, GROUP>(
            &self.src[base..end],
            &mut self.dst[base..end],
            n,
            &self.conv,
            true,
        );
    }

    fn scan_lane(&mut self, base: usize, n: usize)
    where
        B: Clone + Mul<Output = B>,
    {
        continue_lane(
            &self.src[base..base + n],
            &mut self.dst[base..base + n],
            &self.conv,
        );
    }

    fn stage_row_product(&mut self, start: usize, len: usize)
    where
        B: Clone + Mul<Output = B>,
    {
        // Rows after the first: as for `SliceInto`.
        row_product_into(self.src, self.dst, start, len, &self.conv);
    }

    fn scan_rows_in_one_pass<const W: usize>(&mut self, rows: usize, n: usize) -> bool
    where
        B: Clone + Mul<Output = B>,
    {
        // As for `SliceInto`, each block from its first row, the seeds.
        if self.inner != W || self.n != n {
            return false;
        }
        let len = rows * W;
        let (src, dst) = (&self.src[..len], &mut self.dst[..len]);
        rows_fixed_one_pass::<A, B, F, W>(src, dst, n, &self.conv, true);
        true
    }
}

/// Scans one lane of `src` into `dst` (same length), continuing from
/// `dst[0]`, which holds the lane's first product already.
fn continue_lane<A, B>(src: &[A], dst: &mut [B], conv: &impl Fn(&A) -> B)
where
    B: Clone + Mul<Output = B>,
{
    let Some((first, rest)) = dst.split_first_mut() else {
        return;
    };
    let mut carry = first.clone();
    for (y, x) in rest.iter_mut().zip(&src[1..]) {
        carry = carry * conv(x);
        y.clone_from(&carry);
    }
}

/// `dst[start + j] = dst[start - len + j] * conv(src[start + j])` for the row of
/// `len` elements at `start`: the input row and the previous output row, read
/// and multiplied in one pass.
fn row_product_into<A, B>(
    src: &[A],
    dst: &mut [B],
    start: usize,
    len: usize,
    conv: &impl Fn(&A) -> B,
) where
    B: Clone + Mul<Output = B>,
{
    let (done, row) = dst.split_at_mut(start);
    let values = &src[start..start + len];
    if crate::cumprod_ext::is_convert::<B, B, _>(conv)
        && memory::times_words_into(&mut row[..len], &done[start - len..], values)
    {
        return;
    }
    if crate::scaled::converts_f64(conv) {
        if let (Some(row), Some(prev), Some(x)) = (
            memory::same_mut(&mut row[..len]),
            memory::same_ref(&done[start - len..]),
            memory::same_ref(values),
        ) {
            crate::scaled::times_floats_f64(row, prev, x);
            return;
        }
    }
    for ((y, prev), x) in row[..len].iter_mut().zip(&done[start - len..]).zip(values) {
        *y = prev.clone() * conv(x);
    }
}

/// Input, mask and output are slices in the same memory order; where the mask
/// is false the element counts as one (the masked scan of
/// [`Cumprod::mask`](crate::Cumprod::mask) along contiguous lanes, on the
/// plain kernels; along rows, the kernels of
/// [`segmented`](super::segmented) read the mask in the same pass). The
/// conversion runs on every element, so that the select vectorises.
pub(crate) struct MaskedInto<'a, A, B, F, O> {
    pub(crate) src: &'a [A],
    pub(crate) mask: &'a [bool],
    pub(crate) dst: &'a mut [B],
    pub(crate) conv: F,
    pub(crate) one: O,
}

/// The factor of element `x` of a masked scan under the mask flag `m`: the
/// converted element where `m` is true, else one. The conversion runs on
/// every element, so that the select vectorises.
#[inline(always)]
pub(super) fn masked_factor<A, B>(
    conv: &impl Fn(&A) -> B,
    one: &impl Fn() -> B,
    x: &A,
    m: bool,
) -> B {
    let v = conv(x);
    if m {
        v
    } else {
        one()
    }
}

/// `out[j]` = [`masked_factor`] of `x[j]` under `m[j]`, over slices of
/// one length (the shortest): a loop of selects that vectorises.
#[inline(always)]
pub(super) fn masked_factors<A, B>(
    conv: &impl Fn(&A) -> B,
    one: &impl Fn() -> B,
    x: &[A],
    m: &[bool],
    out: &mut [B],
) {
    for ((y, x), &m) in out.iter_mut().zip(x).zip(m) {
        *y = masked_factor(conv, one, x, m);
    }
}

/// The elements of a masked lane whose factors are selected at a time, one
/// piece ahead of their multiplications ([`MaskedInto::scan_lane`]): 8, 1.3x
/// the plain scan; 16, 1.25x; 32, 1.4x; 64, 1.45x.
const PIECE: usize = 16;

impl<A, B, F: Fn(&A) -> B, O: Fn() -> B> Stage<B> for MaskedInto<'_, A, B, F, O> {
    const SEQUENTIAL: bool = false;

    fn stage(&mut self, range: Range<usize>) -> &mut [B] {
        let src = &self.src[range.clone()];
        let mask = &self.mask[range.clone()];
        masked_factors(&self.conv, &self.one, src, mask, &mut self.dst[range]);
        self.dst
    }

    fn scan_group(&mut self, base: usize, n: usize)
    where
        B: Clone + Mul<Output = B>,
    {
        // One pass, as for `SliceInto`.
        let end = base + GROUP * n;
        let inputs: [&[A]; GROUP] =
            core::array::from_fn(|k| &self.src[base + k * n..base + (k + 1) * n]);
        let masks: [&[bool]; GROUP] =
            core::array::from_fn(|k| &self.mask[base + k * n..base + (k + 1) * n]);
        let (conv, one) = (&self.conv, &self.one);
        scan_tiles::<B, GROUP>(
            &mut lanes_of(&mut self.dst[base..end], n),
            // Called for every tile of every lane: inlined, the select runs
            // on the tile in registers (measured, 64 MiB, lanes of 8,192
            // f64: 1.5x the plain scan, against 2.0x as a call). Forcing the
            // same on `scan_group_into` made the NaN-skipping conversion
            // slower (1.2x a copy to 2.1x), so that one is left to the
            // compiler.
            #[inline(always)]
            |_, k, i| {
                let tile: &[A; TILE] = inputs[k][i..i + TILE].try_into().expect("a whole tile");
                let m: &[bool; TILE] = masks[k][i..i + TILE].try_into().expect("a whole tile");
                core::array::from_fn(|s| {
                    let v = conv(&tile[s]);
                    if m[s] {
                        v
                    } else {
                        one()
                    }
                })
            },
        );
    }

    fn scan_lane(&mut self, base: usize, n: usize)
    where
        B: Clone + Mul<Output = B>,
    {
        if n == 0 {
            return;
        }
        // The factors of a piece first, in a loop of selects that
        // vectorises, one piece ahead of the chain of multiplications over
        // them, which then overlap. Chosen as each factor is multiplied, the
        // select was a branch, which a mask without a pattern mispredicts
        // (measured, one lane of 8 Mi f64, one element in seven masked out
        // at random, time / the plain scan: 2.0x; pieces of 256 selected,
        // then multiplied, 1.6x; 16 one piece ahead, 1.25x).
        let (conv, one) = (&self.conv, &self.one);
        let (src, mask) = (&self.src[base..base + n], &self.mask[base..base + n]);
        let put = |y: &mut [B], at: usize| {
            let (x, m) = (&src[at..at + y.len()], &mask[at..at + y.len()]);
            masked_factors(conv, one, x, m, y);
        };
        let stream = streams_short::<B>(self.dst.len());
        let dst = &mut self.dst[base..base + n];
        if n < 2 * PIECE {
            put(dst, 0);
            scan_run(dst, 0..n);
            return;
        }
        masked_lane(dst, put, stream);
    }
}

/// [`MaskedInto::scan_lane`] of a lane of at least two pieces, whose
/// factors `put(piece, at)` writes into `piece` (those of the positions
/// from `at` on): the factors of a [`PIECE`] selected into a buffer in
/// cache, one piece ahead of the chain, which writes the products to `dst`.
/// Where `stream` (a large output, [`streams_short`]) they are streamed from
/// the registers that hold them ([`memory::stream_scan`]), so that the
/// output is written once without first being read, as the plain scan
/// writes it. Measured (one lane, one element in seven masked out at random,
/// time / a copy, paired runs): 8 Mi elements, the factors staged in the
/// output, `f64` 1.4x-1.6x and `i64` 1.4x-1.7x, streamed from the buffer
/// 1.1x-1.4x and 1.15x-1.55x; 64 Ki and 1 Mi elements, written with
/// ordinary stores, the buffer took 0.9x-1.0x the time of staging in the
/// output.
fn masked_lane<B: Clone + Mul<Output = B>>(
    dst: &mut [B],
    put: impl Fn(&mut [B], usize),
    stream: bool,
) {
    let n = dst.len();
    // The first element, and where the rest is streamed but would not
    // start on 16 bytes the second, written as they are.
    let lead = if stream && (dst[1..].as_ptr() as usize) % 16 != 0 {
        2
    } else {
        1
    };
    put(&mut dst[..lead], 0);
    let mut carry = dst[0].clone();
    if lead == 2 {
        carry = carry * dst[1].clone();
        dst[1].clone_from(&carry);
    }
    let mut buffers: [[B; PIECE]; 2] =
        core::array::from_fn(|_| core::array::from_fn(|_| carry.clone()));
    let [mut current, mut ahead] = buffers.each_mut();
    let (mut at, mut len) = (lead, PIECE.min(n - lead));
    put(&mut current[..len], at);
    while at < n {
        let next = at + len;
        let next_len = PIECE.min(n - next);
        put(&mut ahead[..next_len], next);
        let out = &mut dst[at..next];
        // Streamed unless the piece is the last, of an odd length, or the
        // type is not one `stream_scan` takes.
        if !(stream && memory::stream_scan(&mut carry, &current[..len], out)) {
            for (y, factor) in out.iter_mut().zip(&current[..len]) {
                carry = carry.clone() * factor.clone();
                y.clone_from(&carry);
            }
        }
        core::mem::swap(&mut current, &mut ahead);
        (at, len) = (next, next_len);
    }
    if stream {
        memory::stream_fence();
    }
}

/// The output is a slice; the input comes from an iterator in the output's
/// memory order (a differently laid out or non-contiguous input).
pub(crate) struct IterInto<'a, B, I, F> {
    pub(crate) src: I,
    pub(crate) dst: &'a mut [B],
    pub(crate) conv: F,
}

impl<'s, A: 's, B, I, F> Stage<B> for IterInto<'_, B, I, F>
where
    I: Iterator<Item = &'s A>,
    F: Fn(&A) -> B,
{
    const SEQUENTIAL: bool = true;

    fn stage(&mut self, range: Range<usize>) -> &mut [B] {
        for (y, x) in self.dst[range].iter_mut().zip(self.src.by_ref()) {
            *y = (self.conv)(x);
        }
        self.dst
    }
}

/// Where [`Collect`] reads the input: a slice, or an iterator in the output's
/// memory order.
pub(crate) trait Source {
    /// The input element type.
    type Item;

    /// Appends the converted values of `range` to `dst`.
    fn extend_into<B>(
        &mut self,
        range: Range<usize>,
        dst: &mut Vec<B>,
        conv: impl Fn(&Self::Item) -> B,
    );

    /// Appends the running products of the converted values of `range`, a
    /// lane, to `dst`, in one pass.
    fn extend_scanned<B: Clone + Mul<Output = B>>(
        &mut self,
        range: Range<usize>,
        dst: &mut Vec<B>,
        conv: impl Fn(&Self::Item) -> B,
    );
}

/// [`Source::extend_scanned`] of the values `values`.
#[inline(always)]
fn extend_scanned<'a, A: 'a, B: Clone + Mul<Output = B>>(
    mut values: impl Iterator<Item = &'a A>,
    dst: &mut Vec<B>,
    conv: impl Fn(&A) -> B,
) {
    let Some(first) = values.next() else {
        return;
    };
    let mut carry = conv(first);
    dst.push(carry.clone());
    dst.extend(values.map(|x| {
        carry = carry.clone() * conv(x);
        carry.clone()
    }));
}

impl<A> Source for &[A] {
    type Item = A;

    fn extend_into<B>(&mut self, range: Range<usize>, dst: &mut Vec<B>, conv: impl Fn(&A) -> B) {
        // A mapped slice iterator has an exact length: `extend` writes the
        // whole range without a capacity check per element.
        dst.extend(self[range].iter().map(conv));
    }

    fn extend_scanned<B: Clone + Mul<Output = B>>(
        &mut self,
        range: Range<usize>,
        dst: &mut Vec<B>,
        conv: impl Fn(&A) -> B,
    ) {
        extend_scanned(self[range].iter(), dst, conv);
    }
}

/// An iterator over the input in the output's memory order.
pub(crate) struct InOrder<I>(pub(crate) I);

impl<'a, A: 'a, I: Iterator<Item = &'a A>> Source for InOrder<I> {
    type Item = A;

    fn extend_into<B>(&mut self, range: Range<usize>, dst: &mut Vec<B>, conv: impl Fn(&A) -> B) {
        dst.extend(self.0.by_ref().take(range.len()).map(conv));
    }

    fn extend_scanned<B: Clone + Mul<Output = B>>(
        &mut self,
        range: Range<usize>,
        dst: &mut Vec<B>,
        conv: impl Fn(&A) -> B,
    ) {
        extend_scanned(self.0.by_ref().take(range.len()), dst, conv);
    }
}

/// The output is a new vector, filled in memory order.
pub(crate) struct Collect<B, S, F> {
    pub(crate) src: S,
    pub(crate) dst: Vec<B>,
    pub(crate) conv: F,
}

impl<B, S, F> Stage<B> for Collect<B, S, F>
where
    S: Source,
    F: Fn(&S::Item) -> B,
{
    // The vector grows at its end only.
    const SEQUENTIAL: bool = true;

    fn stage(&mut self, range: Range<usize>) -> &mut [B] {
        debug_assert_eq!(range.start, self.dst.len());
        self.src.extend_into(range, &mut self.dst, &self.conv);
        &mut self.dst
    }
}

/// Scans the row-major block `(outer, n, inner)` along its middle axis.
pub(crate) fn scan<B, S>(stage: &mut S, outer: usize, n: usize, inner: usize)
where
    B: Clone + Mul<Output = B>,
    S: Stage<B>,
{
    let len = outer * n * inner;
    if n <= 1 || len == 0 {
        // Nothing to multiply: the result is the input.
        let piece = piece_len::<B>();
        for start in (0..len).step_by(piece) {
            stage.stage(start..len.min(start + piece));
        }
    } else if inner == 1 {
        scan_lanes(stage, outer, n);
    } else {
        scan_rows(stage, outer, n, inner);
    }
}

/// Scans in place the row-major block `(outer, n, inner)` of a small array
/// (a few KiB, in cache), with rows of `inner` elements, along its middle
/// axis, with nothing to do per row but the multiplications. For rows of a
/// few elements, the per-row work of [`scan`] (staging, bounds, the choice
/// of a row kernel) cost as much as the multiplications (16 x 16 `i64`
/// along axis 0: 1,547 instructions a call, 0.8x the speed of ndarray's
/// `cumprod`).
///
/// Each row is multiplied into the next in a loop that vectorises, except
/// for the integers that baseline x86-64 multiplies one at a time
/// ([`scalar_multiply`]): those are scanned down four columns at a time,
/// the four running products in registers, four independent chains.
pub(crate) fn small_rows<B: Clone + Mul<Output = B>>(data: &mut [B], n: usize, inner: usize) {
    let block = n * inner;
    if block == 0 || n == 1 {
        return;
    }
    for block in data.chunks_exact_mut(block) {
        if scalar_multiply::<B>() {
            small_columns(block, inner);
            continue;
        }
        let (mut prev, mut rest) = block.split_at_mut(inner);
        while !rest.is_empty() {
            let (row, tail) = core::mem::take(&mut rest).split_at_mut(inner);
            for (y, p) in row.iter_mut().zip(prev.iter()) {
                *y = p.clone() * y.clone();
            }
            prev = row;
            rest = tail;
        }
    }
}

/// [`small_rows`] of one block, down its columns: four at a time, then one
/// at a time.
fn small_columns<B: Clone + Mul<Output = B>>(block: &mut [B], inner: usize) {
    let (first, rest) = block.split_at_mut(inner);
    let mut column = 0;
    while column + 4 <= inner {
        let mut p: [B; 4] = core::array::from_fn(|k| first[column + k].clone());
        for row in rest.chunks_exact_mut(inner) {
            let row: &mut [B; 4] = (&mut row[column..column + 4])
                .try_into()
                .expect("four columns");
            for (p, y) in p.iter_mut().zip(row.iter_mut()) {
                *p = p.clone() * y.clone();
                y.clone_from(p);
            }
        }
        column += 4;
    }
    for column in column..inner {
        let mut p = first[column].clone();
        for row in rest.chunks_exact_mut(inner) {
            p = p * row[column].clone();
            row[column].clone_from(&p);
        }
    }
}

/// The widest rows that [`scan`] scans with running products held in
/// registers, a kernel for each width.
pub(crate) const FIXED_ROWS: usize = 8;

/// `outer` contiguous lanes of `n > 1` elements.
fn scan_lanes<B, S>(stage: &mut S, outer: usize, n: usize)
where
    B: Clone + Mul<Output = B>,
    S: Stage<B>,
{
    let piece = piece_len::<B>();
    let mut lane = 0;
    if !tiled::<B>() {
        // Large elements: lane by lane, below.
    } else if n >= SHORT_LANE
        && (GROUP * n <= piece
            || S::SEQUENTIAL && GROUP * n * core::mem::size_of::<B>() <= SEQUENTIAL_GROUP_BYTES)
    {
        // Short lanes: stage the groups in memory order and scan each in
        // cache. Reading four short lanes side by side straight from memory
        // starts four short streams at once, which the hardware prefetcher
        // does not follow (measured: lanes of 64 i64 went from 3.9x to 1.9x a
        // copy, f64 from 2.0x to 1.4x). The staging runs one group ahead of
        // the scan, so that the copy, bound by memory, and the scan, bound by
        // the multiplications, overlap (staging a 64 KiB piece, then scanning
        // it, ran them one after the other: lanes of 64, i64 1.4x a copy
        // instead of 2.0x, f64 1.2x instead of 1.5x). A vector being
        // filled does the same with longer lanes, up to
        // `SEQUENTIAL_GROUP_BYTES` a group.
        lane = outer / GROUP * GROUP;
        if !stage.scan_groups_through_cache(0..lane * n, n) {
            stage_ahead(stage, 0..lane * n, GROUP * n, |out, group| {
                scan_group::<B, GROUP>(&mut out[group], n, S::IN_PLACE);
            });
        }
    } else if n >= SHORT_LANE && !S::SEQUENTIAL {
        // Long lanes, side by side, in one pass where the stage allows it.
        while lane + GROUP <= outer {
            stage.scan_group(lane * n, n);
            lane += GROUP;
        }
    }
    // The other lanes one after another: as many whole lanes as fit in a
    // piece, or a long lane a piece at a time.
    let lanes_per_piece = (piece / n).max(1);
    while lane < outer {
        let count = lanes_per_piece.min(outer - lane);
        let base = lane * n;
        if count == 1 {
            stage.scan_lane(base, n);
        } else {
            let out = stage.stage(base..base + count * n);
            for one in out[base..base + count * n].chunks_exact_mut(n) {
                scan_run(one, 0..n);
            }
        }
        lane += count;
    }
}

/// The elements of the buffer of [`groups_through_cache`]: a group of
/// [`GROUP`] lanes of up to 256 elements (8 KiB of `i64`).
const CACHED_GROUP: usize = 1024;

/// How far ahead of the group it scans [`groups_through_cache`] asks for the
/// input, in bytes (at least a group ahead). Measured (64 MiB `i64`, time /
/// a copy, paired runs): lanes of 16, 1.21x-1.34x staged in the output,
/// 1.67x-3.0x through the buffer without asking ahead, 1.13x-1.15x a group
/// ahead, 0.92x-0.99x 2 KiB ahead; lanes of 64, 1.41x-1.47x, 1.7x, 1.03x-1.09x
/// and 0.99x-1.06x. 4 KiB ahead was no better, and slower on lanes of 16.
const CACHED_AHEAD_BYTES: usize = 2048;

/// Whether [`groups_through_cache`] scans the groups of short lanes of `n`
/// elements into an output of `len` elements of `B`: the integers that are
/// multiplied one at a time ([`four_at_a_time`], at most 8 bytes) into an
/// output of `streamed::MIN_BYTES` or more, which the memory module writes
/// with streaming stores ([`memory::streams`]). Staged in the output itself,
/// each group was copied there with ordinary stores, each of which first
/// reads the line it overwrites: three passes over memory where a copy with
/// streaming stores takes two (lanes of 16 to 256 `i64`: 1.3x-1.6x a copy
/// staged in the output, 0.9x-1.4x through the buffer; see
/// [`CACHED_AHEAD_BYTES`]).
fn through_cache<B>(len: usize, n: usize) -> bool {
    four_at_a_time::<B>() && GROUP * n <= CACHED_GROUP && streams_short::<B>(len)
}

/// Scans the groups of [`GROUP`] lanes of `n` elements of `src` into `dst`
/// a group at a time: the group converted into a buffer on the stack (in
/// cache), scanned there, and streamed out ([`memory::stream_copy`]), with
/// the input [`CACHED_AHEAD_BYTES`] ahead asked for first. Kept out of line,
/// so that its buffer is on the stack only while it runs (only for the
/// types of [`through_cache`]).
#[inline(never)]
fn groups_through_cache<A, B, F>(src: &[A], dst: &mut [B], n: usize, conv: &F)
where
    B: Clone + Mul<Output = B>,
    F: Fn(&A) -> B,
{
    groups_through_cache_with(src, dst, n, conv, |group| {
        scan_group::<B, GROUP>(group, n, false);
    });
}

/// [`groups_through_cache`] with the scan of a group in the buffer,
/// `scan(group)`, given: the scan of each of its lanes, from the first
/// element or (the reverse scan's) from the last. `src` holds whole groups
/// of [`GROUP`] lanes of `n` elements, of at most [`CACHED_GROUP`] elements
/// together.
#[inline(always)]
pub(super) fn groups_through_cache_with<A, B, F>(
    src: &[A],
    dst: &mut [B],
    n: usize,
    conv: &F,
    scan: impl Fn(&mut [B]),
) where
    B: Clone + Mul<Output = B>,
    F: Fn(&A) -> B,
{
    let group = GROUP * n;
    let Some(first) = src.first() else {
        return;
    };
    let ahead = (CACHED_AHEAD_BYTES / core::mem::size_of::<A>().max(1)).max(group);
    let mut buffer: [B; CACHED_GROUP] = core::array::from_fn(|_| conv(first));
    let buffer = &mut buffer[..group];
    let groups = src.chunks_exact(group).zip(dst.chunks_exact_mut(group));
    for (start, (x, y)) in (0..).step_by(group).zip(groups) {
        memory::prefetch(src, start + ahead..start + group + ahead);
        for (b, x) in buffer.iter_mut().zip(x) {
            *b = conv(x);
        }
        scan(buffer);
        memory::stream_copy(buffer, y);
    }
    memory::stream_fence();
}

/// Scans positions `range` of one lane, continuing from the element before
/// `range` (the first element of a lane is its own product).
pub(crate) fn scan_run<B: Clone + Mul<Output = B>>(lane: &mut [B], range: Range<usize>) {
    let begin = range.start.max(1);
    if begin >= range.end {
        return;
    }
    let mut carry = lane[begin - 1].clone();
    for y in &mut lane[begin..range.end] {
        carry = carry * y.clone();
        y.clone_from(&carry);
    }
}

/// Steps of a lane read, multiplied and written together by [`scan_tiles`]:
/// one cache line of `f64`.
pub(super) const TILE: usize = 8;

/// Scans `K` lanes side by side, a tile of [`TILE`] steps at a time.
///
/// `load(lanes, k, i)` gives the input values of steps `i..i + TILE` of lane
/// `k`; it is handed the output lanes, so that an in-place scan can read them.
/// Within a tile the loop runs step by step across the lanes: `K` independent
/// multiplications at a time, with no bounds check and no memory round trip
/// between the steps of a lane.
fn scan_tiles<B, const K: usize>(
    lanes: &mut [&mut [B]; K],
    mut load: impl FnMut(&[&mut [B]; K], usize, usize) -> [B; TILE],
) where
    B: Clone + Mul<Output = B>,
{
    let n = lanes[0].len();
    // The first element of each lane is its own product.
    let mut carry: [B; K] = core::array::from_fn(|k| load(lanes, k, 0)[0].clone());
    for (lane, first) in lanes.iter_mut().zip(&carry) {
        lane[0].clone_from(first);
    }
    let mut i = 1;
    while i + TILE <= n {
        let mut tiles: [[B; TILE]; K] = core::array::from_fn(|k| load(lanes, k, i));
        for step in 0..TILE {
            for (tile, c) in tiles.iter_mut().zip(carry.iter_mut()) {
                *c = c.clone() * tile[step].clone();
                tile[step].clone_from(c);
            }
        }
        for (lane, tile) in lanes.iter_mut().zip(&tiles) {
            lane[i..i + TILE].clone_from_slice(tile);
        }
        i += TILE;
    }
    // The last steps, fewer than a tile: lane by lane.
    if i < n {
        for k in 0..K {
            let values = load(lanes, k, n - TILE);
            for (y, x) in lanes[k][i..].iter_mut().zip(&values[TILE - (n - i)..]) {
                carry[k] = carry[k].clone() * x.clone();
                y.clone_from(&carry[k]);
            }
        }
    }
}

/// Reads `piece` upwards, one element per cache line, so that the hardware
/// prefetcher brings it into cache as one stream before a kernel walks it in
/// short strides across lanes (or downwards), which it does not follow. Only for element types
/// without drop glue, whose clone is a plain load; others are left cold.
pub(super) fn warm<B: Clone>(piece: &[B]) {
    if core::mem::needs_drop::<B>() {
        return;
    }
    let step = (64 / core::mem::size_of::<B>().max(1)).max(1);
    for x in piece.iter().step_by(step) {
        core::hint::black_box(x.clone());
    }
}

/// The `K` consecutive lanes of `n >= TILE` elements that start `group`.
pub(super) fn lanes_of<B, const K: usize>(group: &mut [B], n: usize) -> [&mut [B]; K] {
    let mut chunks = group.chunks_exact_mut(n);
    core::array::from_fn(|_| chunks.next().expect("K lanes in a group"))
}

/// Lanes of at most this many bytes that [`four_lanes`] scans in place,
/// straight from memory, are warmed first ([`warm`]): read step by step, four
/// lanes of 512 bytes side by side kept few cache lines in flight (measured,
/// 64 MiB i64 in place, lanes of 64: 2.1x-2.3x a copy; warmed, 0.55x-0.6x;
/// in tiles, as before, 1.2x-1.3x). Lanes of 8 KiB were faster unwarmed.
const COLD_LANE_BYTES: usize = 2048;

/// Scans in place the `K` consecutive lanes of `n >= TILE` elements that
/// start `group`. `short_and_cold`: the lanes are short and were not staged
/// (an in-place scan), so they are not in cache.
fn scan_group<B, const K: usize>(group: &mut [B], n: usize, short_and_cold: bool)
where
    B: Clone + Mul<Output = B>,
{
    if K == 4 && four_at_a_time::<B>() {
        if short_and_cold && n * core::mem::size_of::<B>() <= COLD_LANE_BYTES {
            warm(group);
        }
        return four_lanes(&[], group, n, &|_: &()| unreachable!(), Four::InPlace);
    }
    scan_tiles::<B, K>(&mut lanes_of(group, n), |lanes, k, i| {
        let tile: &[B; TILE] = lanes[k][i..i + TILE].try_into().expect("a whole tile");
        tile.clone()
    });
}

/// Scans the `K` consecutive lanes of `n >= TILE` elements that start `src`
/// into those of `dst`, in one pass. When `seeded`, the first element of every
/// lane is already in `dst` and the scan continues from it.
fn scan_group_into<A, B, F, const K: usize>(
    src: &[A],
    dst: &mut [B],
    n: usize,
    conv: &F,
    seeded: bool,
) where
    B: Clone + Mul<Output = B>,
    F: Fn(&A) -> B,
{
    if K == 4 && four_at_a_time::<B>() {
        let how = if seeded { Four::Seeded } else { Four::Into };
        return four_lanes(src, dst, n, conv, how);
    }
    let inputs: [&[A]; K] = core::array::from_fn(|k| &src[k * n..(k + 1) * n]);
    scan_tiles::<B, K>(&mut lanes_of(dst, n), |lanes, k, i| {
        let tile: &[A; TILE] = inputs[k][i..i + TILE].try_into().expect("a whole tile");
        let mut values: [B; TILE] = core::array::from_fn(|s| conv(&tile[s]));
        if seeded && i == 0 {
            values[0] = lanes[k][0].clone();
        }
        values
    });
}

/// Where [`four_lanes`] (and its mirror image for reverse scans) reads the
/// values: from `dst` itself, from `src`, or from `src` but the element
/// every lane starts from (its first; its last in reverse), which `dst`
/// holds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Four {
    InPlace,
    Into,
    Seeded,
}

/// Scans the four consecutive lanes of `n` elements of `dst`, side by side,
/// one step of the four at a time, for the types of [`four_at_a_time`]: the
/// tiles of the integers that are multiplied one at a time do not fit in the
/// general-purpose registers, and the tile kernel spilled them to the stack
/// (measured, 64 MiB i64, lanes of 8,192: 1.5x a copy, NumPy's lane-by-lane
/// loop 1.2x); nor do those of [`Scaled`](crate::Scaled) products.
fn four_lanes<A, B, F>(src: &[A], dst: &mut [B], n: usize, conv: &F, how: Four)
where
    B: Clone + Mul<Output = B>,
    F: Fn(&A) -> B,
{
    let (d0, rest) = dst[..4 * n].split_at_mut(n);
    let (d1, rest) = rest.split_at_mut(n);
    let (d2, d3) = rest.split_at_mut(n);
    let first = |k: usize, d: &[B]| match how {
        Four::Into => conv(&src[k * n]),
        _ => d[0].clone(),
    };
    let mut c = [first(0, d0), first(1, d1), first(2, d2), first(3, d3)];
    for (d, c) in [&mut *d0, &mut *d1, &mut *d2, &mut *d3].into_iter().zip(&c) {
        d[0].clone_from(c);
    }
    let [c0, c1, c2, c3] = &mut c;
    let lanes = d0[1..]
        .iter_mut()
        .zip(&mut d1[1..])
        .zip(d2[1..].iter_mut().zip(&mut d3[1..]));
    if how == Four::InPlace {
        for ((y0, y1), (y2, y3)) in lanes {
            *c0 = c0.clone() * y0.clone();
            *c1 = c1.clone() * y1.clone();
            *c2 = c2.clone() * y2.clone();
            *c3 = c3.clone() * y3.clone();
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
    let inputs = s0[1..]
        .iter()
        .zip(&s1[1..])
        .zip(s2[1..].iter().zip(&s3[1..]));
    for (((y0, y1), (y2, y3)), ((x0, x1), (x2, x3))) in lanes.zip(inputs) {
        *c0 = c0.clone() * conv(x0);
        *c1 = c1.clone() * conv(x1);
        *c2 = c2.clone() * conv(x2);
        *c3 = c3.clone() * conv(x3);
        y0.clone_from(c0);
        y1.clone_from(c1);
        y2.clone_from(c2);
        y3.clone_from(c3);
    }
}

/// `outer` blocks of `n > 1` rows of `inner > 1` elements.
fn scan_rows<B, S>(stage: &mut S, outer: usize, n: usize, inner: usize)
where
    B: Clone + Mul<Output = B>,
    S: Stage<B>,
{
    macro_rules! fixed {
        ($($width:literal)*) => {
            match inner {
                $($width => return scan_rows_fixed::<B, S, $width>(stage, outer * n, n),)*
                _ => {}
            }
        };
    }
    if tiled::<B>() {
        fixed!(2 3 4 5 6 7 8);
        const _: () = assert!(FIXED_ROWS == 8);
    }
    if S::SEQUENTIAL {
        // Stage whole pieces, then multiply their rows while in cache: a
        // piece at a time costs less than a row at a time when rows are short.
        return scan_row_pieces(stage, outer * n, inner, |out, first| {
            rows_dyn(out, first, n, inner)
        });
    }
    for block in 0..outer {
        let base = block * n * inner;
        stage.stage(base..base + inner);
        for row in 1..n {
            stage.stage_row_product(base + row * inner, inner);
        }
    }
}

/// [`scan_rows`] for rows of `W` elements: `rows` rows in all, in blocks of
/// `n`, staged a piece at a time.
fn scan_rows_fixed<B, S, const W: usize>(stage: &mut S, rows: usize, n: usize)
where
    B: Clone + Mul<Output = B>,
    S: Stage<B>,
{
    if stage.scan_rows_in_one_pass::<W>(rows, n) {
        return;
    }
    scan_row_pieces(stage, rows, W, |out, first| {
        rows_fixed::<B, W>(out, first, n)
    });
}

/// Stages `rows` rows of `width` elements a piece at a time, one piece ahead,
/// and hands each piece to `kernel`, with the output up to the piece's end
/// (and staged beyond it) and the index of the piece's first row.
fn scan_row_pieces<B, S>(
    stage: &mut S,
    rows: usize,
    width: usize,
    mut kernel: impl FnMut(&mut [B], usize),
) where
    S: Stage<B>,
{
    // Pieces of about 2 KiB, each staged one piece ahead of the kernel, so
    // that the copy, bound by memory, and the multiplications overlap.
    // Measured (64 MiB, rows of 2 to 8 elements, `_into`): staging 64 KiB
    // then multiplying it ran them one after the other, 1.35x-1.81x a copy
    // (f64) and 1.61x-2.26x (i64); one piece ahead with 2 KiB pieces,
    // 1.07x-1.25x and 1.27x-1.57x; with 4 KiB or 8 KiB pieces, no gain.
    let rows_per_piece = (PIPELINE_BYTES / core::mem::size_of::<B>().max(1) / width).max(1);
    stage_ahead(
        stage,
        0..rows * width,
        rows_per_piece * width,
        |out, piece| {
            kernel(&mut out[..piece.end], piece.start / width);
        },
    );
}

/// Stages `range` a piece of `piece` elements at a time, one piece ahead:
/// once the next piece is staged, `kernel` gets the output (staged up to the
/// end of that next piece) and the range of the piece before it. The copy,
/// bound by memory, then overlaps the kernel's arithmetic. Stages are called
/// on consecutive ranges, as [`Stage::SEQUENTIAL`] stages need.
fn stage_ahead<B, S: Stage<B> + ?Sized>(
    stage: &mut S,
    range: Range<usize>,
    piece: usize,
    mut kernel: impl FnMut(&mut [B], Range<usize>),
) {
    let piece = piece.max(1);
    let mut staged = range.end.min(range.start + piece);
    stage.stage(range.start..staged);
    let mut start = range.start;
    while start < range.end {
        let end = staged;
        staged = range.end.min(end + piece);
        let out = stage.stage(end..staged);
        kernel(out, start..end);
        start = end;
    }
}

/// Turns the rows of `inner` elements from `first` to the end of `out` into
/// products: row `r` becomes row `r - 1` times itself, except the first row of
/// every block of `n` rows.
fn rows_dyn<B>(out: &mut [B], first: usize, n: usize, inner: usize)
where
    B: Clone + Mul<Output = B>,
{
    let rows = out.len() / inner;
    // The position of the row in its block, counted: a division per row
    // costs as much as multiplying a short row (measured: 64 x 64 i64 along
    // axis 0, 2.1 µs -> 2.0 µs; 16 x 16, 230 ns -> 214 ns).
    let mut position = first % n;
    for row in first..rows {
        if position != 0 {
            let (done, rest) = out.split_at_mut(row * inner);
            times_row(&mut rest[..inner], &done[done.len() - inner..]);
        }
        position += 1;
        if position == n {
            position = 0;
        }
    }
}

/// The scan of `src`, rows of `W` elements in blocks of `n` rows, into
/// `dst` (the same length), each block from its first row in `dst` if
/// `seeded` (the seeds of [`ContinueInto`]): [`rows_fixed_streamed`] into a
/// large output of a type that streams, else [`rows_fixed_into`].
fn rows_fixed_one_pass<A, B, F, const W: usize>(
    src: &[A],
    dst: &mut [B],
    n: usize,
    conv: &F,
    seeded: bool,
) where
    B: Clone + Mul<Output = B>,
    F: Fn(&A) -> B,
{
    if crate::scaled::converts_f64(conv) {
        if let (Some(src), Some(dst)) = (memory::same_ref(src), memory::same_mut(&mut *dst)) {
            return crate::scaled::rows_f64::<W>(src, dst, n, seeded);
        }
    }
    if streams_short::<B>(dst.len()) {
        rows_fixed_streamed::<A, B, F, W>(src, dst, n, conv, seeded);
    } else {
        rows_fixed_into::<A, B, F, W>(src, dst, n, conv, seeded);
    }
}

/// The scan of `src`, rows of `W` elements in blocks of `n` rows, into
/// `dst` (the same length), in one pass: the running products of a block are
/// kept in registers, each row's written as it is read. Measured (64 MiB,
/// rows of 2, 4 and 8, time / a copy, paired runs): staged in the output a
/// piece at a time and multiplied there ([`scan_row_pieces`]), `f64`
/// 1.18x-1.65x and `i64` 1.41x-1.81x; in one pass, 1.06x-1.17x and
/// 1.08x-1.24x.
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
    for (ys, xs) in dst.chunks_exact_mut(n * W).zip(src.chunks_exact(n * W)) {
        let mut rows = ys.chunks_exact_mut(W).zip(xs.chunks_exact(W));
        let Some((first, x)) = rows.next() else {
            continue;
        };
        let mut carry: [B; W] = if seeded {
            core::array::from_fn(|j| first[j].clone())
        } else {
            let carry = core::array::from_fn(|j| conv(&x[j]));
            first.clone_from_slice(&carry);
            carry
        };
        for (y, x) in rows {
            for j in 0..W {
                carry[j] = carry[j].clone() * conv(&x[j]);
                y[j].clone_from(&carry[j]);
            }
        }
    }
}

/// Whether an output of `len` elements of `B` is large enough (16 MiB or
/// more) and of a type that [`memory::stream_copy`] streams, for the kernels
/// that write through a buffer in cache.
pub(super) fn streams_short<B>(len: usize) -> bool {
    let size = core::mem::size_of::<B>();
    memory::streams::<B>() && size <= 8 && len.saturating_mul(size) >= super::streamed::MIN_BYTES
}

/// The scan of the contiguous lanes of `n` elements of `src` into `dst` (of
/// the same length), from the first element of every lane, or from the last
/// if `reverse`: each lane from its first product `seed(x, y)`, given that
/// end's input element `x` and the element `y` at that end in `dst` (a seed
/// already written there, for a carry), if `n` is 2 to 8
/// ([`lanes_fixed_seeded`]); else does nothing and returns false.
pub(crate) fn seeded_short_lanes<A, B, F, S>(
    src: &[A],
    dst: &mut [B],
    n: usize,
    conv: &F,
    seed: &S,
    reverse: bool,
) -> bool
where
    B: Clone + Mul<Output = B>,
    F: Fn(&A) -> B,
    S: Fn(&A, &B) -> B,
{
    if !tiled::<B>() {
        return false;
    }
    let streamed = streams_short::<B>(dst.len());
    macro_rules! fixed {
        ($($width:literal)*) => {
            match (n, reverse) {
                $(
                    ($width, false) => lanes_fixed_seeded::<A, B, F, S, $width, false>(
                        src, dst, conv, seed, streamed,
                    ),
                    ($width, true) => lanes_fixed_seeded::<A, B, F, S, $width, true>(
                        src, dst, conv, seed, streamed,
                    ),
                )*
                _ => return false,
            }
        };
    }
    fixed!(2 3 4 5 6 7 8);
    true
}

/// [`seeded_short_lanes`] of lanes of `N`, from their ends if `REV`: as many
/// whole lanes as fit [`ROWS_BUFFER`] scanned from their seeds into a buffer
/// on the stack, in a loop of a length known when it is compiled, and the
/// buffer streamed out if `streamed` (a large output, [`streams_short`]),
/// else copied. Measured (64 MiB, time / a copy, paired runs into the same
/// output): with `initial`, `f64` lanes of 2 to 8 took 3.1x-4.0x with the
/// seeds written first and each lane then scanned from its seed in the
/// output, one lane at a time; 2.3x-2.7x so; 1.1x-1.25x with the seeds
/// taken here ([`short_lanes_from_value`](super::short_lanes_from_value)).
/// In reverse, against a lane at a time with ordinary stores: `i64` lanes
/// of 2 to 8 1.18x-1.45x -> 0.98x-1.16x, `f64` 1.16x-1.35x -> 1.06x-1.21x,
/// `i32` 1.55x-1.97x -> 0.95x-1.26x; lanes of 9 to 15, in a loop of a length
/// known at run time, gained little (0.9x-1.0x the time) and keep the lane
/// at a time. Kept out of line, so that its buffer is on the stack only
/// while it runs.
#[inline(never)]
pub(super) fn lanes_fixed_seeded<A, B, F, S, const N: usize, const REV: bool>(
    src: &[A],
    dst: &mut [B],
    conv: &F,
    seed: &S,
    streamed: bool,
) where
    B: Clone + Mul<Output = B>,
    F: Fn(&A) -> B,
    S: Fn(&A, &B) -> B,
{
    let Some(first) = dst.first() else {
        return;
    };
    let mut buffer: [B; ROWS_BUFFER] = core::array::from_fn(|_| first.clone());
    // Whole lanes.
    let chunk = ROWS_BUFFER / N * N;
    for (xs, ys) in src.chunks(chunk).zip(dst.chunks_mut(chunk)) {
        let buf = &mut buffer[..xs.len()];
        for ((b, x), y) in buf
            .chunks_exact_mut(N)
            .zip(xs.chunks_exact(N))
            .zip(ys.chunks_exact(N))
        {
            if REV {
                let mut carry = seed(&x[N - 1], &y[N - 1]);
                b[N - 1].clone_from(&carry);
                for k in (0..N - 1).rev() {
                    carry = conv(&x[k]) * carry;
                    b[k].clone_from(&carry);
                }
            } else {
                let mut carry = seed(&x[0], &y[0]);
                b[0].clone_from(&carry);
                for k in 1..N {
                    carry = carry * conv(&x[k]);
                    b[k].clone_from(&carry);
                }
            }
        }
        if streamed {
            memory::stream_copy(buf, ys);
        } else {
            ys.clone_from_slice(buf);
        }
    }
    if streamed {
        memory::stream_fence();
    }
}

/// The elements of the buffer through which [`rows_fixed_streamed`] writes
/// (2 KiB of `f64`). Measured (rows of 4 `f64`, 64 MiB): 0.91x-0.93x a copy;
/// with 8 KiB, 1.06x-1.14x.
pub(super) const ROWS_BUFFER: usize = 256;

/// [`rows_fixed_into`] into a large output (16 MiB or more) of a type that
/// [`memory::stream_copy`] streams: the products of [`ROWS_BUFFER`]
/// elements at a time written into a buffer on the stack, in cache, and
/// streamed out from there, so that the output is not read before it is
/// written. Measured (64 MiB, rows of 2, 4 and 8, time / a copy, paired
/// runs): `f64` 1.09x-1.17x with ordinary stores, 0.91x-1.12x so
/// (0.91x-0.95x in the same runs as the former); `i64` 1.08x-1.18x and
/// 1.05x-1.25x (bound by the multiplications, one at a time). Kept out of
/// line, so that its buffer is on the stack only while it runs.
#[inline(never)]
fn rows_fixed_streamed<A, B, F, const W: usize>(
    src: &[A],
    dst: &mut [B],
    n: usize,
    conv: &F,
    seeded: bool,
) where
    B: Clone + Mul<Output = B>,
    F: Fn(&A) -> B,
{
    let Some(first) = src.first() else {
        return;
    };
    let mut buffer: [B; ROWS_BUFFER] = core::array::from_fn(|_| conv(first));
    // Whole rows.
    let chunk = ROWS_BUFFER / W * W;
    for (xs, ys) in src.chunks_exact(n * W).zip(dst.chunks_exact_mut(n * W)) {
        let mut carry: [B; W] = if seeded {
            core::array::from_fn(|j| ys[j].clone())
        } else {
            core::array::from_fn(|j| conv(&xs[j]))
        };
        let mut first_chunk = true;
        for (xc, yc) in xs.chunks(chunk).zip(ys.chunks_mut(chunk)) {
            let buf = &mut buffer[..xc.len()];
            let mut rows = buf.chunks_exact_mut(W).zip(xc.chunks_exact(W));
            if first_chunk {
                // The block's first row is its own product.
                if let Some((b, _)) = rows.next() {
                    b.clone_from_slice(&carry);
                }
                first_chunk = false;
            }
            for (b, x) in rows {
                for j in 0..W {
                    carry[j] = carry[j].clone() * conv(&x[j]);
                    b[j].clone_from(&carry[j]);
                }
            }
            memory::stream_copy(buf, yc);
        }
    }
    memory::stream_fence();
}

/// Turns the rows from `first` to the end of `out` into products: row `r`
/// becomes row `r - 1` times itself, except the first row of every block of
/// `n` rows, which starts its lanes.
fn rows_fixed<B, const W: usize>(out: &mut [B], first: usize, n: usize)
where
    B: Clone + Mul<Output = B>,
{
    let (done, rest) = out.split_at_mut(first * W);
    // The running products of the current block, kept in registers.
    let mut carry: Option<[B; W]> = match first % n {
        0 => None,
        _ => Some(core::array::from_fn(|j| done[done.len() - W + j].clone())),
    };
    let mut position = first % n;
    for row in rest.chunks_exact_mut(W) {
        match carry.as_mut() {
            Some(prev) if position != 0 => {
                for (y, p) in row.iter_mut().zip(prev.iter_mut()) {
                    let product = p.clone() * y.clone();
                    y.clone_from(&product);
                    *p = product;
                }
            }
            _ => carry = Some(core::array::from_fn(|j| row[j].clone())),
        }
        position += 1;
        if position == n {
            position = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::format;
    use alloc::vec;

    use super::super::test_support::{buffered_rows_cases, input, Affine};
    use super::*;

    /// The obvious loop over the block `(outer, n, inner)`.
    fn reference<B: Clone + Mul<Output = B>>(
        x: &[B],
        outer: usize,
        n: usize,
        inner: usize,
    ) -> Vec<B> {
        let mut y = x.to_vec();
        for o in 0..outer {
            for i in 1..n {
                for j in 0..inner {
                    let at = (o * n + i) * inner + j;
                    y[at] = y[at - inner].clone() * x[at].clone();
                }
            }
        }
        y
    }

    fn check_all_stages<const P: usize>(max_len: usize) {
        let mut checked = 0;
        for outer in [0, 1, 2, 7, 8, 9, 17, 33] {
            for n in [0, 1, 2, 3, 15, 16, 17, 33, 100, 1100] {
                for inner in [1, 2, 3, 4, 5, 8, 9, 13] {
                    let len = outer * n * inner;
                    if len > max_len {
                        continue;
                    }
                    let x = input::<P>(len);
                    let expected = reference(&x, outer, n, inner);
                    let case = format!("P={P} outer={outer} n={n} inner={inner}");

                    let mut data = x.clone();
                    scan(&mut InPlace(&mut data), outer, n, inner);
                    assert_eq!(data, expected, "in place, {case}");

                    // Prepared in place: every element changed exactly once
                    // before the scan reads it.
                    let bump = |y: &mut Affine<P>| y.bump();
                    let mut bumped = x.clone();
                    bumped.iter_mut().for_each(bump);
                    let mut data = x.clone();
                    scan(
                        &mut Prepared {
                            data: &mut data,
                            prepare: bump,
                        },
                        outer,
                        n,
                        inner,
                    );
                    assert_eq!(
                        data,
                        reference(&bumped, outer, n, inner),
                        "prepared in place, {case}"
                    );

                    let mut dst = input::<P>(len).into_iter().rev().collect::<Vec<_>>();
                    scan(
                        &mut SliceInto {
                            src: &x,
                            dst: &mut dst,
                            conv: Clone::clone,
                        },
                        outer,
                        n,
                        inner,
                    );
                    assert_eq!(dst, expected, "slice into, {case}");

                    // Continuing from seeds: the first row of every block is
                    // already in the output and replaces the input's.
                    let seeds = input::<P>(len + 7)[7..].to_vec();
                    let mut seeded = x.clone();
                    let mut dst = input::<P>(len).into_iter().rev().collect::<Vec<_>>();
                    for at in (0..len).filter(|at| (at / inner) % n == 0) {
                        seeded[at] = seeds[at].clone();
                        dst[at] = seeds[at].clone();
                    }
                    scan(
                        &mut ContinueInto {
                            src: &x,
                            dst: &mut dst,
                            conv: Clone::clone,
                            n,
                            inner,
                        },
                        outer,
                        n,
                        inner,
                    );
                    assert_eq!(
                        dst,
                        reference(&seeded, outer, n, inner),
                        "continue into, {case}"
                    );

                    let mut dst = input::<P>(len).into_iter().rev().collect::<Vec<_>>();
                    scan(
                        &mut IterInto {
                            src: x.iter(),
                            dst: &mut dst,
                            conv: Clone::clone,
                        },
                        outer,
                        n,
                        inner,
                    );
                    assert_eq!(dst, expected, "iter into, {case}");

                    let mut collect = Collect {
                        src: &x[..],
                        dst: Vec::new(),
                        conv: Clone::clone,
                    };
                    scan(&mut collect, outer, n, inner);
                    assert_eq!(collect.dst, expected, "collect from a slice, {case}");

                    let mut collect = Collect {
                        src: InOrder(x.iter()),
                        dst: Vec::new(),
                        conv: Clone::clone,
                    };
                    scan(&mut collect, outer, n, inner);
                    assert_eq!(collect.dst, expected, "collect in order, {case}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 100, "only {checked} cases");
    }

    #[test]
    fn small_blocks_match_the_reference_loop() {
        // `small_rows` (rows that vectorise, for a type whose products
        // depend on the order of the factors; four columns at a time, then
        // one, for `i64`, with signs in a pseudo-random pattern so that a
        // value read from the wrong row or column changes the result) and
        // `extend_scanned` (one lane in one pass).
        let sign = |i: usize| if (i * 2_654_435_761) % 7 < 3 { -1 } else { 1 };
        // Under Miri, which took two minutes for all of them, 30 of the 264
        // cases: no blocks and several, no rows, one and several, and
        // widths around a step of four columns and past two.
        let (outers, ns, inners): (&[usize], &[usize], &[usize]) = if cfg!(miri) {
            (&[0, 3], &[0, 1, 17], &[1, 3, 4, 5, 9])
        } else {
            (
                &[0, 1, 2, 3],
                &[0, 1, 2, 3, 16, 17],
                &[1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17],
            )
        };
        for &outer in outers {
            for &n in ns {
                for &inner in inners {
                    let len = outer * n * inner;
                    let case = format!("outer={outer} n={n} inner={inner}");
                    let x = input::<0>(len);
                    let mut data = x.clone();
                    small_rows(&mut data, n, inner);
                    assert_eq!(data, reference(&x, outer, n, inner), "rows, {case}");

                    let x: Vec<i64> = (0..len).map(sign).collect();
                    let mut data = x.clone();
                    small_rows(&mut data, n, inner);
                    assert_eq!(data, reference(&x, outer, n, inner), "columns, {case}");
                }
            }
        }
        for n in [0, 1, 2, 3, 17] {
            let x = input::<0>(n);
            let expected = reference(&x, 1, n, 1);
            // Appended after what the vector holds.
            let held = input::<0>(2);
            let mut dst = held.clone();
            (&x[..]).extend_scanned(0..n, &mut dst, |v| v.clone());
            assert_eq!(dst[..2], held[..], "kept, n={n}");
            assert_eq!(dst[2..], expected[..], "slice, n={n}");
            let mut dst = Vec::new();
            InOrder(x.iter()).extend_scanned(0..n, &mut dst, |v| v.clone());
            assert_eq!(dst, expected, "iterator, n={n}");
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "thousands of cases on plain slices, hours under Miri; the integration tests run these kernels under Miri on small arrays"
    )]
    fn integer_lanes_match_the_reference_loop() {
        // The integers that take their own four-lane loop (`four_lanes`),
        // with signs that follow a pseudo-random pattern, so that a value
        // read from the wrong lane or step changes the result.
        let sign = |i: usize| if (i * 2_654_435_761) % 7 < 3 { -1 } else { 1 };
        for outer in [0, 1, 4, 5, 8, 9] {
            for n in [1, 2, 15, 16, 17, 100, 2048, 2049, 20_000] {
                let len = outer * n;
                let case = format!("outer={outer} n={n}");
                let x: Vec<i64> = (0..len).map(sign).collect();
                let expected = reference(&x, outer, n, 1);

                let mut data = x.clone();
                scan(&mut InPlace(&mut data), outer, n, 1);
                assert_eq!(data, expected, "in place, {case}");

                let mut dst = vec![7i64; len];
                let mut stage = SliceInto {
                    src: &x,
                    dst: &mut dst,
                    conv: |v: &i64| *v,
                };
                scan(&mut stage, outer, n, 1);
                assert_eq!(dst, expected, "slice into, {case}");

                // Converting: i32 input, i64 output.
                let narrow: Vec<i32> = (0..len).map(|i| sign(i) as i32).collect();
                let mut dst = vec![7i64; len];
                let mut stage = SliceInto {
                    src: &narrow,
                    dst: &mut dst,
                    conv: |v: &i32| i64::from(*v),
                };
                scan(&mut stage, outer, n, 1);
                assert_eq!(dst, expected, "converting slice into, {case}");

                let mut seeded = x.clone();
                let mut dst = vec![7i64; len];
                for at in (0..len).step_by(n.max(1)) {
                    seeded[at] = -sign(at + 1) * 3;
                    dst[at] = seeded[at];
                }
                let mut stage = ContinueInto {
                    src: &x,
                    dst: &mut dst,
                    conv: |v: &i64| *v,
                    n,
                    inner: 1,
                };
                scan(&mut stage, outer, n, 1);
                assert_eq!(
                    dst,
                    reference(&seeded, outer, n, 1),
                    "continue into, {case}"
                );

                let mut collect = Collect {
                    src: &x[..],
                    dst: Vec::new(),
                    conv: |v: &i64| *v,
                };
                scan(&mut collect, outer, n, 1);
                assert_eq!(collect.dst, expected, "collect, {case}");
            }
        }
    }

    /// [`rows_fixed_streamed`] of rows of `W`, for the lengths of block
    /// (`n` rows) that end a buffer early, exactly, and late, and for one
    /// and several blocks: `Affine` products (which tell the order of the
    /// factors) and `i64` (which `stream_copy` streams, also under Miri).
    fn check_rows_streamed<const W: usize>() {
        for (n, outer) in buffered_rows_cases(ROWS_BUFFER / W) {
            let len = outer * n * W;
            let x = input::<0>(len);
            let mut out = input::<0>(len);
            out.iter_mut().for_each(|y| y.bump());
            rows_fixed_streamed::<_, _, _, W>(&x, &mut out, n, &|a: &Affine<0>| a.clone(), false);
            assert_eq!(out, reference(&x, outer, n, W), "W={W} outer={outer} n={n}");
            // Seeded: each block from its first row in the output.
            let mut seeds = x.clone();
            let mut out = x.clone();
            for (s, y) in seeds.chunks_mut(n * W).zip(out.chunks_mut(n * W)) {
                s[..W].iter_mut().chain(&mut y[..W]).for_each(|v| v.bump());
            }
            let conv = |a: &Affine<0>| a.clone();
            rows_fixed_streamed::<_, _, _, W>(&x, &mut out, n, &conv, true);
            assert_eq!(out, reference(&seeds, outer, n, W), "seeded, W={W} n={n}");

            // Signs, and a few factors of 3 in the first block.
            let ints: Vec<i64> = (0..len)
                .map(|i| {
                    if i % 97 == 5 && i < n * W {
                        3
                    } else {
                        [1, -1, 1, 1, -1][i % 5]
                    }
                })
                .collect();
            let mut out = vec![0_i64; len];
            // Off a 16-byte boundary: the first element is stored alone.
            let mut shifted = vec![7_i64; len + 1];
            rows_fixed_streamed::<_, _, _, W>(&ints, &mut out, n, &|a: &i64| *a, false);
            rows_fixed_streamed::<_, _, _, W>(&ints, &mut shifted[1..], n, &|a: &i64| *a, false);
            let expected = reference(&ints, outer, n, W);
            assert_eq!(out, expected, "i64 W={W} outer={outer} n={n}");
            assert_eq!(
                (shifted[0], &shifted[1..]),
                (7, &expected[..]),
                "shifted, W={W}"
            );
        }
    }

    /// [`lanes_fixed_seeded`] of lanes of `N`, as many lanes as end a buffer
    /// early, exactly and late (one case under Miri), streamed and copied,
    /// each lane from its first input element, from a seed already in the
    /// output and from an initial value: `Affine` products, which tell the
    /// order of the factors, and `i64` into an output off a 16-byte boundary.
    fn check_seeded_lanes<const N: usize>() {
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
            // The lanes' first elements as the seeds give them.
            let firsts = |seed: &dyn Fn(usize) -> Affine<0>| {
                let mut from = x.clone();
                for lane in 0..lanes {
                    from[lane * N] = seed(lane * N);
                }
                reference(&from, lanes, N, 1)
            };
            for streamed in [true, false] {
                let what = format!("N={N} lanes={lanes} streamed={streamed}");
                let mut out = before.clone();
                let seed = |x: &Affine<0>, _: &Affine<0>| x.clone();
                lanes_fixed_seeded::<_, _, _, _, N, false>(&x, &mut out, &conv, &seed, streamed);
                assert_eq!(out, reference(&x, lanes, N, 1), "{what}");

                let mut out = before.clone();
                let seed = |_: &Affine<0>, y: &Affine<0>| y.clone();
                lanes_fixed_seeded::<_, _, _, _, N, false>(&x, &mut out, &conv, &seed, streamed);
                assert_eq!(out, firsts(&|i| before[i].clone()), "seeded {what}");

                let mut out = before.clone();
                let seed = |x: &Affine<0>, _: &Affine<0>| c.clone() * x.clone();
                lanes_fixed_seeded::<_, _, _, _, N, false>(&x, &mut out, &conv, &seed, streamed);
                assert_eq!(out, firsts(&|i| c.clone() * x[i].clone()), "initial {what}");
            }

            let ints: Vec<i64> = (0..len).map(|i| [1, -1, 3, 1, -1][i % 5]).collect();
            let mut shifted = vec![7_i64; len + 1];
            let seed = |x: &i64, _: &i64| *x;
            lanes_fixed_seeded::<_, _, _, _, N, false>(
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
    fn seeded_short_lanes_match_the_reference_loop() {
        check_seeded_lanes::<3>();
        if !cfg!(miri) {
            check_seeded_lanes::<2>();
            check_seeded_lanes::<4>();
            check_seeded_lanes::<7>();
            check_seeded_lanes::<8>();
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

    #[test]
    #[cfg_attr(
        miri,
        ignore = "thousands of cases on plain slices, hours under Miri; the integration tests run these kernels under Miri on small arrays"
    )]
    fn every_stage_matches_the_reference_loop() {
        // 16-byte elements: pieces of 4096 elements.
        check_all_stages::<0>(usize::MAX);
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "thousands of cases on plain slices, hours under Miri; the integration tests run these kernels under Miri on small arrays"
    )]
    fn pieces_of_several_groups_match_the_reference_loop() {
        // 128-byte elements: pieces of 512 elements hold 8 groups of lanes of
        // 16, or 3 groups of lanes of 33 and a partial piece after them.
        assert_eq!(piece_len::<Affine<14>>(), 512);
        check_all_stages::<14>(100_000);
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "thousands of cases on plain slices, hours under Miri; the integration tests run these kernels under Miri on small arrays"
    )]
    fn piece_and_segment_boundaries_match_the_reference_loop() {
        // 1 KiB elements: pieces of 64 elements, so that lanes longer than a
        // piece and rows spanning pieces are common.
        assert_eq!(piece_len::<Affine<126>>(), 64);
        check_all_stages::<126>(20_000);
    }
}
