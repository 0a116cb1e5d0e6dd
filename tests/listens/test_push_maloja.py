"""``amsync listens push`` to a real ListenBrainz-protocol server: Maloja (``malojaserver``),
started by the tests on 127.0.0.1 with a data folder of its own (``tests.support.maloja``).
What was pushed is read back through Maloja's own API; a second push adds nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.listens.conftest import Listener, catalog_emulator, make_listener, own_years
from tests.listens.test_fill import emulator_env, rows
from tests.support.maloja import Maloja

pytestmark = pytest.mark.timeout(600)


def _filled(tmp_path: Path) -> Listener:
    listener = make_listener(str(tmp_path / "m.db"), tmp_path, own_years())
    emulator = catalog_emulator(listener.export)
    with emulator.serve() as server:
        listener.json("listens", "fill", env=emulator_env(server.url))
    return listener


def _expected(listener: Listener) -> dict[int, tuple[str, str]]:
    """The listens amsync should have sent, by second, worked out here from ``plays_v``: a
    play with an artist, at least 30 s played, and 4 minutes or half its length."""
    found: dict[int, tuple[str, str]] = {}
    for played_at, name, artist, play_ms, media_ms in rows(
        listener.db,
        "SELECT played_at, name, artist, play_ms, media_ms FROM plays_v WHERE artist IS NOT NULL",
    ):
        from datetime import datetime

        if play_ms is None or play_ms < 30_000:
            continue
        if play_ms < 240_000 and (not media_ms or play_ms * 2 < media_ms):
            continue
        second = int(datetime.fromisoformat(played_at.replace("Z", "+00:00")).timestamp())
        found.setdefault(second, (name, artist))
    return found


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()


def _years(listener: Listener) -> tuple[str, str]:
    start = listener.export.spec.start.year
    return str(start), str(start + 3)


def test_pushed_listens_read_back_from_maloja_and_a_second_push_adds_none(
    maloja: Maloja, tmp_path: Path
) -> None:
    listener = _filled(tmp_path)
    env = {"AMSYNC_LISTENBRAINZ_TOKEN": maloja.key}
    since, to = _years(listener)
    before = maloja.scrobbles(since, to)
    assert before == []

    first: dict[str, Any] = listener.json("listens", "push", maloja.listenbrainz, env=env)
    assert first["status"] == "succeeded"
    assert first["user_name"]  # validate-token answered
    assert first["accepted"] == first["to_send"] > 100
    assert first["refused"] == []

    stored = maloja.scrobbles(since, to)
    expected = _expected(listener)
    assert {s["time"] for s in stored} == set(expected)
    plain = 0
    for scrobble in stored:
        name, artist = expected[scrobble["time"]]
        if "(" not in name and " - " not in name and "feat" not in name.lower():
            # Maloja rewrites "(feat. …)" and bracketed parts, collapses white space and
            # keeps the first spelling of a track; plain names arrive as sent
            assert _plain(scrobble["track"]["title"]) == _plain(name)
            assert _plain(artist) in {_plain(a) for a in scrobble["track"]["artists"]}
            plain += 1
    assert plain > len(stored) // 2

    second = listener.json("listens", "push", maloja.listenbrainz, env=env)
    assert second["status"] == "nothing to send"
    assert second["to_send"] == second["accepted"] == 0
    assert second["already_accepted"] == first["accepted"]
    assert len(maloja.scrobbles(since, to)) == len(stored)


def test_a_key_maloja_does_not_know_is_exit_3(maloja: Maloja, tmp_path: Path) -> None:
    listener = make_listener(str(tmp_path / "m.db"), tmp_path, own_years())
    result = listener.amsync(
        "listens", "push", maloja.listenbrainz, env={"AMSYNC_LISTENBRAINZ_TOKEN": "wrong-key"}
    )
    assert result.exit_code == 3, result.output
    assert result.stderr.count("\n") == 1
    assert "refuses the token" in result.stderr
    assert "wrong-key" not in result.output


def test_maloja_root_without_its_listenbrainz_path_is_exit_2(
    maloja: Maloja, tmp_path: Path
) -> None:
    listener = make_listener(str(tmp_path / "m.db"), tmp_path, own_years())
    result = listener.amsync(
        "listens", "push", maloja.url, env={"AMSYNC_LISTENBRAINZ_TOKEN": maloja.key}
    )
    assert result.exit_code == 2, result.output
    assert "does not answer like a ListenBrainz API" in result.stderr
