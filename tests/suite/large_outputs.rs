//! Outputs of 16 MiB or more, which the `_into` methods write with streaming
//! stores on x86-64 (rows of 1 KiB to 64 KiB, a few longer rows, rows of 2
//! to 8 elements, long lanes of floats, short lanes; plain, masked and
//! segmented scans), against
//! a plain loop over each lane, bit for bit, and with the elements around a
//! view into a larger array left as they were.
#![cfg(not(miri))]

use ndarray::{
    s, Array, Array1, Array2, ArrayD, ArrayView1, ArrayView2, Axis, IxDyn, ShapeBuilder,
};
use ndarray_cumprod::{Cumprod, CumprodExt};

/// The cumulative product of every lane of `a` along `axis`, by the
/// definition.
fn reference<T: Copy + std::ops::Mul<Output = T>>(a: ArrayView2<'_, T>, axis: Axis) -> Array2<T> {
    let mut out = a.to_owned();
    for mut lane in out.lanes_mut(axis) {
        let mut product: Option<T> = None;
        for x in lane.iter_mut() {
            let p = product.map_or(*x, |p| p * *x);
            *x = p;
            product = Some(p);
        }
    }
    out
}

/// 2 Mi elements of 8 bytes: 16 MiB, rows of 1,024 along axis 0 and lanes of
/// 1,024 along axis 1 (C order), or the reverse (F order).
const ROWS: usize = 2048;
const COLS: usize = 1024;

fn floats(f_order: bool) -> Array2<f64> {
    Array::from_shape_fn((ROWS, COLS).set_f(f_order), |(i, j)| {
        1.0 + ((i * 31 + j * 17) % 23) as f64 * 0.013 - if (i + j) % 97 == 0 { 0.5 } else { 0.0 }
    })
}

fn same_bits(a: &Array2<f64>, b: &Array2<f64>) -> bool {
    a.shape() == b.shape()
        && a.iter()
            .zip(b.iter())
            .all(|(x, y)| x.to_bits() == y.to_bits())
}

/// [`same_bits`] of `f32`.
fn same_bits_f32(a: &Array2<f32>, b: &Array2<f32>) -> bool {
    a.shape() == b.shape()
        && a.iter()
            .zip(b.iter())
            .all(|(x, y)| x.to_bits() == y.to_bits())
}

#[test]
fn large_float_outputs_match_the_reference_loop() {
    // The values do not depend on the memory order: one reference per axis
    // serves C order (rows along axis 0, lanes along axis 1) and F order
    // (the other way round).
    let c = floats(false);
    let f = floats(true);
    for axis in [Axis(0), Axis(1)] {
        let expected = reference(c.view(), axis);
        for a in [&c, &f] {
            let mut out = Array2::<f64>::zeros(a.dim().set_f(!a.is_standard_layout()));
            a.cumprod_axis_into(axis, &mut out).unwrap();
            assert!(same_bits(&out, &expected), "{:?}, {axis:?}", a.strides());
        }
    }
    // Lanes that are not a whole number of cache lines long (16 MiB in
    // lanes of 1,025 and 1,030 f64): their lines start at a different place
    // in each lane, and each lane's tiles are aligned to its own lines, and
    // moved to the same place in every lane's pages (their lengths are
    // within a line of 8 KiB). Then
    // shorter lanes that stream: 32 to 128 f64 (their next group read
    // ahead) and more than 256, whole lines or not, and the first steps of
    // four lanes side by side where they start at the same place in a
    // line; lanes of 97 to 127 and 129 to 256 are staged.
    let lanes = [(2048, 1025), (2040, 1030)]
        .into_iter()
        .chain([32, 64, 100, 128, 200, 256, 300, 384].map(|cols| ((2 << 20) / cols + 1, cols)));
    for (rows, cols) in lanes {
        assert!(rows * cols * 8 >= 16 << 20, "large enough to stream");
        let a = Array::from_shape_fn((rows, cols), |(i, j)| {
            1.0 + ((i * 13 + j * 7) % 19) as f64 * 0.011
        });
        let mut out = Array2::<f64>::zeros((rows, cols));
        a.cumprod_axis_into(Axis(1), &mut out).unwrap();
        assert!(
            same_bits(&out, &reference(a.view(), Axis(1))),
            "{rows} x {cols}"
        );
    }
    // NaN-skipping: the same kernels with a conversion.
    let mut with_nan = c.clone();
    with_nan[[5, 7]] = f64::NAN;
    let expected = reference(
        with_nan.mapv(|x| if x.is_nan() { 1.0 } else { x }).view(),
        Axis(0),
    );
    let mut out = Array2::<f64>::zeros((ROWS, COLS));
    with_nan.nancumprod_axis_into(Axis(0), &mut out).unwrap();
    assert!(same_bits(&out, &expected));
}

#[test]
fn few_long_rows_and_short_lanes_match_the_reference_loop() {
    // 4 rows of 524,288 (streamed a band of columns at a time), the same
    // array along its lanes of 4 (scanned a chunk of lanes at a time), and
    // as 256 rows of 8,192, the longest kept whole.
    let a = Array::from_shape_fn((4, 1 << 19), |(i, j)| {
        1.0 + ((i * 5 + j) % 29) as f64 * 0.021
    });
    let mut out = Array2::<f64>::zeros((4, 1 << 19));
    a.cumprod_axis_into(Axis(0), &mut out).unwrap();
    assert!(same_bits(&out, &reference(a.view(), Axis(0))));
    let t = a.t().as_standard_layout().into_owned();
    let mut out = Array2::<f64>::zeros((1 << 19, 4));
    t.cumprod_axis_into(Axis(1), &mut out).unwrap();
    assert!(same_bits(&out, &reference(t.view(), Axis(1))));
    // NaN-skipping short lanes, whose conversion (a select) is taken as each
    // pair is multiplied.
    let mut t_nan = t.clone();
    for i in (0..t_nan.nrows()).step_by(37) {
        t_nan[[i, i % 4]] = f64::NAN;
    }
    let ones = t_nan.mapv(|x| if x.is_nan() { 1.0 } else { x });
    t_nan.nancumprod_axis_into(Axis(1), &mut out).unwrap();
    assert!(same_bits(&out, &reference(ones.view(), Axis(1))));
    // f64 and i64.
    let wide = a.into_shape_with_order((256, 8192)).unwrap();
    let mut out = Array2::<f64>::zeros((256, 8192));
    wide.cumprod_axis_into(Axis(0), &mut out).unwrap();
    assert!(same_bits(&out, &reference(wide.view(), Axis(0))));
    let signs = wide.mapv(|x| if x < 1.2 { -1_i64 } else { 1 });
    let mut out = Array2::<i64>::zeros((256, 8192));
    signs.cumprod_axis_into(Axis(0), &mut out).unwrap();
    assert_eq!(out, reference(signs.view(), Axis(0)));
}

