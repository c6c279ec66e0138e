"""``numpy:mkl``: NumPy's vectorised path with Intel MKL's random generators (``mkl_random``).

Today's form of the talk's "MKL build" for the NumPy path. Points come from MKL's ARS-5
counter-based generator (AES rounds), keyed with 128 bits from ``SeedSequence(seed)``;
chunk ``i`` starts ``2 * i * CHUNK`` numbers into that one stream (MKL's ``skipahead``,
constant time for counter-based generators), so chunks are disjoint pieces of a single
stream and can never overlap. Memory is one chunk: 2 x 1 Mi float64 (16 MiB).
"""

from __future__ import annotations

import mkl_random
import numpy as np

from ..core import Job

#: Samples per chunk (chosen on cpu-epyc-2c; part of the stream: chunk i skips 2 * i * CHUNK numbers).
CHUNK = 1 << 20

#: The generator class: ``MKLRandomState`` from mkl_random 1.4 on, ``RandomState`` (the same
#: class and arguments, under its older name) before.
STATE = getattr(mkl_random, "MKLRandomState", None) or mkl_random.RandomState


def _count_chunk(key: np.ndarray, index: int, size: int) -> int:
    stream = STATE(key, brng="ARS5")
    stream.skipahead(2 * CHUNK * index)
    xy = stream.random_sample((2, size))
    np.square(xy, out=xy)
    x2, y2 = xy
    np.add(x2, y2, out=x2)
    return int(np.count_nonzero(x2 < 1.0))


def count(job: Job) -> int:
    """Count hits chunk by chunk from one ARS-5 stream."""
    key = np.random.SeedSequence(job.seed).generate_state(4, dtype=np.uint32)
    return sum(_count_chunk(key, i, job.chunk_size(CHUNK, i)) for i in range(job.chunks(CHUNK)))
