"""``numpy:mkl-umath``: the ``numpy`` backend with Intel MKL's vector-math ufuncs (``mkl_umath``).

``mkl_umath`` is what remains of the Intel Distribution for Python's patched NumPy loops:
NumPy ufuncs (``square``, ``add``, ``less``...) whose inner loops call MKL's vector math.
It can patch them into NumPy process-wide (``use_in_numpy``); this backend never does,
so the ``numpy`` backend in the same process keeps NumPy's own loops. It calls MKL's
ufuncs for the inside test instead, on exactly the points of ``numpy`` (same PCG64 chunk
streams): squares and sums are correctly rounded in both, so the hits equal ``numpy``'s.
"""

from __future__ import annotations

import mkl_umath

from ..core import Job, run_chunks
from .numpy_ import CHUNK, Ufuncs, count_chunk


def _mkl_ufuncs() -> Ufuncs:
    missing = [name for name in Ufuncs._fields if not hasattr(mkl_umath, name)]
    if missing:
        raise ImportError(f"mkl_umath {mkl_umath.__version__} has no ufunc {', '.join(missing)}")
    return Ufuncs(*(getattr(mkl_umath, name) for name in Ufuncs._fields))


MKL = _mkl_ufuncs()


def count(job: Job) -> int:
    """Count hits chunk by chunk, MKL's loops for the inside test."""
    return run_chunks(lambda i, size: count_chunk(job.seed, i, size, MKL), job, CHUNK)
