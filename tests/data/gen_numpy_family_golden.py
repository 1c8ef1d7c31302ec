#!/usr/bin/env python3
"""Writes tests/data/numpy_family_golden.txt: NumPy's nancumprod and
cumulative_prod(include_initial=True) outputs, with and without dtype, and the
flip-based reverse scans, replayed by tests/suite/family_golden.rs.

Run from the repository root with NumPy installed from PyPI:

    python3 -m venv /tmp/np && /tmp/np/bin/pip install 'numpy==2.4.*'
    /tmp/np/bin/python tests/data/gen_numpy_family_golden.py

The output is deterministic for a given NumPy version (fixed seed): a re-run with
the same version reproduces the committed file byte for byte.

File format, one record per case, blank line between records:

    case <kind> <shape>               shape: comma-separated lengths
    input <values>                    logical (row-major) order
    nan_flat <values>                 np.nancumprod(a) (axis=None), 1-D
    nan_axis <k> <values>             np.nancumprod(a, axis=k), one line per axis
    initial_axis <k> <values>         np.cumulative_prod(a, axis=k, include_initial=True):
                                      the shape of a with axis k one longer
    rev_axis <k> <values>             np.flip(np.cumprod(np.flip(a, k), axis=k), k)
    rev_initial_axis <k> <values>     np.flip(np.cumulative_prod(np.flip(a, k), axis=k,
                                      include_initial=True), k)

For the converting kinds (<from>_as_<to>: f32_as_f64, i32_as_i64, bool_as_i64)
the input is of the first type and every result is computed with dtype= the
second, as NumPy's nancumprod(a, dtype=...) and cumulative_prod(a, dtype=...) do.

Values are written as in numpy_golden.txt: floats as the hex of their IEEE bits
(f64: 16 digits, f32: 8), complex as "re:im" (f64 bits each), integers in decimal,
"-" for an empty list. The kinds are f64, f32 and c128 (with NaNs: nancumprod and
cumulative_prod) and i64 (cumulative_prod only: nancumprod of integers is cumprod).
"""

import os

import numpy as np

import gen_numpy_golden

SEED = 20261125
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "numpy_family_golden.txt")

SHAPES = [(1,), (9,), (0,), (3, 4), (0, 3), (4, 0), (2, 3, 4), (3, 1, 2)]
KINDS = {"f64": np.float64, "f32": np.float32, "c128": np.complex128, "i64": np.int64}
# The converting kinds: input dtype, dtype= of every call.
CONVERTING = {
    "f32_as_f64": (np.float32, np.float64),
    "i32_as_i64": (np.int32, np.int64),
    "bool_as_i64": (np.bool_, np.int64),
}


def values(kind, shape, rng):
    n = int(np.prod(shape, dtype=np.int64))
    if kind in CONVERTING:
        base = {"f32_as_f64": "f32", "i32_as_i64": "i64", "bool_as_i64": "i64"}[kind]
        v = values(base, shape, rng).ravel()
        if kind == "i32_as_i64" and n:
            # The first element large, so that the flattened products leave
            # int32 within a few steps and still fit int64 (|v| <= 3 elsewhere).
            v[0] = 100_000_000 * (1 if v[0] >= 0 else -1)
            exact = np.cumprod(v.astype(object))
            assert all(abs(int(p)) < 2**63 for p in exact), "the products must fit int64"
        if kind == "bool_as_i64":
            v = v != 0
        return np.asarray(v).astype(CONVERTING[kind][0]).reshape(shape)
    if kind in ("f64", "f32"):
        v = rng.uniform(0.5, 1.6, n) * rng.choice([-1.0, 1.0], n)
        v[rng.random(n) < 0.3] = np.nan
        v[rng.random(n) < 0.05] = np.inf
    elif kind == "c128":
        v = rng.uniform(-1.2, 1.2, n) + 1j * rng.uniform(-1.2, 1.2, n)
        v[rng.random(n) < 0.15] = complex(np.nan, 1.0)
        v[rng.random(n) < 0.15] = complex(1.0, np.nan)
    else:
        v = rng.integers(-3, 4, n)
    return np.asarray(v).astype(KINDS[kind]).reshape(shape)


def special_cases():
    nan, inf = np.nan, np.inf
    yield "f64", np.array([nan, 2.0, nan, 3.0])
    yield "f64", np.array([[nan, nan], [nan, nan]])
    yield "f64", np.array([inf, nan, -0.0, nan, -inf])
    yield "f32", np.array([nan, -2.0, nan, 0.5], dtype=np.float32)
    yield "c128", np.array([complex(nan, 0.0), complex(0.0, nan), 2 + 1j, complex(nan, nan), 1 - 1j])
    # Infinite parts and signed zeros: 1 * x is not x for them, so every scan
    # must start a lane with a copy of its element.
    yield "c128", np.array([complex(-inf, 1.0), 2 + 0j])
    yield "c128", np.array([2 + 0j, complex(-inf, 1.0)])
    yield "c128", np.array([complex(-0.0, -0.0), 3 + 0j, complex(inf, -0.0)])
    yield "c128", np.array(
        [[complex(-inf, 1.0), complex(0.5, inf)], [complex(-0.0, -0.0), complex(2.0, -inf)]]
    )


def fmt(arr):
    """Values written exactly as in numpy_golden.txt."""
    return gen_numpy_golden.fmt(None, arr)


def record(kind, x):
    lines = [f"case {kind} {','.join(map(str, x.shape))}", f"input {fmt(x)}"]
    dtype = CONVERTING[kind][1] if kind in CONVERTING else x.dtype
    with np.errstate(all="ignore"):
        if kind != "i64":
            flat = np.nancumprod(x, dtype=dtype)
            assert flat.dtype == dtype
            lines.append(f"nan_flat {fmt(flat)}")
            for k in range(x.ndim):
                lines.append(f"nan_axis {k} {fmt(np.nancumprod(x, axis=k, dtype=dtype))}")
        for k in range(x.ndim):
            r = np.cumulative_prod(x, axis=k, dtype=dtype, include_initial=True)
            assert r.dtype == dtype and r.shape[k] == x.shape[k] + 1
            lines.append(f"initial_axis {k} {fmt(r)}")
        if kind not in CONVERTING:
            for k in range(x.ndim):
                flipped = np.flip(x, k)
                r = np.flip(np.cumprod(flipped, axis=k), k)
                lines.append(f"rev_axis {k} {fmt(r)}")
                r = np.flip(np.cumulative_prod(flipped, axis=k, include_initial=True), k)
                lines.append(f"rev_initial_axis {k} {fmt(r)}")
    return "\n".join(lines)


def main():
    rng = np.random.default_rng(SEED)
    records = [record(kind, values(kind, shape, rng)) for kind in KINDS for shape in SHAPES]
    records += [record(kind, values(kind, shape, rng)) for kind in CONVERTING for shape in SHAPES]
    records += [record(kind, x) for kind, x in special_cases()]
    header = (
        f"# NumPy {np.__version__} nancumprod, cumulative_prod(include_initial=True) and flip-based "
        f"reverse outputs, with and without dtype, "
        f"written by tests/data/gen_numpy_family_golden.py (seed {SEED}). Do not edit.\n"
    )
    with open(OUT, "w", encoding="ascii") as f:
        f.write(header + "\n" + "\n\n".join(records) + "\n")
    print(f"wrote {len(records)} cases to {OUT}")


if __name__ == "__main__":
    main()
