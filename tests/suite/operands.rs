//! The scans with per-element operands (`mask`, `segments`, `groups`,
//! `keep_nan`), combined with every other option, against a plain reference
//! loop written from their documentation: random shapes, axes, broadcast
//! operands and memory layouts, through every form (allocating, `_into`, in
//! place, NaN-skipping, checked).

use crate::common;

use std::collections::HashMap;
use std::fmt::Debug;

use common::{float_key, Layout, Options, Word};
use ndarray::{array, Array1, ArrayD, Axis, Dimension, IxDyn};
use ndarray_cumprod::{Cumprod, CumprodError, CumprodExt};
use num_traits::One;
use proptest::collection::vec;
use proptest::prelude::*;

/// The operands of one case, as plain data for the reference loop.
#[derive(Clone, Debug)]
struct Extras {
    /// Where false, the element counts as one (broadcast shape).
    mask: Option<ArrayD<bool>>,
    /// Where true, a product starts (broadcast shape).
    starts: Option<ArrayD<bool>>,
    /// The group of every position along the axis.
    codes: Option<Vec<usize>>,
}

/// NaN: 0 propagates (`cumprod_with`), 1 counts as one (`nancumprod_with`),
/// 2 stays NaN in the result and counts as one (`keep_nan`).
type NanRule = u8;

/// The definition, lane by lane, in the scan's direction: a reset (at a start,
/// or, in reverse, just after one) restarts the product from the initial
/// value (or from nothing); the carry starts only the first product of a
/// lane; each group has its own product; a masked-out element is one; with
/// `exclusive` each position holds the product before it; `include_initial`
/// puts the start in front (at the end, in reverse).
#[allow(clippy::too_many_arguments)]
fn reference<T: Clone + One + std::ops::Mul<Output = T>>(
    x: &ArrayD<T>,
    axis: usize,
    o: &Options,
    value: &T,
    lanes: &ArrayD<T>,
    e: &Extras,
    nan: NanRule,
    is_nan: impl Fn(&T) -> bool,
) -> ArrayD<T> {
    let shape = x.raw_dim();
    let mask = e.mask.as_ref().map(|m| m.broadcast(shape.clone()).unwrap());
    let starts = e
        .starts
        .as_ref()
        .map(|m| m.broadcast(shape.clone()).unwrap());
    let n = x.shape()[axis];
    let m = if o.output == 2 { n + 1 } else { n };
    let mut out_shape = x.shape().to_vec();
    out_shape[axis] = m;
    let mut out = ArrayD::from_elem(IxDyn(&out_shape), T::one());
    let mut others = x.shape().to_vec();
    others[axis] = 1;
    for index in ndarray::indices(IxDyn(&others)) {
        let mut lane_index = index.slice().to_vec();
        lane_index.remove(axis);
        let restart = (o.initial == 1).then(|| value.clone());
        let first = match o.initial {
            2 => Some(lanes[IxDyn(&lane_index)].clone()),
            _ => restart.clone(),
        };
        let mut products: HashMap<usize, Option<T>> = HashMap::new();
        let mut body: Vec<Option<T>> = vec![None; n];
        let at = |i: usize| {
            let mut at = index.slice().to_vec();
            at[axis] = i;
            IxDyn(&at).clone()
        };
        let order: Vec<usize> = if o.reverse {
            (0..n).rev().collect()
        } else {
            (0..n).collect()
        };
        for i in order {
            let group = e.codes.as_ref().map_or(0, |c| c[i]);
            let fresh = if e.codes.is_some() {
                restart.clone()
            } else {
                first.clone()
            };
            let product = products.entry(group).or_insert(fresh);
            let reset = starts.as_ref().is_some_and(|s| {
                if o.reverse {
                    i + 1 < n && s[at(i + 1)]
                } else {
                    s[at(i)]
                }
            });
            if reset {
                *product = restart.clone();
            }
            let counted = mask.as_ref().map_or(true, |m| m[at(i)]);
            let element = x[at(i)].clone();
            let v = if !counted {
                T::one()
            } else if is_nan(&element) && nan == 2 {
                body[i] = Some(element);
                continue;
            } else if is_nan(&element) && nan == 1 {
                T::one()
            } else {
                element
            };
            let before = product.take();
            let next = match &before {
                None => v,
                Some(p) if o.reverse => v * p.clone(),
                Some(p) => p.clone() * v,
            };
            body[i] = Some(if o.output == 1 {
                before.unwrap_or_else(T::one)
            } else {
                next.clone()
            });
            *product = Some(next);
        }
        let body = body.into_iter().map(Option::unwrap);
        let start = first.unwrap_or_else(T::one);
        let values: Vec<T> = match (o.output, o.reverse) {
            (2, false) => std::iter::once(start).chain(body).collect(),
            (2, true) => body.chain(std::iter::once(start)).collect(),
            _ => body.collect(),
        };
        for (i, v) in values.into_iter().enumerate() {
            let mut at = index.slice().to_vec();
            at[axis] = i;
            out[IxDyn(&at)] = v;
        }
    }
    out
}

