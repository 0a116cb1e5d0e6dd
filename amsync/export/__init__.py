"""Exports of the mirror (DESIGN §4): JSON (``amsync.library`` v1), CSV, M3U8 and XSPF.

Exports read one consistent snapshot, stream rows from the database and write as they go, and
replace each output file atomically. They return an ``ExportReport``; they never print.

The names below are loaded from their modules on first use (PEP 562), so that a command that
only needs the output-path policy (``amsync.export.atomic_files``: ``amsync report``, the demo)
does not load every exporter and SQLAlchemy with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from amsync.export.csv_export import export_csv, export_csv_playlist
    from amsync.export.export_options import ExportOptions, ExportReport
    from amsync.export.json_export import export_json
    from amsync.export.m3u_export import export_m3u, export_m3u_playlist
    from amsync.export.xspf_export import export_xspf, export_xspf_playlist

_WHERE = {
    "export_csv": "csv_export",
    "export_csv_playlist": "csv_export",
    "ExportOptions": "export_options",
    "ExportReport": "export_options",
    "export_json": "json_export",
    "export_m3u": "m3u_export",
    "export_m3u_playlist": "m3u_export",
    "export_xspf": "xspf_export",
    "export_xspf_playlist": "xspf_export",
}

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


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"amsync.export.{module}"), name)
    globals()[name] = value
    return value
