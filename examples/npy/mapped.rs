//! Memory maps of the input and output files: the example's only unsafe
//! code.
//!
//! Both files are mapped whole (`memmap2`), so that `ndarray-npy` gives
//! ordinary array views of them, and the pages that a chunk has used are
//! handed back to the kernel after each chunk ([`Input::release`],
//! [`Pages::release`]), so that the memory the process holds stays about
//! one chunk's size, whatever the file's.

use std::fs::File;
use std::io;

use memmap2::{Advice, Mmap, MmapRaw, UncheckedAdvice};

/// A read-only map of the input file.
pub struct Input(Mmap);

impl Input {
    /// Maps `file`, which must stay unchanged while the map lives.
    pub fn open(file: &File) -> io::Result<Self> {
        // SAFETY: the map is only read. Another process truncating or
        // writing the file while it is mapped would change the bytes under
        // the views (a truncation raises SIGBUS); that is the contract of
        // every memory-mapped read, NumPy's `mmap_mode="r"` included, and the
        // example's documentation says so.
        let map = unsafe { Mmap::map(file)? };
        // A hint only: the file is read in order, chunk after chunk.
        let _ = map.advise(Advice::Sequential);
        Ok(Input(map))
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// Drops this process's mappings of the pages read so far; they stay in
    /// the page cache, and a later read maps them again, unchanged.
    pub fn release(&self) {
        // SAFETY: `MADV_DONTNEED` on a shared, file-backed, read-only map
        // only removes page-table entries: the next access reads the same
        // bytes from the file (or the page cache) again, so the views of
        // these bytes see no change.
        let _ = unsafe { self.0.unchecked_advise(UncheckedAdvice::DontNeed) };
    }
}

/// A writable, shared map of the output file.
pub struct Output(MmapRaw);

impl Output {
    /// Maps `file`, opened for reading and writing, at its current length.
    pub fn create(file: &File) -> io::Result<Self> {
        MmapRaw::map_raw(file).map(Output)
    }

    /// The file's bytes, writable, and a handle on the map that can write
    /// it back and hand back its pages meanwhile.
    pub fn bytes(&mut self) -> (&mut [u8], Pages<'_>) {
        let (ptr, len) = (self.0.as_mut_ptr(), self.0.len());
        let bytes = if len == 0 {
            &mut []
        } else {
            // SAFETY: `ptr` is the start of a live read-write map of `len`
            // bytes, which lives as long as `self` (the returned borrow ties
            // the slice to `self`); the bytes are not part of `self`, and
            // are written only through this slice: `&mut self` keeps another
            // one from being made meanwhile, and the handle only makes
            // system calls on the range (`msync`, `madvise`).
            unsafe { std::slice::from_raw_parts_mut(ptr, len) }
        };
        (bytes, Pages(&self.0))
    }
}

/// A handle on the output map while its bytes are borrowed.
pub struct Pages<'m>(&'m MmapRaw);

impl Pages<'_> {
    /// Writes the map back to the file (`msync`).
    pub fn flush(&self) -> io::Result<()> {
        self.0.flush()
    }

    /// Drops this process's mappings of the pages written so far; their
    /// contents stay in the page cache (written back to the file in time),
    /// and a later access maps them again, unchanged.
    pub fn release(&self) {
        // SAFETY: the map is a shared mapping of a file, so `MADV_DONTNEED`
        // only removes page-table entries; the written pages stay in the
        // page cache, marked dirty, and the next access maps the same bytes
        // again (unlike a private or anonymous map, which it would zero).
        let _ = unsafe { self.0.unchecked_advise(UncheckedAdvice::DontNeed) };
    }
}

/// Something that hands back the pages of the maps after a chunk.
pub trait Release {
    /// Hands back the pages used so far.
    fn release(&self);
}

/// The input and output maps of one run.
pub struct Both<'m>(pub &'m Input, pub Pages<'m>);

impl Release for Both<'_> {
    fn release(&self) {
        self.0.release();
        self.1.release();
    }
}
