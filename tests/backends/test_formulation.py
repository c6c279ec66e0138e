"""numba:fused's formulations: the same hits from each, one chosen per CPU and remembered."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import accelpi

from ..helpers import ROOT, require

RECORDED = json.loads((ROOT / "tests" / "data" / "hits.json").read_text())["numba:fused"]
FORMULATIONS = ("int64", "int32", "float")


@pytest.fixture(autouse=True)
def _numba_fused():
    require("numba:fused")


@pytest.mark.parametrize("formulation", FORMULATIONS)
def test_every_formulation_gives_the_recorded_hits(formulation):
    for n, seed, hits in RECORDED:
        got = accelpi.estimate(n, "numba:fused", seed=seed, formulation=formulation).hits
        assert got == hits, (formulation, n, seed)


def test_the_formulations_agree_on_many_seeds_and_split_ranges():
    from accelpi.backends import numba_

    for seed in range(40):
        counts = {
            f: accelpi.estimate(100_003, "numba:fused", seed=seed, formulation=f).hits for f in FORMULATIONS
        }
        assert len(set(counts.values())) == 1, (seed, counts)
    key = numba_.np.uint64(accelpi.stats.stream_key(7))
    for form, name in enumerate(numba_.FORMULATIONS):
        whole = int(numba_._fused_range(key, 0, 70_000, form))
        parts = int(numba_._fused_range(key, 0, 30_000, form)) + int(
            numba_._fused_range(key, 30_000, 70_000, form)
        )
        assert whole == parts, name


def test_each_inside_test_is_exact_where_the_integer_sum_meets_two_to_the_64():
    # Points whose u(u + 1) + v(v + 1) lies just below, at or just above 2**64, and the
    # largest coordinates, where a product or a partial sum that wraps would show.
    from numba import njit

    from accelpi.backends import numba_

    inside = njit(lambda z, form: numba_._inside(z, form))
    edge = 2**64
    points = [(2**32 - 1, 2**32 - 1), (0, 2**32 - 1), (2**32 - 1, 0), (0, 0)]
    for u in (0, 1, 12345, 2**31, 3_037_000_499, 3_037_000_500, 2**32 - 2, 2**32 - 1):
        # v with v(v + 1) as close to 2**64 - u(u + 1) as can be, and its neighbours
        rest = edge - u * (u + 1)
        v = max(0, min(2**32 - 1, (int((4 * rest + 1) ** 0.5) - 1) // 2))
        points += [(u, w) for w in range(max(0, v - 2), min(2**32, v + 3))]
    for u, v in points:
        exact = u * (u + 1) + v * (v + 1) < edge
        z = numba_.np.uint64((u << 32) | v)
        for form, name in enumerate(numba_.FORMULATIONS):
            if name == "float" and abs(u * (u + 1) + v * (v + 1) - edge) < 2**33:
                continue  # float64 rounds within 2**-19 of the circle (documented)
            assert bool(inside(z, form)) == exact, (name, u, v)


def test_an_unknown_formulation_is_refused():
    with pytest.raises(accelpi.InvalidArgument, match="accepted: int64, int32, float"):
        accelpi.estimate(1000, "numba:fused", formulation="int16")


def _child(env: dict[str, str], code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **env}, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_the_choice_is_timed_once_per_cpu_remembered_and_overridable(tmp_path):
    cache = {"ACCELPI_CACHE_DIR": str(tmp_path)}
    show = (
        "import accelpi; from accelpi.backends import formulation, numba_; "
        "print(formulation.chosen(numba_.FORMULATIONS, numba_._probe_kernel))"
    )
    first = _child(cache, show)
    assert "timed on this CPU" in first
    record = json.loads((tmp_path / "fused-formulation.json").read_text())
    (entry,) = record.values()
    assert entry["formulation"] in FORMULATIONS and set(entry["timings_ns"]) == set(FORMULATIONS)
    assert entry["formulation"] == min(entry["timings_ns"], key=entry["timings_ns"].get)
    assert entry["probe_seconds"] < 0.3  # the first call's budget for the choice (kernel compiled)
    second = _child(cache, show)  # another process: remembered, not timed again
    assert "remembered for this CPU" in second and entry["formulation"] in second
    forced = _child({**cache, "ACCELPI_FUSED_FORMULATION": "float"}, show)
    assert "'float'" in forced and "forced by ACCELPI_FUSED_FORMULATION" in forced
    info = _child(
        cache, "import json, accelpi; print(json.dumps(accelpi.environment()['libraries']['numba']))"
    )
    assert json.loads(info)["facts"]["fused_formulation"]["formulation"] == entry["formulation"]


def test_a_choice_is_remembered_apart_for_each_numba_target_cpu(monkeypatch):
    from accelpi.backends import formulation

    for name in formulation.TARGET:
        monkeypatch.delenv(name, raising=False)
    host = formulation._key()
    monkeypatch.setenv("NUMBA_CPU_NAME", "znver3")
    monkeypatch.setenv("NUMBA_CPU_FEATURES", "+avx2")
    assert formulation._key() == host + " target znver3 +avx2"
