"""Apple Music API emulator: an independent second implementation of Apple's wire format.

It imports nothing else from amsync (stdlib, httpx, and ``cryptography`` for ES256 signatures
only), so a client bug cannot hide behind a shared parser. Built from
``/work/shared/apple-music-api.md`` §1–§6, §8, §9.

Use::

    from amsync.emulator import Emulator, LibrarySpec, FaultConfig, generate_library, awkward_spec
    lib = generate_library(LibrarySpec(songs=2000, playlists=40, seed=7))
    emu = Emulator(lib, developer_tokens={"dev-token"}, music_user_tokens={"user-token"},
                   faults=FaultConfig(seed=1), storefront="us")
    httpx.AsyncClient(transport=emu.async_transport())   # in process (or emu.transport())
    with emu.serve(host="127.0.0.1", port=0) as server:  # real socket, background thread
        server.url                                         # "http://127.0.0.1:PORT"
    emu.log.by_endpoint()   # {"GET /v1/me/library/songs": 12, …}; count(), by_status(), writes()
    emu.library             # Library: plain dataclasses in dicts keyed by id, plus mutations
    emu.faults              # FaultConfig, mutable (or assign a new one) between runs
    emu.expire_developer_token(); emu.revoke_music_user_token(); emu.restore_tokens()
    emu.issue_developer_token()   # an ES256 JWT signed with the emulator's own key (180 days)

CLI: ``amsync emulator serve`` (amsync/cli/emulator_commands.py); benchmark:
``python -m bench.emulator_throughput``.

Endpoints (all JSON:API style, ``href`` on every resource)
-------------------------------------------------------------
- ``GET /v1/test`` (200 ``{}``), ``GET /v1/me/storefront``.
- ``GET /v1/me/library/{songs,albums,artists,playlists,music-videos}``: listings (default page
  25, max 100), ``?ids=`` (≤ 300), ``/{id}`` (404 40400), relationships ``songs/{id}/{albums,
  artists,catalog}``, ``albums/{id}/{artists,catalog,tracks}``, ``artists/{id}/{albums,catalog}``,
  ``playlists/{id}/{tracks,catalog}`` (tracks default page 100, others 25).
- ``GET /v1/me/library/recently-added`` (albums + playlists by dateAdded desc, default 10),
  ``/v1/me/library/search?term=&types=`` (default 5, max 25), ``/v1/me/library?ids[type]=``.
- ``GET /v1/me/library/playlist-folders?filter[identity]=playlistsroot`` | ``?ids=`` | (no
  parameter: all folders, paged); ``/playlist-folders/{id}``; ``/{id}/children`` (folders first,
  then playlists, each alphabetical; default 25). ``POST /v1/me/library/playlist-folders`` → 201.
- ``GET /v1/catalog/{sf}/{songs,albums,artists,playlists,music-videos}?ids=`` and ``/{id}``;
  ``songs?filter[isrc]=`` (≤ 25). Songs: 504 above 200 ids, all types: 400 above 300
  (``FaultConfig.catalog_504_above`` / ``catalog_400_above``). Withdrawn and unknown ids omitted.
- ``GET|PUT|DELETE /v1/me/ratings/{type}/{id}``, ``GET /v1/me/ratings/{type}?ids=`` (≤ 200)
  for songs, albums, playlists, music-videos, stations and the library-* variants.
- ``GET /v1/me/music-summaries?filter[year]=latest&views=top-songs,…``: Apple's Replay of
  ``Library.replay`` (``replay_routes``); 404 without one (``FaultConfig.replay_absent``).
- ``POST /v1/me/favorites?ids[type]=`` → 202; ``POST /v1/me/library?ids[type]=`` → 202;
  ``POST /v1/me/library/playlists`` → 201; ``POST /v1/me/library/playlists/{id}/tracks`` → 204.
- ``GET /musickit/v3/musickit.js``: a stand-in for Apple's MusicKit on the Web (``musickit.py``)
  with ``POST /musickit/v3/check`` and ``/authorize`` (developer token as a text body; CORS).
- ``GET /_emulator/log`` (totals by endpoint and status), ``POST /_emulator/log/reset`` (204):
  no token needed, never faulted. ``POST /_emulator/withdraw?count=N`` (Apple withdraws N
  library songs, most with a replacement: ``lost_music``), ``POST
  /_emulator/unplayable?count=N``; ``POST|GET /_emulator/inbox``: a webhook receiver for
  notifications (Apprise ``json://HOST:PORT/_emulator/inbox``).
- ``include=catalog`` (also albums/artists/tracks where a relationship exists) adds
  ``relationships.<name>`` with full resources; ``extend=dateAdded`` gates dateAdded on library
  songs/music videos; ``extend=inFavorites`` adds inFavorites (rating == 1). Unscoped
  include/extend apply to the primary data; ``include[type]``/``extend[type]`` are honoured.

Paging and errors
-----------------
``next`` is the same path with only ``offset``; ``meta.total`` on every listing; empty
collection or offset past the end → 404 with Apple's 40400 body (``FaultConfig.page_404_body =
"braces"`` sends ``{}``); bad ``limit``/``offset`` → 400 40005 naming the parameter. Errors are
``{"errors":[{"id","title","detail","status","code"}]}`` with string status/code.

Faults (FaultConfig; decided from a hash of seed, method, path+query and occurrence number)
---------------------------------------------------------------------------------------------
latency_ms/jitter_ms; rate_limit_rps/rate_limit_burst (429 42900, no Retry-After); error_rate
(500/503/504); drop_rate; truncate_rate; short_page_rate and transient_404_rate (first
occurrence only, so a retry recovers); fault_rate (floor for those five); developer-token
expiry / user-token revocation after N requests or at an epoch time; empty_library;
ignore_writes; paths (prefix filter); empty_401_body; no_subscription (``/v1/me/library*``
answers 401); clock_offset_s (the server's ``Date`` and token times run off).

Deviations and choices ([UNCERTAIN] in the reference)
-----------------------------------------------------
- Known path with an unsupported method (DELETE of library items, PATCH/rename, DELETE of
  playlist tracks) → 405 with ``Allow``; unknown paths → 404. Apple may answer either.
- Ratings for artists / library-artists → 404 (no such endpoint). GET/DELETE of an unrated
  item → 404. Unknown library ids on PUT → 404.
- Adding tracks to a ``canEdit: false`` playlist → 403 code 40300 with detail "This playlist
  cannot be edited" (not "Invalid authentication"). Unknown track ids → 400.
- Adding a catalog song to a playlist adds it to the library first (new library id).
- Library artist ids use the ``r.`` prefix; ``GET /v1/test`` answers ``{}``.
- Search ``next`` keeps ``term``/``types``/``limit``; empty search → 200 with empty results.
- Multi-gets whose ids all miss → 200 ``{"data":[]}`` (library and catalog alike).
- Catalog music videos exist only to back library music videos (no charts, no search).
- Ratings live on the underlying (catalog) item: removing songs or ``clear_library()`` keeps
  ratings of catalog ids; only the library ids stop resolving.
- Removing a folder moves its children to its parent. Mutate the library from another thread
  only while holding ``emu.lock`` (or between requests).
"""

from amsync.emulator.emulator import Emulator
from amsync.emulator.faults import FaultConfig
from amsync.emulator.generator import LibrarySpec, awkward_spec, generate_library
from amsync.emulator.library import Library
from amsync.emulator.request_log import LogEntry, RequestLog

__all__ = [
    "Emulator",
    "FaultConfig",
    "Library",
    "LibrarySpec",
    "LogEntry",
    "RequestLog",
    "awkward_spec",
    "generate_library",
]
