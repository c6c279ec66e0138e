"""The host's fingerprint, and the asv machine name derived from it."""

from __future__ import annotations

import json

import pytest

from accelpi import machine
from accelpi.cli import main

EPYC = """processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 25
model\t\t: 17
model name\t: AMD EPYC
stepping\t: 1
flags\t\t: fpu sse2 avx avx2 fma {extra}

processor\t: 1
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC
"""
XEON = """processor\t: 0
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 143
model name\t: Intel(R) Xeon(R) Processor
stepping\t: 8
flags\t\t: fpu avx avx2 fma avx512f avx512ifma avx512_fp16 amx_tile
"""
MEMORY = "MemTotal:       24576000 kB\nMemFree: 1 kB\n"


def test_the_fingerprint_names_the_cpu_and_tells_two_cpus_apart():
    plain = machine.fingerprint(EPYC.format(extra=""), MEMORY)
    wide = machine.fingerprint(EPYC.format(extra="avx512f avx512dq"), MEMORY)
    xeon = machine.fingerprint(XEON, MEMORY)
    assert plain["vendor"] == "AuthenticAMD" and plain["family"] == "25" and plain["stepping"] == "1"
    assert plain["vector"] == ["avx2", "fma"] and "avx512f" in wide["vector"]
    assert xeon["vector"] == ["avx2", "avx512f", "avx512ifma", "avx512_fp16", "amx_tile", "fma"]
    assert plain["memory_gib"] == 23
    # the same model name, another flag set: another machine, never one series
    digests = {f["digest"] for f in (plain, wide, xeon)}
    assert len(digests) == 3
    assert machine.machine_name(plain) != machine.machine_name(wide)
    assert machine.machine_name(plain).startswith("amd-epyc-")
    assert machine.machine_name(xeon).startswith("intel-xeon-")
    assert machine.fingerprint(EPYC.format(extra=""), MEMORY) == plain  # repeatable


def test_the_kernel_and_memory_are_part_of_it(monkeypatch):
    before = machine.fingerprint(XEON, MEMORY)
    assert machine.fingerprint(XEON, "MemTotal: 16000000 kB\n")["digest"] != before["digest"]
    monkeypatch.setattr(machine.platform, "release", lambda: "0.0-another-kernel")
    assert machine.fingerprint(XEON, MEMORY)["digest"] != before["digest"]


def test_asvs_machine_file_gets_the_fingerprint_in_every_field_it_copies():
    facts = machine.fingerprint(XEON, MEMORY)
    info = machine.asv_machine_info(facts)
    assert info["machine"] == machine.machine_name(facts)
    assert facts["digest"] in info["cpu"] and "family 6 model 143 stepping 8" in info["cpu"]
    assert info["num_cpu"] == str(facts["cores"]) and info["ram"] == "23GB"
    assert info["os"].endswith(facts["kernel"])


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def test_make_machine_records_this_host_under_its_fingerprint_name(home, capsys):
    pytest.importorskip("asv")
    assert main(["machine", "--record"]) == 0
    assert f"asv machine: {machine.machine_name()}" in capsys.readouterr().out
    recorded = json.loads((home / ".asv-machine.json").read_text())
    name = machine.machine_name()
    assert recorded[name] == machine.asv_machine_info()
    assert main(["machine", "--name"]) == 0
    assert capsys.readouterr().out.strip() == name


def test_another_projects_machine_file_does_not_decide_where_results_go(home):
    # The CLI took the file's first entry (asv itself takes the hostname): a user with
    # another project's machine file got sweeps filed under that project's machine.
    pytest.importorskip("asv")
    from accelpi.cli.common import machine_name

    other = {"their-box": {"machine": "their-box", "cpu": "something else"}, "version": 1}
    (home / ".asv-machine.json").write_text(json.dumps(other))
    assert machine_name(None) == machine.machine_name()
    kept = json.loads((home / ".asv-machine.json").read_text())
    assert kept["their-box"] == other["their-box"] and machine.machine_name() in kept
    assert machine_name("chosen") == "chosen"


def test_make_bench_quotes_the_last_run_of_this_machine_only(capsys, tmp_path):
    # A fresh clone on another host quoted cpu-epyc-2c's last run as "the last full run".
    from .asv_files import write_result

    write_result(
        tmp_path, {"numpy": 0.2}, n=2**25, commit="a" * 40, date=1, env_name="env", machine="elsewhere"
    )
    assert main(["summary", "--duration", "--results", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"no earlier run on this machine ({machine.machine_name()})" in out
    assert main(["summary", "--estimate", "--results", str(tmp_path), "--machine", "elsewhere"]) == 0
    assert "the last full run on elsewhere took" in capsys.readouterr().out
