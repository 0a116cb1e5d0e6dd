"""Reading one audio file's tags with mutagen: MP3 (ID3v2/ID3v1), MP4/M4A (AAC, ALAC), FLAC,
Ogg Vorbis, Opus, and whatever else mutagen reads (APEv2, ASF/WMA, AIFF, WAV …).

The file is opened here, read-only; mutagen only reads from that handle, so a scan never
writes to a music file. Every failure becomes a ``ScanProblem`` (never an exception): a file
that cannot be opened is ``unreadable``, one mutagen cannot parse (truncated, corrupt, another
format than its name says) is ``corrupt``, a 0-byte file is ``empty``.

Fields read (ISRC and the MusicBrainz recording id included):

=================  ==============  ====================================  =======================
field              ID3             MP4                                   Vorbis comment / APE
=================  ==============  ====================================  =======================
title              TIT2            ©nam                                  TITLE
artist(s)          TPE1            ©ART                                  ARTIST
album              TALB            ©alb                                  ALBUM
album artist       TPE2            aART                                  ALBUMARTIST
track / disc       TRCK / TPOS     trkn / disk                           TRACKNUMBER/DISCNUMBER
ISRC               TSRC            ----:com.apple.iTunes:ISRC            ISRC
recording id       UFID (MB)       ----:com.apple.iTunes:MusicBrainz     MUSICBRAINZ_TRACKID
                                   Track Id
=================  ==============  ====================================  =======================
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Final

import mutagen
from mutagen.aac import AAC
from mutagen.aiff import AIFF
from mutagen.apev2 import APEv2File
from mutagen.asf import ASF
from mutagen.dsf import DSF
from mutagen.flac import FLAC
from mutagen.id3 import ID3, ID3FileType
from mutagen.monkeysaudio import MonkeysAudio
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.musepack import Musepack
from mutagen.oggflac import OggFLAC
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE
from mutagen.wavpack import WavPack

from amsync.audiotags.tag_text import clean_values, first_number
from amsync.domain.local_files import AudioTags, ProblemKind, ScannedFile, ScanProblem

AUDIO_EXTENSIONS: Final = frozenset(
    {
        ".mp3", ".m4a", ".m4b", ".m4p", ".mp4", ".alac", ".aac", ".flac", ".ogg", ".oga",
        ".opus", ".spx", ".wma", ".asf", ".ape", ".wv", ".mpc", ".aif", ".aiff", ".aifc",
        ".wav", ".dsf", ".tta",
    }
)  # fmt: skip
_FORMATS: Final[dict[str, tuple[str, Callable[[IO[bytes]], Any]]]] = {
    ".mp3": ("mp3", MP3),
    ".m4a": ("mp4", MP4),
    ".m4b": ("mp4", MP4),
    ".m4p": ("mp4", MP4),
    ".mp4": ("mp4", MP4),
    ".alac": ("mp4", MP4),
    ".flac": ("flac", FLAC),
    ".ogg": ("ogg", OggVorbis),
    ".oga": ("ogg", OggVorbis),
    ".opus": ("opus", OggOpus),
}
_ALL_FORMATS: Final = (
    MP3, OggVorbis, OggFLAC, FLAC, AIFF, APEv2File, MP4, ID3FileType, WavPack, Musepack,
    MonkeysAudio, ASF, OggOpus, AAC, DSF, WAVE,
)  # fmt: skip
_ISRC: Final = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}\d{7}$")
_MBID: Final = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MUSICBRAINZ_UFID: Final = "http://musicbrainz.org"

# field -> keys, per tag family (Vorbis comments and APE keys are matched ignoring case)
_ID3_TEXT: Final = {
    "title": ("TIT2",),
    "artist": ("TPE1",),
    "album": ("TALB",),
    "album_artist": ("TPE2",),
    "track": ("TRCK",),
    "disc": ("TPOS",),
    "isrc": ("TSRC", "TXXX:ISRC"),
    "mbid": ("TXXX:MusicBrainz Recording Id",),
}
_MP4: Final = {
    "title": ("©nam",),
    "artist": ("©ART",),
    "album": ("©alb",),
    "album_artist": ("aART",),
    "track": ("trkn",),
    "disc": ("disk",),
    "isrc": ("----:com.apple.iTunes:ISRC",),
    "mbid": ("----:com.apple.iTunes:MusicBrainz Track Id",),
}
_VORBIS: Final = {
    "title": ("title",),
    "artist": ("artist", "artists"),
    "album": ("album",),
    "album_artist": ("albumartist", "album artist", "album_artist"),
    "track": ("tracknumber", "track"),
    "disc": ("discnumber", "disc"),
    "isrc": ("isrc",),
    "mbid": ("musicbrainz_trackid", "musicbrainz_recordingid"),
}
_ASF: Final = {
    "title": ("Title",),
    "artist": ("Author", "WM/ArtistSortOrder"),
    "album": ("WM/AlbumTitle",),
    "album_artist": ("WM/AlbumArtist",),
    "track": ("WM/TrackNumber",),
    "disc": ("WM/PartOfSet",),
    "isrc": ("WM/ISRC",),
    "mbid": ("MusicBrainz/Track Id",),
}


def _text_of(value: Any) -> str:
    """A tag value as text: MP4 freeform values are bytes, ASF values wrap theirs."""
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    inner = getattr(value, "value", None)
    if inner is not None and not isinstance(value, str):
        return _text_of(inner)
    return str(value)


class _Fields:
    """One file's tag values by field, from whichever tag family it has."""

    def __init__(self, tags: Any) -> None:
        self.values: dict[str, list[Any]] = {}
        if tags is None:
            return
        if isinstance(tags, ID3):
            self._id3(tags)
        elif _looks_like_mp4(tags):
            self._keyed(tags, _MP4, fold_case=False)
        elif type(tags).__name__ == "ASFTags":
            self._keyed(tags, _ASF, fold_case=False)
        else:  # Vorbis comments, APEv2: keys ignoring case
            self._keyed(tags, _VORBIS, fold_case=True)

    def _id3(self, tags: ID3) -> None:
        for field, keys in _ID3_TEXT.items():
            for key in keys:
                frame = tags.get(key)
                if frame is not None:
                    self.values.setdefault(field, []).extend(frame.text)
        ufid = tags.get(f"UFID:{MUSICBRAINZ_UFID}")
        if ufid is not None:
            self.values.setdefault("mbid", []).append(_text_of(ufid.data))

    def _keyed(self, tags: Any, table: Mapping[str, tuple[str, ...]], *, fold_case: bool) -> None:
        try:
            items = list(tags.items())
        except Exception:  # a tag container that cannot list itself: no tags
            return
        by_key: dict[str, list[Any]] = {}
        for key, value in items:
            name = str(key).lower() if fold_case else str(key)
            values = value if isinstance(value, list | tuple) and not _is_pair(value) else [value]
            by_key.setdefault(name, []).extend(values)
        for field, keys in table.items():
            for key in keys:
                found = by_key.get(key.lower() if fold_case else key)
                if found:
                    self.values.setdefault(field, []).extend(found)

    def texts(self, field: str) -> tuple[tuple[str, ...], bool]:
        raw = self.values.get(field, [])
        if field in ("track", "disc"):
            return tuple(str(v) for v in raw), False
        return clean_values(_text_of(v) for v in raw)


