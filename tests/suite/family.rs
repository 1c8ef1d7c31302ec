//! The extended products (`Cumprod` options, NaN-skipping, checked overflow,
//! gradient) against plain reference loops written from their definitions, on
//! random shapes, axes, options and memory layouts; plus the examples of the
//! issue, chunked processing, and every error.

use crate::common;

use std::fmt::Debug;

use common::{float_key, Layout, Options, Word};
use ndarray::{
    array, s, Array1, Array2, ArrayD, Axis, Dimension, Ix1, Ix2, Ix3, IxDyn, ShapeBuilder,
};
use ndarray_cumprod::{Cumprod, CumprodError, CumprodExt, NanAware};
use num_complex::Complex64;
use proptest::collection::vec;
use proptest::prelude::*;

fn options() -> impl Strategy<Value = Options> {
    (any::<bool>(), 0u8..3, 0u8..3).prop_map(|(reverse, output, initial)| Options {
        reverse,
        output,
        initial,
    })
}

/// Shape (1 to 5 axes, zero lengths included), axis, options, input and output
/// layouts, values, the initial value and the per-lane values.
#[allow(clippy::type_complexity)]
fn case<T: Debug + Clone>(
    value: impl Strategy<Value = T> + Clone,
) -> impl Strategy<
    Value = (
        Vec<usize>,
        usize,
        Options,
        Layout,
        Layout,
        ArrayD<T>,
        T,
        ArrayD<T>,
    ),
> {
    // Under Miri, which runs about a thousand times slower, up to 3 axes of
    // up to 3 elements.
    (1usize..=if cfg!(miri) { 3 } else { 5 })
        .prop_flat_map(|ndim| {
            (
                vec(0usize..=if ndim > 3 || cfg!(miri) { 3 } else { 5 }, ndim),
                0..ndim,
                options(),
                common::layout_strategy(ndim),
                common::layout_strategy(ndim),
            )
        })
        .prop_flat_map(move |(shape, axis, o, input, out)| {
            let len: usize = shape.iter().product();
            let mut others = shape.clone();
            others.remove(axis);
            let lanes: usize = others.iter().product();
            (
                Just((shape, axis, o, input, out, others)),
                vec(value.clone(), len),
                value.clone(),
                vec(value.clone(), lanes),
            )
        })
        .prop_map(|((shape, axis, o, input, out, others), x, v, lanes)| {
            let x = ArrayD::from_shape_vec(IxDyn(&shape), x).unwrap();
            let lanes = ArrayD::from_shape_vec(IxDyn(&others), lanes).unwrap();
            (shape, axis, o, input, out, x, v, lanes)
        })
}

fn f64_keys<'a>(values: impl IntoIterator<Item = &'a f64>) -> Vec<u64> {
    values.into_iter().map(|&v| float_key(v)).collect()
}

fn complex_keys<'a>(values: impl IntoIterator<Item = &'a Complex64>) -> Vec<(u64, u64)> {
    values
        .into_iter()
        .map(|z| (float_key(z.re), float_key(z.im)))
        .collect()
}

fn finite_or_special() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![
        10 => -2.0..2.0f64,
        1 => Just(0.0),
        1 => Just(-0.0),
        2 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
    ]
}

