//! The one module of the crate with `unsafe` code: ways of writing large
//! arrays that plain Rust has no words for.
//!
//! - **Huge pages** for the large arrays that the allocating methods create
//!   (cargo feature `huge-pages`, on Linux), a call to `madvise`.
//! - **Streaming stores** for the large outputs of the `_into` methods, which
//!   write their results to memory without reading the lines they overwrite
//!   first ([`stream_copy`]); for `f64`, the scan of four contiguous lanes
//!   a tile at a time ([`stream_tiles`], and with a mask or segment starts,
//!   [`stream_tiles_flagged`]; for `i64` and `u64`, multiplied in
//!   general-purpose registers) and of a row of running products
//!   ([`stream_times`]) in SSE2 registers, streamed from there; for the
//!   8-byte primitives, a run of one running product ([`stream_scan`]).
//! - **Prefetches** ([`prefetch`]): a hint that asks for lines of the input
//!   before they are read, where the reads jump between far-apart columns.
//! - **Kernels chosen at run time**: with AVX-512 F and DQ, rows of 64-bit
//!   integers multiplied eight to a register; with AVX2, the flagged tiles of
//!   `f64` ([`stream_flagged_tiles`]) and the transposition of 8-byte
//!   elements, four by four in registers ([`stream_transpose`]). Each is a
//!   `#[target_feature]` function called only after the processor was asked
//!   (once; the standard library keeps the answer), beside the portable
//!   kernel it stands in for. The tests can switch AVX2 off on their thread
//!   (`without_avx2`), so that the same tests run both on a processor that
//!   has it.
//!
//! ## Huge pages
//!
//! A new array of 64 MiB is 16,384 pages of 4 KiB, and the first write to
//! each page costs a fault in the kernel: most of the time of `to_owned`, and
//! of an allocating scan, goes there (measured, 64 MiB f64: 32-34 ms to fill
//! a new vector, 8 ms with huge pages; a copy into an existing array, 5.5 ms).
//! Advised with `MADV_HUGEPAGE`, the kernel backs the allocation with pages of
//! 2 MiB where it can, as NumPy asks for its arrays of 4 MiB or more.
//! Advice never changes the contents of memory; a kernel that does not
//! follow it (huge pages off, or none free) leaves the pages as they are.
//!
//! ## Streaming stores
//!
//! An ordinary store to a line that is not in cache first reads the line
//! from memory, only to overwrite it: a copy of 64 MiB moves 192 MiB. A
//! streaming (non-temporal) store writes the line without reading it, and
//! without keeping it in cache, which only pays when the output is too
//! large to stay there anyway. On x86-64 the elements of 4 and 8 bytes (the
//! primitive integers and floats) are written so, with `movntdq` and
//! `movnti` (SSE2, which every x86-64 processor has), and one `sfence` after
//! the last, so that the results are ordered before anything the caller
//! does next; elsewhere, and for other types, [`stream_copy`] is
//! `clone_from_slice`.
//! Under Miri, which does not run inline assembly, the same code writes with
//! plain stores, so that Miri still checks every pointer.

#![allow(unsafe_code)]

use alloc::vec::Vec;
use core::any::TypeId;
use core::ops::{Mul, Range};

/// Vectors of at least this many bytes are advised: NumPy's threshold. Under
/// it, a huge page would hold a large share of memory the array does not use.
const MIN_BYTES: usize = 4 << 20;

/// The size of a huge page on x86-64 and aarch64 Linux with 4 KiB pages.
const HUGE_PAGE: usize = 2 << 20;

/// The whole huge pages within `len` bytes at address `start`: the offset of
/// the first from `start`, and their length in bytes.
fn whole_huge_pages(start: usize, len: usize) -> Option<(usize, usize)> {
    let offset = start.wrapping_neg() % HUGE_PAGE;
    let pages = len.checked_sub(offset)? / HUGE_PAGE;
    (pages > 0).then_some((offset, pages * HUGE_PAGE))
}

/// Asks the kernel to back the capacity of `v`, a new vector about to be
/// filled, with huge pages, when it is large enough (see [`MIN_BYTES`]).
/// Does nothing without the `huge-pages` feature, on other systems and under
/// Miri.
pub(crate) fn advise<B>(v: &mut Vec<B>) {
    let bytes = v.capacity().saturating_mul(core::mem::size_of::<B>());
    if bytes < MIN_BYTES {
        return;
    }
    let Some((offset, len)) = whole_huge_pages(v.as_mut_ptr() as usize, bytes) else {
        return;
    };
    #[cfg(all(feature = "huge-pages", target_os = "linux", not(miri)))]
    {
        let start = v.as_mut_ptr().cast::<u8>().wrapping_add(offset);
        // SAFETY: `start..start + len` lies within the allocation of `v`
        // (`offset + len <= bytes`, its capacity in bytes), which this
        // function holds by `&mut`. `madvise` with `MADV_HUGEPAGE` changes how
        // the kernel backs those pages, never the mapping or the contents,
        // so no value in the vector and no pointer into it is affected. Its
        // result is ignored on purpose: if the kernel refuses the advice,
        // the memory is used as it is.
        unsafe {
            libc::madvise(start.cast::<libc::c_void>(), len, libc::MADV_HUGEPAGE);
        }
    }
    #[cfg(not(all(feature = "huge-pages", target_os = "linux", not(miri))))]
    let _ = (offset, len);
}

/// How a type is written by [`stream_copy`]: as words of 8 or 4 bytes, or
/// not at all (plain `clone_from_slice`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Words {
    Eight,
    /// Two words of 8 bytes: [`Scaled<f64>`](crate::Scaled), a `repr(C)`
    /// pair of an `f64` and an `i64` (no padding).
    TwoEights,
    Four,
    None,
}

/// How [`stream_copy`] writes elements of `B`. Only the types named here
/// qualify: each is plain data (no drop, every bit pattern of its size is
/// valid as the unsigned integer of that size; `Scaled<f64>` is two such
/// words without padding), which the pointer casts in [`stream_copy`] rely
/// on. `typeid` gives the type's identity
/// without the `'static` bound that `TypeId::of` needs; these types have no
/// lifetimes, so an equal identity means the same type.
fn words<B>() -> Words {
    let id = typeid::of::<B>();
    if [
        TypeId::of::<f64>(),
        TypeId::of::<i64>(),
        TypeId::of::<u64>(),
    ]
    .contains(&id)
    {
        Words::Eight
    } else if id == TypeId::of::<crate::Scaled<f64>>() {
        Words::TwoEights
    } else if [
        TypeId::of::<f32>(),
        TypeId::of::<i32>(),
        TypeId::of::<u32>(),
    ]
    .contains(&id)
    {
        Words::Four
    } else {
        Words::None
    }
}

/// Types without lifetimes, whose identity ([`typeid`]) is the type: a
/// slice of an unknown type `B` with that identity is a slice of this one
/// ([`same_mut`], [`same_ref`]).
pub(crate) trait Concrete: 'static {}
impl Concrete for f64 {}
impl Concrete for i64 {}
impl Concrete for u64 {}
impl Concrete for crate::Scaled<f64> {}
impl Concrete for f32 {}
impl Concrete for crate::Scaled<f32> {}

/// `s` as a slice of `T`, if `B` is `T`: for the kernels that multiply
/// products of one type side by side
/// ([`times_row_f64`](crate::scaled::times_row_f64)).
pub(crate) fn same_mut<B, T: Concrete>(s: &mut [B]) -> Option<&mut [T]> {
    if typeid::of::<B>() != TypeId::of::<T>() {
        return None;
    }
    // SAFETY: `B` is `T`: the same identity, and `T` has no lifetimes
    // (`Concrete`), so no lifetime is changed either; the cast only renames
    // the type of the elements of a slice that stays borrowed mutably for as
    // long.
    Some(unsafe { core::slice::from_raw_parts_mut(s.as_mut_ptr().cast(), s.len()) })
}

/// [`same_mut`] of a shared slice.
pub(crate) fn same_ref<B, T: Concrete>(s: &[B]) -> Option<&[T]> {
    if typeid::of::<B>() != TypeId::of::<T>() {
        return None;
    }
    // SAFETY: as in `same_mut`, for a shared borrow.
    Some(unsafe { core::slice::from_raw_parts(s.as_ptr().cast(), s.len()) })
}

/// Whether [`stream_copy`] writes elements of `B` with streaming stores on
/// this target (x86-64, 4- and 8-byte primitives, and `Scaled<f64>`).
pub(crate) fn streams<B>() -> bool {
    cfg!(target_arch = "x86_64") && words::<B>() != Words::None
}

/// Copies `src` into `dst`, of the same length, with streaming stores where
/// [`streams`] says so (else `clone_from_slice`). The caller must call
/// [`stream_fence`] after its last `stream_copy` and before it returns.
///
/// The bytes are written 16 at a time (`movntdq`, on addresses aligned to
/// 16), with an element at a time (`movnti`) before the first aligned
/// address and after the last: eight bytes at a time ran at half the speed
/// of a plain copy (measured, 64 MiB: the stores waited on each other).
///
/// **Panics** if the lengths differ.
pub(crate) fn stream_copy<B: Clone>(src: &[B], dst: &mut [B]) {
    assert_eq!(src.len(), dst.len(), "stream_copy needs equal lengths");
    #[cfg(target_arch = "x86_64")]
    {
        let words = words::<B>();
        if words != Words::None {
            // The size of a word: a `Scaled<f64>` is written as two.
            let size = if words == Words::Four { 4 } else { 8 };
            let bytes = core::mem::size_of_val(src);
            let (from, to) = (src.as_ptr().cast::<u8>(), dst.as_mut_ptr().cast::<u8>());
            // Words before the first address aligned to 16, and the
            // 16-byte blocks after it.
            let head = ((to as usize).wrapping_neg() % 16 / size).min(bytes / size);
            let blocks = (bytes - head * size) / 16;
            let mut at = 0;
            while at < head * size {
                // SAFETY: `B` is one of the types of `words`, words of
                // `size` bytes (no drop, every bit pattern valid); `at` is a
                // multiple of `size` below `bytes`, the length in bytes of
                // both slices, so both pointers are in bounds and aligned to
                // `size`; `dst` is borrowed mutably, so nothing else reads or
                // writes it meanwhile.
                unsafe { store_element(from.add(at), to.add(at), size) };
                at += size;
            }
            for _ in 0..blocks {
                // SAFETY: `at + 16 <= bytes` (`blocks` counts the whole
                // blocks after `head`), and `to + at` is aligned to 16 (the
                // head ends at the first such address); the source is read
                // unaligned. As above for the types and the borrow.
                unsafe { store_block(from.add(at), to.add(at), size) };
                at += 16;
            }
            while at < bytes {
                // SAFETY: as for the head: the elements after the last block.
                unsafe { store_element(from.add(at), to.add(at), size) };
                at += size;
            }
            return;
        }
    }
    dst.clone_from_slice(src);
}

/// Writes the element of `size` bytes (4 or 8) at `from` to `to` with a
/// streaming store (a plain store under Miri).
///
/// # Safety
/// `from` must be valid for a read and `to` for a write of `size` bytes, both
/// aligned to `size`, which must be 4 or 8.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn store_element(from: *const u8, to: *mut u8, size: usize) {
    if size == 8 {
        // SAFETY: the caller's promise, for 8 bytes.
        let value = unsafe { from.cast::<i64>().read() };
        #[cfg(not(miri))]
        // SAFETY: the caller's promise; `movnti` needs SSE2, which x86-64
        // has.
        unsafe {
            core::arch::x86_64::_mm_stream_si64(to.cast::<i64>(), value);
        }
        #[cfg(miri)]
        // SAFETY: the caller's promise.
        unsafe {
            to.cast::<i64>().write(value);
        }
    } else {
        // SAFETY: the caller's promise, for 4 bytes.
        let value = unsafe { from.cast::<i32>().read() };
        #[cfg(not(miri))]
        // SAFETY: as above.
        unsafe {
            core::arch::x86_64::_mm_stream_si32(to.cast::<i32>(), value);
        }
        #[cfg(miri)]
        // SAFETY: the caller's promise.
        unsafe {
            to.cast::<i32>().write(value);
        }
    }
}

/// Writes the 16 bytes at `from`, elements of `size` bytes (4 or 8), to `to`
/// with a streaming store (plain stores under Miri).
///
/// The bytes are read an element at a time, not as one 16-byte load: the
/// kernels have usually just written them with stores of one element, and a
/// load that spans two stores cannot take its value from them; it waits for
/// both to reach the cache.
///
/// # Safety
/// `from` must be valid for a read of 16 bytes and aligned to `size`, `to`
/// valid for a write of 16 bytes and aligned to 16, and `size` 4 or 8.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn store_block(from: *const u8, to: *mut u8, size: usize) {
    #[cfg(not(miri))]
    // SAFETY: the caller's promise: four aligned reads of 4 bytes or two of
    // 8 within the 16 bytes at `from`, and the aligned store of 16 bytes at
    // `to`; `movntdq` and the packing need SSE2, which x86-64 has.
    unsafe {
        use core::arch::x86_64::{__m128i, _mm_set_epi32, _mm_set_epi64x, _mm_stream_si128};
        let value = if size == 8 {
            let words = from.cast::<i64>();
            _mm_set_epi64x(words.add(1).read(), words.read())
        } else {
            let words = from.cast::<i32>();
            _mm_set_epi32(
                words.add(3).read(),
                words.add(2).read(),
                words.add(1).read(),
                words.read(),
            )
        };
        _mm_stream_si128(to.cast::<__m128i>(), value);
    }
    #[cfg(miri)]
    {
        let _ = size;
        // SAFETY: the caller's promise; `[u8; 16]` needs no alignment.
        unsafe {
            to.cast::<[u8; 16]>().write(from.cast::<[u8; 16]>().read());
        }
    }
}

/// Steps of a lane in a tile of [`stream_tiles`]: a cache line of `f64`.
pub(crate) const TILE: usize = 8;

/// Lanes in a tile of [`stream_tiles`].
pub(crate) const LANES: usize = 4;

/// Scans a tile of [`TILE`] steps of [`LANES`] lanes of `f64` and streams
/// each lane's products out: for every lane `k`, `p = carry[k] *
/// factor(k, 0)`, then `p * factor(k, 1)`, and so on, left to right, each
/// product written to `out[k][at..]` in turn, and the last left in
/// `carry[k]`. Returns `false`, and writes nothing, unless `B` is `f64`,
/// `i64` or `u64` on x86-64 and every `out[k][at..at + TILE]` is in bounds
/// and aligned to 16 bytes: the caller then scans the tile itself. (The
/// integers: [`tile_words`].)
///
/// The factors of two steps of a lane are read side by side and regrouped
/// two lanes to a register, so that the four lanes take two multiplications
/// a step; the products are regrouped lane by lane in registers and
/// streamed from there. Scanned in scalar registers, the tiles go through
/// the stack, and whether the compiler then keeps them in vector registers
/// or reads them back as 16-byte blocks, each of which waits for the two
/// 8-byte stores before it to reach the cache, depends on the program it
/// compiles: the same source ran at 0.95x a copy in one program and 1.6x in
/// another (4 lanes of 2,097,152; 6.5 ms in both with this function).
///
/// Each lane's line is streamed whole, its four stores back to back, before
/// the next lane's. Written step by step across the lanes, four lines were
/// open in the processor's write-combining buffers at a time, and when the
/// memory system was busy with other work on the machine those were written
/// out half full, each at the cost of a whole line: measured on a 2-core AMD
/// EPYC (Zen 3), 64 MiB in contiguous lanes of 1,024 to 2,097,152 `f64`,
/// time / a copy in one run, 1.5x-1.9x (the NaN-skipping scan 5.0x-5.4x) ->
/// 0.6x-0.9x (0.8x-1.1x).
#[inline(always)]
pub(crate) fn stream_tiles<B: Clone + Mul<Output = B>>(
    carry: &mut [B; LANES],
    factor: impl Fn(usize, usize) -> B,
    out: &mut [&mut [B]; LANES],
    at: usize,
) -> bool {
    stream_tiles_to::<B, false>(carry, factor, out, at)
}

/// [`stream_tiles`] of a reverse scan: the tile written from its end, the
/// product of step `s` of lane `k` to `out[k][at + TILE - 1 - s]` (the
/// caller passes `factor(k, s)` of that element). The pairs are the same
/// registers as the forward scan's, their halves taken in the other order
/// and stored from the end of the line.
#[inline(always)]
pub(crate) fn stream_tiles_rev<B: Clone + Mul<Output = B>>(
    carry: &mut [B; LANES],
    factor: impl Fn(usize, usize) -> B,
    out: &mut [&mut [B]; LANES],
    at: usize,
) -> bool {
    stream_tiles_to::<B, true>(carry, factor, out, at)
}

/// [`stream_tiles`] (`MIRROR` false) and [`stream_tiles_rev`] (true).
#[inline(always)]
fn stream_tiles_to<B: Clone + Mul<Output = B>, const MIRROR: bool>(
    carry: &mut [B; LANES],
    factor: impl Fn(usize, usize) -> B,
    out: &mut [&mut [B]; LANES],
    at: usize,
) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        if let Some(to) = int_tile_targets(out, at) {
            // SAFETY: `to` holds `TILE` elements of each distinct lane of
            // `out`, aligned to 16 bytes, of a 64-bit integer type.
            unsafe { tile_words::<B, MIRROR>(carry, factor, to) };
            return true;
        }
        let Some(to) = tile_targets(out, at) else {
            return false;
        };
        let factor = |k: usize, s: usize| {
            let v = core::mem::ManuallyDrop::new(factor(k, s));
            // SAFETY: `B` is `f64`, checked by `tile_targets`: the copy
            // reads the eight bytes of an `f64` as one.
            unsafe { core::mem::transmute_copy::<B, f64>(&v) }
        };
        let carry = (carry as *mut [B; LANES]).cast::<[f64; LANES]>();
        // SAFETY: `B` is `f64` (same identity; `f64` has no lifetimes), so
        // the cast only renames the type of `carry`, which stays valid,
        // aligned and exclusive for this call; every `to[k]` points to
        // `TILE` elements of a distinct lane that `out` borrows mutably,
        // aligned to 16 bytes, and `tile_f64` writes exactly those
        // elements.
        unsafe { tile_f64::<MIRROR>(&mut *carry, factor, to) };
        true
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (carry, factor, out, at);
        false
    }
}

