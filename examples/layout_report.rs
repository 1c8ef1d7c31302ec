//! Speed of every method on every layout, relative to a plain copy, in one run.
//!
//! ```text
//! cargo run --release --example layout_report                 # 8 Mi elements (64 MiB)
//! cargo run --release --example layout_report -- --quick      # 64 Ki elements, a smoke run
//! cargo run --release --example layout_report -- --svg docs/layout_report.svg
//! cargo run --release --example layout_report -- --numpy docs/numpy_times.tsv  # NumPy beside
//! cargo run --release --example layout_report -- "f64 [1024, 8192]" small   # some rows only
//! cargo run --release --features rayon --example layout_report -- --threads  # and thread speed-ups
//! ```
//!
//! For each element type (f64, i64), shape, memory order and axis (and
//! axis=None), it times each method and its baseline one after the other,
//! several times, and reports the median of the ratios:
//!
//! - `copy`: `out.assign(&a)` into a preallocated array of the same layout, the
//!   memory-bandwidth baseline, and `to_owned`: `a.to_owned()`, the baseline of
//!   the allocating methods (a new 64 MiB array costs page faults);
//! - `cumprod_axis_into` (`cumprod_flat_into` for axis=None), divided by `copy`;
//! - `cumprod_axis_inplace` (none for axis=None), divided by `copy`;
//! - `cumprod_axis` (`cumprod_flat`), divided by `to_owned`;
//! - ndarray's own `cumprod` (`a.flatten().cumprod(Axis(0))` for axis=None)
//!   divided by `cumprod_axis`: above 1 means this crate is faster;
//! - beside the ratios, the median times in milliseconds of `_into`, of the
//!   allocating method and of ndarray's `cumprod`, and with `--numpy PATH`
//!   NumPy's `np.cumprod(a, axis=k, out=o)` and `np.cumprod(a, axis=k)` on the
//!   same data, from the file `benches/numpy_reference.py` writes (run it on
//!   the same machine just before or after).
//!
//! Rows marked `reverse` time the same with `Cumprod::along(Axis(k)).reverse()`
//! (`cumprod_with_into`, `cumprod_with_inplace`, `cumprod_with`; ndarray's side
//! is `cumprod` of the axis-inverted view), and rows marked `nan` (f64) the
//! NaN-skipping twins `nancumprod_axis_into`, `nancumprod_axis_inplace` and
//! `nancumprod_axis` (ndarray's side: `mapv` NaN to one, then `cumprod`);
//! `nancumprod_with` without options runs the same kernels.
//!
//! A second table times the scans beyond NumPy (f64) against the plain
//! `cumprod_axis_into` of the same layout: `mask` (one element in seven,
//! at random, counted as one), `segments` (1,000 segments per lane, or a new segment at
//! every element of shorter lanes), `groups` (1,000 groups, or one per
//! position of shorter axes, in random order along the axis) and `scaled`
//! (the products as `Scaled<f64>`, which never underflow).
//!
//! Rows are grouped by class (how many independent lanes the scan has), each
//! class sorted so that its worst row comes last, and a summary of the worst
//! rows ends the report. A second table times small arrays (16 to 4096
//! elements) against ndarray's `cumprod`, where the fixed cost of a call counts.
//! With `--svg PATH`, it also draws the first table as a bar chart. With the
//! `rayon` feature and `--threads`, it ends with the speed-up of the `par_`
//! methods over the serial ones, on large arrays of each class and on arrays
//! under the threshold, which both scan serially.

#[path = "../benches/data.rs"]
mod data;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use ndarray::{Array, Axis, Ix1, Ix2, Ix3, RemoveAxis};
use ndarray_cumprod::{Cumprod, CumprodExt, Scaled};

use data::{make, Element};

/// The class of a case and the ratio to a copy it must stay under.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Class {
    ManyLanes,
    FewLanes,
    SingleLane,
    FlatOverF,
}

impl Class {
    fn name(self) -> &'static str {
        match self {
            Class::ManyLanes => "8 or more lanes",
            Class::FewLanes => "2 to 7 lanes",
            Class::SingleLane => "one lane",
            Class::FlatOverF => "axis=None over F order",
        }
    }

    fn target(self) -> f64 {
        match self {
            Class::ManyLanes => 1.3,
            Class::FewLanes | Class::SingleLane => 1.8,
            Class::FlatOverF => 2.0,
        }
    }
}

/// What the allocating methods must stay under, relative to `to_owned`.
const ALLOC_TARGET: f64 = 1.25;

