//! Input arrays shared by the benchmarks and the `layout_report` example (which
//! includes this file with `#[path]`), so that both time the same data.

use std::ops::{Mul, MulAssign};

use ndarray::{ArrayD, IxDyn, ShapeBuilder};

/// An element type of the performance table.
pub trait Element: Copy + Mul<Output = Self> + MulAssign + Send + Sync + 'static {
    /// Its name in the table.
    const NAME: &'static str;
    /// A value for memory position `i`; products of these stay finite and
    /// never become subnormal, so the timings never hit a slow path.
    fn value(i: usize) -> Self;
}

impl Element for f64 {
    const NAME: &'static str = "f64";
    fn value(i: usize) -> f64 {
        1.0 + ((i * 7 + 3) % 17) as f64 * 1e-9
    }
}

impl Element for i64 {
    const NAME: &'static str = "i64";
    fn value(i: usize) -> i64 {
        if i % 5 < 1 {
            -1
        } else {
            1
        }
    }
}

/// A C- or F-order array of `shape`, with `T::value(i)` at memory position `i`.
pub fn make<T: Element>(shape: &[usize], f_order: bool) -> ArrayD<T> {
    let mut a = ArrayD::from_elem(IxDyn(shape).set_f(f_order), T::value(0));
    let data = a
        .as_slice_memory_order_mut()
        .expect("a new array is contiguous");
    for (i, v) in data.iter_mut().enumerate() {
        *v = T::value(i);
    }
    a
}
