"""The backend registry: names -> lazily imported implementations, with availability.

This table is the one list of backends: the API, the command line, the tests and the
asv benchmarks all read it. A backend is a function ``f(job) -> hits`` in a module of
``accelpi.backends`` (one module per library). Nothing is imported until a backend is
listed or used, and a library that is missing, fails to import, or fails at first use
is reported with the reason instead of breaking the listing.

A backend module may also define:

``available_devices() -> tuple[str, ...]``
    the devices present now (default ``("cpu",)``);
``device_reason(device) -> str``
    why a device is missing;
``max_threads() -> int | None``
    the most threads the backend accepts (``None``: no limit of its own);
``default_threads() -> int``
    what ``threads=None`` means, where not every core (fixed thread pools).
"""

from __future__ import annotations

import difflib
import importlib
import platform
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from types import ModuleType
from typing import Any, Literal

from .errors import BackendUnavailable, InvalidArgument

__all__ = ["BackendInfo", "Spec", "backends", "load", "names", "spec"]

ThreadModel = Literal["serial", "pool", "library", "fixed"]


@dataclass(frozen=True)
class Spec:
    """Static description of one backend (no import needed to read it).

    Attributes
    ----------
    name : str
        ``library`` or ``library:variant``.
    module : str
        Module under ``accelpi.backends`` holding the implementation.
    func : str
        Name of the function ``f(job) -> hits`` in that module.
    requires : tuple of str
        Import names the backend needs; the first one's version is reported.
    extra : str
        The ``pip install 'accelpi[extra]'`` extra that installs them.
    summary : str
        One line: what the backend does.
    threads : {"serial", "pool", "library", "fixed"}
        ``serial``: one thread; ``pool``: accelpi's own thread pool; ``library``:
        the library's thread setting, set for the call and restored afterwards;
        ``fixed``: the library sizes its pool once per process (TensorFlow, XLA), so
        ``threads`` may only repeat that size.
    devices : tuple of str
        Devices the backend can use, default first.
    streams : str
        Its reproducibility promise, shown by ``accelpi backends``: "seeded" means the
        same ``(n, seed)`` gives the same hits; "any threads" that the thread count
        does not change them; "= numpy" that another backend gives the very same hits.
    options : tuple of str
        Keyword options the backend takes beyond the common ones (``chunks=``...).
    """

    name: str
    module: str
    func: str
    requires: tuple[str, ...]
    extra: str
    summary: str
    threads: ThreadModel = "serial"
    devices: tuple[str, ...] = ("cpu",)
    streams: str = "seeded, any threads"
    options: tuple[str, ...] = ()


_SAME = "seeded, any threads"

CPU_GPU = ("cpu", "cuda")
GPU = ("cuda",)
DASK_OPTIONS = ("chunks", "kernel")
DASK_STREAMS = _SAME + ", = any dask, per (chunks, kernel)"

