"""What every command shares: exit statuses, argument types, options, and output helpers.

Modelled on asv's ``commands/common_args.py``: each command module registers its
commands with :func:`add_command` and takes its options from the helpers here, so an
option means the same thing (and has the same default) in every command.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable
from typing import Any

from ..errors import BackendUnavailable, InvalidArgument, printable, shown
from ..reports import DEFAULT_FACTOR

#: Exit statuses, as documented in the README and ``accelpi --help``.
EXIT_OK = 0
EXIT_FLAGGED = 1  # a release flagged slower, wrong results under concurrency, a drifted pin
EXIT_USAGE = 2  # bad usage or bad input
EXIT_UNAVAILABLE = 3  # a backend (or its device) cannot run here
EXIT_OUTPUT = 4  # the output could not be written (a full disk, a closed descriptor)
EXIT_INCONCLUSIVE = 5  # the gate: this runner could not tell a change of the factor on some benchmark
EXIT_INTERRUPTED = 130  # Ctrl-C

EXIT_STATUS_HELP = (
    "Exit status: 0 ok (also when the reader of the output went away); 1 a finding (a release "
    "flagged slower, a slower benchmark, a wrong result under concurrency, a pin that did not "
    "hold); 2 bad usage or input; 3 backend unavailable; 4 the output could not be written; "
    "5 the gate is inconclusive (a change of its factor could pass unseen on this runner); 130 interrupted."
)


Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Command] = {}


def add_command(sub: Any, name: str, func: Command, help: str) -> argparse.ArgumentParser:
    """Register ``accelpi NAME``: its parser (with ``--json``) and the function that runs it."""
    parser = sub.add_parser(name, help=help, description=help)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    COMMANDS[name] = func
    return parser


# -- argument types ------------------------------------------------------------------


#: What ``-n`` accepts, in words.
COUNTS = "accepted: a whole number up to 2**62, as 100000000, 1e8, 10_000_000 or 2**30"


def parse_count(text: str) -> int | float:
    """Read a sample count such as ``100000000``, ``1e8``, ``10_000_000`` or ``2**30``.

    Nothing larger than needed is ever computed: ``9**99999999999`` is refused from the size
    of its exponent, before any arithmetic, and no error prints an unbounded number.
    """
    cleaned = text.strip().replace("_", "")
    if len(cleaned) > 64:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a number of samples ({COUNTS})")
    try:
        if "**" in cleaned:
            left, _, right = cleaned.partition("**")
            base, power = int(left), int(right)
            if base > 1 and power * math.log2(base) > 64:
                raise argparse.ArgumentTypeError(f"{shown(text)} is more than 2**64 samples ({COUNTS})")
            return base**power
        return int(cleaned)
    except ValueError:
        pass
    try:
        return float(cleaned)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a number of samples ({COUNTS})") from None


def positive(kind: type) -> Callable[[str], Any]:
    """An argument type: a number of ``kind`` greater than 0."""

    def convert(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not value > 0:
            raise argparse.ArgumentTypeError(f"{text!r} is not a positive {kind.__name__}")
        return value

    return convert


def factor(text: str) -> float:
    """An argument type: a slowdown factor, a finite number of at least 1 (1.1 = 10 % slower).

    ``nan`` would make asv hide every slower row (the gate would always pass) and ``0`` crash
    it: both are refused here, as everywhere a factor is taken."""
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or not value >= 1:
        raise argparse.ArgumentTypeError(
            f"{shown(text)} is not a factor: a finite number >= 1 (1.1 means 10 % slower)"
        )
    return value


def switches(items: list[str] | None, none: bool = False) -> dict[str, tuple[str, ...]] | None:
    """``NAME=V1,V2`` options as ``{NAME: (V1, V2)}``; ``None`` when none were given."""
    if none:
        return {}
    if not items:
        return None  # the library's defaults
    parsed = {}
    for item in items:
        name, sep, values = item.partition("=")
        if not sep or not name or not values or "" in values.split(","):
            raise InvalidArgument(
                f"--switch {item!r}: expected NAME=VALUE1,VALUE2 (e.g. TF_ENABLE_ONEDNN_OPTS=0,1)"
            )
        parsed[name] = tuple(values.split(","))
    return parsed


def machine_name(given: str | None) -> str:
    """The asv machine: ``--machine``, else this host's, derived from its fingerprint
    (:func:`accelpi.machine.machine_name`), and recorded in asv's machine file
    (``~/.asv-machine.json``) when it is not there yet, as ``make machine`` does.

    Never the file's first entry, nor the hostname: a machine file written for another
    project or another host must not decide where this host's results are filed."""
    if given:
        return given
    from .. import machine
    from ..store import asvcompat

    info = machine.asv_machine_info()
    if asvcompat.machine_entry(info["machine"]) != info:
        asvcompat.save_machine(info)
    return info["machine"]


