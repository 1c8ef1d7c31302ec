//! Large `_into` outputs written with streaming stores
//! ([`memory::stream_copy`]), which do not read the output's lines before
//! they overwrite them.
//!
//! An ordinary store to a line that is not in cache reads the line from
//! memory first: a scan into a large output moves three times its size (the
//! input, the output read, the output written), a copy too. With streaming
//! stores, twice. The two kernels here write each result once, a short run
//! at a time, as soon as it is known:
//!
//! - **rows** (the scan along an axis that is not the fastest in memory), of
//!   1 KiB to 64 KiB, or longer if there are at most [`FEW_ROWS`]: the
//!   running products of a row (a band of [`BAND`] columns) stay on the
//!   stack, in cache; each input row is multiplied into them, [`CHUNK`]
//!   elements at a time, and the chunk streamed out (for `f64`, `i64` and
//!   `u64`, from the registers that multiply it: [`memory::stream_times`]; for
//!   `Scaled<f64>` from `f64`, [`memory::stream_times_scaled`]). Measured (64 MiB,
//!   one run, time / a copy): rows of 1,024 f64 1.22-1.39x -> 0.8-0.97x, i64
//!   1.47-1.52x -> 1.03-1.28x.
//! - **lanes** (contiguous lanes of floats and of 64-bit integers, at least
//!   [`GROUP`] of them):
//!   [`GROUP`] lanes side by side, a tile of [`TILE`] steps of each
//!   multiplied in registers and streamed out, a whole cache line of `f64`
//!   per lane, each lane's tiles aligned to its own lines (for `f64`, two
//!   lanes to an SSE2 register, each lane's line streamed whole before the
//!   next: [`memory::stream_tiles`]; segment starts as selects in those
//!   registers: [`memory::stream_tiles_flagged`], 2.1x-2.6x the plain scan
//!   -> 1.45x-2.0x, where the scalar tiles below took them as branches; on
//!   a processor with AVX2, masks and segment starts as AVX2 blends, a
//!   group's run of tiles at a time: [`memory::stream_flagged_tiles`],
//!   masks 1.6x-1.8x the plain scan -> 1.0x-1.3x).
//!   Where the tiles of a group's lanes fall within a few lines of each
//!   other modulo a page, they are moved to one place in their pages
//!   ([`page_shifts`]). Lanes of 1,024 f64: 1.29-1.41x -> 1.06-1.16x
//!   in the layout report, but 2.1x in a program of its own, where the
//!   compiler left the tiles in scalar registers; with `stream_tiles`, 1.2x
//!   to 1.4x in both. One to three
//!   lanes keep the plain kernels, which scan a lane at the latency of its
//!   multiplications whatever the stores (one lane streamed: 1.5x -> 2.0x a
//!   copy). `i64` and `u64` are multiplied in general-purpose registers,
//!   paired in SSE2 registers and streamed a lane's line at a time from
//!   there (`memory::tile_words`): lanes of 1,024 i64 1.45x-1.48x a copy ->
//!   1.11x-1.22x, of 8,192 and 2,097,152 0.9x-1.0x -> 0.84x-0.98x. The
//!   other integers, whose tiles do not fit the registers as scalars (see
//!   `contiguous::four_at_a_time`), segmented or masked integer lanes, and
//!   lanes of 16 to 1,023 f64, which are staged in cache first, keep the
//!   kernels of [`contiguous`](super::contiguous) and
//!   [`segmented`](super::segmented): streamed, they were slower. The
//!   reverse scan of `f64`, `i64` and `u64` takes the same tiles mirrored,
//!   from the end of each lane ([`scan_into_rev`]). `f64` into
//!   `Scaled<f64>` takes the same lanes of 8 KiB or more
//!   ([`applies_scaled`]) with tiles of its own, written with ordinary
//!   stores ([`memory::tiles_scaled`]); shorter lanes are scanned one at a
//!   time ([`crate::scaled::scan_float_lanes`]).
//! - **short lanes** (fewer than [`SHORT`] elements): whole lanes scanned
//!   into a chunk on the stack, which is then streamed out. Lanes of 4:
//!   f64 1.55x -> 1.20x, i64 1.75x -> 1.52x. Lanes of an even length of
//!   8-byte elements, without segments, into an aligned output are scanned
//!   a pair of products at a time, each pair streamed from registers
//!   ([`short_lanes_in_pairs`]): lanes of 4 f64 1.1x-1.15x, i64 1.3x-1.4x.
//!
//! The kernels read their factors through [`Factors`]: the converted
//! elements of the input ([`Plain`]), or those of a masked or segmented scan
//! ([`Flagged`], the mask and the segment starts beside the input), so that
//! these stream as the plain scan does.
//!
//! The results are the same, bit for bit: every lane is still multiplied
//! left to right, one element at a time.

use core::ops::{Mul, Range};

use super::contiguous::{four_at_a_time, masked_factor, masked_factors, scalar_multiply, GROUP};
use super::memory::{self, stream_copy, stream_fence};

/// Outputs of at least this many bytes are streamed: well beyond what the
/// level-2 cache of a core holds, and about what a core's share of a large
/// level-3 cache is, so that the output would leave the caches anyway.
/// Smaller outputs stay in cache for whatever reads them next.
pub(super) const MIN_BYTES: usize = 16 << 20;

/// Whether [`scan_into`] takes the scan of the row-major block
/// `(outer, n, inner)` of elements of `B`: a large output, of a type that
/// streams on this target, in rows of [`MIN_ROW_BYTES`] up to [`BAND`]
/// elements (or longer, if at most [`FEW_ROWS`]), or in contiguous lanes
/// (`inner == 1`) shorter than [`SHORT`], or of [`streamed_lane_bytes`],
/// a group of them at least, of a type whose lanes are scanned in tiles of
/// a cache line ([`TILE`]).
/// `whole` is the length of the whole output when the block is a part of it
/// (the piece of one thread; 0 otherwise): the whole output's size decides,
/// so that the pieces of a large output stream as the serial scan does.
pub(super) fn applies<B>(outer: usize, n: usize, inner: usize, whole: usize) -> bool {
    applies_to::<B>(outer, n, inner, whole, false)
}

/// [`applies`] to a scan of [`Flagged`] factors (`flagged`) or not.
fn applies_to<B>(outer: usize, n: usize, inner: usize, whole: usize, flagged: bool) -> bool {
    let size = core::mem::size_of::<B>();
    let bytes = outer
        .saturating_mul(n)
        .saturating_mul(inner)
        .max(whole)
        .saturating_mul(size);
    memory::streams::<B>()
        && n > 1
        && bytes >= MIN_BYTES
        && if inner > 1 {
            inner.saturating_mul(size) >= MIN_ROW_BYTES && (inner <= BAND || n <= FEW_ROWS)
        } else {
            // Lanes of `Scaled<f64>` (16 bytes) are bound by their
            // multiplications: streamed, lanes of 4 took 26 ms instead of
            // 15 ms (8 Mi elements).
            (size <= 8 && n < SHORT)
                || (outer >= GROUP
                    && TILE * size >= LINE
                    && (!four_at_a_time::<B>() || memory::tiles_words::<B>())
                    && streamed_lane_bytes::<B>(n.saturating_mul(size), flagged))
        }
}

/// Whether [`scan_into`] takes the scan of `f64` into `Scaled<f64>` (`B`)
/// along the contiguous lanes of the block `(outer, n, inner)`, which
/// [`applies`] leaves to the four-lane loop of the plain kernels for
/// `Scaled` products of other factors: a large output (`whole` as in
/// [`applies`]), a group of lanes at least, of [`MIN_SCALED_LANE_BYTES`] or
/// more.
/// The tiles ([`memory::tiles_scaled`]) write with ordinary stores, the
/// lanes' first and last steps stream as those of other types. Measured
/// (64 MiB of `f64` into 128 MiB, time / the plain scan of `f64`, paired
/// runs): lanes of 1,024 to 2,097,152 and 4 lanes of 2,097,152 in F order,
/// 2.4x-3.0x with the four-lane loop, 1.8x-2.0x here.
pub(super) fn applies_scaled<B>(outer: usize, n: usize, inner: usize, whole: usize) -> bool {
    let size = core::mem::size_of::<B>();
    typeid::of::<B>() == core::any::TypeId::of::<crate::Scaled<f64>>()
        && memory::streams::<B>()
        && inner == 1
        && outer >= GROUP
        && n.saturating_mul(size) >= MIN_SCALED_LANE_BYTES
        && outer.saturating_mul(n).max(whole).saturating_mul(size) >= MIN_BYTES
}

/// Whether [`scan_into`] takes a scan of [`Flagged`] factors (see
/// [`applies`]): not a masked scan without segments along contiguous lanes
/// of [`SHORT`] elements or more, which the plain kernels of
/// [`contiguous`](super::contiguous) scan faster, selecting the factors of a
/// tile or a staged piece side by side (measured, 64 MiB f64, time / the
/// plain scan: lanes of 1,024 and 2,097,152, 1.5x-1.6x there, 2.0x-2.5x
/// streamed with the selects in SSE2; lanes of 64 and 128, 11 ms-15 ms
/// there, 17 ms-25 ms streamed), but where the flagged tiles select with
/// AVX2 ([`memory::flagged_tiles`]: masks along lanes of 1,024 to
/// 2,097,152 1.0x-1.3x the plain scan, against 1.5x-1.8x there), on lanes
/// of [`SHORT_FLAGGED_LANE_BYTES`] or over [`STAGED_LANE_BYTES`]; nor
/// integer lanes with flags, whose tiles
/// ([`memory::stream_tiles_flagged`]) are for `f64` only, nor segments along
/// the other float lanes of up to 1 KiB that [`applies`] streams without
/// flags (with the selects in SSE2, lanes of 64 `f64`, a segment at every
/// element: 11 ms-17 ms there, 20 ms-22 ms streamed). Shorter lanes
/// stream in pairs ([`short_lanes_in_pairs`]):
/// lanes of 2 to 8, 1.7x-1.9x there, 1.5x-1.7x streamed (10.5 ms -> 8.7 ms
/// for lanes of 4).
pub(super) fn takes_flagged<B>(
    (outer, n, inner): (usize, usize, usize),
    masked_only: bool,
) -> bool {
    let size = core::mem::size_of::<B>();
    let bytes = n.saturating_mul(size);
    let flagged_tiles = memory::flagged_tiles::<B>()
        && (SHORT_FLAGGED_LANE_BYTES.contains(&bytes) || bytes > STAGED_LANE_BYTES);
    applies_to::<B>(outer, n, inner, 0, true)
        && !(inner == 1
            && n >= SHORT
            && !flagged_tiles
            && (masked_only || memory::tiles_words::<B>() || bytes <= STAGED_LANE_BYTES))
}

/// The lanes of at most [`STAGED_LANE_BYTES`] whose masked or segmented
/// scan is streamed where the flagged tiles apply ([`takes_flagged`]).
/// Measured (64 MiB f64, a random mask, or 1,000 segments a lane (a start
/// at every element of the lanes here), time / the plain scan, paired
/// runs), streamed against the kernels of [`contiguous`](super::contiguous)
/// and [`segmented`](super::segmented): lanes of 64, masks 1.28x-1.29x
/// against 1.62x-1.65x, segments 1.33x-1.39x against 1.50x-1.63x; of 48,
/// masks 1.41x-1.47x against 1.38x-1.66x, segments 1.75x-1.86x against
/// 1.54x-1.78x; of 32, segments 1.95x-1.99x against 1.20x-1.32x; of 96 to
/// 128, masks 20 ms-29 ms against 15 ms-21 ms; of 384 to 2,048, masks
/// 1.09x-1.25x against 1.47x-1.89x.
const SHORT_FLAGGED_LANE_BYTES: core::ops::RangeInclusive<usize> = 385..=512;

/// Rows shorter than this are scanned by the row kernels of
/// [`contiguous`](super::contiguous), which multiply several short rows at
/// once.
const MIN_ROW_BYTES: usize = 1 << 10;

/// Rows longer than a band are streamed a band at a time when there are at
/// most this many: a few long rows, each read and written as its own stream.
const FEW_ROWS: usize = 16;

/// The shortest float lanes that are streamed ([`streamed_lane_bytes`]),
/// with their first steps side by side ([`leads_side_by_side`]) and the
/// next group's input asked for ahead. Measured (64 MiB, time / a copy,
/// paired runs), staged against streamed: `f64` lanes of 32 1.37x-1.46x,
/// 1.08x-1.39x; of 48 1.31x-1.37x, 0.91x-1.22x; of 64 1.35x-1.53x,
/// 1.09x-1.33x; of 128 1.32x-1.53x, 1.22x-1.35x. Shorter lanes were slower
/// streamed (16 and 24 `f64`: 1.3x-1.4x staged, 1.6x-2.3x streamed), and
/// so were `i64` lanes of 32 (1.39x-1.46x, 1.18x-1.72x); `i64` lanes of 64
/// and 128 gained little (1.45x-1.65x, 1.19x-1.56x).
const MIN_LANE_BYTES: usize = 256;