/// The flags of a tile of [`stream_tiles_flagged`]: [`TILE`] steps of each
/// of the [`LANES`] lanes. Read by the x86-64 kernel only.
#[derive(Clone, Copy)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(crate) struct TileFlags<'a> {
    /// Where false, the step's factor is `one` (a masked scan).
    pub(crate) mask: Option<[&'a [bool; TILE]; LANES]>,
    /// Where true, the lane's product starts anew at the step: `one` times
    /// the step's factor (a segmented scan).
    pub(crate) starts: Option<[&'a [bool; TILE]; LANES]>,
}

/// [`stream_tiles`] of a masked or segmented scan: where `flags.mask` is
/// false the factor is `one`, and where `flags.starts` is true the product
/// is `one * factor` instead of `carry * factor`. Returns `false`, and
/// writes nothing, as [`stream_tiles`] does.
///
/// The flags are selects on whole registers (the bytes of a lane's flags
/// widened to lanes of 64 bits, then `and`, `andnot` and `or`), with no
/// branch: a mask without a pattern would mispredict one (measured, the
/// select as a branch in the factors of this kernel: 24-30 ms against
/// 14-17 ms for the plain kernels, 64 MiB f64 with one element in seven
/// masked out at random). Segments take it; a mask alone along contiguous
/// lanes does not: 1.6x-1.9x the plain scan here, 1.3x-1.5x with the
/// factors selected a run at a time by the kernels of `contiguous` (same
/// runs, lanes of 1,024 to 2,097,152). A tile in which no lane restarts
/// takes [`tile_f64`]: the flags are read as one word per lane.
#[inline(always)]
pub(crate) fn stream_tiles_flagged<B>(
    carry: &mut [B; LANES],
    factor: impl Fn(usize, usize) -> B,
    one: B,
    flags: TileFlags<'_>,
    out: &mut [&mut [B]; LANES],
    at: usize,
) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        let Some(to) = tile_targets(out, at) else {
            return false;
        };
        let as_f64 = |v: B| {
            let v = core::mem::ManuallyDrop::new(v);
            // SAFETY: `B` is `f64`, checked by `tile_targets`: the copy
            // reads the eight bytes of an `f64` as one.
            unsafe { core::mem::transmute_copy::<B, f64>(&v) }
        };
        let factor = |k: usize, s: usize| as_f64(factor(k, s));
        let one = as_f64(one);
        let carry = (carry as *mut [B; LANES]).cast::<[f64; LANES]>();
        // SAFETY: as in `stream_tiles`: `B` is `f64`, so the cast only
        // renames the type of `carry`; `to` holds `TILE` aligned elements
        // of each distinct lane of `out`, which `tile_f64_flagged` writes.
        // Each arm passes the flags it matched, so that each compiles
        // without the selects it does not need.
        // A tile in which no lane restarts (most, when segments are long)
        // takes the kernel without the selects of the starts.
        let starts = flags
            .starts
            .filter(|s| s.iter().fold(0, |any, s| any | flag_bytes(s)) != 0);
        unsafe {
            let carry = &mut *carry;
            match (flags.mask, starts) {
                (None, None) => tile_f64::<false>(carry, factor, to),
                (Some(m), None) => tile_f64_flagged(carry, factor, one, Some(m), None, to),
                (None, Some(s)) => tile_f64_flagged(carry, factor, one, None, Some(s), to),
                (Some(m), Some(s)) => tile_f64_flagged(carry, factor, one, Some(m), Some(s), to),
            }
        }
        true
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (carry, factor, one, flags, out, at);
        false
    }
}

/// Whether [`stream_flagged_tiles`] scans the flagged tiles of `B`: `f64`,
/// on an x86-64 processor with AVX2 (asked at run time; without `std` and
/// under Miri, where the build enables it), where the flagged tiles
/// otherwise take [`stream_tiles_flagged`].
#[inline]
pub(crate) fn flagged_tiles<B>() -> bool {
    typeid::of::<B>() == TypeId::of::<f64>() && has_avx2()
}

/// Whether the processor has AVX2, asked once at run time (the standard
/// library keeps the answer); without `std`, and under Miri, whether the
/// build enables it (`-C target-feature=+avx2`).
#[inline]
fn has_avx2() -> bool {
    #[cfg(all(test, feature = "std"))]
    if WITHOUT_AVX2.with(core::cell::Cell::get) {
        return false;
    }
    #[cfg(all(target_arch = "x86_64", feature = "std", not(miri)))]
    {
        std::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(all(target_arch = "x86_64", feature = "std", not(miri))))]
    {
        cfg!(all(target_arch = "x86_64", target_feature = "avx2"))
    }
}

#[cfg(all(test, feature = "std"))]
std::thread_local! {
    /// Set by [`without_avx2`]: [`has_avx2`] says no on this thread.
    static WITHOUT_AVX2: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
}

/// Runs `f` as on a processor without AVX2, on this thread: the tests run
/// the kernels that the AVX2 ones stand in for as well, whatever the
/// processor.
#[cfg(all(test, feature = "std"))]
pub(crate) fn without_avx2<R>(f: impl FnOnce() -> R) -> R {
    WITHOUT_AVX2.with(|w| w.set(true));
    let result = f();
    WITHOUT_AVX2.with(|w| w.set(false));
    result
}

/// The flags of the [`LANES`] lanes of [`stream_flagged_tiles`], each lane's
/// as long as its input: a mask, segment starts, or both.
pub(crate) type LaneFlags<'a> = (Option<[&'a [bool]; LANES]>, Option<[&'a [bool]; LANES]>);

/// [`stream_tiles_flagged`] of `f64`, for every whole tile of the [`LANES`]
/// lanes from step `at` up to step `end`: where `mask[k][s]` is false, the
/// factor of step `s` of lane `k` is `one` instead of `x[k][s]`, and where
/// `starts[k][s]` is true, the lane's product starts anew there (`one`
/// times the factor). Returns the step after the last tile it scanned, `at`
/// if it scanned none: it scans only where [`flagged_tiles`] says so, with
/// flags of at least one kind, every lane's input, flags and output at
/// least `end` long, and every lane's tile at `at` aligned to 16 bytes (the
/// caller then scans the tiles itself).
///
/// The flags are applied with AVX2: a lane's eight flag bytes widened to 64
/// bits and compared with zero, four steps to a register, the factors
/// selected four steps at a time and the restarts as blends of the running
/// products with `one`. With SSE2 alone ([`stream_tiles_flagged`]) the
/// flags of a tile took sixteen shifts and shuffles and every select three
/// instructions, and the scans of contiguous lanes were bound by their
/// instructions rather than by memory. Counted (valgrind), 8 Mi `f64` in
/// lanes of 1,024: the plain scan 40 million instructions; a mask 78
/// million with SSE2, 41 million here; a start at every element 82
/// million, 62 million here. A tile in which no lane restarts is multiplied
/// without the blends of the restarts.
#[inline]
pub(crate) fn stream_flagged_tiles<A, B>(
    carry: &mut [B; LANES],
    x: [&[A]; LANES],
    (mask, starts): LaneFlags<'_>,
    one: B,
    out: &mut [&mut [B]; LANES],
    at: usize,
    end: usize,
) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        let short = |flags: Option<[&[bool]; LANES]>| {
            flags.is_some_and(|f| f.iter().any(|f| f.len() < end))
        };
        if typeid::of::<A>() != TypeId::of::<f64>()
            || !flagged_tiles::<B>()
            || at >= end
            || (mask.is_none() && starts.is_none())
            || x.iter().any(|x| x.len() < end)
            || short(mask)
            || short(starts)
        {
            return at;
        }
        // From the whole run of each lane, so that each pointer may write
        // every tile (from the first tile alone, not the next).
        let Some(to) = aligned_runs(out, at..end) else {
            return at;
        };
        let to = to.map(|to| to.cast::<f64>());
        let tiles = (end - at) / TILE;
        let one = core::mem::ManuallyDrop::new(one);
        // SAFETY: `B` is `f64` (`flagged_tiles`), so the copy reads the
        // eight bytes of an `f64`, and the cast of `carry` only renames its
        // type.
        let one = unsafe { core::mem::transmute_copy::<B, f64>(&one) };
        let carry = (carry as *mut [B; LANES]).cast::<[f64; LANES]>();
        let x = x.map(|x| x[at..].as_ptr().cast::<f64>());
        let none = [core::ptr::null::<bool>(); LANES];
        let flags = |f: Option<[&[bool]; LANES]>| f.map_or(none, |f| f.map(|f| f[at..].as_ptr()));
        let (m, st) = (flags(mask), flags(starts));
        // SAFETY: the processor has AVX2 (`flagged_tiles`); `A` and `B` are
        // `f64`; every lane's input and flags of each kind passed hold
        // `tiles * TILE` elements from `at` (each is at least `end` long),
        // and `to[k]` points to the `end - at >= tiles * TILE` elements from
        // `at` of a distinct lane that `out` borrows mutably, aligned to 16
        // bytes, and so is every tile after the first (a tile is 64 bytes);
        // `carry` is valid and exclusive for this call. Each arm reads the
        // flags it names only.
        unsafe {
            let carry = &mut *carry;
            match (mask.is_some(), starts.is_some()) {
                (true, false) => {
                    avx2::flagged_tiles::<true, false>(carry, x, m, st, one, to, tiles)
                }
                (false, true) => {
                    avx2::flagged_tiles::<false, true>(carry, x, m, st, one, to, tiles)
                }
                _ => avx2::flagged_tiles::<true, true>(carry, x, m, st, one, to, tiles),
            }
        }
        at + tiles * TILE
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (carry, x, mask, starts, one, out, end);
        at
    }
}

/// Input columns that [`stream_transpose`] reads side by side: each output
/// row is written 256 bytes at a time, four lines, with streaming stores.
/// Measured (64 MiB `f64`, 1024 x 8192 and 8192 x 1024 F, the transposition
/// alone against a copy): 8 columns 1.9x-2.2x, 16 columns 1.5x-1.7x, 32
/// columns 1.2x-1.4x.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(crate) const TRANSPOSE_COLUMNS: usize = 32;

/// Writes the transposition of `nx x ny` elements of 8 bytes: `out[x * dx +
/// y]` is `src[y * sy + x]` for every `x < nx` and `y < ny`, the elements as
/// they are (`A` is `B`, and `conv`, which converts the elements left over
/// at the edges, must be the identity). The input is read a whole column at a time
/// ([`TRANSPOSE_COLUMNS`] columns side by side, each a run the processor
/// foresees), four elements of each to an AVX2 register, and transposed in
/// registers, four by four; the output rows are written with streaming
/// stores where they are aligned to 16 bytes (else plain stores). The caller
/// calls [`stream_fence`] after its last call, before it reads `out`.
///
/// Returns `false`, writing nothing, unless `A` and `B` are the same 8-byte
/// primitive (`f64`, `i64`, `u64`), the processor has AVX2 (asked at run
/// time, as for [`flagged_tiles`]), and the two index ranges lie within
/// `src` and `out`; the caller then transposes in its own way.
pub(crate) fn stream_transpose<A, B>(
    src: &[A],
    sy: usize,
    out: &mut [B],
    dx: usize,
    (nx, ny): (usize, usize),
    conv: &impl Fn(&A) -> B,
) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        // The last element read and written, each within its slice.
        let within = |len: usize, stride: usize, n: usize, m: usize| {
            n == 0
                || m == 0
                || (stride.checked_mul(m - 1))
                    .and_then(|last| last.checked_add(n))
                    .is_some_and(|end| end <= len)
        };
        if typeid::of::<A>() != typeid::of::<B>()
            || words::<B>() != Words::Eight
            || !has_avx2()
            || !within(src.len(), sy, nx, ny)
            || !within(out.len(), dx, ny, nx)
        {
            return false;
        }
        let (rows, columns) = (nx / 4 * 4, ny / TRANSPOSE_COLUMNS * TRANSPOSE_COLUMNS);
        // Every output row starts on 16 bytes if the first does and the
        // rows are an even number of elements apart.
        let stream = out.as_ptr() as usize % 16 == 0 && dx % 2 == 0;
        // SAFETY: `A` and `B` are the same 8-byte primitive (`words`), so
        // both slices are of `f64`-sized plain words, every bit pattern of
        // which the `f64` registers carry unchanged (moves and shuffles,
        // no arithmetic). The processor has AVX2. Every input element read,
        // `y * sy + x` for `x < rows <= nx` and `y < columns <= ny`, lies
        // in `src`, and every output element written, `x * dx + y`, in
        // `out`, which is borrowed mutably (`within` above); with `stream`,
        // every output row starts on 16 bytes, and the writes of a row are
        // whole pairs from its start (a multiple of 4 elements).
        unsafe {
            avx2::transpose(
                src.as_ptr().cast::<f64>(),
                sy,
                out.as_mut_ptr().cast::<f64>(),
                dx,
                (rows, columns),
                stream,
            );
        }
        // The rows and columns that do not fill a register or a run of
        // columns, element by element.
        for x in 0..nx {
            let from = if x < rows { columns } else { 0 };
            for y in from..ny {
                out[x * dx + y] = conv(&src[y * sy + x]);
            }
        }
        true
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (src, sy, out, dx, nx, ny, conv);
        false
    }
}

