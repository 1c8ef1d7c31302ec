//! The [`CumprodExt`] extension trait.

use core::ops::Mul;

use alloc::vec::Vec;
use ndarray::{
    Array, Array1, ArrayBase, ArrayRef, ArrayView, ArrayViewMut, Axis, Data, DataMut, Dimension,
    Ix1, ViewRepr,
};

use num_traits::float::FloatCore;
use num_traits::{CheckedMul, One};

use crate::errors::{check_axis, check_operand, check_shape, CumprodError};
use crate::kernels;
use crate::kernels::{family, general};
use crate::nan_aware::NanAware;
use crate::options::sealed::{Spec, Start};
use crate::options::{CumprodOptions, Output};

pub(crate) mod private {
    /// Keeps [`CumprodExt`](super::CumprodExt) and `ParCumprodExt` implementable only in this crate,
    /// so that methods can be added to it without a breaking change.
    pub trait Sealed {}

    impl<S, D> Sealed for ndarray::ArrayBase<S, D>
    where
        S: ndarray::Data,
        D: ndarray::Dimension,
    {
    }

    impl<A, D: ndarray::Dimension> Sealed for ndarray::ArrayRef<A, D> {}
}

/// Panics with NumPy's message when `axis` is out of bounds.
#[track_caller]
pub(crate) fn assert_axis(axis: Axis, ndim: usize) {
    if let Err(err) = check_axis(axis.index(), ndim) {
        panic!("{err}");
    }
}

