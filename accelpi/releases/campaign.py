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
from ..store.campaigns import campaign_id, check_listing, publish_results, write_campaign
from ..store.files import write_atomically
from ..store.records import load_inventories
from ..timestamps import parse_utc, utc
from .plan import CampaignPlan, SweepPlan, _version
from .project import Project
from .reproduce import used_config
from .sweep import asv_run, delete_environments, failures, record_environments, sample_counts
from .undecided import undecided_rows

__all__ = ["history", "one_measurement_at_a_time", "run_campaign"]


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


def other_machines(results_dir: Path, machine: str, library: str) -> list[str]:
    """The machines whose campaigns of ``library`` are in ``results_dir`` when this ``machine``
    has none: a campaign here starts this host's own series and is compared with none of theirs."""
    from ..store.campaigns import load_campaigns

    builds = {canonical(library)}
    seen: set[str] = set()
    for record in load_campaigns(results_dir).values() if results_dir.is_dir() else []:
        named = {canonical(str(record.get("library") or ""))} | {
            canonical(str(b)) for b in record.get("builds") or []
        }
        if builds & named:
            seen.add(str(record.get("machine")))
    return [] if machine in seen else sorted(seen)


# -- running ------------------------------------------------------------------------


@contextlib.contextmanager
def one_measurement_at_a_time(what: str) -> Iterator[None]:
    """Hold this host's measuring lock (``measuring.lock`` in accelpi's cache folder) while
    ``what`` measures: two campaigns at once, or a replay beside one, whatever suite or checkout
    each measures, would measure each other."""
    from ..machine import cache_dir

    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "measuring.lock"
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
                f"another measurement is running on this host ({holder}); measuring two at once "
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
    from ..lab import calibration

    results_dir = Path(results_dir)
    check_listing(results_dir)  # a campaign is published whole or not at all
    work = root.work if isinstance(root, Project) else Path(root) / ".asv"
    ident = campaign_id(plan.library)
    with one_measurement_at_a_time(f"campaign {ident} in {work}"):
        project = root if isinstance(root, Project) else Project.ours(Path(root))
        measure = calibrate or calibration.calibrate
        campaign = _Campaign(plan, project, work, machine, ident, quick, progress, measure)
        try:
            campaign.measure()
        except KeyboardInterrupt:  # Ctrl-C, SIGTERM: nothing half-measured stays behind
            shutil.rmtree(campaign.stage, ignore_errors=True)
            raise
        record = campaign.record()
        entries, folder = campaign.publish(record, results_dir, delete_envs)
    return {
        "campaign": ident,
        "library": plan.library,
        "builds": record["builds"],
        "releases": plan.releases(),
        "folder": str(folder),
        "asv_exit": campaign.exit_code,
        "seconds": record["seconds"],
        "environments": entries,
        "passes": campaign.passes,
        "calibration": record["calibration"],
        "skipped": {k: v for p in plan.plans for k, v in p.skipped.items()},
        "failed": record.get("failed", {}),
        "why_failed": record.get("why_failed", {}),
        "not_built": campaign.unbuilt,
    }


