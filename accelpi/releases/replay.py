"""Replay a sweep's result: the exact files it was measured with, installed again and measured.

``accelpi sweep --replay RESULTS-FILE`` reads the inventory beside an asv result file (the
``.versions`` record :mod:`accelpi.releases.record` wrote when the sweep ran), and:

1. writes a requirements file pinning every distribution of that environment to its
   recorded version *and* the sha256 of its recorded wheel, and lets pip fetch them in
   ``--require-hashes`` mode into a folder of its own: a file that cannot be had, or whose
   hash differs, stops the replay before anything runs (pip says which);
2. runs the sweep's benchmarks on the recorded commit in a fresh environment of the same
   name, with pip limited to that folder (``PIP_NO_INDEX``, ``PIP_FIND_LINKS``): every
   install, asv's own and the build of the project included, takes a verified file;
3. records the new environment's inventory and compares it, distribution by
   distribution, with the original: wheel, sha256 and the installed files' digest. The
   project itself is rebuilt from the commit, so its wheel differs by build time; its
   installed files must not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InvalidArgument, shown
from ..libraries import canonical
from ..store import asvcompat, git
from ..store.campaigns import listing_kept
from ..store.records import (
    INVENTORY_SUFFIX,
    file_records,
    installed_versions,
    load_inventories,
    project_of,
    read_record,
)
from ..store.records import (
    PROJECT as PROJECT_NAME,
)
from . import pip
from .plan import SweepPlan, library
from .project import Project

__all__ = [
    "REPLAY_RESULTS",
    "compare_files",
    "fetch",
    "inventory_of",
    "replay",
    "requested",
    "requirements",
    "switches_of",
]

#: Where replays write their results (not committed: a replay checks, it adds no history).
REPLAY_RESULTS = Path(".asv") / "replay" / "results"


def inventory_of(result_file: str | Path) -> tuple[Path, dict[str, Any]]:
    """The inventory record beside an asv result file (or the ``.versions`` file itself)."""
    path = Path(result_file)
    inventory = path if path.suffix == INVENTORY_SUFFIX else path.with_suffix(INVENTORY_SUFFIX)
    if not inventory.is_file():
        raise InvalidArgument(
            f"--replay {result_file}: no inventory {inventory.name} beside it; a replay needs the "
            f"record 'accelpi sweep' writes next to each result"
        )
    try:
        return inventory, read_record(inventory)
    except ValueError as exc:
        raise InvalidArgument(f"--replay {result_file}: {inventory.name} is unreadable: {exc}") from None


def requirements(record: dict[str, Any]) -> list[str]:
    """``name==version --hash=sha256:...`` for every distribution but the project.

    Raises
    ------
    InvalidArgument
        When the record predates wheel file names and hashes, or a distribution has no
        recorded file (built from source, a directory, a VCS checkout): named, with why.
    """
    files = file_records(record)
    if files is None:
        raise InvalidArgument(
            f"{record.get('env_name')}: this inventory was written before inventories recorded wheel "
            "file names and hashes; only results swept since then can be replayed"
        )
    lines, lacking = [], []
    for name, entry in sorted(files.items()):
        if name == project_of(record):
            continue
        if not entry.get("sha256") or not str(entry.get("wheel", "")).endswith(".whl"):
            lacking.append(
                f"{name} {entry.get('version')} ({entry.get('origin')}: {entry.get('why', 'no file')})"
            )
            continue
        lines.append(_pinned(name, entry))
    if lacking:
        raise InvalidArgument("cannot replay: no recorded wheel for " + "; ".join(lacking))
    return lines


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,100}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _pinned(name: str, entry: dict[str, Any]) -> str:
    """One line of the ``--require-hashes`` file, from a record's entry: checked to be a
    distribution name, a release number and a sha256, and nothing else (a version holding a
    newline and ``--index-url`` would otherwise be a line of its own, an option for pip)."""
    from packaging.version import InvalidVersion, Version

    version, sha = str(entry.get("version")), str(entry.get("sha256"))
    try:
        valid = str(Version(version)) == version or Version(version).public == version.split("+")[0]
    except InvalidVersion:
        valid = False
    if not (_NAME.fullmatch(name) and valid and "\n" not in version and _SHA256.fullmatch(sha)):
        raise InvalidArgument(
            f"cannot replay: the record's {shown(name)} {shown(version)} (sha256 {shown(sha)}) is not a "
            "distribution name, a release number and a sha256; the record was altered"
        )
    return f"{name}=={version} --hash=sha256:{sha}"


def requested(record: dict[str, Any]) -> dict[str, str]:
    """The environment's requirements as the record says asv was asked for them, each checked
    to be a distribution the record has a file of, at its recorded release (or ``""``): asv
    hands every key and value to pip, so a key ``git+https://...`` or a value ``2.2.6
    --dry-run`` in an altered record would be pip's to act on."""
    files = {canonical(k): v for k, v in (file_records(record) or {}).items()}
    found: dict[str, str] = {}
    for name, value in dict(record.get("requested") or {}).items():
        entry = files.get(canonical(str(name))) if _NAME.fullmatch(str(name)) else None
        if entry is None or value not in ("", str(entry.get("version"))):
            raise InvalidArgument(
                f"cannot replay: the record asks for {shown(str(name))} {shown(str(value))}, which is not a "
                "distribution it recorded a file of at that release; the record was altered"
            )
        found[str(name)] = str(value)
    return found