/// NumPy's `cumprod` and `nancumprod` for every ndarray array: owned arrays,
/// views, `ArcArray`, `CowArray`, `&ArrayRef`, any dimension and any memory
/// layout; and the cumulative products NumPy lacks.
///
/// | NumPy | this trait |
/// |---|---|
/// | `a.cumprod()` | [`a.cumprod_flat()`](Self::cumprod_flat) |
/// | `a.cumprod(axis=k)` | [`a.cumprod_axis(Axis(k))`](Self::cumprod_axis) |
/// | `a.cumprod(dtype=T)` | [`a.cumprod_flat_as::<T>()`](Self::cumprod_flat_as) |
/// | `a.cumprod(axis=k, dtype=T)` | [`a.cumprod_axis_as::<T>(Axis(k))`](Self::cumprod_axis_as) |
/// | `a.cumprod(out=o)` | [`a.cumprod_flat_into(&mut o)`](Self::cumprod_flat_into) |
/// | `a.cumprod(axis=k, out=o)` | [`a.cumprod_axis_into(Axis(k), &mut o)`](Self::cumprod_axis_into) |
/// | `np.cumprod(a, axis=k, out=a)` | [`a.cumprod_axis_inplace(Axis(k))`](Self::cumprod_axis_inplace) |
/// | `np.nancumprod(a, ...)` | the same seven with the `nan` prefix: [`nancumprod_flat`](Self::nancumprod_flat), [`nancumprod_axis`](Self::nancumprod_axis), ... |
/// | `np.cumulative_prod(a, axis=k, include_initial=True)` | [`a.cumprod_with(Cumprod::along(Axis(k)).include_initial())`](Self::cumprod_with) |
/// | `np.cumulative_prod(a, axis=k, dtype=T, include_initial=True)` | [`a.cumprod_with_as::<T>(Cumprod::along(Axis(k)).include_initial())`](Self::cumprod_with_as) |
///
/// Beyond NumPy, the `_with` methods take the options of a [`Cumprod`](crate::Cumprod)
/// (reverse, exclusive, include-initial, an initial value, per-lane carries),
/// in every form: allocating ([`cumprod_with`](Self::cumprod_with)), converting
/// ([`cumprod_with_as`](Self::cumprod_with_as)), into an `out`
/// ([`cumprod_with_into`](Self::cumprod_with_into)) and in place
/// ([`cumprod_with_inplace`](Self::cumprod_with_inplace)), each with a
/// NaN-skipping twin (`nancumprod_with*`) and an overflow-checked one
/// (`cumprod_checked*`). [`cumprod_axis_grad`](Self::cumprod_axis_grad) gives
/// the gradient.
///
/// Every method computes each lane left to right as `previous * current`, the
/// order NumPy uses, so floating-point results are NumPy's to the bit (a NaN is
/// a NaN, with unspecified sign and payload, as in any Rust or C arithmetic) and
/// non-commutative element types (matrices, quaternions) get the product in
/// index order. Element bounds are only what each method needs: `Clone` and
/// `Mul<Output = A>`, and `Into<B>` for the converting forms. No method is called
/// `cumprod`, because ndarray's own inherent `cumprod` would win method
/// resolution.
///
/// **Integer overflow** follows Rust's arithmetic on the element type: a debug
/// build panics, a release build wraps. For NumPy's silent wrapping in every
/// build, use [`Wrapping`](core::num::Wrapping); for an error instead, the
/// checked methods ([`cumprod_checked`](Self::cumprod_checked)):
///
/// ```
/// use std::num::Wrapping;
/// use ndarray::{array, Axis};
/// use ndarray_cumprod::CumprodExt;
///
/// let a = array![Wrapping(i64::MAX), Wrapping(2), Wrapping(3)];
/// let p = a.cumprod_axis(Axis(0));
/// // i64::MAX * 2 wraps to -2, exactly as np.cumprod on int64 does.
/// assert_eq!(p, array![Wrapping(i64::MAX), Wrapping(-2), Wrapping(-6)]);
/// ```
///
/// **Output arrays** (`out`) and the other arrays the methods take (a gradient,
/// a carry) are `&mut ArrayRef` / `&ArrayRef`: pass `&mut out` for any owned
/// array, view or `ArcArray`, or an `&mut ArrayRef` as it is. The element type
/// of `out` may differ from the input's (NumPy's `dtype`), so a new output
/// needs its type written once:
/// `let mut out = Array::<f64, _>::zeros(a.raw_dim());` (with
/// `Array::zeros(a.raw_dim())` alone the compiler cannot tell which type `out`
/// should have, error E0283).
///
/// # Allocations and panics
///
/// - The allocating methods make one allocation: their result.
/// - The `_into` and in-place methods allocate nothing, with four exceptions:
///   an `ArcArray` whose data is shared is unshared (copied) first, as for any
///   mutation of one; an error value holds the shapes it reports; `IxDyn`
///   arrays of more than 4 axes, whose views keep their shape and strides on
///   the heap, cost a few small allocations per call, as many for a large
///   array as for a small one; and `cumprod_flat_into` (and
///   `nancumprod_flat_into`) of an array in another order than C, into an
///   output of 16 MiB or more on x86-64, stages the transposition in
///   buffers allocated for the call: two of at most 2 MiB each, or one of
///   32 KiB for an array of 2 to 8 rows.
/// - Nothing else allocates in proportion to the data; the checked methods
///   check without allocating, and every method returns at once on an empty
///   array, whatever its shape.
/// - The options with per-element operands ([`mask`](crate::Cumprod::mask),
///   [`segments`](crate::Cumprod::segments), [`groups`](crate::Cumprod::groups),
///   [`keep_nan`](crate::Cumprod::keep_nan)) are the exception: a grouped
///   scan keeps a product per group and lane; flags, an input or an output
///   that are not in the scan's memory order are copied into it (broadcast
///   flags, strided views); group codes beyond the axis length are numbered
///   in a sorted copy; and the checked methods compute into a temporary
///   array before they write `out`.
///
/// If a multiplication of the element type panics (integer overflow in a
/// debug build, or a type of your own), the panic propagates and nothing is
/// leaked or dropped twice. An allocating method returns nothing. An `_into`
/// method leaves `out` partly written: each element holds its old value, its
/// final value, or an input element copied into place but not yet multiplied.
/// An in-place method leaves each element with its old value or its final
/// value; with [`exclusive`](crate::Cumprod::exclusive), an element may also
/// hold its neighbour's old value, shifted into place before the scan, or the
/// identity; NaN-skipping may have replaced a NaN by one.
///
/// # Implementations
///
/// The trait is implemented for every [`ArrayBase`] and for
/// [`ArrayRef`], so that functions written over `&ArrayRef<A, D>` or
/// `&mut ArrayRef<A, D>`, as ndarray 0.17 recommends, call its methods with
/// method syntax too (for an `ArrayRef`, `S` is `ViewRepr<&mut A>`, which no
/// caller needs to name). It is sealed: it cannot be implemented outside this
/// crate, so that methods can be added to it in a minor release.
///
/// ```compile_fail
/// use ndarray::{Ix1, OwnedRepr};
/// use ndarray_cumprod::CumprodExt;
///
/// struct MyArray;
/// impl CumprodExt<f64, OwnedRepr<f64>, Ix1> for MyArray {} // error: `Sealed` is private
/// ```
pub trait CumprodExt<A, S, D>: private::Sealed
where
    S: Data<Elem = A>,
    D: Dimension,
{
    /// The cumulative product of all elements, flattened in logical (row-major)
    /// order whatever the memory layout: NumPy's `a.cumprod()` (`axis=None`).
    ///
    /// The result has `a.len()` elements; a 0-d array gives one element and an
    /// empty array an empty result.
    ///
    /// ```
    /// use ndarray::array;
    /// use ndarray_cumprod::CumprodExt;
    ///
    /// let a = array![[2, 3, 4], [5, 6, 7]];
    /// assert_eq!(a.cumprod_flat(), array![2, 6, 24, 120, 720, 5040]);
    /// // Logical order, not memory order: the transpose flattens column by column.
    /// assert_eq!(a.t().cumprod_flat(), array![2, 10, 30, 180, 720, 5040]);
    /// ```
    ///
    /// **Panics** only if a multiplication of `A` panics (integer overflow in a
    /// debug build).
    fn cumprod_flat(&self) -> Array1<A>
    where
        A: Clone + Mul<Output = A>;

    /// The cumulative product along `axis`: NumPy's `a.cumprod(axis=k)`.
    ///
    /// The result has the shape of `a`, and `a`'s memory order when `a` is
    /// contiguous with non-negative strides (an F-order input gives an F-order
    /// result, as in NumPy); otherwise it is in standard (C) layout.
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::CumprodExt;
    ///
    /// let b = array![[1, 2, 3], [4, 5, 6]];
    /// assert_eq!(b.cumprod_axis(Axis(1)), array![[1, 2, 6], [4, 20, 120]]);
    /// assert_eq!(b.cumprod_axis(Axis(0)), array![[1, 2, 3], [4, 10, 18]]);
    /// ```
    ///
    /// **Panics** if `axis` is out of bounds (`axis >= a.ndim()`; a 0-d array has
    /// no axis), with NumPy's message, e.g. "axis 2 is out of bounds for array of
    /// dimension 2", or if a multiplication of `A` panics. Use
    /// [`cumprod_axis_into`](Self::cumprod_axis_into) for an error value instead.
    #[track_caller]
    fn cumprod_axis(&self, axis: Axis) -> Array<A, D>
    where
        A: Clone + Mul<Output = A>;

    /// The flattened cumulative product computed in the element type `B`:
    /// NumPy's `a.cumprod(dtype=B)`.
    ///
    /// Each element is converted with [`Into<B>`] before it is multiplied, so the
    /// products never overflow `A`. This is how NumPy's default promotions are
    /// written here: NumPy multiplies `bool`, `int8`, `int16` and `int32` in
    /// `int64` (and unsigned ones in `uint64`) unless told otherwise.
    ///
    /// ```
    /// use ndarray::array;
    /// use ndarray_cumprod::CumprodExt;
    ///
    /// let a = array![100_u8, 100, 100];
    /// assert_eq!(a.cumprod_flat_as::<u64>(), array![100, 10_000, 1_000_000]);
    /// let flags = array![true, true, false];
    /// assert_eq!(flags.cumprod_flat_as::<i64>(), array![1, 1, 0]);
    /// ```
    ///
    /// Only lossless conversions implement `Into` (`i32 -> f64`, `f32 -> f64`,
    /// `u8 -> i64`, ...). For a lossy one (`f64 -> f32`, `i64 -> f64`), convert
    /// first with `mapv` and call [`cumprod_flat`](Self::cumprod_flat) on the result.
    ///
    /// **Panics** only if a multiplication of `B` panics.
    fn cumprod_flat_as<B>(&self) -> Array1<B>
    where
        A: Clone + Into<B>,
        B: Clone + Mul<Output = B>;

    /// The cumulative product along `axis` computed in the element type `B`:
    /// NumPy's `a.cumprod(axis=k, dtype=B)`.
    ///
    /// Conversion and layout are as in [`cumprod_flat_as`](Self::cumprod_flat_as)
    /// and [`cumprod_axis`](Self::cumprod_axis).
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::CumprodExt;
    ///
    /// let a = array![[1.5_f32, 2.0], [3.0, 4.0]];
    /// let p = a.cumprod_axis_as::<f64>(Axis(0));
    /// assert_eq!(p, array![[1.5, 2.0], [4.5, 8.0]]);
    ///
    /// let small = array![[-128_i8, -128], [-128, 2]];
    /// assert_eq!(small.cumprod_axis_as::<i64>(Axis(1)), array![[-128, 16384], [-128, -256]]);
    /// ```
    ///
    /// **Panics** if `axis` is out of bounds, with NumPy's message, or if a
    /// multiplication of `B` panics.
    #[track_caller]
    fn cumprod_axis_as<B>(&self, axis: Axis) -> Array<B, D>
    where
        A: Clone + Into<B>,
        B: Clone + Mul<Output = B>;

    /// Writes the flattened cumulative product into `out`: NumPy's
    /// `a.cumprod(out=o)`.
    ///
    /// `out` is any one-dimensional array with `a.len()` elements, in any layout
    /// (`&mut out`, or an `&mut ArrayRef1`); its element type `B` may be `A`
    /// itself or any type `A` converts into losslessly (see
    /// [`cumprod_flat_as`](Self::cumprod_flat_as)). Nothing is allocated (see
    /// [Allocations and panics](Self#allocations-and-panics)).
    ///
    /// ```
    /// use ndarray::{array, Array1};
    /// use ndarray_cumprod::CumprodExt;
    ///
    /// let a = array![[1, 2], [3, 4]];
    /// let mut out = Array1::<i64>::zeros(4);
    /// a.cumprod_flat_into(&mut out)?;
    /// assert_eq!(out, array![1, 2, 6, 24]);
    /// # Ok::<(), ndarray_cumprod::CumprodError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// - [`CumprodError::ShapeMismatch`] if `out.len() != a.len()`.
    ///
    /// On error `out` is left untouched.
    ///
    /// **Panics** only if a multiplication of `B` panics; `out` is then partly
    /// written (see [Allocations and panics](Self#allocations-and-panics)).
    fn cumprod_flat_into<B>(&self, out: &mut ArrayRef<B, Ix1>) -> Result<(), CumprodError>
    where
        A: Clone + Into<B>,
        B: Clone + Mul<Output = B>;

    /// Writes the cumulative product along `axis` into `out`: NumPy's
    /// `a.cumprod(axis=k, out=o)`.
    ///
    /// `out` has the shape of `a`, in any layout (views, strided and reversed
    /// arrays included): pass `&mut out` for an owned array, a view or an
    /// `ArcArray`, or an `&mut ArrayRef` as it is. Its element type `B` may be
    /// `A` itself or any type `A` converts into losslessly, so a new output
    /// needs its element type written: `Array::<i64, _>::zeros(a.raw_dim())`.
    /// Nothing is allocated (see [Allocations and panics](Self#allocations-and-panics)).
    ///
    /// ```
    /// use ndarray::{array, Array, Array2, Axis};
    /// use ndarray_cumprod::CumprodExt;
    ///
    /// let a = array![[1, 2, 3], [4, 5, 6]];
    /// let mut out = Array::<i64, _>::zeros(a.raw_dim());
    /// a.cumprod_axis_into(Axis(1), &mut out)?;
    /// assert_eq!(out, array![[1, 2, 6], [4, 20, 120]]);
    ///
    /// // A view of a larger array, here a column of `table`.
    /// let mut table = Array2::<i64>::zeros((3, 4));
    /// let col = array![2, 3, 4];
    /// col.cumprod_axis_into(Axis(0), &mut table.column_mut(1))?;
    /// assert_eq!(table.column(1), array![2, 6, 24]);
    ///
    /// // Bad input is an error, and `out` keeps its values.
    /// assert!(a.cumprod_axis_into(Axis(2), &mut out).is_err());
    /// let mut wrong = Array2::<i64>::zeros((3, 2));
    /// assert!(a.cumprod_axis_into(Axis(0), &mut wrong).is_err());
    /// assert_eq!(wrong, Array2::<i64>::zeros((3, 2)));
    /// # Ok::<(), ndarray_cumprod::CumprodError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// - [`CumprodError::AxisOutOfBounds`] if `axis >= a.ndim()` (checked first).
    /// - [`CumprodError::ShapeMismatch`] if `out.shape() != a.shape()`.
    ///
    /// On error `out` is left untouched.
    ///
    /// **Panics** only if a multiplication of `B` panics; `out` is then partly
    /// written (see [Allocations and panics](Self#allocations-and-panics)).
    fn cumprod_axis_into<B>(
        &self,
        axis: Axis,
        out: &mut ArrayRef<B, D>,
    ) -> Result<(), CumprodError>
    where
        A: Clone + Into<B>,
        B: Clone + Mul<Output = B>;

    /// Replaces the array by its cumulative product along `axis`: NumPy's
    /// `np.cumprod(a, axis=k, out=a)`.
    ///
    /// Nothing is allocated (see [Allocations and panics](Self#allocations-and-panics)).
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::CumprodExt;
    ///
    /// let mut a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    /// a.cumprod_axis_inplace(Axis(0));
    /// assert_eq!(a, array![[1.0, 2.0, 3.0], [4.0, 10.0, 18.0]]);
    /// ```
    ///
    /// **Panics** if `axis` is out of bounds, with NumPy's message (the array is
    /// then unchanged), or if a multiplication of `A` panics (the array is then
    /// partly updated, see [Allocations and panics](Self#allocations-and-panics)).
    #[track_caller]
    fn cumprod_axis_inplace(&mut self, axis: Axis)
    where
        A: Clone + Mul<Output = A>,
        S: DataMut;

    /// The cumulative product of all elements, flattened in logical order, with
    /// every NaN counted as one: NumPy's `np.nancumprod(a)` (`axis=None`).
    ///
    /// A run of NaNs at the start gives ones; infinities are kept; a complex
    /// value with a NaN in either part counts as NaN, as in NumPy. Integer
    /// arrays are accepted too (they have no NaN: the result is
    /// [`cumprod_flat`](Self::cumprod_flat)'s), so that generic code works for
    /// every [`NanAware`] type.
    ///
    /// ```
    /// use ndarray::array;
    /// use ndarray_cumprod::CumprodExt;
    ///
    /// let nan = f64::NAN;
    /// let a = array![[nan, 2.0], [3.0, nan]];
    /// assert_eq!(a.nancumprod_flat(), array![1.0, 2.0, 6.0, 6.0]);
    /// assert_eq!(array![[1, 2], [3, 4]].nancumprod_flat(), array![1, 2, 6, 24]);
    /// ```
    ///
    /// **Panics** only if a multiplication of `A` panics.
    fn nancumprod_flat(&self) -> Array1<A>
    where
        A: NanAware + Mul<Output = A>;

    /// The cumulative product along `axis` with every NaN counted as one:
    /// NumPy's `np.nancumprod(a, axis=k)`.
    ///
    /// Shape and memory order are those of [`cumprod_axis`](Self::cumprod_axis).
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::CumprodExt;
    ///
    /// let nan = f64::NAN;
    /// let a = array![[nan, 2.0, 3.0], [4.0, nan, 6.0]];
    /// assert_eq!(a.nancumprod_axis(Axis(1)), array![[1.0, 2.0, 6.0], [4.0, 4.0, 24.0]]);
    /// assert_eq!(a.nancumprod_axis(Axis(0)), array![[1.0, 2.0, 3.0], [4.0, 2.0, 18.0]]);
    /// ```
    ///
    /// **Panics** if `axis` is out of bounds, with NumPy's message, or if a
    /// multiplication of `A` panics.
    #[track_caller]
    fn nancumprod_axis(&self, axis: Axis) -> Array<A, D>
    where
        A: NanAware + Mul<Output = A>;

    /// The flattened cumulative product with every NaN counted as one, computed
    /// in the element type `B`: NumPy's `np.nancumprod(a, dtype=B)`.
    ///
    /// Each element is converted with [`Into<B>`] first, then a NaN (of `B`) is
    /// counted as one, so `bool` and narrow integer arrays work with a `B`
    /// such as `i64`, as NumPy's promotion does.
    ///
    /// ```
    /// use ndarray::array;
    /// use ndarray_cumprod::CumprodExt;
    ///
    /// let a = array![1.5_f32, f32::NAN, 2.0];
    /// assert_eq!(a.nancumprod_flat_as::<f64>(), array![1.5, 1.5, 3.0]);
    /// let flags = array![true, true, false];
    /// assert_eq!(flags.nancumprod_flat_as::<i64>(), array![1, 1, 0]);
    /// ```
    ///
    /// **Panics** only if a multiplication of `B` panics.
    fn nancumprod_flat_as<B>(&self) -> Array1<B>
    where
        A: Clone + Into<B>,
        B: NanAware + Mul<Output = B>;

    /// The cumulative product along `axis` with every NaN counted as one,
    /// computed in the element type `B`: NumPy's
    /// `np.nancumprod(a, axis=k, dtype=B)`.
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::CumprodExt;
    ///
    /// let a = array![[2_i32, 3], [4, 5]];
    /// assert_eq!(a.nancumprod_axis_as::<f64>(Axis(0)), array![[2.0, 3.0], [8.0, 15.0]]);
    /// ```
    ///
    /// **Panics** if `axis` is out of bounds, with NumPy's message, or if a
    /// multiplication of `B` panics.
    #[track_caller]
    fn nancumprod_axis_as<B>(&self, axis: Axis) -> Array<B, D>
    where
        A: Clone + Into<B>,
        B: NanAware + Mul<Output = B>;

    /// Writes the flattened cumulative product, with every NaN counted as one,
    /// into `out`: NumPy's `np.nancumprod(a, out=o)`.
    ///
    /// `out` is as for [`cumprod_flat_into`](Self::cumprod_flat_into); a NaN is
    /// recognised after the conversion to `B`.
    ///
    /// ```
    /// use ndarray::{array, Array1};
    /// use ndarray_cumprod::CumprodExt;
    ///
    /// let a = array![[2.0, f64::NAN], [f64::NAN, 0.5]];
    /// let mut out = Array1::<f64>::zeros(4);
    /// a.nancumprod_flat_into(&mut out)?;
    /// assert_eq!(out, array![2.0, 2.0, 2.0, 1.0]);
    /// # Ok::<(), ndarray_cumprod::CumprodError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// - [`CumprodError::ShapeMismatch`] if `out.len() != a.len()`.
    ///
    /// On error `out` is left untouched.
    ///
    /// **Panics** only if a multiplication of `B` panics; `out` is then partly
    /// written (see [Allocations and panics](Self#allocations-and-panics)).
    fn nancumprod_flat_into<B>(&self, out: &mut ArrayRef<B, Ix1>) -> Result<(), CumprodError>
    where
        A: Clone + Into<B>,
        B: NanAware + Mul<Output = B>;

    /// Writes the cumulative product along `axis`, with every NaN counted as
    /// one, into `out`: NumPy's `np.nancumprod(a, axis=k, out=o)`.
    ///
    /// `out` is as for [`cumprod_axis_into`](Self::cumprod_axis_into).
    ///
    /// ```
    /// use ndarray::{array, Array, Axis};
    /// use ndarray_cumprod::CumprodExt;
    ///
    /// let a = array![[f64::NAN, 2.0], [3.0, f64::NAN]];
    /// let mut out = Array::<f64, _>::zeros(a.raw_dim());
    /// a.nancumprod_axis_into(Axis(0), &mut out)?;
    /// assert_eq!(out, array![[1.0, 2.0], [3.0, 2.0]]);
    /// # Ok::<(), ndarray_cumprod::CumprodError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// - [`CumprodError::AxisOutOfBounds`] if `axis >= a.ndim()` (checked first).
    /// - [`CumprodError::ShapeMismatch`] if `out.shape() != a.shape()`.
    ///
    /// On error `out` is left untouched.
    ///
    /// **Panics** only if a multiplication of `B` panics; `out` is then partly
    /// written (see [Allocations and panics](Self#allocations-and-panics)).
    fn nancumprod_axis_into<B>(
        &self,
        axis: Axis,
        out: &mut ArrayRef<B, D>,
    ) -> Result<(), CumprodError>
    where
        A: Clone + Into<B>,
        B: NanAware + Mul<Output = B>;

    /// Replaces the array by its cumulative product along `axis` with every NaN
    /// counted as one: NumPy's `np.nancumprod(a, axis=k, out=a)`. Nothing is
    /// allocated (see [Allocations and panics](Self#allocations-and-panics)).
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::CumprodExt;
    ///
    /// let mut a = array![[f64::NAN, 2.0], [3.0, f64::NAN]];
    /// a.nancumprod_axis_inplace(Axis(1));
    /// assert_eq!(a, array![[1.0, 2.0], [3.0, 3.0]]);
    /// ```
    ///
    /// **Panics** if `axis` is out of bounds, with NumPy's message (the array is
    /// then unchanged), or if a multiplication of `A` panics (the array is then
    /// partly updated, see [Allocations and panics](Self#allocations-and-panics)).
    #[track_caller]
    fn nancumprod_axis_inplace(&mut self, axis: Axis)
    where
        A: NanAware + Mul<Output = A>,
        S: DataMut;

    /// The cumulative product along an axis with the options of `how`: reverse,
    /// exclusive, include-initial, an initial value or per-lane carries (see
    /// [`Cumprod`](crate::Cumprod)). `how` is taken by value or by reference.
    ///
    /// The result has the input's shape, except that
    /// [`include_initial`](crate::Cumprod::include_initial) adds one element
    /// along the axis. It keeps the input's memory order when the input is
    /// contiguous.
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::{Cumprod, CumprodExt};
    ///
    /// let a = array![2, 3, 4];
    /// let along = Cumprod::along(Axis(0));
    /// assert_eq!(a.cumprod_with(along), array![2, 6, 24]);
    /// assert_eq!(a.cumprod_with(along.reverse()), array![24, 12, 4]);
    /// assert_eq!(a.cumprod_with(along.exclusive()), array![1, 2, 6]);
    /// assert_eq!(a.cumprod_with(along.include_initial()), array![1, 2, 6, 24]);
    /// assert_eq!(a.cumprod_with(&along.initial(10)), array![20, 60, 240]);
    /// ```
    ///
    /// **Panics** on the options that
    /// [`cumprod_with_into`](Self::cumprod_with_into) reports as errors (an
    /// axis out of bounds, a carry, codes or flags of the wrong shape,
    /// refused combinations), with the message of the matching
    /// [`CumprodError`], or if a multiplication of `A` panics. Use
    /// [`cumprod_with_into`](Self::cumprod_with_into) for error values instead.
    #[track_caller]
    fn cumprod_with(&self, how: impl CumprodOptions<A>) -> Array<A, D>
    where
        A: Clone + Mul<Output = A> + One;

    /// The cumulative product with the options of `how`, computed in the
    /// element type `B`: NumPy's `np.cumulative_prod(a, axis=k, dtype=B, ...)`.
    ///
    /// Each element is converted with [`Into<B>`] before it is multiplied; an
    /// initial value or carry is of type `B`.
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::{Cumprod, CumprodExt};
    ///
    /// // np.cumulative_prod(int32_array, axis=1, include_initial=True) is int64.
    /// let a = array![[1_i32, 2, 3], [4, 5, 6]];
    /// let p = a.cumprod_with_as::<i64>(Cumprod::along(Axis(1)).include_initial());
    /// assert_eq!(p, array![[1_i64, 1, 2, 6], [1, 4, 20, 120]]);
    ///
    /// let big = array![100_000_i32, 100_000];
    /// let scaled = big.cumprod_with_as::<i64>(Cumprod::along(Axis(0)).initial(3));
    /// assert_eq!(scaled, array![300_000, 30_000_000_000]);
    /// ```
    ///
    /// **Panics** as [`cumprod_with`](Self::cumprod_with) does.
    #[track_caller]
    fn cumprod_with_as<B>(&self, how: impl CumprodOptions<B>) -> Array<B, D>
    where
        A: Clone + Into<B>,
        B: Clone + Mul<Output = B> + One;

    /// Writes the cumulative product with the options of `how` into `out`, which
    /// has the shape of [`cumprod_with`](Self::cumprod_with)'s result (in any
    /// layout). Its element type `B` may be `A` or any type `A` converts into
    /// losslessly, as for [`cumprod_axis_into`](Self::cumprod_axis_into).
    /// Nothing is allocated (see [Allocations and panics](Self#allocations-and-panics)).
    ///
    /// ```
    /// use ndarray::{array, Array2, Axis};
    /// use ndarray_cumprod::{Cumprod, CumprodExt};
    ///
    /// let a = array![[1.0, 2.0], [3.0, 4.0]];
    /// let mut out = Array2::<f64>::zeros((3, 2)); // one more row: include_initial
    /// a.cumprod_with_into(Cumprod::along(Axis(0)).include_initial(), &mut out)?;
    /// assert_eq!(out, array![[1.0, 1.0], [1.0, 2.0], [3.0, 8.0]]);
    ///
    /// // Without include_initial the shape is a's, and out is left untouched.
    /// assert!(a.cumprod_with_into(Cumprod::along(Axis(0)), &mut out).is_err());
    ///
    /// // An i32 input into an i64 output: the scan runs in i64.
    /// let small = array![70_000_i32, 70_000];
    /// let mut wide = Array2::<i64>::zeros((1, 2));
    /// small
    ///     .insert_axis(Axis(0))
    ///     .cumprod_with_into(Cumprod::along(Axis(1)), &mut wide)?;
    /// assert_eq!(wide, array![[70_000, 4_900_000_000]]);
    /// # Ok::<(), ndarray_cumprod::CumprodError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// - [`CumprodError::AxisOutOfBounds`] if the axis is not smaller than `a.ndim()`.
    /// - [`CumprodError::OperandShapeMismatch`] if a [carry](crate::Cumprod::carry)
    ///   does not have the shape of `a` without the axis, or there are not as
    ///   many [group codes](crate::Cumprod::groups) as positions along the axis.
    /// - [`CumprodError::NotBroadcastable`] if a [mask](crate::Cumprod::mask) or
    ///   the [segment starts](crate::Cumprod::segments) do not broadcast to the
    ///   shape of `a`.
    /// - [`CumprodError::UnsupportedOptions`] for
    ///   [`keep_nan`](crate::Cumprod::keep_nan) (only the NaN-skipping methods
    ///   take it), or groups with a carry.
    /// - [`CumprodError::ShapeMismatch`] if `out` does not have the result's shape.
    ///
    /// On error `out` is left untouched.
    ///
    /// **Panics** only if a multiplication of `B` panics; `out` is then partly
    /// written (see [Allocations and panics](Self#allocations-and-panics)).
    fn cumprod_with_into<B>(
        &self,
        how: impl CumprodOptions<B>,
        out: &mut ArrayRef<B, D>,
    ) -> Result<(), CumprodError>
    where
        A: Clone + Into<B>,
        B: Clone + Mul<Output = B> + One;

    /// Replaces the array by its cumulative product with the options of `how`.
    /// Nothing is allocated (see [Allocations and panics](Self#allocations-and-panics)).
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::{Cumprod, CumprodExt};
    ///
    /// let mut a = array![[1, 2, 3], [4, 5, 6]];
    /// a.cumprod_with_inplace(Cumprod::along(Axis(1)).reverse().exclusive());
    /// assert_eq!(a, array![[6, 3, 1], [30, 6, 1]]);
    /// ```
    ///
    /// **Panics** on the options that
    /// [`cumprod_with_into`](Self::cumprod_with_into) reports as errors,
    /// or if `how` asks for [`include_initial`](crate::Cumprod::include_initial),
    /// which needs one more element than the array has (the array is then
    /// unchanged); or if a multiplication of `A` panics (the array is then
    /// partly updated, see [Allocations and panics](Self#allocations-and-panics)).
    #[track_caller]
    fn cumprod_with_inplace(&mut self, how: impl CumprodOptions<A>)
    where
        A: Clone + Mul<Output = A> + One,
        S: DataMut;

    /// NumPy's `nancumprod` with the options of `how`: the cumulative product
    /// with every NaN counted as one.
    ///
    /// A lane of NaNs gives ones; infinities are kept; a complex value with a NaN
    /// in either part counts as NaN. For NumPy's `nancumprod(a)` (`axis=None`),
    /// use [`nancumprod_flat`](Self::nancumprod_flat).
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::{Cumprod, CumprodExt};
    ///
    /// let nan = f64::NAN;
    /// let a = array![nan, 2.0, nan, 3.0];
    /// assert_eq!(a.nancumprod_with(Cumprod::along(Axis(0))), array![1.0, 2.0, 2.0, 6.0]);
    /// assert_eq!(
    ///     a.nancumprod_with(Cumprod::along(Axis(0)).reverse()),
    ///     array![6.0, 6.0, 3.0, 3.0]
    /// );
    /// ```
    ///
    /// **Panics** as [`cumprod_with`](Self::cumprod_with) does.
    #[track_caller]
    fn nancumprod_with(&self, how: impl CumprodOptions<A>) -> Array<A, D>
    where
        A: NanAware + Mul<Output = A>;

    /// NumPy's `nancumprod` with the options of `how`, computed in the element
    /// type `B` (a NaN is recognised after the conversion).
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::{Cumprod, CumprodExt};
    ///
    /// let a = array![2.0_f32, f32::NAN, 4.0];
    /// let p = a.nancumprod_with_as::<f64>(Cumprod::along(Axis(0)).include_initial());
    /// assert_eq!(p, array![1.0, 2.0, 2.0, 8.0]);
    /// ```
    ///
    /// **Panics** as [`cumprod_with`](Self::cumprod_with) does.
    #[track_caller]
    fn nancumprod_with_as<B>(&self, how: impl CumprodOptions<B>) -> Array<B, D>
    where
        A: Clone + Into<B>,
        B: NanAware + Mul<Output = B>;

    /// Writes NumPy's `nancumprod` with the options of `how` into `out`, as
    /// [`cumprod_with_into`](Self::cumprod_with_into) does.
    ///
    /// ```
    /// use ndarray::{array, Array1, Axis};
    /// use ndarray_cumprod::{Cumprod, CumprodExt};
    ///
    /// let a = array![f64::NAN, f64::NAN];
    /// let mut out = Array1::<f64>::zeros(2);
    /// a.nancumprod_with_into(Cumprod::along(Axis(0)), &mut out)?;
    /// assert_eq!(out, array![1.0, 1.0]); // all NaN gives ones
    /// # Ok::<(), ndarray_cumprod::CumprodError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As for [`cumprod_with_into`](Self::cumprod_with_into); on error `out` is
    /// left untouched.
    fn nancumprod_with_into<B>(
        &self,
        how: impl CumprodOptions<B>,
        out: &mut ArrayRef<B, D>,
    ) -> Result<(), CumprodError>
    where
        A: Clone + Into<B>,
        B: NanAware + Mul<Output = B>;

    /// Replaces the array by NumPy's `nancumprod` with the options of `how`.
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::{Cumprod, CumprodExt};
    ///
    /// let mut a = array![[f64::NAN, 2.0], [3.0, f64::NAN]];
    /// a.nancumprod_with_inplace(Cumprod::along(Axis(0)));
    /// assert_eq!(a, array![[1.0, 2.0], [3.0, 2.0]]);
    /// ```
    ///
    /// **Panics** as [`cumprod_with_inplace`](Self::cumprod_with_inplace) does.
    #[track_caller]
    fn nancumprod_with_inplace(&mut self, how: impl CumprodOptions<A>)
    where
        A: NanAware + Mul<Output = A>,
        S: DataMut;

    /// The cumulative product with the options of `how`, or an error naming the
    /// first element whose multiplication overflows, instead of a panic (debug
    /// builds) or a wrapped value (release builds).
    ///
    /// Works for every type with [`CheckedMul`]: the primitive integers, and
    /// wider ones such as `num_bigint`'s.
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::{Cumprod, CumprodError, CumprodExt};
    ///
    /// let a = array![[2i8, 3], [100, 1]];
    /// let err = a.cumprod_checked(Cumprod::along(Axis(0))).unwrap_err();
    /// assert_eq!(err, CumprodError::Overflow { index: vec![1, 0] }); // 2 * 100 > 127
    /// assert_eq!(err.to_string(), "the cumulative product overflows at the element of index [1, 0]");
    ///
    /// let rows = a.cumprod_checked(Cumprod::along(Axis(1)))?;
    /// assert_eq!(rows, array![[2, 6], [100, 100]]);
    /// # Ok::<(), CumprodError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// - The errors of the options, as for
    ///   [`cumprod_with_into`](Self::cumprod_with_into).
    /// - [`CumprodError::Overflow`] with the index (in `a`) of the first element,
    ///   in row-major order, whose multiplication overflows. The multiplications
    ///   checked are exactly those the scan makes: an exclusive scan never
    ///   multiplies by the last element of a lane.
    fn cumprod_checked(&self, how: impl CumprodOptions<A>) -> Result<Array<A, D>, CumprodError>
    where
        A: Clone + CheckedMul + One;

    /// Writes the checked cumulative product with the options of `how` into
    /// `out`, whose element type `B` may be `A` or any type `A` converts into
    /// losslessly (the products are then checked in `B`).
    ///
    /// The whole input is checked before anything is written, so on any error,
    /// overflow included, `out` is left untouched.
    ///
    /// ```
    /// use ndarray::{array, Array1, Axis};
    /// use ndarray_cumprod::{Cumprod, CumprodError, CumprodExt};
    ///
    /// let a = array![u8::MAX, 2];
    /// let mut out = Array1::<u8>::zeros(2);
    /// let err = a.cumprod_checked_into(Cumprod::along(Axis(0)), &mut out).unwrap_err();
    /// assert_eq!(err, CumprodError::Overflow { index: vec![1] });
    /// assert_eq!(out, array![0, 0]); // untouched
    ///
    /// // Reverse and exclusive: 2 * 1 is the only product; 255 is never multiplied.
    /// a.cumprod_checked_into(Cumprod::along(Axis(0)).reverse().exclusive(), &mut out)?;
    /// assert_eq!(out, array![2, 1]);
    ///
    /// // In u16, 255 * 2 fits.
    /// let mut wide = Array1::<u16>::zeros(2);
    /// a.cumprod_checked_into(Cumprod::along(Axis(0)), &mut wide)?;
    /// assert_eq!(wide, array![255, 510]);
    /// # Ok::<(), CumprodError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As for [`cumprod_checked`](Self::cumprod_checked), plus
    /// [`CumprodError::ShapeMismatch`] if `out` does not have the result's shape.
    fn cumprod_checked_into<B>(
        &self,
        how: impl CumprodOptions<B>,
        out: &mut ArrayRef<B, D>,
    ) -> Result<(), CumprodError>
    where
        A: Clone + Into<B>,
        B: Clone + CheckedMul + One;

    /// Replaces the array by its checked cumulative product with the options of
    /// `how`, or returns an error and leaves the array untouched.
    ///
    /// The whole array is checked before anything is written.
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::{Cumprod, CumprodError, CumprodExt};
    ///
    /// let mut a = array![[2_i8, 3], [100, 1]];
    /// let err = a.cumprod_checked_inplace(Cumprod::along(Axis(0))).unwrap_err();
    /// assert_eq!(err, CumprodError::Overflow { index: vec![1, 0] });
    /// assert_eq!(a, array![[2, 3], [100, 1]]); // untouched
    ///
    /// a.cumprod_checked_inplace(Cumprod::along(Axis(1)))?;
    /// assert_eq!(a, array![[2, 6], [100, 100]]);
    /// # Ok::<(), CumprodError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As for [`cumprod_checked`](Self::cumprod_checked), plus
    /// [`CumprodError::IncludeInitialInPlace`] if `how` asks for
    /// [`include_initial`](crate::Cumprod::include_initial), whose result is
    /// longer than the array.
    fn cumprod_checked_inplace(&mut self, how: impl CumprodOptions<A>) -> Result<(), CumprodError>
    where
        A: Clone + CheckedMul + One,
        S: DataMut;

    /// The gradient of the cumulative product along `axis`: given the gradient
    /// `grad` of a loss with respect to `y = a.cumprod_axis(axis)`, the gradient
    /// with respect to `a` (the vector-Jacobian product, what reverse-mode
    /// automatic differentiation needs). `grad` is any array or view of `a`'s
    /// shape, or an `&ArrayRef`.
    ///
    /// `dx[k] = (x[0] * ... * x[k-1]) * s[k]` with `s[n-1] = g[n-1]` and
    /// `s[k] = g[k] + x[k+1] * s[k+1]`: the textbook `sum(g * y)[k..] / x[k]` without
    /// the division, so that zeros in `a` give the exact gradient rather than NaN.
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::CumprodExt;
    ///
    /// let x = array![2.0, 0.0, 3.0];
    /// let g = array![1.0, 1.0, 1.0]; // loss = sum(cumprod(x))
    /// let dx = x.cumprod_axis_grad(Axis(0), &g)?;
    /// // d/dx0 (x0 + x0 x1 + x0 x1 x2) = 1 + x1 + x1 x2 = 1
    /// // d/dx1 = x0 + x0 x2 = 8; d/dx2 = x0 x1 = 0
    /// assert_eq!(dx, array![1.0, 8.0, 0.0]);
    /// # Ok::<(), ndarray_cumprod::CumprodError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// - [`CumprodError::AxisOutOfBounds`] if `axis >= a.ndim()`.
    /// - [`CumprodError::OperandShapeMismatch`] (operand `"gradient"`) if
    ///   `grad.shape() != a.shape()`.
    fn cumprod_axis_grad(
        &self,
        axis: Axis,
        grad: &ArrayRef<A, D>,
    ) -> Result<Array<A, D>, CumprodError>
    where
        A: FloatCore;
}

