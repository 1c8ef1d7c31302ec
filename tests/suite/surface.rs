//! The public surface as a NumPy user meets it: every call of the NumPy
//! family written the way the docs show it, options values reused across
//! element types, by value and by reference, functions over `&ArrayRef`, and
//! complex values with infinite and signed-zero parts, whose first product of a
//! lane must be a copy of the element in every form.

use crate::common;

use ndarray::{
    array, Array, Array1, Array2, ArrayRef1, ArrayRef2, ArrayViewMut2, Axis, ShapeBuilder,
};
use ndarray_cumprod::{AnyElement, Cumprod, CumprodError, CumprodExt, CumprodOptions};
use num_complex::Complex64 as C;

/// Complex values compared part by part, bit for bit (NaN matches NaN).
fn complex_bits(values: &[C]) -> Vec<(u64, u64)> {
    values
        .iter()
        .map(|z| (common::float_key(z.re), common::float_key(z.im)))
        .collect()
}

fn c(re: f64, im: f64) -> C {
    C::new(re, im)
}

const INF: f64 = f64::INFINITY;
const NAN: f64 = f64::NAN;

/// Every form of one options value on a 1-D complex input: allocating, into a
/// fresh output, into a reversed view, and in place where the shape allows.
fn every_form(x: &Array1<C>, how: &Cumprod<'_>) -> Vec<Vec<C>> {
    let mut results = vec![x.cumprod_with(how).to_vec()];
    let len = how.result_len(x.len());
    let mut out = Array1::from_elem(len, c(7.0, 7.0));
    x.cumprod_with_into(how, &mut out).unwrap();
    results.push(out.to_vec());
    let mut backwards = Array1::from_elem(len, c(7.0, 7.0));
    backwards.invert_axis(Axis(0));
    x.cumprod_with_into(how, &mut backwards).unwrap();
    results.push(backwards.to_vec());
    if len == x.len() {
        let mut inplace = x.clone();
        inplace.cumprod_with_inplace(how);
        results.push(inplace.to_vec());
    }
    results
}

#[test]
fn complex_first_products_are_copies_in_every_form() {
    let one = c(1.0, 0.0);
    // The table of the issue: NumPy's values, in every form.
    let cases: Vec<(Array1<C>, Cumprod<'_>, Vec<C>)> = vec![
        (
            array![c(-INF, 1.0), c(2.0, 0.0)],
            Cumprod::along(Axis(0)).exclusive(),
            vec![one, c(-INF, 1.0)],
        ),
        (
            array![c(2.0, 0.0), c(-INF, 1.0)],
            Cumprod::along(Axis(0)).reverse().exclusive(),
            vec![c(-INF, 1.0), one],
        ),
        (
            // np.flip(np.cumulative_prod(np.flip(a), include_initial=True))
            array![c(2.0, 0.0), c(-INF, 1.0)],
            Cumprod::along(Axis(0)).reverse().include_initial(),
            vec![c(-INF, NAN), c(-INF, 1.0), one],
        ),
        (
            array![c(-INF, 1.0), c(2.0, 0.0)],
            Cumprod::along(Axis(0)).include_initial(),
            vec![one, c(-INF, 1.0), c(-INF, NAN)],
        ),
        (
            array![c(2.0, 0.0), c(-INF, 1.0)],
            Cumprod::along(Axis(0)).reverse(),
            vec![c(-INF, NAN), c(-INF, 1.0)],
        ),
        // Signed zeros survive: 1 * (-0 - 0i) would give 0 - 0i.
        (
            array![c(-0.0, -0.0), c(3.0, 0.0)],
            Cumprod::along(Axis(0)).exclusive(),
            vec![one, c(-0.0, -0.0)],
        ),
        (
            array![c(3.0, 0.0), c(-0.0, -0.0)],
            Cumprod::along(Axis(0)).reverse().exclusive(),
            vec![c(-0.0, -0.0), one],
        ),
        (
            array![c(-0.0, -0.0)],
            Cumprod::along(Axis(0)).reverse(),
            vec![c(-0.0, -0.0)],
        ),
    ];
    for (x, how, expected) in &cases {
        for (form, got) in every_form(x, how).iter().enumerate() {
            assert_eq!(
                complex_bits(got),
                complex_bits(expected),
                "{how:?} on {x} (form {form}): {got:?}"
            );
        }
    }
}

