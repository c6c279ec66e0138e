"""The CUDA code that cannot run here is still checked here.

* ``cupy:fused``'s Philox4x32-10 generator, compiled for the host, must reproduce the
  published known-answer vectors, and its counting loop must give valid estimates and
  the same total however the samples are split across threads.
* The whole kernel must compile to PTX for an H100 with ``nvcc`` (where installed).
* ``numba-cuda``'s kernel runs in Numba's CUDA simulator on a tiny grid.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from accelpi import stats
from accelpi.backends.cuda_source import FUSED_PI, kernel_source

CC = shutil.which("cc") or shutil.which("gcc")


@pytest.fixture(scope="module")
def philox(tmp_path_factory):
    if CC is None:
        pytest.skip("no C compiler to build the host version of the Philox code")
    folder = tmp_path_factory.mktemp("philox")
    (folder / "philox.cuh").write_text(kernel_source("philox.cuh"))
    (folder / "host.c").write_text(
        '#include "philox.cuh"\n'
        "void host_philox(unsigned int c[4], unsigned int k0, unsigned int k1) {\n"
        "    philox4x32_10(c, k0, k1); }\n"
        "unsigned long long host_count(unsigned long long n, unsigned long long first,\n"
        "    unsigned long long stride, unsigned int k0, unsigned int k1) {\n"
        "    return count_pairs(n, first, stride, k0, k1); }\n"
    )
    library = folder / "libphilox.so"
    subprocess.run([CC, "-O2", "-shared", "-fPIC", "-o", str(library), str(folder / "host.c")], check=True)
    lib = ctypes.CDLL(str(library))
    lib.host_count.restype = ctypes.c_ulonglong
    lib.host_count.argtypes = [ctypes.c_ulonglong] * 3 + [ctypes.c_uint] * 2
    return lib


@pytest.mark.parametrize(
    ("counter", "key", "expected"),
    [  # Random123's known-answer vectors for philox4x32-10
        ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
        ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
        (
            (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
            (0xA4093822, 0x299F31D0),
            (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
        ),
    ],
)
def test_philox_matches_known_answers(philox, counter, key, expected):
    c = (ctypes.c_uint * 4)(*counter)
    philox.host_philox(c, *key)
    assert tuple(c) == expected


def test_fused_counting_is_valid_and_split_independent(philox):
    n = 200_001
    z = []
    for seed in range(100):
        key = stats.stream_key(seed)
        hits = philox.host_count(n, 0, 1, key & 0xFFFFFFFF, key >> 32)
        z.append(stats.z_score(4 * hits / n, n))
    z = np.array(z)
    assert np.all(np.abs(z) < 6) and stats.normality_pvalue(z) > 1e-4
    key = stats.stream_key(7)
    whole = philox.host_count(n, 0, 1, key & 0xFFFFFFFF, key >> 32)
    stride = 96
    split = sum(philox.host_count(n, t, stride, key & 0xFFFFFFFF, key >> 32) for t in range(stride))
    assert split == whole


def test_fused_kernel_compiles_for_an_h100(tmp_path):
    nvcc = shutil.which("nvcc")
    if nvcc is None:
        pytest.skip("nvcc is not installed")
    source = tmp_path / "count_pi.cu"
    source.write_text(kernel_source(*FUSED_PI))
    ptx = tmp_path / "count_pi.ptx"
    done = subprocess.run(
        [nvcc, "--ptx", "-arch=sm_90", "-o", str(ptx), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    text = ptx.read_text()
    assert ".entry count_pi" in text and "shfl.sync.down" in text and "atom.global.add.u64" in text


SIMULATED = """
import json
import accelpi
from accelpi.backends import numba_cuda_ as numba_cuda
numba_cuda.GRID = (1, 32)  # 32 simulated threads: the simulator runs each in Python
runs = [accelpi.estimate(2001, "numba-cuda", seed=s) for s in range(8)]
print(json.dumps({"z": [e.z for e in runs], "hits": [e.hits for e in runs],
                  "again": accelpi.estimate(2001, "numba-cuda", seed=0).hits}))
"""


def _in_the_simulator(code: str) -> dict:
    """Run ``code`` under Numba's CUDA simulator (a "GPU" is there) and read its last line."""
    pytest.importorskip("numba_cuda", reason="numba-cuda is not installed")
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1"}
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, env=env, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_numba_cuda_kernel_in_the_simulator():
    result = _in_the_simulator(SIMULATED)
    assert all(abs(z) < 6 for z in result["z"]), result
    assert result["again"] == result["hits"][0]
    assert len(set(result["hits"])) > 1


WITHOUT_ROW_STACK = """
import json
import numpy
del numpy.row_stack  # as NumPy 2.5 removed it: numba-cuda 0.30 fails at its first compile
from accelpi import registry
import accelpi
info = registry.info("numba-cuda")
try:
    accelpi.estimate(2001, "numba-cuda", seed=0, device="cuda")
    error = None
except accelpi.BackendUnavailable as exc:
    error = str(exc)
print(json.dumps({"devices": list(info.devices), "reason": info.reason, "error": error}))
"""


def test_numba_cuda_without_numpys_row_stack_is_unavailable_with_the_reason():
    result = _in_the_simulator(WITHOUT_ROW_STACK)  # a "GPU" is there: only NumPy is wrong
    assert result["devices"] == []
    assert "row_stack" in result["reason"] and "numpy<2.5" in result["reason"], result
    assert result["error"] and "row_stack" in result["error"], result
