//! The error type of the fallible (`_into`) methods.

use alloc::vec::Vec;
use core::fmt;

/// What was wrong with the arguments of a fallible cumulative-product call.
///
/// Returned by the `_into` methods of [`CumprodExt`](crate::CumprodExt), the
/// checked methods and the gradient. When one of them returns an error, the
/// output array has not been written to.
///
/// The enum is `#[non_exhaustive]`: later versions may add variants, so a `match`
/// on it needs a wildcard arm.
///
/// ```
/// use ndarray::{array, Array2, Axis};
/// use ndarray_cumprod::{CumprodError, CumprodExt};
///
/// let a = array![[1.0, 2.0], [3.0, 4.0]];
/// let mut out = Array2::<f64>::zeros((2, 2));
///
/// let err = a.cumprod_axis_into(Axis(2), &mut out).unwrap_err();
/// assert_eq!(err, CumprodError::AxisOutOfBounds { axis: 2, ndim: 2 });
/// assert_eq!(err.to_string(), "axis 2 is out of bounds for array of dimension 2");
/// assert_eq!(out, Array2::<f64>::zeros((2, 2))); // untouched
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CumprodError {
    /// The axis index is not smaller than the number of dimensions of the input.
    ///
    /// A 0-d array has no axis at all, so every axis is out of bounds for it.
    AxisOutOfBounds {
        /// The axis that was asked for.
        axis: usize,
        /// The number of dimensions of the input array.
        ndim: usize,
    },
    /// The output array does not have the shape of the result.
    ShapeMismatch {
        /// The shape the result has (and the output must have).
        expected: Vec<usize>,
        /// The shape of the output array that was passed.
        found: Vec<usize>,
    },
    /// An array handed in beside the input (the per-lane initial values of
    /// [`Cumprod::carry`](crate::Cumprod::carry), or the upstream gradient of
    /// [`cumprod_axis_grad`](crate::CumprodExt::cumprod_axis_grad)) does not have
    /// the shape it needs.
    OperandShapeMismatch {
        /// What the array is: `"carry"` or `"gradient"`.
        operand: &'static str,
        /// The shape it must have.
        expected: Vec<usize>,
        /// The shape it has.
        found: Vec<usize>,
    },
    /// A product overflowed the element type, in the checked methods
    /// ([`cumprod_checked`](crate::CumprodExt::cumprod_checked) and
    /// [`cumprod_checked_into`](crate::CumprodExt::cumprod_checked_into)).
    Overflow {
        /// The index, in the input array, of the first element (in logical,
        /// row-major order) whose multiplication overflowed.
        index: Vec<usize>,
    },
    /// An in-place method was asked for
    /// [`include_initial`](crate::Cumprod::include_initial), whose result is one
    /// element longer along the axis than the array
    /// ([`cumprod_checked_inplace`](crate::CumprodExt::cumprod_checked_inplace)
    /// returns it; the other in-place methods panic with its message).
    IncludeInitialInPlace {
        /// The scan axis.
        axis: usize,
    },
    /// An array of flags handed in beside the input (a
    /// [`mask`](crate::Cumprod::mask) or the
    /// [`segments`](crate::Cumprod::segments) starts) does not broadcast to
    /// the input's shape.
    NotBroadcastable {
        /// What the array is: `"mask"` or `"segments"`.
        operand: &'static str,
        /// Its shape.
        shape: Vec<usize>,
        /// The input's shape, which it must broadcast to.
        target: Vec<usize>,
    },
    /// Options that this method cannot honour together, such as a
    /// [`carry`](crate::Cumprod::carry) with [`groups`](crate::Cumprod::groups),
    /// or [`keep_nan`](crate::Cumprod::keep_nan) with a method that does not
    /// look for NaN.
    UnsupportedOptions {
        /// The options, as the builder methods name them.
        options: &'static str,
        /// Why, and what to do instead.
        reason: &'static str,
    },
}

