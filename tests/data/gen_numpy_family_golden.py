#!/usr/bin/env python3
"""Writes tests/data/numpy_family_golden.txt: NumPy's nancumprod and
cumulative_prod(include_initial=True) outputs, replayed by tests/family_golden.rs.

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


def values(kind, shape, rng):
    n = int(np.prod(shape, dtype=np.int64))
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


def fmt(arr):
    """Values written exactly as in numpy_golden.txt."""
    return gen_numpy_golden.fmt(None, arr)


def record(kind, x):
    lines = [f"case {kind} {','.join(map(str, x.shape))}", f"input {fmt(x)}"]
    with np.errstate(all="ignore"):
        if kind != "i64":
            flat = np.nancumprod(x)
            assert flat.dtype == x.dtype
            lines.append(f"nan_flat {fmt(flat)}")
            for k in range(x.ndim):
                lines.append(f"nan_axis {k} {fmt(np.nancumprod(x, axis=k))}")
        for k in range(x.ndim):
            r = np.cumulative_prod(x, axis=k, include_initial=True)
            assert r.dtype == x.dtype and r.shape[k] == x.shape[k] + 1
            lines.append(f"initial_axis {k} {fmt(r)}")
    return "\n".join(lines)


def main():
    rng = np.random.default_rng(SEED)
    records = [record(kind, values(kind, shape, rng)) for kind in KINDS for shape in SHAPES]
    records += [record(kind, x) for kind, x in special_cases()]
    header = (
        f"# NumPy {np.__version__} nancumprod and cumulative_prod(include_initial=True) outputs, "
        f"written by tests/data/gen_numpy_family_golden.py (seed {SEED}). Do not edit.\n"
    )
    with open(OUT, "w", encoding="ascii") as f:
        f.write(header + "\n" + "\n\n".join(records) + "\n")
    print(f"wrote {len(records)} cases to {OUT}")


if __name__ == "__main__":
    main()
