"""Campaign plans: windows, neighbours from the history, stock twins, passes; one at a time."""

from __future__ import annotations

import itertools

import pytest

from accelpi import InvalidArgument
from accelpi.libraries import sweep_target
from accelpi.releases import campaign, duration
from accelpi.releases.plan import (
    REPEATED,
    CampaignPlan,
    SweepPlan,
    Target,
    _neighbours,
    plan_campaigns,
    windows,
)


def _plan(name, versions, switches=None):
    return SweepPlan(Target(name, sweep_target(name)), versions, switches or {}, {})


def test_windows_overlap_so_that_every_consecutive_pair_is_measured_together():
    releases = ["1", "2", "3", "4", "5", "6"]
    cut = windows(releases, 3)
    assert cut == [["1", "2", "3"], ["3", "4", "5"], ["5", "6"]]
    pairs = {(a, b) for a, b in itertools.pairwise(releases)}
    assert pairs <= {(w[i], w[i + 1]) for w in cut for i in range(len(w) - 1)}
    assert windows(releases, None) == [releases] and windows(releases, 10) == [releases]
    with pytest.raises(InvalidArgument, match="at least 2"):
        windows(releases, 1)


def test_a_new_release_brings_its_neighbours_of_the_history():
    known = ["0.60.0", "0.62.1", "0.64.0", "0.66.0"]
    added = _neighbours(["0.63.1"], known)
    assert sorted(added) == ["0.62.1", "0.64.0"]
    assert _neighbours(["0.67.0"], known).keys() == {"0.66.0"}
    assert _neighbours(["0.62.1", "0.64.0"], known).keys() == {"0.60.0", "0.66.0"}
    assert _neighbours(["0.61.2"], []) == {}


def test_the_environments_go_release_by_release_with_each_releases_builds_side_by_side():
    tf = _plan("tensorflow-cpu", ["2.13.0", "2.14.0"], {"TF_ENABLE_ONEDNN_OPTS": ("0", "1")})
    intel = _plan("intel-tensorflow", ["2.13.0", "2.14.0"], {"TF_ENABLE_ONEDNN_OPTS": ("0", "1")})
    plan = CampaignPlan("intel-tensorflow", [intel, tf])
    entries = plan.include()
    assert len(entries) == 8
    builds = [next(k for k in e["req"] if "tensorflow" in k) for e in entries]
    releases = [e["req"][b] for e, b in zip(entries, builds, strict=True)]
    assert releases == ["2.13.0"] * 4 + ["2.14.0"] * 4
    assert builds[:4] == ["intel-tensorflow"] * 2 + ["tensorflow-cpu"] * 2
    assert plan.releases() == ["2.13.0", "2.14.0"]


def test_the_control_copies_one_combination_of_switches_of_the_newest_release():
    """The campaign's own A/A pair costs one environment, whatever the switches: a copy of the
    newest release's first combination, told apart by the variable nothing reads."""
    tf = _plan("tensorflow-cpu", ["2.13.0", "2.14.0"], {"TF_ENABLE_ONEDNN_OPTS": ("0", "1")})
    assert len(tf.include()) == 4
    tf.control = "2.14.0"
    entries = tf.include()
    assert len(entries) == 5
    copies = [e for e in entries if "ACCELPI_CONTROL" in e.get("env_nobuild", {})]
    assert [(c["req"]["tensorflow-cpu"], c["env_nobuild"]) for c in copies] == [
        ("2.14.0", {"TF_ENABLE_ONEDNN_OPTS": "0", "ACCELPI_CONTROL": "copy"})
    ]


def test_later_passes_repeat_the_timed_benchmarks_only():
    plan = CampaignPlan("numba", [_plan("numba", ["0.68.1"])])
    first, second, later = plan.bench(1), plan.bench(2), plan.bench(3)
    assert any("FirstCall" in r for r in first) and any("Accuracy" in r for r in first)
    assert later and all(any(cls in r for cls in REPEATED) for r in later)
    assert not any("FirstCall" in r or "PeakMemory" in r or "Accuracy" in r for r in later)
    # a first call in both directions of the order: the first pass and the reversed second
    assert any("FirstCall" in r for r in second) and not any("Accuracy" in r for r in second)


