"""Inventory of the machine and of the installed libraries, with what changes their speed.

:func:`environment` is what ``accelpi info`` prints and what the benchmark tooling stores
beside each result: versions actually installed (not the ones requested), and for each
library the settings that move its timings (BLAS and thread pools, Numba's threading
layer, TensorFlow's oneDNN switch, torch's build, CUDA runtime and driver).

Every probe is guarded: a library that is missing is left out, and one that fails to
report a fact gets an ``"error: ..."`` string in its place.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import platform
import sys
from collections.abc import Callable
from typing import Any

from .libraries import LIBRARIES
from .machine import cpu_count, cpu_fields, fingerprint
from .quiet import quiet_stderr

__all__ = ["environment"]


def _guard(probe: Callable[[], Any]) -> Any:
    try:
        return probe()
    except Exception as exc:  # an inventory reports failures, it never raises
        return f"error: {type(exc).__name__}: {exc}"


#: The CPU flags ``accelpi info`` names (the fingerprint's digest covers every flag).
INFO_FLAGS = ("avx2", "avx512f", "avx512dq", "fma", "sse4_2", "neon", "asimd")


def _cpu_model() -> str:
    return cpu_fields().get("model name") or platform.processor() or platform.machine()


def _cpu_flags() -> list[str]:
    fields = cpu_fields()
    present = set((fields.get("flags") or fields.get("Features") or "").split())
    return [w for w in INFO_FLAGS if w in present]


def _distribution(import_name: str) -> tuple[str, str] | None:
    for dist in LIBRARIES[import_name].builds:
        try:
            return dist, importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def _numpy_facts() -> dict[str, Any]:
    import numpy as np
    from threadpoolctl import threadpool_info

    return {
        "threadpools": [
            {k: pool.get(k) for k in ("user_api", "internal_api", "version", "num_threads", "architecture")}
            for pool in threadpool_info()
        ],
        "simd": _guard(
            lambda: sorted(k for k, v in np._core._multiarray_umath.__cpu_features__.items() if v)
        ),
    }


def _numba_facts() -> dict[str, Any]:
    import numba

    return {
        # which inside test numba:fused runs here, and why (chosen once per CPU)
        "fused_formulation": _guard(_fused_formulation),
        "threading_layer_setting": numba.config.THREADING_LAYER,
        "num_threads": numba.config.NUMBA_NUM_THREADS,
        "threading_layer_in_use": _threading_layer(numba),
    }


def _fused_formulation() -> Any:
    from .backends import formulation

    return formulation.known() or "not chosen yet on this CPU (the first numba:fused call chooses)"


def _threading_layer(numba: Any) -> str:
    try:
        return numba.threading_layer()
    except ValueError:  # Numba picks its layer when the first parallel kernel runs
        return "none yet (chosen when the first parallel kernel runs)"


def _torch_facts() -> dict[str, Any]:
    import torch

    facts: dict[str, Any] = {
        "num_threads": torch.get_num_threads(),
        "num_interop_threads": torch.get_num_interop_threads(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "mkl": torch.backends.mkl.is_available(),
        "cuda_build": torch.version.cuda,
        "cuda_available": torch.cuda.is_available(),
    }
    if facts["cuda_available"]:
        facts["gpu"] = torch.cuda.get_device_name(0)
    return facts


def _tensorflow_facts() -> dict[str, Any]:
    with quiet_stderr():
        import tensorflow as tf

    build = _guard(lambda: dict(tf.sysconfig.get_build_info()))
    return {
        "TF_ENABLE_ONEDNN_OPTS": os.environ.get(
            "TF_ENABLE_ONEDNN_OPTS", "unset (oneDNN on by default on x86)"
        ),
        "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
        "build": build,
        "gpus": [d.name for d in tf.config.list_physical_devices("GPU")],
    }


def _jax_facts() -> dict[str, Any]:
    import jax

    return {"backend": jax.default_backend(), "devices": [str(d) for d in jax.devices()]}


def _cupy_facts() -> dict[str, Any]:
    import cupy

    runtime = cupy.cuda.runtime
    count = runtime.getDeviceCount()
    return {
        "cuda_runtime": runtime.runtimeGetVersion(),
        "driver": runtime.driverGetVersion(),
        "gpus": [runtime.getDeviceProperties(i)["name"].decode() for i in range(count)],
    }


_FACTS: dict[str, Callable[[], dict[str, Any]]] = {
    "numpy": _numpy_facts,
    "numba": _numba_facts,
    "torch": _torch_facts,
    "tensorflow": _tensorflow_facts,
    "jax": _jax_facts,
    "cupy": _cupy_facts,
}

_SPEED_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
    "NUMBA_THREADING_LAYER",
    "TF_ENABLE_ONEDNN_OPTS",
    "TF_NUM_INTRAOP_THREADS",
    "XLA_FLAGS",
    "OPENBLAS_CORETYPE",
    "CUDA_VISIBLE_DEVICES",
    "JAX_PLATFORMS",
)


def environment(facts: bool = True) -> dict[str, Any]:
    """Describe this machine and the installed libraries.

    Parameters
    ----------
    facts : bool
        Also import each installed library to read the settings that change its
        speed (a few seconds when TensorFlow or torch is installed). With ``False``
        only versions are read, from package metadata, without importing anything.

    Returns
    -------
    dict
        ``python``, ``platform``, ``cpu`` (model, cores, usable cores, SIMD flags),
        ``variables`` (the environment variables that change speed, when set) and
        ``libraries``: for each installed library its distribution, exact version and,
        with ``facts``, a ``facts`` dict.
    """
    libraries: dict[str, Any] = {}
    for import_name, library in LIBRARIES.items():
        if not library.builds:  # python itself: reported above
            continue
        found = _distribution(import_name)
        if found is None:
            continue
        dist, version = found
        entry: dict[str, Any] = {"distribution": dist, "version": version}
        if facts and import_name in _FACTS and importlib.util.find_spec(import_name) is not None:
            entry["facts"] = _guard(_FACTS[import_name])
        libraries[import_name] = entry
    return {
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
            "gil_enabled": _guard(lambda: sys._is_gil_enabled()) if hasattr(sys, "_is_gil_enabled") else True,
        },
        "platform": platform.platform(),
        # what identifies this host's speed, and the asv machine named after it
        "fingerprint": _guard(fingerprint),
        "cpu": {
            "model": _cpu_model(),
            "machine": platform.machine(),
            "cores": os.cpu_count(),
            "usable_cores": cpu_count(),
            "flags": _cpu_flags(),
        },
        "variables": {k: os.environ[k] for k in _SPEED_VARIABLES if k in os.environ},
        "libraries": libraries,
    }
