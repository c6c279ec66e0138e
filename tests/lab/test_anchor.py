"""The C anchor: pi_simd.c built for this host, the same stream as numba:fused, clear refusals."""

from __future__ import annotations

import platform
import shutil

import pytest

import accelpi
from accelpi.errors import BackendUnavailable, InvalidArgument
from accelpi.lab import anchor

from ..helpers import ROOT, require


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCELPI_CACHE_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def built(cache):
    if platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip(f"pi_simd.c is x86-64 only (this is {platform.machine()})")
    if not (shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")):
        pytest.skip("no C compiler here (cc, gcc or clang)")
    return anchor.build()


def test_every_version_built_counts_numba_fused_s_hits(built):
    require("numba:fused")
    assert built.versions[0] == "scalar" and set(built.versions) <= set(anchor.VERSIONS)
    for seed in (0, 1, 7, 2**40 + 3):
        hits = {version: built.count(version, seed, 1 << 16) for version in built.versions}
        assert set(hits.values()) == {accelpi.estimate(1 << 16, "numba:fused", seed=seed).hits}, seed


def test_the_build_is_kept_per_source_compiler_and_cpu(built, cache):
    (library,) = (cache / "anchor").glob("pi_simd-*.so")
    assert built.path == library
    stamp = library.stat().st_mtime_ns
    again = anchor.build()
    assert again.path == library and library.stat().st_mtime_ns == stamp  # not compiled again


def test_the_ratio_and_the_limit_name_what_they_timed(built):
    require("numba:fused")
    found = anchor.ratio_to_limit(1 << 16, repeat=1)
    assert found["best"] in built.versions and set(found["samples_per_second"]) == set(built.versions)
    assert found["ratio"] > 0 and found["fused_samples_per_second"] > 0
    assert found["compiler"] == built.compiler
    assert set(anchor.limit(1 << 16, repeat=1)) == {"compiler", "march", "n", "samples_per_second", "best"}


def test_a_size_that_is_not_whole_vectors_or_an_unbuilt_version_is_refused(built):
    with pytest.raises(InvalidArgument, match="positive multiple of 8"):
        built.count("scalar", 1, 12)
    with pytest.raises(InvalidArgument, match="holds scalar"):
        built.count("neon", 1, 8)


def test_no_compiler_is_reported_with_what_to_do(cache, monkeypatch, tmp_path):
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(BackendUnavailable, match=r"needs a C compiler.*set CC"):
        anchor.build()
    monkeypatch.setenv("CC", str(tmp_path / "no-such-cc"))
    with pytest.raises(BackendUnavailable, match="does not run"):
        anchor.build()


def test_a_compiler_that_fails_is_reported_with_its_own_words(cache, monkeypatch, tmp_path):
    failing = tmp_path / "cc"
    failing.write_text("#!/bin/sh\necho 'fake-cc 1.0'\necho 'error: no target for this CPU' >&2\nexit 1\n")
    failing.chmod(0o755)
    monkeypatch.setenv("CC", str(failing))
    with pytest.raises(BackendUnavailable, match=r"does not compile here.*no target for this CPU"):
        anchor.build()


def test_the_benchmark_skips_with_the_reason_where_no_compiler_exists(cache, monkeypatch, tmp_path):
    require("numba:fused")
    monkeypatch.setenv("PATH", f"{tmp_path / 'empty'}")
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.syspath_prepend(str(ROOT))
    from benchmarks.limit import HandWrittenLimit

    with pytest.raises(NotImplementedError, match="needs a C compiler"):
        HandWrittenLimit().setup()


def test_the_c_is_built_for_numba_s_target_cpu_where_one_is_set(built, monkeypatch):
    assert built.march == "native"
    monkeypatch.setenv("NUMBA_CPU_NAME", "x86-64")
    baseline = anchor.build()  # x86-64: SSE2 only, so neither intrinsic version is built
    assert baseline.march == "x86-64" and baseline.versions == ("scalar",) and baseline.path != built.path
    assert baseline.count("scalar", 5, 1 << 12) == built.count("scalar", 5, 1 << 12)
