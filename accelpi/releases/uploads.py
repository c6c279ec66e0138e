"""When a release reached the package index, asked through pip.

pip is asked, not an index's own API, so that a user's index configuration holds (its index
URL, extra indexes, a proxy, credentials). pip tells no upload time, but it filters by one:
``pip index versions NAME --uploaded-prior-to TIME`` lists only the releases with a file
uploaded before ``TIME`` that this interpreter could install. A release's upload time is
therefore found by bisection over ``TIME``: going back from now in doubling steps until the
release is no longer listed, then halving the interval until it is within
:data:`PRECISION`. What this finds is the first moment pip here could have installed the
release (a wheel for another platform uploaded earlier does not count), which is the moment a
radar could have seen it.

An index that gives no upload times (a folder of wheels, a mirror without PEP 700's
``upload-time``) lists its files whatever ``TIME`` says: such a release is listed even before
:data:`EARLIEST`, and its upload time is ``None`` (not known), never a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ..timestamps import UTC_FORMAT
from . import pip

__all__ = ["EARLIEST", "PRECISION", "iso", "upload_times"]

#: Before any release of a library this suite tracks: a release pip lists this early is
#: listed whatever the time asked, so its index gives no upload time.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)

#: How close the bisection brings an upload time.
PRECISION = timedelta(minutes=1)

#: The first step back from now.
FIRST_STEP = timedelta(hours=1)


def iso(moment: datetime) -> str:
    """``2026-12-06T13:05:00Z``: the form every record of the radar uses (UTC, seconds)."""
    return moment.astimezone(UTC).strftime(UTC_FORMAT)


def upload_times(
    distribution: str,
    releases: list[str],
    now: datetime | None = None,
    pre: bool = False,
    listed: Callable[[str | None], set[str]] | None = None,
) -> dict[str, datetime | None]:
    """When each of ``releases`` was first installable here from the package index, to
    :data:`PRECISION` (the end of the whole minute it became installable in: uploaded before
    it, not before its start; the same answer whenever it is asked);
    ``None`` where the index gives no upload time.

    Parameters
    ----------
    distribution : str
        As the index spells it (``numba``, ``tensorflow-cpu``).
    releases : list of str
        Releases the index lists now.
    now : datetime, optional
        The moment they are all listed (default: now).
    pre : bool
        Pre-releases among them (pip lists them only with ``--pre``).
    listed : callable, optional
        ``listed(before)``: the releases listed before an ISO 8601 time (``None``: now);
        default :func:`accelpi.releases.pip.index_listing`. Each distinct time is asked once.
    """
    # whole minutes throughout, so that every run finds the same answer (the end of the
    # minute the release became installable in), not one that moves with the moment it ran
    now = now or datetime.now(UTC)
    now = now.replace(second=0, microsecond=0) + (PRECISION if now.second or now.microsecond else timedelta())
    asked: dict[str | None, set[str]] = {}

    def at(moment: datetime | None) -> set[str]:
        key = None if moment is None else iso(moment)
        if key not in asked:
            asked[key] = listed(key) if listed else set(pip.index_listing(distribution, before=key, pre=pre))
        return asked[key]

    undated = at(EARLIEST)
    found: dict[str, datetime | None] = {}
    for release in releases:
        if release in undated:
            found[release] = None
            continue
        late, step = now, FIRST_STEP
        early = late - step
        while release in at(early):  # back in doubling steps until it is not listed yet
            late, step = early, step * 2
            early = max(late - step, EARLIEST)
        while late - early > PRECISION:
            middle = early + PRECISION * ((late - early) // PRECISION // 2)
            if release in at(middle):
                late = middle
            else:
                early = middle
        found[release] = late
    return found
