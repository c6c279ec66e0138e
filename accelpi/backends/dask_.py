"""Dask backends: ``dask:delayed``, ``dask:array`` and ``dask:distributed``.

All three split the ``n`` samples into ``chunks`` tasks (option ``chunks=``; by default
one per 4 Mi samples, and at least one per core) and compute each with the same pure
task of :mod:`accelpi.tasks`, whose kernel is chosen by the option ``kernel=``
(``"numpy"`` or ``"numba:fused"``). So for a given ``(n, seed, chunks, kernel)`` the hit
count is the same whichever Dask backend or scheduler computes it, and the same as
:func:`accelpi.tasks.serial_hits` computes without Dask.

``dask:distributed`` runs the ``dask:delayed`` graph on a ``dask.distributed`` cluster:
by default a ``LocalCluster`` of ``threads`` single-threaded worker processes, started on
first use and closed at exit; with ``scheduler="tcp://host:8786"`` (or the environment
variable ``ACCELPI_DASK_SCHEDULER``) an existing cluster, started with the standard
``dask scheduler`` / ``dask worker`` commands. An unreachable scheduler is reported after
``connect_timeout`` seconds (default 10), naming the address.
"""

from __future__ import annotations

import atexit
import contextlib
import ipaddress
import logging
import math
import numbers
import os
import re
import socket
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import dask
import dask.array as da
import numpy as np

from ..core import Job
from ..errors import BackendUnavailable, InvalidArgument
from ..machine import cpu_count
from ..tasks import block_points, check_chunks, check_kernel, count_task, plan

#: ``dask:array`` blocks hold their points: refuse blocks larger than this (1 GiB).
MAX_BLOCK = 1 << 26

SCHEDULER_VARIABLE = "ACCELPI_DASK_SCHEDULER"


def _options(job: Job) -> tuple[int, str]:
    return check_chunks(job.options.get("chunks"), job.n), check_kernel(job.options.get("kernel"))


def _delayed_total(job: Job, chunks: int, kernel: str):
    # The tasks are pure functions, but their keys are left random (dask's default
    # pure=False): with deterministic keys a cluster can hand back a result it still
    # holds from the previous call, and a repeated timing would measure nothing.
    parts = [
        dask.delayed(count_task)(job.seed, i, start, size, kernel) for i, start, size in plan(job.n, chunks)
    ]
    return dask.delayed(sum)(parts)


# -- dask:delayed and dask:array ---------------------------------------------------


def delayed_count(job: Job) -> int:
    """``dask:delayed``: one delayed task per chunk, a delayed sum, the threaded scheduler."""
    chunks, kernel = _options(job)
    return int(_delayed_total(job, chunks, kernel).compute(scheduler="threads", num_workers=job.threads))


def array_count(job: Job) -> int:
    """``dask:array``: random blocks (or per-block counts for ``numba:fused``), then ``.sum()``."""
    chunks, kernel = _options(job)
    tasks = plan(job.n, chunks)
    if kernel == "numpy":
        largest = max(size for _, _, size in tasks)
        if largest > MAX_BLOCK:
            raise InvalidArgument(
                f"chunks={chunks}: dask:array blocks of {largest} points would hold "
                f"{16 * largest / 2**30:.1f} GiB each; use chunks >= {math.ceil(job.n / MAX_BLOCK)}"
            )
        blocks = [
            da.from_delayed(dask.delayed(block_points)(job.seed, i, size), (2, size), dtype=np.float64)
            for i, _, size in tasks
        ]
        xy = da.concatenate(blocks, axis=1)
        hits = da.count_nonzero(xy[0] * xy[0] + xy[1] * xy[1] < 1.0)
    else:
        counts = [
            da.from_delayed(dask.delayed(_count_array)(job.seed, i, start, size), (1,), dtype=np.int64)
            for i, start, size in tasks
        ]
        hits = da.concatenate(counts).sum()
    return int(hits.compute(scheduler="threads", num_workers=job.threads))


def _count_array(seed: int, index: int, start: int, size: int) -> np.ndarray:
    return np.array([count_task(seed, index, start, size, "numba:fused")], dtype=np.int64)


# -- dask:distributed ----------------------------------------------------------------

_lock = threading.Lock()
_local: dict[int, list[Any]] = {}  # workers -> [LocalCluster, client, calls in flight] this module started
_remote: dict[str, Any] = {}  # address -> client

#: What a scheduler address looks like: tcp:// (or tls://, ucx://, inproc://), a host
#: name or address ([::1] for IPv6) and, for network protocols, a port.
_ADDRESS = re.compile(r"^(tcp|tls|ucx)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}$|^inproc://\S+$")


def max_threads() -> int:
    """Every Dask backend runs at most one thread (or local worker process) per core: more
    would only queue (and a local cluster of 64 processes on 2 cores started 64 interpreters
    and failed at exit). A cluster of your own has the workers it has (``scheduler=``)."""
    return cpu_count()


def _close(entry: list[Any]) -> None:
    cluster, client, _ = entry
    client.close()
    cluster.close()


def _close_local() -> None:
    while _local:
        _close(_local.popitem()[1])


atexit.register(_close_local)


