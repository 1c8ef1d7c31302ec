//! `Scaled`, the products that never underflow: bit for bit against mpmath
//! (`tests/data/mpmath_scaled.txt`, written by `gen_mpmath_scaled.py`) on
//! chains of up to 10^6 factors, and against plain `f64` products where those
//! stay in range.

use ndarray::{array, Array1, Array2, ArrayD, Axis, IxDyn};
use ndarray_cumprod::{Cumprod, CumprodExt, Scaled, ScaledFloat};
use proptest::collection::vec;
use proptest::prelude::*;

/// xorshift64* (Vigna), as in the generator script.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// `2^k`, exactly, from its bits (`powi` need not be exact, and is not
/// under Miri), for `k` from -1074 to 1023.
fn pow2(k: i32) -> f64 {
    if k >= -1022 {
        f64::from_bits(((k + 1023) as u64) << 52)
    } else {
        f64::from_bits(1 << (k + 1074))
    }
}

/// `m × 2^e` for an integer `m` below 2^53, exactly (as Python's `ldexp`).
fn ldexp(m: u64, e: i32) -> f64 {
    let mut x = m as f64;
    let mut e = e;
    while e < -1000 {
        x *= pow2(-1000);
        e += 1000;
    }
    x * pow2(e)
}

/// The factor for the integer `r`, as `factor` in the script.
fn factor(r: u64, kind: &str, f32: bool) -> f64 {
    let (bits, tiny) = if f32 { (24, -149) } else { (53, -1074) };
    match kind {
        "unit" => ldexp((r >> (64 - bits)) | 1, -bits),
        "half" => {
            let x = ldexp((1 << (bits - 1)) + ((r >> 40) & 0xFFFF), -bits);
            if r & 1 == 1 {
                -x
            } else {
                x
            }
        }
        "wide" => {
            let m = ldexp((r >> (64 - bits)) | (1 << (bits - 1)), -bits);
            let e = ((r & 0x7F) % 81) as i32 - 40;
            let x = m * pow2(e);
            if (r >> 7) & 1 == 1 {
                -x
            } else {
                x
            }
        }
        "subnormal" => {
            if r % 64 == 0 {
                ldexp((r >> 44) | 1, tiny)
            } else {
                ldexp((r >> (64 - bits)) | 1, -bits)
            }
        }
        other => panic!("unknown kind {other}"),
    }
}

/// One checkpoint: the product at `index`.
struct At {
    index: usize,
    mantissa: u64,
    exponent: i64,
    value: u64,
    ln: f64,
}

struct Chain {
    name: String,
    f32: bool,
    factors: Vec<f64>,
    checkpoints: Vec<At>,
}

fn hex(s: &str) -> u64 {
    u64::from_str_radix(s, 16).expect("hex bits")
}

fn chains() -> Vec<Chain> {
    let text = include_str!("../data/mpmath_scaled.txt");
    let mut chains: Vec<Chain> = Vec::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words[0] {
            "chain" => chains.push(Chain {
                name: words[1].to_string(),
                f32: words[2] == "f32",
                factors: Vec::new(),
                checkpoints: Vec::new(),
            }),
            "x" => {
                let chain = chains.last_mut().expect("a chain");
                let f32 = chain.f32;
                chain.factors = words[1..]
                    .iter()
                    .map(|w| {
                        if f32 {
                            f64::from(f32::from_bits(hex(w) as u32))
                        } else {
                            f64::from_bits(hex(w))
                        }
                    })
                    .collect();
            }
            "gen" => {
                let chain = chains.last_mut().expect("a chain");
                let count: usize = text
                    .lines()
                    .find(|l| l.starts_with(&format!("chain {} ", chain.name)))
                    .and_then(|l| l.split_whitespace().nth(3))
                    .expect("a count")
                    .parse()
                    .expect("a number");
                let mut gen = XorShift(words[1].parse().expect("a seed"));
                let f32 = chain.f32;
                chain.factors = (0..count)
                    .map(|_| factor(gen.next(), words[2], f32))
                    .collect();
            }
            "at" => chains.last_mut().expect("a chain").checkpoints.push(At {
                index: words[1].parse().expect("an index"),
                mantissa: hex(words[2]),
                exponent: words[3].parse().expect("an exponent"),
                value: hex(words[4]),
                ln: f64::from_bits(hex(words[5])),
            }),
            other => panic!("unknown line {other}"),
        }
    }
    chains
}

