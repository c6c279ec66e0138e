"""asv over a set of release environments, and what each environment installed.

The building blocks of a campaign (:mod:`accelpi.releases.campaign`) and of a replay
(:mod:`accelpi.releases.replay`):

* :func:`asv_run`: one ``asv run`` on one commit (with the configuration
  :meth:`~accelpi.releases.project.Project.asv_config` wrote), its whole output kept in a
  log file, the order in which asv benchmarked the environments, read from asv's own output
  (``Benchmarking ENV`` lines, one round after another), and the environments where the
  project did not build (asv's ``Skipping ENV``, with the error it printed before);
* :func:`record_environments`: after the run, each environment's inventory beside its
  result (``accelpi info --json`` and ``accelpi backends --json`` run inside it, and its
  exact files), its disk use, and whether its backends ran at all;
* :func:`failures`: the benchmarks that failed, environment by environment.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..store import asvcompat, processes
from ..timestamps import utc
from .children import die_with_parent, stop_tree
from .record import record_inventory

__all__ = [
    "AsvRun",
    "asv_run",
    "delete_environments",
    "failures",
    "record_environments",
    "sample_counts",
]


@dataclass
class AsvRun:
    """What one ``asv run`` did: its exit status, the tail of its output, and its rounds:
    for each, the environments in the order asv benchmarked them, with when it started."""

    exit_code: int
    tail: str
    log: Path
    seconds: float
    rounds: list[dict[str, Any]] = field(default_factory=list)
    ended: str = ""  # when asv exited (UTC)
    not_built: dict[str, str] = field(default_factory=dict)  # environment -> asv's error
    failed: dict[str, dict[str, str]] = field(default_factory=dict)  # environment -> benchmark -> why


_ROUND = re.compile(r"For \S+ commit \S+(?: \(round (\d+)/(\d+)\))?:")
_ENV = re.compile(r"Benchmarking (\S+)")
_SKIPPED = re.compile(r"Skipping (\S+)$")  # asv: the project did not build in this environment
_ERROR = re.compile(r"Error running .*\(exit status -?\d+\)")


#: asv's line for a benchmark ("[ 7.14%] ··· module.Class.time_x   failed" or "2/8 failed"),
#: and the lines of what it printed for a failure ("[ 7.14%] ···· Traceback ...", then indented)
_BENCHMARK = re.compile(r"^\[\s*[\d.]+%\] ··· ([A-Za-z_]\w*(?:\.\w+)+)(?:\s+(.*))?$")
_DETAIL = re.compile(r"^\[\s*[\d.]+%\] ···· ?(.*)$")


class _Failures:
    """The benchmarks asv reported failed, each with the last lines it printed for it, per
    environment: kept in the campaign's record, since asv's output is not (issue: a failure
    published without its reason)."""

    def __init__(self) -> None:
        self.found: dict[str, dict[str, str]] = {}
        self._current: tuple[str, str] | None = None
        self._lines: list[str] = []

    def feed(self, line: str, environment: str) -> None:
        text = line.rstrip("\n")
        benchmark = _BENCHMARK.match(text)
        if benchmark:
            self._close()
            if re.search(r"\bfailed$", (benchmark[2] or "").strip()):
                self._current = (environment, benchmark[1])
            return
        if self._current is None:
            return
        detail = _DETAIL.match(text)
        if detail or (text.startswith(" ") and self._lines):
            self._lines = [*self._lines[-40:], (detail[1] if detail else text).strip()]
        elif text.startswith("[") and "···" not in text:  # an environment's line: its end
            self._close()

    def _close(self) -> None:
        if self._current is not None:
            env, name = self._current
            # the failure's own words: not the parameter headings, nor the combinations asv skipped
            words = [w for w in self._lines if w and not w.startswith(("For parameters", "asv: skipped"))]
            why = " | ".join(_FOLDERS.sub("", w) for w in words[-3:])[-600:] or "asv printed no error"
            failed = self.found.setdefault(env, {})
            if len(failed) < 100:
                failed[name] = why
        self._current, self._lines = None, []

    def done(self) -> dict[str, dict[str, str]]:
        self._close()
        return self.found


def asv_run(
    config: dict[str, Any],
    config_path: Path,
    root: Path,
    machine: str,
    commit: str,
    bench: list[str],
    extra: list[str],
    log_path: Path,
    say: Callable[[str], None],
    environ: dict[str, str] | None = None,
) -> AsvRun:
    """``asv run`` of ``commit`` with ``config`` (written to ``config_path``) on ``bench``."""
    config_path.parent.mkdir(parents=True, exist_ok=True)
    config_path.write_text(json.dumps(config, indent=2))
    command = [
        sys.executable,
        "-m",
        "asv",
        "run",
        "--config",
        str(config_path),
        "--machine",
        machine,
        "--show-stderr",
        "--record-samples",  # so that asv's test can use Mann-Whitney U, not only intervals
        "--launch-method",
        config.get("launch_method", "spawn"),
    ]
    for regex in bench:
        command.append(f"--bench={regex}")  # one argument: a regex starting with "-" is no option
    command += [*extra, f"{commit}^!"]
    began = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(environ or {})},
        preexec_fn=die_with_parent,  # killed with accelpi, even by SIGKILL
    )
    output = _Output(say)
    assert process.stdout is not None
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with log_path.open("w") as log:
            for line in process.stdout:
                log.write(line)
                output.feed(line)
        exit_code = process.wait()
    except BaseException:  # Ctrl-C, SIGTERM or a failure here: nothing of asv's keeps running
        stop_tree(process)
        raise
    if exit_code != 0:
        say(f"    asv exited {exit_code}; its whole output: {log_path}")
    return AsvRun(
        exit_code,
        "".join(output.tail)[-4000:],
        log_path,
        time.perf_counter() - began,
        [r for r in output.rounds if r["order"]],
        utc(),
        output.not_built,
        output.failed.done(),
    )


class _Output:
    """What ``asv run`` prints, read line by line: the last lines, the rounds (the order of the
    environments and when each began), the builds that failed and why, the failed benchmarks;
    each environment and asv's progress said through ``say``."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.tail: list[str] = []
        self.rounds: list[dict[str, Any]] = []
        self.not_built: dict[str, str] = {}
        self.error: list[str] = []  # the last error asv printed, with the lines after it
        self.failed = _Failures()

    def feed(self, line: str) -> None:
        rounds = self.rounds
        self.tail = [*self.tail[-80:], line]
        if _ROUND.search(line) or (_ENV.search(line) and not rounds):
            rounds.append({"order": [], "at": []})
        if _ERROR.search(line):
            self.error = [line.strip()]
        elif self.error and len(self.error) < 40 and not _SKIPPED.search(line.strip()):
            self.error.append(line.strip())
        skipped = _SKIPPED.search(line.strip())
        if skipped:
            self.not_built[skipped[1]] = _last_words(self.error)
            self.say(f"    {skipped[1]}: not built")
        self.failed.feed(line, rounds[-1]["order"][-1] if rounds and rounds[-1]["order"] else "")
        found = _ENV.search(line)
        if found:
            rounds[-1]["order"].append(found[1])
            rounds[-1]["at"].append(utc())
            self.say(f"    {found[1]}")
        elif "%]" in line:  # asv's progress: "[ 12.50%] ··· benchmark  result"
            self.say("    " + " ".join(line.split()))