# -- options -------------------------------------------------------------------------


def estimate_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=0, help="non-negative integer seed (default 0)")
    parser.add_argument(
        "--threads", type=int, default=None, help="threads for parallel backends (default: all cores)"
    )
    parser.add_argument("--device", default=None, help="cpu, cuda or gpu (default: the backend's default)")


def backends_option(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument("-b", "--backend", dest="backends", action="append", metavar="NAME", help=help)


class _Given(argparse.Action):
    """Store the value and remember that it was given (``--project`` has no default folder)."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Any = None) -> None:
        setattr(namespace, self.dest, values)
        setattr(namespace, f"{self.dest}_given", True)


def results_option(parser: argparse.ArgumentParser, default: str, what: str = "asv results folder") -> None:
    parser.add_argument(
        "--results",
        default=default,
        action=_Given,
        help=f"{what} (default: {default}; with --project: required)",
    )
    parser.set_defaults(results_given=False)


def project_options(parser: argparse.ArgumentParser, measuring: bool = True) -> None:
    """``--project DIR`` (another project's asv suite) and, for commands that measure, where
    its environments live and which of its commits is measured."""
    parser.add_argument(
        "--project",
        metavar="DIR",
        help="another project's asv suite: the folder of its asv.conf.json, used unchanged "
        "(docs/projects.md); needs --results",
    )
    if measuring:
        parser.add_argument(
            "--work",
            metavar="DIR",
            help="with --project: where its environments and staged campaigns live "
            "(default: ~/.cache/accelpi/projects/NAME, never inside the project)",
        )
        parser.add_argument(
            "--commit",
            dest="project_commit",
            default="HEAD",
            metavar="REF",
            help="with --project: the project's commit to measure (default: HEAD)",
        )
        parser.add_argument(
            "--inside-project",
            action="store_true",
            help="with --project: allow --results or --work inside the project's repository",
        )


def project_from(args: argparse.Namespace, needs_results: bool = True) -> Any:
    """The :class:`~accelpi.releases.project.Project` that ``--project`` names (``None``
    without it), after checking that results and environments stay out of it."""
    from pathlib import Path

    if not getattr(args, "project", None):
        return None
    from ..releases.project import Project

    if needs_results and not getattr(args, "results_given", True):
        raise InvalidArgument("--project needs --results DIR: the folder of that project's campaign results")
    project = Project.other(
        args.project, getattr(args, "work", None), getattr(args, "project_commit", "HEAD")
    )
    if not getattr(args, "inside_project", True):
        # the repository, and the suite's own folder where it lies elsewhere ("repo" pointing
        # at another checkout); --results only when given (its default is accelpi's own)
        tops = dict.fromkeys((project.repo.resolve(), project.root.resolve()))
        given = [("--results", Path(args.results))] if getattr(args, "results_given", True) else []
        for option, folder in (*given, ("--work", project.work)):
            where = folder.expanduser().resolve()
            for top in tops:
                if where == top or top in where.parents:
                    what = "repository" if top == project.repo.resolve() else "asv folder"
                    raise InvalidArgument(
                        f"{option} {folder}: inside the project's {what} ({top}); accelpi edits nothing "
                        "there unless asked: choose another folder, or pass --inside-project"
                    )
    return project


def factor_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--factor",
        type=factor,
        default=DEFAULT_FACTOR,
        help=f"{what} by more than this factor, >= 1 (default {DEFAULT_FACTOR})",
    )


def bench_option(parser: argparse.ArgumentParser) -> None:
    """``-b REGEX`` (repeatable), as asv takes it: the benchmarks a campaign measures."""
    parser.add_argument(
        "-b",
        "--bench",
        action="append",
        metavar="REGEX",
        help="measure only the benchmarks this expression selects, as asv -b (repeatable; default: the "
        "library's benchmarks, every benchmark of a --project suite)",
    )


def check_regexes(expressions: list[str], names: list[str] | None = None) -> None:
    """Each ``-b`` expression compiles and, given the suite's ``names`` as asv matches them
    (:meth:`~accelpi.releases.project.Project.benchmark_names`), selects something: else one
    line saying which does not, before any environment is built."""
    import re

    for text in expressions:
        try:
            pattern = re.compile(text)
        except re.error as exc:
            raise InvalidArgument(f"-b {text!r} is not a regular expression: {exc}") from None
        if names is not None and not any(pattern.search(name) for name in names):
            example = next((n for n in names if "(" in n), names[0] if names else "")
            raise InvalidArgument(
                f"-b {text!r} selects no benchmark of the suite; asv matches each benchmark's name and, "
                f"for a parameterised one, the name with its parameters (e.g. {example!r})"
            )


def passes_options(parser: argparse.ArgumentParser) -> None:
    """``--passes`` and ``--extra-passes``: a campaign's shape (``sweep``, ``radar``)."""
    from ..releases.plan import DEFAULT_EXTRA_PASSES, DEFAULT_PASSES

    parser.add_argument(
        "--passes",
        type=positive(int),
        default=DEFAULT_PASSES,
        help=f"passes over every environment, the order reversed each time (default {DEFAULT_PASSES})",
    )
    parser.add_argument(
        "--extra-passes",
        type=int,
        default=DEFAULT_EXTRA_PASSES,
        metavar="N",
        help="then at most N more passes of only the rows whose verdict is still undecided "
        f"(default {DEFAULT_EXTRA_PASSES}; 0: none)",
    )


def machine_option(parser: argparse.ArgumentParser, help: str | None = None) -> None:
    parser.add_argument(
        "--machine",
        help=help or "asv machine name (default: this host's, from its fingerprint: accelpi machine)",
    )


# -- output --------------------------------------------------------------------------


def get_console(stderr: bool = False, width: int | None = None) -> Any:
    """A rich console: a terminal's width, or ``COLUMNS`` (80 when unset) when piped, where
    it writes plain text without colours; ``width``: at least this wide (``--wide``), unless
    ``COLUMNS`` is set. A reader that goes away (``| head -1``) raises
    ``BrokenPipeError``, which the command line ends quietly with status 0 (rich itself
    would exit 1)."""
    try:
        from rich.console import Console
    except ImportError:
        raise BackendUnavailable(
            "accelpi's tables need rich, which is not installed; install it with: "
            "pip install 'accelpi[cli]' (or use --json)"
        ) from None

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError

    if width is not None:  # at least this wide, whatever the terminal (a table with many columns),
        # unless COLUMNS says how wide: the user's own choice wins
        width = None if os.environ.get("COLUMNS", "").isdigit() else max(width, _Console(stderr=stderr).width)
    return _Console(stderr=stderr, highlight=False, width=width)


def print_json(data: Any) -> None:
    """``data`` as strict JSON on stdout (:func:`~accelpi.store.files.json_text`)."""
    from ..store.files import json_text

    sys.stdout.write(json_text(data, indent=2, default=str) + "\n")


def print_notes(console: Any, notes: list[str]) -> None:
    """Numbered notes under a table (``[1] why...``), wrapped to the console's width."""
    import textwrap

    for number, note in enumerate(notes, 1):
        text = textwrap.fill(
            " ".join(note.split()),
            width=max(40, console.width),
            initial_indent=f"[{number}] ",
            subsequent_indent="    ",
            break_on_hyphens=False,
        )
        console.print(text, markup=False, highlight=False, soft_wrap=True)


def warn_skipped(skipped: list[dict[str, str]]) -> None:
    """Name each results file that was left out, and how many, on stderr."""
    for item in skipped:
        print(
            f"accelpi: warning: skipped {printable(item['file'])}: {printable(item['why'])}", file=sys.stderr
        )
    if skipped:
        print(
            f"accelpi: {len(skipped)} unreadable file(s) skipped; the report is of the others",
            file=sys.stderr,
        )


def escape(text: str) -> str:
    """Protect text from rich's markup (install hints such as ``accelpi[gpu]``) and the terminal
    from its control characters (a name read from a result file: colours, a window title)."""
    from rich.markup import escape as rich_escape

    return rich_escape(printable(text))


def rate(n: int, seconds: float) -> str:
    """Samples per second for people: ``3.7 Gsamples/s``."""
    per_second = n / seconds if seconds > 0 else float("inf")
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if per_second >= scale:
            return f"{per_second / scale:,.1f} {unit}samples/s"
    return f"{per_second:,.1f} samples/s"