#: Variables a replayed record may set besides the library's switches and the project's matrix.
_OWN_VARIABLE = re.compile(r"ACCELPI_[A-Z0-9_]{1,40}")


def switches_of(record: dict[str, Any], plan: SweepPlan, project: Project) -> dict[str, str]:
    """The record's environment variables, each one the sweep can have set: a switch of the
    library or one of accelpi's own (``ACCELPI_...``), with a value of letters, digits and
    ``.:=_-`` (never ``LD_PRELOAD``, never a path). The project's matrix variables are left to
    its own configuration, which sets them again."""
    allowed, theirs = set(plan.library.switches), set(project.matrix()[1])
    found: dict[str, str] = {}
    for name, value in dict(record.get("env_vars") or {}).items():
        name, value = str(name), str(value)
        if name in theirs:
            continue
        if not (name in allowed or _OWN_VARIABLE.fullmatch(name)) or not re.fullmatch(
            r"[\w.:=-]{0,100}", value
        ):
            raise InvalidArgument(
                f"cannot replay: the record sets {shown(name)}={shown(value)}, which the sweep never sets; "
                "the record was altered"
            )
        found[name] = value
    return found


def fetch(lines: list[str], wheelhouse: Path, timeout: float = 3600) -> list[str]:
    """Download exactly the pinned files into ``wheelhouse``; pip checks every hash.

    Returns the wheel file names; raises :class:`InvalidArgument` with pip's reason when a
    file cannot be had or its hash does not match.
    """
    wheelhouse.mkdir(parents=True, exist_ok=True)
    wanted = wheelhouse / "requirements.txt"
    wanted.write_text("".join(line + "\n" for line in lines))
    done = pip.download(wanted, wheelhouse, timeout=timeout)
    if done.returncode != 0:
        reasons = [
            line.strip() for line in done.stderr.splitlines() if line.strip() and "WARNING" not in line
        ]
        raise InvalidArgument("cannot replay, pip refused a recorded file: " + " ".join(reasons[-6:])[-1500:])
    return sorted(p.name for p in wheelhouse.glob("*.whl"))


