"""Inventories name the exact files: wheel file name, sha256, origin and installed-files digest."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from accelpi import InvalidArgument
from accelpi.releases.provenance import classify, distributions, probe
from accelpi.releases.replay import compare_files, inventory_of, requirements
from accelpi.reports.inventory import drift, version_and_build
from accelpi.store.records import file_records, load_inventories, wheel_label

from ..helpers import ROOT

SHA = "ab" * 32


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def fake_distribution(
    folder: Path, module_text: str = "x = 1\n", script: str = "#!/env/bin/python\n"
) -> None:
    """A distribution as pip leaves it: files, and a dist-info whose RECORD hashes them."""
    info = folder / "demo-1.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (folder / "demo").mkdir(exist_ok=True)
    files = {
        "demo/__init__.py": module_text.encode(),
        "demo-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
        "demo-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nTag: py3-none-any\nBuild: 2\n",
        "demo-1.0.dist-info/INSTALLER": b"pip\n",
    }
    for path, data in files.items():
        (folder / path).write_bytes(data)
    lines = [f"{path},{_record_hash(data)},{len(data)}" for path, data in files.items()]
    lines += [f"../../../bin/demo,{_record_hash(script.encode())},{len(script)}"]  # holds the env's path
    lines += ["demo/__pycache__/__init__.cpython-311.pyc,,", "demo-1.0.dist-info/RECORD,,"]
    (info / "RECORD").write_text("\n".join(lines) + "\n")


def test_the_digest_covers_the_wheels_files_not_what_an_installer_writes(tmp_path):
    fake_distribution(tmp_path / "a")
    fake_distribution(tmp_path / "b", script="#!/elsewhere/bin/python\n")  # another env's path
    fake_distribution(tmp_path / "c", module_text="x = 2\n")  # one byte of code differs
    (a,), (b,), (c,) = (probe(sys.executable, [tmp_path / n]) for n in "abc")
    assert a["name"] == "demo" and a["version"] == "1.0" and a["tags"] == ["py3-none-any"]
    assert a["build"] == "2" and a["installer"] == "pip" and a["direct_url"] is None
    assert a["files_hashed"] == 3  # module, METADATA, WHEEL: not the script, pyc, RECORD, INSTALLER
    assert a["content_sha256"] == b["content_sha256"] != c["content_sha256"]


def described(direct_url=None, tags=("cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",), build=None):
    return {
        "name": "numba",
        "version": "0.68.1",
        "tags": list(tags),
        "build": build,
        "direct_url": direct_url,
        "content_sha256": "cd" * 32,
    }


WHEEL = "numba-0.68.1-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.whl"


def test_an_index_wheel_is_recorded_only_when_its_tags_are_the_installed_ones():
    entry = classify(described(), {"wheel": WHEEL, "sha256": SHA, "origin": "index"})
    assert (entry["origin"], entry["wheel"], entry["sha256"]) == ("index", WHEEL, SHA)
    assert wheel_label(entry) == "manylinux2014_x86_64"
    other = "numba-0.68.1-cp311-cp311-manylinux_2_28_x86_64.whl"
    moved = classify(described(), {"wheel": other, "sha256": SHA, "origin": "index"})
    assert moved["origin"] == "unknown" and "sha256" not in moved and other in moved["why"]
    rebuilt = classify(described(build="1"), {"wheel": WHEEL, "sha256": SHA, "origin": "index"})
    assert "sha256" not in rebuilt  # a build tag the index's file lacks: another file
    here = classify(described(tags=["cp311-cp311-linux_x86_64"]), "No matching distribution found")
    assert here["origin"] == "built from source" and here["why"] == "No matching distribution found"


def test_direct_references_keep_a_file_name_and_hash_never_a_path():
    local = {
        "url": "file:///somewhere/cache/numba-0.68.1-py3-none-any.whl",
        "archive_info": {"hashes": {"sha256": SHA}},
    }
    entry = classify(described(direct_url=local), None)
    assert (entry["origin"], entry["wheel"], entry["sha256"]) == (
        "local file",
        "numba-0.68.1-py3-none-any.whl",
        SHA,
    )
    assert "somewhere" not in json.dumps(entry)
    folder = classify(
        described(direct_url={"url": "file:///src/numba", "dir_info": {"editable": True}}), None
    )
    assert folder["origin"] == "directory" and "editable" in folder["why"] and "src" not in json.dumps(folder)
    vcs = {"url": "https://example.org/numba.git", "vcs_info": {"vcs": "git", "commit_id": "1234abcd"}}
    assert classify(described(direct_url=vcs), None)["source"] == "git 1234abcd"


def test_this_interpreters_distributions_are_described_without_paths():
    found = distributions(sys.executable, ask_index=False)
    assert (
        found["numpy"]["version"] and found["numpy"]["tags"] and len(found["numpy"]["content_sha256"]) == 64
    )
    assert found["accelpi"]["origin"] == "directory"  # the tests run an editable install
    text = json.dumps(found)
    assert str(ROOT) not in text and str(Path.home()) not in text


@pytest.mark.network
def test_the_recorded_sha256_is_the_wheels_and_the_digest_its_content(tmp_path):
    # threadpoolctl's wheel holds no scripts: its RECORD is what pip installed, so the
    # installed-files digest must equal one computed from the downloaded wheel itself.
    entry = distributions(sys.executable)["threadpoolctl"]
    assert entry["origin"] in {"index", "local file"} and entry["wheel"].endswith(".whl")
    download = ["download", "--no-deps", "--only-binary", ":all:", "-q", "-d", str(tmp_path)]
    subprocess.run(
        [sys.executable, "-m", "pip", *download, f"threadpoolctl=={entry['version']}"],
        check=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    assert wheel.name == entry["wheel"]
    assert hashlib.sha256(wheel.read_bytes()).hexdigest() == entry["sha256"]
    with zipfile.ZipFile(wheel) as z:
        record = next(n for n in z.namelist() if n.endswith(".dist-info/RECORD"))
        rows = [line.split(",") for line in z.read(record).decode().splitlines() if line]
    digest = hashlib.sha256()
    for path, hashed, _ in sorted(rows):
        if hashed and not path.startswith("../"):
            digest.update(f"{path},{hashed}\n".encode())
    assert digest.hexdigest() == entry["content_sha256"]


def record(day: int, sha: str, with_files: bool = True, numpy: str = "2.4.6") -> dict:
    found = {
        "env_name": "virtualenv-py3.11-numpy",
        "requested": {"numpy": ""},
        "env_vars": {},
        "commit": "c0ffee00",
        "swept": "numpy",
        "recorded_at": f"2026-11-0{day}T00:00:00Z",
        "environment": {"libraries": {"numpy": {"distribution": "numpy", "version": numpy}}},
    }
    if with_files:
        found["distributions"] = {
            "numpy": {
                "version": numpy,
                "wheel": f"numpy-{numpy}-cp311-cp311-manylinux_2_28_x86_64.whl",
                "sha256": sha,
                "content_sha256": "ee" * 32,
                "origin": "index",
            },
            "accelpi": {
                "version": "0.1.0",
                "wheel": "accelpi-0.1.0-py3-none-any.whl",
                "sha256": f"{day}" * 64,
                "content_sha256": "ff" * 32,
                "origin": "local file",
            },
        }
    return found


def write(folder: Path, records: list[dict]) -> Path:
    machine = folder / "box"
    machine.mkdir(parents=True, exist_ok=True)
    for r in records:
        (machine / f"0000000{r['recorded_at'][9]}-{r['env_name']}.versions").write_text(json.dumps(r))
    return folder


def test_drift_sees_another_file_of_the_same_version(tmp_path):
    (problem,) = drift(load_inventories(write(tmp_path, [record(1, SHA), record(2, "cd" * 32)])))
    assert problem["package"] == "numpy (sha256)" and (problem["before"], problem["after"]) == (
        "abababababab",
        "cdcdcdcdcdcd",
    )
    # the project's own wheel differs at every build: that is not drift
    assert not drift(load_inventories(write(tmp_path / "same", [record(1, SHA), record(2, SHA)])))


def test_a_recorded_wheel_name_that_is_no_wheel_name_is_said_not_raised(tmp_path):
    odd = record(1, SHA)
    odd["distributions"]["numpy"]["wheel"] = "numpy-2.4.6.tar.gz"
    (read,) = load_inventories(write(tmp_path / "read", [odd]))
    assert version_and_build(read, "numpy") == "2.4.6 not a wheel's file name"
    done = subprocess.run(
        [sys.executable, "-m", "accelpi", "inventory", "--results", str(write(tmp_path, [odd])), "--wide"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


def test_older_records_keep_working_and_say_what_they_lack(tmp_path):
    records = load_inventories(write(tmp_path, [record(1, SHA, with_files=False), record(2, SHA)]))
    assert not drift(records)
    assert file_records(records[0]) is None and file_records(records[1])["numpy"]["sha256"] == SHA
    assert version_and_build(records[0], "numpy") == "2.4.6"
    assert version_and_build(records[1], "numpy") == "2.4.6 manylinux_2_28_x86_64"
    done = subprocess.run(
        [sys.executable, "-m", "accelpi", "inventory", "--results", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "1 of 2 record(s) predate wheel file names and hashes" in done.stdout


def test_a_replay_pins_every_recorded_file_and_refuses_what_it_cannot_pin(tmp_path):
    assert requirements(record(1, SHA)) == [f"numpy==2.4.6 --hash=sha256:{SHA}"]  # not the project
    with pytest.raises(InvalidArgument, match="written before inventories recorded wheel file names"):
        requirements(record(1, SHA, with_files=False))
    built = record(1, SHA)
    built["distributions"]["numpy"] = {"version": "2.4.6", "origin": "built from source", "why": "no wheel"}
    with pytest.raises(
        InvalidArgument, match=r"no recorded wheel for numpy 2\.4\.6 \(built from source: no wheel\)"
    ):
        requirements(built)
    with pytest.raises(InvalidArgument, match=r"no inventory .* beside it"):
        inventory_of(tmp_path / "box" / "0000-env.json")
    changed = record(2, "cd" * 32)
    assert [(d["distribution"], d["field"]) for d in compare_files(record(1, SHA), changed)] == [
        ("numpy", "sha256")
    ]


@pytest.mark.network
def test_a_replay_refuses_a_file_whose_hash_is_not_the_recorded_one(tmp_path):
    from accelpi.releases.replay import fetch

    with pytest.raises(InvalidArgument, match="pip refused a recorded file"):
        fetch([f"threadpoolctl==3.5.0 --hash=sha256:{SHA}"], tmp_path)


def test_results_and_inventories_are_read_as_data_only():
    # JSON only: nothing in the package, the scripts or the suite unpickles or evaluates text
    import re

    unsafe = re.compile(r"\b(pickle|marshal|shelve|literal_eval|eval|exec)\b\s*[.(]|yaml\.load\(")
    for folder in ("accelpi", "scripts", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                assert not unsafe.search(line), f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
