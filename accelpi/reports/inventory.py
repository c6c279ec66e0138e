"""What the inventories say: pins that did not hold, and drift.

* a pin that did not hold: an environment asked for ``numba==0.60.0`` and had another
  version (the benchmarks also fail loudly at run time, see ``benchmarks/common.py``);
* drift: the same environment name with different installed versions, wheels or files on
  two records (typically a "latest" entry that moved to a new release between two runs).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from ..libraries import canonical, key_distributions
from ..store.records import FIELDS, file_records, project_of, wheel_label

__all__ = ["KEY_DISTRIBUTIONS", "drift", "shown_distributions", "version_and_build"]

#: The distributions that inventory tables show (everything else is in the JSON records).
KEY_DISTRIBUTIONS = key_distributions()


def shown_distributions(records: list[dict[str, Any]]) -> list[str]:
    """The distributions an inventory table shows: :data:`KEY_DISTRIBUTIONS` that any record
    holds, then what the environments of another project's suite asked for."""
    shown = [d for d in KEY_DISTRIBUTIONS if any(d in r["installed"] for r in records)]
    for record in records:
        if record.get("project"):
            shown += [d for d in map(canonical, record.get("requested") or {}) if d not in shown]
    return shown


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


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    """What differs between two records of one environment: versions always; the wheel's
    file name, its sha256 and the installed files' digest where both records have them.
    The project itself (accelpi, or the other project measured) is rebuilt from each commit:
    its changes are the code's, never drift."""
    project = {project_of(before), project_of(after)}
    changes = [
        (dist, before["installed"].get(dist), after["installed"].get(dist))
        for dist in sorted(set(before["installed"]) | set(after["installed"]) - project)
        if before["installed"].get(dist) != after["installed"].get(dist)
    ]
    old, new = file_records(before), file_records(after)
    if old is None or new is None:
        return changes
    versions_seen = {dist for dist, _, _ in changes}
    for dist in sorted((set(old) | set(new)) - versions_seen - project):
        a, b = old.get(dist) or {}, new.get(dist) or {}
        for field in FIELDS:
            if a.get(field) != b.get(field):
                changes.append((f"{dist} ({field})", _short(a.get(field)), _short(b.get(field))))
                break
    return changes


def _short(value: Any) -> str | None:
    text = None if value is None else str(value)
    return text[:12] if text and len(text) == 64 else text  # a sha256, shortened as git does


def version_and_build(record: dict[str, Any], dist: str) -> str:
    """``2.13.0+cpu manylinux_2_28_x86_64``: the installed version and the build of the
    wheel it came from (the version alone for records that predate file names)."""
    version = record["installed"].get(dist, "")
    entry = (file_records(record) or {}).get(dist)
    return f"{version} {wheel_label(entry)}" if version and entry else version
