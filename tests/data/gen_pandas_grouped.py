"""Golden data for grouped, segmented and masked scans, from pandas and NumPy.

    python tests/data/gen_pandas_grouped.py > tests/data/pandas_grouped.txt

Each case is a long table (rows along axis 0, one or more columns) with a
group code per row. For each it records, bit for bit:

- `skipna`: `df.groupby(codes).cumprod()` (pandas' default, `skipna=True`:
  NaN stays NaN and the group's product goes on);
- `noskip`: the same with `skipna=False` (NaN propagates through the group);
- `asone`: NumPy's `nancumprod` of each group (NaN counts as one);
- `reverse`: pandas on the rows reversed, reversed back (skipna=True);
- `segments`: pandas' `df.groupby(starts.cumsum()).cumprod(skipna=False)`, a
  new product at each row whose start flag is set (float cases);
- `masked`: NumPy's `np.cumprod(np.where(mask, x, 1), axis=0)`, elements
  whose mask is false counting as one (float cases).

Line formats:
    case <name> <f64|i64> <rows> <cols>
    codes <c> <c> ...
    starts <0|1> ...              one segment-start flag per row (float cases)
    mask <0|1> ...                one flag per element, row-major (float cases)
    x <bits> ...                  the table, row-major (f64 bits in hex, or i64)
    <rule> <bits> ...             the result, row-major
"""

import struct
import sys

import numpy as np
import pandas as pd


def bits(values, dtype):
    if dtype == "i64":
        return " ".join(str(int(v)) for v in values)
    return " ".join("%016x" % struct.unpack("<Q", struct.pack("<d", float(v)))[0] for v in values)


def grouped(table, codes, skipna=True):
    df = pd.DataFrame(table)
    return df.groupby(codes, sort=False).cumprod(skipna=skipna).to_numpy()


def as_one(table, codes):
    out = np.empty_like(table)
    for c in np.unique(codes):
        rows = codes == c
        out[rows] = np.nancumprod(table[rows], axis=0)
    return out


def case(name, table, codes):
    table = np.asarray(table)
    codes = np.asarray(codes, dtype=np.int64)
    if table.ndim == 1:
        table = table[:, None]
    dtype = "i64" if table.dtype.kind == "i" else "f64"
    rows, cols = table.shape
    print(f"case {name} {dtype} {rows} {cols}")
    print("codes " + " ".join(map(str, codes)))
    print("x " + bits(table.ravel(), dtype))
    print("skipna " + bits(grouped(table, codes).ravel(), dtype))
    if dtype == "f64":
        print("noskip " + bits(grouped(table, codes, skipna=False).ravel(), dtype))
        print("asone " + bits(as_one(table, codes).ravel(), dtype))
        flags = np.random.default_rng(rows * 31 + cols)
        starts = flags.random(rows) < 0.1
        mask = flags.random(table.shape) < 0.8
        print("starts " + " ".join(str(int(v)) for v in starts))
        print("mask " + " ".join(str(int(v)) for v in mask.ravel()))
        print("segments " + bits(grouped(table, np.cumsum(starts), skipna=False).ravel(), dtype))
        print("masked " + bits(np.cumprod(np.where(mask, table, 1.0), axis=0).ravel(), dtype))
    reverse = grouped(table[::-1], codes[::-1])[::-1]
    print("reverse " + bits(reverse.ravel(), dtype))


def main():
    rng = np.random.default_rng(20261126)
    nan, inf = np.nan, np.inf
    case("doc_example", [2.0, 3.0, nan, 5.0, 7.0], [0, 1, 0, 1, 0])
    case("specials", [1.5, -0.0, inf, nan, 0.0, -2.0, inf, -inf, 3.0, nan, 0.5, 2.0],
         [0, 1, 0, 0, 1, 1, 2, 2, 2, 3, 3, 0])
    case("signed_zeros", [-0.0, 0.0, -0.0, 2.0, -3.0, 0.0], [0, 0, 1, 1, 0, 1])
    case("one_group", 1 + rng.normal(0, 0.1, 50), [0] * 50)
    case("every_row_its_group", rng.normal(0, 2, 30), list(range(30)))
    # Codes 0..9 of which some never occur: groups with no rows.
    codes = rng.choice([0, 2, 3, 7, 9], 200)
    case("empty_groups", 1 + rng.normal(0, 0.05, 200), codes)
    # Many groups in random order, with 2% NaN and a few infinities.
    values = 1 + rng.normal(0, 0.02, 5000)
    values[rng.random(5000) < 0.02] = nan
    values[rng.random(5000) < 0.001] = inf
    case("many_groups", values, rng.integers(0, 1000, 5000))
    table = 1 + rng.normal(0, 0.05, (300, 4))
    table[rng.random((300, 4)) < 0.05] = nan
    case("table_4_columns", table, rng.integers(0, 7, 300))
    table = rng.normal(0, 1, (40, 8))
    table[rng.random((40, 8)) < 0.1] = nan
    table[3, 2] = -0.0
    table[5, 5] = inf
    case("table_8_columns", table, rng.integers(0, 3, 40))
    case("integers", rng.integers(-3, 4, 60), rng.integers(0, 5, 60))


if __name__ == "__main__":
    sys.stdout.reconfigure(newline="\n")
    main()
