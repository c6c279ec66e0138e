"""Library-release sweeps: the asv suite on the current commit, one environment per release.

asv runs one environment per matrix entry but never records what pip actually installed
and cannot compare environments. :func:`run_sweep` fills those gaps with asv's own
modules and files:

1. :mod:`accelpi.releases.plan` plans the environments: for ``accelpi sweep numba 0.60.0
   0.64.0`` one asv environment per release holding only what the swept backends need
   (the release, NumPy, threadpoolctl), times any switch that needs no reinstall
   (``TF_ENABLE_ONEDNN_OPTS`` 0/1), each release resolved with its needs jointly.
2. Releases already measured in the results folder are not run again: an interrupted
   sweep resumes where it stopped.
3. It runs ``asv run`` with a generated configuration, restricted to the swept
   backends' benchmarks, on the current commit; results land in ``sweeps/``, apart from
   the default environment's commit history in ``results/`` (asv would otherwise draw
   every swept environment on its commit graphs).
4. For every environment it stores what is really installed (``accelpi info --json``
   and ``accelpi backends --json`` run inside it) next to asv's result file, named like
   it with the ``.versions`` suffix (asv reads every ``*.json`` of a results folder as a
   result, so the inventory must not end in ``.json``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..libraries import canonical
from ..store import SWEEP_RESULTS, asvcompat, git
from ..store.records import installed_versions, load_inventories
from .plan import SweepPlan
from .record import record_inventory

__all__ = ["estimate_seconds", "measured", "run_sweep", "sweep_config"]


# -- running ------------------------------------------------------------------------


def sweep_config(plan: SweepPlan, root: Path, results_dir: Path | None = None) -> dict[str, Any]:
    """The project's asv configuration with the sweep's environments instead of its matrix."""
    conf = asvcompat.load_json(root / "asv.conf.json", js_comments=True)
    conf.update(
        repo=str(root),
        benchmark_dir=str(root / conf.get("benchmark_dir", "benchmarks")),
        env_dir=str(root / conf.get("env_dir", ".asv/env")),
        results_dir=str(results_dir or root / SWEEP_RESULTS),
        html_dir=str(root / conf.get("html_dir", "html")),
        matrix={},
        exclude=[{"python": ".*"}],  # no default environment: the includes only
        include=plan.include(),
    )
    return conf


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def measured(plan: SweepPlan, results_dir: Path) -> dict[str, dict[str, Any]]:
    """Releases of the plan already measured in ``results_dir``: version -> the inventory of
    its environment (the first found), with ``seconds`` where the sweep recorded it.

    A release counts as measured when every environment it needs (one per combination of
    switches) has an inventory naming this library as the swept one.
    """
    wanted = canonical(plan.library.name)
    records = load_inventories(results_dir) if results_dir.is_dir() else []
    by_env = {r["env_name"]: r for r in records if canonical(str(r.get("swept") or "")) == wanted}
    done = {}
    for version in plan.versions:
        names = _env_names(plan, version)
        if names and all(name in by_env for name in names):
            done[version] = by_env[names[0]]
    return done


def _env_names(plan: SweepPlan, version: str) -> list[str]:
    """asv's names of the environments of one release (asv names them, not we)."""
    import tempfile

    single = SweepPlan(plan.library, [version], plan.switches, {}, plan.pins, plan.python, plan.bench)
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "asv.conf.json"
        config.write_text(
            json.dumps(
                {
                    "version": 1,
                    "repo": ".",
                    "environment_type": "virtualenv",
                    "matrix": {},
                    "exclude": [{"python": ".*"}],
                    "include": single.include(),
                    "env_dir": tmp,
                }
            )
        )
        return [env.name for env in asvcompat.environments(config)]