/// The kernels compiled for AVX2, chosen at run time ([`has_avx2`]).
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{flag_bytes, store_pair, ALL_FLAGS, LANES, TILE, TRANSPOSE_COLUMNS};
    use core::arch::x86_64::{
        __m256d, _mm256_and_si256, _mm256_blendv_pd, _mm256_castpd128_pd256,
        _mm256_castpd256_pd128, _mm256_castsi256_pd, _mm256_cmpeq_epi64, _mm256_cvtepu8_epi64,
        _mm256_extractf128_pd, _mm256_insertf128_pd, _mm256_loadu_pd, _mm256_loadu_si256,
        _mm256_mul_pd, _mm256_permute2f128_pd, _mm256_set1_epi64x, _mm256_set1_pd,
        _mm256_setzero_pd, _mm256_setzero_si256, _mm256_storeu_pd, _mm256_unpackhi_pd,
        _mm256_unpacklo_pd, _mm_cvtsd_f64, _mm_cvtsi64_si128, _mm_loadu_pd, _mm_srli_si128,
        _mm_unpackhi_pd,
    };

    /// The [`TILE`] flags at `flags` as selects of steps 0 to 3 and 4 to 7,
    /// each step's 64 bits all ones where its flag is false (0).
    ///
    /// # Safety
    /// The processor must have AVX2; `flags` must be valid for a read of
    /// [`TILE`] `bool`s.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn unset(flags: *const bool) -> [__m256d; 2] {
        // SAFETY: the caller's promise; a `[bool; TILE]` is `TILE`
        // initialised bytes, and AVX2 is all the intrinsics need.
        unsafe {
            let word = flag_bytes(&*flags.cast::<[bool; TILE]>());
            let bytes = _mm_cvtsi64_si128(word as i64);
            let zero = _mm256_setzero_si256();
            let widen = |v| _mm256_castsi256_pd(_mm256_cmpeq_epi64(_mm256_cvtepu8_epi64(v), zero));
            [widen(bytes), widen(_mm_srli_si128::<4>(bytes))]
        }
    }

    /// [`stream_flagged_tiles`](super::stream_flagged_tiles) of `tiles`
    /// whole tiles with a mask (`MASK`) and segment starts (`STARTS`): for
    /// step `s` of lane `k` of tile `t` (element `i = t * TILE + s`), the
    /// factor `x[k][i]` where `mask[k][i]` (else `one`), multiplied into
    /// `carry[k]` (`one` where `starts[k][i]`) and streamed to `out[k][i]`.
    ///
    /// Each tile is scanned across the lanes ([`across_tile`]): the four
    /// lanes' steps transposed into registers of a step each, so that one
    /// multiplication, and one blend where a segment starts, takes a step of
    /// all four lanes, from the start flags read as words. With two lanes to
    /// an SSE2 register and the flags widened to a register per step of a
    /// lane, 64 MiB of `f64` in lanes of 4,096 and 8,192 (a start at every
    /// fourth or eighth element) took 1.07x-1.36x a copy, so 0.79x-0.93x.
    /// A tile where every step of every lane starts a segment is its factors
    /// times `one`, no product waiting for the one before (lanes of 64 and
    /// 1,024, a segment at every element: 0.78x-0.90x the time of the
    /// blends).
    ///
    /// # Safety
    /// The processor must have AVX2; `x[k]`, and `mask[k]` if `MASK` and
    /// `starts[k]` if `STARTS`, must be valid for reads of `tiles * TILE`
    /// elements, and `out[k]` for writes of as many, aligned to 16 bytes,
    /// not aliasing each other, `carry`, or the inputs.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn flagged_tiles<const MASK: bool, const STARTS: bool>(
        carry: &mut [f64; LANES],
        x: [*const f64; LANES],
        mask: [*const bool; LANES],
        starts: [*const bool; LANES],
        one: f64,
        out: [*mut f64; LANES],
        tiles: usize,
    ) {
        let ones = _mm256_set1_pd(one);
        for t in 0..tiles {
            let at = t * TILE;
            // Steps 0 to 3 and 4 to 7 of each lane, and its eight start
            // flags as the bytes of a word.
            let mut v = [[_mm256_setzero_pd(); 2]; LANES];
            let mut words = [0u64; LANES];
            for k in 0..LANES {
                // SAFETY: the caller's promise: the tile's `TILE` inputs and
                // flags at `at` are in bounds (`at + TILE <= tiles *
                // TILE`); AVX2 is all the intrinsics need.
                unsafe {
                    let from = x[k].add(at);
                    v[k] = [_mm256_loadu_pd(from), _mm256_loadu_pd(from.add(4))];
                    if MASK {
                        let unkept = unset(mask[k].add(at));
                        // `one` where the mask is false.
                        v[k] = [
                            _mm256_blendv_pd(v[k][0], ones, unkept[0]),
                            _mm256_blendv_pd(v[k][1], ones, unkept[1]),
                        ];
                    }
                    if STARTS {
                        words[k] = flag_bytes(&*starts[k].add(at).cast::<[bool; TILE]>());
                    }
                }
            }
            let every = words.iter().fold(ALL_FLAGS, |all, &w| all & w);
            let any = words.iter().fold(0, |any, &w| any | w);
            // SAFETY: the caller's promise: the tile of each lane at `at`
            // is in bounds, aligned to 16 (the lanes are, and `at` is a
            // multiple of `TILE`), and not aliased.
            unsafe {
                let to = out.map(|o| o.add(at));
                if STARTS && every == ALL_FLAGS {
                    // Every step restarts: the factors times `one`.
                    for lane in v.iter_mut() {
                        for half in lane.iter_mut() {
                            *half = _mm256_mul_pd(ones, *half);
                        }
                    }
                    stream_rows(carry, &v, to);
                } else if STARTS && any != 0 {
                    across_tile::<true>(carry, &v, &words, one, to);
                } else {
                    across_tile::<false>(carry, &v, &words, one, to);
                }
            }
        }
    }

    /// Streams the products `done[k]` (steps 0 to 3, then 4 to 7) of each
    /// lane to `out[k]`, the lane's line whole before the next lane's, and
    /// leaves each lane's last in `carry`.
    ///
    /// # Safety
    /// The processor must have AVX2; as `tile_f64` for `out`.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn stream_rows(
        carry: &mut [f64; LANES],
        done: &[[__m256d; 2]; LANES],
        out: [*mut f64; LANES],
    ) {
        // SAFETY: the caller's promise for `out`; AVX2 for the intrinsics.
        unsafe {
            for (to, lane) in out.iter().zip(done) {
                for (h, half) in lane.iter().enumerate() {
                    store_pair(to.add(4 * h), _mm256_castpd256_pd128(*half));
                    store_pair(to.add(4 * h + 2), _mm256_extractf128_pd::<1>(*half));
                }
            }
            for (c, lane) in carry.iter_mut().zip(done) {
                let high = _mm256_extractf128_pd::<1>(lane[1]);
                *c = _mm_cvtsd_f64(_mm_unpackhi_pd(high, high));
            }
        }
    }

    /// The four `f64` of each of `rows` as columns: `[a, b, c, d]` of
    /// `a = [a0, a1, a2, a3]`... gives `[a0, b0, c0, d0]`, `[a1, ...]`...
    ///
    /// # Safety
    /// The processor must have AVX2 (a function with a target feature is
    /// `unsafe` before Rust 1.86).
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn transpose4(rows: [__m256d; 4]) -> [__m256d; 4] {
        let [a, b, c, d] = rows;
        // SAFETY: the caller's promise: AVX2 is all these need. (Calls that
        // the enabled feature makes safe on newer compilers; the MSRV needs
        // the block.)
        #[allow(unused_unsafe)]
        unsafe {
            let (t0, t1) = (_mm256_unpacklo_pd(a, b), _mm256_unpackhi_pd(a, b));
            let (t2, t3) = (_mm256_unpacklo_pd(c, d), _mm256_unpackhi_pd(c, d));
            [
                _mm256_permute2f128_pd::<0x20>(t0, t2),
                _mm256_permute2f128_pd::<0x20>(t1, t3),
                _mm256_permute2f128_pd::<0x31>(t0, t2),
                _mm256_permute2f128_pd::<0x31>(t1, t3),
            ]
        }
    }

    /// The tile of [`flagged_tiles`] scanned across the lanes: the four
    /// lanes' products of a step in one register, transposed from and to
    /// the lanes' rows; `RESTARTS`: each running product replaced by `one`
    /// before a step whose flag in `words` (a lane's eight, one byte each)
    /// is set.
    ///
    /// # Safety
    /// The processor must have AVX2; as `tile_f64` for `out`.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn across_tile<const RESTARTS: bool>(
        carry: &mut [f64; LANES],
        v: &[[__m256d; 2]; LANES],
        words: &[u64; LANES],
        one: f64,
        out: [*mut f64; LANES],
    ) {
        // SAFETY: AVX2 (the caller's promise) for the intrinsics; the load
        // of `carry` reads its four `f64`, and `stream_rows` writes within
        // the caller's promise.
        unsafe {
            let ones = _mm256_set1_pd(one);
            let flags = _mm256_loadu_si256(words.as_ptr().cast());
            let zero = _mm256_setzero_si256();
            let mut p = _mm256_loadu_pd(carry.as_ptr());
            let mut done = [[_mm256_setzero_pd(); 2]; LANES];
            for h in 0..2 {
                let steps = transpose4([v[0][h], v[1][h], v[2][h], v[3][h]]);
                let mut products = [_mm256_setzero_pd(); 4];
                for (j, (step, product)) in steps.iter().zip(products.iter_mut()).enumerate() {
                    if RESTARTS {
                        let bit = _mm256_set1_epi64x(1 << (8 * (4 * h + j)));
                        let keep = _mm256_castsi256_pd(_mm256_cmpeq_epi64(
                            _mm256_and_si256(flags, bit),
                            zero,
                        ));
                        p = _mm256_blendv_pd(ones, p, keep);
                    }
                    p = _mm256_mul_pd(p, *step);
                    *product = p;
                }
                let rows = transpose4(products);
                for (lane, row) in done.iter_mut().zip(rows) {
                    lane[h] = row;
                }
            }
            // The last products, `p`, are left in `carry` from `done`.
            stream_rows(carry, &done, out);
        }
    }

    /// [`stream_transpose`](super::stream_transpose) of the first `rows`
    /// (a multiple of 4) elements of the first `columns` (a multiple of
    /// [`TRANSPOSE_COLUMNS`]) columns: `out[x * dx + y] = src[y * sy + x]`.
    ///
    /// Four rows at a time, for each run of [`TRANSPOSE_COLUMNS`] columns:
    /// two elements of each of four columns loaded into the halves of a
    /// register (columns 0 and 2, 1 and 3), so that one unpack of the low
    /// and one of the high elements of two registers gives an output row of
    /// four, with no shuffle across the halves.
    ///
    /// # Safety
    /// The processor must have AVX2; `src` must be valid for reads of every
    /// `y * sy + x` and `out` for writes of every `x * dx + y` with `x <
    /// rows` and `y < columns`, not aliasing `src`; with `stream`, every
    /// `out + x * dx` aligned to 16 bytes.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn transpose(
        src: *const f64,
        sy: usize,
        out: *mut f64,
        dx: usize,
        (rows, columns): (usize, usize),
        stream: bool,
    ) {
        for y0 in (0..columns).step_by(TRANSPOSE_COLUMNS) {
            for x in (0..rows).step_by(4) {
                // Row `x + i` of the run, four columns to a register.
                let mut block = [[_mm256_setzero_pd(); 4]; TRANSPOSE_COLUMNS / 4];
                for (g, group) in block.iter_mut().enumerate() {
                    let y = y0 + 4 * g;
                    // SAFETY: the caller's promise: `x + 3 < rows` and `y +
                    // 3 < columns`, so the four elements of each of the
                    // four columns are in bounds; AVX2 is all the
                    // intrinsics need.
                    unsafe {
                        // Elements `x` and `x + 1` of columns 0 and 2
                        // (`even`) and 1 and 3 (`odd`); `even2` and `odd2`
                        // those of `x + 2` and `x + 3`.
                        let column = |k: usize| src.add((y + k) * sy + x);
                        let (even, odd) = (pair(column(0), column(2)), pair(column(1), column(3)));
                        let (even2, odd2) = (
                            pair(column(0).add(2), column(2).add(2)),
                            pair(column(1).add(2), column(3).add(2)),
                        );
                        *group = [
                            _mm256_unpacklo_pd(even, odd),
                            _mm256_unpackhi_pd(even, odd),
                            _mm256_unpacklo_pd(even2, odd2),
                            _mm256_unpackhi_pd(even2, odd2),
                        ];
                    }
                }
                // Each row's run written whole before the next: four lines
                // at a time, which the streaming stores combine.
                for i in 0..4 {
                    for (g, group) in block.iter().enumerate() {
                        // SAFETY: the caller's promise: `x + i < rows` and
                        // the run's columns `y0 + 4 * g + 3 < columns`.
                        unsafe { put(out.add((x + i) * dx + y0 + 4 * g), group[i], stream) };
                    }
                }
            }
        }
    }

    /// The two elements at `low` and the two at `high` in one register.
    ///
    /// # Safety
    /// The processor must have AVX2; `low` and `high` must be valid for
    /// reads of two `f64` each.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn pair(low: *const f64, high: *const f64) -> __m256d {
        // SAFETY: the caller's promise.
        unsafe {
            _mm256_insertf128_pd::<1>(
                _mm256_castpd128_pd256(_mm_loadu_pd(low)),
                _mm_loadu_pd(high),
            )
        }
    }

    /// Writes the four elements of `row` to `to`, with streaming stores if
    /// `stream` (plain stores under Miri).
    ///
    /// # Safety
    /// The processor must have AVX2; `to` must be valid for writes of four
    /// `f64`, and with `stream` aligned to 16 bytes.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn put(to: *mut f64, row: __m256d, stream: bool) {
        // SAFETY: the caller's promise.
        unsafe {
            #[cfg(not(miri))]
            if stream {
                use core::arch::x86_64::_mm_stream_pd;
                _mm_stream_pd(to, _mm256_castpd256_pd128(row));
                _mm_stream_pd(to.add(2), _mm256_extractf128_pd::<1>(row));
                return;
            }
            let _ = stream;
            _mm256_storeu_pd(to, row);
        }
    }
}

/// The tile at `at` of each lane of `out` for [`tile_f64`], if `B` is `f64`
/// and every tile is in bounds and aligned to 16 bytes.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn tile_targets<B>(out: &mut [&mut [B]; LANES], at: usize) -> Option<[*mut f64; LANES]> {
    if typeid::of::<B>() != TypeId::of::<f64>() {
        return None;
    }
    Some(aligned_tiles(out, at)?.map(|to| to.cast::<f64>()))
}

/// The tile at `at` of each lane of `out` for [`tile_words`], if `B` is
/// `i64` or `u64` and every tile is in bounds and aligned to 16 bytes.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn int_tile_targets<B>(out: &mut [&mut [B]; LANES], at: usize) -> Option<[*mut B; LANES]> {
    if !tiles_words::<B>() {
        return None;
    }
    aligned_tiles(out, at)
}

/// The tile at `at` of each lane of `out`, if every tile is in bounds and
/// aligned to 16 bytes.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn aligned_tiles<B>(out: &mut [&mut [B]; LANES], at: usize) -> Option<[*mut B; LANES]> {
    aligned_runs(out, at..at + TILE)
}

/// The elements `run` of each lane of `out`, if every lane holds them and
/// they start on 16 bytes: a pointer to each, derived from the whole run,
/// so that it may write every element of it.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn aligned_runs<B>(out: &mut [&mut [B]; LANES], run: Range<usize>) -> Option<[*mut B; LANES]> {
    let mut to = [core::ptr::null_mut::<B>(); LANES];
    for (to, lane) in to.iter_mut().zip(out.iter_mut()) {
        let run = lane.get_mut(run.clone())?;
        if run.as_ptr() as usize % 16 != 0 {
            return None;
        }
        *to = run.as_mut_ptr();
    }
    Some(to)
}

/// Whether [`stream_times`] of `len` products into `out` multiplies and
/// streams them: `B` is `f64` on x86-64, `out` has the even length `len` and
/// is aligned to 16 bytes.
#[inline(always)]
pub(crate) fn streams_times<B>(len: usize, out: &[B]) -> bool {
    cfg!(target_arch = "x86_64")
        && typeid::of::<B>() == TypeId::of::<f64>()
        && out.len() == len
        && len % 2 == 0
        && out.as_ptr() as usize % 16 == 0
}

/// Multiplies each running product `products[j]` by `factor(j)` (the next
/// row of a scan along a slow axis) and streams the new product to
/// `out[j]`, from the register that holds it. Returns `false`, and changes
/// nothing, unless `B` is `f64` on x86-64, both slices have the same even
/// length and `out` is aligned to 16 bytes: the caller then multiplies and
/// copies the row itself.
///
/// One pass, two products to a register: the products written to the band
/// and read back from it for the streaming stores ran at 0.9x a copy in one
/// program and 1.2x in another (rows of 1,024 f64).
#[inline(always)]
pub(crate) fn stream_times<B: Clone + Mul<Output = B>>(
    products: &mut [B],
    factor: impl Fn(usize) -> B,
    out: &mut [B],
) -> bool {
    stream_times_ints(products, &factor, out)
        || stream_times_keeping(products, factor, |_| None, out)
}

/// [`stream_times`] for `i64` and `u64`: each product by `Mul` in a
/// general-purpose register (a debug build still panics on overflow), two
/// at a time paired in an SSE2 register and streamed from there. Returns
/// `false`, and changes nothing, unless `B` is one of them on x86-64, both
/// slices have the same even length and `out` is aligned to 16 bytes.
///
/// Without AVX-512 (which [`stream_times_words`] needs), the products were
/// written to the band and copied out with streaming stores: rows of 1,024
/// i64, 64 MiB, 1.17x-1.55x a copy (rows of 8,192 1.22x); streamed from the
/// registers, 1.04x-1.10x (1.05x-1.12x).
#[inline(always)]
fn stream_times_ints<B: Clone + Mul<Output = B>>(
    products: &mut [B],
    factor: &impl Fn(usize) -> B,
    out: &mut [B],
) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{__m128i, _mm_set_epi64x};
        let len = products.len();
        if !tiles_words::<B>()
            || out.len() != len
            || len % 2 != 0
            || out.as_ptr() as usize % 16 != 0
        {
            return false;
        }
        let to = out.as_mut_ptr();
        for (j, pair) in products.chunks_exact_mut(2).enumerate() {
            let a = pair[0].clone() * factor(2 * j);
            let b = pair[1].clone() * factor(2 * j + 1);
            // SAFETY: `B` is `i64` or `u64`, so the copies read its eight
            // bytes as an `i64`; `2 * j + 1 < len`, the length of `out`,
            // which this function borrows mutably, and `to + 2 * j` is
            // aligned to 16 (`out` is, and the offset is even); SSE2 is all
            // these need.
            unsafe {
                let bits = |v: &B| core::mem::transmute_copy::<B, i64>(v);
                let v = _mm_set_epi64x(bits(&b), bits(&a));
                store_words(to.add(2 * j).cast::<__m128i>(), v);
            }
            pair[0] = a;
            pair[1] = b;
        }
        true
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (products, factor, out);
        false
    }
}

/// [`stream_times`], but where `kept(j)` is `Some(v)`, `out[j]` gets `v`
/// instead of the product (the product itself is still multiplied by
/// `factor(j)`): the elements that a grouped scan with pandas' NaN rule
/// leaves as they are. The value goes into the register that is streamed:
/// written after the streaming store, into the line it had just written, it
/// made each such row wait for the line to be read back (rows of 8 f64 with
/// 1% kept: 12.6 ms -> 37 ms).
#[inline(always)]
pub(crate) fn stream_times_keeping<B>(
    products: &mut [B],
    factor: impl Fn(usize) -> B,
    kept: impl Fn(usize) -> Option<B>,
    out: &mut [B],
) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        let len = products.len();
        if !streams_times::<B>(len, out) {
            return false;
        }
        let as_f64 = |v: B| {
            let v = core::mem::ManuallyDrop::new(v);
            // SAFETY: `B` is `f64`, checked above: the copy reads the eight
            // bytes of an `f64` as one.
            unsafe { core::mem::transmute_copy::<B, f64>(&v) }
        };
        let (p, o) = (
            products.as_mut_ptr().cast::<f64>(),
            out.as_mut_ptr().cast::<f64>(),
        );
        use core::arch::x86_64::{
            _mm_cvtsd_f64, _mm_loadu_pd, _mm_mul_pd, _mm_set_pd, _mm_storeu_pd, _mm_unpackhi_pd,
        };
        for j in (0..len).step_by(2) {
            // SAFETY: `B` is `f64`; `j + 1 < len`, the length of both
            // slices, which this function borrows (`products` mutably,
            // `out` mutably, so they do not overlap); `out + j` is aligned
            // to 16 (`out` is, and `j` is even); SSE2 is all these need.
            unsafe {
                let f = _mm_set_pd(as_f64(factor(j + 1)), as_f64(factor(j)));
                let r = _mm_mul_pd(_mm_loadu_pd(p.add(j)), f);
                _mm_storeu_pd(p.add(j), r);
                let w = match (kept(j), kept(j + 1)) {
                    (None, None) => r,
                    (lo, hi) => {
                        let lo = lo.map_or_else(|| _mm_cvtsd_f64(r), as_f64);
                        let hi = hi.map_or_else(|| _mm_cvtsd_f64(_mm_unpackhi_pd(r, r)), as_f64);
                        _mm_set_pd(hi, lo)
                    }
                };
                store_pair(o.add(j), w);
            }
        }
        true
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (products, factor, kept, out);
        false
    }
}

/// [`stream_times`] for running products of [`Scaled<f64>`](crate::Scaled)
/// multiplied by `f64` factors: `products[j] = products[j] *
/// Scaled::from(x[j])`, each new product also streamed to `out[j]`, two at a
/// time from the registers that multiply them. Returns `false`, and changes
/// nothing, unless `B` is `Scaled<f64>` on x86-64, the three slices have the
/// same length and `out` is aligned to 16 bytes.
///
/// Where both mantissas of a pair and both factors are in the range that
/// needs no renormalisation (almost always), the pair takes one
/// multiplication and two comparisons of each side, and the products are
/// those of [`Mul`], bit for bit (the factor's exponent is zero, the
/// product's is the running product's); else the pair is multiplied by
/// [`Mul`] itself. Rows of 1,024 (64 MiB of `f64` into 128 MiB): 17 ms
/// through the plain stores, 14 ms multiplied then streamed in chunks,
/// 10 ms here.
#[inline(always)]
pub(crate) fn stream_times_scaled<B>(products: &mut [B], x: &[f64], out: &mut [B]) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use crate::scaled::{regular_f64, Scaled};
        use core::arch::x86_64::{
            __m128d, _mm_and_pd, _mm_castsi128_pd, _mm_cmpge_pd, _mm_cmplt_pd, _mm_loadu_pd,
            _mm_move_sd, _mm_movemask_pd, _mm_mul_pd, _mm_set1_epi64x, _mm_set1_pd, _mm_storeu_pd,
            _mm_unpackhi_pd, _mm_unpacklo_pd,
        };
        let (Some(p), Some(o)) = (
            same_mut::<B, Scaled<f64>>(products),
            same_mut::<B, Scaled<f64>>(out),
        ) else {
            return false;
        };
        let len = p.len();
        if o.len() != len || x.len() != len || o.as_ptr() as usize % 16 != 0 {
            return false;
        }
        let (p, o, x) = (p.as_mut_ptr(), o.as_mut_ptr().cast::<f64>(), x.as_ptr());
        let (lo, hi) = regular_f64();
        // SAFETY: SSE2 is all these need.
        let (lo, hi, abs) = unsafe {
            (
                _mm_set1_pd(lo),
                _mm_set1_pd(hi),
                _mm_castsi128_pd(_mm_set1_epi64x(i64::MAX)),
            )
        };
        // Where both lanes of `v` are in the regular range: all ones.
        let regular = |v: __m128d| {
            // SAFETY: as above.
            unsafe {
                let a = _mm_and_pd(v, abs);
                _mm_and_pd(_mm_cmpge_pd(a, lo), _mm_cmplt_pd(a, hi))
            }
        };
        let mut j = 0;
        while j + 2 <= len {
            // SAFETY: `j + 1 < len`, the length of the three slices; `p`
            // and `out` are distinct mutable borrows, `x` a shared one, and
            // only these raw pointers are used until the function returns.
            // A `Scaled<f64>` is `repr(C)`, an `f64` then an `i64`: 16
            // bytes read and written as two `f64` lanes (the exponent's
            // bits are only moved, never computed on). `o + 2j` is aligned
            // to 16 (`out` is, and each element is 16 bytes). SSE2 is all
            // these need.
            unsafe {
                let ps = p.add(j).cast::<f64>();
                let (p0, p1) = (_mm_loadu_pd(ps), _mm_loadu_pd(ps.add(2)));
                let f = _mm_loadu_pd(x.add(j));
                let m = _mm_mul_pd(_mm_unpacklo_pd(p0, p1), f);
                let (n0, n1) = if _mm_movemask_pd(regular(m)) == 3 {
                    // [m0 * f0, e0] and [m1 * f1, e1].
                    let (n0, n1) = (_mm_move_sd(p0, m), _mm_unpackhi_pd(m, p1));
                    _mm_storeu_pd(ps, n0);
                    _mm_storeu_pd(ps.add(2), n1);
                    (n0, n1)
                } else {
                    for k in j..j + 2 {
                        *p.add(k) = *p.add(k) * Scaled::from(*x.add(k));
                    }
                    (_mm_loadu_pd(ps), _mm_loadu_pd(ps.add(2)))
                };
                store_pair(o.add(2 * j), n0);
                store_pair(o.add(2 * j + 2), n1);
            }
            j += 2;
        }
        if j < len {
            // SAFETY: as above, for the last element (`j < len`).
            unsafe {
                *p.add(j) = *p.add(j) * Scaled::from(*x.add(j));
                store_pair(o.add(2 * j), _mm_loadu_pd(p.add(j).cast::<f64>()));
            }
        }
        true
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (products, x, out);
        false
    }
}