/// Cases per property: fewer under Miri, which runs about a thousand times
/// slower.
const CASES: u32 = if cfg!(miri) { 2 } else { 256 };

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// Every option on every layout, allocating, into and in place, bit for bit.
    #[test]
    fn options_match_the_reference_to_the_bit(
        (shape, axis, o, input, out_layout, x, v, lanes) in case(finite_or_special())
    ) {
        let how = o.build(axis, &v, &lanes);
        let expected = common::reference_options(&x, axis, &o, &v, &lanes);
        let a = input.build(&x, 7.5);
        prop_assert_eq!(f64_keys(&a.cumprod_with(&how)), f64_keys(&expected));
        let blank = ArrayD::from_elem(expected.raw_dim(), 7.5);
        let mut out = out_layout.build(&blank, 7.5);
        a.cumprod_with_into(&how, &mut out).unwrap();
        prop_assert_eq!(f64_keys(&out), f64_keys(&expected));
        prop_assert_eq!(out.shape(), expected.shape());
        if o.output != 2 {
            let mut inplace = out_layout.build(&x, 7.5);
            inplace.cumprod_with_inplace(&how);
            prop_assert_eq!(f64_keys(&inplace), f64_keys(&expected));
        }
        let _ = shape;
    }

    /// NaN-skipping is the plain scan of the input with NaN replaced by one.
    #[test]
    fn nan_skipping_is_the_scan_with_nan_as_one(
        (_shape, axis, o, input, out_layout, x, v, lanes) in case(finite_or_special())
    ) {
        let how = o.build(axis, &v, &lanes);
        let ones = x.mapv(|e| if e.is_nan() { 1.0 } else { e });
        let expected = common::reference_options(&ones, axis, &o, &v, &lanes);
        let a = input.build(&x, 7.5);
        prop_assert_eq!(f64_keys(&a.nancumprod_with(&how)), f64_keys(&expected));
        let blank = ArrayD::from_elem(expected.raw_dim(), 7.5);
        let mut out = out_layout.build(&blank, 7.5);
        a.nancumprod_with_into(&how, &mut out).unwrap();
        prop_assert_eq!(f64_keys(&out), f64_keys(&expected));
        if o.output != 2 {
            let mut inplace = out_layout.build(&x, 7.5);
            inplace.nancumprod_with_inplace(&how);
            prop_assert_eq!(f64_keys(&inplace), f64_keys(&expected));
        }
    }

    /// Complex values with infinite, NaN and signed-zero parts: `1 * x` is not
    /// `x` for them, so every form must start a lane with a copy of its element.
    #[test]
    fn complex_options_match_the_reference_to_the_bit(
        (_shape, axis, o, input, out_layout, x, v, lanes) in case(common::complex_special())
    ) {
        let how = o.build(axis, &v, &lanes);
        let expected = common::reference_options(&x, axis, &o, &v, &lanes);
        let fill = Complex64::new(7.5, 7.5);
        let a = input.build(&x, fill);
        prop_assert_eq!(complex_keys(&a.cumprod_with(&how)), complex_keys(&expected));
        let blank = ArrayD::from_elem(expected.raw_dim(), fill);
        let mut out = out_layout.build(&blank, fill);
        a.cumprod_with_into(&how, &mut out).unwrap();
        prop_assert_eq!(complex_keys(&out), complex_keys(&expected));
        let ones = x.mapv(|e| if NanAware::is_nan(&e) { Complex64::new(1.0, 0.0) } else { e });
        let nan_expected = common::reference_options(&ones, axis, &o, &v, &lanes);
        prop_assert_eq!(complex_keys(&a.nancumprod_with(&how)), complex_keys(&nan_expected));
        a.nancumprod_with_into(&how, &mut out).unwrap();
        prop_assert_eq!(complex_keys(&out), complex_keys(&nan_expected));
        if o.output != 2 {
            let mut inplace = out_layout.build(&x, fill);
            inplace.cumprod_with_inplace(&how);
            prop_assert_eq!(complex_keys(&inplace), complex_keys(&expected));
            let mut inplace = out_layout.build(&x, fill);
            inplace.nancumprod_with_inplace(&how);
            prop_assert_eq!(complex_keys(&inplace), complex_keys(&nan_expected));
        }
    }

    /// The converting forms (NumPy's dtype): f32 input, the scan, the initial
    /// value and the carry in f64; the result is the reference loop on the
    /// converted input, bit for bit.
    #[test]
    fn converting_options_scan_in_the_wider_type(
        (_shape, axis, o, input, out_layout, x, v, lanes) in case(finite_or_special().prop_map(|e| e as f32))
    ) {
        let wide = |a: &ArrayD<f32>| a.mapv(f64::from);
        let (v, lanes) = (f64::from(v), wide(&lanes));
        let how = o.build(axis, &v, &lanes);
        let expected = common::reference_options(&wide(&x), axis, &o, &v, &lanes);
        let a = input.build(&x, 7.5);
        prop_assert_eq!(f64_keys(&a.cumprod_with_as::<f64>(&how)), f64_keys(&expected));
        let blank = ArrayD::from_elem(expected.raw_dim(), 7.5);
        let mut out = out_layout.build(&blank, 7.5);
        a.cumprod_with_into(&how, &mut out).unwrap();
        prop_assert_eq!(f64_keys(&out), f64_keys(&expected));
        let ones = wide(&x).mapv(|e| if e.is_nan() { 1.0 } else { e });
        let nan_expected = common::reference_options(&ones, axis, &o, &v, &lanes);
        prop_assert_eq!(f64_keys(&a.nancumprod_with_as::<f64>(&how)), f64_keys(&nan_expected));
        a.nancumprod_with_into(&how, &mut out).unwrap();
        prop_assert_eq!(f64_keys(&out), f64_keys(&nan_expected));
    }

    /// Non-commutative words: the products keep the index order in every option.
    #[test]
    fn words_keep_the_order_of_factors(
        (_shape, axis, o, input, out_layout, x, v, lanes) in
            case(proptest::char::range('a', 'z').prop_map(|c| Word(c.to_string())))
    ) {
        let how = o.build(axis, &v, &lanes);
        let expected = common::reference_options(&x, axis, &o, &v, &lanes);
        let a = input.build(&x, Word("?".into()));
        prop_assert_eq!(&a.cumprod_with(&how), &expected);
        let blank = ArrayD::from_elem(expected.raw_dim(), Word("?".into()));
        let mut out = out_layout.build(&blank, Word("?".into()));
        a.cumprod_with_into(&how, &mut out).unwrap();
        prop_assert_eq!(&out, &expected);
        if o.output != 2 {
            let mut inplace = out_layout.build(&x, Word("?".into()));
            inplace.cumprod_with_inplace(&how);
            prop_assert_eq!(&inplace, &expected);
        }
    }

    /// Checked products: the result when nothing overflows, otherwise the first
    /// overflowing element in row-major order, found with exact i64 arithmetic;
    /// `out` untouched on error.
    #[test]
    fn checked_products_find_the_first_overflow(
        (_shape, axis, o, input, out_layout, x, v, lanes) in case(-12i8..=12)
    ) {
        let how = o.build(axis, &v, &lanes);
        let wide = |a: &ArrayD<i8>| a.mapv(i64::from);
        let exact = common::reference_options(&wide(&x), axis, &o, &i64::from(v), &wide(&lanes));
        // The first element whose product leaves i8, by the exact products: the
        // reference's outputs sit at the input index of the element multiplied
        // last, shifted by one for exclusive and include_initial.
        let mut first: Option<Vec<usize>> = None;
        let n = x.shape()[axis];
        // Where the product whose last factor is element `e` sits in the output.
        let position_of = |e: usize| -> Option<usize> {
            match (o.output, o.reverse) {
                (0, _) | (2, true) => Some(e),
                (_, false) => (e + 1 < exact.shape()[axis]).then_some(e + 1),
                (_, true) => e.checked_sub(1),
            }
        };
        for (index, _) in x.indexed_iter() {
            let mut at = index.slice().to_vec();
            let element = at[axis];
            let Some(position) = position_of(element) else { continue };
            let mut out_at = at.clone();
            out_at[axis] = position;
            if i8::try_from(exact[IxDyn(&out_at)]).is_ok() {
                continue;
            }
            // Overflowing here means the lane's products before this one fit.
            let before: Vec<usize> = if o.reverse { (element + 1..n).collect() } else { (0..element).collect() };
            let lane_fits_before = before.iter().all(|&e| match position_of(e) {
                Some(p) => {
                    out_at[axis] = p;
                    i8::try_from(exact[IxDyn(&out_at)]).is_ok()
                }
                None => true,
            });
            at[axis] = element;
            if lane_fits_before && first.as_ref().map_or(true, |f| at < *f) {
                first = Some(at);
            }
        }
        let a = input.build(&x, 9);
        let blank = ArrayD::from_elem(exact.raw_dim(), 9i8);
        let mut out = out_layout.build(&blank, 9);
        match first {
            None => {
                let expected = exact.mapv(|e| e as i8);
                prop_assert_eq!(&a.cumprod_checked(&how).unwrap(), &expected);
                a.cumprod_checked_into(&how, &mut out).unwrap();
                prop_assert_eq!(&out, &expected);
                if o.output != 2 {
                    let mut inplace = out_layout.build(&x, 9);
                    inplace.cumprod_checked_inplace(&how).unwrap();
                    prop_assert_eq!(&inplace, &expected);
                }
            }
            Some(index) => {
                let err = CumprodError::Overflow { index };
                prop_assert_eq!(a.cumprod_checked(&how).unwrap_err(), err.clone());
                prop_assert_eq!(a.cumprod_checked_into(&how, &mut out).unwrap_err(), err.clone());
                prop_assert_eq!(&out, &blank);
                if o.output != 2 {
                    let original = out_layout.build(&x, 9);
                    let mut inplace = original.clone();
                    prop_assert_eq!(inplace.cumprod_checked_inplace(&how).unwrap_err(), err);
                    prop_assert_eq!(&inplace, &original);
                }
            }
        }
        if o.output == 2 {
            let mut inplace = x.clone();
            prop_assert_eq!(
                inplace.cumprod_checked_inplace(&how),
                Err(CumprodError::IncludeInitialInPlace { axis })
            );
        }
    }

    /// Chunks of any size, each carrying the last slice of the one before,
    /// give the whole array's result bit for bit; reverse chunks from the end.
    #[test]
    fn chunked_scans_equal_the_whole_scan(
        values in vec(-1.5..1.5f64, 0..60),
        width in 1usize..4,
        cut in 1usize..7,
        reverse in any::<bool>(),
    ) {
        let rows = values.len() / width;
        let a = Array2::from_shape_vec((rows, width), values[..rows * width].to_vec()).unwrap();
        let along = Cumprod::along(Axis(0));
        let along = if reverse { along.reverse() } else { along };
        let whole = a.cumprod_with(&along);
        let mut pieces: Vec<Array2<f64>> = Vec::new();
        let mut carry: Option<Array1<f64>> = None;
        let starts: Vec<usize> = (0..rows).step_by(cut).collect();
        let order: Vec<usize> = if reverse { starts.into_iter().rev().collect() } else { starts };
        for start in order {
            let chunk = a.slice(s![start..(start + cut).min(rows), ..]);
            let result = match &carry {
                None => chunk.cumprod_with(&along),
                Some(c) => chunk.cumprod_with(&along.clone().carry(c)),
            };
            let edge = if reverse { 0 } else { result.nrows() - 1 };
            carry = Some(result.row(edge).to_owned());
            pieces.push(result);
        }
        if reverse {
            pieces.reverse();
        }
        let views: Vec<_> = pieces.iter().map(|p| p.view()).collect();
        let joined = if views.is_empty() {
            Array2::zeros((0, width))
        } else {
            ndarray::concatenate(Axis(0), &views).unwrap()
        };
        prop_assert_eq!(f64_keys(&joined), f64_keys(&whole));
    }

    /// The gradient against central finite differences of sum(g * cumprod(x)).
    #[test]
    fn gradient_matches_finite_differences(
        x in vec(-1.5..1.5f64, 1..8),
        g in vec(-1.0..1.0f64, 8),
        zero_at in proptest::option::of(0usize..8),
    ) {
        let mut x = Array1::from(x);
        if let Some(k) = zero_at {
            if k < x.len() {
                x[k] = 0.0;
            }
        }
        let g = Array1::from(g[..x.len()].to_vec());
        let loss = |x: &Array1<f64>| (&x.cumprod_axis(Axis(0)) * &g).sum();
        let dx = x.cumprod_axis_grad(Axis(0), &g).unwrap();
        let h = 1e-6;
        for k in 0..x.len() {
            let (mut up, mut down) = (x.clone(), x.clone());
            up[k] += h;
            down[k] -= h;
            let numeric = (loss(&up) - loss(&down)) / (2.0 * h);
            prop_assert!((dx[k] - numeric).abs() <= 1e-6 * (1.0 + numeric.abs()), "k={} {} vs {}", k, dx[k], numeric);
        }
        // Without zeros, the textbook formula sum_{i>=k} g[i] y[i] / x[k].
        if x.iter().all(|&v| v != 0.0) {
            let y = x.cumprod_axis(Axis(0));
            for k in 0..x.len() {
                let textbook: f64 = (k..x.len()).map(|i| g[i] * y[i]).sum::<f64>() / x[k];
                prop_assert!((dx[k] - textbook).abs() <= 1e-9 * (1.0 + textbook.abs()));
            }
        }
    }
}

