"""Which process each sample came from: recorded by campaigns, inferred for older ones."""

from __future__ import annotations

from accelpi.store import processes


def test_the_counts_after_each_pass_become_what_each_process_added():
    snapshots = [
        {"t.T.time_a": [10, 0], "m.M.peakmem_b": [1]},
        {"t.T.time_a": [20, 0], "m.M.peakmem_b": [1]},
        {"t.T.time_a": [27, 4]},  # a shorter process; a combination first measured in pass 3
    ]
    found = processes.processes_per_pass(snapshots)
    assert found == {"m.M.peakmem_b": [[1]], "t.T.time_a": [[10, 10, 7], [4]]}


def test_a_recorded_campaign_gives_each_rows_processes():
    campaign = {"processes": {"env-1": {"t.T.time_a": [[10, 10, 7], [4]]}}, "passes": 3}
    assert processes.counts(campaign, "env-1", "t.T.time_a", 0, 27) == ([10, 10, 7], "recorded")
    sizes, why = processes.counts(campaign, "env-1", "t.T.time_a", 0, 30)
    assert sizes is None and "the record says 27 samples, the result holds 30" in why
    assert processes.counts(campaign, "env-2", "t.T.time_a", 0, 27)[0] is None


def test_an_older_campaign_is_split_only_where_every_process_took_its_most():
    campaign = {"passes": 4}  # no "processes": recorded before they were
    key = "throughput.Throughput.time_estimate"
    assert processes.counts(campaign, "e", key, 0, 40) == ([10, 10, 10, 10], "inferred")
    sizes, why = processes.counts(campaign, "e", key, 0, 35)
    assert sizes is None and "35 samples are not 4 processes of 10: pooled" in why
    first = "first_call.FirstCall.timeraw_first_call"
    assert processes.counts(campaign, "e", first, 0, 8) == ([4, 4], "inferred")
    assert processes.counts(None, "e", key, 0, 40) == (None, "measured outside any campaign")
    project = {"passes": 4, "project": {"name": "xarray"}}
    assert processes.counts(project, "e", key, 0, 40)[0] is None


def test_split_cuts_samples_in_pass_order():
    assert processes.split([1, 2, 3, 4, 5], [2, 3]) == [[1, 2], [3, 4, 5]]
    assert processes.split([1, 2, 3], [2, 2]) is None and processes.split(None, [1]) is None
