"""The Subsonic API adapter (Navidrome, gonic, Airsonic-Advanced, Ampache, LMS, Supysonic and
other Subsonic-compatible servers, with OpenSubsonic's extensions): the only part of amsync
that speaks it. ``connect`` signs in and returns a ``SubsonicServer``, which satisfies
``amsync.domain.media_server.MediaServer``; ``amsync.servers`` uses it through that Protocol.

Built on httpx (as the Apple Music client is) rather than a Subsonic client library: see
``docs/how-to/subsonic-servers.md`` for why.
"""

from amsync.subsonic.server import SubsonicServer, connect

__all__ = ["SubsonicServer", "connect"]
