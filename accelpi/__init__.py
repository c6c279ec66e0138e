"""accelpi: which on-the-fly accelerator makes a CPU-bound kernel fast, and did a release change that?

The workload is a Monte Carlo estimate of π written once per library and variant
(a *backend*). The public API::

    import accelpi
    est = accelpi.estimate(10**8, "numba:fused", seed=1)
    print(est.value, est.z)            # the estimate and its error in standard errors
    accelpi.backends()                 # every backend, available or not, and why
    accelpi.environment()              # versions and the settings that change speed
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

# Import the (empty) subpackage first: importing it later would bind the name
# ``accelpi.backends`` to the subpackage, hiding the ``backends()`` function below.
from . import backends as _backends_package  # noqa: F401
from .core import Estimate, backends, estimate
from .environment import environment
from .errors import AccelpiError, BackendUnavailable, InvalidArgument
from .registry import BackendInfo

__all__ = [
    "AccelpiError",
    "BackendInfo",
    "BackendUnavailable",
    "Estimate",
    "InvalidArgument",
    "__version__",
    "backends",
    "environment",
    "estimate",
]


try:  # the one place the version is written is pyproject.toml
    __version__ = _version("accelpi")
except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
    __version__ = "0+unknown"
