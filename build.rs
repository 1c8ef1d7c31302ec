//! Kernels that need a newer compiler than the crate's MSRV are compiled
//! only where the compiler has what they need.

fn main() {
    let ac = autocfg::new();
    // The AVX-512 kernels of the 64-bit integer rows: the `avx512f` and
    // `avx512dq` target features are stable from Rust 1.89. With an older
    // compiler those rows keep the portable loop.
    autocfg::emit_possibility("avx512_kernels");
    if ac.probe_rustc_version(1, 89) {
        autocfg::emit("avx512_kernels");
    }
    autocfg::rerun_path("build.rs");
}
