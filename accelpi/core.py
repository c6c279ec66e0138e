"""The estimate itself: argument checks, the job handed to backends, chunked execution.

Everything a backend would otherwise repeat lives here once: validating ``n``,
``seed``, ``threads`` and ``device``; the chunk plan; running chunks on a thread pool
with bounded memory; turning a hit count into an :class:`Estimate`.
"""

from __future__ import annotations

import math
import numbers
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from . import registry, stats
from .errors import AccelpiError, BackendUnavailable, InvalidArgument, shown
from .machine import cpu_count
from .registry import BackendInfo

__all__ = ["MAX_N", "Estimate", "Job", "backends", "estimate", "run_chunks"]

#: Largest accepted sample count: hit counts and sample indices stay within int64.
MAX_N = 2**62

#: Largest accepted seed (NumPy's SeedSequence takes any non-negative integer; we
#: cap it at 128 bits so that seeds print and serialise sanely).
MAX_SEED = 2**128 - 1

_DEVICE_ALIASES = {"cpu": "cpu", "cuda": "cuda", "gpu": "cuda"}


@dataclass(frozen=True)
class Estimate:
    """One Monte Carlo estimate of π.

    Attributes
    ----------
    value : float
        The estimate, ``4 * hits / n``.
    n : int
        Samples (points) actually drawn.
    hits : int
        Points that fell inside the quarter disc.
    stderr : float
        Standard error of ``value``: ``4 * sqrt(p (1 - p) / n)`` with ``p = π/4``.
    z : float
        Error against ``math.pi`` in standard errors; standard normal for a correct
        backend, so ``|z| > 6`` means a broken generator or overlapping streams.
    backend, device : str
        Which backend computed it, on which device (``"cpu"`` or ``"cuda"``).
    threads : int
        Threads the backend was allowed to use (1 for single-threaded backends).
    seed : int
        The seed; the same ``(backend, n, seed)`` gives the same result wherever the
        backend promises reproducibility (see ``accelpi backends``).
    """

    value: float
    n: int
    hits: int
    stderr: float
    z: float
    backend: str
    device: str
    threads: int
    seed: int

    @classmethod
    def from_hits(cls, hits: int, job: Job, backend: str) -> Estimate:
        """Build the estimate from a hit count produced for ``job``."""
        hits = int(hits)
        if not 0 <= hits <= job.n:
            raise AccelpiError(
                f"backend {backend!r} returned {hits} hits for n={job.n}: a bug in that backend"
            )
        value = 4.0 * hits / job.n
        return cls(
            value=value,
            n=job.n,
            hits=hits,
            stderr=stats.standard_error(job.n),
            z=stats.z_score(value, job.n),
            backend=backend,
            device=job.device,
            threads=job.threads,
            seed=job.seed,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain ``dict`` of the fields, for JSON."""
        return asdict(self)

    def __str__(self) -> str:
        return (
            f"π ≈ {self.value:.10f} ± {self.stderr:.2g} ({self.z:+.2f} σ) "
            f"from {self.n:,} samples [{self.backend} on {self.device}, {self.threads} thread(s)]"
        )


@dataclass(frozen=True)
class Job:
    """What a backend is asked to compute: validated, canonical arguments.

    A backend is a function ``f(job) -> hits``.
    """

    n: int
    seed: int
    threads: int
    device: str
    #: Backend-specific keyword options (``chunks=``, ``scheduler=`` for Dask...), as given.
    options: dict[str, Any] = field(default_factory=dict)

    def chunks(self, size: int) -> int:
        """Number of chunks of ``size`` samples covering ``n`` (the last may be short)."""
        return -(-self.n // size)

    def chunk_size(self, size: int, index: int) -> int:
        """Samples in chunk ``index`` when chunks hold ``size`` samples."""
        return min(size, self.n - index * size)

    def bucket(self, largest: int, smallest: int = 1 << 16) -> int:
        """Chunk size for a fixed-shape (compiled) kernel: the power of two at or above ``n``,
        between ``smallest`` and ``largest``.

        A compiled kernel draws whole chunks and masks the short last one; bucketing keeps a
        small ``n`` from paying for a full chunk, at the cost of one compile per bucket.
        """
        return max(smallest, min(largest, 1 << (self.n - 1).bit_length()))

    def seed32_base(self, chunk: int, library: str) -> int:
        """Base of the distinct 32-bit chunk seeds ``(base + i) mod 2**32`` (see ``stats``).

        For libraries whose generators take 32-bit seeds only; refuses an ``n`` that would
        need more than ``2**32`` chunks, where seeds would repeat.
        """
        if self.chunks(chunk) > 2**32:
            raise InvalidArgument(
                f"n={self.n} needs more than 2**32 chunks of {chunk} samples; {library}'s 32-bit "
                f"seeds allow n up to {chunk * 2**32}"
            )
        return stats.seed32_base(self.seed)


def check_n(n: object) -> int:
    """Validate the sample count; whole floats such as ``1e6`` are accepted."""
    accepted = f"a positive whole number of samples up to 2**62 (= {MAX_N:.3g})"
    if isinstance(n, bool) or not isinstance(n, numbers.Real):
        raise InvalidArgument(f"n={shown(n)} is not a number; n must be {accepted}")
    if isinstance(n, numbers.Integral):
        value = int(n)
    else:
        as_float = float(n)
        if not math.isfinite(as_float) or as_float != math.floor(as_float):
            raise InvalidArgument(f"n={shown(n)} is not a whole number; n must be {accepted}")
        value = int(as_float)
    if value < 1 or value > MAX_N:
        raise InvalidArgument(f"n={shown(n)} is out of range; n must be {accepted}")
    return value


def check_seed(seed: object) -> int:
    """Validate the seed; ``None`` draws fresh entropy (recorded in the result)."""
    if seed is None:
        return int(np.random.SeedSequence().entropy) & MAX_SEED
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise InvalidArgument(
            f"seed={shown(seed)} is not an integer; seed must be a non-negative integer below 2**128, or None"
        )
    if not 0 <= int(seed) <= MAX_SEED:
        raise InvalidArgument(
            f"seed={shown(seed)} is out of range; seed must be a non-negative integer below 2**128, or None"
        )
    return int(seed)


def check_device_name(device: object) -> str | None:
    """Map a device name to accelpi's vocabulary (``cpu``, ``cuda``; ``gpu`` = ``cuda``)."""
    if device is None:
        return None
    if not isinstance(device, str) or device.lower() not in _DEVICE_ALIASES:
        raise InvalidArgument(
            f"device={shown(device)} is not a device name; accepted: 'cpu', 'cuda' (alias 'gpu'), or None"
        )
    return _DEVICE_ALIASES[device.lower()]


def check_device(device: object, spec: registry.Spec) -> str:
    """The canonical device for ``spec``; ``None`` is the backend's default device."""
    canonical = check_device_name(device)
    if canonical is None:
        return spec.devices[0]
    if canonical not in spec.devices:
        raise BackendUnavailable(
            f"backend {spec.name!r} has no device {shown(device)}; its devices: {', '.join(spec.devices)}"
        )
    return canonical


def check_threads(
    threads: object, spec: registry.Spec, max_threads: int | None, default: int | None = None
) -> int:
    """Validate ``threads`` for a backend; ``None`` means every core (1 if serial)."""
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, numbers.Integral)):
        raise InvalidArgument(
            f"threads={shown(threads)} is not an integer; threads must be an integer >= 1, or None"
        )
    if threads is not None and threads < 1:
        raise InvalidArgument(
            f"threads={shown(threads)} is out of range; threads must be an integer >= 1, or None"
        )
    if spec.threads == "serial":
        if threads not in (None, 1):
            raise InvalidArgument(
                f"threads={shown(threads)}: backend {spec.name!r} is single-threaded; "
                "threads must be 1 or None"
            )
        return 1
    limit = max_threads if max_threads is not None else 1024
    if threads is None:
        return default if default is not None else min(cpu_count(), limit)
    if threads > limit:
        raise InvalidArgument(
            f"threads={shown(threads)} is more than backend {spec.name!r} can use here; "
            f"accepted: 1 to {limit}"
        )
    return int(threads)


