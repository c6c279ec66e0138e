"""The ``accelpi`` command line (also ``python -m accelpi``).

One module per family of commands, each registering its commands with
:func:`~accelpi.cli.common.add_command` (asv's ``commands/`` is the model):
:mod:`~accelpi.cli.estimates` (backends, run, info), :mod:`~accelpi.cli.lab` (compare,
threads, overhead), :mod:`~accelpi.cli.versions` (versions), :mod:`~accelpi.cli.sweeps`
(sweep), :mod:`~accelpi.cli.bisect` (bisect), :mod:`~accelpi.cli.radar` (radar),
:mod:`~accelpi.cli.results` (machine, inventory, summary, replicate, site: what the results
say and where they come from) and :mod:`~accelpi.cli.gate` (gate).
Every command takes ``--json``. Exit statuses are listed in
:data:`~accelpi.cli.common.EXIT_STATUS_HELP`; errors are one line on stderr, never a
traceback.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import errno
import os
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

from .. import __version__
from ..errors import AccelpiError, BackendUnavailable, InvalidArgument, printable
from . import bisect, estimates, gate, lab, radar, results, sweeps, versions
from .common import (
    COMMANDS,
    EXIT_FLAGGED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_OUTPUT,
    EXIT_STATUS_HELP,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    parse_count,
)

__all__ = ["build_parser", "main", "parse_count"]


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line (the usage is one ``--help`` away)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {printable(message)} (see: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``accelpi``."""
    parser = _Parser(
        prog="accelpi",
        description="Monte Carlo π on every accelerator library: run, compare, and track releases.",
        epilog=EXIT_STATUS_HELP,
    )
    parser.add_argument("--version", action="version", version=f"accelpi {__version__}")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="let libraries log to stderr (TensorFlow's start-up messages are silenced otherwise)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for family in (estimates, lab, versions, sweeps, bisect, radar, results, gate):
        family.setup_arguments(sub)
    return parser


#: What a console that cannot encode a symbol prints instead (PYTHONIOENCODING=ascii, an
#: old Windows console): words, never an exception.
ASCII_FALLBACKS = {
    "π": "pi", "±": "+/-", "σ": "sigma", "→": "->", "←": "<-", "…": "...", "µ": "u", "×": "x",
    "≈": "~", "≤": "<=", "≥": ">=", "—": "-", "–": "-", "’": "'", "“": '"', "”": '"', "²": "^2",
}  # fmt: skip


def _fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    return "".join(ASCII_FALLBACKS.get(char, "?") for char in text), error.end


codecs.register_error("accelpi-fallback", _fallback)


def _guard_streams() -> None:
    """Streams the output can go to whatever the caller did: a closed descriptor reads as a
    reader that went away, and a stream that cannot encode π or ± gets words instead."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None or getattr(stream, "closed", False):
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))
            continue
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            "".join(ASCII_FALLBACKS).encode(encoding)
        except (UnicodeEncodeError, LookupError):
            with contextlib.suppress(AttributeError, ValueError):
                stream.reconfigure(errors="accelpi-fallback")


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's exit does not fail flushing it again."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


#: errno values of an output that cannot be written (as opposed to an input not found).
_WRITE_ERRORS = {errno.ENOSPC, errno.EIO, errno.EBADF, errno.EFBIG, errno.EDQUOT, errno.EROFS}


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the program was, so that every ``finally`` and
    ``except BaseException`` on the way runs (a measurement stops asv's whole tree, then lets
    its lock go), as for Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop_on_signals() -> dict[int, object]:
    """Turn SIGTERM and SIGHUP into :class:`Stopped` (main thread only); the old handlers."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return {}

    def stop(signum: int, _frame: object) -> None:
        raise Stopped(signum)

    previous = {}
    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None:
            previous[signum] = signal.signal(signum, stop)
    return previous


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``accelpi``; returns the exit status."""
    _guard_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verbose:
        os.environ["ACCELPI_VERBOSE"] = "1"
    previous = _stop_on_signals()
    try:
        status = COMMANDS[args.command](args)
        sys.stdout.flush()  # a full disk or a closed pipe is seen here, not at exit
        return status
    except Stopped as exc:
        print(f"accelpi: stopped by {signal.Signals(exc.signum).name}", file=sys.stderr)
        return 128 + exc.signum
    except InvalidArgument as exc:
        print(f"accelpi: error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except BackendUnavailable as exc:
        print(f"accelpi: unavailable: {printable(str(exc))}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except AccelpiError as exc:  # may quote a tool's output: its line breaks are kept
        print(f"accelpi: error: {printable(str(exc), lines=True)}", file=sys.stderr)
        return EXIT_FLAGGED
    except KeyboardInterrupt:
        print("accelpi: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`accelpi backends --json | head -1`): it has what it wanted.
        _silence_stdout()
        return EXIT_OK
    except OSError as exc:
        if exc.errno not in _WRITE_ERRORS:
            print(f"accelpi: error: {printable(str(exc))}", file=sys.stderr)
            return EXIT_USAGE
        _silence_stdout()
        print(f"accelpi: error: the output could not be written: {printable(str(exc))}", file=sys.stderr)
        return EXIT_OUTPUT
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]


if __name__ == "__main__":
    sys.exit(main())