_PROGRESS = re.compile(r"^\[\s*[\d.]+%\]\s*")
_FOLDERS = re.compile(r"(?<![\w.])(?:/[^\s/]+)+/(?=[^\s/]+)")


def _last_words(error: list[str]) -> str:
    """asv's error in one line: its exit status, the command that failed (without the
    folders of this machine: a record is committed) and the last lines it printed."""
    if not error:
        return "the build failed (see the asv output)"
    lines = [_FOLDERS.sub("", _PROGRESS.sub("", line).strip("· ").strip()) for line in error]
    lines = [line for line in lines if line and not line.startswith(("STDOUT", "STDERR", "-----"))]
    status = re.search(r"\(exit status (-?\d+)\)", lines[0])
    command = re.sub(r"^Error running\s+|\s*\(exit status -?\d+\)$", "", lines[0])[:200]
    head = f"exit status {status[1]}: {command}" if status else command
    return " | ".join([head, *lines[1:][-3:]])[-800:]


def failures(results_dir: Path, machine: str, commit: str) -> dict[str, list[str]]:
    """``{environment: [benchmark, ...]}``: the benchmarks that failed in each environment
    of ``commit``'s results on ``machine`` (none: not listed)."""
    found = {}
    for _, result, name in asvcompat.iter_results(results_dir):
        if name == machine and result.commit_hash == commit:
            failed = asvcompat.failed_benchmarks(result)
            if failed:
                found[result.env_name] = failed
    return found