#[test]
fn the_issue_examples() {
    let nan = f64::NAN;
    let along = Cumprod::along(Axis(0));
    assert_eq!(
        array![nan, 2.0, nan, 3.0].nancumprod_with(&along),
        array![1.0, 2.0, 2.0, 6.0]
    );
    assert_eq!(
        array![nan, nan, nan].nancumprod_with(&along),
        array![1.0, 1.0, 1.0]
    );
    let inf = array![f64::INFINITY, nan, -2.0].nancumprod_with(&along);
    assert_eq!(inf, array![f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY]);
    let c = num_complex::Complex64::new;
    let complex = array![c(2.0, 0.0), c(nan, 1.0), c(1.0, nan), c(0.0, 1.0)];
    assert_eq!(
        complex.nancumprod_with(&Cumprod::along(Axis(0))),
        array![c(2.0, 0.0), c(2.0, 0.0), c(2.0, 0.0), c(0.0, 2.0)]
    );

    let empty = Array1::<f64>::zeros(0);
    assert_eq!(
        empty.cumprod_with(&along.clone().include_initial()),
        array![1.0]
    );
    assert_eq!(empty.cumprod_with(&along.clone().exclusive()), empty);
    assert_eq!(empty.cumprod_with(&along.clone().reverse()), empty);

    let w = common::words(["a", "b", "c"]);
    let w = Array1::from(w);
    let word = |s: &str| Word(s.to_string());
    let along = Cumprod::along(Axis(0));
    assert_eq!(
        w.cumprod_with(&along.clone().exclusive()).to_vec(),
        [word(""), word("a"), word("ab")]
    );
    assert_eq!(
        w.cumprod_with(&along.clone().reverse()).to_vec(),
        [word("abc"), word("bc"), word("c")]
    );
    assert_eq!(
        w.cumprod_with(&along.clone().reverse().exclusive())
            .to_vec(),
        [word("bc"), word("c"), word("")]
    );
    assert_eq!(
        w.cumprod_with(&along.clone().initial(word("s"))).to_vec(),
        [word("sa"), word("sab"), word("sabc")]
    );
    assert_eq!(
        w.cumprod_with(&along.clone().reverse().initial(word("s")))
            .to_vec(),
        [word("abcs"), word("bcs"), word("cs")]
    );
    // exclusive and include_initial in either order give include_initial.
    let both = w.cumprod_with(&along.clone().include_initial().exclusive());
    assert_eq!(
        both,
        w.cumprod_with(&along.clone().exclusive().include_initial())
    );
    assert_eq!(both.len(), 4);
}

