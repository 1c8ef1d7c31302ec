//! The stack that the scans of large outputs need, as the crate documents it
//! (crate docs, "Stack use"): the rows of an output of 16 MiB or more keep
//! their running products on the stack (on x86-64, where such outputs are
//! streamed), `axis=None` over a transposed order a block of elements, and
//! every such scan must run on a thread of 512 KiB in an optimised build,
//! 1 MiB in a debug build, whose copies of the band take more. A stack
//! overflow aborts the test binary, so a failure here is the whole binary
//! failing.

use crate::common;

use ndarray::{Array1, Array2, Axis, ShapeBuilder};
use ndarray_cumprod::{Cumprod, CumprodExt, Scaled};

/// The stack the crate docs promise is enough.
const STACK: usize = if cfg!(debug_assertions) {
    1 << 20
} else {
    512 << 10
};

/// 2 Mi elements, 16 MiB of `f64`: rows of 1,024 along axis 0.
const ROWS: usize = 2048;
const COLS: usize = 1024;

#[test]
fn large_outputs_scan_on_the_documented_stack() {
    common::on_stack(STACK, || {
        let a = Array2::from_shape_fn(
            (ROWS, COLS),
            |(i, j)| if (i + j) % 3 == 0 { -1.0 } else { 1.0 },
        );
        let sign = |i: usize, j: usize| {
            // The product of column j down to row i: -1 for each factor of -1.
            let negatives = (0..=i).filter(|&r| (r + j) % 3 == 0).count();
            if negatives % 2 == 0 {
                1.0
            } else {
                -1.0
            }
        };
        let last = ROWS - 1;
        // Rows, forward and reverse, masked and segmented.
        let mut out = Array2::<f64>::zeros((ROWS, COLS));
        a.cumprod_axis_into(Axis(0), &mut out).unwrap();
        assert_eq!(out[[last, 5]], sign(last, 5));
        a.cumprod_with_into(Cumprod::along(Axis(0)).reverse(), &mut out)
            .unwrap();
        assert_eq!(out[[last, 5]], a[[last, 5]]);
        let flags = Array2::from_elem((ROWS, COLS), true);
        a.cumprod_with_into(Cumprod::along(Axis(0)).mask(&flags), &mut out)
            .unwrap();
        assert_eq!(out[[last, 5]], sign(last, 5));
        a.cumprod_with_into(Cumprod::along(Axis(0)).segments(&flags), &mut out)
            .unwrap();
        assert_eq!(out, a);
        // Integers.
        let b = a.mapv(|x| x as i64);
        let mut ints = Array2::<i64>::zeros((ROWS, COLS));
        b.cumprod_axis_into(Axis(0), &mut ints).unwrap();
        assert_eq!(ints[[last, 5]], sign(last, 5) as i64);
        // Short lanes of integers, a group of four at a time in a buffer on
        // the stack (8 KiB).
        let short = b.into_shape_with_order((ROWS * COLS / 64, 64)).unwrap();
        let mut ints = Array2::<i64>::zeros(short.dim());
        short.cumprod_axis_into(Axis(1), &mut ints).unwrap();
        let lane = short.row(1).iter().product::<i64>();
        assert_eq!(ints[[1, 63]], lane);
        // Rows of 4 along axis 0, through a buffer on the stack (2 KiB).
        let narrow = a
            .clone()
            .into_shape_with_order((ROWS * COLS / 4, 4))
            .unwrap();
        let mut rows = Array2::<f64>::zeros(narrow.dim());
        narrow.cumprod_axis_into(Axis(0), &mut rows).unwrap();
        let column = narrow.column(2).iter().product::<f64>();
        assert_eq!(rows[[ROWS * COLS / 4 - 1, 2]], column);
        // And in reverse, of integers.
        let narrow = narrow.mapv(|x| x as i64);
        let mut rows = Array2::<i64>::zeros(narrow.dim());
        narrow
            .cumprod_with_into(Cumprod::along(Axis(0)).reverse(), &mut rows)
            .unwrap();
        assert_eq!(rows[[0, 2]], column as i64);
        // Reverse lanes of 4, through the same buffer.
        let mut lanes = Array2::<f64>::zeros(narrow.dim());
        let narrow = narrow.mapv(|x| x as f64);
        narrow
            .cumprod_with_into(Cumprod::along(Axis(1)).reverse(), &mut lanes)
            .unwrap();
        assert_eq!(lanes[[1, 0]], narrow.row(1).iter().product::<f64>());
        // `Scaled<f64>`, 16 bytes an element: the largest band.
        let mut scaled = Array2::from_elem((ROWS, COLS), Scaled::from(0.0));
        a.cumprod_axis_into(Axis(0), &mut scaled).unwrap();
        assert_eq!(scaled[[last, 5]].to_float(), sign(last, 5));
        // `axis=None` over F order: the transposition's block on the stack
        // (its staged bands are on the heap).
        let f = a.t().as_standard_layout().into_owned().reversed_axes();
        assert!(f.t().is_standard_layout());
        let mut flat = Array1::<f64>::zeros(ROWS * COLS);
        f.cumprod_flat_into(&mut flat).unwrap();
        assert_eq!(flat[ROWS * COLS - 1], a.iter().product::<f64>());
        // And the same array along its contiguous lanes.
        let mut out_f = Array2::<f64>::zeros((ROWS, COLS).f());
        f.cumprod_axis_into(Axis(0), &mut out_f).unwrap();
        assert_eq!(out_f[[last, 5]], sign(last, 5));
    });
}
