"""What a person sees in an 80-column terminal: every table fits, no name is cut, no log noise."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from packaging.version import Version

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


def run(argv: list[str], columns: str | None = "80") -> subprocess.CompletedProcess:
    """``accelpi argv`` piped, as an 80-column terminal (``columns=None``: COLUMNS unset)."""
    env = {**os.environ, "COLUMNS": columns or ""}
    if columns is None:
        env.pop("COLUMNS")
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
    done = run(COMMANDS["compare"] + ["--wide"], columns=None)  # --wide: as wide as it takes
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


def test_versions_gives_its_verdict_on_the_first_line_in_words():
    done = run(["versions", "--library", "numba"])
    assert done.returncode in (0, 1), done.stderr[-2000:]
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert lines[0].startswith("numba: ") and "release step(s) slower" in lines[0], lines[:2]
    # piped, there is no colour: a step says its direction in a word, never by a ratio alone;
    # a long entry goes on under a hanging indent, never at the margin
    indent = {line: len(line) - len(line.lstrip()) for line in lines}
    steps = [line for line in lines if indent[line] == 4 and "->" in line]
    assert steps and all(line.split()[0] in ("SLOWER", "faster") for line in steps), steps[:3]
    assert all(indent[line] in (0, 2, 4) for line in lines if not line.startswith(" " * 4)), lines
    # each release step that moved in one line first, newest first, then what to do
    releases = [line.split()[0] for line in lines if indent[line] == 2 and "(after " in line]
    assert releases and releases == sorted(releases, key=Version, reverse=True), releases
    first_step = next(i for i, line in enumerate(lines) if line in steps)
    assert all(lines.index(line) < first_step for line in lines if "(after " in line)
    assert any(line.startswith("  what to do: pin numba<") for line in lines)  # a confirmed slower step
    # grouped by release step and campaign, newest release first, each group summed up once
    groups = [
        line.split()[2].rstrip(",") for line in lines if line.startswith("  ") and ", campaign " in line
    ]
    assert groups and groups == sorted(groups, key=Version, reverse=True), groups
    entries = [line for line in lines if indent[line] < 4 or line in steps]
    assert len(entries) < 60, f"{len(entries)} entries before any table: the verdict is not short"


def test_versions_all_prints_no_ratio_of_signed_values_and_cuts_no_cell():
    done = run(["versions", "--library", "numba", "--all"])
    assert done.returncode in (0, 1), done.stderr[-2000:]
    import re

    lines = done.stdout.splitlines()
    # a series' values are on the line after its name; errors in sigmas are signed: no ratio
    sigmas = [lines[i + 1] for i, line in enumerate(lines[:-1]) if "track_error_in_sigmas" in line]
    timed = [lines[i + 1] for i, line in enumerate(lines[:-1]) if "time_estimate" in line]
    ratio = re.compile(r"\(\d+\.\d+x")
    assert sigmas and not any(ratio.search(line) for line in sigmas), sigmas[:3]
    assert any(ratio.search(line) for line in timed), timed[:3]  # times do have one
    assert "…" not in done.stdout


def test_replicate_lists_each_backend_once_in_claim_5b():
    done = run(["replicate"])
    assert done.returncode == 0, done.stderr[-2000:]
    text = done.stdout
    start = text.index("5b")
    block = text[start : text.index("\n\n", start) if "\n\n" in text[start:] else len(text)]
    names = [name for name in registry.names() if f"{name}:" in block or f"{name} " in block]
    for name in names:
        assert block.count(f"{name} ") + block.count(f"{name}:") <= 2, (name, block[:400])
    assert max(len(line) for line in block.splitlines()) <= 80


def test_backends_prints_each_install_note_once():
    done = run(["backends"])
    notes = [line.split("] ", 1)[1] for line in done.stdout.splitlines() if line.startswith("[")]
    assert len(notes) == len(set(notes)), notes
    assert len(notes) <= 8, notes
