"""Campaigns: releases of one library measured together, so that a step between them is theirs.

A host of this project's class ran the workload twice as fast some afternoons, and hosts of
one class are not one CPU: releases measured one after another, on different days or
commits, differ by the host's speed as much as by their own. A campaign is one experiment:

* several releases (and switches) of one library, and what each will be compared with (its
  neighbours already in the history, the stock build of an Intel build's release), each in
  its asv environment, all measured on **one commit of the suite, on one host** (accelpi's
  own suite, or another project's: :class:`~accelpi.releases.project.Project`);
* in **passes**: every pass runs one round of every environment's benchmarks, and the order
  of the environments alternates from pass to pass (``serpentine``: first to last, then last
  to first), so that a drift of the host during the campaign falls on every environment
  alike. (asv's own ``--interleave-rounds`` alternates rounds over the environments too, but
  always in the same order; ``order="asv"`` runs that, for comparison.) The order each pass
  really ran is read from asv's own output and kept;
* with the host's **calibration** (:mod:`accelpi.lab.calibration`) before, between and after
  the passes, so that a campaign during which the host changed speed says so;
* written to a staging folder, and published into the results folder, as
  ``MACHINE/CAMPAIGN-ID/``, only when every pass has finished: an interrupted or failed
  campaign leaves no half a history behind.

Where the releases do not fit on disk at once (torch's CUDA wheels, GBs each), a sweep is cut
into overlapping **windows**, each a campaign, consecutive windows sharing a release, so that
every pair of consecutive releases is measured inside one campaign.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import AccelpiError, InvalidArgument
from ..libraries import canonical
from ..store import processes
from ..store.campaigns import campaign_id, check_listing, load_campaigns, publish_results, write_campaign
from ..store.files import write_atomically
from ..store.records import load_inventories
from .plan import CampaignPlan, SweepPlan, _version
from .project import Project
from .sweep import asv_run, delete_environments, failures, record_environments, sample_counts
from .undecided import undecided_rows

__all__ = ["estimate", "history", "run_campaign"]


#: A campaign's seconds per environment and pass over a one-release sweep's seconds per
#: environment (one asv run of the whole suite, first calls and all, at asv's default repeats):
#: the median over the seven libraries measured both ways (campaigns on ``amd-epyc-2c-aa63a279``,
#: sweeps on ``cpu-epyc-2c``): torch 0.32-0.33, jax 0.34, mkl-random 0.42, mkl-umath 0.47, dask
#: 0.54, numpy 0.65, numba 0.67
#: (``python scripts/campaign_costs.py --before experiments/sweeps-before-campaigns``).
SWEEP_TO_CAMPAIGN = 0.47


def history(results_dir: Path, machine: str, build: str) -> list[str]:
    """Releases of ``build`` already measured on ``machine`` in a campaign (the series a new
    release joins)."""
    found = set()
    for record in load_inventories(results_dir) if results_dir.is_dir() else []:
        if record.get("campaign") and record["machine"] == machine:
            if canonical(str(record.get("swept") or "")) == canonical(build):
                version = record["installed"].get(canonical(build))
                if version:
                    found.add(version)
    return sorted(found, key=_version)


def sweep_seconds_per_environment(inventories: list[dict[str, Any]]) -> dict[str, list[float]]:
    """``{library: [seconds, ...]}``: what each one-release sweep (before campaigns) took per
    environment, its time shared between the switch values it measured (one inventory each)."""
    sweeps: dict[tuple[str, str, str, float], int] = {}
    for record in inventories:
        if not record.get("campaign") and isinstance(record.get("sweep_seconds"), int | float):
            key = (
                canonical(str(record.get("swept") or "")),
                str(record.get("commit")),
                json.dumps(record.get("requested"), sort_keys=True),
                float(record["sweep_seconds"]),
            )
            sweeps[key] = sweeps.get(key, 0) + 1
    found: dict[str, list[float]] = {}
    for (library, _, _, seconds), count in sweeps.items():
        found.setdefault(library, []).append(seconds / count)
    return found


def estimate(plan: CampaignPlan, results_dir: Path) -> dict[str, Any]:
    """What a campaign costs here: ``seconds`` (from earlier campaigns of the library: their
    seconds per environment and pass; else from the library's older one-release sweeps, their
    seconds per environment times :data:`SWEEP_TO_CAMPAIGN`; else from any earlier campaign;
    else 3 minutes per environment and pass), ``basis`` (which of these) and ``disk_bytes``
    per environment (``None``: never measured).

    The library's own older sweeps come before other libraries' campaigns: a TensorFlow
    environment costs two to three times a Numba one (eager mode, XLA's compiles), which no other
    library's campaign can tell."""
    builds = {canonical(p.library.name) for p in plan.plans}
    per_env_pass, any_campaign, disks = [], [], []
    for record in load_campaigns(results_dir).values() if results_dir.is_dir() else []:
        if record.get("environments") and isinstance(record.get("seconds"), int | float):
            cost = record["seconds"] / (len(record["environments"]) * max(1, record.get("passes") or 1))
            any_campaign.append(cost)
            if canonical(str(record.get("library") or "")) in builds:
                per_env_pass.append(cost)
    inventories = load_inventories(results_dir) if results_dir.is_dir() else []
    for record in inventories:
        if canonical(str(record.get("swept") or "")) in builds and isinstance(
            record.get("disk_bytes"), int | float
        ):
            disks.append(float(record["disk_bytes"]))
    old = sweep_seconds_per_environment(inventories)
    swept = [seconds * SWEEP_TO_CAMPAIGN for build in builds for seconds in old.get(build, [])]
    bases = [
        ("campaigns of this library", per_env_pass),
        ("this library's one-release sweeps", swept),
        ("other libraries' campaigns", any_campaign),
        ("no measurement (3 minutes per environment and pass)", [180.0]),
    ]
    basis, seen = next((name, found) for name, found in bases if found)
    per = sum(seen) / len(seen)
    environments = len(plan.include())
    return {
        "seconds": per * environments * plan.passes,
        "per_environment_and_pass": per,
        "basis": basis,
        "disk_bytes": (sum(disks) / len(disks)) if disks else None,
    }


# -- running ------------------------------------------------------------------------


@contextlib.contextmanager
def _one_campaign_at_a_time(work: Path, what: str) -> Iterator[None]:
    """Hold the campaign lock of this work folder (a checkout's ``.asv``, another project's
    work folder): two campaigns at once would measure each other."""
    folder = work / "campaigns"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "lock"
    handle = path.open("a+")
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock, documented
        fcntl = None
    if fcntl is not None:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise InvalidArgument(
                f"another campaign is running in this checkout ({holder}); measuring two at once "
                "would measure neither: wait for it, or stop it"
            ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}, {what}, since {time.strftime('%Y-%m-%d %H:%M:%S')}")
    handle.flush()
    try:
        yield
    finally:
        handle.truncate(0)
        handle.close()


def _utc(when: float | None = None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if when is None else when))


