//! Logical order against memory order: `axis=None` over an array that is one
//! contiguous block in another order than C (F order, say).
//!
//! The scan runs in logical (row-major) order, so the elements are first
//! copied into the output in that order, a transposition ([`gather`]), and
//! then scanned there. Where the output can be written a band of rows at a
//! time, [`gather_scan`] interleaves the two: the transposition of one band
//! runs while the scan works through the band before it, which is still in
//! cache. For large outputs ([`streamed::MIN_BYTES`]) of the primitive
//! types, the bands are staged in cache instead, and the scan of each is
//! streamed into the output ([`scan_bands_streamed`]), so that the output is
//! written once, without first being read. Where the output rows are short
//! (a few columns), [`gather_scan`] reads the columns side by side and scans
//! as it reads, in one pass; where there are few of them, each long, it
//! reads the input once, in memory order, and scans the first row on the
//! way ([`scan_few_rows`]).
//!
//! The scratch block asks for the input columns a few ahead of the one it
//! reads ([`prefetch`]): the columns are far apart in memory, too many
//! streams for the processor to foresee.

use alloc::vec::Vec;
use core::ops::{Mul, Range};

use ndarray::{ArrayView, Dimension, IntoDimension};

use super::contiguous::scan_run;
use super::memory::{self, prefetch, stream_copy, stream_fence, stream_scan};
use super::memory_order;
use super::streamed;

/// Output rows in the scratch block.
const ROWS: usize = 32;
/// Elements of each row of the scratch block.
const STRIP: usize = 128;
/// Side of the tiles used when the scratch block does not apply.
const TILE: usize = 8;
/// The most input columns [`Plan::scan_across_columns`] reads side by side.
/// Measured (64 MiB F order, `cumprod_flat_into`, against a copy): with 4 and
/// 8 columns 1.4x instead of 2.4x-2.6x through the tiles; with 16, f64 1.9x
/// instead of 2.3x-3.0x and i64 unchanged (2.8x); with 32 and 64, slower
/// than the tiles (4.3x against 4.0x, 5.3x against 4.1x).
const NARROW: usize = 16;
/// How much output [`Plan::scan_across_columns`] asks for at a time (a
/// vector being filled grows by as much).
const BAND_ROW_BYTES: usize = 64 << 10;
/// The largest band of output rows that [`gather_scan`] interleaves with the
/// scan of the band before it. Larger
/// bands read the input a few cache lines from each of so many pages that the
/// TLB misses outweigh the gain (measured, 64 MiB F order: bands of 256 KiB to
/// 1 MiB gained 1.1x-1.6x, bands of 2 MiB none).
const BAND_BYTES: usize = 1 << 20;
/// The size of a band of rows written through the tiles (short output rows,
/// or elements over 8 bytes).
const TILE_BAND_BYTES: usize = 256 << 10;
/// The largest band of output rows that [`scan_bands_streamed`] stages
/// (twice: the band being written and the band being scanned). Measured
/// (64 MiB, 1024 x 8192 F, bands of 8 rows at 512 KiB against 32 rows at
/// 2 MiB): 3.4x against 2.8x a copy; the input is read 64 bytes of each
/// column at a time against 256, and each page of it is visited a quarter as
/// often.
const STREAMED_BAND_BYTES: usize = 2 << 20;
/// The most output rows that [`scan_few_rows`] takes.
const FEW_ROWS: usize = 8;
/// The input read at a time by [`scan_few_rows`]: its lines stay in the
/// first-level cache while each output row's part is gathered from them.
const FEW_ROWS_CHUNK_BYTES: usize = 32 << 10;
/// How many input columns ahead of the one being read the scratch block asks
/// for (see [`prefetch`]). Measured (64 MiB, 1024 x 8192 F): 24 ms without,
/// 18 ms with 4 to 48 columns ahead.
const AHEAD: usize = 16;
/// The size of a page of memory (the smallest on x86-64 and most other
/// targets).
const PAGE: usize = 4096;
/// The most pages a band of output rows may read from before the walks of
/// the page tables make [`transpose_then_scan`] the faster walk: about the
/// reach of the second-level TLB of recent x86-64 cores (1,536 to 3,072
/// translations of 4 KiB pages). Measured (64 MiB F order): bands that read
/// from 4,096 columns, each on a page of its own, ran as fast as the two
/// passes; from 8,192, slower.
const TLB_PAGES: usize = 4096;
/// Input columns at least this many bytes apart are prefetched ([`AHEAD`]).
/// Measured (64 MiB, 4 x 2097152 F, columns 32 bytes apart): 16.6 ms
/// without, 17.8 ms with.
const FAR: usize = 1024;

/// A transposition: the input's fastest axis in memory, `x` (stride 1),
/// against the output's, `y` (the last axis longer than one; stride 1 in the
/// output), once for every index of the other axes.
struct Plan<'a, A, D> {
    values: &'a [A],
    /// The lengths of `x` and `y`.
    nx: usize,
    ny: usize,
    /// The input's stride along `y`.
    sy: usize,
    /// The output's stride along `x`.
    dx: usize,
    src_strides: D,
    out_strides: D,
    /// The shape with `x` and `y` set to one: one 2-D transposition per index.
    others: D,
}

impl<'a, A, D: Dimension> Plan<'a, A, D> {
    /// The transposition that writes `src` in logical order, or `None` when
    /// reading `src` in logical order is the best walk: it is empty, not one
    /// contiguous block, or its fastest axis in memory is the output's.
    fn new(src: &ArrayView<'a, A, D>) -> Option<Self> {
        let shape = src.shape();
        let ndim = shape.len();
        let values = src.to_slice_memory_order()?;
        if values.is_empty() {
            return None;
        }
        let order = memory_order::<D>(shape, src.strides())?;
        let x = order
            .slice()
            .iter()
            .rev()
            .copied()
            .find(|&ax| shape[ax] > 1)?;
        let y = (0..ndim).rev().find(|&ax| shape[ax] > 1)?;
        if x == y {
            return None;
        }
        // Row-major strides of the output.
        let mut out_strides = D::zeros(ndim);
        let mut stride = 1;
        for ax in (0..ndim).rev() {
            out_strides[ax] = stride;
            stride *= shape[ax];
        }
        // Non-negative, as `memory_order` checked.
        let mut src_strides = D::zeros(ndim);
        for (to, &from) in src_strides.slice_mut().iter_mut().zip(src.strides()) {
            *to = from as usize;
        }
        let mut others = src.raw_dim();
        others[x] = 1;
        others[y] = 1;
        Some(Plan {
            values,
            nx: shape[x],
            ny: shape[y],
            sy: src_strides[y],
            dx: out_strides[x],
            src_strides,
            out_strides,
            others,
        })
    }