# fmt: off
_SPECS: tuple[Spec, ...] = (
    #    name                   module    function         requires    extra
    Spec("python",              "python", "count",         (),         "",
         "plain Python loop with random.random: the 1x baseline"),
    Spec("numpy",               "numpy",  "count",         ("numpy",), "",
         "vectorised float64, 1 Mi-sample chunks"),
    Spec("numpy:threads",       "numpy",  "count",         ("numpy",), "",
         "numpy chunks on a ThreadPoolExecutor (the talk's threading experiment)",
         threads="pool", streams=_SAME + ", = numpy"),
    Spec("numpy:mkl",           "mkl_random", "count",     ("mkl_random",), "mkl",
         "numpy with Intel MKL's ARS-5 generator (mkl_random), 1 Mi-sample chunks"),
    Spec("numba",               "numba",  "serial",        ("numba",), "numba",
         "@njit loop drawing np.random.random() (Mersenne Twister per chunk)"),
    Spec("numba:parallel",      "numba",  "parallel",      ("numba",), "numba",
         "@njit(parallel=True) with prange over chunks",
         threads="library", streams=_SAME + ", = numba"),
    Spec("numba:nogil-threads", "numba",  "nogil_threads", ("numba",), "numba",
         "@njit(nogil=True) chunk kernel driven by a ThreadPoolExecutor",
         threads="pool", streams=_SAME + ", = numba"),
    Spec("numba:fused",         "numba",  "fused",         ("numba",), "numba",
         "counter-based splitmix64 generator fused into a prange count", threads="library"),
    Spec("torch",               "torch",  "count",         ("torch",), "torch",
         "eager torch.rand float32 chunks", threads="library", devices=CPU_GPU),
    Spec("torch:compile",       "torch",  "compiled",      ("torch",), "torch",
         "the chunk kernel under torch.compile (Inductor's generator)",
         threads="library", devices=CPU_GPU),
    Spec("tensorflow:eager",    "tensorflow", "eager",     ("tensorflow",), "tensorflow",
         "the chunk kernel op by op (eager mode)", threads="fixed", devices=CPU_GPU),
    Spec("tensorflow:graph",    "tensorflow", "graph",     ("tensorflow",), "tensorflow",
         "the chunk kernel traced by tf.function", threads="fixed", devices=CPU_GPU),
    Spec("tensorflow:xla",      "tensorflow", "xla",       ("tensorflow",), "tensorflow",
         "the chunk kernel compiled by XLA (jit_compile=True)", threads="fixed", devices=CPU_GPU),
    Spec("jax",                 "jax",    "count",         ("jax",),   "jax",
         "jax.jit chunk kernel, jax.random keys folded per chunk", threads="fixed", devices=CPU_GPU),
    Spec("dask:delayed",        "dask",   "delayed_count", ("dask",),  "dask",
         "one dask.delayed task per chunk, summed by a delayed reduction (threaded scheduler)",
         threads="pool", streams=DASK_STREAMS, options=DASK_OPTIONS),
    Spec("dask:array",          "dask",   "array_count",   ("dask",),  "dask",
         "dask.array of random chunks, inside points counted with .sum()",
         threads="pool", streams=DASK_STREAMS, options=DASK_OPTIONS),
    Spec("dask:distributed",    "dask",   "distributed_count", ("dask", "distributed"), "dask",
         "the dask:delayed graph on a dask.distributed cluster (local processes, or scheduler=)",
         threads="pool", streams=DASK_STREAMS,
         options=(*DASK_OPTIONS, "scheduler", "connect_timeout")),
    Spec("cupy",                "cupy",   "count",         ("cupy",),  "gpu",
         "NumPy code on the GPU: default_rng float32 chunks", devices=GPU),
    Spec("cupy:fused",          "cupy",   "fused",         ("cupy",),  "gpu",
         "raw CUDA kernel: Philox4x32-10 in registers, warp-shuffle count", devices=GPU),
    Spec("numba-cuda",          "numba_cuda", "count",     ("numba_cuda",), "gpu",
         "@cuda.jit kernel, xoroshiro128p state per thread, atomic count", devices=GPU),
)
# fmt: on

_BY_NAME = {s.name: s for s in _SPECS}

# Backends that raised at first use: name -> message. Guarded by _LOCK.
_FAILURES: dict[str, str] = {}
# Backends that produced a result in this process (their later failures are not "broken").
_SUCCEEDED: set[str] = set()
_LOCK = threading.Lock()


@dataclass
class Implementation:
    """A loaded backend: its function and the optional hooks of its module."""

    spec: Spec
    module: ModuleType
    count: Callable[..., int]
    library_version: str | None

    def available_devices(self) -> tuple[str, ...]:
        hook = getattr(self.module, "available_devices", None)
        found = tuple(hook()) if hook else ("cpu",)
        return tuple(d for d in self.spec.devices if d in found)

    def device_reason(self, device: str) -> str:
        hook = getattr(self.module, "device_reason", None)
        return hook(device) if hook else f"{self.spec.name} does not run on {device}"

    def max_threads(self) -> int | None:
        hook = getattr(self.module, "max_threads", None)
        return hook() if hook else None

    def default_threads(self) -> int | None:
        hook = getattr(self.module, "default_threads", None)
        return hook() if hook else None


@dataclass(frozen=True)
class BackendInfo:
    """What :func:`backends` reports for one backend."""

    name: str
    available: bool
    reason: str
    library: str
    version: str | None
    devices: tuple[str, ...]
    all_devices: tuple[str, ...]
    threads: str
    streams: str
    summary: str
    extra: str = field(default="")
    options: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain ``dict`` of the fields, for JSON."""
        return asdict(self)


def names() -> list[str]:
    """Every registered backend name, in the registry's order."""
    return [s.name for s in _SPECS]


