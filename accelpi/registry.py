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

import importlib
import platform
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from types import ModuleType
from typing import Any, Literal

from .errors import BackendUnavailable, InvalidArgument, did_you_mean, shown
from .libraries import LIBRARIES

__all__ = ["BackendInfo", "Spec", "backends", "library_backends", "load", "names", "scaling_backends", "spec"]

ThreadModel = Literal["serial", "pool", "library", "fixed"]


@dataclass(frozen=True)
class Spec:
    """Static description of one backend (no import needed to read it).

    Attributes
    ----------
    name : str
        ``library`` or ``library:variant``.
    library : str
        The import name of its library, a key of :data:`accelpi.libraries.LIBRARIES`
        (``"python"`` for the plain loop). The implementation lives in the module
        ``accelpi.backends.<library>_``, named so that it does not shadow the library.
    func : str
        Name of the function ``f(job) -> hits`` in that module.
    summary : str
        One line: what the backend does.
    threads : {"serial", "pool", "library", "fixed"}
        The thread model. ``serial``: one thread; ``pool``: accelpi's own thread pool
        (or task workers); ``library``: the library's thread setting, set for the call and
        restored afterwards; ``fixed``: the library sizes its pool once per process
        (TensorFlow, XLA), so ``threads`` may only repeat that size.
    devices : tuple of str
        Devices the backend can use, default first.
    streams : str
        Its reproducibility promise, shown by ``accelpi backends``: "seeded" means the
        same ``(n, seed)`` gives the same hits; "any threads" that the thread count
        does not change them; "= numpy" that another backend gives the very same hits.
    options : tuple of str
        Keyword options the backend takes beyond the common ones (``chunks=``...).
    also_requires : tuple of str
        Import names it needs beyond its library (``distributed`` for ``dask:distributed``).
    scaling : bool
        Whether thread-scaling studies (``accelpi threads``, the ``ThreadScaling``
        benchmark) include it. Only ``pool`` and ``library`` backends can scale.
    twin : str
        For a backend that is another build's code path for the same work
        (``numpy:mkl-umath``, ``torch:ipex``), the stock backend doing that work
        (``numpy``, ``torch:compile``): release sweeps compare the two in one environment.
    tuned : bool
        A hand-written kernel (``numba:fused``, ``cupy:fused``): this workload's ceiling on
        the library, not code a user of the library typically writes. Every ranking marks it.
    """

    name: str
    library: str
    func: str
    summary: str
    threads: ThreadModel = "serial"
    devices: tuple[str, ...] = ("cpu",)
    streams: str = "seeded, any threads"
    options: tuple[str, ...] = ()
    also_requires: tuple[str, ...] = ()
    scaling: bool = True
    twin: str = ""
    tuned: bool = False

    @property
    def module(self) -> str:
        """The module under ``accelpi.backends`` that holds the implementation."""
        return f"{self.library}_"

    @property
    def requires(self) -> tuple[str, ...]:
        """Import names the backend needs; the first one's version is reported."""
        return () if self.library == "python" else (self.library, *self.also_requires)

    @property
    def extra(self) -> str:
        """The ``pip install 'accelpi[extra]'`` extra that installs its library."""
        return LIBRARIES[self.library].extra

    @property
    def scales(self) -> bool:
        """Whether its ``threads`` changes how many threads share the work on the CPU."""
        return self.threads in ("pool", "library") and "cpu" in self.devices


_SAME = "seeded, any threads"

CPU_GPU = ("cpu", "cuda")
GPU = ("cuda",)
DASK_OPTIONS = ("chunks", "kernel")
DASK_STREAMS = _SAME + ", = any dask, per (chunks, kernel)"

