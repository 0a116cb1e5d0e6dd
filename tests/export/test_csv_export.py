"""``amsync export csv``: the documented files and columns, parsed back with the csv module."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.support.cli import invoke
from tests.support.mirror_builder import HOSTILE_SONG_NAME

PLAYLIST_TRACK_COLUMNS = [
    "playlist_id",
    "playlist_name",
    "position",
    "library_id",
    "catalog_id",
    "name",
    "artist",
    "album",
    "duration_ms",
    "isrc",
]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def test_five_files_with_documented_columns(sample_db: str, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    result = invoke(["--db", sample_db, "export", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "albums.csv",
        "artists.csv",
        "favourites.csv",
        "playlist_tracks.csv",
        "songs.csv",
    ]
    assert _header(out / "playlist_tracks.csv")[:10] == PLAYLIST_TRACK_COLUMNS
    assert _header(out / "favourites.csv") == [
        "type",
        "library_id",
        "catalog_id",
        "name",
        "state",
        "status",
    ]
    songs = {row["library_id"]: row for row in _read(out / "songs.csv")}
    assert set(songs) == {"i.S1", "i.S2", "i.S3", "i.S5", "i.S6"}
    assert songs["i.S1"]["isrc"] == "GBBKS1500214"
    assert songs["i.S1"]["favourite"] == "true" and songs["i.S2"]["favourite"] == "false"
    assert songs["i.S1"]["genres"] == '["Pop", "Music"]', "as songs_v shows them"
    assert [songs[i]["rating"] for i in ("i.S1", "i.S2", "i.S3")] == ["1", "-1", ""]
    assert songs["i.S1"]["catalog_url"].startswith("https://")
    assert songs["i.S2"]["catalog_id"] == ""
    tracks = _read(out / "playlist_tracks.csv")
    road = [t for t in tracks if t["playlist_id"] == "p.P1"]
    assert [t["position"] for t in road] == ["0", "1", "2", "3", "4"]
    assert [t["library_id"] for t in road] == ["i.S1", "i.S2", "i.S1", "i.S3", "i.S5"]
    assert road[0]["folder"] == "Parent/Child"
    assert not [t for t in tracks if t["playlist_id"] == "p.P2"], "an empty playlist has no rows"
    favourites = {(f["type"], f["library_id"]): f for f in _read(out / "favourites.csv")}
    assert favourites[("song", "i.S1")]["status"] == "synced"
    assert favourites[("song", "i.S2")]["state"] == "disliked"
    assert favourites[("album", "l.A1")]["status"] == "pending"
    assert favourites[("artist", "r.R1")]["status"] == "local-only"
    assert favourites[("playlist", "p.P1")]["name"] == "Road Trip"
    assert ("song", "i.S3") not in favourites, "local 'none' is not listed"


def test_formula_cells_are_neutralised_unless_raw(sample_sqlite: str, tmp_path: Path) -> None:
    safe, raw = tmp_path / "safe", tmp_path / "raw"
    assert invoke(["--db", sample_sqlite, "export", "csv", "-o", str(safe)]).exit_code == 0
    assert invoke(["--db", sample_sqlite, "export", "csv", "-o", str(raw), "--raw"]).exit_code == 0
    hostile = next(r for r in _read(safe / "songs.csv") if r["library_id"] == "i.S5")
    assert hostile["name"] == "'" + HOSTILE_SONG_NAME
    assert hostile["artist"] == "'-evil" and hostile["album"] == "'@album"
    verbatim = next(r for r in _read(raw / "songs.csv") if r["library_id"] == "i.S5")
    assert verbatim["name"] == HOSTILE_SONG_NAME and verbatim["artist"] == "-evil"
    for row in _read(safe / "playlist_tracks.csv"):
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_one_playlist_to_stdout_and_to_a_file(sample_db: str, tmp_path: Path) -> None:
    result = invoke(["--db", sample_db, "export", "csv", "--playlist", "Road Trip", "-o", "-"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert [r["position"] for r in rows] == ["0", "1", "2", "3", "4"]
    assert {r["playlist_id"] for r in rows} == {"p.P1"}
    target = tmp_path / "road.csv"
    result = invoke(["--db", sample_db, "export", "csv", "--playlist", "p.P1", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert [r["library_id"] for r in _read(target)] == ["i.S1", "i.S2", "i.S1", "i.S3", "i.S5"]


def test_unwritable_output_is_one_line_exit_2(sample_sqlite: str, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = invoke(["--db", sample_sqlite, "export", "csv", "-o", str(blocker / "sub")])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    result = invoke(
        ["--db", sample_sqlite, "export", "json", "-o", str(tmp_path / "missing" / "x.json")]
    )
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    readonly = tmp_path / "ro"
    readonly.mkdir()
    readonly.chmod(0o500)
    try:
        result = invoke(["--db", sample_sqlite, "export", "csv", "-o", str(readonly)])
        import os

        if os.geteuid() != 0:  # root writes anywhere
            assert result.exit_code == 2 and "cannot write" in result.stderr, result.output
    finally:
        readonly.chmod(0o700)


def test_driver_chunks_match_sqlalchemy_rows(sample_db: str) -> None:
    """``library_rows.chunks`` (the raw driver cursor behind ``export csv``; server-side on
    PostgreSQL) yields the rows SQLAlchemy yields, in order, ``size`` at a time."""
    from amsync.db.store import open_store
    from amsync.export import library_rows, playlist_rows
    from amsync.query.snapshot import snapshot

    store = open_store(sample_db)
    try:
        account_id = store.account_id("default")
        statement = playlist_rows.playlist_statement(
            account_id, include_removed=True, only=None, tracks_only=True
        )
        with snapshot(store) as connection:
            expected = [tuple(row) for row in connection.execute(statement)]
            chunks = list(library_rows.chunks(connection, statement, size=2))
            again = [tuple(row) for row in connection.execute(statement)]
    finally:
        store.close()
    assert [len(chunk) for chunk in chunks] == [2, 2, 2, 1]
    rows = [tuple(row) for chunk in chunks for row in chunk]
    removed_at = 9  # a datetime through SQLAlchemy, text from SQLite's driver: not compared
    assert [r[:removed_at] + r[removed_at + 1 :] for r in rows] == [
        r[:removed_at] + r[removed_at + 1 :] for r in expected
    ]
    assert again == expected, "the connection is still usable afterwards"


def test_query_columns_are_named_in_order() -> None:
    """The CSV cell layouts find columns by name in these tuples: they must match the queries."""
    from amsync.export import library_rows as rows
    from amsync.export import playlist_rows

    for statement, names in (
        (rows.song_statement(1, include_removed=True), rows.SONG_COLUMNS),
        (rows.album_statement(1, include_removed=True), rows.ALBUM_COLUMNS),
        (rows.artist_statement(1, include_removed=True), rows.ARTIST_COLUMNS),
        (playlist_rows.playlist_statement(1, include_removed=True), playlist_rows.PLAYLIST_COLUMNS),
        *((s, rows.FAVOURITE_COLUMNS) for s in rows.favourite_statements(1, include_removed=True)),
    ):
        assert len(statement.selected_columns) == len(names), names
    song_columns = rows.song_statement(1, include_removed=True).selected_columns
    assert [c.name for c in song_columns][:5] == list(rows.SONG_COLUMNS[:5])