#[test]
fn large_integer_outputs_match_the_reference_loop() {
    // Products of -1, 0, 1 and 2 that stay in range; i32 into i64 converts
    // on the way. Rows, then lanes.
    let a = Array::from_shape_fn((ROWS, COLS), |(i, j)| match (i * 7 + j * 3) % 41 {
        0 => 2,
        1 if i % 2 == 0 => -1,
        5 => 0,
        _ => 1,
    });
    let expected = reference(a.view(), Axis(0));
    let mut out = Array2::<i64>::zeros((ROWS, COLS));
    a.cumprod_axis_into(Axis(0), &mut out).unwrap();
    assert_eq!(out, expected);
    out.fill(0);
    a.mapv(|x| x as i32)
        .cumprod_axis_into(Axis(0), &mut out)
        .unwrap();
    assert_eq!(out, expected, "i32 into i64");
    // Along the lanes of 1,024 (four at a time, in tiles of registers), and
    // of 1,025 (each lane's tiles from its own place in a cache line).
    let expected = reference(a.view(), Axis(1));
    out.fill(0);
    a.cumprod_axis_into(Axis(1), &mut out).unwrap();
    assert_eq!(out, expected, "lanes of 1,024");
    let odd = ndarray::concatenate(Axis(1), &[a.view(), a.slice(s![.., ..1])]).unwrap();
    let mut out = Array2::<i64>::zeros(odd.dim());
    odd.cumprod_axis_into(Axis(1), &mut out).unwrap();
    assert_eq!(out, reference(odd.view(), Axis(1)), "lanes of 1,025");
    let unsigned = a.mapv(|x: i64| x.unsigned_abs());
    let mut out = Array2::<u64>::zeros(unsigned.dim());
    unsigned.cumprod_axis_into(Axis(1), &mut out).unwrap();
    assert_eq!(out, reference(unsigned.view(), Axis(1)), "u64");
    // f32 (4-byte stores): 4 Mi elements, rows of 2,048.
    let a = Array::from_shape_fn((2048, 2048), |(i, j)| {
        1.0f32 + ((i + 3 * j) % 11) as f32 * 0.01
    });
    let expected = reference(a.view(), Axis(0));
    let mut out = Array2::<f32>::zeros((2048, 2048));
    a.cumprod_axis_into(Axis(0), &mut out).unwrap();
    assert!(same_bits_f32(&out, &expected));
}

/// The reverse scan of every lane of `a` along `axis` by the definition:
/// each element times the product of those after it.
fn reverse_reference<T: Copy + std::ops::Mul<Output = T>>(
    a: ArrayView2<'_, T>,
    axis: Axis,
) -> Array2<T> {
    let mut out = a.to_owned();
    for mut lane in out.lanes_mut(axis) {
        let mut product: Option<T> = None;
        for x in lane.iter_mut().rev() {
            let p = product.map_or(*x, |p| *x * p);
            *x = p;
            product = Some(p);
        }
    }
    out
}

#[test]
fn large_reverse_scans_match_the_reference_loop() {
    // Rows of 1,024 (C order, axis 0) and of 2,048 (F order, axis 1),
    // streamed from the last row to the first, and contiguous lanes of
    // 1,024 (C order, axis 1) and 2,048 (F order, axis 0), streamed from
    // the end of each lane; f64 bit for bit.
    for f_order in [false, true] {
        let a = floats(f_order);
        for axis in [Axis(0), Axis(1)] {
            let mut out = Array2::<f64>::zeros(a.raw_dim());
            a.cumprod_with_into(Cumprod::along(axis).reverse(), &mut out)
                .unwrap();
            assert!(
                same_bits(&out, &reverse_reference(a.view(), axis)),
                "F order {f_order}, {axis:?}"
            );
        }
    }
    // Lanes of 1,025, each ending at another place in a cache line.
    let odd = Array::from_shape_fn((2048, 1025), |(i, j)| {
        1.0 + ((i * 13 + j * 7) % 19) as f64 * 0.011
    });
    let mut out = Array2::<f64>::zeros(odd.raw_dim());
    odd.cumprod_with_into(Cumprod::along(Axis(1)).reverse(), &mut out)
        .unwrap();
    assert!(same_bits(&out, &reverse_reference(odd.view(), Axis(1))));
    // Short lanes: 64 f64 (whole cache lines), 40 i64 (five lines and a
    // half, one lane after the last group of four), each group scanned in a
    // buffer in cache and asking for the next one's input first.
    let short = Array::from_shape_fn((32768, 64), |(i, j)| {
        1.0 + ((i * 5 + j * 3) % 29) as f64 * 0.021
    });
    let mut out = Array2::<f64>::zeros(short.raw_dim());
    short
        .cumprod_with_into(Cumprod::along(Axis(1)).reverse(), &mut out)
        .unwrap();
    assert!(same_bits(&out, &reverse_reference(short.view(), Axis(1))));
    let short = Array::from_shape_fn((52429, 40), |(i, j)| [2i64, -1, 1, 3][(i + j) % 4]);
    let mut out = Array2::<i64>::zeros(short.raw_dim());
    short
        .cumprod_with_into(Cumprod::along(Axis(1)).reverse(), &mut out)
        .unwrap();
    assert_eq!(out, reverse_reference(short.view(), Axis(1)));
    // f32 lanes of 33 (132 bytes), three after the last group of four.
    let short = Array::from_shape_fn((127_103, 33), |(i, j)| {
        1.0 + ((i * 7 + j * 5) % 23) as f32 * 0.013
    });
    let mut out = Array2::<f32>::zeros(short.raw_dim());
    short
        .cumprod_with_into(Cumprod::along(Axis(1)).reverse(), &mut out)
        .unwrap();
    assert!(
        out == reverse_reference(short.view(), Axis(1)),
        "f32 lanes of 33"
    );
    // i64 rows and lanes, u64 lanes of 1,025.
    let a = Array::from_shape_fn((ROWS, COLS), |(i, j)| {
        [2i64, -1, 1, 1, 0, 1, 1][(i * 3 + j) % 7] + (i % 600 == 0) as i64
    });
    for axis in [Axis(0), Axis(1)] {
        let mut out = Array2::<i64>::zeros(a.raw_dim());
        a.cumprod_with_into(Cumprod::along(axis).reverse(), &mut out)
            .unwrap();
        assert_eq!(out, reverse_reference(a.view(), axis), "{axis:?}");
    }
    // At most a dozen factors above one in a lane: no product overflows.
    let u = Array::from_shape_fn((2048, 1025), |(i, j)| match ((i + j) % 101, j % 211) {
        (0, _) => 3u64,
        (_, 5) => 2,
        _ => 1,
    });
    let mut out = Array2::<u64>::zeros(u.raw_dim());
    u.cumprod_with_into(Cumprod::along(Axis(1)).reverse(), &mut out)
        .unwrap();
    assert_eq!(out, reverse_reference(u.view(), Axis(1)));
}

