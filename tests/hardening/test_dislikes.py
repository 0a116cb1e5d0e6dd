"""Issue 13: dislikes survive the JSON export and backups. ``favourite`` stays the contract's
boolean; ``rating`` (1, -1 or null) is added to songs, albums, artists and playlists; a backup's
manifest counts favourites and dislikes as ``amsync stats`` does; ``restore`` puts dislikes
back (and a second restore has nothing to do)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from amsync.backup.document import read_library_document
from amsync.emulator import Emulator, LibrarySpec
from tests.backup.conftest import amsync, json_of, only_backup, sync_in_process
from tests.sync.conftest import make_emulator

SPEC = LibrarySpec(
    songs=240, playlists=8, folders=2, seed=31, favourite_fraction=0.12, dislike_fraction=0.08
)
RATED = ("song:", "album:", "playlist:")


def _apple_ratings(emulator: Emulator) -> dict[str, int]:
    return {k: v for k, v in emulator.library.ratings.items() if k.startswith(RATED)}


def test_export_backup_and_stats_agree_on_favourites_and_dislikes(
    tmp_path: Path, home: Path
) -> None:
    emulator = make_emulator(SPEC)
    db = str(tmp_path / "mirror.db")
    sync_in_process(emulator, db)
    exported = json_of(amsync(["--db", db, "export", "json"]))
    ratings: Counter[int | None] = Counter()
    for key in ("songs", "albums", "artists", "playlists"):
        for item in exported[key]:
            assert item["rating"] in (1, -1, None), item
            assert item["favourite"] is (item["rating"] == 1), item  # the contract's boolean
            ratings[item["rating"]] += 1
    assert ratings[1] and ratings[-1], ratings

    backup = json_of(amsync(["--db", db, "backup", "--json"]))
    counts = backup["manifest"]["counts"]
    stats = json_of(amsync(["--db", db, "stats", "--json"]))["favourites"]
    assert counts["favourites"] == stats["favourites"] == ratings[1]
    assert counts["dislikes"] == stats["dislikes"] == ratings[-1]
    by_type = stats["by_type"]
    assert sum(states.get("disliked", 0) for states in by_type.values()) == ratings[-1]
    folder = only_backup(home / "backups" / "default")
    assert read_library_document(folder / "library.json").counts()["dislikes"] == ratings[-1]
    verified = amsync(["backup", "verify", str(folder)])
    assert verified.exit_code == 0, verified.output


def test_restore_puts_dislikes_back_and_is_idempotent(tmp_path: Path, home: Path) -> None:
    emulator = make_emulator(SPEC)
    db = str(tmp_path / "mirror.db")
    with emulator.serve() as server:
        url = server.url
        sync_in_process(emulator, db)
        assert amsync(["--db", db, "backup"], url).exit_code == 0
        folder = only_backup(home / "backups" / "default")
        before = _apple_ratings(emulator)
        assert -1 in before.values() and 1 in before.values()
        with emulator.lock:  # Apple forgets every rating
            for key in before:
                del emulator.library.ratings[key]
            emulator.library.ratings_version += 1

        dry = json_of(
            amsync(["--db", db, "restore", "--from", str(folder), "--dry-run", "--json"], url)
        )
        summary = dry["plan"]["summary"]
        assert summary["dislikes"] == sum(1 for v in before.values() if v == -1)
        assert summary["favourites"] == sum(1 for v in before.values() if v == 1)
        text = amsync(["--db", db, "restore", "--from", str(folder), "--dry-run"], url)
        assert "  dislike song " in text.stdout

        outcome = json_of(
            amsync(["--db", db, "restore", "--from", str(folder), "--yes", "--json"], url)
        )
        assert outcome["status"] == "restored", outcome
        assert outcome["dislikes_set"] == summary["dislikes"]
        assert outcome["unconfirmed"] == [] and outcome["failed"] == []
        assert _apple_ratings(emulator) == before, "every favourite and dislike is back"

        emulator.log.clear()
        again = json_of(
            amsync(["--db", db, "restore", "--from", str(folder), "--yes", "--json"], url)
        )
        assert again["status"] == "nothing-to-do", again["plan"]
        assert again["plan"]["present"]["dislikes"] == summary["dislikes"]
        assert emulator.log.writes() == []


def test_an_older_export_without_rating_still_reads_favourites(tmp_path: Path) -> None:
    old = {
        "format": "amsync.library",
        "version": 1,
        "songs": [
            {
                "library_id": "i.1",
                "catalog_id": "1",
                "name": "A",
                "favourite": True,
                "available": False,
            },
            {"library_id": "i.2", "catalog_id": "2", "name": "B", "favourite": False},
        ],
        "playlists": [{"library_id": "p.1", "name": "P", "favourite": True, "tracks": []}],
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    document = read_library_document(path)
    assert [s.rating for s in document.songs] == [1, None]
    assert document.songs[0].available is False, "the older name of catalog_available"
    assert document.counts()["favourites"] == 2 and document.counts()["dislikes"] == 0
