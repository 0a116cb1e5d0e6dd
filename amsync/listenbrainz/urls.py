"""The root URL of a ListenBrainz API, as given on the command line, in one spelling.

``https://api.listenbrainz.org``, ``https://API.listenbrainz.org:443/``, ``…/1/`` and
``…/1/submit-listens`` are the same server: scheme and host lower case, the default port
dropped, trailing ``/``, ``/1`` and endpoint names taken off. The spelling is the server's key
in amsync's record of what each server accepted, so every way of writing one URL pushes to the
same record.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit, urlunsplit

from amsync.errors import NotListenBrainzApi

DEFAULT_PORTS: Final = {"http": 80, "https": 443}
ENDPOINTS: Final = ("/1/submit-listens", "/1/validate-token", "/1")
EXAMPLES: Final = (
    "a ListenBrainz API root, e.g. https://api.listenbrainz.org or Maloja's "
    "http://HOST:42010/apis/listenbrainz"
)


def api_root(url: str) -> str:
    """The normalised root; ``NotListenBrainzApi`` (exit 2) for what cannot be one."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise NotListenBrainzApi(f"{_shown(text)} is not a URL", hint=EXAMPLES) from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise NotListenBrainzApi(f"{_shown(text)} is not an http(s) URL with a host", hint=EXAMPLES)
    if parts.username is not None or parts.password is not None:
        raise NotListenBrainzApi(
            "the URL holds a user name or password",
            hint="give the token in AMSYNC_LISTENBRAINZ_TOKEN or --token-file, not in the URL",
        )
    if parts.query or parts.fragment:
        raise NotListenBrainzApi(f"{_shown(text)}: a root URL has no '?' or '#'", hint=EXAMPLES)
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path.rstrip("/")
    for ending in ENDPOINTS:
        if path.endswith(ending):
            path = path[: -len(ending)].rstrip("/")
            break
    return urlunsplit((scheme, netloc, path, "", ""))


def _shown(text: str) -> str:
    clean = "".join(c if c.isprintable() else "?" for c in text)
    return repr(clean if len(clean) <= 80 else clean[:77] + "...")