#[test]
fn a_view_into_a_larger_output_keeps_the_rest() {
    // The output is a contiguous block inside a larger array: the rows
    // around it keep their values.
    let a = floats(false);
    let mut big = Array2::<f64>::from_elem((ROWS + 2, COLS), -3.0);
    a.cumprod_axis_into(Axis(0), &mut big.slice_mut(s![1..ROWS + 1, ..]))
        .unwrap();
    assert!(big.row(0).iter().all(|&x| x == -3.0));
    assert!(big.row(ROWS + 1).iter().all(|&x| x == -3.0));
    let inside = big.slice(s![1..ROWS + 1, ..]).to_owned();
    assert!(same_bits(&inside, &reference(a.view(), Axis(0))));
}

/// The masked and segmented scan of every lane of `a` along `axis`, by the
/// definition: an element whose flag in `mask` is false counts as one, and
/// one whose flag in `starts` is true starts a new product.
fn flagged_reference(
    a: ArrayView2<'_, f64>,
    axis: Axis,
    mask: Option<&Array2<bool>>,
    starts: Option<&Array2<bool>>,
) -> Array2<f64> {
    let mut out = a.to_owned();
    if let Some(mask) = mask {
        out.zip_mut_with(mask, |x, &m| {
            if !m {
                *x = 1.0;
            }
        });
    }
    let starts = starts
        .cloned()
        .unwrap_or_else(|| Array2::from_elem(a.dim(), false));
    for (mut lane, flags) in out.lanes_mut(axis).into_iter().zip(starts.lanes(axis)) {
        let mut product: Option<f64> = None;
        for (x, &start) in lane.iter_mut().zip(flags) {
            let p = match product {
                Some(p) if !start => p * *x,
                _ => *x,
            };
            *x = p;
            product = Some(p);
        }
    }
    out
}

#[test]
fn masked_and_segmented_large_outputs_match_the_reference_loop() {
    // Rows of 1,024 (streamed), lanes of 1,024 (streamed a tile at a time),
    // lanes of 64 and of 4 (streamed a group and a chunk at a time) and one
    // long lane, with a mask, segments and both.
    let wide = floats(false);
    let tall = Array::from_shape_fn((1 << 19, 4), |(i, j)| {
        1.0 + ((i * 3 + j * 7) % 19) as f64 * 0.017
    });
    let short = Array::from_shape_fn((1 << 15, 64), |(i, j)| {
        1.0 + ((i * 3 + j * 5) % 17) as f64 * 0.021
    });
    let flags = |a: &Array2<f64>| {
        (
            Array2::from_shape_fn(a.dim(), |(i, j)| (i * 5 + j * 3) % 7 != 3),
            // Starts here and there, and every 97th row (or lane) starts
            // whole, as a new day would.
            Array2::from_shape_fn(a.dim(), |(i, j)| (i * 11 + j) % 13 == 4 || i % 97 == 5),
        )
    };
    // One lane of 2 Mi and a few, not a whole number of chunks: a mask alone
    // staged and multiplied a chunk at a time in cache and streamed out;
    // segments through the kernels of segmented scans.
    let column = Array::from_shape_fn(((1 << 21) + 77, 1), |(i, _)| {
        1.0 + ((i * 5) % 23) as f64 * 0.013
    });
    for (a, axis) in [
        (&wide, Axis(0)),
        (&wide, Axis(1)),
        (&tall, Axis(1)),
        (&short, Axis(1)),
        (&column, Axis(0)),
    ] {
        let (mask, starts) = flags(a);
        let both = (Some(&mask), Some(&starts));
        // Each kind of flags alone, and both: along the lanes of 1,024 and
        // 64, four at a time in tiles of registers (a mask alone selected
        // with AVX2 where the processor has it, else by the plain
        // kernels), along the short lanes in pairs of registers.
        let cases = vec![(Some(&mask), None), (None, Some(&starts)), both];
        for (m, st) in cases {
            let along = Cumprod::along(axis);
            let how = match (m, st) {
                (Some(m), None) => along.mask(m),
                (None, Some(st)) => along.segments(st),
                (Some(m), Some(st)) => along.mask(m).segments(st),
                (None, None) => unreachable!("every case has flags"),
            };
            let mut out = Array2::<f64>::zeros(a.dim());
            a.cumprod_with_into(how, &mut out).unwrap();
            let expected = flagged_reference(a.view(), axis, m, st);
            assert!(
                same_bits(&out, &expected),
                "{:?} {axis:?} mask {} starts {}",
                a.dim(),
                m.is_some(),
                st.is_some()
            );
        }
    }
    // The masked long lane of i64, and of f64 into a view one element past
    // the start of a larger array (not aligned to 16 bytes).
    let (mask, _) = flags(&column);
    let signs = column.mapv(|x| if x < 1.1 { -1_i64 } else { 1 });
    let mut out = Array2::<i64>::zeros(signs.dim());
    signs
        .cumprod_with_into(Cumprod::along(Axis(0)).mask(&mask), &mut out)
        .unwrap();
    let mut product = 1;
    for ((y, &x), &m) in out.iter().zip(&signs).zip(&mask) {
        product *= if m { x } else { 1 };
        assert_eq!(*y, product);
    }
    let len = column.len();
    let mut larger = Array2::<f64>::from_elem((len + 2, 1), 7.5);
    column
        .cumprod_with_into(
            Cumprod::along(Axis(0)).mask(&mask),
            &mut larger.slice_mut(s![1..len + 1, ..]),
        )
        .unwrap();
    let expected = flagged_reference(column.view(), Axis(0), Some(&mask), None);
    assert!(same_bits(
        &larger.slice(s![1..len + 1, ..]).to_owned(),
        &expected
    ));
    assert_eq!((larger[[0, 0]], larger[[len + 1, 0]]), (7.5, 7.5));

    // Flags that broadcast: one row of starts for every row of the array.
    let a = &wide;
    let every = Array::from_shape_fn(COLS, |j| j % 5 == 1);
    let mut out = Array2::<f64>::zeros(a.dim());
    a.cumprod_with_into(Cumprod::along(Axis(1)).segments(&every), &mut out)
        .unwrap();
    let full = every.broadcast(a.dim()).unwrap().to_owned();
    assert!(same_bits(
        &out,
        &flagged_reference(a.view(), Axis(1), None, Some(&full))
    ));
}

