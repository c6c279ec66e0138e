"""The host's calibration: kernels of the standard library only, and how a change is told."""

from __future__ import annotations

import ast
import math
import sys

import pytest

from accelpi.lab import calibration

from ..helpers import ROOT


def test_every_kernel_gives_a_positive_time_in_its_unit():
    found = calibration.calibrate(repeats=2)
    assert set(found) == set(calibration.KERNELS) == set(calibration.UNITS)
    assert all(math.isfinite(v) and v > 0 for v in found.values())


def test_the_kernels_depend_on_no_library_accelpi_measures():
    # a calibration that moved with NumPy's or Numba's release would hide the step it
    # is there to tell apart from the host's
    tree = ast.parse((ROOT / "accelpi" / "lab" / "calibration.py").read_text())
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported


def test_a_change_is_the_geometric_mean_of_the_kernels_ratios():
    before = {"python_loop": 100.0, "sha256": 10.0, "memcopy": 5.0}
    assert calibration.change(before, before) == pytest.approx(1.0)
    twice = {k: 2 * v for k, v in before.items()}
    assert calibration.change(before, twice) == pytest.approx(2.0)
    mixed = {"python_loop": 200.0, "sha256": 5.0, "memcopy": 5.0}
    assert calibration.change(before, mixed) == pytest.approx(1.0)
    assert calibration.change({}, before) == 1.0  # nothing to compare: no change claimed
