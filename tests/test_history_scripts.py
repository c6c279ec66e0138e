"""The scripts that measure the release history again and count what of the old one survives.

``scripts/history_campaigns.py`` must put every consecutive pair of a library's releases inside
one campaign (groups cut from one library overlap by a release); ``scripts/surviving_steps.py``
must count an old step only when campaigns measured both of its releases again;
``scripts/campaign_agreement.py`` must compare two campaigns only over the releases both ran.
"""

from __future__ import annotations

from itertools import pairwise

import pytest

from accelpi.libraries import sweep_targets

from .helpers import ROOT, script

#: The host the committed campaigns ran on.
MACHINE = "amd-epyc-2c-aa63a279"


def test_every_consecutive_pair_of_a_librarys_releases_is_inside_one_campaign():
    groups = script("history_campaigns").GROUPS
    targets = set(sweep_targets())
    by_library: dict[str, list[list[str]]] = {}
    for build, releases, _options in groups.values():
        assert build in targets, build
        assert len(releases) >= 2, (build, releases)
        by_library.setdefault(build, []).append(releases)
    for build, parts in by_library.items():
        if any("--window" in groups[g][2] for g in groups if groups[g][0] == build):
            continue  # the sweep cuts its own overlapping windows
        inside = {pair for releases in parts for pair in pairwise(releases)}
        history = list(dict.fromkeys(r for releases in parts for r in releases))
        missing = [pair for pair in pairwise(history) if pair not in inside]
        assert not missing, (build, missing)


def test_tensorflow_2_14_0_is_measured_with_numpy_below_2():
    """It sets no upper bound on NumPy and cannot import with NumPy 2 (its first campaign)."""
    groups = script("history_campaigns").GROUPS
    for build, releases, options in groups.values():
        if build == "tensorflow-cpu" and "2.14.0" in releases:
            assert options[options.index("--pin") + 1] == "numpy<2", options


def _old(library: str, direction: str, releases: str, code: str = "one commit") -> dict[str, str]:
    return {
        "library": library,
        "direction": direction,
        "benchmark": "Throughput.time_estimate",
        "parameters": "'numba:fused', 65536",
        "environment": library,
        "releases": releases,
        "accelpi code": code,
    }


def test_an_old_step_counts_only_where_campaigns_measured_both_releases():
    surviving = script("surviving_steps")
    old = [
        _old("numba", "slower", "0.60.0 → 0.61.2"),  # found again
        _old("numba", "faster", "0.61.2 → 0.62.1", code="a1 → b2: changed numba_.py"),  # not again
        _old("numba", "slower", "0.62.1 → 0.63.1"),  # 0.63.1 never measured again: not counted
        _old("numpy", "slower", "2.0.2 → 2.1.3"),  # another library: not asked for
    ]
    new = {
        surviving.key(
            "numba", "slower", "Throughput.time_estimate", "'numba:fused',65536", "numba", "0.60.0→0.61.2"
        ),
        surviving.key(
            "numba", "faster", "Throughput.time_estimate", "'numba:fused',65536", "numba", "0.68.0→0.68.1"
        ),
    }
    measured = {("numba", r) for r in ("0.60.0", "0.61.2", "0.62.1")}
    counts = surviving.survivors(old, new, measured, ["numba"])
    assert counts["numba", "old"] == 2
    assert counts["numba", "again"] == 1
    assert counts["numba", "old one commit"] == 1
    assert counts["numba", "again one commit"] == 1
    assert counts["numba", "new"] == 2
    assert ("numpy", "old") not in counts


