"""The release tooling under hostile files, hostile strings and failing outputs: nothing lost,
nothing injected, nothing hangs, one clear line and the documented exit status.

Each class is one kind of attack; each test names what failed before it was fixed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

import pytest

from accelpi import InvalidArgument

from .asv_files import write_campaign_record, write_release_results
from .helpers import ROOT, require

ACCELPI = [sys.executable, "-m", "accelpi"]
ESC = "\x1b"


def accelpi(*args: str, cwd: Path = ROOT, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*ACCELPI, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, **kwargs
    )


def one_line(done: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.fixture
def project(tmp_path):
    """A copy of the project's data and configuration, to be attacked without harm."""
    pytest.importorskip("asv")
    for name in ("asv.conf.json",):
        shutil.copy2(ROOT / name, tmp_path / name)
    for folder in ("sweeps", "results"):
        (tmp_path / folder).mkdir()
    write_release_results(tmp_path / "sweeps", {"0.67.0": 0.010, "0.68.1": 0.011})
    return tmp_path


class TestASiteNeverEmptiesAFolderItDidNotMake:
    """``asv publish`` empties its folder first: ``--html sweeps`` deleted 231 committed files."""

    @pytest.mark.parametrize("folder", ["sweeps", "results", ".", "..", "docs", "sweeps/testbox"])
    def test_the_projects_own_folders_are_refused_before_anything_is_written(self, project, folder):
        (project / "docs").mkdir(exist_ok=True)
        before = sorted(p for p in project.rglob("*"))
        done = accelpi("site", "--html", folder, cwd=project)
        assert done.returncode == 2 and "--html" in one_line(done)
        assert sorted(p for p in project.rglob("*")) == before

    def test_a_folder_holding_something_else_is_refused(self, project):
        mine = project / "mydocs"
        mine.mkdir()
        (mine / "thesis.tex").write_text("years of work")
        done = accelpi("site", "--html", "mydocs", cwd=project)
        assert done.returncode == 2 and "not empty and not a site built before" in one_line(done)
        assert (mine / "thesis.tex").read_text() == "years of work"

    def test_a_previous_site_and_a_new_folder_are_accepted(self, project):
        from accelpi.site.build import check_site_folder

        old = project / "html"
        (old / "accelpi").mkdir(parents=True)
        (old / "accelpi" / "index.html").write_text("<html></html>")
        check_site_folder(project, old)
        check_site_folder(project, project / "new-folder")
        (project / "empty").mkdir()
        check_site_folder(project, project / "empty")


class TestNoStringReadFromAFileBecomesAnOption:
    """A result's ``commit_hash`` of ``--output=/tmp/victim`` emptied that file through git diff;
    a recorded version holding a newline wrote ``--index-url`` into pip's requirements."""

    def test_git_never_takes_an_option_from_a_result_file(self, tmp_path):
        from accelpi.store import git

        victim = tmp_path / "victim"
        victim.write_text("precious")
        head = git.head(ROOT)
        assert git.changed_files(ROOT, f"--output={victim}", head, "accelpi") is None
        assert git.changed_files(ROOT, head, f"--output={victim}", "accelpi") is None
        assert git.resolve(ROOT, f"--output={victim}") is None
        assert not git.is_commit(ROOT, f"--output={victim}")
        assert victim.read_text() == "precious"
        assert git.changed_files(ROOT, head, head, "accelpi") == []

    def test_the_code_history_of_a_campaign_break_survives_such_a_result(self, project, tmp_path):
        from accelpi.reports.report import CodeHistory

        victim = tmp_path / "victim"
        victim.write_text("precious")
        text = CodeHistory(ROOT).between(f"--output={victim}", git_head(), ["accelpi"])["text"]
        assert "not in this repository" in text and victim.read_text() == "precious"

    @pytest.mark.parametrize(
        "version",
        ["1.0\n--index-url http://127.0.0.1:9/", "1.0 --index-url=http://127.0.0.1:9/", "--pre", "1.0;"],
    )
    def test_a_replay_refuses_an_altered_record(self, version):
        from accelpi.releases.replay import requirements

        record = {
            "env_name": "x",
            "distributions": {
                "numpy": {"version": version, "wheel": "numpy-1.0-py3-none-any.whl", "sha256": "a" * 64}
            },
        }
        with pytest.raises(InvalidArgument, match="the record was altered"):
            requirements(record)

    def test_a_replay_refuses_a_hash_that_is_not_one(self):
        from accelpi.releases.replay import requirements

        entry = {"version": "1.0", "wheel": "numpy-1.0-py3-none-any.whl", "sha256": "a" * 63 + "\n-e ."}
        with pytest.raises(InvalidArgument, match="altered"):
            requirements({"env_name": "x", "distributions": {"numpy": entry}})

    @pytest.mark.parametrize(
        "pin",
        ["--index-url=http://127.0.0.1:9/", "numpy @ http://127.0.0.1:9/numpy.whl", "numpy==1\n-e .", "-r x"],
    )
    def test_a_pin_is_a_requirement_and_nothing_else(self, pin):
        done = accelpi("sweep", "numba", "0.68.1", f"--pin={pin}", "--plan")
        assert done.returncode == 2 and "is not a requirement" in one_line(done)