fn options() -> impl Strategy<Value = Options> {
    (any::<bool>(), 0u8..3, 0u8..3).prop_map(|(reverse, output, initial)| Options {
        reverse,
        output,
        initial,
    })
}

/// Flags of a shape that broadcasts to `shape`: some axes of length one,
/// and possibly fewer (leading) axes; `true` with probability about `p`
/// percent.
fn flags(shape: Vec<usize>, p: u32) -> impl Strategy<Value = ArrayD<bool>> {
    let ndim = shape.len();
    (vec(any::<bool>(), ndim), 0..=ndim).prop_flat_map(move |(stretch, dropped)| {
        let own: Vec<usize> = shape
            .iter()
            .zip(&stretch)
            .map(|(&len, &s)| if s { 1 } else { len })
            .skip(dropped)
            .collect();
        let len: usize = own.iter().product();
        vec(proptest::bool::weighted(f64::from(p) / 100.0), len)
            .prop_map(move |v| ArrayD::from_shape_vec(IxDyn(&own), v).unwrap())
    })
}

/// A whole case: shape (1 to 4 axes), axis, options, operands, layouts, values.
#[allow(clippy::type_complexity)]
fn case<T: Debug + Clone>(
    value: impl Strategy<Value = T> + Clone,
) -> impl Strategy<
    Value = (
        usize,
        Options,
        Extras,
        Layout,
        Layout,
        ArrayD<T>,
        T,
        ArrayD<T>,
    ),
> {
    (1usize..=if cfg!(miri) { 2 } else { 4 })
        .prop_flat_map(|ndim| {
            (
                vec(0usize..=if ndim > 2 || cfg!(miri) { 3 } else { 6 }, ndim),
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
            let n = shape[axis];
            // Few groups, or codes far beyond the axis length (not dense).
            let codes = prop_oneof![
                vec(0usize..3, n),
                vec(prop_oneof![Just(7usize), Just(usize::MAX), 0usize..2], n),
            ];
            let extras = (
                proptest::option::of(flags(shape.clone(), 70)),
                proptest::option::of(flags(shape.clone(), 30)),
                proptest::option::of(codes),
            )
                .prop_map(|(mask, starts, codes)| Extras {
                    mask,
                    starts,
                    codes,
                });
            (
                Just((shape, axis, o, input, out, others)),
                extras,
                vec(value.clone(), len),
                value.clone(),
                vec(value.clone(), lanes),
            )
        })
        .prop_map(|((shape, axis, o, input, out, others), e, x, v, lanes)| {
            let x = ArrayD::from_shape_vec(IxDyn(&shape), x).unwrap();
            let lanes = ArrayD::from_shape_vec(IxDyn(&others), lanes).unwrap();
            (axis, o, e, input, out, x, v, lanes)
        })
}

/// The options of a case. Grouped scans refuse a carry: the case then uses
/// the initial value.
fn build<'a, T: Clone + std::ops::Mul<Output = T>>(
    axis: usize,
    o: &Options,
    e: &'a Extras,
    value: &T,
    lanes: &'a ArrayD<T>,
) -> Cumprod<'a, T> {
    let mut how = o.build(axis, value, lanes);
    if let Some(mask) = &e.mask {
        how = how.mask(mask);
    }
    if let Some(starts) = &e.starts {
        how = how.segments(starts);
    }
    if let Some(codes) = &e.codes {
        how = how.groups(codes);
    }
    how
}

