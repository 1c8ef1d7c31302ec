"""Golden data for `Scaled` (products that never underflow), from mpmath.

    python tests/data/gen_mpmath_scaled.py > tests/data/mpmath_scaled.txt

mpmath with `mp.prec = 53` (24 for f32) multiplies with the significand of
f64 (f32), rounding to nearest with ties to even, and an unbounded exponent:
the products that `Scaled` promises. Each chain is a left-to-right running
product; the file records, at checkpoints, the product as a mantissa in
[0.5, 1) and a binary exponent, the product rounded once to f64 (f32), and
its natural logarithm as f64 (to compare within a few ulps). Floats are
written as the hex digits of their bits (f32 bits for f32 chains, f64 bits
for every logarithm), so that they read back exactly.

Short chains list their factors (hex floats), with zeros, infinities, NaN,
subnormals and negative values. Long chains (up to 10^6 factors) come from a
xorshift64* generator that `tests/optimised/scaled.rs` runs as well: each factor is
built from the generator's integers by exact operations, so that both sides
see the same floats.

Line formats:
    chain <name> <f32|f64> <count> <every>        header
    x <bits> <bits> ...                             factors (short chains)
    gen <seed> <kind>                               factors (long chains)
    at <index> <mantissa> <exponent> <float> <ln>   a checkpoint

Zero has no sign in mpmath: a zero product is written with mantissa 0 and
compared regardless of its sign.
"""

import math
import struct
import sys

import mpmath
from mpmath import mp

MASK = (1 << 64) - 1


class XorShift:
    """xorshift64* (Vigna), the same in tests/optimised/scaled.rs."""

    def __init__(self, seed):
        self.state = seed

    def next(self):
        x = self.state
        x ^= x >> 12
        x ^= (x << 25) & MASK
        x ^= x >> 27
        self.state = x
        return (x * 0x2545F4914F6CDD1D) & MASK


def factor(r, kind, f32):
    """The factor for the integer `r` (see tests/optimised/scaled.rs, `factor`)."""
    bits, tiny = (24, -149) if f32 else (53, -1074)
    if kind == "unit":  # (0, 1): probabilities
        return math.ldexp((r >> (64 - bits)) | 1, -bits)
    if kind == "half":  # near 0.5, either sign
        x = math.ldexp((1 << (bits - 1)) + ((r >> 40) & 0xFFFF), -bits)
        return -x if r & 1 else x
    if kind == "wide":  # magnitudes from 2^-40 to 2^40, either sign
        m = math.ldexp((r >> (64 - bits)) | (1 << (bits - 1)), -bits)
        e = (r & 0x7F) % 81 - 40
        x = math.ldexp(m, e)
        return -x if (r >> 7) & 1 else x
    if kind == "subnormal":  # mostly units, one in 64 subnormal
        if r % 64 == 0:
            return math.ldexp((r >> 44) | 1, tiny)
        return math.ldexp((r >> (64 - bits)) | 1, -bits)
    raise ValueError(kind)


def bits(x, f32):
    """The bits of `x` as f32 or f64, in hex."""
    if f32:
        return "%08x" % struct.unpack("<I", struct.pack("<f", x))[0]
    return "%016x" % struct.unpack("<Q", struct.pack("<d", x))[0]


def show(x, f32):
    """mantissa exponent float ln, for the product `x`."""
    if mpmath.isnan(x):
        m, e, value, ln = math.nan, 0, math.nan, math.nan
    elif mpmath.isinf(x):
        m = value = math.inf if x > 0 else -math.inf
        e, ln = 0, (math.inf if x > 0 else math.nan)
    elif x == 0:
        m, e, value, ln = 0.0, 0, 0.0, -math.inf
    else:
        m, e = mpmath.frexp(x)
        m = float(m)  # exact: the significand has mp.prec bits
        value = to_f32(x) if f32 else float(x)  # rounded once
        ln = float(mpmath.log(x)) if x > 0 else math.nan
    return f"{bits(m, f32)} {e} {bits(value, f32)} {bits(ln, False)}"


def to_f32(x):
    """x rounded once to f32 (with f32 subnormals), as a Python float."""
    m, e = mpmath.frexp(x)
    # f32 keeps 24 bits down to 2^-126, fewer below; the smallest is 2^-149.
    if e > 128:
        return math.copysign(math.inf, float(m))
    keep = 24 if e - 1 >= -126 else max(0, 24 - (-126 - (e - 1)))
    rounded = int(mpmath.nint(mpmath.ldexp(m, keep)))  # ties to even
    y = math.ldexp(rounded, e - keep)
    if abs(y) >= 2.0**128:
        return math.copysign(math.inf, y)
    return y


def run(name, f32, factors, count, every, source):
    mp.prec = 24 if f32 else 53
    print(f"chain {name} {'f32' if f32 else 'f64'} {count} {every}")
    print(source)
    product = None
    for i, x in enumerate(factors):
        x = mpmath.mpf(x)
        product = x if product is None else product * x
        if i % every == 0 or i == count - 1:
            print(f"at {i} {show(product, f32)}")


def short(name, f32, values):
    text = "x " + " ".join(bits(v, f32) for v in values)
    run(name, f32, values, len(values), 1, text)


def long(name, f32, seed, kind, count, every):
    gen = XorShift(seed)
    factors = (factor(gen.next(), kind, f32) for _ in range(count))
    run(name, f32, factors, count, every, f"gen {seed} {kind}")


def main():
    inf, nan = math.inf, math.nan
    tiny = math.ldexp(1, -1074)
    short("specials", False, [0.5, 2.0 ** -1000, 2.0 ** -60, -3.0, inf, 0.25, 0.0, 2.0])
    short("zero_times_inf", False, [1e-300, 0.0, inf, 5.0])
    short("nan_in_the_middle", False, [0.75, 1e-200, nan, 1e300])
    short("subnormal_inputs", False, [tiny, 3 * tiny, 2.0 ** 1000, 2.0 ** 1000, 0.5, -tiny])
    short("overflow_free", False, [1e300, 1e300, 1e300, 1e-300, 1e-300, 1e-300, 1e-300])
    short("negative_probabilities", False, [-0.5, 0.5, -0.5, -0.25, 0.125] * 300)
    # Products that stay near 2^-1040 with all 53 bits set: rounded once to
    # a subnormal f64 by `to_float` (twice would differ now and then).
    gen = XorShift(7)
    near = [math.ldexp(1.0 + (gen.next() >> 12) * 2.0**-52, -1040)]
    near += [1.0 + ((gen.next() >> 12) * 2.0**-52 - 0.5) / 16 for _ in range(400)]
    short("near_subnormal", False, near)
    short("f32_specials", True, [0.5, 2.0 ** -100, 2.0 ** -100, -3.0, inf, 2.0 ** -149, 0.0])
    long("unit_f64", False, 1, "unit", 1_000_000, 997)
    long("half_f64", False, 2, "half", 1_000_000, 1009)
    long("wide_f64", False, 3, "wide", 200_000, 211)
    long("subnormal_f64", False, 4, "subnormal", 100_000, 101)
    long("unit_f32", True, 5, "unit", 1_000_000, 991)
    long("wide_f32", True, 6, "wide", 100_000, 103)


if __name__ == "__main__":
    sys.stdout.reconfigure(newline="\n")
    main()
