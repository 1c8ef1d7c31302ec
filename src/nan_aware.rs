//! [`NanAware`], the element types the NaN-skipping products accept.

use core::num::Wrapping;

use num_complex::Complex;
use num_traits::float::FloatCore;
use num_traits::One;

/// An element type that has NaN values, for the NaN-skipping products
/// ([`nancumprod_with`](crate::CumprodExt::nancumprod_with) and its forms), which
/// count every NaN as one, as NumPy's `nancumprod` does.
///
/// Implemented for `f32`, `f64` and `Complex<f32>`, `Complex<f64>` (a complex
/// value is NaN when either part is, as in NumPy), and, as NumPy's `nancumprod`
/// accepts them, for the primitive integers and their
/// [`Wrapping`] forms, which have no NaN: generic code
/// can call the NaN-skipping products on any of them. Implement it for another
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

impl<T> NanAware for Wrapping<T>
where
    Wrapping<T>: Clone + One,
{
    fn is_nan(&self) -> bool {
        false
    }
}

/// The integers have no NaN.
macro_rules! no_nan {
    ($($t:ty)*) => {
        $(
            impl NanAware for $t {
                fn is_nan(&self) -> bool {
                    false
                }
            }
        )*
    };
}

no_nan!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize);
