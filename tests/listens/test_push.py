"""``amsync listens push`` through the command line against a controllable ListenBrainz-protocol
server on 127.0.0.1 (``tests.support.listen_server``): exactly once per server, the token and
the URL checked, every failure path of issue 25 — one clear line, the documented exit code,
nothing duplicated, nothing lost."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from amsync.db.store import open_store
from tests.listens.conftest import (
    SMALL,
    TOKEN,
    Listener,
    catalog_emulator,
    make_listener,
    token_env,
)
from tests.listens.test_fill import emulator_env, rows
from tests.support.cli import CliResult
from tests.support.listen_server import ListenServer


def filled(listener: Listener) -> Listener:
    emulator = catalog_emulator(listener.export)
    with emulator.serve() as server:
        listener.json("listens", "fill", env=emulator_env(server.url))
    return listener


@pytest.fixture(scope="module")
def filled_template(tmp_path_factory: pytest.TempPathFactory) -> Listener:
    folder = tmp_path_factory.mktemp("filled")
    return filled(make_listener(str(folder / "mirror.db"), folder, SMALL))


@pytest.fixture
def ready(filled_template: Listener, tmp_path: Path) -> Listener:
    """A copy of the small listener's SQLite mirror, imported and filled."""
    copy = tmp_path / "mirror.db"
    shutil.copyfile(filled_template.db, copy)
    return replace(filled_template, db=str(copy))


def push(listener: Listener, url: str, *extra: str, **env: str) -> CliResult:
    return listener.amsync("listens", "push", url, *extra, env=token_env(**env))


def push_json(listener: Listener, url: str, *extra: str, **env: str) -> dict[str, Any]:
    result = push(listener, url, *extra, "--json", **env)
    document: dict[str, Any] = json.loads(result.stdout)
    assert document["exit_code"] == result.exit_code, result.output
    return document