struct Row {
    dtype: &'static str,
    /// "" for the plain methods, "reverse" or "nan" for the extended forms.
    variant: &'static str,
    shape: String,
    order: char,
    axis: Option<usize>,
    class: Class,
    into: f64,
    inplace: Option<f64>,
    alloc: f64,
    ndarray_over_ours: f64,
    /// Medians in milliseconds: this crate's `_into` and allocating methods,
    /// and ndarray's `cumprod`.
    into_ms: f64,
    alloc_ms: f64,
    ndarray_ms: f64,
}

impl Row {
    fn label(&self) -> String {
        let axis = self.axis.map_or("None".to_string(), |k| k.to_string());
        let label = format!("{} {} {} axis={}", self.dtype, self.shape, self.order, axis);
        if self.variant.is_empty() {
            label
        } else {
            format!("{label} {}", self.variant)
        }
    }

    /// The largest ratio of this row to its target (above 1: missed).
    fn worst(&self) -> f64 {
        let target = self.class.target();
        let mut worst = (self.into / target).max(self.alloc / ALLOC_TARGET);
        if let Some(inplace) = self.inplace {
            worst = worst.max(inplace / target);
        }
        worst
    }
}

/// Median time of one call of `f`, over `reps` samples.
fn median(reps: usize, mut f: impl FnMut()) -> Duration {
    f(); // warm up: page in, fill caches
    let mut times: Vec<Duration> = (0..reps)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

/// How many calls of `f` take about a millisecond (a power of two).
fn calls_per_ms(f: &mut impl FnMut()) -> u32 {
    let mut calls = 1u32;
    loop {
        let start = Instant::now();
        for _ in 0..calls {
            f();
        }
        if start.elapsed() > Duration::from_millis(1) {
            return calls;
        }
        calls *= 2;
    }
}

/// `f`, `calls` times.
fn repeat(calls: u32, f: &mut impl FnMut()) -> impl FnMut() + '_ {
    move || {
        for _ in 0..calls {
            f();
        }
    }
}

/// Median time of one call of `f` for calls too short to time one at a time:
/// each sample runs `f` in a loop for about a millisecond.
fn median_small(reps: usize, mut f: impl FnMut()) -> Duration {
    let calls = calls_per_ms(&mut f);
    median(reps, repeat(calls, &mut f)) / calls
}

/// The time of `base` divided by the time of `op`, for calls too short to
/// time one at a time: each sample runs both back to back, each a loop of as
/// many calls as `op` makes in about a millisecond. The side that runs second
/// in a sample came out up to 9% slower (the same method against itself gave
/// 0.91x on 16 x 16 f64), so the medians of both orders are combined, their
/// geometric mean.
fn paired_small(reps: usize, mut base: impl FnMut(), mut op: impl FnMut()) -> f64 {
    let calls = calls_per_ms(&mut op);
    let base_second = paired(reps, repeat(calls, &mut op), repeat(calls, &mut base));
    let op_second = paired(reps, repeat(calls, &mut base), repeat(calls, &mut op));
    (base_second / op_second).sqrt()
}

/// How many independent lanes a scan along `axis` has, and its class.
fn class(shape: &[usize], f_order: bool, axis: Option<usize>) -> Class {
    let len: usize = shape.iter().product();
    let lanes = match axis {
        None => 1,
        Some(k) => len / shape[k],
    };
    match (axis, lanes) {
        (None, _) if f_order && shape.len() > 1 => Class::FlatOverF,
        (_, 1) => Class::SingleLane,
        (_, 2..=7) => Class::FewLanes,
        _ => Class::ManyLanes,
    }
}

fn large_rows<T: Element + NanRow + num_traits::One>(
    len: usize,
    reps: usize,
    filter: &[String],
    verbose: bool,
    rows: &mut Vec<Row>,
    beyond: &mut Vec<BeyondRow>,
) {
    let m = len / 1024;
    let shapes: Vec<Vec<usize>> = vec![
        vec![len],
        vec![1024, len / 1024],
        vec![len / 1024, 1024],
        vec![4, len / 4],
        vec![len / 4, 4],
        vec![64, 128, m / 8],
    ];
    for shape in &shapes {
        let orders: &[bool] = if shape.len() == 1 {
            &[false]
        } else {
            &[false, true]
        };
        for &f_order in orders {
            let layout = format!("{} {shape:?} {}", T::NAME, if f_order { 'F' } else { 'C' });
            if !filter.iter().any(|f| layout.contains(f.as_str())) && !filter.is_empty() {
                continue;
            }
            let a = make::<T>(shape, f_order);
            let case = Layout {
                shape,
                f_order,
                len,
                reps,
                verbose,
                layout: &layout,
            };
            match shape.len() {
                1 => layout_rows(&case, a.into_dimensionality::<Ix1>().unwrap(), rows, beyond),
                2 => layout_rows(&case, a.into_dimensionality::<Ix2>().unwrap(), rows, beyond),
                _ => layout_rows(&case, a.into_dimensionality::<Ix3>().unwrap(), rows, beyond),
            }
        }
    }
}