#[test]
fn complex_lanes_of_a_matrix_start_with_copies_along_either_axis() {
    // Each lane starts with an element that has an infinite part.
    let a = array![[c(-INF, 1.0), c(2.0, -0.0)], [c(0.5, 0.0), c(INF, -1.0)]];
    for layout in [false, true] {
        let mut x = Array2::from_elem((2, 2).set_f(layout), c(0.0, 0.0));
        x.assign(&a);
        for k in 0..2 {
            let how = Cumprod::along(Axis(k)).exclusive();
            let got = x.cumprod_with(&how);
            let mut inplace = x.clone();
            inplace.cumprod_with_inplace(&how);
            for lane in 0..2 {
                let first = a.index_axis(Axis(1 - k), lane)[0];
                let out = got.index_axis(Axis(1 - k), lane);
                assert_eq!(complex_bits(&[out[1]]), complex_bits(&[first]));
                let out = inplace.index_axis(Axis(1 - k), lane);
                assert_eq!(complex_bits(&[out[1]]), complex_bits(&[first]));
            }
        }
    }
}

#[test]
fn one_options_value_serves_every_element_type() {
    let how = Cumprod::along(Axis(0)).reverse();
    let f = array![1.5, 2.0, 4.0];
    let i = array![2_i64, 3, 4];
    assert_eq!(f.cumprod_with(&how), array![12.0, 8.0, 4.0]);
    // Untyped options are Copy: by value, again and again.
    assert_eq!(f.cumprod_with(how), f.cumprod_with(how));
    assert_eq!(i.nancumprod_with(how), i.cumprod_with(how));
    assert_eq!(i.cumprod_with(&how), array![24, 12, 4]);
    assert_eq!(
        i.mapv(|v| v as i32).cumprod_with_as::<f64>(&how),
        array![24.0, 12.0, 4.0]
    );
    // By value, built inline.
    assert_eq!(
        i.cumprod_with(Cumprod::along(Axis(0)).exclusive()),
        array![1, 2, 6]
    );
    // Refined several ways without clones.
    let along = Cumprod::along(Axis(0));
    assert_eq!(i.cumprod_with(along.reverse()), array![24, 12, 4]);
    assert_eq!(i.cumprod_with(along.include_initial()), array![1, 2, 6, 24]);
    assert_eq!(f.cumprod_with(along.initial(2.0)), array![3.0, 6.0, 24.0]);
    assert_eq!(i.cumprod_with(along), array![2, 6, 24]);
    // The untyped options are named `Cumprod`, with their own element type.
    let named: Cumprod = Cumprod::along(Axis(0));
    let _: &Cumprod<'static, AnyElement> = &named;
    assert_eq!(named.axis(), Axis(0));
}

/// Options passed through a user's own generic function.
fn twice<A>(a: &Array1<A>, how: impl CumprodOptions<A>) -> (Array1<A>, Array1<A>)
where
    A: Clone + std::ops::Mul<Output = A> + num_traits::One,
{
    (a.cumprod_with(&how), a.cumprod_with(how))
}

#[test]
fn options_pass_through_generic_code() {
    let (x, y) = twice(&array![2, 3], Cumprod::along(Axis(0)).initial(5));
    assert_eq!(x, array![10, 30]);
    assert_eq!(x, y);
    let (x, _) = twice(&array![2.0, 3.0], Cumprod::along(Axis(0)));
    assert_eq!(x, array![2.0, 6.0]);
}

#[test]
fn options_chosen_at_run_time_share_one_type() {
    let options = |scale: Option<i64>| -> Cumprod<'static, i64> {
        match scale {
            Some(s) => Cumprod::along(Axis(0)).initial(s),
            None => Cumprod::along(Axis(0)).typed(),
        }
    };
    let a = array![2_i64, 3];
    assert_eq!(a.cumprod_with(options(None)), array![2, 6]);
    assert_eq!(a.cumprod_with(options(Some(10))), array![20, 60]);
}

/// A function written over `&ArrayRef`, as ndarray 0.17 recommends: every
/// array parameter takes its references as they are.
fn chunk_step(
    chunk: &ArrayRef2<f64>,
    carry: &ArrayRef1<f64>,
    grad: &ArrayRef2<f64>,
    out: &mut ArrayRef2<f64>,
) -> Result<Array2<f64>, CumprodError> {
    chunk.cumprod_with_into(Cumprod::along(Axis(0)).carry(carry), out)?;
    chunk.cumprod_axis_into(Axis(0), out)?;
    chunk.nancumprod_axis_into(Axis(0), out)?;
    chunk.cumprod_axis_grad(Axis(0), grad)
}