def spec(name: object) -> Spec:
    """The :class:`Spec` of ``name``; unknown names raise :class:`InvalidArgument`."""
    if isinstance(name, str) and name in _BY_NAME:
        return _BY_NAME[name]
    known = names()
    hint = ""
    if isinstance(name, str):
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else "."
    raise InvalidArgument(f"backend={name!r} is not a known backend{hint} Known backends: {', '.join(known)}")


def _install_hint(s: Spec) -> str:
    return f"pip install 'accelpi[{s.extra}]'" if s.extra else "pip install accelpi"


def load(name: str) -> Implementation:
    """Import the backend ``name`` and return its implementation.

    Raises
    ------
    BackendUnavailable
        A required library is missing (with the install command), or importing it
        raised (with the error), or it failed at first use earlier in this process.
    """
    s = spec(name)
    with _LOCK:
        failure = _FAILURES.get(s.name)
    if failure is not None:
        raise BackendUnavailable(f"backend {s.name!r} failed at first use: {failure}")
    try:
        # The backend module imports its library (and may set its environment first).
        module = importlib.import_module(f"accelpi.backends.{s.module}")
        libraries = [importlib.import_module(required) for required in s.requires]
    except ImportError as exc:
        missing = (getattr(exc, "name", None) or "").split(".")[0]
        if missing in s.requires:
            raise BackendUnavailable(
                f"backend {s.name!r} needs {missing}, which is not installed; "
                f"install it with: {_install_hint(s)}"
            ) from exc
        raise BackendUnavailable(f"backend {s.name!r}: import failed: {type(exc).__name__}: {exc}") from exc
    except Exception as exc:  # a broken install raises anything at import time
        raise BackendUnavailable(f"backend {s.name!r}: import failed: {type(exc).__name__}: {exc}") from exc
    version = getattr(libraries[0], "__version__", None) if libraries else platform.python_version()
    return Implementation(s, module, getattr(module, s.func), version)


def record_failure(name: str, message: str) -> None:
    """Remember that ``name`` raised on a call that never succeeded before.

    Only a backend that has never succeeded in this process is marked unavailable:
    such a failure is a broken library (a compile error at first use), not bad luck.
    """
    with _LOCK:
        if name not in _SUCCEEDED:
            _FAILURES[name] = message


def record_success(name: str) -> None:
    """Note that ``name`` produced a result in this process."""
    with _LOCK:
        _SUCCEEDED.add(name)


def forget_failures() -> None:
    """Forget first-use failures and successes (for tests, or after fixing a library)."""
    with _LOCK:
        _FAILURES.clear()
        _SUCCEEDED.clear()


def _library_of(s: Spec) -> str:
    return s.requires[0] if s.requires else "python"


def info(name: str, probe: bool = False) -> BackendInfo:
    """Availability of one backend; never raises for a known name.

    With ``probe=True`` the backend also runs a tiny estimate on each present device,
    so that a library that imports but fails at first use (a compile error) is
    reported unavailable with its message.
    """
    s = spec(name)
    base = dict(
        name=s.name,
        library=_library_of(s),
        all_devices=s.devices,
        threads=s.threads,
        streams=s.streams,
        summary=s.summary,
        extra=s.extra,
        options=s.options,
    )
    try:
        impl = load(s.name)
        devices = impl.available_devices()
    except BackendUnavailable as exc:
        return BackendInfo(available=False, reason=str(exc), version=None, devices=(), **base)
    except Exception as exc:  # a device query that raises is a broken library too
        return BackendInfo(
            available=False,
            reason=f"device query failed: {type(exc).__name__}: {exc}",
            version=None,
            devices=(),
            **base,
        )
    reason = "; ".join(f"{d}: {impl.device_reason(d)}" for d in s.devices if d not in devices)
    if probe and devices:
        from .core import estimate

        for device in devices:
            try:
                estimate(1000, s.name, seed=0, device=device)
            except Exception as exc:  # reported, never raised: listing must not crash
                return BackendInfo(
                    available=False, reason=str(exc), version=impl.library_version, devices=(), **base
                )
    return BackendInfo(
        available=bool(devices), reason=reason, version=impl.library_version, devices=devices, **base
    )


def backends(probe: bool = False) -> list[BackendInfo]:
    """Every known backend with its availability, version and devices.

    Parameters
    ----------
    probe : bool
        Also run a tiny estimate per backend and device (compiles JIT backends; slower).
    """
    return [info(name, probe=probe) for name in names()]
