"""Another project's asv suite, unchanged: ``--project DIR`` on every release command.

The tests build a small project of their own (a real package, a git repository, an asv
configuration written for rattler, as many projects' are, and three benchmarks), then sweep
releases of ``sortedcontainers`` (a small pure-Python wheel) with real asv and real
virtualenvs. The project plants what such a project can do to a sweep: a dependency that
refuses a release (``sortedcontainers>=2.0``), a build command that fails with one release
(2.0.5), a benchmark that fails with another (2.3.0), and a slowdown from 2.2.0 on for the
bisection to find.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from accelpi.errors import InvalidArgument

from ..helpers import ROOT

LIBRARY = "sortedcontainers"

CONF = """\
// written for rattler, as xarray's is: accelpi builds virtualenvs instead
{
    "version": 1,
    "project": "tinyproj",
    "repo": "..",
    "branches": ["main"],
    "dvcs": "git",
    "environment_type": "rattler",
    "conda_channels": ["conda-forge"],
    "pythons": ["3.11"],
    "matrix": %(matrix)s,
    "build_command": [
        "python -c \\"import sys, sortedcontainers; sys.exit(sortedcontainers.__version__ == '2.0.5')\\"",
        "python -m pip wheel --no-deps --no-build-isolation -w {build_cache_dir} {build_dir}"
    ],
    "benchmark_dir": "benchmarks",
    "env_dir": ".asv/env",
    "results_dir": ".asv/results",
    "html_dir": ".asv/html"
}
"""

PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "tinyproj"
version = "0.1.0"
dependencies = ["sortedcontainers>=2.0", "colorama>=0.4; python_version < '3'"]

[tool.setuptools]
packages = ["tinyproj"]
"""

PACKAGE = '''\
"""A small package whose speed depends on sortedcontainers."""
from sortedcontainers import SortedList


def insert_all(values):
    ordered = SortedList()
    for value in values:
        ordered.add(value)
    return ordered
'''

BENCHMARKS = '''\
import time

import sortedcontainers

from tinyproj import insert_all

RELEASE = tuple(int(part) for part in sortedcontainers.__version__.split(".")[:3])


class Insert:
    params = [2000]
    param_names = ["n"]
    repeat = (3, 6, 5.0)
    number = 1
    warmup_time = 0.0

    def time_insert(self, n):
        insert_all(range(n, 0, -1))


class Planted:
    """A slowdown planted from sortedcontainers 2.2.0 on, for the bisection to find."""

    repeat = (4, 8, 5.0)
    number = 1
    warmup_time = 0.0

    def time_planted(self):
        time.sleep(0.004 if RELEASE >= (2, 2, 0) else 0.0005)


def time_fails_with_2_3():
    if RELEASE[:2] == (2, 3):
        raise RuntimeError("planted failure with sortedcontainers 2.3")
'''


def make_project(folder: Path, matrix: dict | None = None) -> Path:
    """The small project, committed in a git repository of its own; returns its asv folder."""
    matrix = {"sortedcontainers": [""], "setuptools": [""]} if matrix is None else matrix
    files = {
        "pyproject.toml": PYPROJECT,
        "tinyproj/__init__.py": PACKAGE,
        "asv_bench/asv.conf.json": CONF % {"matrix": json.dumps(matrix)},
        "asv_bench/benchmarks/__init__.py": "",
        "asv_bench/benchmarks/bench_sorted.py": BENCHMARKS,
    }
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=folder, check=True)
    subprocess.run([*git, "add", "."], cwd=folder, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "a small project"], cwd=folder, check=True)
    return folder / "asv_bench"


