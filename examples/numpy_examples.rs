//! The examples of NumPy's `ndarray.cumprod` reference page, ported to Rust.
//!
//! Run with `cargo run --example numpy_examples`. The output reproduces the page's
//! printed output, array formatting included, and each result is checked against
//! the values the page shows.

use ndarray::{array, ArrayBase, Axis, Data, Dimension};
use ndarray_cumprod::CumprodExt;

/// Formats an integer array the way NumPy prints it: right-aligned to the widest
/// element, space-separated, one row per line.
fn numpy_str<S, D>(a: &ArrayBase<S, D>) -> String
where
    S: Data<Elem = i64>,
    D: Dimension,
{
    let width = a.iter().map(|v| v.to_string().len()).max().unwrap_or(0);
    let row = |values: Vec<i64>| {
        let cells: Vec<String> = values.iter().map(|v| format!("{v:>width$}")).collect();
        format!("[{}]", cells.join(" "))
    };
    match a.ndim() {
        1 => row(a.iter().copied().collect()),
        2 => {
            let rows: Vec<String> = a
                .lanes(Axis(1))
                .into_iter()
                .map(|lane| row(lane.to_vec()))
                .collect();
            format!("[{}]", rows.join("\n "))
        }
        n => panic!("this example prints 1-D and 2-D arrays, not {n}-D"),
    }
}

fn main() {
    println!("# Example 1: Cumulative Product of a 1D Array");
    println!();
    // a = np.array([1, 2, 3, 4]); a.cumprod()
    let a = array![1_i64, 2, 3, 4];
    let result = a.cumprod_flat();
    println!("Original array: {}", numpy_str(&a));
    println!("Cumulative product: {}", numpy_str(&result));
    assert_eq!(result, array![1, 2, 6, 24]);

    println!();
    println!("# Example 2: Cumulative Product Along Different Axes");
    println!();
    // b = np.array([[1, 2, 3], [4, 5, 6]])
    let b = array![[1_i64, 2, 3], [4, 5, 6]];
    println!("Original array:");
    println!("{}", numpy_str(&b));
    // b.cumprod(axis=1)
    let row_cumprod = b.cumprod_axis(Axis(1));
    println!("\nCumulative product along rows (axis=1):");
    println!("{}", numpy_str(&row_cumprod));
    // b.cumprod(axis=0)
    let col_cumprod = b.cumprod_axis(Axis(0));
    println!("\nCumulative product along columns (axis=0):");
    println!("{}", numpy_str(&col_cumprod));
    assert_eq!(row_cumprod, array![[1, 2, 6], [4, 20, 120]]);
    assert_eq!(col_cumprod, array![[1, 2, 3], [4, 10, 18]]);

    println!();
    println!("# Codebyte Example");
    println!();
    let a = array![[2_i64, 3, 4], [5, 6, 7]];
    println!("Original array:");
    println!("{}", numpy_str(&a));
    let flat = a.cumprod_flat();
    let axis0 = a.cumprod_axis(Axis(0));
    let axis1 = a.cumprod_axis(Axis(1));
    println!("\nCumulative product (flattened): {}", numpy_str(&flat));
    println!("\nCumulative product along axis=0:\n {}", numpy_str(&axis0));
    println!("\nCumulative product along axis=1:\n {}", numpy_str(&axis1));
    assert_eq!(flat, array![2, 6, 24, 120, 720, 5040]);
    assert_eq!(axis0, array![[2, 3, 4], [10, 18, 28]]);
    assert_eq!(axis1, array![[2, 6, 24], [5, 30, 210]]);

    println!();
    println!("# dtype and out, the Rust way");
    println!();
    // np.cumprod(np.array([100, 100, 100], dtype=np.uint8)) multiplies in uint64.
    let small = array![100_u8, 100, 100];
    let promoted = small.cumprod_flat_as::<u64>();
    println!("u8 [100 100 100] multiplied in u64: {promoted}");
    // b.cumprod(axis=1, out=o): no allocation, and bad input is an error.
    let mut out = ndarray::Array2::<i64>::zeros((2, 3));
    b.cumprod_axis_into(Axis(1), &mut out)
        .expect("out has b's shape");
    println!("b.cumprod(axis=1, out=o):\n{}", numpy_str(&out));
    match b.cumprod_axis_into(Axis(2), &mut out) {
        Err(err) => println!("axis=2 on a 2-D array: error: {err}"),
        Ok(()) => unreachable!("axis 2 is out of bounds"),
    }
}