/// Lanes of more than this many bytes are streamed ([`streamed_lane_bytes`]);
/// shorter ones are scanned by the kernels of
/// [`contiguous`](super::contiguous), which stage short lanes in cache
/// before they scan them side by side (but floats of [`MIN_LANE_BYTES`] to
/// 1 KiB, but those of [`STAGED_F64_LANE_BYTES`]). Measured (64 MiB, time /
/// a copy, paired runs), staged against streamed: `f64` lanes of 264
/// 1.21x-1.25x, 1.00x-1.09x; of 384 1.29x-1.32x, 0.86x-0.89x; of 512
/// 1.30x-1.41x, 1.02x-1.07x; of 1,000 1.28x-1.34x, 0.68x-0.73x; `i64` lanes
/// of 320 1.35x-1.44x, 1.12x-1.45x; of 384 1.39x-1.45x, 0.98x-1.23x; of 512
/// 1.48x-1.61x, 1.13x-1.33x. Lanes
/// of 1 KiB to 2 KiB were no faster streamed (160 to 224 `f64`: 1.22x-1.37x
/// both), and lanes of exactly 2 KiB (256 `f64` or `i64`) slower
/// (1.42x-1.7x, against 1.34x-1.56x staged), with or without the next
/// group asked for ahead.
const STAGED_LANE_BYTES: usize = 2 << 10;

/// Whether contiguous lanes of `bytes` each, of elements of `B`, are
/// streamed ([`applies`]): lanes of more than [`STAGED_LANE_BYTES`], and
/// for floats, lanes of [`MIN_LANE_BYTES`] to a quarter of
/// [`PREFETCH_GROUP_BYTES`] (a group of them is read ahead), but the plain
/// (or NaN-skipping) scans of `f64` lanes of [`STAGED_F64_LANE_BYTES`]
/// (`flagged`: a masked or segmented scan).
fn streamed_lane_bytes<B>(bytes: usize, flagged: bool) -> bool {
    let staged =
        !flagged && core::mem::size_of::<B>() == 8 && STAGED_F64_LANE_BYTES.contains(&bytes);
    bytes > STAGED_LANE_BYTES
        || (!four_at_a_time::<B>()
            && !staged
            && (MIN_LANE_BYTES..=PREFETCH_GROUP_BYTES / GROUP).contains(&bytes))
}

/// The float lanes of [`MIN_LANE_BYTES`] to 1 KiB whose plain scan is
/// staged all the same ([`streamed_lane_bytes`]): lanes of 97 to 127 `f64`.
/// Measured (64 MiB, time / a copy, three paired runs of each kernel),
/// streamed against staged: lanes of 100 to 127 `f64` 1.26x-1.87x,
/// 1.18x-1.30x; of 66 to 96 1.10x-1.46x, 1.18x-1.31x, the same either way;
/// of 128 (1 KiB) 0.98x-1.25x, 1.32x-1.45x. Segments along lanes of 100, a
/// start at every element, stay streamed (1.83x, staged 2.21x), and so do
/// `f32` lanes of 160 to 256 (1.29x-1.82x, staged 1.34x-1.61x).
const STAGED_F64_LANE_BYTES: core::ops::RangeInclusive<usize> = 769..=1023;

/// [`applies_scaled`]'s [`STAGED_LANE_BYTES`], for lanes of `Scaled<f64>`,
/// whose tiles were measured from 8 KiB (lanes of 512) on.
const MIN_SCALED_LANE_BYTES: usize = 8 << 10;

/// What the kernels read: the factor of every element of the block (in
/// memory order), and, for segmented scans, where a new product starts. A
/// kernel asks for the factors of a short run at a time, so that each
/// source keeps its loops over slices of one length, which vectorise.
pub(super) trait Factors<B> {
    /// `out[j]` = the factor of element `start + j`.
    fn put(&self, start: usize, out: &mut [B]);

    /// The factor of element `k`.
    fn factor_at(&self, k: usize) -> B;

    /// The factors of the elements `range` of the block, as a source of
    /// their own (a lane of [`lanes`]).
    fn part(&self, range: Range<usize>) -> Self
    where
        Self: Sized;

    /// [`memory::stream_tiles`] of the tile at step `i` of the [`GROUP`]
    /// lanes `lanes` (each a [`part`](Self::part)), into `out[k][i..]`:
    /// whether it scanned and streamed the tile (else the caller does).
    fn stream_tile(
        lanes: &[Self; GROUP],
        carry: &mut [B; GROUP],
        out: &mut [&mut [B]; GROUP],
        i: usize,
    ) -> bool
    where
        Self: Sized;

    /// Scans and streams the whole tiles of the [`GROUP`] lanes `lanes` from
    /// step `i` up to step `end` at once, where a kernel of its own does
    /// (the flagged tiles of [`memory::stream_flagged_tiles`]): returns the
    /// step after the last tile scanned; `i` by default, when the caller
    /// scans them a tile at a time ([`stream_tile`](Self::stream_tile)).
    #[inline(always)]
    fn stream_tiles_from(
        lanes: &[Self; GROUP],
        carry: &mut [B; GROUP],
        out: &mut [&mut [B]; GROUP],
        i: usize,
        end: usize,
    ) -> usize
    where
        Self: Sized,
    {
        let _ = (lanes, carry, out, end);
        i
    }

    /// [`memory::stream_tiles_rev`] of the tile at step `i` of the lanes
    /// `lanes`, from its end: whether it scanned and streamed the tile
    /// (else the caller does). None by default.
    #[inline(always)]
    fn stream_tile_rev(
        lanes: &[Self; GROUP],
        carry: &mut [B; GROUP],
        out: &mut [&mut [B]; GROUP],
        i: usize,
    ) -> bool
    where
        Self: Sized,
    {
        let _ = (lanes, carry, out, i);
        false
    }

    /// [`put`](Self::put) of a whole tile.
    #[inline(always)]
    fn tile(&self, start: usize, tile: &mut [B; TILE]) {
        self.put(start, tile);
    }

    /// `products[j]` = `products[j] * factor(start + j)`: the next row of
    /// running products; where element `start + j` starts a segment, its
    /// factor alone.
    fn times(&self, start: usize, products: &mut [B]);

    /// [`memory::stream_times`] of the elements from `start`: whether it
    /// multiplied `products` and streamed them to `out` (else the caller
    /// does). None by default.
    #[inline(always)]
    fn stream_times(&self, start: usize, products: &mut [B], out: &mut [B]) -> bool {
        let _ = (start, products, out);
        false
    }

    /// The running product of one lane over elements `start..start +
    /// out.len()`, continuing from `carry` (restarting where a segment
    /// starts), into `out`; returns the last product.
    fn run(&self, start: usize, out: &mut [B], carry: B) -> B;

    /// Asks for the elements `range` of the block to be brought into cache
    /// ([`memory::prefetch`]); nothing by default.
    #[inline(always)]
    fn prefetch(&self, range: Range<usize>) {
        let _ = range;
    }

    /// Where a new product starts (segments), as flags of the whole block.
    #[inline(always)]
    fn starts(&self) -> Option<&[bool]> {
        None
    }

    /// Whether a factor is a select (a masked scan): kernels that take the
    /// factors one at a time [`put`](Self::put) a run of them first, in a
    /// loop that vectorises the select.
    #[inline(always)]
    fn selects(&self) -> bool {
        false
    }
}

/// The elements of a slice, converted: the plain scans.
pub(super) struct Plain<'a, A, F> {
    pub(super) src: &'a [A],
    pub(super) conv: &'a F,
}

impl<A, B, F> Factors<B> for Plain<'_, A, F>
where
    B: Clone + Mul<Output = B>,
    F: Fn(&A) -> B,
{
    #[inline(always)]
    fn factor_at(&self, k: usize) -> B {
        (self.conv)(&self.src[k])
    }

    #[inline(always)]
    fn put(&self, start: usize, out: &mut [B]) {
        let x = &self.src[start..start + out.len()];
        for (y, x) in out.iter_mut().zip(x) {
            *y = (self.conv)(x);
        }
    }

    #[inline(always)]
    fn stream_times(&self, start: usize, products: &mut [B], out: &mut [B]) -> bool {
        let x = &self.src[start..start + products.len()];
        if crate::cumprod_ext::is_convert::<B, B, F>(self.conv)
            && memory::stream_times_words(products, x, out)
        {
            return true;
        }
        if crate::scaled::converts_f64(self.conv) {
            if let Some(x) = memory::same_ref(x) {
                return memory::stream_times_scaled(products, x, out);
            }
        }
        memory::stream_times(products, |j| (self.conv)(&x[j]), out)
    }

    #[inline(always)]
    fn part(&self, range: Range<usize>) -> Self {
        Plain {
            src: &self.src[range],
            conv: self.conv,
        }
    }

    #[inline(always)]
    fn stream_tile(
        lanes: &[Self; GROUP],
        carry: &mut [B; GROUP],
        out: &mut [&mut [B]; GROUP],
        i: usize,
    ) -> bool {
        let (x, conv) = tiles_at(lanes, i);
        if crate::scaled::converts_f64(conv) {
            return scaled_tiles(x, carry, out, i);
        }
        memory::stream_tiles(carry, |k, s| conv(&x[k][s]), out, i)
    }

    #[inline(always)]
    fn stream_tile_rev(
        lanes: &[Self; GROUP],
        carry: &mut [B; GROUP],
        out: &mut [&mut [B]; GROUP],
        i: usize,
    ) -> bool {
        let (x, conv) = tiles_at(lanes, i);
        memory::stream_tiles_rev(carry, |k, s| conv(&x[k][TILE - 1 - s]), out, i)
    }

    #[inline(always)]
    fn tile(&self, start: usize, tile: &mut [B; TILE]) {
        let x: &[A; TILE] = self.src[start..start + TILE]
            .try_into()
            .expect("a whole tile");
        for (slot, x) in tile.iter_mut().zip(x) {
            *slot = (self.conv)(x);
        }
    }

    #[inline(always)]
    fn times(&self, start: usize, products: &mut [B]) {
        let x = &self.src[start..start + products.len()];
        if crate::cumprod_ext::is_convert::<B, B, F>(self.conv) && memory::times_words(products, x)
        {
            // Eight at a time, with AVX-512.
        } else if scalar_multiply::<B>() {
            // As `contiguous::times_row`: one `imul` an element beats
            // baseline x86-64's emulated vector multiplication.
            for (p, x) in products.iter_mut().zip(x) {
                *p = p.clone() * (self.conv)(x);
            }
        } else {
            times_converted(products, x, self.conv);
        }
    }

    #[inline(always)]
    fn run(&self, start: usize, out: &mut [B], mut carry: B) -> B {
        let x = &self.src[start..start + out.len()];
        for (slot, x) in out.iter_mut().zip(x) {
            carry = carry * (self.conv)(x);
            slot.clone_from(&carry);
        }
        carry
    }

    #[inline(always)]
    fn prefetch(&self, range: Range<usize>) {
        memory::prefetch(self.src, range);
    }
}

/// The inputs of the tile at step `i` of the lanes `lanes`, and their
/// conversion.
#[inline(always)]
fn tiles_at<'a, A, F>(
    lanes: &[Plain<'a, A, F>; GROUP],
    i: usize,
) -> ([&'a [A; TILE]; GROUP], &'a F) {
    let x = core::array::from_fn(|k| lanes[k].src[i..i + TILE].try_into().expect("a whole tile"));
    (x, lanes[0].conv)
}

/// [`Factors::stream_tile`] of `f64` scanned into `Scaled<f64>`, with
/// ordinary stores ([`memory::tiles_scaled`]): whether `A` and `B` are those
/// types (else the caller scans the tile).
#[inline(always)]
fn scaled_tiles<A, B>(
    x: [&[A; TILE]; GROUP],
    carry: &mut [B; GROUP],
    out: &mut [&mut [B]; GROUP],
    i: usize,
) -> bool {
    if typeid::of::<A>() != core::any::TypeId::of::<f64>() {
        return false;
    }
    let x: [&[f64; TILE]; GROUP] = core::array::from_fn(|k| {
        let tile = memory::same_ref::<A, f64>(x[k]).expect("checked above");
        tile.try_into().expect("a whole tile")
    });
    memory::tiles_scaled(carry, x, out, i)
}

/// The elements of a slice, converted, with flags of the same length: where
/// `mask` is false the element counts as `one()`, and where `starts` is true
/// a new product starts (with the element's factor, as each lane does): the
/// masked and segmented scans of [`Cumprod`](crate::Cumprod).
pub(super) struct Flagged<'a, A, F, O> {
    pub(super) src: &'a [A],
    pub(super) mask: Option<&'a [bool]>,
    pub(super) starts: Option<&'a [bool]>,
    pub(super) conv: &'a F,
    pub(super) one: &'a O,
}