fn grouped_carry(o: &Options, e: &Extras) -> bool {
    o.initial == 2 && e.codes.is_some()
}

fn special_f64() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![
        8 => -3.0..3.0f64,
        1 => Just(0.0),
        1 => Just(-0.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(-1e300),
    ]
}

fn keys(a: &ArrayD<f64>) -> Vec<u64> {
    a.iter().map(|&v| float_key(v)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 2 } else { 400 }))]

    /// f64 with NaN, infinities and signed zeros, bit for bit, under the three
    /// NaN rules and every form.
    #[test]
    fn floats_match_the_reference(
        (axis, o, e, input, out_layout, x, v, lanes) in case(special_f64()),
        rule in 0u8..3,
    ) {
        let a = input.build(&x, 7.0);
        let mut how = build(axis, &o, &e, &v, &lanes);
        if rule == 2 {
            how = how.keep_nan();
        }
        if grouped_carry(&o, &e) {
            let err = a.cumprod_with_into(&how, &mut ArrayD::zeros(x.raw_dim())).unwrap_err();
            prop_assert!(matches!(err, CumprodError::UnsupportedOptions { .. }), "{err}");
            return Ok(());
        }
        let expected = reference(&x, axis, &o, &v, &lanes, &e, rule, |v: &f64| v.is_nan());
        let mut shape = x.shape().to_vec();
        shape[axis] = expected.shape()[axis];
        let mut out = out_layout.build(&ArrayD::from_elem(IxDyn(&shape), 0.0), 5.0);
        if rule == 0 {
            prop_assert_eq!(keys(&a.cumprod_with(&how)), keys(&expected));
            a.cumprod_with_into(&how, &mut out).unwrap();
        } else {
            prop_assert_eq!(keys(&a.nancumprod_with(&how)), keys(&expected));
            a.nancumprod_with_into(&how, &mut out).unwrap();
        }
        prop_assert_eq!(keys(&out), keys(&expected));
        if o.output != 2 {
            let mut b = a.clone();
            if rule == 0 {
                b.cumprod_with_inplace(&how);
            } else {
                b.nancumprod_with_inplace(&how);
            }
            prop_assert_eq!(keys(&b), keys(&expected));
        }
    }

    /// Words under concatenation: the order of every product.
    #[test]
    fn products_keep_their_order(
        (axis, o, e, input, out_layout, x, v, lanes) in case(
            "[a-e]".prop_map(Word)
        ),
    ) {
        let a = input.build(&x, Word("#".into()));
        let how = build(axis, &o, &e, &v, &lanes);
        if grouped_carry(&o, &e) {
            return Ok(());
        }
        let expected = reference(&x, axis, &o, &v, &lanes, &e, 0, |_| false);
        prop_assert_eq!(&a.cumprod_with(&how), &expected);
        let mut shape = x.shape().to_vec();
        shape[axis] = expected.shape()[axis];
        let mut out = out_layout.build(&ArrayD::from_elem(IxDyn(&shape), Word::one()), Word("?".into()));
        a.cumprod_with_into(&how, &mut out).unwrap();
        prop_assert_eq!(&out, &expected);
        if o.output != 2 {
            let mut b = a.clone();
            b.cumprod_with_inplace(&how);
            prop_assert_eq!(&b, &expected);
        }
    }

    /// Checked integer products: the same result when nothing overflows, else
    /// the first overflowing element in row-major order, and `out` untouched.
    #[test]
    fn checked_finds_the_first_overflow(
        (axis, o, e, input, _out_layout, x, v, lanes) in case(
            prop_oneof![4 => -3i32..4, 1 => Just(i32::MAX / 2), 1 => Just(70_000)]
        ),
    ) {
        let a = input.build(&x, 0);
        let how = build(axis, &o, &e, &v, &lanes);
        if grouped_carry(&o, &e) {
            return Ok(());
        }
        // Where each product would overflow: the reference in i128, element
        // by element, through a type that remembers the first failure.
        let wide = x.mapv(|v| Wide(Some(i128::from(v))));
        let wide_v = Wide(Some(i128::from(v)));
        let wide_lanes = lanes.mapv(|v| Wide(Some(i128::from(v))));
        let expected = reference(&wide, axis, &o, &wide_v, &wide_lanes, &e, 0, |_| false);
        let failed = expected.iter().any(|w| w.0.is_none());
        let mut out = ArrayD::from_elem(IxDyn(expected.shape()), -9);
        let result = a.cumprod_checked_into(&how, &mut out);
        if failed {
            let err = result.unwrap_err();
            prop_assert!(matches!(err, CumprodError::Overflow { .. }), "{err}");
            prop_assert!(out.iter().all(|&y| y == -9), "out written to");
        } else {
            result.unwrap();
            let values = expected.mapv(|w| i32::try_from(w.0.unwrap()).unwrap());
            prop_assert_eq!(&out, &values);
            prop_assert_eq!(&a.cumprod_checked(&how).unwrap(), &values);
        }
    }
}

