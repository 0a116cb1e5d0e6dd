"""Exports of the mirror (DESIGN §4): JSON (``amsync.library`` v1), CSV, M3U8 and XSPF.

Exports read one consistent snapshot, stream rows from the database and write as they go, and
replace each output file atomically. They return an ``ExportReport``; they never print.
"""

from amsync.export.csv_export import export_csv, export_csv_playlist
from amsync.export.export_options import ExportOptions, ExportReport
from amsync.export.json_export import export_json
from amsync.export.m3u_export import export_m3u, export_m3u_playlist
from amsync.export.xspf_export import export_xspf, export_xspf_playlist

__all__ = [
    "ExportOptions",
    "ExportReport",
    "export_csv",
    "export_csv_playlist",
    "export_json",
    "export_m3u",
    "export_m3u_playlist",
    "export_xspf",
    "export_xspf_playlist",
]
