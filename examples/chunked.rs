//! Streams data larger than memory through a cumulative product, chunk by chunk.
//!
//! ```text
//! cargo run --example chunked
//! ```
//!
//! The input here is a text stream of daily returns for three assets, one day
//! per line, read a few days at a time (any `BufRead` works: a file, a socket,
//! stdin). Each chunk's growth factors `1 + r` are scanned down the days with the
//! last row of the previous chunk's result as the carry, so only one chunk is in
//! memory at a time. The chunked result equals the whole-array scan bit for bit;
//! the example checks that at the end.

use std::io::{BufRead, BufReader, Cursor};

use ndarray::{Array1, Array2, Axis};
use ndarray_cumprod::{Cumprod, CumprodExt};

/// Reads up to `days` lines of comma-separated returns as growth factors.
fn next_chunk(lines: &mut impl Iterator<Item = String>, days: usize) -> Option<Array2<f64>> {
    let mut values = Vec::new();
    let mut rows = 0;
    for line in lines.take(days) {
        values.extend(
            line.split(',')
                .map(|r| 1.0 + r.trim().parse::<f64>().expect("a number")),
        );
        rows += 1;
    }
    if rows == 0 {
        return None;
    }
    let width = values.len() / rows;
    Some(
        Array2::from_shape_vec((rows, width), values).expect("the same number of assets every day"),
    )
}

fn main() {
    // 250 trading days of made-up returns for three assets.
    let text: String = (0..250)
        .map(|day| {
            let r = |k: usize| ((day * 37 + k * 11) % 23) as f64 / 1000.0 - 0.01;
            format!("{:.4}, {:.4}, {:.4}\n", r(0), r(1), r(2))
        })
        .collect();
    let mut lines = BufReader::new(Cursor::new(text.clone()))
        .lines()
        .map(|l| l.expect("a line"));

    let mut carry: Option<Array1<f64>> = None;
    let mut chunks = 0;
    let mut growth_so_far = Vec::new();
    while let Some(chunk) = next_chunk(&mut lines, 64) {
        let along = Cumprod::along(Axis(0));
        let growth = match &carry {
            None => chunk.cumprod_with(&along),
            Some(last) => chunk.cumprod_with(&along.carry(last)),
        };
        carry = Some(growth.row(growth.nrows() - 1).to_owned());
        growth_so_far.push(growth);
        chunks += 1;
    }
    let last = carry.expect("at least one day");
    println!("{chunks} chunks; growth of 1 over the period, per asset: {last:.4}");

    // The same, all at once.
    let mut all = text.lines().map(str::to_string);
    let whole = next_chunk(&mut all, usize::MAX)
        .expect("data")
        .cumprod_axis(Axis(0));
    let views: Vec<_> = growth_so_far.iter().map(|g| g.view()).collect();
    let joined = ndarray::concatenate(Axis(0), &views).expect("same widths");
    assert!(joined
        .iter()
        .zip(&whole)
        .all(|(a, b)| a.to_bits() == b.to_bits()));
    println!("chunked result equals the whole-array result bit for bit");
}