/// An i32 product computed wide, `None` once it leaves i32.
#[derive(Clone, Debug, PartialEq)]
struct Wide(Option<i128>);

impl std::ops::Mul for Wide {
    type Output = Wide;
    fn mul(self, rhs: Wide) -> Wide {
        let p = self
            .0
            .zip(rhs.0)
            .map(|(a, b)| a * b)
            .filter(|p| i32::try_from(*p).is_ok());
        Wide(p)
    }
}

impl One for Wide {
    fn one() -> Self {
        Wide(Some(1))
    }
}

#[test]
fn overflow_index_is_the_element_whose_product_overflows() {
    // Two segments, the second overflows at its third element (index 4).
    let a = array![2_i32, 3, 65_536, 65_536, 2, 1];
    let starts = array![false, false, true, false, false, false];
    let how = Cumprod::along(Axis(0)).segments(&starts);
    assert_eq!(
        a.cumprod_checked(how).unwrap_err(),
        CumprodError::Overflow { index: vec![3] }
    );
    // Reverse: the second segment is scanned from its end; 65_536 * 65_536
    // overflows at index 2.
    assert_eq!(
        a.cumprod_checked(how.reverse()).unwrap_err(),
        CumprodError::Overflow { index: vec![2] }
    );
    // Masked out, the large element takes no part.
    let mask = array![true, true, true, false, true, true];
    assert_eq!(
        a.cumprod_checked(Cumprod::along(Axis(0)).mask(&mask))
            .unwrap(),
        array![2, 6, 393_216, 393_216, 786_432, 786_432]
    );
}