impl<'a, A, B, F, O> Flagged<'a, A, F, O>
where
    F: Fn(&A) -> B,
    O: Fn() -> B,
{
    /// The factor of element `x` under the mask flag `m`.
    #[inline(always)]
    fn factor(&self, x: &A, m: bool) -> B {
        masked_factor(self.conv, self.one, x, m)
    }

    /// The flags of elements `start..start + len`: the mask (all true when
    /// there is none) and the starts (all false).
    #[inline(always)]
    fn flags(&self, start: usize, len: usize) -> (Option<&'a [bool]>, Option<&'a [bool]>) {
        let part = |f: Option<&'a [bool]>| f.map(|f| &f[start..start + len]);
        (part(self.mask), part(self.starts))
    }
}

impl<'a, A, B, F, O> Factors<B> for Flagged<'a, A, F, O>
where
    B: Clone + Mul<Output = B>,
    F: Fn(&A) -> B,
    O: Fn() -> B,
{
    #[inline(always)]
    fn factor_at(&self, k: usize) -> B {
        self.factor(&self.src[k], self.mask.map_or(true, |m| m[k]))
    }

    /// [`memory::stream_tiles_flagged`]: the mask and the segment starts
    /// as selects in the registers that multiply the tile.
    #[inline(always)]
    fn stream_tile(
        lanes: &[Self; GROUP],
        carry: &mut [B; GROUP],
        out: &mut [&mut [B]; GROUP],
        i: usize,
    ) -> bool {
        let x: [&[A; TILE]; GROUP] =
            core::array::from_fn(|k| lanes[k].src[i..i + TILE].try_into().expect("a whole tile"));
        // The flags of the tile in each lane: every part of a scan has the
        // same kinds of flags, each as long as its input.
        let tile = |flags: fn(&Self) -> Option<&'a [bool]>| -> Option<[&[bool; TILE]; GROUP]> {
            flags(&lanes[0])?;
            let lane = |k: usize| -> &[bool; TILE] {
                flags(&lanes[k]).expect("the flags of every lane")[i..i + TILE]
                    .try_into()
                    .expect("a whole tile")
            };
            Some([lane(0), lane(1), lane(2), lane(3)])
        };
        let flags = memory::TileFlags {
            mask: tile(|f| f.mask),
            starts: tile(|f| f.starts),
        };
        let conv = lanes[0].conv;
        memory::stream_tiles_flagged(
            carry,
            |k, s| conv(&x[k][s]),
            (lanes[0].one)(),
            flags,
            out,
            i,
        )
    }

    #[inline(always)]
    fn stream_tiles_from(
        lanes: &[Self; GROUP],
        carry: &mut [B; GROUP],
        out: &mut [&mut [B]; GROUP],
        i: usize,
        end: usize,
    ) -> usize {
        if !crate::cumprod_ext::is_convert_or_ref::<B, B, F>(lanes[0].conv) {
            return i;
        }
        let x = core::array::from_fn(|k| lanes[k].src);
        // Every part of a scan has the same kinds of flags.
        let flags = |f: fn(&Self) -> Option<&'a [bool]>| -> Option<[&'a [bool]; GROUP]> {
            f(&lanes[0])?;
            Some(core::array::from_fn(|k| {
                f(&lanes[k]).expect("the flags of every lane")
            }))
        };
        let flags = (flags(|f| f.mask), flags(|f| f.starts));
        memory::stream_flagged_tiles(carry, x, flags, (lanes[0].one)(), out, i, end)
    }

    #[inline(always)]
    fn part(&self, range: Range<usize>) -> Self {
        let part = |f: Option<&'a [bool]>| f.map(|f| &f[range.clone()]);
        Flagged {
            src: &self.src[range.clone()],
            mask: part(self.mask),
            starts: part(self.starts),
            conv: self.conv,
            one: self.one,
        }
    }

    #[inline(always)]
    fn put(&self, start: usize, out: &mut [B]) {
        let len = out.len();
        let x = &self.src[start..start + len];
        match self.flags(start, len).0 {
            None => Plain {
                src: self.src,
                conv: self.conv,
            }
            .put(start, out),
            Some(mask) => masked_factors(self.conv, self.one, x, mask, out),
        }
    }

    #[inline(always)]
    fn times(&self, start: usize, products: &mut [B]) {
        let x = &self.src[start..start + products.len()];
        let (mask, starts) = self.flags(start, products.len());
        times_flagged(self, products, x, mask, starts);
    }

    /// A segment start multiplies its factor by one (exact: `one()` is the
    /// identity of the multiplication) instead of the running product.
    #[inline(always)]
    fn stream_times(&self, start: usize, products: &mut [B], out: &mut [B]) -> bool {
        let len = products.len();
        if !memory::streams_times::<B>(len, out) {
            return false;
        }
        let x = &self.src[start..start + len];
        let (mask, starts) = self.flags(start, len);
        if let Some(starts) = starts {
            restart(products, starts, self.one);
        }
        match mask {
            None => memory::stream_times(products, |j| (self.conv)(&x[j]), out),
            Some(mask) => memory::stream_times(products, |j| self.factor(&x[j], mask[j]), out),
        }
    }

    #[inline(always)]
    fn run(&self, start: usize, out: &mut [B], mut carry: B) -> B {
        let len = out.len();
        let x = &self.src[start..start + len];
        let (mask, starts) = self.flags(start, len);
        for (j, (slot, x)) in out.iter_mut().zip(x).enumerate() {
            let f = self.factor(x, mask.map_or(true, |m| m[j]));
            carry = if starts.is_some_and(|s| s[j]) {
                f
            } else {
                carry * f
            };
            slot.clone_from(&carry);
        }
        carry
    }

    #[inline(always)]
    fn starts(&self) -> Option<&[bool]> {
        self.starts
    }

    #[inline(always)]
    fn selects(&self) -> bool {
        self.mask.is_some()
    }
}

/// A [`Flagged`] input with one kind of flags, known when it is compiled: a
/// mask (`MASK`) or segment starts. Read through [`Flagged`], whose flags
/// are options looked at in every tile, the segmented scan of contiguous
/// lanes took 1.45x-1.77x the time of the plain scan, with its flags left
/// unread 1.35x; through this input, 1.12x-1.48x (64 MiB `f64`, lanes of
/// 1,024 to 2,097,152, 1,000 segments a lane).
struct OneFlag<'a, A, F, O, const MASK: bool> {
    src: &'a [A],
    flags: &'a [bool],
    conv: &'a F,
    one: &'a O,
}

/// [`scan_into`] of `input`, through a [`OneFlag`] input where it has one
/// kind of flags.
pub(super) fn scan_flagged_into<A, B, F, O>(
    input: &Flagged<'_, A, F, O>,
    dst: &mut [B],
    block: (usize, usize, usize),
) where
    B: Clone + Mul<Output = B>,
    F: Fn(&A) -> B,
    O: Fn() -> B,
{
    match (input.mask, input.starts) {
        (None, Some(flags)) => scan_into(&OneFlag::<_, _, _, false>::of(input, flags), dst, block),
        (Some(flags), None) => scan_into(&OneFlag::<_, _, _, true>::of(input, flags), dst, block),
        _ => scan_into(input, dst, block),
    }
}

impl<'a, A, F, O, const MASK: bool> OneFlag<'a, A, F, O, MASK> {
    /// The input of `flagged`, with `flags` its only flags.
    #[inline(always)]
    fn of(flagged: &Flagged<'a, A, F, O>, flags: &'a [bool]) -> Self {
        OneFlag {
            src: flagged.src,
            flags,
            conv: flagged.conv,
            one: flagged.one,
        }
    }

    /// The same input, as a [`Flagged`] one.
    #[inline(always)]
    fn flagged(&self) -> Flagged<'a, A, F, O> {
        Flagged {
            src: self.src,
            mask: MASK.then_some(self.flags),
            starts: (!MASK).then_some(self.flags),
            conv: self.conv,
            one: self.one,
        }
    }
}

impl<'a, A, B, F, O, const MASK: bool> Factors<B> for OneFlag<'a, A, F, O, MASK>
where
    B: Clone + Mul<Output = B>,
    F: Fn(&A) -> B,
    O: Fn() -> B,
{
    #[inline(always)]
    fn factor_at(&self, k: usize) -> B {
        self.flagged().factor_at(k)
    }

    #[inline(always)]
    fn put(&self, start: usize, out: &mut [B]) {
        self.flagged().put(start, out);
    }

    #[inline(always)]
    fn part(&self, range: Range<usize>) -> Self {
        OneFlag {
            src: &self.src[range.clone()],
            flags: &self.flags[range],
            conv: self.conv,
            one: self.one,
        }
    }

    #[inline(always)]
    fn stream_tile(
        lanes: &[Self; GROUP],
        carry: &mut [B; GROUP],
        out: &mut [&mut [B]; GROUP],
        i: usize,
    ) -> bool {
        let x: [&[A; TILE]; GROUP] =
            core::array::from_fn(|k| lanes[k].src[i..i + TILE].try_into().expect("a whole tile"));
        let flags: [&[bool; TILE]; GROUP] = core::array::from_fn(|k| {
            lanes[k].flags[i..i + TILE]
                .try_into()
                .expect("a whole tile")
        });
        let conv = lanes[0].conv;
        let flags = memory::TileFlags {
            mask: MASK.then_some(flags),
            starts: (!MASK).then_some(flags),
        };
        memory::stream_tiles_flagged(
            carry,
            |k, s| conv(&x[k][s]),
            (lanes[0].one)(),
            flags,
            out,
            i,
        )
    }

    #[inline(always)]
    fn stream_tiles_from(
        lanes: &[Self; GROUP],
        carry: &mut [B; GROUP],
        out: &mut [&mut [B]; GROUP],
        i: usize,
        end: usize,
    ) -> usize {
        let lanes = lanes.each_ref().map(|lane| lane.flagged());
        Factors::stream_tiles_from(&lanes, carry, out, i, end)
    }

    #[inline(always)]
    fn times(&self, start: usize, products: &mut [B]) {
        self.flagged().times(start, products);
    }

    #[inline(always)]
    fn stream_times(&self, start: usize, products: &mut [B], out: &mut [B]) -> bool {
        self.flagged().stream_times(start, products, out)
    }

    #[inline(always)]
    fn run(&self, start: usize, out: &mut [B], carry: B) -> B {
        self.flagged().run(start, out, carry)
    }

    #[inline(always)]
    fn starts(&self) -> Option<&[bool]> {
        (!MASK).then_some(self.flags)
    }

    #[inline(always)]
    fn prefetch(&self, range: Range<usize>) {
        // The flags too: without them, the masked tiles of lanes of 64 took
        // 2.3x-2.5x the plain scan, with them 1.36x-1.47x (64 MiB f64).
        memory::prefetch(self.src, range.clone());
        memory::prefetch(self.flags, range);
    }

    #[inline(always)]
    fn selects(&self) -> bool {
        MASK
    }
}

/// `products[j] = one()` where `starts[j]`: the running products that
/// [`Flagged::stream_times`] multiplies, reset where a segment starts. The
/// flags are read eight at a time, as one word: a word of no starts leaves
/// its products, a word of starts only resets all eight, and only a word of
/// both looks at each flag. Segments in rows mostly start at whole rows (a
/// new day, a new file), and a branch per flag, well predicted, still cost
/// a cycle per element (64 MiB f64, time / a copy, paired runs: a start at
/// every row of 1,024 x 8,192 1.18x-1.39x -> 1.04x-1.21x, at every eighth of
/// 8,192 x 1,024 1.17x-1.21x -> 1.06x-1.10x, at every row of 64 x 131,072
/// 1.21x -> 1.14x; `i64`, bound by its multiplications, unchanged).
#[inline(never)]
fn restart<B, O: Fn() -> B>(products: &mut [B], starts: &[bool], one: &O) {
    let starts = &starts[..products.len()];
    let mut products = products.chunks_exact_mut(8);
    let mut flags = starts.chunks_exact(8);
    for (p, s) in (&mut products).zip(&mut flags) {
        let word = memory::flag_bytes(s.try_into().expect("eight flags"));
        if word == 0 {
            continue;
        }
        if word == memory::ALL_FLAGS {
            p.iter_mut().for_each(|p| *p = one());
            continue;
        }
        restart_each(p, s, one);
    }
    restart_each(products.into_remainder(), flags.remainder(), one);
}

