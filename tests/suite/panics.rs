//! What a panicking multiplication leaves behind, as the docs of `CumprodExt`
//! state it: an `_into` output partly written (each element its old value or
//! its final one), an array scanned in place with each element old or final
//! (for `exclusive`, also the value of its neighbour, shifted into place, or
//! the identity), nothing leaked and nothing dropped twice.

use crate::common;

use std::cell::Cell;
use std::ops::Mul;
use std::panic::{catch_unwind, AssertUnwindSafe};

use common::Layout;
use ndarray::{ArrayD, Axis, Dimension, IxDyn};
use ndarray_cumprod::{Cumprod, CumprodExt};
use num_traits::One;

thread_local! {
    /// Values of `Bomb` alive on this thread (tests run in parallel).
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

/// An integer whose multiplication panics when an operand is armed; it counts
/// its live values, so that a leak or a double drop shows.
#[derive(Debug)]
struct Bomb {
    value: i64,
    armed: bool,
}

impl Bomb {
    fn new(value: i64, armed: bool) -> Self {
        LIVE.with(|n| n.set(n.get() + 1));
        Bomb { value, armed }
    }
}

impl Clone for Bomb {
    fn clone(&self) -> Self {
        Bomb::new(self.value, self.armed)
    }
}

impl Drop for Bomb {
    fn drop(&mut self) {
        LIVE.with(|n| n.set(n.get() - 1));
    }
}

impl Mul for Bomb {
    type Output = Bomb;
    fn mul(self, rhs: Bomb) -> Bomb {
        assert!(!self.armed && !rhs.armed, "armed");
        Bomb::new(self.value.wrapping_mul(rhs.value), false)
    }
}

impl One for Bomb {
    fn one() -> Self {
        Bomb::new(1, false)
    }
}

/// Keeps the bombs' own panics out of the test output; every other panic
/// (a failed assertion) is reported as usual.
fn quiet_bombs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<&str>() != Some(&"armed") {
                report(info);
            }
        }));
    });
}

fn live() -> isize {
    LIVE.with(Cell::get)
}

/// The values `2 + i % 3` of a shape, with the element `armed` armed.
fn input(shape: &[usize], armed: usize) -> ArrayD<Bomb> {
    let mut i = 0;
    ArrayD::from_shape_simple_fn(IxDyn(shape), || {
        i += 1;
        Bomb::new(2 + (i as i64 - 1) % 3, i - 1 == armed)
    })
}

fn values(a: &ArrayD<Bomb>) -> ArrayD<i64> {
    a.map(|b| b.value)
}

/// Every option that keeps the shape, along every axis, on every layout, with
/// the bomb at every position: in place and into a fresh output.
#[test]
fn a_panicking_multiplication_leaves_old_or_final_values() {
    quiet_bombs();
    let shape = [3, 4, 2];
    let len: usize = shape.iter().product();
    let before = live();
    let mut panics = 0;
    for layout in [
        Layout::c(3),
        Layout::f(3),
        Layout::step2(3),
        Layout::reversed(3),
    ] {
        for axis in 0..3 {
            for (reverse, exclusive) in [(false, false), (true, false), (false, true), (true, true)]
            {
                let mut how = Cumprod::along(Axis(axis));
                if reverse {
                    how = how.reverse();
                }
                if exclusive {
                    how = how.exclusive();
                }
                // Every position for the bomb; under Miri, every fifth.
                for armed in (0..len).step_by(if cfg!(miri) { 5 } else { 1 }) {
                    let x = input(&shape, armed);
                    let old = values(&x);
                    // The final values: the same scan, disarmed.
                    let safe = x.map(|b| Bomb::new(b.value, false));
                    let fin = values(&safe.cumprod_with(how));
                    drop(safe);

                    // The values an element may hold after the panic: old,
                    // final, and for exclusive the neighbour shifted into its
                    // place or the identity.
                    let allowed = |index: &IxDyn| {
                        let mut allowed = vec![old[index], fin[index]];
                        if exclusive {
                            allowed.push(1);
                            let mut from = index.slice().to_vec();
                            let n = shape[axis];
                            match (reverse, from[axis]) {
                                (false, i) if i > 0 => from[axis] = i - 1,
                                (true, i) if i + 1 < n => from[axis] = i + 1,
                                _ => {}
                            }
                            allowed.push(old[IxDyn(&from)]);
                        }
                        allowed
                    };

                    let mut a = layout.build(&x, Bomb::new(0, false));
                    let result = catch_unwind(AssertUnwindSafe(|| a.cumprod_with_inplace(how)));
                    panics += usize::from(result.is_err());
                    for (index, got) in values(&a).indexed_iter() {
                        let allowed = allowed(&index);
                        assert!(
                            allowed.contains(got),
                            "{how:?}, bomb at {armed}, in place: {got} at {index:?}, allowed {allowed:?}"
                        );
                    }

                    // Into an output: untouched (-1), or as in place.
                    let blank = x.map(|_| Bomb::new(-1, false));
                    let mut out = layout.build(&blank, Bomb::new(0, false));
                    let result =
                        catch_unwind(AssertUnwindSafe(|| x.cumprod_with_into(how, &mut out)));
                    panics += usize::from(result.is_err());
                    for (index, got) in values(&out).indexed_iter() {
                        let mut allowed = allowed(&index);
                        allowed.push(-1);
                        assert!(
                            allowed.contains(got),
                            "{how:?}, bomb at {armed}, into: {got} at {index:?}, allowed {allowed:?}"
                        );
                    }
                }
            }
        }
    }
    assert!(panics > 20, "the bomb went off {panics} times");
    assert_eq!(live(), before, "every value dropped exactly once");
}

/// The allocating forms return nothing on a panic, and leak nothing.
#[test]
fn allocating_forms_leak_nothing_on_a_panic() {
    quiet_bombs();
    let before = live();
    for armed in 0..6 {
        let x = input(&[2, 3], armed);
        for how in [
            Cumprod::along(Axis(0)),
            Cumprod::along(Axis(1)).reverse(),
            Cumprod::along(Axis(1)).include_initial(),
        ] {
            let _ = catch_unwind(AssertUnwindSafe(|| x.cumprod_with(how)));
        }
        let _ = catch_unwind(AssertUnwindSafe(|| x.cumprod_axis(Axis(1))));
        let _ = catch_unwind(AssertUnwindSafe(|| x.cumprod_flat()));
        let _ = catch_unwind(AssertUnwindSafe(|| x.t().cumprod_flat()));
    }
    assert_eq!(live(), before, "every value dropped exactly once");
}