class TestARecordOfTheWrongShapeIsSkippedNotFatal:
    """JSON of the right syntax and the wrong shape raised tracebacks in versions, inventory,
    site and summary."""

    SHAPES: ClassVar[dict[str, dict]] = {
        "version-a-list": {
            "environment": {"libraries": {"numba": {"distribution": "numba", "version": [1]}}}
        },
        "requested-a-list": {"requested": ["numba"]},
        "env-vars-numbers": {"env_vars": {"A": 1}},
        "commit-an-option": {"commit": "--output=/tmp/x"},
        "campaign-a-number": {"campaign": 5},
        "markup-in-the-name": {"env_name": "[bold red]boom[/]" + ESC + "]0;title\x07"},
    }

    @pytest.fixture
    def folder(self, tmp_path):
        pytest.importorskip("asv")
        write_release_results(tmp_path, {"0.67.0": 0.010, "0.68.1": 0.020})
        (inventory,) = [p for p in tmp_path.rglob("*numba0.68.1*.versions")]
        good = json.loads(inventory.read_text())
        for i, (kind, change) in enumerate(self.SHAPES.items()):
            (inventory.parent / f"{i:08x}-{kind}.versions").write_text(json.dumps({**good, **change}))
        deep = "[" * 100_000 + "]" * 100_000
        (inventory.parent / "deep.versions").write_text(deep)
        (inventory.parent / "deep.campaign").write_text(deep)
        (inventory.parent / "wrong.campaign").write_text(json.dumps({"id": ["x"], "commit": 1}))
        return tmp_path

    @pytest.mark.parametrize(
        ("command", "at_least"), [(["versions", "--library", "numba"], 2), (["inventory"], 6)]
    )
    def test_each_is_named_and_the_others_are_reported(self, folder, command, at_least):
        # versions reads the records beside results and the campaigns; inventory every record
        done = accelpi(*command, "--results", str(folder), "--json")
        assert "Traceback" not in done.stderr, done.stderr[-3000:]
        skipped = [line for line in done.stderr.splitlines() if "warning: skipped" in line]
        assert len(skipped) >= at_least, done.stderr
        assert ESC not in done.stderr and ESC not in done.stdout
        assert done.returncode in (0, 1)

    def test_the_schema_says_which_field(self, folder):
        from accelpi.store.records import load_inventories

        skipped = []
        load_inventories(folder, skipped)
        reasons = {Path(s["file"]).name.split("-", 1)[-1]: s["why"] for s in skipped}
        assert "version" in reasons["version-a-list.versions"]
        assert "requested" in reasons["requested-a-list.versions"]
        assert "commit" in reasons["commit-an-option.versions"]
        assert "nested too deeply" in reasons["deep.versions"]


