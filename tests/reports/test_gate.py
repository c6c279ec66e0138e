"""The gate's report, its record and its page, from two commits of the committed history.

``accelpi gate`` runs asv continuous (minutes); what it reports afterwards is read from the
results folder asv left. These tests read the same kind of results, committed by earlier
``asv run``s of two commits, so that the report, the job summary, the recorded run and the
site's gate page are checked on real results.
"""

from __future__ import annotations

import html
import json

import pytest

from accelpi.gate import GATE, GATE_FACTOR
from accelpi.reports.gate import gate_report, load_runs, markdown, record_run, verdict

from ..helpers import ROOT

pytest.importorskip("asv", reason="asv is not installed")

RESULTS = ROOT / "results"
MACHINE = "cpu-epyc-2c"


def _two_commits() -> tuple[str, str]:
    """The two newest commits measured on MACHINE, oldest first (full hashes)."""
    found = {}
    for path in (RESULTS / MACHINE).glob("*.json"):
        data = json.loads(path.read_text())
        if "commit_hash" in data:
            found[data["commit_hash"]] = max(found.get(data["commit_hash"], 0), data.get("date", 0))
    if len(found) < 2:
        pytest.skip(f"fewer than two commits measured on {MACHINE}")
    newest = sorted(found, key=found.get)[-2:]
    return newest[0], newest[1]


@pytest.fixture(scope="module")
def report():
    base, head = _two_commits()
    return gate_report(RESULTS, MACHINE, base, head, GATE_FACTOR, list(GATE))


def test_every_row_is_a_gate_benchmark_of_both_commits_with_its_ratio_and_verdict(report):
    import re

    assert report["rows"], "no gate benchmark measured on both commits"
    for row in report["rows"]:
        assert any(re.search(pattern, row["benchmark"]) for pattern in GATE), row["benchmark"]
        assert row["ratio"] == pytest.approx(row["head"] / row["base"])
        assert row["verdict"] in ("", "slower", "faster")
        if row["verdict"] == "slower":
            assert row["ratio"] > GATE_FACTOR
        if row["verdict"] == "faster":
            assert row["ratio"] < 1 / GATE_FACTOR
    noisy = report["noisiest"]
    assert noisy is None or noisy["noise"] == max(
        r["noise"] for r in report["rows"] if r["noise"] is not None
    )


def test_a_planted_slowdown_is_flagged_and_summarised_first(report):
    slowed = {**report, "rows": [dict(r) for r in report["rows"]]}
    first = slowed["rows"][-1]
    first["head"], first["ratio"], first["verdict"] = first["base"] * 2, 2.0, "slower"
    text = markdown(slowed, 1)
    lines = text.splitlines()
    assert lines[0].startswith(f"## accelpi gate: {report['head'][:8]} against {report['base'][:8]}")
    assert "benchmark(s) slower" in text
    table = [line for line in lines if line.startswith("| `")]
    assert first["benchmark"] in table[0] and "| slower |" in table[0]
    assert verdict({**slowed, "exit_code": 1}).endswith("slower")
    assert verdict({**slowed, "exit_code": 2}) == "a benchmark failed"


def test_a_recorded_run_reads_back_and_broken_files_are_named_not_fatal(report, tmp_path):
    infinite = {**report, "rows": [*report["rows"], {**report["rows"][0], "ratio": float("inf")}]}
    path = record_run(infinite, 0, 312.4, tmp_path / "runs" / "1234")
    assert path.name.startswith("gate-") and path.name.endswith(
        f"{report['head'][:8]}-{report['base'][:8]}.json"
    )
    (tmp_path / "runs" / "gate-broken.json").write_text("{not json")
    (tmp_path / "runs" / "gate-other.json").write_text(json.dumps({"base": "x"}))
    skipped: list[dict[str, str]] = []
    (run,) = load_runs(tmp_path / "runs", skipped)
    assert run["exit_code"] == 0 and run["seconds"] == 312.4 and run["rows"][-1]["ratio"] is None
    assert run["head"] == report["head"] and len(run["rows"]) == len(report["rows"]) + 1
    assert sorted(s["why"][:14] for s in skipped) == ["not a gate run", "unreadable: JS"]
    assert load_runs(tmp_path / "nowhere") == []


