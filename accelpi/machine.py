"""Facts about this machine that every layer needs (a leaf module: it imports nothing of accelpi).

:func:`cpu_count` is what the estimator's threads default to. :func:`fingerprint` is what a
result is filed under: machines of one class are not one CPU (AMD EPYC with and without
AVX-512, Intel Xeon), and the same workload runs at a quarter of the speed on one of them,
so a result names the CPU it ran on, and the asv machine name is derived from that
(:func:`machine_name`), never typed by hand: two CPUs never share a machine or a series.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
from pathlib import Path
from typing import Any

__all__ = ["asv_machine_info", "cpu_count", "fingerprint", "machine_name"]


def cpu_count() -> int:
    """Cores this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _cpuinfo_fields(text: str) -> dict[str, str]:
    """The first processor's fields of ``/proc/cpuinfo`` (every core of a host is alike here)."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            if fields:
                break
            continue
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip(), value.strip())
    return fields


def cache_dir() -> Path:
    """accelpi's cache folder on this host: ``$ACCELPI_CACHE_DIR``, else the user's cache
    folder's ``accelpi`` (the formulation chosen per CPU, the C anchor's builds, the
    measuring lock)."""
    base = os.environ.get("ACCELPI_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "accelpi"
    )
    return Path(base)


def cpu_fields(cpuinfo: str | None = None) -> dict[str, str]:
    """This host's CPU as ``/proc/cpuinfo`` describes its first processor (``model name``,
    ``flags``, ...; empty where there is no such file): the one reader of it."""
    return _cpuinfo_fields(_read("/proc/cpuinfo") if cpuinfo is None else cpuinfo)


def _memory_gib(meminfo: str) -> int | None:
    match = re.search(r"^MemTotal:\s+(\d+)\s*kB", meminfo, re.M)
    return round(int(match[1]) / 2**20) if match else None


#: Vector extensions named in the fingerprint's summary (the digest covers every flag).
VECTOR_FLAGS = ("avx2", "avx512f", "avx512ifma", "avx512_fp16", "amx_tile", "fma", "sve", "asimd")


def fingerprint(cpuinfo: str | None = None, meminfo: str | None = None) -> dict[str, Any]:
    """What identifies this host's speed: CPU vendor, model, family, model number and
    stepping, a digest of every CPU flag, usable cores, memory, architecture and kernel.

    ``digest`` is a short sha256 over all of them: two hosts with the same digest have the
    same CPU, cores, memory and kernel; any difference gives another digest. ``cpuinfo``
    and ``meminfo`` are the text of ``/proc/cpuinfo`` and ``/proc/meminfo`` (read here by
    default; on a system without them the model comes from :mod:`platform`).
    """
    fields = cpu_fields(cpuinfo)
    flags = sorted(set((fields.get("flags") or fields.get("Features") or "").split()))
    facts: dict[str, Any] = {
        "vendor": fields.get("vendor_id") or fields.get("CPU implementer") or platform.machine(),
        "model_name": fields.get("model name") or platform.processor() or platform.machine(),
        "family": fields.get("cpu family") or fields.get("CPU architecture") or "",
        "model": fields.get("model") or fields.get("CPU part") or "",
        "stepping": fields.get("stepping") or fields.get("CPU revision") or "",
        "flags_digest": hashlib.sha256(" ".join(flags).encode()).hexdigest()[:12],
        "vector": [flag for flag in VECTOR_FLAGS if flag in flags],
        "cores": cpu_count(),
        "memory_gib": _memory_gib(_read("/proc/meminfo") if meminfo is None else meminfo),
        "arch": platform.machine(),
        "os": platform.system(),
        "kernel": platform.release(),
    }
    canonical = json.dumps(facts, sort_keys=True, separators=(",", ":"))
    return {**facts, "digest": hashlib.sha256(canonical.encode()).hexdigest()[:8]}


def _slug(model_name: str) -> str:
    words = re.sub(r"\((?:R|TM|tm|r)\)|\bCPU\b|\bProcessor\b|@.*$|\bwith\b.*$", " ", model_name)
    slug = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")
    return slug[:32].strip("-") or "cpu"


def machine_name(facts: dict[str, Any] | None = None) -> str:
    """The asv machine name of a fingerprint (this host's by default):
    ``amd-epyc-2c-1f0c3a9e`` (the CPU model, the cores, the fingerprint's digest)."""
    facts = facts or fingerprint()
    return f"{_slug(facts['model_name'])}-{facts['cores']}c-{facts['digest']}"


def asv_machine_info(facts: dict[str, Any] | None = None) -> dict[str, str]:
    """The fields of asv's machine file (``~/.asv-machine.json``) for a fingerprint: asv
    copies them into every result, so each result names its CPU, flags and kernel."""
    facts = facts or fingerprint()
    vector = ", ".join(facts["vector"]) or "no vector extension named"
    cpu = (
        f"{facts['model_name']} (vendor {facts['vendor']}, family {facts['family']} model "
        f"{facts['model']} stepping {facts['stepping']}; {vector}; flags {facts['flags_digest']}; "
        f"fingerprint {facts['digest']})"
    )
    return {
        "machine": machine_name(facts),
        "arch": facts["arch"],
        "cpu": cpu,
        "num_cpu": str(facts["cores"]),
        "os": f"{facts['os']} {facts['kernel']}",
        "ram": f"{facts['memory_gib']}GB" if facts["memory_gib"] else "",
    }
