"""A stand-in for Apple's MusicKit on the Web, so ``amsync auth login`` works against the emulator.

Apple's script (``https://js-cdn.music.apple.com/musickit/v3/musickit.js``) cannot be loaded in
tests or offline demos; amsync's sign-in page loads whatever ``AMSYNC_MUSICKIT_JS_URL`` names,
and the emulator serves this stand-in at ``/musickit/v3/musickit.js``. It implements what the
sign-in page uses, the way MusicKit v3 behaves:

- the script defines ``window.MusicKit`` and dispatches ``musickitloaded`` on ``document``;
- ``MusicKit.configure({developerToken, app})`` resolves with an instance, or rejects when the
  emulator refuses the developer token (checked at ``POST /musickit/v3/check``);
- ``instance.authorize()`` shows a consent prompt in the page ("Allow" / "Don't Allow", in
  place of Apple's sign-in window) and resolves with a new music user token the emulator
  accepts from then on (``POST /musickit/v3/authorize``), or rejects when the person declines.

The two POST endpoints take the developer token as a ``text/plain`` body (a CORS "simple"
request, answered with ``Access-Control-Allow-Origin: *``): the page runs on another origin.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from amsync.emulator.messages import Request, Response, error
from amsync.emulator.rendering import dumps

if TYPE_CHECKING:
    from amsync.emulator.emulator import Emulator

SCRIPT_PATH = "/musickit/v3/musickit.js"
CHECK_PATH = "/musickit/v3/check"
AUTHORIZE_PATH = "/musickit/v3/authorize"
_CORS = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "POST"),
    ("Access-Control-Allow-Headers", "Content-Type"),
    ("Cache-Control", "no-store"),
]


@cache
def script() -> bytes:
    return resources.files("amsync.emulator").joinpath("musickit.js").read_bytes()


def handle(emulator: Emulator, request: Request) -> Response:
    method = request.method.upper()
    endpoint = f"{method} {request.path}"
    if request.path == SCRIPT_PATH and method in ("GET", "HEAD"):
        headers = [
            ("Content-Type", "text/javascript; charset=utf-8"),
            ("Cache-Control", "no-store"),
        ]
        return Response(200, script(), headers, endpoint=endpoint)
    if request.path not in (CHECK_PATH, AUTHORIZE_PATH):
        return error(404)
    if method == "OPTIONS":
        return Response(204, headers=list(_CORS), endpoint=endpoint)
    if method != "POST":
        response = error(405)
        response.headers.append(("Allow", "POST, OPTIONS"))
        return response
    token = request.body.decode("utf-8", "replace").strip()
    if not emulator.tokens.developer_token_ok(token, emulator.now()):
        response = error(401)
    elif request.path == CHECK_PATH:
        response = Response(200, dumps({"ok": True}))
    else:
        response = Response(200, dumps({"music_user_token": emulator.issue_music_user_token()}))
    response.headers.extend(_CORS)
    response.endpoint = endpoint
    return response
