"""BLAS threads per vertex product (regions/threads.py): one thread for medium products, the
process's setting for small and large ones."""

from pathlib import Path

import numpy as np
import scipy.linalg  # noqa: F401  (a second BLAS in the process, loaded after NumPy's: not NumPy's)
from threadpoolctl import threadpool_info

from approxlab.regions.threads import PARALLEL, SERIAL_BELOW, product_threads

NUMPY_BLAS = str(Path(np.__file__).parent.parent / "numpy.libs")


def _blas_threads() -> list[int]:
    """Threads of the BLAS that np.matmul calls."""
    return [
        lib["num_threads"] for lib in threadpool_info() if lib["filepath"].startswith(NUMPY_BLAS)
    ]


def test_a_medium_product_runs_on_one_blas_thread_and_the_setting_comes_back():
    before = _blas_threads()
    assert before  # NumPy's BLAS is seen
    with product_threads(SERIAL_BELOW * 4):
        assert _blas_threads() == [1] * len(before)
    assert _blas_threads() == before


def test_small_and_large_products_keep_the_process_setting():
    before = _blas_threads()
    for work in (SERIAL_BELOW - 1, PARALLEL, 10 * PARALLEL):
        with product_threads(work):
            assert _blas_threads() == before
