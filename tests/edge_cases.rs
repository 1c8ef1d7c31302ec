//! Edge cases: empty and 0-d arrays, single elements, IEEE special values, every
//! memory layout, the layout of results, element types with minimal bounds, and
//! every error and panic (with `out` left untouched).

mod common;

use std::cell::RefCell;
use std::num::Wrapping;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;

use common::{bits, reference_axis, reference_flat, words, Layout, Mat2, Word};
use ndarray::{
    arr0, array, Array, Array1, Array2, Array3, ArrayD, Axis, Ix1, IxDyn, ShapeBuilder, Slice,
};
use ndarray_cumprod::{Cumprod, CumprodError, CumprodExt};
use num_complex::Complex64;

// ---------------------------------------------------------------- sizes

#[test]
fn empty_arrays_keep_their_shape() {
    for shape in [&[0][..], &[0, 3], &[3, 0], &[2, 0, 4], &[0, 0]] {
        let a = ArrayD::<f64>::zeros(IxDyn(shape));
        assert_eq!(a.cumprod_flat().len(), 0);
        assert_eq!(a.cumprod_flat_as::<f64>().len(), 0);
        let mut flat = Array1::<f64>::zeros(0);
        assert_eq!(a.cumprod_flat_into(&mut flat), Ok(()));
        for k in 0..shape.len() {
            assert_eq!(a.cumprod_axis(Axis(k)).shape(), shape);
            assert_eq!(a.cumprod_axis_as::<f64>(Axis(k)).shape(), shape);
            let mut out = ArrayD::<f64>::zeros(IxDyn(shape));
            assert_eq!(a.cumprod_axis_into(Axis(k), &mut out), Ok(()));
            let mut inplace = a.clone();
            inplace.cumprod_axis_inplace(Axis(k));
            assert_eq!(inplace.shape(), shape);
        }
    }
}

/// Runs `f` on its own thread and fails, rather than hang the test run, if it
/// has not returned within a minute (every call here takes microseconds).
fn returns_promptly(what: &str, f: impl FnOnce() + Send + 'static) {
    let (done, wait) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        f();
        let _ = done.send(());
    });
    match wait.recv_timeout(std::time::Duration::from_secs(60)) {
        Ok(()) => worker.join().expect("no panic"),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            worker.join().expect("no panic");
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("{what} hangs"),
    }
}

/// Empty arrays with a huge axis (2^40 elements long, none in all): every
/// method returns at once and allocates nothing in proportion to the axis.
/// The checked scans used to allocate a vector as long as the axis (an abort)
/// or walk 2^40 empty lanes (a quarter of an hour).
#[test]
fn empty_arrays_with_a_huge_axis_return_at_once() {
    for shape in [(0, 1 << 40), (1 << 40, 0)] {
        for k in 0..2 {
            returns_promptly(&format!("{shape:?} along axis {k}"), move || {
                let a = Array2::<i64>::zeros(shape);
                let along = Cumprod::along(Axis(k));
                let mut out = a.clone();
                for how in [
                    along,
                    along.reverse(),
                    along.exclusive(),
                    along.reverse().exclusive(),
                ] {
                    assert_eq!(a.cumprod_checked(how).unwrap().shape(), a.shape());
                    a.cumprod_checked_into(how, &mut out).unwrap();
                    out.cumprod_checked_inplace(how).unwrap();
                    assert_eq!(a.cumprod_with(how).shape(), a.shape());
                    a.cumprod_with_into(how, &mut out).unwrap();
                    out.cumprod_with_inplace(how);
                    assert_eq!(a.nancumprod_with(how).shape(), a.shape());
                    a.nancumprod_with_into(how, &mut out).unwrap();
                    out.nancumprod_with_inplace(how);
                }
                // include_initial grows the axis: still empty along the long one.
                if a.len_of(Axis(k)) > 0 {
                    let how = along.include_initial();
                    assert!(a.cumprod_checked(how).unwrap().is_empty());
                    assert!(a.cumprod_with(how).is_empty());
                }
                assert_eq!(a.cumprod_axis(Axis(k)).shape(), a.shape());
                a.cumprod_axis_into(Axis(k), &mut out).unwrap();
                out.cumprod_axis_inplace(Axis(k));
                assert_eq!(a.nancumprod_axis(Axis(k)).shape(), a.shape());
                a.nancumprod_axis_into(Axis(k), &mut out).unwrap();
                out.nancumprod_axis_inplace(Axis(k));
                let g = a.mapv(|v| v as f64);
                assert_eq!(g.cumprod_axis_grad(Axis(k), &g).unwrap().shape(), a.shape());
                assert!(a.cumprod_flat().is_empty());
                assert!(a.t().cumprod_flat().is_empty());
                assert!(a.nancumprod_flat().is_empty());
                let mut flat = Array1::<i64>::zeros(0);
                a.cumprod_flat_into(&mut flat).unwrap();
                a.t().nancumprod_flat_into(&mut flat).unwrap();
            });
        }
    }
}

