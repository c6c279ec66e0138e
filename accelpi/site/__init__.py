"""The published website: asv's pages plus accelpi's, built from what the reports say.

:mod:`~accelpi.site.build` (``accelpi site``: ``asv publish``, then our pages),
:mod:`~accelpi.site.pages` (the page frame, tables and the generated Markdown of docs/),
:mod:`~accelpi.site.charts` (Vega-Lite charts), :mod:`~accelpi.site.asvpages` (the one
adapter of asv's published pages) and ``templates/`` (the HTML, Jinja2).
"""
