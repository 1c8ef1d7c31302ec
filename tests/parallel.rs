//! The multi-threaded methods (cargo feature `rayon`) give the serial results,
//! bit for bit, on every layout, above and below the size where they start
//! using threads.
#![cfg(feature = "rayon")]

mod common;

use common::{reference_axis, Layout, Mat2};
use ndarray::{ArrayD, Axis, Dimension, IxDyn};
use ndarray_cumprod::{CumprodError, CumprodExt, ParCumprodExt};

fn mat(i: usize) -> Mat2 {
    let i = i as i64;
    Mat2([1 + i % 3, i % 5 - 2, i % 7 - 3, 1 + i % 2])
}

fn shapes() -> Vec<Vec<usize>> {
    // Above 65,536 elements (threads), then below (the calling thread).
    vec![
        vec![300, 300],
        vec![70_000, 2],
        vec![2, 40_000],
        vec![64, 40, 30],
        vec![10, 10],
        vec![100_000],
    ]
}

fn layouts(ndim: usize) -> Vec<Layout> {
    let mut all = vec![
        Layout::c(ndim),
        Layout::f(ndim),
        Layout::step2(ndim),
        Layout::reversed(ndim),
    ];
    if ndim == 3 {
        all.push(Layout::named("perm", 3));
    }
    all
}

#[test]
fn parallel_methods_match_the_reference_on_every_layout() {
    for shape in shapes() {
        let x = ArrayD::from_shape_fn(IxDyn(&shape), |index| {
            mat(index.slice().iter().fold(0, |acc, &i| acc * 31 + i))
        });
        for layout in layouts(shape.len()) {
            let a = layout.build(&x, Mat2([9, 9, 9, 9]));
            for axis in 0..shape.len() {
                let expected = reference_axis(&x, axis);
                let case = format!("shape {shape:?}, {layout:?}, axis {axis}");

                assert!(
                    a.par_cumprod_axis(Axis(axis)) == expected,
                    "par_cumprod_axis, {case}"
                );

                for out_layout in [Layout::c(shape.len()), Layout::f(shape.len())] {
                    let mut out = out_layout.build(&x, Mat2([0; 4]));
                    a.par_cumprod_axis_into(Axis(axis), &mut out).unwrap();
                    assert!(
                        out == expected,
                        "par_cumprod_axis_into, {case}, out {out_layout:?}"
                    );
                }

                let mut work = a.clone();
                work.par_cumprod_axis_inplace(Axis(axis));
                assert!(work == expected, "par_cumprod_axis_inplace, {case}");
            }
        }
    }
}

#[test]
fn parallel_floats_are_bit_identical_to_serial() {
    let a = ndarray::Array2::from_shape_fn((513, 257), |(i, j)| {
        1.0 + ((i * 31 + j * 7) % 101) as f64 * 1e-3
    });
    for axis in 0..2 {
        let serial = a.cumprod_axis(Axis(axis));
        let parallel = a.par_cumprod_axis(Axis(axis));
        let bits = |v: &ndarray::Array2<f64>| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&parallel), bits(&serial), "axis {axis}");
        let transposed = a.t();
        let f = transposed.as_standard_layout().reversed_axes();
        assert!(f.t().is_standard_layout(), "an F-order copy");
        assert_eq!(
            bits(&f.par_cumprod_axis(Axis(axis))),
            bits(&serial),
            "F order, axis {axis}"
        );
    }
}

#[test]
fn parallel_errors_leave_out_untouched() {
    let a = ndarray::Array2::<f64>::ones((300, 300));
    let mut out = ndarray::Array2::<f64>::from_elem((300, 299), 7.0);
    assert_eq!(
        a.par_cumprod_axis_into(Axis(0), &mut out),
        Err(CumprodError::ShapeMismatch {
            expected: vec![300, 300],
            found: vec![300, 299]
        })
    );
    assert!(out.iter().all(|&v| v == 7.0));
    let mut out = ndarray::Array2::<f64>::from_elem((300, 300), 7.0);
    assert_eq!(
        a.par_cumprod_axis_into(Axis(2), &mut out),
        Err(CumprodError::AxisOutOfBounds { axis: 2, ndim: 2 })
    );
    assert!(out.iter().all(|&v| v == 7.0));
}

#[test]
#[should_panic(expected = "axis 2 is out of bounds for array of dimension 2")]
fn parallel_inplace_panics_on_a_bad_axis() {
    ndarray::Array2::<f64>::ones((3, 3)).par_cumprod_axis_inplace(Axis(2));
}

/// An output of 16 MiB, which the serial scan writes with streaming stores
/// (on x86-64): each thread's piece does too, and the result is the serial
/// one, bit for bit, along the lanes and across them, in C and F order.
#[test]
fn large_outputs_match_the_serial_scan() {
    use ndarray::{Array2, ShapeBuilder};
    for f_order in [false, true] {
        let a = Array2::from_shape_fn((2048, 1024).set_f(f_order), |(i, j)| {
            1.0 + ((i * 31 + j * 17) % 23) as f64 * 0.013
        });
        for axis in [Axis(0), Axis(1)] {
            let mut serial = Array2::<f64>::zeros((2048, 1024).set_f(f_order));
            let mut parallel = serial.clone();
            a.cumprod_axis_into(axis, &mut serial).unwrap();
            a.par_cumprod_axis_into(axis, &mut parallel).unwrap();
            assert!(
                serial
                    .iter()
                    .zip(parallel.iter())
                    .all(|(x, y)| x.to_bits() == y.to_bits()),
                "F {f_order}, {axis:?}"
            );
        }
    }
}