def test_two_campaigns_never_run_at_once(tmp_path):
    plan = CampaignPlan("numba", [_plan("numba", ["0.68.1"])])
    with campaign.one_measurement_at_a_time("campaign numba-1"):  # this host's lock
        with pytest.raises(InvalidArgument, match=r"another measurement is running on this host.*numba-1"):
            campaign.run_campaign(plan, tmp_path, "box", tmp_path / "results")
    assert not (tmp_path / "results").exists()


def test_a_plan_refuses_a_pass_count_or_order_it_cannot_run():
    with pytest.raises(InvalidArgument, match="--passes 0"):
        plan_campaigns("numba", ["0.68.1"], passes=0)
    with pytest.raises(InvalidArgument, match="accepted: serpentine, asv"):
        plan_campaigns("numba", ["0.68.1"], order="random")


def test_a_release_that_installs_again_leaves_the_cannot_install_list(tmp_path):
    from accelpi.store.refusals import cannot_install, record_cannot_install

    record_cannot_install("numba", "3.11", {"0.58.1": "no wheel for Python 3.11"}, tmp_path)
    assert ("numba", "0.58.1", "3.11") in cannot_install(tmp_path)
    record_cannot_install("numba", "3.11", {}, tmp_path, installable=["0.58.1"])
    assert cannot_install(tmp_path) == {}


def test_a_library_never_campaigned_is_costed_from_the_campaigns_of_others(tmp_path):
    import json
    import shutil

    from ..helpers import ROOT

    committed = sorted((ROOT / "sweeps").glob("*/*/*.campaign"))
    if not committed:
        pytest.skip("no campaign is committed under sweeps/")
    record = json.loads(committed[0].read_text())
    folder = tmp_path / record["machine"] / record["id"]
    folder.mkdir(parents=True)
    shutil.copy(committed[0], folder)
    other = "numpy" if record["library"] != "numpy" else "numba"
    plan = CampaignPlan(other, [_plan(other, ["1.0", "2.0"] if other == "numba" else ["2.3.5", "2.4.6"])])
    cost = duration.expected(plan, tmp_path)
    per = record["seconds"] / (len(record["environments"]) * record["passes"])
    assert cost["basis"] == "other libraries' campaigns"
    assert cost["per_environment_and_pass"] == pytest.approx(per)
    assert cost["seconds"] == pytest.approx(per * 2 * plan.passes)


def test_a_library_never_campaigned_is_costed_from_its_own_older_sweeps_first(tmp_path):
    """TensorFlow's environments cost several times Numba's: its own one-release sweeps (time
    shared between the switch values they measured) say more than another library's campaign."""
    import json
    import shutil

    from ..helpers import ROOT

    old = sorted(
        path
        for folder in ("sweeps", "experiments/sweeps-before-campaigns")
        for path in (ROOT / folder).glob("cpu-epyc-2c/*tensorflow-cpu2.12.0-*ONEDNN_OPTS*.versions")
    )
    campaigns = sorted(  # another library's campaign: this one's own would come first
        p for p in (ROOT / "sweeps").glob("*/*/*.campaign") if not p.name.startswith("tensorflow-cpu-")
    )
    if len(old) < 2 or not campaigns:
        pytest.skip("no tensorflow-cpu 2.12.0 sweep with both oneDNN switches, or no campaign, committed")
    (tmp_path / "cpu-epyc-2c").mkdir()
    for path in old[:2]:
        shutil.copy(path, tmp_path / "cpu-epyc-2c")
    record = json.loads(campaigns[0].read_text())
    (tmp_path / record["machine"] / record["id"]).mkdir(parents=True)
    shutil.copy(campaigns[0], tmp_path / record["machine"] / record["id"])
    seconds = {json.loads(path.read_text())["sweep_seconds"] for path in old[:2]}
    assert len(seconds) == 1, "both switch values of one sweep share its time"

    plan = CampaignPlan("tensorflow-cpu", [_plan("tensorflow-cpu", ["2.12.0", "2.13.0"])])
    cost = duration.expected(plan, tmp_path)
    assert cost["basis"] == "this library's one-release sweeps"
    per = seconds.pop() / 2 * duration.SWEEP_TO_CAMPAIGN
    assert cost["per_environment_and_pass"] == pytest.approx(per)
    assert cost["seconds"] == pytest.approx(per * 2 * plan.passes)