def run_chunks(count_chunk: Callable[[int, int], int], job: Job, chunk: int) -> int:
    """Sum ``count_chunk(index, size)`` over the chunks of ``job`` on ``job.threads`` threads.

    Each thread pulls the next chunk index from a shared counter, so memory stays bounded
    (one chunk per thread in flight) whatever ``n`` is, and the total is independent of
    the thread count and scheduling: chunk ``i`` always gets the same stream.
    """
    total_chunks = job.chunks(chunk)
    workers = min(job.threads, total_chunks)
    if workers == 1:
        return sum(count_chunk(i, job.chunk_size(chunk, i)) for i in range(total_chunks))

    lock = threading.Lock()
    failed = threading.Event()
    next_index = iter(range(total_chunks))

    def worker() -> int:
        hits = 0
        while not failed.is_set():
            with lock:
                i = next(next_index, None)
            if i is None:
                break
            try:
                hits += count_chunk(i, job.chunk_size(chunk, i))
            except BaseException:
                failed.set()
                raise
        return hits

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="accelpi") as pool:
        futures = [pool.submit(worker) for _ in range(workers)]
        try:
            return sum(f.result() for f in futures)
        except BaseException:  # Ctrl-C in the waiting thread: stop handing out chunks
            failed.set()
            raise