/// One layout of the large-array table.
struct Layout<'a> {
    shape: &'a [usize],
    f_order: bool,
    len: usize,
    reps: usize,
    verbose: bool,
    layout: &'a str,
}

/// The rows of one layout (one row per axis, and one for axis=None), with a
/// static dimension type as user code would have.
fn layout_rows<T: Element + NanRow + num_traits::One, D: RemoveAxis>(
    case: &Layout<'_>,
    a: Array<T, D>,
    rows: &mut Vec<Row>,
    beyond: &mut Vec<BeyondRow>,
) {
    let &Layout {
        shape,
        f_order,
        len,
        reps,
        verbose,
        layout,
    } = case;
    let mut out = a.clone();
    let mut copy_out = a.clone();
    // Each ratio pairs the two timings of every run (baseline, then the
    // method), so that the machine's slow drifts cancel; the report gives the
    // median of the ratios.
    let mut copy = || copy_out.assign(black_box(&a));
    let to_owned = || drop(black_box(&a).to_owned());
    if verbose {
        let (c, o) = (median(reps, &mut copy), median(reps, to_owned));
        eprintln!("{layout}: copy {:.2} ms, to_owned {:.2} ms", ms(c), ms(o));
    }
    let axes = (0..shape.len()).map(Some).chain([None]);
    for axis in axes {
        if axis.is_none() && shape.len() == 1 {
            continue; // the same scan as axis 0
        }
        if let Some(k) = axis {
            let mut push = |variant: &'static str, m: Measured| {
                rows.push(Row {
                    dtype: T::NAME,
                    variant,
                    shape: format!("{shape:?}"),
                    order: if f_order { 'F' } else { 'C' },
                    axis,
                    class: class(shape, f_order, axis),
                    into: m.into,
                    inplace: m.inplace,
                    alloc: m.alloc,
                    ndarray_over_ours: m.ndarray_over_ours,
                    into_ms: m.into_ms,
                    alloc_ms: m.alloc_ms,
                    ndarray_ms: m.ndarray_ms,
                })
            };
            let how = Cumprod::along(Axis(k)).reverse();
            let mut work = a.clone();
            let alloc = || drop(black_box(&a).cumprod_with(how));
            push(
                "reverse",
                Measured::new(
                    paired_ms(reps, &mut copy, || {
                        black_box(&a).cumprod_with_into(how, &mut out).unwrap()
                    }),
                    Some(paired(reps, &mut copy, || {
                        black_box(&mut work).cumprod_with_inplace(how)
                    })),
                    paired_ms(reps, to_owned, alloc),
                    paired_ms(reps, alloc, || {
                        let mut flipped = black_box(&a).view();
                        flipped.invert_axis(Axis(k));
                        drop(flipped.cumprod(Axis(k)))
                    }),
                ),
            );
            if let Some(m) = T::nan_row(&a, k, reps, &mut copy, &mut out) {
                push("nan", m);
            }
            if let Some(ratios) = T::beyond_row(&a, k, reps, &mut out) {
                beyond.push(BeyondRow {
                    label: format!("{layout} axis={k}"),
                    ratios,
                });
            }
        }
        let row = match axis {
            Some(k) => {
                let mut work = a.clone();
                let alloc = || drop(black_box(&a).cumprod_axis(Axis(k)));
                Measured::new(
                    paired_ms(reps, &mut copy, || {
                        black_box(&a).cumprod_axis_into(Axis(k), &mut out).unwrap()
                    }),
                    Some(paired(reps, &mut copy, || {
                        black_box(&mut work).cumprod_axis_inplace(Axis(k))
                    })),
                    paired_ms(reps, to_owned, alloc),
                    paired_ms(reps, alloc, || drop(black_box(&a).cumprod(Axis(k)))),
                )
            }
            None => {
                let mut flat = Array::from_elem(len, T::value(0));
                let alloc = || drop(black_box(&a).cumprod_flat());
                Measured::new(
                    paired_ms(reps, &mut copy, || {
                        black_box(&a).cumprod_flat_into(&mut flat).unwrap()
                    }),
                    None,
                    paired_ms(reps, to_owned, alloc),
                    paired_ms(reps, alloc, || {
                        drop(black_box(&a).flatten().cumprod(Axis(0)))
                    }),
                )
            }
        };
        rows.push(Row {
            dtype: T::NAME,
            variant: "",
            shape: format!("{shape:?}"),
            order: if f_order { 'F' } else { 'C' },
            axis,
            class: class(shape, f_order, axis),
            into: row.into,
            inplace: row.inplace,
            alloc: row.alloc,
            ndarray_over_ours: row.ndarray_over_ours,
            into_ms: row.into_ms,
            alloc_ms: row.alloc_ms,
            ndarray_ms: row.ndarray_ms,
        });
    }
}