#[test]
fn pandas_grouped_cumprod_example() {
    // pandas:
    //   df = pd.DataFrame({"key": ["a", "b", "a", "b", "a"],
    //                      "x": [2.0, 3.0, nan, 5.0, 7.0]})
    //   df.groupby("key")["x"].cumprod()  ->  [2.0, 3.0, nan, 15.0, 14.0]
    let x = array![2.0, 3.0, f64::NAN, 5.0, 7.0];
    let codes = [0, 1, 0, 1, 0];
    let how = Cumprod::along(Axis(0)).groups(&codes);
    let pandas = x.nancumprod_with(how.keep_nan());
    assert_eq!(pandas[0], 2.0);
    assert_eq!(pandas[1], 3.0);
    assert!(pandas[2].is_nan());
    assert_eq!((pandas[3], pandas[4]), (15.0, 14.0));
    // NumPy's rule: the NaN counts as one and its place holds the product.
    assert_eq!(x.nancumprod_with(how), array![2.0, 3.0, 2.0, 15.0, 14.0]);
    // Codes from an ndarray work as well.
    let codes = Array1::from(vec![0_usize, 1, 0, 1, 0]);
    assert_eq!(
        x.nancumprod_with(Cumprod::along(Axis(0)).groups(&codes)),
        array![2.0, 3.0, 2.0, 15.0, 14.0]
    );
}

/// One long lane with groups, whose codes the scan checks as it reads them:
/// a group that first appears late (after every earlier group has started
/// and past the first few thousand positions), a code beyond the axis length
/// that appears late, a code that never appears, and `usize::MAX`; through
/// every form and NaN rule, along a 1-D array and a column, against a plain
/// loop with a product per code.
#[test]
fn grouped_lanes_meet_new_and_large_codes_late() {
    let n = if cfg!(miri) { 300 } else { 10_000 };
    let late = n * 3 / 4;
    let x: Vec<f64> = (0..n)
        .map(|i| {
            if i % 97 == 3 {
                f64::NAN
            } else {
                0.9 + ((i * 13) % 29) as f64 * 7e-3
            }
        })
        .collect();
    let base = |i: usize| (i * 7919) % 4;
    let code_sets: [(&str, Vec<usize>); 4] = [
        (
            "a new group late",
            (0..n)
                .map(|i| if i >= late && i % 3 == 0 { 4 } else { base(i) })
                .collect(),
        ),
        (
            "a code beyond the axis late",
            (0..n)
                .map(|i| if i == late { n + 5 } else { base(i) })
                .collect(),
        ),
        (
            "a code that never appears",
            (0..n).map(|i| base(i) * 2).collect(),
        ),
        (
            "usize::MAX late",
            (0..n)
                .map(|i| {
                    if i > late && i % 5 == 0 {
                        usize::MAX
                    } else {
                        base(i)
                    }
                })
                .collect(),
        ),
    ];
    for (what, codes) in &code_sets {
        for rule in 0..3u8 {
            let mut products: HashMap<usize, f64> = HashMap::new();
            let expected: Vec<f64> = x
                .iter()
                .zip(codes)
                .map(|(&v, &g)| {
                    if v.is_nan() && rule == 2 {
                        return v;
                    }
                    let f = if v.is_nan() && rule == 1 { 1.0 } else { v };
                    let p = products.get(&g).map_or(f, |&p| p * f);
                    products.insert(g, p);
                    p
                })
                .collect();
            let expected: Vec<u64> = expected.into_iter().map(float_key).collect();
            let how = Cumprod::along(Axis(0)).groups(codes);
            let how = if rule == 2 { how.keep_nan() } else { how };
            let scan = |a: &ArrayD<f64>| -> Vec<Vec<u64>> {
                let mut into = ArrayD::zeros(a.raw_dim());
                let mut inplace = a.clone();
                let (alloc, into, inplace) = if rule == 0 {
                    a.cumprod_with_into(how, &mut into).unwrap();
                    inplace.cumprod_with_inplace(how);
                    (a.cumprod_with(how), into, inplace)
                } else {
                    a.nancumprod_with_into(how, &mut into).unwrap();
                    inplace.nancumprod_with_inplace(how);
                    (a.nancumprod_with(how), into, inplace)
                };
                [alloc, into, inplace]
                    .iter()
                    .map(|r| r.iter().copied().map(float_key).collect())
                    .collect()
            };
            let lane = ArrayD::from_shape_vec(IxDyn(&[n]), x.clone()).unwrap();
            let column = ArrayD::from_shape_vec(IxDyn(&[n, 1]), x.clone()).unwrap();
            for (shape, a) in [("1-D", lane), ("column", column)] {
                for (form, got) in ["allocating", "_into", "in place"].iter().zip(scan(&a)) {
                    assert!(got == expected, "{what}, {shape}, rule {rule}, {form}");
                }
            }
        }
    }
}

