"""Everything accelpi takes from asv, in one place (asv 0.6.6).

asv has no public API for reading results or comparing two of them; the release tools
use its modules as asv's own commands do. Keeping every such use here (no other module of
accelpi imports asv: a test checks) means that an asv upgrade is checked (and, if need be,
adapted) in this one file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "benchmarks",
    "environment_path",
    "environments",
    "failed_benchmarks",
    "is_result_better",
    "iter_results",
    "load_json",
    "load_result",
    "machine_entry",
    "machine_folders",
    "machine_info",
    "measured_at",
    "merge_benchmarks",
    "newest_result",
    "points",
    "read_listing",
    "relabel",
    "result_filename",
    "save_machine",
    "write_result_json",
]


def load_json(path: str | Path, **kwargs: Any) -> Any:
    """asv's JSON reader (it accepts the comments of ``asv.conf.json``), for a regular file of
    a bounded size only (``ValueError`` else: a FIFO would block asv's reader forever)."""
    from asv import util

    from .files import check_regular

    check_regular(Path(path))
    return util.load_json(str(path), **kwargs)


def why(exc: BaseException) -> str:
    """One line saying what was wrong with a file asv could not read."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def benchmarks(results_dir: Path) -> dict[str, Any]:
    """``benchmarks.json`` of a results folder: benchmark name -> its parameters, unit..."""
    from ..errors import InvalidArgument

    path = results_dir / "benchmarks.json"
    try:
        data = load_json(path, api_version=2)
    except Exception as exc:  # asv raises its UserError, or anything a broken file makes
        raise InvalidArgument(f"{path} is not an asv benchmarks.json: {why(exc)}") from None
    if not isinstance(data, dict):
        raise InvalidArgument(f"{path} is not an asv benchmarks.json: a JSON {type(data).__name__}")
    return data


def iter_results(
    results_dir: Path, skipped: list[dict[str, str]] | None = None
) -> Iterator[tuple[Path, Any, str]]:
    """``(path, asv.results.Results, machine name)`` of every result file under
    ``results_dir``; the machine is named as asv names it (from its ``machine.json``).

    A file asv cannot read (empty, truncated, binary, another shape) is left out and named
    in ``skipped`` (``{"file", "why"}``) when a list is given.
    """
    from asv.results import Results

    from .files import check_regular

    for machine_dir, filename, machine_name in _results_paths(Path(results_dir), skipped):
        path = Path(machine_dir) / filename
        try:
            check_regular(path)
            result = Results.load(str(path), machine_name=machine_name)
        except Exception as exc:  # one bad file must not take the report down
            if skipped is not None:
                skipped.append({"file": str(path), "why": why(exc)})
            continue
        yield path, result, machine_name


def _results_paths(results_dir: Path, skipped: list[dict[str, str]] | None) -> Iterator[tuple[str, str, str]]:
    """asv's ``iter_results_paths``, with each folder's ``machine.json`` read by the store's
    bounded reader (asv's own opens it as it finds it: a FIFO there blocked it forever)."""
    import json
    import os

    from .files import read_text

    for root, _dirs, files in os.walk(results_dir):
        names = [
            f for f in sorted(files) if f.endswith(".json") and f not in ("machine.json", "benchmarks.json")
        ]
        if not names:
            continue
        try:
            machine = json.loads(read_text(Path(root) / "machine.json")).get("machine")
            if not isinstance(machine, str):
                raise ValueError("its machine is not a name")
        except (OSError, ValueError, AttributeError, RecursionError) as exc:
            if skipped is not None:
                skipped.append({"file": str(Path(root) / "machine.json"), "why": why(exc)})
            continue
        for name in names:
            yield root, name, machine


def machine_folders(results_dir: Path) -> list[str]:
    """The machines of a commit-history results folder: its folders holding a ``machine.json``."""
    results_dir = Path(results_dir)
    return (
        sorted(p.name for p in results_dir.iterdir() if (p / "machine.json").is_file())
        if results_dir.is_dir()
        else []
    )


def machine_info(folder: Path) -> dict[str, Any]:
    """A results folder's ``machine.json`` (asv's facts of the machine: ``cpu``, ``num_cpu``...),
    read by the store's bounded reader; ``{}`` when it is missing or not a JSON object."""
    import json

    from .files import read_text

    try:
        info = json.loads(read_text(Path(folder) / "machine.json"))
    except (OSError, ValueError, RecursionError):
        return {}
    return info if isinstance(info, dict) else {}


def newest_result(
    results_dir: Path, keys: tuple[str, ...], machine: str | None = None, commit: str | None = None
) -> tuple[Path, Any, str] | None:
    """``(path, result, machine)`` of the newest result (by asv's date) that measured the first
    of ``keys`` any result measured, on ``machine`` and at a ``commit`` prefix when given."""
    for key in keys:
        chosen = None
        for path, result, name in iter_results(results_dir):
            if (machine and name != machine) or (commit and not result.commit_hash.startswith(commit)):
                continue
            if key in result.get_all_result_keys() and (
                chosen is None or (result.date or 0) > (chosen[1].date or 0)
            ):
                chosen = (path, result, name)
        if chosen is not None:
            return chosen
    return None


def load_result(path: Path) -> Any:
    """One result file, as ``asv.results.Results``."""
    from asv.results import Results

    return Results.load(str(path))


def relabel(result: dict[str, Any], installed: dict[str, str], env_name: str) -> dict[str, Any]:
    """A result file's JSON with its matrix labels replaced by ``installed`` versions ("" when
    absent) and its environment named ``env_name`` (``existing-py3.12-gpu``); the timings
    are untouched.

    asv's ``--python=same`` run names its environment after the interpreter's path and
    labels it with the configuration's matrix, not with what was installed.
    """
    labels = {name: installed.get(name, "") for name in result["requirements"]}
    python = result["python"]
    version = env_name.split("-")[1].removeprefix("py")
    return {
        **result,
        "env_name": env_name,
        "python": python if "/" not in python else version,
        "requirements": labels,
        "params": {**result["params"], **labels, "python": version},
    }


def write_result_json(path: Path, result: dict[str, Any]) -> None:
    """Write a result file's JSON as asv writes it."""
    import json

    from .files import write_atomically

    write_atomically(path, json.dumps(result, separators=(", ", ": ")) + "\n")


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


def points(result: Any, benchmarks: dict[str, Any], key: str) -> dict[tuple[str, ...], dict[str, Any]]:
    """One benchmark's measured points in a result: parameter combination (as asv spells
    them: ``("'numba'", "33554432")``) -> ``value``, ``stats``, ``samples``."""
    import itertools
    import math

    if key not in benchmarks or key not in result.get_all_result_keys():
        return {}
    params = benchmarks[key]["params"]
    values = result.get_result_value(key, params)
    stats = result.get_result_stats(key, params)
    samples = result.get_result_samples(key, params)
    found = {}
    for i, combo in enumerate(itertools.product(*params) if params else [()]):
        value = values[i] if i < len(values) else None
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        found[tuple(combo)] = {"value": value, "stats": stats[i], "samples": samples[i]}
    return found


def failed_benchmarks(result: Any) -> list[str]:
    """Benchmarks of a result that failed for at least one parameter combination (asv
    writes ``null`` for a failure, and NaN for a combination the benchmark skipped)."""
    failed = []
    for key in sorted(result.get_all_result_keys()):
        values = result._results.get(key)  # the raw values: get_result_value needs the params
        if values is None or (isinstance(values, list) and any(v is None for v in values)):
            failed.append(key)
    return failed


def is_result_better(before: dict[str, Any], after: dict[str, Any], factor: float) -> bool:
    """asv's own test, the one ``asv continuous`` uses (``asv.commands.compare``): the value of
    ``before`` is better (lower) than that of ``after`` by more than ``factor``, and the
    recorded samples (or, without them, the confidence intervals) say so.

    ``before`` and ``after`` are points as :func:`points` returns them."""
    from asv.commands.compare import _is_result_better

    return _is_result_better(before["value"], after["value"], _samples(before), _samples(after), factor)


def _samples(point: dict[str, Any]) -> tuple[Any, Any] | None:
    """A point's ``(stats, samples)`` as asv's test takes them: with the samples asv recorded
    (``--record-samples``) or, without them, its statistics alone (its confidence
    interval); ``None`` when neither was recorded."""
    return (point.get("stats"), point.get("samples")) if point.get("stats") else None


def machine_entry(name: str) -> dict[str, str] | None:
    """The entry of asv's machine file (``~/.asv-machine.json``) for ``name``, if any."""
    from asv import util
    from asv.machine import MachineCollection

    from ..errors import InvalidArgument
    from .files import check_regular

    path = Path(MachineCollection.get_machine_file_path())
    if not path.exists():
        return None
    try:
        check_regular(path, limit=2**20)
        entry = util.load_json(str(path), MachineCollection.api_version).get(name)
    except (ValueError, RecursionError, AttributeError, util.UserError) as exc:
        raise InvalidArgument(f"asv's machine file {path} cannot be read: {why(exc)}") from None
    return entry if isinstance(entry, dict) else None


def save_machine(info: dict[str, str]) -> Path:
    """Add (or replace) ``info["machine"]``'s entry in asv's machine file, as ``asv machine``
    does; the other entries are kept. Returns the file's path."""
    from asv.machine import MachineCollection

    MachineCollection.save(info["machine"], info)
    return Path(MachineCollection.get_machine_file_path())


def read_listing(path: Path) -> dict[str, Any]:
    """The benchmarks a results folder's ``benchmarks.json`` lists (``{name: definition}``),
    read as a regular file of bounded size. Raises :class:`ValueError` (or :class:`OSError`)
    naming what is wrong when it is not asv's listing (version 2)."""
    import json

    from .files import read_text

    data = json.loads(read_text(path))
    if not isinstance(data, dict) or data.get("version") != 2:
        raise ValueError("not asv's benchmark listing (a JSON object with version 2)")
    return {k: v for k, v in data.items() if k != "version"}


def merge_benchmarks(existing: Path, new: Path) -> str:
    """The text of a ``benchmarks.json`` holding ``existing``'s benchmarks and ``new``'s (its
    definitions win): a results folder lists every benchmark any of its results measured."""
    merged: dict[str, Any] = {}
    for path in (existing, new):
        if path.exists():
            merged.update(read_listing(path))
    return listing_text(merged)


def listing_text(listing: dict[str, Any]) -> str:
    """A ``benchmarks.json``'s text for ``{name: definition}``, as asv writes it."""
    import json

    return json.dumps({**listing, "version": 2}, indent=4, sort_keys=True)


def measured_at(result: Any) -> tuple[float, float] | None:
    """When a result's benchmarks ran: the first and last start, in seconds since the epoch
    (asv's ``date`` is the commit's, not the measurement's)."""
    starts = [v for v in (result.started_at or {}).values() if isinstance(v, int | float)]
    return (min(starts) / 1000, max(starts) / 1000) if starts else None
