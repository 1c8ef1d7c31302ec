//! [`Scaled`], floating-point products that never underflow or overflow.

use core::cmp::Ordering;
use core::fmt;
use core::ops::Mul;

use num_traits::One;

use crate::nan_aware::NanAware;

/// A product of `f32` or `f64` values that never underflows to zero nor
/// overflows to infinity: a mantissa of type `F` and a binary exponent, the
/// value being `mantissa × 2^exponent`.
///
/// A running product of 10,000 probabilities near 0.5 underflows to zero in
/// `f64` after about 1,075 steps, and spends the steps before that in slow
/// subnormal numbers. As the element type of a scan it does neither:
/// convert the input with the `_as` forms and read each result's
/// [`mantissa`](Self::mantissa) and [`exponent`](Self::exponent), or its
/// natural logarithm ([`ln`]), for log-space work.
///
/// ```
/// use ndarray::{Array1, Axis};
/// use ndarray_cumprod::{CumprodExt, Scaled};
///
/// let p = Array1::from_elem(10_000, 0.5_f64);
/// assert_eq!(p.cumprod_axis(Axis(0))[2_000], 0.0); // underflowed
///
/// let scaled = p.cumprod_axis_as::<Scaled<f64>>(Axis(0));
/// let last = scaled[9_999];
/// assert_eq!((last.mantissa(), last.exponent()), (0.5, -9_999));
/// # #[cfg(feature = "std")]
/// assert!((last.ln() - 10_000.0 * 0.5_f64.ln()).abs() < 1e-9);
/// ```
///
/// # Exactness
///
/// Each product is exactly the one that the same left-to-right scan gives in a
/// binary format with the significand of `F` (53 bits for `f64`, 24 for
/// `f32`) and an unbounded exponent range, rounded to nearest, ties to even:
/// the values that `mpmath` computes with `mp.prec = 53` (or 24). This is
/// because a multiplication by a power of two is exact, and the mantissas are
/// kept at least `2^-K` and below `2^K` (`K` = 511 for `f64`, 63 for `f32`),
/// so that the product of two is always a normal number of `F`: rounded
/// once, as with an unbounded exponent, and never to a subnormal or to
/// infinity.
/// When a product leaves that range it is brought back into `[0.5, 1)` by its
/// exponent, which changes no bit of its significand. Zeros, infinities and
/// NaN are their own mantissa, with exponent 0, and multiply as in `F`.
///
/// Comparisons (`==`, `<`) are those of the values; NaN compares unequal to
/// everything, as in `F`.
#[cfg_attr(feature = "std", doc = "", doc = "[`ln`]: Self::ln")]
#[cfg_attr(
    not(feature = "std"),
    doc = "",
    doc = "[`ln`]: https://docs.rs/ndarray-cumprod/latest/ndarray_cumprod/struct.Scaled.html#method.ln"
)]
#[derive(Clone, Copy)]
// `repr(C)`: a `Scaled<f64>` is two 8-byte words without padding, which the
// streaming stores of large outputs copy as such.
#[repr(C)]
pub struct Scaled<F> {
    /// Zero, infinite, NaN, or of magnitude at least `2^-K` and below `2^K`.
    mantissa: F,
    exponent: i64,
}