def test_a_campaign_of_a_few_benchmarks_is_costed_at_their_share_of_the_time(tmp_path):
    """``-b`` scales the measuring by the selected benchmarks' part of an earlier campaign's time,
    as asv matches ``-b``; building the environments costs the same whatever it selects
    (``time_estimate$`` selects no parameterised benchmark, and costs only the building)."""
    import json
    import shutil

    from ..helpers import ROOT

    committed = sorted((ROOT / "sweeps").glob("*/numba-*/*.campaign"))
    if not committed:
        pytest.skip("no numba campaign is committed under sweeps/")
    record = json.loads(committed[-1].read_text())
    shutil.copytree(committed[-1].parent, tmp_path / record["machine"] / record["id"])
    whole = CampaignPlan("numba", [_plan("numba", ["0.67.0", "0.68.0"])])
    full = duration.expected(whole, tmp_path)

    def cost(*bench: str) -> dict:
        plan = CampaignPlan("numba", [_plan("numba", ["0.67.0", "0.68.0"])])
        plan.plans[0].bench = list(bench)
        return duration.expected(plan, tmp_path)

    one = cost(r"Throughput\.time_estimate\('numba:fused', 65536\)")
    throughput = cost(r"Throughput\.")
    assert 0 < one["seconds"] < throughput["seconds"] < full["seconds"]
    assert "scaled to -b's" in throughput["basis"] and "of the benchmarks' time there" in throughput["basis"]
    # a selection of nothing still builds its environments (measured by the campaign's first
    # pass against its later ones); one of everything costs the whole suite
    building = duration.building_seconds(record)
    assert building > 0
    assert cost(r"time_estimate$")["seconds"] == pytest.approx(len(whole.include()) * building)
    assert "min building each environment" in one["basis"]
    assert cost(".")["seconds"] == pytest.approx(full["seconds"])
    assert duration.bench_share(["."], tmp_path / "nothing", {"numba"}) is None


def test_a_campaign_of_the_same_benchmarks_is_costed_from_those_like_it(tmp_path):
    """A campaign that measured the same -b selection (its inventories say which) costs what it
    took, environments built and all; it is never scaled, nor counted as a whole-suite campaign."""
    import json
    import shutil

    from ..helpers import ROOT

    committed = sorted((ROOT / "sweeps").glob("*/numba-*/*.campaign"))
    if not committed:
        pytest.skip("no numba campaign is committed under sweeps/")
    record = json.loads(committed[-1].read_text())
    folder = tmp_path / record["machine"] / record["id"]
    shutil.copytree(committed[-1].parent, folder)
    chosen = [r"Throughput\.time_estimate\('numba:fused'"]
    for inventory in folder.glob("*.versions"):  # as a campaign of that -b writes them
        inventory.write_text(json.dumps({**json.loads(inventory.read_text()), "bench": chosen}))
    plan = CampaignPlan("numba", [_plan("numba", ["0.67.0", "0.68.0"])])
    plan.plans[0].bench = list(chosen)
    cost = duration.expected(plan, tmp_path)
    per = record["seconds"] / (len(record["environments"]) * record["passes"])
    assert cost["basis"] == "campaigns of this library with the same -b"
    assert cost["per_environment_and_pass"] == pytest.approx(per)
    whole = duration.expected(CampaignPlan("numba", [_plan("numba", ["0.67.0", "0.68.0"])]), tmp_path)
    assert not whole["basis"].startswith("campaigns of this library")  # a part is no whole-suite cost
