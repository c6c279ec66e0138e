"""Everything accelpi takes from asv, in one place (asv 0.6.6).

asv has no public API for reading results or comparing two of them; the release tools
use its modules as asv's own commands do. Keeping every such use here means that an asv
upgrade is checked (and, if need be, adapted) in this one file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "benchmarks",
    "environment_path",
    "environments",
    "is_slower",
    "iter_results",
    "load_json",
    "result_filename",
    "significant",
]


def load_json(path: str | Path, **kwargs: Any) -> Any:
    """asv's JSON reader (it accepts the comments of ``asv.conf.json``)."""
    from asv import util

    return util.load_json(str(path), **kwargs)


def benchmarks(results_dir: Path) -> dict[str, Any]:
    """``benchmarks.json`` of a results folder: benchmark name -> its parameters, unit..."""
    return load_json(results_dir / "benchmarks.json", api_version=2)


def iter_results(results_dir: Path) -> Iterator[tuple[Path, Any, str]]:
    """``(path, asv.results.Results, machine name)`` of every result file under
    ``results_dir``; the machine is named as asv names it (from its ``machine.json``)."""
    from asv.results import Results, iter_results_paths

    for machine_dir, filename, machine_name in iter_results_paths(str(results_dir)):
        path = Path(machine_dir) / filename
        yield path, Results.load(str(path), machine_name=machine_name), machine_name


def result_filename(machine: str, commit: str, env_name: str) -> Path:
    """Where asv stores the result of ``(machine, commit, environment)``, relative to results/."""
    from asv.results import get_filename

    return Path(get_filename(machine, commit, env_name))


def environments(config_path: Path) -> list[Any]:
    """The asv environments a configuration file describes (created or not)."""
    from asv import environment
    from asv.config import Config

    conf = Config.load(str(config_path))
    return list(environment.get_environments(conf, None, verbose=False))


def environment_path(env: Any) -> Path:
    """The folder of an asv environment (asv keeps it in a private attribute)."""
    return Path(env._path)


def _samples(point: dict[str, Any]) -> tuple[Any, Any] | None:
    """A point's ``(stats, samples)`` as asv's test takes them (``None`` without samples)."""
    return (point["stats"], point["samples"]) if point.get("samples") else None


def is_slower(before: dict[str, Any], after: dict[str, Any], factor: float) -> bool:
    """asv's own test, the one ``asv continuous`` uses: ``after`` is larger than ``before``
    by more than ``factor`` and the recorded samples say the difference is significant.

    ``before`` and ``after`` are points: ``value``, ``stats`` and ``samples`` as
    :mod:`asv.results` reads them.
    """
    from asv.commands.compare import _is_result_better

    return _is_result_better(before["value"], after["value"], _samples(before), _samples(after), factor)


def significant(a: dict[str, Any], b: dict[str, Any], factor: float) -> bool:
    """asv's test, both ways: the two points differ by more than ``factor``, significantly."""
    return is_slower(a, b, factor) or is_slower(b, a, factor)