/// The floating-point types that [`Scaled`] is made of: `f32` and `f64`.
///
/// The trait is sealed: only this crate implements it.
pub trait ScaledFloat: Copy + PartialOrd + Mul<Output = Self> + sealed::Sealed {
    /// `(m, e)` with `x = m × 2^e` and `|m|` in `[0.5, 1)`; `(x, 0)` for
    /// zero, infinities and NaN.
    #[doc(hidden)]
    fn frexp(self) -> (Self, i64);
    /// `x × 2^e`, rounded once.
    #[doc(hidden)]
    fn scale(self, e: i64) -> Self;
    /// Whether `x` is of magnitude at least `2^-K` and below `2^K` (not
    /// zero, infinite, NaN or subnormal).
    #[doc(hidden)]
    fn regular(self) -> bool;
    #[doc(hidden)]
    fn is_finite(self) -> bool;
    #[doc(hidden)]
    fn is_nan(self) -> bool;
    #[doc(hidden)]
    fn one() -> Self;
    #[doc(hidden)]
    fn zero() -> Self;
    /// The natural logarithm of `m × 2^e`, for `m` in `[0.5, 1)`.
    #[cfg(feature = "std")]
    #[doc(hidden)]
    fn ln_scaled(m: Self, e: i64) -> Self;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

macro_rules! scaled_float {
    ($f:ty, $bits:ty, $shift:expr, $bias:expr, $k:expr) => {
        impl ScaledFloat for $f {
            fn frexp(self) -> ($f, i64) {
                const MASK: $bits = 2 * $bias + 1;
                // The exponent field of the numbers in [0.5, 1).
                const HALF: $bits = $bias - 1;
                let bits = self.to_bits();
                let field = (bits >> $shift) & MASK;
                if field == MASK || self == 0.0 {
                    return (self, 0);
                }
                if field == 0 {
                    // Subnormal: scale into the normal range first (exact).
                    let (m, e) = (self * <$f>::from_bits(($bias + 64) << $shift)).frexp();
                    return (m, e - 64);
                }
                let m = <$f>::from_bits((bits & !(MASK << $shift)) | (HALF << $shift));
                (m, field as i64 - HALF as i64)
            }

            fn scale(self, e: i64) -> $f {
                const MAX: i64 = $bias;
                const MIN: i64 = 1 - $bias;
                // A step down that keeps a mantissa in [0.5, 1) normal and
                // its significand whole: only the last multiplication below
                // can round.
                const DOWN: i64 = MIN + $shift + 1;
                let power = |e: i64| <$f>::from_bits(((e + MAX) as $bits) << $shift);
                let (mut x, mut e) = (self, e);
                if e > MAX {
                    x *= power(MAX);
                    e -= MAX;
                    if e > MAX {
                        x *= power(MAX);
                        e = (e - MAX).min(MAX);
                    }
                } else if e < MIN {
                    x *= power(DOWN);
                    e -= DOWN;
                    if e < MIN {
                        x *= power(DOWN);
                        e = (e - DOWN).max(MIN);
                    }
                }
                x * power(e)
            }

            #[inline(always)]
            fn regular(self) -> bool {
                // One comparison of the exponent field: from 2^-K to just
                // below 2^K (zero, subnormals, infinities and NaN fall
                // outside).
                const MASK: $bits = 2 * $bias + 1;
                let field = (self.to_bits() >> $shift) & MASK;
                field.wrapping_sub($bias - $k) < 2 * $k
            }

            fn is_finite(self) -> bool {
                self - self == 0.0
            }

            fn is_nan(self) -> bool {
                self != self
            }

            fn one() -> $f {
                1.0
            }

            fn zero() -> $f {
                0.0
            }

            #[cfg(feature = "std")]
            fn ln_scaled(m: $f, e: i64) -> $f {
                (f64::from(m).ln() + e as f64 * core::f64::consts::LN_2) as $f
            }
        }
    };
}

scaled_float!(f64, u64, 52, 1023, 511);
scaled_float!(f32, u32, 23, 127, 63);

/// The range of mantissas that need no renormalisation
/// ([`ScaledFloat::regular`]) for `f64`, as magnitudes: `2^-511 <= |m| <
/// 2^511`, for kernels that compare it side by side.
#[inline(always)]
pub(crate) fn regular_f64() -> (f64, f64) {
    (f64::from_bits(512 << 52), f64::from_bits(1534 << 52))
}

/// `|x|`, the sign bit cleared (`f64::abs` is not in `core` before Rust
/// 1.85, the crate builds without `std` from 1.81).
#[inline(always)]
pub(crate) fn magnitude(x: f64) -> f64 {
    f64::from_bits(x.to_bits() & !(1 << 63))
}

/// Whether `conv` is the conversion of the `_as` and `_into` methods from
/// `f64` to `Scaled<f64>` ([`Scaled::from`]), or a reference to it (as the
/// methods with options pass it): the kernels that multiply such factors
/// side by side know it, and take them as `f64`.
pub(crate) fn converts_f64<F>(conv: &F) -> bool {
    crate::cumprod_ext::is_convert_or_ref::<f64, Scaled<f64>, F>(conv)
}

impl<F: ScaledFloat> Scaled<F> {
    /// The mantissa `m` of the value `m × 2^e`: `0.5 <= |m| < 1`, with the
    /// sign of the value; zero, infinite or NaN for those values.
    pub fn mantissa(&self) -> F {
        self.mantissa.frexp().0
    }