#[test]
fn every_dimension_type_and_view_takes_the_options() {
    let a3 = ndarray::Array3::from_shape_fn((2, 3, 4), |(i, j, k)| (i + j + k) as f64 * 0.5 + 0.5);
    let how = Cumprod::along(Axis(2)).reverse();
    let dynamic = a3.clone().into_dyn().cumprod_with(&how);
    let fixed: ndarray::Array<f64, Ix3> = a3.view().cumprod_with(&how);
    assert_eq!(fixed.into_dyn(), dynamic);
    let a1: ndarray::Array<f64, Ix1> = array![1.0, 2.0];
    assert_eq!(
        a1.view()
            .cumprod_with(&Cumprod::along(Axis(0)).include_initial()),
        array![1.0, 1.0, 2.0]
    );
    let a2: ndarray::Array<f64, Ix2> = array![[1.0, 2.0], [3.0, 4.0]];
    let mut view = a2.clone();
    view.view_mut()
        .cumprod_with_inplace(&Cumprod::along(Axis(1)).exclusive());
    assert_eq!(view, array![[1.0, 1.0], [1.0, 3.0]]);
    // The layout of contiguous inputs is kept.
    let f = Array2::from_shape_vec((2, 2).f(), vec![1.0, 3.0, 2.0, 4.0]).unwrap();
    assert_eq!(f, a2);
    assert!(f
        .cumprod_with(&Cumprod::along(Axis(0)).reverse())
        .t()
        .is_standard_layout());
    assert!(f
        .cumprod_with(&Cumprod::along(Axis(0)).include_initial())
        .t()
        .is_standard_layout());
}

