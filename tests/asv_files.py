"""asv result files written with asv's own modules, for tests that read results back."""

from __future__ import annotations

import json
from pathlib import Path

#: The benchmark every written result holds (time, in seconds).
BENCH = "throughput.Throughput.time_estimate"


def write_result(
    results: Path,
    values: dict[str, float],
    *,
    n: int,
    commit: str,
    date: int,
    env_name: str,
    machine: str,
    requirements: dict[str, str] | None = None,
    spread: float = 0.01,
    env_vars: dict[str, str] | None = None,
) -> None:
    """Save one asv result of :data:`BENCH` exactly as ``asv run`` would.

    ``values`` maps a backend to its time; each gets 10 samples whose median is that time
    and whose relative spread is ``spread``. ``benchmarks.json`` and the machine's
    ``machine.json`` are written too.
    """
    from asv.results import Results
    from asv.runner import BenchmarkResult
    from asv.util import write_json

    params = [[f"'{backend}'" for backend in values], [str(n)]]
    definition = {
        "name": BENCH,
        "params": params,
        "param_names": ["backend", "n"],
        "type": "time",
        "unit": "seconds",
        "version": "1",
        "timeout": 60,
    }
    write_json(str(results / "benchmarks.json"), {BENCH: definition}, api_version=2)
    (results / machine).mkdir(parents=True, exist_ok=True)
    write_json(str(results / machine / "machine.json"), {"machine": machine, "version": 1}, api_version=1)
    requirements = requirements or {}
    result = Results(
        {"machine": machine, "python": "3.11", **requirements},
        requirements,
        commit,
        date,
        "3.11",
        env_name,
        env_vars or {},
    )
    measured = BenchmarkResult(
        result=list(values.values()),
        samples=[[v * (1 + spread * (k % 5 - 2) / 2) for k in range(10)] for v in values.values()],
        number=[1] * len(values),
        errcode=0,
        stderr="",
        profile=None,
    )
    result.add_result(
        {"name": BENCH, "params": params, "version": "1"}, measured, duration=1.0, record_samples=True
    )
    result.save(str(results))


#: The campaign every written release belongs to unless a test names another.
CAMPAIGN = "test-20261110T000000Z"


def write_campaign_record(
    results: Path, machine: str, campaign: str, commit: str, started: str, ended: str, **extra
) -> Path:
    """A campaign's folder under ``results/machine/`` with its ``machine.json`` and record."""
    from accelpi.store.campaigns import write_campaign

    folder = results / machine / campaign
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "machine.json").write_text(json.dumps({"machine": machine, "version": 1}))
    record = {
        "id": campaign,
        "commit": commit,
        "machine": machine,
        "started": started,
        "ended": ended,
        "fingerprint": {"digest": "0badcafe", "model_name": "Test CPU"},
        **extra,
    }
    write_campaign(folder, record)
    return folder


def write_release_results(
    results: Path,
    versions: dict[str, float],
    spread: float = 0.01,
    inventory: bool = True,
    machine: str = "testbox",
    dist: str = "numba",
    import_name: str = "numba",
    swept: str | None = "",
    env_vars: dict[str, str] | None = None,
    first_commit: int = 0,
    backends: dict[str, float] | None = None,
    campaign: str | None = CAMPAIGN,
    day: int = 10,
) -> None:
    """asv result files of one benchmark, one environment per release of ``dist``.

    ``backends`` maps backends to a multiple of the release's value (default: numba:fused,
    1.0): several backends measured side by side in each environment.

    The inventory beside each names ``swept`` as the swept library (default: ``dist``, as
    ``accelpi sweep`` writes it; ``None``: the default environment's, which sweeps nothing).

    ``campaign``: the releases are measured together, in that campaign, at one commit
    (``first_commit``), on November ``day``; ``None``: the way results were written before
    campaigns, each release alone at a commit of its own, on a day of its own.
    """
    import shutil

    swept = dist if swept == "" else swept
    switches = "".join(f"-{k}{v}" for k, v in sorted((env_vars or {}).items()))
    folder = None
    if campaign is not None and inventory:
        stamp = f"2026-11-{day:02d}T00:00:00Z"
        folder = write_campaign_record(
            results, machine, campaign, f"{first_commit:040x}", stamp, stamp.replace("T00", "T01")
        )
    for i, (version, value) in enumerate(sorted(versions.items()), start=first_commit):
        commit = f"{(first_commit if folder else i):040x}"
        env_name = f"virtualenv-py3.11-{dist}{version}{switches}"
        write_result(
            results,
            {name: value * scale for name, scale in (backends or {"numba:fused": 1.0}).items()},
            n=33554432,
            commit=commit,
            date=1_700_000_000_000 + i,
            env_name=env_name,
            machine=machine,
            requirements={dist: version},
            spread=spread,
            env_vars=env_vars,
        )
        name = f"{commit[:8]}-{env_name}"
        if folder is not None:  # into the campaign's folder, as a campaign publishes it
            shutil.move(results / machine / f"{name}.json", folder / f"{name}.json")
        if inventory:
            record = {
                "swept": swept,
                "env_name": env_name,
                "requested": {dist: version},
                "env_vars": env_vars or {},
                "commit": commit,
                "recorded_at": f"2026-11-{(day if folder else 10 + i):02d}T00:00:00Z",
                "environment": {"libraries": {import_name: {"distribution": dist, "version": version}}},
                **({"campaign": campaign} if folder else {}),
            }
            path = (folder or results / machine) / f"{name}.versions"
            path.write_text(json.dumps(record))