/// [`restart`] a flag at a time.
#[inline(always)]
fn restart_each<B, O: Fn() -> B>(products: &mut [B], starts: &[bool], one: &O) {
    for (p, &s) in products.iter_mut().zip(starts) {
        if s {
            *p = one();
        }
    }
}

/// [`Flagged::times`]: a function of its own, never inlined, so that the
/// loops over slices that cannot overlap vectorise; indexed, over slices of
/// one length, without bounds checks, one loop for each set of flags.
#[inline(never)]
fn times_flagged<A, B, F, O>(
    f: &Flagged<'_, A, F, O>,
    products: &mut [B],
    x: &[A],
    mask: Option<&[bool]>,
    starts: Option<&[bool]>,
) where
    B: Clone + Mul<Output = B>,
    F: Fn(&A) -> B,
    O: Fn() -> B,
{
    let len = products.len();
    let x = &x[..len];
    match (mask, starts) {
        (None, None) => times_converted(products, x, f.conv),
        (Some(mask), None) => {
            let mask = &mask[..len];
            for j in 0..len {
                let v = f.factor(&x[j], mask[j]);
                products[j] = products[j].clone() * v;
            }
        }
        (None, Some(starts)) => {
            let starts = &starts[..len];
            for j in 0..len {
                let v = (f.conv)(&x[j]);
                let p = products[j].clone() * v.clone();
                products[j] = if starts[j] { v } else { p };
            }
        }
        (Some(mask), Some(starts)) => {
            let (mask, starts) = (&mask[..len], &starts[..len]);
            for j in 0..len {
                let v = f.factor(&x[j], mask[j]);
                let p = products[j].clone() * v.clone();
                products[j] = if starts[j] { v } else { p };
            }
        }
    }
}

/// Writes the scan of the row-major block `(outer, n, inner)` whose factors
/// `input` gives along its middle axis into `dst`, with streaming stores.
pub(super) fn scan_into<B, I>(input: &I, dst: &mut [B], (outer, n, inner): (usize, usize, usize))
where
    B: Clone + Mul<Output = B>,
    I: Factors<B>,
{
    scan_into_in_bands(input, dst, (outer, n, inner), BAND);
}

/// [`scan_into`] with bands of at most `band_width` columns (at most
/// [`BAND`]; the tests make them narrow).
fn scan_into_in_bands<B, I>(
    input: &I,
    dst: &mut [B],
    (outer, n, inner): (usize, usize, usize),
    band_width: usize,
) where
    B: Clone + Mul<Output = B>,
    I: Factors<B>,
{
    let len = outer * n * inner;
    if len == 0 {
        return;
    }
    let dst = &mut dst[..len];
    if inner == 1 && n < SHORT {
        short_lanes(input, dst, n);
    } else if inner == 1 {
        lanes(input, dst, n);
    } else {
        all_rows(input, dst, (outer, n, inner), band_width, false);
    }
    stream_fence();
}

/// The rows of every lane of the block's outer axis, with the band of
/// running products on the stack: the `_into` methods allocate nothing. A
/// function of its own, never inlined, so that only the calls that scan rows
/// have the band on their stack. `reverse`: each lane's rows from the last
/// to the first.
#[inline(never)]
fn all_rows<B, I>(
    input: &I,
    dst: &mut [B],
    (outer, n, inner): (usize, usize, usize),
    band_width: usize,
    reverse: bool,
) where
    B: Clone + Mul<Output = B>,
    I: Factors<B>,
{
    // Any value will do: every slot is written before it is read.
    let mut band = Band(core::array::from_fn(|_| dst[0].clone()));
    let band = &mut band.0;
    let width = band_width.clamp(1, BAND).min(inner);
    for lane in 0..outer {
        let at = lane * n * inner;
        rows(input, dst, at, (n, inner), &mut band[..width], reverse);
    }
}

/// Whether [`scan_into_rev`] takes the reverse scan of the row-major block
/// `(outer, n, inner)` of elements of `B`, of `f64`, `i64` or `u64`, whose
/// multiplication gives the same product whichever operand is on the left
/// (a reverse scan multiplies each element by the product of those after
/// it, `x * p`; the kernels multiply `p * x`): rows that [`scan_into`]
/// streams ([`applies`]), or a large output in [`GROUP`] or more contiguous
/// lanes of [`MIN_REV_LANE_BYTES`] or more.
pub(super) fn applies_rev<B>(outer: usize, n: usize, inner: usize) -> bool {
    let size = core::mem::size_of::<B>();
    // The 8-byte words that stream in pairs are exactly these three types.
    memory::streams_pairs::<B>()
        && if inner > 1 {
            applies::<B>(outer, n, inner, 0)
        } else {
            outer >= GROUP
                && n.saturating_mul(size) >= MIN_REV_LANE_BYTES
                && outer.saturating_mul(n).saturating_mul(size) >= MIN_BYTES
        }
}

/// Contiguous lanes shorter than this are scanned in reverse by the kernels
/// of [`reverse`](super::reverse), which stage groups of short lanes in
/// cache; so are longer lanes whose groups of four fit in 4 KiB, which they
/// scan in a buffer on the stack and stream out (faster than this kernel on
/// lanes of 32 to 128 elements). The same as the forward scan's shortest
/// float lanes ([`MIN_LANE_BYTES`]), for integers too: the reverse staging
/// is slower.
/// Measured (64 MiB, time / a copy, f64 and i64,
/// staged and streamed): lanes of 512, 1.45x-1.52x and 1.08x-1.45x; of 256,
/// 2.0x-2.3x and 1.35x-1.9x; of 128, 1.5x-1.9x and 1.24x-1.48x; of 96,
/// 1.8x-1.95x and 1.13x-1.2x; of 64, 1.53x-1.7x and 1.26x-1.36x; of 32 f64,
/// 1.4x-1.67x and 1.07x-1.12x (i64 1.41x-1.48x and 1.35x-1.6x). Lanes of 64
/// and shorter were slower streamed (2.1x-2.9x) until each group asked for
/// the next group's input ([`PREFETCH_GROUP_BYTES`]).
const MIN_REV_LANE_BYTES: usize = 256;

/// Groups of lanes of at most this many bytes ask for the next group's
/// input before they are scanned ([`lanes`], [`lanes_rev`]).
const PREFETCH_GROUP_BYTES: usize = 4 << 10;

/// Asks for the input of the group of [`GROUP`] lanes of `n` elements after
/// the one at `base`, when a group is at most [`PREFETCH_GROUP_BYTES`]
/// ([`lanes`], [`lanes_rev`]). Four short lanes read side by side, from
/// their starts or their ends, are short streams that the hardware
/// prefetcher does not follow (reverse lanes of 64 f64, 64 MiB: 1.6x-1.7x a
/// copy without, 1.3x-1.36x with; longer groups were slower with it).
#[inline(always)]
fn prefetch_next_group<B, I: Factors<B>>(input: &I, base: usize, n: usize) {
    if GROUP * n * core::mem::size_of::<B>() <= PREFETCH_GROUP_BYTES {
        input.prefetch(base + GROUP * n..base + 2 * GROUP * n);
    }
}

/// The reverse scan of the row-major block `(outer, n, inner)` whose factors
/// `input` gives along its middle axis, into `dst`, with streaming stores,
/// for the blocks of [`applies_rev`]:
///
/// - rows: those of [`scan_into`] from the last to the first. Walked
///   downwards, the rows are streams that the hardware prefetcher does not
///   follow: each chunk asks for the same chunk of the row before it
///   ([`Factors::prefetch`]). Measured (64 MiB, time / a copy, paired runs):
///   rows of 1,024 i64 1.28x-1.31x -> 1.11x-1.15x (1.3x streamed without
///   the prefetches), f64 1.18x -> 0.93x-0.95x; rows of 8,192 f64 1.2x ->
///   0.81x; four rows of 2,097,152 i64 1.33x -> 0.95x-1.05x.
/// - contiguous lanes: [`lanes_rev`], the tiles of [`lanes`] from each
///   lane's end. Measured as the rows: lanes of 1,024 f64 1.35x-1.45x ->
///   1.04x-1.08x, i64 1.42x-1.49x -> 1.13x-1.26x; lanes of 1,024 in F
///   order, f64 1.43x-1.45x -> 0.89x-1.05x, i64 1.53x -> 1.05x-1.25x; lanes
///   of 8,192 0.97x-1.0x -> 0.76x-0.93x; four lanes of 2,097,152 1.01x-1.08x
///   -> 0.82x-0.91x. From lanes of 32 ([`MIN_REV_LANE_BYTES`]).
pub(super) fn scan_into_rev<B, I>(
    input: &I,
    dst: &mut [B],
    (outer, n, inner): (usize, usize, usize),
) where
    B: Clone + Mul<Output = B>,
    I: Factors<B>,
{
    debug_assert!(applies_rev::<B>(outer, n, inner));
    let len = outer * n * inner;
    if len == 0 {
        return;
    }
    if inner == 1 {
        lanes_rev(input, &mut dst[..len], n);
    } else {
        all_rows(input, &mut dst[..len], (outer, n, inner), BAND, true);
    }
    stream_fence();
}

/// Contiguous lanes of `n` elements, [`GROUP`] side by side, a tile of
/// [`TILE`] steps of each at a time: the tiles are multiplied step by step
/// across the lanes and streamed out as soon as they are done (for `f64`
/// by [`memory::stream_tiles`], or [`memory::stream_tiles_flagged`] with
/// segments); the lanes left over (and
/// lanes shorter than a tile), one at a time.
fn lanes<B, I>(input: &I, dst: &mut [B], n: usize)
where
    B: Clone + Mul<Output = B>,
    I: Factors<B>,
{
    let len = dst.len();
    let whole = if n >= 2 * TILE {
        len / (GROUP * n) * (GROUP * n)
    } else {
        0
    };
    let size = core::mem::size_of::<B>().max(1);
    for base in (0..whole).step_by(GROUP * n) {
        prefetch_next_group(input, base, n);
        let dst = &mut dst[base..base + GROUP * n];
        let mut outs = dst.chunks_exact_mut(n);
        let mut dst: [&mut [B]; GROUP] =
            core::array::from_fn(|_| outs.next().expect("a lane of the group"));
        // The steps of each lane before its first tile that starts a cache
        // line of its output (a whole tile if it starts one), so that each
        // tile after them fills a line of its own, in every lane whatever
        // its length: a tile split across two lines leaves both half
        // written until the lane comes back, and the processor has few
        // buffers to hold such lines (measured, lanes of 8,192 f64 at 16
        // bytes past a line: 1.29x a copy, aligned 1.06x; lanes of 8,389
        // f64, whose tiles were aligned in every other lane only, 14-22 ms
        // against 7-11 ms for lanes of 8,390 and 8,392).
        let lead: [usize; GROUP] =
            core::array::from_fn(|k| match (64 - dst[k].as_ptr() as usize % 64) % 64 / size {
                0 => TILE,
                lead => lead.min(TILE),
            });
        // Every lane's tiles at one place in their pages, where they are
        // near it ([`page_moves`]).
        let lead = match page_moves(&dst, lead, n, true) {
            Some(more) => core::array::from_fn(|k| lead[k] + more[k]),
            None => lead,
        };
        // Where every lane starts at the same place in a line, the lanes'
        // first steps side by side; otherwise one lane after the other.
        let mut carry: [B; GROUP] =
            if input.starts().is_none() && lead.iter().all(|&l| l == lead[0]) {
                leads_side_by_side(input, base, n, &mut dst, lead[0])
            } else {
                core::array::from_fn(|k| {
                    lane_start(
                        &input.part(base + k * n..base + (k + 1) * n),
                        0,
                        dst[k],
                        lead[k],
                    )
                })
            };
        // Each lane from its own first whole tile: the tiles of lane `k` at
        // `skip[k] + i`, for `i` from `first` on in steps of a tile. (Lanes
        // that all start at the same place in a line keep their positions:
        // skipped, the same tiles took 1.2x as long, for no reason found.)
        let (skip, first) = if lead.iter().all(|&l| l == lead[0]) {
            ([0; GROUP], lead[0])
        } else {
            (lead, 0)
        };
        let parts: [I; GROUP] =
            core::array::from_fn(|k| input.part(base + k * n + skip[k]..base + (k + 1) * n));
        let mut dst: [&mut [B]; GROUP] = {
            let mut lanes = dst.into_iter().zip(skip);
            core::array::from_fn(|_| {
                let (lane, skip) = lanes.next().expect("a lane of the group");
                &mut lane[skip..]
            })
        };
        let steps = n - skip.iter().max().copied().unwrap_or(0);
        let mut i = first;
        // The tiles, filled in place at each step: built anew with
        // `array::from_fn`, the load could be compiled as a call per tile.
        let mut tiles: [[B; TILE]; GROUP] =
            core::array::from_fn(|k| core::array::from_fn(|_| carry[k].clone()));
        i = I::stream_tiles_from(&parts, &mut carry, &mut dst, i, steps);
        while i + TILE <= steps {
            if I::stream_tile(&parts, &mut carry, &mut dst, i) {
                i += TILE;
                continue;
            }
            for (tile, part) in tiles.iter_mut().zip(&parts) {
                part.tile(i, tile);
            }
            match input.starts() {
                None => {
                    for step in 0..TILE {
                        for (tile, c) in tiles.iter_mut().zip(carry.iter_mut()) {
                            *c = c.clone() * tile[step].clone();
                            tile[step].clone_from(c);
                        }
                    }
                }
                Some(starts) => {
                    let starts: [&[bool]; GROUP] =
                        core::array::from_fn(|k| &starts[base + k * n + skip[k] + i..][..TILE]);
                    for step in 0..TILE {
                        for ((tile, c), s) in tiles.iter_mut().zip(carry.iter_mut()).zip(starts) {
                            if s[step] {
                                c.clone_from(&tile[step]);
                            } else {
                                *c = c.clone() * tile[step].clone();
                            }
                            tile[step].clone_from(c);
                        }
                    }
                }
            }
            for (tile, lane) in tiles.iter().zip(dst.iter_mut()) {
                stream_copy(tile, &mut lane[i..i + TILE]);
            }
            i += TILE;
        }
        // The last steps of each lane, fewer than a tile or two.
        for (((part, lane), c), skip) in parts.iter().zip(dst).zip(carry).zip(skip) {
            lane_run(part, 0, lane, i..n - skip, c);
        }
    }
    for base in (whole..len).step_by(n) {
        lane_start(input, base, &mut dst[base..base + n], n);
    }
}