def run_accelpi(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """``accelpi ARGS`` in a fresh process, in ``cwd``, this checkout's package on its path."""
    return subprocess.run(
        [sys.executable, "-m", "accelpi", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def untouched(folder: Path) -> bool:
    """Nothing in the project was changed or added (not even ignored files: no .asv)."""
    done = subprocess.run(
        ["git", "status", "--porcelain", "--ignored"], cwd=folder, capture_output=True, text=True, check=True
    )
    return done.stdout == ""


# -- what is read from the project (no asv, no network) ---------------------------------


def test_the_projects_configuration_and_pins_become_the_release_plans_requirements(tmp_path):
    from accelpi.releases.project import Project

    suite = make_project(tmp_path / "tinyproj", {"req": {"sortedcontainers": "", "numpy": "1.26.4"}})
    project = Project.other(suite, work=tmp_path / "work")
    assert project.name == "tinyproj" and project.distribution == "tinyproj" and not project.own
    assert project.repo == (tmp_path / "tinyproj").resolve() and len(project.commit()) == 40
    assert any("rattler" in note for note in project.notes())
    lib = project.library(LIBRARY)
    assert lib.needs == ("numpy", "setuptools")  # the matrix's, then the build requirements
    assert "numpy==1.26.4" in lib.constraints  # asv's "1.26.4" is ==1.26.4
    assert "sortedcontainers>=2.0" in lib.constraints  # the project's own dependency
    assert not any("colorama" in c for c in lib.constraints)  # its marker is false here
    conf = project.asv_config([{"python": "3.11", "req": {LIBRARY: "2.4.0"}}], tmp_path / "results")
    assert conf["environment_type"] == "virtualenv" and "conda_channels" not in conf
    assert conf["env_dir"] == str(tmp_path / "work" / "env")
    assert conf["results_dir"] == str(tmp_path / "results")
    assert conf["repo"] == str(project.repo) and conf["benchmark_dir"] == str(suite.resolve() / "benchmarks")
    assert untouched(tmp_path / "tinyproj")


def test_a_suite_on_asvs_default_build_command_builds_only_its_own_wheel(tmp_path):
    """asv's default build command (``pip wheel -w {build_cache_dir}``, no ``--no-deps``) puts
    the dependencies' wheels beside the project's, and asv stops ("Found multiple wheels"):
    a campaign replaces it, and the plan says so."""
    from accelpi.releases.project import Project

    suite = make_project(tmp_path / "tinyproj")
    conf = suite / "asv.conf.json"
    text = conf.read_text()
    start = text.index('    "build_command"')
    conf.write_text(text[:start] + text[text.index("],", start) + 3 :])
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(
        [*git, "commit", "-q", "-am", "asv's default build"], cwd=tmp_path / "tinyproj", check=True
    )
    project = Project.other(suite, work=tmp_path / "work")
    assert "build_command" not in project.conf
    built = project.asv_config([{"python": "3.11", "req": {LIBRARY: "2.4.0"}}], tmp_path / "results")
    # --no-deps, and pip's log kept in the build cache (what an isolated build installed)
    assert built["build_command"][-1].endswith(
        "python -m pip wheel --no-deps -w {build_cache_dir} {build_dir}"
    )
    assert built["build_command"][-1].startswith("PIP_LOG={build_cache_dir}/accelpi-build-2.log ")
    assert any("default build command" in note and "--no-deps" in note for note in project.notes())


def test_what_a_project_can_do_to_us_is_said_before_anything_runs(tmp_path):
    from accelpi.releases.project import Project

    with pytest.raises(InvalidArgument, match=r"no asv\.conf\.json there"):
        Project.other(tmp_path)
    suite = make_project(tmp_path / "two", {"sortedcontainers": ["2.3.0", "2.4.0"]})
    with pytest.raises(InvalidArgument, match=r"2 values .* --pin sortedcontainers==VERSION"):
        Project.other(suite, work=tmp_path / "work")
    suite = make_project(tmp_path / "none", {})
    with pytest.raises(
        InvalidArgument, match=r"has no matrix and its pyproject\.toml does not depend on numba"
    ):
        Project.other(suite, work=tmp_path / "work").library("numba")
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "asv.conf.json").write_text('{"repo": "..", "project": "x"}')
    with pytest.raises(InvalidArgument, match="not a local git repository"):
        Project.other(copy, work=tmp_path / "work")
    with pytest.raises(InvalidArgument, match="is not a commit"):
        Project.other(suite, work=tmp_path / "work", ref="no-such-branch")


@pytest.mark.parametrize(
    ("matrix", "refused"),
    [
        # a path or a URL as a key: pip would build it, running its setup.py, even for --plan
        ({"./evil": [""]}, r"names '\./evil', which is not a distribution's name; paths and URLs"),
        ({"git+https://example.org/x.git": [""]}, r"not a distribution's name"),
        ({"req": {"/tmp/pkg": ""}}, r"not a distribution's name"),
        # a version that pip would read as an option or a location
        ({"sortedcontainers": ["2.4.0 --dry-run"]}, r"the version '2\.4\.0 --dry-run'; accepted: a version"),
        ({"sortedcontainers": ["@ https://example.org/x.whl"]}, r"accepted: a version"),
        # shapes asv never wrote: one line, not a traceback
        ({"req": ["six"]}, r"its matrix's req is \['six'\]; asv takes an object"),
        ({"req": {}, "env_nobuild": "x"}, r"its matrix's env_nobuild is 'x'"),
        ({"req": {}, "env": {"A B": "1"}}, r"the variable 'A B', which is not an environment variable"),
    ],
)
def test_a_matrix_that_would_make_pip_fetch_or_build_is_refused_before_running(tmp_path, matrix, refused):
    from accelpi.releases.project import Project

    suite = make_project(tmp_path / "tinyproj", matrix)
    with pytest.raises(InvalidArgument, match=refused):
        Project.other(suite, work=tmp_path / "work")


def test_a_matrix_version_may_be_a_version_a_specifier_or_the_newest(tmp_path):
    from accelpi.releases.project import Project

    matrix = {"req": {"sortedcontainers": ">=2.0,<3", "numpy": "1.26.4", "pip+setuptools": None}}
    project = Project.other(make_project(tmp_path / "tinyproj", matrix), work=tmp_path / "work")
    assert project.matrix()[0] == {"sortedcontainers": ">=2.0,<3", "numpy": "1.26.4", "setuptools": ""}


def test_the_command_line_keeps_results_and_environments_out_of_the_project(tmp_path):
    suite = make_project(tmp_path / "tinyproj")

    def accelpi(*args: str) -> subprocess.CompletedProcess:
        return run_accelpi(tmp_path, *args)

    done = accelpi("sweep", "--project", str(suite), LIBRARY, "2.4.0", "--plan")
    assert done.returncode == 2 and "--project needs --results" in done.stderr
    inside = str(tmp_path / "tinyproj" / "results")
    done = accelpi("sweep", "--project", str(suite), LIBRARY, "2.4.0", "--plan", "--results", inside)
    assert done.returncode == 2 and "inside the project's repository" in done.stderr
    assert "Traceback" not in done.stderr and untouched(tmp_path / "tinyproj")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "benchmarks.json").write_text('{"version": 2}')
    done = accelpi("versions", "--project", str(suite), "--results", str(tmp_path / "empty"))
    assert "no results of any library under tinyproj's suite" in done.stderr, done.stderr
    assert "numba" not in done.stderr  # accelpi's own libraries are not this project's


def test_results_stay_out_of_an_asv_folder_that_lies_outside_the_repository_it_measures(tmp_path):
    """A suite kept apart from its project (``"repo"`` pointing at another checkout): results
    inside the suite's folder would be written into the user's files, as inside the repository;
    and a results folder never given (a replay's) is not checked at all."""
    make_project(tmp_path / "tinyproj")
    suite = tmp_path / "suite"
    suite.mkdir()
    text = (tmp_path / "tinyproj" / "asv_bench" / "asv.conf.json").read_text()
    (suite / "asv.conf.json").write_text(
        text.replace('"repo": ".."', '"repo": "../tinyproj"').replace(
            '"benchmark_dir": "benchmarks"', '"benchmark_dir": "../tinyproj/asv_bench/benchmarks"'
        )
    )

    def accelpi(*args: str, cwd: Path = tmp_path) -> subprocess.CompletedProcess:
        return run_accelpi(cwd, *args)

    inside = str(suite / "results")
    done = accelpi("sweep", "--project", str(suite), LIBRARY, "2.4.0", "--plan", "--results", inside)
    assert done.returncode == 2 and "inside the project's asv folder" in done.stderr, done.stderr
    # --replay with --project . and no --results: accelpi's default results folder is not "given"
    asv_folder = tmp_path / "tinyproj" / "asv_bench"
    done = accelpi("sweep", "--replay", "missing.json", "--project", ".", cwd=asv_folder)
    assert done.returncode == 2 and "--results" not in done.stderr and "missing.json" in done.stderr, (
        done.stderr
    )


def test_a_symlinked_configuration_reads_its_paths_from_the_links_folder_as_asv_does(tmp_path):
    from accelpi.releases.project import Project

    suite = make_project(tmp_path / "tinyproj")
    links = tmp_path / "tinyproj" / "tools" / "bench"
    links.mkdir(parents=True)
    (links / "asv.conf.json").symlink_to(suite / "asv.conf.json")
    (links / "benchmarks").symlink_to(suite / "benchmarks")
    project = Project.other(links, work=tmp_path / "work")
    assert project.config_path == links / "asv.conf.json" and project.root == links
    assert project.repo == (tmp_path / "tinyproj" / "tools").resolve()  # "..", from the link's folder


# -- a real sweep of the small project ---------------------------------------------------


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    """sortedcontainers 1.5.10, 2.0.5, 2.1.0 and 2.3.0 under the small project's suite: one
    campaign of two passes, through the command line, results outside the project."""
    top = tmp_path_factory.mktemp("project")
    suite = make_project(top / "tinyproj")
    home, results, work = top / "home", top / "results", top / "work"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "asv", "machine", "--yes", "--machine", "selftest"],
        cwd=ROOT,  # asv reads a configuration from the folder it runs in; the machine file is HOME's
        env=env,
        check=True,
        capture_output=True,
    )

    def accelpi(*args: str) -> subprocess.CompletedProcess:
        common = ["--project", str(suite)]
        return subprocess.run(
            [sys.executable, "-m", "accelpi", *args, *common],
            capture_output=True,
            text=True,
            cwd=top,
            env=env,
            timeout=1800,
        )

    swept = accelpi(
        "sweep",
        LIBRARY,
        "1.5.10",
        "2.0.5",
        "2.1.0",
        "2.3.0",
        "--passes",
        "2",
        "--extra-passes",
        "0",
        "--no-control",
        "--machine",
        "selftest",
        "--results",
        str(results),
        "--work",
        str(work),
        "--json",
    )
    return {"top": top, "suite": suite, "results": results, "work": work, "run": accelpi, "swept": swept}


