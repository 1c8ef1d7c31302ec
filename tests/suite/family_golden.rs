//! Replays NumPy 2.4's `nancumprod` (axis=None and every axis, with and
//! without `dtype`), `cumulative_prod(include_initial=True)` (with and without
//! `dtype`) and the flip-based reverse scans
//! (tests/data/numpy_family_golden.txt, written by gen_numpy_family_golden.py)
//! through every form of the crate that computes them: the plain `nancumprod_*`
//! twins, the `_as` conversions, `nancumprod_with*` and `cumprod_with*` with
//! `include_initial` and `reverse`, on C, F and reversed inputs and outputs, and
//! compares every value bit for bit (a NaN is a NaN; complex values within 2
//! epsilon where they are finite, as in tests/optimised/golden.rs).

use crate::common;

use std::ops::Mul;

use common::golden::{assert_matches_by, parse_values, Golden};
use common::Layout;
use ndarray::{Array1, ArrayD, Axis, IxDyn};
use ndarray_cumprod::{Cumprod, CumprodExt, NanAware};
use num_complex::Complex64;

const DATA: &str = include_str!("../data/numpy_family_golden.txt");

/// A golden element type with a value placed where the layouts leave gaps, and
/// in outputs before they are written: 7, not NaN, so that a missed write
/// cannot hide behind an expected NaN.
trait Fill: Golden {
    const FILL: Self;
}

macro_rules! fill {
    ($($t:ty => $v:expr),*) => {$(
        impl Fill for $t {
            const FILL: Self = $v;
        }
    )*};
}
fill!(f64 => 7.0, f32 => 7.0, i64 => 7, i32 => 7, bool => true, Complex64 => Complex64::new(7.0, 7.0));

/// Asserts NumPy's values, a NaN matching a NaN also for complex values
/// (NaN in either part), as NumPy's `nancumprod` counts them.
fn assert_matches<T: Golden + NanAware>(actual: &ArrayD<T>, numpy: &ArrayD<T>, what: &str) {
    assert_matches_by(actual, numpy, what, |a, n| {
        a.matches(n) || (a.is_nan() && n.is_nan())
    });
}

const LAYOUTS: [&str; 3] = ["C", "F", "reversed"];

/// One line of a record: its tag, the axis (none for `nan_flat`) and NumPy's
/// values in the shape they have.
struct Line<T> {
    tag: String,
    axis: Option<usize>,
    numpy: ArrayD<T>,
}

/// The input and the lines of one record, read as `A` and `B`.
fn parse_record<A: Golden, B: Golden>(
    shape: &[usize],
    lines: &[&str],
) -> (ArrayD<A>, Vec<Line<B>>) {
    let input = lines[0].strip_prefix("input ").unwrap();
    let x = ArrayD::from_shape_vec(IxDyn(shape), parse_values::<A>(input)).unwrap();
    let lines = lines[1..]
        .iter()
        .map(|line| {
            let (tag, rest) = line.split_once(' ').unwrap();
            if tag == "nan_flat" {
                let numpy = Array1::from(parse_values::<B>(rest)).into_dyn();
                return Line {
                    tag: tag.to_string(),
                    axis: None,
                    numpy,
                };
            }
            let (k, rest) = rest.split_once(' ').unwrap();
            let k: usize = k.parse().unwrap();
            let mut out_shape = shape.to_vec();
            if tag.ends_with("initial_axis") {
                out_shape[k] += 1;
            }
            let numpy = ArrayD::from_shape_vec(IxDyn(&out_shape), parse_values::<B>(rest)).unwrap();
            Line {
                tag: tag.to_string(),
                axis: Some(k),
                numpy,
            }
        })
        .collect();
    (x, lines)
}