impl fmt::Display for CumprodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CumprodError::AxisOutOfBounds { axis, ndim } => {
                write!(f, "axis {axis} is out of bounds for array of dimension {ndim}")
            }
            CumprodError::ShapeMismatch { expected, found } => write!(
                f,
                "output array has shape {found:?}, but the cumulative product has shape {expected:?}"
            ),
            CumprodError::OperandShapeMismatch {
                operand,
                expected,
                found,
            } => write!(
                f,
                "{operand} array has shape {found:?}, but shape {expected:?} is needed"
            ),
            CumprodError::Overflow { index } => write!(
                f,
                "the cumulative product overflows at the element of index {index:?}"
            ),
            CumprodError::IncludeInitialInPlace { axis } => write!(
                f,
                "include_initial makes the result one element longer along axis {axis}, \
                 so it cannot be computed in place; use the allocating or the _into form"
            ),
            CumprodError::NotBroadcastable {
                operand,
                shape,
                target,
            } => write!(
                f,
                "{operand} array of shape {shape:?} does not broadcast to the input's shape {target:?}"
            ),
            CumprodError::UnsupportedOptions { options, reason } => {
                write!(f, "{options} cannot be used here: {reason}")
            }
        }
    }
}

impl core::error::Error for CumprodError {}

/// Returns the error for `axis` on an array of `ndim` dimensions, if any.
pub(crate) fn check_axis(axis: usize, ndim: usize) -> Result<(), CumprodError> {
    if axis < ndim {
        Ok(())
    } else {
        Err(CumprodError::AxisOutOfBounds { axis, ndim })
    }
}

/// Returns the error for an output of shape `found` where `expected` is needed, if any.
pub(crate) fn check_shape(expected: &[usize], found: &[usize]) -> Result<(), CumprodError> {
    if expected == found {
        Ok(())
    } else {
        Err(CumprodError::ShapeMismatch {
            expected: expected.to_vec(),
            found: found.to_vec(),
        })
    }
}

/// Returns the error for an operand of shape `found` where `expected` is needed, if any.
pub(crate) fn check_operand(
    operand: &'static str,
    expected: &[usize],
    found: &[usize],
) -> Result<(), CumprodError> {
    if expected == found {
        Ok(())
    } else {
        Err(CumprodError::OperandShapeMismatch {
            operand,
            expected: expected.to_vec(),
            found: found.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    #[test]
    fn messages_say_what_was_wrong() {
        assert_eq!(
            CumprodError::AxisOutOfBounds { axis: 3, ndim: 0 }.to_string(),
            "axis 3 is out of bounds for array of dimension 0"
        );
        assert_eq!(
            CumprodError::ShapeMismatch {
                expected: vec![2, 3],
                found: vec![3, 2]
            }
            .to_string(),
            "output array has shape [3, 2], but the cumulative product has shape [2, 3]"
        );
        assert_eq!(
            CumprodError::OperandShapeMismatch {
                operand: "carry",
                expected: vec![3],
                found: vec![2]
            }
            .to_string(),
            "carry array has shape [2], but shape [3] is needed"
        );
        assert_eq!(
            CumprodError::Overflow { index: vec![1, 4] }.to_string(),
            "the cumulative product overflows at the element of index [1, 4]"
        );
        assert_eq!(
            CumprodError::IncludeInitialInPlace { axis: 1 }.to_string(),
            "include_initial makes the result one element longer along axis 1, \
             so it cannot be computed in place; use the allocating or the _into form"
        );
    }

    #[test]
    fn checks_accept_good_input_and_name_bad_input() {
        assert_eq!(check_axis(1, 2), Ok(()));
        assert_eq!(
            check_axis(2, 2),
            Err(CumprodError::AxisOutOfBounds { axis: 2, ndim: 2 })
        );
        assert_eq!(check_shape(&[2, 3], &[2, 3]), Ok(()));
        assert_eq!(
            check_shape(&[2, 3], &[6]),
            Err(CumprodError::ShapeMismatch {
                expected: vec![2, 3],
                found: vec![6]
            })
        );
    }

    #[test]
    fn is_a_std_error() {
        fn takes_error(_: &dyn core::error::Error) {}
        takes_error(&CumprodError::AxisOutOfBounds { axis: 0, ndim: 0 });
    }
}
