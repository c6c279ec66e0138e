"""The Makefile: the two README commands install what they need, with a sane stamp file."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from .helpers import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _dry_run(*args: str) -> str:
    done = subprocess.run(
        ["make", "-n", "-B", *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


def test_the_install_stamp_names_the_extras():
    # `comma` was once defined after its use: the stamp was `.installed-all,test-`
    assert "touch .venv/.installed-all-test\n" in _dry_run("venv")
    assert "touch .venv/.installed-numba\n" in _dry_run("venv", "EXTRAS=numba")


def test_make_test_lints_everything_it_ships():
    text = _dry_run("test")
    assert "ruff check ." in text and "pytest" in text


def test_make_tools_says_what_is_missing_and_how_to_get_it(tmp_path):
    # a PATH without Chromium or npm: the two notes, and no failure
    bare = tmp_path / "bin"
    bare.mkdir()
    for tool in ("sh", "make", "echo", "touch"):
        found = shutil.which(tool)
        if found:
            (bare / tool).symlink_to(found)
    shutil.copyfile(ROOT / "Makefile", tmp_path / "Makefile")
    done = subprocess.run(
        ["make", "-B", ".tools/.installed"],
        cwd=tmp_path,
        env={"PATH": str(bare), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    said = " ".join(done.stdout.split())
    assert done.returncode == 0, done.stderr
    assert "no Chromium here" in said and "apt-get install chromium" in said
    assert "no npm here" in said
