"""Dask backends: identical hits on every scheduler, surviving a killed worker, clear failures.

Real clusters only: ``LocalCluster`` process workers, and the standard ``dask scheduler``
and ``dask worker`` commands started as processes.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import accelpi
from accelpi import BackendUnavailable, InvalidArgument

from ..helpers import require

pytest.importorskip("distributed", reason="dask[distributed] is not installed (pip install 'accelpi[dask]')")
from dask.distributed import Client, LocalCluster

from accelpi import tasks
from accelpi.backends import dask_ as dask_backend

DASK = ["dask:delayed", "dask:array", "dask:distributed"]


def _kernels() -> list[str]:
    return ["numpy", "numba:fused"] if accelpi.registry.info("numba:fused").available else ["numpy"]


@pytest.mark.parametrize("kernel", _kernels())
@pytest.mark.parametrize("chunks", [1, 7, 64])
def test_every_dask_backend_matches_the_serial_computation(kernel, chunks):
    for name in DASK:
        require(name)
    n, seed = 3_000_017, 11
    expected = tasks.serial_hits(n, seed, chunks, kernel)
    for name in DASK:
        assert accelpi.estimate(n, name, seed=seed, chunks=chunks, kernel=kernel).hits == expected, name


def test_fused_kernel_tasks_add_up_to_numba_fused():
    require("dask:delayed")
    require("numba:fused")
    n = 10_000_019
    assert (
        accelpi.estimate(n, "dask:delayed", seed=2, chunks=13, kernel="numba:fused").hits
        == accelpi.estimate(n, "numba:fused", seed=2).hits
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"chunks": 0}, "chunks=0"),
        ({"chunks": 2.5}, "chunks=2.5"),
        ({"chunks": 10**9}, "from 1 to 1,000 "),
        ({"chunks": 200_000}, "at most 100,000 tasks"),
        ({"kernel": "torch"}, "accepted: numpy, numba:fused"),
        ({"chunk": 4}, "has no option 'chunk'"),
    ],
)
def test_bad_options_are_refused(options, message):
    require("dask:delayed")
    with pytest.raises(InvalidArgument, match=message):
        accelpi.estimate(options.pop("n", 1000), "dask:delayed", **options)


def test_array_blocks_too_large_for_memory_are_refused():
    require("dask:array")
    with pytest.raises(InvalidArgument, match="use chunks >= 2"):
        accelpi.estimate(2**27, "dask:array", chunks=1)


def test_unreachable_scheduler_fails_fast_naming_the_address():
    require("dask:distributed")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    start = time.perf_counter()
    with pytest.raises(BackendUnavailable, match=f"cannot reach the Dask scheduler at {address} within 2 s"):
        accelpi.estimate(1000, "dask:distributed", scheduler=address, connect_timeout=2)
    assert time.perf_counter() - start < 10


def _children() -> set[int]:
    """Child processes, less multiprocessing's own helpers (its resource tracker lives as
    long as this process once any cluster has started, by design)."""
    import psutil

    pids = set()
    for child in psutil.Process().children(recursive=True):
        try:
            command = " ".join(child.cmdline())
        except psutil.Error:
            continue
        if "resource_tracker" not in command and "forkserver" not in command:
            pids.add(child.pid)
    return pids


def test_a_worker_killed_mid_run_does_not_change_the_result():
    require("dask:distributed")
    before = _children()
    n, seed, chunks = 400_000_003, 5, 200  # 200 tasks of ~10 ms of work each, seconds in all
    expected = tasks.serial_hits(n, seed, chunks)
    cluster = LocalCluster(
        n_workers=3, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=50
    )
    try:
        with Client(cluster, set_as_default=False) as client:
            pids = client.run(os.getpid)  # worker address -> process id
            result: dict = {}

            def compute():
                result["hits"] = accelpi.estimate(
                    n, "dask:distributed", seed=seed, chunks=chunks, scheduler=cluster.scheduler_address
                ).hits

            runner = threading.Thread(target=compute)
            runner.start()
            busy, deadline = [], time.time() + 60
            while not busy and time.time() < deadline:  # wait until a worker holds tasks ...
                busy = [address for address, keys in client.processing().items() if keys]
                time.sleep(0.02)
            assert busy and runner.is_alive(), "the computation ended before a worker could be killed"
            victim = pids[busy[0]]
            os.kill(victim, signal.SIGKILL)  # ... and kill its process outright
            runner.join(timeout=120)
            assert not runner.is_alive()
            assert result["hits"] == expected
            assert victim not in client.run(os.getpid).values()
    finally:
        dask_backend._remote.pop(cluster.scheduler_address, None)
        cluster.close()
    deadline = time.time() + 20
    while _children() - before and time.time() < deadline:
        time.sleep(0.2)
    assert not (_children() - before), "worker processes were left behind"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_cluster_started_with_the_dask_commands(tmp_path):
    require("dask:distributed")
    bin_dir = Path(sys.executable).parent
    dask_command = str(bin_dir / "dask") if (bin_dir / "dask").exists() else "dask"
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path / "logs.txt"
    with open(logs, "w") as log:
        processes = [
            subprocess.Popen(
                [dask_command, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                stdout=log,
                stderr=log,
            )
        ]
        try:
            for _ in range(2):
                processes.append(
                    subprocess.Popen(
                        [dask_command, "worker", address, "--nthreads", "1", "--no-dashboard"],
                        stdout=log,
                        stderr=log,
                    )
                )
            with Client(address, timeout=30, set_as_default=False) as client:
                client.wait_for_workers(2, timeout=60)
            n, chunks = 5_000_011, 9
            expected = tasks.serial_hits(n, 3, chunks)
            run = [
                sys.executable,
                "-m",
                "accelpi",
                "run",
                "-b",
                "dask:distributed",
                "-n",
                str(n),
                "--seed",
                "3",
                "--chunks",
                str(chunks),
                "--json",
            ]
            by_option = subprocess.run(
                [*run, "--scheduler", address], capture_output=True, text=True, timeout=120
            )
            assert by_option.returncode == 0, by_option.stderr
            assert json.loads(by_option.stdout)["hits"] == expected
            env = {**os.environ, "ACCELPI_DASK_SCHEDULER": address}
            by_variable = subprocess.run(run, capture_output=True, text=True, timeout=120, env=env)
            assert by_variable.returncode == 0, by_variable.stderr
            assert json.loads(by_variable.stdout)["hits"] == expected
        finally:
            for process in reversed(processes):
                process.terminate()
            for process in processes:
                process.wait(timeout=30)


def test_launch_overhead_rows():
    require("dask:distributed")
    from accelpi.lab.overhead import launch_overhead

    rows = launch_overhead(tasks=(1, 4), n=2**16, repeat=1)
    assert {(r["method"], r["tasks"]) for r in rows} == {
        (m, t) for m in ("threadpool", "dask:delayed", "dask:distributed") for t in (1, 4)
    }
    assert len({r["hits"] for r in rows if r["tasks"] == 4}) == 1
    assert all(r["seconds"] > 0 for r in rows)
    with pytest.raises(InvalidArgument, match="tasks=0"):
        launch_overhead(tasks=(0,), n=100)


def test_the_task_graph_stays_bounded_for_any_n():
    # 2**62 samples once meant 2**40 delayed tasks built in memory before any sampling
    assert tasks.default_chunks(2**62) == tasks.MAX_TASKS
    assert sum(size for _, _, size in tasks.plan(2**40, tasks.MAX_TASKS)) == 2**40