/// The methods of [`CumprodExt`], for both implementations: every method
/// works on `self.view()` or `self.view_mut()`, which `ArrayBase` and
/// `ArrayRef` both have. `$data_mut` is the bound the in-place methods add for
/// an `ArrayBase` (`S: DataMut,`); an `ArrayRef` is always writable through
/// `&mut`, and a bound on its marker storage type would tie the lifetime of
/// every view to it.
macro_rules! cumprod_ext_methods {
    ($($data_mut:tt)*) => {
        // The plain methods are the converting ones with `B = A` (every type converts
        // into itself; the conversion compiles down to the clone).
        fn cumprod_flat(&self) -> Array1<A>
        where
            A: Clone + Mul<Output = A>,
        {
            self.cumprod_flat_as::<A>()
        }

        #[track_caller]
        fn cumprod_axis(&self, axis: Axis) -> Array<A, D>
        where
            A: Clone + Mul<Output = A>,
        {
            assert_axis(axis, self.ndim());
            kernels::axis_alloc_same(self.view(), axis)
        }

        fn cumprod_flat_as<B>(&self) -> Array1<B>
        where
            A: Clone + Into<B>,
            B: Clone + Mul<Output = B>,
        {
            kernels::flat_alloc(self.view(), convert)
        }

        #[track_caller]
        fn cumprod_axis_as<B>(&self, axis: Axis) -> Array<B, D>
        where
            A: Clone + Into<B>,
            B: Clone + Mul<Output = B>,
        {
            assert_axis(axis, self.ndim());
            kernels::axis_alloc(self.view(), axis, convert)
        }

        fn cumprod_flat_into<B>(&self, out: &mut ArrayRef<B, Ix1>) -> Result<(), CumprodError>
        where
            A: Clone + Into<B>,
            B: Clone + Mul<Output = B>,
        {
            check_shape(&[self.len()], out.shape())?;
            kernels::flat_into(self.view(), out.view_mut(), convert);
            Ok(())
        }

        fn cumprod_axis_into<B>(&self, axis: Axis, out: &mut ArrayRef<B, D>) -> Result<(), CumprodError>
        where
            A: Clone + Into<B>,
            B: Clone + Mul<Output = B>,
        {
            check_axis(axis.index(), self.ndim())?;
            check_shape(self.shape(), out.shape())?;
            kernels::axis_into(self.view(), out.view_mut(), axis, convert);
            Ok(())
        }

        #[track_caller]
        fn cumprod_axis_inplace(&mut self, axis: Axis)
        where
            A: Clone + Mul<Output = A>,
            $($data_mut)*
        {
            assert_axis(axis, self.ndim());
            kernels::axis_inplace(self.view_mut(), axis);
        }

        // The NaN-skipping twins: the same kernels, with a conversion that
        // turns a NaN into one as the element is read.
        fn nancumprod_flat(&self) -> Array1<A>
        where
            A: NanAware + Mul<Output = A>,
        {
            self.nancumprod_flat_as::<A>()
        }

        #[track_caller]
        fn nancumprod_axis(&self, axis: Axis) -> Array<A, D>
        where
            A: NanAware + Mul<Output = A>,
        {
            self.nancumprod_axis_as::<A>(axis)
        }

        fn nancumprod_flat_as<B>(&self) -> Array1<B>
        where
            A: Clone + Into<B>,
            B: NanAware + Mul<Output = B>,
        {
            kernels::flat_alloc(self.view(), nan_as_one)
        }

        #[track_caller]
        fn nancumprod_axis_as<B>(&self, axis: Axis) -> Array<B, D>
        where
            A: Clone + Into<B>,
            B: NanAware + Mul<Output = B>,
        {
            assert_axis(axis, self.ndim());
            kernels::axis_alloc(self.view(), axis, nan_as_one)
        }

        fn nancumprod_flat_into<B>(&self, out: &mut ArrayRef<B, Ix1>) -> Result<(), CumprodError>
        where
            A: Clone + Into<B>,
            B: NanAware + Mul<Output = B>,
        {
            check_shape(&[self.len()], out.shape())?;
            kernels::flat_into(self.view(), out.view_mut(), nan_as_one);
            Ok(())
        }

        fn nancumprod_axis_into<B>(
            &self,
            axis: Axis,
            out: &mut ArrayRef<B, D>,
        ) -> Result<(), CumprodError>
        where
            A: Clone + Into<B>,
            B: NanAware + Mul<Output = B>,
        {
            check_axis(axis.index(), self.ndim())?;
            check_shape(self.shape(), out.shape())?;
            kernels::axis_into(self.view(), out.view_mut(), axis, nan_as_one);
            Ok(())
        }

        #[track_caller]
        fn nancumprod_axis_inplace(&mut self, axis: Axis)
        where
            A: NanAware + Mul<Output = A>,
            $($data_mut)*
        {
            assert_axis(axis, self.ndim());
            kernels::axis_inplace_prepared(self.view_mut(), axis, nan_to_one_inplace);
        }

        #[track_caller]
        fn cumprod_with(&self, how: impl CumprodOptions<A>) -> Array<A, D>
        where
            A: Clone + Mul<Output = A> + One,
        {
            self.cumprod_with_as::<A>(how)
        }

        #[track_caller]
        fn cumprod_with_as<B>(&self, how: impl CumprodOptions<B>) -> Array<B, D>
        where
            A: Clone + Into<B>,
            B: Clone + Mul<Output = B> + One,
        {
            let how = how.spec();
            unwrap_or_panic(check_options(self.shape(), &how).and(check_no_keep_nan(&how)));
            alloc_with(self.view(), &how, &convert, &kept_none)
        }

        fn cumprod_with_into<B>(
            &self,
            how: impl CumprodOptions<B>,
            out: &mut ArrayRef<B, D>,
        ) -> Result<(), CumprodError>
        where
            A: Clone + Into<B>,
            B: Clone + Mul<Output = B> + One,
        {
            let how = how.spec();
            check_into(self.shape(), &how, out.shape())?;
            check_no_keep_nan(&how)?;
            scan_into(self.view(), out.view_mut(), &how, &convert, &kept_none);
            Ok(())
        }

        #[track_caller]
        fn cumprod_with_inplace(&mut self, how: impl CumprodOptions<A>)
        where
            A: Clone + Mul<Output = A> + One,
            $($data_mut)*
        {
            let how = how.spec();
            unwrap_or_panic(check_inplace(self.shape(), &how).and(check_no_keep_nan(&how)));
            scan_inplace(self.view_mut(), &how);
        }

        #[track_caller]
        fn nancumprod_with(&self, how: impl CumprodOptions<A>) -> Array<A, D>
        where
            A: NanAware + Mul<Output = A>,
        {
            self.nancumprod_with_as::<A>(how)
        }

        #[track_caller]
        fn nancumprod_with_as<B>(&self, how: impl CumprodOptions<B>) -> Array<B, D>
        where
            A: Clone + Into<B>,
            B: NanAware + Mul<Output = B>,
        {
            let how = how.spec();
            unwrap_or_panic(check_options(self.shape(), &how));
            // Two loops, so that the choice is made once, not per element.
            if how.extras.keep_nan {
                alloc_with(self.view(), &how, &nan_as_one, &kept_nan)
            } else {
                alloc_with(self.view(), &how, &nan_as_one, &kept_none)
            }
        }

        fn nancumprod_with_into<B>(
            &self,
            how: impl CumprodOptions<B>,
            out: &mut ArrayRef<B, D>,
        ) -> Result<(), CumprodError>
        where
            A: Clone + Into<B>,
            B: NanAware + Mul<Output = B>,
        {
            let how = how.spec();
            check_into(self.shape(), &how, out.shape())?;
            if how.extras.keep_nan {
                scan_into(self.view(), out.view_mut(), &how, &nan_as_one, &kept_nan);
            } else {
                scan_into(self.view(), out.view_mut(), &how, &nan_as_one, &kept_none);
            }
            Ok(())
        }

        #[track_caller]
        fn nancumprod_with_inplace(&mut self, how: impl CumprodOptions<A>)
        where
            A: NanAware + Mul<Output = A>,
            $($data_mut)*
        {
            let how = how.spec();
            unwrap_or_panic(check_inplace(self.shape(), &how));
            scan_inplace_nan(self.view_mut(), &how);
        }

        fn cumprod_checked(&self, how: impl CumprodOptions<A>) -> Result<Array<A, D>, CumprodError>
        where
            A: Clone + CheckedMul + One,
        {
            let how = how.spec();
            check_options(self.shape(), &how)?;
            check_no_keep_nan(&how)?;
            if how.extras.any() {
                return general::checked(self.view(), &how, &A::clone).map_err(overflow);
            }
            check_overflow(self.view(), &how, &A::clone)?;
            Ok(alloc_with(self.view(), &how, &A::clone, &kept_none))
        }

        fn cumprod_checked_into<B>(
            &self,
            how: impl CumprodOptions<B>,
            out: &mut ArrayRef<B, D>,
        ) -> Result<(), CumprodError>
        where
            A: Clone + Into<B>,
            B: Clone + CheckedMul + One,
        {
            let how = how.spec();
            check_into(self.shape(), &how, out.shape())?;
            check_no_keep_nan(&how)?;
            if how.extras.any() {
                let result = general::checked(self.view(), &how, &convert).map_err(overflow)?;
                out.assign(&result);
                return Ok(());
            }
            check_overflow(self.view(), &how, &convert)?;
            family::with_into(self.view(), out.view_mut(), &how, &convert);
            Ok(())
        }

        fn cumprod_checked_inplace(&mut self, how: impl CumprodOptions<A>) -> Result<(), CumprodError>
        where
            A: Clone + CheckedMul + One,
            $($data_mut)*
        {
            let how = how.spec();
            check_inplace(self.shape(), &how)?;
            check_no_keep_nan(&how)?;
            if how.extras.any() {
                let result = general::checked(self.view(), &how, &A::clone).map_err(overflow)?;
                self.assign(&result);
                return Ok(());
            }
            check_overflow(self.view(), &how, &A::clone)?;
            family::with_inplace(self.view_mut(), &how, None::<fn(&mut A)>);
            Ok(())
        }

        fn cumprod_axis_grad(&self, axis: Axis, grad: &ArrayRef<A, D>) -> Result<Array<A, D>, CumprodError>
        where
            A: FloatCore,
        {
            check_axis(axis.index(), self.ndim())?;
            check_operand("gradient", self.shape(), grad.shape())?;
            Ok(family::grad_axis(self.view(), grad.view(), axis))
        }
    };
}