#[test]
fn result_len_is_checked() {
    let how = Cumprod::along(Axis(0)).include_initial();
    assert_eq!(how.result_len(usize::MAX - 1), usize::MAX);
    let message = panic_message(|| {
        how.result_len(usize::MAX);
    });
    assert!(message.contains("overflows usize"), "{message}");
    assert_eq!(Cumprod::along(Axis(0)).result_len(usize::MAX), usize::MAX);
}

#[test]
fn zero_d_array_flattens_to_one_element_and_has_no_axis() {
    let a = arr0(5.0);
    assert_eq!(a.cumprod_flat(), array![5.0]);
    assert_eq!(arr0(3_i32).cumprod_flat_as::<i64>(), array![3_i64]);
    let mut out = Array1::<f64>::zeros(1);
    a.cumprod_flat_into(&mut out).unwrap();
    assert_eq!(out, array![5.0]);

    let mut out0 = arr0(-1.0);
    assert_eq!(
        a.cumprod_axis_into(Axis(0), &mut out0),
        Err(CumprodError::AxisOutOfBounds { axis: 0, ndim: 0 })
    );
    assert_eq!(out0, arr0(-1.0));
    let message = panic_message(|| {
        a.cumprod_axis(Axis(0));
    });
    assert_eq!(message, "axis 0 is out of bounds for array of dimension 0");
}

#[test]
fn single_elements_are_returned_as_they_are() {
    assert_eq!(array![7].cumprod_flat(), array![7]);
    assert_eq!(array![[7]].cumprod_axis(Axis(0)), array![[7]]);
    assert_eq!(
        array![[[-0.0_f64]]].cumprod_axis(Axis(2))[[0, 0, 0]].to_bits(),
        (-0.0_f64).to_bits()
    );
}

#[test]
fn zero_length_axis_beside_long_ones() {
    let a = Array3::<i32>::ones((4, 0, 5));
    for k in 0..3 {
        let mut out = Array3::<i32>::zeros((4, 0, 5));
        a.cumprod_axis_into(Axis(k), &mut out).unwrap();
        assert_eq!(a.cumprod_axis(Axis(k)).dim(), (4, 0, 5));
    }
}

// ---------------------------------------------------------------- IEEE values

#[test]
fn nan_propagates_forward_only() {
    let a = array![2.0, f64::NAN, 3.0];
    let p = a.cumprod_flat();
    assert_eq!(p[0], 2.0);
    assert!(p[1].is_nan() && p[2].is_nan());
    // Along an axis, only the lane that holds the NaN is affected.
    let b = array![[1.0, 2.0], [f64::NAN, 3.0], [4.0, 5.0]];
    let q = b.cumprod_axis(Axis(0));
    assert!(q[[1, 0]].is_nan() && q[[2, 0]].is_nan());
    assert_eq!(q.column(1), array![2.0, 6.0, 30.0]);
}