/// The steps that each of the [`GROUP`] lanes `dst` of `n` elements of 8
/// bytes adds to those it scans before its first tile, `edge` (its first
/// steps, `lead`, for a forward scan; its last, `tail`, for a reverse one),
/// so that every lane's tiles are at one place in their pages
/// ([`page_shifts`]): `None` where they already are, the lanes start at the
/// same place in a line (their tiles are then spaced evenly in their
/// pages), or the lanes are too short.
fn page_moves<B>(
    dst: &[&mut [B]; GROUP],
    edge: [usize; GROUP],
    n: usize,
    forward: bool,
) -> Option<[usize; GROUP]> {
    let size = core::mem::size_of::<B>();
    if size != 8 || edge.iter().all(|&e| e == edge[0]) {
        return None;
    }
    let step = |k: usize| if forward { edge[k] } else { n - edge[k] };
    let at = core::array::from_fn(|k| dst[k].as_ptr() as usize + step(k) * size);
    let shift = page_shifts(at, forward)?;
    let more = shift.map(|bytes| bytes / size);
    (0..GROUP)
        .all(|k| edge[k] + more[k] + 2 * TILE <= n)
        .then_some(more)
}

/// How far each lane of a group moves the first tile it scans, in bytes
/// (later for a forward scan, earlier for a reverse one, whose tiles run
/// downwards), so that every lane's tiles are at the same place in their
/// pages, given the addresses `at` where they would start: `None` where the
/// lanes are already so, or further apart than [`PAGE_SPREAD`].
///
/// The lanes of a group are scanned a tile of each at a time, each lane's
/// tile written, then the next tile read. A load whose address agrees with
/// a pending store's in the bits within a page waits as if it read that
/// store, and where the lanes' lengths are within a line of a multiple of 4
/// KiB, one lane's next tile is a line from another's last one modulo a
/// page. Measured (64 MiB, time / a copy, paired runs): lanes of 1,017 to
/// 1,031 `f64`, 2,049, 4,095 and 4,097, 1.6x-3.9x (`i64` 2.2x-3.8x,
/// segments and masks 2.5x-3.9x) -> 0.9x-1.3x. Lanes that start at the same
/// place in a line are spaced evenly in their pages and keep their tiles
/// (lanes of 1,016 and 1,032, 0.8x-0.9x either way).
fn page_shifts(at: [usize; GROUP], forward: bool) -> Option<[usize; GROUP]> {
    // Each lane's place relative to the first lane's, within half a page.
    let offsets: [usize; GROUP] =
        core::array::from_fn(|k| (at[k] + PAGE + PAGE / 2 - at[0] % PAGE) % PAGE);
    let low = offsets.iter().min().copied().unwrap_or(0);
    let high = offsets.iter().max().copied().unwrap_or(0);
    if low == high || high - low > PAGE_SPREAD {
        return None;
    }
    Some(core::array::from_fn(|k| {
        if forward {
            high - offsets[k]
        } else {
            offsets[k] - low
        }
    }))
}

/// The size of a page: loads and stores whose addresses agree in their
/// last 12 bits are taken for one another until the processor knows better.
const PAGE: usize = 4096;

/// See [`page_shifts`].
const PAGE_SPREAD: usize = 3 * LINE;

/// Streams out the first `lead` steps (1 to a tile) of each of the [`GROUP`]
/// lanes of `n` elements from position `base` of the block, whose outputs
/// are `dst`, and returns the product at step `lead - 1` of each. The lanes
/// are multiplied side by side, a step of each at a time: four independent
/// chains, where [`lane_start`] runs one lane's after the other's.
/// Measured (64 MiB, lanes of 1,024, time / a copy, paired runs): `i64`
/// 1.14x-1.32x -> 0.90x-0.99x, `f64` 1.00x-1.11x -> 0.91x-0.96x; it is
/// what makes lanes under 8 KiB worth streaming ([`STAGED_LANE_BYTES`]).
/// Without segment starts.
#[inline(always)]
fn leads_side_by_side<B, I>(
    input: &I,
    base: usize,
    n: usize,
    dst: &mut [&mut [B]; GROUP],
    lead: usize,
) -> [B; GROUP]
where
    B: Clone + Mul<Output = B>,
    I: Factors<B>,
{
    let mut carry: [B; GROUP] = core::array::from_fn(|k| input.factor_at(base + k * n));
    let mut tiles: [[B; TILE]; GROUP] =
        core::array::from_fn(|k| core::array::from_fn(|_| carry[k].clone()));
    for s in 1..lead {
        for (k, (tile, c)) in tiles.iter_mut().zip(carry.iter_mut()).enumerate() {
            *c = c.clone() * input.factor_at(base + k * n + s);
            tile[s].clone_from(c);
        }
    }
    for (tile, lane) in tiles.iter().zip(dst.iter_mut()) {
        stream_copy(&tile[..lead], &mut lane[..lead]);
    }
    carry
}

/// The reverse scan of contiguous lanes of `n >= SHORT` elements: the
/// mirror image of [`lanes`]. Each lane of a group is walked from its end:
/// the steps after its last whole cache line of output first (a whole tile
/// if the lane ends a line), then the same number of tiles in every lane,
/// each a line of its own ([`Factors::stream_tile_rev`]), from the last to
/// the first, and the steps before them last. Only for types whose product
/// does not depend on the order of its operands ([`applies_rev`]).
fn lanes_rev<B, I>(input: &I, dst: &mut [B], n: usize)
where
    B: Clone + Mul<Output = B>,
    I: Factors<B>,
{
    let len = dst.len();
    let whole = len / (GROUP * n) * (GROUP * n);
    let size = core::mem::size_of::<B>().max(1);
    for base in (0..whole).step_by(GROUP * n) {
        prefetch_next_group(input, base, n);
        let dst = &mut dst[base..base + GROUP * n];
        let mut outs = dst.chunks_exact_mut(n);
        let mut dst: [&mut [B]; GROUP] =
            core::array::from_fn(|_| outs.next().expect("a lane of the group"));
        let tail: [usize; GROUP] = core::array::from_fn(|k| {
            let end = dst[k].as_ptr() as usize + n * size;
            match end % 64 / size {
                0 => TILE,
                tail => tail.min(TILE),
            }
        });
        let start = |k: usize| base + k * n;
        let mut carry: [B; GROUP] =
            core::array::from_fn(|k| lane_end_rev(input, start(k), dst[k], n - tail[k]));
        // Every lane's tiles at one place in their pages ([`page_moves`]),
        // the steps between scanned one lane at a time.
        let tail = match page_moves(&dst, tail, n, false) {
            Some(more) => {
                for (k, (lane, c)) in dst.iter_mut().zip(carry.iter_mut()).enumerate() {
                    let end = n - tail[k];
                    *c = lane_run_rev(input, start(k), lane, end - more[k]..end, c.clone());
                }
                core::array::from_fn(|k| tail[k] + more[k])
            }
            None => tail,
        };
        // The same whole tiles in every lane, ending where its tail starts.
        let tiles = (n - tail.iter().max().copied().unwrap_or(0)) / TILE;
        let span = tiles * TILE;
        let body_start = |k: usize| n - tail[k] - span;
        let parts: [I; GROUP] = core::array::from_fn(|k| {
            let from = start(k) + body_start(k);
            input.part(from..from + span)
        });
        let mut heads: [&mut [B]; GROUP] = Default::default();
        let mut bodies: [&mut [B]; GROUP] = Default::default();
        for (k, lane) in dst.into_iter().enumerate() {
            let (head, body) = lane.split_at_mut(body_start(k));
            heads[k] = head;
            bodies[k] = &mut body[..span];
        }
        for i in (0..span).step_by(TILE).rev() {
            if I::stream_tile_rev(&parts, &mut carry, &mut bodies, i) {
                continue;
            }
            for ((part, body), c) in parts.iter().zip(bodies.iter_mut()).zip(carry.iter_mut()) {
                *c = lane_run_rev(part, 0, body, i..i + TILE, c.clone());
            }
        }
        // The first steps of each lane, before its tiles.
        for (k, (head, c)) in heads.into_iter().zip(carry).enumerate() {
            let end = head.len();
            lane_run_rev(input, start(k), head, 0..end, c);
        }
    }
    for base in (whole..len).step_by(n) {
        let lane = &mut dst[base..base + n];
        let carry = lane_end_rev(input, base, lane, n - TILE);
        lane_run_rev(input, base, lane, 0..n - TILE, carry);
    }
}

/// Streams out positions `from..` (at most a [`TILE`], at least one) of the
/// reverse scan of the lane `dst` whose first element is `at` in the block,
/// from its last element, with one copy, and returns the product at `from`.
fn lane_end_rev<B, I>(input: &I, at: usize, dst: &mut [B], from: usize) -> B
where
    B: Clone + Mul<Output = B>,
    I: Factors<B>,
{
    let end = dst.len();
    debug_assert!(from < end && end - from <= TILE);
    let mut carry = input.factor_at(at + end - 1);
    let mut tile: [B; TILE] = core::array::from_fn(|_| carry.clone());
    let tile = &mut tile[..end - from];
    // Slot `j` is step `from + j`: the zip drops the tile's last slot, which
    // keeps the lane's last element, its own product.
    for (slot, k) in tile.iter_mut().zip(from..end - 1).rev() {
        carry = input.factor_at(at + k) * carry;
        slot.clone_from(&carry);
    }
    stream_copy(tile, &mut dst[from..]);
    carry
}

/// Streams out positions `range` of the reverse scan of the lane whose first
/// element is `at` in the block, from the last of them down, continuing
/// from `carry`, the product just after them, a tile at a time, and returns
/// the last product (that of `range.start`).
fn lane_run_rev<B, I>(input: &I, at: usize, dst: &mut [B], range: Range<usize>, mut carry: B) -> B
where
    B: Clone + Mul<Output = B>,
    I: Factors<B>,
{
    let mut tile: [B; TILE] = core::array::from_fn(|_| carry.clone());
    let mut end = range.end;
    while end > range.start {
        let start = end.saturating_sub(TILE).max(range.start);
        let tile = &mut tile[..end - start];
        for (slot, k) in tile.iter_mut().zip(start..end).rev() {
            carry = input.factor_at(at + k) * carry;
            slot.clone_from(&carry);
        }
        stream_copy(tile, &mut dst[start..end]);
        end = start;
    }
    carry
}

/// Lanes shorter than this are scanned whole, as many as fill a
/// [`SHORT_CHUNK`], and the chunk streamed out ([`short_lanes`]).
const SHORT: usize = 16;

