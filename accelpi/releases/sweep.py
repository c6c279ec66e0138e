"""Library-release sweeps: the asv suite on the current commit, one environment per release.

asv runs one environment per matrix entry but never records what pip actually installed
and cannot compare environments. :func:`run_sweep` fills those gaps with asv's own
modules and files:

1. It plans the environments: for ``accelpi sweep numba 0.60.0 0.64.0`` one asv
   environment per release holding only what the swept backends need (the release,
   NumPy, threadpoolctl), times any switch that needs no reinstall
   (``TF_ENABLE_ONEDNN_OPTS`` 0/1, Numba's threading layer), as asv ``include`` entries
   with ``env_nobuild`` variables.
2. It resolves every release with its needs jointly (``pip install --dry-run``) and pins
   the needs to that resolution (asv installs requirements one by one, so an unpinned
   NumPy would be upgraded past what an old release supports); a release that cannot
   install for this Python is reported and left out, instead of failing the sweep.
3. It runs ``asv run`` with a generated configuration, restricted to the swept
   backends' benchmarks, on the current commit; results land in ``results/`` beside
   the default environment's.
4. For every environment it stores what is really installed (``accelpi info --json``
   and ``accelpi backends --json`` run inside it) next to asv's result file, named like
   it with the ``.versions`` suffix (asv reads every ``*.json`` under ``results/`` as a
   result, so the inventory must not end in ``.json``).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import registry
from ..errors import InvalidArgument
from ..libraries import Library, canonical, sweep_target
from . import asvcompat
from .inventory import installed_versions, record_inventory

__all__ = ["SweepPlan", "Target", "library", "plan_sweep", "run_sweep"]


def library(name: str) -> Target:
    """The sweep target ``name`` (a build such as ``numba`` or ``tensorflow-cpu``)."""
    return Target(name, sweep_target(name))


@dataclass(frozen=True)
class Target:
    """A build to sweep and its library's row of the table.

    ``distributions`` are pinned together to the swept release (``dask`` and
    ``distributed``); ``backends`` are the registry's backends of the library, plus the
    library's baselines (``python`` with NumPy).
    """

    name: str
    lib: Library

    @property
    def distributions(self) -> tuple[str, ...]:
        return (self.name, *self.lib.companions)

    @property
    def needs(self) -> tuple[str, ...]:
        return self.lib.needs

    @property
    def benchmarks(self) -> tuple[str, ...]:
        return self.lib.benchmarks

    @property
    def switches(self) -> dict[str, tuple[str, ...]]:
        return self.lib.switches

    @property
    def backends(self) -> tuple[str, ...]:
        own = [s.name for s in map(registry.spec, registry.names()) if s.library == self.lib.name]
        return (*self.lib.baselines, *own)


# -- releases -----------------------------------------------------------------------


def _pip(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pip", *args], capture_output=True, text=True, timeout=timeout
    )


def available_releases(distribution: str) -> list[str]:
    """Final releases of ``distribution`` on the package index for this Python, newest first."""
    from packaging.version import InvalidVersion, Version

    done = _pip("index", "versions", distribution)
    match = re.search(r"Available versions:\s*(.+)", done.stdout)
    if done.returncode != 0 or not match:
        raise InvalidArgument(
            f"pip finds no releases of {distribution}: {(done.stderr or done.stdout).strip()[-300:]}"
        )
    releases = []
    for text in match.group(1).split(","):
        try:
            version = Version(text.strip())
        except InvalidVersion:
            continue
        if not version.is_prerelease and not version.is_devrelease:
            releases.append(str(version))
    return sorted(set(releases), key=Version, reverse=True)


def resolve(lib: Target, version: str, constraints: tuple[str, ...] = ()) -> dict[str, str] | str:
    """Resolve ``lib`` at ``version`` together with what it needs, as pip would for this Python.

    asv installs each requirement with its own ``pip install``, so an unpinned NumPy
    installed after ``numba==0.60.0`` would upgrade NumPy past what that release supports.
    The sweep therefore pins every need to the version this joint resolution picks (the
    sweep's own pins: old releases get the older NumPy they need).

    Returns
    -------
    dict or str
        ``{distribution: version}`` of the release and its needs, or pip's reason why the
        release cannot be installed here.
    """
    # `constraints` (``numpy==1.26.4``) replace the needs they name: for a release whose
    # metadata does not cap a dependency it was built against (intel-tensorflow 2.14, NumPy 1).
    pinned = {canonical(re.split(r"[=<>!~]", c, maxsplit=1)[0]) for c in constraints}
    specs = [f"{dist}=={version}" for dist in lib.distributions]
    specs += [need for need in lib.needs if canonical(need) not in pinned] + list(constraints)
    done = _pip(
        "install",
        "--dry-run",
        "--ignore-installed",
        "--only-binary",
        ":all:",
        "--quiet",
        "--report",
        "-",
        *specs,
    )
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip() and "WARNING" not in line]
        return lines[-1].strip() if lines else f"pip exited {done.returncode}"
    chosen = {}
    for item in json.loads(done.stdout)["install"]:
        chosen[canonical(item["metadata"]["name"])] = item["metadata"]["version"]
    return {dist: chosen[dist] for dist in (*lib.distributions, *lib.needs) if dist in chosen}


# -- the plan -----------------------------------------------------------------------


@dataclass
class SweepPlan:
    """What a sweep will run: the environments, the releases left out and why."""

    library: Target
    versions: list[str]
    switches: dict[str, tuple[str, ...]]
    skipped: dict[str, str]  # version -> why it cannot install here
    pins: dict[str, dict[str, str]] = field(default_factory=dict)  # version -> resolved requirements
    python: str = f"{sys.version_info.major}.{sys.version_info.minor}"
    bench: list[str] | None = None  # asv -b expressions instead of the library's benchmarks

    def include(self) -> list[dict[str, Any]]:
        """asv ``include`` entries: one per release and combination of switches."""
        entries = []
        for version in self.versions:
            req: dict[str, str] = {dist: version for dist in self.library.distributions}
            resolved = self.pins.get(version, {})
            req.update({need: resolved.get(need, "") for need in self.library.needs if need not in req})
            combos: list[dict[str, str]] = [{}]
            for name, values in self.switches.items():
                combos = [{**combo, name: value} for combo in combos for value in values]
            for combo in combos:
                entry: dict[str, Any] = {"python": self.python, "req": req}
                if combo:
                    entry["env_nobuild"] = combo
                entries.append(entry)
        return entries

    def bench_regexes(self) -> list[str]:
        """``asv run -b`` expressions: the swept backends' combinations of the chosen benchmarks."""
        if self.bench:
            return list(self.bench)
        names = "|".join(re.escape(b) for b in self.library.backends)
        extra = "|threadpool" if "LaunchOverhead" in self.library.benchmarks else ""
        return [rf"\.{cls}\.\w+\('({names}{extra})'" for cls in self.library.benchmarks]


def plan_sweep(
    name: str,
    versions: list[str] | None = None,
    last: int | None = None,
    switches: dict[str, tuple[str, ...]] | None = None,
    constraints: tuple[str, ...] = (),
) -> SweepPlan:
    """Choose the releases (given, or the ``last`` N installable ones) and check them."""
    lib = library(name)
    if not versions and not last:
        raise InvalidArgument("give the releases to sweep, or --last N")
    skipped: dict[str, str] = {}
    pins: dict[str, dict[str, str]] = {}
    chosen: list[str] = []
    candidates = list(versions) if versions else available_releases(lib.distributions[0])
    for version in candidates:
        if last and len(chosen) >= last:
            break
        resolved = resolve(lib, version, constraints)
        if isinstance(resolved, dict):
            chosen.append(version)
            pins[version] = resolved
        else:
            skipped[version] = resolved
    if not chosen:
        raise InvalidArgument(f"no release of {name} can be installed here: {skipped}")
    from packaging.version import Version

    chosen.sort(key=Version)
    return SweepPlan(lib, chosen, dict(lib.switches if switches is None else switches), skipped, pins)


# -- running ------------------------------------------------------------------------


def sweep_config(plan: SweepPlan, root: Path, results_dir: Path | None = None) -> dict[str, Any]:
    """The project's asv configuration with the sweep's environments instead of its matrix."""
    conf = asvcompat.load_json(root / "asv.conf.json", js_comments=True)
    conf.update(
        repo=str(root),
        benchmark_dir=str(root / conf.get("benchmark_dir", "benchmarks")),
        env_dir=str(root / conf.get("env_dir", ".asv/env")),
        results_dir=str(results_dir or root / conf.get("results_dir", "results")),
        html_dir=str(root / conf.get("html_dir", "html")),
        matrix={},
        exclude=[{"python": ".*"}],  # no default environment: the includes only
        include=plan.include(),
    )
    return conf


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def run_sweep(
    plan: SweepPlan,
    root: Path,
    machine: str,
    quick: bool = False,
    extra_args: list[str] | None = None,
    results_dir: Path | None = None,
) -> dict[str, Any]:
    """Run the sweep; return a report: per environment, installed versions, disk, time.

    ``results_dir`` overrides the project's ``results/`` (the tests sweep into a
    temporary folder).
    """
    root = Path(root)
    work = root / ".asv" / "sweeps"
    work.mkdir(parents=True, exist_ok=True)
    config_path = work / f"{plan.library.name}.json"
    conf = sweep_config(plan, root, results_dir)
    config_path.write_text(json.dumps(conf, indent=2))
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    command = [
        sys.executable,
        "-m",
        "asv",
        "run",
        "--config",
        str(config_path),
        "--machine",
        machine,
        "--show-stderr",
        "--launch-method",
        conf.get("launch_method", "spawn"),
    ]
    for regex in plan.bench_regexes():
        command += ["-b", regex]
    if quick:
        command.append("--quick")
    command += [*(extra_args or []), f"{commit}^!"]  # the commit resolved once: its inventory's too
    start = time.perf_counter()
    done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    report: dict[str, Any] = {
        "library": plan.library.name,
        "versions": plan.versions,
        "skipped": plan.skipped,
        "asv_exit": done.returncode,
        "seconds": seconds,
        "environments": [],
    }
    results_root = Path(conf["results_dir"])
    seen_dirs: set[Path] = set()
    for env in asvcompat.environments(config_path):
        env_path = asvcompat.environment_path(env)
        entry: dict[str, Any] = {"name": env.name}
        if not (env_path / "bin" / "python").exists():
            entry["error"] = "environment was not created (see the asv output)"
        else:
            record = record_inventory(env, results_root, machine, commit, swept=plan.library.name)
            entry["installed"] = installed_versions(record)
            entry["unavailable"] = (
                {
                    b["name"]: b["reason"]
                    for b in record["backends"]
                    if isinstance(b, dict) and b["name"] in plan.library.backends and not b["available"]
                }
                if isinstance(record["backends"], list)
                else {}
            )
            if env_path not in seen_dirs:
                entry["disk_bytes"] = _du(env_path)
                seen_dirs.add(env_path)
        report["environments"].append(entry)
    report["asv_output_tail"] = (done.stdout + done.stderr)[-4000:]
    return report