/// The tile at `at` of each of the [`LANES`] lanes of `out`, of a scan of
/// `f64` factors into `Scaled<f64>` products (`B`), from the running
/// products `carry`, the factors of lane `k` being `x[k]`, as
/// [`stream_tiles`] does for `f64`, but with ordinary stores. Returns
/// `false`, and writes nothing, unless `B` is `Scaled<f64>` on x86-64 and
/// every lane holds the tile; the caller then scans the tile itself.
///
/// A `Scaled<f64>` is 16 bytes, so a line of the output holds four steps of
/// a lane: the tile is taken as two halves of four steps. Lanes 0 and 1 are
/// multiplied in one register and 2 and 3 in another, as in [`tile_f64`];
/// each product is paired with its lane's exponent (which a product in the
/// regular range keeps) and stored from the register, each lane's line
/// whole before the next lane's. Where every product of a half is in the
/// regular range (almost always; the least and the greatest magnitude of
/// each register are kept beside the products, and a NaN, which stays NaN
/// to the end of the half, reaches both), the products are those of [`Mul`]
/// by `Scaled::from`, as in [`stream_times_scaled`]; else the half is
/// multiplied again by [`Mul`] itself.
///
/// Ordinary stores, because the output is twice the input: streamed, 4
/// lanes of 2,097,152 took 22-25 ms here, stored 14-17 ms (8-10 ms for the
/// plain scan of `f64`). This machine writes memory at about the same rate
/// either way (64 MiB: 7 ms filled with streaming stores or ordinary ones),
/// and a copy with streaming stores gains only the reads of the lines.
#[inline(always)]
pub(crate) fn tiles_scaled<B>(
    carry: &mut [B; LANES],
    x: [&[f64; TILE]; LANES],
    out: &mut [&mut [B]; LANES],
    at: usize,
) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use crate::scaled::Scaled;
        let Some(carry) = same_mut::<B, Scaled<f64>>(carry) else {
            return false;
        };
        let carry: &mut [Scaled<f64>; LANES] = carry.try_into().expect("a product per lane");
        let mut to = [core::ptr::null_mut::<f64>(); LANES];
        for (to, lane) in to.iter_mut().zip(out.iter_mut()) {
            let Some(tile) = lane.get_mut(at..at + TILE) else {
                return false;
            };
            *to = tile.as_mut_ptr().cast();
        }
        // SAFETY: `B` is `Scaled<f64>` (checked above), so each `to[k]`
        // points to `TILE` elements of 16 bytes of lane `k` of `out`, in
        // bounds (checked above), which `tile_scaled` writes; the lanes are
        // distinct mutable borrows, and `carry` and `x` are other borrows.
        unsafe { tile_scaled(carry, x, to) };
        true
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (carry, x, out, at);
        false
    }
}

/// The tile of [`tiles_scaled`].
///
/// # Safety
/// Every `out[k]` must be valid for writes of [`TILE`] `Scaled<f64>` (2 *
/// [`TILE`] `f64`), and not alias `carry`, `x` or each other.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn tile_scaled(
    carry: &mut [crate::scaled::Scaled<f64>; LANES],
    x: [&[f64; TILE]; LANES],
    out: [*mut f64; LANES],
) {
    use crate::scaled::{regular_f64, Scaled};
    use core::arch::x86_64::{
        _mm_and_pd, _mm_castsi128_pd, _mm_cmpge_pd, _mm_cmplt_pd, _mm_loadu_pd, _mm_max_pd,
        _mm_min_pd, _mm_movemask_pd, _mm_mul_pd, _mm_set1_epi64x, _mm_set1_pd, _mm_setzero_pd,
        _mm_storeu_pd, _mm_unpackhi_pd, _mm_unpacklo_pd,
    };
    /// The steps of a lane in a line of its output.
    const HALF: usize = TILE / 2;
    let (lo, hi) = regular_f64();
    // SAFETY: SSE2, which x86-64 has, is all these need. A `Scaled<f64>` is
    // `repr(C)`, an `f64` then an `i64`: read and written as two `f64`
    // lanes (the exponent's bits are only moved, never computed on). The
    // loads of `x[k]` read steps `base + s` and `base + s + 1` (`s + 1 <
    // HALF`, `base + HALF <= TILE`), within the array; the stores write
    // `out[k][2 * (base + j)..][..2]` for `j < HALF`, within the caller's
    // promise.
    unsafe {
        let (lo, hi) = (_mm_set1_pd(lo), _mm_set1_pd(hi));
        let abs = _mm_castsi128_pd(_mm_set1_epi64x(i64::MAX));
        let store = |to: *mut f64, pair| _mm_storeu_pd(to, pair);
        for base in [0, HALF] {
            let c = carry
                .each_ref()
                .map(|c| _mm_loadu_pd((c as *const Scaled<f64>).cast()));
            // The mantissas of lanes 0 and 1 (low half first), of 2 and 3;
            // and their exponents, as the bits of an `f64`.
            let (mut low, mut high) = (_mm_unpacklo_pd(c[0], c[1]), _mm_unpacklo_pd(c[2], c[3]));
            let (e_low, e_high) = (_mm_unpackhi_pd(c[0], c[1]), _mm_unpackhi_pd(c[2], c[3]));
            let zero = _mm_setzero_pd();
            let mut lows = [zero; HALF];
            let mut highs = [zero; HALF];
            // The least and greatest magnitudes of each register: a NaN in
            // the last step, where it stays once it appears, is in both.
            let (mut min_low, mut max_low) = (_mm_set1_pd(f64::INFINITY), zero);
            let (mut min_high, mut max_high) = (min_low, zero);
            for s in (0..HALF).step_by(2) {
                let steps = |k: usize| _mm_loadu_pd(x[k][base + s..].as_ptr());
                let [a, b, c, d] = [steps(0), steps(1), steps(2), steps(3)];
                let low0 = _mm_mul_pd(low, _mm_unpacklo_pd(a, b));
                let high0 = _mm_mul_pd(high, _mm_unpacklo_pd(c, d));
                low = _mm_mul_pd(low0, _mm_unpackhi_pd(a, b));
                high = _mm_mul_pd(high0, _mm_unpackhi_pd(c, d));
                for v in [low0, low] {
                    let a = _mm_and_pd(v, abs);
                    (min_low, max_low) = (_mm_min_pd(min_low, a), _mm_max_pd(max_low, a));
                }
                for v in [high0, high] {
                    let a = _mm_and_pd(v, abs);
                    (min_high, max_high) = (_mm_min_pd(min_high, a), _mm_max_pd(max_high, a));
                }
                (lows[s], lows[s + 1]) = (low0, low);
                (highs[s], highs[s + 1]) = (high0, high);
            }
            let regular = |min, max| _mm_and_pd(_mm_cmpge_pd(min, lo), _mm_cmplt_pd(max, hi));
            let all = _mm_and_pd(regular(min_low, max_low), regular(min_high, max_high));
            if _mm_movemask_pd(all) == 3 {
                // Lane by lane: the low halves of lanes 0 and 2, the high
                // halves of 1 and 3, each with its exponent.
                let lanes = [
                    (lows, e_low),
                    (lows, e_low),
                    (highs, e_high),
                    (highs, e_high),
                ];
                for (k, (to, (steps, e))) in out.iter().zip(lanes).enumerate() {
                    for (j, m) in steps.into_iter().enumerate() {
                        let pair = if k % 2 == 0 {
                            _mm_unpacklo_pd(m, e)
                        } else {
                            _mm_unpackhi_pd(m, e)
                        };
                        store(to.add(2 * (base + j)), pair);
                    }
                }
                let ends = [
                    _mm_unpacklo_pd(low, e_low),
                    _mm_unpackhi_pd(low, e_low),
                    _mm_unpacklo_pd(high, e_high),
                    _mm_unpackhi_pd(high, e_high),
                ];
                for (c, end) in carry.iter_mut().zip(ends) {
                    _mm_storeu_pd((c as *mut Scaled<f64>).cast(), end);
                }
            } else {
                for ((c, x), to) in carry.iter_mut().zip(x).zip(out) {
                    for j in 0..HALF {
                        *c = *c * Scaled::from(x[base + j]);
                        let pair = _mm_loadu_pd((c as *const Scaled<f64>).cast());
                        store(to.add(2 * (base + j)), pair);
                    }
                }
            }
        }
    }
}

/// The 64-bit integers that AVX-512 multiplies eight to a register
/// (`vpmullq`), where baseline x86-64 multiplies them one at a time.
#[cfg(any(test, all(target_arch = "x86_64", avx512_kernels)))]
trait Int64: Concrete + Copy + Mul<Output = Self> {
    /// Products of a smaller magnitude, estimated in `f64`, cannot overflow:
    /// the estimate is within a few parts in 2^52 of the exact product.
    const SAFE: f64;

    fn wrapping(self, other: Self) -> Self;

    fn float(self) -> f64;
}

/// `impl Int64` for a 64-bit integer type, with its bound for products that
/// cannot overflow.
macro_rules! int64 {
    ($t:ty, $safe:expr) => {
        #[cfg(any(test, all(target_arch = "x86_64", avx512_kernels)))]
        impl Int64 for $t {
            const SAFE: f64 = $safe;

            #[inline(always)]
            fn wrapping(self, other: Self) -> Self {
                self.wrapping_mul(other)
            }

            #[inline(always)]
            fn float(self) -> f64 {
                self as f64
            }
        }
    };
}

int64!(i64, (1u64 << 62) as f64);
int64!(u64, (1u64 << 63) as f64);

/// Whether the processor has AVX-512 F and DQ, asked once at run time (the
/// standard library keeps the answer); never without `std` or under Miri.
#[cfg(any(test, all(target_arch = "x86_64", avx512_kernels)))]
#[inline]
fn has_avx512dq() -> bool {
    #[cfg(all(target_arch = "x86_64", avx512_kernels, feature = "std", not(miri)))]
    {
        std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512dq")
    }
    #[cfg(not(all(target_arch = "x86_64", avx512_kernels, feature = "std", not(miri))))]
    {
        false
    }
}

/// Elements whose products [`words_in_place`] and [`words_into`] check,
/// then multiply, at a time: loops over slices of one length, which
/// vectorise along the slice (chunks of eight were vectorised across the
/// chunks, with gathers, and ran at a quarter of the speed).
#[cfg(any(test, all(target_arch = "x86_64", avx512_kernels)))]
const WORDS: usize = 64;

/// Whether none of the products `a[j] * b[j]` can overflow: each product's
/// magnitude, estimated in `f64`, is below [`Int64::SAFE`]. Such products are
/// multiplied side by side, wrapping (which then changes nothing); the
/// others by [`Mul`], which panics on overflow where overflow checks are
/// on, as every other kernel does, so that the results and the panics are
/// those of [`Mul`].
#[cfg(any(test, all(target_arch = "x86_64", avx512_kernels)))]
#[inline(always)]
fn cannot_overflow<T: Int64>(a: &[T], b: &[T]) -> bool {
    let mut safe = true;
    for (a, b) in a.iter().zip(b) {
        let estimate = crate::scaled::magnitude(a.float() * b.float());
        safe &= estimate < T::SAFE;
    }
    safe
}

/// `row[j] = row[j] * x[j]`, [`WORDS`] at a time ([`cannot_overflow`]).
#[cfg(any(test, all(target_arch = "x86_64", avx512_kernels)))]
#[inline(always)]
fn words_in_place<T: Int64>(row: &mut [T], x: &[T]) {
    for (r, x) in row.chunks_mut(WORDS).zip(x.chunks(WORDS)) {
        let len = r.len().min(x.len());
        let (r, x) = (&mut r[..len], &x[..len]);
        if cannot_overflow(r, x) {
            for (r, x) in r.iter_mut().zip(x) {
                *r = r.wrapping(*x);
            }
        } else {
            for (r, x) in r.iter_mut().zip(x) {
                *r = *r * *x;
            }
        }
    }
}

/// `out[j] = a[j] * b[j]`, [`WORDS`] at a time ([`cannot_overflow`]).
#[cfg(any(test, all(target_arch = "x86_64", avx512_kernels)))]
#[inline(always)]
fn words_into<T: Int64>(out: &mut [T], a: &[T], b: &[T]) {
    for ((o, a), b) in out
        .chunks_mut(WORDS)
        .zip(a.chunks(WORDS))
        .zip(b.chunks(WORDS))
    {
        let len = o.len().min(a.len()).min(b.len());
        let (o, a, b) = (&mut o[..len], &a[..len], &b[..len]);
        if cannot_overflow(a, b) {
            for ((o, a), b) in o.iter_mut().zip(a).zip(b) {
                *o = a.wrapping(*b);
            }
        } else {
            for ((o, a), b) in o.iter_mut().zip(a).zip(b) {
                *o = *a * *b;
            }
        }
    }
}

/// [`words_in_place`] and [`words_into`] compiled for AVX-512 F and DQ, where
/// eight products are one `vpmullq` and their estimates two conversions and
/// a multiplication.
///
/// # Safety
/// The processor must have AVX-512 F and DQ ([`has_avx512dq`]).
///
/// Compiled with Rust 1.89 or later (`avx512_kernels`, from the build
/// script), which made these target features stable.
#[cfg(all(target_arch = "x86_64", avx512_kernels))]
// The AVX-512 intrinsics are stable from Rust 1.89, the only compilers that
// build this module.
#[allow(clippy::incompatible_msrv)]
mod avx512 {
    use super::{words_in_place, words_into, Int64};

    #[target_feature(enable = "avx512f,avx512dq")]
    pub(super) unsafe fn in_place<T: Int64>(row: &mut [T], x: &[T]) {
        words_in_place(row, x);
    }

    #[target_feature(enable = "avx512f,avx512dq")]
    pub(super) unsafe fn into<T: Int64>(out: &mut [T], a: &[T], b: &[T]) {
        words_into(out, a, b);
    }

    /// `products[j] = products[j] * x[j]`, eight at a time as
    /// [`words_in_place`] does, each group of new products also written to
    /// `out[j..j + 8]` with streaming stores, from the register that holds
    /// them (a group that could overflow is multiplied by `Mul`, then
    /// streamed from the products).
    ///
    /// # Safety
    /// The processor must have AVX-512 F and DQ; the three slices must have
    /// the same length, a multiple of 8, and `out` must be aligned to 16
    /// bytes.
    #[target_feature(enable = "avx512f,avx512dq")]
    pub(super) unsafe fn stream_times(products: &mut [i64], x: &[i64], out: &mut [i64]) {
        use core::arch::x86_64::{
            __m512i, _mm512_abs_pd, _mm512_cmp_pd_mask, _mm512_cvtepi64_pd,
            _mm512_extracti64x2_epi64, _mm512_loadu_si512, _mm512_mul_pd, _mm512_mullo_epi64,
            _mm512_set1_pd, _mm512_storeu_si512, _CMP_LT_OQ,
        };
        let len = products.len();
        debug_assert!(x.len() == len && out.len() == len && len % 8 == 0);
        debug_assert!(out.as_ptr() as usize % 16 == 0);
        let safe = _mm512_set1_pd(<i64 as Int64>::SAFE);
        let (p, x, o) = (products.as_mut_ptr(), x.as_ptr(), out.as_mut_ptr());
        for j in (0..len).step_by(8) {
            // SAFETY: `j + 8 <= len`, the length of the three slices, which
            // this function borrows (`products` and `out` mutably, so they
            // do not overlap `x` or each other); `o + j` is aligned to 16
            // (`out` is, and `j` is a multiple of 8); the caller promises
            // AVX-512 F and DQ, which these need.
            unsafe {
                let (pj, xj) = (p.add(j).cast::<__m512i>(), x.add(j).cast::<__m512i>());
                let (a, b) = (_mm512_loadu_si512(pj), _mm512_loadu_si512(xj));
                let estimate = _mm512_mul_pd(_mm512_cvtepi64_pd(a), _mm512_cvtepi64_pd(b));
                let r = if _mm512_cmp_pd_mask::<_CMP_LT_OQ>(_mm512_abs_pd(estimate), safe) == 0xff {
                    let r = _mm512_mullo_epi64(a, b);
                    _mm512_storeu_si512(pj, r);
                    r
                } else {
                    for k in j..j + 8 {
                        *p.add(k) = *p.add(k) * *x.add(k);
                    }
                    _mm512_loadu_si512(pj)
                };
                let to = o.add(j).cast::<core::arch::x86_64::__m128i>();
                super::store_quarter(to, _mm512_extracti64x2_epi64::<0>(r));
                super::store_quarter(to.add(1), _mm512_extracti64x2_epi64::<1>(r));
                super::store_quarter(to.add(2), _mm512_extracti64x2_epi64::<2>(r));
                super::store_quarter(to.add(3), _mm512_extracti64x2_epi64::<3>(r));
            }
        }
    }
}

/// Writes 16 bytes to `to` with a streaming store.
///
/// # Safety
/// `to` must be valid for a write of 16 bytes and aligned to 16.
#[cfg(all(target_arch = "x86_64", avx512_kernels))]
#[inline(always)]
unsafe fn store_quarter(to: *mut core::arch::x86_64::__m128i, v: core::arch::x86_64::__m128i) {
    // SAFETY: the caller's promise; `movntdq` needs SSE2, which x86-64 has.
    unsafe { core::arch::x86_64::_mm_stream_si128(to, v) };
}

