//! The integration tests that run in the debug build only, as one test
//! binary: each file directly under `tests/` is a binary of its own, with its
//! own copies of the crate's generic kernels for every element type it uses,
//! and one binary compiles those once (on a 2-core machine, these eleven
//! files built in about a quarter of the time they took as eleven binaries).
//!
//! Run one file's tests with its module name as the filter, for instance
//! `cargo test --test suite family_golden::`.
//!
//! The suites that CI also runs elsewhere are binaries of their own, so that
//! those steps build only what they run: `optimised` (golden data, `Scaled`
//! and large elements, also in an optimised build), `properties` and
//! `edge_cases` (with Rust 1.81 and without `std`), `array_ref`, `downstream`
//! and `seed_examples` (under Miri), and `parallel` (with the `rayon`
//! feature).

#[path = "../common/mod.rs"]
mod common;

mod alloc;
mod contract;
mod family;
mod family_golden;
mod grouped_golden;
mod large_outputs;
mod npy;
mod operands;
mod panics;
mod receivers;
mod surface;