def _report(campaign):
    done = campaign["swept"]
    assert done.stdout, done.stderr[-3000:]
    (report,) = json.loads(done.stdout)
    return report


@pytest.mark.slow
@pytest.mark.network
def test_a_sweep_of_another_project_measures_every_release_it_can_and_says_why_not_the_others(campaign):
    from accelpi.store.refusals import cannot_install

    report = _report(campaign)
    done = campaign["swept"]
    assert done.returncode == 1, done.stderr[-3000:]  # a build and a benchmark failed: said, kept
    assert "a build or a benchmark failed" in done.stderr
    assert not re.search(r'File ".*/accelpi/', done.stderr)  # the planted failure's traceback only
    refused = cannot_install(campaign["results"])
    assert list(refused) == [(LIBRARY, "1.5.10", f"{sys.version_info[0]}.{sys.version_info[1]}")]
    by_release = {e["installed"].get(LIBRARY): e for e in report["environments"]}
    assert sorted(by_release) == ["2.0.5", "2.1.0", "2.3.0"]
    assert "exit status 1" in by_release["2.0.5"]["not_built"]
    failed = report["failed"][by_release["2.3.0"]["name"]]
    assert failed == ["bench_sorted.time_fails_with_2_3"]
    assert by_release["2.1.0"]["name"] not in report["failed"]
    # why, kept in the published record (asv's output, in the stage folder, is deleted)
    why = report["why_failed"][by_release["2.3.0"]["name"]]["bench_sorted.time_fails_with_2_3"]
    assert "RuntimeError: planted failure with sortedcontainers 2.3" in why
    assert "planted failure" in done.stdout and not re.search(r"/tmp/|/home/", why)
    # the project and its environments: nothing written into the project, virtualenvs in --work
    assert untouched(campaign["top"] / "tinyproj")
    assert (campaign["work"] / "env").is_dir() and not (
        campaign["work"] / "campaigns" / report["campaign"]
    ).exists()


