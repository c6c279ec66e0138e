"""The GPU check's scripts, rehearsed without a GPU (docs/gpu.md)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from accelpi.store import asvcompat

from .helpers import ROOT, script


def test_gpu_results_relabels_asvs_matrix_with_what_was_installed():
    gpu_results = script("gpu_results")
    listing = (
        "Package    Version\n---------- -------\n"
        "numpy      2.4.6\ntorch      2.11.0+cu130\nNumba_Cuda 0.30.4\n"
    )
    installed = gpu_results.pip_versions(listing)
    assert installed == {"numpy": "2.4.6", "torch": "2.11.0+cu130", "numba-cuda": "0.30.4"}
    result = {
        "env_name": "existing-py_opt_venv_bin_python3",
        "python": "/opt/venv/bin/python3",
        "requirements": {"numpy": "", "torch": "2.13.0", "tensorflow-cpu": "2.21.0"},
        "params": {"machine": "gpu", "python": "/opt/venv/bin/python3", "torch": "2.13.0"},
        "results": {"b": [[1.0]]},
    }
    out = asvcompat.relabel(result, installed, "existing-py3.12-gpu")
    assert out["requirements"] == {"numpy": "2.4.6", "torch": "2.11.0+cu130", "tensorflow-cpu": ""}
    assert out["params"]["torch"] == "2.11.0+cu130" and out["params"]["python"] == "3.12"
    assert out["python"] == "3.12" and out["env_name"] == "existing-py3.12-gpu"
    assert out["results"] == result["results"]  # timings untouched


def test_the_committed_gpu_results_name_no_path_and_no_matrix_label():
    for path in (ROOT / "results" / "gpu-h100").glob("*.json"):
        text = path.read_text()
        assert "/opt/" not in text and "/tmp/" not in text, path.name
        if path.name != "machine.json":
            assert json.loads(text)["requirements"]["torch"].startswith("2.11"), path.name


@pytest.mark.skipif(shutil.which("nvidia-smi") is not None, reason="a GPU is here: pytest -m gpu checks it")
def test_gpu_check_reports_every_gpu_backend_unavailable_without_a_gpu(tmp_path):
    assert subprocess.run(["bash", "-n", str(ROOT / "scripts" / "gpu_device.sh")]).returncode == 0
    done = subprocess.run(
        [sys.executable, "scripts/gpu_check.py", str(tmp_path), "--only", "numba-cuda", "cupy"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    rows = json.loads((tmp_path / "compare.json").read_text())["rows"]
    assert [r["backend"] for r in rows] == ["cupy", "numba-cuda"]
    assert all(not r["available"] and r["reason"] for r in rows)
    assert "skipped" in (tmp_path / "gpu-tests.log").read_text()