def _is_pair(value: Any) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, int) for v in value)


def _looks_like_mp4(tags: Any) -> bool:
    return type(tags).__name__ == "MP4Tags"


def _identifier(values: Sequence[str], pattern: re.Pattern[str]) -> str | None:
    for value in values:
        candidate = value.strip().replace("-", "") if pattern is _ISRC else value.strip()
        candidate = candidate.upper() if pattern is _ISRC else candidate.lower()
        if pattern.match(candidate):
            return candidate
    return None


def tags_of(audio: Any) -> tuple[AudioTags, bool]:
    """The ``AudioTags`` of a loaded mutagen file, and whether text had to be repaired."""
    fields = _Fields(getattr(audio, "tags", None))
    repaired = False

    def text(field: str) -> tuple[str, ...]:
        nonlocal repaired
        values, fixed = fields.texts(field)
        repaired = repaired or fixed
        return values

    artists = text("artist")
    titles = text("title")
    albums = text("album")
    album_artists = text("album_artist")
    tracks = fields.values.get("track", [])
    discs = fields.values.get("disc", [])
    length = getattr(getattr(audio, "info", None), "length", 0) or 0
    duration_ms = round(float(length) * 1000) if 0 < float(length) < 86_400 * 7 else None
    return (
        AudioTags(
            title=titles[0] if titles else None,
            artist="; ".join(artists) or None,
            artists=artists,
            album=albums[0] if albums else None,
            album_artist=album_artists[0] if album_artists else None,
            track_number=first_number(tracks[0]) if tracks else None,
            disc_number=first_number(discs[0]) if discs else None,
            duration_ms=duration_ms,
            isrc=_identifier(text("isrc"), _ISRC),
            mb_recording_id=_identifier(text("mbid"), _MBID),
        ),
        repaired,
    )