#[test]
fn errors_name_the_operand() {
    let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    let mut out = a.clone();
    let bad = array![true, false];
    let err = a
        .cumprod_with_into(Cumprod::along(Axis(1)).mask(&bad), &mut out)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "mask array of shape [2] does not broadcast to the input's shape [2, 3]"
    );
    let err = a
        .cumprod_with_into(Cumprod::along(Axis(0)).segments(&bad.view()), &mut out)
        .unwrap_err();
    assert!(matches!(
        err,
        CumprodError::NotBroadcastable {
            operand: "segments",
            ..
        }
    ));
    let err = a
        .cumprod_with_into(Cumprod::along(Axis(0)).groups(&[0, 1, 2]), &mut out)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "group codes array has shape [3], but shape [2] is needed"
    );
    let carry = array![1.0, 1.0, 1.0];
    let err = a
        .cumprod_with_into(
            Cumprod::along(Axis(0)).groups(&[0, 0]).carry(&carry),
            &mut out,
        )
        .unwrap_err();
    assert!(err
        .to_string()
        .starts_with("groups with carry cannot be used here"));
    let err = a
        .cumprod_with_into(Cumprod::along(Axis(0)).keep_nan(), &mut out)
        .unwrap_err();
    assert!(err.to_string().starts_with("keep_nan cannot be used here"));
    assert_eq!(out, a, "out untouched");
}

#[test]
#[should_panic(expected = "mask array of shape [2] does not broadcast")]
fn allocating_forms_panic_with_the_message() {
    let a = array![1.0, 2.0, 3.0];
    let _ = a.cumprod_with(Cumprod::along(Axis(0)).mask(&array![true, false]));
}

#[test]
fn chunked_segments_with_carry_match_the_whole() {
    let a = array![[1.5, 2.0], [3.0, 0.5], [2.5, 4.0], [0.1, 3.0], [2.0, 2.0]];
    let starts = array![
        [false, false],
        [false, true],
        [true, false],
        [false, false],
        [false, true]
    ];
    let how = Cumprod::along(Axis(0));
    let whole = a.cumprod_with(how.segments(&starts));
    let mut parts = Vec::new();
    let mut carry: Option<ndarray::Array1<f64>> = None;
    for (x, s) in [(0..2, 0..2), (2..5, 2..5)] {
        let chunk = a.slice(ndarray::s![x, ..]);
        let flags = starts.slice(ndarray::s![s, ..]).to_owned();
        let part = match &carry {
            None => chunk.cumprod_with(how.segments(&flags)),
            Some(c) => chunk.cumprod_with(how.segments(&flags).carry(c)),
        };
        carry = Some(part.row(part.nrows() - 1).to_owned());
        parts.push(part);
    }
    let joined = ndarray::concatenate(Axis(0), &[parts[0].view(), parts[1].view()]).unwrap();
    assert_eq!(joined, whole);
}

/// Long lanes and rows, so that every path of the kernels runs: lanes side
/// by side in whole tiles and a ragged end, whole lanes staged together,
/// rows staged a piece at a time across piece boundaries.
fn long_case() -> impl Strategy<
    Value = (
        usize,
        Options,
        Extras,
        Layout,
        ArrayD<f64>,
        f64,
        ArrayD<f64>,
    ),