#[test]
fn array_ref_parameters_take_references_as_they_are() {
    let a = array![[1.0, 2.0], [3.0, 4.0]];
    let carry = array![10.0, 100.0];
    let grad = Array2::<f64>::ones((2, 2));
    let mut out = Array2::<f64>::zeros((2, 2));
    let dx = chunk_step(&a, &carry, &grad, &mut out).unwrap();
    assert_eq!(out, array![[1.0, 2.0], [3.0, 8.0]]);
    assert_eq!(dx, a.cumprod_axis_grad(Axis(0), &grad).unwrap());
    // A carry from a view, an out that is a mutable view.
    let with_carry = a.cumprod_with(Cumprod::along(Axis(0)).carry(&carry.view()));
    assert_eq!(with_carry, array![[10.0, 200.0], [30.0, 800.0]]);
    let mut backing = Array2::<f64>::zeros((2, 4));
    let mut view: ArrayViewMut2<'_, f64> = backing.slice_mut(ndarray::s![.., 1..3]);
    a.cumprod_axis_into(Axis(1), &mut view).unwrap();
    assert_eq!(backing, array![[0.0, 1.0, 2.0, 0.0], [0.0, 3.0, 12.0, 0.0]]);
}

#[test]
fn numpy_nancumprod_has_the_seven_forms() {
    let a = array![[NAN, 2.0, 3.0], [4.0, NAN, 6.0]];
    // np.nancumprod(a)
    assert_eq!(
        a.nancumprod_flat(),
        array![1.0, 2.0, 6.0, 24.0, 24.0, 144.0]
    );
    // axis=None in logical order on an F array.
    let f = {
        let mut f = Array2::zeros((2, 3).f());
        f.assign(&a);
        f
    };
    assert_eq!(f.nancumprod_flat(), a.nancumprod_flat());
    // np.nancumprod(a, axis=1)
    assert_eq!(
        a.nancumprod_axis(Axis(1)),
        array![[1.0, 2.0, 6.0], [4.0, 4.0, 24.0]]
    );
    // dtype
    let a32 = a.mapv(|x| x as f32);
    assert_eq!(a32.nancumprod_flat_as::<f64>(), a.nancumprod_flat());
    assert_eq!(
        a32.nancumprod_axis_as::<f64>(Axis(0)),
        a.nancumprod_axis(Axis(0))
    );
    // out of another type, and out untouched on error
    let mut out = Array1::<f64>::zeros(6);
    a32.nancumprod_flat_into(&mut out).unwrap();
    assert_eq!(out, a.nancumprod_flat());
    let mut wrong = Array1::<f64>::from_elem(5, 9.0);
    assert_eq!(
        a.nancumprod_flat_into(&mut wrong),
        Err(CumprodError::ShapeMismatch {
            expected: vec![6],
            found: vec![5]
        })
    );
    assert_eq!(wrong, Array1::from_elem(5, 9.0));
    let mut out2 = Array::<f64, _>::zeros(a.raw_dim());
    a.nancumprod_axis_into(Axis(0), &mut out2).unwrap();
    assert_eq!(out2, a.nancumprod_axis(Axis(0)));
    assert_eq!(
        a.nancumprod_axis_into(Axis(2), &mut out2),
        Err(CumprodError::AxisOutOfBounds { axis: 2, ndim: 2 })
    );
    // in place
    let mut inplace = a.clone();
    inplace.nancumprod_axis_inplace(Axis(0));
    assert_eq!(inplace, a.nancumprod_axis(Axis(0)));
    // Integers and bools, as NumPy accepts them: nothing is NaN there.
    let ints = array![[1_i32, 2], [3, 4]];
    assert_eq!(ints.nancumprod_flat(), array![1, 2, 6, 24]);
    assert_eq!(
        ints.nancumprod_axis_as::<i64>(Axis(0)),
        array![[1, 2], [3, 8]]
    );
    assert_eq!(
        array![true, false].nancumprod_flat_as::<i64>(),
        array![1, 0]
    );
    let wrapping = array![std::num::Wrapping(200_u8), std::num::Wrapping(2)];
    assert_eq!(
        wrapping.nancumprod_flat(),
        array![std::num::Wrapping(200), std::num::Wrapping(144)]
    );
}

#[test]
#[should_panic(expected = "axis 2 is out of bounds for array of dimension 2")]
fn nancumprod_axis_panics_with_numpys_message() {
    let _ = array![[1.0]].nancumprod_axis(Axis(2));
}