# The asv suite reads this table from source (benchmarks/common.py): keep each backend's
# name the first argument of its Spec, and `threads` and `scaling` literal keywords.
# fmt: off
_SPECS: tuple[Spec, ...] = (
    #    name                   library       function
    Spec("python",              "python",     "count",
         "plain Python loop with random.random: the 1x baseline"),
    Spec("numpy",               "numpy",      "count",
         "vectorised float64, 1 Mi-sample chunks"),
    Spec("numpy:threads",       "numpy",      "count",
         "numpy chunks on a ThreadPoolExecutor (the talk's threading experiment)",
         threads="pool", streams=_SAME + ", = numpy"),
    Spec("numpy:mkl",           "mkl_random", "count",
         "numpy with Intel MKL's ARS-5 generator (mkl_random), 1 Mi-sample chunks"),
    Spec("numpy:mkl-umath",     "mkl_umath",  "count",
         "the numpy chunks with MKL's vector-math ufuncs (mkl_umath) for the inside test",
         streams=_SAME + ", = numpy", twin="numpy"),
    Spec("numba",               "numba",      "serial",
         "@njit loop drawing np.random.random() (Mersenne Twister per chunk)"),
    Spec("numba:parallel",      "numba",      "parallel",
         "@njit(parallel=True) with prange over chunks",
         threads="library", streams=_SAME + ", = numba"),
    Spec("numba:nogil-threads", "numba",      "nogil_threads",
         "@njit(nogil=True) chunk kernel driven by a ThreadPoolExecutor",
         threads="pool", streams=_SAME + ", = numba"),
    Spec("numba:fused",         "numba",      "fused",
         "counter-based splitmix64 generator fused into a prange count", threads="library", tuned=True,
         options=("formulation",)),
    Spec("torch",               "torch",      "count",
         "eager torch.rand float32 chunks", threads="library", devices=CPU_GPU),
    # Out of the scaling study: Inductor's first call per thread count costs seconds.
    Spec("torch:compile",       "torch",      "compiled",
         "the chunk kernel under torch.compile (Inductor's generator)",
         threads="library", devices=CPU_GPU, scaling=False),
    Spec("torch:ipex",          "intel_extension_for_pytorch", "count",
         "the torch:compile kernel compiled by the Intel Extension for PyTorch (backend='ipex')",
         threads="library", also_requires=("torch",), scaling=False, twin="torch:compile"),
    Spec("tensorflow:eager",    "tensorflow", "eager",
         "the chunk kernel op by op (eager mode)", threads="fixed", devices=CPU_GPU),
    Spec("tensorflow:graph",    "tensorflow", "graph",
         "the chunk kernel traced by tf.function", threads="fixed", devices=CPU_GPU),
    Spec("tensorflow:xla",      "tensorflow", "xla",
         "the chunk kernel compiled by XLA (jit_compile=True)", threads="fixed", devices=CPU_GPU),
    Spec("jax",                 "jax",        "count",
         "jax.jit chunk kernel, jax.random keys folded per chunk", threads="fixed", devices=CPU_GPU),
    # The Dask backends' workers are tasks: their scaling is the task count, studied by
    # `accelpi overhead` and the LaunchOverhead benchmark, not by the thread-scaling study.
    Spec("dask:delayed",        "dask",       "delayed_count",
         "one dask.delayed task per chunk, summed by a delayed reduction (threaded scheduler)",
         threads="pool", streams=DASK_STREAMS, options=DASK_OPTIONS, scaling=False),
    Spec("dask:array",          "dask",       "array_count",
         "dask.array of random chunks, inside points counted with .sum()",
         threads="pool", streams=DASK_STREAMS, options=DASK_OPTIONS, scaling=False),
    Spec("dask:distributed",    "dask",       "distributed_count",
         "the dask:delayed graph on a dask.distributed cluster (local processes, or scheduler=)",
         threads="pool", streams=DASK_STREAMS, options=(*DASK_OPTIONS, "scheduler", "connect_timeout"),
         also_requires=("distributed",), scaling=False),
    Spec("cupy",                "cupy",       "count",
         "NumPy code on the GPU: default_rng float32 chunks", devices=GPU),
    Spec("cupy:fused",          "cupy",       "fused",
         "raw CUDA kernel: Philox4x32-10 in registers, warp-shuffle count", devices=GPU, tuned=True),
    Spec("numba-cuda",          "numba_cuda", "count",
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


def library_backends(library: str) -> list[str]:
    """The backends of one library of the table (``Spec.library``: ``numba``, ``tensorflow``...),
    in the registry's order."""
    return [s.name for s in _SPECS if s.library == library]


def tuned_backends() -> list[str]:
    """The hand-tuned kernels, in the registry's order (``Spec.tuned``)."""
    return [s.name for s in _SPECS if s.tuned]


def scaling_backends() -> list[str]:
    """Backends of thread-scaling studies: those whose ``threads`` changes how many CPU
    threads share the work, in the registry's order (the one list of "threaded backends")."""
    return [s.name for s in _SPECS if s.scales and s.scaling]


def spec(name: object) -> Spec:
    """The :class:`Spec` of ``name``; unknown names raise :class:`InvalidArgument`."""
    if isinstance(name, str) and name in _BY_NAME:
        return _BY_NAME[name]
    known = names()
    raise InvalidArgument(
        f"backend={shown(name)} is not a known backend{did_you_mean(name, known)}; "
        f"known backends: {', '.join(known)}"
    )


def _install_hint(s: Spec) -> str:
    if s.extra:
        return f"pip install 'accelpi[{s.extra}]'"
    lib = LIBRARIES[s.library]  # no extra: a build swept, not in the default install
    if not lib.builds:
        return "pip install accelpi"
    lockstep = f" (and {', '.join(lib.lockstep)} of the same minor release)" if lib.lockstep else ""
    return f"pip install {lib.builds[0]}{lockstep}"


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


def info(name: str) -> BackendInfo:
    """Availability of one backend (its library imports, its devices); never raises for a
    known name. :func:`accelpi.backends` with ``probe=True`` also runs each one."""
    s = spec(name)
    base = dict(
        name=s.name,
        library=s.library,
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
    return BackendInfo(
        available=bool(devices), reason=reason, version=impl.library_version, devices=devices, **base
    )


def backends() -> list[BackendInfo]:
    """Every known backend with its availability, version and devices (nothing is run)."""
    return [info(name) for name in names()]