#[test]
fn infinities_and_signed_zeros_follow_ieee() {
    let inf = f64::INFINITY;
    // inf * 0 is NaN; -0 keeps its sign through positive factors and flips with negative ones.
    let p = array![inf, 2.0, 0.0, 5.0].cumprod_flat();
    assert_eq!(bits(&p.to_vec()[..2]), bits(&[inf, inf]));
    assert!(p[2].is_nan() && p[3].is_nan());
    let z = array![-0.0, 5.0, -1.0, -inf].cumprod_flat();
    assert_eq!(bits(&z.to_vec()[..3]), bits(&[-0.0, -0.0, 0.0]));
    assert!(z[3].is_nan());
    let n = array![-1.0, inf, -2.0].cumprod_flat();
    assert_eq!(bits(&n.to_vec()), bits(&[-1.0, -inf, inf]));
    // Underflow to zero and overflow to infinity happen where NumPy has them.
    let u = array![1e-200, 1e-200, 1e300, 1e300].cumprod_flat();
    assert_eq!(bits(&u.to_vec()), bits(&[1e-200, 0.0, 0.0, 0.0]));
    let o = array![1e200, 1e200, 1e-300].cumprod_flat();
    assert_eq!(bits(&o.to_vec()), bits(&[1e200, inf, inf]));
}

// ---------------------------------------------------------------- layouts

/// A 3-D array with distinct, exactly representable values.
fn sample() -> ArrayD<f64> {
    ArrayD::from_shape_fn(IxDyn(&[3, 4, 5]), |i| {
        1.0 + (i[0] * 20 + i[1] * 5 + i[2]) as f64 / 64.0
    })
}

fn every_layout(ndim: usize) -> Vec<Layout> {
    let mut layouts = vec![
        Layout::c(ndim),
        Layout::f(ndim),
        Layout::step2(ndim),
        Layout::reversed(ndim),
    ];
    if ndim == 3 {
        layouts.push(Layout::named("perm", 3));
        layouts.push(Layout {
            perm: vec![2, 0, 1],
            steps: vec![1, 3, 2],
            inverted: vec![false, true, false],
        });
    }
    layouts
}

#[test]
fn every_method_on_every_input_and_output_layout() {
    let x = sample();
    // Under Miri, which runs about a thousand times slower, every other
    // input layout too.
    for input in every_layout(3)
        .into_iter()
        .step_by(if cfg!(miri) { 2 } else { 1 })
    {
        let a = input.build(&x, f64::NAN);
        assert_eq!(
            bits(&a.cumprod_flat()),
            bits(&reference_flat(&x)),
            "{input:?}"
        );
        for out_layout in every_layout(1) {
            let mut flat = out_layout
                .build(&ArrayD::zeros(IxDyn(&[x.len()])), f64::NAN)
                .into_dimensionality::<Ix1>()
                .unwrap();
            a.cumprod_flat_into(&mut flat).unwrap();
            assert_eq!(
                bits(&flat),
                bits(&reference_flat(&x)),
                "{input:?} into {out_layout:?}"
            );
        }
        for k in 0..3 {
            let expected = reference_axis(&x, k);
            assert_eq!(
                bits(&a.cumprod_axis(Axis(k))),
                bits(&expected),
                "{input:?} axis {k}"
            );
            // Under Miri, which runs about a thousand times slower, every
            // other output layout.
            for out_layout in every_layout(3)
                .into_iter()
                .step_by(if cfg!(miri) { 2 } else { 1 })
            {
                let mut out = out_layout.build(&ArrayD::zeros(x.raw_dim()), f64::NAN);
                a.cumprod_axis_into(Axis(k), &mut out).unwrap();
                assert_eq!(
                    bits(&out),
                    bits(&expected),
                    "{input:?} into {out_layout:?} axis {k}"
                );
                let mut inplace = out_layout.build(&x, f64::NAN);
                inplace.cumprod_axis_inplace(Axis(k));
                assert_eq!(
                    bits(&inplace),
                    bits(&expected),
                    "inplace {out_layout:?} axis {k}"
                );
            }
        }
    }
}

#[test]
fn flattening_follows_logical_order_not_memory_order() {
    let c = array![[1, 2, 3], [4, 5, 6]];
    let f = Array2::from_shape_vec((2, 3).f(), vec![1, 4, 2, 5, 3, 6]).unwrap();
    assert_eq!(c, f);
    assert_eq!(f.cumprod_flat(), array![1, 2, 6, 24, 120, 720]);
    let reversed = c.slice_axis(Axis(1), Slice::new(0, None, -1));
    assert_eq!(reversed.cumprod_flat(), array![3, 6, 6, 36, 180, 720]);
}

