"""Reports: what the stored results say, read from :mod:`accelpi.store`.

:mod:`~accelpi.reports.verdicts`
    asv's significance test and the factor: whether two measurements differ;
:mod:`~accelpi.reports.versions`
    release steps: each release against the one before it (``accelpi versions``);
:mod:`~accelpi.reports.environments`
    what else differs between a step's two environments (their inventories);
:mod:`~accelpi.reports.builds`
    one release as two builds, or with two values of a switch (Intel builds, oneDNN);
:mod:`~accelpi.reports.report`
    the release report every page and table is drawn from (``accelpi versions --json``);
:mod:`~accelpi.reports.inventory`
    pins that did not hold and drift (``accelpi inventory``);
:mod:`~accelpi.reports.summary`
    a run's backends ranked (``accelpi summary``, the end of ``make bench``);
:mod:`~accelpi.reports.replicate`
    the 2018 talk's claims beside today's results (``accelpi replicate``);
:mod:`~accelpi.reports.machines`
    which hosts the results come from, and when each measured;
:mod:`~accelpi.reports.radar`
    the release radar's entries, each with its verdict (``accelpi radar --report``);
:mod:`~accelpi.reports.gate`
    what the pull-request gate found, base against head, for a reviewer;
:mod:`~accelpi.reports.cost`
    where a run of the suite spends its time (``accelpi summary --duration``).

Reports read; they never measure (:mod:`accelpi.releases`) or draw (:mod:`accelpi.site`).
"""

#: The factor beyond which a step between two releases (or two builds) counts as a change,
#: when asv's significance test agrees: 1.1 = 10 %. The one default of ``versions``,
#: ``site``, ``bisect``, asv's ``regressions_thresholds`` and the workflows (a test reads
#: them all). It comes from the release A/A test (docs/benchmarking.md): one release of
#: numba, numpy and tensorflow-cpu each swept as two identical environments, 67 rows, flagged
#: none at 1.05, 1.1 or 1.25.
DEFAULT_FACTOR = 1.1