    /// The binary exponent `e` of the value `m × 2^e` (0 for zero, infinite
    /// and NaN values).
    pub fn exponent(&self) -> i64 {
        let m = self.mantissa;
        if m == F::zero() || !m.is_finite() {
            return 0;
        }
        let (_, e) = m.frexp();
        self.exponent + e
    }

    /// The value as `F`, rounded once: zero (or a subnormal) where it is too
    /// small for `F`, infinite where it is too large.
    pub fn to_float(&self) -> F {
        self.mantissa.scale(self.exponent)
    }

    /// The natural logarithm of the value (NaN for a negative value, minus
    /// infinity for zero), for log-space work: `ln(m) + e ln 2`, computed in
    /// `f64`, which is within a few units in the last place of the exact
    /// logarithm of the value. Needs the `std` feature.
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn ln(&self) -> F {
        F::ln_scaled(self.mantissa(), self.exponent())
    }
}

impl From<f64> for Scaled<f64> {
    #[inline]
    fn from(x: f64) -> Self {
        scaled(x)
    }
}

impl From<f32> for Scaled<f32> {
    #[inline]
    fn from(x: f32) -> Self {
        scaled(x)
    }
}

impl From<f32> for Scaled<f64> {
    #[inline]
    fn from(x: f32) -> Self {
        scaled(f64::from(x))
    }
}

/// `x` as a [`Scaled`], its mantissa in range.
#[inline]
fn scaled<F: ScaledFloat>(x: F) -> Scaled<F> {
    if x.regular() {
        Scaled {
            mantissa: x,
            exponent: 0,
        }
    } else {
        let (mantissa, exponent) = x.frexp();
        Scaled { mantissa, exponent }
    }
}

impl<F: ScaledFloat> Mul for Scaled<F> {
    type Output = Self;

    #[inline]
    fn mul(self, rhs: Self) -> Self {
        let mantissa = self.mantissa * rhs.mantissa;
        let exponent = self.exponent + rhs.exponent;
        if mantissa.regular() {
            return Scaled { mantissa, exponent };
        }
        let (mantissa, e) = mantissa.frexp();
        Scaled {
            mantissa,
            exponent: exponent + e,
        }
    }
}

impl<F: ScaledFloat> One for Scaled<F> {
    fn one() -> Self {
        Scaled {
            mantissa: F::one(),
            exponent: 0,
        }
    }
}

impl<F: ScaledFloat> NanAware for Scaled<F> {
    fn is_nan(&self) -> bool {
        self.mantissa.is_nan()
    }
}

impl<F: ScaledFloat> PartialEq for Scaled<F> {
    fn eq(&self, other: &Self) -> bool {
        self.partial_cmp(other) == Some(Ordering::Equal)
    }
}

impl<F: ScaledFloat> PartialOrd for Scaled<F> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        let (a, b) = (self.mantissa(), other.mantissa());
        let zero = F::zero();
        let regular = |m: F| m != zero && m.is_finite();
        if !regular(a) || !regular(b) || (a < zero) != (b < zero) {
            // A zero, an infinity or NaN is below, above or apart from
            // every regular value whatever its exponent, as are values of
            // opposite signs: the mantissas decide.
            return a.partial_cmp(&b);
        }
        let (ea, eb) = (self.exponent(), other.exponent());
        if ea == eb {
            return a.partial_cmp(&b);
        }
        // Same sign, different exponents: the larger exponent is the larger
        // magnitude.
        let by_magnitude = ea.cmp(&eb);
        Some(if a < zero {
            by_magnitude.reverse()
        } else {
            by_magnitude
        })
    }
}

impl<F: ScaledFloat + fmt::Debug> fmt::Debug for Scaled<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} × 2^{}", self.mantissa(), self.exponent())
    }
}

