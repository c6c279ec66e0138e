"""A release series: what tells two lines of one benchmark apart (:mod:`accelpi.store.series`)."""

from __future__ import annotations

import json

import pytest

from ..asv_files import CAMPAIGN, write_release_results

pytest.importorskip("asv", reason="asv is not installed")


@pytest.mark.parametrize(("switches", "axes"), [({}, "numba"), ({"CC": ["gcc"]}, "numba [CC=gcc]")])
def test_a_variable_every_environment_shares_is_no_switch_unless_the_campaign_swept_it(
    tmp_path, switches, axes
):
    """Another project's matrix variables (``CC``, ``CXX``) are in every environment of its
    campaign: a switch only when the campaign swept it (its record's ``switches``)."""
    from accelpi.store.series import collect

    write_release_results(tmp_path, {"0.67.0": 0.010, "0.68.0": 0.011}, env_vars={"CC": "gcc"})
    (record,) = tmp_path.glob(f"testbox/{CAMPAIGN}/*.campaign")
    record.write_text(json.dumps({**json.loads(record.read_text()), "switches": switches}))
    (series,) = collect(tmp_path, "numba")
    assert series.axes == axes and sorted(series.points) == ["0.67.0", "0.68.0"]
