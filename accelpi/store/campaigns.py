"""Campaign records: which releases were measured together, when, where and how.

A campaign is one experiment: several releases (and switches) of one library, measured on
one accelpi commit, on one host, in asv runs whose rounds alternate over all of their
environments (:mod:`accelpi.releases.campaign` runs them). Its results live in a folder of
their own, ``sweeps/MACHINE/CAMPAIGN-ID/`` (asv reads result folders recursively, each
with its ``machine.json``), beside one record, ``CAMPAIGN-ID.campaign``: the releases,
commit, start and end, the host's fingerprint, the order of the environments in each pass
as asv ran them, and the host's calibration before, between and after the passes.

Reports compare two releases only when both come from one campaign
(:func:`accelpi.store.series.collect` tells each point's campaign).
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import asvcompat
from .files import read_text, write_atomically
from .schemas import check

__all__ = [
    "CAMPAIGN_SUFFIX",
    "campaign_id",
    "check_listing",
    "load_campaigns",
    "publish_results",
    "read_campaign",
    "write_campaign",
]

#: The record of a campaign, in its folder (not ``.json``: asv reads those as results).
CAMPAIGN_SUFFIX = ".campaign"


def campaign_id(library: str, when: float | None = None) -> str:
    """``numba-20261130T051200Z``: the library and the campaign's start, in UTC."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if when is None else when))
    return f"{re.sub(r'[^a-z0-9.-]+', '-', library.lower())}-{stamp}"


def write_campaign(folder: Path, record: dict[str, Any]) -> Path:
    """Store a campaign's record in its folder; returns the file."""
    path = folder / f"{record['id']}{CAMPAIGN_SUFFIX}"
    write_atomically(path, json.dumps(record, indent=1, sort_keys=True))
    return path


def read_campaign(path: Path) -> dict[str, Any]:
    """One campaign record, checked for shape; raises ``ValueError`` saying what is wrong."""
    try:
        record = json.loads(read_text(path))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"not a JSON text ({type(exc).__name__})") from None
    if not isinstance(record, dict):
        raise ValueError(f"a JSON {type(record).__name__}, not a campaign record (an object)")
    check(record, "campaign")
    return record


def load_campaigns(
    results_dir: str | Path, skipped: list[dict[str, str]] | None = None
) -> dict[str, dict[str, Any]]:
    """Every campaign record under ``results_dir``: ``{id: record}``, with ``folder`` added.

    An unreadable record is left out and named in ``skipped`` when a list is given; its
    results then belong to no campaign, and are compared with nothing.
    """
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(Path(results_dir).glob(f"**/*{CAMPAIGN_SUFFIX}")):
        try:
            record = read_campaign(path)
        except (OSError, ValueError) as exc:
            if skipped is not None:
                skipped.append({"file": str(path), "why": str(exc)})
            continue
        found[record["id"]] = {**record, "folder": str(path.parent)}
    return found


def check_listing(results_dir: Path) -> None:
    """Refuse a results folder whose benchmark listing cannot be read, before anything is
    measured: publishing merges into it, and a campaign is published whole or not at all."""
    from ..errors import InvalidArgument

    path = Path(results_dir) / "benchmarks.json"
    if path.exists() or path.is_symlink():
        try:
            asvcompat.read_listing(path)
        except (OSError, ValueError) as exc:
            raise InvalidArgument(f"{path} cannot be read ({exc}); move it away or repair it") from None


def publish_results(staged: Path, results_dir: Path, machine: str, ident: str) -> Path:
    """Move a finished campaign's results and inventories from asv's staging folder into
    ``results_dir/MACHINE/ID/`` (the layout :func:`load_campaigns` and the series read); the
    benchmark listing is merged into the results folder's own."""
    source = staged / machine
    folder = results_dir / machine / ident
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.iterdir()) if source.is_dir() else []:
        if path.suffix in (".json", ".versions"):
            shutil.copy2(path, folder / path.name)
    if not (results_dir / machine / "machine.json").exists() and (source / "machine.json").exists():
        shutil.copy2(source / "machine.json", results_dir / machine / "machine.json")
    listing = staged / "benchmarks.json"
    if listing.exists():
        merged = asvcompat.merge_benchmarks(results_dir / "benchmarks.json", listing)
        write_atomically(results_dir / "benchmarks.json", merged)
    return folder


@contextmanager
def listing_kept(results_dir: Path) -> Iterator[None]:
    """Around an asv run that writes into ``results_dir`` itself (a replay): asv rewrites
    ``benchmarks.json`` with the measured commit's benchmarks only, which would leave the other
    results unreadable; the benchmarks listed before stay listed (the run's definitions win).
    A listing that cannot be read is refused before anything runs."""
    check_listing(results_dir)
    path = Path(results_dir) / "benchmarks.json"
    before = asvcompat.read_listing(path) if path.exists() else None
    try:
        yield
    finally:
        if before is not None:
            after = asvcompat.read_listing(path) if path.exists() else {}
            write_atomically(path, asvcompat.listing_text({**before, **after}))


def keep_committed_listing(results_dir: Path, repo: Path) -> list[str]:
    """After ``asv run`` into a committed results folder: list again the benchmarks its
    committed ``benchmarks.json`` lists and the run dropped (asv lists only what it discovered
    on this machine: ``GpuThroughput`` only where a GPU is, so a CPU host's run would make the GPU
    machine's results unreadable). Returns their names. ``make bench`` and the publishing
    workflow call it after asv."""
    import tempfile

    from . import git

    path = Path(results_dir) / "benchmarks.json"
    root = git.toplevel(Path(repo))
    committed = git.show(root, git.head(root), path.resolve().relative_to(root).as_posix()) if root else None
    if not committed or not path.exists():
        return []
    with tempfile.TemporaryDirectory() as scratch:
        before = Path(scratch) / "benchmarks.json"
        before.write_text(committed)
        dropped = sorted(set(asvcompat.read_listing(before)) - set(asvcompat.read_listing(path)))
        if dropped:
            write_atomically(path, asvcompat.merge_benchmarks(before, path))
    return dropped
