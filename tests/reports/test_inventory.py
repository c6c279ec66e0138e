"""Inventories: what each environment really installed, pins that did not hold, and drift."""

from __future__ import annotations

import json

from accelpi.reports.inventory import drift
from accelpi.store.records import INVENTORY_SUFFIX, load_inventories


def test_drift_between_two_records_of_one_environment(tmp_path):
    machine = tmp_path / "box"
    machine.mkdir()
    for day, numpy_version in ((1, "2.3.5"), (2, "2.4.6")):
        (machine / f"0000000{day}-virtualenv-py3.11-numpy{INVENTORY_SUFFIX}").write_text(
            json.dumps(
                {
                    "env_name": "virtualenv-py3.11-numpy",
                    "requested": {"numpy": ""},
                    "env_vars": {},
                    "recorded_at": f"2026-11-0{day}T00:00:00Z",
                    "environment": {
                        "libraries": {"numpy": {"distribution": "numpy", "version": numpy_version}}
                    },
                }
            )
        )
    (problem,) = drift(load_inventories(tmp_path))
    assert problem["kind"] == "drift" and (problem["before"], problem["after"]) == ("2.3.5", "2.4.6")


def test_committed_inventories_name_no_absolute_path():
    from pathlib import Path

    from ..helpers import ROOT

    folders = [ROOT / "results", ROOT / "sweeps", ROOT / "experiments" / "reliability" / "release-aa"]
    records = [r for folder in folders if folder.is_dir() for r in load_inventories(folder)]
    assert records
    for r in records:
        if "error" in r["environment"]:  # the inventory could not run (a build killed on import)
            assert isinstance(r["environment"]["error"], str), r["file"]
            continue
        executable = r["environment"]["python"]["executable"]
        assert not Path(executable).is_absolute(), (r["file"], executable)


def test_no_committed_result_or_record_names_a_path_of_the_machine_that_measured_it():
    # an inventory once quoted the checkout's path in an import error (the probe ran there,
    # and imported the checkout's accelpi instead of the environment's)
    import re

    from ..helpers import ROOT

    home = re.compile(r"(?<![\w.])/(root|home|work|tmp|Users)/")
    found = []
    for folder in ("results", "sweeps", "experiments"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in (".json", ".versions", ".campaign", ".log", ".txt", ".tsv"):
                if home.search(path.read_text(errors="replace")):
                    found.append(str(path.relative_to(ROOT)))
    assert not found, found[:5]