impl<A, S, D> CumprodExt<A, S, D> for ArrayBase<S, D>
where
    S: Data<Elem = A>,
    D: Dimension,
{
    cumprod_ext_methods!(S: DataMut,);
}

/// For functions written over ndarray 0.17's reference types
/// (`fn f(a: &ArrayRef2<f64>)`, `fn g(a: &mut ArrayRef2<f64>)`), whose
/// receivers are not `ArrayBase`s. The storage parameter is that of a mutable
/// view, which gives the in-place methods the `DataMut` they need; a caller
/// never names it.
impl<A, D> CumprodExt<A, ViewRepr<&mut A>, D> for ArrayRef<A, D>
where
    D: Dimension,
{
    cumprod_ext_methods!();
}

/// Panics with the error's message.
#[track_caller]
fn unwrap_or_panic(result: Result<(), CumprodError>) {
    if let Err(err) = result {
        panic!("{err}");
    }
}

/// The errors of the options themselves: the axis, and the carry's shape.
/// Nothing is allocated unless there is an error to report.
fn check_options<B>(shape: &[usize], how: &Spec<'_, B>) -> Result<(), CumprodError> {
    let axis = how.axis.index();
    check_axis(axis, shape.len())?;
    if let Start::Lanes(lanes) = &how.initial {
        let others = shape
            .iter()
            .enumerate()
            .filter(|&(ax, _)| ax != axis)
            .map(|(_, len)| len);
        if !others.eq(lanes.shape()) {
            let mut expected = shape.to_vec();
            expected.remove(axis);
            return check_operand("carry", &expected, lanes.shape());
        }
    }
    let extras = &how.extras;
    for (operand, flags) in [("mask", extras.mask), ("segments", extras.starts)] {
        if let Some(flags) = flags {
            let flags = flags.flags();
            if flags.broadcast(shape).is_none() {
                return Err(CumprodError::NotBroadcastable {
                    operand,
                    shape: flags.shape().to_vec(),
                    target: shape.to_vec(),
                });
            }
        }
    }
    if let Some(codes) = &extras.groups {
        check_operand("group codes", &shape[axis..=axis], codes.shape())?;
        if matches!(how.initial, Start::Lanes(_)) {
            return Err(CumprodError::UnsupportedOptions {
                options: "groups with carry",
                reason: "a carry holds one running product per lane, and a grouped scan \
                         keeps one per group and lane; scan the groups in one call",
            });
        }
    }
    Ok(())
}

