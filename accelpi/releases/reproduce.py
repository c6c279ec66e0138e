"""What makes another project's measured release reproducible, besides its environment.

A project with a compiled extension is built in an isolated build environment that pip (or
``build``) fills with the ``[build-system]`` requirements' newest releases at that moment, and
throws away: which NumPy the extension was compiled against is then known to nobody. asv keeps
no build output. So each build command of the project's configuration runs with ``PIP_LOG``
pointing into asv's build cache (pip, and the pip it starts to fill the isolated environment,
append their verbose log there); :func:`build_environment` reads the logs back after the run
and the environment's inventory keeps what each build installed. :func:`used_config` is the asv
configuration a campaign ran with, written without this machine's paths, and
:func:`differences` what it changed from the project's own, in words (``--plan`` says it).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..store.files import read_text

__all__ = ["BUILD_LOG", "build_environment", "differences", "log_builds", "used_config"]

#: A build command's log, in asv's build cache of the environment and commit (``{n}``: the
#: command's place in ``build_command``, from 1).
BUILD_LOG = "accelpi-build-{n}.log"

#: pip's line after an installation, in the log of the pip that fills an isolated build
#: environment: ``Successfully installed Cython-3.1.2 numpy-2.3.5``.
_INSTALLED = re.compile(r"Successfully installed ((?:\S+-\S+ ?)+)\s*$", re.M)

_CONDA_LIKE = ("conda", "mamba", "rattler")

#: Configuration keys that hold this machine's paths (``repo``: the project's name instead).
_PATHS = ("benchmark_dir", "env_dir", "html_dir", "results_dir")


def log_builds(commands: list[str] | str) -> list[str]:
    """``commands`` (asv's ``build_command``, a list or one string), each logging pip's verbose
    output into asv's build cache (a command that sets ``PIP_LOG`` itself is left as it is)."""
    commands = [commands] if isinstance(commands, str) else [str(c) for c in commands]
    return [
        command
        if re.match(r"^\s*(\S+=\S*\s+)*PIP_LOG=", command)
        else f"PIP_LOG={{build_cache_dir}}/{BUILD_LOG.format(n=n)} {command}"
        for n, command in enumerate(commands, 1)
    ]


def build_environment(env_path: Path, commit: str) -> list[dict[str, Any]]:
    """What each build command of ``commit`` in the environment at ``env_path`` installed into
    its isolated build environment: ``[{"command": n, "installed": {name: version}}]``, one
    entry per command that installed something (none: asv reused a cached build, or the build
    needed nothing or did not isolate). Every pip installation the command ran is merged, the
    later one winning a name (``build`` then pip's own backend requirements)."""
    cache = Path(env_path) / "asv-build-cache" / commit
    found = []
    for path in sorted(
        cache.glob(BUILD_LOG.format(n="*")), key=lambda p: int(re.sub(r"\D", "", p.name) or 0)
    ):
        try:
            text = read_text(path, errors="replace")
        except (OSError, ValueError):
            continue
        installed: dict[str, str] = {}
        for match in _INSTALLED.finditer(text):
            for item in match.group(1).split():
                name, _, version = item.rpartition("-")
                if name and version:
                    installed[name] = version
        if installed:
            found.append(
                {"command": int(re.sub(r"\D", "", path.name)), "installed": dict(sorted(installed.items()))}
            )
    return found


def used_config(conf: dict[str, Any], name: str) -> dict[str, Any]:
    """The asv configuration a campaign of project ``name`` ran with: every key as asv read it,
    ``repo`` as the project's name, the folders relative to the repository or left out (they
    name this machine's layout)."""
    kept = {k: v for k, v in conf.items() if k not in (*_PATHS, "repo")}
    repo = Path(str(conf.get("repo") or "."))
    bench = Path(str(conf.get("benchmark_dir") or "benchmarks"))
    kept["repo"] = name
    kept["benchmark_dir"] = str(bench.relative_to(repo)) if bench.is_relative_to(repo) else bench.name
    return kept


def differences(conf: dict[str, Any], python: str) -> list[str]:
    """What a campaign changes from the project's own configuration ``conf``, in words."""
    said = []
    kind = str(conf.get("environment_type") or "")
    if kind in _CONDA_LIKE:
        said.append(
            f"its environment_type is {kind}: accelpi builds virtualenvs, with the same requirements "
            "from the package index (a conda-only package cannot be had)"
        )
    if not conf.get("install_command"):
        said.append(
            "it uses asv's default install command, which reinstalls every dependency at its latest "
            "release: the project is installed with --no-deps instead (each dependency is pinned)"
        )
    if conf.get("build_command") is None:
        said.append(
            "it uses asv's default build command, whose pip wheel also builds every dependency "
            "(asv then cannot tell the project's wheel): it is built with --no-deps instead"
        )
    for key in ("include", "exclude"):
        if conf.get(key):
            entries = conf[key] if isinstance(conf[key], list) else [conf[key]]
            said.append(
                f"its {key} ({len(entries)} entr{'y' if len(entries) == 1 else 'ies'}) is not used: a "
                "campaign measures one environment per release (--pin, --switch to vary the others)"
            )
    pythons = [str(p) for p in conf.get("pythons") or []]
    if pythons and python not in pythons:
        said.append(f"its pythons are {', '.join(pythons)}; measured with this Python, {python}")
    return said