#[test]
fn errors_name_what_was_wrong_and_leave_out_untouched() {
    let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    let mut out = Array2::from_elem((2, 3), 9.0);
    let along2 = Cumprod::along(Axis(2));
    assert_eq!(
        a.cumprod_with_into(&along2, &mut out),
        Err(CumprodError::AxisOutOfBounds { axis: 2, ndim: 2 })
    );
    let carry = array![1.0, 2.0];
    let how = Cumprod::along(Axis(0)).carry(&carry);
    let err = a.cumprod_with_into(&how, &mut out).unwrap_err();
    assert_eq!(
        err,
        CumprodError::OperandShapeMismatch {
            operand: "carry",
            expected: vec![3],
            found: vec![2]
        }
    );
    assert_eq!(
        err.to_string(),
        "carry array has shape [2], but shape [3] is needed"
    );
    assert_eq!(
        a.cumprod_with_into(&Cumprod::along(Axis(0)).include_initial(), &mut out),
        Err(CumprodError::ShapeMismatch {
            expected: vec![3, 3],
            found: vec![2, 3]
        })
    );
    assert_eq!(
        a.nancumprod_with_into(&Cumprod::along(Axis(1)).include_initial(), &mut out),
        Err(CumprodError::ShapeMismatch {
            expected: vec![2, 4],
            found: vec![2, 3]
        })
    );
    assert_eq!(out, Array2::from_elem((2, 3), 9.0));

    let g = Array2::<f64>::zeros((3, 2));
    assert_eq!(
        a.cumprod_axis_grad(Axis(0), &g),
        Err(CumprodError::OperandShapeMismatch {
            operand: "gradient",
            expected: vec![2, 3],
            found: vec![3, 2]
        })
    );
    assert_eq!(
        a.cumprod_axis_grad(Axis(5), &a),
        Err(CumprodError::AxisOutOfBounds { axis: 5, ndim: 2 })
    );

    let ints = array![[100i8, 100], [100, 100], [3, 4]];
    let mut int_out = Array2::<i8>::from_elem((3, 2), 9);
    assert_eq!(
        ints.cumprod_checked_into(&Cumprod::along(Axis(0)), &mut int_out),
        Err(CumprodError::Overflow { index: vec![1, 0] })
    );
    assert_eq!(int_out, Array2::from_elem((3, 2), 9));
    // Exclusive never multiplies by the last element; reverse starts from the end.
    assert_eq!(
        ints.cumprod_checked(&Cumprod::along(Axis(0)).reverse()),
        Err(CumprodError::Overflow { index: vec![1, 0] }) // 100 * 3
    );
    assert_eq!(
        ints.slice(s![1.., ..])
            .cumprod_checked(&Cumprod::along(Axis(0)).exclusive()),
        Ok(array![[1, 1], [100, 100]])
    );
}

