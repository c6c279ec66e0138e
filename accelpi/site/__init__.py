"""The published website: asv's pages plus accelpi's, built from what the reports say.

:mod:`~accelpi.site.build`
    ``accelpi site``: ``asv publish``, then our pages;
:mod:`~accelpi.site.contents` and :mod:`~accelpi.site.sitemap`
    our pages, one protocol: each one's writer, and its file and navigation entry;
:mod:`~accelpi.site.pages`
    the page frame and tables every page shares;
:mod:`~accelpi.site.front`
    the front page: the fastest backend, the machines, the releases;
:mod:`~accelpi.site.library`
    a library's release page, one chart per benchmark against the release;
:mod:`~accelpi.site.steps`
    release steps as table rows, one layout for the pages and the generated docs;
:mod:`~accelpi.site.radar`
    ``radar.html`` and its feed; :mod:`~accelpi.site.gate`: ``gate.html``;
:mod:`~accelpi.site.project`
    another project's release pages (``accelpi site --project``);
:mod:`~accelpi.site.markdown`
    the generated pages of docs/ (what changed, the Intel builds, the talk re-measured);
:mod:`~accelpi.site.charts`
    Vega-Lite charts; :mod:`~accelpi.site.asvpages`: the one adapter of asv's published pages;
``templates/``
    the HTML (Jinja2).
"""
