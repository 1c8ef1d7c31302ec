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
//! # From NumPy
//!
//! NumPy's `ndarray.cumprod(axis=None, dtype=None, out=None)` maps onto seven
//! methods, one for each combination that makes sense in Rust's type system:
//!
//! | NumPy | this crate | returns |
//! |---|---|---|
//! | `a.cumprod()` | [`a.cumprod_flat()`](CumprodExt::cumprod_flat) | `Array1<A>` |
//! | `a.cumprod(axis=k)` | [`a.cumprod_axis(Axis(k))`](CumprodExt::cumprod_axis) | `Array<A, D>` |
//! | `a.cumprod(dtype=T)` | [`a.cumprod_flat_as::<T>()`](CumprodExt::cumprod_flat_as) | `Array1<T>` |
//! | `a.cumprod(axis=k, dtype=T)` | [`a.cumprod_axis_as::<T>(Axis(k))`](CumprodExt::cumprod_axis_as) | `Array<T, D>` |
//! | `a.cumprod(out=o)` | [`a.cumprod_flat_into(&mut o)`](CumprodExt::cumprod_flat_into) | `Result<(), CumprodError>` |
//! | `a.cumprod(axis=k, out=o)` | [`a.cumprod_axis_into(Axis(k), &mut o)`](CumprodExt::cumprod_axis_into) | `Result<(), CumprodError>` |
//! | `np.cumprod(a, axis=k, out=a)` | [`a.cumprod_axis_inplace(Axis(k))`](CumprodExt::cumprod_axis_inplace) | `()` |
//!
//! Things that work as in NumPy:
//!
//! - **Results to the bit.** Each lane is multiplied left to right as
//!   `previous * current`, the order NumPy uses; a test replays data generated
//!   by NumPy and compares floating-point results bit for bit, signed zeros and
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
//!
//! Things that differ, on purpose:
//!
//! - **Integer overflow** follows Rust: a debug build panics, a release build
//!   wraps. Use [`Wrapping`](core::num::Wrapping) elements for NumPy's wrapping in every
//!   build (see [`CumprodExt`]).
//! - **An axis on a 0-d array is out of bounds**, as everywhere in ndarray.
//!   NumPy 2.4 treats a 0-d input as 1-d when given `axis=0`;
//!   [`cumprod_flat`](CumprodExt::cumprod_flat) gives that result.
//! - **Bad input** to the `_into` methods is a [`CumprodError`] and leaves `out`
//!   untouched; the allocating and in-place methods panic with NumPy's message,
//!   as ndarray's own `sum_axis` does.
//!
//! # Element types
//!
//! Each method asks only for what it uses: `A: Clone + Mul<Output = A>` (and
//! `Into<B>` for the converting forms). No `Copy`, no `One`, no `MulAssign`: complex
//! numbers, `Wrapping<i32>`, big integers and your own types work, including
//! non-commutative ones such as matrices, whose products come out in index order.
//!
//! # Why not `cumprod`?
//!
//! ndarray 0.17 has an inherent `cumprod(axis)` method, and inherent methods win
//! method resolution, so a trait method of that name could never be called with
//! method syntax. This crate follows ndarray's `*_axis` / `*_inplace` naming
//! instead. Compared with ndarray's `cumprod`, it adds `axis=None`, `dtype` and
//! `out`, takes `A: Clone + Mul` (not `MulAssign`), multiplies `previous * current`
//! (ndarray computes `current * previous`), writes its result in one pass, and
//! reports bad input with NumPy's message.
//!
//! # Functions over `&ArrayRef`
//!
//! ndarray 0.17 recommends writing functions over its reference types,
//! `&ArrayRef<A, D>` and `&mut ArrayRef<A, D>`. [`CumprodExt`] is implemented
//! for them too, so every method works with method syntax there:
//!
//! ```
//! use ndarray::{array, Array2, ArrayRef2, Axis};
//! use ndarray_cumprod::CumprodExt;
//!
//! fn running(a: &ArrayRef2<f64>) -> Array2<f64> {
//!     a.cumprod_axis(Axis(1))
//! }
//!
//! fn running_inplace(a: &mut ArrayRef2<f64>) {
//!     a.cumprod_axis_inplace(Axis(1));
//! }
//!
//! let mut a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
//! assert_eq!(running(&a), array![[1.0, 2.0, 6.0], [4.0, 20.0, 120.0]]);
//! running_inplace(&mut a);
//! assert_eq!(a, array![[1.0, 2.0, 6.0], [4.0, 20.0, 120.0]]);
//! ```
//!
//! The `out` arguments of the `_into` methods are `&mut ArrayBase`, as in
//! NumPy's mapping above; a function that holds its output as `&mut ArrayRef`
//! passes `&mut out.view_mut()`.
//!
//! # Features, `no_std` and MSRV
//!
//! - `std` (on by default): the standard library. Without it (`default-features
//!   = false`) the crate is `#![no_std]` and needs only `alloc`; every method and
//!   type is the same, and [`CumprodError`] implements [`core::error::Error`].
//! - `rayon` (off by default, implies `std`): [`ParCumprodExt`], the axis
//!   methods on several threads, for large arrays; the results are the same,
//!   bit for bit.
//!
//! The minimum supported Rust version is **1.81** (for `core::error::Error`),
//! declared as `rust-version` and checked by clippy's `incompatible_msrv` lint;
//! the crate is tested on the current stable Rust.
//!
//! # Performance
//!
//! The kernels read the strides and pick the loop order: lanes that are
//! contiguous in memory are scanned four at a time, side by side; lanes that
//! are strided are scanned as whole rows, each the product of the row before
//! and the input row. Every method writes its result in one pass. Measured on a
//! 2-core machine with 64 MiB arrays, the in-place method runs at or under the
//! time of a copy of the same array on almost every contiguous layout, and the
//! `_into` methods at 1x to 2x a copy (more for `axis=None` over F order). The
//! README has the full table, which `cargo run --release --example layout_report`
//! prints.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![no_std]

extern crate alloc;

mod cumprod_ext;
mod errors;
mod kernels;
mod nan_aware;
mod options;
#[cfg(feature = "rayon")]
mod par_cumprod_ext;

pub use crate::cumprod_ext::CumprodExt;
pub use crate::errors::CumprodError;
pub use crate::nan_aware::NanAware;
pub use crate::options::{AnyElement, Cumprod, CumprodOptions};
#[cfg(feature = "rayon")]
#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
pub use crate::par_cumprod_ext::ParCumprodExt;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