def estimate(
    n: int | float = 10_000_000,
    backend: str = "numpy",
    *,
    seed: int | None = 0,
    threads: int | None = None,
    device: str | None = None,
    **options: Any,
) -> Estimate:
    """Estimate π from ``n`` uniform points of the unit square.

    Parameters
    ----------
    n : int
        Number of samples. Whole floats such as ``1e8`` are accepted; at most ``2**62``.
    backend : str
        A backend name from :func:`accelpi.backends` (``"numpy"``, ``"numba:fused"``...).
    seed : int or None
        Non-negative integer; each backend derives independent per-chunk or per-thread
        streams from it. ``None`` draws fresh entropy, recorded in ``Estimate.seed``.
    threads : int or None
        Threads the backend may use; ``None`` means all cores for parallel backends and 1
        for single-threaded ones. Libraries with a global thread setting get it back
        afterwards.
    device : {"cpu", "cuda", "gpu"} or None
        ``None`` picks the backend's default (the CPU unless the backend is GPU-only).
    **options
        Options of one backend, listed by ``accelpi backends`` (for the Dask backends:
        ``chunks``, ``kernel``, ``scheduler``, ``connect_timeout``).

    Returns
    -------
    Estimate

    Raises
    ------
    InvalidArgument
        A bad ``n``, ``seed``, ``threads``, ``device`` or an unknown backend name.
    BackendUnavailable
        The backend's library is missing or failed, or the device is not there.
    """
    n = check_n(n)
    spec = registry.spec(backend)
    _check_options(spec, options)
    seed = check_seed(seed)
    device = check_device(device, spec)
    impl = registry.load(spec.name)
    present = impl.available_devices()
    if device not in present:
        raise BackendUnavailable(
            f"backend {spec.name!r}: device {shown(device)} is not available here"
            f" (available: {', '.join(present) or 'none'}); {impl.device_reason(device)}"
        )
    job = Job(
        n=n,
        seed=seed,
        threads=check_threads(threads, spec, impl.max_threads(), impl.default_threads()),
        device=device,
        options=options,
    )
    try:
        hits = impl.count(job)
    except AccelpiError:
        raise
    except TRANSIENT as exc:  # this call failed, the backend did not: no record
        raise BackendUnavailable(
            f"backend {spec.name!r} failed on this call ({type(exc).__name__}: {shown(str(exc), 300)}); "
            "it is not marked unavailable: try again, or with a smaller n or fewer threads"
        ) from exc
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"
        registry.record_failure(spec.name, message)
        raise BackendUnavailable(f"backend {spec.name!r} failed: {message}") from exc
    registry.record_success(spec.name)
    return Estimate.from_hits(hits, job, spec.name)


def _check_options(spec: Any, options: dict[str, Any]) -> None:
    """Refuse an option the backend does not take, naming the ones it does."""
    unknown = sorted(set(options) - set(spec.options))
    if unknown:
        accepted = ", ".join(spec.options) or "none"
        raise InvalidArgument(
            f"{shown(unknown[0])}={shown(options[unknown[0]])}: backend {spec.name!r} has no option "
            f"{shown(unknown[0])}; its options: {accepted}"
        )


#: Failures of one call, not of the backend: running out of memory, a timeout, a lost
#: connection. They never mark a backend unavailable for the rest of the process.
TRANSIENT = (MemoryError, TimeoutError, ConnectionError)


def backends(probe: bool = False) -> list[BackendInfo]:
    """Every known backend with its availability, version and devices.

    Parameters
    ----------
    probe : bool
        Also run a tiny estimate per backend and present device (compiles JIT backends;
        slower), so that a library that imports but fails at first use (a compile error)
        is reported unavailable with its message.
    """
    infos = registry.backends()
    return [_probed(i) for i in infos] if probe else infos


def _probed(info: BackendInfo) -> BackendInfo:
    from dataclasses import replace

    for device in info.devices:
        try:
            estimate(1000, info.name, seed=0, device=device)
        except Exception as exc:  # reported, never raised: listing must not crash
            return replace(info, available=False, reason=str(exc), devices=())
    return info