def test_the_gate_page_lists_each_run_with_its_verdict_and_benchmarks(report, tmp_path):
    from accelpi.site.gate import gate_page

    runs = tmp_path / "runs"
    record_run(report, 0, 300.0, runs)
    slowed = {
        **report,
        "rows": [{**r, "verdict": "slower"} if i == 0 else r for i, r in enumerate(report["rows"])],
    }
    record_run({**slowed, "head": "f" * 40}, 1, 320.0, runs / "later")
    out = tmp_path / "site"
    gate_page(load_runs(runs), out)
    text = (out / "gate.html").read_text()
    assert text.count("<h2") == 2  # each run's benchmarks
    assert "1 slower" in text and verdict({**report, "exit_code": 0}) in html.unescape(text)
    assert f"<code>{report['head'][:8]}</code>" in text and "<code>ffffffff</code>" in text
    for row in report["rows"]:
        assert row["benchmark"] in html.unescape(text)
    gate_page([], out)
    assert "No gate run recorded yet" in (out / "gate.html").read_text()


def test_record_refuses_a_file_before_running_anything(tmp_path):
    import subprocess
    import sys

    taken = tmp_path / "taken"
    taken.write_text("")
    done = subprocess.run(
        [sys.executable, "-m", "accelpi", "gate", "HEAD", "HEAD", "--record", str(taken)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "is a file" in done.stderr, done.stderr[-500:]


def test_site_refuses_a_gate_folder_that_is_not_one(tmp_path):
    import subprocess
    import sys

    for given in (tmp_path / "missing", tmp_path / "file"):
        if given.name == "file":
            given.write_text("")
        done = subprocess.run(
            [sys.executable, "-m", "accelpi", "site", "--no-publish", "--html", str(tmp_path / "site"),
             "--gate", str(given)],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 2 and "is not a folder" in done.stderr, done.stderr[-500:]
        assert not (tmp_path / "site").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: r.pop("seconds"), "the record"),  # a field missing
        (lambda r: r.update(seconds="312"), "seconds"),  # a string for a number
        (lambda r: r.update(head=12345678), "head"),
        (lambda r: r["rows"][0].update(base="1e-3"), "rows/0/base"),
        (lambda r: r["rows"][0].pop("verdict"), "rows/0"),
        (lambda r: r["rows"][0].update(verdict="<b>slower</b>"), "rows/0/verdict"),
        (lambda r: r.update(factor=0.5), "factor"),
    ],
)
def test_a_gate_record_of_the_wrong_shape_is_named_with_its_field_and_left_out(
    report, tmp_path, change, field
):
    from accelpi.site.gate import gate_page

    path = record_run(report, 0, 312.4, tmp_path / "runs")
    record = json.loads(path.read_text())
    change(record)
    path.write_text(json.dumps(record))
    skipped: list[dict[str, str]] = []
    assert load_runs(tmp_path / "runs", skipped) == []
    (why,) = [s["why"] for s in skipped]
    assert why.startswith(f"not a gate run record: {field}:"), why
    gate_page([], tmp_path / "site")  # the page is written without it


def test_a_gate_record_with_a_number_of_4000_digits_is_left_out_not_raised(report, tmp_path):
    path = record_run(report, 0, 312.4, tmp_path / "runs")
    path.write_text(path.read_text().replace('"exit_code": 0', '"exit_code": ' + "9" * 4000))
    skipped: list[dict[str, str]] = []
    assert load_runs(tmp_path / "runs", skipped) == []
    assert skipped[0]["why"].startswith("not a gate run record: exit_code:") and len(skipped[0]["why"]) < 300