/// The NaN-skipping row, for the element types that have NaN, and the row
/// of the scans beyond NumPy (f64 only).
trait NanRow: Sized {
    fn nan_row<D: RemoveAxis>(
        a: &Array<Self, D>,
        k: usize,
        reps: usize,
        copy: &mut dyn FnMut(),
        out: &mut Array<Self, D>,
    ) -> Option<Measured>;

    fn beyond_row<D: RemoveAxis>(
        _: &Array<Self, D>,
        _: usize,
        _: usize,
        _: &mut Array<Self, D>,
    ) -> Option<[f64; 4]> {
        None
    }
}

/// One layout and axis of the table of scans beyond NumPy: the time of the
/// masked, segmented, grouped and scaled scans over that of the plain one.
struct BeyondRow {
    label: String,
    ratios: [f64; 4],
}

/// What the scans beyond NumPy must stay under, relative to the plain scan.
const BEYOND_TARGETS: [Option<f64>; 4] = [Some(1.3), Some(1.3), None, Some(2.5)];

impl NanRow for f64 {
    fn nan_row<D: RemoveAxis>(
        a: &Array<f64, D>,
        k: usize,
        reps: usize,
        copy: &mut dyn FnMut(),
        out: &mut Array<f64, D>,
    ) -> Option<Measured> {
        let mut work = a.clone();
        let to_owned = || drop(black_box(a).to_owned());
        let alloc = || drop(black_box(a).nancumprod_axis(Axis(k)));
        Some(Measured::new(
            paired_ms(reps, &mut *copy, || {
                black_box(a).nancumprod_axis_into(Axis(k), out).unwrap()
            }),
            Some(paired(reps, &mut *copy, || {
                black_box(&mut work).nancumprod_axis_inplace(Axis(k))
            })),
            paired_ms(reps, to_owned, alloc),
            paired_ms(reps, alloc, || {
                let ones = black_box(a).mapv(|x| if x.is_nan() { 1.0 } else { x });
                drop(ones.cumprod(Axis(k)))
            }),
        ))
    }

    fn beyond_row<D: RemoveAxis>(
        a: &Array<f64, D>,
        k: usize,
        reps: usize,
        out: &mut Array<f64, D>,
    ) -> Option<[f64; 4]> {
        let n = a.len_of(Axis(k));
        // The flags in the array's memory order, as a user's would be.
        let mut mask = a.mapv(|_| true);
        let mut starts = a.mapv(|_| false);
        let every = (n / 1000).max(1);
        // Masked out at random, as missing data would be: a mask with a
        // pattern lets the processor predict branches that real data
        // would not.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for m in mask.iter_mut() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *m = state % 7 != 3;
        }
        for mut lane in starts.lanes_mut(Axis(k)) {
            for (i, s) in lane.iter_mut().enumerate() {
                *s = i % every == every - 1;
            }
        }
        let groups = n.min(1000);
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let codes: Vec<usize> = (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % groups as u64) as usize
            })
            .collect();
        let mut scaled = a.mapv(Scaled::from);
        let along = Cumprod::along(Axis(k));
        // The plain scan writes an array of its own, so that both sides of
        // each pair can borrow theirs.
        let mut plain_out = out.clone();
        let mut plain = || {
            black_box(a)
                .cumprod_axis_into(Axis(k), &mut plain_out)
                .unwrap()
        };
        let mut ratios = [0.0; 4];
        ratios[0] = paired(reps, &mut plain, || {
            black_box(a)
                .cumprod_with_into(along.mask(&mask), &mut *out)
                .unwrap()
        });
        ratios[1] = paired(reps, &mut plain, || {
            black_box(a)
                .cumprod_with_into(along.segments(&starts), &mut *out)
                .unwrap()
        });
        ratios[2] = paired(reps, &mut plain, || {
            black_box(a)
                .cumprod_with_into(along.groups(&codes), &mut *out)
                .unwrap()
        });
        ratios[3] = paired(reps, &mut plain, || {
            black_box(a)
                .cumprod_axis_into(Axis(k), &mut scaled)
                .unwrap()
        });
        Some(ratios)
    }
}

impl NanRow for i64 {
    fn nan_row<D: RemoveAxis>(
        _: &Array<i64, D>,
        _: usize,
        _: usize,
        _: &mut dyn FnMut(),
        _: &mut Array<i64, D>,
    ) -> Option<Measured> {
        None
    }
}

/// The four ratios of a row, and the medians of the times behind them.
struct Measured {
    into: f64,
    inplace: Option<f64>,
    alloc: f64,
    ndarray_over_ours: f64,
    into_ms: f64,
    alloc_ms: f64,
    ndarray_ms: f64,
}

