"""``amsync export xspf``: one XSPF playlist (XML Shareable Playlist Format, version 1) per
playlist, for players that read XSPF (VLC, Strawberry, Clementine …)::

    <?xml version="1.0" encoding="UTF-8"?>
    <playlist version="1" xmlns="http://xspf.org/ns/0/">
      <title>name</title>
      <annotation>description</annotation>
      <trackList>
        <track>
          <location>https://music.apple.com/us/album/…?i=…</location>
          <title>name</title><creator>artist</creator><album>album</album>
          <trackNum>3</trackNum><duration>215000</duration>
        </track>
      </trackList>
    </playlist>

Locations are the tracks' Apple Music URLs, or file locations (``--path-template``,
``--local``): absolute paths as ``file://`` URLs, relative ones as relative URI references that
resolve against the playlist file's folder (each path segment percent-encoded). A track with no
location (an upload without catalog id) keeps its other elements, has no ``<location>``, and is
counted. All text is XML-escaped; the characters that XML 1.0 forbids (most control characters,
unpaired surrogates, U+FFFE/U+FFFF) are removed, and a carriage return is written as ``&#13;``
so that parsers keep it. Files are laid out like the M3U export: folders as sub-folders, safe
unique names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final, TextIO
from urllib.parse import quote

from amsync.db.store import Store
from amsync.export import playlist_rows
from amsync.export.export_options import Destination, ExportOptions, ExportReport
from amsync.export.locations import Location, Locations
from amsync.export.playlist_files import (
    export_playlist_files,
    export_selected_playlists,
)

EXTENSION: Final = ".xspf"
NAMESPACE: Final = "http://xspf.org/ns/0/"
_XML_FORBIDDEN: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPES: Final = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_URL: Final = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def xml_clean(text: str) -> str:
    """``text`` without the characters XML 1.0 does not allow in a document."""
    return _XML_FORBIDDEN.sub("", text)


def xml_text(text: str) -> str:
    """``text`` as XML character data: forbidden characters removed, markup escaped."""
    return xml_clean(text).translate(_ESCAPES)


def location_uri(location: Location) -> str:
    """An absolute URL as it is (with anything outside URI syntax percent-encoded); an absolute
    path as a ``file://`` URL; a relative path as a relative URI reference. Each path segment is
    percent-encoded (UTF-8), so a ``:`` in a file name cannot read as a scheme."""
    text = location.text
    if location.kind == "url" and _URL.match(text):
        return quote(text, safe=":/?#[]@!$&'()*+,;=%-._~")
    encoded = "/".join(quote(segment, safe="") for segment in text.split("/"))
    return "file://" + encoded if location.kind == "absolute" else encoded


def _element(name: str, value: str | int | None, indent: str) -> str:
    if value is None or value == "":
        return ""
    text = str(value) if isinstance(value, int) else xml_text(value)
    return f"{indent}<{name}>{text}</{name}>\n"


def write_playlist(
    out: TextIO,
    head: playlist_rows.PlaylistHead,
    tracks: Iterator[playlist_rows.Track],
    locations: Locations,
    report: ExportReport,
) -> None:
    """One XSPF document for ``head`` with its ``tracks``."""
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(f'<playlist version="1" xmlns="{NAMESPACE}">\n')
    out.write(f"  <title>{xml_text(head.name)}</title>\n")
    out.write(_element("annotation", head.description, "  "))
    out.write("  <trackList>\n")
    for track in tracks:
        report.count("tracks")
        location = locations.of(head, track)
        parts = ["    <track>\n"]
        if location is None:
            report.tracks_without_location += 1
        else:
            parts.append(_element("location", location_uri(location), "      "))
        parts.append(f"      <title>{xml_text(track.name or '')}</title>\n")
        parts.append(_element("creator", track.artist, "      "))
        parts.append(_element("album", track.album, "      "))
        if track.track_number is not None and track.track_number > 0:
            parts.append(_element("trackNum", track.track_number, "      "))
        if track.duration_ms is not None and track.duration_ms >= 0:
            parts.append(_element("duration", track.duration_ms, "      "))
        parts.append("    </track>\n")
        out.write("".join(parts))
    out.write("  </trackList>\n</playlist>\n")


def export_xspf(
    store: Store, account_id: int, directory: Path, options: ExportOptions
) -> ExportReport:
    """One ``.xspf`` per playlist below ``directory`` (created if missing)."""
    return export_playlist_files(
        store,
        account_id,
        directory,
        options,
        format="xspf",
        extension=EXTENSION,
        write=write_playlist,
    )


def export_xspf_playlist(
    store: Store, account_id: int, destination: Destination, options: ExportOptions
) -> ExportReport:
    """The playlist in ``options.playlists`` as one XSPF document (a file or stdout)."""
    return export_selected_playlists(
        store, account_id, destination, options, format="xspf", write=write_playlist
    )
