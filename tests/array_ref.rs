//! Functions written over ndarray 0.17's reference types (`&ArrayRef<A, D>` and
//! `&mut ArrayRef<A, D>`, the way ndarray recommends writing functions) call
//! every method of the crate with method syntax, and get the same results as
//! the same calls on the `ArrayBase` they came from.

use ndarray::{array, Array, Array1, Array2, ArrayRef, ArrayRef2, Axis, Dimension, Ix2};
use ndarray_cumprod::{Cumprod, CumprodError, CumprodExt};

/// What NumPy's cumprod gives for the 2x3 example along axis 1.
fn expected_axis1() -> Array2<f64> {
    array![[1.0, 2.0, 6.0], [4.0, 20.0, 120.0]]
}

fn example() -> Array2<f64> {
    array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
}

/// The example from the issue: a function over `&ArrayRef2<f64>`.
fn running_product(a: &ArrayRef2<f64>) -> Array2<f64> {
    a.cumprod_axis(Axis(1))
}

/// Every allocating and `_into` method, from a shared reference.
fn every_shared_method(a: &ArrayRef2<f64>) {
    assert_eq!(a.cumprod_axis(Axis(1)), expected_axis1());
    assert_eq!(a.cumprod_flat(), array![1.0, 2.0, 6.0, 24.0, 120.0, 720.0]);
    assert_eq!(
        a.cumprod_axis_as::<f64>(Axis(0)),
        array![[1.0, 2.0, 3.0], [4.0, 10.0, 18.0]]
    );
    assert_eq!(a.cumprod_flat_as::<f64>()[5], 720.0);

    let mut flat = Array1::<f64>::zeros(6);
    a.cumprod_flat_into(&mut flat).unwrap();
    assert_eq!(flat[5], 720.0);
    let mut out = Array2::<f64>::zeros((2, 3));
    a.cumprod_axis_into(Axis(1), &mut out).unwrap();
    assert_eq!(out, expected_axis1());

    let how = Cumprod::along(Axis(1)).reverse();
    let reversed = array![[6.0, 6.0, 3.0], [120.0, 30.0, 6.0]];
    assert_eq!(a.cumprod_with(&how), reversed);
    let mut out = Array2::<f64>::zeros((2, 3));
    a.cumprod_with_into(&how, &mut out).unwrap();
    assert_eq!(out, reversed);
    assert_eq!(a.nancumprod_with(&how), reversed);
    let mut out = Array2::<f64>::zeros((2, 3));
    a.nancumprod_with_into(&how, &mut out).unwrap();
    assert_eq!(out, reversed);

    let ones = Array2::<f64>::ones((2, 3));
    let dx = a.cumprod_axis_grad(Axis(1), &ones).unwrap();
    // d/dx0 (x0 + x0 x1 + x0 x1 x2) = 1 + x1 + x1 x2 = 1 + 2 + 6
    assert_eq!(dx[[0, 0]], 9.0);

    // An error comes back as from the ArrayBase form, and out is untouched.
    let mut wrong = Array2::<f64>::from_elem((3, 2), 7.0);
    assert_eq!(
        a.cumprod_axis_into(Axis(1), &mut wrong),
        Err(CumprodError::ShapeMismatch {
            expected: vec![2, 3],
            found: vec![3, 2]
        })
    );
    assert!(wrong.iter().all(|&x| x == 7.0));
}

/// The in-place methods, from a mutable reference.
fn every_inplace_method(a: &mut ArrayRef2<f64>) {
    let before = a.to_owned();
    a.cumprod_axis_inplace(Axis(1));
    assert_eq!(a, &expected_axis1());
    a.assign(&before);
    a.cumprod_with_inplace(&Cumprod::along(Axis(1)));
    assert_eq!(a, &expected_axis1());
    a.assign(&before);
    a.nancumprod_with_inplace(&Cumprod::along(Axis(1)));
    assert_eq!(a, &expected_axis1());
    a.assign(&before);
}