/// [`stream_times`] for rows of `i64`: `products[j] = products[j] * x[j]`,
/// each new product also written to `out[j]` with streaming stores, eight
/// products to an AVX-512 register, on processors that have it (as
/// [`times_words`], whose products and panics these are). Returns `false`,
/// and changes nothing, unless `A` and `B` are `i64`, the processor has
/// AVX-512 F and DQ, the three slices have the same length, a multiple of 8,
/// and `out` is aligned to 16 bytes. Rows of 8,192 (64 MiB), paired runs:
/// multiplied into the band, then copied out with streaming stores,
/// 7.8-8.8 ms (1.55x a copy); streamed from the register, 5.9-7.0 ms
/// (1.16x); rows of 1,024, 5.4-6.8 ms -> 4.2-4.4 ms (0.9x).
pub(crate) fn stream_times_words<A, B>(products: &mut [B], x: &[A], out: &mut [B]) -> bool {
    #[cfg(all(target_arch = "x86_64", avx512_kernels))]
    {
        let len = products.len();
        if x.len() != len || out.len() != len || len % 8 != 0 || out.as_ptr() as usize % 16 != 0 {
            return false;
        }
        // The types first: they are known when this is compiled.
        if let (Some(p), Some(x), Some(o)) = (
            same_mut::<B, i64>(products),
            same_ref::<A, i64>(x),
            same_mut::<B, i64>(out),
        ) {
            if !has_avx512dq() {
                return false;
            }
            // SAFETY: the processor has AVX-512 F and DQ; the lengths and
            // the alignment are checked above.
            unsafe { avx512::stream_times(p, x, o) };
            return true;
        }
    }
    let _ = (products, x, out);
    false
}

/// Rows shorter than this keep the loop of one product at a time: for them
/// the dispatch costs more than it saves (arrays of 16 x 16 i64 scanned
/// along the slow axis: 208 ns a call -> 240-266 ns, slower than ndarray's
/// `cumprod`).
#[cfg(all(target_arch = "x86_64", avx512_kernels))]
const MIN_WORDS: usize = 64;

/// `row[j] = row[j] * x[j]` for rows of `i64` or `u64` (`A` and `B` the
/// same), eight products to an AVX-512 register where the processor has
/// one (detected at run time, with `std`): the same products and panics as
/// [`Mul`] (see [`words_in_place`]). Returns `false`, and changes nothing,
/// for other types or processors: baseline x86-64 has no vector
/// multiplication of 64-bit integers, and the caller multiplies them one at
/// a time; and for rows shorter than 64 elements. Rows of 1,024 i64
/// (64 MiB, streamed): 7.8 ms -> 6.0 ms.
pub(crate) fn times_words<A, B>(row: &mut [B], x: &[A]) -> bool {
    #[cfg(all(target_arch = "x86_64", avx512_kernels))]
    if row.len() >= MIN_WORDS {
        // The types first: they are known when this is compiled.
        if let (Some(r), Some(x)) = (same_mut::<B, i64>(&mut *row), same_ref::<A, i64>(x)) {
            if !has_avx512dq() {
                return false;
            }
            // SAFETY: the processor has AVX-512 F and DQ (checked above).
            unsafe { avx512::in_place(r, x) };
            return true;
        }
        if let (Some(r), Some(x)) = (same_mut::<B, u64>(row), same_ref::<A, u64>(x)) {
            if !has_avx512dq() {
                return false;
            }
            // SAFETY: as above.
            unsafe { avx512::in_place(r, x) };
            return true;
        }
    }
    let _ = (row, x);
    false
}

/// `out[j] = a[j] * b[j]`, as [`times_words`].
pub(crate) fn times_words_into<A, B>(out: &mut [B], a: &[B], b: &[A]) -> bool {
    #[cfg(all(target_arch = "x86_64", avx512_kernels))]
    if out.len() >= MIN_WORDS {
        // The types first: they are known when this is compiled.
        if let (Some(o), Some(a), Some(b)) = (
            same_mut::<B, i64>(&mut *out),
            same_ref::<B, i64>(a),
            same_ref::<A, i64>(b),
        ) {
            if !has_avx512dq() {
                return false;
            }
            // SAFETY: the processor has AVX-512 F and DQ (checked above).
            unsafe { avx512::into(o, a, b) };
            return true;
        }
        if let (Some(o), Some(a), Some(b)) = (
            same_mut::<B, u64>(out),
            same_ref::<B, u64>(a),
            same_ref::<A, u64>(b),
        ) {
            if !has_avx512dq() {
                return false;
            }
            // SAFETY: as above.
            unsafe { avx512::into(o, a, b) };
            return true;
        }
    }
    let _ = (out, a, b);
    false
}

/// Continues the running product `carry` over `factors` (`p = carry *
/// factors[0]`, then `p * factors[1]`, and so on, left to right), writing
/// each product to `out` with streaming stores, two to a register, and
/// leaves the last in `carry`. Returns `false`, and changes nothing, unless
/// `B` is one of the 8-byte primitives on x86-64, both slices have the same
/// even length and `out` is aligned to 16 bytes: the caller then scans the
/// run itself.
///
/// The products are written from the registers that hold them: stored one
/// at a time and read back as 16-byte blocks for the streaming stores, each
/// block would wait for the two stores before it to reach the cache.
#[inline(always)]
pub(crate) fn stream_scan<B: Clone + Mul<Output = B>>(
    carry: &mut B,
    factors: &[B],
    out: &mut [B],
) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        let len = factors.len();
        if words::<B>() != Words::Eight
            || out.len() != len
            || len % 2 != 0
            || out.as_ptr() as usize % 16 != 0
        {
            return false;
        }
        let is_f64 = typeid::of::<B>() == TypeId::of::<f64>();
        let to = out.as_mut_ptr();
        let mut p = carry.clone();
        for (j, pair) in factors.chunks_exact(2).enumerate() {
            let a = p * pair[0].clone();
            p = a.clone() * pair[1].clone();
            // SAFETY: `B` is an 8-byte primitive (`words`), plain data;
            // `2 * j + 1 < len`, the length of `out`, which this function
            // borrows mutably, and `to + 2 * j` is aligned to 16 (`out` is).
            unsafe { store_two(to.add(2 * j), a, p.clone(), is_f64) };
        }
        *carry = p;
        true
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (carry, factors, out);
        false
    }
}

/// Whether [`stream_two`] writes pairs of `B` on this target (x86-64, the
/// 8-byte primitives).
pub(crate) fn streams_pairs<B>() -> bool {
    cfg!(target_arch = "x86_64") && words::<B>() == Words::Eight
}

/// Writes `a` and then `b` to `out`, two elements, with one streaming store
/// from a register. Returns `false`, and writes nothing, unless
/// [`streams_pairs`] and `out` is two elements aligned to 16 bytes: the
/// caller then writes them itself.
#[inline(always)]
pub(crate) fn stream_two<B>(out: &mut [B], a: B, b: B) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        if !streams_pairs::<B>() || out.len() != 2 || out.as_ptr() as usize % 16 != 0 {
            return false;
        }
        let is_f64 = typeid::of::<B>() == TypeId::of::<f64>();
        // SAFETY: `B` is an 8-byte primitive (`words`), `f64` exactly when
        // `is_f64`; `out` is two of them, borrowed mutably, aligned to 16.
        unsafe { store_two(out.as_mut_ptr(), a, b, is_f64) };
        true
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (out, a, b);
        false
    }
}

/// Writes `a` and then `b`, 8-byte primitives (`f64` if `is_f64`), to `to`
/// with one streaming store from a register (a plain store under Miri).
///
/// # Safety
/// `B` must be one of the 8-byte primitives of [`words`], `f64` exactly when
/// `is_f64`, and `to` valid for a write of two `B`, aligned to 16.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn store_two<B>(to: *mut B, a: B, b: B, is_f64: bool) {
    use core::arch::x86_64::{__m128i, _mm_set_epi64x, _mm_set_pd};
    let (a, b) = (
        core::mem::ManuallyDrop::new(a),
        core::mem::ManuallyDrop::new(b),
    );
    if is_f64 {
        // SAFETY: `B` is `f64` (the caller's promise): the copies read its
        // eight bytes as one; `to` as the caller promises.
        unsafe {
            let pair = _mm_set_pd(
                core::mem::transmute_copy::<B, f64>(&b),
                core::mem::transmute_copy::<B, f64>(&a),
            );
            store_pair(to.cast::<f64>(), pair);
        }
    } else {
        // SAFETY: `B` is an 8-byte integer (the caller's promise), every
        // bit pattern of which is an `i64`; `to` as the caller promises;
        // SSE2 is all this needs.
        unsafe {
            let pair = _mm_set_epi64x(
                core::mem::transmute_copy::<B, i64>(&b),
                core::mem::transmute_copy::<B, i64>(&a),
            );
            #[cfg(not(miri))]
            core::arch::x86_64::_mm_stream_si128(to.cast::<__m128i>(), pair);
            #[cfg(miri)]
            core::arch::x86_64::_mm_storeu_si128(to.cast::<__m128i>(), pair);
        }
    }
}

/// The scan of [`stream_tiles`] for `f64`, with the factor of step `s` of
/// lane `k` from `factor(k, s)`; `MIRROR`: of [`stream_tiles_rev`], the
/// product of step `s` written to `out[k][TILE - 1 - s]`.
///
/// # Safety
/// Every `out[k]` must be valid for writes of [`TILE`] `f64`, aligned to 16
/// bytes, and not alias `carry` or each other.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn tile_f64<const MIRROR: bool>(
    carry: &mut [f64; LANES],
    factor: impl Fn(usize, usize) -> f64,
    out: [*mut f64; LANES],
) {
    use core::arch::x86_64::{
        _mm_mul_pd, _mm_set_pd, _mm_setzero_pd, _mm_unpackhi_pd, _mm_unpacklo_pd,
    };
    // SAFETY: SSE2, which x86-64 has, is all these need; the stores write
    // `out[k][2 * j]` and `out[k][2 * j + 1]` for `j < TILE / 2`, within
    // the caller's promise, at addresses aligned to 16.
    unsafe {
        // Lanes 0 and 1 in one register, 2 and 3 in the other (low half
        // first), each multiplied as `product * factor`.
        let mut low = _mm_set_pd(carry[1], carry[0]);
        let mut high = _mm_set_pd(carry[3], carry[2]);
        // Steps `s` and `s + 1` of lane `k`, side by side (read together),
        // then regrouped two lanes a step.
        let steps = |k: usize, s: usize| _mm_set_pd(factor(k, s + 1), factor(k, s));
        // Steps `s` and `s + 1` of each lane, side by side, at `[k][s / 2]`.
        let mut done = [[_mm_setzero_pd(); TILE / 2]; LANES];
        for s in (0..TILE).step_by(2) {
            let [a, b, c, d] = [steps(0, s), steps(1, s), steps(2, s), steps(3, s)];
            let low0 = _mm_mul_pd(low, _mm_unpacklo_pd(a, b));
            let high0 = _mm_mul_pd(high, _mm_unpacklo_pd(c, d));
            low = _mm_mul_pd(low0, _mm_unpackhi_pd(a, b));
            high = _mm_mul_pd(high0, _mm_unpackhi_pd(c, d));
            if MIRROR {
                // Step `s + 1` first, in the pair that ends where the
                // tile's `s / 2`-th pair starts.
                let j = TILE / 2 - 1 - s / 2;
                done[0][j] = _mm_unpacklo_pd(low, low0);
                done[1][j] = _mm_unpackhi_pd(low, low0);
                done[2][j] = _mm_unpacklo_pd(high, high0);
                done[3][j] = _mm_unpackhi_pd(high, high0);
            } else {
                done[0][s / 2] = _mm_unpacklo_pd(low0, low);
                done[1][s / 2] = _mm_unpackhi_pd(low0, low);
                done[2][s / 2] = _mm_unpacklo_pd(high0, high);
                done[3][s / 2] = _mm_unpackhi_pd(high0, high);
            }
        }
        finish_tile(carry, [low, high], done, out);
    }
}

/// The end of [`tile_f64`] and [`tile_f64_flagged`]: streams each lane's
/// pairs `done[k]` to `out[k]`, the lane's line whole before the next
/// lane's, and leaves the last products (lanes 0 and 1 in `last[0]`, 2 and
/// 3 in `last[1]`, low half first) in `carry`.
///
/// # Safety
/// As [`tile_f64`].
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn finish_tile(
    carry: &mut [f64; LANES],
    last: [core::arch::x86_64::__m128d; 2],
    done: [[core::arch::x86_64::__m128d; TILE / 2]; LANES],
    out: [*mut f64; LANES],
) {
    use core::arch::x86_64::{_mm_storeh_pd, _mm_storel_pd};
    // SAFETY: the caller's promise: the stores write `out[k][2 * j]` and
    // `out[k][2 * j + 1]` for `j < TILE / 2`, at addresses aligned to 16;
    // SSE2 is all the others need.
    unsafe {
        for (to, lane) in out.iter().zip(done) {
            for (j, pair) in lane.into_iter().enumerate() {
                store_pair(to.add(2 * j), pair);
            }
        }
        _mm_storel_pd(&mut carry[0], last[0]);
        _mm_storeh_pd(&mut carry[1], last[0]);
        _mm_storel_pd(&mut carry[2], last[1]);
        _mm_storeh_pd(&mut carry[3], last[1]);
    }
}

/// [`flag_bytes`] of eight flags that are all true.
pub(crate) const ALL_FLAGS: u64 = u64::from_ne_bytes([1; TILE]);

/// The [`TILE`] flags of a tile (or any eight flags) as the bytes of a
/// word, each 0 or 1: one load, where a loop over the flags was compiled as
/// eight.
#[inline(always)]
pub(crate) fn flag_bytes(flags: &[bool; TILE]) -> u64 {
    const _: () = assert!(TILE == 8);
    // SAFETY: a `[bool; 8]` is eight bytes, each 0 or 1 (`bool`'s
    // representation), all initialised; `read_unaligned` asks no alignment.
    unsafe { flags.as_ptr().cast::<u64>().read_unaligned() }
}

/// [`tile_f64`] with the selects of [`stream_tiles_flagged`]: `mask` (the
/// factor is `one` where false) and `starts` (the product restarts from
/// `one` where true).
///
/// # Safety
/// As [`tile_f64`].
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn tile_f64_flagged(
    carry: &mut [f64; LANES],
    factor: impl Fn(usize, usize) -> f64,
    one: f64,
    mask: Option<[&[bool; TILE]; LANES]>,
    starts: Option<[&[bool; TILE]; LANES]>,
    out: [*mut f64; LANES],
) {
    use core::arch::x86_64::{
        __m128d, _mm_and_pd, _mm_andnot_pd, _mm_castsi128_pd, _mm_cvtsi64_si128, _mm_mul_pd,
        _mm_or_pd, _mm_set1_pd, _mm_set_pd, _mm_setzero_pd, _mm_setzero_si128, _mm_sub_epi8,
        _mm_unpackhi_epi16, _mm_unpackhi_epi32, _mm_unpackhi_pd, _mm_unpacklo_epi16,
        _mm_unpacklo_epi32, _mm_unpacklo_epi8, _mm_unpacklo_pd,
    };
    // SAFETY: SSE2, which x86-64 has, is all these need; the stores write
    // `out[k][2 * j]` and `out[k][2 * j + 1]` for `j < TILE / 2`, within
    // the caller's promise, at addresses aligned to 16.
    unsafe {
        let ones = _mm_set1_pd(one);
        // A lane's flags as selects of steps `2j` and `2j + 1` at `[j]`, all
        // ones where the flag is set: the bytes (0 or 1) negated, then each
        // widened to 64 bits.
        let widen = |flags: &[bool; TILE]| -> [__m128d; TILE / 2] {
            let bytes = flag_bytes(flags) as i64;
            let v = _mm_sub_epi8(_mm_setzero_si128(), _mm_cvtsi64_si128(bytes));
            let v = _mm_unpacklo_epi8(v, v);
            let (lo, hi) = (_mm_unpacklo_epi16(v, v), _mm_unpackhi_epi16(v, v));
            [
                _mm_unpacklo_epi32(lo, lo),
                _mm_unpackhi_epi32(lo, lo),
                _mm_unpacklo_epi32(hi, hi),
                _mm_unpackhi_epi32(hi, hi),
            ]
            .map(|m| _mm_castsi128_pd(m))
        };
        // Written lane by lane: `array::map` was compiled as calls, with the
        // arrays copied in and out.
        let all = |flags: [&[bool; TILE]; LANES]| {
            let mut all = [[_mm_setzero_pd(); TILE / 2]; LANES];
            for (all, flags) in all.iter_mut().zip(flags) {
                *all = widen(flags);
            }
            all
        };
        let keep = mask.map(all);
        let restart = starts.map(all);
        // `v` where `m` is clear, `one` where it is set.
        let or_one = |v: __m128d, m: __m128d| _mm_or_pd(_mm_andnot_pd(m, v), _mm_and_pd(m, ones));
        let mut low = _mm_set_pd(carry[1], carry[0]);
        let mut high = _mm_set_pd(carry[3], carry[2]);
        let steps = |k: usize, s: usize| {
            let f = _mm_set_pd(factor(k, s + 1), factor(k, s));
            match &keep {
                None => f,
                // `f` where kept, `one` where not.
                Some(keep) => {
                    let m = keep[k][s / 2];
                    _mm_or_pd(_mm_and_pd(m, f), _mm_andnot_pd(m, ones))
                }
            }
        };
        let mut done = [[_mm_setzero_pd(); TILE / 2]; LANES];
        for s in (0..TILE).step_by(2) {
            let [a, b, c, d] = [steps(0, s), steps(1, s), steps(2, s), steps(3, s)];
            // The restarts of steps `s` and `s + 1`, regrouped two lanes a
            // step as the factors are.
            let (low_in, high_in) = match &restart {
                None => (low, high),
                Some(r) => (
                    or_one(low, _mm_unpacklo_pd(r[0][s / 2], r[1][s / 2])),
                    or_one(high, _mm_unpacklo_pd(r[2][s / 2], r[3][s / 2])),
                ),
            };
            let low0 = _mm_mul_pd(low_in, _mm_unpacklo_pd(a, b));
            let high0 = _mm_mul_pd(high_in, _mm_unpacklo_pd(c, d));
            let (low0_in, high0_in) = match &restart {
                None => (low0, high0),
                Some(r) => (
                    or_one(low0, _mm_unpackhi_pd(r[0][s / 2], r[1][s / 2])),
                    or_one(high0, _mm_unpackhi_pd(r[2][s / 2], r[3][s / 2])),
                ),
            };
            low = _mm_mul_pd(low0_in, _mm_unpackhi_pd(a, b));
            high = _mm_mul_pd(high0_in, _mm_unpackhi_pd(c, d));
            done[0][s / 2] = _mm_unpacklo_pd(low0, low);
            done[1][s / 2] = _mm_unpackhi_pd(low0, low);
            done[2][s / 2] = _mm_unpacklo_pd(high0, high);
            done[3][s / 2] = _mm_unpackhi_pd(high0, high);
        }
        finish_tile(carry, [low, high], done, out);
    }
}