class _Campaign:
    """One campaign while it runs: its passes (:meth:`measure`), its record (:meth:`record`),
    and publishing it (:meth:`publish`); everything in a stage folder until then."""

    def __init__(
        self,
        plan: CampaignPlan,
        project: Project,
        work: Path,
        machine: str,
        ident: str,
        quick: bool,
        progress: Callable[[str], None] | None,
        calibrate: Callable[[], dict[str, float]],
    ) -> None:
        from .. import machine as host

        self.plan, self.project, self.work, self.machine, self.ident = plan, project, work, machine, ident
        self.quick, self.say, self.calibrate = quick, progress or (lambda text: None), calibrate
        self.stage = work / "campaigns" / ident
        self.staged = self.stage / "results"
        self.commit = project.commit()
        self.facts = host.fingerprint()
        self.started = time.time()
        self.include = plan.include()
        self.readings: list[dict[str, Any]] = []
        self.passes: list[dict[str, Any]] = []
        self.counted: list[dict[str, dict[str, list[int]]]] = []  # samples per row after each pass
        self.unbuilt: dict[str, str] = {}  # environment -> why the project did not build there
        self.why_failed: dict[str, dict[str, str]] = {}  # environment -> benchmark -> asv's words
        self.extra_passes: list[dict[str, Any]] = []
        self.exit_code = 0

    def measure(self) -> None:
        """Every pass, then the extra passes of rows still undecided; the calibration between."""
        plan = self.plan
        suite = "" if self.project.own else f", {self.project.describe()}"
        where = f"commit {self.commit[:8]}, machine {self.machine}{suite}"
        self.say(f"campaign {self.ident}: {plan.describe()}, {where}")
        self.readings.append({"after_pass": 0, "at": utc(), "kernels": self.calibrate()})
        total = 1 if plan.order == "asv" else plan.passes + plan.extra_passes
        for number in range(1, total + 1):
            ordered = self.include if number % 2 == 1 or plan.order == "asv" else self.include[::-1]
            built = lambda e: self.project.environment_name(e, self.staged) not in self.unbuilt  # noqa: E731
            ordered = [e for e in ordered if built(e)]
            more: list[str] = []  # the rows still undecided after the planned passes
            if number > plan.passes:
                left = total - number + 1  # extra passes left, this one included
                more = undecided_rows(
                    plan, self.project, ordered, self.staged, self.machine, self.commit, self.counted, left
                )
                if not more:
                    break
                self.extra_passes.append({"pass": number, "rows": more})
                head = f"[extra pass {number - plan.passes} of at most {plan.extra_passes}] {len(more)} rows"
                self.say(f"{head} still undecided that more processes could decide: measured once more")
            if not ordered:
                break
            self._one_pass(number, ordered, more)

    def _one_pass(self, number: int, ordered: list[dict[str, Any]], more: list[str]) -> None:
        plan = self.plan
        extra = ["--quick"] if self.quick else []
        if plan.order == "asv":
            extra += ["--interleave-rounds"]
        else:
            extra += ["-a", "rounds=1", *(["--append-samples"] if number > 1 else [])]
        if number <= plan.passes:
            self.say(f"[pass {number}/{plan.passes}] {len(ordered)} environment(s), order {plan.order}")
        run = asv_run(
            self.project.asv_config(ordered, self.staged),
            self.stage / "asv.conf.json",
            self.work,
            self.machine,
            self.commit,
            [f"^{re.escape(row)}$" for row in more] if number > plan.passes else plan.bench(number),
            extra,
            self.stage / f"asv-pass-{number}.log",
            self.say,
        )
        self.passes.append(
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
            self.why_failed.setdefault(env, {}).update(failing)
        for name, why in run.not_built.items():
            self.say(f"    the project did not build in {name}; left out of the later passes: {why[-300:]}")
        self.unbuilt.update(run.not_built)
        self.counted.append(sample_counts(self.staged, self.machine, self.commit))
        self.readings.append({"after_pass": number, "at": utc(), "kernels": self.calibrate()})
        left = max(0, plan.passes - number) if plan.order != "asv" else 0
        if left > 0 and run.exit_code in (0, 2):
            # the first passes time first calls too: the rest is at most this long
            rest = run.seconds * left
            self.say(
                f"[pass {number}/{plan.passes}] took {run.seconds / 60:.1f} min; the {left} left "
                f"at most about {rest / 60:.0f} min more (by {utc(time.time() + rest)})"
            )
        if run.exit_code not in (0, 2):
            raise AccelpiError(
                f"campaign {self.ident}: asv run exited {run.exit_code} in pass {number}; nothing was "
                f"published (its output: {run.log}):\n{run.tail[-1500:]}"
            )
        self.exit_code = self.exit_code or run.exit_code

    def record(self) -> dict[str, Any]:
        """The campaign's record (``*.campaign``), its environments and failures still to come."""
        from ..lab import calibration

        plan, readings, ended = self.plan, self.readings, time.time()
        drift = max(
            calibration.change(a["kernels"], b["kernels"]) for a, b in itertools.product(readings, readings)
        )
        planned = len(self.passes) - len(self.extra_passes)  # the extra ones are in "extra_passes"
        return {
            "id": self.ident,
            "library": plan.library,
            "builds": [p.library.name for p in plan.plans],
            "releases": plan.releases(),
            "added": plan.added,
            "switches": {k: list(v) for k, v in plan.plans[0].switches.items()},
            "commit": self.commit,
            "machine": self.machine,
            "fingerprint": self.facts,
            "started": utc(self.started),
            "ended": utc(ended),
            "seconds": ended - self.started,
            "passes": planned if plan.order != "asv" else max(len(self.passes[0]["rounds"]), 1),
            "order": plan.order,
            "window": list(plan.window) if plan.window else None,
            "quick": self.quick,
            "environments": [],
            "pass_log": self.passes,
            "calibration": {
                "readings": readings,
                "change": calibration.change(readings[0]["kernels"], readings[-1]["kernels"]),
                "largest_change": drift,
                "units": calibration.UNITS,
            },
            **({"project": self._project_record()} if not self.project.own else {}),
            **({"not_built": self.unbuilt} if self.unbuilt else {}),
            **({"extra_passes": self.extra_passes} if self.extra_passes else {}),
            "processes": {
                env: processes.processes_per_pass([c.get(env, {}) for c in self.counted])
                for env in sorted({env for c in self.counted for env in c})
            },
        }

    def _project_record(self) -> dict[str, Any]:
        """Another project's name, distribution and commit, and the asv configuration used."""
        conf = self.project.asv_config(self.include, self.staged)
        return {**self.project.record(), "asv_config": used_config(conf, self.project.name)}

    def publish(
        self, record: dict[str, Any], results_dir: Path, delete_envs: bool
    ) -> tuple[list[dict[str, Any]], Path]:
        """Inventory every environment, note what failed and why, and move the campaign from
        its stage folder into ``results_dir``; returns the environments' entries and its folder."""
        plan, staged, unbuilt = self.plan, self.staged, self.unbuilt
        config_path = self.stage / "asv.conf.json"
        write_atomically(config_path, json.dumps(self.project.asv_config(self.include, staged), indent=2))
        chosen = plan.bench(1) if any(p.bench for p in plan.plans) else []  # -b, for a replay
        entries = record_environments(
            config_path,
            staged,
            self.machine,
            self.commit,
            swept=lambda env: _owner(plan, env).library.name,
            first_use=lambda env: _owner(plan, env).library.backends,
            extra=lambda env: {
                "campaign": self.ident,
                **({"bench": chosen} if chosen else {}),
                "sweep_seconds": _env_seconds(self.passes, env.name),
                **({"project_build": unbuilt[env.name]} if env.name in unbuilt else {}),
            },
            project=None if self.project.own else self.project.distribution,
        )
        for entry in entries:
            entry["seconds"] = _env_seconds(self.passes, entry["name"])
            if entry["name"] in unbuilt:
                entry["not_built"] = unbuilt[entry["name"]]
        record["environments"] = [e["name"] for e in entries if "error" not in e]
        failed = {
            env: names
            for env, names in failures(staged, self.machine, self.commit).items()
            if env not in unbuilt
        }
        if failed:
            record["failed"] = failed
            # why, in asv's last words (its output is not kept): only for what failed in the end
            record["why_failed"] = {
                env: {name: self.why_failed.get(env, {}).get(name, "not in asv's output") for name in names}
                for env, names in failed.items()
            }
        folder = publish_results(staged, results_dir, self.machine, self.ident)
        write_campaign(folder, record)
        shutil.rmtree(self.stage, ignore_errors=True)
        if delete_envs:
            delete_environments(entries)
        return entries, folder


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
    return parse_utc(b) - parse_utc(a)
