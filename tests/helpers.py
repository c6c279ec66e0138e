"""Helpers the tests share (fixtures live in conftest.py; everything else is here)."""

from __future__ import annotations

import functools
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from accelpi import registry

#: The repository's root folder.
ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def committed_report() -> dict:
    """``accelpi versions --json`` of the committed sweeps (built once per test session: the
    tests that read it must not change it)."""
    from accelpi.reports.report import release_report
    from accelpi.store import SWEEP_RESULTS

    return release_report(ROOT / SWEEP_RESULTS)


def script(name: str):
    """``scripts/NAME.py`` imported as a module (the scripts are not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def require(name: str) -> None:
    """Skip the calling test, with the registry's reason, when ``name`` cannot run here."""
    info = registry.info(name)
    if not info.available:
        pytest.skip(f"{name} unavailable: {info.reason}")


def cpu_backends() -> list[str]:
    """Every registered backend that can run on a CPU (available here or not)."""
    return [name for name in registry.names() if "cpu" in registry.spec(name).devices]


def threaded_backends() -> list[str]:
    """Backends whose ``threads`` argument changes how many threads do the work on the CPU."""
    return [name for name in registry.names() if registry.spec(name).scales]


def chunk_of(name: str) -> int | None:
    """Samples per chunk of a backend on the CPU (``None``: not chunked)."""
    info = registry.info(name)
    if not info.available:
        return None
    chunk = getattr(registry.load(name).module, "CHUNK", None)
    return chunk["cpu"] if isinstance(chunk, dict) else chunk


@functools.cache
def package_index_problem() -> str | None:
    """Why the package index cannot be reached from here (``None`` when it can).

    Asks pip itself, with the index this machine is configured for, so that no address
    is written here.
    """
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "index",
                "versions",
                "packaging",
                "--timeout",
                "10",
                "--retries",
                "0",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        return "pip did not answer within 60 s"
    if done.returncode != 0 or "Available versions" not in done.stdout:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return lines[-1] if lines else f"pip exited {done.returncode}"
    return None
