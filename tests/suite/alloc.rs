//! A counting global allocator proves, for fixed-dimension arrays (`Ix1` to
//! `Ix3`) in every layout, that the `_into` and `_inplace` methods allocate
//! nothing, with every option of `Cumprod`, and that each plain allocating
//! method makes exactly one allocation: its output. For `IxDyn` arrays of more
//! than 4 axes, whose views keep their shape and strides on the heap, the
//! `_into` and `_inplace` methods make a few small allocations that do not
//! grow with the data.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use ndarray::{
    Array, Array1, Array2, Array3, ArrayD, ArrayView, Axis, Dimension, IxDyn, ShapeBuilder, Slice,
};
use ndarray_cumprod::{Cumprod, CumprodExt};

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
        let (n, result) = allocations(|| a.nancumprod_axis_into(Axis(k), out));
        assert_eq!(
            (n, result),
            (0, Ok(())),
            "nancumprod_axis_into({k}), {label}"
        );
        let (n, ()) = allocations(|| scratch.nancumprod_axis_inplace(Axis(k)));
        assert_eq!(n, 0, "nancumprod_axis_inplace({k}), {label}");
        // Not under Miri, which runs about a thousand times slower: the
        // options forms run there in family.rs and contract.rs.
        if !cfg!(miri) {
            check_options(a, out, scratch, k, &label);
        }
    }
    let (n, result) = allocations(|| a.nancumprod_flat_into(&mut flat));
    assert_eq!((n, result), (0, Ok(())), "nancumprod_flat_into, {label}");
}