/// Products multiplied side by side in the row kernels below.
const GROUP: usize = 8;

/// `p[j] * Scaled::from(x[j])` for a group of `W`, if every product's
/// mantissa is in the regular range ([`regular_f64`]): then each is
/// `p[j]`'s mantissa times `x[j]` with `p[j]`'s exponent, the value that
/// [`Mul`] gives (see [`times_floats_f64`]). A loop without branches, which
/// vectorises.
#[inline(always)]
fn group_times_floats<const W: usize>(
    p: &[Scaled<f64>; W],
    x: &[f64; W],
) -> Option<[Scaled<f64>; W]> {
    let (lo, hi) = regular_f64();
    let mut products = *p;
    let mut regular = true;
    for j in 0..W {
        let m = p[j].mantissa * x[j];
        let a = magnitude(m);
        regular &= (a >= lo) & (a < hi);
        products[j].mantissa = m;
    }
    regular.then_some(products)
}

/// `row[j] = prev[j] * Scaled::from(x[j])`: the rows of a scan of `f64`
/// into `Scaled<f64>`, a [`GROUP`] at a time ([`group_times_floats`]), a
/// group with a product out of range one product at a time by [`Mul`].
///
/// The values are those of [`Mul`], bit for bit, though a mantissa may be
/// kept unnormalised where [`Mul`] would have scaled the factor first: a
/// regular mantissa times a finite `x` is rounded once, to the same
/// significand whatever power of two scales either side, unless the product
/// leaves the normal range, which the check catches (a zero, infinite or NaN
/// factor makes the product zero, infinite or NaN, which it catches too).
/// Rows of 1,024 in cache: about 1.5 ns a product one at a time, 0.75 ns here.
pub(crate) fn times_floats_f64(row: &mut [Scaled<f64>], prev: &[Scaled<f64>], x: &[f64]) {
    let len = row.len().min(prev.len()).min(x.len());
    let (row, prev, x) = (&mut row[..len], &prev[..len], &x[..len]);
    let whole = len / GROUP * GROUP;
    for ((r, p), x) in row[..whole]
        .chunks_exact_mut(GROUP)
        .zip(prev[..whole].chunks_exact(GROUP))
        .zip(x[..whole].chunks_exact(GROUP))
    {
        let r: &mut [Scaled<f64>; GROUP] = r.try_into().expect("a whole group");
        let p: &[Scaled<f64>; GROUP] = p.try_into().expect("a whole group");
        let x: &[f64; GROUP] = x.try_into().expect("a whole group");
        *r = group_times_floats(p, x)
            .unwrap_or_else(|| core::array::from_fn(|j| p[j] * Scaled::from(x[j])));
    }
    for ((r, p), x) in row[whole..].iter_mut().zip(&prev[whole..]).zip(&x[whole..]) {
        *r = *p * Scaled::from(*x);
    }
}

/// Whether `conv` is the conversion from `f32` to `Scaled<f32>`, as
/// [`converts_f64`].
fn converts_f32<F>(conv: &F) -> bool {
    crate::cumprod_ext::is_convert_or_ref::<f32, Scaled<f32>, F>(conv)
}

/// Whether [`scan_float_lanes`] takes the scans that convert by `conv`.
pub(crate) fn takes_float_lanes<C>(conv: &C) -> bool {
    converts_f64(conv) || converts_f32(conv)
}

