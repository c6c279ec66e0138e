"""A results folder's benchmark listing: never narrowed by an asv run that writes into it."""

from __future__ import annotations

import json

import pytest

from accelpi.errors import InvalidArgument
from accelpi.store.campaigns import listing_kept


def _listing(*names: str) -> str:
    return json.dumps({**{n: {"name": n, "version": n[-1]} for n in names}, "version": 2})


def test_benchmarks_listed_before_an_asv_run_stay_listed_and_the_run_s_definitions_win(tmp_path):
    path = tmp_path / "benchmarks.json"
    path.write_text(_listing("a.A.time_1", "b.B.time_1"))
    with listing_kept(tmp_path):
        path.write_text(_listing("b.B.time_2", "c.C.time_2").replace('"b.B.time_2"', '"b.B.time_1"', 2))
    listed = json.loads(path.read_text())
    assert sorted(listed) == ["a.A.time_1", "b.B.time_1", "c.C.time_2", "version"]
    assert listed["b.B.time_1"]["version"] == "2"  # the run's definition
    with listing_kept(tmp_path / "new"):  # nothing listed before: nothing to keep, nothing written
        pass
    assert not (tmp_path / "new" / "benchmarks.json").exists()


def test_a_listing_that_cannot_be_read_is_refused_before_the_run(tmp_path):
    (tmp_path / "benchmarks.json").write_text("[1, 2]")
    ran = []
    with pytest.raises(InvalidArgument, match="cannot be read"), listing_kept(tmp_path):
        ran.append(1)
    assert not ran


def test_benchmarks_the_committed_listing_has_are_listed_again_after_a_run_that_dropped_them(tmp_path):
    import subprocess

    from accelpi.store.campaigns import keep_committed_listing

    results = tmp_path / "results"
    results.mkdir()
    (results / "benchmarks.json").write_text(_listing("throughput.GpuThroughput.time_1", "b.B.time_1"))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "."], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "results"], cwd=tmp_path, check=True)
    # asv run on a host without a GPU: its listing has only what it discovered there
    run = {"b.B.time_1": {"name": "b.B.time_1", "version": "2"}, "c.C.time_2": {"version": "2"}}
    (results / "benchmarks.json").write_text(json.dumps({**run, "version": 2}))
    assert keep_committed_listing(results, tmp_path) == ["throughput.GpuThroughput.time_1"]
    listed = json.loads((results / "benchmarks.json").read_text())
    assert sorted(listed) == ["b.B.time_1", "c.C.time_2", "throughput.GpuThroughput.time_1", "version"]
    assert listed["b.B.time_1"]["version"] == "2"  # the run's definition of what it measured
    assert keep_committed_listing(results, tmp_path) == []  # nothing dropped: nothing written
