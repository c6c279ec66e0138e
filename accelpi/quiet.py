"""Keep C++ start-up logs of libraries off stderr (a leaf module: it imports nothing of accelpi)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["quiet_stderr"]


@contextmanager
def quiet_stderr() -> Iterator[None]:
    """Send what C++ code writes to stderr to /dev/null for a while (``ACCELPI_VERBOSE=1``,
    or ``accelpi --verbose``: keep it). TensorFlow's import logs through absl before absl is
    set up, which no setting silences (``TF_CPP_MIN_LOG_LEVEL=3`` does not), so the file
    descriptor itself is redirected."""
    if os.environ.get("ACCELPI_VERBOSE", "") not in ("", "0"):
        yield
        return
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
