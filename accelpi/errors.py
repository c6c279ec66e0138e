"""Exceptions raised by accelpi.

Every error accelpi raises on purpose derives from :class:`AccelpiError`, so a caller
can catch the whole family at once and still tell bad input from a missing library.
"""

from __future__ import annotations

__all__ = ["AccelpiError", "BackendUnavailable", "InvalidArgument"]


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
