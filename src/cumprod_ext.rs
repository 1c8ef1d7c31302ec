//! The [`CumprodExt`] extension trait.

use core::ops::Mul;

use ndarray::{Array, Array1, ArrayBase, Axis, Data, DataMut, Dimension, Ix1};

use crate::errors::{check_axis, check_shape, CumprodError};
use crate::kernels;

mod private {
    /// Keeps [`CumprodExt`](super::CumprodExt) implementable only in this crate,
    /// so that methods can be added to it without a breaking change.
    pub trait Sealed {}

    impl<S, D> Sealed for ndarray::ArrayBase<S, D>
    where
        S: ndarray::Data,
        D: ndarray::Dimension,
    {
    }
}

/// Panics with NumPy's message when `axis` is out of bounds.
#[track_caller]
pub(crate) fn assert_axis(axis: Axis, ndim: usize) {
    if let Err(err) = check_axis(axis.index(), ndim) {
        panic!("{err}");
    }
}

/// NumPy's `cumprod` for every ndarray array: owned arrays, views, `ArcArray`,
/// `CowArray`, any dimension and any memory layout.
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
/// build, use [`std::num::Wrapping`]:
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
/// The trait is sealed: it is implemented for every [`ArrayBase`] and cannot be
/// implemented outside this crate, so that methods can be added to it in a minor
/// release.
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
    /// `out` is any one-dimensional array with `a.len()` elements, in any layout;
    /// its element type `B` may be `A` itself or any type `A` converts into
    /// losslessly (see [`cumprod_flat_as`](Self::cumprod_flat_as)). Nothing is
    /// allocated (unless `out` is an `ArcArray` that shares its data, which is
    /// unshared first, as for any mutation of one).
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
    /// written.
    fn cumprod_flat_into<B, S2>(&self, out: &mut ArrayBase<S2, Ix1>) -> Result<(), CumprodError>
    where
        A: Clone + Into<B>,
        B: Clone + Mul<Output = B>,
        S2: DataMut<Elem = B>;

    /// Writes the cumulative product along `axis` into `out`: NumPy's
    /// `a.cumprod(axis=k, out=o)`.
    ///
    /// `out` has the shape of `a`, in any layout (views, strided and reversed
    /// arrays included); its element type `B` may be `A` itself or any type `A`
    /// converts into losslessly. Nothing is allocated (unless `out` is an
    /// `ArcArray` that shares its data, which is unshared first).
    ///
    /// ```
    /// use ndarray::{array, Array2, Axis};
    /// use ndarray_cumprod::CumprodExt;
    ///
    /// let a = array![[1, 2, 3], [4, 5, 6]];
    /// let mut out = Array2::<i64>::zeros((2, 3));
    /// a.cumprod_axis_into(Axis(1), &mut out)?;
    /// assert_eq!(out, array![[1, 2, 6], [4, 20, 120]]);
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
    /// written.
    fn cumprod_axis_into<B, S2>(
        &self,
        axis: Axis,
        out: &mut ArrayBase<S2, D>,
    ) -> Result<(), CumprodError>
    where
        A: Clone + Into<B>,
        B: Clone + Mul<Output = B>,
        S2: DataMut<Elem = B>;

    /// Replaces the array by its cumulative product along `axis`: NumPy's
    /// `np.cumprod(a, axis=k, out=a)`.
    ///
    /// Nothing is allocated, except that an [`ArcArray`](ndarray::ArcArray) whose
    /// data is shared is first unshared (copied), as for any mutation of one.
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
    /// partly updated).
    #[track_caller]
    fn cumprod_axis_inplace(&mut self, axis: Axis)
    where
        A: Clone + Mul<Output = A>,
        S: DataMut;
}

impl<A, S, D> CumprodExt<A, S, D> for ArrayBase<S, D>
where
    S: Data<Elem = A>,
    D: Dimension,
{
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
        self.cumprod_axis_as::<A>(axis)
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

    fn cumprod_flat_into<B, S2>(&self, out: &mut ArrayBase<S2, Ix1>) -> Result<(), CumprodError>
    where
        A: Clone + Into<B>,
        B: Clone + Mul<Output = B>,
        S2: DataMut<Elem = B>,
    {
        check_shape(&[self.len()], out.shape())?;
        kernels::flat_into(self.view(), out.view_mut(), convert);
        Ok(())
    }

    fn cumprod_axis_into<B, S2>(
        &self,
        axis: Axis,
        out: &mut ArrayBase<S2, D>,
    ) -> Result<(), CumprodError>
    where
        A: Clone + Into<B>,
        B: Clone + Mul<Output = B>,
        S2: DataMut<Elem = B>,
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
        S: DataMut,
    {
        assert_axis(axis, self.ndim());
        kernels::axis_inplace(self.view_mut(), axis);
    }
}

/// The lossless conversion of the `_as` and `_into` methods.
fn convert<A: Clone + Into<B>, B>(x: &A) -> B {
    x.clone().into()
}