#[test]
fn results_keep_the_memory_order_of_contiguous_inputs() {
    let x = sample();
    let is_c = |a: &ArrayD<f64>| a.is_standard_layout();
    let is_f = |a: &ArrayD<f64>| a.t().is_standard_layout();
    for k in 0..3 {
        assert!(is_c(&Layout::c(3).build(&x, 0.0).cumprod_axis(Axis(k))));
        assert!(is_f(
            &Layout::f(3).build(&x, 0.0).cumprod_axis_as::<f64>(Axis(k))
        ));
        // Contiguous, neither C nor F: same strides as the input, like NumPy.
        let perm = Layout::named("perm", 3).build(&x, 0.0);
        assert_eq!(perm.cumprod_axis(Axis(k)).strides(), perm.strides());
        // Not contiguous, or reversed: standard layout.
        assert!(is_c(&Layout::step2(3).build(&x, 0.0).cumprod_axis(Axis(k))));
        assert!(is_c(
            &Layout::reversed(3).build(&x, 0.0).cumprod_axis(Axis(k))
        ));
    }
}

// ---------------------------------------------------------------- element types

#[test]
fn non_commutative_elements_multiply_previous_times_current() {
    let a = Array1::from(words(["a", "b", "c"]));
    assert_eq!(a.cumprod_flat().to_vec(), words(["a", "ab", "abc"]));
    let grid = Array2::from_shape_vec((2, 2), words(["a", "b", "c", "d"])).unwrap();
    assert_eq!(
        grid.cumprod_axis(Axis(0)).into_raw_vec_and_offset().0,
        words(["a", "b", "ac", "bd"])
    );
    let mut out = Array2::from_elem((2, 2), Word(String::new()));
    grid.cumprod_axis_into(Axis(1), &mut out).unwrap();
    assert_eq!(
        out.into_raw_vec_and_offset().0,
        words(["a", "ab", "c", "cd"])
    );
    // Both loop orders of the in-place kernel keep the order: C (lanes) and F (slices).
    let c_order = Array2::from_shape_vec((2, 2), words(["a", "b", "c", "d"])).unwrap();
    let f_order = Array2::from_shape_vec((2, 2).f(), words(["a", "c", "b", "d"])).unwrap();
    assert_eq!(c_order, f_order);
    for mut g in [c_order, f_order] {
        g.cumprod_axis_inplace(Axis(1));
        assert_eq!(
            g.iter().cloned().collect::<Vec<_>>(),
            words(["a", "ab", "c", "cd"])
        );
    }
}

#[test]
fn matrices_multiply_in_index_order() {
    let x = Mat2([1, 1, 0, 1]);
    let y = Mat2([1, 0, 1, 1]);
    let p = array![x.clone(), y.clone(), x.clone()].cumprod_flat();
    assert_eq!(
        p.to_vec(),
        vec![
            x.clone(),
            x.clone() * y.clone(),
            x.clone() * y.clone() * x.clone()
        ]
    );
    assert_ne!(
        x.clone() * y.clone(),
        y * x,
        "the test type is not commutative"
    );
}

#[test]
fn complex_numbers() {
    let i = Complex64::new(0.0, 1.0);
    let a = array![i, i, i, i];
    assert_eq!(
        a.cumprod_flat(),
        array![i, -Complex64::new(1.0, 0.0), -i, Complex64::new(1.0, 0.0)]
    );
    let real = array![[1.0, 2.0], [3.0, 4.0]];
    assert_eq!(
        real.cumprod_axis_as::<Complex64>(Axis(1)),
        array![
            [Complex64::new(1.0, 0.0), Complex64::new(2.0, 0.0)],
            [Complex64::new(3.0, 0.0), Complex64::new(12.0, 0.0)]
        ]
    );
}

