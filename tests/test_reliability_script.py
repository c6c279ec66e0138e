"""``scripts/continuous_reliability.py`` reads the table asv itself prints.

Two result files of one environment (written with ``asv.results``) hold the same
benchmark at two real commits of this repository, one 1.5x slower; ``asv compare``
prints the table that ``asv continuous`` prints, and the script's parser must find
exactly the slower row, with its values and ratio.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from .asv_files import BENCH, write_result

pytest.importorskip("asv", reason="asv is not installed (pip install 'accelpi[bench]')")

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location(
        "continuous_reliability", ROOT / "scripts" / "continuous_reliability.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _commits() -> list[str]:
    done = subprocess.run(["git", "rev-list", "-n", "2", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    commits = done.stdout.split()
    if done.returncode != 0 or len(commits) < 2:
        pytest.skip("needs a git checkout with two commits")
    return commits[::-1]


def test_the_parser_finds_the_slower_row_of_asvs_table(tmp_path):
    before, after = _commits()
    results = tmp_path / "results"
    for commit, date, numpy_time in ((before, 1_700_000_000_000, 0.001), (after, 1_700_000_001_000, 0.0015)):
        write_result(
            results,
            {"numpy": numpy_time, "jax": 0.002},
            n=65536,
            commit=commit,
            date=date,
            env_name="virtualenv-py3.11",
            machine="box",
        )
    config = tmp_path / "asv.conf.json"
    config.write_text(
        json.dumps({"version": 1, "project": "accelpi", "repo": str(ROOT), "results_dir": str(results)})
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "asv",
            "compare",
            "--config",
            str(config),
            "--machine",
            "box",
            "--factor",
            "1.25",
            before,
            after,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (row,) = _script().flagged(done.stdout)
    assert row["benchmark"] == f"{BENCH}('numpy', 65536)", done.stdout
    assert float(row["ratio"]) == pytest.approx(1.5, abs=0.01)
    assert row["before"].startswith("1.00") and row["after"].startswith("1.50"), row
