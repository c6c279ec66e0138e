"""Backends ranked by speed: one order and one way of writing each figure.

``accelpi compare`` (timed in this process), ``accelpi summary`` (read from an asv result) and
the site's ranking all rank rows of ``backend`` and ``samples_per_second`` with these
functions, so that the three never disagree on what is fastest or on how a figure reads.
A leaf module: it imports nothing of accelpi.
"""

from __future__ import annotations

from typing import Any

__all__ = ["REFERENCES", "add_speedups", "cells", "ranked"]

#: The backends every ranking is relative to: the plain loop and vectorised NumPy.
REFERENCES = ("python", "numpy")


def add_speedups(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add ``speedup_vs_python`` and ``speedup_vs_numpy`` to the rows that have a rate (in place)."""
    rates = {r["backend"]: r.get("samples_per_second") for r in rows}
    for r in rows:
        for reference in REFERENCES:
            if r.get("samples_per_second") and rates.get(reference):
                r[f"speedup_vs_{reference}"] = r["samples_per_second"] / rates[reference]
    return rows


def ranked(rows: list[dict[str, Any]], n: int | None = None) -> list[dict[str, Any]]:
    """Fastest first; rows measured at another size than ``n`` after them (plain Python at a
    small size), rows without a rate (unavailable) last."""
    return sorted(
        rows,
        key=lambda r: (
            not r.get("samples_per_second"),
            n is not None and r.get("n") not in (None, n),
            -(r.get("samples_per_second") or 0.0),
        ),
    )


def cells(row: dict[str, Any]) -> dict[str, str]:
    """A row's figures as every ranking writes them: ``rate`` (Msamples/s), ``spread``,
    ``vs_python``, ``vs_numpy``, ``first_call`` and ``sigma``; ``-`` where not measured."""

    def fmt(value: Any, spec: str) -> str:
        return "-" if value is None else spec.format(value)

    rate = row.get("samples_per_second")
    spread = row.get("spread")
    return {
        "rate": fmt(None if rate is None else rate / 1e6, "{:,.1f}"),
        "spread": fmt(None if spread is None else spread * 50, "±{:.0f}%"),  # ± half the quartiles' range
        "vs_python": fmt(row.get("speedup_vs_python"), "{:,.1f}x"),
        "vs_numpy": fmt(row.get("speedup_vs_numpy"), "{:.2f}x"),
        "first_call": fmt(row.get("first_call_s"), "{:.2f} s"),
        "sigma": fmt(row.get("worst_sigma", row.get("z")), "{:+.2f} σ" if "z" in row else "{:.1f} σ"),
    }
