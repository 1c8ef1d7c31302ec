"""Times the `npy` example against NumPy on one large `.npy` file, one after
the other on the same machine, with peak resident memory from
`/usr/bin/time -v`.

    cargo build --release --example npy
    python benches/npy_reference.py [--dir DIR] [--gib 4] [--axis 0] [--runs 2]

Writes DIR/big.npy (float64, 16,384 rows per GiB of 8,192 columns, factors
near one) unless it is there already, then runs, alternately:

- ours: `target/release/examples/npy DIR/big.npy DIR/ours.npy --axis K`
- NumPy: `np.cumprod(np.load(f, mmap_mode="r"), axis=K, out=open_memmap(...))`,
  then `flush()` (`--timeout S` stops a run after S seconds)

and checks that both outputs are equal, bit for bit. Needs NumPy (PyPI).
"""

import argparse
import os
import re
import signal
import subprocess
import sys

import numpy as np

NUMPY = """
import sys
import numpy as np
src, dst, axis = sys.argv[1], sys.argv[2], sys.argv[3]
a = np.load(src, mmap_mode="r")
axis = None if axis == "flat" else int(axis)
shape = (a.size,) if axis is None else a.shape
out = np.lib.format.open_memmap(dst, mode="w+", dtype=a.dtype, shape=shape)
np.cumprod(a, axis=axis, out=out)
out.flush()
del out
"""


def timed(cmd, timeout):
    """Wall time (s) and peak resident memory (MiB) of `cmd`, or None if it
    runs longer than `timeout` seconds (it is then stopped)."""
    p = subprocess.Popen(
        ["/usr/bin/time", "-v"] + cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return None
    r = subprocess.CompletedProcess(cmd, p.returncode, "", err)
    if r.returncode != 0:
        sys.exit(f"{cmd} failed:\n{r.stderr}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", r.stderr)
    h, m, s = wall.groups()
    seconds = int(h or 0) * 3600 + int(m) * 60 + float(s)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1))
    return seconds, rss / 1024


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", default="target/npy-reference")
    p.add_argument("--gib", type=int, default=4)
    p.add_argument("--axis", default="0", help="an axis, or 'flat'")
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--timeout", type=float, default=None, help="seconds a run may take")
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    big = os.path.join(args.dir, "big.npy")
    cols = 8192
    rows = args.gib * (1 << 30) // 8 // cols
    if not os.path.exists(big) or np.load(big, mmap_mode="r").shape != (rows, cols):
        a = np.lib.format.open_memmap(big, mode="w+", dtype=np.float64, shape=(rows, cols))
        rng = np.random.default_rng(0)
        for r in range(0, rows, 4096):
            n = min(4096, rows - r)
            a[r : r + n] = rng.uniform(0.999, 1.001, (n, cols))
        a.flush()
        del a
    example = os.path.join("target", "release", "examples", "npy")
    flag = ["--flat"] if args.axis == "flat" else ["--axis", args.axis]
    ours_out = os.path.join(args.dir, "ours.npy")
    numpy_out = os.path.join(args.dir, "numpy.npy")
    size = os.path.getsize(big) / (1 << 30)
    print(f"{big}: {size:.2f} GiB, float64, shape ({rows}, {cols}), axis {args.axis}")
    print("| run | ours (s) | ours peak RSS (MiB) | NumPy (s) | NumPy peak RSS (MiB) |")
    print("|---|---|---|---|---|")
    for run in range(args.runs):
        cells = []
        for cmd, out in [
            ([example, big, ours_out] + flag, ours_out),
            ([sys.executable, "-c", NUMPY, big, numpy_out, args.axis], numpy_out),
        ]:
            subprocess.run(["sync"])
            r = timed(cmd, args.timeout)
            cells += [f"{r[0]:.2f}", f"{r[1]:.0f}"] if r else [f"stopped after {args.timeout:.0f}", "-"]
        print(f"| {run + 1} | " + " | ".join(cells) + " |", flush=True)
    if not (os.path.exists(ours_out) and os.path.exists(numpy_out)) or "stopped" in cells[2]:
        print("outputs not compared: a run was stopped")
        for f in [ours_out, numpy_out]:
            if os.path.exists(f):
                os.remove(f)
        return
    a = np.load(ours_out, mmap_mode="r")
    b = np.load(numpy_out, mmap_mode="r")
    same = a.shape == b.shape and a.dtype == b.dtype
    for r in range(0, a.shape[0], 1 << 20):
        same = same and np.array_equal(a[r : r + (1 << 20)].view(np.uint64), b[r : r + (1 << 20)].view(np.uint64))
    print("outputs equal bit for bit:", same)
    os.remove(ours_out)
    os.remove(numpy_out)


if __name__ == "__main__":
    main()