/// The scan of [`stream_tiles`] for the 64-bit integers: each product by
/// `Mul` in a general-purpose register (so that a debug build still panics
/// on overflow), two steps of a lane paired in an SSE2 register, and each
/// lane's line streamed whole from those registers before the next lane's.
///
/// `MIRROR`: of [`stream_tiles_rev`], the product of step `s` written to
/// `out[k][TILE - 1 - s]`.
///
/// # Safety
/// `B` must be `i64` or `u64`; every `out[k]` must be valid for writes of
/// [`TILE`] elements, aligned to 16 bytes, and not alias `carry` or each
/// other.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn tile_words<B: Clone + Mul<Output = B>, const MIRROR: bool>(
    carry: &mut [B; LANES],
    factor: impl Fn(usize, usize) -> B,
    out: [*mut B; LANES],
) {
    use core::arch::x86_64::{__m128i, _mm_set_epi64x, _mm_setzero_si128};
    // SAFETY: `B` is a 64-bit integer (the caller's promise), so the copies
    // read its eight bytes as an `i64`; SSE2, which x86-64 has, is all the
    // intrinsics need; the stores write `out[k][2 * j]` and `out[k][2 * j +
    // 1]` for `j < TILE / 2`, within the caller's promise, at addresses
    // aligned to 16.
    unsafe {
        let bits = |v: &B| core::mem::transmute_copy::<B, i64>(v);
        let mut done = [[_mm_setzero_si128(); TILE / 2]; LANES];
        for s in (0..TILE).step_by(2) {
            for (k, (c, done)) in carry.iter_mut().zip(done.iter_mut()).enumerate() {
                let a = c.clone() * factor(k, s);
                let b = a.clone() * factor(k, s + 1);
                if MIRROR {
                    done[TILE / 2 - 1 - s / 2] = _mm_set_epi64x(bits(&a), bits(&b));
                } else {
                    done[s / 2] = _mm_set_epi64x(bits(&b), bits(&a));
                }
                *c = b;
            }
        }
        for (to, lane) in out.iter().zip(done) {
            for (j, pair) in lane.into_iter().enumerate() {
                store_words(to.add(2 * j).cast::<__m128i>(), pair);
            }
        }
    }
}

/// Whether [`stream_tiles`] scans tiles of `B` in general-purpose registers
/// ([`tile_words`]): `i64` and `u64` on x86-64.
#[inline(always)]
pub(crate) fn tiles_words<B>() -> bool {
    let id = typeid::of::<B>();
    cfg!(target_arch = "x86_64") && (id == TypeId::of::<i64>() || id == TypeId::of::<u64>())
}

/// Writes 16 bytes to `to` with a streaming store (a plain store under
/// Miri).
///
/// # Safety
/// `to` must be valid for a write of 16 bytes and aligned to 16.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn store_words(to: *mut core::arch::x86_64::__m128i, v: core::arch::x86_64::__m128i) {
    #[cfg(not(miri))]
    // SAFETY: the caller's promise; `movntdq` needs SSE2.
    unsafe {
        core::arch::x86_64::_mm_stream_si128(to, v);
    }
    #[cfg(miri)]
    // SAFETY: the caller's promise.
    unsafe {
        core::arch::x86_64::_mm_store_si128(to, v);
    }
}

/// Writes the two `f64` of `pair` to `to` with a streaming store (a plain
/// store under Miri).
///
/// # Safety
/// `to` must be valid for a write of 16 bytes and aligned to 16.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn store_pair(to: *mut f64, pair: core::arch::x86_64::__m128d) {
    #[cfg(not(miri))]
    // SAFETY: the caller's promise; `movntpd` needs SSE2.
    unsafe {
        core::arch::x86_64::_mm_stream_pd(to, pair);
    }
    #[cfg(miri)]
    // SAFETY: the caller's promise.
    unsafe {
        core::arch::x86_64::_mm_store_pd(to, pair);
    }
}

/// Asks the processor to start bringing the cache lines of
/// `values[range]` (clamped to the slice) into cache, for a read soon after.
/// A hint (`prefetcht0`, SSE): it never faults and changes no value. Does
/// nothing on other architectures and under Miri.
#[inline(always)]
pub(crate) fn prefetch<T>(values: &[T], range: Range<usize>) {
    let end = range.end.min(values.len());
    if range.start >= end {
        return;
    }
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    {
        use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        /// The size of a cache line on x86-64.
        const LINE: usize = 64;
        let run = &values[range.start..end];
        let first = run.as_ptr().cast::<i8>();
        let bytes = core::mem::size_of_val(run);
        let mut offset = 0;
        while offset < bytes {
            // SAFETY: `first + offset` lies within `run` (`offset < bytes`),
            // so the address computation stays inside one allocation; a
            // prefetch reads nothing into the program and cannot fault.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(first.add(offset)) };
            offset += LINE;
        }
        // SAFETY: as above; the last byte, whose line the steps of a line
        // from `first` miss when `run` does not start on a line.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(first.add(bytes - 1)) };
    }
}

/// Orders the streaming stores of [`stream_copy`] before every later store
/// (`sfence`): they are weakly ordered, and another thread that is handed the
/// output must see them.
pub(crate) fn stream_fence() {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    // SAFETY: `sfence` only orders stores; it needs SSE, which x86-64 has.
    #[allow(unused_unsafe)]
    unsafe {
        core::arch::x86_64::_mm_sfence();
    }
}

#[cfg(test)]
mod tests {
    use alloc::{format, vec};

    use super::*;

    /// The bits of each float, every NaN as one value: results compared bit
    /// for bit, whichever NaN an operation gives.
    fn bits(x: &[f64]) -> Vec<u64> {
        x.iter()
            .map(|x| if x.is_nan() { u64::MAX } else { x.to_bits() })
            .collect()
    }

    /// Every element arrives, bit for bit, for each type that streams and
    /// one that does not, at every offset and length around a cache line.
    #[test]
    fn stream_copy_writes_every_element() {
        /// `bits` gives every bit of an element (NaN payloads included).
        fn check<B: Clone>(make: impl Fn(usize) -> B, fill: B, bits: impl Fn(&B) -> u128) {
            let src: Vec<B> = (0..40).map(&make).collect();
            let all = |x: &[B]| x.iter().map(&bits).collect::<Vec<_>>();
            for start in 0..3 {
                for len in [0, 1, 2, 3, 4, 7, 8, 9, 17, 37] {
                    let mut dst = vec![fill.clone(); 40];
                    stream_copy(&src[..len], &mut dst[start..start + len]);
                    stream_fence();
                    assert_eq!(all(&dst[start..start + len]), all(&src[..len]));
                    assert!(dst[..start].iter().all(|x| bits(x) == bits(&fill)));
                    assert!(dst[start + len..].iter().all(|x| bits(x) == bits(&fill)));
                }
            }
        }
        check(
            |i| f64::from_bits(0x7ff8_0000_0000_0001 + i as u64),
            0.5,
            |x| x.to_bits().into(),
        );
        check(|i| -(i as i64) * 1_000_000_007, 3, |x| *x as u64 as u128);
        check(|i| u64::MAX - i as u64, 3, |x| (*x).into());
        check(
            |i| f32::from_bits(0xff80_0001 + i as u32),
            0.5,
            |x| x.to_bits().into(),
        );
        check(|i| i as i32 - 20, 3, |x| *x as u32 as u128);
        check(|i| u32::MAX - i as u32, 3, |x| (*x).into());
        check(|i| i as u16, 3, |x| (*x).into());
        check(|i| (i as u128) << 70, 3, |x| *x);
        // `Scaled<f64>`, two words, each element with an exponent of its own.
        use crate::Scaled;
        check(
            |i| Scaled::from(1.5 + i as f64) * Scaled::from(f64::from_bits((300 - i as u64) << 52)),
            Scaled::from(0.5),
            |x| u128::from(x.mantissa().to_bits()) << 64 | u128::from(x.exponent() as u64),
        );
        assert!(streams::<Scaled<f64>>() == cfg!(target_arch = "x86_64"));
        assert!(!streams::<Scaled<f32>>());
        assert!(streams::<f64>() == cfg!(target_arch = "x86_64"));
        assert!(streams::<u32>() == cfg!(target_arch = "x86_64"));
        assert!(!streams::<u16>() && !streams::<u128>() && !streams::<&f64>());
    }

    /// The scan of one tile by its definition: each lane from its carry,
    /// left to right, the product on the left.
    fn tile_reference(
        carry: [f64; LANES],
        factor: impl Fn(usize, usize) -> f64,
    ) -> [[f64; TILE]; LANES] {
        core::array::from_fn(|k| {
            let mut p = carry[k];
            core::array::from_fn(|s| {
                p *= factor(k, s);
                p
            })
        })
    }

    /// [`stream_tiles`], or [`stream_tiles_rev`] when `mirror`.
    fn tiles_either<B: Clone + Mul<Output = B>>(
        mirror: bool,
        carry: &mut [B; LANES],
        factor: impl Fn(usize, usize) -> B,
        out: &mut [&mut [B]; LANES],
        at: usize,
    ) -> bool {
        if mirror {
            stream_tiles_rev(carry, factor, out, at)
        } else {
            stream_tiles(carry, factor, out, at)
        }
    }

    /// The tile of a lane in memory order: the products of its steps in
    /// the order they were made, or from the last when `mirror`.
    fn in_memory<T: Copy>(mirror: bool, steps: &[T; TILE]) -> [T; TILE] {
        let mut tile = *steps;
        if mirror {
            tile.reverse();
        }
        tile
    }

    #[test]
    fn stream_tiles_scans_four_lanes_as_the_definition() {
        // Products that round, overflow, underflow to subnormals and zero,
        // and meet infinities, signed zeros and NaN with payloads.
        let specials = [
            f64::INFINITY,
            -0.0,
            f64::from_bits(0x7ff8_0000_0000_0123),
            f64::MIN_POSITIVE / 3.0,
            1e300,
            -1e-300,
        ];
        let factor = |k: usize, s: usize| match (k * 7 + s * 3) % 23 {
            i @ 0..=5 => specials[i],
            i => 1.0 + i as f64 * 0.137 - k as f64 * 0.5,
        };
        let carries = [
            [1.0, -2.5, 3.25e-310, 7.0],
            [
                f64::from_bits(0xfff8_0000_0000_0042),
                0.0,
                -1.0,
                f64::NEG_INFINITY,
            ],
        ];
        for (carry, mirror) in carries.into_iter().flat_map(|c| [(c, false), (c, true)]) {
            let expected = tile_reference(carry, factor).map(|lane| in_memory(mirror, &lane));
            // Lanes at every 8-byte offset from 16-byte alignment and
            // lengths around a tile, inside a larger buffer.
            for start in [0, 1, 2, 3] {
                let mut buf = [[-7.5f64; 3 * TILE]; LANES];
                let mut c = carry;
                let mut out = buf.each_mut().map(|lane| &mut lane[..]);
                let at = start + TILE / 2;
                let aligned = out[0][at..].as_ptr() as usize % 16 == 0;
                let done = tiles_either(mirror, &mut c, factor, &mut out, at);
                stream_fence();
                assert_eq!(done, aligned && cfg!(target_arch = "x86_64"));
                for (k, lane) in buf.iter().enumerate() {
                    // Every bit, but of NaN only that it is one: Rust leaves
                    // the sign and payload of a NaN result unspecified, and
                    // Miri picks them at random.
                    if done {
                        let what = format!("lane {k}, mirror {mirror}");
                        assert_eq!(bits(&lane[at..at + TILE]), bits(&expected[k]), "{what}");
                        let last = if mirror { 0 } else { TILE - 1 };
                        assert_eq!(bits(&c[k..=k]), bits(&expected[k][last..=last]), "{what}");
                    } else {
                        assert_eq!(bits(&lane[at..at + TILE]), bits(&[-7.5; TILE]));
                        assert_eq!(c[k].to_bits(), carry[k].to_bits());
                    }
                    assert!(lane[..at]
                        .iter()
                        .chain(&lane[at + TILE..])
                        .all(|&x| x == -7.5));
                }
            }
        }
    }

    #[test]
    fn stream_tiles_scans_integer_lanes_as_the_definition() {
        fn check<T>(factor: impl Fn(usize, usize) -> T, carry: [T; LANES], fill: T)
        where
            T: Copy + Mul<Output = T> + PartialEq + core::fmt::Debug + 'static,
        {
            let steps: [[T; TILE]; LANES] = core::array::from_fn(|k| {
                let mut p = carry[k];
                core::array::from_fn(|s| {
                    p = p * factor(k, s);
                    p
                })
            });
            // At a tile aligned to 16 bytes, and one 8 bytes past it;
            // forward and mirrored.
            for (at, mirror) in [
                (TILE, false),
                (TILE + 1, false),
                (TILE, true),
                (TILE + 1, true),
            ] {
                let mut buf = Aligned([[fill; 3 * TILE]; LANES]);
                let mut out = buf.0.each_mut().map(|lane| &mut lane[..]);
                let mut c = carry;
                let done = tiles_either(mirror, &mut c, &factor, &mut out, at);
                stream_fence();
                assert_eq!(done, at == TILE && cfg!(target_arch = "x86_64"));
                for (k, lane) in buf.0.iter().enumerate() {
                    let tile = &lane[at..at + TILE];
                    if done {
                        let what = format!("lane {k}, mirror {mirror}");
                        assert_eq!(tile, &in_memory(mirror, &steps[k])[..], "{what}");
                        assert_eq!(c[k], steps[k][TILE - 1], "{what}");
                    } else {
                        assert!(tile.iter().all(|&x| x == fill));
                        assert_eq!(c[k], carry[k]);
                    }
                    assert!(lane[..at]
                        .iter()
                        .chain(&lane[at + TILE..])
                        .all(|&x| x == fill));
                }
            }
        }
        // Signs, zeros and sizes that differ by lane and step; no product
        // overflows (a debug build would panic).
        let signed =
            |k: usize, s: usize| [-3i64, 2, -1, 1, 5, 0, 7, -2][(k * 3 + s) % 8] + k as i64 % 2;
        check(signed, [1, -2, 3 << 40, -(1 << 30)], -9);
        let unsigned = |k: usize, s: usize| [3u64, 2, 1, 5, 7][(k + s * 2) % 5];
        check(unsigned, [1, 2, 1 << 40, u64::MAX / (1 << 40)], 9);
    }

