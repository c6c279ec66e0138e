"""Library releases: sweeps, inventories, release-by-release comparison, bisection, the site.

asv runs a suite across the project's commits in one environment; this family runs it
across a *library's* releases, one environment per release, and reads the results back:

:mod:`~accelpi.releases.sweep`
    plan and run one asv environment per release (``accelpi sweep``);
:mod:`~accelpi.releases.inventory`
    what each environment really installed, and drift (``accelpi inventory``);
:mod:`~accelpi.releases.versions`
    values lined up by release, with asv's significance test (``accelpi versions``);
:mod:`~accelpi.releases.bisect`
    the first release where a benchmark got slower (``accelpi bisect``);
:mod:`~accelpi.releases.site`
    asv's website plus the release pages (``accelpi site``);
:mod:`~accelpi.releases.asvcompat`
    the one module that touches asv's internals.

It needs asv, packaging and matplotlib (the ``bench`` and ``plot`` extras), and nothing of
the estimator but its errors and the library table.
"""

#: Where results live: asv's own folder holds the commit history of the default
#: environment (what ``asv publish`` draws), and release sweeps have a folder of their own
#: (what ``accelpi versions`` and the release pages read). Kept apart, asv's graphs show
#: one environment's history instead of a hundred environment combinations.
COMMIT_RESULTS = "results"
SWEEP_RESULTS = "sweeps"

#: The factor beyond which a step between two releases (or two builds) counts as a change,
#: when asv's significance test agrees: 1.1 = 10 %. The one default of ``versions``,
#: ``site``, ``bisect``, asv's ``regressions_thresholds`` and the workflows (a test reads
#: them all). It comes from the release A/A test (docs/benchmarking.md): one release of
#: numba, numpy and tensorflow-cpu each swept as two identical environments, 67 rows, flagged
#: none at 1.05, 1.1 or 1.25.
DEFAULT_FACTOR = 1.1
