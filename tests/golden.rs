//! Replays NumPy's outputs from `tests/data/numpy_golden.txt` (written by
//! `tests/data/gen_numpy_golden.py`; the format is described there) through every
//! method of `CumprodExt`, on the same memory layouts NumPy was given.
//!
//! Floats and integers must match to the bit, signed zeros and infinities
//! included; a NaN must be a NaN, but its sign and payload bits are not compared:
//! Rust (RFC 3514), like C, leaves them unspecified, and an optimised build may
//! commute the operands of a multiplication, which changes them. Complex products
//! may differ from NumPy in the last bit where NumPy's build fuses a multiply-add,
//! so they are compared to a tolerance of a few ulps when their bits differ.

mod common;

use std::fmt::Debug;
use std::num::Wrapping;
use std::ops::Mul;

use common::Layout;
use ndarray::{Array1, ArrayD, Axis, IxDyn};
use ndarray_cumprod::CumprodExt;
use num_complex::Complex64;

const DATA: &str = include_str!("data/numpy_golden.txt");

/// An element type that can be read from the golden file and compared with NumPy.
trait Golden: Clone + Debug {
    /// A value placed where the layouts leave gaps, and in untouched outputs.
    const FILL: Self;
    fn parse(token: &str) -> Self;
    fn matches(&self, numpy: &Self) -> bool;
}

macro_rules! golden_bits {
    ($($t:ty => $bits:ty),*) => {$(
        impl Golden for $t {
            const FILL: Self = <$t>::NAN;
            fn parse(token: &str) -> Self {
                <$t>::from_bits(<$bits>::from_str_radix(token, 16).expect("hex float bits"))
            }
            fn matches(&self, numpy: &Self) -> bool {
                self.to_bits() == numpy.to_bits() || (self.is_nan() && numpy.is_nan())
            }
        }
    )*};
}
golden_bits!(f64 => u64, f32 => u32);

macro_rules! golden_int {
    ($($t:ty),*) => {$(
        impl Golden for $t {
            const FILL: Self = 7;
            fn parse(token: &str) -> Self {
                token.parse().expect("decimal integer")
            }
            fn matches(&self, numpy: &Self) -> bool {
                self == numpy
            }
        }
    )*};
}
golden_int!(i64, i32, i8, u8, u64);

impl Golden for bool {
    const FILL: Self = true;
    fn parse(token: &str) -> Self {
        match token {
            "0" => false,
            "1" => true,
            other => panic!("bool token {other:?}"),
        }
    }
    fn matches(&self, numpy: &Self) -> bool {
        self == numpy
    }
}

impl Golden for Wrapping<i64> {
    const FILL: Self = Wrapping(7);
    fn parse(token: &str) -> Self {
        Wrapping(i64::parse(token))
    }
    fn matches(&self, numpy: &Self) -> bool {
        self == numpy
    }
}

impl Golden for Complex64 {
    const FILL: Self = Complex64::new(f64::NAN, f64::NAN);
    fn parse(token: &str) -> Self {
        let (re, im) = token.split_once(':').expect("re:im");
        Complex64::new(f64::parse(re), f64::parse(im))
    }
    fn matches(&self, numpy: &Self) -> bool {
        if self.re.matches(&numpy.re) && self.im.matches(&numpy.im) {
            return true;
        }
        // Not bit-identical: NumPy's build fuses some multiply-adds, so each part
        // may differ by rounding relative to the magnitude of the product (seen:
        // at most 1 epsilon times the magnitude; allowed: 2).
        let scale = 2.0 * f64::EPSILON * numpy.norm();
        self.is_finite()
            && numpy.is_finite()
            && approx::abs_diff_eq!(self.re, numpy.re, epsilon = scale)
            && approx::abs_diff_eq!(self.im, numpy.im, epsilon = scale)
    }
}

/// One record of the golden file.
struct Case<'a> {
    kind: &'a str,
    layout: &'a str,
    shape: Vec<usize>,
    input: &'a str,
    flat: &'a str,
    axes: Vec<&'a str>,
}

impl Case<'_> {
    fn name(&self) -> String {
        format!("{} {} {:?}", self.kind, self.layout, self.shape)
    }
}

fn parse_values<T: Golden>(line: &str) -> Vec<T> {
    if line == "-" {
        Vec::new()
    } else {
        line.split(' ').map(T::parse).collect()
    }
}

fn parse_cases(data: &str) -> Vec<Case<'_>> {
    let mut cases = Vec::new();
    for record in data.split("\n\n").filter(|r| r.starts_with("case ")) {
        let mut lines = record.lines();
        let head: Vec<&str> = lines.next().unwrap().split(' ').collect();
        let shape = match head[3] {
            "-" => Vec::new(),
            s => s.split(',').map(|n| n.parse().unwrap()).collect(),
        };
        let input = lines.next().unwrap().strip_prefix("input ").unwrap();
        let flat = lines.next().unwrap().strip_prefix("flat ").unwrap();
        let axes = lines
            .enumerate()
            .map(|(k, line)| line.strip_prefix(&format!("axis {k} ")).unwrap())
            .collect::<Vec<_>>();
        assert_eq!(axes.len(), shape.len(), "one output per axis in {head:?}");
        cases.push(Case {
            kind: head[1],
            layout: head[2],
            shape,
            input,
            flat,
            axes,
        });
    }
    cases
}

fn assert_matches<T: Golden>(actual: &ArrayD<T>, numpy: &ArrayD<T>, what: &str) {
    assert_eq!(actual.shape(), numpy.shape(), "{what}: shape");
    for (index, (a, n)) in ndarray::indices(numpy.raw_dim())
        .into_iter()
        .zip(actual.iter().zip(numpy.iter()))
    {
        assert!(
            a.matches(n),
            "{what}: at {index:?} got {a:?}, NumPy gave {n:?}"
        );
    }
}