def sample_counts(results_dir: Path, machine: str, commit: str) -> dict[str, dict[str, list[int]]]:
    """``{environment: {benchmark: [samples per parameter combination]}}`` of ``commit``'s
    results on ``machine``: taken after every pass of a campaign, so that the record says
    which process each sample came from (:mod:`accelpi.store.processes`)."""
    found = {}
    for _, result, name in asvcompat.iter_results(results_dir):
        if name == machine and result.commit_hash == commit:
            found[result.env_name] = processes.sample_counts(result)
    return found


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def record_environments(
    config_path: Path,
    results_root: Path,
    machine: str,
    commit: str,
    swept: Callable[[Any], str],
    first_use: Callable[[Any], tuple[str, ...]],
    extra: Callable[[Any], dict[str, Any]],
    project: str | None = None,
) -> list[dict[str, Any]]:
    """Each environment's inventory beside its result; one entry per environment.

    ``swept``, ``first_use`` and ``extra`` give, for an environment (asv's object), the
    swept distribution, the backends to run once inside it, and what else its record holds;
    ``project`` names another project's distribution (its environments hold no accelpi).
    """
    from ..reports.inventory import drift
    from ..store.records import installed_versions

    entries = []
    sizes: dict[Path, int] = {}
    for env in asvcompat.environments(config_path):
        env_path = asvcompat.environment_path(env)
        entry: dict[str, Any] = {"name": env.name, "switches": dict(env.env_vars), "path": str(env_path)}
        if not (env_path / "bin" / "python").exists():
            entry["error"] = "environment was not created (see the asv output)"
            entries.append(entry)
            continue
        if env_path not in sizes:  # environments differing in switches only share a folder
            sizes[env_path] = _du(env_path)
        backends = first_use(env)
        record = record_inventory(
            env,
            results_root,
            machine,
            commit,
            swept=swept(env),
            extra={"disk_bytes": sizes[env_path], **extra(env)},
            first_use=backends,
            project=project,
        )
        entry["installed"] = installed_versions(record)
        entry["requested"] = dict(env.requirements)
        entry["disk_bytes"] = sizes[env_path]
        held = drift([{**record, "machine": machine, "installed": entry["installed"]}])
        if held:  # an install step replaced a pinned release (asv's default reinstalls everything)
            entry["pins_not_held"] = {
                p["package"]: f"{p['requested']} asked, {p['installed']} installed" for p in held
            }
        entry["unavailable"] = (
            {
                b["name"]: b["reason"]
                for b in record["backends"]
                if isinstance(b, dict) and b["name"] in backends and not b["available"]
            }
            if isinstance(record["backends"], list)
            # the inventory itself could not run (a build killed on import): each backend's
            # first use says why
            else {name: why for name, why in (record.get("first_use") or {}).items() if why != "ok"}
        )
        entries.append(entry)
    return entries


def delete_environments(entries: list[dict[str, Any]]) -> None:
    """Remove the environments' folders (results and inventories stay): torch's are GBs."""
    for folder in {e["path"] for e in entries if e.get("path")}:
        shutil.rmtree(folder, ignore_errors=True)
