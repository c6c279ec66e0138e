"""The one helper that runs pip: release listings, joint resolutions, wheel downloads.

Every pip call of the measuring tools goes through here, as pyperformance keeps its in
``_pip.py``: which interpreter's pip runs, with which options, and how its refusal is told
in one line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

__all__ = ["WHEELS_REPORT", "download", "dry_run", "index_listing", "index_versions", "reason", "requirement"]

#: pip's options for a report of wheels only, on standard output.
WHEELS_REPORT = ("--only-binary", ":all:", "--quiet", "--report", "-")


def _pip(python: Path | str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), "-m", "pip", *args], capture_output=True, text=True, timeout=timeout)


def requirement(text: str, what: str = "--pin") -> str:
    """``text`` if it is a requirement pip reads as one (``numpy==1.26.4``, ``setuptools<82``):
    a name and version specifiers, nothing that pip would read as an option, a URL, a file or
    a second line. Raises :class:`~accelpi.errors.InvalidArgument` otherwise."""
    from packaging.requirements import InvalidRequirement, Requirement

    from ..errors import InvalidArgument, shown

    try:
        parsed = Requirement(text)
    except (InvalidRequirement, TypeError):
        parsed = None
    if parsed is None or parsed.url or text.strip() != text or any(c in text for c in "\n\r;@"):
        raise InvalidArgument(
            f"{what} {shown(text)} is not a requirement (accepted: a name and version specifiers, "
            "such as numpy==1.26.4 or setuptools<82)"
        )
    return text


def reason(done: subprocess.CompletedProcess) -> str:
    """pip's reason for a refusal, in one line: for a conflict, what conflicts with what (pip's
    "The conflict is caused by" lines, on stdout); else its last line that is not a warning."""
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip() and "WARNING" not in line]
    if "ResolutionImpossible" in done.stderr:
        head = next((line.removeprefix("ERROR: ") for line in lines if "Cannot install" in line), "")
        cause = (done.stdout or "").partition("The conflict is caused by:")[2].split("\n\n")[0]
        causes = [line.strip() for line in cause.splitlines() if line.strip()]
        if head or causes:
            return f"{head.rstrip('.')}: {'; '.join(causes)}" if causes else head
    return lines[-1] if lines else f"pip exited {done.returncode}"


def index_versions(distribution: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """``pip index versions DISTRIBUTION`` for this interpreter."""
    return _pip(sys.executable, "index", "versions", distribution, timeout=timeout)


def index_listing(distribution: str, before: str | None = None, pre: bool = False) -> list[str]:
    """The releases of ``distribution`` pip offers this interpreter (``pip index versions
    --json``), as the index spells them; ``before``: only those with a file uploaded before that
    moment (pip's ``--uploaded-prior-to``, an ISO 8601 time); ``pre``: pre-releases too.
    Raises :class:`~accelpi.errors.InvalidArgument` with pip's reason where pip finds none."""
    import json

    from ..errors import InvalidArgument

    options = [*(["--pre"] if pre else []), *(["--uploaded-prior-to", before] if before else [])]
    done = _pip(sys.executable, "index", "versions", distribution, "--json", *options, timeout=600)
    if done.returncode != 0:
        if before and "No matching distribution" in (done.stderr + done.stdout):
            return []  # nothing uploaded that early
        raise InvalidArgument(f"pip finds no releases of {distribution}: {reason(done)}")
    try:
        listed = json.loads(done.stdout)["versions"]
    except (ValueError, KeyError, TypeError):
        raise InvalidArgument(
            f"pip index versions {distribution}: not pip's JSON: {done.stdout[:200]!r}"
        ) from None
    return [str(v) for v in listed]


def dry_run(
    specs: list[str], python: Path | str = sys.executable, no_deps: bool = False, timeout: float = 600
) -> subprocess.CompletedProcess:
    """What ``pip install SPECS`` would install for ``python``, wheels only, as pip's JSON
    report on standard output (nothing is installed)."""
    options = ["--dry-run", "--ignore-installed", *(["--no-deps"] if no_deps else []), *WHEELS_REPORT]
    # "--": a requirement that starts like an option (``--index-url=...``) stays a requirement
    done = _pip(python, "install", *options, "--", *specs, timeout=timeout)
    if done.returncode and "ResolutionImpossible" in done.stderr:
        # pip says what conflicts with what only when not --quiet: asked once more, for reason()
        loud = [option for option in options if option != "--quiet"]
        return _pip(python, "install", *loud, "--", *specs, timeout=timeout)
    return done


def download(requirements: Path, folder: Path, timeout: float = 3600) -> subprocess.CompletedProcess:
    """Exactly the files a ``--require-hashes`` requirements file pins, into ``folder``."""
    checked = ("--no-deps", "--only-binary", ":all:", "--require-hashes", "--quiet")
    return _pip(
        sys.executable, "download", *checked, "-r", str(requirements), "-d", str(folder), timeout=timeout
    )