/// A case read into arrays: the input laid out as NumPy had it, and NumPy's outputs.
struct Loaded<A, B> {
    name: String,
    layout: Layout,
    logical: ArrayD<A>,
    a: ArrayD<A>,
    flat: ArrayD<B>,
    axes: Vec<ArrayD<B>>,
}

fn load<A: Golden, B: Golden>(case: &Case<'_>) -> Loaded<A, B> {
    let shape = IxDyn(&case.shape);
    let layout = Layout::named(case.layout, case.shape.len());
    let logical = ArrayD::from_shape_vec(shape.clone(), parse_values::<A>(case.input)).unwrap();
    let a = layout.build(&logical, A::FILL);
    let flat = Array1::from(parse_values::<B>(case.flat)).into_dyn();
    let axes = case
        .axes
        .iter()
        .map(|line| ArrayD::from_shape_vec(shape.clone(), parse_values::<B>(line)).unwrap())
        .collect();
    Loaded {
        name: case.name(),
        layout,
        logical,
        a,
        flat,
        axes,
    }
}

/// Checks the converting methods (`_as`, `_into` with an `out` of type `B`), which
/// are the ones that serve NumPy's `dtype=`; for `A == B` they are the `out=` forms.
fn check_converting<A, B>(case: &Loaded<A, B>)
where
    A: Golden + Into<B>,
    B: Golden + Mul<Output = B>,
{
    let Loaded { name, a, flat, .. } = case;
    let ndim = a.ndim();

    assert_matches(
        &a.cumprod_flat_as::<B>().into_dyn(),
        flat,
        &format!("{name} flat_as"),
    );
    for out_layout in [Layout::c(1), Layout::reversed(1), Layout::step2(1)] {
        let mut out = out_layout
            .build(&ArrayD::from_elem(IxDyn(&[a.len()]), B::FILL), B::FILL)
            .into_dimensionality()
            .unwrap();
        a.cumprod_flat_into(&mut out).unwrap();
        assert_matches(
            &out.into_dyn(),
            flat,
            &format!("{name} flat_into {out_layout:?}"),
        );
    }

    for (k, numpy) in case.axes.iter().enumerate() {
        let what = format!("{name} axis {k}");
        assert_matches(
            &a.cumprod_axis_as::<B>(Axis(k)),
            numpy,
            &format!("{what} axis_as"),
        );
        for out_layout in [Layout::c(ndim), Layout::f(ndim), Layout::reversed(ndim)] {
            let mut out = out_layout.build(&ArrayD::from_elem(a.raw_dim(), B::FILL), B::FILL);
            a.cumprod_axis_into(Axis(k), &mut out).unwrap();
            assert_matches(&out, numpy, &format!("{what} axis_into {out_layout:?}"));
        }
    }
}

/// Checks a kind whose NumPy output type is not its input type.
fn check_as<A, B>(case: &Case<'_>)
where
    A: Golden + Into<B>,
    B: Golden + Mul<Output = B>,
{
    check_converting(&load::<A, B>(case));
}

/// Checks every method for a kind whose NumPy output type is its input type.
fn check_same<T>(case: &Case<'_>)
where
    T: Golden + Mul<Output = T>,
{
    let loaded = load::<T, T>(case);
    check_converting(&loaded);
    let Loaded {
        name,
        layout,
        logical,
        a,
        flat,
        axes,
    } = &loaded;
    assert_matches(&a.cumprod_flat().into_dyn(), flat, &format!("{name} flat"));
    for (k, numpy) in axes.iter().enumerate() {
        let what = format!("{name} axis {k}");
        let result = a.cumprod_axis(Axis(k));
        assert_matches(&result, numpy, &format!("{what} axis"));
        if *layout == Layout::f(a.ndim()) {
            // NumPy keeps F order; so do we.
            assert!(result.t().is_standard_layout(), "{what}: F in, F out");
        }
        let mut inplace = layout.build(logical, T::FILL);
        inplace.cumprod_axis_inplace(Axis(k));
        assert_matches(&inplace, numpy, &format!("{what} inplace"));
    }
}

#[test]
fn numpy_golden_data_replays_bit_for_bit() {
    let cases = parse_cases(DATA);
    let mut per_kind = std::collections::BTreeMap::<&str, usize>::new();
    for case in &cases {
        match case.kind {
            "f64" => check_same::<f64>(case),
            "f32" => check_same::<f32>(case),
            "i64" => check_same::<i64>(case),
            "i32" => check_same::<i32>(case),
            "c128" => check_same::<Complex64>(case),
            "wrap_i64" => check_same::<Wrapping<i64>>(case),
            "f32_f64" => check_as::<f32, f64>(case),
            "i32_i64" => check_as::<i32, i64>(case),
            "bool_i64" => check_as::<bool, i64>(case),
            "i8_i64" => check_as::<i8, i64>(case),
            "u8_u64" => check_as::<u8, u64>(case),
            other => panic!("unknown kind {other:?} in the golden file"),
        }
        *per_kind.entry(case.kind).or_default() += 1;
    }
    // Every kind the generator writes was replayed, with its full set of cases.
    assert_eq!(per_kind.len(), 11, "{per_kind:?}");
    assert!(per_kind.values().all(|&n| n >= 36), "{per_kind:?}");
    assert!(cases.len() >= 450, "only {} cases read", cases.len());
}

#[test]
fn golden_file_names_its_numpy_version() {
    let header = DATA.lines().next().unwrap();
    assert!(header.starts_with("# NumPy 2."), "{header}");
}
