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

use crate::common;

use std::num::Wrapping;
use std::ops::Mul;

use common::golden::{assert_matches, parse_values, Golden};
use common::Layout;
use ndarray::{Array1, ArrayD, Axis, IxDyn};
use ndarray_cumprod::CumprodExt;
use num_complex::Complex64;

const DATA: &str = include_str!("../data/numpy_golden.txt");

/// A golden element type with a value placed where the layouts leave gaps, and
/// in outputs before they are written.
trait Fill: Golden {
    const FILL: Self;
}

macro_rules! fill {
    ($($t:ty => $fill:expr),*) => {$(
        impl Fill for $t {
            const FILL: Self = $fill;
        }
    )*};
}
fill!(
    f64 => f64::NAN,
    f32 => f32::NAN,
    i64 => 7,
    i32 => 7,
    i8 => 7,
    u8 => 7,
    u64 => 7,
    bool => true,
    Wrapping<i64> => Wrapping(7),
    Complex64 => Complex64::new(f64::NAN, f64::NAN)
);

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

/// A case read into arrays: the input laid out as NumPy had it, and NumPy's outputs.
struct Loaded<A, B> {
    name: String,
    layout: Layout,
    logical: ArrayD<A>,
    a: ArrayD<A>,
    flat: ArrayD<B>,
    axes: Vec<ArrayD<B>>,
}

fn load<A: Fill, B: Fill>(case: &Case<'_>) -> Loaded<A, B> {
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
    A: Fill + Into<B>,
    B: Fill + Mul<Output = B>,
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
    A: Fill + Into<B>,
    B: Fill + Mul<Output = B>,
{
    check_converting(&load::<A, B>(case));
}

/// Checks every method for a kind whose NumPy output type is its input type.
fn check_same<T>(case: &Case<'_>)
where
    T: Fill + Mul<Output = T>,
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
#[cfg_attr(
    miri,
    ignore = "replays thousands of NumPy values through every layout, hours under Miri; properties.rs and family.rs run the same methods under Miri"
)]
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
#[cfg_attr(
    miri,
    ignore = "replays thousands of NumPy values through every layout, hours under Miri; properties.rs and family.rs run the same methods under Miri"
)]
fn golden_file_names_its_numpy_version() {
    let header = DATA.lines().next().unwrap();
    assert!(header.starts_with("# NumPy 2."), "{header}");
}