#[test]
fn wrapping_integers_wrap_like_numpy() {
    let a = array![Wrapping(i32::MAX), Wrapping(2), Wrapping(-3)];
    assert_eq!(
        a.cumprod_flat(),
        array![Wrapping(i32::MAX), Wrapping(-2), Wrapping(6)]
    );
    let b = array![
        [Wrapping(255_u8), Wrapping(255)],
        [Wrapping(255), Wrapping(2)]
    ];
    assert_eq!(
        b.cumprod_axis(Axis(0)),
        array![[Wrapping(255), Wrapping(255)], [Wrapping(1), Wrapping(254)]]
    );
}

#[test]
fn conversions_are_applied_before_multiplying() {
    // 200 * 200 overflows u8 but not u64.
    assert_eq!(
        array![200_u8, 200].cumprod_flat_as::<u64>(),
        array![200_u64, 40_000]
    );
    assert_eq!(
        array![true, true, false, true].cumprod_flat_as::<i64>(),
        array![1_i64, 1, 0, 0]
    );
    assert_eq!(
        array![16_777_217_i32, 1].cumprod_flat_as::<f64>(),
        array![16_777_217.0, 16_777_217.0]
    );
    let mut out = Array1::<f64>::zeros(2);
    array![0.1_f32, 3.0].cumprod_flat_into(&mut out).unwrap();
    assert_eq!(
        bits(&out),
        bits(&[f64::from(0.1_f32), f64::from(0.1_f32) * 3.0])
    );
}

#[cfg(debug_assertions)]
#[test]
#[should_panic(expected = "attempt to multiply with overflow")]
fn integer_overflow_panics_in_debug_builds() {
    array![i64::MAX, 2].cumprod_flat();
}

// ---------------------------------------------------------------- errors

#[test]
fn axis_into_errors_leave_out_untouched() {
    let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    let before = Array2::from_elem((2, 3), -7.0);

    let mut out = before.clone();
    let err = a.cumprod_axis_into(Axis(2), &mut out).unwrap_err();
    assert_eq!(err, CumprodError::AxisOutOfBounds { axis: 2, ndim: 2 });
    assert_eq!(
        err.to_string(),
        "axis 2 is out of bounds for array of dimension 2"
    );
    assert_eq!(out, before);

    let mut wrong = Array2::from_elem((3, 2), -7.0);
    let err = a.cumprod_axis_into(Axis(0), &mut wrong).unwrap_err();
    assert_eq!(
        err,
        CumprodError::ShapeMismatch {
            expected: vec![2, 3],
            found: vec![3, 2]
        }
    );
    assert_eq!(
        err.to_string(),
        "output array has shape [3, 2], but the cumulative product has shape [2, 3]"
    );
    assert_eq!(wrong, Array2::from_elem((3, 2), -7.0));

    // The axis is checked before the shape, as NumPy does.
    let err = a.cumprod_axis_into(Axis(5), &mut wrong).unwrap_err();
    assert_eq!(err, CumprodError::AxisOutOfBounds { axis: 5, ndim: 2 });

    // With dynamic dimensions, a different number of axes is a shape mismatch.
    let dyn_a = a.clone().into_dyn();
    let mut dyn_out = ArrayD::from_elem(IxDyn(&[2, 3, 1]), -7.0);
    let err = dyn_a.cumprod_axis_into(Axis(1), &mut dyn_out).unwrap_err();
    assert_eq!(
        err,
        CumprodError::ShapeMismatch {
            expected: vec![2, 3],
            found: vec![2, 3, 1]
        }
    );
    assert!(dyn_out.iter().all(|&v| v == -7.0));
}

#[test]
fn flat_into_errors_leave_out_untouched() {
    let a = array![[1, 2], [3, 4]];
    for len in [0, 3, 5] {
        let mut out = Array1::from_elem(len, 9_i64);
        let err = a.cumprod_flat_into(&mut out).unwrap_err();
        assert_eq!(
            err,
            CumprodError::ShapeMismatch {
                expected: vec![4],
                found: vec![len]
            }
        );
        assert!(out.iter().all(|&v| v == 9));
    }
}