/// Whether `ours` is `expected` within `ulps` units in the last place of F.
fn close(ours: f64, expected: f64, ulps: f64, f32: bool) -> bool {
    if expected.is_nan() {
        return ours.is_nan();
    }
    if expected.is_infinite() {
        return ours == expected;
    }
    let ulp = expected.abs().max(f64::MIN_POSITIVE)
        * if f32 {
            f64::from(f32::EPSILON)
        } else {
            f64::EPSILON
        };
    (ours - expected).abs() <= ulps * ulp
}

fn check<F>(
    chain: &Chain,
    products: &Array1<Scaled<F>>,
    bits: impl Fn(F) -> u64,
    ln: impl Fn(&Scaled<F>) -> Option<f64>,
) where
    F: ScaledFloat + std::fmt::Debug,
{
    for at in &chain.checkpoints {
        let p = &products[at.index];
        let what = format!("{} at {}: {:?}", chain.name, at.index, p);
        let zero = 0;
        let unsigned = |b: u64| {
            if chain.f32 {
                b & 0x7fff_ffff
            } else {
                b & 0x7fff_ffff_ffff_ffff
            }
        };
        if at.mantissa == 0 {
            // mpmath's zero has no sign.
            assert_eq!(unsigned(bits(p.mantissa())), zero, "{what}");
            assert_eq!(unsigned(bits(p.to_float())), zero, "{what}");
        } else if at.mantissa == 0x7ff8_0000_0000_0000 || at.mantissa == 0x7fc0_0000 {
            #[allow(clippy::eq_op)]
            let nan = p.mantissa() != p.mantissa();
            assert!(nan, "NaN expected, {what}");
        } else {
            assert_eq!(bits(p.mantissa()), at.mantissa, "mantissa, {what}");
            assert_eq!(p.exponent(), at.exponent, "exponent, {what}");
            assert_eq!(bits(p.to_float()), at.value, "to_float, {what}");
        }
        if let Some(ln) = ln(p) {
            assert!(
                close(ln, at.ln, 8.0, chain.f32),
                "ln {ln} against {}, {what}",
                at.ln
            );
        }
    }
}

/// The logarithms, which need the standard library.
#[cfg(feature = "std")]
fn ln64(p: &Scaled<f64>) -> Option<f64> {
    Some(p.ln())
}

#[cfg(feature = "std")]
fn ln32(p: &Scaled<f32>) -> Option<f64> {
    Some(f64::from(p.ln()))
}

#[cfg(not(feature = "std"))]
fn ln64(_: &Scaled<f64>) -> Option<f64> {
    None
}

#[cfg(not(feature = "std"))]
fn ln32(_: &Scaled<f32>) -> Option<f64> {
    None
}

#[test]
#[cfg_attr(miri, ignore = "a million multiplications per chain")]
fn chains_match_mpmath_bit_for_bit() {
    let chains = chains();
    assert_eq!(chains.len(), 14);
    for chain in &chains {
        assert!(!chain.checkpoints.is_empty(), "{}", chain.name);
        if chain.f32 {
            let x: Array1<f32> = chain.factors.iter().map(|&v| v as f32).collect();
            let products = x.cumprod_axis_as::<Scaled<f32>>(Axis(0));
            check(chain, &products, |v: f32| u64::from(v.to_bits()), ln32);
        } else {
            let x = Array1::from(chain.factors.clone());
            let products = x.cumprod_axis_as::<Scaled<f64>>(Axis(0));
            check(chain, &products, f64::to_bits, ln64);
            // The other forms run the same products.
            let mut out = Array1::from_elem(x.len(), Scaled::from(0.0));
            x.cumprod_with_into(Cumprod::along(Axis(0)), &mut out)
                .unwrap();
            check(chain, &out, f64::to_bits, ln64);
        }
    }
}

