//! The contract of every public method, as its docs state it, on random
//! arguments valid and invalid: random shapes (0 to 4 axes), axes (some out of
//! bounds), options, carries (some of the wrong shape), outputs (some of the
//! wrong shape) and layouts (C, F, steps, reversed, permuted, and broadcast
//! inputs with zero strides). Every `Ok` must equal the reference loop written
//! from the docs; every `Err` must be the documented error, checked in the
//! documented order (axis, carry, `out`), with `out` bit for bit unchanged;
//! every panic must carry the error's message and leave an in-place array
//! unchanged.

use crate::common;

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

use common::{float_key, reference_axis, reference_flat, reference_options, Layout, Options};
use ndarray::{Array1, ArrayD, Axis, Dimension, IxDyn};
use ndarray_cumprod::{CumprodError, CumprodExt};
use proptest::collection::vec;
use proptest::prelude::*;

fn keys(a: &ArrayD<f64>) -> Vec<u64> {
    a.iter().map(|&v| float_key(v)).collect()
}

/// How an input is laid out: one of the layouts of `common`, or broadcast
/// from its first slice along an axis (a stride of zero).
#[derive(Clone, Debug)]
enum Input {
    Laid(Layout),
    Broadcast(usize),
}

/// One case: the input values, how they are laid out, an axis (possibly out
/// of bounds), options, an initial value, carry values (possibly of the wrong
/// shape), and how `out` is shaped and laid out.
#[derive(Clone, Debug)]
struct Case {
    x: ArrayD<f64>,
    input: Input,
    axis: usize,
    options: Options,
    value: f64,
    carry: ArrayD<f64>,
    /// 0: the right shape; 1: one axis one longer; 2: one axis fewer.
    out_shape: u8,
    out_layout: Layout,
}

fn value() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![
        8 => -2.0..2.0f64,
        1 => Just(-0.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    (0usize..=4)
        .prop_flat_map(|ndim| {
            (
                vec(0usize..=4, ndim),
                0..ndim + 2,
                (any::<bool>(), 0u8..3, 0u8..3),
                prop_oneof![
                    3 => common::layout_strategy(ndim).prop_map(Input::Laid),
                    1 => (0..ndim.max(1)).prop_map(Input::Broadcast),
                ],
                prop_oneof![4 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)],
                common::layout_strategy(ndim),
                any::<bool>(),
            )
        })
        .prop_flat_map(
            |(shape, axis, (reverse, output, initial), input, out_shape, out_layout, bad_carry)| {
                let len: usize = shape.iter().product();
                let mut carry_shape = shape.clone();
                if axis < shape.len() {
                    carry_shape.remove(axis);
                }
                if bad_carry {
                    carry_shape.push(2);
                }
                let carry_len: usize = carry_shape.iter().product();
                (
                    Just((shape, axis, input, out_shape, out_layout, carry_shape)),
                    Just(Options {
                        reverse,
                        output,
                        initial,
                    }),
                    vec(value(), len),
                    value(),
                    vec(value(), carry_len),
                )
            },
        )
        .prop_map(
            |((shape, axis, input, out_shape, out_layout, carry_shape), options, x, v, carry)| {
                let mut x = ArrayD::from_shape_vec(IxDyn(&shape), x).unwrap();
                if let Input::Broadcast(ax) = input {
                    if !shape.is_empty() && shape[ax] > 0 {
                        // Every slice along `ax` a copy of the first.
                        let first = x.index_axis(Axis(ax), 0).to_owned();
                        for mut slice in x.axis_iter_mut(Axis(ax)) {
                            slice.assign(&first);
                        }
                    }
                }
                Case {
                    x,
                    input,
                    axis,
                    options,
                    value: v,
                    carry: ArrayD::from_shape_vec(IxDyn(&carry_shape), carry).unwrap(),
                    out_shape,
                    out_layout,
                }
            },
        )
}

/// The shape `out` is given: the right one, or one made wrong.
fn out_shape(right: &[usize], how: u8) -> Vec<usize> {
    let mut shape = right.to_vec();
    match how {
        1 if !shape.is_empty() => shape[0] += 1,
        1 => shape.push(1),
        2 => {
            shape.pop();
        }
        _ => {}
    }
    shape
}