#[test]
fn errors_are_std_errors() {
    let err: Box<dyn std::error::Error + Send + Sync> =
        Box::new(CumprodError::AxisOutOfBounds { axis: 1, ndim: 1 });
    assert_eq!(
        err.to_string(),
        "axis 1 is out of bounds for array of dimension 1"
    );
}

thread_local! {
    static PANIC_AT: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

/// Runs `f`, which must panic, and returns the panic message; also checks that
/// the panic is reported at the caller's line in this file (`#[track_caller]`).
fn panic_message(f: impl FnOnce()) -> String {
    // The panic hook is global: one caller at a time.
    static HOOK: Mutex<()> = Mutex::new(());
    let _guard = HOOK.lock().unwrap_or_else(|e| e.into_inner());
    let previous = panic::take_hook();
    panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| l.file().to_string())
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        PANIC_AT.with(|p| *p.borrow_mut() = Some((location, message)));
    }));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    panic::set_hook(previous);
    assert!(result.is_err(), "expected a panic");
    let (file, message) = PANIC_AT
        .with(|p| p.borrow_mut().take())
        .expect("panic hook ran");
    assert!(
        file.ends_with("edge_cases.rs"),
        "panic reported at {file}, not at the caller"
    );
    message
}

#[test]
fn out_of_bounds_axis_panics_with_numpys_message_at_the_caller() {
    let a = array![[1.0, 2.0], [3.0, 4.0]];
    let expected = "axis 2 is out of bounds for array of dimension 2";
    assert_eq!(panic_message(|| drop(a.cumprod_axis(Axis(2)))), expected);
    assert_eq!(
        panic_message(|| drop(a.cumprod_axis_as::<f64>(Axis(2)))),
        expected
    );
    let mut b = a.clone();
    assert_eq!(panic_message(|| b.cumprod_axis_inplace(Axis(2))), expected);
    assert_eq!(b, a, "a failed in-place call leaves the array unchanged");
    let c: Array<f64, IxDyn> = ArrayD::zeros(IxDyn(&[2, 2, 2, 2]));
    assert_eq!(
        panic_message(|| drop(c.cumprod_axis(Axis(9)))),
        "axis 9 is out of bounds for array of dimension 4"
    );
}

#[test]
#[cfg_attr(
    miri,
    ignore = "8 MiB arrays, hours under Miri; the small arrays of the other tests take the same paths"
)]
fn new_arrays_of_several_mib_equal_the_results_written_into_existing_ones() {
    // New arrays of 4 MiB or more are advised for huge pages on Linux (the
    // default feature `huge-pages`): the values, shape and memory order must
    // be those of any other result.
    for f_order in [false, true] {
        let a = Array2::from_shape_fn((512, 2048).set_f(f_order), |(i, j)| {
            if (i * 7 + j * 3) % 11 == 0 {
                f64::NAN
            } else {
                1.0 + ((i + 2 * j) % 5) as f64 * 1e-3
            }
        });
        for k in 0..2 {
            let along = Cumprod::along(Axis(k)).typed::<f64>();
            let forms = [
                along.clone(),
                along.clone().reverse(),
                along.clone().exclusive(),
                along.initial(2.0),
            ];
            for how in forms {
                let new = a.cumprod_with(how.clone());
                let mut out = Array2::from_elem(new.raw_dim().set_f(f_order), 7.0);
                a.cumprod_with_into(how.clone(), &mut out).unwrap();
                assert_eq!(bits(&new), bits(&out), "{how:?}, F order {f_order}");
                assert_eq!(new.strides(), out.strides(), "{how:?}, F order {f_order}");
            }
            let new = a.nancumprod_axis(Axis(k));
            let mut out = Array2::from_elem(new.raw_dim().set_f(f_order), 7.0);
            a.nancumprod_axis_into(Axis(k), &mut out).unwrap();
            assert_eq!(bits(&new), bits(&out), "nan axis {k}, F order {f_order}");
        }
        let flat = a.cumprod_flat();
        let mut out = Array1::from_elem(a.len(), 7.0);
        a.cumprod_flat_into(&mut out).unwrap();
        assert_eq!(bits(&flat), bits(&out), "flat, F order {f_order}");
    }
}
