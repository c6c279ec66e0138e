"""The store: asv's result files and accelpi's records, read and written in one place.

Every file format the release tools touch is known here and nowhere else:

:mod:`~accelpi.store.asvcompat`
    asv's results, benchmark listings, configurations and environments, read with asv's
    own modules (the one module that imports asv);
:mod:`~accelpi.store.records`
    the inventories beside asv's results (``*.versions``): what each environment installed;
:mod:`~accelpi.store.series`
    results of a library's releases lined up, one series per benchmark and environment;
:mod:`~accelpi.store.refusals`
    the releases that cannot install or run here, with why;
:mod:`~accelpi.store.campaigns`
    campaign records (``*.campaign``): which releases were measured together, where and how,
    and how a campaign's results are published;
:mod:`~accelpi.store.processes`
    which benchmark process each sample came from (the unit a verdict tests);
:mod:`~accelpi.store.radar`
    the release radar's record of the new releases it found (``radar.sightings``);
:mod:`~accelpi.store.schemas`
    the shapes of these records, checked where they are read;
:mod:`~accelpi.store.files`
    atomic writes; :mod:`~accelpi.store.git`: the repository's commits (the one git helper).

Nothing here measures, compares or draws: the measuring (:mod:`accelpi.releases`), the
reports (:mod:`accelpi.reports`) and the site (:mod:`accelpi.site`) build on it.
"""

#: Where results live: asv's own folder holds the commit history of the default
#: environment (what ``asv publish`` draws), and release sweeps have a folder of their own
#: (what ``accelpi versions`` and the release pages read). Kept apart, asv's graphs show
#: one environment's history instead of a hundred environment combinations.
COMMIT_RESULTS = "results"
SWEEP_RESULTS = "sweeps"
