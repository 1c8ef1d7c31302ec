//! Criterion benchmarks: this crate's methods beside ndarray's own `cumprod`
//! and a plain copy of the same array (the memory-bandwidth baseline).
//!
//! Run with `cargo bench`. The performance work (issue 3) extends the cases.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ndarray::{Array2, Axis, ShapeBuilder};
use ndarray_cumprod::CumprodExt;

/// Values close to one, so that long products stay finite.
fn input(rows: usize, cols: usize, f_order: bool) -> Array2<f64> {
    let mut a = Array2::zeros((rows, cols).set_f(f_order));
    for ((i, j), v) in a.indexed_iter_mut() {
        *v = 1.0 + ((i * 7 + j * 13) % 17) as f64 * 1e-6;
    }
    a
}

fn bench_layouts(c: &mut Criterion) {
    let mut group = c.benchmark_group("cumprod_f64_1024x1024");
    for f_order in [false, true] {
        let order = if f_order { "F" } else { "C" };
        let a = input(1024, 1024, f_order);
        let mut out = Array2::<f64>::zeros((1024, 1024).set_f(f_order));
        group.throughput(Throughput::Bytes((a.len() * 8) as u64));
        group.bench_function(BenchmarkId::new("copy_assign", order), |b| {
            b.iter(|| out.assign(black_box(&a)))
        });
        for k in 0..2 {
            let case = format!("{order}/axis{k}");
            group.bench_function(BenchmarkId::new("into", &case), |b| {
                b.iter(|| black_box(&a).cumprod_axis_into(Axis(k), &mut out))
            });
            group.bench_function(BenchmarkId::new("alloc", &case), |b| {
                b.iter(|| black_box(&a).cumprod_axis(Axis(k)))
            });
            group.bench_function(BenchmarkId::new("ndarray_cumprod", &case), |b| {
                b.iter(|| black_box(&a).cumprod(Axis(k)))
            });
        }
        let mut flat = ndarray::Array1::<f64>::zeros(a.len());
        group.bench_function(BenchmarkId::new("flat_into", order), |b| {
            b.iter(|| black_box(&a).cumprod_flat_into(&mut flat))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_layouts);
criterion_main!(benches);
