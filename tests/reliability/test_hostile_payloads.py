"""Hostile API payloads (hypothesis): one endpoint's body replaced by a mangled version of the
real one — fields missing, added or of the wrong type, huge strings, deep nesting, invalid
UTF-8, lone surrogate escapes, truncated JSON.

Every sync then ends in one of two ways: ``MalformedResponse`` naming the endpoint with the
mirror untouched, or success with a healthy mirror that the next clean sync brings exactly to
the library. Never another exception, never a partial write.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amsync.api import AppleMusicClient
from amsync.api.rate import RateSettings
from amsync.api.retry import DEFAULT_RULES
from amsync.db.store import Store, open_store
from amsync.emulator import Emulator
from amsync.errors import AmsyncError, MalformedResponse
from amsync.sync.runner import run_sync
from tests.support.mirror_compare import actual_mirror, dump_tables, expected_mirror
from tests.support.reliability import FIGURES, copy_sqlite, duplicate_rows, emulator_for, tiny_spec
from tests.sync.conftest import client_config

ENDPOINTS = {
    "songs": "/v1/me/library/songs",
    "albums": "/v1/me/library/albums",
    "artists": "/v1/me/library/artists",
    "playlists": "/v1/me/library/playlists",
    "tracks": "/tracks",
    "folders": "/v1/me/library/playlist-folders",
    "ratings": "/v1/me/ratings",
    "storefront": "/v1/me/storefront",
}
FAST_RULES = {
    f: replace(r, backoff_base_s=0.001, backoff_cap_s=0.002) for f, r in DEFAULT_RULES.items()
}

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.just("x" * 200_000),
    st.just("\x00\x1b[2J\r\n\u202e"),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document[:3]):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def mangling(draw: st.DrawFn) -> Any:
    """A function from the real body (bytes) to a hostile one."""
    kind = draw(
        st.sampled_from(
            ["replace", "delete", "add", "deep", "truncate", "utf8", "surrogate", "not-json"]
        )
    )
    pick = draw(st.integers(min_value=0, max_value=10**6))
    value = draw(json_value)
    cut = draw(st.floats(min_value=0.0, max_value=0.99))

    def mangle(body: bytes) -> bytes:
        if kind == "truncate":
            return body[: int(len(body) * cut)]
        if kind == "utf8":
            at = int(len(body) * cut)
            return body[:at] + b"\xff\xfe\x80" + body[at:]
        if kind == "not-json":
            return b"<html>Service Unavailable</html>"
        document = json.loads(body)
        if kind == "surrogate":
            text = json.dumps(document)
            return text.replace('"name": "', '"name": "\\ud800', 1).encode()
        paths = _paths(document)[1:] or [()]
        path = paths[pick % len(paths)]
        parent: Any = document
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1] if path else None
        if kind == "replace" and path:
            parent[last] = value
        elif kind == "delete" and path and isinstance(parent, dict):
            del parent[last]
        elif kind == "add" and isinstance(parent, dict):
            parent[f"unexpected{pick % 7}"] = value
        elif kind == "deep" and isinstance(document, dict):
            deep = b"[" * 100_000 + b"]" * 100_000
            return json.dumps(document)[:-1].encode() + b', "deep": ' + deep + b"}"
        return json.dumps(document, allow_nan=True).encode()

    mangle.__name__ = kind
    return mangle


class Hostile(httpx.AsyncBaseTransport):
    """The emulator, with the first answer of one endpoint mangled (later ones are clean)."""

    def __init__(self, emulator: Emulator, endpoint: str, mangle: Any) -> None:
        self._inner = emulator.async_transport()
        self._endpoint = endpoint
        self._mangle = mangle
        self.struck = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        path = request.url.path
        hit = (
            path.endswith(self._endpoint)
            if self._endpoint == "/tracks"
            else path.startswith(self._endpoint)
        )
        if self.struck or not hit or response.status_code != 200:
            return response
        self.struck = True
        body = self._mangle(await response.aread())
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        return httpx.Response(200, headers=headers, content=body, request=request)


FAST = RateSettings(initial_rate=1000.0, max_rate=5000.0)


async def _sync(store: Store, transport: httpx.AsyncBaseTransport) -> Any:
    config = client_config(rate=FAST, retry_rules=FAST_RULES, retry_budget_s=2.0)
    async with AppleMusicClient(config, transport=transport) as client:
        return await run_sync(client, store, "default")


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A mirror of library v1, copied for each example."""
    path = tmp_path_factory.mktemp("hostile") / "template.db"
    emulator = emulator_for(tiny_spec(5, songs=12))
    store = open_store(str(path))
    asyncio.run(_sync(store, emulator.async_transport()))
    store.close()
    return str(path)


def _v2() -> Emulator:
    emulator = emulator_for(tiny_spec(5, songs=12))
    library = emulator.library
    library.update_song(sorted(library.songs)[0], name="Changed by v2")
    library.add_playlist("v2 playlist", tracks=sorted(library.songs)[:3])
    return emulator


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(endpoint=st.sampled_from(sorted(ENDPOINTS)), mangle=mangling())
def test_a_hostile_payload_gives_a_clear_error_or_a_correct_mirror(
    endpoint: str, mangle: Any, synced: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    db = copy_sqlite(synced, tmp_path_factory.mktemp("case") / "mirror.db")
    emulator = _v2()
    transport = Hostile(emulator, ENDPOINTS[endpoint], mangle)
    store = open_store(db)
    try:
        before = dump_tables(store)
        try:
            asyncio.run(_sync(store, transport))
        except MalformedResponse as exc:
            assert exc.endpoint, exc
            assert exc.endpoint in str(exc), str(exc)
            assert "\n" not in str(exc) and len(str(exc)) < 600
            assert dump_tables(store) == before, "a refused payload changed the mirror"
            FIGURES["hostile payloads (refused)"] += 1
        except AmsyncError as exc:  # the only other acceptable end: a documented exit code
            assert exc.exit_code in (3, 4, 75), repr(exc)
            assert dump_tables(store) == before
            FIGURES["hostile payloads (refused)"] += 1
        else:
            assert duplicate_rows(store) == {}
            FIGURES["hostile payloads (accepted)"] += 1
        assert transport.struck, "the payload was never served"
        clean = asyncio.run(_sync(store, emulator.async_transport()))
        assert clean.status == "succeeded"
        assert actual_mirror(store) == expected_mirror(emulator.library)
    finally:
        store.close()
