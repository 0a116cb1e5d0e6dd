"""The ListenBrainz protocol (issue 25): the one adapter that speaks it — to ListenBrainz
itself and to the servers that take listens the same way (Maloja at ``…/apis/listenbrainz``,
Koito, multi-scrobbler). amsync's own httpx client (``client``; why not ``liblistenbrainz``
is told there), the listen's JSON and the server's limits (``payload``, ``limits``), and the
spelling of a server's root URL (``urls``).
"""

from __future__ import annotations

from amsync.listenbrainz.client import ListenBrainzClient
from amsync.listenbrainz.limits import accepted_times
from amsync.listenbrainz.payload import json_line
from amsync.listenbrainz.urls import api_root

__all__ = ["ListenBrainzClient", "accepted_times", "api_root", "json_line"]
