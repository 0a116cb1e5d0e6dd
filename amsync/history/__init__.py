"""Listening history: Apple's Data & Privacy export imported and linked to the mirror.

(Not to be confused with the *change history* of the mirror, ``amsync.query.history`` behind
``amsync history``.)

``import_apple_data`` reads the export — the zip Apple sends, the folder it unpacks to, a zip
nested in either, or one of its files — streaming every file (``archive``, ``csv_rows``,
``json_array``), and stores, in one transaction, play events (``play_activity``), the daily
history (``daily_tracks``) and Apple's per-track counters (``library_tracks``), each linked to a
mirrored song where one matches (``linking``). The reading is done with the standard library
only (``zipfile``, ``csv``, ``json``), so it lives here rather than behind an adapter: there is
no third-party I/O to isolate and nothing a Protocol would let a test replace usefully — the
tests feed it real archives.
"""

from __future__ import annotations

from amsync.history.importing import import_apple_data
from amsync.history.report import ImportReport

__all__ = ["ImportReport", "import_apple_data"]
