"""The ``accelpi`` command line (also ``python -m accelpi``).

One module per family of commands, each registering its commands with
:func:`~accelpi.cli.common.add_command` (asv's ``commands/`` is the model):
:mod:`~accelpi.cli.estimates` (backends, run, info), :mod:`~accelpi.cli.lab` (compare,
threads, overhead), :mod:`~accelpi.cli.versions` (versions), :mod:`~accelpi.cli.sweeps`
(sweep, bisect), :mod:`~accelpi.cli.releases` (inventory, summary, replicate, site) and
:mod:`~accelpi.cli.gate` (gate).
Every command takes ``--json``. Exit statuses are listed in
:data:`~accelpi.cli.common.EXIT_STATUS_HELP`; errors are one line on stderr, never a
traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from .. import __version__
from ..errors import AccelpiError, BackendUnavailable, InvalidArgument
from . import estimates, gate, lab, releases, sweeps, versions
from .common import (
    COMMANDS,
    EXIT_FLAGGED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_STATUS_HELP,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    parse_count,
)

__all__ = ["build_parser", "main", "parse_count"]


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line (the usage is one ``--help`` away)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see: {self.prog} --help)\n")


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
    for family in (estimates, lab, versions, sweeps, releases, gate):
        family.setup_arguments(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``accelpi``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verbose:
        os.environ["ACCELPI_VERBOSE"] = "1"
    try:
        return COMMANDS[args.command](args)
    except InvalidArgument as exc:
        print(f"accelpi: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BackendUnavailable as exc:
        print(f"accelpi: unavailable: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except AccelpiError as exc:
        print(f"accelpi: error: {exc}", file=sys.stderr)
        return EXIT_FLAGGED
    except KeyboardInterrupt:
        print("accelpi: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`accelpi backends --json | head -1`): it has what it wanted.
        # Point stdout at /dev/null so that Python's exit does not fail flushing it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
