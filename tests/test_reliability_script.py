"""``scripts/continuous_reliability.py`` reads the table asv itself prints.

Two result files of one environment (written with ``asv.results``) hold the same
benchmark at two real commits of this repository, one 1.5x slower; ``asv compare``
prints the table that ``asv continuous`` prints, and the script's parser must find
exactly the slower row, with its values and ratio.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .asv_files import BENCH, write_result
from .helpers import script

pytest.importorskip("asv", reason="asv is not installed (pip install 'accelpi[bench]')")

ROOT = Path(__file__).resolve().parents[1]


def _script():
    return script("continuous_reliability")


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


def test_the_parser_reads_every_row_of_asvs_table():
    table = (
        "| Change   | Before [abc]    | After [def]    |   Ratio | Benchmark (Parameter)   |\n"
        "|----------|-----------------|----------------|---------|-------------------------|\n"
        "| +        | 1.00±0.01ms     | 1.50±0.01ms    |    1.50 | t.T.time_estimate('numpy', 65536) |\n"
        "|          | 2.00±0.02ms     | 2.01±0.02ms    |    1.00 | t.T.time_estimate('jax', 65536) |\n"
        "| ~        | 3.00±0.3ms      | 3.40±0.3ms     |   ~1.13 | t.T.time_estimate('torch', 65536) |\n"
        "|          | n/a             | n/a            |     n/a | t.S.time_estimate('numba:fused', 8) |\n"
    )
    rows = _script().table_rows(table)
    assert [(r["change"], r["ratio"]) for r in rows] == [
        ("+", "1.50"),
        ("", "1.00"),
        ("~", "~1.13"),
        ("", "n/a"),
    ]
    assert [r["benchmark"] for r in _script().flagged(table)] == ["t.T.time_estimate('numpy', 65536)"]


def test_one_set_of_runs_is_judged_at_every_factor():
    fused = "t.T.time_estimate('numba:fused', 65536)"

    def row(change: str, ratio: str, benchmark: str) -> dict[str, str]:
        return {"change": change, "ratio": ratio, "benchmark": benchmark}

    runs = [
        {"kind": "aa", "judged": {"1.05": [row("+", "1.06", "t.T.time_estimate('jax', 65536)")], "1.1": []}},
        {"kind": "ab", "judged": {"1.05": [row("+", "1.10", fused)], "1.1": [row("", "1.10", fused)]}},
        {"kind": "ab", "judged": {"1.05": [row("+", "1.11", fused), row("", "n/a", "skipped")], "1.1": []}},
    ]
    result = _script().evaluate(runs, (1.05, 1.1))
    assert result["1.05"]["aa_false_alarms"] == [1] and result["1.05"]["ab_caught"] == [True, True]
    assert result["1.1"]["aa_false_alarms"] == [0] and result["1.1"]["ab_caught"] == [False, True]
    assert result["1.1"]["ab_runs"][0]["missed"] == [fused]
    assert _script().noise(runs)["t.T.time_estimate('jax', 65536)"] == pytest.approx(1.06)


def test_the_gate_is_one_command_everywhere():
    from accelpi import gate
    from accelpi.gate import GATE, GATE_FACTOR, GATE_ROUNDS

    command = gate.command("main", "HEAD", GATE_FACTOR, list(GATE), ["--machine", "box"])
    assert command[3:6] == ["continuous", "--factor", str(GATE_FACTOR)] and "--interleave-rounds" in command
    selected = [a for a in command if a.startswith("--bench=")]  # one argument each: never an option
    assert command[-2:] == ["main", "HEAD"] and selected == [f"--bench={regex}" for regex in GATE]
    assert f"rounds={GATE_ROUNDS}" in command
    full = gate.command("main", "HEAD", GATE_FACTOR, None, [])  # --full: the whole suite, own rounds
    assert not any(a.startswith("--bench") for a in full) and "-a" not in full
    for name in ("Makefile", "README.md", ".github/workflows/benchmarks.yml"):
        text = (ROOT / name).read_text()
        assert "accelpi gate" in text or "make continuous" in text, name
        assert "asv continuous --factor" not in text, f"{name} sets a factor of its own"
    assert f"`GATE_FACTOR` = {GATE_FACTOR}" in (ROOT / "docs" / "benchmarking.md").read_text()


def test_the_docs_tables_come_from_a_saved_summary():
    fused = "t.T.time_estimate('numba:fused', 65536)"
    runs = [
        {"kind": "aa", "judged": {"1.05": [{"change": "+", "ratio": "1.06", "benchmark": "t.T.jax"}]}},
        {"kind": "ab", "judged": {"1.05": [{"change": "+", "ratio": "1.10", "benchmark": fused}]}},
    ]
    script = _script()
    summary = {
        "runs": 1,
        "plant": 1.1,
        "factors": script.evaluate(runs, (1.05,)),
        "seconds_per_run": [240.0, 250.0],
        "aa_noise": script.noise(runs),
    }
    text = script.markdown(summary)
    assert "| 1.05 | 1 (`T.jax`) | 1 of 1 |" in text and "| `T.jax` | 1.060 |" in text
    assert "240 to 250 s" in text
