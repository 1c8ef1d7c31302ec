//! Grouped, segmented and masked scans against pandas (`groupby(...).cumprod()`,
//! by codes or by the running count of segment starts) and NumPy
//! (`nancumprod` per group, `cumprod` of `where(mask, x, 1)`), bit for bit,
//! on every layout and form: `tests/data/pandas_grouped.txt`, written by
//! `gen_pandas_grouped.py`.

use ndarray::{Array2, Axis, ShapeBuilder};
use ndarray_cumprod::{Cumprod, CumprodExt};

struct Case {
    name: String,
    integers: bool,
    rows: usize,
    cols: usize,
    codes: Vec<usize>,
    starts: Vec<bool>,
    mask: Vec<bool>,
    x: Vec<u64>,
    results: Vec<(String, Vec<u64>)>,
}

fn cases() -> Vec<Case> {
    let mut cases: Vec<Case> = Vec::new();
    for line in include_str!("../data/pandas_grouped.txt").lines() {
        let (word, rest) = line.split_once(' ').expect("a record");
        if word == "case" {
            let w: Vec<&str> = rest.split(' ').collect();
            cases.push(Case {
                name: w[0].into(),
                integers: w[1] == "i64",
                rows: w[2].parse().expect("rows"),
                cols: w[3].parse().expect("columns"),
                codes: Vec::new(),
                starts: Vec::new(),
                mask: Vec::new(),
                x: Vec::new(),
                results: Vec::new(),
            });
            continue;
        }
        let case = cases.last_mut().expect("a case");
        let values = |radix| -> Vec<u64> {
            rest.split(' ')
                .map(|v| {
                    if case.integers && word != "codes" {
                        v.parse::<i64>().expect("an integer") as u64
                    } else {
                        u64::from_str_radix(v, radix).expect("a number")
                    }
                })
                .collect()
        };
        match word {
            "codes" => case.codes = values(10).into_iter().map(|c| c as usize).collect(),
            "starts" => case.starts = rest.split(' ').map(|f| f == "1").collect(),
            "mask" => case.mask = rest.split(' ').map(|f| f == "1").collect(),
            "x" => case.x = values(16),
            rule => {
                let v = values(16);
                case.results.push((rule.into(), v));
            }
        }
    }
    cases
}

/// The table in C or F order, and its transpose (the scan then runs along
/// axis 1).
fn tables<T: Clone>(case: &Case, values: Vec<T>) -> Vec<(Array2<T>, Axis)> {
    let c = Array2::from_shape_vec((case.rows, case.cols), values).expect("the shape");
    let mut f = Array2::from_elem((case.rows, case.cols).f(), c[[0, 0]].clone());
    f.assign(&c);
    let t = c.t().to_owned();
    vec![(c, Axis(0)), (f, Axis(0)), (t, Axis(1))]
}

/// The result laid out as the input was (transposed back for axis 1).
fn row_major<T: Clone>(a: &Array2<T>, axis: Axis) -> Vec<T> {
    let a = if axis == Axis(1) { a.t() } else { a.view() };
    a.iter().cloned().collect()
}

#[test]
#[cfg_attr(miri, ignore = "thousands of rows")]
fn grouped_segmented_and_masked_scans_match_pandas_and_numpy_bit_for_bit() {
    let cases = cases();
    assert_eq!(cases.len(), 10);
    let mut checked = 0;
    for case in &cases {
        for (rule, expected) in &case.results {
            let what = format!("{} {rule}", case.name);
            if case.integers {
                for (a, axis) in tables(case, case.x.iter().map(|&v| v as i64).collect()) {
                    let how = Cumprod::along(axis).groups(&case.codes);
                    let how = if rule == "reverse" {
                        how.reverse()
                    } else {
                        how
                    };
                    let got = a.cumprod_with(how);
                    let got: Vec<u64> = row_major(&got, axis).iter().map(|&v| v as u64).collect();
                    assert_eq!(&got, expected, "{what}");
                    checked += 1;
                }
                continue;
            }
            // The flags: starts as a column (a row for the transposed table),
            // broadcast across the table; the mask in row-major order.
            let starts = Array2::from_shape_vec((case.rows, 1), case.starts.clone()).ok();
            let mask = Array2::from_shape_vec((case.rows, case.cols), case.mask.clone()).ok();
            for (a, axis) in tables(case, case.x.iter().map(|&b| f64::from_bits(b)).collect()) {
                let how = Cumprod::along(axis).groups(&case.codes);
                let flip = |f: &Array2<bool>| {
                    if axis == Axis(1) {
                        f.t().to_owned()
                    } else {
                        f.clone()
                    }
                };
                let starts = starts.as_ref().map(flip);
                let mask = mask.as_ref().map(flip);
                let plain = Cumprod::along(axis);
                let bits = |r: &Array2<f64>| -> Vec<u64> {
                    row_major(r, axis).iter().map(|v| v.to_bits()).collect()
                };
                let mut out = Array2::<f64>::zeros(a.raw_dim());
                let mut inplace = a.clone();
                let got = match rule.as_str() {
                    "skipna" | "reverse" => {
                        let how = if rule == "reverse" {
                            how.reverse()
                        } else {
                            how
                        }
                        .keep_nan();
                        a.nancumprod_with_into(how, &mut out).unwrap();
                        inplace.nancumprod_with_inplace(how);
                        a.nancumprod_with(how)
                    }
                    "noskip" => {
                        a.cumprod_with_into(how, &mut out).unwrap();
                        inplace.cumprod_with_inplace(how);
                        a.cumprod_with(how)
                    }
                    "asone" => {
                        a.nancumprod_with_into(how, &mut out).unwrap();
                        inplace.nancumprod_with_inplace(how);
                        a.nancumprod_with(how)
                    }
                    "segments" => {
                        let how = plain.segments(starts.as_ref().expect("starts"));
                        a.cumprod_with_into(how, &mut out).unwrap();
                        inplace.cumprod_with_inplace(how);
                        a.cumprod_with(how)
                    }
                    "masked" => {
                        let how = plain.mask(mask.as_ref().expect("a mask"));
                        a.cumprod_with_into(how, &mut out).unwrap();
                        inplace.cumprod_with_inplace(how);
                        a.cumprod_with(how)
                    }
                    other => panic!("unknown rule {other}"),
                };
                assert_eq!(&bits(&got), expected, "{what}");
                assert_eq!(&bits(&out), expected, "{what}, _into");
                assert_eq!(&bits(&inplace), expected, "{what}, in place");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 9 * 6 * 3 + 2 * 3);
}