def _owner(plan: CampaignPlan, env: Any) -> SweepPlan:
    """The build plan an asv environment belongs to (its requirements name the build)."""
    requested = {canonical(k) for k in env.requirements}
    return next((p for p in plan.plans if canonical(p.library.name) in requested), plan.plans[0])


def run_campaign(
    plan: CampaignPlan,
    root: Path | Project,
    machine: str,
    results_dir: Path,
    quick: bool = False,
    delete_envs: bool = False,
    progress: Callable[[str], None] | None = None,
    calibrate: Callable[[], dict[str, float]] | None = None,
) -> dict[str, Any]:
    """Run one campaign and publish it (see the module's text); return its report.

    ``root`` is accelpi's checkout, or another project's suite (:class:`Project`).
    Raises :class:`AccelpiError` (nothing published) when asv fails other than by a failing
    benchmark or build (exit 2: a benchmark that fails is recorded as failed, a release
    whose project does not build is left out of the later passes; the rest is kept).
    """
    from .. import machine as host
    from ..lab import calibration

    results_dir = Path(results_dir)
    check_listing(results_dir)  # a campaign is published whole or not at all
    work = root.work if isinstance(root, Project) else Path(root) / ".asv"
    say = progress or (lambda text: None)
    measure = calibrate or calibration.calibrate
    ident = campaign_id(plan.library)
    with _one_campaign_at_a_time(work, f"campaign {ident}"):
        project = root if isinstance(root, Project) else Project.ours(Path(root))
        stage = work / "campaigns" / ident
        staged = stage / "results"
        commit = project.commit()
        facts = host.fingerprint()
        started = time.time()
        include = plan.include()
        suite = "" if project.own else f", {project.describe()}"
        say(f"campaign {ident}: {plan.describe()}, commit {commit[:8]}, machine {machine}{suite}")
        readings = [{"after_pass": 0, "at": _utc(), "kernels": measure()}]
        passes: list[dict[str, Any]] = []
        counted: list[dict[str, dict[str, list[int]]]] = []  # samples per row after each pass
        unbuilt: dict[str, str] = {}  # environment -> why the project did not build there
        why_failed: dict[str, dict[str, str]] = {}  # environment -> benchmark -> asv's last words
        exit_code = 0
        total = 1 if plan.order == "asv" else plan.passes + plan.extra_passes
        more: list[str] = []  # the rows still undecided after the planned passes
        extra_passes: list[dict[str, Any]] = []
        for number in range(1, total + 1):
            ordered = include if number % 2 == 1 or plan.order == "asv" else include[::-1]
            if unbuilt:
                ordered = [e for e in ordered if project.environment_name(e, staged) not in unbuilt]
            if number > plan.passes:
                left = total - number + 1  # extra passes left, this one included
                more = undecided_rows(plan, project, ordered, staged, machine, commit, counted, left)
                if not more:
                    break
                extra_passes.append({"pass": number, "rows": more})
                head = f"[extra pass {number - plan.passes} of at most {plan.extra_passes}] {len(more)} rows"
                say(f"{head} still undecided that more processes could decide: measured once more")
            if not ordered:
                break
            conf = project.asv_config(ordered, staged)
            extra = ["--quick"] if quick else []
            if plan.order == "asv":
                extra += ["--interleave-rounds"]
            else:
                extra += ["-a", "rounds=1", *(["--append-samples"] if number > 1 else [])]
            if number <= plan.passes:
                say(f"[pass {number}/{plan.passes}] {len(ordered)} environment(s), order {plan.order}")
            run = asv_run(
                conf,
                stage / "asv.conf.json",
                work,
                machine,
                commit,
                [f"^{re.escape(row)}$" for row in more] if number > plan.passes else plan.bench(number),
                extra,
                stage / f"asv-pass-{number}.log",
                say,
            )
            passes.append(
                {
                    "pass": number,
                    "asv_exit": run.exit_code,
                    "seconds": run.seconds,
                    "rounds": run.rounds,
                    "ended": run.ended,
                    **({"not_built": run.not_built} if run.not_built else {}),
                }
            )
            for env, failing in run.failed.items():
                why_failed.setdefault(env, {}).update(failing)
            for name, why in run.not_built.items():
                say(f"    the project did not build in {name}; left out of the later passes: {why[-300:]}")
            unbuilt.update(run.not_built)
            counted.append(sample_counts(staged, machine, commit))
            readings.append({"after_pass": number, "at": _utc(), "kernels": measure()})
            left = max(0, plan.passes - number) if plan.order != "asv" else 0
            if left > 0 and run.exit_code in (0, 2):
                # the first passes time first calls too: the rest is at most this long
                rest = run.seconds * left
                say(
                    f"[pass {number}/{plan.passes}] took {run.seconds / 60:.1f} min; the {left} left "
                    f"at most about {rest / 60:.0f} min more (by {_utc(time.time() + rest)})"
                )
            if run.exit_code not in (0, 2):
                raise AccelpiError(
                    f"campaign {ident}: asv run exited {run.exit_code} in pass {number}; nothing was "
                    f"published (its output: {run.log}):\n{run.tail[-1500:]}"
                )
            exit_code = exit_code or run.exit_code
        ended = time.time()
        change = calibration.change(readings[0]["kernels"], readings[-1]["kernels"])
        drift = max(
            calibration.change(a["kernels"], b["kernels"]) for a, b in itertools.product(readings, readings)
        )
        record: dict[str, Any] = {
            "id": ident,
            "library": plan.library,
            "builds": [p.library.name for p in plan.plans],
            "releases": plan.releases(),
            "added": plan.added,
            "switches": {k: list(v) for k, v in plan.plans[0].switches.items()},
            "commit": commit,
            "machine": machine,
            "fingerprint": facts,
            "started": _utc(started),
            "ended": _utc(ended),
            "seconds": ended - started,
            # the planned passes run; the extra ones of undecided rows are in "extra_passes"
            "passes": len(passes) - len(extra_passes)
            if plan.order != "asv"
            else max(len(passes[0]["rounds"]), 1),
            "order": plan.order,
            "window": list(plan.window) if plan.window else None,
            "quick": quick,
            "environments": [],
            "pass_log": passes,
            "calibration": {
                "readings": readings,
                "change": change,
                "largest_change": drift,
                "units": calibration.UNITS,
            },
            **({"project": project.record()} if not project.own else {}),
            **({"not_built": unbuilt} if unbuilt else {}),
            **({"extra_passes": extra_passes} if extra_passes else {}),
            "processes": {
                env: processes.processes_per_pass([c.get(env, {}) for c in counted])
                for env in sorted({env for c in counted for env in c})
            },
        }
        config_path = stage / "asv.conf.json"
        write_atomically(config_path, json.dumps(project.asv_config(include, staged), indent=2))
        chosen = plan.bench(1) if any(p.bench for p in plan.plans) else []  # -b, for a replay
        entries = record_environments(
            config_path,
            staged,
            machine,
            commit,
            swept=lambda env: _owner(plan, env).library.name,
            first_use=lambda env: _owner(plan, env).library.backends,
            extra=lambda env: {
                "campaign": ident,
                **({"bench": chosen} if chosen else {}),
                "sweep_seconds": _env_seconds(passes, env.name),
                **({"project_build": unbuilt[env.name]} if env.name in unbuilt else {}),
            },
            project=None if project.own else project.distribution,
        )
        for entry in entries:
            entry["seconds"] = _env_seconds(passes, entry["name"])
            if entry["name"] in unbuilt:
                entry["not_built"] = unbuilt[entry["name"]]
        record["environments"] = [e["name"] for e in entries if "error" not in e]
        failed = {
            env: names for env, names in failures(staged, machine, commit).items() if env not in unbuilt
        }
        if failed:
            record["failed"] = failed
            # why, in asv's last words (its output is not kept): only for what failed in the end
            record["why_failed"] = {
                env: {name: why_failed.get(env, {}).get(name, "not in asv's output") for name in names}
                for env, names in failed.items()
            }
        folder = publish_results(staged, results_dir, machine, ident)
        write_campaign(folder, record)
        shutil.rmtree(stage, ignore_errors=True)
        if delete_envs:
            delete_environments(entries)
    return {
        "campaign": ident,
        "library": plan.library,
        "builds": record["builds"],
        "releases": plan.releases(),
        "folder": str(folder),
        "asv_exit": exit_code,
        "seconds": record["seconds"],
        "environments": entries,
        "passes": passes,
        "calibration": record["calibration"],
        "skipped": {k: v for p in plan.plans for k, v in p.skipped.items()},
        "failed": failed,
        "why_failed": record.get("why_failed", {}),
        "not_built": unbuilt,
    }


def _env_seconds(passes: list[dict[str, Any]], env_name: str) -> float | None:
    """How long asv spent benchmarking one environment, over all passes: from the time asv
    started it to the time it started the next (or the pass ended)."""
    total = 0.0
    for entry in passes:
        events = [
            (n, t) for r in entry["rounds"] for n, t in zip(r["order"], r.get("at") or [], strict=False)
        ]
        events.append(("", entry.get("ended") or ""))
        for (name, start), (_, end) in itertools.pairwise(events):
            if name == env_name and start and end:
                total += _seconds_between(start, end)
    return total or None


def _seconds_between(a: str, b: str) -> float:
    import calendar

    parse = lambda text: calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))  # noqa: E731
    return float(parse(b) - parse(a))
