"""What each asv environment really had installed, and where that drifted.

asv names an environment after what it *asked* pip for (``numba0.60.0``, or just
``numba`` for "latest"), never after what pip installed, and re-running a commit in the
same environment overwrites its result. The sweep tooling stores ``accelpi info --json``
run inside each environment next to its result file (``*.versions``); this module reads
them back and reports:

* a pin that did not hold: an environment asked for ``numba==0.60.0`` and had another
  version (the benchmarks also fail loudly at run time, see ``benchmarks/common.py``);
* drift: the same environment name with different installed versions on two records
  (typically a "latest" entry that moved to a new release between two runs).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ..errors import InvalidArgument
from ..libraries import canonical, key_distributions
from . import asvcompat, provenance

__all__ = [
    "INVENTORY_SUFFIX",
    "KEY_DISTRIBUTIONS",
    "drift",
    "file_records",
    "installed_versions",
    "load_inventories",
    "record_default_environments",
    "record_inventory",
    "version_and_build",
]

#: Suffix of an inventory beside asv's result file (asv reads every ``*.json`` under
#: ``results/`` as a result, so an inventory must not end in ``.json``).
INVENTORY_SUFFIX = ".versions"

#: The distributions that inventory tables show (everything else is in the JSON records).
KEY_DISTRIBUTIONS = key_distributions()


def installed_versions(record: Any) -> dict[str, str]:
    """``{distribution: version}`` from an inventory record (``accelpi info --json``);
    whatever is not of that shape is ignored."""
    environment = record.get("environment") if isinstance(record, dict) else None
    libraries = environment.get("libraries") if isinstance(environment, dict) else None
    if not isinstance(libraries, dict):
        return {}
    return {
        canonical(entry["distribution"]): str(entry["version"])
        for entry in libraries.values()
        if isinstance(entry, dict)
        and isinstance(entry.get("distribution"), str)
        and isinstance(entry.get("version"), str | int | float)
    }


def _relative_executable(record: dict[str, Any]) -> None:
    """Write the environment's interpreter relative to the folder the tools run in (an
    absolute path would name this machine's layout in committed results)."""
    python = (record.get("environment") or {}).get("python")
    if isinstance(python, dict) and isinstance(python.get("executable"), str):
        executable = Path(python["executable"])
        if executable.is_absolute() and executable.is_relative_to(Path.cwd()):
            python["executable"] = str(executable.relative_to(Path.cwd()))


def read_record(path: Path) -> dict[str, Any]:
    """One inventory record, checked for shape; raises ``ValueError`` saying what is wrong."""
    try:
        record = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError("not text (binary data)") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(record, dict):
        raise ValueError(f"a JSON {type(record).__name__}, not an inventory record (an object)")
    for key, kind in (("env_name", str), ("environment", dict)):
        if not isinstance(record.get(key), kind):
            raise ValueError(f"no {key!r} of the right type (an inventory record has one)")
    for key in ("requested", "env_vars"):
        if not isinstance(record.get(key, {}), dict):
            raise ValueError(f"{key!r} is not an object")
    return record


def record_inventory(
    env: Any,
    results_dir: Path,
    machine: str,
    commit: str,
    swept: str | None = None,
    extra: dict[str, Any] | None = None,
    first_use: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Run ``accelpi info --json`` and ``accelpi backends --json`` inside ``env``; store both.

    The record goes next to asv's result file for ``(machine, commit, env)`` under the
    results directory ``results_dir``, with the ``.versions`` suffix. ``swept`` names the
    library whose release this environment pins (``None`` for the default environment);
    ``extra`` adds facts of the run (``sweep_seconds``: what the release took to sweep).
    ``first_use`` names backends to run once inside the environment (a small estimate, in a
    process of its own): the record keeps ``"ok"`` or the last line of the error, so that a
    release whose backend installs but cannot run here says why (``first_use``).
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
        "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **(extra or {}),
    }
    for key, command in (("environment", "info"), ("backends", "backends")):
        done = subprocess.run(
            [str(python), "-m", "accelpi", command, "--json"],
            capture_output=True,
            text=True,
            env=environ,
            timeout=600,
        )
        record[key] = (
            json.loads(done.stdout) if done.returncode == 0 else {"error": done.stderr.strip()[-2000:]}
        )
    if first_use:
        record["first_use"] = {name: _first_use(python, environ, name) for name in first_use}
    try:
        record["distributions"] = provenance.distributions(python)
    except (OSError, RuntimeError, ValueError, subprocess.SubprocessError) as exc:
        record["distributions"] = {"error": f"{type(exc).__name__}: {exc}"[-2000:]}
    _relative_executable(record)
    path = results_dir / asvcompat.result_filename(machine, commit, env.name).with_suffix(INVENTORY_SUFFIX)
    write_atomically(path, json.dumps(record, indent=1, sort_keys=True))
    return record


def _first_use(python: Path, environ: dict[str, str], backend: str) -> str:
    """``"ok"``, or why ``backend`` fails a first small estimate in this environment."""
    code = f"import accelpi; accelpi.estimate(10_000, {backend!r}, seed=1)"
    try:
        done = subprocess.run(
            [str(python), "-c", code], capture_output=True, text=True, env=environ, timeout=600
        )
    except subprocess.TimeoutExpired:
        return "no result within 600 s"
    if done.returncode == 0:
        return "ok"
    lines = [line.strip() for line in (done.stderr or done.stdout).splitlines() if line.strip()]
    return (lines[-1] if lines else f"exit status {done.returncode}")[-500:]


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: an interrupted command never leaves a
    half-written file in a results folder (the file appears by one rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text)
    os.replace(partial, path)