    /// The input and output offsets of the 2-D transposition at each index of
    /// the other axes.
    fn slices(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        ndarray::indices(self.others.clone())
            .into_iter()
            .map(move |index| {
                let index = index.into_dimension();
                let offset = |strides: &D| -> usize {
                    index
                        .slice()
                        .iter()
                        .zip(strides.slice())
                        .map(|(&i, &s)| i * s)
                        .sum()
                };
                (offset(&self.src_strides), offset(&self.out_strides))
            })
    }

    /// Whether `x` is the output's slowest axis (the axes before it all have
    /// length one): then the rows `x0..x1` of every 2-D transposition together
    /// are the output's positions `x0 * dx..x1 * dx`.
    fn bands(&self) -> bool {
        self.dx * self.nx == self.values.len()
    }

    /// Writes the rows `rows` (along `x`) of every 2-D transposition through
    /// `block` into `out`, which holds the output from position `out_start`
    /// on, with streaming stores if the block says so. `after_column(k)` runs
    /// after each `k` input elements are read.
    ///
    /// The block is `ROWS` output rows of `STRIP` elements, filled from `ROWS`
    /// consecutive input elements of each of `STRIP` columns, then written out
    /// row by row: the output is written in runs of `STRIP` elements and the
    /// input read in runs of `ROWS`, instead of one element at a time in rows
    /// a power of two apart, which share cache sets. Measured (64 MiB,
    /// 1024 x 8192 and 8192 x 1024 F): 5.4-7.6x a copy with 8 x 8 tiles,
    /// 4.4-4.6x with this block; 64 x 64 and 128 x 32 blocks gave 4.5-5.4x.
    fn through_block<B: Clone>(
        &self,
        block: &mut Block<B>,
        rows: Range<usize>,
        out: &mut [B],
        out_start: usize,
        conv: &impl Fn(&A) -> B,
        mut after_column: impl FnMut(usize),
    ) {
        let Block { scratch, stream } = block;
        let stream = *stream;
        // Columns close together are one stream, which the processor
        // foresees by itself.
        let ahead = if self.sy.saturating_mul(core::mem::size_of::<A>()) >= FAR {
            AHEAD
        } else {
            usize::MAX
        };
        for (base_src, base_out) in self.slices() {
            for y0 in (0..self.ny).step_by(STRIP) {
                let yn = STRIP.min(self.ny - y0);
                for x0 in rows.clone().step_by(ROWS) {
                    let xn = ROWS.min(rows.end - x0);
                    // Indices on both sides: the block is filled across its rows.
                    #[allow(clippy::needless_range_loop)]
                    for j in 0..yn {
                        let from = base_src + (y0 + j) * self.sy + x0;
                        if ahead < self.ny - y0 - j {
                            let next = from + ahead * self.sy;
                            prefetch(self.values, next..next + xn);
                        }
                        for (i, x) in self.values[from..from + xn].iter().enumerate() {
                            scratch[i][j] = conv(x);
                        }
                        after_column(xn);
                    }
                    for (i, row) in scratch[..xn].iter().enumerate() {
                        let to = base_out + (x0 + i) * self.dx + y0 - out_start;
                        if stream {
                            stream_copy(&row[..yn], &mut out[to..to + yn]);
                        } else {
                            out[to..to + yn].clone_from_slice(&row[..yn]);
                        }
                    }
                }
            }
        }
    }

    /// Writes the rows `rows` (along `x`) of every 2-D transposition into
    /// `out`, which holds the output from position `out_start` on, in tiles
    /// of `TILE x TILE` elements, so that every cache line read or written is
    /// used whole while it is in cache. `after_tile(k)` runs after each tile,
    /// of `k` elements, is written.
    fn through_tiles<B>(
        &self,
        rows: Range<usize>,
        out: &mut [B],
        out_start: usize,
        conv: &impl Fn(&A) -> B,
        mut after_tile: impl FnMut(usize),
    ) {
        for (base_src, base_out) in self.slices() {
            for y0 in (0..self.ny).step_by(TILE) {
                for x0 in rows.clone().step_by(TILE) {
                    let x1 = rows.end.min(x0 + TILE);
                    let y1 = self.ny.min(y0 + TILE);
                    for j in y0..y1 {
                        let from = base_src + j * self.sy;
                        let to = base_out + j;
                        for i in x0..x1 {
                            out[to + i * self.dx - out_start] = conv(&self.values[from + i]);
                        }
                    }
                    after_tile((x1 - x0) * (y1 - y0));
                }
            }
        }
    }

    /// Whether [`scan_across_columns`](Self::scan_across_columns) applies:
    /// this is the only transposition (the other axes have length one) and
    /// its output rows are short, at most [`NARROW`] elements (a tall array
    /// of a few columns in F order, say).
    fn across_columns(&self) -> bool {
        self.ny <= NARROW && self.others.size() == 1
    }

    /// The scan of a transposition that is [`across_columns`]: the `ny`
    /// input columns are read side by side, as many streams, and each output
    /// row is multiplied into the scan as it is read, in one pass, with no
    /// scratch block, tiles or bands. `out` is asked for [`BAND_ROW_BYTES`]
    /// of rows at a time.
    ///
    /// [`across_columns`]: Self::across_columns
    fn scan_across_columns<B>(&self, out: &mut (impl Lane<B> + ?Sized), conv: &impl Fn(&A) -> B)
    where
        B: Clone + Mul<Output = B>,
    {
        let (nx, ny) = (self.nx, self.ny);
        // The only transposition: output row `i` is element `i` of every
        // column, and the output rows follow each other.
        debug_assert_eq!(self.dx, ny);
        let mut columns: [&[A]; NARROW] = [&[]; NARROW];
        for (j, column) in columns[..ny].iter_mut().enumerate() {
            *column = &self.values[j * self.sy..j * self.sy + nx];
        }
        let columns = &columns[..ny];
        let band_rows = (BAND_ROW_BYTES / (ny * core::mem::size_of::<B>().max(1))).max(1);
        // The first element is its own product: the scan starts from it,
        // with the rest of the first row.
        let mut carry = conv(&columns[0][0]);
        let first = &mut out.up_to(ny)[..ny];
        first[0].clone_from(&carry);
        for (y, column) in first.iter_mut().zip(columns).skip(1) {
            carry = carry.clone() * conv(&column[0]);
            y.clone_from(&carry);
        }
        for band in (1..nx).step_by(band_rows) {
            let end = nx.min(band + band_rows);
            let rows = &mut out.up_to(end * ny)[band * ny..end * ny];
            carry = scan_rows_across(rows, columns, band, carry, conv);
        }
    }

