"""Measuring library releases: plans, sweeps, replays, bisection, and what was installed.

asv runs a suite across the project's commits in one environment; this family runs it
across a *library's* releases, one environment per release, and records what each
environment really installed:

:mod:`~accelpi.releases.plan`
    which releases install here, each resolved jointly with what it needs;
:mod:`~accelpi.releases.campaign`
    the campaign: releases measured together in passes (``accelpi sweep``);
:mod:`~accelpi.releases.sweep`
    the asv runs a campaign is made of, over its environments;
:mod:`~accelpi.releases.undecided`
    which rows a campaign's extra passes measure;
:mod:`~accelpi.releases.duration`
    how long a campaign will take, from the campaigns before it (``--plan``);
:mod:`~accelpi.releases.project` and :mod:`~accelpi.releases.requirements`
    whose suite is measured (accelpi's or another project's), and its requirements;
:mod:`~accelpi.releases.record`, :mod:`~accelpi.releases.provenance`, :mod:`~accelpi.releases.installed_files`
    what each environment installed, down to the wheel's sha256 (the inventories);
:mod:`~accelpi.releases.reproduce`
    what another project's build installed in isolation, and the asv configuration used;
:mod:`~accelpi.releases.radar` and :mod:`~accelpi.releases.uploads`
    the release radar: new releases on the index, when each was uploaded, measured;
:mod:`~accelpi.releases.replay`
    the exact recorded files installed again and measured (``accelpi sweep --replay``);
:mod:`~accelpi.releases.bisect`
    the first release where a benchmark got slower (``accelpi bisect``);
:mod:`~accelpi.releases.pip`
    the one helper that runs pip;
:mod:`~accelpi.releases.children`
    the processes a measurement starts, stopped with it (asv's whole tree, on every signal).

Results and records are written through :mod:`accelpi.store`; verdicts come from
:mod:`accelpi.reports`. It needs asv and packaging (the ``bench`` extra).
"""
