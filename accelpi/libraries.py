"""The one table of libraries: what accelpi knows about each library it measures or reports.

Every other place that needs a library's facts reads them here: the backend registry
(which extra installs a backend's library), the environment report (which distributions
provide an import name), sweeps (what to pin, what else a release needs, which switches to
cross), inventories and release reports (which distributions matter, which are several
builds of one library), the site and the tests. Adding a library is one row below (and one
extra in ``pyproject.toml``, which a test checks against this table).

Vocabulary
----------
library
    An import name (``tensorflow``): the key of the table and what a backend ``requires``.
build
    A distribution that provides the library (``tensorflow-cpu``, ``intel-tensorflow``).
    The first build is the *reference*: other builds of the same release are compared
    with it.
sweep target
    A build whose releases ``accelpi sweep`` can install one environment at a time
    (``numba``, ``tensorflow-cpu``, ``intel-tensorflow``, ``dask``...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import InvalidArgument, did_you_mean

__all__ = [
    "LIBRARIES",
    "SWITCH_LABELS",
    "Library",
    "by_distribution",
    "canonical",
    "key_distributions",
    "multi_build",
    "sweep_target",
    "sweep_targets",
    "switch_label",
]

#: Benchmarks a sweep runs for the swept backends (asv class names).
SWEEP_BENCHMARKS = ("Throughput", "FirstCall", "Accuracy", "ThreadScaling", "PeakMemory")

#: What a sweep installs beside the swept release, at the latest version compatible with it.
SWEEP_NEEDS = ("numpy", "threadpoolctl")

#: TensorFlow reads ``TF_ENABLE_ONEDNN_OPTS`` at import: a switch needing no reinstall.
ONEDNN = {"TF_ENABLE_ONEDNN_OPTS": ("0", "1")}

#: How people call a switch's values (pages and legends): ``NAME=VALUE`` -> words.
SWITCH_LABELS = {
    "TF_ENABLE_ONEDNN_OPTS=0": "oneDNN off",
    "TF_ENABLE_ONEDNN_OPTS=1": "oneDNN on (the default)",
}


def switch_label(text: str) -> str:
    """``intel-tensorflow, TF_ENABLE_ONEDNN_OPTS=1`` -> ``intel-tensorflow, oneDNN on (the default)``."""
    for raw, words in SWITCH_LABELS.items():
        text = text.replace(raw, words)
    return text


def canonical(name: str) -> str:
    """A distribution name as pip compares them (``mkl_random`` = ``mkl-random``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Library:
    """One library: its import name, the distributions that provide it, how to sweep it.

    Attributes
    ----------
    name : str
        Import name (``"tensorflow"``), or ``"python"`` for the interpreter itself.
    builds : tuple of str
        Distributions that provide it, the reference build first; empty for ``python``.
    extra : str
        The ``pip install 'accelpi[extra]'`` extra that installs it (``""``: nothing to
        install, or it comes with another library: llvmlite with numba).
    sweep_builds : tuple of str
        Builds whose releases ``accelpi sweep`` can measure on a CPU machine.
    companions : tuple of str
        Distributions released in step with it and pinned to the same release in a sweep
        (``distributed`` with ``dask``, ``jaxlib`` with ``jax``).
    needs : tuple of str
        What a sweep installs beside it, pinned to the joint resolution of each release.
    switches : dict
        Environment-variable axes a sweep crosses by default (asv ``env_nobuild``).
    benchmarks : tuple of str
        asv benchmark classes a sweep runs for the library's backends.
    baselines : tuple of str
        Backends of other libraries swept with it as a reference (``python`` with NumPy).
    note : str
        What a reader of the library's release history should know (what cannot be
        measured here, and why), shown on its release page.
    pin : str
        Why the default asv environment pins it rather than taking the latest release.
    lockstep : tuple of str
        Needs a sweep pins to the swept release's major and minor version (``torch``
        2.8.* for the Intel Extension for PyTorch 2.8.0, which declares no dependency on
        torch but runs with that torch release only).
    constraints : tuple of str
        Requirements a sweep adds to the joint resolution of every release, for needs the
        library uses without declaring them (the Intel Extension imports ``pkg_resources``,
        which setuptools 82 removed: ``setuptools<82``); each names one of ``needs``.
    """

    name: str
    builds: tuple[str, ...]
    extra: str = ""
    sweep_builds: tuple[str, ...] = ()
    companions: tuple[str, ...] = ()
    needs: tuple[str, ...] = SWEEP_NEEDS
    switches: dict[str, tuple[str, ...]] = field(default_factory=dict)
    benchmarks: tuple[str, ...] = SWEEP_BENCHMARKS
    baselines: tuple[str, ...] = ()
    note: str = ""
    pin: str = ""
    lockstep: tuple[str, ...] = ()
    constraints: tuple[str, ...] = ()

    @property
    def distributions(self) -> tuple[str, ...]:
        """Every distribution of the library: its builds and companions."""
        return (*self.builds, *self.companions)


# fmt: off
_TABLE: tuple[Library, ...] = (
    Library("python",      (),                                  baselines=()),
    Library("numpy",       ("numpy",),                          sweep_builds=("numpy",),
            needs=("threadpoolctl",), baselines=("python",)),
    Library("scipy",       ("scipy",)),
    Library("numba",       ("numba",),         extra="numba",   sweep_builds=("numba",)),
    Library("llvmlite",    ("llvmlite",)),
    Library("numba_cuda",  ("numba-cuda",),    extra="gpu"),
    Library("torch",       ("torch",),         extra="torch",   sweep_builds=("torch",),
            note="The registry's torch wheels for Linux are CUDA builds of several GB (the CPU builds live "
                 "on another index): each swept environment is deleted once measured.",
            pin="2.13.0, the CPU build on this machine class's disk: the registry's latest torch is a CUDA "
                "build of several GB"),
    Library("intel_extension_for_pytorch", ("intel-extension-for-pytorch",),
            sweep_builds=("intel-extension-for-pytorch",), needs=(*SWEEP_NEEDS, "torch", "setuptools"),
            lockstep=("torch",), constraints=("setuptools<82",), baselines=("torch", "torch:compile"),
            note="torch:ipex is torch:compile's kernel compiled by the extension ('ipex' backend of "
                 "torch.compile); torch:compile of the same environment is its stock twin. Each release is "
                 "swept with the torch release of the same minor version (the extension runs with no other) "
                 "and a setuptools below 82 (it imports pkg_resources, which setuptools 82 removed); "
                 "the registry's torch wheels are CUDA builds of several GB, deleted once measured."),
    Library("tensorflow",  ("tensorflow-cpu", "intel-tensorflow", "intel-tensorflow-avx512", "tensorflow",
                            "tensorflow-intel"),
            extra="tensorflow",
            sweep_builds=("tensorflow-cpu", "intel-tensorflow", "intel-tensorflow-avx512"),
            switches=ONEDNN,
            note="The talk's TensorFlow 1.x steps (eager mode from beta to stable) cannot be measured here: "
                 "TensorFlow 1.x installs on Python 3.7 or older only, and the earliest release that "
                 "installs on Python 3.11 is 2.12.",
            pin="2.21.0, the latest CPU build, written out so that a new release is a deliberate change"),
    Library("jax",         ("jax",),           extra="jax",     sweep_builds=("jax",),
            companions=("jaxlib",)),
    Library("jaxlib",      ("jaxlib",)),
    Library("cupy",        ("cupy-cuda13x", "cupy-cuda12x", "cupy"), extra="gpu"),
    Library("mkl_random",  ("mkl-random",),    extra="mkl",     sweep_builds=("mkl-random",)),
    Library("mkl_umath",   ("mkl-umath",),                      sweep_builds=("mkl-umath",),
            baselines=("numpy",),
            note="numpy:mkl-umath is the numpy backend with MKL's ufuncs for the inside test; the numpy "
                 "backend of the same environment is its stock twin. It is measured in release sweeps "
                 "only: the default environment does not install it (adding a requirement would rename "
                 "that environment and cut its commit history)."),
    Library("dask",        ("dask",),          extra="dask",    sweep_builds=("dask",),
            companions=("distributed",),
            benchmarks=("Throughput", "FirstCall", "Accuracy", "PeakMemory", "LaunchOverhead")),
    Library("distributed", ("distributed",)),
    Library("threadpoolctl", ("threadpoolctl",)),
)
# fmt: on

#: Import name -> :class:`Library`, in the table's order.
LIBRARIES: dict[str, Library] = {lib.name: lib for lib in _TABLE}


def library(name: str) -> Library:
    """The :class:`Library` with import name ``name``."""
    if name not in LIBRARIES:
        raise InvalidArgument(f"library={name!r} is not known; accepted: {', '.join(LIBRARIES)}")
    return LIBRARIES[name]


def sweep_targets() -> dict[str, Library]:
    """Sweepable build -> its library, in the table's order (``numba``, ``tensorflow-cpu``...)."""
    return {build: lib for lib in _TABLE for build in lib.sweep_builds}


def sweep_target(build: str) -> Library:
    """The library of the sweepable build ``build``; other names raise :class:`InvalidArgument`."""
    targets = sweep_targets()
    if build not in targets:
        hint = did_you_mean(build, targets)
        raise InvalidArgument(f"library={build!r} cannot be swept{hint}; accepted: {', '.join(targets)}")
    return targets[build]


def by_distribution(distribution: str) -> Library | None:
    """The library a distribution provides (``intel-tensorflow`` -> tensorflow), if known."""
    wanted = canonical(distribution)
    return next((lib for lib in _TABLE if wanted in {canonical(d) for d in lib.distributions}), None)


def multi_build() -> dict[str, tuple[str, ...]]:
    """Libraries swept as several builds of one release: import name -> sweepable builds
    then the other builds, the reference first (``tensorflow``: tensorflow-cpu, ...)."""
    return {
        lib.name: tuple(dict.fromkeys((*lib.sweep_builds, *lib.builds)))
        for lib in _TABLE
        if len(lib.sweep_builds) > 1
    }


def key_distributions() -> tuple[str, ...]:
    """The distributions inventory tables show: every sweepable build and its companions."""
    return tuple(d for lib in _TABLE if lib.sweep_builds for d in (*lib.sweep_builds, *lib.companions))