#[test]
fn numpy_cumulative_prod_with_dtype() {
    // np.cumulative_prod(int32_array, axis=1, include_initial=True) is int64.
    let a = array![[1_i32, 2, 3], [4, 5, 6]];
    let p = a.cumprod_with_as::<i64>(Cumprod::along(Axis(1)).include_initial());
    assert_eq!(p, array![[1_i64, 1, 2, 6], [1, 4, 20, 120]]);
    // Into an i64 out, with an initial value in i64 past i32's range.
    let mut out = Array2::<i64>::zeros((2, 4));
    a.cumprod_with_into(
        Cumprod::along(Axis(1))
            .include_initial()
            .initial(1_i64 << 40),
        &mut out,
    )
    .unwrap();
    assert_eq!(out[[1, 3]], 120 << 40);
    // NaN-skipping with dtype.
    let b = array![2.0_f32, f32::NAN, 4.0];
    assert_eq!(
        b.nancumprod_with_as::<f64>(Cumprod::along(Axis(0)).reverse()),
        array![8.0, 4.0, 4.0]
    );
    let mut nan_out = Array1::<f64>::zeros(3);
    b.nancumprod_with_into(Cumprod::along(Axis(0)).exclusive(), &mut nan_out)
        .unwrap();
    assert_eq!(nan_out, array![1.0, 2.0, 2.0]);
    // A carry in the scan's type.
    let carry = array![10_i64, 100];
    let with_carry = a.cumprod_with_as::<i64>(Cumprod::along(Axis(1)).carry(&carry));
    assert_eq!(with_carry, array![[10, 20, 60], [400, 2000, 12000]]);
}

#[test]
fn checked_in_place_leaves_the_array_on_error() {
    let mut a = array![[2_i8, 3], [100, 1]];
    assert_eq!(
        a.cumprod_checked_inplace(Cumprod::along(Axis(0))),
        Err(CumprodError::Overflow { index: vec![1, 0] })
    );
    assert_eq!(a, array![[2, 3], [100, 1]]);
    assert_eq!(
        a.cumprod_checked_inplace(Cumprod::along(Axis(0)).include_initial()),
        Err(CumprodError::IncludeInitialInPlace { axis: 0 })
    );
    assert_eq!(
        a.cumprod_checked_inplace(Cumprod::along(Axis(3))),
        Err(CumprodError::AxisOutOfBounds { axis: 3, ndim: 2 })
    );
    let carry = array![1_i8, 2, 3];
    assert_eq!(
        a.cumprod_checked_inplace(Cumprod::along(Axis(0)).carry(&carry)),
        Err(CumprodError::OperandShapeMismatch {
            operand: "carry",
            expected: vec![2],
            found: vec![3]
        })
    );
    assert_eq!(a, array![[2, 3], [100, 1]]);
    a.cumprod_checked_inplace(Cumprod::along(Axis(1)).reverse().exclusive())
        .unwrap();
    assert_eq!(a, array![[3, 1], [1, 1]]);
    // Checked into a wider type: the products are checked there.
    let narrow = array![100_i8, 100];
    let mut wide = Array1::<i16>::zeros(2);
    narrow
        .cumprod_checked_into(Cumprod::along(Axis(0)), &mut wide)
        .unwrap();
    assert_eq!(wide, array![100, 10_000]);
    let mut same = Array1::<i8>::zeros(2);
    assert_eq!(
        narrow.cumprod_checked_into(Cumprod::along(Axis(0)), &mut same),
        Err(CumprodError::Overflow { index: vec![1] })
    );
}

#[test]
fn include_initial_in_place_panics_with_the_error_message() {
    let mut a = array![1.0, 2.0];
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        a.nancumprod_with_inplace(Cumprod::along(Axis(0)).include_initial())
    }));
    let message = *result.unwrap_err().downcast::<String>().unwrap();
    assert_eq!(
        message,
        CumprodError::IncludeInitialInPlace { axis: 0 }.to_string()
    );
    assert_eq!(a, array![1.0, 2.0]);
}

/// Options built in the arms of a `match`: the plain options from `along`
/// in one arm, the same with a mask or segment starts borrowed from local
/// arrays in the others. Every arm is one type, borrowing for as long as the
/// shortest borrow.
#[test]
fn options_built_in_branches_borrow_for_the_shortest_time() {
    let a = array![[2.0, 3.0, 4.0], [5.0, 6.0, 7.0]];
    let mask = array![[true, false, true], [true, true, false]];
    let starts = array![false, true, false];
    let choices = [
        (None, None),
        (Some(&mask), None),
        (None, Some(&starts)),
        (Some(&mask), Some(&starts)),
    ];
    let mut results = Vec::new();
    for (m, s) in choices {
        let along = Cumprod::along(Axis(1));
        let how = match (m, s) {
            (Some(m), None) => along.mask(m),
            (None, Some(s)) => along.segments(s),
            (Some(m), Some(s)) => along.mask(m).segments(s),
            (None, None) => along,
        };
        results.push(a.cumprod_with(&how));
    }
    assert_eq!(results[0], array![[2.0, 6.0, 24.0], [5.0, 30.0, 210.0]]);
    assert_eq!(results[1], array![[2.0, 2.0, 8.0], [5.0, 30.0, 30.0]]);
    assert_eq!(results[2], array![[2.0, 3.0, 12.0], [5.0, 6.0, 42.0]]);
    assert_eq!(results[3], array![[2.0, 1.0, 4.0], [5.0, 6.0, 6.0]]);
}
