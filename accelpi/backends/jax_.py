"""``jax``: a ``jax.jit`` chunk kernel with ``jax.random`` keys, on ``cpu`` or ``cuda``.

The user's seed gives one key; chunk ``i`` uses ``fold_in(key, i)``, JAX's documented way
to derive independent keys. The kernel has a fixed shape (the short last chunk is masked):
chunks of 4 Mi samples, or the power of two at or above a smaller ``n`` (one compile per
such size), so that a small call does not pay for a whole chunk. Counts are read back in
small batches, so the device can run ahead of Python without holding more than a few
chunk results.

XLA sizes its CPU thread pool once per process (``XLA_FLAGS``); ``threads`` can only
confirm it: ``None`` or the pool size.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp

from .. import stats
from ..core import Job
from ..errors import InvalidArgument
from ..machine import cpu_count

#: Samples per chunk: 2 x 4 Mi float32 (32 MiB) on the CPU; 2 x 256 Mi (2 GiB) on a GPU,
#: where a small chunk would time the launches rather than the device (CPU: chosen on cpu-epyc-2c;
#: GPU: an H100). Part of the stream.
CHUNK = {"cpu": 1 << 22, "cuda": 1 << 28}
_BATCH = 16  # chunk results in flight before they are read back


def _devices(platform: str) -> list:
    try:
        return jax.devices(platform)
    except RuntimeError:  # no backend of that kind in this jaxlib
        return []


def available_devices() -> tuple[str, ...]:
    return ("cpu", "cuda") if _devices("cuda") else ("cpu",)


def device_reason(device: str) -> str:
    return "JAX has no CUDA backend here (install jax[cuda12] on a machine with an NVIDIA GPU)"


def default_threads() -> int:
    return cpu_count()


def max_threads() -> int:
    return cpu_count()


@partial(jax.jit, static_argnames="chunk")
def _chunk(key: jax.Array, size: jax.Array, chunk: int) -> jax.Array:
    xy = jax.random.uniform(key, (2, chunk), dtype=jnp.float32)
    inside = xy[0] * xy[0] + xy[1] * xy[1] < jnp.float32(1.0)
    return jnp.count_nonzero(inside & (jnp.arange(chunk) < size))


def count(job: Job) -> int:
    """``jax``: jitted chunks with ``fold_in`` keys."""
    if job.device == "cpu" and job.threads != cpu_count():
        raise InvalidArgument(
            f"threads={job.threads}: XLA sizes its CPU thread pool once per process ({cpu_count()} here); "
            f"accepted: {cpu_count()} or None (set XLA_FLAGS before starting Python for another count)"
        )
    chunk = job.bucket(CHUNK[job.device])
    if job.chunks(chunk) > 2**32:
        raise InvalidArgument(
            f"n={job.n} needs more than 2**32 chunks; jax's fold_in allows n up to {CHUNK[job.device] << 32}"
        )
    device = _devices(job.device)[0]
    with jax.default_device(device):
        key = jax.random.key(stats.stream_key(job.seed) >> 32)
        total, pending = 0, []
        for i in range(job.chunks(chunk)):
            pending.append(_chunk(jax.random.fold_in(key, i), job.chunk_size(chunk, i), chunk))
            if len(pending) == _BATCH:
                total += sum(int(r) for r in pending)  # int() waits for the device
                pending.clear()
        return total + sum(int(r) for r in pending)