/// A fresh `out` of `shape` in the case's layout (C when the layout has
/// another number of axes), holding 7.5 and some NaN.
fn blank(case: &Case, shape: &[usize]) -> ArrayD<f64> {
    let values = ArrayD::from_shape_fn(IxDyn(shape), |i| {
        if i.slice().iter().sum::<usize>() % 3 == 0 {
            f64::NAN
        } else {
            7.5
        }
    });
    if case.out_layout.perm.len() == shape.len() {
        case.out_layout.build(&values, -1.0)
    } else {
        values
    }
}

/// The errors the docs promise, in their order: the axis, the carry, `out`.
fn expected_error(case: &Case, out: Option<&[usize]>) -> Option<CumprodError> {
    let shape = case.x.shape();
    if case.axis >= shape.len() {
        return Some(CumprodError::AxisOutOfBounds {
            axis: case.axis,
            ndim: shape.len(),
        });
    }
    let mut others = shape.to_vec();
    others.remove(case.axis);
    if case.options.initial == 2 && case.carry.shape() != others.as_slice() {
        return Some(CumprodError::OperandShapeMismatch {
            operand: "carry",
            expected: others,
            found: case.carry.shape().to_vec(),
        });
    }
    let mut result = shape.to_vec();
    if case.options.output == 2 {
        result[case.axis] += 1;
    }
    match out {
        Some(found) if found != result.as_slice() => Some(CumprodError::ShapeMismatch {
            expected: result,
            found: found.to_vec(),
        }),
        _ => None,
    }
}

/// The error of the case's options applied in place: those of the options,
/// then `include_initial`, which cannot be.
fn inplace_error(case: &Case) -> Option<CumprodError> {
    expected_error(case, None).or_else(|| {
        (case.options.output == 2)
            .then_some(CumprodError::IncludeInitialInPlace { axis: case.axis })
    })
}

/// The input as the case lays it out.
fn input(case: &Case) -> ArrayD<f64> {
    match &case.input {
        Input::Laid(layout) => layout.build(&case.x, -1.0),
        Input::Broadcast(_) => case.x.clone(),
    }
}

