"""Hostile input, broken files, closed pipes, unwritable paths and Ctrl-C: a clear message,
the documented exit status, never a traceback, a hang, a partial write or a wrong answer."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from accelpi import registry

from .asv_files import write_release_results
from .helpers import ROOT, require

ACCELPI = [sys.executable, "-m", "accelpi"]


def accelpi(*args: str, cwd: Path = ROOT, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*ACCELPI, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, **kwargs
    )


def one_clear_line(done: subprocess.CompletedProcess) -> str:
    """The stderr of a refused command: one line, no traceback; returns it."""
    assert "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    return lines[0]


# -- bad arguments, refused at once ---------------------------------------------------

REFUSED = [
    (["run", "-n", "nan"], "not a whole number"),
    (["run", "-n", "inf"], "not a whole number"),
    (["run", "-n", "-5"], "out of range"),
    (["run", "-n", "1e100"], "out of range"),
    (["run", "-n", "2**63"], "out of range"),
    (["run", "-n", "0x10"], "not a number of samples"),
    (["run", "-n", ""], "not a number of samples"),
    (["run", "--seed", str(2**129)], "seed="),
    (["run", "-b", "numpy:threads", "--threads", "2000"], "threads=2000"),
    (["run", "-b", "tensorflow:eager", "--threads", "2000"], "threads=2000"),
    (["versions", "--library", "nosuchlib"], "is not a swept library; accepted: numpy"),
    (["versions", "--factor", "0.5"], "is not a factor"),
    (
        ["bisect", "numba", "--good", "abc", "--bad", "0.68.1", "-b", "x", "--machine", "m"],
        "'abc' is not a release",
    ),
    (
        ["bisect", "numba", "--good", "0.66.0", "--bad", "0.68.1", "-b", "(", "--machine", "m"],
        "not a regular",
    ),
    (
        ["bisect", "numba", "--good", "0.68.1", "--bad", "0.66.0", "-b", "x", "--machine", "m"],
        "an earlier release",
    ),
    (
        ["bisect", "numba", "--good", "0.66.0", "--bad", "0.68.1", "-b", "x", "--factor", "0.5"],
        "is not a factor",
    ),
    (["sweep", "numba", "not a version", "--plan"], "'not a version' is not a release number"),
    (["inventory", "--record", "--commit", "nonexistent", "--machine", "m"], "'nonexistent' is not a commit"),
    (["inventory", "--results", "no/such/folder"], "no such folder"),
    (["threads", "--plot", "/no/such/folder/speedup.png"], "cannot write there"),
    (
        ["run", "-b", "dask:distributed", "--scheduler", "not a url", "-n", "1000"],
        "is not a Dask scheduler address",
    ),
    (
        ["run", "-b", "dask:distributed", "--scheduler", "tcp://", "-n", "1000"],
        "is not a Dask scheduler address",
    ),
    (["run", "-b", "dask:distributed", "--scheduler", "http://127.0.0.1:8786", "-n", "1000"], "not a Dask"),
]


@pytest.mark.parametrize(("argv", "message"), REFUSED, ids=[" ".join(a)[:60] for a, _ in REFUSED])
def test_bad_arguments_exit_2_at_once_with_one_line(argv, message):
    if "dask:distributed" in argv:
        require("dask:distributed")
    start = time.perf_counter()
    done = accelpi(*argv, timeout=120)
    assert done.returncode == 2, (done.returncode, done.stdout[-500:], done.stderr[-2000:])
    assert message in one_clear_line(done)
    assert time.perf_counter() - start < 60  # refused before any measuring


def test_a_server_that_is_no_scheduler_is_reported_unavailable():
    """Something listens and answers garbage (it once made Dask allocate 3 EiB)."""
    require("dask:distributed")
    import socket
    import threading

    import accelpi as api
    from accelpi import BackendUnavailable

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    stop = threading.Event()

    def answer_garbage() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.sendall(b"\xff" * 64 + b"not a dask scheduler\r\n" * 8)

    thread = threading.Thread(target=answer_garbage, daemon=True)
    thread.start()
    try:
        start = time.perf_counter()
        with pytest.raises(BackendUnavailable, match=f"127.0.0.1:{port}"):
            api.estimate(1000, "dask:distributed", scheduler=f"tcp://127.0.0.1:{port}", connect_timeout=3)
        assert time.perf_counter() - start < 30
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()
    assert registry.info("dask:distributed").available


def test_a_bad_scheduler_address_does_not_disable_the_backend():
    require("dask:distributed")
    import accelpi as api
    from accelpi import InvalidArgument

    with pytest.raises(InvalidArgument):
        api.estimate(1000, "dask:distributed", scheduler="not a url")
    assert registry.info("dask:distributed").available
    assert api.estimate(10_000, "dask:distributed", threads=1).n == 10_000


def test_site_outside_the_project_is_refused(tmp_path):
    done = accelpi("site", "--no-publish", cwd=tmp_path)
    assert done.returncode == 2 and "has no asv.conf.json" in one_clear_line(done)


def test_compare_on_a_device_nobody_has_is_unavailable():
    if any("cuda" in i.devices for i in registry.backends()):
        pytest.skip("a CUDA device is present")
    done = accelpi("compare", "--device", "cuda", "-n", "1000")
    assert done.returncode == 3 and "no backend can run on cuda here" in one_clear_line(done)


# -- output that goes nowhere ---------------------------------------------------------


def test_a_closed_pipe_is_not_an_error():
    reader = subprocess.Popen(["head", "-c", "1"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    done = subprocess.run(
        [*ACCELPI, "backends", "--json"], stdout=reader.stdin, stderr=subprocess.PIPE, text=True, timeout=300
    )
    reader.stdin.close()
    reader.wait(timeout=30)
    assert done.returncode == 0 and "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


# -- broken results files ---------------------------------------------------------------

BROKEN = {
    "empty": b"",
    "truncated": b'{"version": 2, "commit_hash": "00',
    "binary": bytes(range(256)),
    "not-json": b"this is not JSON",
    "a-list": b"[1]",
    "another-shape": b'{"foo": 1}',
    "environment-a-string": b'{"env_name": "x", "environment": "oops"}',
}


@pytest.fixture
def damaged(tmp_path):
    """A results folder with two good releases and one broken file of each kind."""
    pytest.importorskip("asv", reason="asv is not installed")
    write_release_results(tmp_path, {"0.67.0": 0.010, "0.68.1": 0.020})
    machine = tmp_path / "testbox"
    for i, (kind, data) in enumerate(BROKEN.items()):
        stem = f"{i + 10:08x}-virtualenv-py3.11-numba0.0.{i}"
        (machine / f"{stem}.json").write_bytes(data)
        (machine / f"{stem}.versions").write_bytes(data)
        (machine / f"{kind}-only.versions").write_bytes(data)
    return tmp_path


@pytest.mark.parametrize("command", [["versions", "--library", "numba"], ["inventory"]])
def test_broken_files_are_skipped_with_a_warning_each(damaged, command):
    before = {p: p.read_bytes() for p in damaged.rglob("*") if p.is_file()}
    extra = ["--provisional"] if command[0] == "versions" else []  # one campaign: provisional steps
    done = accelpi(*command, "--results", str(damaged), "--json", *extra)
    assert "Traceback" not in done.stderr, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("accelpi: warning: skipped ")]
    assert len(warnings) >= len(BROKEN), done.stderr
    assert "unreadable file(s) skipped" in done.stderr
    report = json.loads(done.stdout)
    if command[0] == "versions":  # the good files still make their report, and flag the slowdown
        assert done.returncode == 1
        assert [(c["before"], c["after"]) for c in report["flagged"]] == [("0.67.0", "0.68.1")]
    else:
        assert done.returncode in (0, 1)
        assert len(report["records"]) == 2
    assert before == {p: p.read_bytes() for p in damaged.rglob("*") if p.is_file()}  # nothing was written


# -- Ctrl-C ---------------------------------------------------------------------------------

#: Backends that once ignored Ctrl-C until the run ended, and two that never did.
INTERRUPTIBLE = [
    "numpy",
    "numpy:threads",
    "numba",
    "numba:parallel",
    "numba:nogil-threads",
    "numba:fused",
    "dask:delayed",
]


def _ctrl_c_as_in_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
@pytest.mark.parametrize("name", INTERRUPTIBLE)
def test_ctrl_c_stops_a_long_run_within_about_a_second(name):
    require(name)
    process = subprocess.Popen(
        [*ACCELPI, "run", "-b", name, "-n", "1e13"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        # as from a terminal: a suite started in the background (`make test &`, nohup)
        # would pass on SIGINT ignored, and Python then keeps ignoring Ctrl-C, rightly
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    time.sleep(4)  # imports, compilation (cached), and well into the run
    assert process.poll() is None, process.communicate()
    sent = time.perf_counter()
    process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"{name} still running 10 s after Ctrl-C")
    stopped = time.perf_counter() - sent
    assert process.returncode == 130, err
    assert err.strip() == "accelpi: interrupted", err
    assert stopped < 1.5, f"{name} took {stopped:.2f} s to stop"
