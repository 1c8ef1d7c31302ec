#!/usr/bin/env python3
"""Writes tests/data/numpy_golden.txt: NumPy's cumprod outputs, replayed by tests/optimised/golden.rs.

Run from the repository root with NumPy installed from PyPI:

    python3 -m venv /tmp/np && /tmp/np/bin/pip install 'numpy==2.4.*'
    /tmp/np/bin/python tests/data/gen_numpy_golden.py

The output is deterministic for a given NumPy version (fixed seed), so a re-run
with the same version reproduces the committed file byte for byte.

File format, one record per case, blank line between records:

    case <kind> <layout> <shape>      shape: comma-separated lengths, "-" for 0-d
    input <values>                    logical (row-major) order
    flat <values>                     a.cumprod() (axis=None), 1-D
    axis <k> <values>                 a.cumprod(axis=k), logical order, one line per axis

Values: floats as the hex of their IEEE bits (f64: 16 digits, f32: 8), complex
as "re:im" (f64 bits each), integers in decimal, bool as 0/1. An empty list is "-".

<kind> names the input dtype, NumPy's call and the Rust method it checks:

    f64, f32, i64, c128     same dtype in and out (NumPy's default)
    f32_f64                 float32 input, dtype=float64   -> cumprod_*_as::<f64>
    i32_i64                 int32 input, NumPy's default int64 -> cumprod_*_as::<i64>
    i32                     int32 input, dtype=int32       -> cumprod_* on i32
    bool_i64                bool input, NumPy's default int64 -> cumprod_*_as::<i64>
    i8_i64                  int8 input, NumPy's default int64 -> cumprod_*_as::<i64>
    u8_u64                  uint8 input, NumPy's default uint64 -> cumprod_*_as::<u64>
    wrap_i64                int64 input that overflows: NumPy wraps -> Wrapping<i64>

<layout> says how the input array is laid out in memory before NumPy sees it:

    C         C-contiguous
    F         Fortran-contiguous
    step2     every axis sliced with step 2 out of an array twice as long
    reversed  every axis reversed (negative strides)
    perm      (3-D) memory order of axes (1, 2, 0): contiguous, neither C nor F
"""

import os
import struct

import numpy as np

SEED = 20261124
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "numpy_golden.txt")

SHAPES = [(), (1,), (13,), (0,), (3, 4), (0, 3), (4, 0), (2, 3, 4), (2, 1, 3), (3, 2, 2, 2)]
LAYOUTS = ["C", "F", "step2", "reversed", "perm"]

# kind -> (input dtype, dtype argument to cumprod, output dtype)
KINDS = {
    "f64": (np.float64, None, np.float64),
    "f32": (np.float32, None, np.float32),
    "f32_f64": (np.float32, np.float64, np.float64),
    "i64": (np.int64, None, np.int64),
    "i32_i64": (np.int32, None, np.int64),
    "i32": (np.int32, np.int32, np.int32),
    "bool_i64": (np.bool_, None, np.int64),
    "i8_i64": (np.int8, None, np.int64),
    "u8_u64": (np.uint8, None, np.uint64),
    "c128": (np.complex128, None, np.complex128),
    "wrap_i64": (np.int64, None, np.int64),
}


def values(kind, shape, rng):
    """Random logical values for a case; small enough that only wrap_i64 overflows."""
    dtype = KINDS[kind][0]
    n = int(np.prod(shape, dtype=np.int64))
    if kind in ("f64", "f32", "f32_f64"):
        v = rng.uniform(0.5, 1.6, n) * rng.choice([-1.0, 1.0], n)
    elif kind == "c128":
        v = rng.uniform(-1.2, 1.2, n) + 1j * rng.uniform(-1.2, 1.2, n)
    elif kind == "i32":
        v = rng.integers(-2, 3, n)
    elif kind in ("i64", "i32_i64", "i8_i64"):
        v = rng.integers(-3, 4, n)
    elif kind == "u8_u64":
        v = rng.integers(0, 6, n)
    elif kind == "bool_i64":
        v = rng.random(n) < 0.85
    elif kind == "wrap_i64":
        v = rng.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max, n, dtype=np.int64, endpoint=True)
    else:
        raise ValueError(kind)
    return np.asarray(v).astype(dtype).reshape(shape)


