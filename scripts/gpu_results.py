"""Bring a GPU check's asv results (``scripts/gpu_device.sh``) into ``results/``.

asv's ``--python=same`` run there names its environment after the interpreter's path and
labels it with the matrix of ``asv.conf.json`` (torch 2.13.0, tensorflow-cpu 2.21.0...), not
with what was installed. This copies the machine's results and rewrites those labels with
the versions pip listed in the environment asv ran (``asv-pip.txt``; for the first check,
``device.txt`` and the NumPy the run printed, ``--numpy``), and names the environment
``existing-py3.12-gpu``; the timings are untouched::

    python scripts/gpu_results.py UNPACKED_CHECK [--numpy 2.4.6] [--results results]

``machine.json`` gets the processor count and memory the check recorded (or ``--num-cpu``,
``--ram``).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from accelpi.store import asvcompat

ROOT = Path(__file__).resolve().parents[1]


def pip_versions(text: str) -> dict[str, str]:
    """``pip list``'s table as {normalised name: version}."""
    found = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)\s+(\d\S*)\s*$", line)
        if match:
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("check", type=Path, help="an unpacked gpu-check.tar.gz")
    parser.add_argument("--numpy", help="the NumPy asv ran with, where asv-pip.txt is missing")
    parser.add_argument("--num-cpu", help="processors, where the check did not record them")
    parser.add_argument("--ram", help="memory, e.g. 128GB, where the check did not record it")
    parser.add_argument("--results", type=Path, default=ROOT / "results")
    args = parser.parse_args()
    listing = args.check / "asv-pip.txt"
    installed = pip_versions((listing if listing.exists() else args.check / "device.txt").read_text())
    if args.numpy:
        installed["numpy"] = args.numpy
    info = next(args.check.glob("check*/info.json"))  # accelpi info --json, run there
    python = ".".join(json.loads(info.read_text())["python"]["version"].split(".")[:2])
    env_name = f"existing-py{python}-gpu"
    for machine_dir in sorted(p for p in (args.check / "asv-results").iterdir() if p.is_dir()):
        target = args.results / machine_dir.name
        target.mkdir(parents=True, exist_ok=True)
        machine = json.loads((machine_dir / "machine.json").read_text())
        facts = args.check / "machine.txt"  # "num_cpu=16 ram=128GB", written by newer checks
        recorded = dict(kv.split("=", 1) for kv in facts.read_text().split()) if facts.exists() else {}
        machine.update({"arch": "x86_64", "os": "Linux"})
        machine.update({k: v for k, v in recorded.items() if v})
        machine.update({k: v for k, v in (("num_cpu", args.num_cpu), ("ram", args.ram)) if v})
        (target / "machine.json").write_text(json.dumps(machine, indent=4, sort_keys=True) + "\n")
        for path in machine_dir.glob("*.json"):
            if path.name == "machine.json":
                continue
            result = asvcompat.relabel(json.loads(path.read_text()), installed, env_name)
            name = f"{result['commit_hash'][:8]}-{env_name}.json"
            asvcompat.write_result_json(target / name, result)
            print(f"{target / name}: {', '.join(f'{k} {v}' for k, v in result['requirements'].items() if v)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