/// [`check_options`] for the methods that do not look for NaN, which refuse
/// `keep_nan`.
fn check_no_keep_nan<B>(how: &Spec<'_, B>) -> Result<(), CumprodError> {
    if how.extras.keep_nan {
        return Err(CumprodError::UnsupportedOptions {
            options: "keep_nan",
            reason: "only the NaN-skipping methods (nancumprod_with and its forms) look for NaN; \
                     call one of them",
        });
    }
    Ok(())
}

/// The errors of an `_into` call: the options, then the shape of `out`.
/// Nothing is allocated unless there is an error to report.
fn check_into<B>(shape: &[usize], how: &Spec<'_, B>, out: &[usize]) -> Result<(), CumprodError> {
    check_options(shape, how)?;
    let axis = how.axis.index();
    let fits = shape.len() == out.len()
        && shape
            .iter()
            .zip(out)
            .enumerate()
            .all(|(ax, (&len, &found))| {
                found == if ax == axis { how.result_len(len) } else { len }
            });
    if fits {
        Ok(())
    } else {
        check_shape(&result_shape(shape, how), out)
    }
}

/// The errors of an in-place call: the options, and `include_initial`, which
/// cannot be applied in place.
fn check_inplace<B>(shape: &[usize], how: &Spec<'_, B>) -> Result<(), CumprodError> {
    check_options(shape, how)?;
    if how.output == Output::IncludeInitial {
        return Err(CumprodError::IncludeInitialInPlace {
            axis: how.axis.index(),
        });
    }
    Ok(())
}

