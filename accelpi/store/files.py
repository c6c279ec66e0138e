"""Files written whole or not at all, never through a name someone else left; files read only
when they are regular files of a bounded size.

A results folder can come from anywhere (a shared folder, an extracted archive): a FIFO named
like a record blocks whoever opens it, and a symlink to ``/dev/zero`` grows memory without end.
Every file the store reads goes through :func:`read_bytes` (or :func:`check_regular`, before asv
opens one itself)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["MAX_BYTES", "check_regular", "json_text", "read_bytes", "read_text", "write_atomically"]

#: The largest file the store reads: a result file of the whole suite is a few hundred KiB.
MAX_BYTES = 64 * 2**20


def check_regular(path: Path, limit: int = MAX_BYTES) -> None:
    """Raise ``ValueError`` unless ``path`` (its symlinks followed) is a regular file of at most
    ``limit`` bytes; ``OSError`` when it cannot be looked at."""
    import stat

    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"{Path(path).name} is not a regular file")
    if info.st_size > limit:
        raise ValueError(f"{Path(path).name} is {info.st_size:,} bytes, more than the {limit:,} read")


def read_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """A regular file's bytes, at most ``limit`` of them. Opened without blocking (a FIFO
    opens at once), then checked on the open descriptor: ``ValueError`` for a FIFO, a device or
    a file larger than ``limit``."""
    import stat

    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(handle, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{Path(path).name} is not a regular file")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{Path(path).name} is more than the {limit:,} bytes read")
    return data


def read_text(path: Path, limit: int = MAX_BYTES, errors: str = "strict") -> str:
    """:func:`read_bytes` decoded as UTF-8."""
    return read_bytes(path, limit).decode("utf-8", errors=errors)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: an interrupted command never leaves a
    half-written file in a results folder (the file appears by one rename).

    The partial file is a new one of a random name, created exclusively (``mkstemp``:
    ``O_CREAT | O_EXCL``), so that a ``.NAME.partial`` already in the folder (a symlink in a
    shared folder or an extracted archive) is never followed or written through; the rename
    replaces ``path`` itself, never what a symlink there points at."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(partial, 0o644)  # as a plain write would leave it: the site is served
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise


def json_text(data: object, **options: object) -> str:
    """``data`` as strict JSON (``json.dumps`` with ``options``): a number that is not finite
    (a ratio over zero, a cost that overflowed) is written ``null``, never ``Infinity`` or
    ``NaN``, which JSON has not and strict readers refuse."""
    import json

    return json.dumps(_finite(data), allow_nan=False, **options)  # type: ignore[arg-type]


def _finite(data: object) -> object:
    import math

    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(v) for v in data]
    return data
