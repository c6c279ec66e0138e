"""Bisection across a library's releases: which release made a benchmark slower?

``asv find`` bisects the project's commits; :func:`bisect_releases` bisects the
*library's* releases instead. Between a good and a bad release it probes the middle
release (an asv environment with that release, the chosen benchmark on the current
commit), keeps the half that still holds the change, and names the first release slower
than the good one by more than ``factor`` with asv's significance test. Results already
in ``sweeps/`` (from a sweep) are reused rather than measured again.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import InvalidArgument
from ..reports import DEFAULT_FACTOR
from ..reports.verdicts import is_slower
from ..store import SWEEP_RESULTS
from ..store.series import collect
from .plan import available_releases, library, plan_sweep
from .sweep import run_sweep


def axes_label(name: str, switches: dict[str, str]) -> str:
    """How :mod:`accelpi.store.series` names the environments of ``name`` with these switches."""
    text = ", ".join(f"{k}={v}" for k, v in sorted(switches.items()))
    return library(name).distributions[0] + (f" [{text}]" if text else "")


def release_number(option: str, text: str) -> Any:
    """``text`` as a release number (``packaging.version.Version``), or a clear error."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text)
    except InvalidVersion:
        raise InvalidArgument(f"{option} {text!r} is not a release number (such as 0.68.1)") from None


def _values(results: Path, name: str, bench: str, axes: str) -> dict[str, dict[str, dict[str, Any]]]:
    """release -> {series id -> point} for the series whose name matches ``bench``."""
    pattern = re.compile(bench)
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for s in collect(results, name):
        label = s.label
        if not pattern.search(label) or s.axes != axes:
            continue
        for version, point in s.points.items():
            found.setdefault(version, {})[label] = point
    return found


def bisect_releases(
    name: str,
    good: str,
    bad: str,
    bench: str,
    machine: str,
    root: Path,
    factor: float = DEFAULT_FACTOR,
    log=print,
    switches: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Find the first release between ``good`` and ``bad`` where ``bench`` got slower.

    Parameters
    ----------
    name : str
        A sweepable library (``numba``...).
    good, bad : str
        Releases known to be fast and slow.
    bench : str
        A regular expression over ``benchmark(params)`` labels, as ``asv -b`` takes
        them, e.g. ``ThreadScaling.time_estimate\\('numba:parallel', 2``.
    switches : dict, optional
        Environment variables the environments run with (``TF_ENABLE_ONEDNN_OPTS=1``).

    Returns
    -------
    dict
        ``first_bad``, ``last_good``, ``steps`` (each probe and its verdict), ``releases``.
    """
    from packaging.version import Version

    lib = library(name)
    low, high = release_number("--good", good), release_number("--bad", bad)
    if not low < high:
        raise InvalidArgument(f"--good {good} must be an earlier release than --bad {bad}")
    try:
        re.compile(bench)
    except re.error as exc:
        raise InvalidArgument(f"-b {bench!r} is not a regular expression: {exc}") from None
    releases = sorted(
        (v for v in available_releases(lib.distributions[0]) if low <= Version(v) <= high), key=Version
    )
    missing = [given for given in (good, bad) if str(Version(given)) not in releases]
    if missing:
        raise InvalidArgument(
            f"{' and '.join(missing)}: not a release of {name} on the package index "
            f"(its releases from {good} to {bad}: {', '.join(releases) or 'none'})"
        )
    results = root / SWEEP_RESULTS
    axes = axes_label(name, switches or {})
    steps: list[dict[str, Any]] = []

    def measure(version: str) -> dict[str, dict[str, Any]]:
        known = _values(results, name, bench, axes).get(version)
        if not known:
            log(f"measuring {name} {version} ...")
            plan = plan_sweep(name, [version], switches={k: (v,) for k, v in (switches or {}).items()})
            plan.bench = [bench]  # the same expression selects the benchmark for asv
            report = run_sweep(plan, root, machine)
            if report["asv_exit"] not in (0, 2):
                raise InvalidArgument(f"asv failed for {name} {version}: {report['asv_output_tail'][-500:]}")
            known = _values(results, name, bench, axes).get(version)
        if not known:
            raise InvalidArgument(
                f"no result of {bench!r} for {name} {version}: does the expression match a "
                "benchmark of the library's backends?"
            )
        return known

    reference = measure(good)
    worst = measure(bad)
    if not any(is_slower(reference[k], worst[k], factor) for k in reference if k in worst):
        raise InvalidArgument(
            f"{bench!r} is not slower by more than {factor}x in {name} {bad} than in {good}: "
            "nothing to bisect"
        )
    lo, hi = 0, len(releases) - 1  # releases[lo] is good, releases[hi] is bad
    while hi - lo > 1:
        mid = (lo + hi) // 2
        probe = measure(releases[mid])
        slower = [k for k in reference if k in probe and is_slower(reference[k], probe[k], factor)]
        ratios = {k: probe[k]["value"] / reference[k]["value"] for k in reference if k in probe}
        steps.append({"release": releases[mid], "slower": bool(slower), "ratios": ratios})
        log(
            f"{name} {releases[mid]}: {'slower' if slower else 'as fast'} "
            f"({', '.join(f'{r:.2f}x' for r in ratios.values())} vs {good})"
        )
        if slower:
            hi = mid
        else:
            lo = mid
    return {
        "library": name,
        "benchmark": bench,
        "factor": factor,
        "last_good": releases[lo],
        "first_bad": releases[hi],
        "steps": steps,
        "releases": releases,
    }