def compare_files(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Differences between two records' files: one row per distribution and field."""
    before, after = file_records(old) or {}, file_records(new) or {}
    rows = []
    for name in sorted(set(before) | set(after)):
        a, b = before.get(name) or {}, after.get(name) or {}
        fields = (
            ("version", "content_sha256")
            if name in (project_of(old), project_of(new))
            else ("version", "wheel", "sha256", "content_sha256")
        )
        for field in fields:
            if a.get(field) != b.get(field):
                rows.append(
                    {"distribution": name, "field": field, "recorded": a.get(field), "replayed": b.get(field)}
                )
    return rows


def _replayable(result_file: str | Path, project: Project) -> tuple[Path, dict[str, Any], str, str]:
    """The inventory beside ``result_file``, its record, the swept library and the commit, once
    the record is a sweep's, of ``project``'s suite, on a commit ``project`` holds."""
    inventory, record = inventory_of(result_file)
    swept, commit = record.get("swept"), str(record.get("commit") or "")
    if not swept or not commit:
        raise InvalidArgument(
            f"--replay {result_file}: not a sweep's record (no swept library or commit); "
            "replay the results of 'accelpi sweep'"
        )
    measured = project_of(record)
    if measured != project.distribution:
        where = (
            "accelpi's checkout" if measured == PROJECT_NAME else f"--project with {measured}'s asv folder"
        )
        raise InvalidArgument(
            f"--replay {result_file}: measured with {measured}'s suite, not {project.distribution}'s: "
            f"replay it from {where}"
        )
    if not git.is_commit(project.repo, commit):
        raise InvalidArgument(
            f"--replay {result_file}: commit {commit[:12]} is not in the repository {project.repo}"
        )
    return inventory, record, str(swept), commit


def _replayed(
    results_root: Path, record: dict[str, Any], commit: str, machine: str, tail: str
) -> dict[str, Any]:
    """The inventory the replay just recorded (its environment, commit and machine, newest)."""
    replayed = [
        r
        for r in load_inventories(results_root)
        if r["env_name"] == record["env_name"] and r.get("commit") == commit and r["machine"] == machine
    ]
    if not replayed:
        raise InvalidArgument(f"the replayed environment was not created; asv said:\n{tail[-1500:]}")
    return max(replayed, key=lambda r: r.get("recorded_at", ""))


def replay(
    result_file: str | Path,
    root: Path | Project,
    machine: str,
    results_dir: Path | None = None,
    quick: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Install the recorded files again, measure, and compare (see the module's text).

    ``root`` is accelpi's checkout, or the other project (:class:`Project`) whose suite
    measured the result (its record names it)."""
    from .sweep import asv_run, delete_environments, record_environments

    project = root if isinstance(root, Project) else Project.ours(Path(root))
    inventory, record, swept, commit = _replayable(result_file, project)
    from .campaign import one_measurement_at_a_time

    with one_measurement_at_a_time(f"replay of {inventory.name}"):
        say = progress or (lambda text: None)
        lines = requirements(record)
        work = project.work / "replay"
        wheelhouse = work / "wheels" / inventory.stem
        say(f"fetching {len(lines)} recorded wheels, every sha256 checked by pip")
        wheels = fetch(lines, wheelhouse)
        results_root = Path(results_dir or work / "results")  # accelpi's: REPLAY_RESULTS
        version = installed_versions(record).get(canonical(swept)) or str(
            record["requested"].get(swept) or "latest"
        )
        bench = [str(b) for b in record.get("bench") or []]
        plan = SweepPlan(library(swept, project), [version], {}, {}, bench=bench or None)
        entry: dict[str, Any] = {"python": project.python, "req": requested(record)}
        variables = switches_of(record, plan, project)
        if variables:
            entry["env_nobuild"] = variables
        conf = project.asv_config([entry], results_root, env_dir=work / "env")
        environ = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse)}
        say(f"measuring {swept} {version} on commit {commit[:8]}, installing from those files only")
        config_path = work / "asv.conf.json"
        with listing_kept(results_root):  # asv would list only the replayed commit's benchmarks
            run = asv_run(
                conf,
                config_path,
                work,
                machine,
                commit,
                plan.bench_regexes(),
                ["--quick"] if quick else [],
                work / "asv.log",
                say,
                environ,
            )
        tail, exit_code = run.tail, run.exit_code
        entries = record_environments(
            config_path,
            results_root,
            machine,
            commit,
            swept=lambda env: swept,
            first_use=lambda env: plan.library.backends,
            extra=lambda env: {"replay_of": inventory.name, **({"bench": bench} if bench else {})},
            project=None if project.own else project.distribution,
        )
        delete_environments(entries)
        new = _replayed(results_root, record, commit, machine, tail)
    return {
        "replayed": str(inventory),
        "environment": record["env_name"],
        "commit": commit,
        "wheels": wheels,
        "asv_exit": exit_code,
        "differences": compare_files(record, new),
        "distributions": len(file_records(new) or {}),
        "results": str(results_root / asvcompat.result_filename(machine, commit, new["env_name"])),
    }