/// The scan of the contiguous lanes of `n` elements of `x` into those of
/// `out` by [`lanes`], if `conv` is the conversion from `f64` to
/// `Scaled<f64>` or from `f32` to `Scaled<f32>` (and the slices are of those
/// types); returns whether it did (else nothing is written).
///
/// Where the four-lane loop of the plain kernels converts each factor (its
/// `frexp`) and multiplies by [`Mul`] at every step, this step is one
/// multiplication while the mantissa stays in range. Measured (time / the
/// plain scan of the floats, F order, lanes along axis 0): `f64`, 64 MiB,
/// lanes of 4 2.3x-2.6x there, 1.9x-2.0x here, lanes of 16 to 256
/// 2.0x-2.8x there, 1.3x-1.7x here; 1 MiB, lanes of 16 to 8,192, 3.3x-5.4x
/// there, 1.7x-3.0x here, and with random factors in [0.25, 1), whose
/// mantissa leaves the range at about every other step, 3.3x-6.2x there,
/// 1.8x-2.6x here.
pub(crate) fn scan_float_lanes<A, B, C>(x: &[A], out: &mut [B], n: usize, conv: &C) -> bool {
    use crate::kernels::memory::{same_mut, same_ref};
    if converts_f64(conv) {
        if let (Some(x), Some(out)) = (same_ref::<_, f64>(x), same_mut::<_, Scaled<f64>>(out)) {
            lanes(x, out, n);
            return true;
        }
    }
    if converts_f32(conv) {
        if let (Some(x), Some(out)) = (same_ref::<_, f32>(x), same_mut::<_, Scaled<f32>>(out)) {
            lanes(x, out, n);
            return true;
        }
    }
    false
}

/// The scan of floats into `Scaled` along the contiguous lanes of `n`
/// elements of `x`, into those of `out` (of the same length): each lane from
/// its first element, a product at a time. Where the new mantissa is in the
/// regular range ([`ScaledFloat::regular`]), a step is one multiplication of
/// the mantissa and keeps the exponent, the value that [`Mul`] by
/// [`Scaled::from`] gives (see [`times_floats_f64`]); otherwise it is that
/// [`Mul`].
pub(crate) fn lanes<F: ScaledFloat>(x: &[F], out: &mut [Scaled<F>], n: usize) {
    if n == 0 {
        return;
    }
    for (x, out) in x.chunks_exact(n).zip(out.chunks_exact_mut(n)) {
        let mut p = scaled(x[0]);
        out[0] = p;
        for (&f, y) in x[1..].iter().zip(&mut out[1..]) {
            let m = p.mantissa * f;
            p = if m.regular() {
                Scaled {
                    mantissa: m,
                    exponent: p.exponent,
                }
            } else {
                p * scaled(f)
            };
            *y = p;
        }
    }
}

/// The scan of `f64` into `Scaled<f64>` along rows of `W` elements in
/// blocks of `n` rows, one pass, each block from its first row of `out` if
/// `seeded` (else from that of `x`): the running products of a block kept
/// in registers, a row multiplied by the mantissas side by side and kept if
/// every product is in the regular range, else one product at a time by
/// [`Mul`] (the values of [`Mul`], as [`times_floats_f64`] explains).
/// Measured (rows of 2, 4 and 8, time / the plain scan of the `f64`,
/// paired runs): each factor converted and multiplied by [`Mul`], one at a
/// time, 1.7x-2.0x for 64 MiB and 2.6x-3.5x for 2 MiB; here 1.5x-1.6x and
/// 2.1x-2.3x.
pub(crate) fn rows_f64<const W: usize>(x: &[f64], out: &mut [Scaled<f64>], n: usize, seeded: bool) {
    if n == 0 {
        return;
    }
    for (ys, xs) in out.chunks_exact_mut(n * W).zip(x.chunks_exact(n * W)) {
        let mut rows = ys.chunks_exact_mut(W).zip(xs.chunks_exact(W));
        let Some((first, x0)) = rows.next() else {
            continue;
        };
        let mut p: [Scaled<f64>; W] = if seeded {
            core::array::from_fn(|j| first[j])
        } else {
            let p = core::array::from_fn(|j| scaled(x0[j]));
            first.copy_from_slice(&p);
            p
        };
        for (y, x) in rows {
            let x: &[f64; W] = x.try_into().expect("a whole row");
            p = group_times_floats(&p, x)
                .unwrap_or_else(|| core::array::from_fn(|j| p[j] * scaled(x[j])));
            y.copy_from_slice(&p);
        }
    }
}

