"""``python``: the plain loop a newcomer writes, the 1x baseline."""

from __future__ import annotations

import random

import numpy as np

from ..core import Job


def count(job: Job) -> int:
    """Count hits with ``random.random`` (Mersenne Twister), one point at a time.

    The generator is seeded with 128 bits derived from ``job.seed`` by NumPy's
    ``SeedSequence``, so the stream is reproducible and unrelated to other backends'.
    """
    state = np.random.SeedSequence(job.seed).generate_state(4, dtype=np.uint32)
    rng = random.Random(int.from_bytes(state.tobytes(), "little"))
    draw = rng.random
    hits = 0
    for _ in range(job.n):
        x = draw()
        y = draw()
        if x * x + y * y < 1.0:
            hits += 1
    return hits
