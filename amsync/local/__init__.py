"""Playlists that play from the person's own music files (issue 16): scan local files into the
database (``scan``), match every mirrored song to at most one file (``matcher``,
``match_run``), a person's links (``links``), what has no file (``unmatched``), and where each
matched song's file is, for exports (``match_rows.local_paths``).

Tags are read by an adapter (``amsync.audiotags``) reached through
``amsync.domain.ports.LocalFileSource`` and ``TagReader``; this package never imports it.
"""
