#!/usr/bin/env bash
# The whole GPU check, on a machine with an NVIDIA GPU that cannot download anything.
#
#   scripts/gpu_device.sh CARRIED OUT [MACHINE]
#
# CARRIED (made by `make gpu-carry` on a machine with the package index):
#   wheels/      asv and what it needs beyond the GPU machine's own packages, and accelpi
#   numpy24/     a NumPy below 2.5: numba-cuda cannot compile beside NumPy 2.5
#   repo.bundle  this commit's history, so that asv records results against it
# Steps, each under its own time limit, everything packed into OUT/gpu-check.tar.gz:
#   1. scripts/gpu_check.py with the machine's own NumPy: GPU tests, compare, launch grids
#   2. the same for numba-cuda with NumPy < 2.5 beside it
#   3. asv's GPU benchmarks (--python=same, NumPy < 2.5) as machine MACHINE (gpu-h100)
# STEPS="2 3" runs some of them only. Rehearse it on a machine without a GPU: every GPU
# step reports "unavailable".
set -u
CARRIED=$(realpath "${1:?folder of carried files}")
OUT=$(realpath -m "${2:?output folder}")
MACHINE=${3:-gpu-h100}
STEPS=" ${STEPS:-1 2 3} "
PYTHON=$(realpath -s "$(command -v "${PYTHON:-python3}")")
ROOT=$(pwd)
work=$(mktemp -d)
mkdir -p "$OUT"
pack() { tar -C "$work" -czf "$OUT/gpu-check.tar.gz" --exclude=./site --exclude=./np24 --exclude=./repo .; }
trap pack EXIT
export PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_PREALLOCATE=false
step() { echo "== $* ($(date -u +%H:%M:%S))"; }

step install
"$PYTHON" -m pip install -q --no-index --no-deps --no-compile --target "$work/site" "$CARRIED"/wheels/*.whl || exit 1
"$PYTHON" -m pip install -q --no-index --no-deps --no-compile --target "$work/np24" "$CARRIED"/numpy24/*.whl ||
    echo "the carried NumPy does not install here (another Python?): step 2 uses this machine's NumPy"
export PYTHONPATH="$work/site"
{ nvidia-smi; "$PYTHON" -m pip list; } >"$work/device.txt" 2>&1

step "GPU tests and compare (the machine's NumPy)"
only=(--grids) && [[ -n ${GPU_ONLY:-} ]] && only=(--only $GPU_ONLY)  # GPU_ONLY="torch jax": those only
[[ $STEPS == *" 1 "* ]] && timeout 300 "$PYTHON" scripts/gpu_check.py "$work/check" "${only[@]}" 2>&1 | tee "$work/check.log"

step "numba-cuda beside NumPy < 2.5"
[[ $STEPS == *" 2 "* ]] && PYTHONPATH="$work/np24:$work/site" timeout 100 "$PYTHON" scripts/gpu_check.py "$work/check-numpy24" \
    --only numba-cuda --grids 2>&1 | tee "$work/check-numpy24.log"

step "asv GPU benchmarks as $MACHINE"
[[ $STEPS == *" 3 "* ]] || exit 0
# asv runs benchmarks without PYTHONPATH: accelpi, asv and NumPy < 2.5 go into the
# machine's own environment (a bare, borrowed machine: nothing else runs there)
unset PYTHONPATH
"$PYTHON" -m pip install -q --no-index --no-deps --no-compile "$CARRIED"/wheels/*.whl "$CARRIED"/numpy24/*.whl ||
    "$PYTHON" -m pip install -q --no-index --no-deps --no-compile "$CARRIED"/wheels/*.whl || exit 1
"$PYTHON" -c "import numpy, accelpi; print('asv runs with NumPy', numpy.__version__)"
"$PYTHON" -m pip list >"$work/asv-pip.txt" 2>&1  # what asv's results ran with (scripts/gpu_results.py)
echo "num_cpu=$(nproc) ram=$(free -g | awk '/^Mem:/ {print $2}')GB" >"$work/machine.txt"
git clone -q "$CARRIED/repo.bundle" "$work/repo" && cd "$work/repo" || exit 1
export HOME="$work/home" && mkdir -p "$HOME"  # asv's machine file: never the user's own
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
cpu=$(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | xargs)
"$PYTHON" -m asv machine --yes --machine "$MACHINE" --num_cpu "$(nproc)" \
    --cpu "$cpu; GPU: ${gpu:-none}" >"$work/asv-machine.log" 2>&1
timeout 150 "$PYTHON" -m asv run --python=same --set-commit-hash="$(git rev-parse HEAD)" \
    --machine "$MACHINE" -b '^throughput\.GpuThroughput' -a rounds=1 --show-stderr 2>&1 | tee "$work/asv.log"
mkdir -p "$work/asv-results" && cp -r "results/$MACHINE" results/benchmarks.json "$work/asv-results/"
cd "$ROOT" && step done
