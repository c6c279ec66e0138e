"""Print, as JSON, what each installed distribution of an environment is made of.

Run by path with an environment's own interpreter (``python -I installed_files.py``): it
imports the standard library only, so it runs in any environment, whatever release of
accelpi that environment holds. :mod:`accelpi.releases.provenance` reads its output.

For every distribution it prints the name and version, the wheel tags and build tag of
the wheel it was installed from (the dist-info ``WHEEL`` file), pip's ``direct_url.json``
(present when it came from a local file, a URL, a directory or a VCS, absent for the
package index), and ``content_sha256``: one digest over the sha256 of every installed
file that ``RECORD`` hashes, left out the files an installer writes itself (scripts in
``bin/`` carry the environment's path, ``.pyc`` files are not hashed, and ``RECORD``,
``INSTALLER``, ``REQUESTED``, ``direct_url.json`` describe the installation). Two
environments whose digests agree hold byte-identical files of that distribution.

Arguments, if any, are folders to look in instead of the interpreter's ``sys.path``.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from importlib import metadata

#: dist-info files an installer writes or rewrites: not part of the wheel's content.
INSTALLER_FILES = frozenset({"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"})


def _field(text: str, key: str) -> list[str]:
    return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith(key + ":")]


def describe(dist: metadata.Distribution) -> dict:
    """One distribution's name, version, wheel tags, origin record and content digest."""
    digest = hashlib.sha256()
    hashed = 0
    for file in sorted(dist.files or [], key=str):
        path = str(file).replace("\\", "/")
        if file.hash is None or path.startswith("../"):
            continue
        if ".dist-info/" in path and path.rsplit("/", 1)[-1] in INSTALLER_FILES:
            continue
        digest.update(f"{path},{file.hash.mode}={file.hash.value}\n".encode())
        hashed += 1
    wheel = dist.read_text("WHEEL") or ""
    direct = dist.read_text("direct_url.json")
    try:
        direct_url = json.loads(direct) if direct else None
    except ValueError:
        direct_url = {"unreadable": direct[:200]}
    return {
        "name": dist.metadata["Name"],
        "version": dist.version,
        "tags": _field(wheel, "Tag"),
        "build": (_field(wheel, "Build") or [None])[0],
        "installer": (dist.read_text("INSTALLER") or "").strip() or None,
        "direct_url": direct_url,
        "content_sha256": digest.hexdigest() if hashed else None,
        "files_hashed": hashed,
    }


def main(paths: list[str]) -> None:
    found = metadata.distributions(path=paths) if paths else metadata.distributions()
    seen = set()
    described = []
    for dist in found:
        name = re.sub(r"[-_.]+", "-", dist.metadata["Name"] or "").lower()
        if not name or name in seen:  # the first on the path is the one imported
            continue
        seen.add(name)
        described.append(describe(dist))
    json.dump(sorted(described, key=lambda d: d["name"].lower()), sys.stdout, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
