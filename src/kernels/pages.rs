//! Transparent huge pages for the large arrays that the allocating methods
//! create (cargo feature `huge-pages`, on Linux): the one module of the crate
//! with `unsafe` code, a call to `madvise`.
//!
//! A new array of 64 MiB is 16,384 pages of 4 KiB, and the first write to
//! each page costs a fault in the kernel: most of the time of `to_owned`, and
//! of an allocating scan, goes there (measured, 64 MiB f64: 32-34 ms to fill
//! a new vector, 8 ms with huge pages; a copy into an existing array, 5.5 ms).
//! Advised with `MADV_HUGEPAGE`, the kernel backs the allocation with pages of
//! 2 MiB where it can, as NumPy asks for its arrays of 4 MiB or more.
//! Advice never changes the contents of memory; a kernel that does not
//! follow it (huge pages off, or none free) leaves the pages as they are.

#![allow(unsafe_code)]

use alloc::vec::Vec;

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

#[cfg(test)]
mod tests {
    use alloc::vec;

    use super::*;

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
