"""The command line: output, JSON, exit status, and one-line errors without tracebacks."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from accelpi import registry
from accelpi.cli import main

from ..helpers import ROOT, require


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_backends_json_lists_the_registry(capsys):
    code, out, _ = run_cli(capsys, "backends", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["name"] for r in rows] == registry.names()
    assert all({"available", "reason", "version", "devices"} <= set(r) for r in rows)


def test_backends_table(capsys):
    code, out, _ = run_cli(capsys, "backends")
    assert code == 0
    for name in registry.names():
        assert name in out


def test_run_json(capsys):
    code, out, _ = run_cli(capsys, "run", "-b", "numpy", "-n", "1e5", "--seed", "4", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["n"] == 100_000 and data["backend"] == "numpy" and data["seed"] == 4
    assert data["samples_per_second"] > 0 and abs(data["z"]) < 6


def test_run_text(capsys):
    code, out, _ = run_cli(capsys, "run", "-n", "2**16")
    assert code == 0
    assert "π ≈" in out and "samples/s" in out and "65,536 samples" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "-b", "nunpy"], "did you mean 'numpy'"),
        (["run", "-n", "0"], "n=0 is out of range"),
        (["run", "-n", "1.5"], "n=1.5 is not a whole number"),
        (["run", "-b", "numpy:threads", "--threads", "0"], "threads=0"),
        (["run", "--device", "tpu"], "device='tpu'"),
        (["run", "--seed", "-3"], "seed=-3"),
        (["compare", "-b", "nope", "-n", "1000"], "not a known backend"),
        (["versions", "--library", "numbaa"], "is not a swept library (did you mean 'numba'?)"),
        (["sweep", "numbaa", "--plan"], "cannot be swept (did you mean 'numba'?)"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, message):
    code, _out, err = run_cli(capsys, *argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "-n", "abc"],
        ["compare", "--repeat", "0"],
        ["compare", "--budget", "-1"],
        ["frobnicate"],
        ["run", "--threads", "two"],
    ],
)
def test_usage_errors_exit_2(capsys, argv):
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and "error:" in err and "Traceback" not in err


def test_unavailable_device_exits_3(capsys):
    code, _, err = run_cli(capsys, "run", "-b", "numpy", "--device", "cuda", "-n", "1000")
    assert code == 3 and "its devices: cpu" in err


def test_compare_json_has_references_and_speedups(capsys):
    code, out, _ = run_cli(
        capsys, "compare", "-b", "numpy:threads", "-n", "2e5", "--budget", "0.05", "--repeat", "2", "--json"
    )
    assert code == 0
    rows = {r["backend"]: r for r in json.loads(out)["rows"]}
    assert set(rows) == {"python", "numpy", "numpy:threads"}
    assert rows["python"]["reference_only"] and not rows["numpy:threads"]["reference_only"]
    for r in rows.values():
        assert r["available"] and r["samples_per_second"] > 0 and r["first_call_s"] >= 0
        assert r["speedup_vs_python"] > 0 and r["speedup_vs_numpy"] > 0 and abs(r["z"]) < 6
    assert rows["python"]["speedup_vs_python"] == pytest.approx(1.0)


def test_compare_table(capsys):
    code, out, _ = run_cli(capsys, "compare", "-b", "numpy", "-n", "1e5", "--budget", "0.05", "--repeat", "1")
    assert code == 0 and "vs python" in out and "numpy" in out


def test_compare_puts_numba_fused_beside_the_hand_written_limit(capsys, monkeypatch, tmp_path):
    require("numba:fused")
    monkeypatch.setenv("ACCELPI_CACHE_DIR", str(tmp_path))
    argv = ("compare", "-b", "numba:fused", "-n", "2e5", "--budget", "0.05", "--repeat", "1")
    code, out, _ = run_cli(capsys, *argv, "--json")
    found = json.loads(out)["limit"]
    assert code == 0 and (found.get("ratio", 0) > 0 or "compiler" in found["reason"])
    monkeypatch.setenv("CC", str(tmp_path / "no-such-cc"))
    code, out, _ = run_cli(capsys, *argv)
    assert code == 0 and "hand-written C limit: not measured (the C compiler" in " ".join(out.split())
    code, out, _ = run_cli(capsys, *argv, "--no-limit", "--json")
    assert code == 0 and "limit" not in json.loads(out)


def test_info_json(capsys):
    code, out, _ = run_cli(capsys, "info", "--json")
    assert code == 0
    env = json.loads(out)
    assert env["cpu"]["usable_cores"] >= 1
    numpy_entry = env["libraries"]["numpy"]
    assert numpy_entry["version"]
    assert isinstance(numpy_entry["facts"], dict), numpy_entry["facts"]


def test_python_dash_m_and_exit_codes_in_a_real_process():
    ok = subprocess.run(
        [sys.executable, "-m", "accelpi", "run", "-n", "1000", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["n"] == 1000
    bad = subprocess.run(
        [sys.executable, "-m", "accelpi", "run", "-b", "nope"], capture_output=True, text=True, timeout=120
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    version = subprocess.run([sys.executable, "-m", "accelpi", "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("accelpi ")


def test_run_text_keeps_the_bracketed_backend(capsys):
    # rich once read "[numba:fused on cpu, 2 thread(s)]" as markup and dropped it
    code, out, _ = run_cli(capsys, "run", "-b", "numpy:threads", "-n", "2**16", "--threads", "2")
    assert code == 0
    assert "[numpy:threads on cpu, 2 thread(s)]" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["versions", "--factor", "0.5"],
        ["bisect", "numba", "--good", "0.66.0", "--bad", "0.68.1", "-b", "x", "--factor", "0.9"],
        ["site", "--factor", "0"],
    ],
)
def test_a_factor_below_1_is_refused(capsys, argv):
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and "is not a factor: a finite number >= 1" in err


def test_bisect_takes_one_value_per_switch(capsys):
    code, _, err = run_cli(
        capsys,
        *("bisect", "numba", "--good", "0.66.0", "--bad", "0.68.1", "-b", "x"),
        *("--switch", "TF_ENABLE_ONEDNN_OPTS=0,1", "--machine", "m"),
    )
    assert code == 2 and "bisect takes one value, NAME=VALUE" in err
    assert len(err.strip().splitlines()) == 1


def test_exit_statuses_are_documented_everywhere():
    from accelpi.cli import common

    statuses = {
        common.EXIT_OK,
        common.EXIT_FLAGGED,
        common.EXIT_USAGE,
        common.EXIT_UNAVAILABLE,
        common.EXIT_OUTPUT,
        common.EXIT_INTERRUPTED,
    }
    readme = (ROOT / "docs" / "commands.md").read_text()
    help_text = subprocess.run(
        [sys.executable, "-m", "accelpi", "--help"], capture_output=True, text=True, timeout=120
    ).stdout
    for status in statuses:
        assert f"{status} " in common.EXIT_STATUS_HELP
        assert re.search(rf"\b{status}\b[^\n]*", readme.split("Exit status:", 1)[1][:900]), status
    assert " ".join(common.EXIT_STATUS_HELP.split()) in " ".join(help_text.split())


def test_the_version_is_written_once():
    import importlib.metadata

    import tomllib

    import accelpi

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert accelpi.__version__ == importlib.metadata.version("accelpi") == declared
    assert declared not in (ROOT / "accelpi" / "__init__.py").read_text()


def test_sweep_confirm_takes_no_releases_and_says_when_there_is_nothing_to_confirm(capsys, tmp_path):
    code, _, err = run_cli(capsys, "sweep", "numba", "0.68.1", "--confirm", "--results", str(tmp_path))
    assert code == 2 and "--confirm measures the releases of the provisional steps: give no releases" in err
    code, _, err = run_cli(capsys, "sweep", "numba", "--confirm", "--results", str(tmp_path))
    assert (
        code == 0 and "numba: no provisional step in" in err and "nothing to confirm" in " ".join(err.split())
    )


@pytest.mark.parametrize(
    ("regex", "said"),
    [
        (r"Throughput\.time_estimate$", "selects no benchmark of the suite"),  # asv matches name(params)
        ("NoSuchBenchmark", "selects no benchmark of the suite"),
        ("([", "is not a regular expression"),
    ],
)
def test_sweep_refuses_a_bench_expression_that_selects_nothing_before_building(capsys, tmp_path, regex, said):
    code, _, err = run_cli(
        capsys, "sweep", "numba", "0.68.1", "-b", regex, "--plan", "--results", str(tmp_path)
    )
    assert code == 2 and said in err and "Traceback" not in err
    if "selects" in said:
        assert "throughput.Throughput.time_estimate('" in err or "(" in err  # an example of a full name


@pytest.mark.network
def test_sweep_plan_on_a_new_host_says_the_committed_campaigns_are_another_machines(capsys):
    argv = ("sweep", "torch", "2.13.0", "--plan", "--results", str(ROOT / "sweeps"))
    code, out, _ = run_cli(capsys, *argv, "--machine", "a-new-host")
    said = " ".join(out.split())
    assert code == 0 and "note: the torch campaigns in" in said
    hosts = "amd-epyc-2c-82ccf83e, amd-epyc-2c-aa63a279"  # every host with a torch campaign, named
    assert f"measured on {hosts}, not on a-new-host: this host starts its own series" in said
    code, out, _ = run_cli(capsys, *argv, "--machine", "amd-epyc-2c-aa63a279")
    assert code == 0 and "note: the torch campaigns" not in out


def test_json_output_is_strict_json_even_for_a_number_that_is_not_finite(capsys):
    import json
    import math

    from accelpi.cli.common import print_json

    print_json({"seconds": math.inf, "rows": [1.5, -math.inf, math.nan], "name": "x"})
    out = capsys.readouterr().out
    assert "Infinity" not in out and "NaN" not in out
    assert json.loads(out) == {"seconds": None, "rows": [1.5, None, None], "name": "x"}


def test_gate_with_one_commit_asks_for_the_other_not_for_asvs_options(capsys):
    code, _, err = run_cli(capsys, "gate", "main")
    assert code == 2 and "head" in err and "ASV-OPTION" not in err


def test_wide_tables_keep_to_the_columns_the_user_set(capsys, monkeypatch):
    pytest.importorskip("asv", reason="asv is not installed")
    monkeypatch.setenv("COLUMNS", "100")
    code, out, _ = run_cli(capsys, "versions", "--library", "numba", "--all", "--wide", "--provisional")
    assert code in (0, 1) and out
    assert max(len(line) for line in out.splitlines()) <= 100
