"""Property-based: whatever the names (any Unicode, control characters, ``/``, ``..``, device
names, 500 characters, duplicates), every exported file lies inside the output folder, names
are unique, CSV round-trips, the M3U structure holds and XSPF parses back."""

from __future__ import annotations

import csv
import shutil
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amsync.db.store import open_store
from amsync.export import ExportOptions, export_csv, export_m3u, export_xspf
from amsync.export.csv_export import neutralise
from amsync.export.file_names import (
    MAX_NAME_BYTES,
    NameSpace,
    is_reserved_device,
    name_key,
    safe_name,
)
from amsync.export.xspf_export import xml_clean, xml_text
from tests.export.test_m3u_export import check_structure
from tests.support.mirror_builder import mirror

TRICKY = st.sampled_from(
    [
        "..",
        ".",
        "../../etc/passwd",
        "/",
        "\\",
        "CON",
        "con.txt",
        "NUL ",
        "COM1.m3u8",
        "lpt9",
        "a" * 500,
        "é" * 300,
        "😀" * 200,
        "line\nbreak",
        "\r\n#EXTINF:1,x",
        ".hidden",
        " ",
        "",
        "x" + "\u202e" + "gpj.exe",
        "Road Trip",
        "road trip",
        "ROAD TRIP",
        "e\u0301",
        "\u00e9",
        "=cmd|' /C calc'!A0",
    ]
)
NAMES = st.one_of(TRICKY, st.text(min_size=0, max_size=60), st.text(max_size=520))


@given(st.lists(NAMES, min_size=1, max_size=30))
@settings(max_examples=300, deadline=None)
def test_names_are_safe_and_unique(names: list[str]) -> None:
    space = NameSpace()
    claimed = [space.claim(name, ".m3u8") for name in names]
    assert len({name_key(n) for n in claimed}) == len(claimed)
    for name in claimed:
        assert name.endswith(".m3u8")
        assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
        assert "/" not in name and "\\" not in name and "\x00" not in name
        assert name not in (".", "..") and not name.startswith(".")
        assert not any(unicodedata.category(c) == "Cc" for c in name)
        assert not is_reserved_device(name)
        assert name == unicodedata.normalize("NFC", name)


@given(NAMES)
@settings(max_examples=300, deadline=None)
def test_safe_name_is_stable(name: str) -> None:
    once = safe_name(name)
    assert safe_name(once) == once
    assert once.strip() == once and not once.endswith(".")


@pytest.fixture(scope="module")
def blank_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("blank") / "blank.db"
    open_store(str(path)).close()
    return path


TRACK_TEXT = st.one_of(TRICKY, st.text(max_size=40).filter(lambda s: "\x00" not in s))


@given(
    playlists=st.lists(
        st.tuples(NAMES.filter(lambda s: "\x00" not in s), st.lists(TRACK_TEXT, max_size=4)),
        min_size=1,
        max_size=8,
    ),
    folder=NAMES.filter(lambda s: "\x00" not in s),
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_exports_stay_inside_and_round_trip(
    blank_db: Path, playlists: list[tuple[str, list[str]]], folder: str
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        db = work / "mirror.db"
        shutil.copyfile(blank_db, db)
        with mirror(str(db)) as m:
            m.folder("f.top", folder)
            m.folder("f.sub", folder, parent="f.top")
            for p_index, (name, tracks) in enumerate(playlists):
                ids = []
                for t_index, title in enumerate(tracks):
                    library_id = f"i.{p_index}.{t_index}"
                    m.song(library_id, title, artist=title, catalog_id=f"{p_index}{t_index}")
                    ids.append(library_id)
                where = ("f.top", "f.sub", None)[p_index % 3]
                m.playlist(f"p.{p_index}", name, ids, folder=where)
        store = open_store(str(db))
        try:
            account_id = store.account_id("default")
            out = work / "out"
            report = export_m3u(store, account_id, out, ExportOptions())
            csv_report = export_csv(store, account_id, work / "csv", ExportOptions())
            xspf_report = export_xspf(store, account_id, work / "xspf", ExportOptions())
        finally:
            store.close()
        root = out.resolve()
        files = [p for p in out.rglob("*") if p.is_file()]
        assert len(files) == len(playlists) == report.counts["playlists"]
        for path in files:
            assert root in path.resolve().parents
            assert path.suffix == ".m3u8"
            check_structure(path.read_text(encoding="utf-8"))
        for folder_path in [out, *(p for p in out.rglob("*") if p.is_dir())]:
            keys = [name_key(p.name) for p in folder_path.iterdir()]
            assert len(keys) == len(set(keys))
        with (work / "csv" / "playlist_tracks.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        expected = [
            (neutralise(name), neutralise(title)) for name, tracks in playlists for title in tracks
        ]
        assert [(r["playlist_name"], r["name"]) for r in rows] == expected
        assert csv_report.counts["tracks"] == len(expected)
        xspf_root = (work / "xspf").resolve()
        documents = []
        for path in (work / "xspf").rglob("*.xspf"):
            assert xspf_root in path.resolve().parents
            documents.append(ET.parse(path).getroot())  # noqa: S314 - our own output
        assert len(documents) == len(playlists) == xspf_report.counts["playlists"]
        ns = "{http://xspf.org/ns/0/}"
        parsed = sorted(
            (
                document.findtext(f"{ns}title") or "",
                [t.findtext(f"{ns}title") or "" for t in document.iter(f"{ns}track")],
            )
            for document in documents
        )
        assert parsed == sorted(
            (xml_clean(name), [xml_clean(title) for title in tracks]) for name, tracks in playlists
        )


@given(st.text(max_size=80))
@settings(max_examples=300, deadline=None)
def test_xml_text_parses_back_to_the_allowed_characters(text: str) -> None:
    element = ET.fromstring(f"<a>{xml_text(text)}</a>")  # noqa: S314 - our own output
    assert (element.text or "") == xml_clean(text)
