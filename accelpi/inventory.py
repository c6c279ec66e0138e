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
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from .sweep import INVENTORY_SUFFIX, canonical, installed_versions, record_inventory

__all__ = ["KEY_DISTRIBUTIONS", "drift", "load_inventories", "record_default_environments"]

#: The distributions that inventory tables show (everything else is in the JSON records).
KEY_DISTRIBUTIONS = (
    "numpy",
    "numba",
    "mkl-random",
    "torch",
    "tensorflow-cpu",
    "intel-tensorflow",
    "jax",
    "dask",
    "distributed",
)


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
    from asv import environment
    from asv.config import Config

    conf = Config.load(str(root / "asv.conf.json"))
    commit = subprocess.run(
        ["git", "rev-parse", commit], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    records = []
    for env in environment.get_environments(conf, None, verbose=False):
        if (Path(env._path) / "bin" / "python").exists():
            results_dir = Path(conf.results_dir)
            results_dir = results_dir if results_dir.is_absolute() else root / results_dir
            records.append(record_inventory(env, results_dir, machine, commit))
        else:
            print(f"accelpi: environment {env.name} does not exist yet (run asv first)", file=sys.stderr)
    return records