#[test]
#[should_panic(expected = "axis 3 is out of bounds for array of dimension 2")]
fn allocating_options_panic_on_a_bad_axis() {
    let _ = array![[1.0]].cumprod_with(&Cumprod::along(Axis(3)));
}

#[test]
#[should_panic(expected = "carry array has shape [5], but shape [1] is needed")]
fn a_carry_of_the_wrong_shape_panics_in_place() {
    let carry = Array1::<f64>::ones(5);
    array![[1.0]].cumprod_with_inplace(&Cumprod::along(Axis(0)).carry(&carry));
}

#[test]
fn include_initial_in_place_panics_and_leaves_the_array() {
    let mut a = array![1.0, 2.0];
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        a.cumprod_with_inplace(&Cumprod::along(Axis(0)).include_initial())
    }));
    let message = *result.unwrap_err().downcast::<String>().unwrap();
    assert!(
        message.contains("include_initial makes the result one element longer along axis 0"),
        "{message}"
    );
    assert_eq!(a, array![1.0, 2.0]);
}

#[test]
fn the_gradient_is_exact_with_zeros() {
    // x = [2, 0, 0, 3]: y = [2, 0, 0, 0]; only the first zero passes a gradient.
    let x = array![2.0, 0.0, 0.0, 3.0];
    let g = array![1.0, 10.0, 100.0, 1000.0];
    let dx = x.cumprod_axis_grad(Axis(0), &g).unwrap();
    // dx0 = 1; dx1 = 2*10 + 2*0*100 + ... = 20; dx2 = 2*0*100 + 2*0*3*1000 = 0*... = 0 ... but
    // d/dx2 (x0 x1 x2) = x0 x1 = 0 and d/dx2 (x0 x1 x2 x3) = 0: dx2 = 0; dx3 = 0.
    assert_eq!(dx, array![1.0, 20.0, 0.0, 0.0]);
    assert!(dx.iter().all(|v: &f64| v.is_finite()));
    // 2-D, along either axis, f32.
    let x = array![[1.0f32, 2.0], [3.0, 0.0]];
    let g = array![[1.0f32, 1.0], [1.0, 1.0]];
    assert_eq!(
        x.cumprod_axis_grad(Axis(0), &g).unwrap(),
        array![[4.0, 1.0], [1.0, 2.0]]
    );
    assert_eq!(
        x.cumprod_axis_grad(Axis(1), &g).unwrap(),
        array![[3.0, 1.0], [1.0, 3.0]]
    );
}