def _extension(path: str) -> str:
    name = path.rpartition("/")[2]
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def printable_path(path: str) -> str:
    """``path`` as text that can be printed and stored: bytes that are not UTF-8 as ``\\xNN``."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    return path


def _problem(path: str, kind: ProblemKind, detail: str) -> ScanProblem:
    return ScanProblem(printable_path(path), kind, detail[:300])


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return " ".join(text.split())


class MutagenTagReader:
    """Reads tags of one file at a time (satisfies ``amsync.domain.ports.TagReader``)."""

    def read_file(self, path: str) -> ScannedFile | ScanProblem:
        try:
            info = Path(path).stat()
        except OSError as exc:
            return _problem(path, ProblemKind.UNREADABLE, exc.strerror or _describe(exc))
        return self.read(path, info.st_size, info.st_mtime_ns)

    def read(self, path: str, size: int | None, mtime_ns: int | None) -> ScannedFile | ScanProblem:
        """The tags of ``path`` (whose ``os.stat`` gave ``size`` and ``mtime_ns``)."""
        if size == 0:
            return _problem(path, ProblemKind.EMPTY, "the file is empty (0 bytes)")
        extension = _extension(path)
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed below, whatever mutagen does
        except OSError as exc:
            return _problem(path, ProblemKind.UNREADABLE, exc.strerror or _describe(exc))
        try:
            kind, audio, error = self._load(handle, extension)
        finally:
            handle.close()
        if audio is None:
            return _problem(path, ProblemKind.CORRUPT, error or "not an audio file mutagen reads")
        try:
            tags, repaired = tags_of(audio)
        except Exception as exc:  # hostile tags: reported, never a crash
            return _problem(path, ProblemKind.CORRUPT, f"unreadable tags: {_describe(exc)}")
        problems: list[ScanProblem] = []
        if repaired:
            problems.append(
                _problem(path, ProblemKind.ODD_ENCODING, "tag text repaired (wrong encoding)")
            )
        if tags.empty:
            problems.append(_problem(path, ProblemKind.NO_TAGS, "no title, artist, album or ids"))
        return ScannedFile(path, size, mtime_ns, kind, tags, tuple(problems))

    @staticmethod
    def _load(handle: IO[bytes], extension: str) -> tuple[str, Any, str | None]:
        error: str | None = None
        known = _FORMATS.get(extension)
        options: list[Any] | None = None
        if known is not None:
            kind, loader = known
            try:
                return kind, loader(handle), None
            except Exception as exc:  # mutagen raises many kinds on bad input
                error = _describe(exc)
            handle.seek(0)
            # maybe another format under the wrong name: let mutagen sniff the others
            options = [option for option in _ALL_FORMATS if option is not loader]
        try:
            audio = mutagen.File(handle, options=options)
        except Exception as exc:  # the same, for the sniffing loader
            return "", None, error or _describe(exc)
        if audio is None:
            return "", None, error
        kind = type(audio).__name__.lower().removeprefix("ogg") or "ogg"
        return kind, audio, None