> {
    let shapes = if cfg!(miri) {
        vec![vec![2, 20], vec![20, 3]]
    } else {
        vec![
            vec![5, 1100],
            vec![1100, 3],
            vec![3, 37, 5],
            vec![9, 17],
            vec![2, 2100],
            vec![4, 2100],
            vec![4, 700, 2],
        ]
    };
    (
        proptest::sample::select(shapes),
        any::<prop::sample::Index>(),
    )
        .prop_flat_map(|(shape, axis)| {
            let ndim = shape.len();
            let axis = axis.index(ndim);
            let len: usize = shape.iter().product();
            let mut others = shape.clone();
            others.remove(axis);
            let lanes: usize = others.iter().product();
            let n = shape[axis];
            // Flags of the whole shape (broadcasting is covered above), so
            // that each lane has its own.
            let full = |p: f64| {
                let shape = shape.clone();
                vec(proptest::bool::weighted(p), len)
                    .prop_map(move |v| ArrayD::from_shape_vec(IxDyn(&shape), v).unwrap())
            };
            let extras = (
                proptest::option::of(full(0.9)),
                proptest::option::weighted(0.8, full(0.03)),
                proptest::option::weighted(0.2, vec(0usize..4, n)),
            )
                .prop_map(|(mask, starts, codes)| Extras {
                    mask,
                    starts,
                    codes,
                });
            (
                Just((shape, axis, others)),
                options(),
                extras,
                prop_oneof![Just(Layout::c(ndim)), Just(Layout::f(ndim))],
                vec(0.5..1.5f64, len),
                0.5..1.5f64,
                vec(0.5..1.5f64, lanes),
            )
        })
        .prop_map(|((shape, axis, others), o, e, layout, x, v, lanes)| {
            let x = ArrayD::from_shape_vec(IxDyn(&shape), x).unwrap();
            let lanes = ArrayD::from_shape_vec(IxDyn(&others), lanes).unwrap();
            (axis, o, e, layout, x, v, lanes)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 2 } else { 200 }))]

    #[test]
    fn long_lanes_match_the_reference((axis, o, e, layout, x, v, lanes) in long_case()) {
        if grouped_carry(&o, &e) {
            return Ok(());
        }
        let a = layout.build(&x, 7.0);
        let how = build(axis, &o, &e, &v, &lanes);
        let expected = reference(&x, axis, &o, &v, &lanes, &e, 0, |v: &f64| v.is_nan());
        prop_assert_eq!(keys(&a.cumprod_with(&how)), keys(&expected));
        let mut out = layout.build(&ArrayD::from_elem(expected.raw_dim(), 0.0), 5.0);
        a.cumprod_with_into(&how, &mut out).unwrap();
        prop_assert_eq!(keys(&out), keys(&expected));
        if o.output != 2 {
            let mut b = a.clone();
            b.cumprod_with_inplace(&how);
            prop_assert_eq!(keys(&b), keys(&expected));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 1 } else { 12 }))]

    /// The masked scan on every kernel of the plain scan: lanes side by side
    /// (long and short), single lanes, rows of every width, C and F order.
    #[test]
    fn masked_scans_run_every_plain_kernel(seed in any::<u64>()) {
        let shapes: Vec<Vec<usize>> = if cfg!(miri) {
            vec![vec![4, 20]]
        } else {
            vec![vec![4, 2100], vec![9, 300], vec![2100, 3], vec![300, 9], vec![5000], vec![3, 40, 7]]
        };
        let mut state = seed | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for shape in &shapes {
            let len: usize = shape.iter().product();
            let x: Vec<f64> = (0..len)
                .map(|_| match next() % 50 {
                    0 => f64::NAN,
                    r => 0.9 + (r as f64) / 250.0,
                })
                .collect();
            let x = ArrayD::from_shape_vec(IxDyn(shape), x).unwrap();
            let mask = x.mapv(|_| next() % 5 != 0);
            let e = Extras { mask: Some(mask.clone()), starts: None, codes: None };
            let o = Options { reverse: false, output: 0, initial: 0 };
            // Under Miri, C order only: the masked kernels are safe code, and
            // F order reaches the same loops with the axes swapped (this test
            // took a tenth of Miri's time in CI).
            let layouts = if cfg!(miri) {
                vec![Layout::c(shape.len())]
            } else {
                vec![Layout::c(shape.len()), Layout::f(shape.len())]
            };
            for layout in layouts {
                let a = layout.build(&x, 7.0);
                let m = layout.build(&mask, true);
                for axis in 0..shape.len() {
                    let how = Cumprod::along(Axis(axis)).mask(&m);
                    for rule in [0, 1] {
                        let expected = reference(&x, axis, &o, &1.0, &x, &e, rule, |v: &f64| v.is_nan());
                        let got = if rule == 0 { a.cumprod_with(how) } else { a.nancumprod_with(how) };
                        prop_assert_eq!(keys(&got), keys(&expected), "{:?} axis {} rule {}", shape, axis, rule);
                    }
                }
            }
        }
    }
}