@pytest.mark.slow
@pytest.mark.network
def test_the_inventories_and_campaign_name_the_project_and_its_exact_wheels(campaign):
    from accelpi.store.campaigns import load_campaigns
    from accelpi.store.records import file_records, load_inventories

    report = _report(campaign)
    (record,) = load_campaigns(campaign["results"]).values()
    assert record["project"]["name"] == "tinyproj" and record["id"] == report["campaign"]
    used = record["project"]["asv_config"]  # the configuration asv ran with, no path of this machine
    assert used["repo"] == "tinyproj" and used["environment_type"] == "virtualenv"
    assert used["build_command"][-1].endswith("--no-build-isolation -w {build_cache_dir} {build_dir}")
    (path,) = campaign["results"].glob(f"selftest/{record['id']}/*.campaign")
    assert str(campaign["top"]) not in path.read_text()
    assert record["not_built"] and record["passes"] == 2
    assert record["why_failed"] == report["why_failed"] and record["failed"] == report["failed"]
    inventories = load_inventories(campaign["results"])
    assert {r["project"] for r in inventories} == {"tinyproj"}
    built = [r for r in inventories if "project_build" not in r]
    assert sorted(r["installed"][LIBRARY] for r in built) == ["2.1.0", "2.3.0"]
    for r in built:
        files = file_records(r)
        assert files[LIBRARY]["sha256"] and files[LIBRARY]["wheel"].endswith(".whl")
        assert r["installed"]["tinyproj"] == "0.1.0" and r["requested"]["setuptools"]
        assert r["build_environment"] == []  # built without isolation: nothing installed for it
    done = campaign["run"]("inventory", "--results", str(campaign["results"]))
    assert done.returncode == 0, done.stderr
    assert "tinyproj's asv suite" in done.stdout and "sortedcontainers 2.3.0" in done.stdout


