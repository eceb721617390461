"""BLAS threads for the vertex products z = h Wᵀ of :func:`approxlab.regions.partition2d.fast_subdivide`.

Measured on this project's 2-core machine (two hyperthreads of a shared VM): two OpenBLAS threads
halve a product (37,700 × 256 × 256: 128 → 65 ms; 8,000 × 64 × 64: 2.4 → 1.8 ms), but the second
thread spins after the product and slows the compiled cutting that follows it: 2 → 64⁶ → 1 took
67 ms instead of 55 ms, 2 → 50⁸ → 1 48 ms instead of 42 ms (fresh processes, five each). So only
products of at least ``PARALLEL`` multiply-adds use every thread the process allows (the last layer
of 2 → 256³ → 1, 2.5·10⁹); smaller ones run on one. ``OMP_NUM_THREADS=1`` keeps every product on one.

>>> with product_threads(10**6):
...     pass
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from functools import cache

import numpy as np

PARALLEL = 10**9
SERIAL_BELOW = 1 << 18  # OpenBLAS keeps a product this small on one thread by itself


@cache
def _blas():
    """NumPy's BLAS (what ``np.matmul`` calls): the BLAS libraries under NumPy's install."""
    from pathlib import Path

    from threadpoolctl import ThreadpoolController  # 6.5 ms: once per process

    home = str(Path(np.__file__).parent.parent)
    blas = ThreadpoolController().select(user_api="blas")
    return blas.select(
        filepath=[lib.filepath for lib in blas.lib_controllers if lib.filepath.startswith(home)]
    )


def product_threads(work: int) -> AbstractContextManager:
    """The threads for a matrix product of ``work`` multiply-adds: a context that keeps it on one
    BLAS thread when SERIAL_BELOW ≤ work < PARALLEL, and leaves the process's setting otherwise."""
    if SERIAL_BELOW <= work < PARALLEL:
        return _blas().limit(limits=1)
    return nullcontext()


def prepare() -> None:
    """Find the process's BLAS libraries now (6.5 ms), so no partition pays it in the middle."""
    _blas()