@contextlib.contextmanager
def local_client(workers: int) -> Iterator[Any]:
    """The client of this module's ``LocalCluster`` of ``workers`` processes, for one call.

    One cluster at a time: asking for another worker count closes the clusters no call is
    computing on (a concurrent call keeps its own until it returns), so that a process
    that tried several thread counts does not keep every cluster it started.
    """
    from dask.distributed import Client, LocalCluster

    with _lock:
        for count in [c for c, entry in _local.items() if c != workers and entry[2] == 0]:
            _close(_local.pop(count))
        if workers not in _local:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                # Loopback only, for the scheduler, the workers and the scheduler's HTTP
                # server (which ":0" would open on every interface), on any free port.
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",
                silence_logs=logging.ERROR,
            )
            _local[workers] = [cluster, Client(cluster, set_as_default=False), 0]
        entry = _local[workers]
        entry[2] += 1
    try:
        yield entry[1]
    finally:
        with _lock:
            entry[2] -= 1


def check_address(address: object) -> str:
    """A scheduler address as Dask takes it (``tcp://host:port``), or :class:`InvalidArgument`."""
    if not isinstance(address, str) or not _ADDRESS.match(address.strip()):
        raise InvalidArgument(
            f"scheduler={address!r} is not a Dask scheduler address; accepted: tcp://HOST:PORT "
            "(e.g. tcp://127.0.0.1:8786), tls://HOST:PORT, ucx://HOST:PORT"
        )
    return address.strip()


class PlainTextSchedulerWarning(UserWarning):
    """A scheduler beyond this machine is reached over plain TCP (use tls://)."""


_warned: set[str] = set()


def _on_this_machine(host: str) -> bool:
    host = host.strip("[]")
    try:
        if ipaddress.ip_address(host).is_loopback:
            return True
    except ValueError:
        pass  # a host name
    try:
        wanted = {info[4][0] for info in socket.getaddrinfo(host, None)}
        mine = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)}
    except OSError:
        return False
    return all(ipaddress.ip_address(a.split("%")[0]).is_loopback or a in mine for a in wanted)


def warn_if_plain_text(address: str) -> None:
    """Warn once per address when a scheduler that is not on this machine is reached over
    plain ``tcp://``: the tasks, their results and the cluster's commands cross the network
    unencrypted and unauthenticated. ``tls://`` with Dask's TLS settings avoids it."""
    protocol, _, rest = address.partition("://")
    host = rest.rsplit(":", 1)[0]
    if protocol == "tcp" and address not in _warned and not _on_this_machine(host):
        _warned.add(address)
        warnings.warn(
            f"the Dask scheduler {address} is reached over plain TCP: traffic is neither encrypted "
            "nor authenticated; use tls:// with Dask's TLS settings (see the README)",
            PlainTextSchedulerWarning,
            stacklevel=3,
        )


def remote_client(address: str, timeout: float):
    """A client connected to the scheduler at ``address``, within ``timeout`` seconds.

    A ``tls://`` address uses Dask's own TLS settings (``distributed.comm.tls.*`` in Dask's
    configuration, or the ``DASK_DISTRIBUTED__COMM__TLS__...`` variables).
    """
    from dask.distributed import Client

    warn_if_plain_text(address)
    if address.startswith("tls://"):
        from distributed.security import Security

        security = Security()  # Dask's configuration: distributed.comm.tls.*
        if not (security.tls_ca_file and security.tls_client_cert):
            raise InvalidArgument(
                f"scheduler={address!r}: a tls:// address needs Dask's TLS settings, e.g. "
                "DASK_DISTRIBUTED__COMM__TLS__CA_FILE and DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT "
                "(and ..._CLIENT__KEY); see the README"
            )
    with _lock:
        client = _remote.get(address)
        if client is not None and client.status == "running":
            return client
        try:
            client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise BackendUnavailable(
                f"cannot reach the Dask scheduler at {address} within {timeout:g} s "
                f"({type(exc).__name__}: {exc})"
            ) from None
        except Exception as exc:  # something answered, but not a scheduler (garbage frames...)
            raise BackendUnavailable(
                f"{address} answered, but not as a Dask scheduler ({type(exc).__name__}: {exc})"
            ) from None
        try:  # a scheduler without workers would take the graph and never answer
            client.wait_for_workers(1, timeout=timeout)
        except (TimeoutError, OSError) as exc:
            client.close()
            raise BackendUnavailable(
                f"the Dask scheduler at {address} has no worker (none joined within {timeout:g} s: "
                f"{type(exc).__name__}); start workers with: dask worker {address}"
            ) from None
        _remote[address] = client
        return client


def distributed_count(job: Job) -> int:
    """``dask:distributed``: the delayed graph on a local or remote cluster."""
    chunks, kernel = _options(job)
    address = job.options.get("scheduler") or os.environ.get(SCHEDULER_VARIABLE)
    timeout = job.options.get("connect_timeout", 10)
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real) or not timeout > 0:
        raise InvalidArgument(f"connect_timeout={timeout!r}: must be a positive number of seconds")
    if address:
        client = remote_client(check_address(address), float(timeout))
        return int(client.compute(_delayed_total(job, chunks, kernel)).result())
    with local_client(job.threads) as client:
        return int(client.compute(_delayed_total(job, chunks, kernel)).result())