    /// The whole transposition into `out`, through the scratch block where it
    /// applies, otherwise through the tiles.
    fn gather<B: Clone>(&self, out: &mut [B], conv: &impl Fn(&A) -> B) {
        if self.uses_block::<B>() {
            self.gather_through_block(out, conv);
        } else {
            self.through_tiles(0..self.nx, out, 0, conv, |_| {});
        }
    }

    /// [`gather`](Self::gather) through the scratch block. A function of its
    /// own, never inlined, so that only calls that use the block have it on
    /// their stack: for a large element type it would be megabytes.
    #[inline(never)]
    fn gather_through_block<B: Clone>(&self, out: &mut [B], conv: &impl Fn(&A) -> B) {
        // A large output is written with streaming stores: the scan that
        // follows reads it from memory either way, and the stores then need
        // not read the lines first. Measured (64 MiB, 64 x 128 x 1024 F,
        // against a copy): 3.9x -> 3.0x; 4 x 2097152 F: 2.6x -> 2.4x.
        let stream = memory::streams::<B>() && core::mem::size_of_val(out) >= streamed::MIN_BYTES;
        let mut block = Block::new(self, conv, stream);
        self.through_block(&mut block, 0..self.nx, out, 0, conv, |_| {});
        if stream {
            stream_fence();
        }
    }

    /// Whether [`scan_few_rows`] applies: this is the only transposition,
    /// with at most [`FEW_ROWS`] output rows (a wide array of a few rows in
    /// F order, say), of elements that stream on this target, and an output
    /// of at least `min_bytes`.
    fn few_rows<B>(&self, min_bytes: usize) -> bool {
        self.others.size() == 1
            && self.nx <= FEW_ROWS
            && memory::streams::<B>()
            && self.values.len().saturating_mul(core::mem::size_of::<B>()) >= min_bytes
    }

    /// Whether [`transpose_then_scan`] is the faster walk, for an output of
    /// at least `min_bytes`: each input column is at least a page long (the
    /// two passes read it whole, a run the processor foresees), and a band
    /// of output rows would read from more pages than the processor keeps
    /// translations for ([`TLB_PAGES`]), one run of each column: then every
    /// run of a band costs a walk of the page tables. Measured (64 MiB,
    /// `cumprod_flat_into` against a copy, paired runs): 1024 x 8192 and
    /// 512 x 16384 F, 2.5x-5.4x through the streamed bands (varying with
    /// how the pages fall), 2.3x-3.1x so (i64 up to 1.1x slower where the
    /// bands ran at their best). With 1,024 to 4,096 columns (8192 x 1024
    /// and 2048 x 4096 F), columns of 512 bytes (64 x 128 x 1024 F), or 4
    /// columns, the bands are as fast or faster (up to 1.5x).
    fn two_passes<B>(&self, min_bytes: usize) -> bool {
        let size = core::mem::size_of::<B>();
        self.values.len().saturating_mul(size) >= min_bytes
            && self.nx.saturating_mul(size) >= PAGE
            && self.ny.saturating_mul(self.others.size()) > TLB_PAGES
    }

    /// Whether the scratch block applies: elements of up to 8 bytes (32 KiB
    /// on the stack at most), and output rows long enough to fill it. Short
    /// output rows (4 elements) are faster with the tiles.
    fn uses_block<B>(&self) -> bool {
        core::mem::size_of::<B>() <= 8 && self.ny >= STRIP
    }

    /// A scratch block, for the calls that [`uses_block`](Self::uses_block).
    fn scratch<B: Clone>(&self, conv: &impl Fn(&A) -> B) -> Scratch<B> {
        // `Plan::new` refuses empty inputs.
        let fill = conv(&self.values[0]);
        core::array::from_fn(|_| core::array::from_fn(|_| fill.clone()))
    }
}

/// Writes the converted elements of `src` into `out` in logical (row-major)
/// order: a transposition through a scratch block or in tiles when `src` is
/// one contiguous block whose fastest axis in memory is not the last axis,
/// otherwise a walk in logical order.
pub(super) fn gather<A, B: Clone, D: Dimension>(
    src: &ArrayView<'_, A, D>,
    out: &mut [B],
    conv: impl Fn(&A) -> B,
) {
    match Plan::new(src) {
        Some(plan) => plan.gather(out, &conv),
        None => {
            for (slot, value) in out.iter_mut().zip(src.iter()) {
                *slot = conv(value);
            }
        }
    }
}

/// Scans `out`, the rows from `first` on of a transposition whose columns
/// are `columns`, continuing from `carry`, and returns the last product. A
/// function of its own, so that `carry` stays in a register: in a loop that
/// also asks a growing vector for room, the compiler kept it on the stack,
/// and each step waited on a store and a load (measured: `cumprod_flat` of
/// 2M x 4 f64 in F order, 57 ms against 36 ms).
#[inline(never)]
fn scan_rows_across<A, B>(
    out: &mut [B],
    columns: &[&[A]],
    first: usize,
    mut carry: B,
    conv: &impl Fn(&A) -> B,
) -> B
where
    B: Clone + Mul<Output = B>,
{
    for (row, i) in out.chunks_exact_mut(columns.len()).zip(first..) {
        for (y, column) in row.iter_mut().zip(columns) {
            carry = carry * conv(&column[i]);
            y.clone_from(&carry);
        }
    }
    carry
}

/// The scratch block: `ROWS` output rows of `STRIP` elements.
type Scratch<B> = [[B; STRIP]; ROWS];

/// How `plan` is written a band of rows at a time, when the output can be
/// written so and a band fits in [`BAND_BYTES`]: the rows in a band, `ROWS`
/// through the scratch block, where it applies, or about `tile_band_bytes` of
/// them through the tiles.
fn band_rows<A, B, D: Dimension>(plan: &Plan<'_, A, D>, tile_band_bytes: usize) -> Option<usize> {
    if !plan.bands() {
        return None;
    }
    let size = core::mem::size_of::<B>().max(1);
    let rows = if plan.uses_block::<B>() {
        ROWS
    } else {
        (tile_band_bytes / (plan.dx * size)).max(1).div_ceil(TILE) * TILE
    };
    (rows < plan.nx && rows * plan.dx * size <= BAND_BYTES).then_some(rows)
}