/// The elements of short lanes scanned, then streamed out, at a time.
/// Measured (64 MiB, lanes of 4, time / a copy, f64 and i64): 32, 1.49x and
/// 1.88x; 256, 1.20x and 1.52x; 1,024, 1.54x and 1.68x; the plain kernels,
/// 1.55x-1.65x and 1.65x-1.75x.
const SHORT_CHUNK: usize = 256;

/// Contiguous lanes of `n < SHORT` elements: as many whole lanes as fit a
/// [`SHORT_CHUNK`] are scanned into a chunk on the stack, in cache, which is
/// then streamed out.
fn short_lanes<B, I>(input: &I, dst: &mut [B], n: usize)
where
    B: Clone + Mul<Output = B>,
    I: Factors<B>,
{
    // Masked lanes without segments take the chunk below instead: measured
    // (64 MiB, lanes of 2 to 8, one element in seven masked out at random,
    // time / a copy, paired runs into the same output), in pairs `f64`
    // 1.4x-1.8x and `i64` 1.5x-2.1x, so 1.35x-1.6x and 1.3x-1.5x.
    let masked_only = input.selects() && input.starts().is_none();
    if n % 2 == 0 && memory::streams_pairs::<B>() && dst.as_ptr() as usize % 16 == 0 && !masked_only
    {
        return short_lanes_in_pairs(input, dst, n);
    }
    let step = SHORT_CHUNK / n * n;
    // Any value will do: every slot is written before it is read.
    let mut chunk = Chunk(core::array::from_fn(|_| dst[0].clone()));
    for (at, y) in (0..).step_by(step).zip(dst.chunks_mut(step)) {
        let out = &mut chunk.0[..y.len()];
        if input.starts().is_none() {
            // Lanes of up to 8 elements of 4 bytes or less, or masked: the
            // factors of the whole chunk (the mask's select vectorises
            // there), then each lane scanned in place, in a loop of its
            // length. Other lanes of up to 8: read, multiplied and written
            // into the chunk in one pass, in a loop of their length.
            let factors_first = core::mem::size_of::<B>() <= 4 || input.selects();
            if (factors_first && short_fixed(out, n, |out| input.put(at, out)))
                || (!factors_first && short_fixed_one_pass(input, at, out, n))
            {
                stream_copy(out, y);
                continue;
            }
        }
        for (start, lane) in (at..).step_by(n).zip(out.chunks_exact_mut(n)) {
            let (first, rest) = lane.split_at_mut(1);
            input.put(start, first);
            input.run(start + 1, rest, first[0].clone());
        }
        stream_copy(out, y);
    }
}

/// Scans in place the lanes of `n` elements of `out`, whose factors `put`
/// writes first, if `n` is 2 to 8: a loop of a length known when it is
/// compiled, which unrolls; else does nothing and returns false. Measured
/// (64 MiB, time / a copy, paired runs), against a lane at a time from the
/// input: `i32` lanes of 2 2.3x-3.1x -> 1.3x, of 3 2.0x -> 1.4x, of 4 1.7x
/// -> 1.3x-1.5x, of 5 and 7 1.75x -> 1.4x-1.5x, of 8 1.45x-1.55x -> 1.35x-1.4x.
/// Lanes of 15, in a loop of a length known at run time, were slower so
/// (1.2x-1.55x -> 1.4x-1.95x), and so were the odd lanes of `f64` and `i64`
/// (lanes of 3, 5 and 7: 1.2x-1.5x -> 1.5x-1.6x; their even lanes stream in
/// pairs), which take [`short_fixed_one_pass`] instead, but when masked:
/// a masked lane at a time selected each factor with a branch, which a
/// mask without a pattern mispredicts (`f64` and `i64` lanes of 3, 5 and 7,
/// one element in seven masked out at random: 2.2x-3.3x a copy, so
/// 1.2x-1.75x).
#[inline(always)]
fn short_fixed<B>(out: &mut [B], n: usize, put: impl FnOnce(&mut [B])) -> bool
where
    B: Clone + Mul<Output = B>,
{
    fn fixed<B: Clone + Mul<Output = B>, const N: usize>(out: &mut [B]) {
        for lane in out.chunks_exact_mut(N) {
            for k in 1..N {
                lane[k] = lane[k - 1].clone() * lane[k].clone();
            }
        }
    }
    let scan: fn(&mut [B]) = match n {
        2 => fixed::<B, 2>,
        3 => fixed::<B, 3>,
        4 => fixed::<B, 4>,
        5 => fixed::<B, 5>,
        6 => fixed::<B, 6>,
        7 => fixed::<B, 7>,
        8 => fixed::<B, 8>,
        _ => return false,
    };
    put(out);
    scan(out);
    true
}

/// Writes into `out` the scans of its lanes of `n` elements, whose factors
/// are those of `input` from element `at` on, if `n` is 2 to 8: each lane
/// read, multiplied and written in one pass, in a loop of a length known
/// when it is compiled; else does nothing and returns false. Measured (64
/// MiB, time / a copy, paired runs into the same output), against a lane at
/// a time (its first factor put, then the rest run from it): `i64` lanes of
/// 3 1.85x -> 1.13x, of 5 and 7 1.23x-1.26x -> 1.12x-1.18x; `f64` lanes of
/// 3 1.50x -> 1.06x, of 5 and 7 1.13x-1.16x -> 1.06x-1.08x. (Even lanes of
/// these types stream in pairs, [`short_lanes_in_pairs`], faster still.)
#[inline(always)]
fn short_fixed_one_pass<B, I>(input: &I, at: usize, out: &mut [B], n: usize) -> bool
where
    B: Clone + Mul<Output = B>,
    I: Factors<B>,
{
    fn fixed<B: Clone + Mul<Output = B>, I: Factors<B>, const N: usize>(
        input: &I,
        at: usize,
        out: &mut [B],
    ) {
        for (start, lane) in (at..).step_by(N).zip(out.chunks_exact_mut(N)) {
            let mut p = input.factor_at(start);
            lane[0].clone_from(&p);
            for (k, y) in lane.iter_mut().enumerate().skip(1) {
                p = p * input.factor_at(start + k);
                y.clone_from(&p);
            }
        }
    }
    let scan: fn(&I, usize, &mut [B]) = match n {
        2 => fixed::<B, I, 2>,
        3 => fixed::<B, I, 3>,
        4 => fixed::<B, I, 4>,
        5 => fixed::<B, I, 5>,
        6 => fixed::<B, I, 6>,
        7 => fixed::<B, I, 7>,
        8 => fixed::<B, I, 8>,
        _ => return false,
    };
    scan(input, at, out);
    true
}

/// [`short_lanes`] of an even length `n`, into an output aligned to 16
/// bytes of a type that [`memory::streams_pairs`]: each pair of products
/// streamed from the registers that hold them ([`memory::stream_two`]),
/// with no chunk on the stack to read back. Measured (64 MiB, time / a
/// copy): lanes of 4 f64 1.28x-1.36x -> 1.1x-1.15x, i64 1.46x-1.53x ->
/// 1.3x-1.4x; lanes of 2 f64 1.81x -> 1.05x-1.18x; lanes of 8 1.22x ->
/// 1.04x-1.1x. Segmented lanes too (time / the plain scan, lanes of 4 f64:
/// a segment at every element 1.42x-1.50x -> 1.16x-1.34x, one element in
/// seven at random 2.3x -> 1.7x-1.9x).
fn short_lanes_in_pairs<B, I>(input: &I, dst: &mut [B], n: usize)
where
    B: Clone + Mul<Output = B>,
    I: Factors<B>,
{
    // The NaN-skipping conversion (NaN to one) is taken as each factor is
    // multiplied: a select of registers, without a branch (measured, 64 MiB,
    // lanes of 2, 4 and 8 f64, one element in seven NaN at random: staged,
    // 1.3x-1.8x a copy; so, 1.13x-1.28x).
    if !input.selects() {
        return match input.starts() {
            None => pairs(dst, n, |k| input.factor_at(k), |_| false),
            Some(starts) => pairs(dst, n, |k| input.factor_at(k), |k| starts[k]),
        };
    }
    // A masked scan (with segments: [`short_lanes`] takes masks alone): the
    // factors of a chunk of lanes first, in a loop that vectorises the
    // select. Chosen as each factor is multiplied, the
    // select was a branch, which a mask without a pattern mispredicts
    // (measured, 64 MiB, lanes of 4 f64, one element in seven masked out at
    // random: 2.9x the plain scan, staged 1.6x).
    let step = SHORT_CHUNK / n * n;
    // Any value will do: every slot is written before it is read.
    let mut chunk = Chunk(core::array::from_fn(|_| dst[0].clone()));
    for (at, y) in (0..).step_by(step).zip(dst.chunks_mut(step)) {
        let factors = &mut chunk.0[..y.len()];
        input.put(at, factors);
        match input.starts() {
            None => pairs(y, n, |k| factors[k].clone(), |_| false),
            Some(starts) => {
                let starts = &starts[at..at + y.len()];
                pairs(y, n, |k| factors[k].clone(), |k| starts[k]);
            }
        }
    }
}

/// The lanes of `n` elements (an even number) of `dst`, a pair of products
/// at a time, each pair streamed from the registers that hold them;
/// `factor(k)` is the factor of element `k` of `dst`, and `starts(k)`
/// whether a segment starts there (its product is then its factor alone;
/// `|_| false` for a scan without segments, which compiles away).
#[inline(always)]
fn pairs<B>(dst: &mut [B], n: usize, factor: impl Fn(usize) -> B, starts: impl Fn(usize) -> bool)
where
    B: Clone + Mul<Output = B>,
{
    // The product at `at` from the one before it, `p`: the factor alone
    // where a segment starts.
    let step = |p: B, at: usize| {
        let f = factor(at);
        if starts(at) {
            f
        } else {
            p * f
        }
    };
    for (start, lane) in (0..).step_by(n).zip(dst.chunks_exact_mut(n)) {
        let (head, rest) = lane.split_at_mut(2);
        let a = factor(start);
        let mut p = step(a.clone(), start + 1);
        let done = memory::stream_two(head, a, p.clone());
        debug_assert!(done, "aligned pairs of a type that streams in pairs");
        for (at, pair) in (start + 2..).step_by(2).zip(rest.chunks_exact_mut(2)) {
            let a = step(p, at);
            p = step(a.clone(), at + 1);
            let done = memory::stream_two(pair, a, p.clone());
            debug_assert!(done, "aligned pairs of a type that streams in pairs");
        }
    }
}

/// A chunk of results on the stack, aligned to a cache line.
#[repr(align(64))]
struct Chunk<B>([B; SHORT_CHUNK]);

/// Streams out positions `..end` of the lane whose first element is `at`
/// in the block, from its first element, and returns the product at
/// `end - 1` (`end >= 1`).
fn lane_start<B, I>(input: &I, at: usize, dst: &mut [B], end: usize) -> B
where
    B: Clone + Mul<Output = B>,
    I: Factors<B>,
{
    let first = input.factor_at(at);
    stream_copy(core::slice::from_ref(&first), &mut dst[..1]);
    lane_run(input, at, dst, 1..end, first)
}

/// Streams out positions `range` of the lane whose first element is `at` in
/// the block, continuing from `carry`, the product just before them, a tile
/// at a time, and returns the last product.
fn lane_run<B, I>(input: &I, at: usize, dst: &mut [B], range: Range<usize>, mut carry: B) -> B
where
    B: Clone + Mul<Output = B>,
    I: Factors<B>,
{
    let mut tile: [B; TILE] = core::array::from_fn(|_| carry.clone());
    for start in range.clone().step_by(TILE) {
        let end = range.end.min(start + TILE);
        carry = input.run(at + start, &mut tile[..end - start], carry);
        stream_copy(&tile[..end - start], &mut dst[start..end]);
    }
    carry
}

/// Steps of a lane multiplied, then streamed out, at a time: a cache line of
/// `f64`. A streaming store that leaves a line half written until the lane
/// comes back to it is slow: tiles of two i64, 16 bytes, ran at 4x a copy,
/// and tiles of eight `f32`, half a line, at 14x-16x (lanes of 2,048 and
/// 8,192, 64 MiB), so that [`applies`] leaves the lanes of elements under
/// 8 bytes to the kernels of [`contiguous`](super::contiguous) (1.0x-1.6x).
const TILE: usize = memory::TILE;

/// The size of a cache line on the processors this module streams on.
const LINE: usize = 64;

// The four-lane tiles of `memory::stream_tiles` are the groups of `lanes`.
const _: () = assert!(GROUP == memory::LANES);