/// `row[j] = row[j] * Scaled::from(x[j])`, as [`times_floats_f64`].
pub(crate) fn times_floats_inplace_f64(row: &mut [Scaled<f64>], x: &[f64]) {
    let len = row.len().min(x.len());
    let (row, x) = (&mut row[..len], &x[..len]);
    let whole = len / GROUP * GROUP;
    for (r, x) in row[..whole]
        .chunks_exact_mut(GROUP)
        .zip(x[..whole].chunks_exact(GROUP))
    {
        let r: &mut [Scaled<f64>; GROUP] = r.try_into().expect("a whole group");
        let x: &[f64; GROUP] = x.try_into().expect("a whole group");
        *r = group_times_floats(r, x)
            .unwrap_or_else(|| core::array::from_fn(|j| r[j] * Scaled::from(x[j])));
    }
    for (r, x) in row[whole..].iter_mut().zip(&x[whole..]) {
        *r = *r * Scaled::from(*x);
    }
}

/// `row[j] = prev[j] * row[j]` for `Scaled<f64>`: the rows of a scan of
/// such products, a [`GROUP`] at a time, side by side, in a loop without
/// branches that vectorises, kept if every mantissa is in the regular range
/// (then the products are those of [`Mul`], bit for bit: two regular
/// mantissas make a normal product, and a zero, infinite or NaN one makes a
/// product outside the range); else the group one product at a time by
/// [`Mul`].
pub(crate) fn times_row_f64(row: &mut [Scaled<f64>], prev: &[Scaled<f64>]) {
    let (lo, hi) = regular_f64();
    let len = row.len().min(prev.len());
    let (row, prev) = (&mut row[..len], &prev[..len]);
    let whole = len / GROUP * GROUP;
    for (r, p) in row[..whole]
        .chunks_exact_mut(GROUP)
        .zip(prev[..whole].chunks_exact(GROUP))
    {
        let r: &mut [Scaled<f64>; GROUP] = r.try_into().expect("a whole group");
        let p: &[Scaled<f64>; GROUP] = p.try_into().expect("a whole group");
        let mut products = *r;
        let mut regular = true;
        for j in 0..GROUP {
            let m = p[j].mantissa * r[j].mantissa;
            let a = magnitude(m);
            regular &= (a >= lo) & (a < hi);
            products[j] = Scaled {
                mantissa: m,
                exponent: p[j].exponent.wrapping_add(r[j].exponent),
            };
        }
        *r = if regular {
            products
        } else {
            core::array::from_fn(|j| p[j] * r[j])
        };
    }
    for (r, p) in row[whole..].iter_mut().zip(&prev[whole..]) {
        *r = *p * *r;
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::*;
    use crate::kernels::test_support::{same_scaled, scaled_operands};

    #[test]
    fn the_regular_range_is_that_of_the_exponent_field() {
        let (lo, hi) = regular_f64();
        for field in [
            0u64, 1, 511, 512, 513, 1022, 1023, 1533, 1534, 1535, 2046, 2047,
        ] {
            for bits in [
                field << 52,
                (field << 52) | 1,
                (field << 52) | ((1 << 52) - 1),
            ] {
                for x in [f64::from_bits(bits), -f64::from_bits(bits)] {
                    let a = x.abs();
                    assert_eq!(x.regular(), lo <= a && a < hi, "{x:e}");
                }
            }
        }
    }

    #[test]
    fn only_the_plain_conversion_of_f64_is_recognised() {
        use crate::cumprod_ext::convert;
        assert!(converts_f64(&convert::<f64, Scaled<f64>>));
        assert!(!converts_f64(&convert::<f32, Scaled<f64>>));
        assert!(!converts_f64(&convert::<Scaled<f64>, Scaled<f64>>));
        assert!(!converts_f64(&|x: &f64| Scaled::from(*x)));
        assert!(converts_f64(&&convert::<f64, Scaled<f64>>));
        assert!(!converts_f64(&&&convert::<f64, Scaled<f64>>));
    }

    /// The row kernels against [`Mul`], one product at a time, on rows that
    /// end inside a group and groups that take each path.
    #[test]
    fn row_kernels_give_the_products_of_mul() {
        for len in [0, 1, 7, 8, 9, 61] {
            let (prev, x) = scaled_operands(len);
            // Factors with exponents of their own (and the special values):
            // squares, so that 2^510 meets 2^510.
            let row = prev.clone();
            let check = |got: &[Scaled<f64>], expected: &[Scaled<f64>], what: &str| {
                for (j, (g, e)) in got.iter().zip(expected).enumerate() {
                    assert!(
                        same_scaled(g, e),
                        "{what} {len} at {j}: {g:?} against {e:?}"
                    );
                }
            };
            // Twice: a mantissa left out of range by the first would
            // overflow in the second (2^510 three times).
            let mut got = row.clone();
            let mut expected = row.clone();
            for _ in 0..2 {
                times_row_f64(&mut got, &prev);
                for (e, p) in expected.iter_mut().zip(&prev) {
                    *e = *p * *e;
                }
                check(&got, &expected, "times_row_f64");
            }

            let expected: Vec<_> = prev
                .iter()
                .zip(&x)
                .map(|(p, x)| *p * Scaled::from(*x))
                .collect();
            let mut got = row.clone();
            times_floats_f64(&mut got, &prev, &x);
            check(&got, &expected, "times_floats_f64");
            let mut got = prev.clone();
            times_floats_inplace_f64(&mut got, &x);
            check(&got, &expected, "times_floats_inplace_f64");
        }
    }

    /// [`rows_f64`] against [`Mul`] by [`Scaled::from`], lane by lane, for
    /// rows of 2, 3, 4 and 8 in blocks of 1 to 9 rows, from the input's
    /// first row and from seeds; the factors of [`scaled_operands`] take
    /// products out of range, to zero, infinity and NaN.
    #[test]
    fn fixed_rows_give_the_products_of_mul() {
        fn check<const W: usize>() {
            for n in [1, 2, 5, 9] {
                let len = 3 * n * W;
                let (seeds, x) = scaled_operands(len);
                for seeded in [false, true] {
                    let mut expected: Vec<Scaled<f64>> = Vec::with_capacity(len);
                    for (i, &f) in x.iter().enumerate() {
                        let first = i % (n * W) < W;
                        expected.push(match (first, seeded) {
                            (true, true) => seeds[i],
                            (true, false) => Scaled::from(f),
                            (false, _) => expected[i - W] * Scaled::from(f),
                        });
                    }
                    let mut got = seeds.clone();
                    rows_f64::<W>(&x, &mut got, n, seeded);
                    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
                        assert!(
                            same_scaled(g, e),
                            "rows of {W}, blocks of {n}, seeded {seeded}, at {i}: {g:?} against {e:?}"
                        );
                    }
                }
            }
        }
        check::<2>();
        check::<3>();
        check::<4>();
        check::<8>();
    }

    /// [`lanes`] against [`Mul`] by [`Scaled::from`], lane by lane, for
    /// lanes of 1 to 15 elements and a few longer ones, of factors that take
    /// the products out of range, back into it, to zero, infinity and NaN;
    /// `f64` and `f32`.
    #[test]
    fn lanes_give_the_products_of_mul() {
        let pow2 = |k: i32| f64::from_bits(((k + 1023) as u64) << 52);
        let factors = [
            0.75,
            pow2(600),
            pow2(600),
            1.25,
            pow2(-700),
            -0.5,
            pow2(-700),
            pow2(-700),
            f64::MIN_POSITIVE / 3.0,
            32.0,
            0.0,
            1.5,
            f64::INFINITY,
            f64::NAN,
            -3.0,
            pow2(900),
            0.875,
        ];
        lanes_match_mul(&factors, pow2(600), pow2(-700), |x| x);
        // The same for `f32`, its powers of two within its range: the
        // subnormal first, then the far powers of two by their magnitude.
        let pow2 = |k: i32| f32::from_bits(((k + 127) as u32) << 23);
        let factors = factors.map(|x| match x {
            x if x == f64::MIN_POSITIVE / 3.0 => f32::MIN_POSITIVE / 3.0,
            x if x.is_finite() && x.abs() > 1e100 => pow2(90),
            x if x != 0.0 && x.abs() < 1e-100 => pow2(-100),
            x => x as f32,
        });
        assert!(factors.contains(&pow2(90)) && factors.contains(&pow2(-100)));
        assert!(factors.contains(&(f32::MIN_POSITIVE / 3.0)));
        lanes_match_mul(&factors, pow2(90), pow2(-100), |x| x as f32);
    }

    /// [`scan_float_lanes`] takes `f64` into `Scaled<f64>` and `f32` into
    /// `Scaled<f32>` by the conversion of the `_as` methods (and gives
    /// [`lanes`]' products), and leaves other conversions and types to the
    /// caller, writing nothing.
    #[test]
    fn float_lanes_take_only_the_float_conversions() {
        use crate::cumprod_ext::convert;
        /// `x` in lanes of `n` through [`scan_float_lanes`], against [`lanes`].
        fn taken<F, C>(x: &[F], n: usize, conv: &C)
        where
            F: ScaledFloat + core::fmt::Debug,
            Scaled<F>: From<F> + core::fmt::Debug,
            C: Fn(&F) -> Scaled<F>,
        {
            let mut got = alloc::vec![Scaled::from(x[0]); x.len()];
            assert!(scan_float_lanes(x, &mut got, n, conv));
            let mut expected = got.clone();
            lanes(x, &mut expected, n);
            assert_eq!(alloc::format!("{got:?}"), alloc::format!("{expected:?}"));
        }
        let x = [0.5, 3.0, 0.25, -2.0, 0.75, 1e-300];
        taken(&x, 3, &convert::<f64, Scaled<f64>>);
        let x32 = x.map(|v| v as f32);
        taken(&x32, 2, &convert::<f32, Scaled<f32>>);
        // `f32` into `Scaled<f64>`, and a conversion of its own: not taken.
        let mut untouched = [Scaled::<f64>::from(9.0); 6];
        assert!(!scan_float_lanes(
            &x32,
            &mut untouched,
            3,
            &convert::<f32, Scaled<f64>>
        ));
        let own = |v: &f64| Scaled::from(*v);
        assert!(!scan_float_lanes(&x, &mut untouched, 3, &own));
        assert!(untouched.iter().all(|s| *s == Scaled::from(9.0)));
    }

    /// [`lanes`] of lanes built from `factors` (and, for longer lanes,
    /// factors in [0.3, 1.3) with `big` and `small` now and then) against
    /// [`Mul`], lane by lane; `float` converts from `f64`.
    fn lanes_match_mul<F: ScaledFloat + core::fmt::Debug>(
        factors: &[F],
        big: F,
        small: F,
        float: impl Fn(f64) -> F,
    ) where
        Scaled<F>: From<F> + core::fmt::Debug,
    {
        // Under Miri, a few lengths: each comparison formats two products.
        let lengths: &[usize] = if cfg!(miri) {
            &[1, 3, 16]
        } else {
            &[
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 64, 131,
            ]
        };
        for &n in lengths {
            let len = n * 7;
            // Longer lanes: factors whose products leave the mantissa's
            // range at about every other step, and far out of range now and
            // then, without the zero, infinity and NaN that would end the
            // chain.
            let factor = |i: usize| match (i % 97, i % 89) {
                (5, _) => big,
                (_, 3) => small,
                _ if n < 16 => factors[(i * 5 + n) % factors.len()],
                _ => float(0.3 + (i * 7919 % 1000) as f64 / 1000.0),
            };
            let x: Vec<F> = (0..len).map(factor).collect();
            let mut got = alloc::vec![Scaled::from(float(3.5)); len];
            lanes(&x, &mut got, n);
            for (k, (lane, got)) in x.chunks(n).zip(got.chunks(n)).enumerate() {
                let mut p = Scaled::from(lane[0]);
                for (i, (&f, g)) in lane.iter().zip(got).enumerate() {
                    if i > 0 {
                        p = p * Scaled::from(f);
                    }
                    // Equal regular mantissas (never zero) have the same
                    // bits; otherwise the shortest decimal of each part: the
                    // same text for the same bits, every NaN alike (the
                    // text only where needed: it was most of the test's
                    // time under Miri).
                    let regular_and_equal = g.exponent() == p.exponent()
                        && g.mantissa() == p.mantissa()
                        && g.mantissa().regular();
                    if !regular_and_equal {
                        assert_eq!(
                            alloc::format!("{g:?}"),
                            alloc::format!("{p:?}"),
                            "lanes of {n}, lane {k} at {i}"
                        );
                    }
                }
            }
        }
        lanes::<F>(&[], &mut [], 0);
    }
}