/// `cumprod_flat_into` of a 16 MiB array in F order whose output rows are
/// longer than 4,096 elements and whose columns are at least a page long:
/// transposed whole (read a run of whole columns at a time), then scanned.
/// 512 x 4104 leaves columns past the last run of 32 and 4104 is even, so
/// the rows of the output are 16-byte aligned in a vector (streaming
/// stores) and not in a view one element past the start of a larger one
/// (plain stores); f64 bit for bit, and i64.
#[test]
fn long_flat_rows_over_f_order_match_the_reference_loop() {
    const TALL: usize = 512;
    const WIDE: usize = 4104;
    let values: Vec<f64> = (0..TALL * WIDE)
        .map(|m| 1.0 + ((m * 37 % 23) as f64 - 11.0) * 1.0e-6)
        .collect();
    let f = Array2::from_shape_vec((TALL, WIDE).f(), values).unwrap();
    let mut expected: Vec<f64> = Vec::with_capacity(f.len());
    for &x in f.iter() {
        expected.push(expected.last().map_or(x, |&p| p * x));
    }
    let same = |out: ArrayView1<'_, f64>| {
        out.iter()
            .zip(&expected)
            .position(|(x, y)| x.to_bits() != y.to_bits())
    };
    let mut out = Array1::<f64>::zeros(f.len());
    f.cumprod_flat_into(&mut out).unwrap();
    assert_eq!(same(out.view()), None, "into a vector");
    let len = f.len();
    let mut larger = Array1::<f64>::from_elem(len + 2, 7.5);
    f.cumprod_flat_into(&mut larger.slice_mut(s![1..len + 1]))
        .unwrap();
    assert_eq!(same(larger.slice(s![1..len + 1])), None, "into a view");
    assert_eq!((larger[0], larger[len + 1]), (7.5, 7.5));

    let signs = f.mapv(|x| if x < 1.0 { -1_i64 } else { 1 });
    let mut expected: Vec<i64> = Vec::with_capacity(len);
    for &x in signs.iter() {
        expected.push(expected.last().map_or(x, |&p| p * x));
    }
    let mut out = Array1::<i64>::zeros(len);
    signs.cumprod_flat_into(&mut out).unwrap();
    assert!(out.iter().eq(expected.iter()), "i64");
}

/// `cumprod_flat_into` of 16 MiB arrays in F order, whose logical order is a
/// transposition of memory order: output rows of 1,024 and 2,048 elements
/// (staged a band at a time and streamed out), and a 3-D array and four long
/// rows (transposed with streaming stores, then scanned); f64 bit for bit
/// into a vector and into a view one element past the start of a larger one
/// (not aligned to 16 bytes), and i64 on a banded and a 3-D array.
#[test]
fn large_flat_outputs_over_f_order_match_the_reference_loop() {
    fn running<T: Copy + std::ops::Mul<Output = T>>(values: impl Iterator<Item = T>) -> Vec<T> {
        let mut out: Vec<T> = Vec::new();
        for x in values {
            out.push(out.last().map_or(x, |&p| p * x));
        }
        out
    }
    fn first_wrong(out: ArrayView1<'_, f64>, expected: &[f64]) -> Option<usize> {
        out.iter()
            .zip(expected)
            .position(|(x, y)| x.to_bits() != y.to_bits())
    }
    // Factors within a few millionths of one: two million of them keep the
    // product finite and far from zero, so that every position can show a
    // wrong factor (`floats` would overflow to infinity within a row).
    let values: Vec<f64> = (0..ROWS * COLS)
        .map(|m| 1.0 + ((m * 37 % 23) as f64 - 11.0) * 1.0e-6)
        .collect();
    for shape in [
        &[ROWS, COLS][..],
        &[COLS, ROWS],
        &[16, 128, COLS],
        &[4, ROWS * COLS / 4],
    ] {
        let f = ArrayD::from_shape_vec(IxDyn(shape).f(), values.clone()).unwrap();
        let len = f.len();
        let expected = running(f.iter().copied());
        let last = expected[len - 1];
        assert!(last > 0.5 && last < 2.0, "{last}");
        let mut out = Array1::<f64>::zeros(len);
        f.cumprod_flat_into(&mut out).unwrap();
        assert_eq!(first_wrong(out.view(), &expected), None, "f64 {shape:?}");
        let mut larger = Array1::<f64>::from_elem(len + 2, 7.5);
        f.cumprod_flat_into(&mut larger.slice_mut(s![1..len + 1]))
            .unwrap();
        assert_eq!(
            first_wrong(larger.slice(s![1..len + 1]), &expected),
            None,
            "f64 {shape:?} into a view"
        );
        assert_eq!((larger[0], larger[len + 1]), (7.5, 7.5));

        if shape.len() != 3 && shape[1] != COLS {
            // The i64 scan takes the same paths as the f64 one; two shapes
            // suffice (each 2 Mi elements takes seconds in a debug build).
            continue;
        }
        let signs = f.mapv(|x| if x < 1.0 { -1_i64 } else { 1 });
        let expected = running(signs.iter().copied());
        let mut out = Array1::<i64>::zeros(len);
        signs.cumprod_flat_into(&mut out).unwrap();
        assert!(out.iter().eq(expected.iter()), "i64 {shape:?}");
    }
}

/// Grouped scans into a large output, written with streaming stores:
/// pandas' NaN rule (a NaN stays in the output and its group's product goes
/// on past it) and NumPy's (a NaN counts as one), rows of 8, of 2 and of 1
/// element, and a 1-D array (`cols` 0), with groups that first appear in the
/// second half (once every earlier group has started), against a loop over
/// the rows with a table of products.
#[test]
fn grouped_large_outputs_match_the_reference_loop() {
    for (rows, cols) in [(1 << 18, 8), (1 << 20, 2), (1 << 21, 1), (1 << 21, 0)] {
        let width = cols.max(1);
        let a = Array::from_shape_fn((rows, width), |(i, j)| {
            if (i * 7 + j * 3) % 89 == 5 {
                f64::NAN
            } else {
                1.0 + ((i * 31 + j * 17) % 23) as f64 * 1e-4
            }
        });
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let codes: Vec<usize> = (0..rows)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                if i > rows / 2 && state % 1000 == 7 {
                    100 + (state >> 40) as usize % 3
                } else {
                    (state % 100) as usize
                }
            })
            .collect();
        for keep_nan in [true, false] {
            // The reference: a table of running products, one per group and
            // column; a group's first product is its first factor.
            let mut table: Vec<Option<f64>> = vec![None; 103 * width];
            let mut expected = a.clone();
            // Row-major: element `[i, j]` at `i * width + j`.
            let (x, e) = (
                a.as_slice().expect("a new array"),
                expected.as_slice_mut().expect("a new array"),
            );
            for (i, &g) in codes.iter().enumerate() {
                for j in 0..width {
                    let x = x[i * width + j];
                    if keep_nan && x.is_nan() {
                        continue;
                    }
                    let f = if x.is_nan() { 1.0 } else { x };
                    let p = table[g * width + j].map_or(f, |p| p * f);
                    table[g * width + j] = Some(p);
                    e[i * width + j] = p;
                }
            }
            let how = Cumprod::along(Axis(0)).groups(&codes);
            let how = if keep_nan { how.keep_nan() } else { how };
            let what = format!("{rows} x {cols}, keep_nan {keep_nan}");
            if cols == 0 {
                let (a, expected) = (a.column(0), expected.column(0));
                let mut out = Array1::<f64>::zeros(rows);
                a.nancumprod_with_into(how, &mut out).unwrap();
                let same = |got: &Array1<f64>| {
                    got.iter()
                        .zip(&expected)
                        .all(|(x, y)| x.to_bits() == y.to_bits())
                };
                assert!(same(&out), "{what}: into");
                assert!(same(&a.nancumprod_with(how)), "{what}: allocating");
                continue;
            }
            let mut out = Array2::<f64>::zeros((rows, cols));
            a.nancumprod_with_into(how, &mut out).unwrap();
            assert!(same_bits(&out, &expected), "{what}: into");
            assert!(
                same_bits(&a.nancumprod_with(how), &expected),
                "{what}: allocating"
            );
        }
    }
}