impl Measured {
    /// From the paired runs of `_into` against a copy, in place against a
    /// copy, allocating against `to_owned`, and ndarray against allocating.
    fn new(into: Pair, inplace: Option<f64>, alloc: Pair, ndarray: Pair) -> Self {
        Measured {
            into: into.ratio,
            inplace,
            alloc: alloc.ratio,
            ndarray_over_ours: ndarray.ratio,
            into_ms: into.op_ms,
            alloc_ms: ndarray.base_ms,
            ndarray_ms: ndarray.op_ms,
        }
    }
}

fn ms(t: Duration) -> f64 {
    t.as_secs_f64() * 1e3
}

/// The median over `reps` runs of `time(op) / time(base)`, each run timing
/// `base` then `op`.
fn paired(reps: usize, base: impl FnMut(), op: impl FnMut()) -> f64 {
    paired_ms(reps, base, op).ratio
}

/// What [`paired_ms`] measures: the median ratio, and the median of each time.
struct Pair {
    ratio: f64,
    base_ms: f64,
    op_ms: f64,
}

/// The median over `reps` runs of `time(op) / time(base)`, each run timing
/// `base` then `op`, and the median times of each in milliseconds.
fn paired_ms(reps: usize, mut base: impl FnMut(), mut op: impl FnMut()) -> Pair {
    base(); // warm up: page in, fill caches
    op();
    let mut times: Vec<(f64, f64)> = (0..reps)
        .map(|_| {
            let start = Instant::now();
            base();
            let base_time = ms(start.elapsed());
            let start = Instant::now();
            op();
            (base_time, ms(start.elapsed()))
        })
        .collect();
    let median = |mut v: Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).expect("times are numbers"));
        v[v.len() / 2]
    };
    let ratio = median(times.iter().map(|&(b, o)| o / b).collect());
    let base_ms = median(times.iter().map(|t| t.0).collect());
    let op_ms = median(times.drain(..).map(|t| t.1).collect());
    Pair {
        ratio,
        base_ms,
        op_ms,
    }
}

struct SmallRow {
    label: String,
    ours_ns: f64,
    ndarray_over_ours: f64,
}

fn small_rows<T: Element>(reps: usize, rows: &mut Vec<SmallRow>) {
    let shapes: [&[usize]; 6] = [&[16], &[256], &[4096], &[4, 4], &[16, 16], &[64, 64]];
    for shape in shapes {
        let orders: &[bool] = if shape.len() == 1 {
            &[false]
        } else {
            &[false, true]
        };
        for &f_order in orders {
            let a = make::<T>(shape, f_order);
            let label = format!("{} {shape:?} {}", T::NAME, if f_order { 'F' } else { 'C' });
            match shape.len() {
                1 => small_case(&label, a.into_dimensionality::<Ix1>().unwrap(), reps, rows),
                _ => small_case(&label, a.into_dimensionality::<Ix2>().unwrap(), reps, rows),
            }
        }
    }
}

fn small_case<T: Element, D: RemoveAxis>(
    label: &str,
    a: Array<T, D>,
    reps: usize,
    rows: &mut Vec<SmallRow>,
) {
    for k in 0..a.ndim() {
        let ours = median_small(reps, || drop(black_box(&a).cumprod_axis(Axis(k))));
        // The ratio from paired samples, as for the large arrays: the two
        // sides of a sample run back to back, under the same load.
        let ndarray_over_ours = paired_small(
            reps,
            || drop(black_box(&a).cumprod(Axis(k))),
            || drop(black_box(&a).cumprod_axis(Axis(k))),
        );
        rows.push(SmallRow {
            label: format!("{label} axis={k}"),
            ours_ns: ours.as_secs_f64() * 1e9,
            ndarray_over_ours,
        });
    }
}

fn fmt_ratio(x: f64) -> String {
    format!("{x:.2}x")
}

/// NumPy's times by row name, in milliseconds: `np.copyto`, `np.cumprod`
/// with `out=`, and allocating (as `benches/numpy_reference.py` writes them).
type NumpyTimes = HashMap<String, [f64; 3]>;

/// Reads the file that `benches/numpy_reference.py` writes.
fn read_numpy(path: &str) -> NumpyTimes {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("--numpy {path}: cannot read the file ({e})"));
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let time = |i: usize| -> f64 {
                fields
                    .get(i)
                    .and_then(|f| f.parse().ok())
                    .unwrap_or_else(|| panic!("--numpy {path}: bad line {line:?}"))
            };
            (fields[0].to_string(), [time(1), time(2), time(3)])
        })
        .collect()
}

