"""Exceptions raised by accelpi.

Every error accelpi raises on purpose derives from :class:`AccelpiError`, so a caller
can catch the whole family at once and still tell bad input from a missing library.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["AccelpiError", "BackendUnavailable", "InvalidArgument", "did_you_mean", "printable", "shown"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
_CONTROL_AND_BREAKS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def printable(text: str, lines: bool = False) -> str:
    """``text`` with its control characters written as escapes (``\\x1b``, ``\\n``): a name read
    from a file or typed by a user never reaches a terminal as colours, a window title or a
    fake line. ``lines``: keep line breaks (a message that quotes a tool's output)."""
    pattern = _CONTROL if lines else _CONTROL_AND_BREAKS
    return pattern.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), str(text))


def shown(value: object, limit: int = 80) -> str:
    """A value as an error message shows it: its ``repr``, at most ``limit`` characters,
    printable; an integer too long to print is described by its size instead (Python
    refuses to print integers of more than 4300 digits, and nobody reads one)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1:,} digits"
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        text = f"a {type(value).__name__} that cannot be printed"
    text = printable(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def did_you_mean(name: object, choices: Iterable[str]) -> str:
    """``" (did you mean 'numba'?)"`` when one of ``choices`` is close to ``name``, else ``""``:
    the one suggestion every refusal of a name makes."""
    import difflib

    if not isinstance(name, str):
        return ""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class AccelpiError(Exception):
    """Base class of every error accelpi raises on purpose."""


class InvalidArgument(AccelpiError, ValueError):
    """An argument has a wrong type or value.

    The message names the argument, the value given and what is accepted.
    """


class BackendUnavailable(AccelpiError):
    """A backend (or one of its devices) cannot run here.

    The message says why: the missing package and the extra that installs it, a
    missing GPU, or the error the library raised when imported or first used.
    """
