"""What the Dask backends expose on the network: loopback only, TLS on request, a warning
for plain TCP beyond this machine."""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import warnings

import pytest

import accelpi

from ..helpers import ROOT, require

psutil = pytest.importorskip("psutil", reason="psutil is not installed (the test extra)")


def _listening_beyond_loopback() -> list[str]:
    """Listening sockets of this process and its children bound to a non-loopback address."""
    pids = {os.getpid(), *(child.pid for child in psutil.Process().children(recursive=True))}
    found = []
    for connection in psutil.net_connections(kind="inet"):
        if connection.pid in pids and connection.status == psutil.CONN_LISTEN:
            address = ipaddress.ip_address(connection.laddr.ip)
            if not address.is_loopback:
                found.append(f"pid {connection.pid} listens on {connection.laddr.ip}:{connection.laddr.port}")
    return found


def test_every_cluster_the_project_starts_listens_on_loopback_only():
    require("dask:distributed")
    from accelpi.backends import dask_ as backend
    from accelpi.lab.overhead import launch_overhead

    # one cluster at a time (another size closes the idle one): each is checked while it runs
    for threads in (1, min(2, backend.max_threads())):
        accelpi.estimate(100_000, "dask:distributed", threads=threads)
        assert len(backend._local) == 1
        assert not _listening_beyond_loopback()
    launch_overhead(tasks=(2,), n=2**14, repeat=1, methods=("dask:distributed",))  # the lab's
    assert not _listening_beyond_loopback()


def test_plain_tcp_beyond_this_machine_warns_once():
    from accelpi.backends.dask_ import PlainTextSchedulerWarning, warn_if_plain_text

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn_if_plain_text("tcp://127.0.0.1:8786")  # this machine: no warning
        warn_if_plain_text("tls://192.0.2.10:8786")  # encrypted: no warning
        warn_if_plain_text("tcp://192.0.2.10:8786")  # a documentation address, not this machine
        warn_if_plain_text("tcp://192.0.2.10:8786")  # once per address
    assert [type(w.message) for w in caught] == [PlainTextSchedulerWarning]
    assert "use tls://" in str(caught[0].message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_a_tls_scheduler_with_a_self_signed_certificate(tmp_path):
    require("dask:distributed")
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    tls = ["--tls-ca-file", str(cert), "--tls-cert", str(cert), "--tls-key", str(key)]
    port = _free_port()
    address = f"tls://127.0.0.1:{port}"
    bindir = os.path.dirname(sys.executable)
    scheduler = subprocess.Popen(
        [os.path.join(bindir, "dask"), "scheduler", "--protocol", "tls", "--host", "127.0.0.1", "--port",
         str(port), "--no-dashboard", *tls],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    worker = subprocess.Popen(
        [os.path.join(bindir, "dask"), "worker", address, "--nthreads", "1", "--no-dashboard",
         "--host", "127.0.0.1", *tls],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    env = {
        **os.environ,
        "DASK_DISTRIBUTED__COMM__TLS__CA_FILE": str(cert),
        "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": str(cert),
        "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": str(key),
    }
    try:
        from accelpi.tasks import serial_hits

        command = [sys.executable, "-m", "accelpi", "run", "-b", "dask:distributed", "-n", "100000", "--json"]
        command += ["--scheduler", address, "--chunks", "4", "--seed", "5", "--connect-timeout", "20"]
        done = None
        for _ in range(30):  # the scheduler and the worker take a few seconds to start
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
            if done.returncode == 0:
                break
            time.sleep(1)
        assert done is not None and done.returncode == 0, done.stderr[-2000:]
        assert json.loads(done.stdout)["hits"] == serial_hits(100_000, 5, 4)
        plain = {k: v for k, v in env.items() if not k.startswith("DASK_DISTRIBUTED__COMM__TLS")}
        refused = subprocess.run(
            [*command[:-2], "--connect-timeout", "5"], env=plain, capture_output=True, text=True, timeout=120
        )
        assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr[-2000:]
        assert "needs Dask's TLS settings" in refused.stderr
    finally:
        for process in (worker, scheduler):
            process.terminate()
        for process in (worker, scheduler):
            process.wait(timeout=30)