def _rows(*outcomes: str) -> list[dict]:
    """Gate rows with these outcomes (slower rows beyond the factor, the others near 1)."""
    ratio = {"slower": 1.2, "faster": 0.8, "same": 1.0, "undecided": 1.06}
    return [
        {
            "benchmark": f"Throughput.time_estimate('b{i}', 65536)",
            "base": 1e-3,
            "head": 1e-3 * ratio[o],
            "unit": "seconds",
            "ratio": ratio[o],
            "verdict": o if o in ("slower", "faster") else "",
            "outcome": o,
            "low": ratio[o] * 0.95,
            "high": ratio[o] * 1.05,
            "test": "interval over 5 processes a side",
            "noise": 0.02 * (i + 1),
        }
        for i, o in enumerate(outcomes)
    ]


@pytest.mark.parametrize(
    ("outcomes", "exit_code", "said", "headline"),
    [
        (("same", "faster"), 0, "passed", "Passed: every benchmark's interval rules out"),
        (
            ("same", "undecided", "faster"),
            0,
            "inconclusive",
            "**Inconclusive**: nothing was found slower, but on 1 of 3",
        ),
        (
            ("undecided", "slower"),
            1,
            "slower",
            "**1 benchmark(s) slower** by more than 1.07x: `Throughput.time_estimate('b1', 65536)`",
        ),
        (("same",), 2, "failed", "**A benchmark failed** (asv continuous exited 2)"),
    ],
)
def test_the_gate_passes_only_when_every_row_could_have_seen_the_factor(outcomes, exit_code, said, headline):
    from accelpi.reports.gate import outcome

    report = {
        "base": "a" * 40,
        "head": "b" * 40,
        "factor": 1.07,
        "machine": "box",
        "rows": _rows(*outcomes),
        "noisiest": None,
    }
    assert outcome({**report, "exit_code": exit_code}) == said
    text = markdown(report, exit_code)
    assert text.splitlines()[2] == headline or text.splitlines()[2].startswith(headline)
    table = [line for line in text.splitlines() if line.startswith("| `")]
    assert all(line.count("|") == 9 for line in table)  # interval and noise on every row
    if "undecided" in outcomes:
        assert "`Throughput.time_estimate('b" in text.splitlines()[2] and "**undecided**" in text
    assert verdict({**report, "exit_code": exit_code}).split()[0] in ("nothing", "inconclusive", "1", "a")


def test_a_benchmark_measured_on_base_and_not_on_head_fails_the_gate_by_name():
    from accelpi.reports.gate import outcome

    report = {
        "base": "a" * 40,
        "head": "b" * 40,
        "factor": 1.07,
        "machine": "box",
        "rows": _rows("same"),
        "noisiest": None,
        "failed": ["Throughput.time_estimate('numba', 65536)"],
    }
    assert outcome({**report, "exit_code": 0}) == "failed"
    assert "`Throughput.time_estimate('numba', 65536)` measured on base, not on head" in markdown(report, 2)


def test_a_run_in_a_pull_request_workflow_links_the_pull_request_and_the_run(report, tmp_path, monkeypatch):
    from accelpi.site.gate import gate_page

    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "accelpi/accelpi")
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    monkeypatch.setenv("GITHUB_REF", "refs/pull/17/merge")
    base, head = report["base"], report["head"]
    linked = gate_report(RESULTS, MACHINE, base, head, GATE_FACTOR, list(GATE))
    assert linked["pull_request"] == 17
    assert linked["run_url"] == "https://github.com/accelpi/accelpi/actions/runs/4242"
    assert (
        "pull request #17, [workflow run](https://github.com/accelpi/accelpi/actions/runs/4242)"
        in markdown(linked, 0)
    )
    record_run(linked, 0, 300.0, tmp_path / "runs")
    gate_page(load_runs(tmp_path / "runs"), tmp_path / "site")
    page = (tmp_path / "site" / "gate.html").read_text()
    assert 'href="https://github.com/accelpi/accelpi/pull/17"' in page and ">#17<" in page
    monkeypatch.setenv("GITHUB_SERVER_URL", "javascript:alert(1)//")  # only an https address is linked
    assert "run_url" not in gate_report(RESULTS, MACHINE, base, head, GATE_FACTOR, list(GATE))
