"""Moments as every record writes them: UTC, to the second, ``2026-12-06T16:05:44Z``."""

from __future__ import annotations

import calendar
import time

__all__ = ["UTC_FORMAT", "parse_utc", "utc"]

#: The one format of every moment accelpi records (campaigns, inventories, gate runs, choices).
UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc(when: float | None = None) -> str:
    """``when`` (seconds since the epoch; default: now) as a recorded moment."""
    return time.strftime(UTC_FORMAT, time.gmtime(time.time() if when is None else when))


def parse_utc(text: str) -> float:
    """A recorded moment back in seconds since the epoch; ``ValueError`` if it is not one."""
    return float(calendar.timegm(time.strptime(text, UTC_FORMAT)))
