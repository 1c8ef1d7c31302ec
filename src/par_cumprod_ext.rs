//! [`ParCumprodExt`]: the cumulative product on several threads (cargo feature
//! `rayon`).

use core::ops::Mul;

use ndarray::{Array, ArrayBase, ArrayRef, Axis, Data, DataMut, Dimension, ViewRepr};

use crate::errors::{check_axis, check_shape, CumprodError};
use crate::kernels::parallel;
use crate::CumprodExt;

/// Multi-threaded forms of the axis methods of [`CumprodExt`](crate::CumprodExt),
/// with the cargo feature `rayon`.
///
/// The lanes along the scan axis are independent: these methods cut the array
/// along another axis and scan the pieces on rayon's thread pool. Each lane is
/// still computed by one thread, left to right, so the results are the same,
/// bit for bit, as those of the serial methods. Arrays with fewer than 65,536
/// elements, and arrays whose only axis longer than one is the scan axis, are
/// scanned on the calling thread.
///
/// There is no parallel flattened scan: it is one chain of multiplications,
/// and splitting it would reassociate the products.
///
/// The trait is sealed: it is implemented for every [`ArrayBase`] and cannot
/// be implemented outside this crate.
///
/// ```
/// use ndarray::{Array2, Axis};
/// use ndarray_cumprod::{CumprodExt, ParCumprodExt};
///
/// let a = Array2::from_shape_fn((512, 256), |(i, j)| 1.0 + ((i + j) % 7) as f64 * 1e-3);
/// assert_eq!(a.par_cumprod_axis(Axis(0)), a.cumprod_axis(Axis(0)));
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
pub trait ParCumprodExt<A, S, D>: crate::cumprod_ext::private::Sealed
where
    S: Data<Elem = A>,
    D: Dimension,
{
    /// [`cumprod_axis`](crate::CumprodExt::cumprod_axis) on several threads.
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::ParCumprodExt;
    ///
    /// let a = array![[1, 2, 3], [4, 5, 6]];
    /// assert_eq!(a.par_cumprod_axis(Axis(1)), array![[1, 2, 6], [4, 20, 120]]);
    /// ```
    ///
    /// **Panics** if `axis` is out of bounds, with NumPy's message, or if a
    /// multiplication of `A` panics.
    #[track_caller]
    fn par_cumprod_axis(&self, axis: Axis) -> Array<A, D>
    where
        A: Clone + Mul<Output = A> + Send + Sync;

    /// [`cumprod_axis_into`](crate::CumprodExt::cumprod_axis_into) on several
    /// threads.
    ///
    /// ```
    /// use ndarray::{array, Array2, Axis};
    /// use ndarray_cumprod::ParCumprodExt;
    ///
    /// let a = array![[1, 2, 3], [4, 5, 6]];
    /// let mut out = Array2::<i64>::zeros((2, 3));
    /// a.par_cumprod_axis_into(Axis(0), &mut out)?;
    /// assert_eq!(out, array![[1, 2, 3], [4, 10, 18]]);
    /// # Ok::<(), ndarray_cumprod::CumprodError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// - [`CumprodError::AxisOutOfBounds`] if `axis` is not an axis of the array;
    /// - [`CumprodError::ShapeMismatch`] if `out` does not have the array's shape.
    ///
    /// `out` is untouched on error.
    fn par_cumprod_axis_into<B>(
        &self,
        axis: Axis,
        out: &mut ArrayRef<B, D>,
    ) -> Result<(), CumprodError>
    where
        A: Clone + Into<B> + Sync,
        B: Clone + Mul<Output = B> + Send + Sync;

    /// [`cumprod_axis_inplace`](crate::CumprodExt::cumprod_axis_inplace) on
    /// several threads.
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use ndarray_cumprod::ParCumprodExt;
    ///
    /// let mut a = array![[1.0, 2.0], [3.0, 4.0]];
    /// a.par_cumprod_axis_inplace(Axis(0));
    /// assert_eq!(a, array![[1.0, 2.0], [3.0, 8.0]]);
    /// ```
    ///
    /// **Panics** if `axis` is out of bounds, with NumPy's message (the array
    /// is then unchanged), or if a multiplication of `A` panics.
    #[track_caller]
    fn par_cumprod_axis_inplace(&mut self, axis: Axis)
    where
        A: Clone + Mul<Output = A> + Send + Sync,
        S: DataMut;
}

/// The methods of [`ParCumprodExt`] for both implementations, as for
/// [`CumprodExt`](crate::CumprodExt).
macro_rules! par_cumprod_ext_methods {
    ($($data_mut:tt)*) => {
        #[track_caller]
        fn par_cumprod_axis(&self, axis: Axis) -> Array<A, D>
        where
            A: Clone + Mul<Output = A> + Send + Sync,
        {
            if self.len() < parallel::MIN_PARALLEL_LEN {
                // The serial method itself, not a copy of its path.
                return self.cumprod_axis(axis);
            }
            crate::cumprod_ext::assert_axis(axis, self.ndim());
            parallel::axis_alloc_same(self.view(), axis)
        }

        fn par_cumprod_axis_into<B>(&self, axis: Axis, out: &mut ArrayRef<B, D>) -> Result<(), CumprodError>
        where
            A: Clone + Into<B> + Sync,
            B: Clone + Mul<Output = B> + Send + Sync,
        {
            if self.len() < parallel::MIN_PARALLEL_LEN {
                return self.cumprod_axis_into(axis, out);
            }
            check_axis(axis.index(), self.ndim())?;
            check_shape(self.shape(), out.shape())?;
            parallel::axis_into(self.view(), out.view_mut(), axis, crate::cumprod_ext::convert);
            Ok(())
        }

        #[track_caller]
        fn par_cumprod_axis_inplace(&mut self, axis: Axis)
        where
            A: Clone + Mul<Output = A> + Send + Sync,
            $($data_mut)*
        {
            if self.len() < parallel::MIN_PARALLEL_LEN {
                return self.cumprod_axis_inplace(axis);
            }
            crate::cumprod_ext::assert_axis(axis, self.ndim());
            parallel::axis_inplace(self.view_mut(), axis);
        }
    };
}

impl<A, S, D> ParCumprodExt<A, S, D> for ArrayBase<S, D>
where
    S: Data<Elem = A>,
    D: Dimension,
{
    par_cumprod_ext_methods!(S: DataMut,);
}

/// For functions written over `&ArrayRef`, as for [`CumprodExt`](crate::CumprodExt).
impl<A, D> ParCumprodExt<A, ViewRepr<&mut A>, D> for ArrayRef<A, D>
where
    D: Dimension,
{
    par_cumprod_ext_methods!();
}
