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

from ..libraries import canonical, key_distributions
from . import asvcompat

__all__ = [
    "INVENTORY_SUFFIX",
    "KEY_DISTRIBUTIONS",
    "drift",
    "installed_versions",
    "load_inventories",
    "record_default_environments",
    "record_inventory",
]

#: Suffix of an inventory beside asv's result file (asv reads every ``*.json`` under
#: ``results/`` as a result, so an inventory must not end in ``.json``).
INVENTORY_SUFFIX = ".versions"

#: The distributions that inventory tables show (everything else is in the JSON records).
KEY_DISTRIBUTIONS = key_distributions()


def installed_versions(record: dict[str, Any] | None) -> dict[str, str]:
    """``{distribution: version}`` from an inventory record (``accelpi info --json``)."""
    libraries = ((record or {}).get("environment") or {}).get("libraries") or {}
    return {
        canonical(entry["distribution"]): entry["version"]
        for entry in libraries.values()
        if isinstance(entry, dict) and "distribution" in entry
    }


def record_inventory(
    env: Any, results_dir: Path, machine: str, commit: str, swept: str | None = None
) -> dict[str, Any]:
    """Run ``accelpi info --json`` and ``accelpi backends --json`` inside ``env``; store both.

    The record goes next to asv's result file for ``(machine, commit, env)`` under the
    results directory ``results_dir``, with the ``.versions`` suffix. ``swept`` names the
    library whose release this environment pins (``None`` for the default environment).
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
    path = results_dir / asvcompat.result_filename(machine, commit, env.name).with_suffix(INVENTORY_SUFFIX)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1, sort_keys=True))
    return record


def load_inventories(results_dir: str | Path) -> list[dict[str, Any]]:
    """Every ``*.versions`` record under ``results_dir``, with ``machine`` and ``installed`` added."""
    records = []
    for path in sorted(Path(results_dir).glob(f"*/*{INVENTORY_SUFFIX}")):
        try:
            record = json.loads(path.read_text())
        except ValueError:
            continue
        record["machine"] = path.parent.name
        record["file"] = path.name
        record["installed"] = installed_versions(record)
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
            if wanted and have is not None and have.split("+")[0] != wanted.split("+")[0]:
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
            for dist in sorted(set(before["installed"]) | set(after["installed"])):
                old, new = before["installed"].get(dist), after["installed"].get(dist)
                if old != new:
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


def record_default_environments(root: Path, machine: str, commit: str = "HEAD") -> list[dict[str, Any]]:
    """Record the inventory of the project's own asv environments, keyed by ``commit``'s results."""
    results_dir = Path(
        asvcompat.load_json(root / "asv.conf.json", js_comments=True).get("results_dir", "results")
    )
    results_dir = results_dir if results_dir.is_absolute() else root / results_dir
    commit = subprocess.run(
        ["git", "rev-parse", commit], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    records = []
    for env in asvcompat.environments(root / "asv.conf.json"):
        if (asvcompat.environment_path(env) / "bin" / "python").exists():
            records.append(record_inventory(env, results_dir, machine, commit))
        else:
            print(f"accelpi: environment {env.name} does not exist yet (run asv first)", file=sys.stderr)
    return records
