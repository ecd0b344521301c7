#!/usr/bin/env python3
"""OpenBLAS sgemm (through NumPy) on the shapes of ./jtune bench matmul, printed in the same format.

Usage (Debian: apt-get install python3-numpy libopenblas0-openmp):
    OMP_NUM_THREADS=2 /usr/bin/python3 bench/scripts/openblas_matmul.py [case ...]
OpenBLAS 0.3.21 does not recognise every recent Xeon and then falls back to a slow generic kernel ("Core: Prescott"
with OPENBLAS_VERBOSE=2); OPENBLAS_CORETYPE=SkylakeX selects its AVX-512 kernels.
"""
import os
import sys
import time

import numpy as np

# (case, m, n, k, layout): keep in step with dev.jtune.bench.matmul.MatmulCase
CASES = [
    ("mlp_up", 256, 3072, 768, "A@B"),
    ("mlp_down", 256, 768, 3072, "A@B"),
    ("lm_head", 256, 50257, 768, "A@B"),
    ("mlp_up_grad_input", 256, 768, 3072, "A@B^T"),
    ("mlp_up_grad_weight", 768, 3072, 256, "A^T@B"),
    ("mlp_down_grad_input", 256, 3072, 768, "A@B^T"),
    ("mlp_down_grad_weight", 3072, 768, 256, "A^T@B"),
    ("lm_head_tied", 256, 50257, 768, "A@B^T"),
    ("lm_head_tied_grad_input", 256, 768, 50257, "A@B"),
    ("lm_head_tied_grad_weight", 50257, 768, 256, "A^T@B"),
    ("decode_qkv", 1, 2304, 768, "A@B"),
    ("decode_mlp_up", 1, 3072, 768, "A@B"),
    ("decode_mlp_down", 1, 768, 3072, "A@B"),
    ("decode_lm_head_tied", 1, 50257, 768, "A@B^T"),
]


def median_seconds(a, b, out, runs=9, warmup_s=1.0):
    start = time.perf_counter()
    while time.perf_counter() - start < warmup_s:
        np.matmul(a, b, out=out)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        np.matmul(a, b, out=out)
        times.append(time.perf_counter() - t0)
    return sorted(times)[runs // 2]


def main():
    rng = np.random.default_rng(42)
    threads = os.environ.get("OMP_NUM_THREADS", "?")
    print("# op M N K threads GFLOP/s layout case   (OpenBLAS via NumPy, median of 9 runs)")
    wanted = set(sys.argv[1:])
    for case, m, n, k, layout in CASES:
        if wanted and case not in wanted:
            continue
        a = rng.random((k, m), dtype=np.float32).T if layout == "A^T@B" else rng.random((m, k), dtype=np.float32)
        b = rng.random((n, k), dtype=np.float32).T if layout == "A@B^T" else rng.random((k, n), dtype=np.float32)
        out = np.empty((m, n), dtype=np.float32)
        gflops = 2.0 * m * n * k / median_seconds(a, b, out) / 1e9
        print(f"openblas {m} {n} {k} {threads} {gflops:.1f} {layout} {case}")


if __name__ == "__main__":
    main()
