"""Shared fixtures: the backend axis read from the registry, and registry hygiene."""

from __future__ import annotations

import pytest

import accelpi
from accelpi import registry


def pytest_report_header(config: pytest.Config) -> list[str]:
    rows = [
        f"{i.name}: {'yes ' + (i.version or '') if i.available else 'no (' + i.reason + ')'}"
        for i in accelpi.backends()
    ]
    return ["accelpi backends: " + "; ".join(rows)]


@pytest.fixture(autouse=True)
def _clean_registry():
    """No test sees (or leaves) a first-use failure recorded by another."""
    registry.forget_failures()
    yield
    registry.forget_failures()


def require(name: str) -> None:
    """Skip the calling test, with the registry's reason, when ``name`` cannot run here."""
    info = registry.info(name)
    if not info.available:
        pytest.skip(f"{name} unavailable: {info.reason}")


def cpu_backends() -> list[str]:
    """Every registered backend that can run on a CPU (available here or not)."""
    return [name for name in registry.names() if "cpu" in registry.spec(name).devices]


def threaded_backends() -> list[str]:
    """Backends whose ``threads`` argument changes how many threads do the work."""
    return [name for name in cpu_backends() if registry.spec(name).threads in ("pool", "library")]


def chunk_of(name: str) -> int | None:
    """Samples per chunk of a backend on the CPU (``None``: not chunked)."""
    info = registry.info(name)
    if not info.available:
        return None
    chunk = getattr(registry.load(name).module, "CHUNK", None)
    return chunk["cpu"] if isinstance(chunk, dict) else chunk