/// A 2 x 2 matrix of integers modulo 2^64: cheap to copy, and its products
/// depend on their order and on every factor, so that a factor read from
/// the wrong lane or position shows.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Mat([u64; 4]);

impl std::ops::Mul for Mat {
    type Output = Mat;
    fn mul(self, r: Mat) -> Mat {
        let [a, b, c, d] = self.0;
        let [e, f, g, h] = r.0;
        let m = |x: u64, y: u64, z: u64, w: u64| x.wrapping_mul(y).wrapping_add(z.wrapping_mul(w));
        Mat([m(a, e, b, g), m(a, f, b, h), m(c, e, d, g), m(c, f, d, h)])
    }
}

impl One for Mat {
    fn one() -> Mat {
        Mat([1, 0, 0, 1])
    }
}

fn mat(i: usize) -> Mat {
    let i = i as u64;
    Mat([2 * i + 3, i % 5, i * 7 % 13, 1])
}

/// Lanes long enough for the kernels that scan several lanes side by side
/// and stage them a piece at a time (the random cases above have lanes of
/// at most 6), in C and F order, along every axis, with every option: each
/// form equals the reference loop.
#[test]
#[cfg_attr(
    miri,
    ignore = "arrays of thousands of elements, each form; minutes under Miri"
)]
fn long_and_many_lanes_match_the_reference() {
    for &(lanes, n) in &[(3, 16), (5, 17), (70, 40), (9, 300), (3, 2100)] {
        let x = ndarray::Array2::from_shape_fn((lanes, n), |(l, i)| mat(l * n + i)).into_dyn();
        let starts = x.mapv(|m| m.0[0] % 7 == 2);
        let mask = x.mapv(|m| m.0[1] != 3);
        for fortran in [false, true] {
            let x = if fortran {
                common::Layout::f(2).build(&x, Mat::one())
            } else {
                x.clone()
            };
            for axis in 0..2 {
                let others = x.shape()[1 - axis];
                let carry = ndarray::Array::from_shape_fn(others, |i| mat(1000 + i)).into_dyn();
                for (m, s) in [(false, true), (true, false), (true, true)] {
                    let e = Extras {
                        mask: m.then(|| mask.clone()),
                        starts: s.then(|| starts.clone()),
                        codes: None,
                    };
                    for reverse in [false, true] {
                        for output in 0..3 {
                            for initial in 0..3 {
                                let o = Options {
                                    reverse,
                                    output,
                                    initial,
                                };
                                let value = mat(77);
                                let how = build(axis, &o, &e, &value, &carry);
                                let expected =
                                    reference(&x, axis, &o, &value, &carry, &e, 0, |_| false);
                                let what = format!("{lanes} x {n} fortran {fortran} axis {axis} {o:?} mask {m} segments {s}");
                                assert_eq!(x.cumprod_with(&how), expected, "{what}");
                                let mut out = ArrayD::from_elem(expected.raw_dim(), Mat([9; 4]));
                                x.cumprod_with_into(&how, &mut out).unwrap();
                                assert_eq!(out, expected, "into, {what}");
                                if output != 2 {
                                    let mut b = x.clone();
                                    b.cumprod_with_inplace(&how);
                                    assert_eq!(b, expected, "in place, {what}");
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
