"""Whose asv suite a campaign measures: accelpi's own, or another project's, unchanged.

A campaign (:mod:`accelpi.releases.campaign`) runs asv with a configuration of its own
making: the project's ``asv.conf.json`` with one environment per release of the swept
library instead of its matrix. :class:`Project` is the one place that knows the project:

* **accelpi's own suite** (:meth:`Project.ours`, the checkout): its library table
  (:mod:`accelpi.libraries`) says what a release needs, the benchmarks of its backends are
  run, environments and staging live in the checkout's ``.asv/``;
* **another project's suite** (:meth:`Project.other`, ``--project DIR``): its own build
  command, benchmarks and requirements are used, and nothing in it is edited. Its matrix
  (one version per requirement), the dependencies and build requirements its
  ``pyproject.toml`` declares at the measured commit, and ``--pin`` are what a release is
  resolved with (:func:`accelpi.releases.plan.resolve`), every requirement pinned to that
  joint resolution as for accelpi's own sweeps; the environments are virtualenvs (a conda
  or rattler project gets the same requirements from the package index), kept in a work
  folder outside the project, and the results go where the user says.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InvalidArgument, shown
from ..libraries import Library, by_distribution, canonical, sweep_targets
from ..store import asvcompat, git
from ..store.files import write_atomically
from .reproduce import differences, log_builds
from .requirements import applicable, matrix_name, matrix_version, name_of, pin

__all__ = ["Project", "default_work_folder"]

#: asv's own install command (asv 0.6), used when a configuration names none.
_DEFAULT_INSTALL = "in-dir={env_dir} python -m pip install {wheel_file} --force-reinstall"

#: asv's default build command (``asv/environment.py``) with ``--no-deps``: without it, ``pip
#: wheel`` puts the project's dependencies' wheels beside its own in the build cache, and asv
#: stops ("Found multiple wheels ... Cannot decide correct one").
_DEFAULT_BUILD = [
    "PIP_NO_BUILD_ISOLATION=0 python -m build",
    "python -m pip wheel --no-deps -w {build_cache_dir} {build_dir}",
]

#: Environment types whose requirements accelpi installs from the package index instead.


def default_work_folder(name: str) -> Path:
    """Where another project's environments live unless ``--work`` says: the user's cache
    (``$XDG_CACHE_HOME`` or ``~/.cache``), ``accelpi/projects/NAME``: never inside it."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "accelpi" / "projects" / _slug(name)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "project"


