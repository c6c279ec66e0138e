"""The shapes of accelpi's records, checked where they are read (JSON Schema, with jsonschema).

A record of the right syntax and the wrong shape (a version that is a list, a name holding
markup, a number where an object belongs) is refused where it is read, with the path of the
first field that is wrong, and the report goes on without it (skipped, named, counted), as
for a file that is not JSON at all.
"""

from __future__ import annotations

from functools import cache
from typing import Any

__all__ = ["CAMPAIGN", "GATE_RUN", "INVENTORY", "check"]

_NAME = {"type": "string", "maxLength": 300}
_VERSIONISH = {"type": ["string", "null"], "maxLength": 200}
_HASH = {"type": "string", "pattern": "^[0-9a-f]{4,64}$"}
_WHEN = {"type": "string", "maxLength": 40}

#: An inventory (``*.versions``): what one asv environment installed.
INVENTORY: dict[str, Any] = {
    "type": "object",
    "required": ["env_name", "environment"],
    "properties": {
        "swept": {"type": ["string", "null"], "maxLength": 200},
        "env_name": _NAME,
        "requested": {"type": "object", "additionalProperties": _VERSIONISH},
        "env_vars": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 500}},
        "commit": _HASH,
        "campaign": {"type": "string", "maxLength": 120},
        "recorded_at": _WHEN,
        "sweep_seconds": {"type": ["number", "null"]},
        "disk_bytes": {"type": "number"},
        "first_use": {"type": "object", "additionalProperties": {"type": "string"}},
        "project": _NAME,
        "project_build": {"type": "string"},
        "bench": {"type": "array", "items": {"type": "string", "maxLength": 1000}},
        # another project's builds: what each build command installed into its isolated environment
        "build_environment": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["command", "installed"],
                "properties": {
                    "command": {"type": "integer", "minimum": 1, "maximum": 1000},
                    "installed": {"type": "object", "additionalProperties": _VERSIONISH},
                },
            },
        },
        "environment": {
            "type": "object",
            "properties": {
                "libraries": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "properties": {"distribution": _NAME, "version": {"type": ["string", "number"]}},
                    },
                }
            },
        },
        "distributions": {"type": "object"},
        "backends": {"type": ["array", "object"]},
    },
}

#: A campaign's record (``*.campaign``).
CAMPAIGN: dict[str, Any] = {
    "type": "object",
    "required": ["id", "commit", "machine", "started", "ended"],
    "properties": {
        "id": {"type": "string", "pattern": r"^[a-z0-9][a-z0-9.-]{0,80}-\d{8}T\d{6}Z$"},
        "library": _NAME,
        "builds": {"type": "array", "items": _NAME},
        "releases": {"type": "array", "items": {"type": "string", "maxLength": 100}},
        "commit": _HASH,
        "machine": _NAME,
        "fingerprint": {"type": "object"},
        "started": _WHEN,
        "ended": _WHEN,
        "seconds": {"type": "number"},
        "passes": {"type": "integer", "minimum": 1},
        "environments": {"type": "array", "items": _NAME},
        "calibration": {"type": "object", "properties": {"change": {"type": "number"}}},
        "project": {
            "type": "object",
            "properties": {
                "name": _NAME,
                "distribution": _NAME,
                "commit": _HASH,
                "asv_config": {"type": "object"},
            },
        },
        "not_built": {"type": "object", "additionalProperties": {"type": "string"}},
        "failed": {"type": "object", "additionalProperties": {"type": "array", "items": _NAME}},
        "why_failed": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": {"type": "string", "maxLength": 1000},
            },
        },
        # environment -> benchmark -> per parameter combination, the samples each process gave
        "processes": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": {
                    "type": "array",
                    "items": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 10**6}},
                },
            },
        },
    },
}

_NUMBER = {"type": "number", "minimum": -1e300, "maximum": 1e300}
_NUMBER_OR_NONE = {"type": ["number", "null"], "minimum": -1e300, "maximum": 1e300}
_LINK = {"type": "string", "maxLength": 500, "pattern": r'^https://[^\s"<>]+$'}

#: A recorded run of the pull-request gate (``gate-*.json``, ``accelpi gate --record``).
GATE_RUN: dict[str, Any] = {
    "type": "object",
    "required": ["base", "head", "factor", "rows", "recorded", "exit_code", "seconds"],
    "properties": {
        "base": {"type": "string", "maxLength": 64},
        "head": {"type": "string", "maxLength": 64},
        "machine": {"type": ["string", "null"], "maxLength": 300},
        "factor": {"type": "number", "minimum": 1, "maximum": 1e6},
        "recorded": _WHEN,
        "exit_code": {"type": "integer", "minimum": -1000, "maximum": 1000},
        "seconds": {"type": "number", "minimum": 0, "maximum": 1e9},
        "noisiest": {"type": ["object", "null"], "properties": {"noise": _NUMBER_OR_NONE}},
        "failed": {"type": "array", "items": {"type": "string", "maxLength": 1000}, "maxItems": 100000},
        "pull_request": {"type": "integer", "minimum": 1, "maximum": 10**9},
        "run_url": _LINK,
        "pull_request_url": _LINK,
        "rows": {
            "type": "array",
            "maxItems": 100000,
            "items": {
                "type": "object",
                "required": ["benchmark", "base", "head", "unit", "ratio", "verdict"],
                "properties": {
                    "benchmark": {"type": "string", "maxLength": 1000},
                    "base": _NUMBER,
                    "head": _NUMBER,
                    "unit": {"type": "string", "maxLength": 100},
                    "ratio": _NUMBER_OR_NONE,
                    "verdict": {"enum": ["", "slower", "faster", "same", "undecided"]},
                    "test": {"type": "string", "maxLength": 2000},
                    "noise": _NUMBER_OR_NONE,
                    "outcome": {"enum": ["slower", "faster", "same", "undecided", "untested"]},
                    "low": _NUMBER_OR_NONE,
                    "high": _NUMBER_OR_NONE,
                },
            },
        },
    },
}


@cache
def _validator(kind: str) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator({"inventory": INVENTORY, "campaign": CAMPAIGN, "gate run": GATE_RUN}[kind])


def check(record: Any, kind: str) -> None:
    """Raise ``ValueError`` naming the first field of ``record`` that does not have the shape
    of a ``kind`` record (``"inventory"``, ``"campaign"`` or ``"gate run"``)."""
    from jsonschema.exceptions import best_match

    error = best_match(_validator(kind).iter_errors(record))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "the record"
        message = error.message if len(error.message) <= 160 else error.message[:157] + "..."
        article = "an" if kind[0] in "aeiou" else "a"
        raise ValueError(f"not {article} {kind} record: {where}: {message}")