/// How the rows of a band are transposed: through the scratch block, or in
/// tiles.
trait BandWriter<A, B> {
    /// Writes the rows `rows` of every 2-D transposition of `plan` into
    /// `out`, which holds the output from `out_start` on, calling `after(k)`
    /// after every `k` elements.
    fn write<D: Dimension>(
        &mut self,
        plan: &Plan<'_, A, D>,
        rows: Range<usize>,
        out: &mut [B],
        out_start: usize,
        conv: &impl Fn(&A) -> B,
        after: impl FnMut(usize),
    );
}

/// Through the scratch block ([`Plan::through_block`]).
struct Block<B> {
    scratch: Scratch<B>,
    /// Whether the rows of the block are written with streaming stores (the
    /// caller then fences them).
    stream: bool,
}

impl<B: Clone> Block<B> {
    /// A scratch block for `plan`, writing with streaming stores if `stream`.
    fn new<A, D: Dimension>(plan: &Plan<'_, A, D>, conv: &impl Fn(&A) -> B, stream: bool) -> Self {
        Block {
            scratch: plan.scratch(conv),
            stream,
        }
    }
}

impl<A, B: Clone> BandWriter<A, B> for Block<B> {
    fn write<D: Dimension>(
        &mut self,
        plan: &Plan<'_, A, D>,
        rows: Range<usize>,
        out: &mut [B],
        out_start: usize,
        conv: &impl Fn(&A) -> B,
        after: impl FnMut(usize),
    ) {
        plan.through_block(self, rows, out, out_start, conv, after);
    }
}

/// In tiles ([`Plan::through_tiles`]).
struct Tiles;

impl<A, B> BandWriter<A, B> for Tiles {
    fn write<D: Dimension>(
        &mut self,
        plan: &Plan<'_, A, D>,
        rows: Range<usize>,
        out: &mut [B],
        out_start: usize,
        conv: &impl Fn(&A) -> B,
        after: impl FnMut(usize),
    ) {
        plan.through_tiles(rows, out, out_start, conv, after);
    }
}

/// Writes the cumulative product of the elements of `src` in logical order
/// into `out`, a contiguous lane.
///
/// A tall array of a few columns (in F order, say) is read a row at a time,
/// across its columns, and scanned as it is read
/// ([`Plan::scan_across_columns`]). Otherwise, where the output can be
/// written a band of rows at a time (`ROWS` rows through the scratch block,
/// about [`TILE_BAND_BYTES`] through the tiles)
/// and a band stays in cache ([`BAND_BYTES`]), the scan of each band runs
/// interleaved with the transposition of the next: a column of the scratch
/// block (or a tile) written, then as many steps of the scan. The scan, a
/// single chain of dependent multiplications, leaves most of the processor
/// idle, and the transposition fills it. A large output that is a slice
/// (not a growing vector) has its bands staged and streamed instead
/// ([`scan_bands_streamed`]). Otherwise: the whole transposition (streamed,
/// for a large output), then the scan.
pub(super) fn gather_scan<A, B, D>(
    src: &ArrayView<'_, A, D>,
    out: &mut (impl Lane<B> + ?Sized),
    conv: impl Fn(&A) -> B,
) where
    D: Dimension,
    B: Clone + Mul<Output = B>,
{
    gather_scan_in_bands(src, out, conv, TILE_BAND_BYTES, streamed::MIN_BYTES);
}

/// Where [`gather_scan`] writes: a slice of the input's length, or a vector
/// that grows a band at a time.
pub(super) trait Lane<B> {
    /// The output, at least up to `end`.
    fn up_to(&mut self, end: usize) -> &mut [B];
    /// The whole output, when it is there already (a slice, not a vector
    /// that grows).
    fn whole(&mut self) -> Option<&mut [B]> {
        None
    }
}

impl<B> Lane<B> for [B] {
    fn up_to(&mut self, _: usize) -> &mut [B] {
        self
    }
    fn whole(&mut self) -> Option<&mut [B]> {
        Some(self)
    }
}

/// A vector filled as the bands are written: each band is first filled with
/// `fill` just before it is written, while it is in cache, instead of the
/// whole vector in a pass of its own.
pub(super) struct Growing<B> {
    pub(super) values: Vec<B>,
    pub(super) fill: B,
}

impl<B: Clone> Lane<B> for Growing<B> {
    fn up_to(&mut self, end: usize) -> &mut [B] {
        if self.values.len() < end {
            self.values.resize(end, self.fill.clone());
        }
        &mut self.values
    }
}

/// [`gather_scan`] with bands of about `tile_band_bytes` through the tiles,
/// and streamed bands for outputs of at least `stream_min_bytes` (the tests
/// make both small).
fn gather_scan_in_bands<A, B, D>(
    src: &ArrayView<'_, A, D>,
    out: &mut (impl Lane<B> + ?Sized),
    conv: impl Fn(&A) -> B,
    tile_band_bytes: usize,
    stream_min_bytes: usize,
) where
    D: Dimension,
    B: Clone + Mul<Output = B>,
{
    let len = src.len();
    let Some(plan) = Plan::new(src) else {
        // Logical order is the best walk: no transposition.
        let out = out.up_to(len);
        gather(src, out, conv);
        scan_run(out, 0..len);
        return;
    };
    if plan.across_columns() {
        return plan.scan_across_columns(out, &conv);
    }
    if plan.two_passes::<B>(stream_min_bytes) {
        if let Some(out) = out.whole() {
            if transpose_then_scan(&plan, out, &conv) {
                return;
            }
        }
    }
    if let Some(rows) = streamed_band_rows::<A, B, D>(&plan, stream_min_bytes) {
        if let Some(out) = out.whole() {
            return scan_bands_streamed(&plan, out, &conv, rows);
        }
    }
    let Some(rows) = band_rows::<A, B, D>(&plan, tile_band_bytes) else {
        let out = out.up_to(len);
        if plan.few_rows::<B>(stream_min_bytes) {
            return scan_few_rows(&plan, out, &conv);
        }
        plan.gather(out, &conv);
        scan_run(out, 0..len);
        return;
    };
    if plan.uses_block::<B>() {
        scan_bands_through_block(&plan, out, &conv, rows);
    } else {
        scan_bands(&plan, out, &conv, rows, &mut Tiles);
    }
}