@dataclass
class Project:
    """One asv suite: its configuration, where its environments live, which commit is measured.

    Attributes
    ----------
    config_path : Path
        Its ``asv.conf.json``.
    conf : dict
        That configuration, read with asv's reader (comments allowed).
    work : Path
        Where campaigns stage their results and keep their environments and lock.
    own : bool
        accelpi's own suite (the checkout) rather than another project's.
    ref : str
        The commit measured (a hash, branch or ``HEAD``) in the project's repository.
    """

    config_path: Path
    conf: dict[str, Any]
    work: Path
    own: bool = True
    ref: str = "HEAD"
    _commit: str | None = field(default=None, repr=False)
    _pyproject: dict[str, Any] | None = field(default=None, repr=False)

    # -- construction -----------------------------------------------------------------

    @classmethod
    def ours(cls, root: Path) -> Project:
        """accelpi's own suite, in the checkout ``root``."""
        root = Path(root)
        conf = asvcompat.load_json(root / "asv.conf.json", js_comments=True)
        return cls(root / "asv.conf.json", conf, root / ".asv", own=True)

    @classmethod
    def other(cls, folder: str | Path, work: str | Path | None = None, ref: str = "HEAD") -> Project:
        """Another project's suite: ``folder`` holds its ``asv.conf.json`` (or is that file).

        Raises :class:`InvalidArgument` naming what is wrong: no configuration, one asv
        cannot read, a repository that is not a local git checkout, a commit it lacks.
        """
        path = Path(folder).expanduser()
        path = path if path.name.endswith(".json") and path.is_file() else path / "asv.conf.json"
        if not path.is_file():
            raise InvalidArgument(
                f"--project {folder}: no asv.conf.json there; give the folder of the project's asv "
                "configuration (xarray's is asv_bench/)"
            )
        try:
            conf = asvcompat.load_json(path, js_comments=True)
        except Exception as exc:  # asv's UserError, or whatever a broken file raises
            raise InvalidArgument(
                f"--project {folder}: {path.name} is not readable: {asvcompat.why(exc)}"
            ) from None
        if not isinstance(conf, dict):
            raise InvalidArgument(f"--project {folder}: {path.name} is not an asv configuration (an object)")
        name = str(conf.get("project") or path.parent.name)
        project = cls(
            Path(os.path.abspath(path)),  # a symlink kept: asv reads paths from the link's folder
            conf,
            Path(work).expanduser().resolve() if work else default_work_folder(name),
            own=False,
            ref=ref,
        )
        project.check()
        return project

    def check(self) -> None:
        """What such a project can do to us, said before anything runs."""
        where = f"--project {self.root}"
        if self.conf.get("dvcs", "git") != "git":
            raise InvalidArgument(
                f"{where}: dvcs {shown(self.conf.get('dvcs'))}: accelpi measures git repositories only"
            )
        if not git.is_repository(self.repo):
            raise InvalidArgument(
                f"{where}: its repo {shown(self.conf.get('repo', '.'))} is not a local git repository "
                f"({self.repo}); clone the project and point --project at the clone's asv folder"
            )
        if not self.benchmark_dir.is_dir():
            raise InvalidArgument(f"{where}: its benchmark_dir {self.benchmark_dir} is not a folder")
        self.commit()
        self.matrix()  # refuses several versions of one requirement, and what it cannot read

    # -- facts ------------------------------------------------------------------------

    @property
    def root(self) -> Path:
        """The folder of the configuration (asv reads its relative paths from there)."""
        return self.config_path.parent

    @property
    def name(self) -> str:
        """The project's name (asv's ``project``)."""
        return "accelpi" if self.own else str(self.conf.get("project") or self.root.name)

    @property
    def distribution(self) -> str:
        """The project's own distribution, rebuilt from each commit (never drift)."""
        if self.own:
            return "accelpi"
        declared = (self.pyproject().get("project") or {}).get("name")
        return canonical(str(declared or self.name))

    @property
    def repo(self) -> Path:
        """The project's git repository (asv's ``repo``, relative to the configuration)."""
        if self.own:
            return self.root
        return (self.root / str(self.conf.get("repo", "."))).resolve()

    @property
    def benchmark_dir(self) -> Path:
        return (self.root / str(self.conf.get("benchmark_dir", "benchmarks"))).resolve()

    @property
    def python(self) -> str:
        return f"{sys.version_info.major}.{sys.version_info.minor}"

    def commit(self) -> str:
        """The full hash of the measured commit."""
        if self._commit is None:
            found = git.resolve(self.repo, self.ref)
            if found is None:
                raise InvalidArgument(f"--commit {shown(self.ref)} is not a commit of {self.repo}")
            self._commit = found
        return self._commit

    def notes(self) -> list[str]:
        """What differs from the project's own runs, in words (printed by a plan)."""
        return [] if self.own else differences(self.conf, self.python)

    def matrix(self) -> tuple[dict[str, str], dict[str, str]]:
        """The project's matrix as ``({requirement: version or ""}, {variable: value})``.

        asv's two spellings are read (``{"numpy": ["2.2"]}`` and ``{"req": {...}, "env":
        {...}, "env_nobuild": {...}}``); an entry with several versions or values would be
        several environments per release, and is refused with the way out (``--pin``)."""
        if self.own:
            return {}, {}
        raw = self.conf.get("matrix") or {}
        if not isinstance(raw, dict):
            raise InvalidArgument(f"--project {self.root}: its matrix is not an object")
        nested = set(raw) & {"req", "env", "env_nobuild"}
        parts = [raw.get(k) or {} for k in ("req", "env", "env_nobuild")] if nested else [raw, {}, {}]
        for key, part in zip(("req", "env", "env_nobuild"), parts, strict=True):
            if not isinstance(part, dict):
                raise InvalidArgument(
                    f"--project {self.root}: its matrix's {key} is {shown(part)}; asv takes an object "
                    'of names to lists of values (e.g. {"numpy": ["2.2"]})'
                )
        requirements: dict[str, str] = {}
        for name, values in parts[0].items():
            version = self._one(name, values, "requirement")
            requirements[matrix_name(self.root, name)] = matrix_version(self.root, name, version)
        variables = {}
        for name, values in {**parts[1], **parts[2]}.items():
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(name)):
                raise InvalidArgument(
                    f"--project {self.root}: its matrix sets the variable {shown(str(name))}, which is "
                    "not an environment variable's name"
                )
            variables[str(name)] = self._one(name, values, "variable")
        return requirements, variables

    def _one(self, name: Any, values: Any, what: str) -> str:
        listed = values if isinstance(values, list) else [values]
        if len(listed) != 1:
            raise InvalidArgument(
                f"--project {self.root}: its matrix gives {what} {shown(str(name))} {len(listed)} values "
                f"({', '.join(shown(str(v)) for v in listed)}); a campaign sweeps one library's releases "
                f"with one version of the rest: pass --pin {name}==VERSION, or edit a copy of the "
                "configuration"
            )
        value = listed[0]
        return "" if value is None else str(value)

    def benchmark_names(self) -> list[str] | None:
        """Accelpi's own suite as asv's ``-b`` sees it: a plain benchmark's name, and
        ``name(params)`` for each parameter combination of the others (asv matches only those
        against -b, so ``time_estimate$`` selects nothing of a parameterised one); ``None``
        for another project's suite (discovering it would import its code here)."""
        if not self.own:
            return None
        from asv_runner.benchmarks._base import _unique_param_ids
        from asv_runner.discovery import disc_benchmarks

        try:
            found = list(disc_benchmarks(str(self.root / "benchmarks")))
        except Exception:  # a suite that does not import here: asv will say why, not this check
            return None
        names = []
        for benchmark in found:
            if not benchmark._params:
                names.append(benchmark.name)
                continue
            params = _unique_param_ids(benchmark._params)
            names += [f"{benchmark.name}({', '.join(combo)})" for combo in itertools.product(*params)]
        return names

    def pyproject(self) -> dict[str, Any]:
        """The project's ``pyproject.toml`` at the measured commit (``{}`` when it has none)."""
        if self._pyproject is None:
            import tomllib

            text = git.show(self.repo, self.commit(), "pyproject.toml")
            try:
                self._pyproject = tomllib.loads(text) if text else {}
            except tomllib.TOMLDecodeError as exc:
                raise InvalidArgument(
                    f"--project {self.root}: its pyproject.toml is not TOML: {exc}"
                ) from None
        return self._pyproject

    def dependencies(self) -> list[str]:
        """The project's declared dependencies that apply to this Python (markers evaluated)."""
        return applicable(self.pyproject().get("project", {}).get("dependencies") or [], "dependency")

    def build_requirements(self) -> list[str]:
        """What its build command needs inside the environment: the ``[build-system]``
        requirements when it builds without isolation (``pip wheel --no-build-isolation``,
        ``python -m build --no-isolation``: the environment's own setuptools is used). asv
        installs ``build`` itself."""
        commands = " ".join(str(c) for c in self.conf.get("build_command") or [])
        if not re.search(r"--no-build-isolation|--no-isolation", commands):
            return []
        declared = (self.pyproject().get("build-system") or {}).get("requires") or []
        return applicable(declared, "build requirement")

    # -- what a release needs ---------------------------------------------------------

    def library(self, name: str) -> Library:
        """The library row of ``name`` for this project: from accelpi's table for its own
        suite; for another project, from the package index (its releases and metadata, read
        by the plan) and the project's own requirements: its matrix, its declared
        dependencies, its build requirements and the companions accelpi's table knows
        (``distributed`` with ``dask``)."""
        from ..libraries import sweep_target

        if self.own:
            return sweep_target(name)
        known = sweep_targets().get(name) or by_distribution(name)
        companions = known.companions if known and canonical(name) in map(canonical, known.builds) else ()
        swept = {canonical(name), *map(canonical, companions)}
        requirements, _ = self.matrix()
        declared = [*self.dependencies(), *self.build_requirements()]
        needs = list(dict.fromkeys([*requirements, *(name_of(r) for r in declared)]))
        pins = [pin(n, v) for n, v in requirements.items() if v and n not in swept]
        constraints = [*pins, *declared]
        if not requirements and canonical(name) not in {name_of(r) for r in declared}:
            raise InvalidArgument(
                f"--project {self.root}: its asv.conf.json has no matrix and its pyproject.toml does not "
                f"depend on {name}: nothing ties {name}'s releases to its benchmarks (add {name} to the "
                "matrix of a copy of the configuration)"
            )
        return Library(
            canonical(name),
            (name,),
            sweep_builds=(name,),
            companions=tuple(companions),
            needs=tuple(n for n in needs if n not in swept),
            benchmarks=(),
            constraints=tuple(constraints),
            note=f"measured with {self.name}'s asv suite (commit {self.commit()[:8]})",
        )

    # -- asv ----------------------------------------------------------------------------

    def environment_name(self, entry: dict[str, Any], staged: Path) -> str:
        """The name asv gives the environment of one ``include`` entry (``staged``: the
        campaign's results folder, whose parent takes the configuration asv reads)."""
        config = staged.parent / "names.asv.conf.json"
        write_atomically(config, json.dumps(self.asv_config([entry], staged), indent=2))
        (env,) = asvcompat.environments(config)
        return env.name

    def asv_config(
        self, include: list[dict[str, Any]], results_dir: Path, env_dir: Path | None = None
    ) -> dict[str, Any]:
        """The project's asv configuration with these environments instead of its matrix,
        writing into ``results_dir``; for another project, virtualenvs in the work folder."""
        conf = dict(self.conf)
        if self.own:
            root = self.root
            conf.update(
                repo=str(root),
                benchmark_dir=str(root / conf.get("benchmark_dir", "benchmarks")),
                env_dir=str(env_dir or root / conf.get("env_dir", ".asv/env")),
                html_dir=str(root / conf.get("html_dir", "html")),
            )
        else:
            _, variables = self.matrix()
            include = [
                {**entry, "env": {**variables, **entry.get("env", {})}} if variables else entry
                for entry in include
            ]
            for key in ("conda_channels", "conda_environment_file", "environment_file"):
                conf.pop(key, None)
            if not conf.get("install_command"):
                # asv's default reinstalls the project's dependencies at their latest releases
                # ("pip install WHEEL --force-reinstall"): the swept release would be replaced.
                # Every dependency is pinned in the environment already, so none is needed.
                conf["install_command"] = [f"{_DEFAULT_INSTALL} --no-deps"]
            conf["build_command"] = log_builds(
                _DEFAULT_BUILD if conf.get("build_command") is None else conf["build_command"]
            )
            conf.update(
                repo=str(self.repo),
                benchmark_dir=str(self.benchmark_dir),
                env_dir=str(env_dir or self.work / "env"),
                html_dir=str(self.work / "html"),
                environment_type="virtualenv",
                pythons=[self.python],
            )
        conf.update(
            results_dir=str(results_dir),
            matrix={},
            exclude=[{"python": ".*"}],  # no default environment: the includes only
            include=include,
        )
        return conf

    def describe(self) -> str:
        if self.own:
            return "accelpi's own suite"
        return f"{self.name}'s asv suite ({self.config_path}), commit {self.commit()[:8]}"

    def record(self) -> dict[str, Any]:
        """What a campaign record says of the project (nothing for accelpi's own)."""
        if self.own:
            return {}
        return {"name": self.name, "distribution": self.distribution, "commit": self.commit()}
