"""TensorFlow backends: ``tensorflow:eager``, ``tensorflow:graph`` and ``tensorflow:xla``.

One chunk kernel, written with explicit dtypes (TensorFlow refuses implicit casts), runs
three ways: op by op (eager), traced once into a graph (``tf.function``), and compiled by
XLA (``tf.function(jit_compile=True)``). It draws float32 points with the stateless Philox
generator keyed by ``(key, chunk index)``: Philox keeps the key and puts the index in the
high word of its counter, so chunks use disjoint counters and never share numbers. The
graph is traced once for every chunk size; the XLA kernel has a fixed shape (the short
last chunk is masked; chunks are 4 Mi samples, or the power of two at or above a smaller
``n``), so that XLA compiles once per chunk size. Eager and graph give the same hits; XLA
may differ (its own Philox lowering), each reproducible.

TensorFlow fixes its CPU thread pools when it first runs an op. accelpi sets them from
the first call's ``threads``; later calls must ask for the same count (or ``None``), or
get an error saying so: start a new process to change it. ``TF_ENABLE_ONEDNN_OPTS``
(oneDNN on or off) is read by TensorFlow at import; ``accelpi info`` reports it.
"""

from __future__ import annotations

import os
import threading
from functools import partial
from typing import Any

from .. import stats
from ..core import Job
from ..errors import InvalidArgument
from ..machine import cpu_count
from ..quiet import quiet_stderr

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's own C++ log: warnings and up


with quiet_stderr():
    import tensorflow as tf


#: Samples per chunk: 2 x 4 Mi float32 (32 MiB) per chunk (chosen on cpu-epyc-2c; part of the stream).
CHUNK = 1 << 22

_DEVICES = {"cpu": "/CPU:0", "cuda": "/GPU:0"}
_lock = threading.Lock()
_pool_threads: int | None = None


def available_devices() -> tuple[str, ...]:
    return ("cpu", "cuda") if tf.config.list_physical_devices("GPU") else ("cpu",)


def device_reason(device: str) -> str:
    if not tf.test.is_built_with_cuda():
        return f"this TensorFlow {tf.__version__} build has no CUDA support (a CPU-only build)"
    return "TensorFlow sees no GPU (tf.config.list_physical_devices('GPU') is empty)"


def default_threads() -> int:
    """The thread pool size in force (or about to be): TensorFlow's pools are fixed."""
    return _pool_threads if _pool_threads is not None else cpu_count()


def _use_threads(threads: int) -> None:
    global _pool_threads
    with _lock:
        if _pool_threads is None:
            try:
                tf.config.threading.set_intra_op_parallelism_threads(threads)
                tf.config.threading.set_inter_op_parallelism_threads(threads)
                _pool_threads = threads
            except RuntimeError:  # the pools already exist (the caller ran TensorFlow first)
                _pool_threads = tf.config.threading.get_intra_op_parallelism_threads() or cpu_count()
        if threads != _pool_threads:
            raise InvalidArgument(
                f"threads={threads}: TensorFlow fixes its thread pools at first use and this process "
                f"runs with {_pool_threads}; accepted: {_pool_threads} or None (start a new process "
                "for another count)"
            )


def _inside(xy: tf.Tensor) -> tf.Tensor:
    return tf.math.less(xy[0] * xy[0] + xy[1] * xy[1], tf.constant(1.0, dtype=tf.float32))


def _chunk_kernel(seed: tf.Tensor, size: tf.Tensor) -> tf.Tensor:
    xy = tf.random.stateless_uniform(tf.stack([2, size]), seed=seed, dtype=tf.float32, alg="philox")
    return tf.math.count_nonzero(_inside(xy), dtype=tf.int64)


def _fixed_shape_kernel(seed: tf.Tensor, size: tf.Tensor, chunk: int) -> tf.Tensor:
    # XLA compiles static shapes: draw a whole chunk and mask the short last one.
    xy = tf.random.stateless_uniform([2, chunk], seed=seed, dtype=tf.float32, alg="philox")
    valid = tf.math.less(tf.range(chunk, dtype=tf.int32), size)
    return tf.math.count_nonzero(tf.math.logical_and(_inside(xy), valid), dtype=tf.int64)


_SIGNATURE = [tf.TensorSpec([2], tf.int64), tf.TensorSpec([], tf.int32)]
_graph_kernel = tf.function(_chunk_kernel, input_signature=_SIGNATURE)
_xla_kernels: dict[int, Any] = {}  # chunk size -> compiled kernel (one per power-of-two bucket)


def _xla_kernel(chunk: int) -> Any:
    with _lock:
        if chunk not in _xla_kernels:
            _xla_kernels[chunk] = tf.function(
                partial(_fixed_shape_kernel, chunk=chunk), input_signature=_SIGNATURE, jit_compile=True
            )
        return _xla_kernels[chunk]


def _run(job: Job, kernel, chunk: int = CHUNK) -> int:
    if job.device == "cpu":
        _use_threads(job.threads)
    key = stats.stream_key(job.seed) >> 1  # TensorFlow seeds are signed int64
    with tf.device(_DEVICES[job.device]):
        total = tf.constant(0, dtype=tf.int64)
        for i in range(job.chunks(chunk)):
            seed = tf.constant([key, i], dtype=tf.int64)
            size = tf.constant(job.chunk_size(chunk, i), dtype=tf.int32)
            total += kernel(seed, size)
        return int(total.numpy())  # .numpy() waits for the device


def eager(job: Job) -> int:
    """``tensorflow:eager``: the kernel op by op."""
    return _run(job, _chunk_kernel)


def graph(job: Job) -> int:
    """``tensorflow:graph``: the kernel traced once by ``tf.function``."""
    return _run(job, _graph_kernel)


def xla(job: Job) -> int:
    """``tensorflow:xla``: the kernel compiled by XLA (``jit_compile=True``)."""
    chunk = job.bucket(CHUNK)
    return _run(job, _xla_kernel(chunk), chunk)