/// The `f64` chains of up to 200,000 factors as the lanes of rows of 2, 3,
/// 4 and 8 (a scan along axis 0 of `[len, W]`, which the row kernels take):
/// the first lane is the chain, checked against mpmath; lane `j` the chain
/// rotated by `101 j` factors, checked against its scan as one lane, bit for
/// bit; and the same with an initial value of one (the seeded rows).
#[test]
#[cfg_attr(miri, ignore = "hundreds of thousands of multiplications per chain")]
fn chains_along_rows_match_mpmath_bit_for_bit() {
    fn rows<const W: usize>(chain: &Chain) {
        let len = chain.factors.len();
        let rotated = |j: usize| -> Array1<f64> {
            (0..len)
                .map(|i| chain.factors[(i + 101 * j) % len])
                .collect()
        };
        let x = Array2::from_shape_fn((len, W), |(i, j)| chain.factors[(i + 101 * j) % len]);
        let products = x.cumprod_axis_as::<Scaled<f64>>(Axis(0));
        let mut into = Array2::from_elem((len, W), Scaled::from(0.0));
        x.cumprod_axis_into(Axis(0), &mut into).unwrap();
        let mut seeded = into.clone();
        x.cumprod_with_into(
            Cumprod::along(Axis(0)).initial(Scaled::from(1.0)),
            &mut seeded,
        )
        .unwrap();
        for got in [&products, &into, &seeded] {
            check(chain, &got.column(0).to_owned(), f64::to_bits, ln64);
            for j in 1..W {
                let lane = rotated(j).cumprod_axis_as::<Scaled<f64>>(Axis(0));
                for (i, (g, e)) in got.column(j).iter().zip(&lane).enumerate() {
                    let same = (g.mantissa().is_nan() && e.mantissa().is_nan())
                        || (g.mantissa().to_bits() == e.mantissa().to_bits()
                            && g.exponent() == e.exponent());
                    assert!(
                        same,
                        "{} rows of {W}, lane {j} at {i}: {g:?} against {e:?}",
                        chain.name
                    );
                }
            }
        }
    }
    for chain in chains()
        .iter()
        .filter(|c| !c.f32 && c.factors.len() <= 200_000)
    {
        rows::<2>(chain);
        rows::<3>(chain);
        rows::<4>(chain);
        rows::<8>(chain);
    }
}

#[test]
fn a_long_product_of_halves_stays_exact() {
    let len = if cfg!(miri) { 1_100 } else { 10_000 };
    let p = Array1::from_elem(len, 0.5_f64);
    let plain = p.cumprod_axis(Axis(0));
    assert_eq!(plain[1_074], 0.0, "f64 underflows");
    let scaled = p.cumprod_axis_as::<Scaled<f64>>(Axis(0));
    for (i, s) in scaled.iter().enumerate() {
        assert_eq!((s.mantissa(), s.exponent()), (0.5, -(i as i64)));
    }
    assert_eq!(
        scaled[1_073].to_float(),
        f64::from_bits(1),
        "the smallest subnormal"
    );
    assert_eq!(scaled[1_074].to_float(), 0.0, "a tie, rounded to even");
    assert_eq!(scaled[20], Scaled::from(pow2(-21)));
    assert!(scaled[20] > scaled[21] && scaled[len - 1] > Scaled::from(0.0));
}

