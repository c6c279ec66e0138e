"""The one door for verdicts: the process as the unit, an interval on every ratio, outcomes."""

from __future__ import annotations

import random
import statistics

import pytest

from accelpi import InvalidArgument
from accelpi.reports.verdicts import CONFIDENCE, OUTCOMES, compare, decidable, word


def point(processes: list[list[float]], known: bool = True) -> dict:
    """A point as the store reads it: asv's value (the median), samples, stats, processes."""
    samples = [x for p in processes for x in p]
    ordered = sorted(samples)
    stats = {
        "ci_99_a": ordered[0],
        "ci_99_b": ordered[-1],
        "q_25": ordered[len(ordered) // 4],
        "q_75": ordered[3 * len(ordered) // 4],
        "repeat": len(samples),
        "number": 1,
    }
    return {
        "value": statistics.median(samples),
        "samples": samples,
        "stats": stats,
        "processes": [len(p) for p in processes] if known else None,
        "processes_known": "recorded" if known else "recorded before processes were",
    }


def side(centres: list[float], spread: float = 0.005, n: int = 10) -> list[list[float]]:
    """Processes of ``n`` samples each, tight around each process's own centre."""
    return [[c * (1 + spread * ((k % 5) - 2) / 2) for k in range(n)] for c in centres]


def test_variance_between_processes_keeps_a_step_undecided_that_pooled_samples_call_slower():
    """Four processes a side, each tight, the processes far apart (the case of TensorFlow's
    rows): asv's test on 40 pooled samples is sure, the test over processes is not."""
    before = point(side([1.00, 1.12, 0.90, 1.05]))
    after = point(side([1.30, 1.08, 1.22, 1.18]))
    pooled = compare(before, after, 1.1, pooled=True)
    assert pooled.outcome == "slower" and not pooled.by_process
    verdict = compare(before, after, 1.1)
    assert verdict.by_process and verdict.processes == (4, 4) and verdict.samples == (40, 40)
    assert verdict.outcome == "undecided"
    assert verdict.low < 1 < verdict.high and verdict.low < verdict.ratio < verdict.high
    assert "Welch's t over processes, 4 + 4 processes (40 + 40 samples)" == verdict.test
    assert "holds both no change and a change beyond 1.1x" in verdict.why


def test_extra_processes_are_spent_only_where_they_could_decide():
    """A campaign's extra passes measure a row again only if that many more processes, spread
    as these were, could decide it: a wide step close to no change can, a ratio sitting on the
    factor itself cannot, however many; nothing is projected for a decided row's sake."""
    before = point(side([1.00, 1.12, 0.90, 1.05]))
    after = point(side([1.30, 1.08, 1.22, 1.18]))
    assert compare(before, after, 1.1).outcome == "undecided"
    assert decidable(before, after, 1.1, more=20) and not decidable(before, after, 1.1, more=0)
    near = point(side([1.00, 1.06, 0.95, 1.02]))
    assert compare(before, near, 1.1).outcome == "undecided"
    # near no change: two more a side do not bring the interval inside [1/1.1, 1.1]; many do
    assert not decidable(before, near, 1.1, more=2) and decidable(before, near, 1.1, more=40)
    on_the_factor = point(
        [[x * before["value"] * 1.1 / after["value"] for x in p] for p in side([1.30, 1.08, 1.22, 1.18])]
    )
    assert abs(on_the_factor["value"] / before["value"] - 1.1) < 1e-9
    assert not decidable(before, on_the_factor, 1.1, more=1000)
    assert not decidable(point(side([1.0, 1.1]), known=False), after, 1.1, more=10)


def test_a_clear_slowdown_is_slower_with_an_interval_above_one():
    before = point(side([1.00, 1.01, 0.99, 1.00, 1.02, 0.98]))
    after = point(side([1.16, 1.15, 1.14, 1.15, 1.17, 1.15]))
    verdict = compare(before, after, 1.1)
    assert verdict.outcome == "slower" and verdict.significant and verdict.confidence == CONFIDENCE
    assert 1 < verdict.low < 1.15 < verdict.high
    assert compare(after, before, 1.1).outcome == "faster"
    # a real 15 % change is no change beyond a factor of 1.2: the interval lies inside its band
    assert compare(before, after, 1.2).outcome == "same"


def test_equal_sides_are_the_same_when_the_interval_lies_inside_the_band():
    before = point(side([1.00, 1.01, 0.99, 1.00]))
    after = point(side([1.01, 1.00, 0.99, 1.00]))
    verdict = compare(before, after, 1.1)
    assert verdict.outcome == "same" and 1 / 1.1 < verdict.low <= verdict.high < 1.1
    assert not verdict.significant


def test_without_process_identity_asvs_test_decides_and_says_so():
    before = point(side([1.00, 1.12, 0.90, 1.05]), known=False)
    after = point(side([1.30, 1.08, 1.22, 1.18]), known=False)
    verdict = compare(before, after, 1.1)
    assert verdict.outcome == "slower" and verdict.processes == (0, 0)
    assert verdict.test == "Mann-Whitney U on pooled samples, 40 + 40 (processes unknown)"


def test_one_sample_or_no_ratio_is_untested():
    one = {"value": 1.0, "samples": [1.0], "stats": {"repeat": 1}, "processes": [1]}
    slow = {"value": 2.0, "samples": [2.0], "stats": {"repeat": 1}, "processes": [1]}
    verdict = compare(one, slow, 1.1)
    assert verdict.outcome == "untested" and verdict.low is None and verdict.ratio == 2.0
    signed = {"value": -0.5, "samples": None, "stats": None}
    assert compare(signed, signed, 1.1).outcome == "untested"


def test_a_track_is_never_slower_or_faster():
    before = point(side([1.00, 1.01, 0.99, 1.00, 1.0, 1.0]))
    after = point(side([1.5, 1.51, 1.49, 1.5, 1.5, 1.5]))
    verdict = compare(before, after, 1.1, directed=False)
    assert verdict.outcome == "undecided" and verdict.why == "a track has no direction"


def test_outcomes_and_words():
    assert OUTCOMES == ("slower", "faster", "same", "undecided", "untested")
    assert word("slower", "bytes") == "larger" and word("faster", "seconds") == "faster"
    with pytest.raises(InvalidArgument, match="factor"):
        compare(point(side([1.0, 1.0])), point(side([1.0, 1.0])), 0.5)


@pytest.mark.parametrize("rho", [0.2, 0.5])
def test_the_interval_holds_its_confidence_where_processes_differ(rho):
    """A/A comparisons with a share ``rho`` of the variance between processes (as measured in
    the campaigns: 0.24-0.69): the process-level interval excludes 1 about as often as its
    confidence allows; asv's test on pooled samples (at factor 1) several times as often."""
    rng = random.Random(20261206)
    draws, misses, pooled_misses = 400, 0, 0
    sd = 0.05
    between, within = sd * rho**0.5, sd * (1 - rho) ** 0.5

    def one_side() -> dict:  # six processes of ten samples
        centres = [1 + rng.gauss(0, between) for _ in range(6)]
        return point([[c * (1 + rng.gauss(0, within)) for _ in range(10)] for c in centres])

    for _ in range(draws):
        a, b = one_side(), one_side()
        verdict = compare(a, b, 1.0)
        misses += not (verdict.low <= 1 <= verdict.high)
        pooled_misses += compare(a, b, 1.0, pooled=True).significant
    assert misses / draws <= 0.03  # nominal 1 %: at most 3 % in 400 draws
    assert pooled_misses > 3 * max(misses, 2)
