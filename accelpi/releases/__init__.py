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