def test_two_campaigns_of_the_same_releases_are_compared_step_by_step(tmp_path):
    """The campaign A/A of docs/benchmarking.md, from the committed campaigns: only releases
    both ran (2.14.0 did not import in the first), each campaign's own steps between them."""
    agreement = script("campaign_agreement")
    first = ROOT / "experiments" / "campaigns-superseded" / MACHINE / "tensorflow-cpu-20261130T140648Z"
    second = ROOT / "sweeps" / MACHINE / "tensorflow-cpu-20261130T170020Z"
    agreement._copy([first, second], tmp_path)
    ids = [first.name, second.name]
    pooled = agreement.agreement(tmp_path, "tensorflow-cpu", *ids, factor=1.1, pooled=True)
    assert pooled["releases"] == ["2.13.1", "2.14.1", "2.15.1"]
    steps = {c: {(*agreement._row(x), x.direction) for x in pooled["steps"][c]} for c in ids}
    # asv's test on pooled samples, as docs/benchmarking.md first counted it
    assert (len(steps[ids[0]]), len(steps[ids[1]]), len(steps[ids[0]] & steps[ids[1]])) == (8, 4, 2)
    assert all(x.before != "2.14.0" and x.after != "2.14.0" for c in ids for x in pooled["steps"][c])
    # the process-level test decides far fewer rows, and the two campaigns never contradict
    found = agreement.agreement(tmp_path, "tensorflow-cpu", *ids, factor=1.1)
    assert sum(map(len, found["steps"].values())) < sum(map(len, pooled["steps"].values()))
    agree = agreement.consistency(found["rows"], *ids)
    assert agree["opposite"] == 0
    assert all(agree[f"kept_{c}"] >= 0.9 * agree[f"decided_{c}"] for c in ids)
    assert agreement.kind("throughput.Throughput.time_estimate", "'tensorflow:xla', 65536") == (
        "time, 2**16 samples"
    )
    assert agreement.kind("first_call.FirstCall.timeraw_first_call", "'tensorflow:xla'") == "first calls"


def test_every_committed_control_pair_decides_nothing_slower_or_faster(capsys):
    """Each campaign's own A/A (its newest release twice) through the verdict's door: a false
    alarm there would be the campaign's own, and ``control_pairs.py`` exits 1 on one."""
    import pytest

    pytest.importorskip("asv", reason="asv is not installed")
    pairs = script("control_pairs")
    found = pairs.control_pairs(ROOT / "sweeps", "numba", 1.1)
    assert found, "no numba campaign with a control copy is committed"
    for campaign, entry in found.items():
        assert not entry["outcomes"]["slower"] and not entry["outcomes"]["faster"], (campaign, entry)
    assert pairs.main(["numba", "--campaign", next(iter(found))]) == 0
    assert "moved most:" in capsys.readouterr().out


def test_a_release_hidden_in_a_copy_is_what_the_radar_finds_new(tmp_path):
    """The radar's demonstration on real releases hides a measured release in a copy: the copy
    keeps every other release of the campaigns that measured it, and consistent records."""
    from accelpi.releases.campaign import history
    from accelpi.store.campaigns import load_campaigns
    from accelpi.store.radar import load_sightings

    hide = script("hide_release").hide_release
    sweeps, machine = ROOT / "sweeps", "amd-epyc-2c-82ccf83e"
    assert history(sweeps, machine, "numba")[-1] == "0.68.1"
    out = tmp_path / "hidden"
    left_out = hide(sweeps, "numba", "0.68.1", out, machine)
    assert history(out, machine, "numba")[-1] == "0.68.0"  # the radar's newest measured here
    assert any(name.endswith("ACCELPI_CONTROLcopy.json") for name in left_out)  # the control too
    skipped: list = []
    campaigns = load_campaigns(out, skipped)
    assert not skipped
    trimmed = campaigns["numba-20261206T134605Z"]
    whole = load_campaigns(sweeps)["numba-20261206T134605Z"]
    assert trimmed["seconds"] == pytest.approx(whole["seconds"] * 2 / 4)  # 2 of 4 environments left
    assert trimmed["releases"] == ["0.67.0", "0.68.0"] and "control 0.68.1" not in trimmed.get("added", {})
    assert not any("0.68.1" in e for e in trimmed["environments"] + list(trimmed["processes"]))
    assert all("0.68.1" not in e for p in trimmed["pass_log"] for r in p["rounds"] for e in r["order"])
    assert not [s for s in load_sightings(out) if s["library"] == "numba" and s["release"] == "0.68.1"]
    assert history(sweeps, machine, "numba")[-1] == "0.68.1"  # the original is only read
    with pytest.raises(SystemExit, match="exists"):
        hide(sweeps, "numba", "0.68.1", out, machine)
    with pytest.raises(SystemExit, match=r"no environment of numba 0\.99\.0"):
        hide(sweeps, "numba", "0.99.0", tmp_path / "none", machine)
