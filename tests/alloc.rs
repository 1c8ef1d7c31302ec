//! A counting global allocator proves, for fixed-dimension arrays (`Ix1` to
//! `Ix3`) in every layout, that the `_into` and `_inplace` methods allocate
//! nothing and that each allocating method makes exactly one allocation: its
//! output.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use ndarray::{Array, Array1, Array2, Array3, ArrayView, Axis, Dimension, ShapeBuilder, Slice};
use ndarray_cumprod::CumprodExt;

/// Counts the allocations made by the current thread (tests run in parallel).
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counter is a thread-local `Cell` with a const initialiser, so updating it
// neither allocates nor re-enters the allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The number of allocations `f` makes on this thread, and its result.
fn allocations<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = ALLOCATIONS.with(Cell::get);
    let result = f();
    (ALLOCATIONS.with(Cell::get) - before, result)
}

/// Every method on `a`, with outputs prepared beforehand, counting allocations.
fn check<D: Dimension>(
    a: &ArrayView<'_, f64, D>,
    out: &mut Array<f64, D>,
    scratch: &mut Array<f64, D>,
) {
    let mut flat = Array1::<f64>::zeros(a.len());
    let label = format!("shape {:?} strides {:?}", a.shape(), a.strides());

    let (n, result) = allocations(|| a.cumprod_flat());
    assert_eq!((n, result.len()), (1, a.len()), "cumprod_flat, {label}");
    let (n, _) = allocations(|| a.cumprod_flat_as::<f64>());
    assert_eq!(n, 1, "cumprod_flat_as, {label}");
    let (n, result) = allocations(|| a.cumprod_flat_into(&mut flat));
    assert_eq!((n, result), (0, Ok(())), "cumprod_flat_into, {label}");

    for k in 0..a.ndim() {
        let (n, _) = allocations(|| a.cumprod_axis(Axis(k)));
        assert_eq!(n, 1, "cumprod_axis({k}), {label}");
        let (n, _) = allocations(|| a.cumprod_axis_as::<f64>(Axis(k)));
        assert_eq!(n, 1, "cumprod_axis_as({k}), {label}");
        let (n, result) = allocations(|| a.cumprod_axis_into(Axis(k), out));
        assert_eq!((n, result), (0, Ok(())), "cumprod_axis_into({k}), {label}");
        scratch.assign(a);
        let (n, ()) = allocations(|| scratch.cumprod_axis_inplace(Axis(k)));
        assert_eq!(n, 0, "cumprod_axis_inplace({k}), {label}");
        let mut view = scratch.view_mut();
        let (n, ()) = allocations(|| view.cumprod_axis_inplace(Axis(k)));
        assert_eq!(n, 0, "cumprod_axis_inplace({k}) on a view, {label}");
    }
}

/// C, F, strided and reversed views of `base`, each with a C and an F output.
fn check_layouts<D: Dimension>(base: Array<f64, D>) {
    let mut f = Array::<f64, D>::zeros(base.raw_dim().f());
    f.assign(&base);
    let mut stepped = base.clone();
    stepped.slice_each_axis_inplace(|_| Slice::new(0, None, 2));
    let mut reversed = base.clone();
    reversed.invert_axis(Axis(0));
    for a in [base.view(), f.view(), stepped.view(), reversed.view()] {
        for f_out in [false, true] {
            let mut out = Array::<f64, D>::zeros(a.raw_dim().set_f(f_out));
            let mut scratch = Array::<f64, D>::zeros(a.raw_dim().set_f(f_out));
            check(&a, &mut out, &mut scratch);
        }
    }
}

#[test]
fn one_dimension() {
    check_layouts(Array1::from_shape_fn(64, |i| 1.0 + i as f64 / 64.0));
}

#[test]
fn two_dimensions() {
    check_layouts(Array2::from_shape_fn((6, 10), |(i, j)| {
        1.0 + (i + j) as f64 / 16.0
    }));
}

#[test]
fn three_dimensions() {
    check_layouts(Array3::from_shape_fn((4, 6, 8), |(i, j, k)| {
        1.0 + (i + j + k) as f64 / 32.0
    }));
}

#[test]
fn the_counter_sees_allocations() {
    let (n, v) = allocations(|| vec![1_u8; 16]);
    assert_eq!((n, v.len()), (1, 16));
}