def one_line(result: CliResult, code: int) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("amsync: error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def recorded(listener: Listener) -> dict[str, str]:
    return dict(rows(listener.db, "SELECT event_key, status FROM listen_submissions"))


# --- exactly once -----------------------------------------------------------------------------


def test_push_sends_each_listen_once_and_a_second_push_nothing(
    listener: Listener, lb_server: ListenServer
) -> None:
    filled(listener)
    first = push_json(listener, lb_server.url)
    assert first["status"] == "succeeded" and first["exit_code"] == 0
    assert first["accepted"] == first["to_send"] == len(lb_server.seen.listens) > 100
    assert lb_server.seen.submitted == first["accepted"]  # nothing sent twice
    assert first["user_name"] == "listener"
    assert set(recorded(listener).values()) == {"accepted"}
    assert len(recorded(listener)) == first["accepted"]

    second = push_json(listener, lb_server.url)
    assert second["status"] == "nothing to send" and second["exit_code"] == 0
    assert second["to_send"] == 0 and second["already_accepted"] == first["accepted"]
    assert lb_server.seen.submitted == first["accepted"]
    assert lb_server.submit_requests() == first["requests"] - 1  # validate-token


def test_every_spelling_of_a_url_is_the_same_server(
    ready: Listener, lb_server: ListenServer
) -> None:
    first = push_json(ready, lb_server.url + "/")
    again = push_json(ready, lb_server.url.upper().replace("HTTP://", "http://") + "/1/")
    assert again["to_send"] == 0 and again["already_accepted"] == first["accepted"]
    assert again["target"] == first["target"] == lb_server.url


def test_another_server_gets_its_own_copy(ready: Listener) -> None:
    with ListenServer({TOKEN}) as one, ListenServer({TOKEN}, root="/apis/listenbrainz") as two:
        first = push_json(ready, one.url)
        second = push_json(ready, two.url)
    assert first["accepted"] == second["accepted"] == len(two.seen.listens) > 0


def test_what_is_sent(ready: Listener, lb_server: ListenServer) -> None:
    push_json(ready, lb_server.url)
    listens = list(lb_server.seen.listens.values())
    for listen in listens:
        metadata = listen["track_metadata"]
        info = metadata["additional_info"]
        assert metadata["artist_name"] and metadata["track_name"]
        assert info["submission_client"] == "amsync"
        assert info["music_service"] == "music.apple.com"
        assert info["submission_client_version"]
    with_isrc = [x for x in listens if "isrc" in x["track_metadata"]["additional_info"]]
    with_url = [x for x in listens if "origin_url" in x["track_metadata"]["additional_info"]]
    assert len(with_isrc) > len(listens) // 10
    assert all(
        x["track_metadata"]["additional_info"]["origin_url"].startswith("https://music.apple.com/")
        for x in with_url
    )
    starts = {int(p.start.timestamp()) for p in ready.export.plays}
    ends = {int(p.start.timestamp() + p.play_ms / 1000) for p in ready.export.plays}
    assert all(x["listened_at"] in starts | ends for x in listens)  # Unix seconds of the play


# --- token and URL ----------------------------------------------------------------------------


def test_an_invalid_token_is_exit_3_and_sends_nothing(
    ready: Listener, lb_server: ListenServer
) -> None:
    result = push(ready, lb_server.url, AMSYNC_LISTENBRAINZ_TOKEN="not-the-token")
    line = one_line(result, 3)
    assert "refuses the token" in line and "listenbrainz.org/settings" in line
    assert "not-the-token" not in result.output
    assert lb_server.seen.listens == {}
    assert recorded(ready) == {}


def test_a_token_file_with_a_trailing_newline_works(
    ready: Listener, lb_server: ListenServer, tmp_path: Path
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    result = ready.amsync("listens", "push", lb_server.url, "--token-file", str(token_file))
    assert result.exit_code == 0, result.output
    assert lb_server.seen.listens


def test_a_token_in_the_environment_with_a_trailing_newline_works(
    ready: Listener, lb_server: ListenServer
) -> None:
    result = push(ready, lb_server.url, AMSYNC_LISTENBRAINZ_TOKEN=TOKEN + "\r\n")
    assert result.exit_code == 0, result.output


def test_no_token_is_exit_3_with_what_to_do(ready: Listener, lb_server: ListenServer) -> None:
    """A missing token is a person's to give (3, as for Apple's tokens); an unreadable token
    file is a usage error (2)."""
    result = ready.amsync("listens", "push", lb_server.url)
    line = one_line(result, 3)
    assert "AMSYNC_LISTENBRAINZ_TOKEN" in line
    missing = ready.amsync("listens", "push", lb_server.url, "--token-file", "/nonexistent/t")
    assert "cannot read the token file" in one_line(missing, 2)


@pytest.mark.parametrize("path", ["", "/apis/listenbrainz"])
def test_a_url_that_is_no_listenbrainz_api_is_exit_2(
    ready: Listener, lb_server: ListenServer, path: str
) -> None:
    url = lb_server.url.replace(lb_server.root, "") + (path or "/elsewhere")
    result = push(ready, url)
    line = one_line(result, 2)
    assert "does not answer like a ListenBrainz API" in line
    assert lb_server.seen.listens == {}


@pytest.mark.parametrize("url", ["ftp://example.org", "example.org", "https://u:p@example.org"])
def test_what_is_no_url_is_exit_2(ready: Listener, url: str) -> None:
    one_line(push(ready, url), 2)


def test_the_apple_emulator_is_not_a_listenbrainz_api(ready: Listener) -> None:
    emulator = catalog_emulator(ready.export)
    with emulator.serve() as server:
        one_line(push(ready, server.url), 2)


# --- failures mid-push ------------------------------------------------------------------------


def test_a_400_for_one_listen_skips_and_lists_it_and_sends_the_rest(
    ready: Listener, lb_server: ListenServer
) -> None:
    plan = push_json(ready, lb_server.url, "--dry-run")
    poison = {plan_name(ready, 5), plan_name(ready, 200)}
    lb_server.faults.refuse_tracks = poison
    report = push_json(ready, lb_server.url)
    assert report["exit_code"] == 0
    refused = report["refused"]
    assert {r["track_name"] for r in refused} <= poison and refused
    assert all(r["reason"].startswith("refused:") for r in refused)
    assert report["accepted"] + len(refused) == report["to_send"] == plan["to_send"]
    assert len(lb_server.seen.listens) == report["accepted"] == lb_server.seen.submitted
    assert list(recorded(ready).values()).count("refused") == len(refused)
    text_report = push(ready, lb_server.url)
    assert text_report.exit_code == 0
    again = push_json(ready, lb_server.url)
    assert again["to_send"] == 0 and again["refused_before"] == len(refused)


def plan_name(listener: Listener, index: int) -> str:
    """The track name of the index-th listen a push would send (by time)."""
    found = rows(
        listener.db,
        "SELECT name, play_ms, media_ms FROM plays_v WHERE artist IS NOT NULL "
        "AND play_ms >= 240000 ORDER BY played_at, id",
    )
    return str(found[index][0])


def test_a_server_that_keeps_failing_is_exit_75_and_a_later_push_sends_the_rest(
    tmp_path: Path, lb_server: ListenServer
) -> None:
    spec = replace(SMALL, plays=2800, seed=21)
    ready = filled(make_listener(str(tmp_path / "m.db"), tmp_path, spec))
    lb_server.faults.fail_after = 1
    stopped = push(ready, lb_server.url, "--json", AMSYNC_RETRY_BUDGET="1.5")
    line = one_line(stopped, 75)
    assert "kept failing" in line and "HTTP 503" in line
    document = json.loads(stopped.stdout)
    assert document["status"] == "failed" and document["exit_code"] == 75
    first_batch = len(lb_server.seen.listens)
    assert document["accepted"] == first_batch > 0
    assert len(recorded(ready)) == first_batch

    lb_server.faults.fail_after = None
    resumed = push_json(ready, lb_server.url)
    assert resumed["already_accepted"] == first_batch
    assert resumed["accepted"] == resumed["to_send"]
    assert lb_server.seen.submitted == len(lb_server.seen.listens)  # no duplicates
    assert len(recorded(ready)) == len(lb_server.seen.listens)


def test_5xx_and_dropped_connections_are_retried(ready: Listener, lb_server: ListenServer) -> None:
    lb_server.faults.fail_submits = 2
    lb_server.faults.drop_submits = 1
    report = push_json(ready, lb_server.url)
    assert report["exit_code"] == 0
    assert report["retries"] >= 3
    assert report["accepted"] == len(lb_server.seen.listens) == lb_server.seen.submitted


def test_429_waits_for_reset_in(ready: Listener, lb_server: ListenServer) -> None:
    lb_server.faults.throttle_submits = 1
    lb_server.faults.reset_in_s = 0.3
    lb_server.faults.remaining_zero_every = 1
    report = push_json(ready, lb_server.url, "--since", "2016-06-01")
    assert report["exit_code"] == 0
    assert report["throttled"] == 1
    assert report["waited_s"] >= 0.3
    assert report["accepted"] == len(lb_server.seen.listens)


def test_a_429_beyond_the_retry_budget_is_exit_75(ready: Listener, lb_server: ListenServer) -> None:
    lb_server.faults.throttle_submits = 100
    lb_server.faults.reset_in_s = 30
    result = push(ready, lb_server.url, AMSYNC_RETRY_BUDGET="5")
    one_line(result, 75)
    assert lb_server.seen.listens == {}


# --- what is sent and what not ----------------------------------------------------------------


def test_nothing_to_send_is_exit_0(tmp_path: Path, lb_server: ListenServer) -> None:
    empty = push(Listener(str(tmp_path / "none.db"), None, 0, tmp_path), lb_server.url)  # type: ignore[arg-type]
    assert empty.exit_code == 0, empty.output
    assert "nothing to send" in empty.stdout


def test_a_dry_run_contacts_no_server_and_writes_nothing(ready: Listener) -> None:
    before = Path(ready.db).read_bytes()
    result = ready.amsync("listens", "push", "http://127.0.0.1:9/", "--dry-run")  # no token
    assert result.exit_code == 0, result.output
    assert "dry run: nothing was sent" in result.stdout
    assert "the first listens, as they would be sent:" in result.stdout
    sample = [line.strip() for line in result.stdout.splitlines() if line.startswith("  {")]
    assert len(sample) == 3
    assert json.loads(sample[0])["track_metadata"]["additional_info"]["submission_client"]
    assert Path(ready.db).read_bytes() == before
    document = json.loads(
        ready.amsync("listens", "push", "http://127.0.0.1:9/", "--dry-run", "--json").stdout
    )
    assert document["status"] == "dry-run" and document["to_send"] > 0


def test_plays_without_an_artist_are_skipped_counted_and_listed(
    sqlite_listener: Listener, lb_server: ListenServer
) -> None:
    # no fill: the plays not linked to a mirrored song have no artist
    report = push_json(sqlite_listener, lb_server.url)
    skipped = {s["reason"]: s for s in report["skipped"]}
    missing = skipped["no artist known (`amsync listens fill` finds them)"]
    assert missing["count"] > 0
    assert missing["examples"][0]["artist"] is None
    assert sum(g["plays"] for g in report["without_artist"]) == missing["count"]
    assert {g["why"] for g in report["without_artist"]} == {"not filled yet"}
    assert all(x["track_metadata"]["artist_name"] for x in lb_server.seen.listens.values())
    text_report = push(sqlite_listener, lb_server.url)
    assert "plays without an artist, most played:" in text_report.stdout
    assert "amsync listens fill" in text_report.stdout


def test_only_real_listens_and_min_listen(ready: Listener, lb_server: ListenServer) -> None:
    rule = push_json(ready, lb_server.url, "--dry-run")
    reasons = {s["reason"] for s in rule["skipped"]}
    assert "not a listen: played under 30 s" in reasons
    everything = push_json(ready, lb_server.url, "--dry-run", "--min-listen", "0")
    stricter = push_json(ready, lb_server.url, "--dry-run", "--min-listen", "300")
    assert stricter["to_send"] < rule["to_send"] < everything["to_send"]
    played = rows(ready.db, "SELECT count(*) FROM plays_v WHERE artist IS NOT NULL AND play_ms > 0")
    assert everything["to_send"] == played[0][0]


def test_since_and_until(ready: Listener, lb_server: ListenServer) -> None:
    whole = push_json(ready, lb_server.url, "--dry-run")
    early = push_json(ready, lb_server.url, "--dry-run", "--until", "2016-12-31")
    late = push_json(ready, lb_server.url, "--dry-run", "--since", "2017-01-01")
    assert early["plays"] + late["plays"] == whole["plays"]
    assert 0 < early["to_send"] < whole["to_send"]
    late_push = push_json(ready, lb_server.url, "--since", "2017-01-01T00:00:00Z")
    seconds = [x["listened_at"] for x in lb_server.seen.listens.values()]
    assert min(seconds) >= int(datetime(2017, 1, 1, tzinfo=UTC).timestamp())
    assert late_push["accepted"] == late["to_send"]
    rest = push_json(ready, lb_server.url)
    assert rest["accepted"] == early["to_send"]
    bad = push(ready, lb_server.url, "--since", "yesterday")
    assert "--since 'yesterday': not a date" in one_line(bad, 2)
    backwards = push(ready, lb_server.url, "--since", "2020-01-01", "--until", "2019-01-01")
    one_line(backwards, 2)


def test_absurd_times_and_huge_titles(tmp_path: Path, lb_server: ListenServer) -> None:
    spec = replace(SMALL, start=date(2001, 6, 1), days=900, seed=5)
    listener = filled(make_listener(str(tmp_path / "m.db"), tmp_path, spec))
    store = open_store(listener.db)
    try:
        with store.writing() as session:  # what no import writes: a 1970 play, a future one
            session.execute(
                text(
                    "UPDATE play_events SET played_at = :old WHERE id = (SELECT min(id) FROM "
                    "play_events WHERE library_id IS NOT NULL AND play_ms >= 240000)"
                ),
                {"old": datetime(1970, 1, 2, tzinfo=UTC)},
            )
            session.execute(
                text(
                    "UPDATE play_events SET played_at = :future, name = :huge WHERE id = (SELECT "
                    "max(id) FROM play_events WHERE library_id IS NOT NULL AND play_ms >= 240000)"
                ),
                {"future": datetime(2099, 1, 1, tzinfo=UTC), "huge": "x" * 10},
            )
            session.execute(
                text(
                    "UPDATE songs SET name = :huge WHERE library_id = (SELECT library_id FROM "
                    "play_events WHERE library_id IS NOT NULL AND play_ms >= 240000 AND "
                    "played_at > :when ORDER BY played_at LIMIT 1)"
                ),
                {"huge": "Ü" * 10_000, "when": datetime(2004, 1, 1, tzinfo=UTC)},
            )
    finally:
        store.close()
    report = push_json(listener, lb_server.url)
    assert report["exit_code"] == 0 and report["refused"] == []
    skipped = {s["reason"]: s["count"] for s in report["skipped"]}
    assert skipped["played before 2002-10-01 (the server takes none earlier)"] > 1  # 1970, 2001-2
    assert skipped["played in the future (a wrong clock?)"] == 1
    long_names = [n for n in lb_server.track_names() if n.startswith("ÜÜÜ")]
    assert long_names and all(len(n) <= 1000 for n in long_names)
    assert report["accepted"] == len(lb_server.seen.listens)


def test_text_report(ready: Listener, lb_server: ListenServer) -> None:
    result = push(ready, lb_server.url)
    assert result.exit_code == 0, result.output
    assert f"pushed to {lb_server.url} (user listener):" in result.stdout
    assert "skipped (not sent):" in result.stdout
    again = push(ready, lb_server.url)
    assert f"nothing to send to {lb_server.url}" in again.stdout


def test_the_token_never_shows(ready: Listener, lb_server: ListenServer, tmp_path: Path) -> None:
    """Not in the output (with -vv), the log file, the database or the JSON document — for a
    push that works, a dry run and a push whose token is refused."""
    home = tmp_path / "home"
    secret = "sEcReT-listenbrainz-0a9f"
    lb_server.tokens.add(secret)
    env = {"AMSYNC_HOME": str(home), "AMSYNC_LISTENBRAINZ_TOKEN": secret}
    outputs = []
    for extra in ([], ["--json"], ["--dry-run"]):
        result = ready.amsync("-vv", "listens", "push", lb_server.url, *extra, env=env)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    refused = {**env, "AMSYNC_LISTENBRAINZ_TOKEN": secret + "-old"}
    result = ready.amsync("-vv", "listens", "push", lb_server.url, "--json", env=refused)
    assert result.exit_code == 3
    outputs.append(result.output)
    assert all(secret not in text for text in outputs)
    files = [p for p in [*home.rglob("*"), *tmp_path.glob("mirror.db*")] if p.is_file()]
    assert any("logs" in p.parts for p in files), "no log file was written"
    for path in files:
        assert secret.encode() not in path.read_bytes(), path
