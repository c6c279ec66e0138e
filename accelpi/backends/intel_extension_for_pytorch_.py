"""``torch:ipex``: the ``torch:compile`` chunk kernel compiled by the Intel Extension for PyTorch.

Importing ``intel_extension_for_pytorch`` registers its ``ipex`` compiler backend for
``torch.compile`` (and its own CPU kernels). The kernel, the chunking and the seeding are
those of ``torch:compile``: only the compiler differs, so ``torch:compile`` in the same
environment is its stock twin. A release of the extension runs with the torch release of
the same major and minor version only; another one fails at import, and the backend is
reported unavailable with the extension's own message.
"""

from __future__ import annotations

import intel_extension_for_pytorch  # noqa: F401  (registers torch.compile's "ipex" backend)

from ..core import Job
from . import torch_
from .torch_ import available_devices, device_reason  # noqa: F401  (the device hooks)

#: torch.compile's name of the extension's compiler.
COMPILER = "ipex"


def count(job: Job) -> int:
    """Hits of the ``torch:compile`` kernel, compiled with the ``ipex`` backend."""
    return torch_.compiled(job, backend=COMPILER)