/// The error for the first overflowing element, if any, with the elements
/// converted by `conv`.
fn check_overflow<A, B, D>(
    a: ArrayView<'_, A, D>,
    how: &Spec<'_, B>,
    conv: &impl Fn(&A) -> B,
) -> Result<(), CumprodError>
where
    B: Clone + CheckedMul,
    D: Dimension,
{
    match family::first_overflow(a, how, conv) {
        Some(index) => Err(CumprodError::Overflow { index }),
        None => Ok(()),
    }
}

/// The shape of the result of `how` on an input of shape `shape`.
fn result_shape<B>(shape: &[usize], how: &Spec<'_, B>) -> Vec<usize> {
    let mut shape = shape.to_vec();
    let axis = how.axis.index();
    shape[axis] = how.result_len(shape[axis]);
    shape
}

/// Allocates the result of `how` on `a` (options already checked), in `a`'s
/// memory order when `a` is contiguous.
fn alloc_with<A, B, D>(
    a: ArrayView<'_, A, D>,
    how: &Spec<'_, B>,
    conv: &impl Fn(&A) -> B,
    keep: &impl Fn(&A, &Spec<'_, B>) -> Option<B>,
) -> Array<B, D>
where
    B: Clone + Mul<Output = B> + One,
    D: Dimension,
{
    let plain = !how.reverse && matches!(how.initial, Start::Identity);
    if how.extras.any() {
        // Written into a new array in the input's memory order, as `_into`
        // writes it.
        let mut shape = a.raw_dim();
        shape[how.axis.index()] = how.result_len(shape[how.axis.index()]);
        let fortran = !a.is_standard_layout() && a.t().is_standard_layout();
        let mut out = kernels::filled(shape, fortran, B::one());
        general::with_into(a, out.view_mut(), how, conv, &|x| keep(x, how));
        return out;
    }
    match how.output {
        // One pass, as for the plain methods.
        Output::Inclusive if plain => kernels::axis_alloc(a, how.axis, conv),
        // Same shape: a converted copy in the input's memory order, then the
        // scan in place.
        Output::Inclusive => {
            let mut out = kernels::mapped(a, conv);
            family::with_inplace(out.view_mut(), how, None::<fn(&mut B)>);
            out
        }
        // The result shifted by one (and one longer with include_initial):
        // written into a new array in the input's memory order, as the
        // `_into` methods write it (measured, 8192 x 1024 f64, exclusive, as
        // times a copy of the input: along axis 1, 8.5x through a copy, a
        // shift and a scan in place, 7x this way; a new 64 MiB array costs
        // several copies in page faults).
        Output::Exclusive | Output::IncludeInitial => {
            let mut shape = a.raw_dim();
            shape[how.axis.index()] = how.result_len(shape[how.axis.index()]);
            let fortran = !a.is_standard_layout() && a.t().is_standard_layout();
            let mut out = kernels::filled(shape, fortran, B::one());
            family::with_into(a, out.view_mut(), how, conv);
            out
        }
    }
}

/// Writes the scan of `how` into `out` (all checked), through the general
/// kernels when the options have per-element operands.
fn scan_into<A, B, D>(
    src: ArrayView<'_, A, D>,
    out: ArrayViewMut<'_, B, D>,
    how: &Spec<'_, B>,
    conv: &impl Fn(&A) -> B,
    keep: &impl Fn(&A, &Spec<'_, B>) -> Option<B>,
) where
    B: Clone + Mul<Output = B> + One,
    D: Dimension,
{
    if how.extras.any() {
        general::with_into(src, out, how, conv, &|x| keep(x, how));
    } else {
        family::with_into(src, out, how, conv);
    }
}

/// The scan of `how` in place (all checked), without looking for NaN.
fn scan_inplace<A, D>(a: ArrayViewMut<'_, A, D>, how: &Spec<'_, A>)
where
    A: Clone + Mul<Output = A> + One,
    D: Dimension,
{
    if how.extras.any() {
        general::with_inplace(a, how, &A::clone, &|_| false);
    } else {
        family::with_inplace(a, how, None::<fn(&mut A)>);
    }
}

/// The NaN-skipping scan of `how` in place (all checked).
fn scan_inplace_nan<A, D>(a: ArrayViewMut<'_, A, D>, how: &Spec<'_, A>)
where
    A: NanAware + Mul<Output = A>,
    D: Dimension,
{
    if how.extras.any() {
        let keep_nan = how.extras.keep_nan;
        general::with_inplace(a, how, &nan_as_one, &|x: &A| keep_nan && x.is_nan());
    } else {
        family::with_inplace(a, how, Some(nan_to_one_inplace));
    }
}

/// No element stays as it is (the methods that do not look for NaN).
fn kept_none<A, B>(_: &A, _: &Spec<'_, B>) -> Option<B> {
    None
}

/// With `keep_nan`, a NaN element stays NaN in the result.
fn kept_nan<A: Clone + Into<B>, B: NanAware>(x: &A, _: &Spec<'_, B>) -> Option<B> {
    let x: B = x.clone().into();
    x.is_nan().then_some(x)
}

/// The error for an overflow at `index`.
fn overflow(index: Vec<usize>) -> CumprodError {
    CumprodError::Overflow { index }
}

/// NaN-skipping's view of an element: converted to `B`, and one if it is NaN.
fn nan_as_one<A: Clone + Into<B>, B: NanAware>(x: &A) -> B {
    let x: B = x.clone().into();
    if x.is_nan() {
        B::one()
    } else {
        x
    }
}

/// NaN-skipping in place: a NaN becomes one.
fn nan_to_one_inplace<A: NanAware>(x: &mut A) {
    if x.is_nan() {
        *x = A::one();
    }
}

/// The lossless conversion of the `_as` and `_into` methods.
pub(crate) fn convert<A: Clone + Into<B>, B>(x: &A) -> B {
    x.clone().into()
}

/// Whether `conv` is [`convert`] from `A` to `B`: kernels that know the
/// conversion (a copy, say) take the elements as they are. Function items
/// are types of their own, so an equal identity is the same function.
pub(crate) fn is_convert<A: Clone + Into<B>, B, F>(conv: &F) -> bool {
    type_of(conv) == type_of(&convert::<A, B>)
}

/// [`is_convert`], or a reference to [`convert`], as the masked and
/// segmented kernels receive it.
pub(crate) fn is_convert_or_ref<A: Clone + Into<B>, B, F>(conv: &F) -> bool {
    is_convert::<A, B, F>(conv) || type_of(conv) == type_of(&&convert::<A, B>)
}

/// The identity of the type of `value`, without a `'static` bound.
fn type_of<T>(_: &T) -> core::any::TypeId {
    typeid::of::<T>()
}
