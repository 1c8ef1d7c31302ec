#!/usr/bin/env python3
"""NumPy's side of the layout report, for the comparison in docs/performance.md.

Prints two tables, every time divided by NumPy's plain copy of the same array
(`np.copyto` into an array of the same layout), as the layout report divides
this crate's times by `out.assign(&a)`:

- for the F-order shapes of `examples/layout_report.rs` (8 Mi elements, f64
  and i64), NumPy's own F-to-C copy (`np.copyto` into a C-order array: the
  transposition alone) and `np.cumprod(a, axis=None, out=...)`;
- for f64 [8192, 1024] in C order, `np.cumprod(a, axis=k, out=...)` along each
  axis and with axis=None, and `np.nancumprod` likewise.

It writes no file and no test reads it.

Run with NumPy installed from PyPI:

    python3 -m venv /tmp/np && /tmp/np/bin/pip install 'numpy==2.4.*'
    /tmp/np/bin/python benches/numpy_reference.py

Times are medians of 9 runs; the machine is noisy, so compare ratios from one
run, not absolute times between runs.
"""

import time

import numpy as np

LEN = 1 << 23
SHAPES = [(1024, LEN // 1024), (LEN // 1024, 1024), (4, LEN // 4), (LEN // 4, 4), (64, 128, LEN // 1024 // 8)]


def median_time(f, reps=9):
    f()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2]


def values(dtype, n):
    """The values of benches/data.rs, by memory position."""
    i = np.arange(n, dtype=np.int64)
    if dtype == np.float64:
        return 1.0 + ((i * 7 + 3) % 17).astype(np.float64) * 1e-9
    return np.where(i % 5 < 1, -1, 1).astype(np.int64)


def main():
    print(f"NumPy {np.__version__}: time / np.copyto of the same F-order array, medians")
    print("| case | F-to-C copy | cumprod axis=None |")
    print("|---|---|---|")
    for dtype in (np.float64, np.int64):
        for shape in SHAPES:
            a = np.asfortranarray(values(dtype, LEN).reshape(shape, order="F"))
            same = np.empty(shape, dtype=dtype, order="F")
            c_order = np.empty(shape, dtype=dtype, order="C")
            flat = np.empty(LEN, dtype=dtype)
            copy = median_time(lambda: np.copyto(same, a))
            transpose = median_time(lambda: np.copyto(c_order, a))
            scan = median_time(lambda: np.cumprod(a, axis=None, out=flat))
            name = np.dtype(dtype).name.replace("float", "f").replace("int", "i")
            print(f"| {name} {list(shape)} F | {transpose / copy:.2f}x | {scan / copy:.2f}x |")

    print()
    print("| case | cumprod(out=) | nancumprod(out=) |")
    print("|---|---|---|")
    shape = (LEN // 1024, 1024)
    a = values(np.float64, LEN).reshape(shape)
    same = np.empty(shape)
    copy = median_time(lambda: np.copyto(same, a))
    for axis in (0, 1, None):
        out = same if axis is not None else np.empty(LEN)
        scan = median_time(lambda: np.cumprod(a, axis=axis, out=out))
        nan = median_time(lambda: np.nancumprod(a, axis=axis, out=out))
        print(f"| f64 {list(shape)} C axis={axis} | {scan / copy:.2f}x | {nan / copy:.2f}x |")


if __name__ == "__main__":
    main()
