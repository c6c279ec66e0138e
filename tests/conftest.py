"""Fixtures and hooks shared by every test (helpers are in ``tests/helpers.py``)."""

from __future__ import annotations

import os

import pytest

import accelpi
from accelpi import registry

from .helpers import package_index_problem


def pytest_report_header(config: pytest.Config) -> list[str]:
    rows = [
        f"{i.name}: {'yes ' + (i.version or '') if i.available else 'no (' + i.reason + ')'}"
        for i in accelpi.backends()
    ]
    return ["accelpi backends: " + "; ".join(rows)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip tests marked ``network`` when the package index cannot be reached, with the
    reason; in CI (``CI`` set) they always run, so a lost index fails loudly there."""
    marked = [item for item in items if "network" in item.keywords]
    if not marked or os.environ.get("CI"):
        return
    problem = package_index_problem()
    if problem is not None:
        skip = pytest.mark.skip(reason=f"the package index is unreachable: {problem}")
        for item in marked:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _clean_registry():
    """No test sees (or leaves) a first-use failure recorded by another."""
    registry.forget_failures()
    yield
    registry.forget_failures()
