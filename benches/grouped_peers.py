"""Grouped cumulative products side by side: this crate, pandas and Polars
on the same data, in one run.

    python benches/grouped_peers.py            # needs numpy, pandas, polars

The data: 8 Mi float64 rows with 1,000 groups in random order (a long table
of (group, row) returns, 1% missing), as a 1-D array (a pandas Series), as one
column of a table (8 Mi x 1) and as a table of 1 Mi rows x 8 columns. Each line gives the median of 7 runs in
milliseconds and the ratio of the peer's time to this crate's (above 1: this
crate is faster). pandas: `df.groupby(key)[cols].cumprod()` (skipna=True);
Polars: `df.select(pl.col(cols).cum_prod().over(key))`; this crate:
`nancumprod_with(Cumprod::along(Axis(0)).groups(&codes).keep_nan())`, which
follows pandas' NaN rule, allocating like the peers, and its `_into` form into
a preallocated array. The script also checks that the 8 Mi x 1 result is
pandas' to the bit.

A new 64 MiB array costs its page faults: NumPy asks the kernel for
transparent huge pages, glibc's malloc (which Rust uses) does not unless told
so. The allocating form is therefore timed twice: with the default malloc and
with `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`, which makes malloc ask for them
too (on Linux with glibc 2.35 or later, transparent huge pages in `madvise`
or `always` mode).
"""

import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd
import polars as pl

ROWS = 8 << 20
GROUPS = 1000
REPS = 7


def median_ms(f):
    f()
    times = []
    for _ in range(REPS):
        start = time.perf_counter()
        f()
        times.append((time.perf_counter() - start) * 1e3)
    return sorted(times)[REPS // 2]


def main():
    rng = np.random.default_rng(20261125)
    values = 1.0 + rng.normal(0.0, 0.01, ROWS)
    values[rng.random(ROWS) < 0.01] = np.nan
    codes = rng.integers(0, GROUPS, ROWS).astype(np.uint64)
    # 0 columns: a 1-D array, a pandas Series.
    shapes = [(ROWS, 0), (ROWS, 1), (ROWS // 8, 8)]

    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as tmp:
        values.tofile(os.path.join(tmp, "values.f64"))
        codes.tofile(os.path.join(tmp, "codes.u64"))
        with open(os.path.join(tmp, "shapes.txt"), "w") as f:
            f.writelines(f"{r} {c}\n" for r, c in shapes)
        root = os.path.dirname(here)
        subprocess.run(
            ["cargo", "build", "--quiet", "--release", "--example", "grouped_timing"],
            cwd=root,
            check=True,
        )
        binary = os.path.join(root, "target", "release", "examples", "grouped_timing")

        def ours_run(env):
            run = subprocess.run(
                [binary, tmp], env={**os.environ, **env}, check=True, capture_output=True, text=True
            )
            times = {}
            for line in run.stdout.splitlines():
                words = line.split()
                if words[0] == "ours":
                    fields = dict(zip(words[3::2], map(float, words[4::2])))
                    times[(int(words[1]), int(words[2]))] = fields
            return times

        ours = ours_run({})
        ours_thp = ours_run({"GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"})
        ours_1d = np.fromfile(os.path.join(tmp, "ours.f64"), dtype=np.float64)

    print(f"{'table':>12} {'pandas':>8} {'Polars':>8} {'ours':>8} {'ours THP':>8} {'_into':>8}"
          f" {'to_owned':>8} {'to_owned THP':>12}   pandas/ours (alloc, THP, _into)")
    for rows, cols in shapes:
        table = values[: rows * max(cols, 1)].reshape(rows, max(cols, 1))
        names = [f"c{j}" for j in range(max(cols, 1))]
        df = pd.DataFrame(table, columns=names)
        df["key"] = codes[:rows]
        if cols == 0:
            series, key = pd.Series(values[:rows]), pd.Series(codes[:rows])
            t_pandas = median_ms(lambda: series.groupby(key).cumprod())
        else:
            t_pandas = median_ms(lambda: df.groupby("key")[names].cumprod())
        pf = pl.DataFrame({**{n: table[:, j] for j, n in enumerate(names)}, "key": codes[:rows]})
        # Polars keeps NaN as a float value; missing data is null there.
        pf = pf.with_columns([pl.col(n).fill_nan(None) for n in names])
        t_polars = median_ms(lambda: pf.select(pl.col(names).cum_prod().over("key")))
        o, h = ours[(rows, cols)], ours_thp[(rows, cols)]
        label = f"{rows:>9}" + ("   " if cols == 0 else f"x{cols:<2}")
        print(f"{label} {t_pandas:8.1f} {t_polars:8.1f} {o['keep_nan']:8.1f} "
              f"{h['keep_nan']:8.1f} {o['keep_nan_into']:8.1f} {o['to_owned']:8.1f} "
              f"{h['to_owned']:12.1f}   {t_pandas / o['keep_nan']:.1f}x, "
              f"{t_pandas / h['keep_nan']:.1f}x, {t_pandas / o['keep_nan_into']:.1f}x "
              f"(Polars/ours: {t_polars / o['keep_nan']:.1f}x, {t_polars / h['keep_nan']:.1f}x, "
              f"{t_polars / o['keep_nan_into']:.1f}x)")
        if cols == 1:
            expected = df.groupby("key")["c0"].cumprod().to_numpy()
            same = np.array_equal(expected.view(np.uint64), ours_1d.view(np.uint64))
            print(f"{'':>12} 8 Mi x 1 result identical to pandas, bit for bit: {same}")
            if not same:
                sys.exit(1)


if __name__ == "__main__":
    main()