#[test]
fn nan_skipping_and_reverse_work_on_scaled_products() {
    let x = array![0.5, f64::NAN, 1e-300, 1e-300];
    let skipped = x.nancumprod_axis_as::<Scaled<f64>>(Axis(0));
    assert_eq!(skipped[1].to_float(), 0.5);
    assert_eq!(skipped[3], skipped[2] * Scaled::from(1e-300));
    assert_eq!(skipped[3].to_float(), 0.0);
    let back = x.cumprod_with_as::<Scaled<f64>>(Cumprod::along(Axis(0)).reverse());
    assert!(back[0].mantissa().is_nan());
    assert_eq!(back[2].to_float(), 0.0);
    assert_eq!(back[2], Scaled::from(1e-300) * Scaled::from(1e-300));
    assert!(back[2] > Scaled::from(0.0));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 4 } else { 256 }))]

    /// Where the plain product stays normal, the scaled one is the same.
    #[test]
    fn in_range_the_plain_products_are_the_same(values in vec(prop_oneof![0.25..4.0f64, -4.0..-0.25f64], 0..200), split in 1usize..4) {
        let rows = values.len() / split;
        let x = ArrayD::from_shape_vec(IxDyn(&[split, rows]), values[..split * rows].to_vec()).unwrap();
        for axis in 0..2 {
            let plain = x.cumprod_axis(Axis(axis));
            let scaled = x.cumprod_axis_as::<Scaled<f64>>(Axis(axis));
            for (p, s) in plain.iter().zip(&scaled) {
                if p.abs() > 1e-300 && p.abs() < 1e300 {
                    prop_assert_eq!(p.to_bits(), s.to_float().to_bits());
                }
            }
        }
    }

    /// Scaling every factor by a power of two scales the products by their
    /// sum and changes no bit of the mantissas, however far below the range
    /// of f64 they go.
    #[test]
    fn powers_of_two_only_move_the_exponent(values in vec(0.5..2.0f64, 1..300), shifts in vec(-900i32..10, 300)) {
        let x = Array1::from(values.clone());
        let moved: Array1<f64> = values.iter().zip(&shifts).map(|(&v, &k)| v * pow2(k)).collect();
        let a = x.cumprod_axis_as::<Scaled<f64>>(Axis(0));
        let b = moved.cumprod_axis_as::<Scaled<f64>>(Axis(0));
        let mut total = 0i64;
        for i in 0..values.len() {
            total += i64::from(shifts[i]);
            prop_assert_eq!(a[i].mantissa().to_bits(), b[i].mantissa().to_bits());
            prop_assert_eq!(a[i].exponent() + total, b[i].exponent());
        }
    }
}

#[test]
fn to_float_rounds_once() {
    // m × 2^-1040 with m = 1/2 + 2^-35 + 2^-53: in units of the smallest
    // subnormal, 2^33 + 1/2 + 2^-19, which rounds up to 2^33 + 1. Rounding
    // first to 2^-1022 would make a tie of it, then round down to 2^33.
    let m = 0.5 + pow2(-35) + pow2(-53);
    let v = Scaled::from(m) * Scaled::from(pow2(-1040));
    assert_eq!(v.to_float().to_bits(), (1 << 33) + 1);
    // And upwards: the largest finite value, and beyond it infinity.
    let big = Scaled::from(f64::MAX) * Scaled::from(1.0);
    assert_eq!(big.to_float(), f64::MAX);
    assert_eq!((big * Scaled::from(2.0)).to_float(), f64::INFINITY);
    let tiny = Scaled::from(f64::from_bits(1)) * Scaled::from(0.5);
    assert_eq!(
        tiny.to_float(),
        0.0,
        "half the smallest subnormal is a tie, to even"
    );
}

