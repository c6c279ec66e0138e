"""The processes a measurement starts, stopped with it: asv, and everything asv starts.

asv runs each child (pip, the benchmark server, each benchmark) in a process group of its own,
so stopping asv's group leaves the benchmark running, orphaned, beside the next campaign. Here:

* :func:`die_with_parent`, given to ``subprocess.Popen(preexec_fn=...)``: the child is killed
  when accelpi dies, even by ``SIGKILL`` (Linux's ``PR_SET_PDEATHSIG``; elsewhere nothing);
* :func:`stop_tree`: a process and all its descendants, found through ``/proc`` whatever their
  process group, killed until none is left.

``accelpi``'s command line turns ``SIGTERM`` and ``SIGHUP`` into an interruption (as Ctrl-C is),
so that the code holding a child stops it, and the measuring lock is let go only then.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

__all__ = ["descendants", "die_with_parent", "stop_tree"]

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In a child, before it runs its program: ask the kernel to kill it when its parent dies."""
    with contextlib.suppress(Exception):  # not Linux, no libc: the child just outlives us
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def descendants(pid: int) -> list[int]:
    """Every living descendant of ``pid`` (children first), from ``/proc`` (Linux; elsewhere
    none)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # gone meanwhile
        fields = text[text.rfind(")") + 2 :].split()  # after "pid (name) "; the name may hold spaces
        if len(fields) > 1:
            parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def stop_tree(process: subprocess.Popen, attempts: int = 5) -> None:
    """Kill ``process`` and every process it started, then reap it."""
    for _ in range(attempts):
        tree = descendants(process.pid)
        for pid in [process.pid, *tree] if process.poll() is None else tree:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        if not tree:
            break
        time.sleep(0.05)  # a fork between listing and killing is caught by the next round
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
