"""What every benchmark shares: the backend axis, skipping, sizes, and the pin check.

Rules (after scipy's ``benchmarks/README.rst``):

* ``params`` never depend on what is installed. The backend axis is the registry of the
  accelpi source next to this suite (read from ``accelpi/registry.py`` without importing
  it), so every benchmark has the same parameters in every environment and commit.
* A backend that cannot run (library missing, no GPU, not yet written at an old commit)
  is skipped in ``setup`` by raising ``NotImplementedError`` with the reason.
* First calls (compilation) never land in a ``time_`` benchmark: ``setup`` warms up.
* ``ACCELPI_BENCH_QUICK=1`` shrinks every size to a few thousand samples, for the test
  suite's self-test (whose results are never saved).
"""

from __future__ import annotations

import ast
import glob
import importlib.metadata
import json
import os
import re
import shutil
from pathlib import Path

try:  # an old commit may predate the package; its benchmarks then skip
    import accelpi
except ImportError as exc:  # pragma: no cover - depends on the commit under test
    accelpi = None
    _IMPORT_ERROR = f"accelpi does not import at this commit: {exc}"

from . import planted  # noqa: F401  (the gate's A/B hook: inert unless a commit plants a slowdown)

QUICK = os.environ.get("ACCELPI_BENCH_QUICK", "") not in ("", "0")
QUICK_N = 4096


def _registry_specs() -> list[dict]:
    """``Spec(...)`` entries of ``accelpi/registry.py``, read without importing accelpi.

    Each entry is its name plus its literal keywords (``threads``, ``scaling``...), in the
    registry's order. The suite reads the source next to it rather than the installed
    package because asv runs this one suite against every commit: its parameters must
    be the same in every environment and at every commit.
    """
    source = Path(__file__).resolve().parents[1] / "accelpi" / "registry.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    table = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.AnnAssign | ast.Assign) and "_SPECS" in ast.unparse(node)
    )
    specs = []
    for call in table.elts:
        if isinstance(call, ast.Call) and call.args and isinstance(call.args[0], ast.Constant):
            entry = {"name": call.args[0].value}
            for keyword in call.keywords:
                if isinstance(keyword.value, ast.Constant):
                    entry[keyword.arg] = keyword.value.value
            specs.append(entry)
    return specs


_SPECS = _registry_specs()

#: Every registered backend: the benchmarks' backend axis.
BACKENDS = [spec["name"] for spec in _SPECS]

#: Backends of thread-scaling studies: the registry's thread model says which
#: (``accelpi.registry.scaling_backends()``, read from source as above).
THREADED = [
    spec["name"]
    for spec in _SPECS
    if spec.get("threads") in ("pool", "library") and spec.get("scaling", True)
]


def size(n: int) -> int:
    """``n``, or a few thousand samples in quick mode."""
    return min(n, QUICK_N) if QUICK else n


def available(backend: str, device: str | None = None) -> None:
    """Raise ``NotImplementedError`` (asv's skip) unless ``backend`` runs here.

    Parameters
    ----------
    backend : str
        A registry name.
    device : str, optional
        Also require this device (``"cpu"`` or ``"cuda"``).
    """
    if accelpi is None:
        raise NotImplementedError(_IMPORT_ERROR)
    from accelpi import registry

    if backend not in registry.names():
        raise NotImplementedError(f"{backend} does not exist at this commit")
    if device is not None and device not in registry.spec(backend).devices:
        raise NotImplementedError(f"{backend} never runs on {device}")
    info = registry.info(backend)  # imports this backend's library only
    if not info.available:
        raise NotImplementedError(f"{backend} unavailable: {info.reason}")
    if device is not None and device not in info.devices:
        raise NotImplementedError(f"{backend} has no {device} device here: {info.reason}")


def warm_up(backend: str, n: int = 10_000, **kwargs) -> None:
    """Run an estimate so that imports and JIT compilation happen before timing.

    Pass the timed ``n``: compiled backends build one kernel per chunk size.
    """
    accelpi.estimate(n, backend, seed=0, **kwargs)


# -- shared settings ---------------------------------------------------------------


class Benchmark:
    """Settings every benchmark class shares (asv reads them as class attributes)."""

    timeout = 300  # seconds per benchmark process: a cold TensorFlow import alone takes ~10


class LongCall(Benchmark):
    """A call long enough (tens of ms and more) to be one sample on its own: no batching,
    no warm-up beyond ``setup``'s, three to ten samples within six seconds."""

    number = 1
    repeat = (3, 10, 6.0)
    warmup_time = 0


def has_nvidia_gpu() -> bool:
    """Whether an NVIDIA driver and device are present (no GPU library imported)."""
    return shutil.which("nvidia-smi") is not None or bool(glob.glob("/dev/nvidia[0-9]*"))


# The suite copies a few small helpers of the package (cpu_count, canonical names) on
# purpose: it must import at old commits, whose accelpi may lack them or differ.
def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


# -- pins -------------------------------------------------------------------------


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def unmet_pins(env_dir: str | None = None) -> list[str]:
    """Requirements of this asv environment whose installed version is not the pinned one.

    asv writes the environment's requested requirements to ``asv-env-info.json`` in
    ``$ASV_ENV_DIR``; each pinned (non-empty) version must be what is installed. An
    empty list outside asv, or when every pin held.
    """
    env_dir = env_dir or os.environ.get("ASV_ENV_DIR")
    if not env_dir or not (Path(env_dir) / "asv-env-info.json").exists():
        return []
    requested = json.loads((Path(env_dir) / "asv-env-info.json").read_text())["requirements"]
    problems = []
    for name, version in requested.items():
        dist = _canonical(re.sub(r"\[.*\]$", "", name.removeprefix("pip+")))
        try:
            installed = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            installed = None
        if version is None:  # asv's null: must not be installed
            if installed is not None:
                problems.append(f"{dist} should be absent but {installed} is installed")
        elif installed is None:
            problems.append(f"{dist} is not installed (requested {version or 'latest'})")
        elif version and installed.split("+")[0] != version.split("+")[0]:
            problems.append(f"{dist}: pinned {version}, installed {installed}")
    return problems


_UNMET = unmet_pins()
if _UNMET:  # every benchmark of this environment fails, loudly, with the reason
    _ENV = os.environ.get("ASV_ENV_NAME")
    raise RuntimeError(f"asv environment {_ENV}: pins did not hold: {'; '.join(_UNMET)}")
