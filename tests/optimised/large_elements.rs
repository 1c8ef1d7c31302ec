//! Element types of several KiB (a 32 x 32 matrix of f64 is 8 KiB) through
//! every kernel, on a thread with a 2 MiB stack, the size of every test thread
//! and rayon worker: the kernels must not keep tiles of such elements on the
//! stack. Run in debug and in release builds by CI.

use crate::common;

use std::ops::Mul;

use common::{reference_axis, reference_flat};
use ndarray::{Array2, Array3, ArrayD, Axis, ShapeBuilder};
use ndarray_cumprod::{Cumprod, CumprodExt};
use num_traits::One;

/// `N` floats multiplied element by element: as large as a matrix, as cheap
/// to check as a number.
#[derive(Clone, Debug, PartialEq)]
struct Big<const N: usize>(Box<[f64; N]>);

/// The same, held inline: the element itself is `N * 8` bytes.
#[derive(Clone, Debug, PartialEq)]
struct Inline<const N: usize>([f64; N]);

impl<const N: usize> Mul for Inline<N> {
    type Output = Self;
    fn mul(mut self, rhs: Self) -> Self {
        for (x, y) in self.0.iter_mut().zip(rhs.0.iter()) {
            *x *= y;
        }
        self
    }
}

impl<const N: usize> One for Inline<N> {
    fn one() -> Self {
        Inline([1.0; N])
    }
}

impl<const N: usize> Mul for Big<N> {
    type Output = Self;
    fn mul(self, rhs: Self) -> Self {
        Big(Box::new((Inline(*self.0) * Inline(*rhs.0)).0))
    }
}

/// A distinct value for every position, so that misplaced products show.
fn value<const N: usize>(i: usize) -> Inline<N> {
    let mut v = [1.0; N];
    v[0] = 1.0 + i as f64 / 64.0;
    v[N - 1] = 2.0 - i as f64 / 128.0;
    Inline(v)
}

/// Runs `f` on a thread with a 2 MiB stack and propagates its panic.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    common::on_stack(2 << 20, f);
}

fn every_kernel<const N: usize>() {
    for f_order in [false, true] {
        for (rows, cols) in [(4, 16), (16, 4), (2, 40), (40, 2)] {
            let mut a = Array2::from_elem((rows, cols).set_f(f_order), value::<N>(0));
            for (i, x) in a.iter_mut().enumerate() {
                *x = value(i);
            }
            let x = a.clone().into_dyn();
            for k in 0..2 {
                let expected = reference_axis(&x, k);
                assert_eq!(a.cumprod_axis(Axis(k)).into_dyn(), expected);
                let mut out = a.clone();
                a.cumprod_axis_into(Axis(k), &mut out).unwrap();
                assert_eq!(out.clone().into_dyn(), expected);
                let mut inplace = a.clone();
                inplace.cumprod_axis_inplace(Axis(k));
                assert_eq!(inplace.into_dyn(), expected);
                // Reverse: the same scan of the axis-inverted array.
                let mut flipped = a.clone();
                flipped.invert_axis(Axis(k));
                let mut expected_rev = reference_axis(&flipped.to_owned().into_dyn(), k);
                expected_rev.invert_axis(Axis(k));
                let how = Cumprod::along(Axis(k)).reverse();
                assert_eq!(a.cumprod_with(how).into_dyn(), expected_rev);
                a.cumprod_with_into(how, &mut out).unwrap();
                assert_eq!(out.clone().into_dyn(), expected_rev);
                let mut inplace = a.clone();
                inplace.cumprod_with_inplace(how);
                assert_eq!(inplace.into_dyn(), expected_rev);
                // Exclusive and include_initial, forward and reverse.
                for how in [
                    Cumprod::along(Axis(k)).exclusive(),
                    Cumprod::along(Axis(k)).reverse().exclusive(),
                ] {
                    let mut inplace = a.clone();
                    inplace.cumprod_with_inplace(how);
                    assert_eq!(inplace, a.cumprod_with(how));
                }
                let grown = a.cumprod_with(Cumprod::along(Axis(k)).include_initial());
                assert_eq!(grown.len_of(Axis(k)), a.len_of(Axis(k)) + 1);
            }
            // axis=None: a transposition for F order.
            let flat = reference_flat(&x);
            assert_eq!(a.cumprod_flat().to_vec(), flat);
            let mut out = ndarray::Array1::from_elem(a.len(), value::<N>(0));
            a.cumprod_flat_into(&mut out).unwrap();
            assert_eq!(out.to_vec(), flat);
        }
    }
    // A third axis: rows of several elements between the lanes.
    let a = Array3::from_shape_fn((3, 4, 5), |(i, j, k)| value::<N>(i * 20 + j * 5 + k));
    let x: ArrayD<Inline<N>> = a.clone().into_dyn();
    for k in 0..3 {
        assert_eq!(a.cumprod_axis(Axis(k)).into_dyn(), reference_axis(&x, k));
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "copies of KiB-sized elements are slow under Miri; the same loops run under Miri with small elements"
)]
fn eight_kib_elements_fit_a_small_stack() {
    on_small_stack(every_kernel::<1024>);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "copies of KiB-sized elements are slow under Miri; the same loops run under Miri with small elements"
)]
fn thirty_two_kib_elements_fit_a_small_stack() {
    on_small_stack(every_kernel::<4096>);
}

#[test]
fn boxed_elements_are_small_and_take_the_fast_kernels() {
    // The element is a pointer: the tiled kernels apply, and must agree.
    on_small_stack(|| {
        let a = Array2::from_shape_fn((6, 40), |(i, j)| Big(Box::new(value::<64>(i * 40 + j).0)));
        let x = a.clone().into_dyn();
        for k in 0..2 {
            assert_eq!(a.cumprod_axis(Axis(k)).into_dyn(), reference_axis(&x, k));
        }
    });
}