def estimate_seconds(plan: SweepPlan, results_dir: Path) -> float:
    """About how long one release of this library takes to sweep here: the mean of what
    earlier sweeps recorded, or 3 minutes per environment when none did."""
    wanted = canonical(plan.library.name)
    seen = [
        float(r["sweep_seconds"])
        for r in (load_inventories(results_dir) if results_dir.is_dir() else [])
        if canonical(str(r.get("swept") or "")) == wanted and isinstance(r.get("sweep_seconds"), int | float)
    ]
    combos = max(1, len(plan.include()) // max(1, len(plan.versions)))
    return sum(seen) / len(seen) if seen else 180.0 * combos


def run_sweep(
    plan: SweepPlan,
    root: Path,
    machine: str,
    quick: bool = False,
    extra_args: list[str] | None = None,
    results_dir: Path | None = None,
    rerun: bool = False,
    delete_envs: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run the sweep one release at a time; return a report: per environment, installed
    versions, disk, time.

    A release already measured in the results folder is not run again (an interrupted
    sweep resumes where it stopped) unless ``rerun``. ``delete_envs`` removes each
    release's environments once it ran and its inventory is stored (torch's are GBs).
    ``progress`` receives one line per release and per benchmark asv reports: which
    release, how many left, elapsed and estimated time. ``results_dir`` overrides the
    project's ``sweeps/`` (the tests sweep into a temporary folder).
    """
    root = Path(root)
    results_root = Path(results_dir or root / SWEEP_RESULTS)
    commit = git.head(root)  # resolved once: every release runs on it, its inventories name it
    done_before = {} if rerun else measured(plan, results_root)
    todo = [v for v in plan.versions if v not in done_before]
    per_release = estimate_seconds(plan, results_root)
    report: dict[str, Any] = {
        "library": plan.library.name,
        "versions": plan.versions,
        "skipped": plan.skipped,
        "already_measured": sorted(done_before),
        "asv_exit": 0,
        "seconds": 0.0,
        "environments": [],
        "asv_output_tail": "",
    }
    say = progress or (lambda text: None)
    start = time.perf_counter()
    for number, version in enumerate(todo, 1):
        elapsed = time.perf_counter() - start
        left = per_release * (len(todo) - number + 1)
        say(
            f"[{number}/{len(todo)}] {plan.library.name} {version} (elapsed {_minutes(elapsed)}, "
            f"about {_minutes(left)} left)"
        )
        single = SweepPlan(plan.library, [version], plan.switches, {}, plan.pins, plan.python, plan.bench)
        began = time.perf_counter()
        exit_code, tail, entries = _run_one(
            single, root, machine, commit, results_root, quick, extra_args, delete_envs, say
        )
        seconds = time.perf_counter() - began
        for entry in entries:
            entry["seconds"] = seconds
        per_release = (per_release * (number - 1) + seconds) / number if number > 1 else seconds
        report["environments"] += entries
        report["asv_exit"] = report["asv_exit"] or exit_code
        report["asv_output_tail"] = tail
    report["seconds"] = time.perf_counter() - start
    return report


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"


def _run_one(
    plan: SweepPlan,
    root: Path,
    machine: str,
    commit: str,
    results_root: Path,
    quick: bool,
    extra_args: list[str] | None,
    delete_envs: bool,
    say: Callable[[str], None],
    conf: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
) -> tuple[int, str, list[dict[str, Any]]]:
    """One release: asv run in its environments, then their inventories.

    ``conf`` replaces the sweep's asv configuration and ``environ`` is added to asv's
    environment (a replay installs from its own folder of wheels only).
    """
    work = root / ".asv" / "sweeps"
    work.mkdir(parents=True, exist_ok=True)
    config_path = work / f"{plan.library.name}.json"
    conf = conf or sweep_config(plan, root, results_root)
    config_path.write_text(json.dumps(conf, indent=2))
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
        "--record-samples",  # so that asv's test can use Mann-Whitney U, not only intervals
        "--launch-method",
        conf.get("launch_method", "spawn"),
    ]
    for regex in plan.bench_regexes():
        command += ["-b", regex]
    if quick:
        command.append("--quick")
    command += [*(extra_args or []), f"{commit}^!"]
    began = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(environ or {})},
    )
    tail: list[str] = []
    assert process.stdout is not None
    log_path = work / f"{plan.library.name}-{plan.versions[0]}.log"  # asv's whole output, failures included
    with log_path.open("w") as log:
        for line in process.stdout:
            log.write(line)
            tail = [*tail[-80:], line]
            if "%]" in line:  # asv's progress: "[ 12.50%] ··· benchmark  result"
                say("    " + " ".join(line.split()))
    exit_code = process.wait()
    if exit_code != 0:
        say(f"    asv exited {exit_code} (a benchmark failed); its whole output: {log_path}")
    seconds = time.perf_counter() - began
    entries = []
    seen_dirs: set[Path] = set()
    environments = asvcompat.environments(config_path)
    for env in environments:
        env_path = asvcompat.environment_path(env)
        entry: dict[str, Any] = {"name": env.name, "switches": dict(env.env_vars)}
        if not (env_path / "bin" / "python").exists():
            entry["error"] = "environment was not created (see the asv output)"
        else:
            record = record_inventory(
                env,
                results_root,
                machine,
                commit,
                swept=plan.library.name,
                extra={"sweep_seconds": seconds},
                first_use=plan.library.backends,
            )
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
        entries.append(entry)
    if delete_envs:
        import shutil

        for env_path in seen_dirs:
            shutil.rmtree(env_path, ignore_errors=True)
    return exit_code, "".join(tail)[-4000:], entries
