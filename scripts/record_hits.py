"""Record the hits of every CPU backend for a fixed set of ``(n, seed)`` into tests/data/hits.json.

``tests/backends/test_streams_unchanged.py`` checks that every backend still gives these
hits. Run this only when a backend is added, or when a stream changes on purpose (and say
so in the commit)::

    python scripts/record_hits.py [BACKEND ...]     # default: every CPU backend available here

Backends not named (or unavailable here) keep their recorded hits.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import accelpi

FILE = Path(__file__).resolve().parents[1] / "tests" / "data" / "hits.json"
SIZES = (1, 1000, 300_001, 2**22 + 17)
SEEDS = (0, 1, 12345, 2**127 + 3)
PYTHON_LARGEST = 300_001  # the plain loop at 4 Mi samples takes seconds per seed


def record(name: str) -> list[list[int]]:
    return [
        [n, seed, accelpi.estimate(n, name, seed=seed, device="cpu").hits]
        for n in SIZES
        if not (name == "python" and n > PYTHON_LARGEST)
        for seed in SEEDS
    ]


def main(names: list[str]) -> int:
    recorded = json.loads(FILE.read_text()) if FILE.exists() else {}
    infos = {i.name: i for i in accelpi.backends()}
    for name in names or [n for n, i in infos.items() if i.available and "cpu" in i.devices]:
        if name not in infos or not infos[name].available:
            print(f"{name}: unavailable here, kept as recorded", file=sys.stderr)
            continue
        recorded[name] = record(name)
        print(f"{name}: {len(recorded[name])} cases")
    FILE.parent.mkdir(parents=True, exist_ok=True)
    FILE.write_text(json.dumps(recorded, indent=0) + "\n")
    return 0


if __name__ == "__main__":  # the dask:distributed cluster starts processes: guard the entry
    sys.exit(main(sys.argv[1:]))
