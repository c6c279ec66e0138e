"""Requirements as a project states them: its dependencies, its asv matrix, and the pins made of them.

Everything here refuses what would make pip fetch, build or run something the campaign did not
choose: a direct reference (``name @ URL``), a path or URL as a matrix key, a matrix version that
is not a version or a specifier.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import InvalidArgument, shown
from ..libraries import canonical

__all__ = ["applicable", "matrix_name", "matrix_version", "name_of", "pin"]


def applicable(declared: list[Any], what: str) -> list[str]:
    """Requirements whose markers hold for this Python, written without the marker (pip
    reads a marker on the command line, but accelpi's pins never carry one); a direct
    reference (``name @ URL``) cannot be pinned to a release and is refused."""
    from packaging.requirements import InvalidRequirement, Requirement

    kept = []
    for text in declared:
        try:
            req = Requirement(str(text))
        except InvalidRequirement:
            raise InvalidArgument(
                f"the project declares {what} {shown(str(text))}, which is not a requirement"
            ) from None
        if req.url:
            raise InvalidArgument(
                f"the project declares {what} {shown(str(text))}: a direct reference cannot be resolved "
                "with a release of another library"
            )
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
        kept.append(f"{req.name}{extras}{req.specifier}")
    return kept


def matrix_name(root: Any, key: Any) -> str:
    """A matrix key as a distribution name; a path or a URL (which pip would build, running
    its code, even for a dry run) is refused, as direct references in pyproject.toml are."""
    name = str(key).removeprefix("pip+")
    if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?", name):
        raise InvalidArgument(
            f"--project {root}: its matrix names {shown(str(key))}, which is not a distribution's "
            "name; paths and URLs are refused (pip would build them, running their code)"
        )
    return canonical(name)


def matrix_version(root: Any, key: Any, version: str) -> str:
    """A matrix value as asv reads it (a version, a specifier, or empty for the newest),
    never anything pip would read as an option or a location."""
    from packaging.requirements import InvalidRequirement, Requirement

    if version:
        try:
            req = Requirement(pin("x", version))
        except InvalidRequirement:
            req = None
        if req is None or req.url or req.marker is not None:
            raise InvalidArgument(
                f"--project {root}: its matrix gives {shown(str(key))} the version {shown(version)}; "
                "accepted: a version (2.2.6), a specifier (>=2.2) or nothing (the newest)"
            )
    return version


def name_of(requirement: str) -> str:
    return canonical(re.split(r"[\[=<>!~ ]", requirement, maxsplit=1)[0])


def pin(name: str, version: str) -> str:
    """asv's matrix version as a requirement: ``"2.2"`` is ``==2.2``; a specifier stays one."""
    return f"{name}{version}" if version[:1] in "<>=!~" else f"{name}=={version}"
