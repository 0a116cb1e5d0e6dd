"""``amsync report``: a listening and library report of a year, a month or all time — one
self-contained HTML file (charts, styles and thumbnails inline; no request when viewed) or
one JSON document with the same numbers.

- ``period``: which year, month or all time (UTC, like ``amsync top``); the default.
- ``document``: ``build_report`` reads every section through a ``Reader`` (the fast SQLite
  path, or SQLAlchemy), ``Report.as_dict`` is ``--format json``.
- ``listening``, ``tops``, ``library``, ``replay``: the questions, in SQL.
- ``artwork``: thumbnails fetched once through an ``ArtworkSource`` and cached as files.
- ``charting``: the charts (Vega-Lite through Altair, rendered to inline SVG by
  vl-convert) — the only module that imports a charting library, and only when a page is made.
- ``page``: the HTML page (Jinja2, autoescaped: every name is text).
"""
