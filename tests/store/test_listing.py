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
