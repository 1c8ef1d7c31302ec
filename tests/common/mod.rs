//! Helpers shared by the integration tests: memory layouts, reference loops and
//! element types that only satisfy the crate's minimal bounds.
#![allow(dead_code)] // each test binary uses its own part of this module

pub mod golden;

use std::fmt;
use std::ops::Mul;

use ndarray::{ArrayD, Axis, Dimension, IxDyn, Slice};
use ndarray_cumprod::Cumprod;
use num_complex::Complex64;
use num_traits::One;
use proptest::collection::vec;
use proptest::prelude::*;

/// How an array's elements are placed in memory, independently of its values.
///
/// `perm` lists the logical axes from the slowest-varying in memory to the
/// fastest (identity = C order, reversed = F order); `steps[i]` spreads axis `i`
/// out with that step (the elements in between belong to no one); `inverted[i]`
/// gives axis `i` a negative stride.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub perm: Vec<usize>,
    pub steps: Vec<usize>,
    pub inverted: Vec<bool>,
}

impl Layout {
    /// Standard (C) layout.
    pub fn c(ndim: usize) -> Self {
        Layout {
            perm: (0..ndim).collect(),
            steps: vec![1; ndim],
            inverted: vec![false; ndim],
        }
    }

    /// Fortran (F) layout.
    pub fn f(ndim: usize) -> Self {
        Layout {
            perm: (0..ndim).rev().collect(),
            ..Self::c(ndim)
        }
    }

    /// Every axis sliced with step 2 out of a C array twice as long.
    pub fn step2(ndim: usize) -> Self {
        Layout {
            steps: vec![2; ndim],
            ..Self::c(ndim)
        }
    }

    /// Every axis reversed (negative strides) over C storage.
    pub fn reversed(ndim: usize) -> Self {
        Layout {
            inverted: vec![true; ndim],
            ..Self::c(ndim)
        }
    }

    /// The layouts named in `tests/data/numpy_golden.txt`.
    pub fn named(name: &str, ndim: usize) -> Self {
        match name {
            "C" => Self::c(ndim),
            "F" => Self::f(ndim),
            "step2" => Self::step2(ndim),
            "reversed" => Self::reversed(ndim),
            "perm" => Layout {
                perm: vec![1, 2, 0],
                ..Self::c(ndim)
            },
            other => panic!("unknown layout {other:?}"),
        }
    }

    /// An owned array with the logical values of `x`, laid out as described. The
    /// elements that the steps skip hold `fill`, so that a kernel reading them by
    /// mistake shows up in the results.
    pub fn build<T: Clone>(&self, x: &ArrayD<T>, fill: T) -> ArrayD<T> {
        let ndim = x.ndim();
        assert_eq!(
            self.perm.len(),
            ndim,
            "layout {self:?} for a {ndim}-d array"
        );
        let full: Vec<usize> = (0..ndim).map(|i| x.shape()[i] * self.steps[i]).collect();
        let storage_shape: Vec<usize> = self.perm.iter().map(|&ax| full[ax]).collect();
        let mut inverse = vec![0; ndim];
        for (position, &ax) in self.perm.iter().enumerate() {
            inverse[ax] = position;
        }
        let mut a = ArrayD::from_elem(IxDyn(&storage_shape), fill).permuted_axes(IxDyn(&inverse));
        a.slice_each_axis_inplace(|d| Slice::new(0, None, self.steps[d.axis.index()] as isize));
        for (ax, &inverted) in self.inverted.iter().enumerate() {
            if inverted {
                a.invert_axis(Axis(ax));
            }
        }
        a.assign(x);
        assert_eq!(a.shape(), x.shape());
        a
    }
}

/// The cumulative product along `axis`, by the definition: visit every index in
/// row-major order; the first element of a lane is the input, every other one is
/// the result at the previous index along `axis` times the input.
pub fn reference_axis<T: Clone + Mul<Output = T>>(x: &ArrayD<T>, axis: usize) -> ArrayD<T> {
    let mut out = x.clone();
    for index in ndarray::indices(x.raw_dim()) {
        if index[axis] > 0 {
            let mut prev = index.clone();
            prev[axis] -= 1;
            out[&index] = out[&prev].clone() * x[&index].clone();
        }
    }
    out
}

/// The flattened cumulative product, by the definition, in row-major order.
pub fn reference_flat<T: Clone + Mul<Output = T>>(x: &ArrayD<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for index in ndarray::indices(x.raw_dim()) {
        let value = x[&index].clone();
        let next = match out.last() {
            Some(prev) => prev.clone() * value,
            None => value,
        };
        out.push(next);
    }
    out
}

/// The bit patterns of floats, so that the sign of zero counts. Every NaN maps
/// to one pattern: Rust leaves the sign and payload of a NaN result unspecified.
pub fn bits<'a, I: IntoIterator<Item = &'a f64>>(values: I) -> Vec<u64> {
    values.into_iter().map(|&v| float_key(v)).collect()
}

/// The bits of `v`, with every NaN mapped to the same pattern.
pub fn float_key(v: f64) -> u64 {
    if v.is_nan() {
        f64::NAN.to_bits()
    } else {
        v.to_bits()
    }
}

/// A 2x2 integer matrix: non-commutative, neither `Copy` nor `One`, so it only
/// satisfies `Clone + Mul<Output = Self>`. Entries wrap on overflow.
#[derive(Clone, PartialEq, Eq)]
pub struct Mat2(pub [i64; 4]);

