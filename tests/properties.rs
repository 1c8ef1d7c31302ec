//! Property tests: random shapes up to 5-D (zero-length axes and 0-d included),
//! random axes, random memory layouts of the input and of `out` (C, F, any axis
//! order, steps of 1 to 3, inverted axes), every method and every dimension type,
//! compared with the plain reference loops in `common`. The NaN-skipping twins
//! (`nancumprod_*`) are compared with the same loops run on the input with
//! every NaN replaced by one.

mod common;

use std::fmt::Debug;
use std::num::Wrapping;
use std::ops::Mul;

use common::{reference_axis, reference_flat, Layout, Mat2, Word};
use ndarray::{Array, ArrayD, Axis, Dimension, Ix0, Ix1, Ix2, Ix3, Ix4, Ix5, IxDyn};
use ndarray_cumprod::{CumprodError, CumprodExt, NanAware};
use num_complex::Complex64;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Compares results exactly: floats by their bits, so -0.0 counts (every NaN is
/// one NaN: Rust leaves the sign and payload of a NaN result unspecified).
trait Exact: Clone + Debug {
    type Key: PartialEq + Debug;
    fn key(&self) -> Self::Key;
}

impl Exact for f64 {
    type Key = u64;
    fn key(&self) -> u64 {
        common::float_key(*self)
    }
}

impl Exact for f32 {
    type Key = u32;
    fn key(&self) -> u32 {
        if self.is_nan() {
            f32::NAN.to_bits()
        } else {
            self.to_bits()
        }
    }
}

impl Exact for Complex64 {
    type Key = (u64, u64);
    fn key(&self) -> (u64, u64) {
        (common::float_key(self.re), common::float_key(self.im))
    }
}

/// Integers compare as they are.
macro_rules! exact_integers {
    ($($t:ty),*) => {$(
        impl Exact for $t {
            type Key = $t;
            fn key(&self) -> $t {
                *self
            }
        }
    )*};
}
exact_integers!(i32, i64);

impl Exact for Wrapping<i64> {
    type Key = i64;
    fn key(&self) -> i64 {
        self.0
    }
}

impl Exact for Word {
    type Key = String;
    fn key(&self) -> String {
        self.0.clone()
    }
}

impl Exact for Mat2 {
    type Key = [i64; 4];
    fn key(&self) -> [i64; 4] {
        self.0
    }
}

fn keys<'a, T: Exact + 'a>(values: impl IntoIterator<Item = &'a T>) -> Vec<T::Key> {
    values.into_iter().map(Exact::key).collect()
}

/// Shape, axis and the layouts of the input, of `out` and of the flat `out`.
#[derive(Clone, Debug)]
struct Setup {
    shape: Vec<usize>,
    axis: usize,
    input: Layout,
    out: Layout,
    flat_out: Layout,
    dynamic: bool,
}

fn layout(ndim: usize) -> impl Strategy<Value = Layout> {
    let general = (
        Just((0..ndim).collect::<Vec<_>>()).prop_shuffle(),
        vec(1..=3usize, ndim),
        vec(any::<bool>(), ndim),
    )
        .prop_map(|(perm, steps, inverted)| Layout {
            perm,
            steps,
            inverted,
        });
    prop_oneof![
        2 => Just(Layout::c(ndim)),
        1 => Just(Layout::f(ndim)),
        3 => general,
    ]
}

fn setup() -> impl Strategy<Value = Setup> {
    // Under Miri, which runs about a thousand times slower, up to 3 axes of
    // up to 3 elements.
    (0usize..=if cfg!(miri) { 3 } else { 5 }).prop_flat_map(|ndim| {
        (
            vec(0usize..=if cfg!(miri) { 3 } else { 4 }, ndim),
            0..ndim.max(1),
            layout(ndim),
            layout(ndim),
            layout(1),
            any::<bool>(),
        )
            .prop_map(|(shape, axis, input, out, flat_out, dynamic)| Setup {
                shape,
                axis,
                input,
                out,
                flat_out,
                dynamic,
            })
    })
}

/// A setup and values for every element of its shape.
fn case<T: Debug>(
    value: impl Strategy<Value = T> + Clone,
) -> impl Strategy<Value = (Setup, ArrayD<T>)> {
    setup().prop_flat_map(move |s| {
        let len: usize = s.shape.iter().product();
        let shape = s.shape.clone();
        (Just(s), vec(value.clone(), len)).prop_map(move |(s, v)| {
            let x = ArrayD::from_shape_vec(IxDyn(&shape), v).unwrap();
            (s, x)
        })
    })
}

fn finite_or_special() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![
        12 => -2.0..2.0f64,
        1 => Just(0.0),
        1 => Just(-0.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
    ]
}

/// Calls `$f::<D, ..>` with the dimension type of the setup: `IxDyn`, or the
/// fixed one of the same number of axes.
macro_rules! with_dimension {
    ($setup:expr, $f:ident :: <$($t:ty),*> ($($arg:expr),*)) => {
        if $setup.dynamic {
            $f::<IxDyn, $($t),*>($($arg),*)
        } else {
            match $setup.shape.len() {
                0 => $f::<Ix0, $($t),*>($($arg),*),
                1 => $f::<Ix1, $($t),*>($($arg),*),
                2 => $f::<Ix2, $($t),*>($($arg),*),
                3 => $f::<Ix3, $($t),*>($($arg),*),
                4 => $f::<Ix4, $($t),*>($($arg),*),
                5 => $f::<Ix5, $($t),*>($($arg),*),
                n => unreachable!("{n} axes"),
            }
        }
    };
}

fn laid_out<T: Clone, D: Dimension>(layout: &Layout, x: &ArrayD<T>, fill: T) -> Array<T, D> {
    layout.build(x, fill).into_dimensionality().unwrap()
}

/// The converting methods (`_as`, and `_into` with an `out` of element type `B`)
/// against the reference loop applied to the converted input.
fn check_converting<D, A, B>(s: &Setup, x: &ArrayD<A>, fill: (A, B)) -> Result<(), TestCaseError>
where
    D: Dimension,
    A: Exact + Into<B>,
    B: Exact + Mul<Output = B>,
{
    let converted = x.map(|v| v.clone().into());
    let a: Array<A, D> = laid_out(&s.input, x, fill.0);

    let flat = reference_flat(&converted);
    prop_assert_eq!(keys(&a.cumprod_flat_as::<B>()), keys(&flat));
    let mut flat_out = laid_out::<B, Ix1>(
        &s.flat_out,
        &ArrayD::from_elem(IxDyn(&[x.len()]), fill.1.clone()),
        fill.1.clone(),
    );
    a.cumprod_flat_into(&mut flat_out).unwrap();
    prop_assert_eq!(keys(&flat_out), keys(&flat));

    let zeros = ArrayD::from_elem(x.raw_dim(), fill.1.clone());
    let mut out: Array<B, D> = laid_out(&s.out, &zeros, fill.1.clone());
    if x.ndim() == 0 {
        let err = a.cumprod_axis_into(Axis(s.axis), &mut out).unwrap_err();
        prop_assert_eq!(
            err,
            CumprodError::AxisOutOfBounds {
                axis: s.axis,
                ndim: 0
            }
        );
        prop_assert_eq!(keys(&out), keys(&zeros));
        return Ok(());
    }
    let expected = reference_axis(&converted, s.axis);
    prop_assert_eq!(keys(&a.cumprod_axis_as::<B>(Axis(s.axis))), keys(&expected));
    a.cumprod_axis_into(Axis(s.axis), &mut out).unwrap();
    prop_assert_eq!(keys(&out), keys(&expected));
    Ok(())
}

/// Every method, for an element type that stays the same.
fn check_same<D, T>(s: &Setup, x: &ArrayD<T>, fill: T) -> Result<(), TestCaseError>
where
    D: Dimension,
    T: Exact + Mul<Output = T>,
{
    check_converting::<D, T, T>(s, x, (fill.clone(), fill.clone()))?;
    let a: Array<T, D> = laid_out(&s.input, x, fill.clone());
    prop_assert_eq!(keys(&a.cumprod_flat()), keys(&reference_flat(x)));
    if x.ndim() == 0 {
        return Ok(());
    }
    let expected = reference_axis(x, s.axis);
    prop_assert_eq!(keys(&a.cumprod_axis(Axis(s.axis))), keys(&expected));
    let mut inplace: Array<T, D> = laid_out(&s.out, x, fill);
    inplace.cumprod_axis_inplace(Axis(s.axis));
    prop_assert_eq!(keys(&inplace), keys(&expected));
    // The same, through views.
    let mut view_target = a.clone();
    view_target.view_mut().cumprod_axis_inplace(Axis(s.axis));
    prop_assert_eq!(keys(&view_target), keys(&expected));
    prop_assert_eq!(keys(&a.view().cumprod_axis(Axis(s.axis))), keys(&expected));
    Ok(())
}

/// `x` with every NaN replaced by one: what the NaN-skipping forms scan.
fn nan_as_one<T: NanAware>(x: &ArrayD<T>) -> ArrayD<T> {
    x.mapv(|v| if v.is_nan() { T::one() } else { v })
}

/// The NaN-skipping twins that convert (`nancumprod_*_as`, `_into` with an
/// `out` of element type `B`) against the reference loop on the converted
/// input with NaN as one.
fn check_nan_converting<D, A, B>(
    s: &Setup,
    x: &ArrayD<A>,
    fill: (A, B),
) -> Result<(), TestCaseError>
where
    D: Dimension,
    A: Exact + Into<B>,
    B: Exact + NanAware + Mul<Output = B>,
{
    let ones = nan_as_one(&x.map(|v| v.clone().into()));
    let a: Array<A, D> = laid_out(&s.input, x, fill.0);

    let flat = reference_flat(&ones);
    prop_assert_eq!(keys(&a.nancumprod_flat_as::<B>()), keys(&flat));
    let mut flat_out = laid_out::<B, Ix1>(
        &s.flat_out,
        &ArrayD::from_elem(IxDyn(&[x.len()]), fill.1.clone()),
        fill.1.clone(),
    );
    a.nancumprod_flat_into(&mut flat_out).unwrap();
    prop_assert_eq!(keys(&flat_out), keys(&flat));

    let zeros = ArrayD::from_elem(x.raw_dim(), fill.1.clone());
    let mut out: Array<B, D> = laid_out(&s.out, &zeros, fill.1.clone());
    if x.ndim() == 0 {
        let err = a.nancumprod_axis_into(Axis(s.axis), &mut out).unwrap_err();
        prop_assert_eq!(
            err,
            CumprodError::AxisOutOfBounds {
                axis: s.axis,
                ndim: 0
            }
        );
        prop_assert_eq!(keys(&out), keys(&zeros));
        return Ok(());
    }
    let expected = reference_axis(&ones, s.axis);
    prop_assert_eq!(
        keys(&a.nancumprod_axis_as::<B>(Axis(s.axis))),
        keys(&expected)
    );
    a.nancumprod_axis_into(Axis(s.axis), &mut out).unwrap();
    prop_assert_eq!(keys(&out), keys(&expected));
    Ok(())
}

/// Every NaN-skipping twin, for an element type that stays the same.
fn check_nan_same<D, T>(s: &Setup, x: &ArrayD<T>, fill: T) -> Result<(), TestCaseError>
where
    D: Dimension,
    T: Exact + NanAware + Mul<Output = T>,
{
    check_nan_converting::<D, T, T>(s, x, (fill.clone(), fill.clone()))?;
    let ones = nan_as_one(x);
    let a: Array<T, D> = laid_out(&s.input, x, fill.clone());
    prop_assert_eq!(keys(&a.nancumprod_flat()), keys(&reference_flat(&ones)));
    if x.ndim() == 0 {
        return Ok(());
    }
    let expected = reference_axis(&ones, s.axis);
    prop_assert_eq!(keys(&a.nancumprod_axis(Axis(s.axis))), keys(&expected));
    let mut inplace: Array<T, D> = laid_out(&s.out, x, fill);
    inplace.nancumprod_axis_inplace(Axis(s.axis));
    prop_assert_eq!(keys(&inplace), keys(&expected));
    Ok(())
}

/// Cases per property: fewer under Miri, which runs about a thousand times
/// slower.
const CASES: u32 = if cfg!(miri) { 2 } else { 256 };

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn nan_skipping_floats_match_the_reference_to_the_bit((s, x) in case(finite_or_special())) {
        with_dimension!(s, check_nan_same::<f64>(&s, &x, f64::NAN))?;
    }

    #[test]
    fn nan_skipping_f32_to_f64_matches_the_reference(
        (s, x) in case(prop_oneof![4 => -2.0..2.0f32, 1 => Just(f32::NAN), 1 => Just(-0.0f32)])
    ) {
        with_dimension!(s, check_nan_converting::<f32, f64>(&s, &x, (f32::NAN, f64::NAN)))?;
    }

    #[test]
    fn complex_values_match_the_reference_to_the_bit((s, x) in case(common::complex_special())) {
        let fill = Complex64::new(7.0, 7.0);
        with_dimension!(s, check_same::<Complex64>(&s, &x, fill))?;
        with_dimension!(s, check_nan_same::<Complex64>(&s, &x, fill))?;
    }

    /// Integers have no NaN: the NaN-skipping twins are the plain scan, and
    /// narrow integers convert as NumPy's dtype does.
    #[test]
    fn nan_skipping_integers_are_the_plain_scan(
        (s, x) in case(prop_oneof![8 => -1i32..=1, 1 => Just(2), 1 => Just(-2)])
    ) {
        with_dimension!(s, check_nan_converting::<i32, i64>(&s, &x, (9, 9)))?;
        let wrapped = x.mapv(|v| Wrapping(i64::from(v)));
        with_dimension!(s, check_nan_same::<Wrapping<i64>>(&s, &wrapped, Wrapping(9)))?;
    }

    #[test]
    fn floats_match_the_reference_to_the_bit((s, x) in case(finite_or_special())) {
        with_dimension!(s, check_same::<f64>(&s, &x, f64::NAN))?;
    }

    #[test]
    fn f32_to_f64_matches_the_reference((s, x) in case(-2.0..2.0f32)) {
        with_dimension!(s, check_converting::<f32, f64>(&s, &x, (f32::NAN, f64::NAN)))?;
    }

    #[test]
    fn wrapping_integers_match_the_reference((s, x) in case(any::<i64>().prop_map(Wrapping))) {
        with_dimension!(s, check_same::<Wrapping<i64>>(&s, &x, Wrapping(7)))?;
    }

    /// Words own heap memory (they need dropping), which takes the kernels'
    /// clone-sparing path; concatenation shows any change in the order of factors.
    #[test]
    fn owned_non_commutative_values_keep_the_order((s, x) in case(proptest::char::range('a', 'z').prop_map(|c| Word(c.to_string())))) {
        with_dimension!(s, check_same::<Word>(&s, &x, Word("?".to_string())))?;
    }

    #[test]
    fn matrices_keep_the_order_of_factors((s, x) in case(vec(-3i64..=3, 4).prop_map(|m| Mat2([m[0], m[1], m[2], m[3]])))) {
        with_dimension!(s, check_same::<Mat2>(&s, &x, Mat2([9, 9, 9, 9])))?;
    }
}