/// Runs `f` on the input as the case lays it out: on a view with zero strides
/// for a broadcast input, otherwise on the laid-out array.
fn with_input<T>(case: &Case, f: impl FnOnce(ndarray::ArrayViewD<'_, f64>) -> T) -> T {
    match &case.input {
        Input::Broadcast(ax) if !case.x.shape().is_empty() && case.x.shape()[*ax] > 0 => {
            let first = case.x.index_axis(Axis(*ax), 0).insert_axis(Axis(*ax));
            let view = first.broadcast(case.x.raw_dim()).expect("broadcast");
            f(view)
        }
        _ => f(input(case).view()),
    }
}

thread_local! {
    /// Whether this thread is running a call expected to panic.
    static EXPECTING: Cell<bool> = const { Cell::new(false) };
}

/// The message of the panic `f` raises, if any.
fn panic_message(f: impl FnOnce()) -> Option<String> {
    EXPECTING.with(|e| e.set(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    EXPECTING.with(|e| e.set(false));
    result.err().map(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    let x = &case.x;
    let ones = x.mapv(|v| if v.is_nan() { 1.0 } else { v });
    let ndim = x.ndim();

    // axis=None: the flat forms.
    let flat_shape = out_shape(&[x.len()], case.out_shape.min(1));
    let flat_blank = Array1::from_shape_fn(flat_shape[0], |i| i as f64 + 0.5);
    for nan in [false, true] {
        let mut out = flat_blank.clone();
        let result = with_input(case, |a| {
            if nan {
                a.nancumprod_flat_into(&mut out)
            } else {
                a.cumprod_flat_into(&mut out)
            }
        });
        let expected = reference_flat(if nan { &ones } else { x });
        if flat_shape[0] == x.len() {
            prop_assert_eq!(result, Ok(()));
            prop_assert_eq!(
                keys(&out.into_dyn()),
                keys(&Array1::from(expected).into_dyn())
            );
        } else {
            prop_assert_eq!(
                result,
                Err(CumprodError::ShapeMismatch {
                    expected: vec![x.len()],
                    found: flat_shape.clone()
                })
            );
            prop_assert_eq!(keys(&out.into_dyn()), keys(&flat_blank.clone().into_dyn()));
        }
    }

    // The allocating flat forms, and the converting ones (here into f64).
    for nan in [false, true] {
        let expected = Array1::from(reference_flat(if nan { &ones } else { x })).into_dyn();
        let (got, got_as) = with_input(case, |a| {
            if nan {
                (a.nancumprod_flat(), a.nancumprod_flat_as::<f64>())
            } else {
                (a.cumprod_flat(), a.cumprod_flat_as::<f64>())
            }
        });
        prop_assert_eq!(keys(&got.into_dyn()), keys(&expected));
        prop_assert_eq!(keys(&got_as.into_dyn()), keys(&expected));
    }

    // The gradient: the axis, then the shape of the gradient.
    let grad = ArrayD::from_elem(IxDyn(&out_shape(x.shape(), case.out_shape)), 1.0);
    let result = with_input(case, |a| a.cumprod_axis_grad(Axis(case.axis), &grad));
    let plain_error = expected_error(
        &Case {
            options: Options {
                reverse: false,
                output: 0,
                initial: 0,
            },
            ..case.clone()
        },
        None,
    );
    match plain_error {
        Some(err) => prop_assert_eq!(result, Err(err)),
        None if grad.shape() != x.shape() => prop_assert_eq!(
            result,
            Err(CumprodError::OperandShapeMismatch {
                operand: "gradient",
                expected: x.shape().to_vec(),
                found: grad.shape().to_vec()
            })
        ),
        None => prop_assert_eq!(result.map(|g| g.shape().to_vec()), Ok(x.shape().to_vec())),
    }

    // The plain axis forms: the options without any, for the errors.
    let plain = Case {
        options: Options {
            reverse: false,
            output: 0,
            initial: 0,
        },
        ..case.clone()
    };
    let right = x.shape().to_vec();
    let shape = out_shape(&right, case.out_shape);
    for nan in [false, true] {
        let mut out = blank(case, &shape);
        let before = keys(&out);
        let result = with_input(case, |a| {
            if nan {
                a.nancumprod_axis_into(Axis(case.axis), &mut out)
            } else {
                a.cumprod_axis_into(Axis(case.axis), &mut out)
            }
        });
        match expected_error(&plain, Some(&shape)) {
            Some(err) => {
                prop_assert_eq!(result, Err(err));
                prop_assert_eq!(keys(&out), before);
            }
            None => {
                prop_assert_eq!(result, Ok(()));
                let expected = reference_axis(if nan { &ones } else { x }, case.axis);
                prop_assert_eq!(keys(&out), keys(&expected));
            }
        }
        // The allocating and in-place forms: a panic with the error's message.
        let message = panic_message(|| {
            let (got, got_as) = with_input(case, |a| {
                if nan {
                    (
                        a.nancumprod_axis(Axis(case.axis)),
                        a.nancumprod_axis_as::<f64>(Axis(case.axis)),
                    )
                } else {
                    (
                        a.cumprod_axis(Axis(case.axis)),
                        a.cumprod_axis_as::<f64>(Axis(case.axis)),
                    )
                }
            });
            let expected = reference_axis(if nan { &ones } else { x }, case.axis);
            assert_eq!(keys(&got), keys(&expected));
            assert_eq!(keys(&got_as), keys(&expected));
        });
        let mut inplace = input(case);
        let before = keys(&inplace);
        let inplace_message = panic_message(|| {
            if nan {
                inplace.nancumprod_axis_inplace(Axis(case.axis));
            } else {
                inplace.cumprod_axis_inplace(Axis(case.axis));
            }
        });
        match expected_error(&plain, None) {
            Some(err) => {
                prop_assert_eq!(message, Some(err.to_string()));
                prop_assert_eq!(inplace_message, Some(err.to_string()));
                prop_assert_eq!(keys(&inplace), before);
            }
            None => {
                prop_assert_eq!(message, None);
                prop_assert_eq!(inplace_message, None);
                let expected = reference_axis(if nan { &ones } else { x }, case.axis);
                prop_assert_eq!(keys(&inplace), keys(&expected));
            }
        }
    }

    // The options forms.
    let how = case.options.build(case.axis, &case.value, &case.carry);
    let mut right = x.shape().to_vec();
    if case.options.output == 2 && case.axis < ndim {
        right[case.axis] += 1;
    }
    let shape = out_shape(&right, case.out_shape);
    for nan in [false, true] {
        let source = if nan { &ones } else { x };
        let mut out = blank(case, &shape);
        let before = keys(&out);
        let result = with_input(case, |a| {
            if nan {
                a.nancumprod_with_into(&how, &mut out)
            } else {
                a.cumprod_with_into(&how, &mut out)
            }
        });
        let error = expected_error(case, Some(&shape));
        match &error {
            Some(err) => {
                prop_assert_eq!(result, Err(err.clone()));
                prop_assert_eq!(keys(&out), before);
            }
            None => {
                prop_assert_eq!(result, Ok(()));
                let expected =
                    reference_options(source, case.axis, &case.options, &case.value, &case.carry);
                prop_assert_eq!(keys(&out), keys(&expected));
            }
        }
        let message = panic_message(|| {
            let (got, got_as) = with_input(case, |a| {
                if nan {
                    (a.nancumprod_with(&how), a.nancumprod_with_as::<f64>(&how))
                } else {
                    (a.cumprod_with(&how), a.cumprod_with_as::<f64>(&how))
                }
            });
            let expected =
                reference_options(source, case.axis, &case.options, &case.value, &case.carry);
            assert_eq!(keys(&got), keys(&expected));
            assert_eq!(keys(&got_as), keys(&expected));
        });
        let mut inplace = input(case);
        let before = keys(&inplace);
        let inplace_message = panic_message(|| {
            if nan {
                inplace.nancumprod_with_inplace(&how);
            } else {
                inplace.cumprod_with_inplace(&how);
            }
        });
        let inplace_error = inplace_error(case);
        prop_assert_eq!(message, expected_error(case, None).map(|e| e.to_string()));
        match inplace_error.clone() {
            Some(err) => {
                prop_assert_eq!(inplace_message, Some(err.to_string()));
                prop_assert_eq!(keys(&inplace), before);
            }
            None => {
                prop_assert_eq!(inplace_message, None);
                let expected =
                    reference_options(source, case.axis, &case.options, &case.value, &case.carry);
                prop_assert_eq!(keys(&inplace), keys(&expected));
            }
        }
    }
    check_checked(case, &shape)
}

/// The checked forms, on the values as small integers (lanes of at most 4
/// elements cannot overflow `i64`): errors instead of panics, in every form.
fn check_checked(case: &Case, shape: &[usize]) -> Result<(), TestCaseError> {
    let int = |a: &ArrayD<f64>| a.mapv(|v| if v.is_finite() { v as i64 } else { 2 });
    let x = int(&case.x);
    let carry = int(&case.carry);
    let value = 3_i64;
    let how = case.options.build(case.axis, &value, &carry);
    let input = match &case.input {
        Input::Laid(layout) => layout.build(&x, -1),
        Input::Broadcast(_) => x.clone(),
    };
    let error = expected_error(case, Some(shape));
    let expected = || reference_options(&x, case.axis, &case.options, &value, &carry);
    let blank = blank(case, shape).mapv(|v| if v.is_nan() { -9 } else { 7 });
    let mut out = blank.clone();
    let result = input.cumprod_checked_into(&how, &mut out);
    match &error {
        Some(err) => {
            prop_assert_eq!(result, Err(err.clone()));
            prop_assert_eq!(&out, &blank);
        }
        None => {
            prop_assert_eq!(result, Ok(()));
            prop_assert_eq!(&out, &expected());
        }
    }
    let allocated = input.cumprod_checked(&how);
    match expected_error(case, None) {
        Some(err) => prop_assert_eq!(allocated, Err(err)),
        None => prop_assert_eq!(allocated, Ok(expected())),
    }
    let mut inplace = input.clone();
    let result = inplace.cumprod_checked_inplace(&how);
    let inplace_error = inplace_error(case);
    match inplace_error {
        Some(err) => {
            prop_assert_eq!(result, Err(err));
            prop_assert_eq!(&inplace, &input);
        }
        None => {
            prop_assert_eq!(result, Ok(()));
            prop_assert_eq!(&inplace, &expected());
        }
    }
    Ok(())
}

/// Keeps the expected panics (bad axes and carries) out of the test output:
/// their messages are compared by the test itself. Every other panic (a
/// failed assertion, here or in another test of the binary) is reported as
/// usual.
fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !EXPECTING.with(Cell::get) {
                report(info);
            }
        }));
    });
}

/// Cases: fewer under Miri, which runs about a thousand times slower.
const CASES: u32 = if cfg!(miri) { 6 } else { 512 };

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn every_method_keeps_its_contract(case in case()) {
        quiet_panics();
        check(&case)?;
    }
}