#[test]
fn products_of_the_largest_mantissas_do_not_overflow() {
    // Just below 2^512 each: their product needs no rescaling to stay
    // finite, and must not become infinite.
    let x = Array1::from_elem(50, f64::from_bits(0x5fef_ffff_ffff_ffff)); // 2^512 - ulp
    let scaled = x.cumprod_axis_as::<Scaled<f64>>(Axis(0));
    assert_eq!(scaled[49].exponent(), 50 * 512);
    assert!(scaled[49].mantissa() < 1.0 && scaled[49].mantissa() > 0.99);
    let x = Array1::from_elem(50, f32::from_bits(0x5f7f_ffff)); // 2^64 - ulp
    let scaled = x.cumprod_axis_as::<Scaled<f32>>(Axis(0));
    assert_eq!(scaled[49].exponent(), 50 * 64);
}

/// The running products of one lane by the plain loop the docs describe:
/// `acc = acc × x` from the first factor (from the last in reverse), after
/// an optional initial value.
fn lane_reference<F: ScaledFloat>(
    lane: &[Scaled<F>],
    reverse: bool,
    initial: Option<Scaled<F>>,
) -> Vec<Scaled<F>> {
    let mut order: Vec<usize> = (0..lane.len()).collect();
    if reverse {
        order.reverse();
    }
    let mut out = lane.to_vec();
    let mut acc: Option<Scaled<F>> = initial;
    for i in order {
        let next = match acc {
            None => lane[i],
            Some(a) if reverse => lane[i] * a,
            Some(a) => a * lane[i],
        };
        out[i] = next;
        acc = Some(next);
    }
    out
}

fn same<F: ScaledFloat + std::fmt::Debug>(a: &Scaled<F>, b: &Scaled<F>) -> bool {
    let nan = |s: &Scaled<F>| s.mantissa() != s.mantissa();
    (nan(a) && nan(b))
        || (format!("{:?}", a.mantissa()) == format!("{:?}", b.mantissa())
            && a.exponent() == b.exponent())
}