/// `f64` scanned into `Scaled<f64>` (16 bytes an element) along rows of
/// 1,024, 16 MiB of output, streamed from the registers that multiply them,
/// and along contiguous lanes of 1,024, four side by side,
/// against the plain loop of `Scaled` products, with factors that take
/// products out of range, subnormals, zeros, infinities and NaN; and into a
/// view of a wider array, whose other column is left as it was.
#[test]
fn large_scaled_outputs_match_the_reference_loop() {
    use ndarray_cumprod::Scaled;
    let (rows, cols) = (1024, 1024);
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let a = Array2::from_shape_fn((rows, cols), |_| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        match state % 1009 {
            0 => 0.0,
            1 => f64::NAN,
            2 => f64::NEG_INFINITY,
            3 => f64::MIN_POSITIVE / 5.0,
            4..=9 => 1e300,
            10..=15 => 1e-300,
            _ => 0.25 + (state >> 40) as f64 / (1u64 << 23) as f64,
        }
    });
    for axis in [Axis(0), Axis(1)] {
        let expected = reference(a.mapv(Scaled::from).view(), axis);
        let same = |got: &ArrayView2<'_, Scaled<f64>>| {
            got.iter().zip(&expected).all(|(g, e)| {
                (g.mantissa().is_nan() && e.mantissa().is_nan())
                    || (g.mantissa().to_bits() == e.mantissa().to_bits()
                        && g.exponent() == e.exponent())
            })
        };
        let mut out = Array2::from_elem((rows, cols), Scaled::from(3.0));
        a.cumprod_axis_into(axis, &mut out).unwrap();
        assert!(same(&out.view()), "{axis:?}");
        let mut wide = Array2::from_elem((rows, cols + 1), Scaled::from(3.0));
        a.cumprod_axis_into(axis, &mut wide.slice_mut(s![.., 1..]))
            .unwrap();
        assert!(same(&wide.slice(s![.., 1..])), "{axis:?}");
        assert!(wide.column(0).iter().all(|v| v.to_float() == 3.0));
    }
}

/// `i64` rows whose running products reach past 2^62 without overflowing
/// (38 factors of ±3 and one of 4 in each column): the rows multiplied
/// eight at a time with AVX-512 where the processor has it, a group whose
/// products may overflow one at a time, against the plain loop; streamed
/// into a large output, written into a small one and in place.
#[test]
fn integer_rows_near_overflow_match_the_reference_loop() {
    let factor = |(i, j): (usize, usize)| -> i64 {
        if i < 114 && (i + j) % 3 == 0 {
            if (i / 3 + j) % 2 == 0 {
                -3
            } else {
                3
            }
        } else if i == 120 {
            4
        } else {
            1
        }
    };
    for (rows, cols) in [(2048, 1024), (130, 100)] {
        let a = Array2::from_shape_fn((rows, cols), factor);
        let expected = reference(a.view(), Axis(0));
        assert!(expected.iter().any(|&p| p.unsigned_abs() > 1 << 62));
        let mut out = Array2::<i64>::zeros((rows, cols));
        a.cumprod_axis_into(Axis(0), &mut out).unwrap();
        assert_eq!(out, expected, "{rows} x {cols} into");
        let mut inplace = a.clone();
        inplace.cumprod_axis_inplace(Axis(0));
        assert_eq!(inplace, expected, "{rows} x {cols} in place");
        assert_eq!(a.cumprod_axis(Axis(0)), expected, "{rows} x {cols}");
    }
}

/// Scans `a` along axis 1 into the rows after the first of an array one row
/// longer, filled with `fill` (an output that starts off a 16-byte boundary
/// where a row's bytes are not a multiple of 16), and checks that the
/// first row is kept and the others are the reference's.
fn into_rows_after_the_first<T>(a: &Array2<T>, fill: T, case: &str)
where
    T: Copy + std::ops::Mul<Output = T> + PartialEq + std::fmt::Debug,
{
    let mut whole = Array2::from_elem((a.nrows() + 1, a.ncols()), fill);
    a.cumprod_axis_into(Axis(1), &mut whole.slice_mut(s![1.., ..]))
        .unwrap();
    assert!(whole.row(0).iter().all(|&x| x == fill), "{case}: row 0");
    assert_eq!(
        whole.slice(s![1.., ..]),
        reference(a.view(), Axis(1)),
        "{case}"
    );
}

