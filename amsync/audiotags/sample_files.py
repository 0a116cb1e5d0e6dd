"""Tiny but valid tagged audio files, for the demo, the tests and the benchmark.

Each file is a few hundred bytes to a few KiB, yet every tag reader (mutagen, players) takes it
for what it says: its format's headers are real, and its length is what the headers say.

- MP3: ID3v2.4 tags, then three MPEG-1 Layer III frames (32 kbit/s, 44.1 kHz, mono, silent);
  the first carries a Xing header whose frame count gives the length.
- FLAC: the ``fLaC`` marker and a STREAMINFO block whose total-samples field gives the length
  (no audio frames), then a Vorbis comment block.
- M4A: ``ftyp`` (``M4A ``), then ``moov`` with ``mvhd`` and one sound ``trak`` (``tkhd``,
  ``mdia`` with ``mdhd`` — the length — ``hdlr soun`` and an empty sample table); tags in
  ``udta/meta/ilst``.
- Opus: an Ogg stream of ``OpusHead``, ``OpusTags`` and a last page whose granule position
  gives the length.

Tags are written with mutagen.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from mutagen.flac import FLAC
from mutagen.id3 import ID3, TALB, TIT2, TPE1, TPE2, TPOS, TRCK, TSRC, UFID
from mutagen.mp4 import MP4, MP4FreeForm
from mutagen.oggopus import OggOpus

from amsync.audiotags.tag_reading import MUSICBRAINZ_UFID

FORMATS: Final = ("mp3", "flac", "m4a", "opus")
_SAMPLE_RATE: Final = 44_100
_MP3_FRAME_SAMPLES: Final = 1152
_MP3_FRAME_BYTES: Final = 104  # 144 * 32000 / 44100, no padding


@dataclass(frozen=True)
class SampleTags:
    """What to write into a sample file; ``None`` leaves a tag out."""

    title: str | None = None
    artist: str | None = None
    album: str | None = None
    album_artist: str | None = None
    track_number: int | None = None
    disc_number: int | None = None
    isrc: str | None = None
    mb_recording_id: str | None = None


def _mp3_audio(duration_ms: int) -> bytes:
    frames = max(1, round(duration_ms / 1000 * _SAMPLE_RATE / _MP3_FRAME_SAMPLES))
    header = bytes((0xFF, 0xFB, 0x10, 0xC4))  # MPEG-1 L3, 32 kbit/s, 44.1 kHz, mono, original
    xing = b"Xing" + struct.pack(">II", 0x1, frames)  # flags: frame count present
    first = header + bytes(17) + xing  # mono side information is 17 bytes
    first += bytes(_MP3_FRAME_BYTES - len(first))
    plain = header + bytes(_MP3_FRAME_BYTES - len(header))
    return first + plain + plain


def _flac_stream(duration_ms: int) -> bytes:
    samples = round(duration_ms / 1000 * _SAMPLE_RATE)
    # min/max block size, min/max frame size (unknown), then 20 bits rate, 3 bits channels-1,
    # 5 bits bits-per-sample-1, 36 bits total samples; then the MD5 of the audio (none: zero)
    packed = (_SAMPLE_RATE << 44) | (0 << 41) | (15 << 36) | samples
    info = struct.pack(">HH", 4096, 4096) + bytes(6) + packed.to_bytes(8, "big") + bytes(16)
    return b"fLaC" + bytes((0x80,)) + len(info).to_bytes(3, "big") + info  # last block


def _atom(name: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + name + body


def _m4a_container(duration_ms: int) -> bytes:
    timescale = _SAMPLE_RATE
    length = round(duration_ms / 1000 * timescale)
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = _atom(
        b"mvhd",
        struct.pack(">IIIII", 0, 0, 0, timescale, length)
        + struct.pack(">IH", 0x10000, 0x100)
        + bytes(10)
        + matrix
        + bytes(24)
        + struct.pack(">I", 2),
    )
    tkhd = _atom(
        b"tkhd",
        struct.pack(">IIIIII", 7, 0, 0, 1, 0, length)
        + bytes(8)
        + struct.pack(">HHHH", 0, 0, 0x100, 0)
        + matrix
        + struct.pack(">II", 0, 0),
    )
    mdhd = _atom(b"mdhd", struct.pack(">IIIII", 0, 0, 0, timescale, length) + bytes(4))
    hdlr = _atom(b"hdlr", bytes(8) + b"soun" + bytes(12) + b"SoundHandler\x00")
    stbl = _atom(
        b"stbl",
        _atom(b"stsd", struct.pack(">II", 0, 0))
        + _atom(b"stts", struct.pack(">II", 0, 0))
        + _atom(b"stsc", struct.pack(">II", 0, 0))
        + _atom(b"stsz", struct.pack(">III", 0, 0, 0))
        + _atom(b"stco", struct.pack(">II", 0, 0)),
    )
    minf = _atom(b"minf", _atom(b"smhd", bytes(8)) + stbl)
    trak = _atom(b"trak", tkhd + _atom(b"mdia", mdhd + hdlr + minf))
    ftyp = _atom(b"ftyp", b"M4A " + struct.pack(">I", 0) + b"M4A mp42isom")
    return ftyp + _atom(b"moov", mvhd + trak) + _atom(b"mdat", b"")


def _ogg_page(data: bytes, *, serial: int, sequence: int, granule: int, flags: int) -> bytes:
    segments = [255] * (len(data) // 255) + [len(data) % 255]
    header = (
        b"OggS"
        + bytes((0, flags))
        + struct.pack("<qIII", granule, serial, sequence, 0)
        + bytes((len(segments),))
        + bytes(segments)
    )
    page = header + data
    crc = _ogg_crc(page)
    return page[:22] + struct.pack("<I", crc) + page[26:]


def _ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def _opus_stream(duration_ms: int) -> bytes:
    serial = zlib.crc32(str(duration_ms).encode())
    pre_skip = 312
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, pre_skip, 48_000, 0, 0)
    tags = b"OpusTags" + struct.pack("<I", 6) + b"amsync" + struct.pack("<I", 0)
    granule = pre_skip + round(duration_ms * 48)
    silence = bytes((0xF8, 0xFF, 0xFE))  # one 20 ms CELT frame of silence
    return (
        _ogg_page(head, serial=serial, sequence=0, granule=0, flags=0x02)
        + _ogg_page(tags, serial=serial, sequence=1, granule=0, flags=0)
        + _ogg_page(silence, serial=serial, sequence=2, granule=granule, flags=0x04)
    )


def _write_id3(path: Path, tags: SampleTags) -> None:
    id3 = ID3()
    for frame, value in (
        (TIT2, tags.title),
        (TPE1, tags.artist),
        (TALB, tags.album),
        (TPE2, tags.album_artist),
        (TSRC, tags.isrc),
    ):
        if value is not None:
            id3.add(frame(encoding=3, text=[value]))
    if tags.track_number is not None:
        id3.add(TRCK(encoding=3, text=[str(tags.track_number)]))
    if tags.disc_number is not None:
        id3.add(TPOS(encoding=3, text=[str(tags.disc_number)]))
    if tags.mb_recording_id is not None:
        id3.add(UFID(owner=MUSICBRAINZ_UFID, data=tags.mb_recording_id.encode("ascii")))
    id3.save(path, padding=lambda info: 0)


def _vorbis_pairs(tags: SampleTags) -> list[tuple[str, str]]:
    pairs = [
        ("TITLE", tags.title),
        ("ARTIST", tags.artist),
        ("ALBUM", tags.album),
        ("ALBUMARTIST", tags.album_artist),
        ("TRACKNUMBER", None if tags.track_number is None else str(tags.track_number)),
        ("DISCNUMBER", None if tags.disc_number is None else str(tags.disc_number)),
        ("ISRC", tags.isrc),
        ("MUSICBRAINZ_TRACKID", tags.mb_recording_id),
    ]
    return [(key, value) for key, value in pairs if value is not None]


def _write_mp4(path: Path, tags: SampleTags) -> None:
    mp4 = MP4(path)
    if mp4.tags is None:
        mp4.add_tags()
    assert mp4.tags is not None
    for key, value in (
        ("©nam", tags.title),
        ("©ART", tags.artist),
        ("©alb", tags.album),
        ("aART", tags.album_artist),
    ):
        if value is not None:
            mp4.tags[key] = [value]
    if tags.track_number is not None:
        mp4.tags["trkn"] = [(tags.track_number, 0)]
    if tags.disc_number is not None:
        mp4.tags["disk"] = [(tags.disc_number, 0)]
    for name, value in (("ISRC", tags.isrc), ("MusicBrainz Track Id", tags.mb_recording_id)):
        if value is not None:
            mp4.tags[f"----:com.apple.iTunes:{name}"] = [MP4FreeForm(value.encode("utf-8"))]
    mp4.save(padding=lambda info: 0)


def write_sample_file(path: Path, tags: SampleTags, duration_ms: int) -> Path:
    """A tiny valid audio file at ``path`` (its format from the suffix: ``.mp3``, ``.flac``,
    ``.m4a`` or ``.opus``) with ``tags`` and a length of ``duration_ms``."""
    suffix = path.suffix.lower()
    if suffix == ".mp3":
        path.write_bytes(_mp3_audio(duration_ms))
        _write_id3(path, tags)
    elif suffix == ".flac":
        path.write_bytes(_flac_stream(duration_ms))
        flac = FLAC(path)
        flac.add_tags()
        for key, value in _vorbis_pairs(tags):
            flac[key] = value
        flac.save(padding=lambda info: 0)
    elif suffix == ".m4a":
        path.write_bytes(_m4a_container(duration_ms))
        _write_mp4(path, tags)
    elif suffix == ".opus":
        path.write_bytes(_opus_stream(duration_ms))
        opus = OggOpus(path)
        for key, value in _vorbis_pairs(tags):
            opus[key] = value
        opus.save(padding=lambda info: 0)
    else:
        raise ValueError(f"no sample format for {suffix!r}; use one of {FORMATS}")
    return path