impl Mul for Mat2 {
    type Output = Mat2;
    fn mul(self, rhs: Mat2) -> Mat2 {
        let [a, b, c, d] = self.0;
        let [e, f, g, h] = rhs.0;
        let dot =
            |x: i64, y: i64, z: i64, w: i64| x.wrapping_mul(y).wrapping_add(z.wrapping_mul(w));
        Mat2([
            dot(a, e, b, g),
            dot(a, f, b, h),
            dot(c, e, d, g),
            dot(c, f, d, h),
        ])
    }
}

impl fmt::Debug for Mat2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// Words under concatenation: a non-commutative, non-`Copy` product whose
/// results show the order of the factors at a glance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word(pub String);

impl Mul for Word {
    type Output = Word;
    // The product of words is their concatenation: `+` on strings, on purpose.
    #[allow(clippy::suspicious_arithmetic_impl)]
    fn mul(self, rhs: Word) -> Word {
        Word(self.0 + &rhs.0)
    }
}

/// The empty word, the identity of concatenation.
impl One for Word {
    fn one() -> Self {
        Word(String::new())
    }
}

/// `Word`s from string literals.
pub fn words<const N: usize>(parts: [&str; N]) -> Vec<Word> {
    parts.iter().map(|s| Word(s.to_string())).collect()
}

/// The options of one case, as plain data for the reference loop.
#[derive(Clone, Debug)]
pub struct Options {
    pub reverse: bool,
    /// 0: inclusive, 1: exclusive, 2: include_initial.
    pub output: u8,
    /// 0: none, 1: one value, 2: a value per lane.
    pub initial: u8,
}

impl Options {
    pub fn build<'a, T: Clone + Mul<Output = T>>(
        &self,
        axis: usize,
        value: &T,
        lanes: &'a ArrayD<T>,
    ) -> Cumprod<'a, T> {
        let mut how = Cumprod::along(Axis(axis));
        if self.reverse {
            how = how.reverse();
        }
        how = match self.output {
            1 => how.exclusive(),
            2 => how.include_initial(),
            _ => how,
        };
        match self.initial {
            1 => how.initial(value.clone()),
            2 => how.carry(lanes),
            _ => how.typed(),
        }
    }
}

/// The definition, lane by lane: forward `[s x0, (s x0) x1, ...]`, reverse
/// `[x0 (x1 (... s)), ...]`; exclusive drops the last product and puts `s` (or
/// one) first; include_initial keeps it. `mul(p, x)` is how the elements
/// multiply (a checked product, say).
pub fn reference_options<T: Clone + One + Mul<Output = T>>(
    x: &ArrayD<T>,
    axis: usize,
    o: &Options,
    value: &T,
    lanes: &ArrayD<T>,
) -> ArrayD<T> {
    let n = x.shape()[axis];
    let m = if o.output == 2 { n + 1 } else { n };
    let mut out_shape = x.shape().to_vec();
    out_shape[axis] = m;
    let mut out = ArrayD::from_elem(IxDyn(&out_shape), T::one());
    let mut others = x.shape().to_vec();
    others[axis] = 1;
    for index in ndarray::indices(IxDyn(&others)) {
        let mut at = index.slice().to_vec();
        let lane: Vec<T> = (0..n)
            .map(|i| {
                at[axis] = i;
                x[IxDyn(&at)].clone()
            })
            .collect();
        let mut lane_index = index.slice().to_vec();
        lane_index.remove(axis);
        let start = match o.initial {
            1 => Some(value.clone()),
            2 => Some(lanes[IxDyn(&lane_index)].clone()),
            _ => None,
        };
        let mut result: Vec<T> = Vec::new();
        let mut product = start.clone();
        if o.reverse {
            for v in lane.iter().rev() {
                let next = match product {
                    None => v.clone(),
                    Some(p) => v.clone() * p,
                };
                result.push(next.clone());
                product = Some(next);
            }
            result.reverse();
        } else {
            for v in &lane {
                let next = match product {
                    None => v.clone(),
                    Some(p) => p * v.clone(),
                };
                result.push(next.clone());
                product = Some(next);
            }
        }
        let first = start.unwrap_or_else(T::one);
        let values: Vec<T> = match (o.output, o.reverse) {
            (0, _) => result,
            (_, false) => std::iter::once(first).chain(result).take(m).collect(),
            (_, true) => {
                let skip = n + 1 - m;
                result
                    .into_iter()
                    .chain(std::iter::once(first))
                    .skip(skip)
                    .collect()
            }
        };
        for (i, v) in values.into_iter().enumerate() {
            at[axis] = i;
            out[IxDyn(&at)] = v;
        }
    }
    out
}

/// Random layouts of `ndim` axes: C, F, or any axis order with steps of 1 or
/// 2 and inverted axes.
pub fn layout_strategy(ndim: usize) -> impl Strategy<Value = Layout> {
    let general = (
        Just((0..ndim).collect::<Vec<_>>()).prop_shuffle(),
        vec(1..=2usize, ndim),
        vec(any::<bool>(), ndim),
    )
        .prop_map(|(perm, steps, inverted)| Layout {
            perm,
            steps,
            inverted,
        });
    prop_oneof![Just(Layout::c(ndim)), Just(Layout::f(ndim)), general]
}

/// Complex values whose parts are finite, infinite, NaN or signed zeros.
pub fn complex_special() -> impl Strategy<Value = Complex64> + Clone {
    let part = prop_oneof![
        8 => -2.0..2.0f64,
        1 => Just(0.0),
        1 => Just(-0.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
    ];
    (part.clone(), part).prop_map(|(re, im)| Complex64::new(re, im))
}

/// Runs `f` on a thread with a stack of `bytes` and propagates its panic (a
/// stack overflow aborts the whole test binary).
pub fn on_stack(bytes: usize, f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(bytes)
        .spawn(f)
        .expect("a thread")
        .join()
        .expect("no stack overflow or failure");
}
