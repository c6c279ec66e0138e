"""What a person sees in an 80-column terminal: every table fits, no name is cut, no log noise."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from accelpi import registry

from ..helpers import ROOT

COMMANDS = {
    "backends": ["backends"],
    "compare": ["compare", "-b", "numpy", "-b", "numba:nogil-threads", "-b", "tensorflow:eager", "-n", "1e5",
                "--budget", "0.05", "--repeat", "1"],
    "threads": ["threads", "-b", "numpy:threads", "-n", "2**18", "--repeat", "1", "--rounds", "1",
                "--runs", "1", "--concurrent", "2"],
    "overhead": ["overhead", "--tasks", "1", "4", "-n", "2**14", "--repeat", "1"],
    "versions": ["versions", "--library", "tensorflow-cpu"],
    "inventory": ["inventory"],
    "summary": ["summary"],
    "info": ["info"],
}  # fmt: skip


def run(argv: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "80"}
    env.pop("ACCELPI_VERBOSE", None)
    return subprocess.run(
        [sys.executable, "-m", "accelpi", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS)
def test_every_table_fits_80_columns_without_log_noise(command):
    done = run(COMMANDS[command])
    assert done.returncode in (0, 1), done.stderr[-2000:]
    long = [line for line in done.stdout.splitlines() if len(line) > 80]
    assert not long, long[:3]
    for noise in ("I0000", "absl::InitializeLog", "oneDNN custom operations"):
        assert noise not in done.stdout + done.stderr, command


def test_no_backend_name_is_cut():
    done = run(["backends"])
    assert done.returncode == 0
    names = {
        line.split()[0]
        for line in done.stdout.splitlines()
        if line.strip() and line.split()[0] in registry.names()
    }
    assert names == set(registry.names())
    assert "…" not in done.stdout


@pytest.mark.slow
def test_compare_ranks_the_fastest_first():
    done = run(COMMANDS["compare"] + ["--wide"])
    assert done.returncode == 0, done.stderr[-2000:]
    rates = []
    for line in done.stdout.splitlines():
        cells = line.split()
        if (
            cells
            and cells[0] in registry.names()
            and len(cells) > 2
            and cells[1].replace(",", "").replace(".", "").isdigit()
        ):
            rates.append(float(cells[1].replace(",", "")))
    assert len(rates) >= 3 and rates == sorted(rates, reverse=True), done.stdout
