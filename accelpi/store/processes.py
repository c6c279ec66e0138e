"""Which benchmark process each sample came from: the unit a verdict tests.

asv pools every sample of a benchmark in one list (a campaign runs ``asv run`` once per pass,
one process per benchmark and environment with ``rounds=1``, and ``--append-samples`` joins
the passes' samples). Samples inside one process share its memory layout, its JIT's choices
and its thread placement, so the variance between processes is not seen by a test that treats
the pooled samples as independent draws. A campaign therefore records, after every pass, how
many samples each benchmark had (:func:`sample_counts`); the record's ``processes`` field holds,
per environment and benchmark, one list per parameter combination of the samples each process
added, in the order of the passes (``[10, 10, 10, 10]``: four processes of ten).

Campaigns recorded before this field existed are read as follows (:func:`split`): a row whose
sample count is exactly *processes* x *the most samples one process can take* had every
process at its maximum, so its processes are known; any other row is pooled, and says so.
:data:`LEGACY` holds, for accelpi's own suite as it was then, in how many passes each benchmark
class ran and the most samples one of its processes could take.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LEGACY", "counts", "processes_per_pass", "sample_counts", "split"]

#: Campaigns of accelpi's suite recorded without ``processes``: benchmark class -> (how many
#: passes ran it: ``None`` for every pass, else that many at most; the most samples one process
#: could take, from the class's ``repeat``). Throughput, ThreadScaling and LaunchOverhead ran in
#: every pass with ``repeat = (3, 10, 6.0)``, FirstCall in the first two with ``(3, 4, 30.0)``
#: (benchmarks/ at af0b8cd, the commit of every committed campaign of that time).
LEGACY: dict[str, tuple[int | None, int]] = {
    "Throughput": (None, 10),
    "ThreadScaling": (None, 10),
    "LaunchOverhead": (None, 10),
    "FirstCall": (2, 4),
}


def sample_counts(result: Any) -> dict[str, list[int]]:
    """``{benchmark: [samples, ...]}`` of one asv result (``asv.results.Results``): how many
    samples each parameter combination holds now (0: none recorded, or not measured)."""
    found: dict[str, list[int]] = {}
    for key in sorted(result.get_all_result_keys()):
        samples = result.get_result_samples(key, result.get_result_params(key))
        found[key] = [len(s) if s else 0 for s in samples]
    return found


def processes_per_pass(snapshots: list[dict[str, list[int]]]) -> dict[str, list[list[int]]]:
    """From the counts after each pass (:func:`sample_counts`, one dict per pass, in order) to
    what each pass's process added: ``{benchmark: [[added in pass 1, pass 2, ...] per
    combination]}``, passes that added nothing left out."""
    keys = {k for snapshot in snapshots for k in snapshot}
    found: dict[str, list[list[int]]] = {}
    for key in sorted(keys):
        width = max(len(s.get(key, [])) for s in snapshots)
        rows: list[list[int]] = []
        for i in range(width):
            before, added = 0, []
            for snapshot in snapshots:
                now = (snapshot.get(key) or [])[i] if i < len(snapshot.get(key) or []) else before
                if now > before:
                    added.append(now - before)
                before = max(before, now)
            rows.append(added)
        found[key] = rows
    return found


def counts(
    campaign: dict[str, Any] | None, env_name: str, key: str, combo: int, total: int
) -> tuple[list[int] | None, str]:
    """How many samples each process gave to one row (``None``: not known) and how that is
    known: ``"recorded"``, ``"inferred"`` (a campaign before the record, every process at its
    maximum), or why it is not known."""
    if not campaign:
        return None, "measured outside any campaign"
    recorded = campaign.get("processes")
    if isinstance(recorded, dict):
        rows = (recorded.get(env_name) or {}).get(key)
        if isinstance(rows, list) and combo < len(rows):
            found = [int(c) for c in rows[combo] if isinstance(c, int) and c > 0]
            if sum(found) == total:
                return found, "recorded"
            return None, f"the record says {sum(found)} samples, the result holds {total}"
        return None, "not in the campaign's record of processes"
    if campaign.get("project"):
        return None, "another project's campaign, recorded before processes were"
    legacy = LEGACY.get(key.split(".")[-2] if key.count(".") >= 2 else "")
    passes = campaign.get("passes")
    if legacy is None or not isinstance(passes, int):
        return None, "recorded before processes were"
    most_passes, most_samples = legacy
    ran = passes if most_passes is None else min(most_passes, passes)
    if total == ran * most_samples:
        return [most_samples] * ran, "inferred"
    return None, (
        f"recorded before processes were, and {total} samples are not {ran} processes of "
        f"{most_samples}: pooled"
    )


def split(samples: list[float] | None, sizes: list[int] | None) -> list[list[float]] | None:
    """``samples`` cut into processes of ``sizes`` (``None`` if either is missing or they
    disagree)."""
    if samples is None or not sizes or sum(sizes) != len(samples):
        return None
    groups, start = [], 0
    for size in sizes:
        groups.append(list(samples[start : start + size]))
        start += size
    return groups
