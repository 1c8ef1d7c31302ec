//! The crate used the way a downstream crate uses it: only the public API,
//! from outside, porting three short NumPy workflows and checking their
//! numbers.
//!
//! 1. Compound growth of a portfolio from a table of period returns:
//!    `wealth = (1 + r).cumprod(axis=0)`.
//! 2. Survival curves from per-step hazards, starting at 1 as plotted:
//!    `np.cumulative_prod(1 - h, axis=1, include_initial=True)`.
//! 3. The running product of 2-D transforms, a user type: `R_0 @ R_1 @ ... @ R_k`.

use std::ops::Mul;

use approx::assert_abs_diff_eq;
use ndarray::{array, s, Array1, Array2, ArrayRef2, Axis};
use ndarray_cumprod::{Cumprod, CumprodExt};

/// Wealth paths of one unit invested in each asset (columns), period by
/// period (rows): NumPy's `(1 + returns).cumprod(axis=0)`.
fn wealth(returns: &ArrayRef2<f64>) -> Array2<f64> {
    returns.mapv(|r| 1.0 + r).cumprod_axis(Axis(0))
}

/// The largest fall from a running peak, for each column.
fn max_drawdown(wealth: &ArrayRef2<f64>) -> Array1<f64> {
    wealth
        .axis_iter(Axis(1))
        .map(|path| {
            let mut peak = f64::MIN;
            path.iter().fold(0.0_f64, |worst, &w| {
                peak = peak.max(w);
                worst.max(1.0 - w / peak)
            })
        })
        .collect()
}

#[test]
fn compound_growth_from_period_returns() {
    // Returns chosen so that every product is exact in binary floating point.
    let returns = array![
        [0.5, 0.0, -0.25],
        [-0.5, 0.25, 0.5],
        [0.25, 0.25, -0.5],
        [1.0, -0.5, 1.0],
    ];
    let w = wealth(&returns);
    assert_eq!(
        w,
        array![
            [1.5, 1.0, 0.75],
            [0.75, 1.25, 1.125],
            [0.9375, 1.5625, 0.5625],
            [1.875, 0.78125, 1.125],
        ]
    );
    // The final row is the total growth; the worst peak-to-trough fall of the
    // first asset is 1.5 -> 0.75.
    assert_eq!(w.row(3), array![1.875, 0.78125, 1.125]);
    assert_eq!(max_drawdown(&w), array![0.5, 0.5, 0.5]);

    // A real-sized table (12 years of monthly returns for 5 assets): every
    // entry is the plain running product of its column, bit for bit.
    let returns = Array2::from_shape_fn((144, 5), |(t, k)| {
        ((t * 7 + k * 13) % 17) as f64 / 400.0 - 0.015
    });
    let w = wealth(&returns);
    for k in 0..5 {
        let mut running = 1.0;
        for t in 0..144 {
            running *= 1.0 + returns[[t, k]];
            assert_eq!(w[[t, k]].to_bits(), running.to_bits(), "t={t} k={k}");
        }
    }
    // Annualised growth from the last row, as a NumPy user would compute it.
    let years = 12.0;
    let cagr = w.row(143).mapv(|g: f64| g.powf(1.0 / years) - 1.0);
    assert!(cagr.iter().all(|&g| g.is_finite() && g > -0.2 && g < 0.2));
}

#[test]
fn survival_curves_from_hazards() {
    // Three cohorts (rows), four steps (columns): the probability of failing
    // at each step, given survival so far.
    let hazard = array![
        [0.5, 0.5, 0.5, 0.5],
        [0.0, 0.25, 0.5, 1.0],
        [0.125, 0.0, 0.0, 0.875],
    ];
    let surviving = hazard.mapv(|h| 1.0 - h);
    let curve = surviving.cumprod_with(&Cumprod::along(Axis(1)).include_initial());
    assert_eq!(
        curve,
        array![
            [1.0, 0.5, 0.25, 0.125, 0.0625],
            [1.0, 1.0, 0.75, 0.375, 0.0],
            [1.0, 0.875, 0.875, 0.875, 0.109375],
        ]
    );
    // The curve without its leading 1 is the plain cumprod.
    assert_eq!(curve.slice(s![.., 1..]), surviving.cumprod_axis(Axis(1)));
    // Median survival time: the first step where the curve drops to 0.5 or less.
    let median: Vec<Option<usize>> = curve
        .rows()
        .into_iter()
        .map(|row| row.iter().position(|&p| p <= 0.5))
        .collect();
    assert_eq!(median, vec![Some(1), Some(3), Some(4)]);

    // Chunked, as data arriving day by day would be: the curve so far is the
    // carry of the next day, and the result is the same.
    let first = surviving.slice(s![.., ..2]).cumprod_axis(Axis(1));
    let carry = first.column(1).to_owned();
    let rest = surviving
        .slice(s![.., 2..])
        .cumprod_with(&Cumprod::along(Axis(1)).carry(&carry));
    assert_eq!(rest, curve.slice(s![.., 3..]));
}