fn fmt_ms(x: Option<f64>) -> String {
    x.map_or("-".to_string(), |x| format!("{x:.1}"))
}

fn print_report(
    rows: &mut [Row],
    small: &[SmallRow],
    beyond: &[BeyondRow],
    len: usize,
    numpy: &NumpyTimes,
) {
    println!(
        "ndarray-cumprod layout report: {len} elements ({} MiB of f64) per array, medians",
        (len * 8) >> 20
    );
    println!("into, inplace: time / `out.assign(&a)`; alloc: time / `a.to_owned()`;");
    println!("ndarray/ours: ndarray's `cumprod` time / this crate's `cumprod_axis` time.");
    println!("Then medians in ms: this crate's `_into` and allocating methods, ndarray's");
    println!("`cumprod`, and NumPy's `np.cumprod(a, axis, out=o)` and `np.cumprod(a, axis)`");
    println!("(`np.nancumprod` for `nan` rows; none for `reverse` rows) from `--numpy`.\n");
    rows.sort_by(|a, b| {
        (a.class, a.worst())
            .partial_cmp(&(b.class, b.worst()))
            .expect("ratios are numbers")
    });
    println!("| case | class | into | inplace | alloc | ndarray/ours | target | into ms | alloc ms | ndarray ms | NumPy out= ms | NumPy ms |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for row in rows.iter() {
        let np = numpy.get(&row.label());
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            row.label(),
            row.class.name(),
            fmt_ratio(row.into),
            row.inplace.map_or("-".to_string(), fmt_ratio),
            fmt_ratio(row.alloc),
            fmt_ratio(row.ndarray_over_ours),
            fmt_ratio(row.class.target()),
            fmt_ms(Some(row.into_ms)),
            fmt_ms(Some(row.alloc_ms)),
            fmt_ms(Some(row.ndarray_ms)),
            fmt_ms(np.map(|t| t[1])),
            fmt_ms(np.map(|t| t[2])),
        );
    }
    println!("\nWorst row of each class (into and inplace against the target, alloc against {ALLOC_TARGET}x):\n");
    println!("| class | case | into | inplace | alloc | target | met |");
    println!("|---|---|---|---|---|---|---|");
    let mut classes: Vec<Class> = rows.iter().map(|r| r.class).collect();
    classes.dedup();
    for class in classes {
        let worst = rows
            .iter()
            .filter(|r| r.class == class)
            .max_by(|a, b| a.worst().partial_cmp(&b.worst()).expect("numbers"))
            .expect("a class has rows");
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            class.name(),
            worst.label(),
            fmt_ratio(worst.into),
            worst.inplace.map_or("-".to_string(), fmt_ratio),
            fmt_ratio(worst.alloc),
            fmt_ratio(class.target()),
            if worst.worst() <= 1.0 { "yes" } else { "no" },
        );
    }
    let slowest = rows
        .iter()
        .map(|r| r.ndarray_over_ours)
        .fold(f64::INFINITY, f64::min);
    println!("\nAgainst ndarray's `cumprod`, the allocating methods are at least {slowest:.2}x as fast on every case.");
    // NumPy's time over ours, `out=` against `_into` and allocating against
    // allocating, on the rows NumPy has.
    let against_numpy = |pick: fn(&Row, &[f64; 3]) -> f64| {
        rows.iter()
            .filter_map(|r| numpy.get(&r.label()).map(|t| (pick(r, t), r.label())))
            .min_by(|a, b| a.0.partial_cmp(&b.0).expect("numbers"))
    };
    if let Some((into, into_row)) = against_numpy(|r, t| t[1] / r.into_ms) {
        let (alloc, alloc_row) = against_numpy(|r, t| t[2] / r.alloc_ms).expect("the same rows");
        println!(
            "Against NumPy, `_into` is at least {into:.2}x as fast as `out=` on every row NumPy has \
             (least on {into_row}), and the allocating methods at least {alloc:.2}x (least on {alloc_row})."
        );
    }

    if !beyond.is_empty() {
        println!("\nBeyond NumPy (f64): time / the plain `cumprod_axis_into` of the same layout\n");
        println!("| case | mask | segments | groups | scaled |");
        println!("|---|---|---|---|---|");
        for row in beyond {
            let cells: Vec<String> = row.ratios.iter().map(|&r| fmt_ratio(r)).collect();
            println!("| {} | {} |", row.label, cells.join(" | "));
        }
        let names = ["mask", "segments", "groups", "scaled"];
        for (j, name) in names.iter().enumerate() {
            let worst = beyond
                .iter()
                .max_by(|a, b| a.ratios[j].partial_cmp(&b.ratios[j]).expect("numbers"))
                .expect("rows");
            let target = BEYOND_TARGETS[j].map_or(String::from("none"), |t| format!("{t}x"));
            println!(
                "- {name}: worst {} on {} (target {target})",
                fmt_ratio(worst.ratios[j]),
                worst.label
            );
        }
    }

    println!("\nSmall arrays: `cumprod_axis` against ndarray's `cumprod` (the fixed cost of a call counts)\n");
    println!("| case | ours (ns) | ndarray/ours |");
    println!("|---|---|---|");
    let mut small: Vec<&SmallRow> = small.iter().collect();
    small.sort_by(|a, b| {
        b.ndarray_over_ours
            .partial_cmp(&a.ndarray_over_ours)
            .expect("numbers")
    });
    for row in &small {
        println!(
            "| {} | {:.0} | {} |",
            row.label,
            row.ours_ns,
            fmt_ratio(row.ndarray_over_ours)
        );
    }
}

