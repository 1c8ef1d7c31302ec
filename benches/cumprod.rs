//! Criterion benchmarks: every method of this crate on every layout of the
//! performance issue, beside ndarray's own `cumprod`, a naive loop and the two
//! baselines (`out.assign(&a)`, a plain copy, and `a.to_owned()`), so that the
//! report shows them side by side.
//!
//! ```text
//! cargo bench                              # everything (long: 64 MiB arrays)
//! cargo bench -- "f64/\[1024, 8192\]/C"    # one layout
//! cargo bench -- small                     # arrays of 16 to 4096 elements
//! cargo bench -- lanes                     # lanes of 100, 1,024, 1,025, 1,028
//! CUMPROD_BENCH_LEN=65536 cargo bench      # smaller arrays
//! ```
//!
//! `cargo run --release --example layout_report` prints the same cases as one
//! table of ratios.

#[path = "data.rs"]
mod data;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ndarray::{Array, Array1, ArrayView, ArrayViewMut, Axis, Ix1, Ix2, Ix3, RemoveAxis, Zip};
use ndarray_cumprod::CumprodExt;

use data::{make, Element};

/// The obvious loop: lane by lane, element by element.
fn naive_axis<T: Element, D: RemoveAxis>(
    a: ArrayView<'_, T, D>,
    mut out: ArrayViewMut<'_, T, D>,
    axis: Axis,
) {
    Zip::from(out.lanes_mut(axis))
        .and(a.lanes(axis))
        .for_each(|mut y, x| {
            let mut carry = x[0];
            y[0] = carry;
            for i in 1..x.len() {
                carry *= x[i];
                y[i] = carry;
            }
        });
}

fn naive_flat<T: Element, D: RemoveAxis>(a: ArrayView<'_, T, D>, out: &mut Array1<T>) {
    let mut carry: Option<T> = None;
    for (y, &x) in out.iter_mut().zip(a.iter()) {
        let product = carry.map_or(x, |c| c * x);
        *y = product;
        carry = Some(product);
    }
}

fn layout<T: Element, D: RemoveAxis>(c: &mut Criterion, name: &str, a: Array<T, D>) {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Bytes(
            (a.len() * std::mem::size_of::<T>()) as u64,
        ));
    let mut out = a.clone();
    group.bench_function("copy", |b| b.iter(|| out.assign(black_box(&a))));
    group.bench_function("to_owned", |b| b.iter(|| black_box(&a).to_owned()));
    for k in 0..a.ndim() {
        let axis = Axis(k);
        group.bench_function(BenchmarkId::new("into", k), |b| {
            b.iter(|| black_box(&a).cumprod_axis_into(axis, &mut out))
        });
        let mut work = a.clone();
        group.bench_function(BenchmarkId::new("inplace", k), |b| {
            b.iter(|| black_box(&mut work).cumprod_axis_inplace(axis))
        });
        group.bench_function(BenchmarkId::new("alloc", k), |b| {
            b.iter(|| black_box(&a).cumprod_axis(axis))
        });
        group.bench_function(BenchmarkId::new("ndarray_cumprod", k), |b| {
            b.iter(|| black_box(&a).cumprod(axis))
        });
        group.bench_function(BenchmarkId::new("naive", k), |b| {
            b.iter(|| naive_axis(black_box(&a).view(), out.view_mut(), axis))
        });
    }
    if a.ndim() > 1 {
        let mut flat = Array1::from_elem(a.len(), T::value(0));
        group.bench_function("flat_into", |b| {
            b.iter(|| black_box(&a).cumprod_flat_into(&mut flat))
        });
        group.bench_function("flat_alloc", |b| b.iter(|| black_box(&a).cumprod_flat()));
        group.bench_function("flat_naive", |b| {
            b.iter(|| naive_flat(black_box(&a).view(), &mut flat))
        });
    }
    group.finish();
}

fn large<T: Element>(c: &mut Criterion) {
    let len: usize = std::env::var("CUMPROD_BENCH_LEN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1 << 23);
    let shapes: [&[usize]; 6] = [
        &[len],
        &[1024, len / 1024],
        &[len / 1024, 1024],
        &[4, len / 4],
        &[len / 4, 4],
        &[64, 128, len / (64 * 128)],
    ];
    for shape in shapes {
        for f_order in [false, true] {
            if shape.len() == 1 && f_order {
                continue;
            }
            let name = format!("{}/{shape:?}/{}", T::NAME, if f_order { 'F' } else { 'C' });
            let a = make::<T>(shape, f_order);
            match shape.len() {
                1 => layout(c, &name, a.into_dimensionality::<Ix1>().unwrap()),
                2 => layout(c, &name, a.into_dimensionality::<Ix2>().unwrap()),
                _ => layout(c, &name, a.into_dimensionality::<Ix3>().unwrap()),
            }
        }
    }
}

/// `_into` along contiguous lanes of lengths that took kernels of their own:
/// within a line of a multiple of 4 KiB (1,025 and 1,028 `f64`, whose tiles
/// are moved to one place in their pages; 1,024 beside them) and 100 `f64`
/// (staged in cache), beside a copy of the same 64 MiB.
fn lane_lengths<T: Element>(c: &mut Criterion) {
    let len: usize = std::env::var("CUMPROD_BENCH_LEN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1 << 23);
    let mut group = c.benchmark_group(format!("{}/lanes", T::NAME));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Bytes((len * std::mem::size_of::<T>()) as u64));
    for n in [100, 1024, 1025, 1028] {
        let a = make::<T>(&[len / n, n], false)
            .into_dimensionality::<Ix2>()
            .unwrap();
        let mut out = a.clone();
        group.bench_function(BenchmarkId::new("copy", n), |b| {
            b.iter(|| out.assign(black_box(&a)))
        });
        group.bench_function(BenchmarkId::new("into", n), |b| {
            b.iter(|| black_box(&a).cumprod_axis_into(Axis(1), &mut out).unwrap())
        });
    }
    group.finish();
}

fn large_f64(c: &mut Criterion) {
    large::<f64>(c);
}

fn large_i64(c: &mut Criterion) {
    large::<i64>(c);
}

fn lanes_f64(c: &mut Criterion) {
    lane_lengths::<f64>(c);
}

fn lanes_i64(c: &mut Criterion) {
    lane_lengths::<i64>(c);
}

/// Arrays of 16 to 4096 elements, where the fixed cost of a call counts.
fn small(c: &mut Criterion) {
    let mut group = c.benchmark_group("small");
    for shape in [&[16][..], &[256], &[4096], &[4, 4], &[16, 16], &[64, 64]] {
        let a = make::<f64>(shape, false);
        for k in 0..shape.len() {
            let case = format!("{shape:?}/axis{k}");
            group.bench_function(BenchmarkId::new("alloc", &case), |b| {
                b.iter(|| black_box(&a).cumprod_axis(Axis(k)))
            });
            group.bench_function(BenchmarkId::new("ndarray_cumprod", &case), |b| {
                b.iter(|| black_box(&a).cumprod(Axis(k)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, small, large_f64, large_i64, lanes_f64, lanes_i64);
criterion_main!(benches);
