"""Writes the .npy files of tests/suite/npy.rs: inputs in `in/`, written by NumPy,
and NumPy's results in `expected/`.

Run from the repository root with NumPy 2 (from PyPI):

    python tests/data/npy/gen_npy.py

Each expected file is named `INPUT__OP.npy`, OP being `flat` (axis=None) or
`axisK` (`axis0` and `axis-1` for 0-d arrays, which NumPy scans as arrays
of shape (1,)), then `_nan` for `np.nancumprod` and `_rev` for the scan from the
end, `np.flip(np.cumprod(np.flip(a, K), K), K)` (on the flattened array for
`flat`; the memory order of these is NumPy's for the flipped array, C).
Files that the example must refuse are in `bad/`.
"""

import os
import shutil

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SHAPES_C = [(), (0,), (3, 0), (7,), (3, 5), (2, 3, 4)]
SHAPES_F = [(3, 0), (3, 5), (2, 3, 4)]
DTYPES = ["float64", "float32", "int64", "int32", "uint8", "bool"]


def values(dtype, shape, seed):
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    if dtype.startswith("float"):
        v = rng.uniform(0.5, 1.5, n)
        # NaN, infinities, signed zeros, a large and a tiny factor.
        special = [np.nan, np.inf, -np.inf, -0.0, 0.0, -1.25, 1e30, 1e-30]
        for i in range(0, n, 3):
            v[i] = special[(i // 3) % len(special)] if rng.random() < 0.5 else v[i]
        return v.astype(dtype).reshape(shape)
    if dtype == "bool":
        return (rng.random(n) < 0.8).reshape(shape)
    if dtype == "uint8":
        return rng.integers(0, 4, n).astype(dtype).reshape(shape)
    return rng.integers(-3, 4, n).astype(dtype).reshape(shape)


def name(dtype, order, shape):
    dims = "x".join(str(d) for d in shape) if shape else "0d"
    return f"{dtype}_{order}_{dims}"


def scan(a, axis, nan, rev):
    f = np.nancumprod if nan else np.cumprod
    if axis is None:
        if not rev:
            return f(a, axis=None)
        return np.flip(f(np.flip(a.ravel())))
    if not rev:
        return f(a, axis=axis)
    if a.ndim == 0:
        # One element: the same from either end.
        return f(a, axis=axis)
    return np.flip(f(np.flip(a, axis), axis=axis), axis)


def main():
    for sub in ["in", "expected", "bad"]:
        shutil.rmtree(os.path.join(HERE, sub), ignore_errors=True)
        os.makedirs(os.path.join(HERE, sub))
    seed = 0
    for dtype in DTYPES:
        for order, shapes in [("C", SHAPES_C), ("F", SHAPES_F)]:
            for shape in shapes:
                seed += 1
                a = values(dtype, shape, seed)
                # np.array keeps 0-d arrays 0-d (np.ascontiguousarray would not).
                a = np.array(a, order=order)
                n = name(dtype, order, shape)
                np.save(os.path.join(HERE, "in", n + ".npy"), a)
                # NumPy scans a 0-d array as one of shape (1,), along axis 0
                # or -1.
                axes = [None] + (list(range(a.ndim)) if a.ndim else [0, -1])
                floats = dtype.startswith("float")
                for axis in axes:
                    for nan in [False, True] if floats or shape == (2, 3, 4) else [False]:
                        for rev in [False, True]:
                            op = "flat" if axis is None else f"axis{axis}"
                            op += "_nan" if nan else ""
                            op += "_rev" if rev else ""
                            r = scan(a, axis, nan, rev)
                            np.save(os.path.join(HERE, "expected", f"{n}__{op}.npy"), r)
    bad = os.path.join(HERE, "bad")
    np.save(os.path.join(bad, "float16.npy"), np.ones(4, dtype=np.float16))
    np.save(os.path.join(bad, "int16.npy"), np.ones(4, dtype=np.int16))
    np.save(os.path.join(bad, "big_endian.npy"), np.ones(4, dtype=">f8"))
    good = np.arange(1.0, 25.0).reshape(2, 3, 4)
    np.save(os.path.join(bad, "whole.npy"), good)
    with open(os.path.join(bad, "whole.npy"), "rb") as f:
        data = f.read()
    with open(os.path.join(bad, "truncated.npy"), "wb") as f:
        f.write(data[:-8])
    with open(os.path.join(bad, "header_only.npy"), "wb") as f:
        f.write(data[:40])
    with open(os.path.join(bad, "not_npy.npy"), "w") as f:
        f.write("a,b,c\n1,2,3\n")
    os.remove(os.path.join(bad, "whole.npy"))


if __name__ == "__main__":
    main()