/// A horizontal bar chart of the large-array table: three bars per case (four
/// with NumPy's ratio to its own copy, from `--numpy`) and the targets as
/// marks.
fn svg(rows: &[Row], len: usize, numpy: &NumpyTimes) -> String {
    let bar = 5.0;
    let row_height = 4.0 * bar + 6.0;
    let left = 330.0;
    let width = 560.0;
    let max_ratio = 4.0f64;
    let scale = width / max_ratio;
    let top = 60.0;
    let height = top + row_height * rows.len() as f64 + 40.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{height}" font-family="sans-serif" font-size="11">"#,
        w = left + width + 20.0
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="10" y="18" font-size="14">ndarray-cumprod: time relative to a plain copy ({len} elements, medians; shorter is faster)</text>"#
    );
    let legend = [
        ("#1f77b4", "into / copy"),
        ("#2ca02c", "inplace / copy"),
        ("#ff7f0e", "alloc / to_owned"),
        ("#7f7f7f", "NumPy out= / NumPy copy"),
        ("#d62728", "target (tick)"),
    ];
    for (i, (colour, name)) in legend.iter().enumerate() {
        let x = 10.0 + 120.0 * i as f64 + if i > 3 { 60.0 } else { 0.0 };
        let _ = writeln!(
            s,
            r#"<rect x="{x}" y="30" width="10" height="10" fill="{colour}"/><text x="{}" y="39">{name}</text>"#,
            x + 14.0
        );
    }
    for tick in 0..=(max_ratio as usize) {
        let x = left + tick as f64 * scale;
        let _ = writeln!(
            s,
            r##"<line x1="{x}" y1="{top}" x2="{x}" y2="{}" stroke="#ccc"/><text x="{x}" y="{}" text-anchor="middle">{tick}x</text>"##,
            height - 35.0,
            height - 22.0
        );
    }
    for (i, row) in rows.iter().enumerate() {
        let y = top + row_height * i as f64;
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            left - 6.0,
            y + 1.5 * bar + 4.0,
            row.label()
        );
        let numpy_ratio = numpy.get(&row.label()).map(|t| t[1] / t[0]);
        let bars = [
            (Some(row.into), "#1f77b4", Some(row.class.target())),
            (row.inplace, "#2ca02c", Some(row.class.target())),
            (Some(row.alloc), "#ff7f0e", Some(ALLOC_TARGET)),
            (numpy_ratio, "#7f7f7f", None),
        ];
        for (j, (ratio, colour, target)) in bars.iter().enumerate() {
            let Some(ratio) = ratio else { continue };
            let by = y + j as f64 * bar;
            let w = (ratio.min(max_ratio) * scale).max(1.0);
            let _ = writeln!(
                s,
                r#"<rect x="{left}" y="{by}" width="{w:.1}" height="{}" fill="{colour}"><title>{:.2}x</title></rect>"#,
                bar - 1.0,
                ratio
            );
            let Some(target) = target else { continue };
            let tx = left + target * scale;
            let _ = writeln!(
                s,
                r##"<line x1="{tx:.1}" y1="{by}" x2="{tx:.1}" y2="{}" stroke="#d62728" stroke-width="2"/>"##,
                by + bar - 1.0
            );
        }
    }
    s.push_str("</svg>\n");
    s
}

