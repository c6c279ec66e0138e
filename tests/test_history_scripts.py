"""The scripts that measure the release history again and count what of the old one survives.

``scripts/history_campaigns.py`` must put every consecutive pair of a library's releases inside
one campaign (groups cut from one library overlap by a release); ``scripts/surviving_steps.py``
must count an old step only when campaigns measured both of its releases again.
"""

from __future__ import annotations

from itertools import pairwise

from accelpi.libraries import sweep_targets

from .helpers import script


def test_every_consecutive_pair_of_a_librarys_releases_is_inside_one_campaign():
    groups = script("history_campaigns").GROUPS
    targets = set(sweep_targets())
    by_library: dict[str, list[list[str]]] = {}
    for build, releases, _options in groups.values():
        assert build in targets, build
        assert len(releases) >= 2, (build, releases)
        by_library.setdefault(build, []).append(releases)
    for build, parts in by_library.items():
        if any("--window" in groups[g][2] for g in groups if groups[g][0] == build):
            continue  # the sweep cuts its own overlapping windows
        inside = {pair for releases in parts for pair in pairwise(releases)}
        history = list(dict.fromkeys(r for releases in parts for r in releases))
        missing = [pair for pair in pairwise(history) if pair not in inside]
        assert not missing, (build, missing)


def test_tensorflow_2_14_0_is_measured_with_numpy_below_2():
    """It sets no upper bound on NumPy and cannot import with NumPy 2 (its first campaign)."""
    groups = script("history_campaigns").GROUPS
    for build, releases, options in groups.values():
        if build == "tensorflow-cpu" and "2.14.0" in releases:
            assert options[options.index("--pin") + 1] == "numpy<2", options


def _old(library: str, direction: str, releases: str, code: str = "one commit") -> dict[str, str]:
    return {
        "library": library,
        "direction": direction,
        "benchmark": "Throughput.time_estimate",
        "parameters": "'numba:fused', 65536",
        "environment": library,
        "releases": releases,
        "accelpi code": code,
    }


def test_an_old_step_counts_only_where_campaigns_measured_both_releases():
    surviving = script("surviving_steps")
    old = [
        _old("numba", "slower", "0.60.0 → 0.61.2"),  # found again
        _old("numba", "faster", "0.61.2 → 0.62.1", code="a1 → b2: changed numba_.py"),  # not again
        _old("numba", "slower", "0.62.1 → 0.63.1"),  # 0.63.1 never measured again: not counted
        _old("numpy", "slower", "2.0.2 → 2.1.3"),  # another library: not asked for
    ]
    new = {
        surviving.key(
            "numba", "slower", "Throughput.time_estimate", "'numba:fused',65536", "numba", "0.60.0→0.61.2"
        ),
        surviving.key(
            "numba", "faster", "Throughput.time_estimate", "'numba:fused',65536", "numba", "0.68.0→0.68.1"
        ),
    }
    measured = {("numba", r) for r in ("0.60.0", "0.61.2", "0.62.1")}
    counts = surviving.survivors(old, new, measured, ["numba"])
    assert counts["numba", "old"] == 2
    assert counts["numba", "again"] == 1
    assert counts["numba", "old one commit"] == 1
    assert counts["numba", "again one commit"] == 1
    assert counts["numba", "new"] == 2
    assert ("numpy", "old") not in counts
