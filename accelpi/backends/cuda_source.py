"""CUDA C sources shipped with the package (no GPU library needed to read them)."""

from __future__ import annotations

from importlib import resources


def kernel_source(*names: str) -> str:
    """The named source files of ``accelpi.backends``, joined in order."""
    return "\n".join((resources.files(__package__) / name).read_text(encoding="utf-8") for name in names)


#: ``cupy:fused``: the Philox generator and counting loop, then the kernel.
FUSED_PI = ("philox.cuh", "count_pi.cu")
