//! Every method is callable with plain method syntax on every kind of array
//! (ndarray 0.17's inherent `cumprod` must not get in the way), and works for
//! every dimension type.

use crate::common;

use ndarray::{
    array, ArcArray, Array, Array1, ArrayD, Axis, CowArray, Dimension, Ix0, Ix1, Ix2, Ix3, Ix4,
    Ix5, Ix6, IxDyn,
};
use ndarray_cumprod::CumprodExt;

/// Calls all seven methods on `a` (by method syntax, through `$a`), checking each
/// against the 2x3 example `[[1, 2, 3], [4, 5, 6]]`.
macro_rules! check_all_methods {
    ($a:expr) => {{
        let a = $a;
        assert_eq!(a.cumprod_flat(), array![1, 2, 6, 24, 120, 720]);
        assert_eq!(
            a.cumprod_flat_as::<i64>(),
            array![1_i64, 2, 6, 24, 120, 720]
        );
        assert_eq!(a.cumprod_axis(Axis(1)), array![[1, 2, 6], [4, 20, 120]]);
        assert_eq!(
            a.cumprod_axis_as::<i64>(Axis(0)),
            array![[1_i64, 2, 3], [4, 10, 18]]
        );
        let mut flat = Array1::<i64>::zeros(6);
        a.cumprod_flat_into(&mut flat).unwrap();
        assert_eq!(flat, array![1_i64, 2, 6, 24, 120, 720]);
        let mut out = ndarray::Array2::<i32>::zeros((2, 3));
        a.cumprod_axis_into(Axis(0), &mut out).unwrap();
        assert_eq!(out, array![[1, 2, 3], [4, 10, 18]]);
    }};
}

fn example() -> ndarray::Array2<i32> {
    array![[1, 2, 3], [4, 5, 6]]
}

#[test]
fn owned_array() {
    let mut a = example();
    check_all_methods!(&a);
    a.cumprod_axis_inplace(Axis(1));
    assert_eq!(a, array![[1, 2, 6], [4, 20, 120]]);
}

#[test]
fn array_view() {
    let a = example();
    let view = a.view();
    check_all_methods!(&view);
}

#[test]
fn array_view_mut() {
    let mut a = example();
    let mut view = a.view_mut();
    check_all_methods!(&view);
    view.cumprod_axis_inplace(Axis(0));
    assert_eq!(a, array![[1, 2, 3], [4, 10, 18]]);
}

#[test]
fn arc_array_including_copy_on_write() {
    let mut a: ArcArray<i32, _> = example().into_shared();
    check_all_methods!(&a);
    let shared = a.clone();
    a.cumprod_axis_inplace(Axis(1));
    assert_eq!(a, array![[1, 2, 6], [4, 20, 120]]);
    assert_eq!(
        shared,
        example(),
        "the other owner of the data keeps its values"
    );
}

#[test]
fn cow_array_borrowed_and_owned() {
    let a = example();
    let borrowed = CowArray::from(a.view());
    check_all_methods!(&borrowed);
    let mut owned = CowArray::from(example());
    check_all_methods!(&owned);
    owned.cumprod_axis_inplace(Axis(0));
    assert_eq!(owned, array![[1, 2, 3], [4, 10, 18]]);
}

#[test]
fn methods_by_value_and_by_reference_agree() {
    // Called on the array itself, on a reference, and through a generic function.
    fn generic<S: ndarray::Data<Elem = i32>>(
        a: &ndarray::ArrayBase<S, ndarray::Ix2>,
    ) -> ndarray::Array2<i32> {
        a.cumprod_axis(Axis(1))
    }
    let a = example();
    assert_eq!(a.cumprod_axis(Axis(1)), generic(&a));
    assert_eq!(a.cumprod_axis(Axis(1)), generic(&a.view()));
}

/// Runs every axis method on `a` (of dimension type `D`) against the reference loop.
fn check_dimension<D: Dimension>(shape: &[usize]) {
    let n: usize = shape.iter().product();
    let values: Vec<i64> = (0..n as i64).map(|i| i % 5 - 2).collect();
    let logical = ArrayD::from_shape_vec(IxDyn(shape), values).unwrap();
    let a: Array<i64, D> = logical.clone().into_dimensionality().unwrap();

    assert_eq!(a.cumprod_flat().to_vec(), common::reference_flat(&logical));
    let mut flat = Array1::<i64>::zeros(n);
    a.cumprod_flat_into(&mut flat).unwrap();
    assert_eq!(flat.to_vec(), common::reference_flat(&logical));

    for k in 0..shape.len() {
        let expected = common::reference_axis(&logical, k);
        assert_eq!(
            a.cumprod_axis(Axis(k)).into_dyn(),
            expected,
            "{shape:?} axis {k}"
        );
        assert_eq!(a.cumprod_axis_as::<i64>(Axis(k)).into_dyn(), expected);
        let mut out = Array::<i64, D>::zeros(a.raw_dim());
        a.cumprod_axis_into(Axis(k), &mut out).unwrap();
        assert_eq!(out.into_dyn(), expected);
        let mut inplace = a.clone();
        inplace.cumprod_axis_inplace(Axis(k));
        assert_eq!(inplace.into_dyn(), expected);
    }
}

#[test]
fn every_dimension_type() {
    check_dimension::<Ix0>(&[]);
    check_dimension::<Ix1>(&[5]);
    check_dimension::<Ix2>(&[3, 4]);
    check_dimension::<Ix3>(&[2, 3, 4]);
    check_dimension::<Ix4>(&[2, 3, 2, 3]);
    check_dimension::<Ix5>(&[2, 1, 3, 2, 2]);
    check_dimension::<Ix6>(&[2, 2, 1, 2, 3, 2]);
    for shape in [&[][..], &[4], &[3, 2], &[2, 2, 2, 2, 2, 2, 2]] {
        check_dimension::<IxDyn>(shape);
    }
}