def load_inventories(
    results_dir: str | Path, skipped: list[dict[str, str]] | None = None
) -> list[dict[str, Any]]:
    """Every ``*.versions`` record under ``results_dir``, with ``machine`` and ``installed`` added.

    A file that is empty, truncated, binary or of another shape is left out, and named in
    ``skipped`` (``{"file", "why"}``) when a list is given: one bad file never takes the
    report down.
    """
    records = []
    for path in sorted(Path(results_dir).glob(f"*/*{INVENTORY_SUFFIX}")):
        try:
            record = read_record(path)
        except (OSError, ValueError) as exc:
            if skipped is not None:
                skipped.append({"file": str(path), "why": str(exc)})
            continue
        record["machine"] = path.parent.name
        record["file"] = path.name
        record["installed"] = installed_versions(record)
        record.setdefault("requested", {})
        record.setdefault("env_vars", {})
        records.append(record)
    return records


def drift(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pins that did not hold, and environments whose installed versions changed between records."""
    problems = []
    by_env: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in records:
        for name, wanted in (record.get("requested") or {}).items():
            dist = canonical(re.sub(r"\[.*\]$", "", name.removeprefix("pip+")))
            have = record["installed"].get(dist)
            if wanted and have is not None and have.split("+")[0] != str(wanted).split("+")[0]:
                problems.append(
                    {
                        "kind": "pin did not hold",
                        "machine": record["machine"],
                        "environment": record["env_name"],
                        "package": dist,
                        "requested": wanted,
                        "installed": have,
                        "commit": record.get("commit"),
                    }
                )
        by_env.setdefault((record["machine"], record["env_name"]), []).append(record)
    for (machine, env), history in by_env.items():
        history.sort(key=lambda r: r.get("recorded_at", ""))
        for before, after in itertools.pairwise(history):
            for dist, old, new in _changes(before, after):
                problems.append(
                    {
                        "kind": "drift",
                        "machine": machine,
                        "environment": env,
                        "package": dist,
                        "before": old,
                        "after": new,
                        "between": [before.get("recorded_at"), after.get("recorded_at")],
                    }
                )
    return problems


#: The project itself is rebuilt from each commit: its files change with the code, not by drift.
PROJECT = "accelpi"


def file_records(record: dict[str, Any]) -> dict[str, dict[str, Any]] | None:
    """``{distribution: entry}`` of the exact files (see :mod:`.provenance`), or ``None`` for
    a record written before inventories carried them (or whose recording failed)."""
    found = record.get("distributions")
    if not isinstance(found, dict) or "error" in found:
        return None
    return {k: v for k, v in found.items() if isinstance(v, dict)}


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    """What differs between two records of one environment: versions always; the wheel's
    file name, its sha256 and the installed files' digest where both records have them."""
    changes = [
        (dist, before["installed"].get(dist), after["installed"].get(dist))
        for dist in sorted(set(before["installed"]) | set(after["installed"]))
        if before["installed"].get(dist) != after["installed"].get(dist)
    ]
    old, new = file_records(before), file_records(after)
    if old is None or new is None:
        return changes
    versions_seen = {dist for dist, _, _ in changes}
    for dist in sorted((set(old) | set(new)) - versions_seen - {PROJECT}):
        a, b = old.get(dist) or {}, new.get(dist) or {}
        for field in provenance.FIELDS:
            if a.get(field) != b.get(field):
                changes.append((f"{dist} ({field})", _short(a.get(field)), _short(b.get(field))))
                break
    return changes


def _short(value: Any) -> str | None:
    text = None if value is None else str(value)
    return text[:12] if text and len(text) == 64 else text  # a sha256, shortened as git does


def record_default_environments(root: Path, machine: str, commit: str = "HEAD") -> list[dict[str, Any]]:
    """Record the inventory of the project's own asv environments, keyed by ``commit``'s results."""
    results_dir = Path(
        asvcompat.load_json(root / "asv.conf.json", js_comments=True).get("results_dir", "results")
    )
    results_dir = results_dir if results_dir.is_absolute() else root / results_dir
    done = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise InvalidArgument(f"--commit {commit!r} is not a commit of the repository in {root}")
    commit = done.stdout.strip()
    records = []
    for env in asvcompat.environments(root / "asv.conf.json"):
        if (asvcompat.environment_path(env) / "bin" / "python").exists():
            records.append(record_inventory(env, results_dir, machine, commit))
        else:
            print(f"accelpi: environment {env.name} does not exist yet (run asv first)", file=sys.stderr)
    return records


def version_and_build(record: dict[str, Any], dist: str) -> str:
    """``2.13.0+cpu manylinux_2_28_x86_64``: the installed version and the build of the
    wheel it came from (the version alone for records that predate file names)."""
    version = record["installed"].get(dist, "")
    entry = (file_records(record) or {}).get(dist)
    return f"{version} {provenance.wheel_label(entry)}" if version and entry else version