def special_cases():
    """Hand-made inputs: IEEE special values and integer extremes."""
    inf, nan = np.inf, np.nan
    floats = [[1.0, -0.0, 2.0, -3.0], [inf, 0.0, nan, 2.0], [-inf, -1.0, 3.0, -0.0], [0.5, inf, -2.0, 1e300]]
    yield "f64", np.array(floats, dtype=np.float64)
    with np.errstate(over="ignore"):  # 1e300 becomes inf in float32, on purpose
        yield "f32", np.array(floats, dtype=np.float32)
    yield "f64", np.array([1e-300, 1e-300, 1e300, 1e300, 5e-324, 2.0], dtype=np.float64)
    yield "f32", np.array([3e38, 2.0, 0.5, 1e-45, 0.5], dtype=np.float32)
    yield "c128", np.array([[1 + 1j, complex(inf, 0)], [complex(0, nan), -0.0 - 0.0j]])
    yield "i8_i64", np.array([-128, 127, -128, -1, 127], dtype=np.int8)
    yield "u8_u64", np.array([255, 255, 255, 255], dtype=np.uint8)
    yield "i32_i64", np.array([2**31 - 1, 2**31 - 1, -2], dtype=np.int32)
    yield "wrap_i64", np.array([2**62, 4, -3, 2**63 - 1, 2**63 - 1], dtype=np.int64)
    # Long lanes: the one case where a 1-D scan runs for many steps.
    rng = np.random.default_rng(SEED + 1)
    yield "f64", (rng.uniform(0.9, 1.1, 257) * rng.choice([-1.0, 1.0], 257)).astype(np.float64)
    yield "f32", rng.uniform(0.9, 1.1, (5, 64)).astype(np.float32)


def lay_out(x, layout):
    """x with the same logical values, laid out in memory as `layout` says."""
    nd = x.ndim
    if nd == 0 or layout == "C":  # a 0-d array has one layout
        return np.array(x, order="C", copy=True)
    if layout == "F":
        return np.array(x, order="F", copy=True)
    if layout == "step2":
        big = np.zeros(tuple(2 * s for s in x.shape), dtype=x.dtype)
        every_other = (slice(None, None, 2),) * nd
        big[every_other] = x
        return big[every_other]
    if layout == "reversed":
        flip = (slice(None, None, -1),) * nd
        return np.array(x[flip], order="C", copy=True)[flip]
    if layout == "perm":
        assert nd == 3
        return np.ascontiguousarray(x.transpose(1, 2, 0)).transpose(2, 0, 1)
    raise ValueError(layout)


def fmt(kind, arr):
    arr = np.asarray(arr).ravel(order="C")
    if arr.size == 0:
        return "-"
    dt = arr.dtype
    if dt == np.float64:
        return " ".join(f"{struct.unpack('<Q', struct.pack('<d', v))[0]:016x}" for v in arr.tolist())
    if dt == np.float32:
        return " ".join(f"{v:08x}" for v in arr.view(np.uint32).tolist())
    if dt == np.complex128:
        pairs = arr.view(np.float64).reshape(-1, 2).view(np.uint64).tolist()
        return " ".join(f"{re:016x}:{im:016x}" for re, im in pairs)
    if dt == np.bool_:
        return " ".join("1" if v else "0" for v in arr.tolist())
    return " ".join(str(v) for v in arr.tolist())


def exact_product_fits(kind, x, axis):
    """For integer kinds other than wrap_i64: NumPy's result is the exact product."""
    out_dtype = KINDS[kind][2]
    if kind == "wrap_i64" or not np.issubdtype(out_dtype, np.integer):
        return True
    info = np.iinfo(out_dtype)
    exact = np.cumprod(x.astype(object), axis=axis) if x.size else np.zeros(0)
    return all(info.min <= int(v) <= info.max for v in np.asarray(exact).ravel())


def record(kind, layout, x):
    dtype_arg = KINDS[kind][1]
    a = lay_out(x, layout)
    assert np.array_equal(a, x, equal_nan=True) and a.dtype == x.dtype
    lines = [f"case {kind} {layout} {','.join(map(str, x.shape)) or '-'}", f"input {fmt(kind, x)}"]
    with np.errstate(all="ignore"):
        flat = a.cumprod(dtype=dtype_arg)
        assert flat.dtype == KINDS[kind][2], (kind, flat.dtype)
        assert exact_product_fits(kind, x, None), (kind, x)
        lines.append(f"flat {fmt(kind, flat)}")
        for k in range(x.ndim):
            r = a.cumprod(axis=k, dtype=dtype_arg)
            assert r.dtype == KINDS[kind][2]
            assert exact_product_fits(kind, x, k), (kind, x, k)
            lines.append(f"axis {k} {fmt(kind, r)}")
    return "\n".join(lines)


def main():
    rng = np.random.default_rng(SEED)
    records = []
    for kind in KINDS:
        for shape in SHAPES:
            x = values(kind, shape, rng)
            for layout in LAYOUTS:
                if layout == "perm" and len(shape) != 3 or layout != "C" and not shape:
                    continue  # perm is a 3-D layout; a 0-d array has only one
                records.append(record(kind, layout, x))
    for kind, x in special_cases():
        for layout in ("C", "F", "reversed"):
            records.append(record(kind, layout, x))
    header = f"# NumPy {np.__version__} cumprod outputs, written by tests/data/gen_numpy_golden.py (seed {SEED}). Do not edit.\n"
    with open(OUT, "w", encoding="ascii") as f:
        f.write(header + "\n" + "\n\n".join(records) + "\n")
    print(f"wrote {len(records)} cases to {OUT}")


if __name__ == "__main__":
    main()
