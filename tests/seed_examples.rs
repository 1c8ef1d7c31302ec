//! The three examples of the NumPy reference page the crate started from
//! (`shared/seed/cumprod.md`), with the values the page prints.

use ndarray::{array, Axis};
use ndarray_cumprod::CumprodExt;

/// Example 1: `np.array([1, 2, 3, 4]).cumprod()` prints `[ 1  2  6 24]`.
#[test]
fn example_1_cumulative_product_of_a_1d_array() {
    let a = array![1, 2, 3, 4];
    assert_eq!(a.cumprod_flat(), array![1, 2, 6, 24]);
    // For a 1-D array, axis=0 is the same scan.
    assert_eq!(a.cumprod_axis(Axis(0)), array![1, 2, 6, 24]);
}

/// Example 2: `b.cumprod(axis=1)` and `b.cumprod(axis=0)`.
#[test]
fn example_2_cumulative_product_along_different_axes() {
    let b = array![[1, 2, 3], [4, 5, 6]];
    assert_eq!(b.cumprod_axis(Axis(1)), array![[1, 2, 6], [4, 20, 120]]);
    assert_eq!(b.cumprod_axis(Axis(0)), array![[1, 2, 3], [4, 10, 18]]);
}

/// The codebyte example: flattened, then along each axis.
#[test]
fn codebyte_example_flattened_and_along_each_axis() {
    let a = array![[2, 3, 4], [5, 6, 7]];
    assert_eq!(a.cumprod_flat(), array![2, 6, 24, 120, 720, 5040]);
    assert_eq!(a.cumprod_axis(Axis(0)), array![[2, 3, 4], [10, 18, 28]]);
    assert_eq!(a.cumprod_axis(Axis(1)), array![[2, 6, 24], [5, 30, 210]]);
}

/// NumPy gives the examples' `int64` results because it promotes; with `i32`
/// input the same numbers come from the `_as` form.
#[test]
fn examples_with_numpy_promotion_to_int64() {
    let b = array![[1_i32, 2, 3], [4, 5, 6]];
    assert_eq!(
        b.cumprod_axis_as::<i64>(Axis(1)),
        array![[1_i64, 2, 6], [4, 20, 120]]
    );
    assert_eq!(
        b.cumprod_flat_as::<i64>(),
        array![1_i64, 2, 6, 24, 120, 720]
    );
}
