//! NumPy's `cumprod` for every [`ndarray`] array, through one extension trait.
//!
//! ```
//! use ndarray::{array, Axis};
//! use ndarray_cumprod::CumprodExt;
//!
//! let b = array![[1, 2, 3], [4, 5, 6]];
//! assert_eq!(b.cumprod_axis(Axis(1)), array![[1, 2, 6], [4, 20, 120]]);
//! assert_eq!(b.cumprod_flat(), array![1, 2, 6, 24, 120, 720]);
//! ```
//!
//! [`CumprodExt`] is implemented for every [`ArrayBase`](ndarray::ArrayBase): owned
//! arrays, views, mutable views, `ArcArray` and `CowArray`, of any dimension
//! (`Ix0` to `Ix6` and `IxDyn`) and any memory layout (C, F, sliced with steps,
//! reversed axes), and for ndarray 0.17's [`ArrayRef`](ndarray::ArrayRef), the
//! type behind `&ArrayRef2<f64>` function arguments. Import the trait and call
//! its methods with method syntax.
//!
//! # NumPy's own examples
//!
//! The examples of NumPy's reference page for `ndarray.cumprod`, with the values
//! it prints (`cargo run --example numpy_examples` prints them NumPy's way):
//!
//! ```
//! use ndarray::{array, Axis};
//! use ndarray_cumprod::CumprodExt;
//!
//! // Example 1: np.array([1, 2, 3, 4]).cumprod()  ->  [ 1  2  6 24]
//! let a = array![1, 2, 3, 4];
//! assert_eq!(a.cumprod_flat(), array![1, 2, 6, 24]);
//!
//! // Example 2: b.cumprod(axis=1) and b.cumprod(axis=0)
//! let b = array![[1, 2, 3], [4, 5, 6]];
//! assert_eq!(b.cumprod_axis(Axis(1)), array![[1, 2, 6], [4, 20, 120]]);
//! assert_eq!(b.cumprod_axis(Axis(0)), array![[1, 2, 3], [4, 10, 18]]);
//!
//! // Codebyte example: flattened, then along each axis
//! let a = array![[2, 3, 4], [5, 6, 7]];
//! assert_eq!(a.cumprod_flat(), array![2, 6, 24, 120, 720, 5040]);
//! assert_eq!(a.cumprod_axis(Axis(0)), array![[2, 3, 4], [10, 18, 28]]);
//! assert_eq!(a.cumprod_axis(Axis(1)), array![[2, 6, 24], [5, 30, 210]]);
//! ```
//!
//! # Porting NumPy code
//!
//! Import the trait and [`Cumprod`], then:
//!
//! | NumPy, TensorFlow, JAX | this crate | returns |
//! |---|---|---|
//! | `np.cumprod(a)` / `a.cumprod()` | [`a.cumprod_flat()`](CumprodExt::cumprod_flat) | `Array1<A>` |
//! | `np.cumprod(a, axis=k)` | [`a.cumprod_axis(Axis(k))`](CumprodExt::cumprod_axis) | `Array<A, D>` |
//! | `np.cumprod(a, dtype=T)` | [`a.cumprod_flat_as::<T>()`](CumprodExt::cumprod_flat_as) | `Array1<T>` |
//! | `np.cumprod(a, axis=k, dtype=T)` | [`a.cumprod_axis_as::<T>(Axis(k))`](CumprodExt::cumprod_axis_as) | `Array<T, D>` |
//! | `np.cumprod(a, out=o)` | [`a.cumprod_flat_into(&mut o)`](CumprodExt::cumprod_flat_into) | `Result<(), CumprodError>` |
//! | `np.cumprod(a, axis=k, out=o)` | [`a.cumprod_axis_into(Axis(k), &mut o)`](CumprodExt::cumprod_axis_into) | `Result<(), CumprodError>` |
//! | `np.cumprod(a, axis=k, out=a)` | [`a.cumprod_axis_inplace(Axis(k))`](CumprodExt::cumprod_axis_inplace) | `()` |
//! | `np.nancumprod(a)` | [`a.nancumprod_flat()`](CumprodExt::nancumprod_flat) | `Array1<A>` |
//! | `np.nancumprod(a, axis=k)` | [`a.nancumprod_axis(Axis(k))`](CumprodExt::nancumprod_axis) | `Array<A, D>` |
//! | `np.nancumprod(a, dtype=T)` | [`a.nancumprod_flat_as::<T>()`](CumprodExt::nancumprod_flat_as) | `Array1<T>` |
//! | `np.nancumprod(a, axis=k, dtype=T)` | [`a.nancumprod_axis_as::<T>(Axis(k))`](CumprodExt::nancumprod_axis_as) | `Array<T, D>` |
//! | `np.nancumprod(a, out=o)` | [`a.nancumprod_flat_into(&mut o)`](CumprodExt::nancumprod_flat_into) | `Result<(), CumprodError>` |
//! | `np.nancumprod(a, axis=k, out=o)` | [`a.nancumprod_axis_into(Axis(k), &mut o)`](CumprodExt::nancumprod_axis_into) | `Result<(), CumprodError>` |
//! | `np.nancumprod(a, axis=k, out=a)` | [`a.nancumprod_axis_inplace(Axis(k))`](CumprodExt::nancumprod_axis_inplace) | `()` |
//! | `np.cumulative_prod(a, axis=k)` | [`a.cumprod_axis(Axis(k))`](CumprodExt::cumprod_axis) | `Array<A, D>` |
//! | `np.cumulative_prod(a, axis=k, include_initial=True)` | [`a.cumprod_with(Cumprod::along(Axis(k)).include_initial())`](CumprodExt::cumprod_with) | `Array<A, D>` |
//! | `np.cumulative_prod(a, axis=k, dtype=T, include_initial=True)` | [`a.cumprod_with_as::<T>(Cumprod::along(Axis(k)).include_initial())`](CumprodExt::cumprod_with_as) | `Array<T, D>` |
//! | `np.flip(np.cumprod(np.flip(a, k), axis=k), k)` | [`a.cumprod_with(Cumprod::along(Axis(k)).reverse())`](Cumprod::reverse) | `Array<A, D>` |
//! | `tf.math.cumprod(a, k, exclusive=True)` | [`a.cumprod_with(Cumprod::along(Axis(k)).exclusive())`](Cumprod::exclusive) | `Array<A, D>` |
//! | `tf.math.cumprod(a, k, reverse=True)`, `jax.lax.cumprod(a, k, reverse=True)` | [`a.cumprod_with(Cumprod::along(Axis(k)).reverse())`](Cumprod::reverse) | `Array<A, D>` |
//! | `tf.math.cumprod(a, k, exclusive=True, reverse=True)` | `a.cumprod_with(Cumprod::along(Axis(k)).reverse().exclusive())` | `Array<A, D>` |
//!
//! Things that work as in NumPy:
//!
//! - **Results to the bit.** Each lane is multiplied left to right as
//!   `previous * current`, the order NumPy uses; the tests replay data generated
//!   by NumPy and compare floating-point results bit for bit, signed zeros and
//!   infinities included. A NaN is a NaN where NumPy has one; its sign and payload
//!   bits are unspecified in Rust, as in C, and may differ.
//! - **`axis=None` flattens in logical (row-major) order**, whatever the memory
//!   layout.
//! - **Layout of results.** The allocating axis methods keep the memory order of
//!   a contiguous input (F in, F out); other inputs give a standard-layout result.
//! - **`dtype`.** NumPy silently multiplies `bool` and integers narrower than 64
//!   bits in `int64`/`uint64`; here the element type stays `A` unless you ask for
//!   another with the `_as` methods or an `out` of another type, e.g.
//!   `a.cumprod_axis_as::<i64>(Axis(0))` for an `i8` array. Conversions are the
//!   lossless ones of [`Into`]; lossy ones are the caller's `mapv`.
//! - **`out`** is any array or view of the result's shape (`&mut o`), or an
//!   `&mut ArrayRef`. Because its element type may differ from the input's, a new
//!   output needs its type written once: `Array::<f64, _>::zeros(a.raw_dim())`
//!   (with `Array::zeros(a.raw_dim())` alone, the compiler asks for a type
//!   annotation, error E0283).
//!
//! Things that differ, on purpose:
//!
//! - **Integer overflow** follows Rust: a debug build panics, a release build
//!   wraps. Use [`Wrapping`](core::num::Wrapping) elements for NumPy's wrapping in
//!   every build, or [`cumprod_checked`](CumprodExt::cumprod_checked) for an error.
//! - **An axis on a 0-d array is out of bounds**, as everywhere in ndarray.
//!   NumPy 2.4 treats a 0-d input as 1-d when given `axis=0`;
//!   [`cumprod_flat`](CumprodExt::cumprod_flat) gives that result.
//! - **Bad input** to the `_into` and checked methods is a [`CumprodError`] and
//!   leaves `out` untouched; the allocating and in-place methods panic with
//!   NumPy's message, as ndarray's own `sum_axis` does.
//! - **No method is called `cumprod`.** ndarray 0.17 has an inherent
//!   `cumprod(axis)` method, and inherent methods win method resolution, so a
//!   trait method of that name could never be called with method syntax. Compared
//!   with ndarray's `cumprod`, this crate adds `axis=None`, `dtype` and `out`,
//!   takes `A: Clone + Mul` (not `MulAssign`), multiplies `previous * current`
//!   (ndarray computes `current * previous`), and writes its result in one pass.
//!
//! # Beyond NumPy
//!
//! A [`Cumprod`] value describes the scans NumPy lacks: [`reverse`](Cumprod::reverse),
//! [`exclusive`](Cumprod::exclusive), [`include_initial`](Cumprod::include_initial),
//! an [`initial`](Cumprod::initial) value and per-lane [`carry`](Cumprod::carry)
//! values for chunked data. Three families of methods take it, by value or by
//! reference, each in an allocating, a converting (`_as`), an `_into` and an
//! in-place form: [`cumprod_with`](CumprodExt::cumprod_with) (any
//! `Clone + Mul + One` element), [`nancumprod_with`](CumprodExt::nancumprod_with)
//! (NaN counts as one, [`NanAware`]) and
//! [`cumprod_checked`](CumprodExt::cumprod_checked) (overflow is an error).
//! [`cumprod_axis_grad`](CumprodExt::cumprod_axis_grad) gives the gradient.
//!
//! ```
//! use ndarray::{array, Axis};
//! use ndarray_cumprod::{Cumprod, CumprodExt};
//!
//! let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
//! let along = Cumprod::along(Axis(1));
//! assert_eq!(a.cumprod_with(along.reverse()), array![[6.0, 6.0, 3.0], [120.0, 30.0, 6.0]]);
//! assert_eq!(a.cumprod_with(along.exclusive()), array![[1.0, 1.0, 2.0], [1.0, 4.0, 20.0]]);
//!
//! // The same options on an integer array, in a wider type.
//! let counts = array![[1_i32, 2, 3], [4, 5, 6]];
//! assert_eq!(
//!     counts.cumprod_with_as::<i64>(along.include_initial()),
//!     array![[1, 1, 2, 6], [1, 4, 20, 120]]
//! );
//! ```
//!
//! The same options also give the scans that no peer has on n-d arrays:
//! grouped ([`groups`](Cumprod::groups): pandas' `groupby(key).cumprod()`,
//! with [`factorize()`] for codes from any keys), segmented
//! ([`segments`](Cumprod::segments): a new product at each flagged
//! element), masked ([`mask`](Cumprod::mask): NumPy's missing `where=`), and
//! pandas' NaN rule ([`keep_nan`](Cumprod::keep_nan)). The element type
//! [`Scaled`] keeps `f32` and `f64` products that never underflow, exactly.
//!
//! ```
//! use ndarray::{array, Array1, Axis};
//! use ndarray_cumprod::{Cumprod, CumprodExt, Scaled};
//!
//! // Compound growth per asset, from a long table of (asset, growth) rows.
//! let growth = array![1.5, 2.0, f64::NAN, 3.0, 0.5];
//! let asset = [0, 1, 0, 1, 0];
//! let pandas = growth.nancumprod_with(Cumprod::along(Axis(0)).groups(&asset).keep_nan());
//! assert_eq!((pandas[3], pandas[4]), (6.0, 0.75));
//! assert!(pandas[2].is_nan());
//!
//! // 10,000 halves: 2^-10000, which f64 cannot hold.
//! let p = Array1::from_elem(10_000, 0.5).cumprod_axis_as::<Scaled<f64>>(Axis(0));
//! assert_eq!((p[9_999].mantissa(), p[9_999].exponent()), (0.5, -9_999));
//! ```
//!
//! # Element types
//!
//! Each method asks only for what it uses: `A: Clone + Mul<Output = A>` (and
//! `Into<B>` for the converting forms). No `Copy`, no `MulAssign`: complex
//! numbers, `Wrapping<i32>`, big integers and your own types work, including
//! non-commutative ones such as matrices, whose products come out in index
//! order. The options forms also need `One`, the NaN-skipping ones [`NanAware`]
//! and the checked ones `CheckedMul`.
//!
//! # Functions over `&ArrayRef`
//!
//! ndarray 0.17 recommends writing functions over its reference types,
//! `&ArrayRef<A, D>` and `&mut ArrayRef<A, D>`. [`CumprodExt`] is implemented
//! for them too, and every array the methods take (an `out`, a gradient, a carry)
//! is an `&ArrayRef` or `&mut ArrayRef`, so such functions pass their arguments
//! as they are:
//!
//! ```
//! use ndarray::{array, Array2, ArrayRef1, ArrayRef2, Axis};
//! use ndarray_cumprod::{Cumprod, CumprodError, CumprodExt};
//!
//! fn continue_chunk(
//!     chunk: &ArrayRef2<f64>,
//!     carry: &ArrayRef1<f64>,
//!     out: &mut ArrayRef2<f64>,
//! ) -> Result<(), CumprodError> {
//!     chunk.cumprod_with_into(Cumprod::along(Axis(0)).carry(carry), out)
//! }
//!
//! let mut out = Array2::zeros((2, 2));
//! continue_chunk(&array![[1.0, 2.0], [3.0, 4.0]], &array![10.0, 0.5], &mut out)?;
//! assert_eq!(out, array![[10.0, 1.0], [30.0, 4.0]]);
//! # Ok::<(), CumprodError>(())
//! ```
//!
//! # Performance
//!
//! The kernels read the strides and pick the loop order: lanes that are
//! contiguous in memory are scanned four at a time, side by side; lanes that
//! are strided are scanned as whole rows, each the product of the row before
//! and the input row. The plain methods, their NaN-skipping twins and the
//! options forms with `reverse`, an initial value or a carry write their
//! result in one pass. On a 2-core
//! machine with 64 MiB arrays, the `_into` methods along an axis run at
//! 0.73x to 1.40x the time of a copy of the same array (many lanes: 1.02x
//! at the median for f64, 1.15x for i64), and `axis=None` over an F-order
//! array at 1.00x to 2.49x, the cost of the transposition; the in-place
//! methods run at 0.42x to 1.33x a copy, and the allocating ones, with huge
//! pages, at 0.35x to 0.65x the time of `to_owned`. The
//! repository's `docs/performance.md` has the full report, which
//! `cargo run --release --example layout_report` prints, and NumPy's figures on
//! the same machine.
//!
//! On x86-64, the `_into` methods write outputs of 16 MiB or more (of the
//! primitive integers and floats, along an axis that is not the fastest in
//! memory, or along contiguous lanes that are short, or long and of floats,
//! and `axis=None` over any other order than C) with streaming stores (the
//! masked and segmented scans too), which do not
//! read the output's memory before they overwrite it and leave it out of the
//! caches: such an output would not stay in them anyway, and the scan moves
//! a third less memory. Smaller
//! outputs are written as usual, so that whatever reads them next finds them
//! in cache.
//!
//! # Stack use
//!
//! The `_into` methods allocate nothing on plain arrays (but for the buffers
//! of `axis=None` over a transposed order). On x86-64, the scans of outputs
//! of 16 MiB or more along an axis other than the fastest keep a band of up
//! to 8,192 running products on the stack (64 KiB of `f64`, 128 KiB of
//! [`Scaled<f64>`](Scaled)), and `axis=None` over a transposed order a block
//! of 32 x 128 elements. With the rest of the call, these need under
//! 512 KiB of stack in an optimised build and under 1 MiB in a debug build,
//! which copies the band more; the other scans need a few KiB (short lanes
//! of integers into such outputs 8 KiB more, and rows of 2 to 8 elements
//! and reverse lanes of 2 to 8 2 KiB more, for a buffer). The main
//! thread (8 MiB on Linux) and the threads that `std::thread::spawn` and
//! rayon start (2 MiB) have enough; give a thread made with a smaller
//! `std::thread::Builder::stack_size` at least that much.