/// The scan of `plan`'s output in two passes: the whole transposition with
/// [`memory::stream_transpose`] (the input read a run of whole columns at a
/// time, transposed in registers and streamed into `out`), then the scan of
/// `out` in place. Returns `false`, writing nothing, where that kernel does
/// not apply (see there; `conv` must also be the plain conversion).
fn transpose_then_scan<A, B, D>(
    plan: &Plan<'_, A, D>,
    out: &mut [B],
    conv: &impl Fn(&A) -> B,
) -> bool
where
    D: Dimension,
    B: Clone + Mul<Output = B>,
{
    if !crate::cumprod_ext::is_convert::<B, B, _>(conv) {
        return false;
    }
    for (n, (base_src, base_out)) in plan.slices().enumerate() {
        let done = memory::stream_transpose(
            &plan.values[base_src..],
            plan.sy,
            &mut out[base_out..],
            plan.dx,
            (plan.nx, plan.ny),
            conv,
        );
        if !done {
            // Every transposition is of the same shape, so only the first
            // can be refused.
            debug_assert_eq!(n, 0);
            return false;
        }
    }
    stream_fence();
    let len = out.len();
    scan_run(out, 0..len);
    true
}

/// [`scan_bands`] through the scratch block. A function of its own, never
/// inlined, so that only the calls that use the block have it on their stack.
#[inline(never)]
fn scan_bands_through_block<A, B, D>(
    plan: &Plan<'_, A, D>,
    out: &mut (impl Lane<B> + ?Sized),
    conv: &impl Fn(&A) -> B,
    rows: usize,
) where
    D: Dimension,
    B: Clone + Mul<Output = B>,
{
    let mut block = Block::new(plan, conv, false);
    scan_bands(plan, out, conv, rows, &mut block);
}

/// The rows in a band of [`scan_bands_streamed`], when it applies to `plan`
/// and an output of at least `min_bytes`: elements that stream on this
/// target and fit the scratch block, an output that can be written a band
/// of rows at a time, and more rows than one band. A band is [`ROWS`] rows,
/// or fewer, down to 8, where so many would outgrow [`STREAMED_BAND_BYTES`].
fn streamed_band_rows<A, B, D: Dimension>(
    plan: &Plan<'_, A, D>,
    min_bytes: usize,
) -> Option<usize> {
    let size = core::mem::size_of::<B>();
    let row_bytes = plan.dx.saturating_mul(size);
    let rows = (STREAMED_BAND_BYTES / row_bytes.max(1)).clamp(8, ROWS) / 8 * 8;
    let applies = memory::streams::<B>()
        && plan.uses_block::<B>()
        && plan.bands()
        && plan.values.len().saturating_mul(size) >= min_bytes
        && rows < plan.nx
        && rows * row_bytes <= STREAMED_BAND_BYTES;
    applies.then_some(rows)
}