/// Outputs of `numpy`'s shape in every layout, filled with `B::FILL`.
fn outputs<B: Fill>(numpy: &ArrayD<B>) -> impl Iterator<Item = (&'static str, ArrayD<B>)> + '_ {
    LAYOUTS.into_iter().map(move |layout| {
        let blank = ArrayD::from_elem(numpy.raw_dim(), B::FILL);
        (
            layout,
            Layout::named(layout, numpy.ndim()).build(&blank, B::FILL),
        )
    })
}

/// A record whose results have the input's element type: every line through
/// every form that computes it.
fn replay<T>(name: &str, shape: &[usize], lines: &[&str]) -> usize
where
    T: Fill + NanAware + Mul<Output = T>,
{
    let (x, lines) = parse_record::<T, T>(shape, lines);
    for line in &lines {
        let numpy = &line.numpy;
        for layout in LAYOUTS {
            let a = Layout::named(layout, shape.len()).build(&x, T::FILL);
            let what = format!("{name} {layout} {}", line.tag);
            let Some(k) = line.axis else {
                // np.nancumprod(a): axis=None.
                assert_matches(&a.nancumprod_flat().into_dyn(), numpy, &what);
                let mut out = Array1::from_elem(a.len(), T::FILL);
                a.nancumprod_flat_into(&mut out).unwrap();
                assert_matches(&out.into_dyn(), numpy, &format!("{what}, into"));
                let flat = a.flatten().nancumprod_with(Cumprod::along(Axis(0)));
                assert_matches(&flat.into_dyn(), numpy, &format!("{what}, flatten"));
                continue;
            };
            let what = format!("{what} {k}");
            let along = Cumprod::along(Axis(k));
            let how = match line.tag.as_str() {
                "nan_axis" | "initial_axis" => along,
                "rev_axis" => along.reverse(),
                "rev_initial_axis" => along.reverse(),
                other => panic!("unknown line {other}"),
            };
            let how = if line.tag.ends_with("initial_axis") {
                how.include_initial()
            } else {
                how
            };
            let nan = line.tag == "nan_axis";
            let ours = if nan {
                assert_matches(
                    &a.nancumprod_axis(Axis(k)),
                    numpy,
                    &format!("{what}, plain"),
                );
                a.nancumprod_with(&how)
            } else {
                a.cumprod_with(&how)
            };
            assert_matches(&ours, numpy, &format!("{what}, allocating"));
            for (out_layout, mut out) in outputs(numpy) {
                if nan {
                    a.nancumprod_axis_into(Axis(k), &mut out).unwrap();
                    assert_matches(&out, numpy, &format!("{what}, plain into {out_layout}"));
                    out.fill(T::FILL);
                    a.nancumprod_with_into(&how, &mut out).unwrap();
                } else {
                    a.cumprod_with_into(&how, &mut out).unwrap();
                }
                assert_matches(&out, numpy, &format!("{what}, into {out_layout}"));
            }
            if !line.tag.ends_with("initial_axis") {
                let mut inplace = a.clone();
                let mut plain = a.clone();
                if nan {
                    inplace.nancumprod_with_inplace(&how);
                    plain.nancumprod_axis_inplace(Axis(k));
                    assert_matches(&plain, numpy, &format!("{what}, plain in place"));
                } else {
                    inplace.cumprod_with_inplace(&how);
                }
                assert_matches(&inplace, numpy, &format!("{what}, in place"));
            }
        }
    }
    lines.len()
}

/// A record of a converting kind: the input of type `A`, every result computed
/// in `B` (NumPy's `dtype=B`).
fn replay_as<A, B>(name: &str, shape: &[usize], lines: &[&str]) -> usize
where
    A: Fill + Into<B>,
    B: Fill + NanAware + Mul<Output = B>,
{
    let (x, lines) = parse_record::<A, B>(shape, lines);
    for line in &lines {
        let numpy = &line.numpy;
        for layout in LAYOUTS {
            let a = Layout::named(layout, shape.len()).build(&x, A::FILL);
            let what = format!("{name} {layout} {} as", line.tag);
            let Some(k) = line.axis else {
                assert_matches(&a.nancumprod_flat_as::<B>().into_dyn(), numpy, &what);
                let mut out = Array1::from_elem(a.len(), B::FILL);
                a.nancumprod_flat_into(&mut out).unwrap();
                assert_matches(&out.into_dyn(), numpy, &format!("{what}, into"));
                continue;
            };
            let what = format!("{what} {k}");
            match line.tag.as_str() {
                "nan_axis" => {
                    let along = Cumprod::along(Axis(k));
                    let ours = a.nancumprod_axis_as::<B>(Axis(k));
                    assert_matches(&ours, numpy, &format!("{what}, plain"));
                    let ours = a.nancumprod_with_as::<B>(&along);
                    assert_matches(&ours, numpy, &format!("{what}, options"));
                    for (out_layout, mut out) in outputs(numpy) {
                        a.nancumprod_axis_into(Axis(k), &mut out).unwrap();
                        assert_matches(&out, numpy, &format!("{what}, plain into {out_layout}"));
                        out.fill(B::FILL);
                        a.nancumprod_with_into(&along, &mut out).unwrap();
                        assert_matches(&out, numpy, &format!("{what}, into {out_layout}"));
                    }
                }
                "initial_axis" => {
                    let how = Cumprod::along(Axis(k)).include_initial();
                    let ours = a.cumprod_with_as::<B>(&how);
                    assert_matches(&ours, numpy, &format!("{what}, allocating"));
                    for (out_layout, mut out) in outputs(numpy) {
                        a.cumprod_with_into(&how, &mut out).unwrap();
                        assert_matches(&out, numpy, &format!("{what}, into {out_layout}"));
                    }
                }
                other => panic!("unknown line {other}"),
            }
        }
    }
    lines.len()
}

#[test]
#[cfg_attr(
    miri,
    ignore = "replays thousands of NumPy values through every layout, hours under Miri; properties.rs and family.rs run the same methods under Miri"
)]
fn numpy_nancumprod_cumulative_prod_and_reverse_replay_bit_for_bit() {
    let mut counts = std::collections::BTreeMap::new();
    for record in DATA.split("\n\n").filter(|r| r.starts_with("case ")) {
        let lines: Vec<&str> = record.lines().collect();
        let header: Vec<&str> = lines[0].split(' ').collect();
        let (kind, shape) = (header[1], header[2]);
        let shape: Vec<usize> = shape.split(',').map(|n| n.parse().unwrap()).collect();
        let name = format!("{kind} {shape:?}");
        let body = &lines[1..];
        let replayed = match kind {
            "f64" => replay::<f64>(&name, &shape, body),
            "f32" => replay::<f32>(&name, &shape, body),
            "c128" => replay::<Complex64>(&name, &shape, body),
            "i64" => replay::<i64>(&name, &shape, body),
            "f32_as_f64" => replay_as::<f32, f64>(&name, &shape, body),
            "i32_as_i64" => replay_as::<i32, i64>(&name, &shape, body),
            "bool_as_i64" => replay_as::<bool, i64>(&name, &shape, body),
            other => panic!("unknown kind {other}"),
        };
        assert!(replayed > 0 || shape.is_empty(), "{name}: nothing replayed");
        *counts.entry(kind).or_insert(0) += 1;
    }
    assert_eq!(
        counts.values().sum::<usize>(),
        65,
        "every record replayed: {counts:?}"
    );
    for kind in ["f32_as_f64", "i32_as_i64", "bool_as_i64"] {
        assert_eq!(counts[kind], 8, "{kind}: {counts:?}");
    }
}