//! # Features, `no_std` and MSRV
//!
//! - `std` (on by default): the standard library. Without it (`default-features
//!   = false`) the crate is `#![no_std]` and needs only `alloc`; every method and
//!   type is the same, and [`CumprodError`] implements [`core::error::Error`],
//!   but for two that need `std`'s hash map and logarithm: `factorize` and
//!   `Scaled::ln`.
//! - `rayon` (off by default, implies `std`): `ParCumprodExt`, the axis
//!   methods on several threads, for large arrays; the results are the same,
//!   bit for bit.
//! - `huge-pages` (on by default, implies `std`): on Linux, the new arrays of
//!   4 MiB or more that the allocating methods return are advised for
//!   transparent huge pages (`madvise(MADV_HUGEPAGE)`, as NumPy does for its
//!   arrays), so that filling them costs far fewer page faults. It changes no
//!   value; elsewhere it does nothing.
//!
//! The crate's `unsafe` code is all in one module, tested under Miri: that
//! `madvise` call, and the streaming stores with which the `_into` methods
//! write outputs of 16 MiB or more on x86-64, with the SSE2 multiplications
//! of `f64` lanes and rows (and of `Scaled<f64>` rows) whose results they
//! stream (see Performance), the prefetch hints and the AVX2 register
//! transposition behind `axis=None` over F order, and the AVX-512 kernels below (which Miri cannot
//! run: under Miri, and on processors without AVX-512, the portable loops
//! run, and the unit tests compare both with the plain loop where both can).
//!
//! **Runtime dispatch.** Built with Rust 1.89 or later (which made the
//! AVX-512 target features stable; the build script asks the compiler, with
//! `autocfg`, already a build dependency of `num-traits`) and `std`, on an
//! x86-64 processor with AVX-512 F and DQ, detected at run time, the rows of
//! `i64` and `u64` scans along a slow axis are multiplied eight to a
//! register (`vpmullq`), and those of large `i64` outputs streamed from it;
//! elsewhere, one at a time, as baseline x86-64 does. With AVX2 (detected
//! at run time with `std`), the masked and segmented tiles of large `f64`
//! outputs apply their flags as blends, and `axis=None` over F order with
//! output rows of more than 4,096 8-byte elements is transposed four by
//! four in registers.
//! The results are the same, and so are the panics on overflow where
//! overflow checks are on: a group of products that could overflow is
//! multiplied one at a time.
//!
//! The minimum supported Rust version is **1.81** (for `core::error::Error`),
//! declared as `rust-version`; CI checks the crate with Rust 1.81 with its
//! default features, without `std` and with every feature, runs the whole
//! test suite (doctests and examples included) with the current stable Rust,
//! and the unit tests and the suites of random layouts and edge cases again
//! without `std` (where the 64-bit integer rows take the portable loop on
//! every processor), builds it for `thumbv7em-none-eabihf` (no `std`), and
//! runs the unit tests and some of the integration tests under Miri.
// Items that need `std` are linked to their pages on docs.rs when the crate
// is documented without it.
#![cfg_attr(feature = "std", doc = "", doc = "[`factorize()`]: crate::factorize()")]
#![cfg_attr(
    not(feature = "std"),
    doc = "",
    doc = "[`factorize()`]: https://docs.rs/ndarray-cumprod/latest/ndarray_cumprod/fn.factorize.html"
)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![deny(unsafe_code)]
#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod cumprod_ext;
mod errors;
#[cfg(feature = "std")]
mod factorize;
mod kernels;
mod nan_aware;
mod options;
#[cfg(feature = "rayon")]
mod par_cumprod_ext;
mod scaled;

pub use crate::cumprod_ext::CumprodExt;
pub use crate::errors::CumprodError;
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub use crate::factorize::factorize;
pub use crate::nan_aware::NanAware;
pub use crate::options::{AnyElement, Cumprod, CumprodElement, CumprodOptions};
#[cfg(feature = "rayon")]
#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
pub use crate::par_cumprod_ext::ParCumprodExt;
pub use crate::scaled::{Scaled, ScaledFloat};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