/// The scan of `plan`'s output where it has few rows, each long
/// ([`Plan::few_rows`]), in two passes over `out`. The first reads the input
/// once, in memory order, a chunk of [`FEW_ROWS_CHUNK_BYTES`] at a time:
/// each output row's part of the chunk is gathered into a buffer (of the
/// chunk's size, allocated for the call, as documented with the methods) and
/// streamed into `out`, the first row's scanned on the way (it is the
/// first in the chain), the others as they are. The second scans the other
/// rows in place, in logical order, on from the first row's last product.
///
/// The chain of products cannot start a row before the row above it ends,
/// so all but the first row are written twice either way; the whole
/// transposition before the whole scan writes the first row twice too, and
/// reads the input through the scratch block, a few elements of each
/// column. Measured (64 MiB F order, `cumprod_flat_into` against a copy,
/// paired runs): 2 x 4194304 2.5x-2.6x -> 1.7x-1.9x, 3 x 2796202
/// 2.1x-2.5x -> 1.9x-2.0x, 4 x 2097152 2.2x-2.7x -> 1.8x-2.0x, 8 x 1048576
/// 2.2x-2.3x -> 2.1x-2.2x; with 16 rows, no gain (2.2x-2.5x both).
#[inline(never)]
fn scan_few_rows<A, B, D>(plan: &Plan<'_, A, D>, out: &mut [B], conv: &impl Fn(&A) -> B)
where
    D: Dimension,
    B: Clone + Mul<Output = B>,
{
    let (nx, ny) = (plan.nx, plan.ny);
    // The only transposition, of one contiguous block: input element
    // `(x, y)` is at `y * nx + x`, output element `(x, y)` at `x * ny + y`.
    debug_assert_eq!((plan.dx, plan.sy), (ny, nx));
    let size = core::mem::size_of::<B>().max(1);
    // Even, so that every part of the first row but the last starts on the
    // same alignment as the output (see `stream_scan`).
    let chunk = (FEW_ROWS_CHUNK_BYTES / (nx * size)).max(2) / 2 * 2;
    let width = chunk.min(ny);
    let mut buffer = alloc::vec![conv(&plan.values[0]); width * nx];
    let mut carry: Option<B> = None;
    for y0 in (0..ny).step_by(chunk) {
        let yn = chunk.min(ny - y0);
        let region = &plan.values[y0 * nx..(y0 + yn) * nx];
        macro_rules! split {
            ($($n:literal)*) => {
                match nx {
                    $($n => split_rows::<A, B, $n>(region, &mut buffer, width, conv),)*
                    _ => unreachable!("`few_rows` takes 2 to {FEW_ROWS} rows"),
                }
            };
        }
        split!(2 3 4 5 6 7 8);
        for (x, row) in buffer.chunks_exact_mut(width).enumerate() {
            let part = &mut row[..yn];
            let to = &mut out[x * ny + y0..x * ny + y0 + yn];
            if x == 0 {
                write_scanned(part, &mut carry, to);
            } else {
                stream_copy(part, to);
            }
        }
    }
    stream_fence();
    scan_run(out, ny..out.len());
}

/// Converts `region`, consecutive groups of `N` elements, one for each
/// output row, into the rows of `buffer`, `width` elements apart: element
/// `x` of group `i` to `buffer[x * width + i]`. `N` known at compile time
/// lets the loop run without bounds checks, two groups at a time in vector
/// registers (measured, 3 x 2796202 F: 2.1x-2.5x a copy with a loop over
/// `x`, 1.9x-2.0x so).
#[inline(always)]
fn split_rows<A, B, const N: usize>(
    region: &[A],
    buffer: &mut [B],
    width: usize,
    conv: &impl Fn(&A) -> B,
) {
    let groups = region.len() / N;
    let mut rows = buffer.chunks_exact_mut(width);
    let mut rows: [&mut [B]; N] =
        core::array::from_fn(|_| &mut rows.next().expect("a row for each group element")[..groups]);
    for (i, group) in region.chunks_exact(N).enumerate() {
        for (row, value) in rows.iter_mut().zip(group) {
            row[i] = conv(value);
        }
    }
}

/// The scan of `plan`'s output, `band_rows` rows at a time, for large
/// outputs: each band is transposed through the scratch block into one of
/// two staging bands, which stay in cache, while the band before it is
/// scanned from the other staging band into `out` with streaming stores.
/// The staging bands, at most [`STREAMED_BAND_BYTES`] each, are allocated
/// for the call (the one allocation of an `_into` method on a plain array,
/// documented with the methods): on the stack they would be too large.
///
/// The output is then written once, without the reads of its lines that
/// ordinary stores cost, and the scan, a single chain of dependent
/// multiplications, still runs beside the transposition. Measured (64 MiB,
/// 8192 x 1024 F, against a copy): 2.8x -> 2.3x; 1024 x 8192 F, which the
/// bands of [`scan_bands`] do not take (they would outgrow [`BAND_BYTES`]):
/// 3.9x -> 2.8x.
#[inline(never)]
fn scan_bands_streamed<A, B, D>(
    plan: &Plan<'_, A, D>,
    out: &mut [B],
    conv: &impl Fn(&A) -> B,
    band_rows: usize,
) where
    D: Dimension,
    B: Clone + Mul<Output = B>,
{
    let mut block = Block::new(plan, conv, false);
    let band_len = band_rows * plan.dx;
    let fill = conv(&plan.values[0]);
    let mut writing = alloc::vec![fill.clone(); band_len];
    let mut scanning = alloc::vec![fill; band_len];
    // The running product; `None` before the first element.
    let mut carry: Option<B> = None;
    // Where in `out` the band in `scanning` goes, once a band is written.
    let mut pending: Option<Range<usize>> = None;
    for band in (0..plan.nx).step_by(band_rows) {
        let rows = band..plan.nx.min(band + band_rows);
        let mut at = 0;
        let mut scan_some = |k: usize| {
            if let Some(to) = &pending {
                let end = to.len().min(at + k);
                if at < end {
                    let dst = &mut out[to.start + at..to.start + end];
                    write_scanned(&mut scanning[at..end], &mut carry, dst);
                    at = end;
                }
            }
        };
        block.write(
            plan,
            rows.clone(),
            &mut writing,
            band * plan.dx,
            conv,
            &mut scan_some,
        );
        if let Some(to) = pending {
            let n = to.len();
            write_scanned(
                &mut scanning[at..n],
                &mut carry,
                &mut out[to.start + at..to.end],
            );
        }
        core::mem::swap(&mut writing, &mut scanning);
        pending = Some(rows.start * plan.dx..rows.end * plan.dx);
    }
    if let Some(to) = pending {
        let n = to.len();
        write_scanned(&mut scanning[..n], &mut carry, &mut out[to]);
    }
    stream_fence();
}

/// Scans `chunk` on from `carry` (from its first element if `None`) and
/// streams the products into `to`, of the same length: straight from the
/// registers where [`stream_scan`] can.
#[inline(always)]
fn write_scanned<B: Clone + Mul<Output = B>>(chunk: &mut [B], carry: &mut Option<B>, to: &mut [B]) {
    if let Some(c) = carry {
        if stream_scan(c, chunk, to) {
            return;
        }
    }
    scan_chunk(chunk, carry);
    stream_copy(chunk, to);
}

/// Scans `chunk` in place, on from `carry` (from its first element if
/// `None`), and leaves the last product in `carry`.
#[inline(always)]
fn scan_chunk<B: Clone + Mul<Output = B>>(chunk: &mut [B], carry: &mut Option<B>) {
    let mut rest = &mut chunk[..];
    let mut c = match carry.take() {
        Some(c) => c,
        None => {
            let Some((first, tail)) = rest.split_first_mut() else {
                return;
            };
            rest = tail;
            first.clone()
        }
    };
    for y in rest {
        c = c * y.clone();
        y.clone_from(&c);
    }
    *carry = Some(c);
}

/// The scan of `plan`'s output, interleaved with its transposition, `rows`
/// rows at a time: each band is written by `writer` while the scan works
/// through the band before it.
fn scan_bands<A, B, D>(
    plan: &Plan<'_, A, D>,
    out: &mut (impl Lane<B> + ?Sized),
    conv: &impl Fn(&A) -> B,
    band_rows: usize,
    writer: &mut impl BandWriter<A, B>,
) where
    D: Dimension,
    B: Clone + Mul<Output = B>,
{
    let len = plan.values.len();
    // `out[..scanned]` holds products; the band after it, input elements.
    let mut scanned = 0;
    for band in (0..plan.nx).step_by(band_rows) {
        let band_start = band * plan.dx;
        let band_end = plan.nx.min(band + band_rows);
        let (done, rest) = out.up_to(band_end * plan.dx).split_at_mut(band_start);
        let mut at = scanned;
        let mut scan_some = |k: usize| {
            let end = done.len().min(at + k);
            scan_run(&mut done[..end], at..end);
            at = end;
        };
        writer.write(plan, band..band_end, rest, band_start, conv, &mut scan_some);
        scan_run(done, at..band_start);
        scanned = band_start;
    }
    scan_run(out.up_to(len), scanned..len);
}

#[cfg(test)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use ndarray::{Array, IxDyn, ShapeBuilder};

    use super::super::test_support::Word;
    use super::*;

    /// Shapes whose sides fall on and off the block and band edges: F order
    /// (and its transpose, and a rotation of the 3-D ones) makes them
    /// transpositions.
    const SHAPES: [&[usize]; 20] = [
        &[300, 200],
        &[200, 300],
        &[129, 127],
        &[127, 129],
        &[33, 128],
        &[31, 257],
        &[5, 1000],
        &[1000, 5],
        &[3, 40, 150],
        &[150, 3, 40],
        &[2, 2, 300],
        &[97, 2, 130],
        &[64, 128],
        &[65, 1, 200],
        &[0, 200],
        &[130, 0],
        // A few columns (read across them), one more than that, a middle
        // axis of length one, and the smallest such array.
        &[700, 16],
        &[700, 17],
        &[300, 1, 7],
        &[2, 2],
    ];

    /// Every view of every shape in [`SHAPES`] that the tests walk.
    fn views<T: Clone>(make: impl Fn(usize) -> T, mut check: impl FnMut(ArrayView<'_, T, IxDyn>)) {
        for shape in SHAPES {
            let len: usize = shape.iter().product();
            let f = Array::from_shape_vec(IxDyn(shape).f(), (0..len).map(&make).collect())
                .expect("the shape holds len elements");
            let mut rotated = f.view();
            if shape.len() == 3 {
                rotated = rotated.permuted_axes(vec![1, 2, 0]);
            }
            for view in [f.view(), f.t(), rotated] {
                check(view);
            }
        }
    }

    /// `gather` against the logical order of ndarray's own iterator, for
    /// elements small enough for the scratch block (u32, u64) and too large
    /// for it (u128).
    fn check_gather<T: Clone + PartialEq + core::fmt::Debug>(make: impl Fn(usize) -> T, max: T) {
        views(make, |view| {
            let mut out = vec![max.clone(); view.len()];
            gather(&view, &mut out, T::clone);
            let expected: Vec<T> = view.iter().cloned().collect();
            assert_eq!(
                out,
                expected,
                "shape {:?} strides {:?}",
                view.shape(),
                view.strides()
            );
        });
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "arrays of up to 60,000 elements, hours under Miri; the only paths that reach the `memory` module (the streamed ones) run under Miri on small arrays in `streamed_bands_match_the_reference_loop` and `few_rows_match_the_reference_loop`"
    )]
    fn gather_writes_logical_order() {
        check_gather(|i| i as u32, u32::MAX);
        check_gather(|i| i as u64, u64::MAX);
        check_gather(|i| i as u128, u128::MAX);
    }

    /// `gather_scan` against a plain loop over the logical order, with an
    /// 8-byte non-commutative element, so that the banded path runs (the
    /// scratch block needs elements of at most 8 bytes) and a product taken
    /// in the wrong order, skipped or repeated shows.
    #[test]
    #[cfg_attr(
        miri,
        ignore = "arrays of up to 60,000 elements, hours under Miri; the only paths that reach the `memory` module (the streamed ones) run under Miri on small arrays in `streamed_bands_match_the_reference_loop` and `few_rows_match_the_reference_loop`"
    )]
    fn gather_scan_matches_the_reference_loop() {
        let (mut through_block, mut through_tiles, mut across) = (0, 0, 0);
        for tile_band_bytes in [TILE_BAND_BYTES, 1000, 64] {
            views(Word::new, |view| {
                let mut out = vec![Word::new(usize::MAX); view.len()];
                gather_scan_in_bands(
                    &view,
                    &mut out[..],
                    Word::clone,
                    tile_band_bytes,
                    usize::MAX,
                );
                // The same into a vector that grows a band at a time, as the
                // allocating `cumprod_flat` writes.
                let mut growing = Growing {
                    values: Vec::with_capacity(view.len()),
                    fill: Word::new(usize::MAX),
                };
                gather_scan_in_bands(
                    &view,
                    &mut growing,
                    Word::clone,
                    tile_band_bytes,
                    usize::MAX,
                );
                assert_eq!(growing.values, out);
                let expected = reference(&view);
                assert_eq!(
                    out,
                    expected,
                    "shape {:?} strides {:?}, bands of {tile_band_bytes} bytes",
                    view.shape(),
                    view.strides()
                );
                match Plan::new(&view) {
                    Some(plan) if plan.across_columns() => across += 1,
                    Some(plan) => match band_rows::<_, Word, _>(&plan, tile_band_bytes) {
                        Some(_) if plan.uses_block::<Word>() => through_block += 1,
                        Some(_) => through_tiles += 1,
                        None => {}
                    },
                    None => {}
                }
            });
        }
        // Enough views take each banded path for the test to mean something.
        assert!(
            through_block >= 4,
            "{through_block} views banded through the block"
        );
        assert!(
            through_tiles >= 2,
            "{through_tiles} views banded through the tiles"
        );
        assert!(across >= 8, "{across} views scanned across their columns");
    }

    /// The plain loop over the logical order of `view`.
    fn reference<T: Clone + Mul<Output = T>>(view: &ArrayView<'_, T, IxDyn>) -> Vec<T> {
        let mut expected: Vec<T> = Vec::new();
        for x in view.iter() {
            let next = match expected.last() {
                Some(prev) => prev.clone() * x.clone(),
                None => x.clone(),
            };
            expected.push(next);
        }
        expected
    }

    /// An F-order array of `shape` of f64 factors near one, with no pattern
    /// that lines up with the bands.
    fn f_order_floats(shape: &[usize]) -> Array<f64, IxDyn> {
        let len: usize = shape.iter().product();
        let values = (0..len).map(|k| 0.995 + (k * 7 % 17) as f64 * 6e-4);
        Array::from_shape_vec(IxDyn(shape).f(), values.collect())
            .expect("the shape holds len elements")
    }

    /// The two passes ([`transpose_then_scan`]) against the plain loop, for
    /// `f64` (bit for bit) and `i64`: shapes on and off the registers and
    /// runs of [`memory::stream_transpose`], into slices that start on 16
    /// bytes and one element past, and 3-D arrays (several transpositions
    /// that interleave their output rows). Without AVX2 they are refused,
    /// and the output is left as it was.
    #[test]
    fn two_passes_match_the_reference_loop() {
        let mut taken = 0;
        let shapes: &[&[usize]] = if cfg!(miri) {
            // Seconds each under Miri: one 2-D shape off both edges (the
            // 3-D shapes run the same transposition once per slice).
            &[&[9, 70]]
        } else {
            &[
                &[8, 64],
                &[9, 70],
                &[33, 31],
                &[4, 3, 40],
                &[5, 2, 33],
                &[1, 64, 3],
            ]
        };
        for &shape in shapes {
            let f = f_order_floats(shape);
            let signs = f.mapv(|x| if x < 1.0 { -1_i64 } else { 1 });
            let Some(plan) = Plan::new(&f.view()) else {
                unreachable!("{shape:?} F is a transposition");
            };
            let expected: Vec<u64> = reference(&f.view()).iter().map(|x| x.to_bits()).collect();
            for offset in [0, 1] {
                let mut buffer = vec![f64::MAX; f.len() + 1];
                let out = &mut buffer[offset..offset + f.len()];
                if !transpose_then_scan(&plan, out, &crate::cumprod_ext::convert::<f64, f64>) {
                    assert!(buffer.iter().all(|&x| x == f64::MAX));
                    continue;
                }
                taken += 1;
                let bits: Vec<u64> = out.iter().map(|x| x.to_bits()).collect();
                assert_eq!(bits, expected, "{shape:?}, offset {offset}");
            }
            let Some(plan) = Plan::new(&signs.view()) else {
                unreachable!("{shape:?} F is a transposition");
            };
            let mut out = vec![0_i64; signs.len()];
            if transpose_then_scan(&plan, &mut out, &crate::cumprod_ext::convert::<i64, i64>) {
                assert_eq!(out, reference(&signs.view()), "i64 {shape:?}");
            }
            // Another conversion (NaN-skipping, say) is refused.
            assert!(!transpose_then_scan(&plan, &mut out, &|&x: &i64| x));
        }
        let all = 2 * shapes.len();
        assert!(taken == 0 || taken == all, "{taken} of {all}");
        assert_eq!(taken == all, memory::flagged_tiles::<f64>());
    }

    /// The streamed bands ([`scan_bands_streamed`]) against the plain loop,
    /// for `f64` (compared bit for bit) and `i64`, with the size threshold
    /// lifted so that small arrays take them: one band and a short one, a
    /// few, output rows of an odd length (no pairs of products to a
    /// register), and 3-D arrays (several 2-D transpositions in a band).
    #[test]
    #[cfg_attr(
        miri,
        ignore = "65 s under Miri for the smallest array that takes two bands; its \
                  streaming stores are those of `memory::stream_scan` and \
                  `memory::stream_copy`, whose own tests run under Miri"
    )]
    fn streamed_bands_match_the_reference_loop() {
        let shapes: &[&[usize]] = &[
            &[33, 128],
            &[300, 200],
            &[41, 131],
            &[200, 300],
            &[70, 1, 150],
            &[40, 3, 130],
            &[65, 2, 129],
        ];
        for &shape in shapes {
            let f = f_order_floats(shape);
            let len = f.len();
            let plan = Plan::new(&f.view()).expect("F order is a transposition");
            assert!(
                streamed_band_rows::<f64, f64, _>(&plan, 0).is_some() == memory::streams::<f64>(),
                "shape {shape:?} takes the streamed bands"
            );
            let mut out = vec![f64::NAN; len];
            gather_scan_in_bands(&f.view(), &mut out[..], |&x| x, TILE_BAND_BYTES, 0);
            let expected = reference(&f.view());
            let wrong = out
                .iter()
                .zip(&expected)
                .position(|(x, y)| x.to_bits() != y.to_bits());
            assert_eq!(wrong, None, "f64 {shape:?}: first wrong position");

            let signs = f.mapv(|x| if x > 1.0 { -1_i64 } else { 1 });
            let mut out = vec![0_i64; len];
            gather_scan_in_bands(&signs.view(), &mut out[..], |&x| x, TILE_BAND_BYTES, 0);
            let expected = reference(&signs.view());
            let wrong = out.iter().zip(&expected).position(|(x, y)| x != y);
            assert_eq!(wrong, None, "i64 {shape:?}: first wrong position");
        }
    }

    /// The scan of a few long rows ([`scan_few_rows`]) against the plain
    /// loop, for `f64` (bit for bit) and `i64`, with the size threshold
    /// lifted: every number of rows it takes, rows shorter than a chunk, of
    /// one chunk and a part, and of an odd length; into a slice, one that
    /// starts off the 16-byte alignment, and a vector that grows.
    #[test]
    fn few_rows_match_the_reference_loop() {
        let shapes: &[&[usize]] = if cfg!(miri) {
            &[&[3, 41], &[2, 1, 18]]
        } else {
            &[
                &[2, 5000],
                &[3, 2731],
                &[4, 3000],
                &[5, 999],
                &[6, 700],
                &[7, 17],
                &[8, 1025],
                &[4, 1, 2049],
                &[1, 4, 1, 2050],
            ]
        };
        for &shape in shapes {
            let f = f_order_floats(shape);
            let len = f.len();
            let plan = Plan::new(&f.view()).expect("F order is a transposition");
            assert_eq!(
                plan.few_rows::<f64>(0),
                memory::streams::<f64>(),
                "shape {shape:?} takes the few rows"
            );
            let expected = reference(&f.view());
            for offset in [0, 1] {
                let mut out = vec![f64::NAN; len + 1];
                let out = &mut out[offset..offset + len];
                gather_scan_in_bands(&f.view(), out, |&x| x, TILE_BAND_BYTES, 0);
                let wrong = out
                    .iter()
                    .zip(&expected)
                    .position(|(x, y)| x.to_bits() != y.to_bits());
                assert_eq!(
                    wrong, None,
                    "f64 {shape:?} at {offset}: first wrong position"
                );
            }
            let mut growing = Growing {
                values: Vec::new(),
                fill: f64::NAN,
            };
            gather_scan_in_bands(&f.view(), &mut growing, |&x| x, TILE_BAND_BYTES, 0);
            assert!(growing
                .values
                .iter()
                .zip(&expected)
                .all(|(x, y)| x.to_bits() == y.to_bits()));

            let signs = f.mapv(|x| if x > 1.0 { -1_i64 } else { 1 });
            let mut out = vec![0_i64; len];
            gather_scan_in_bands(&signs.view(), &mut out[..], |&x| x, TILE_BAND_BYTES, 0);
            assert_eq!(out, reference(&signs.view()), "i64 {shape:?}");
        }
    }

    /// Every path of the transposition on the smallest arrays that take it:
    /// the scratch block with bands, the tiles with bands, the columns read
    /// side by side, and the whole transposition, each against the plain
    /// loop.
    #[test]
    #[cfg_attr(
        miri,
        ignore = "nothing on these paths reaches the `memory` module: `Word` never streams, and prefetches are compiled out under Miri; it took two minutes there"
    )]
    fn small_transpositions_take_every_path() {
        for (shape, tile_band_bytes) in [
            (&[40_usize, 128][..], TILE_BAND_BYTES),
            (&[20, 9][..], 64),
            (&[30, 3][..], TILE_BAND_BYTES),
            (&[3, 4, 5][..], TILE_BAND_BYTES),
        ] {
            let len: usize = shape.iter().product();
            let f = Array::from_shape_vec(IxDyn(shape).f(), (0..len).map(Word::new).collect())
                .expect("the shape holds len elements");
            let view = f.view();
            let mut out = vec![Word::new(usize::MAX); len];
            gather_scan_in_bands(
                &view,
                &mut out[..],
                Word::clone,
                tile_band_bytes,
                usize::MAX,
            );
            let expected = reference(&view);
            assert_eq!(out, expected, "shape {shape:?}");
            let mut gathered = vec![Word::new(usize::MAX); len];
            gather(&view, &mut gathered, Word::clone);
            assert_eq!(gathered, view.iter().cloned().collect::<Vec<_>>());
        }
    }
}