/// Speed-up of the multi-threaded methods over the serial ones (cargo feature
/// `rayon`): serial time / parallel time, medians of paired runs, for a
/// shape of each class with several lanes, then for arrays under the
/// threshold of 65,536 elements, which the `par_` methods scan serially.
#[cfg(feature = "rayon")]
fn thread_report(len: usize, reps: usize) {
    println!(
        "\nThreads: serial time / `par_` time ({} threads, f64), medians\n",
        rayon::current_num_threads()
    );
    println!("| case | class | into | inplace | alloc |");
    println!("|---|---|---|---|---|");
    let large: [(&[usize], bool); 5] = [
        (&[1024, len / 1024], false),
        (&[1024, len / 1024], true),
        (&[len / 1024, 1024], false),
        (&[4, len / 4], false),
        (&[len / 4, 4], false),
    ];
    for (shape, f_order) in large {
        for k in 0..2 {
            thread_row(shape, f_order, k, reps, |r, base, op| paired(r, base, op));
        }
    }
    println!("\nUnder the threshold (serial in both; the fixed cost of a call counts):\n");
    println!("| case | class | into | inplace | alloc |");
    println!("|---|---|---|---|---|");
    for (shape, f_order) in [
        (&[16usize, 16][..], false),
        (&[64, 64], true),
        (&[255, 256], false),
    ] {
        for k in 0..2 {
            // `paired_small` gives time(base) / time(op): turned over.
            thread_row(shape, f_order, k, reps.max(15), |r, base, op| {
                1.0 / paired_small(r, base, op)
            });
        }
    }
}

/// How [`thread_row`] times a pair: repetitions, base, op.
#[cfg(feature = "rayon")]
type PairFn = fn(usize, &mut dyn FnMut(), &mut dyn FnMut()) -> f64;

/// One row of [`thread_report`], timed with `pair`, which gives the median
/// of time(op) / time(base) (as `paired`; calls too short to time one at a
/// time use `paired_small`).
#[cfg(feature = "rayon")]
fn thread_row(shape: &[usize], f_order: bool, k: usize, reps: usize, pair: PairFn) {
    use ndarray_cumprod::ParCumprodExt;
    use std::cell::RefCell;
    let a = make::<f64>(shape, f_order)
        .into_dimensionality::<Ix2>()
        .unwrap();
    // Both sides write the same array: with an array each, where the two
    // happened to lie in memory could make one side of a small array several
    // percent slower than the other.
    let out = RefCell::new(a.clone());
    let into = 1.0
        / pair(
            reps,
            &mut || {
                a.cumprod_axis_into(Axis(k), &mut *out.borrow_mut())
                    .unwrap()
            },
            &mut || {
                a.par_cumprod_axis_into(Axis(k), &mut *out.borrow_mut())
                    .unwrap()
            },
        );
    let inplace = 1.0
        / pair(
            reps,
            &mut || out.borrow_mut().cumprod_axis_inplace(Axis(k)),
            &mut || out.borrow_mut().par_cumprod_axis_inplace(Axis(k)),
        );
    let alloc = 1.0
        / pair(reps, &mut || drop(a.cumprod_axis(Axis(k))), &mut || {
            drop(a.par_cumprod_axis(Axis(k)))
        });
    println!(
        "| f64 {shape:?} {} axis={k} | {} | {} | {} | {} |",
        if f_order { 'F' } else { 'C' },
        class(shape, f_order, Some(k)).name(),
        fmt_ratio(into),
        fmt_ratio(inplace),
        fmt_ratio(alloc)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let svg_path = args
        .iter()
        .position(|a| a == "--svg")
        .map(|i| args.get(i + 1).expect("--svg needs a path").clone());
    let verbose = args.iter().any(|a| a == "--verbose");
    let numpy = args
        .iter()
        .position(|a| a == "--numpy")
        .map(|i| read_numpy(args.get(i + 1).expect("--numpy needs a path")))
        .unwrap_or_default();
    // Any other argument selects the layouts whose name contains it, e.g. "f64 [4, ".
    let filter: Vec<String> = args
        .iter()
        .enumerate()
        .filter(|&(i, a)| {
            !a.starts_with("--") && (i == 0 || (args[i - 1] != "--svg" && args[i - 1] != "--numpy"))
        })
        .map(|(_, a)| a.clone())
        .collect();
    let (len, reps) = if quick { (1 << 16, 5) } else { (1 << 23, 7) };

    let mut rows = Vec::new();
    let mut beyond = Vec::new();
    large_rows::<f64>(len, reps, &filter, verbose, &mut rows, &mut beyond);
    large_rows::<i64>(len, reps, &filter, verbose, &mut rows, &mut beyond);
    let mut small = Vec::new();
    if filter.is_empty() || filter.iter().any(|f| f == "small") {
        small_rows::<f64>(if quick { 3 } else { 15 }, &mut small);
        small_rows::<i64>(if quick { 3 } else { 15 }, &mut small);
    }
    print_report(&mut rows, &small, &beyond, len, &numpy);
    #[cfg(feature = "rayon")]
    if args.iter().any(|a| a == "--threads") {
        thread_report(len, reps);
    }
    if let Some(path) = svg_path {
        std::fs::write(&path, svg(&rows, len, &numpy)).expect("the SVG file can be written");
        println!("\nWrote {path}");
    }
}
