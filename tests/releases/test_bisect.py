"""Bisection across a library's releases, on results that already exist."""

from __future__ import annotations

import pytest

from ..asv_files import write_release_results as _write_results

pytest.importorskip("asv", reason="asv is not installed (pip install 'accelpi[bench]')")


@pytest.mark.network  # the releases between --good and --bad come from the index
def test_bisect_names_the_first_slower_release_from_existing_results(tmp_path):
    from accelpi.releases.bisect import bisect_releases

    releases = ["0.64.0", "0.65.0", "0.65.1", "0.66.0", "0.67.0"]
    values = {v: (0.010 if v < "0.65.1" else 0.015) for v in releases}
    (tmp_path / "sweeps").mkdir()
    _write_results(tmp_path / "sweeps", values)
    (tmp_path / "asv.conf.json").write_text("{}")
    result = bisect_releases(
        "numba",
        "0.64.0",
        "0.67.0",
        r"Throughput\.time_estimate\('numba:fused'",
        "testbox",
        tmp_path,
        log=lambda text: None,
    )
    assert result["first_bad"] == "0.65.1" and result["last_good"] == "0.65.0"
    assert [s["release"] for s in result["steps"]] == ["0.65.1", "0.65.0"]
