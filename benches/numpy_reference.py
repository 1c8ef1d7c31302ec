#!/usr/bin/env python3
"""NumPy's side of the layout report: NumPy's times for every row of
`examples/layout_report.rs`, on the same data, in milliseconds.

For each element type (f64, i64), shape, memory order and axis (and
axis=None), it times, medians of 7 runs each:

- `copy`: `np.copyto` into an array of the same layout (NumPy's copy, the
  baseline NumPy's own ratios are taken against);
- `into`: `np.cumprod(a, axis=k, out=o)` into an array of the same layout (a
  1-D array for axis=None);
- `alloc`: `np.cumprod(a, axis=k)`;

and for f64 the same for `np.nancumprod` (rows marked `nan`).

It writes `docs/numpy_times.tsv` (or the path given as the first argument), a
line per row: the row's name as the layout report prints it, then the three
times. `layout_report --numpy docs/numpy_times.tsv` puts them beside this
crate's. Run it on the same machine just before or after the report:

    python3 -m venv /tmp/np && /tmp/np/bin/pip install 'numpy==2.4.*'
    /tmp/np/bin/python benches/numpy_reference.py
"""

import sys
import time

import numpy as np

LEN = 1 << 23
SHAPES = [
    (LEN,),
    (1024, LEN // 1024),
    (LEN // 1024, 1024),
    (4, LEN // 4),
    (LEN // 4, 4),
    (64, 128, LEN // 1024 // 8),
]
REPS = 7


def median_ms(f, reps=REPS):
    f()  # warm up: page in, fill caches
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2] * 1e3


def values(dtype, n):
    """The values of benches/data.rs, by memory position."""
    i = np.arange(n, dtype=np.int64)
    if dtype == np.float64:
        return 1.0 + ((i * 7 + 3) % 17).astype(np.float64) * 1e-9
    return np.where(i % 5 < 1, -1, 1).astype(np.int64)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "docs/numpy_times.tsv"
    lines = [f"# NumPy {np.__version__}: milliseconds, medians of {REPS} runs; name, copy, into, alloc"]
    for dtype in (np.float64, np.int64):
        name = np.dtype(dtype).name.replace("float", "f").replace("int", "i")
        for shape in SHAPES:
            for order in ("C", "F") if len(shape) > 1 else ("C",):
                a = values(dtype, LEN).reshape(shape, order=order)
                same = np.empty(shape, dtype=dtype, order=order)
                flat = np.empty(LEN, dtype=dtype)
                copy = median_ms(lambda: np.copyto(same, a))
                axes = list(range(len(shape))) + ([None] if len(shape) > 1 else [])
                funcs = [("", np.cumprod)] + ([("nan", np.nancumprod)] if dtype == np.float64 else [])
                for axis in axes:
                    out = same if axis is not None else flat
                    for variant, f in funcs:
                        if variant and axis is None:
                            continue
                        into = median_ms(lambda: f(a, axis=axis, out=out))
                        alloc = median_ms(lambda: f(a, axis=axis))
                        label = f"{name} {list(shape)} {order} axis={axis}" + (f" {variant}" if variant else "")
                        lines.append(f"{label}\t{copy:.3f}\t{into:.3f}\t{alloc:.3f}")
                        print(lines[-1], flush=True)
    with open(path, "w") as out:
        out.write("\n".join(lines) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