/// The `n` rows of `inner` elements at `at`, a band of `band.len()` columns
/// at a time: the band's running products stay in `band`, in cache; each
/// input row is multiplied into them and the result streamed out a
/// [`CHUNK`] at a time, so that the loads of the next chunk overlap the
/// stores of the last. `reverse`: from the last row to the first.
fn rows<B, I>(
    input: &I,
    dst: &mut [B],
    at: usize,
    (n, inner): (usize, usize),
    band: &mut [B],
    reverse: bool,
) where
    B: Clone + Mul<Output = B>,
    I: Factors<B>,
{
    for c0 in (0..inner).step_by(band.len()) {
        let width = band.len().min(inner - c0);
        let band = &mut band[..width];
        for step in 0..n {
            let row = if reverse { n - 1 - step } else { step };
            let start = at + row * inner + c0;
            let output = &mut dst[start..start + width];
            for ((offset, products), y) in (start..)
                .step_by(CHUNK)
                .zip(band.chunks_mut(CHUNK))
                .zip(output.chunks_mut(CHUNK))
            {
                if reverse && row > 0 {
                    // The row before, next: walked downwards, the rows are
                    // streams the prefetcher does not follow.
                    input.prefetch(offset - inner..offset - inner + products.len());
                }
                if step == 0 {
                    input.put(offset, products);
                } else if input.stream_times(offset, products, y) {
                    continue;
                } else {
                    input.times(offset, products);
                }
                stream_copy(products, y);
            }
        }
    }
}

/// The running products that [`rows`] keeps, on the stack: 64 KiB of
/// 8-byte elements, 128 KiB of `Scaled<f64>` (the largest that streams),
/// which stay in the level-2 cache. Rows of 8,192 such elements are kept whole: measured (64 MiB,
/// time / a copy), 1,024 rows of 8,192 f64 1.39x -> 1.21x, i64 1.71x ->
/// 1.48x (with bands of 16 KiB, these rows were not streamed). Longer rows
/// are streamed a band at a time only when they are few ([`FEW_ROWS`],
/// [`applies`]): many rows in bands narrower than a row read and write
/// memory in pieces a row apart, which was slower than plain stores
/// (measured, 1,024 rows of 8,192 f64 in bands of 16 KiB: 1.9x a copy
/// instead of 1.3x; 4 rows of 2,097,152: 1.27x -> 1.16x). Rows of up to
/// 1 MiB kept whole on the heap streamed well (131,072 f64: 1.23x a copy ->
/// 0.99x), but the `_into` methods allocate nothing.
const BAND: usize = 8192;

/// The band of [`all_rows`], aligned to a cache line: at the stack's own
/// alignment (8 bytes), a vector of two `f64` in four straddled two lines,
/// and the rows of 1,024 f64 ran at 1.13x a copy instead of 0.84x.
#[repr(align(64))]
struct Band<B>([B; BAND]);

/// Elements multiplied, then streamed out, at a time: 512 bytes of `f64`.
/// Measured against 8 (slower than no streaming at all: 1.6x a copy) and
/// 512 to 4,096 (0.1x-0.2x slower than 64, rows of 1,024).
const CHUNK: usize = 64;