/// Arrays of several lanes take the kernels that scan lanes side by side
/// (four at a time, long and short, staged or in place): every form,
/// forward and reverse, with and without an initial value, along contiguous
/// and strided lanes, equals the plain loop, element for element.
fn lanes_side_by_side<F>(big: f64)
where
    F: ScaledFloat + std::fmt::Debug + From<f32>,
    Scaled<F>: From<F>,
{
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for &(lanes, n) in &[(4, 8), (7, 3), (5, 17), (8, 64), (6, 300), (4, 3000)] {
        let factors: Vec<F> = (0..lanes * n)
            .map(|_| {
                let r = rng.next();
                // Factors from 1/big to big, so that products leave the
                // range of F within a few steps; some zeros and NaN.
                let t = (r >> 11) as f64 / (1u64 << 53) as f64;
                let v = big.powf(2.0 * t - 1.0) as f32;
                let v = match r % 97 {
                    0 => 0.0,
                    1 => f32::NAN,
                    2 => -v,
                    _ => v,
                };
                F::from(v)
            })
            .collect();
        let x = Array2::from_shape_vec((lanes, n), factors).unwrap();
        for fortran in [false, true] {
            // Lanes along axis 1 in C order, along axis 0 in F order.
            let (x, axis) = if fortran {
                (x.t().to_owned(), Axis(0))
            } else {
                (x.clone(), Axis(1))
            };
            assert_eq!(x.is_standard_layout(), !fortran);
            let scaled = x.mapv(Scaled::from);
            for reverse in [false, true] {
                for initial in [None, Some(Scaled::from(F::from(0.75)))] {
                    let mut expected = scaled.clone();
                    for mut lane in expected.lanes_mut(axis) {
                        let v: Vec<Scaled<F>> = lane.iter().copied().collect();
                        let r = lane_reference(&v, reverse, initial);
                        lane.iter_mut().zip(r).for_each(|(y, r)| *y = r);
                    }
                    let mut how = Cumprod::along(axis).typed::<Scaled<F>>();
                    if reverse {
                        how = how.reverse();
                    }
                    if let Some(c) = initial {
                        how = how.initial(c);
                    }
                    let what = format!(
                        "{lanes} x {n}, fortran {fortran}, reverse {reverse}, initial {initial:?}"
                    );
                    let alloc = x.cumprod_with_as::<Scaled<F>>(how.clone());
                    // In the input's memory order, as the allocating form's.
                    let mut into = x.mapv(|_| Scaled::from(F::from(9.0)));
                    assert_eq!(into.strides(), alloc.strides());
                    x.cumprod_with_into(how.clone(), &mut into).unwrap();
                    let mut inplace = scaled.clone();
                    inplace.cumprod_with_inplace(how.clone());
                    // The plain `_into` and `_as` forms, where the options
                    // allow them.
                    let mut plain = x.mapv(|_| Scaled::from(F::from(9.0)));
                    let plain_alloc = if !reverse && initial.is_none() {
                        x.cumprod_axis_into(axis, &mut plain).unwrap();
                        x.cumprod_axis_as::<Scaled<F>>(axis)
                    } else {
                        plain.assign(&into);
                        alloc.clone()
                    };
                    for (name, got) in [
                        ("alloc", &alloc),
                        ("into", &into),
                        ("inplace", &inplace),
                        ("plain into", &plain),
                        ("plain alloc", &plain_alloc),
                    ] {
                        for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
                            assert!(same(g, e), "{name} {what} at {i}: {g:?} against {e:?}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "about 10^6 scaled products of every form; hours under Miri"
)]
fn lanes_side_by_side_match_the_plain_loop() {
    lanes_side_by_side::<f64>(1e200);
    lanes_side_by_side::<f32>(1e30);
}

/// Scans along rows (an axis that is not the fastest in memory) multiply
/// rows side by side: `f64` into `Scaled<f64>` and `Scaled<f64>` in place,
/// C and F order, against the plain loop, with factors from 2^-1000 to
/// 2^1000 (products that leave the range within a few rows), subnormals,
/// zeros, infinities and NaN.
#[test]
fn rows_side_by_side_match_the_plain_loop() {
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    for &(n, width) in &[(2, 3), (9, 8), (17, 24), (300, 9), (40, 1000)] {
        let x = Array2::from_shape_fn((n, width), |_| {
            let r = rng.next();
            let t = (r >> 11) as f64 / (1u64 << 53) as f64;
            let v = (1e300_f64).powf(2.0 * t - 1.0);
            match r % 211 {
                0 => 0.0,
                1 => f64::NAN,
                2 => f64::INFINITY,
                3 => f64::MIN_POSITIVE / 3.0,
                4..=20 => -v,
                _ => v,
            }
        });
        for fortran in [false, true] {
            // Rows along axis 0 in C order, along axis 1 in F order.
            let (x, axis) = if fortran {
                (x.t().to_owned(), Axis(1))
            } else {
                (x.clone(), Axis(0))
            };
            let scaled = x.mapv(Scaled::from);
            let mut expected = scaled.clone();
            for mut lane in expected.lanes_mut(axis) {
                let v: Vec<Scaled<f64>> = lane.iter().copied().collect();
                let r = lane_reference(&v, false, None);
                lane.iter_mut().zip(r).for_each(|(y, r)| *y = r);
            }
            let what = format!("{n} x {width}, fortran {fortran}");
            let alloc = x.cumprod_axis_as::<Scaled<f64>>(axis);
            let mut into = x.mapv(|_| Scaled::from(9.0));
            x.cumprod_axis_into(axis, &mut into).unwrap();
            let mut scaled_into = into.clone();
            scaled.cumprod_axis_into(axis, &mut scaled_into).unwrap();
            let mut inplace = scaled.clone();
            inplace.cumprod_axis_inplace(axis);
            for (name, got) in [
                ("alloc", &alloc),
                ("into", &into),
                ("scaled into", &scaled_into),
                ("inplace", &inplace),
            ] {
                for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
                    assert!(same(g, e), "{name} {what} at {i}: {g:?} against {e:?}");
                }
            }
        }
    }
}
