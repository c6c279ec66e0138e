"""Release steps as table rows: one layout for the site's pages and the generated docs."""

from __future__ import annotations

from typing import Any

from ..reports.versions import format_value

__all__ = ["STEP_HEADERS", "campaign_label", "confirmation_label", "step_rows"]


def step_rows(changes: list[dict[str, Any]], library: bool = False) -> list[list[str]]:
    """Decided release steps as table rows: what, where, the two releases, values, the ratio
    with its interval, how sure (the test, over how many processes and samples), the campaign
    and whether a second campaign confirmed it."""
    return [
        [
            *([c["library"]] if library else []),
            c["benchmark"].split(".", 1)[-1],
            c["params"] + (" (reference)" if c.get("reference") else ""),
            c["axes"],
            f"{c['before']} → {c['after']}" + (f" (also {c['also']})" if c.get("also") else ""),
            f"{format_value(c['value_before'], c['unit'])} → {format_value(c['value_after'], c['unit'])}",
            f"{c['ratio']:.2f}x"
            + (f" [{c['low']:.2f}, {c['high']:.2f}]" if c.get("low") and c.get("high") else ""),
            c["test"],
            campaign_label(c),
            confirmation_label(c),
        ]
        for c in changes
    ]


def confirmation_label(row: dict[str, Any]) -> str:
    """Whether a second campaign measured the step, and what it said."""
    others = "; ".join(f"{o['campaign']}: {o['ratio']:.2f}x {o['outcome']}" for o in row.get("elsewhere", []))
    return f"{row.get('confirmation') or '-'} ({others or 'one campaign'})"


def campaign_label(row: dict[str, Any]) -> str:
    """``numba-20261130T051200Z (2026-11-30)``: the campaign a row was measured in, and when."""
    campaign = row.get("campaign") or "measured alone"
    when = str(row.get("measured") or "")[:10]
    return f"{campaign} ({when})" if when else campaign


STEP_HEADERS = [
    "benchmark",
    "parameters",
    "environment",
    "releases",
    "values",
    "ratio [interval]",
    "how sure",
    "campaign",
    "confirmation",
]