/// `row[j] = row[j] * conv(x[j])`: a function of its own, never inlined, so
/// that the loop over two slices that cannot overlap vectorises.
#[inline(never)]
fn times_converted<A, B, F>(row: &mut [B], x: &[A], conv: &F)
where
    B: Clone + Mul<Output = B>,
    F: Fn(&A) -> B,
{
    if crate::scaled::converts_f64(conv) {
        if let (Some(row), Some(x)) = (memory::same_mut(row), memory::same_ref(x)) {
            crate::scaled::times_floats_inplace_f64(row, x);
            return;
        }
    }
    for (y, x) in row.iter_mut().zip(x) {
        *y = y.clone() * conv(x);
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use super::super::test_support::{flagged_reference, Word};
    use super::*;

    /// The flags of a scan: where an element counts as one (mask false) and
    /// where a new product starts.
    #[derive(Clone, Copy, Debug)]
    enum Flags {
        None,
        Mask,
        Starts,
        Both,
    }

    impl Flags {
        /// Every element but one in seven counts; a segment starts at one
        /// element in five (on and off the first element of lanes).
        fn make(self, len: usize) -> (Option<Vec<bool>>, Option<Vec<bool>>) {
            let mask = matches!(self, Flags::Mask | Flags::Both)
                .then(|| (0..len).map(|k| k % 7 != 3).collect());
            let starts = matches!(self, Flags::Starts | Flags::Both)
                .then(|| (0..len).map(|k| k % 5 == 2).collect());
            (mask, starts)
        }
    }

    /// Blocks with lanes shorter and longer than a tile, lane counts on and
    /// off a group, short lanes over more than one chunk, and rows narrower
    /// and wider than a chunk.
    const BLOCKS: [(usize, usize, usize); 20] = [
        (1, 1, 1),
        (3, 1, 1),
        (1, 2, 1),
        (5, 3, 1),
        // Short lanes over more than one chunk of the stack buffer.
        (90, 3, 1),
        (40, 7, 1),
        (40, 8, 1),
        (6, 4, 1),
        (5, 9, 1),
        (40, 9, 1),
        (9, 17, 1),
        (4, 70, 1),
        (1, 3, 2),
        (2, 4, 5),
        (3, 2, 64),
        (1, 5, 65),
        (2, 3, 130),
        (0, 3, 4),
        // Lanes 16 bytes (f64) past a multiple of 4 KiB, whose tiles are
        // moved to one place in their pages (`page_shifts`), and lanes 24
        // bytes short of one, with a lane left over.
        (4, 514, 1),
        (5, 1021, 1),
    ];

    /// `scan_into` against the reference, bit for bit (`key` gives every
    /// bit of an element), without flags and with each kind of them, with
    /// bands of one column, of a few, and whole; into an output that starts
    /// anywhere in a cache line, with the elements around it untouched.
    fn check<A, B, K>(
        make: impl Fn(usize) -> A,
        conv: impl Fn(&A) -> B,
        one: impl Fn() -> B,
        fill: B,
        key: impl Fn(&B) -> K,
    ) where
        B: Clone + Mul<Output = B>,
        K: PartialEq + core::fmt::Debug,
    {
        let keys = |x: &[B]| x.iter().map(&key).collect::<Vec<K>>();
        // Under Miri, the plain scan only: the flags change the safe code
        // around the stores, not the stores.
        let kinds: &[Flags] = if cfg!(miri) {
            &[Flags::None]
        } else {
            &[Flags::None, Flags::Mask, Flags::Starts, Flags::Both]
        };
        for &flags in kinds {
            // Under Miri, without the blocks that others stand for: lanes
            // of 8 are those of 9 but the step after the tile, rows of 64
            // those of 65 but the last column, the short lanes over two
            // chunks those of one chunk but where the chunk ends, and the
            // long lanes those of 70 but where their tiles start.
            let blocks = BLOCKS.into_iter().filter(|b| {
                !(cfg!(miri)
                    && matches!(
                        b,
                        (40, 8, 1)
                            | (3, 2, 64)
                            | (90, 3, 1)
                            | (40, 7, 1)
                            | (4, 514, 1)
                            | (5, 1021, 1)
                    ))
            });
            for block in blocks {
                let len = block.0 * block.1 * block.2;
                let src: Vec<A> = (0..len).map(&make).collect();
                let (mask, starts) = flags.make(len);
                let (mask, starts) = (mask.as_deref(), starts.as_deref());
                let expected = keys(&flagged_reference(&src, block, &conv, (mask, starts), &one));
                // Under Miri, which runs this a thousand times slower, one
                // band width that splits the rows: the unsafe stores are the
                // same.
                let bands: &[usize] = if cfg!(miri) { &[3] } else { &[1, 3, BAND] };
                for &band_width in bands {
                    // Every start within a cache line of f64 (the lanes align
                    // their tiles to lines), two under Miri.
                    // A mask or starts alone also as a `OneFlag` input.
                    let one_flag = if matches!(flags, Flags::Mask | Flags::Starts) {
                        &[false, true][..]
                    } else {
                        &[false][..]
                    };
                    for (offset, &one_flag) in (0..if cfg!(miri) { 2 } else { 8 })
                        .flat_map(|offset| one_flag.iter().map(move |o| (offset, o)))
                    {
                        let mut out = vec![fill.clone(); len + 8];
                        let written = offset..offset + len;
                        let dst = &mut out[written.clone()];
                        match (flags, mask, starts) {
                            (Flags::None, ..) => {
                                let input = Plain {
                                    src: &src,
                                    conv: &conv,
                                };
                                scan_into_in_bands(&input, dst, block, band_width);
                            }
                            (Flags::Mask, Some(flags), None) if one_flag => {
                                let input = OneFlag::<_, _, _, true> {
                                    src: &src,
                                    flags,
                                    conv: &conv,
                                    one: &one,
                                };
                                scan_into_in_bands(&input, dst, block, band_width);
                            }
                            (Flags::Starts, None, Some(flags)) if one_flag => {
                                let input = OneFlag::<_, _, _, false> {
                                    src: &src,
                                    flags,
                                    conv: &conv,
                                    one: &one,
                                };
                                scan_into_in_bands(&input, dst, block, band_width);
                            }
                            _ => {
                                let input = Flagged {
                                    src: &src,
                                    mask,
                                    starts,
                                    conv: &conv,
                                    one: &one,
                                };
                                scan_into_in_bands(&input, dst, block, band_width);
                            }
                        }
                        assert_eq!(
                            keys(&out[written]),
                            expected,
                            "block {block:?}, bands of {band_width}, flags {flags:?}, one flag {one_flag}"
                        );
                        assert_eq!(key(&out[offset + len]), key(&fill));
                        assert!(out[..offset].iter().all(|x| key(x) == key(&fill)));
                    }
                }
            }
        }
    }

    /// Integers whose products stay small (a debug build checks overflow)
    /// but change sign and size along a lane.
    fn small(i: usize) -> i32 {
        match i % 29 {
            0 => 2,
            7 => 3,
            17 => 0,
            _ if i % 3 == 0 => -1,
            _ => 1,
        }
    }

    #[test]
    fn reverse_rows_and_lanes_match_the_reference() {
        /// The reverse scan of `block` by the definition: each element
        /// times the product of those after it in its lane.
        fn reference<B: Clone + Mul<Output = B>>(
            src: &[B],
            (outer, n, inner): (usize, usize, usize),
        ) -> Vec<B> {
            let mut out = src.to_vec();
            for lane in 0..outer {
                for row in (0..n - 1).rev() {
                    for c in 0..inner {
                        let at = (lane * n + row) * inner + c;
                        out[at] = src[at].clone() * out[at + inner].clone();
                    }
                }
            }
            out
        }
        /// `rows`: also the blocks of rows, whose kernel multiplies `p * x`.
        fn check<B: Clone + Mul<Output = B> + PartialEq + core::fmt::Debug>(
            make: impl Fn(usize) -> B,
            fill: B,
            rows: bool,
        ) {
            // Rows narrower and wider than a band (of 3 here), one and
            // several lanes; contiguous lanes of a group and more, whose
            // ends fall at different places in a cache line (lengths not a
            // multiple of a line), and a lane left over; outputs at each
            // 8-byte offset from alignment (lanes: every offset in a line).
            let blocks = [
                (1, 2, 2),
                (2, 5, 3),
                (3, 9, 8),
                (1, 4, 70),
                (4, 16, 1),
                (5, 27, 1),
                (4, 44, 1),
                // Tiles moved to one place in their pages (`page_shifts`).
                (4, 514, 1),
                (5, 1021, 1),
            ];
            let blocks = blocks.into_iter().filter(|b| !(cfg!(miri) && b.1 > 500));
            for block in blocks.filter(|b| rows || b.2 == 1) {
                let len = block.0 * block.1 * block.2;
                let src: Vec<B> = (0..len).map(&make).collect();
                let expected = reference(&src, block);
                let offsets = match (cfg!(miri), block.2) {
                    (true, 1) => 2,
                    (true, _) => 1,
                    (false, 1) => 8,
                    (false, _) => 2,
                };
                for offset in 0..offsets {
                    let mut out = vec![fill.clone(); len + 8];
                    let input = Plain {
                        src: &src,
                        conv: &B::clone,
                    };
                    let dst = &mut out[offset..offset + len];
                    if block.2 == 1 {
                        lanes_rev(&input, dst, block.1);
                    } else {
                        all_rows(&input, dst, block, 3, true);
                    }
                    stream_fence();
                    assert_eq!(
                        out[offset..offset + len],
                        expected[..],
                        "{block:?} at {offset}"
                    );
                    assert!(out[..offset]
                        .iter()
                        .chain(&out[offset + len..])
                        .all(|x| *x == fill));
                }
            }
        }
        check(
            |i| 1.0 + (i % 13) as f64 * 0.37 - if i % 11 == 0 { 3.5 } else { 0.0 },
            -0.0,
            true,
        );
        // Under Miri, the 8-byte stores are above; `i64` and `u64` take the
        // same ones (the integer tiles' stores are checked under Miri by the
        // memory module's own tests) and `Word` none (a minute of Miri's
        // time for the three).
        if !cfg!(miri) {
            check(
                |i| {
                    if i % 23 == 5 {
                        0
                    } else {
                        [2i64, -1, 3, 1, 0, -2, 1][i % 7] + i as i64 % 3
                    }
                },
                99,
                true,
            );
            check(
                |i| {
                    if i % 23 == 5 {
                        0
                    } else {
                        [2u64, 1, 3, 1, 5][i % 5]
                    }
                },
                99,
                true,
            );
            // A type without tiles, whose product depends on the order of
            // its operands: the lanes' steps one at a time, each `x * p` as
            // in the definition.
            check(Word::new, Word::new(1000), false);
        }
        // Whether they stream: large rows of the types whose products do not
        // depend on the order of the operands.
        let big = MIN_BYTES / 8;
        assert_eq!(
            applies_rev::<f64>(1, big / 1024, 1024),
            memory::streams::<f64>()
        );
        assert_eq!(
            applies_rev::<i64>(4, big / 4096, 1024),
            memory::streams::<i64>()
        );
        assert_eq!(
            applies_rev::<u64>(big / 1024, 1024, 1),
            memory::streams::<u64>()
        );
        // Not: short lanes, which have no reverse kernel here, nor f32,
        // which streams but is not one of the types of the pair kernels.
        assert_eq!(
            applies_rev::<f64>(big / 128, 128, 1),
            memory::streams::<f64>()
        );
        assert_eq!(
            applies_rev::<i64>(big / 32, 32, 1),
            memory::streams::<i64>()
        );
        assert!(!applies_rev::<f64>(big / 16, 16, 1));
        assert!(!applies_rev::<f64>(big / 8, 8, 1));
        assert!(!applies_rev::<f64>(3, big / 3 + 1, 1));
        assert!(!applies_rev::<f32>(1, big / 1024, 1024));
        assert!(!applies_rev::<f64>(1, 16, 1024));
    }

    /// [`page_shifts`]: lanes near one place in their pages (across a
    /// page's end too) are moved to the furthest (forward) or the nearest
    /// (reverse) of them; lanes at one place, or far apart, are left.
    #[test]
    fn page_shifts_bring_the_lanes_to_one_place_in_their_pages() {
        let base = 7 * PAGE;
        let near = [
            base + 64,
            base + 2 * PAGE + 128,
            base + 4 * PAGE + 64,
            base + 6 * PAGE + 128,
        ];
        assert_eq!(page_shifts(near, true), Some([64, 0, 64, 0]));
        assert_eq!(page_shifts(near, false), Some([0, 64, 0, 64]));
        let across = [
            base + PAGE - 64,
            base + 3 * PAGE + 64,
            base + 5 * PAGE,
            base + 7 * PAGE - 128,
        ];
        assert_eq!(page_shifts(across, true), Some([128, 0, 64, 192]));
        assert_eq!(page_shifts(across, false), Some([64, 192, 128, 0]));
        let same = [base, base + 2 * PAGE, base + 4 * PAGE, base + 6 * PAGE];
        assert_eq!(page_shifts(same, true), None);
        let apart = [
            base,
            base + 2 * PAGE + 256,
            base + 4 * PAGE,
            base + 6 * PAGE,
        ];
        assert_eq!(page_shifts(apart, true), None);
        assert_eq!(page_shifts(apart, false), None);
    }

    /// [`restart`] against its definition: no starts, starts only, and
    /// both, in words of eight and in the elements after the last word.
    #[test]
    fn restart_resets_the_products_where_a_segment_starts() {
        for len in [0, 1, 7, 8, 9, 16, 23, 64, 70] {
            for pattern in 0..4 {
                let starts: Vec<bool> = (0..len)
                    .map(|k| match pattern {
                        0 => false,
                        1 => true,
                        2 => k % 5 == 2,
                        _ => (k / 8) % 2 == 1 || k % 11 == 3,
                    })
                    .collect();
                let mut products: Vec<f64> = (0..len).map(|k| 2.0 + k as f64).collect();
                let expected: Vec<f64> = products
                    .iter()
                    .zip(&starts)
                    .map(|(&p, &s)| if s { 1.0 } else { p })
                    .collect();
                restart(&mut products, &starts, &|| 1.0);
                assert_eq!(products, expected, "len {len}, pattern {pattern}");
            }
        }
    }

    #[test]
    fn streamed_scans_match_the_reference() {
        // Streamed types (8 and 4 bytes), with values whose products round,
        // overflow and turn to NaN, so that a product taken out of order shows.
        let f64s = || {
            check(
                |i| 1.0 + (i % 13) as f64 * 0.37 - if i % 11 == 0 { 1e300 } else { 0.0 },
                |x: &f64| *x,
                || 1.0,
                -0.0,
                |x| x.to_bits(),
            );
        };
        f64s();
        // As on a processor without AVX2, whose flagged tiles (masks and
        // segments) take their SSE2 kernels; natively only (Miri runs no
        // flags here).
        #[cfg(all(feature = "std", not(miri)))]
        memory::without_avx2(f64s);
        if cfg!(miri) {
            // The 8-byte stores of the tiles and rows are above; the rest
            // runs the same safe code, and reaches the memory module only
            // through `stream_copy` of whole slices, whose 4-byte stores
            // that module's tests check under Miri at every length and
            // offset (the `f32` case below took a minute there).
            return;
        }
        check(
            |i| 1.5f32 + (i % 5) as f32 * 0.3,
            |x: &f32| *x,
            || 1.0,
            0.25,
            |x| x.to_bits(),
        );
        // `f64` into `Scaled<f64>`, whose lanes take tiles of their own
        // (`memory::tiles_scaled`, whose stores Miri checks in that
        // module's tests): factors that leave the range and come back, so
        // that both the fast and the exact halves of a tile run.
        {
            use crate::Scaled;
            check(
                |i| match i % 23 {
                    5 => 1e300,
                    7 | 8 => 1e-200,
                    11 => f64::MIN_POSITIVE / 3.0,
                    _ => 0.5 + (i % 7) as f64 * 0.1,
                },
                crate::cumprod_ext::convert::<f64, Scaled<f64>>,
                || Scaled::from(1.0),
                Scaled::from(3.5),
                |x| (x.mantissa().to_bits(), x.exponent()),
            );
        }
        check(|i| small(i) as i64, |x: &i64| *x, || 1, 99, |x| *x);
        check(|i| small(i).unsigned_abs(), |x: &u32| *x, || 1, 7, |x| *x);
        // Conversions on the way: i32 to i64, f32 to f64.
        check(small, |x: &i32| i64::from(*x), || 1, 5, |x| *x);
        check(
            |i| i as f32 / 3.0,
            |x: &f32| f64::from(*x),
            || 1.0,
            0.5,
            |x| x.to_bits(),
        );
        // A type that is copied with plain stores, and one that does not
        // commute, so that a product taken in the wrong order shows.
        check(
            |i| small(i).unsigned_abs() as u16,
            |x: &u16| *x,
            || 1,
            1,
            |x| *x,
        );
        check(
            Word::new,
            Word::clone,
            Word::one,
            Word::new(1000),
            Word::clone,
        );
    }

    #[test]
    fn only_large_outputs_of_streamed_types_take_this_path() {
        let big = (16 << 20) / 8;
        let streams = memory::streams::<f64>();
        // Rows of 1 KiB or more, lanes of 32 to 96 and of 128 `f64` and of more than
        // 256, lanes of more than 256 `i64`, and
        // lanes of fewer than 16 elements.
        assert_eq!(applies::<f64>(1, big / 128, 128, 0), streams);
        assert_eq!(applies::<f64>(big / 1024, 1024, 1, 0), streams);
        assert_eq!(applies::<f64>(big / 4, 4, 1, 0), streams);
        assert_eq!(applies::<i64>(big / 15 + 1, 15, 1, 0), streams);
        assert!(!applies::<i64>(big / 16, 16, 1, 0));
        // Too small, rows too short or too long, lanes too short, integer
        // lanes, a single step, a type that does not stream.
        assert!(!applies::<f64>(1, big / 128 - 1, 128, 0));
        assert!(!applies::<f64>(1, big / 64, 64, 0));
        assert!(applies::<f64>(1, big / BAND, BAND, 0) == streams);
        assert!(!applies::<f64>(1, big / (2 * BAND), 2 * BAND, 0));
        // Rows longer than a band, when they are few; long lanes, when they
        // make a group.
        assert_eq!(applies::<f64>(1, FEW_ROWS, big / FEW_ROWS, 0), streams);
        assert!(!applies::<f64>(1, FEW_ROWS + 1, big / FEW_ROWS, 0));
        assert_eq!(applies::<f64>(GROUP, big / GROUP, 1, 0), streams);
        assert!(!applies::<f64>(GROUP - 1, big, 1, 0));
        assert!(!applies::<f64>(big / 256, 256, 1, 0));
        assert!(!applies::<f64>(big / 129 + 1, 129, 1, 0));
        assert_eq!(applies::<f64>(big / 128, 128, 1, 0), streams);
        assert!(!applies::<f64>(big / 127 + 1, 127, 1, 0));
        assert!(!applies::<f64>(big / 97 + 1, 97, 1, 0));
        assert_eq!(applies::<f64>(big / 96 + 1, 96, 1, 0), streams);
        assert_eq!(applies_to::<f64>(big / 100 + 1, 100, 1, 0, true), streams);
        assert_eq!(applies::<f64>(big / 257 + 1, 257, 1, 0), streams);
        assert_eq!(applies::<f64>(big / 32, 32, 1, 0), streams);
        assert!(!applies::<f64>(big / 31 + 1, 31, 1, 0));
        assert!(!applies::<i64>(big / 128, 128, 1, 0));
        assert_eq!(applies::<i64>(big / 257 + 1, 257, 1, 0), streams);
        assert_eq!(applies::<i64>(big / 1024, 1024, 1, 0), streams);
        assert!(!applies::<i32>(big / 1024, 1024, 1, 0));
        // Lanes of `f32`, whose tiles would be half a cache line; their
        // short lanes and rows stream.
        assert!(!applies::<f32>(2 * big / 2048, 2048, 1, 0));
        assert!(!applies::<f32>(GROUP, big / 2, 1, 0));
        assert_eq!(applies::<f32>(2 * big / 4, 4, 1, 0), streams);
        assert_eq!(applies::<f32>(1, 2 * big / 256, 256, 0), streams);
        assert!(!applies::<f64>(1, 1, big, 0));
        assert!(!applies::<u16>(1, big / 128, 512, 0));
        // `Scaled<f64>` (16 bytes): its rows, not its lanes, short or long.
        type S = crate::Scaled<f64>;
        let scaled = big / 2;
        assert_eq!(applies::<S>(1, scaled / 64, 64, 0), streams);
        assert!(!applies::<S>(1, scaled / 32, 32, 0));
        assert!(!applies::<S>(scaled / 4, 4, 1, 0));
        assert!(!applies::<S>(scaled / 1024, 1024, 1, 0));
        // Its lanes of 8 KiB or more from `f64`, when they make a group.
        assert_eq!(applies_scaled::<S>(scaled / 512, 512, 1, 0), streams);
        assert_eq!(applies_scaled::<S>(GROUP, scaled / GROUP, 1, 0), streams);
        assert!(!applies_scaled::<S>(scaled / 256, 256, 1, 0));
        assert!(!applies_scaled::<S>(GROUP - 1, scaled, 1, 0));
        assert!(!applies_scaled::<S>(scaled / 1024 - 1, 1024, 1, 0));
        assert!(!applies_scaled::<S>(1, scaled / 1024, 1024, 0));
        assert!(!applies_scaled::<f64>(big / 1024, 1024, 1, 0));
        assert_eq!(applies_scaled::<S>(GROUP, 512, 1, scaled), streams);
        // A piece of a large output (one thread's) streams as the whole.
        assert!(!applies::<f64>(1, big / 256, 128, 0));
        assert_eq!(applies::<f64>(1, big / 256, 128, big), streams);
        // No overflow on absurd shapes.
        assert!(!applies::<f64>(usize::MAX, usize::MAX, 1, 0) || streams);
    }
}