@pytest.mark.slow
@pytest.mark.network
def test_versions_flags_the_planted_slowdown_with_the_campaign_that_decided(campaign):
    done = campaign["run"]("versions", "--results", str(campaign["results"]), "--json")
    assert done.returncode == 1, done.stderr  # a finding
    report = json.loads(done.stdout)
    (step,) = [c for c in report["flagged"] if "Planted" in c["benchmark"]]
    assert (step["library"], step["before"], step["after"]) == (LIBRARY, "2.1.0", "2.3.0")
    assert step["campaign"] == _report(campaign)["campaign"] and step["ratio"] > 3
    assert not [c for c in report["flagged"] if "Insert" in c["benchmark"] and c["ratio"] > 3]


@pytest.mark.slow
@pytest.mark.network
def test_bisect_finds_the_first_release_of_the_planted_slowdown(campaign):
    done = campaign["run"](
        "bisect",
        LIBRARY,
        "--good",
        "2.1.0",
        "--bad",
        "2.3.0",
        "-b",
        r"Planted\.time_planted",
        "--machine",
        "selftest",
        "--results",
        str(campaign["results"]),
        "--work",
        str(campaign["work"]),
        "--json",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert (result["last_good"], result["first_bad"]) == ("2.1.0", "2.2.0")
    assert untouched(campaign["top"] / "tinyproj")


@pytest.mark.slow
@pytest.mark.network
def test_the_release_pages_of_another_project(campaign):
    from accelpi.store.radar import save_sightings

    site = campaign["top"] / "site"
    findings = campaign["top"] / "what-changed.md"
    # as `accelpi radar --project` records a release it found: the project site has its radar too
    sighting = {"library": LIBRARY, "release": "2.3.0", "predecessor": "2.1.0", "machine": "selftest",
                "uploaded": "2026-11-04T15:06:00Z", "found": "2026-12-06T21:59:26Z", "status": "measured",
                "reason": ""}  # fmt: skip
    save_sightings(campaign["results"], [sighting])
    done = campaign["run"](
        "site", "--results", str(campaign["results"]), "--html", str(site), "--findings", str(findings)
    )
    assert done.returncode == 0, done.stderr
    radar = (site / "radar.html").read_text()
    assert LIBRARY in radar and "2.3.0" in radar and "2026-11-04 15:06:00" in radar
    feedparser = pytest.importorskip("feedparser")
    feed = feedparser.parse((site / "radar.xml").read_text())
    assert not feed.bozo and [e.title.split(":")[0] for e in feed.entries] == [f"{LIBRARY} 2.3.0"]
    index = (site / "index.html").read_text()
    assert 'href="radar.html"' in index  # in the navigation bar and the front page's radar section
    assert (
        "tinyproj: its benchmarks across library releases" in index
        and 'href="sortedcontainers.html"' in index
    )
    assert "../swallow.ico" not in index and "asv: every benchmark" not in index  # no asv pages here
    page = (site / "sortedcontainers.html").read_text()
    assert "Planted.time_planted" in page and "Releases that cannot be installed here" in page
    # the project's words, not accelpi's: its commits, its parameters' names (asv's param_names)
    assert "tinyproj commit" in page and "accelpi commit" not in page
    assert "one colour per n on every chart" in page and "one colour per backend" not in page
    text = findings.read_text()
    assert "tinyproj's benchmarks" in text and "Planted.time_planted" in text and "2.1.0" in text


@pytest.mark.slow
@pytest.mark.network
def test_a_replay_installs_the_recorded_wheels_and_builds_the_project_again(campaign):
    from accelpi.store.records import load_inventories

    sweep = _report(campaign)["campaign"]
    (record,) = [
        r
        for r in load_inventories(campaign["results"])
        if r["installed"].get(LIBRARY) == "2.1.0" and r["campaign"] == sweep
    ]
    (path,) = (campaign["results"] / "selftest" / sweep).glob(f"*{record['env_name']}.versions")
    done = campaign["run"](
        "sweep", "--replay", str(path), "--machine", "selftest", "--work", str(campaign["work"]), "--json"
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["differences"] == [] and report["asv_exit"] == 0
    assert untouched(campaign["top"] / "tinyproj")
