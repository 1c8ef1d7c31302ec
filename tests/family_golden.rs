//! Replays NumPy 2.4's `nancumprod` and `cumulative_prod(include_initial=True)`
//! (tests/data/numpy_family_golden.txt, written by gen_numpy_family_golden.py)
//! through `nancumprod_with*` and `cumprod_with*` with `include_initial`, on C,
//! F and reversed inputs and outputs, and compares every value bit for bit
//! (a NaN is a NaN; complex values within 2 epsilon, as in tests/golden.rs).

mod common;

use common::golden::{assert_matches_by, parse_values, Golden};
use common::Layout;
use ndarray::{Array1, ArrayD, Axis, IxDyn};
use ndarray_cumprod::{Cumprod, CumprodExt, NanAware};
use num_complex::Complex64;

const DATA: &str = include_str!("data/numpy_family_golden.txt");

/// A golden element type with a value placed where the layouts leave gaps, and
/// in outputs before they are written: 7, not NaN, so that a missed write
/// cannot hide behind an expected NaN.
trait Fill: Golden {
    const FILL: Self;
}

impl Fill for f64 {
    const FILL: Self = 7.0;
}

impl Fill for f32 {
    const FILL: Self = 7.0;
}

impl Fill for i64 {
    const FILL: Self = 7;
}

impl Fill for Complex64 {
    const FILL: Self = Complex64::new(7.0, 7.0);
}

/// Asserts NumPy's values, a NaN matching a NaN also for complex values
/// (NaN in either part), as NumPy's `nancumprod` counts them.
fn assert_matches<T: Golden + MaybeNan>(actual: &ArrayD<T>, numpy: &ArrayD<T>, what: &str) {
    assert_matches_by(actual, numpy, what, |a, n| {
        a.matches(n) || (a.is_nan_value() && n.is_nan_value())
    });
}

const LAYOUTS: [&str; 3] = ["C", "F", "reversed"];

/// The `nan_axis` and `initial_axis` lines of one case.
fn replay<T>(name: &str, shape: &[usize], lines: &[&str])
where
    T: Fill + std::ops::Mul<Output = T> + num_traits::One + MaybeNan,
{
    let mut lines = lines.iter();
    let input = lines.next().unwrap().strip_prefix("input ").unwrap();
    let x = ArrayD::from_shape_vec(IxDyn(shape), parse_values::<T>(input)).unwrap();
    let mut checked = 0;
    for line in lines {
        let (tag, rest) = line.split_once(' ').unwrap();
        if tag == "nan_flat" {
            let numpy = Array1::from(parse_values::<T>(rest)).into_dyn();
            for layout in LAYOUTS {
                let a = Layout::named(layout, shape.len()).build(&x, T::FILL);
                let ours = T::nan_with(
                    &a.flatten().into_owned().into_dyn(),
                    &Cumprod::along(Axis(0)),
                );
                assert_matches(&ours, &numpy, &format!("{name} {layout} nancumprod flat"));
            }
            checked += 1;
            continue;
        }
        let (k, rest) = rest.split_once(' ').unwrap();
        let k: usize = k.parse().unwrap();
        let include_initial = tag == "initial_axis";
        let mut out_shape = shape.to_vec();
        if include_initial {
            out_shape[k] += 1;
        }
        let numpy = ArrayD::from_shape_vec(IxDyn(&out_shape), parse_values::<T>(rest)).unwrap();
        let how = if include_initial {
            Cumprod::along(Axis(k)).include_initial()
        } else {
            Cumprod::along(Axis(k))
        };
        for layout in LAYOUTS {
            let a = Layout::named(layout, shape.len()).build(&x, T::FILL);
            let what = format!("{name} {layout} {tag} {k}");
            let ours = if include_initial {
                a.cumprod_with(&how)
            } else {
                T::nan_with(&a, &how)
            };
            assert_matches(&ours, &numpy, &format!("{what}, allocating"));
            for out_layout in LAYOUTS {
                let blank = ArrayD::from_elem(IxDyn(&out_shape), T::FILL);
                let mut out = Layout::named(out_layout, shape.len()).build(&blank, T::FILL);
                if include_initial {
                    a.cumprod_with_into(&how, &mut out).unwrap();
                } else {
                    T::nan_with_into(&a, &how, &mut out);
                }
                assert_matches(&out, &numpy, &format!("{what}, into {out_layout}"));
            }
            if !include_initial {
                let mut inplace = a.clone();
                T::nan_with_inplace(&mut inplace, &how);
                assert_matches(&inplace, &numpy, &format!("{what}, in place"));
            }
        }
        checked += 1;
    }
    assert!(checked > 0 || shape.is_empty(), "{name}: nothing replayed");
}

/// The NaN-skipping methods for float types; integers have no NaN-skipping form
/// (their golden records have no `nan_` lines).
trait MaybeNan: Sized {
    fn is_nan_value(&self) -> bool;
    fn nan_with(a: &ArrayD<Self>, how: &Cumprod) -> ArrayD<Self>;
    fn nan_with_into(a: &ArrayD<Self>, how: &Cumprod, out: &mut ArrayD<Self>);
    fn nan_with_inplace(a: &mut ArrayD<Self>, how: &Cumprod);
}

macro_rules! nan_forms {
    ($($t:ty),*) => {$(
        impl MaybeNan for $t {
            fn is_nan_value(&self) -> bool {
                NanAware::is_nan(self)
            }
            fn nan_with(a: &ArrayD<Self>, how: &Cumprod) -> ArrayD<Self> {
                a.nancumprod_with(how)
            }
            fn nan_with_into(a: &ArrayD<Self>, how: &Cumprod, out: &mut ArrayD<Self>) {
                a.nancumprod_with_into(how, out).unwrap()
            }
            fn nan_with_inplace(a: &mut ArrayD<Self>, how: &Cumprod) {
                a.nancumprod_with_inplace(how)
            }
        }
    )*};
}
nan_forms!(f64, f32, Complex64);

impl MaybeNan for i64 {
    fn is_nan_value(&self) -> bool {
        false
    }
    fn nan_with(_: &ArrayD<Self>, _: &Cumprod) -> ArrayD<Self> {
        unreachable!("no nancumprod records for integers")
    }
    fn nan_with_into(_: &ArrayD<Self>, _: &Cumprod, _: &mut ArrayD<Self>) {
        unreachable!("no nancumprod records for integers")
    }
    fn nan_with_inplace(_: &mut ArrayD<Self>, _: &Cumprod) {
        unreachable!("no nancumprod records for integers")
    }
}

#[test]
fn numpy_nancumprod_and_include_initial_replay_bit_for_bit() {
    let mut counts = std::collections::BTreeMap::new();
    for record in DATA.split("\n\n").filter(|r| r.starts_with("case ")) {
        let lines: Vec<&str> = record.lines().collect();
        let header: Vec<&str> = lines[0].split(' ').collect();
        let (kind, shape) = (header[1], header[2]);
        let shape: Vec<usize> = shape.split(',').map(|n| n.parse().unwrap()).collect();
        let name = format!("{kind} {shape:?}");
        match kind {
            "f64" => replay::<f64>(&name, &shape, &lines[1..]),
            "f32" => replay::<f32>(&name, &shape, &lines[1..]),
            "c128" => replay::<Complex64>(&name, &shape, &lines[1..]),
            "i64" => replay::<i64>(&name, &shape, &lines[1..]),
            other => panic!("unknown kind {other}"),
        }
        *counts.entry(kind).or_insert(0) += 1;
    }
    assert_eq!(
        counts.values().sum::<usize>(),
        37,
        "every record replayed: {counts:?}"
    );
}
