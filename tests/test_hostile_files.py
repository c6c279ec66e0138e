"""Files and records that try to make accelpi write elsewhere or run what it never chose.

Each class is one kind of attack (the issue "nothing a suite or a results folder holds can run
code, overwrite a file or hang a command"); each test failed before its fix.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from accelpi import InvalidArgument
from accelpi.store.files import write_atomically


class TestAPartialFileIsNeverWrittenThroughAName:
    """A ``.NAME.partial`` left in a results folder (a shared folder, an extracted archive)
    was followed: the target of a symlink there was emptied and rewritten."""

    def test_a_symlinked_partial_name_is_never_followed(self, tmp_path):
        victim = tmp_path / "victim.txt"
        victim.write_text("precious")
        folder = tmp_path / "results"
        folder.mkdir()
        (folder / ".benchmarks.json.partial").symlink_to(victim)
        write_atomically(folder / "benchmarks.json", "{}")
        assert victim.read_text() == "precious"
        assert (folder / "benchmarks.json").read_text() == "{}"
        assert (folder / ".benchmarks.json.partial").is_symlink()  # left as it was, never used

    def test_a_symlink_at_the_name_itself_is_replaced_not_written_through(self, tmp_path):
        victim = tmp_path / "victim.txt"
        victim.write_text("precious")
        (tmp_path / "cannot-install.tsv").symlink_to(victim)
        write_atomically(tmp_path / "cannot-install.tsv", "library\trelease\n")
        assert victim.read_text() == "precious"
        assert not (tmp_path / "cannot-install.tsv").is_symlink()

    def test_a_stale_partial_file_neither_blocks_nor_survives_a_write(self, tmp_path):
        (tmp_path / ".x.campaign.partial").write_text("half")
        write_atomically(tmp_path / "x.campaign", "whole")
        assert (tmp_path / "x.campaign").read_text() == "whole"
        assert oct((tmp_path / "x.campaign").stat().st_mode & 0o777) == oct(0o644)
        assert sorted(p.name for p in tmp_path.iterdir()) == [".x.campaign.partial", "x.campaign"]

    def test_an_interrupted_write_leaves_no_partial_file(self, tmp_path):
        with pytest.raises(TypeError):
            write_atomically(tmp_path / "record.json", 42)  # not a text
        assert list(tmp_path.iterdir()) == []


def _record(**changes) -> dict:
    """An inventory of one numba environment, as ``accelpi sweep`` records it."""
    wheel = {"version": "0.68.1", "wheel": "numba-0.68.1-cp311-cp311-manylinux.whl", "sha256": "a" * 64}
    record = {
        "env_name": "virtualenv-py3.11-numba0.68.1",
        "swept": "numba",
        "requested": {"numba": "0.68.1"},
        "env_vars": {},
        "distributions": {"numba": wheel},
    }
    return {**record, **changes}


class TestARecordFieldNeverReachesPipOrAsvAsAnOption:
    """``sweep --replay`` handed a record's ``requested`` keys and values to asv, which gives
    them to pip: a key ``git+https://...`` built code from any address past
    ``--require-hashes``, a value ``0.68.1 --dry-run`` became an option; its ``env_vars`` set
    any variable of the benchmark processes (``LD_PRELOAD``)."""

    @pytest.mark.parametrize(
        "requested",
        [
            {"git+https://127.0.0.1:9/evil.git": ""},
            {"numba": "0.68.1 --dry-run"},
            {"numba": "0.68.0"},  # not the recorded release
            {"numba @ file:///tmp/evil.whl": ""},
            {"scipy": "1.14.0"},  # no recorded file of it
        ],
    )
    def test_the_requested_requirements_are_recorded_files_at_their_release(self, requested):
        from accelpi.releases.replay import requested as checked

        with pytest.raises(InvalidArgument, match="the record was altered"):
            checked(_record(requested=requested))
        assert checked(_record()) == {"numba": "0.68.1"}

    @pytest.mark.parametrize(
        "variables",
        [
            {"LD_PRELOAD": "evil.so"},
            {"PYTHONPATH": "."},
            {"TF_ENABLE_ONEDNN_OPTS": "1"},  # not a switch of numba
            {"ACCELPI_AA": "$(touch x)"},
            {"ACCELPI_AA": "/tmp/evil"},
        ],
    )
    def test_the_variables_are_the_librarys_switches_or_accelpis_own(self, variables):
        from accelpi.releases.plan import SweepPlan, library
        from accelpi.releases.project import Project
        from accelpi.releases.replay import switches_of

        from .helpers import ROOT

        plan = SweepPlan(library("numba"), ["0.68.1"], {}, {})
        project = Project.ours(ROOT)
        with pytest.raises(InvalidArgument, match="the sweep never sets"):
            switches_of(_record(env_vars=variables), plan, project)
        good = {"ACCELPI_CONTROL": "copy", "ACCELPI_PLANT": "numba:fused=1.15"}
        assert switches_of(_record(env_vars=good), plan, project) == good


class TestAProjectSiteNeverReplacesSomeoneElsesPages:
    """``site --project --html DIR`` wrote into any folder holding an ``index.html``: a user's
    ``index.html`` and ``changes.html`` were replaced, and the command exited 0."""

    def test_a_folder_with_someone_elses_index_is_refused(self, tmp_path):
        from accelpi.releases.project import Project
        from accelpi.site.project import MARKER, _check_folder

        from .helpers import ROOT

        theirs = tmp_path / "docs"
        theirs.mkdir()
        (theirs / "index.html").write_text("<h1>my project</h1>")
        (theirs / "changes.html").write_text("mine")
        project = Project.ours(ROOT)
        with pytest.raises(InvalidArgument, match=f"no {MARKER} in it"):
            _check_folder(project, theirs)
        assert (theirs / "index.html").read_text() == "<h1>my project</h1>"
        (theirs / MARKER).write_text("written by accelpi site --project")
        _check_folder(project, theirs)  # a folder the command wrote before is written again
        _check_folder(project, tmp_path / "new")  # and a new one
        os.makedirs(tmp_path / "empty")
        _check_folder(project, Path(tmp_path / "empty"))


class TestASpecialFileNeverHangsACommand:
    """A FIFO named like any file the tools read blocked ``versions``, ``inventory``, ``site``
    and the rest forever; a symlink to ``/dev/zero`` grew memory without bound."""

    @pytest.fixture
    def results(self, tmp_path):
        pytest.importorskip("asv")
        from .asv_files import write_release_results

        folder = tmp_path / "sweeps"
        folder.mkdir()
        write_release_results(folder, {"0.67.0": 0.010, "0.68.1": 0.011})
        return folder

    def _special(self, results: Path, name: str, kind: str) -> Path:
        """Replace (or add) the file ``name`` (a glob) of ``results`` with a FIFO or a symlink to
        ``/dev/zero``."""
        found = sorted(results.rglob(name))
        path = found[0] if found else results / "testbox" / name.replace("*", "x")
        path.unlink(missing_ok=True)
        if kind == "fifo":
            os.mkfifo(path)
        else:
            path.symlink_to("/dev/zero")
        return path

    @pytest.mark.parametrize("kind", ["fifo", "zero"])
    @pytest.mark.parametrize(
        "name",
        ["*.versions", "*.campaign", "machine.json", "benchmarks.json", "cannot-install.tsv", "*1.json"],
    )
    def test_versions_and_inventory_finish_with_the_file_named(self, results, name, kind):
        import subprocess
        import sys

        self._special(results, name, kind)
        for command in (["versions", "--library", "numba"], ["inventory"]):
            done = subprocess.run(
                [sys.executable, "-m", "accelpi", *command, "--results", str(results)],
                capture_output=True,
                text=True,
                timeout=60,  # before the fix: forever (a FIFO) or until memory ran out (/dev/zero)
            )
            assert "Traceback" not in done.stderr, (command, done.stderr[-2000:])
            assert done.returncode in (0, 1, 2), (command, done.returncode, done.stderr[-500:])

    def test_the_bounded_reader_names_what_it_refused(self, tmp_path):
        from accelpi.store.files import read_bytes

        os.mkfifo(tmp_path / "x.campaign")
        with pytest.raises(ValueError, match=r"x\.campaign is not a regular file"):
            read_bytes(tmp_path / "x.campaign")
        (tmp_path / "big.json").write_bytes(b"0" * 101)
        with pytest.raises(ValueError, match="more than the 100 bytes read"):
            read_bytes(tmp_path / "big.json", limit=100)
        assert read_bytes(tmp_path / "big.json", limit=101) == b"0" * 101


class TestACampaignIsPublishedWholeOrNotAtAll:
    """A ``benchmarks.json`` in ``--results`` that could not be read was found only when the
    campaign published, after every pass: results copied, no record, silently ignored."""

    @pytest.mark.parametrize("content", ["not json", '{"version": 1}', "[]"])
    def test_an_unreadable_listing_is_refused_before_anything_is_measured(self, tmp_path, content):
        from accelpi.libraries import sweep_target
        from accelpi.releases.campaign import run_campaign
        from accelpi.releases.plan import CampaignPlan, SweepPlan, Target

        (tmp_path / "benchmarks.json").write_text(content)
        plan = CampaignPlan("numba", [SweepPlan(Target("numba", sweep_target("numba")), ["0.68.1"], {}, {})])
        measured = []
        with pytest.raises(InvalidArgument, match=r"benchmarks.json cannot be read .*move it away"):
            run_campaign(plan, tmp_path, "box", tmp_path, calibrate=lambda: measured.append(1) or {})
        assert not measured and not (tmp_path / ".asv").exists()

    def test_a_fifo_named_like_the_listing_is_refused_not_waited_on(self, tmp_path):
        from accelpi.store.campaigns import check_listing

        os.mkfifo(tmp_path / "benchmarks.json")
        with pytest.raises(InvalidArgument, match="not a regular file"):
            check_listing(tmp_path)
        (tmp_path / "benchmarks.json").unlink()
        check_listing(tmp_path)  # none yet: the campaign writes it
        (tmp_path / "benchmarks.json").write_text('{"version": 2}')
        check_listing(tmp_path)