#[test]
fn lanes_of_integers_and_f32_match_the_reference_loop() {
    // i64 lanes of more than 2 KiB stream (300, a line and a half past a
    // whole number of lines); those of 16 to 256 are scanned four at a time
    // in a buffer and streamed out from there, with a lane left over (the
    // number of rows is odd).
    let sign = |i: usize, j: usize| [2i64, -1, 1, 1, 0, 1, 3][(i + j) % 7];
    for cols in [16, 128, 256, 300] {
        let rows = (2 << 20) / cols + 1;
        let a = Array::from_shape_fn((rows, cols), |(i, j)| sign(i, j));
        let mut out = Array2::<i64>::zeros((rows, cols));
        a.cumprod_axis_into(Axis(1), &mut out).unwrap();
        assert_eq!(out, reference(a.view(), Axis(1)), "{rows} x {cols}");
    }
    // Into the rows after the first of a larger array, lanes of 17: the
    // output starts off a 16-byte boundary, and the row before is kept.
    let a = Array::from_shape_fn(((2 << 20) / 17 + 1, 17), |(i, j)| sign(i, j));
    into_rows_after_the_first(&a, 42, "i64 lanes of 17");
    // i32 into i64 (converted into the buffer), and u32 (4-byte stores).
    let a = Array::from_shape_fn(((2 << 20) / 48 + 1, 48), |(i, j)| sign(i, j) as i32);
    let mut out = Array2::<i64>::zeros(a.dim());
    a.cumprod_axis_into(Axis(1), &mut out).unwrap();
    assert_eq!(
        out,
        reference(a.mapv(i64::from).view(), Axis(1)),
        "i32 into i64"
    );
    let a = Array::from_shape_fn(((4 << 20) / 64 + 1, 64), |(i, j)| {
        sign(i, j).unsigned_abs() as u32
    });
    let mut out = Array2::<u32>::zeros(a.dim());
    a.cumprod_axis_into(Axis(1), &mut out).unwrap();
    assert_eq!(out, reference(a.view(), Axis(1)), "u32");
    // f32 lanes are never streamed in tiles (half a cache line each).
    let a = Array::from_shape_fn((2048, 2048), |(i, j)| {
        1.0 + ((i * 13 + j * 7) % 19) as f32 * 0.011
    });
    let mut out = Array2::<f32>::zeros((2048, 2048));
    a.cumprod_axis_into(Axis(1), &mut out).unwrap();
    let expected = reference(a.view(), Axis(1));
    assert!(same_bits_f32(&out, &expected));
    // Lanes of 2 to 8 elements of 4 bytes: the factors of a chunk of lanes
    // first, then each lane scanned in a loop of its length (i32 lanes of 3,
    // u32 lanes of 7 off a 16-byte boundary, NaN-skipping f32 lanes of 5).
    let a = Array::from_shape_fn(((4 << 20) / 3 + 1, 3), |(i, j)| sign(i, j) as i32);
    let mut out = Array2::<i32>::zeros(a.dim());
    a.cumprod_axis_into(Axis(1), &mut out).unwrap();
    assert_eq!(out, reference(a.view(), Axis(1)), "i32 lanes of 3");
    let a = Array::from_shape_fn(((4 << 20) / 7 + 1, 7), |(i, j)| {
        sign(i, j).unsigned_abs() as u32
    });
    into_rows_after_the_first(&a, 42, "u32 lanes of 7");
    let mut a = Array::from_shape_fn(((4 << 20) / 5 + 1, 5), |(i, j)| {
        1.0 + ((i * 13 + j * 7) % 19) as f32 * 0.011
    });
    for i in (0..a.nrows()).step_by(29) {
        a[[i, i % 5]] = f32::NAN;
    }
    let ones = a.mapv(|x| if x.is_nan() { 1.0 } else { x });
    let mut out = Array2::<f32>::zeros(a.dim());
    a.nancumprod_axis_into(Axis(1), &mut out).unwrap();
    let expected = reference(ones.view(), Axis(1));
    assert!(
        same_bits_f32(&out, &expected),
        "NaN-skipping f32 lanes of 5"
    );
}

#[test]
fn short_lanes_of_eight_byte_elements_match_the_reference_loop() {
    // Lanes of 2 to 8 elements of f64 and i64 that do not stream in pairs
    // (odd lanes, or even lanes off a 16-byte boundary) are scanned a chunk
    // of lanes at a time, each lane in a loop of its length: f64 lanes of 3,
    // NaN-skipping f64 lanes of 5, i64 lanes of 7, f64 lanes of 5 into the
    // rows after the first of a larger array (off a 16-byte boundary), and
    // masked f64 lanes of 3 and 7 (the factors of a chunk selected first).
    let a = short_rows(3);
    let mut out = Array2::<f64>::zeros(a.dim());
    a.cumprod_axis_into(Axis(1), &mut out).unwrap();
    assert!(
        same_bits(&out, &reference(a.view(), Axis(1))),
        "f64 lanes of 3"
    );
    let with_nan = with_nan_lanes_of_5();
    let mut out = Array2::<f64>::zeros(with_nan.dim());
    with_nan.nancumprod_axis_into(Axis(1), &mut out).unwrap();
    let ones = with_nan.mapv(|x| if x.is_nan() { 1.0 } else { x });
    assert!(
        same_bits(&out, &reference(ones.view(), Axis(1))),
        "NaN-skipping f64 lanes of 5"
    );
    let sign = |i: usize, j: usize| [2i64, -1, 1, 1, 0, 1, 3, -1][(i * 3 + j) % 8];
    let ints = Array::from_shape_fn(((2 << 20) / 7 + 1, 7), |(i, j)| sign(i, j));
    let mut out = Array2::<i64>::zeros(ints.dim());
    ints.cumprod_axis_into(Axis(1), &mut out).unwrap();
    assert_eq!(out, reference(ints.view(), Axis(1)), "i64 lanes of 7");
    let fives = short_rows(5);
    let mut whole = Array2::from_elem((fives.nrows() + 1, 5), 42.0);
    fives
        .cumprod_axis_into(Axis(1), &mut whole.slice_mut(s![1.., ..]))
        .unwrap();
    assert!(whole.row(0).iter().all(|&x| x == 42.0));
    assert!(
        same_bits(
            &whole.slice(s![1.., ..]).to_owned(),
            &reference(fives.view(), Axis(1))
        ),
        "f64 lanes of 5 off a 16-byte boundary"
    );
    for cols in [3, 7] {
        let a = short_rows(cols);
        let mask = Array2::from_shape_fn(a.dim(), |(i, j)| (i * 5 + j * 3) % 7 != 3);
        let mut out = Array2::<f64>::zeros(a.dim());
        a.cumprod_with_into(Cumprod::along(Axis(1)).mask(&mask), &mut out)
            .unwrap();
        let expected = flagged_reference(a.view(), Axis(1), Some(&mask), None);
        assert!(same_bits(&out, &expected), "masked f64 lanes of {cols}");
    }
}

