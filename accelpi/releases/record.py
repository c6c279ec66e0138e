"""Recording what an asv environment really installed, beside its result.

asv never records what pip installed (its issue #931 was declined). After a run, this
module runs ``accelpi info --json`` and ``accelpi backends --json`` inside each
environment, describes its exact files (:mod:`~accelpi.releases.provenance`), and stores
the record beside asv's result file, with the ``.versions`` suffix
(:mod:`accelpi.store.records` reads them back).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ..errors import InvalidArgument
from ..store import asvcompat, git
from ..store.files import write_atomically
from ..store.records import INVENTORY_SUFFIX
from ..store.refusals import exit_status
from ..timestamps import utc
from . import provenance
from .reproduce import build_environment

__all__ = ["record_default_environments", "record_inventory"]


def _relative_executable(record: dict[str, Any]) -> None:
    """Write the environment's interpreter relative to the folder the tools run in (an
    absolute path would name this machine's layout in committed results)."""
    python = (record.get("environment") or {}).get("python")
    if isinstance(python, dict) and isinstance(python.get("executable"), str):
        executable = Path(python["executable"])
        if executable.is_absolute() and executable.is_relative_to(Path.cwd()):
            python["executable"] = str(executable.relative_to(Path.cwd()))


# Each probe runs isolated (``-I``) in the environment's own folder: with ``-m`` or ``-c``,
# Python puts the current folder first on its path, and from the checkout the environment's
# interpreter imported the checkout's accelpi (uncommitted code), not the one asv installed.


def record_inventory(
    env: Any,
    results_dir: Path,
    machine: str,
    commit: str,
    swept: str | None = None,
    extra: dict[str, Any] | None = None,
    first_use: tuple[str, ...] = (),
    project: str | None = None,
) -> dict[str, Any]:
    """Run ``accelpi info --json`` and ``accelpi backends --json`` inside ``env``; store both.

    The record goes next to asv's result file for ``(machine, commit, env)`` under the
    results directory ``results_dir``, with the ``.versions`` suffix. ``swept`` names the
    library whose release this environment pins (``None`` for the default environment);
    ``extra`` adds facts of the run (``sweep_seconds``: what the release took to sweep).
    ``first_use`` names backends to run once inside the environment (a small estimate, in a
    process of its own): the record keeps ``"ok"`` or the last line of the error, so that a
    release whose backend installs but cannot run here says why (``first_use``).

    ``project`` names another project's distribution: its environments hold no accelpi,
    so the record's ``environment`` lists every installed distribution from its files
    (:mod:`~accelpi.releases.provenance`), ``backends`` is empty, and ``build_environment``
    says what the project's build installed into its isolated build environment
    (:mod:`~accelpi.releases.reproduce`).
    """
    python = asvcompat.environment_path(env) / "bin" / "python"
    environ = {**os.environ, **env.env_vars}
    environ.pop("PYTHONPATH", None)
    record: dict[str, Any] = {
        "swept": swept,
        "env_name": env.name,
        "requested": env.requirements,
        "env_vars": env.env_vars,
        "commit": commit,
        "recorded_at": utc(),
        **(extra or {}),
        **({"project": project} if project else {}),
    }
    for key, command in () if project else (("environment", "info"), ("backends", "backends")):
        done = subprocess.run(
            [str(python), "-I", "-m", "accelpi", command, "--json"],
            capture_output=True,
            text=True,
            env=environ,
            cwd=python.parent,  # never the checkout: its accelpi is not the environment's
            timeout=600,
        )
        record[key] = (
            json.loads(done.stdout)
            if done.returncode == 0
            else {"error": done.stderr.strip()[-2000:] or exit_status(done.returncode)}
        )
    if first_use:
        record["first_use"] = {name: _first_use(python, environ, name) for name in first_use}
    try:
        record["distributions"] = provenance.distributions(python)
    except (OSError, RuntimeError, ValueError, subprocess.SubprocessError) as exc:
        record["distributions"] = {"error": f"{type(exc).__name__}: {exc}"[-2000:]}
    if project:
        files = record["distributions"]
        record["environment"] = (
            {"libraries": {n: {"distribution": n, "version": e["version"]} for n, e in files.items()}}
            if "error" not in files
            else {"error": files["error"]}
        )
        record["backends"] = []
        record["build_environment"] = build_environment(python.parent.parent, commit)
    _relative_executable(record)
    path = results_dir / asvcompat.result_filename(machine, commit, env.name).with_suffix(INVENTORY_SUFFIX)
    write_atomically(path, json.dumps(record, indent=1, sort_keys=True))
    return record


def _first_use(python: Path, environ: dict[str, str], backend: str) -> str:
    """``"ok"``, or why ``backend`` fails a first small estimate in this environment."""
    code = f"import accelpi; accelpi.estimate(10_000, {backend!r}, seed=1)"
    try:
        done = subprocess.run(
            [str(python), "-I", "-c", code],
            capture_output=True,
            text=True,
            env=environ,
            cwd=python.parent,
            timeout=600,
        )
    except subprocess.TimeoutExpired:
        return "no result within 600 s"
    if done.returncode == 0:
        return "ok"
    return last_error(done.stderr or done.stdout) or exit_status(done.returncode)


def last_error(output: str) -> str:
    """The error a failed Python process ended on: its last unindented line (a traceback's
    ``Type: message``) with the indented lines under it, on one line, at most 500 characters."""
    lines = [line for line in output.splitlines() if line.strip()]
    starts = [i for i, line in enumerate(lines) if not line[0].isspace()]
    tail = lines[starts[-1] :] if starts else lines[-1:]
    return " ".join(" ".join(tail).split())[-500:]


def record_default_environments(root: Path, machine: str, commit: str = "HEAD") -> list[dict[str, Any]]:
    """Record the inventory of the project's own asv environments, keyed by ``commit``'s results."""
    results_dir = Path(
        asvcompat.load_json(root / "asv.conf.json", js_comments=True).get("results_dir", "results")
    )
    results_dir = results_dir if results_dir.is_absolute() else root / results_dir
    resolved = git.resolve(root, commit)
    if resolved is None:
        raise InvalidArgument(f"--commit {commit!r} is not a commit of the repository in {root}")
    records = []
    for env in asvcompat.environments(root / "asv.conf.json"):
        if (asvcompat.environment_path(env) / "bin" / "python").exists():
            records.append(record_inventory(env, results_dir, machine, resolved))
        else:
            print(f"accelpi: environment {env.name} does not exist yet (run asv first)", file=sys.stderr)
    return records
