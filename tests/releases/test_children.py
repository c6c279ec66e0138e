"""What a measurement starts stops with it: asv's whole tree, on SIGTERM and on SIGKILL of accelpi."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from accelpi.releases.children import descendants, stop_tree

from ..helpers import ROOT

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")


def _gone(pid: int, seconds: float = 10.0) -> bool:
    """Whether ``pid`` ended (exited, or a zombie nobody reaped yet) within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


# a child that starts a grandchild in a process group of its own, as asv starts a benchmark
TREE = (
    "import os, subprocess, sys, time\n"
    "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'], "
    "preexec_fn=lambda: os.setpgid(0, 0))\n"
    "print(p.pid, flush=True)\n"
    "time.sleep(120)\n"
)


def test_a_process_and_descendants_in_other_process_groups_are_all_stopped():
    child = subprocess.Popen([sys.executable, "-c", TREE], stdout=subprocess.PIPE, text=True)
    grandchild = int(child.stdout.readline())
    assert grandchild in descendants(child.pid)
    assert os.getpgid(grandchild) != os.getpgid(child.pid)  # out of reach of the child's group
    stop_tree(child)
    assert child.returncode is not None and _gone(grandchild)


def test_a_child_dies_with_accelpi_even_when_accelpi_is_killed():
    parent = (
        "import subprocess, sys, time\n"
        "from accelpi.releases.children import die_with_parent\n"
        "c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'], "
        "preexec_fn=die_with_parent)\n"
        "print(c.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True, env=env)
    child = int(process.stdout.readline())
    process.kill()  # SIGKILL: no handler runs, the kernel kills the child
    process.wait()
    assert _gone(child)


def test_sigterm_stops_a_command_as_ctrl_c_does_with_its_own_exit_status():
    process = subprocess.Popen(
        [sys.executable, "-m", "accelpi", "run", "-b", "python", "-n", "1e12"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # until accelpi catches SIGTERM (its handler is set)
        caught = next(
            line
            for line in Path(f"/proc/{process.pid}/status").read_text().splitlines()
            if line.startswith("SigCgt:")
        )
        if int(caught.split()[1], 16) & (1 << (signal.SIGTERM - 1)):
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, err
    assert "accelpi: stopped by SIGTERM" in err and "Traceback" not in err