#[test]
fn reverse_rows_of_two_to_eight_of_integers_match_the_reference_loop() {
    // Integer rows of 2 to 8 elements are scanned in reverse through a
    // buffer of 256 elements and streamed out, from the end of each block:
    // 3 blocks of 174,763 rows of 4 (a block starts inside a buffer), i32
    // into i64 rows of 3 into rows 1.. of a larger array (off a 16-byte
    // boundary, the rows around it kept), u32 rows of 8.
    // Signs without a pattern, so that a row scanned wrongly shows, a few
    // factors of 2 in each lane and a zero near the start of one.
    let sign = |i: usize, j: usize| {
        let bits = (i as u64 * 4 + j as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 61;
        match (i % 40_000 == 7, i == 3 && j == 1, bits % 2) {
            (true, _, _) => 2_i64,
            (_, true, _) => 0,
            (_, _, 0) => -1,
            _ => 1,
        }
    };
    let reverse = Cumprod::along(Axis(1)).reverse();
    let blocks = Array::from_shape_fn((3, 174_763, 4), |(b, i, j)| sign(i + b, j));
    assert!(blocks.len() * 8 >= 16 << 20, "large enough to stream");
    let mut out = Array::<i64, _>::zeros(blocks.raw_dim());
    blocks.cumprod_with_into(reverse, &mut out).unwrap();
    for b in 0..3 {
        let expected = reverse_reference(blocks.index_axis(Axis(0), b), Axis(0));
        assert_eq!(out.index_axis(Axis(0), b), expected, "block {b}");
    }

    let rows = (2 << 20) / 3 + 1;
    let a = Array::from_shape_fn((rows, 3), |(i, j)| sign(i, j) as i32);
    let mut big = Array2::<i64>::from_elem((rows + 2, 3), -3);
    let reverse = Cumprod::along(Axis(0)).reverse();
    a.cumprod_with_into(reverse, &mut big.slice_mut(s![1..rows + 1, ..]))
        .unwrap();
    assert!(big.row(0).iter().chain(big.row(rows + 1)).all(|&x| x == -3));
    let expected = reverse_reference(a.mapv(i64::from).view(), Axis(0));
    assert_eq!(
        big.slice(s![1..rows + 1, ..]),
        expected,
        "i32 into i64 rows of 3"
    );

    // At most 14 factors of 2 in a lane.
    let u = Array::from_shape_fn(((4 << 20) / 8 + 1, 8), |(i, j)| {
        sign(i, j).unsigned_abs() as u32
    });
    let mut out = Array2::<u32>::zeros(u.dim());
    u.cumprod_with_into(reverse, &mut out).unwrap();
    assert_eq!(out, reverse_reference(u.view(), Axis(0)), "u32 rows of 8");
}

#[test]
fn reverse_lanes_of_two_to_eight_match_the_reference_loop() {
    // Contiguous lanes of 2 to 8 elements are scanned in reverse through a
    // buffer of 256 elements and streamed out: f64 lanes of 3 (the buffer
    // holds 85 whole lanes), NaN-skipping f64 lanes of 5, i64 lanes of 4
    // from an initial value, i32 into i64 lanes of 7 into rows 1.. of a
    // larger array (off a 16-byte boundary, the rows around it kept), f32
    // lanes of 8.
    let reverse = Cumprod::along(Axis(1)).reverse();
    let a = short_rows(3);
    let mut out = Array2::<f64>::zeros(a.dim());
    a.cumprod_with_into(reverse, &mut out).unwrap();
    assert!(
        same_bits(&out, &reverse_reference(a.view(), Axis(1))),
        "lanes of 3"
    );

    let with_nan = with_nan_lanes_of_5();
    let mut out = Array2::<f64>::zeros(with_nan.dim());
    with_nan.nancumprod_with_into(reverse, &mut out).unwrap();
    let ones = with_nan.mapv(|x| if x.is_nan() { 1.0 } else { x });
    assert!(
        same_bits(&out, &reverse_reference(ones.view(), Axis(1))),
        "NaN-skipping lanes of 5"
    );

    // Signs without a pattern, a few factors of 2 and a zero.
    let sign = |i: usize, j: usize| {
        let bits = (i as u64 * 8 + j as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 61;
        match (i % 40_000 == 7, i == 3 && j == 1, bits % 2) {
            (true, _, _) => 2_i64,
            (_, true, _) => 0,
            (_, _, 0) => -1,
            _ => 1,
        }
    };
    let ints = Array::from_shape_fn(((4 << 20) / 4 + 1, 4), |(i, j)| sign(i, j));
    let mut out = Array2::<i64>::zeros(ints.dim());
    ints.cumprod_with_into(Cumprod::along(Axis(1)).reverse().initial(3), &mut out)
        .unwrap();
    let expected = reverse_reference(ints.view(), Axis(1)).mapv(|x| x * 3);
    assert_eq!(out, expected, "i64 lanes of 4 from an initial value");

    let rows = (2 << 20) / 7 + 1;
    let a = Array::from_shape_fn((rows, 7), |(i, j)| sign(i, j) as i32);
    let mut big = Array2::<i64>::from_elem((rows + 2, 7), -3);
    a.cumprod_with_into(reverse, &mut big.slice_mut(s![1..rows + 1, ..]))
        .unwrap();
    assert!(big.row(0).iter().chain(big.row(rows + 1)).all(|&x| x == -3));
    let expected = reverse_reference(a.mapv(i64::from).view(), Axis(1));
    assert_eq!(
        big.slice(s![1..rows + 1, ..]),
        expected,
        "i32 into i64 lanes of 7"
    );

    let f = Array::from_shape_fn(((4 << 20) / 8 + 1, 8), |(i, j)| short_value(i, j) as f32);
    let mut out = Array2::<f32>::zeros(f.dim());
    f.cumprod_with_into(reverse, &mut out).unwrap();
    assert!(
        same_bits_f32(&out, &reverse_reference(f.view(), Axis(1))),
        "f32 lanes of 8"
    );
}

/// The values of the tests of short rows and lanes: products that round.
fn short_value(i: usize, j: usize) -> f64 {
    1.0 + ((i * 7 + j * 3) % 23) as f64 * 0.009 - 0.1
}

/// 2 Mi `f64` elements and a row more, in rows of `cols` ([`short_value`]):
/// a 16 MiB output, which streams.
fn short_rows(cols: usize) -> Array2<f64> {
    Array::from_shape_fn(((2 << 20) / cols + 1, cols), |(i, j)| short_value(i, j))
}

/// [`short_rows`] of 5 with one element in 11 NaN.
fn with_nan_lanes_of_5() -> Array2<f64> {
    let mut a = short_rows(5);
    for (k, x) in a.iter_mut().enumerate() {
        if k % 11 == 4 {
            *x = f64::NAN;
        }
    }
    a
}

/// The scan of every lane of `a` along axis 1 from the initial value of
/// that lane, `c[i]`, first (`c * x0 * x1 ...`, left to right), or last in
/// reverse (`... x1 * (x2 * c)`).
fn from_initial(a: &Array2<f64>, c: &Array1<f64>, reverse: bool) -> Array2<f64> {
    let mut out = a.clone();
    for (mut lane, &c) in out.rows_mut().into_iter().zip(c) {
        let mut p = c;
        let lane = lane.as_slice_mut().expect("a C-order row");
        // f64 products commute exactly: only the grouping matters.
        let mut step = |y: &mut f64| {
            p *= *y;
            *y = p;
        };
        if reverse {
            lane.iter_mut().rev().for_each(&mut step);
        } else {
            lane.iter_mut().for_each(&mut step);
        }
    }
    out
}

#[test]
fn lanes_of_two_to_eight_from_an_initial_value_or_a_carry_match_the_reference_loop() {
    // Contiguous lanes of 2 to 8 with an initial value take the seeds as
    // they scan a buffer of lanes, streamed out; with a carry, from seeds
    // written first: f64 lanes of 3, 4 and 7, forward and reverse, and lanes
    // of 5 into the rows after the first of a larger array (off a 16-byte
    // boundary).
    for cols in [3, 4, 7] {
        let rows = (2 << 20) / cols + 1;
        let a = Array::from_shape_fn((rows, cols), |(i, j)| short_value(i, j));
        let carry = Array1::from_shape_fn(rows, |i| 0.75 + (i % 5) as f64 * 0.125);
        for reverse in [false, true] {
            let along = Cumprod::along(Axis(1));
            let along = if reverse { along.reverse() } else { along };
            let mut out = Array2::<f64>::zeros(a.dim());
            a.cumprod_with_into(along.initial(1.375), &mut out).unwrap();
            let c = Array1::from_elem(rows, 1.375);
            let expected = from_initial(&a, &c, reverse);
            assert!(
                same_bits(&out, &expected),
                "lanes of {cols}, reverse {reverse}, initial"
            );
            a.cumprod_with_into(along.carry(&carry), &mut out).unwrap();
            let expected = from_initial(&a, &carry, reverse);
            assert!(
                same_bits(&out, &expected),
                "lanes of {cols}, reverse {reverse}, carry"
            );
        }
    }
    let rows = (2 << 20) / 5 + 1;
    let a = Array::from_shape_fn((rows, 5), |(i, j)| short_value(i, j));
    let mut whole = Array2::from_elem((rows + 1, 5), 42.0);
    a.cumprod_with_into(
        Cumprod::along(Axis(1)).initial(0.625),
        &mut whole.slice_mut(s![1.., ..]),
    )
    .unwrap();
    assert!(whole.row(0).iter().all(|&x| x == 42.0));
    let expected = from_initial(&a, &Array1::from_elem(rows, 0.625), false);
    assert!(
        same_bits(&whole.slice(s![1.., ..]).to_owned(), &expected),
        "lanes of 5 off a 16-byte boundary"
    );
}

#[test]
fn rows_of_two_to_eight_match_the_reference_loop() {
    // Rows of 2 to 8 elements along axis 0 are scanned through a buffer of
    // 256 elements and streamed out: rows of 3 (the buffer holds 85 whole
    // rows); 5 blocks of 104,859 rows of 4 (a block ends inside a buffer);
    // rows of 5 into rows 1.. of a larger array (off a 16-byte boundary, the
    // row before and after kept); rows of 6 from an initial value and from a
    // carry; NaN-skipping rows of 2; i32 into i64 rows of 8; f32 rows of 7.
    let a = short_rows(3);
    let mut out = Array2::<f64>::zeros(a.dim());
    a.cumprod_axis_into(Axis(0), &mut out).unwrap();
    assert!(same_bits(&out, &reference(a.view(), Axis(0))), "rows of 3");

    let blocks = Array::from_shape_fn((5, 104_859, 4), |(b, i, j)| short_value(i + b, j));
    assert!(blocks.len() * 8 >= 16 << 20, "large enough to stream");
    let mut out = Array::<f64, _>::zeros(blocks.raw_dim());
    blocks.cumprod_axis_into(Axis(1), &mut out).unwrap();
    for b in 0..5 {
        let expected = reference(blocks.index_axis(Axis(0), b), Axis(0));
        assert!(
            same_bits(&out.index_axis(Axis(0), b).to_owned(), &expected),
            "block {b}"
        );
    }

    let rows = (2 << 20) / 5 + 1;
    let a = Array::from_shape_fn((rows, 5), |(i, j)| short_value(i, j));
    let mut big = Array2::<f64>::from_elem((rows + 2, 5), -3.0);
    a.cumprod_axis_into(Axis(0), &mut big.slice_mut(s![1..rows + 1, ..]))
        .unwrap();
    assert!(big
        .row(0)
        .iter()
        .chain(big.row(rows + 1))
        .all(|&x| x == -3.0));
    let inside = big.slice(s![1..rows + 1, ..]).to_owned();
    assert!(
        same_bits(&inside, &reference(a.view(), Axis(0))),
        "rows of 5"
    );

    // With an initial value: each lane from its seed, the initial value
    // times the first element; and continuing from a carry.
    let a = short_rows(6);
    let mut seeded = a.clone();
    seeded.row_mut(0).mapv_inplace(|x| 1.25 * x);
    let mut out = Array2::<f64>::zeros(a.dim());
    a.cumprod_with_into(Cumprod::along(Axis(0)).initial(1.25), &mut out)
        .unwrap();
    assert!(
        same_bits(&out, &reference(seeded.view(), Axis(0))),
        "initial"
    );
    let carry = Array1::from_shape_fn(6, |j| 0.5 + j as f64);
    seeded.assign(&a);
    seeded.row_mut(0).zip_mut_with(&carry, |x, c| *x *= c);
    a.cumprod_with_into(Cumprod::along(Axis(0)).carry(&carry), &mut out)
        .unwrap();
    assert!(same_bits(&out, &reference(seeded.view(), Axis(0))), "carry");

    let mut pairs = Array::from_shape_fn((1 << 20, 2), |(i, j)| short_value(i, j));
    for i in (0..pairs.nrows()).step_by(101) {
        pairs[[i, i % 2]] = f64::NAN;
    }
    let ones = pairs.mapv(|x| if x.is_nan() { 1.0 } else { x });
    let mut out = Array2::<f64>::zeros(pairs.dim());
    pairs.nancumprod_axis_into(Axis(0), &mut out).unwrap();
    assert!(
        same_bits(&out, &reference(ones.view(), Axis(0))),
        "NaN-skipping rows of 2"
    );

    let signs = Array::from_shape_fn((1 << 18, 8), |(i, j)| match (i * 5 + j) % 37 {
        0 => 2_i32,
        1 if i % 3 == 0 => -1,
        9 => 0,
        _ => 1,
    });
    let mut out = Array2::<i64>::zeros(signs.dim());
    signs.cumprod_axis_into(Axis(0), &mut out).unwrap();
    assert_eq!(
        out,
        reference(signs.mapv(i64::from).view(), Axis(0)),
        "i32 into i64"
    );

    let a = Array::from_shape_fn(((4 << 20) / 7 + 1, 7), |(i, j)| short_value(i, j) as f32);
    let mut out = Array2::<f32>::zeros(a.dim());
    a.cumprod_axis_into(Axis(0), &mut out).unwrap();
    let expected = reference(a.view(), Axis(0));
    assert!(same_bits_f32(&out, &expected), "f32 rows of 7");
}