class TestOutputThatCannotBeWritten:
    """``> /dev/full`` gave a traceback and exit 1; ``| head -c1`` exit 1 for rich tables;
    ``PYTHONIOENCODING=ascii`` a UnicodeEncodeError in run, versions, summary, replicate."""

    @pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
    @pytest.mark.parametrize("command", [["backends"], ["backends", "--json"], ["machine"], ["info"]])
    def test_a_full_disk_is_one_line_and_status_4(self, command):
        with open("/dev/full", "w") as full:
            done = subprocess.run(
                [*ACCELPI, *command], stdout=full, stderr=subprocess.PIPE, text=True, timeout=300
            )
        assert done.returncode == 4, done.stderr
        assert "the output could not be written" in one_line(done)

    @pytest.mark.parametrize("command", [["backends"], ["machine"], ["summary", "--machine", "cpu-epyc-2c"]])
    def test_a_reader_that_goes_away_is_status_0(self, command):
        reader = subprocess.Popen(["head", "-c", "1"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
        done = subprocess.run(
            [*ACCELPI, *command], stdout=reader.stdin, stderr=subprocess.PIPE, text=True, timeout=300
        )
        reader.stdin.close()
        reader.wait(timeout=30)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr

    def test_a_closed_stdout_is_no_attribute_error(self):
        done = subprocess.run(
            [*ACCELPI, "backends"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=300,
            preexec_fn=lambda: os.close(1),
        )  # fmt: skip
        assert "Traceback" not in done.stderr and done.returncode == 0, done.stderr

    @pytest.mark.parametrize(
        "command",
        [
            ["run", "-b", "numpy", "-n", "1e5"],
            ["summary", "--machine", "cpu-epyc-2c"],
            ["replicate"],
            ["compare", "-b", "numpy", "-n", "1e5", "--budget", "0.05", "--repeat", "1"],
            ["versions"],
        ],
    )
    def test_a_console_that_cannot_encode_pi_gets_words(self, command):
        env = {**os.environ, "PYTHONIOENCODING": "ascii"}
        done = subprocess.run([*ACCELPI, *command], cwd=ROOT, capture_output=True, env=env, timeout=600)
        assert b"Traceback" not in done.stderr, done.stderr[-2000:]
        assert done.returncode in (0, 1)
        done.stdout.decode("ascii")  # nothing but ASCII reached the console
        if command[0] == "run":
            assert b"pi ~" in done.stdout and b"sigma" in done.stdout


class TestNoUnboundedNumberIsComputedOrPrinted:
    """``run -n '2**20000'`` failed while printing its error; ``-n '9**99999999999'`` computed
    for over a minute before any check; ``estimate(seed=10**5000)`` failed building its message."""

    @pytest.mark.parametrize("n", ["2**20000", "9**99999999999", "1" * 5000, "10**400"])
    def test_a_huge_count_is_refused_at_once(self, n):
        start = time.perf_counter()
        done = accelpi("run", "-b", "numpy", "-n", n, timeout=60)
        assert done.returncode == 2 and len(one_line(done)) < 400
        assert time.perf_counter() - start < 20

    def test_a_huge_seed_is_described_not_printed(self):
        import accelpi as api

        with pytest.raises(InvalidArgument, match="an integer of about 5,001 digits") as caught:
            api.estimate(10, "numpy", seed=10**5000)
        assert len(str(caught.value)) < 300
        with pytest.raises(InvalidArgument, match="n=an integer of about"):
            api.estimate(10**5000, "numpy")


class TestControlCharactersNeverReachTheTerminal:
    """``--results``, ``--commit``, ``--good`` and names inside result files reached the
    terminal raw: colours, a window title, fake lines."""

    TITLE = ESC + "]0;pwned\x07" + ESC + "[31mred\nfake line"

    @pytest.mark.parametrize(
        "argv",
        [
            ["versions", "--results", TITLE],
            ["inventory", "--results", TITLE],
            ["inventory", "--record", "--commit", TITLE, "--machine", "m"],
            ["bisect", "numba", "--good", TITLE, "--bad", "0.68.1", "-b", "x", "--machine", "m"],
            ["run", "-b", TITLE],
            ["summary", "--commit", TITLE],
        ],
    )
    def test_a_hostile_argument_is_escaped_in_the_error(self, argv):
        done = accelpi(*argv, timeout=120)
        assert done.returncode == 2
        line = one_line(done)
        assert ESC not in line and "\x07" not in line and "\\x1b" in line

    def test_a_hostile_name_in_a_result_file_is_escaped_in_tables(self, tmp_path):
        pytest.importorskip("asv")
        write_release_results(tmp_path, {"0.67.0": 0.010})
        (inventory,) = list(tmp_path.rglob("*.versions"))
        record = json.loads(inventory.read_text())
        record["env_name"] = self.TITLE
        record["env_vars"] = {"X": self.TITLE}
        inventory.write_text(json.dumps(record))
        for wide in ([], ["--wide"]):
            done = accelpi("inventory", "--results", str(tmp_path), *wide)
            assert ESC not in done.stdout + done.stderr and "\x07" not in done.stdout


class TestResourcesAreBounded:
    """``dask:distributed`` kept a cluster per thread count (36 workers, 2.3 GB) and took
    ``--threads`` up to 1024; a scheduler without workers hung; ``overhead --tasks 50000000``
    skipped the task cap; a MemoryError disabled a backend for the rest of the process."""

    def test_threads_beyond_the_cores_are_refused_for_dask(self):
        require("dask:distributed")
        from accelpi.machine import cpu_count

        done = accelpi("run", "-b", "dask:distributed", "--threads", str(cpu_count() + 62), "-n", "1000")
        assert done.returncode == 2 and f"accepted: 1 to {cpu_count()}" in one_line(done)

    def test_one_local_cluster_at_a_time(self):
        require("dask:distributed")
        import accelpi as api
        from accelpi.backends import dask_

        try:
            from accelpi.machine import cpu_count

            for threads in (1, 2, 1, 2):
                if threads <= cpu_count():
                    assert api.estimate(20_000, "dask:distributed", threads=threads, seed=1).n == 20_000
                assert len(dask_._local) == 1
        finally:
            dask_._close_local()

    def test_a_scheduler_without_workers_is_unavailable_in_time(self):
        require("dask:distributed")
        import accelpi as api
        from accelpi import BackendUnavailable

        scheduler = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
             "--dashboard-address", "127.0.0.1:0", "--scheduler-file", "sched.json"],
            cwd=ROOT / ".asv", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            path = ROOT / ".asv" / "sched.json"
            deadline = time.time() + 60
            while not path.exists() and time.time() < deadline:
                time.sleep(0.2)
            address = json.loads(path.read_text())["address"]
            start = time.perf_counter()
            with pytest.raises(BackendUnavailable, match="has no worker"):
                api.estimate(1000, "dask:distributed", scheduler=address, connect_timeout=3)
            assert time.perf_counter() - start < 30
        finally:
            scheduler.terminate()
            scheduler.wait(timeout=30)
            (ROOT / ".asv" / "sched.json").unlink(missing_ok=True)

    def test_the_task_cap_holds_for_the_thread_pool_too(self):
        done = accelpi("overhead", "--tasks", "50000000", "-n", "2**26", "--repeat", "1", timeout=60)
        assert done.returncode == 2 and "at most 100,000 tasks" in one_line(done)

    def test_running_out_of_memory_once_does_not_disable_a_backend(self, monkeypatch):
        from dataclasses import replace

        import accelpi as api
        from accelpi import BackendUnavailable, registry

        real = registry.load
        calls = []

        def out_of_memory(job):
            calls.append(job)
            raise MemoryError("planted")

        monkeypatch.setattr(registry, "load", lambda name: replace(real(name), count=out_of_memory))
        with pytest.raises(BackendUnavailable, match="not marked unavailable"):
            api.estimate(1000, "numpy")
        monkeypatch.undo()
        assert calls and registry.info("numpy").available
        assert api.estimate(1000, "numpy", seed=1).n == 1000


class TestServersListenOnLoopback:
    """``make preview`` listened on 0.0.0.0 while printing 127.0.0.1."""

    def test_make_preview_binds_loopback(self):
        done = subprocess.run(["make", "-n", "preview"], cwd=ROOT, capture_output=True, text=True, timeout=60)
        recipe = [line for line in done.stdout.splitlines() if "http.server" in line]
        assert recipe and all("--bind 127.0.0.1" in line for line in recipe), done.stdout
        commands = [line for line in (ROOT / "Makefile").read_text().splitlines() if line.startswith("\t")]
        assert not any("asv preview" in line for line in commands)


class TestAFactorIsAFiniteNumberAtLeastOne:
    """The gate took ``--factor nan`` (asv then hid every slower row: the gate always passed)
    and ``0`` (asv crashed)."""

    @pytest.mark.parametrize("value", ["nan", "inf", "0", "-1", "0.99", "1e400"])
    @pytest.mark.parametrize(
        "command",
        [
            ["gate", "main", "HEAD"],
            ["versions"],
            ["site", "--no-publish"],
            ["bisect", "numba", "--good", "1", "--bad", "2", "-b", "x"],
        ],
    )
    def test_everywhere(self, command, value):
        done = accelpi(*command, "--factor", value, timeout=60)
        assert done.returncode == 2 and "is not a factor" in one_line(done)

    def test_in_the_api_too(self, tmp_path):
        pytest.importorskip("asv")
        from accelpi.reports.versions import release_steps

        write_release_results(tmp_path, {"0.67.0": 0.010, "0.68.1": 0.020})
        for value in (float("nan"), float("inf"), 0.5):
            with pytest.raises(InvalidArgument, match="finite number >= 1"):
                release_steps(tmp_path, "numba", factor=value)


class TestReleasesAreNormalised:
    """``sweep numpy 2.0.02`` was accepted, then failed the pin check; 2.0, 2.0.0 and 2.0.02
    are one release."""

    @pytest.mark.network
    def test_one_release_however_spelled_is_measured_once(self):
        from accelpi.releases.plan import plan_sweep

        plan = plan_sweep("numpy", ["2.0.02", "2.0.2", "v2.0.2", "2.0", "2.0.0"], switches={})
        assert plan.versions == ["2.0.0", "2.0.2"]
        assert all(entry["req"]["numpy"] in ("2.0.0", "2.0.2") for entry in plan.include())


def git_head() -> str:
    from accelpi.store import git

    return git.head(ROOT)


def test_a_campaign_record_names_its_folder(tmp_path):
    """(the helper the hostile tests build on writes what a campaign writes)"""
    folder = write_campaign_record(tmp_path, "box", "numba-20261110T000000Z", "0" * 40, "a", "b")
    assert (folder / "machine.json").exists() and (folder / "numba-20261110T000000Z.campaign").exists()