/// A 2-D affine transform `x -> m x + t`, the kind of user type a graphics or
/// robotics crate has. Composition does not commute.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Transform {
    m: [[f64; 2]; 2],
    t: [f64; 2],
}

impl Transform {
    fn rotation(degrees: f64) -> Self {
        let (s, c) = degrees.to_radians().sin_cos();
        Transform {
            m: [[c, -s], [s, c]],
            t: [0.0, 0.0],
        }
    }

    fn translation(x: f64, y: f64) -> Self {
        Transform {
            m: [[1.0, 0.0], [0.0, 1.0]],
            t: [x, y],
        }
    }

    fn apply(&self, p: [f64; 2]) -> [f64; 2] {
        [
            self.m[0][0] * p[0] + self.m[0][1] * p[1] + self.t[0],
            self.m[1][0] * p[0] + self.m[1][1] * p[1] + self.t[1],
        ]
    }
}

/// `self * rhs` applies `rhs` first, then `self`, as matrices do.
impl Mul for Transform {
    type Output = Transform;
    fn mul(self, rhs: Transform) -> Transform {
        let mut m = [[0.0; 2]; 2];
        for (i, row) in m.iter_mut().enumerate() {
            for (j, x) in row.iter_mut().enumerate() {
                *x = self.m[i][0] * rhs.m[0][j] + self.m[i][1] * rhs.m[1][j];
            }
        }
        let t = self.apply(rhs.t);
        Transform { m, t }
    }
}

#[test]
fn running_product_of_transforms() {
    // A robot arm of twelve joints, each turning 30 degrees: the pose of
    // joint k is R_0 @ ... @ R_k, a rotation by 30 (k + 1) degrees.
    let joints = Array1::from_elem(12, Transform::rotation(30.0));
    let poses = joints.cumprod_axis(Axis(0));
    for (k, pose) in poses.iter().enumerate() {
        let expected = Transform::rotation(30.0 * (k + 1) as f64);
        for i in 0..2 {
            for j in 0..2 {
                assert_abs_diff_eq!(pose.m[i][j], expected.m[i][j], epsilon = 1e-12);
            }
        }
    }
    // After a full turn the arm points where it started.
    let end = poses[11].apply([1.0, 0.0]);
    assert_abs_diff_eq!(end[0], 1.0, epsilon = 1e-12);
    assert_abs_diff_eq!(end[1], 0.0, epsilon = 1e-12);

    // Links of length 1 after each joint: the order of the products matters,
    // and the tip of link k is pose_k applied to the origin.
    let links = array![
        Transform::rotation(90.0) * Transform::translation(1.0, 0.0),
        Transform::rotation(-90.0) * Transform::translation(1.0, 0.0),
        Transform::rotation(90.0) * Transform::translation(1.0, 0.0),
    ];
    let tips: Vec<[f64; 2]> = links
        .cumprod_axis(Axis(0))
        .iter()
        .map(|pose| pose.apply([0.0, 0.0]))
        .collect();
    let expected = [[0.0, 1.0], [1.0, 1.0], [1.0, 2.0]];
    for (tip, want) in tips.iter().zip(expected) {
        assert_abs_diff_eq!(tip[0], want[0], epsilon = 1e-12);
        assert_abs_diff_eq!(tip[1], want[1], epsilon = 1e-12);
    }
    // The other order would give another arm (its second tip is at (1, -1)):
    // a check that the crate multiplies `previous * current`.
    let poses = links.cumprod_axis(Axis(0));
    assert_eq!(poses[1], links[0] * links[1]);
    assert_ne!(poses[1], links[1] * links[0]);
}