    /// The integer tiles multiply with `Mul`: a debug build panics on
    /// overflow, as the plain loop does.
    #[test]
    #[cfg(all(debug_assertions, feature = "std"))]
    fn integer_tiles_still_panic_on_overflow_in_debug_builds() {
        let mut buf = Aligned([[0i64; TILE]; LANES]);
        let overflows = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut out = buf.0.each_mut().map(|lane| &mut lane[..]);
            stream_tiles(&mut [i64::MAX / 2 + 1; LANES], |_, _| 2, &mut out, 0)
        }));
        assert!(overflows.is_err() || cfg!(not(target_arch = "x86_64")));
    }

    #[test]
    fn stream_flagged_tiles_as_the_definition_or_not_at_all() {
        // Three tiles of four lanes from step 8 (and the steps before them
        // left alone), with specials among the factors and flags without a
        // pattern (no restart in the tile at step 16, which takes the
        // kernel without restarts, and a restart at every step of the tile
        // at step 24, which takes one of its own); the same again with the
        // tiles cut short at `end`; with a mask, segment starts and both.
        const STEPS: usize = 4 * TILE;
        let specials = [f64::INFINITY, -0.0, f64::NAN, 1e300, -1e-300, 0.0];
        let x: [[f64; STEPS]; LANES] = core::array::from_fn(|k| {
            core::array::from_fn(|s| match (k * 7 + s * 5) % 23 {
                i @ 0..=5 => specials[i],
                i => 1.0 + i as f64 * 0.173 - k as f64 * 0.25,
            })
        });
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut random = |every: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % every == 0
        };
        let mask: [[bool; STEPS]; LANES] =
            core::array::from_fn(|_| core::array::from_fn(|_| !random(3)));
        let starts: [[bool; STEPS]; LANES] = core::array::from_fn(|_| {
            core::array::from_fn(|s| {
                (random(4) && !(2 * TILE..3 * TILE).contains(&s)) || s >= 3 * TILE
            })
        });
        let carry = [2.0, -0.5, f64::INFINITY, 3.0e-310];
        // As the processor is, and (with `std`, whose detection the tests
        // can switch off) as one without AVX2, which scans nothing.
        let cases = [(true, false), (false, true), (true, true)]
            .into_iter()
            .flat_map(|with| [STEPS, STEPS - 1, TILE + 3].map(|end| (with, end)))
            .flat_map(|case| [(case, false), (case, true)])
            .filter(|&(_, no_avx2)| !no_avx2 || cfg!(feature = "std"));
        for ((with, end), no_avx2) in cases {
            let mut buf = Aligned([[-7.5f64; STEPS]; LANES]);
            let mut out = buf.0.each_mut().map(|lane| &mut lane[..end]);
            let mut c = carry;
            let inputs = x.each_ref().map(|x| &x[..end]);
            let m = with.0.then(|| mask.each_ref().map(|m| &m[..end]));
            let st = with.1.then(|| starts.each_ref().map(|s| &s[..end]));
            let flags = (m, st);
            let mut scan = || stream_flagged_tiles(&mut c, inputs, flags, 1.0, &mut out, TILE, end);
            #[cfg(feature = "std")]
            let next = if no_avx2 { without_avx2(scan) } else { scan() };
            #[cfg(not(feature = "std"))]
            let next = scan();
            stream_fence();
            let case = (with, end, no_avx2);
            if no_avx2 || !flagged_tiles::<f64>() {
                assert_eq!(next, TILE);
                assert!(buf.0.iter().flatten().all(|&y| y == -7.5));
                assert_eq!(bits(&c), bits(&carry));
                continue;
            }
            assert_eq!(next, TILE + (end - TILE) / TILE * TILE, "{case:?}");
            for (k, lane) in buf.0.iter().enumerate() {
                let mut p = carry[k];
                let expected: Vec<f64> = (TILE..next)
                    .map(|s| {
                        let f = if with.0 && !mask[k][s] { 1.0 } else { x[k][s] };
                        p = if with.1 && starts[k][s] {
                            1.0 * f
                        } else {
                            p * f
                        };
                        p
                    })
                    .collect();
                assert_eq!(
                    bits(&lane[TILE..next]),
                    bits(&expected),
                    "{case:?} lane {k}"
                );
                assert_eq!(bits(&c[k..=k]), bits(&[p]), "{case:?} lane {k}");
                assert!(lane[..TILE].iter().chain(&lane[next..]).all(|&y| y == -7.5));
            }
        }
        // No flags, tiles that do not start on 16 bytes, and other types:
        // none.
        let mut buf = Aligned([[-7.5f64; STEPS]; LANES]);
        let mut out = buf.0.each_mut().map(|lane| &mut lane[..]);
        let inputs = x.each_ref().map(|x| &x[..]);
        let mut c = carry;
        let none = (None, None);
        assert_eq!(
            stream_flagged_tiles(&mut c, inputs, none, 1.0, &mut out, 0, STEPS),
            0
        );
        let mut out = buf.0.each_mut().map(|lane| &mut lane[1..]);
        let inputs = x.each_ref().map(|x| &x[1..]);
        let flags = (Some(mask.each_ref().map(|m| &m[1..])), None);
        assert_eq!(
            stream_flagged_tiles(&mut c, inputs, flags, 1.0, &mut out, 0, STEPS - 1),
            0
        );
        let mut ints = [[3i64; STEPS]; LANES];
        let mut out = ints.each_mut().map(|lane| &mut lane[..]);
        let xs = [[2i64; STEPS]; LANES];
        let inputs = xs.each_ref().map(|x| &x[..]);
        let flags = (None, Some(starts.each_ref().map(|s| &s[..])));
        let mut c = [1i64; LANES];
        assert_eq!(
            stream_flagged_tiles(&mut c, inputs, flags, 1, &mut out, 0, STEPS),
            0
        );
        assert!(buf.0.iter().flatten().all(|&y| y == -7.5));
        assert!(ints.iter().flatten().all(|&y| y == 3));
        assert_eq!(bits(&c.map(|c| c as f64)), bits(&[1.0; LANES]));
    }

    #[test]
    fn stream_tiles_flagged_masks_and_restarts_as_the_definition() {
        let specials = [f64::INFINITY, -0.0, f64::NAN, 1e300, -1e-300];
        let factor = |k: usize, s: usize| match (k * 5 + s * 3) % 19 {
            i @ 0..=4 => specials[i],
            i => 1.0 + i as f64 * 0.173 - k as f64 * 0.25,
        };
        // Flags of every lane and step from the bits of a pattern (byte `k`
        // for lane `k`): none, all, one lane only, a different step in each.
        let flags = |pattern: u64| -> [[bool; TILE]; LANES] {
            core::array::from_fn(|k| core::array::from_fn(|s| pattern >> (k * TILE + s) & 1 == 1))
        };
        // Under Miri, three of them (nine pairs instead of 49, 51 s of its
        // time before): the stores are the same for every pattern, and the
        // selects are checked on every pattern natively.
        let patterns: &[u64] = if cfg!(miri) {
            &[0, 0xffff_ffff, 0x5aa5_0ff0]
        } else {
            &[
                0,
                0xffff_ffff,
                0x8040_2010,
                0x0102_0408,
                0x5aa5_0ff0,
                0x0000_0100,
                0x00e7_0000,
            ]
        };
        for (mask, starts) in patterns
            .iter()
            .flat_map(|&m| patterns.iter().map(move |&s| (m, s)))
        {
            let (keep, restart) = (flags(mask), flags(starts));
            for with in [(true, false), (false, true), (true, true)] {
                let carry = [2.0, -0.5, f64::INFINITY, 3.0e-310];
                let expected: [[f64; TILE]; LANES] = core::array::from_fn(|k| {
                    let mut p = carry[k];
                    core::array::from_fn(|s| {
                        let f = if with.0 && !keep[k][s] {
                            1.0
                        } else {
                            factor(k, s)
                        };
                        p = if with.1 && restart[k][s] {
                            1.0 * f
                        } else {
                            p * f
                        };
                        p
                    })
                });
                let tile_flags = TileFlags {
                    mask: with.0.then(|| keep.each_ref()),
                    starts: with.1.then(|| restart.each_ref()),
                };
                let mut buf = Aligned([[-7.5f64; 2 * TILE]; LANES]);
                let mut out = buf.0.each_mut().map(|lane| &mut lane[..]);
                let mut c = carry;
                let done = stream_tiles_flagged(&mut c, factor, 1.0, tile_flags, &mut out, TILE);
                stream_fence();
                assert_eq!(done, cfg!(target_arch = "x86_64"));
                if !done {
                    continue;
                }
                for (k, lane) in buf.0.iter().enumerate() {
                    let case = (mask, starts, with, k);
                    assert_eq!(bits(&lane[TILE..]), bits(&expected[k]), "{case:x?}");
                    assert_eq!(bits(&c[k..=k]), bits(&expected[k][TILE - 1..]), "{case:x?}");
                    assert!(lane[..TILE].iter().all(|&x| x == -7.5));
                }
            }
        }
        // Unaligned or short lanes are left to the caller.
        let mut buf = [[0.0f64; 2 * TILE + 1]; LANES];
        let mut out = buf.each_mut().map(|lane| &mut lane[..]);
        let none = TileFlags {
            mask: None,
            starts: None,
        };
        let at = if out[0].as_ptr() as usize % 16 == 0 {
            1
        } else {
            0
        };
        assert!(!stream_tiles_flagged(
            &mut [1.0; LANES],
            |_, _| 2.0,
            1.0,
            none,
            &mut out,
            at
        ));
        assert!(!stream_tiles_flagged(
            &mut [1.0; LANES],
            |_, _| 2.0,
            1.0,
            none,
            &mut out,
            TILE + 2
        ));
        assert!(buf.iter().flatten().all(|&x| x == 0.0));
    }

    /// Lanes aligned to 16 bytes.
    #[repr(align(16))]
    struct Aligned<T>(T);

    #[test]
    fn stream_times_multiplies_and_streams_a_row() {
        let factor = |j: usize| match j % 9 {
            0 => f64::INFINITY,
            3 => -0.0,
            5 => f64::MIN_POSITIVE / 7.0,
            _ => 1.0 + j as f64 * 0.0625,
        };
        let start: Vec<f64> = (0..20).map(|j| 0.5 - j as f64 * 0.75).collect();
        for len in [0, 2, 8, 20] {
            let expected: Vec<f64> = (0..len).map(|j| start[j] * factor(j)).collect();
            // Outputs at each 8-byte offset from 16-byte alignment.
            for offset in [0, 1] {
                let mut buf = vec![3.5f64; len + 2];
                let at = offset + (buf.as_ptr() as usize % 16) / 8;
                let mut products = start[..len].to_vec();
                let out = &mut buf[at..at + len];
                let aligned = out.as_ptr() as usize % 16 == 0;
                let done = stream_times(&mut products, factor, out);
                stream_fence();
                assert_eq!(done, aligned && cfg!(target_arch = "x86_64"));
                if done {
                    assert_eq!(bits(&products), bits(&expected), "len {len}");
                    assert_eq!(bits(&buf[at..at + len]), bits(&expected));
                } else {
                    assert_eq!(bits(&products), bits(&start[..len]));
                    assert!(buf[at..at + len].iter().all(|&x| x == 3.5));
                }
                assert!(buf[..at].iter().chain(&buf[at + len..]).all(|&x| x == 3.5));
            }
        }
        // Odd lengths, other types and unequal lengths are left to the caller.
        let mut out = [0.0f64; 4];
        assert!(!stream_times(&mut [1.0f64; 3], factor, &mut out[..3]));
        assert!(!stream_times(&mut [1.0f64; 2], factor, &mut out[..4]));
        assert!(!stream_times(&mut [1.0f32; 2], |_| 2.0, &mut [0.0f32; 2]));
        assert!(!stream_times(&mut [1i32; 2], |_| 2, &mut [0i32; 2]));
        assert_eq!(out, [0.0; 4]);
    }

    #[test]
    fn stream_times_streams_integer_rows_from_registers() {
        fn check<T>(start: &[T], factor: impl Fn(usize) -> T, fill: T)
        where
            T: Copy + Mul<Output = T> + PartialEq + core::fmt::Debug + 'static,
        {
            for len in [0, 2, 8, 20] {
                let expected: Vec<T> = (0..len).map(|j| start[j] * factor(j)).collect();
                // Outputs at each 8-byte offset from 16-byte alignment.
                for offset in [0, 1] {
                    let mut buf = vec![fill; len + 2];
                    let at = offset + (buf.as_ptr() as usize % 16) / 8;
                    let mut products = start[..len].to_vec();
                    let out = &mut buf[at..at + len];
                    let aligned = out.as_ptr() as usize % 16 == 0;
                    let done = stream_times(&mut products, &factor, out);
                    stream_fence();
                    assert_eq!(done, aligned && cfg!(target_arch = "x86_64"));
                    if done {
                        assert_eq!(products, expected, "len {len}");
                        assert_eq!(buf[at..at + len], expected[..]);
                    } else {
                        assert_eq!(products, start[..len]);
                        assert!(buf[at..at + len].iter().all(|&x| x == fill));
                    }
                    assert!(buf[..at].iter().chain(&buf[at + len..]).all(|&x| x == fill));
                }
            }
            // Odd lengths are left to the caller.
            let mut out = [fill; 4];
            assert!(!stream_times(
                &mut start[..3].to_vec(),
                &factor,
                &mut out[..3]
            ));
            assert!(out.iter().all(|&x| x == fill));
        }
        let start: Vec<i64> = (0..20).map(|j| (j - 7) * (1 << (j % 5 * 9))).collect();
        check(&start, |j| [3i64, -1, 0, 7, -5][j % 5], -8);
        let start: Vec<u64> = (0..20).map(|j| (j + 1) << (j % 4 * 12)).collect();
        check(&start, |j| [3u64, 1, 0, 7][j % 4], 8);
    }

    /// `len` words of `buf` starting on a 16-byte boundary. Neither the
    /// stack nor the heap promises more than the 8 bytes an `i64` needs
    /// (Miri places allocations at any address the type allows), so the
    /// buffer holds one word more than asked and the start is chosen.
    #[cfg(all(debug_assertions, feature = "std"))]
    fn aligned_words(buf: &mut [i64], len: usize) -> &mut [i64] {
        let at = usize::from(buf.as_ptr() as usize % 16 != 0);
        let out = &mut buf[at..at + len];
        assert!(out.as_ptr() as usize % 16 == 0);
        out
    }

    /// A debug build still panics on overflow in the streamed integer rows.
    #[test]
    #[cfg(all(debug_assertions, feature = "std", target_arch = "x86_64"))]
    fn streamed_rows_of_words_still_panic_on_overflow_in_debug_builds() {
        let mut products = vec![i64::MAX / 2 + 1; 2];
        let mut buf = [0i64; 3];
        let out = aligned_words(&mut buf, 2);
        let overflows = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            stream_times(&mut products, |_| 2, out)
        }));
        assert!(overflows.is_err());
    }

    #[test]
    fn tiles_scaled_give_the_products_of_mul() {
        use super::super::test_support::{same_scaled, scaled_operands};
        use crate::Scaled;
        /// Lanes of products 8 bytes past the start of their allocation:
        /// an output at 8 bytes from 16-byte alignment, where the
        /// allocation is aligned to 16.
        #[repr(C)]
        struct Shifted {
            pad: u64,
            lanes: [[Scaled<f64>; 2 * TILE]; LANES],
        }
        // Tiles in range (the products' exponents far apart), tiles with
        // one special factor in one lane, in one half or the other, and
        // tiles of mixed runs of every kind of special product and factor.
        let pow2 = |k: i32| f64::from_bits(((k + 1023) as u64) << 52);
        // A mantissa of 2^510: in range, but not once multiplied by 32.
        let big = Scaled::from(pow2(300)) * Scaled::from(pow2(210));
        let specials = [
            pow2(600),
            0.0,
            f64::MIN_POSITIVE / 9.0,
            pow2(-600),
            32.0,
            f64::NAN,
        ];
        let rounds = if cfg!(miri) { 6 } else { 36 };
        let (starts, factors) = scaled_operands(rounds * LANES * TILE);
        for round in 0..rounds {
            let special = (
                round / 3 % LANES,
                TILE / 2 * (round / 3 % 2) + round % 4,
                specials[round / 3 % 6],
            );
            let carry: [Scaled<f64>; LANES] = core::array::from_fn(|k| match round % 3 {
                0 | 1 if special.2 == 32.0 && k == special.0 => big,
                0 | 1 => Scaled::from(0.6 + 0.1 * k as f64) * Scaled::from(pow2(-700 - k as i32)),
                _ => starts[(round * LANES + k) * 5 % starts.len()],
            });
            let x: [[f64; TILE]; LANES] = core::array::from_fn(|k| {
                core::array::from_fn(|s| match round % 3 {
                    // Twice where it can: two steps of 2^600 overflow,
                    // two of 2^-600 underflow, unless renormalised.
                    1 if k == special.0 && (s == special.1 || s == special.1 + 1) => special.2,
                    0 | 1 => 1.375 - ((k + s + round) % 5) as f64 * 0.5,
                    _ => factors[((round * LANES + k) * TILE + s * 3) % factors.len()],
                })
            });
            let expected: [[Scaled<f64>; TILE]; LANES] = core::array::from_fn(|k| {
                let mut p = carry[k];
                core::array::from_fn(|s| {
                    p = p * Scaled::from(x[k][s]);
                    p
                })
            });
            let fill = Scaled::from(3.5);
            let mut shifted = alloc::boxed::Box::new(Shifted {
                pad: 0,
                lanes: [[fill; 2 * TILE]; LANES],
            });
            let mut fresh = vec![[fill; 2 * TILE]; LANES];
            for lanes in [&mut fresh[..], &mut shifted.lanes[..]] {
                let mut out = [0, 1, 2, 3].map(|_| &mut [][..]);
                for (o, lane) in out.iter_mut().zip(lanes.iter_mut()) {
                    *o = &mut lane[..];
                }
                let mut c = carry;
                let done = tiles_scaled(&mut c, x.each_ref(), &mut out, TILE / 2);
                assert_eq!(done, cfg!(target_arch = "x86_64"));
                if !done {
                    continue;
                }
                for (k, lane) in lanes.iter().enumerate() {
                    let at = TILE / 2;
                    for (s, (o, e)) in lane[at..at + TILE].iter().zip(&expected[k]).enumerate() {
                        assert!(
                            same_scaled(o, e),
                            "round {round}, lane {k}, step {s}: {o:?} against {e:?}"
                        );
                    }
                    assert!(same_scaled(&c[k], &expected[k][TILE - 1]));
                    assert!(lane[..at]
                        .iter()
                        .chain(&lane[at + TILE..])
                        .all(|o| o.to_float() == 3.5));
                }
            }
            assert_eq!(shifted.pad, 0);
        }
        // A tile beyond a lane's end, or of another type, is left to the
        // caller, untouched.
        let mut lanes = [[Scaled::from(3.5); TILE + 3]; LANES];
        let mut out = lanes.each_mut().map(|lane| &mut lane[..]);
        let mut c = [Scaled::from(2.0); LANES];
        assert!(!tiles_scaled(&mut c, [&[2.0; TILE]; LANES], &mut out, 4));
        assert!(lanes.iter().flatten().all(|o| o.to_float() == 3.5));
        assert!(c.iter().all(|c| c.to_float() == 2.0));
        let mut words = [[0.0f64; TILE]; LANES];
        let mut out = words.each_mut().map(|lane| &mut lane[..]);
        assert!(!tiles_scaled(
            &mut [1.0; LANES],
            [&[2.0; TILE]; LANES],
            &mut out,
            0
        ));
    }

    #[test]
    fn stream_times_scaled_gives_the_products_of_mul() {
        use super::super::test_support::{same_scaled, scaled_operands};
        use crate::Scaled;
        /// A block of products 8 bytes past the start of its allocation:
        /// an output at 8 bytes from 16-byte alignment, where the
        /// allocation is aligned to 16.
        #[repr(C)]
        struct Shifted {
            pad: u64,
            products: [Scaled<f64>; 61],
        }
        for len in [0, 1, 2, 3, 8, 61] {
            let (start, x) = scaled_operands(len);
            let expected: Vec<Scaled<f64>> = start
                .iter()
                .zip(&x)
                .map(|(p, x)| *p * Scaled::from(*x))
                .collect();
            let mut shifted = alloc::boxed::Box::new(Shifted {
                pad: 0,
                products: [Scaled::from(3.5); 61],
            });
            let mut fresh = vec![Scaled::from(3.5); len];
            for out in [&mut fresh[..], &mut shifted.products[..len]] {
                let aligned = out.as_ptr() as usize % 16 == 0;
                let mut products = start.clone();
                let done = stream_times_scaled(&mut products, &x, out);
                stream_fence();
                assert_eq!(done, aligned && cfg!(target_arch = "x86_64"));
                if done {
                    for (j, ((p, o), e)) in products.iter().zip(&*out).zip(&expected).enumerate() {
                        assert!(same_scaled(p, e), "len {len} at {j}: {p:?} against {e:?}");
                        assert!(same_scaled(o, e), "len {len} at {j}: {o:?} against {e:?}");
                    }
                } else {
                    assert!(products.iter().zip(&start).all(|(a, b)| same_scaled(a, b)));
                    assert!(out.iter().all(|o| o.to_float() == 3.5));
                }
            }
            assert_eq!(shifted.pad, 0);
        }
        // Other types and unequal lengths are left to the caller, unchanged.
        let (mut products, x) = scaled_operands(4);
        let before = products.clone();
        let mut out = [Scaled::from(3.5); 5];
        assert!(!stream_times_scaled(&mut products, &x, &mut out[..3]));
        assert!(!stream_times_scaled(&mut products[..3], &x, &mut out[..3]));
        assert!(!stream_times_scaled(&mut [1.0f64; 4], &x, &mut [0.0f64; 4]));
        assert!(products.iter().zip(&before).all(|(a, b)| same_scaled(a, b)));
        assert!(out.iter().all(|o| o.to_float() == 3.5));
    }

    /// Factors whose products take both paths of the integer kernels: in
    /// range, and estimated beyond [`Int64::SAFE`] though they do not
    /// overflow (2^31 times 2^31, 3 times 2^61, and the like), negative,
    /// zero and the extremes times one.
    fn int_operands(len: usize) -> (Vec<i64>, Vec<i64>) {
        let a = (0..len)
            .map(|j| match j % 13 {
                0 => 1 << 31,
                3 => -(1 << 40),
                5 => i64::MIN,
                7 => 0,
                _ => j as i64 * 7 - 300,
            })
            .collect();
        let b = (0..len)
            .map(|j| match j % 13 {
                0 => 1 << 31,
                3 => -(1 << 21) - 1,
                5 => 1,
                _ => 3 - j as i64 % 5,
            })
            .collect();
        (a, b)
    }

    #[test]
    fn integer_rows_give_the_products_of_mul() {
        let avx512 = has_avx512dq();
        for len in [0, 1, 7, 63, 64, 65, 200] {
            let (a, b) = int_operands(len);
            let expected: Vec<i64> = a.iter().zip(&b).map(|(a, b)| a * b).collect();
            // The portable loop, which the AVX-512 kernels compile.
            let mut row = a.clone();
            words_in_place(&mut row, &b);
            assert_eq!(row, expected, "len {len}");
            let mut out = vec![5; len];
            words_into(&mut out, &a, &b);
            assert_eq!(out, expected, "len {len}");
            // Through the dispatch: the AVX-512 kernels where the processor
            // has them and rows of 64 or more, else nothing.
            let fast = avx512 && len >= 64;
            let mut row = a.clone();
            assert_eq!(times_words(&mut row, &b), fast);
            assert_eq!(&row, if fast { &expected } else { &a });
            let mut out = vec![5; len];
            assert_eq!(times_words_into(&mut out, &a, &b), fast);
            assert_eq!(out, if fast { expected.clone() } else { vec![5; len] });
            // u64, the same operands as bits; their products wrap, so
            // compare with `wrapping_mul`.
            let (ua, ub): (Vec<u64>, Vec<u64>) = (
                a.iter().map(|&x| x.unsigned_abs() >> 1).collect(),
                b.iter().map(|&x| x.unsigned_abs()).collect(),
            );
            let expected: Vec<u64> = ua.iter().zip(&ub).map(|(a, b)| a * b).collect();
            let mut row = ua.clone();
            words_in_place(&mut row, &ub);
            assert_eq!(row, expected);
            let mut row = ua.clone();
            assert_eq!(times_words(&mut row, &ub), fast);
            assert_eq!(&row, if fast { &expected } else { &ua });
        }
        // Other types, and inputs of another type, are left to the caller.
        assert!(!times_words(&mut [2.0f64; 4], &[3.0f64; 4]));
        assert!(!times_words(&mut [2i32; 4], &[3i32; 4]));
        assert!(!times_words(&mut [2i64; 4], &[3u64; 4]));
    }

    #[test]
    fn stream_times_words_multiplies_and_streams_integer_rows() {
        let avx512 = has_avx512dq();
        for len in [0, 8, 64, 200] {
            let (start, x) = int_operands(len);
            let expected: Vec<i64> = start.iter().zip(&x).map(|(a, b)| a * b).collect();
            // Outputs at each 8-byte offset from 16-byte alignment.
            for offset in [0, 1] {
                let mut buf = vec![5i64; len + 2];
                let at = (offset + (buf.as_ptr() as usize % 16) / 8) % 2;
                let out = &mut buf[at..at + len];
                let aligned = out.as_ptr() as usize % 16 == 0;
                let mut products = start.clone();
                let done = stream_times_words(&mut products, &x, out);
                stream_fence();
                assert_eq!(done, avx512 && aligned, "len {len}");
                if done {
                    assert_eq!(products, expected, "len {len}");
                    assert_eq!(&buf[at..at + len], &expected[..]);
                } else {
                    assert_eq!(products, start);
                    assert!(buf[at..at + len].iter().all(|&v| v == 5));
                }
                assert!(buf[..at].iter().chain(&buf[at + len..]).all(|&v| v == 5));
            }
        }
        // Lengths that are not a multiple of 8, other types, unequal lengths.
        let (mut products, x) = int_operands(12);
        assert!(!stream_times_words(&mut products, &x, &mut [0i64; 12]));
        assert!(!stream_times_words(
            &mut products[..8],
            &x[..8],
            &mut [0i64; 16][..9]
        ));
        assert!(!stream_times_words(
            &mut [1u64; 8],
            &[2u64; 8],
            &mut [0u64; 8]
        ));
        assert!(!stream_times_words(
            &mut [1.0f64; 8],
            &[2.0f64; 8],
            &mut [0.0f64; 8]
        ));
    }

    /// The streamed integer rows too, where the processor has AVX-512.
    #[test]
    #[cfg(all(debug_assertions, feature = "std"))]
    fn streamed_integer_rows_still_panic_on_overflow_in_debug_builds() {
        if !has_avx512dq() {
            return;
        }
        let mut products = vec![i64::MAX / 2 + 1; 16];
        let mut buf = [0i64; 17];
        let out = aligned_words(&mut buf, 16);
        let overflows = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            stream_times_words(&mut products, &[2i64; 16], out)
        }));
        assert!(overflows.is_err());
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "overflow")]
    fn integer_rows_still_panic_on_overflow_in_debug_builds() {
        let mut row = vec![i64::MAX / 2 + 1; 64];
        words_in_place(&mut row, &[2; 64]);
    }

    #[test]
    fn stream_times_keeping_writes_the_kept_values_in_their_slots() {
        // Kept: none of a pair, the first, the second, both (NaN among them).
        let kept = |j: usize| match j % 8 {
            2 | 5 | 6 => Some(-7.0 - j as f64),
            7 => Some(f64::NAN),
            _ => None,
        };
        let factor = |j: usize| 1.0 + j as f64 * 0.25;
        let start: Vec<f64> = (0..16).map(|j| 2.0 - j as f64 * 0.5).collect();
        let bits = |x: f64| if x.is_nan() { u64::MAX } else { x.to_bits() };
        let mut buf = [3.5f64; 18];
        let at = (buf.as_ptr() as usize % 16) / 8;
        let mut products = start.clone();
        let done = stream_times_keeping(&mut products, factor, kept, &mut buf[at..at + 16]);
        stream_fence();
        assert_eq!(done, cfg!(target_arch = "x86_64"));
        if !done {
            return;
        }
        for j in 0..16 {
            // The product goes on whether or not the element is kept.
            assert_eq!(products[j].to_bits(), (start[j] * factor(j)).to_bits());
            let expected = kept(j).unwrap_or(products[j]);
            assert_eq!(bits(buf[at + j]), bits(expected), "slot {j}");
        }
        assert!(buf[..at].iter().chain(&buf[at + 16..]).all(|&x| x == 3.5));
    }

    /// `stream_scan` against the plain running product, for `f64` (special
    /// values included, NaN compared as "is NaN") and the 8-byte integers,
    /// at both 8-byte offsets from 16-byte alignment.
    #[test]
    fn stream_scan_continues_the_running_product() {
        fn check<T>(factor: impl Fn(usize) -> T, start: T, fill: T, key: impl Fn(&T) -> u64)
        where
            T: Copy + core::ops::Mul<Output = T> + PartialEq + core::fmt::Debug,
        {
            for len in [0, 2, 8, 20] {
                let factors: Vec<T> = (0..len).map(&factor).collect();
                let mut expected = Vec::new();
                let mut p = start;
                for &x in &factors {
                    p = p * x;
                    expected.push(p);
                }
                for offset in [0, 1] {
                    let mut buf = vec![fill; len + 2];
                    let at = offset + (buf.as_ptr() as usize % 16) / 8;
                    let mut carry = start;
                    let out = &mut buf[at..at + len];
                    let aligned = out.as_ptr() as usize % 16 == 0;
                    let done = stream_scan(&mut carry, &factors, out);
                    stream_fence();
                    assert_eq!(done, aligned && cfg!(target_arch = "x86_64"));
                    let keys = |x: &[T]| x.iter().map(&key).collect::<Vec<_>>();
                    if done {
                        assert_eq!(keys(&buf[at..at + len]), keys(&expected), "len {len}");
                        assert_eq!(key(&carry), key(expected.last().unwrap_or(&start)));
                    } else {
                        assert_eq!(key(&carry), key(&start));
                        assert!(buf[at..at + len].iter().all(|&x| x == fill));
                    }
                    assert!(buf[..at].iter().chain(&buf[at + len..]).all(|&x| x == fill));
                }
            }
        }
        let special = |j: usize| match j % 9 {
            0 => f64::INFINITY,
            3 => -0.0,
            5 => f64::MIN_POSITIVE / 7.0,
            7 => -1.5,
            _ => 1.0 + j as f64 * 0.0625,
        };
        let nan_free = |x: &f64| if x.is_nan() { u64::MAX } else { x.to_bits() };
        check(special, 0.75, 3.5, nan_free);
        check(|j| 1.0 + j as f64 * 0.0625, -2.0, 3.5, nan_free);
        check(|j| [3_i64, -1, 2, 1][j % 4], 5, 7, |&x| x as u64);
        check(|j| [3_u64, 1, 2, 1][j % 4], 5, 7, |&x| x);
        // Odd and unequal lengths and other types are left to the caller.
        let mut carry = 2.0f64;
        let mut out = [0.0f64; 4];
        assert!(!stream_scan(&mut carry, &[1.0; 3], &mut out[..3]));
        assert!(!stream_scan(&mut carry, &[1.0; 2], &mut out[..4]));
        assert!(!stream_scan(&mut 2.0f32, &[1.0; 2], &mut [0.0f32; 2]));
        assert!(!stream_scan(&mut 2_u32, &[1; 2], &mut [0_u32; 2]));
        assert_eq!((carry, out), (2.0, [0.0; 4]));
    }

    /// `stream_two` writes the pair in order at both 8-byte offsets where it
    /// can, and refuses the rest without writing.
    #[test]
    fn stream_two_writes_a_pair_where_it_can() {
        let mut buf = [0.0f64; 5];
        for at in 0..2 {
            let out = &mut buf[at..at + 2];
            let aligned = out.as_ptr() as usize % 16 == 0;
            let done = stream_two(out, -0.5, f64::INFINITY);
            stream_fence();
            assert_eq!(done, aligned && cfg!(target_arch = "x86_64"));
            let expected = if done {
                [-0.5, f64::INFINITY]
            } else {
                [0.0, 0.0]
            };
            assert_eq!(buf[at..at + 2], expected);
            buf = [0.0; 5];
        }
        let mut ints = [0_i64; 4];
        let at = (ints.as_ptr() as usize % 16) / 8;
        assert_eq!(
            stream_two(&mut ints[at..at + 2], i64::MIN, -1),
            streams_pairs::<i64>()
        );
        stream_fence();
        if streams_pairs::<i64>() {
            assert_eq!(ints[at..at + 2], [i64::MIN, -1]);
        }
        assert!(!stream_two(&mut ints[..3], 1, 2));
        assert!(!stream_two(&mut [0.0f32; 4][..2], 1.0, 2.0));
        assert!(!streams_pairs::<f32>() && !streams_pairs::<u128>());
        assert_eq!(streams_pairs::<u64>(), cfg!(target_arch = "x86_64"));
    }

    /// [`stream_transpose`] against a plain loop: shapes on and off the
    /// registers (4 rows) and the runs ([`TRANSPOSE_COLUMNS`] columns),
    /// empty ones, padded columns and rows, outputs whose rows start on 16
    /// bytes (streaming stores) and one element past (plain stores); the
    /// elements around and between the output rows are left as they were.
    /// Refused (nothing written): other types, two different types,
    /// ranges beyond either slice, and a processor without AVX2.
    #[test]
    fn stream_transpose_matches_the_reference_loop() {
        fn check<T: Copy + PartialEq + core::fmt::Debug + 'static>(
            value: impl Fn(usize) -> T,
            untouched: T,
        ) -> usize {
            let mut transposed = 0;
            // Under Miri, which takes seconds for each, the shapes off both
            // edges, an empty one and one of each padding.
            type Pairs = &'static [(usize, usize)];
            let (shapes, pads): (Pairs, Pairs) = if cfg!(miri) {
                (&[(7, 33), (9, 70), (0, 5)], &[(0, 0), (1, 1)])
            } else {
                (
                    &[
                        (4, 32),
                        (7, 33),
                        (9, 70),
                        (1, 31),
                        (12, 64),
                        (0, 5),
                        (5, 0),
                        (3, 96),
                    ],
                    &[(0, 0), (3, 2), (1, 1)],
                )
            };
            for &(nx, ny) in shapes {
                for &(pad_y, pad_x) in pads {
                    let (sy, dx) = (nx + pad_y, ny + pad_x);
                    let src: Vec<T> = (0..sy * ny).map(&value).collect();
                    for offset in [0, 1] {
                        let mut buffer = vec![untouched; offset + dx * nx + 3];
                        let out = &mut buffer[offset..];
                        let done = stream_transpose(&src, sy, out, dx, (nx, ny), &|x: &T| *x);
                        stream_fence();
                        assert_eq!(done, has_avx2(), "{nx} x {ny}");
                        if !done {
                            assert!(buffer.iter().all(|&v| v == untouched));
                            continue;
                        }
                        transposed += 1;
                        let mut expected = vec![untouched; buffer.len()];
                        for x in 0..nx {
                            for y in 0..ny {
                                expected[offset + x * dx + y] = src[y * sy + x];
                            }
                        }
                        assert_eq!(
                            buffer, expected,
                            "{nx} x {ny}, pads {pad_y} {pad_x}, offset {offset}"
                        );
                    }
                }
            }
            transposed
        }
        let floats = check(|k| k as f64 * 0.5 - 7.0, f64::MAX);
        let words = check(|k| (k as i64) * -3, i64::MIN);
        if !cfg!(miri) {
            assert_eq!(check(|k| k as u64, u64::MAX), words);
        }
        if has_avx2() {
            assert!(floats >= 12 && words == floats, "{floats} {words}");
        }
        // A NaN's payload crosses as it is.
        let nan = f64::from_bits(0x7ff8_dead_beef_0001);
        let src = [nan; 4 * TRANSPOSE_COLUMNS];
        let mut out = [0.0; 4 * TRANSPOSE_COLUMNS];
        if stream_transpose(
            &src,
            4,
            &mut out,
            TRANSPOSE_COLUMNS,
            (4, TRANSPOSE_COLUMNS),
            &|x| *x,
        ) {
            assert!(out.iter().all(|x| x.to_bits() == nan.to_bits()));
        }

        let src = [1.0_f32; 4 * TRANSPOSE_COLUMNS];
        let mut out = [0.0_f32; 4 * TRANSPOSE_COLUMNS];
        assert!(!stream_transpose(
            &src,
            4,
            &mut out,
            TRANSPOSE_COLUMNS,
            (4, TRANSPOSE_COLUMNS),
            &|x| *x
        ));
        let src = [1_u64; 4 * TRANSPOSE_COLUMNS];
        let mut out = [0_i64; 4 * TRANSPOSE_COLUMNS];
        assert!(!stream_transpose(
            &src,
            4,
            &mut out,
            TRANSPOSE_COLUMNS,
            (4, TRANSPOSE_COLUMNS),
            &|&x| x as i64
        ));
        let src = [1.0; 4 * TRANSPOSE_COLUMNS];
        let mut out = [0.0; 4 * TRANSPOSE_COLUMNS];
        // One element short of the last column, and of the last row.
        assert!(!stream_transpose(
            &src[1..],
            4,
            &mut out,
            TRANSPOSE_COLUMNS,
            (4, TRANSPOSE_COLUMNS),
            &|x| *x
        ));
        assert!(!stream_transpose(
            &src,
            4,
            &mut out[1..],
            TRANSPOSE_COLUMNS,
            (4, TRANSPOSE_COLUMNS),
            &|x| *x
        ));
        assert!(!stream_transpose(
            &src,
            usize::MAX,
            &mut out,
            TRANSPOSE_COLUMNS,
            (4, 2),
            &|x| *x
        ));
        #[cfg(feature = "std")]
        assert!(!without_avx2(|| {
            stream_transpose(
                &src,
                4,
                &mut out,
                TRANSPOSE_COLUMNS,
                (4, TRANSPOSE_COLUMNS),
                &|x| *x,
            )
        }));
        assert!(out.iter().all(|&x| x == 0.0));
    }

    /// A prefetch changes nothing, in or out of bounds, empty or not.
    #[test]
    fn prefetch_is_only_a_hint() {
        let values: Vec<u8> = (0..=255).collect();
        for range in [0..0, 0..256, 3..200, 250..400, 300..500] {
            prefetch(&values, range);
        }
        prefetch(&values[1..], 0..255);
        assert!(values.iter().enumerate().all(|(i, &v)| v as usize == i));
    }

    #[test]
    fn stream_tiles_leaves_other_types_and_short_lanes_to_the_caller() {
        let mut buf = [[0.0f64; 2 * TILE]; LANES];
        let mut out = buf.each_mut().map(|lane| &mut lane[..]);
        let mut carry = [1.0; LANES];
        // Lanes too short for a tile at `at`.
        assert!(!stream_tiles(&mut carry, |_, _| 2.0, &mut out, TILE + 2));
        let mut ints = [[0i32; TILE]; LANES];
        let mut out = ints.each_mut().map(|lane| &mut lane[..]);
        assert!(!stream_tiles(&mut [1i32; LANES], |_, _| 2, &mut out, 0));
        let mut floats = [[0.0f32; TILE]; LANES];
        let mut out = floats.each_mut().map(|lane| &mut lane[..]);
        assert!(!stream_tiles(&mut [1.0f32; LANES], |_, _| 2.0, &mut out, 0));
        assert_eq!(carry, [1.0; LANES]);
        assert!(buf.iter().flatten().all(|&x| x == 0.0));
        assert!(floats.iter().flatten().all(|&x| x == 0.0));
        assert!(ints.iter().flatten().all(|&x| x == 0));
    }

    #[test]
    #[should_panic(expected = "stream_copy needs equal lengths")]
    fn stream_copy_refuses_different_lengths() {
        stream_copy(&[1.0f64, 2.0], &mut [0.0f64; 3]);
    }

    #[test]
    fn only_whole_huge_pages_inside_the_range_are_advised() {
        const H: usize = HUGE_PAGE;
        // Aligned: every whole page.
        assert_eq!(whole_huge_pages(4 * H, 3 * H), Some((0, 3 * H)));
        assert_eq!(whole_huge_pages(4 * H, 3 * H + 5), Some((0, 3 * H)));
        // Not aligned: from the next boundary, whole pages only.
        assert_eq!(whole_huge_pages(4 * H + 16, 3 * H), Some((H - 16, 2 * H)));
        assert_eq!(whole_huge_pages(4 * H - 1, 2 * H + 1), Some((1, 2 * H)));
        // No whole page inside.
        assert_eq!(whole_huge_pages(4 * H + 16, 2 * H - 32), None);
        assert_eq!(whole_huge_pages(4 * H + 16, H), None);
        assert_eq!(whole_huge_pages(4 * H + 16, 0), None);
        assert_eq!(whole_huge_pages(0, H - 1), None);
    }

    #[test]
    fn advice_leaves_the_vector_as_it_is() {
        // Capacity enough to be advised (of 4 KiB elements, so that a few
        // values are quick to write under Miri), before and after values
        // are in it.
        type Page = [u64; 512];
        let capacity = MIN_BYTES / core::mem::size_of::<Page>() + 1;
        let mut v: Vec<Page> = Vec::with_capacity(capacity);
        advise(&mut v);
        assert!(v.is_empty());
        assert_eq!(v.capacity(), capacity);
        v.extend((0..3u64).map(|i| core::array::from_fn(|j| i * 1000 + j as u64)));
        advise(&mut v);
        assert_eq!(v.len(), 3);
        for (i, page) in v.iter().enumerate() {
            assert!(page
                .iter()
                .enumerate()
                .all(|(j, &x)| x == i as u64 * 1000 + j as u64));
        }
        // Small, and of zero-sized elements: nothing to do.
        let mut small = vec![1u8; 100];
        advise(&mut small);
        assert_eq!(small, vec![1u8; 100]);
        let mut units: Vec<()> = Vec::with_capacity(1 << 30);
        advise(&mut units);
        assert!(units.is_empty());
    }
}
