"""A library's results lined up by release: one series per benchmark and kind of environment.

asv compares commits within one environment only. :func:`collect` reads the result files
of every environment (``asv.results``), finds the release of the library each one really
had installed (the sweep's ``.versions`` inventory, else the version asv was asked for),
and for every benchmark and parameter combination lines up the values release by release.

Environments that differ in something else than the release (another distribution of
the library, an ``env_nobuild`` switch such as ``TF_ENABLE_ONEDNN_OPTS``) are separate
series, so a switch is never mistaken for a release. So are campaigns: a series holds the
releases measured together, in one campaign (:mod:`accelpi.store.campaigns`), and two
campaigns of the same benchmark are two series, never one line. A result measured outside
any campaign (before campaigns existed) is a series of its own, compared with nothing.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InvalidArgument
from ..libraries import canonical, multi_build, sweep_targets
from . import asvcompat, processes
from .campaigns import load_campaigns
from .records import INVENTORY_SUFFIX, installed_versions, read_record

__all__ = ["BUILD_FAMILIES", "CONTROL", "Series", "collect", "context_of"]

#: The variable (nothing reads it) that marks a campaign's control copy: its newest release
#: measured a second time (:func:`accelpi.releases.plan.plan_campaigns`). The copy's values
#: join their series as ``controls``, never as a release of its own.
CONTROL = "ACCELPI_CONTROL"


@dataclass
class Series:
    """One benchmark (with parameters) in one kind of environment, across releases."""

    machine: str
    benchmark: str
    params: str  # parameter values as asv writes them: "'numba', 65536"
    axes: str  # what else distinguishes these environments (distribution, switches)
    unit: str
    points: dict[str, dict[str, Any]] = field(default_factory=dict)  # version -> value, samples, stats...
    distribution: str = ""  # the distribution that provided the library (tensorflow-cpu...)
    switches: str = ""  # env_nobuild switches, "TF_ENABLE_ONEDNN_OPTS=1"
    env_vars: dict[str, str] = field(default_factory=dict)  # the same switches, as a dict
    campaign: str = ""  # the campaign's id ("": measured outside any campaign)
    context: dict[str, Any] = field(default_factory=dict)  # commit, start, end, host of the campaign
    experiment: str = ""  # what was measured together: the campaign, or one result file alone
    controls: dict[str, dict[str, Any]] = field(default_factory=dict)  # release -> its control copy
    param_names: tuple[str, ...] = ()  # asv's names of the parameters ("backend", "n")

    @property
    def label(self) -> str:
        """``benchmark(params)`` as ``asv run -b`` matches it."""
        return f"{self.benchmark}({self.params})" if self.params else self.benchmark


#: Libraries published as several builds (distributions) of one release; the first is the
#: reference build the others are compared with (from the library table).
BUILD_FAMILIES: dict[str, tuple[str, ...]] = multi_build()


def _library_dists(name: str) -> tuple[str, ...]:
    if name in sweep_targets():
        return (name,)
    if name in BUILD_FAMILIES:  # every build of the library
        return BUILD_FAMILIES[name]
    return (name,)


def _inventory(result_path: Path, skipped: list[dict[str, str]] | None) -> dict[str, Any] | None:
    path = result_path.with_suffix(INVENTORY_SUFFIX)
    if not path.exists():
        return None
    try:
        return read_record(path)
    except (OSError, ValueError) as exc:
        if skipped is not None:
            skipped.append(
                {"file": str(path), "why": f"{exc}; its result {result_path.name} is left out too"}
            )
        return None


def context_of(
    campaign: dict[str, Any] | None, result: Any, inventory: dict[str, Any] | None
) -> dict[str, Any]:
    """What a reader needs to see why two series are apart: the campaign's commit, start and
    end, and the host (machine name and fingerprint digest)."""
    if campaign:
        fingerprint = campaign.get("fingerprint") or {}
        return {
            "campaign": campaign["id"],
            "commit": campaign["commit"],
            "started": campaign["started"],
            "ended": campaign["ended"],
            "machine": campaign["machine"],
            "host": fingerprint.get("digest", ""),
            "cpu": fingerprint.get("model_name", ""),
            "host_change": (campaign.get("calibration") or {}).get("change"),
            "host_largest_change": (campaign.get("calibration") or {}).get("largest_change"),
        }
    return {
        "campaign": "",
        "commit": result.commit_hash,
        "started": str((inventory or {}).get("recorded_at") or ""),
        "ended": str((inventory or {}).get("recorded_at") or ""),
        "machine": "",
        "host": "",
        "cpu": "",
        "host_change": None,
        "host_largest_change": None,
    }


@dataclass
class _Where:
    """What a result file's environment is to a release series: the library's distribution and
    release, the campaign, the switches (and whether it is the campaign's control copy), the
    series' axes, what it was measured together with, and the campaign's context."""

    dist: str
    version: str
    campaign: dict[str, Any] | None
    env_vars: dict[str, str]
    copy: bool
    switches: str
    axes: str
    together: str
    context: dict[str, Any]


def _where(
    path: Path, result: Any, dists: tuple[str, ...], campaigns: dict[str, Any], skipped: list[Any] | None
) -> _Where | None:
    """The result's place in the library's series, or ``None`` when it belongs to none."""
    from packaging.version import InvalidVersion, Version

    dist = next((d for d in dists if d in result.params), None)
    if dist is None:
        return None
    inventory = _inventory(path, skipped)
    swept = (inventory or {}).get("swept")
    if swept is None or canonical(swept) not in {canonical(d) for d in dists}:
        # Only a sweep of this library makes its release series: the default environment's
        # runs over accelpi's commits pin torch too, but two of them are two commits, not two
        # torch releases; another library's sweep pins this one only as a need.
        return None
    version = installed_versions(inventory).get(canonical(dist)) or result.params[dist]
    if not version:
        return None  # "latest" without an inventory: the release is unknown
    try:
        local = Version(version).local
    except InvalidVersion:
        return None
    campaign = campaigns.get(str((inventory or {}).get("campaign") or ""))
    kept = (campaign or {}).get("switches")  # not a project's matrix variables (CC=gcc): no switch
    env_vars = {k: v for k, v in result.env_vars.items() if k != CONTROL and (kept is None or k in kept)}
    switches = ", ".join(f"{k}={v}" for k, v in sorted(env_vars.items()))
    # a local label names another build of the release (torch's +cpu wheel beside the CUDA
    # wheels of the index): a series of its own, never a step in the releases' line
    axes = dist + (f"+{local}" if local else "") + (f" [{switches}]" if switches else "")
    return _Where(
        dist,
        version,
        campaign,
        env_vars,
        CONTROL in result.env_vars,  # the campaign's control: the same release again
        switches,
        axes,
        campaign["id"] if campaign else f"alone:{path}",  # alone: compared with nothing
        context_of(campaign, result, inventory),
    )


def collect(
    results_dir: str | Path, library: str, skipped: list[dict[str, str]] | None = None
) -> list[Series]:
    """Every series of the library's results under ``results_dir``: one per benchmark,
    parameters, axes (build and switches) and campaign.

    Files that cannot be read are left out and named in ``skipped`` when a list is given.
    """
    results_dir = Path(results_dir)
    if not (results_dir / "benchmarks.json").exists():
        raise InvalidArgument(f"no asv results in {results_dir} (benchmarks.json is missing)")
    benchmarks = asvcompat.benchmarks(results_dir)
    campaigns = load_campaigns(results_dir, skipped)
    dists = _library_dists(library)
    series: dict[tuple[str, ...], Series] = {}
    latest: dict[tuple[str, ...], int] = {}
    for path, result, machine_name in asvcompat.iter_results(results_dir, skipped):
        where = _where(path, result, dists, campaigns, skipped)
        if where is None:
            continue
        dist, version, campaign, env_vars, copy = (
            where.dist,
            where.version,
            where.campaign,
            where.env_vars,
            where.copy,
        )
        switches, axes, together, context = where.switches, where.axes, where.together, where.context
        for key in result.get_all_result_keys():
            if key not in benchmarks:
                continue
            info = benchmarks[key]
            values = result.get_result_value(key, info["params"])
            samples = result.get_result_samples(key, info["params"])
            stats = result.get_result_stats(key, info["params"])
            combos = list(_combinations(info["params"]))
            for i, combo in enumerate(combos):
                if (
                    i >= len(values)
                    or values[i] is None
                    or (isinstance(values[i], float) and math.isnan(values[i]))
                ):
                    continue
                label = ", ".join(combo)  # asv's own spelling: benchmark('numba', 65536)
                ident = (machine_name, key, label, axes, together)
                s = series.setdefault(
                    ident,
                    Series(
                        machine_name,
                        key,
                        label,
                        axes,
                        info.get("unit", ""),
                        distribution=dist,
                        switches=switches,
                        env_vars=env_vars,
                        campaign=campaign["id"] if campaign else "",
                        context=context,
                        experiment=together,
                        param_names=tuple(map(str, info.get("param_names") or ())),
                    ),
                )
                stamp = (ident, version, copy)
                if latest.get(stamp, -1) > (result.date or 0):
                    continue  # keep the newest commit's value for a release
                latest[stamp] = result.date or 0
                sizes, known = processes.counts(campaign, result.env_name, key, i, len(samples[i] or ()))
                (s.controls if copy else s.points)[version] = {
                    "value": values[i],
                    "samples": samples[i],
                    "processes": sizes,  # samples per process, in pass order (None: not known)
                    "processes_known": known,
                    "stats": stats[i],
                    "commit": result.commit_hash,
                    "env": result.env_name,
                    "campaign": campaign["id"] if campaign else "",
                    "measured": context["ended"],
                }
    return list(series.values())


def _combinations(params: list[list[str]]) -> Iterable[tuple[str, ...]]:
    if not params:
        return [()]
    return itertools.product(*params)