/// The options forms along axis `k`: every combination of direction, output
/// and start, into `out` (or an output one longer along `k`) and in place,
/// plain, NaN-skipping and checked (on the values rounded to integers).
fn check_options<D: Dimension>(
    a: &ArrayView<'_, f64, D>,
    out: &mut Array<f64, D>,
    scratch: &mut Array<f64, D>,
    k: usize,
    label: &str,
) {
    let mut others = a.shape().to_vec();
    others.remove(k);
    let carry = ArrayD::<f64>::from_elem(IxDyn(&others), 1.5);
    let int_carry = carry.mapv(|x| x as i64);
    let mut longer = a.raw_dim();
    longer[k] += 1;
    let mut grown = Array::<f64, D>::zeros(longer);
    let ints = a.mapv(|x| (x * 4.0) as i64 % 3 + 1);
    let mut int_out = Array::<i64, D>::zeros(a.raw_dim());
    let mut int_grown = grown.mapv(|x| x as i64);
    let mut int_scratch = ints.clone();
    let along = Cumprod::along(Axis(k));
    for reverse in [false, true] {
        let base = if reverse { along.reverse() } else { along };
        for output in 0..3 {
            let how = match output {
                1 => base.exclusive(),
                2 => base.include_initial(),
                _ => base,
            };
            let starts = [how.typed(), how.initial(2.0), how.carry(&carry)];
            let int_starts = [how.typed(), how.initial(2_i64), how.carry(&int_carry)];
            for (start, (how, int_how)) in starts.iter().zip(&int_starts).enumerate() {
                let what = format!("{how:?} (start {start}), {label}");
                let target = if output == 2 { &mut grown } else { &mut *out };
                let (n, result) = allocations(|| a.cumprod_with_into(how, &mut *target));
                assert_eq!((n, result), (0, Ok(())), "cumprod_with_into {what}");
                let (n, result) = allocations(|| a.nancumprod_with_into(how, &mut *target));
                assert_eq!((n, result), (0, Ok(())), "nancumprod_with_into {what}");
                let int_target = if output == 2 {
                    &mut int_grown
                } else {
                    &mut int_out
                };
                let (n, result) =
                    allocations(|| ints.cumprod_checked_into(int_how, &mut *int_target));
                assert_eq!((n, result), (0, Ok(())), "cumprod_checked_into {what}");
                if output != 2 {
                    let (n, ()) = allocations(|| scratch.cumprod_with_inplace(how));
                    assert_eq!(n, 0, "cumprod_with_inplace {what}");
                    let (n, ()) = allocations(|| scratch.nancumprod_with_inplace(how));
                    assert_eq!(n, 0, "nancumprod_with_inplace {what}");
                    int_scratch.assign(&ints);
                    let (n, result) = allocations(|| int_scratch.cumprod_checked_inplace(int_how));
                    assert_eq!((n, result), (0, Ok(())), "cumprod_checked_inplace {what}");
                }
            }
        }
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
    // Under Miri, the C and the reversed layouts only.
    let views = if cfg!(miri) {
        vec![base.view(), reversed.view()]
    } else {
        vec![base.view(), f.view(), stepped.view(), reversed.view()]
    };
    for a in views {
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
    // Under Miri, which runs about a thousand times slower, a smaller array.
    let shape = if cfg!(miri) { (2, 3, 4) } else { (4, 6, 8) };
    check_layouts(Array3::from_shape_fn(shape, |(i, j, k)| {
        1.0 + (i + j + k) as f64 / 32.0
    }));
}

/// `IxDyn` arrays of more than 4 axes keep the shape and strides of every
/// view on the heap: the `_into` and `_inplace` methods then make a few small
/// allocations, as many for a large array as for a small one.
#[test]
fn dynamic_arrays_of_many_axes_make_a_few_small_allocations() {
    let counts = |shape: &[usize]| {
        let a = ArrayD::from_shape_fn(IxDyn(shape), |i| 1.0 + i[0] as f64 / 64.0);
        let mut out = ArrayD::<f64>::zeros(IxDyn(shape));
        let mut scratch = a.clone();
        let how = Cumprod::along(Axis(1)).reverse();
        vec![
            allocations(|| a.cumprod_axis_into(Axis(1), &mut out)).0,
            allocations(|| scratch.cumprod_axis_inplace(Axis(1))).0,
            allocations(|| a.cumprod_with_into(how, &mut out)).0,
            allocations(|| scratch.cumprod_with_inplace(how)).0,
        ]
    };
    let small = counts(&[2, 2, 2, 2, 2]);
    let large = counts(&[4, 6, 5, 7, 9]);
    assert_eq!(small, large, "allocations do not grow with the data");
    assert!(
        large.iter().all(|&n| n <= 16),
        "a few small allocations: {large:?}"
    );
    // Up to 4 axes, `IxDyn` keeps them inline: nothing is allocated.
    let a = ArrayD::from_elem(IxDyn(&[3, 4, 5, 6]), 1.5);
    let mut out = ArrayD::<f64>::zeros(IxDyn(&[3, 4, 5, 6]));
    assert_eq!(allocations(|| a.cumprod_axis_into(Axis(2), &mut out)).0, 0);
}

/// Outputs of 16 MiB or more, which the `_into` methods write with
/// streaming stores on x86-64 (rows and long float lanes), allocate nothing
/// either: the running products of a row are kept on the stack.
#[test]
#[cfg_attr(miri, ignore = "16 MiB arrays, hours under Miri")]
fn large_outputs_allocate_nothing() {
    let a = Array2::from_shape_fn((2048, 1024), |(i, j)| 1.0 + ((i + j) % 7) as f64 / 64.0);
    let mut out = Array2::<f64>::zeros((2048, 1024));
    for k in 0..2 {
        let (n, result) = allocations(|| a.cumprod_axis_into(Axis(k), &mut out));
        assert_eq!((n, result), (0, Ok(())), "f64 along axis {k}");
        let (n, result) = allocations(|| a.nancumprod_axis_into(Axis(k), &mut out));
        assert_eq!((n, result), (0, Ok(())), "NaN-skipping, along axis {k}");
    }
    let a = a.mapv(|x| (x * 64.0) as i32 % 3);
    let mut out = Array2::<i64>::zeros((2048, 1024));
    let (n, result) = allocations(|| a.cumprod_axis_into(Axis(0), &mut out));
    assert_eq!((n, result), (0, Ok(())), "i32 into i64");
}

/// `cumprod_flat_into` of a 16 MiB array in F order: the documented
/// exception, two staging buffers where the output is transposed a band of
/// rows at a time (rows of 1,024), one where it has a few rows (4), none
/// where it is transposed whole (a 3-D array, and rows of 4,104 elements
/// with columns of a page), and none in C order.
#[test]
#[cfg_attr(miri, ignore = "16 MiB arrays, hours under Miri")]
fn large_flat_outputs_over_f_order_allocate_at_most_two_buffers() {
    for (shape, most) in [
        (&[2048_usize, 1024][..], 2),
        (&[4, 524288][..], 1),
        (&[16, 128, 1024][..], 0),
        (&[512, 4104][..], 0),
    ] {
        let len = shape.iter().product();
        let values: Vec<f64> = (0..len).map(|i| 1.0 + (i % 7) as f64 / 64.0).collect();
        let mut flat = Array1::<f64>::zeros(len);
        let f = ArrayD::from_shape_vec(IxDyn(shape).f(), values).unwrap();
        let (n, result) = allocations(|| f.cumprod_flat_into(&mut flat));
        assert!(result.is_ok() && n <= most, "{n} allocations, {shape:?} F");
        let c = f.as_standard_layout().into_owned();
        let (n, result) = allocations(|| c.cumprod_flat_into(&mut flat));
        assert_eq!((n, result), (0, Ok(())), "{shape:?} C");
    }
}

#[test]
fn the_counter_sees_allocations() {
    let (n, v) = allocations(|| vec![1_u8; 16]);
    assert_eq!((n, v.len()), (1, 16));
}
