//! The integration tests that CI also runs in an optimised build, where the
//! streamed kernels and the `Scaled` tiles run as they do in release builds,
//! as one test binary (see `tests/suite/main.rs` for why one): NumPy's
//! records (`golden`), mpmath's scaled products (`scaled`), large
//! elements on the stack (`large_elements`) and the stack that the scans of
//! large outputs need (`stack`).
//!
//! Run one file's tests with its module name as the filter, for instance
//! `cargo test --test optimised scaled::`.

#[path = "../common/mod.rs"]
mod common;

mod golden;
mod large_elements;
mod scaled;
mod stack;
