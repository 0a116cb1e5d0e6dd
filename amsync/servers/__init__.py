"""Playlists and favourites pushed into Subsonic-compatible servers (issue 27).

Read both sides (``apple_side``: the mirror; the server through
``amsync.domain.media_server.MediaServer``), find each song on the server (``matching``,
``paths``), plan the fewest writes (``plan``: pure), carry them out and remember them
(``apply``, ``records``), and say what was done (``report``). ``push.push_to_server`` runs it
all; ``amsync server push|status`` call it.
"""
