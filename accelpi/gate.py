"""The pull-request gate: ``asv continuous`` of two commits, with its settings in one place.

``accelpi gate BASE HEAD`` (``make continuous``, the pull-request workflow) compares
``HEAD`` with ``BASE`` on :data:`GATE` (``--full``: the whole suite) at :data:`GATE_FACTOR`,
each gate benchmark run in :data:`GATE_ROUNDS` processes per commit, rounds interleaved
between the commits. These settings are policy, measured by the A/A and A/B runs of
``scripts/continuous_reliability.py`` (docs/benchmarking.md): they live here, not in the
benchmarks' shared module, so that a commit retuning the gate changes no benchmark's code.
"""

from __future__ import annotations

import sys

__all__ = ["GATE", "GATE_FACTOR", "GATE_OPTIONS", "GATE_ROUNDS", "command"]

#: What the pull-request gate compares: throughput of the NumPy and Numba paths at both
#: sizes, of torch and JAX at 2**25, and the fused kernel's thread scaling, a set whose A/A
#: noise and cost docs/benchmarking.md measures. torch's and JAX's sub-millisecond calls
#: (2**16) are left to the full suite: their time moves by up to 1.44x between two runs of
#: one commit. ``make continuous-full`` compares the whole suite at the same factor.
GATE = (
    r"Throughput.time_estimate\('(numpy|numpy:threads|numba|numba:parallel|numba:fused)'",
    r"Throughput.time_estimate\('(torch|jax)', 33554432\)",
    r"ThreadScaling.time_estimate\('numba:fused'",
)

#: The gate's ``asv continuous --factor``: the lowest factor with no false alarm in the five
#: A/A runs of docs/benchmarking.md ("The gate: catching a 10 % slowdown"), below 1.10 so that
#: a 10 % slowdown passes it; a test keeps every caller on it.
GATE_FACTOR = 1.07

#: asv options of the gate: rounds alternate between the two commits, so that a drift of
#: the machine during the run falls on both sides alike.
GATE_OPTIONS = ("--interleave-rounds",)

#: Rounds (benchmark processes per commit) of each gate benchmark: more than the suite's
#: own (``Throughput.rounds``), because a sub-millisecond call's time differs from one
#: process to the next and asv's test only sees that spread across rounds
#: (docs/benchmarking.md). Given to asv as ``-a rounds=N``, for the gate's benchmarks only.
#: Five since the warm-up (``Throughput.warmup_time``) removed the slow first samples: six
#: made a gate run 390 s, over its 6 minutes.
GATE_ROUNDS = 5


def command(base: str, head: str, factor: float, bench: list[str] | None, extra: list[str]) -> list[str]:
    """The ``asv continuous`` command line of the gate; ``bench=None``: the whole suite.

    The gate's benchmarks run ``GATE_ROUNDS`` rounds; the whole suite runs each benchmark's
    own (asv's ``-a`` would set every benchmark's, ``FirstCall``'s single round included).
    """
    selected = [f"--bench={regex}" for regex in bench or ()]  # a regex starting with "-" is no option
    if bench:
        selected += ["-a", f"rounds={GATE_ROUNDS}"]
    return [
        sys.executable,
        "-m",
        "asv",
        "continuous",
        "--factor",
        str(factor),
        *GATE_OPTIONS,
        "--split",
        "--show-stderr",
        *selected,
        *extra,
        base,
        head,
    ]
