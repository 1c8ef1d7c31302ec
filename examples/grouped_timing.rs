//! Times this crate's grouped cumulative product on the data that
//! `benches/grouped_peers.py` writes, for the side-by-side comparison with
//! pandas and Polars that the script prints.
//!
//! ```text
//! cargo run --release --example grouped_timing -- DIR
//! ```
//!
//! `DIR` holds `values.f64` (little-endian `f64`, row-major) and `codes.u64`
//! (one group code per row), as the script writes them, and `shapes.txt`, one
//! line per table to time: its rows and columns (0 columns: a 1-D array). For each table the example
//! prints one line of medians in milliseconds, and it writes the 1-D result
//! with pandas' NaN rule to `DIR/ours.f64` for the script to compare.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use ndarray::{Array, ArrayView, ArrayView1, ArrayView2, Axis};
use ndarray_cumprod::{Cumprod, CumprodExt};

/// The median of `reps` timings of `f`, in milliseconds, after one warm-up.
fn median_ms(reps: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut times: Vec<f64> = (0..reps)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[reps / 2]
}

fn read_f64(path: &Path) -> Vec<f64> {
    let bytes = std::fs::read(path).expect("values written by the script");
    bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
        .collect()
}

fn read_codes(path: &Path) -> Vec<usize> {
    let bytes = std::fs::read(path).expect("codes written by the script");
    bytes
        .chunks_exact(8)
        .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")) as usize)
        .collect()
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: grouped_timing DIR");
    let dir = Path::new(&dir);
    let values = read_f64(&dir.join("values.f64"));
    let codes = read_codes(&dir.join("codes.u64"));
    let shapes = std::fs::read_to_string(dir.join("shapes.txt")).expect("shapes.txt");
    let reps = 7;
    for line in shapes.lines() {
        let mut dims = line
            .split_whitespace()
            .map(|d| d.parse::<usize>().expect("a number"));
        let (rows, cols) = (dims.next().expect("rows"), dims.next().expect("columns"));
        let codes = &codes[..rows];
        if cols == 0 {
            // A 1-D array, as a pandas Series.
            let a = ArrayView1::from(&values[..rows]);
            time_one(&a, codes, rows, cols, reps);
            continue;
        }
        let a = ArrayView2::from_shape((rows, cols), &values[..rows * cols]).expect("the shape");
        time_one(&a, codes, rows, cols, reps);
        if cols == 1 && rows * cols == values.len() {
            let how = Cumprod::along(Axis(0)).groups(codes).keep_nan();
            let ours = a.nancumprod_with(how);
            let bytes: Vec<u8> = ours.iter().flat_map(|v| v.to_le_bytes()).collect();
            std::fs::write(dir.join("ours.f64"), bytes).expect("write the result");
        }
    }
}

/// Times the grouped scans of `a` along axis 0 and prints one line.
fn time_one<D: ndarray::RemoveAxis>(
    a: &ArrayView<'_, f64, D>,
    codes: &[usize],
    rows: usize,
    cols: usize,
    reps: usize,
) {
    {
        let how = Cumprod::along(Axis(0)).groups(codes);
        let pandas_rule = how.keep_nan();
        let mut out = Array::<f64, D>::zeros(a.raw_dim());
        let copy = median_ms(reps, || drop(black_box(a).to_owned()));
        let alloc = median_ms(reps, || drop(black_box(a).nancumprod_with(pandas_rule)));
        let into = median_ms(reps, || {
            black_box(a)
                .nancumprod_with_into(pandas_rule, &mut out)
                .unwrap()
        });
        let numpy_rule = median_ms(reps, || drop(black_box(a).nancumprod_with(how)));
        let plain = median_ms(reps, || drop(black_box(a).cumprod_with(how)));
        println!(
            "ours {rows} {cols} to_owned {copy:.2} keep_nan {alloc:.2} keep_nan_into {into:.2} \
             nan_as_one {numpy_rule:.2} plain {plain:.2}"
        );
    }
}
