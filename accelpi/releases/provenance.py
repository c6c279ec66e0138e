"""Which exact files an environment installed: wheel file name, sha256 and origin.

An inventory's versions cannot tell two wheels of one version apart (a ``+cpu`` and a
CUDA build of torch, a rebuilt wheel with a build tag, a wheel built here from the
source distribution). :func:`distributions` records, for every distribution of an
environment:

``version``, ``wheel`` and ``sha256``
    the wheel's file name (its platform tag and build tag) and the sha256 of that file.
    For a distribution installed from the package index, pip (the environment's own, in
    ``--dry-run --report`` mode) names the file the index serves for that release and this
    interpreter, with the index's sha256; it is recorded only when that file's tags and
    build tag are the ones the installed ``WHEEL`` metadata lists (an index never serves
    two different files under one name). Otherwise the reason is recorded instead. (A pure
    Python wheel built here from the source distribution carries the same tags as the
    index's wheel: only ``content_sha256`` tells them apart, and a replay compares it.)
``origin``
    ``index`` (a package index over the network), ``local file`` (a folder of wheels or an
    index on this machine), ``url``, ``directory``, ``vcs`` (from pip's
    ``direct_url.json``), ``built from source`` (installed tags name no manylinux or
    universal platform and the index has no such wheel) or ``unknown``.
``content_sha256``
    a digest over the sha256 of every file the distribution installed (see
    :mod:`accelpi.releases.installed_files`): equal digests, identical files.

Only file names are stored, never a URL or a path: a committed result names neither this
machine's layout nor a registry's host.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from ..libraries import canonical
from ..store.records import wheel_tags
from . import pip

__all__ = ["PROBE", "classify", "distributions", "index_wheels", "probe"]

#: The script an environment's interpreter runs to describe its distributions.
PROBE = Path(__file__).with_name("installed_files.py")


def probe(python: Path | str, paths: list[Path] | None = None, timeout: float = 300) -> list[dict[str, Any]]:
    """Every distribution installed for ``python`` (or in ``paths``), described by :data:`PROBE`."""
    done = subprocess.run(
        [str(python), "-I", str(PROBE), *map(str, paths or [])],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"describing the installed files failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout)


def index_wheels(
    python: Path | str, pins: list[tuple[str, str]], timeout: float = 600
) -> dict[str, dict[str, str] | str]:
    """``{distribution: {"wheel", "sha256"}}`` that the index serves for each ``(name,
    version)`` and ``python``'s platform, or pip's reason where it serves no wheel.

    One pip call for all; when it fails, one call each, so that one release without a
    wheel does not hide the files of the others.
    """
    if not pins:
        return {}

    def read(done: subprocess.CompletedProcess) -> dict[str, dict[str, str] | str]:
        found: dict[str, dict[str, str] | str] = {}
        for item in json.loads(done.stdout)["install"]:
            info = item.get("download_info") or {}
            hashes = (info.get("archive_info") or {}).get("hashes") or {}
            name = canonical(item["metadata"]["name"])
            url = str(info.get("url", "")).split("#")[0]
            sha = hashes.get("sha256") or (_file_sha256(url) if url.startswith("file:") else None)
            if sha and url:
                found[name] = {
                    "wheel": unquote(url.rsplit("/", 1)[-1]),
                    "sha256": sha,
                    "origin": "local file" if url.startswith("file:") else "index",
                }
            else:
                found[name] = "the index gave no sha256 for this file"
        return found

    done = pip.dry_run([f"{n}=={v}" for n, v in pins], python, no_deps=True, timeout=timeout)
    if done.returncode == 0:
        return read(done)
    found: dict[str, dict[str, str] | str] = {}
    for name, version in pins:
        one = pip.dry_run([f"{name}=={version}"], python, no_deps=True, timeout=timeout)
        found.update(read(one) if one.returncode == 0 else {canonical(name): pip.reason(one)})
    return found


def _file_sha256(url: str) -> str | None:
    """sha256 of a wheel in a local folder of wheels or a local index (pip reports none)."""
    path = Path(unquote(urlparse(url).path))
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _expanded(tags: list[str]) -> set[str]:
    from packaging.tags import parse_tag

    return {str(t) for tag in tags for t in parse_tag(tag)}


def _local(direct: dict[str, Any]) -> dict[str, Any]:
    """Origin of a distribution pip installed from a direct reference (no path kept)."""
    url = str(direct.get("url", ""))
    name = url.rstrip("/").rsplit("/", 1)[-1]
    if "vcs_info" in direct:
        vcs = direct["vcs_info"]
        return {"origin": "vcs", "source": f"{vcs.get('vcs', '?')} {vcs.get('commit_id', '?')}"}
    if "dir_info" in direct:
        editable = (direct.get("dir_info") or {}).get("editable")
        return {
            "origin": "directory",
            "why": "built from a source folder" + (" (editable)" if editable else ""),
        }
    hashes = (direct.get("archive_info") or {}).get("hashes") or {}
    sha = hashes.get("sha256") or str((direct.get("archive_info") or {}).get("hash", "")).removeprefix(
        "sha256="
    )
    entry: dict[str, Any] = {"origin": "local file" if url.startswith("file:") else "url"}
    if name.endswith(".whl"):
        entry["wheel"] = name
    else:
        entry["why"] = f"built here from {name}"
    if sha:
        entry["sha256"] = sha
    return entry


def classify(found: dict[str, Any], served: dict[str, str] | str | None) -> dict[str, Any]:
    """One distribution's inventory entry, from its description (:data:`PROBE`) and what
    the index serves for its release (``None`` when the index was not asked)."""
    entry: dict[str, Any] = {
        "version": found["version"],
        "content_sha256": found.get("content_sha256"),
        "tags": sorted(_expanded(found.get("tags") or [])),
    }
    if found.get("build"):
        entry["build"] = found["build"]
    if found.get("direct_url"):
        return {**entry, **_local(found["direct_url"])}
    installed = set(entry["tags"])
    own_platform = any(t.split("-")[-1].startswith("linux_") for t in installed)
    if isinstance(served, dict):
        tags, build = wheel_tags(served["wheel"])
        if tags == installed and build == found.get("build"):
            origin = served.get("origin", "index")
            return {**entry, "origin": origin, "wheel": served["wheel"], "sha256": served["sha256"]}
        why = f"the index now serves {served['wheel']} for this release, not a wheel with the installed tags"
    else:
        why = served or "the index was not asked"
    origin = "built from source" if own_platform else "unknown"
    return {**entry, "origin": origin, "why": why}


def distributions(python: Path | str, ask_index: bool = True) -> dict[str, dict[str, Any]]:
    """``{distribution: entry}`` for every distribution installed for ``python`` (see the
    module's text); ``ask_index=False`` records what the environment itself says only."""
    found = {canonical(d["name"]): d for d in probe(python)}
    from_index = [(name, d["version"]) for name, d in found.items() if not d.get("direct_url")]
    served = index_wheels(python, from_index) if ask_index else {}
    return {name: classify(d, served.get(name)) for name, d in sorted(found.items())}