/// The checked methods, on integers.
fn checked(a: &ArrayRef2<i8>) -> Result<Array2<i8>, CumprodError> {
    let how = Cumprod::along(Axis(0));
    let mut out = Array2::<i8>::zeros(a.raw_dim());
    a.cumprod_checked_into(&how, &mut out)?;
    let owned = a.cumprod_checked(&how)?;
    assert_eq!(owned, out);
    Ok(owned)
}

/// A generic function over any element type and dimension.
fn generic<A, D>(a: &ArrayRef<A, D>, axis: Axis) -> Array<A, D>
where
    A: Clone + core::ops::Mul<Output = A>,
    D: Dimension,
{
    a.cumprod_axis(axis)
}

#[test]
fn the_issue_example_compiles_and_runs() {
    let a = example();
    assert_eq!(running_product(&a), expected_axis1());
    // A view and a mutable view pass as `&ArrayRef` too.
    assert_eq!(running_product(&a.view()), expected_axis1());
    let mut b = example();
    assert_eq!(running_product(&b.view_mut()), expected_axis1());
}

#[test]
fn every_method_through_array_ref() {
    let a = example();
    every_shared_method(&a);
    every_shared_method(&a.view());
    // A transposed copy, so that the reference is to an F-order array.
    let f = example()
        .reversed_axes()
        .as_standard_layout()
        .reversed_axes()
        .to_owned();
    assert!(!f.is_standard_layout());
    every_shared_method(&f);

    let mut b = example();
    every_inplace_method(&mut b);
    every_inplace_method(&mut b.view_mut());
    assert_eq!(b, example());

    assert_eq!(
        checked(&array![[100_i8, 1], [2, 1]]),
        Err(CumprodError::Overflow { index: vec![1, 0] })
    );
    assert_eq!(
        checked(&array![[10_i8, 1], [2, 3]]),
        Ok(array![[10_i8, 1], [20, 3]])
    );
}

#[test]
fn array_ref_and_array_base_give_the_same_results() {
    let a = Array::from_shape_fn((3, 4, 5), |(i, j, k)| {
        1.0 + (i * 20 + j * 5 + k) as f64 / 7.0
    });
    for k in 0..3 {
        let through_ref: &ArrayRef<f64, _> = &a;
        assert_eq!(generic(through_ref, Axis(k)), a.cumprod_axis(Axis(k)));
        // Slicing gives a view; its reference is strided.
        let sliced = a.slice(ndarray::s![..;2, ..;-1, 1..]);
        assert_eq!(generic(&sliced, Axis(k)), sliced.cumprod_axis(Axis(k)));
    }
    let d = a.clone().into_dyn();
    assert_eq!(generic(&d, Axis(2)), a.cumprod_axis(Axis(2)).into_dyn());
}

#[test]
fn the_in_place_methods_through_an_arc_array_copy_on_write() {
    let shared = ndarray::ArcArray::from(example());
    let mut copy = shared.clone();
    // `&mut *copy` is a `&mut ArrayRef`: taking it makes `copy` unique first.
    every_inplace_method(&mut copy);
    let r: &mut ArrayRef<f64, Ix2> = &mut copy;
    r.cumprod_axis_inplace(Axis(1));
    assert_eq!(copy, expected_axis1());
    assert_eq!(shared, example(), "the shared data is not written");
}

#[cfg(feature = "rayon")]
#[test]
fn the_parallel_methods_through_array_ref() {
    use ndarray_cumprod::ParCumprodExt;

    fn par(a: &ArrayRef2<f64>, b: &mut ArrayRef2<f64>) -> Array2<f64> {
        let mut out = Array2::<f64>::zeros(a.raw_dim());
        a.par_cumprod_axis_into(Axis(0), &mut out).unwrap();
        b.par_cumprod_axis_inplace(Axis(0));
        assert_eq!(b, &out);
        a.par_cumprod_axis(Axis(0))
    }
    let a = Array2::from_shape_fn((300, 300), |(i, j)| 1.0 + ((i + j) % 5) as f64 * 1e-3);
    let mut b = a.clone();
    assert_eq!(par(&a, &mut b), a.cumprod_axis(Axis(0)));
}
