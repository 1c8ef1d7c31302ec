//! [`NanAware`], the element types the NaN-skipping products accept.

use num_complex::Complex;
use num_traits::float::FloatCore;
use num_traits::One;

/// An element type that has NaN values, for the NaN-skipping products
/// ([`nancumprod_with`](crate::CumprodExt::nancumprod_with) and its forms), which
/// count every NaN as one, as NumPy's `nancumprod` does.
///
/// Implemented for `f32`, `f64` and `Complex<f32>`, `Complex<f64>` (a complex
/// value is NaN when either part is, as in NumPy). Implement it for another
/// floating-point type (a half-precision float, say) to use the NaN-skipping
/// products with it.
///
/// ```
/// use ndarray_cumprod::NanAware;
/// use num_complex::Complex64;
///
/// assert!(NanAware::is_nan(&f64::NAN));
/// assert!(!NanAware::is_nan(&f64::INFINITY));
/// assert!(NanAware::is_nan(&Complex64::new(1.0, f64::NAN)));
/// ```
pub trait NanAware: Clone + One {
    /// Whether the value is a NaN (counted as one by the NaN-skipping products).
    fn is_nan(&self) -> bool;
}

impl NanAware for f32 {
    fn is_nan(&self) -> bool {
        f32::is_nan(*self)
    }
}

impl NanAware for f64 {
    fn is_nan(&self) -> bool {
        f64::is_nan(*self)
    }
}

impl<T: FloatCore> NanAware for Complex<T> {
    fn is_nan(&self) -> bool {
        self.re.is_nan() || self.im.is_nan()
    }
}
