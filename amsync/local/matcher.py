"""Matching mirrored songs to local files: a pure function over plain records (issue 16).

Rules, in order — the first that finds a file decides:

1. **link** — a person's ``amsync local link`` (or ``unlink``: no file) wins over everything.
2. **isrc** — the song's catalog ISRC equals a file's; with several such files, the one whose
   duration is closest. (A file whose tags contradict its ISRC — another title and a length
   more than 10 s off — is not taken: ISRCs are sometimes copied onto the wrong file.)
3. **mbid** — Apple gives no MusicBrainz ids, so recording ids work through the files: files
   with the same MusicBrainz recording id are one recording and share their ISRCs; and a song
   keeps the recording id of the file it was matched or linked to, so that file is found again
   after it was moved, renamed or re-encoded (a link follows it too).
4. **tags** — normalised title, artists and duration (``normalise``): the title's versions
   (live, remix, …) equal on both sides, the numbers in the title equal, title and artist
   similar (rapidfuzz, ≥ ``TITLE_MIN``/``ARTIST_MIN``), the duration within ± 3 s — widened to
   ± 10 s only when title, artists and album all agree — and a combined score of at least
   ``ACCEPT``. The album breaks ties. A candidate below that is never taken: no file is better
   than a wrong one; it is kept with the reason, for ``amsync local unmatched``.

Candidates for rule 4 come from an index of (artist, title word) pairs (``FileIndex``): a song
looks only at the files of its main artist that share one of its two rarest title words, so the
cost grows with the library, not with songs × files.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from rapidfuzz import fuzz

from amsync.local.normalise import TitleKey, album_key, artist_names, title_key

TITLE_MIN: Final = 90.0
ARTIST_MIN: Final = 90.0
ACCEPT: Final = 90.0
WINDOW_MS: Final = 3_000
WIDE_WINDOW_MS: Final = 10_000
ISRC_CONFLICT_MS: Final = 10_000
_POSTINGS_PER_SONG: Final = 2
_TITLE_ONLY_LIMIT: Final = 50


@dataclass(frozen=True, slots=True)
class SongRecord:
    id: int  # the songs table's key
    library_id: str
    catalog_id: str | None
    name: str
    artist: str | None
    album: str | None
    duration_ms: int | None
    isrc: str | None


@dataclass(frozen=True, slots=True)
class FileRecord:
    id: int
    path: str
    title: str | None
    artist: str | None
    album: str | None
    album_artist: str | None
    duration_ms: int | None
    isrc: str | None
    mb_recording_id: str | None


@dataclass(frozen=True, slots=True)
class Decision:
    """For one song: the file (``accepted``), or the best rejected candidate and why."""

    song_id: int
    file_id: int | None
    accepted: bool
    method: str | None
    score: float | None
    reason: str | None


LINK_NONE: Final = None
"""A link whose path is ``None``: the person said the song has no file."""


@dataclass(frozen=True, slots=True)
class _Keys:
    title: TitleKey
    artists: frozenset[str]
    album: str


def _keys(title: str | None, artist: str | None, album: str | None) -> _Keys:
    key = title_key(title)
    return _Keys(key, frozenset(artist_names(artist) + key.featured), album_key(album))


def _main_artists(artist: str | None, keys: _Keys) -> tuple[str, ...]:
    """The name a file is filed under: the first name of its artist field (a featured artist,
    on either side, is not the main one), or its title's first featured artist, or ``""``."""
    names = artist_names(artist) or keys.title.featured
    return names[:1] or ("",)


def _artist_score(a: frozenset[str], b: frozenset[str]) -> float:
    """100 when the sides share a name, else the best similarity of any two names; 0 when
    either side names nobody (a song or a file without artists)."""
    if a & b:
        return 100.0
    return max((fuzz.ratio(x, y) for x in a for y in b), default=0.0)


@dataclass
class _Candidate:
    file: FileRecord
    score: float
    reason: str | None  # None: acceptable
    delta_ms: int | None


@dataclass
class FileIndex:
    """The files, with their keys and the indexes the rules use.

    Candidates for the tag rule come from ``by_pair``: a file is filed under every pair of
    (its main artist, a word of its title's core); a song looks up its main artist with its
    two rarest title words. So a song sees only files of its artist that share a distinctive
    title word — a few, whatever the size of the collection — and a featured artist, wherever
    each side names it, does not change the main one. A song that finds nothing that way
    takes a second look by title alone (``title_candidates``)."""

    files: Sequence[FileRecord]
    keys: list[_Keys] = field(default_factory=list)
    by_isrc: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_isrc_via_mbid: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_mbid: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_pair: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    by_word: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_path: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, files: Sequence[FileRecord]) -> FileIndex:
        index = cls(files)
        isrcs_of_recording: dict[str, set[str]] = defaultdict(set)
        for position, record in enumerate(files):
            artist = record.artist or record.album_artist
            keys = _keys(record.title, artist, record.album)
            index.keys.append(keys)
            index.by_path[record.path] = position
            if record.mb_recording_id:
                index.by_mbid[record.mb_recording_id].append(position)
            if record.isrc:
                index.by_isrc[record.isrc].append(position)
                if record.mb_recording_id:
                    isrcs_of_recording[record.mb_recording_id].add(record.isrc)
            title_words = keys.title.tokens
            for t in title_words:
                index.by_word[t].append(position)
            for a in _main_artists(artist, keys):
                for t in title_words:
                    index.by_pair[(a, t)].append(position)
        for position, record in enumerate(files):
            if record.mb_recording_id and not record.isrc:
                for isrc in isrcs_of_recording.get(record.mb_recording_id, ()):
                    index.by_isrc_via_mbid[isrc].append(position)
        return index

    def _rarest(self, keys: _Keys) -> list[str]:
        words = sorted(keys.title.tokens, key=lambda w: (len(self.by_word.get(w, ())), w))
        return words[:_POSTINGS_PER_SONG]

    def candidates(self, keys: _Keys, main_artist: str) -> set[int]:
        """Files of the song's main artist sharing one of its two rarest title words."""
        found: set[int] = set()
        for t in self._rarest(keys):
            found.update(self.by_pair.get((main_artist, t), ()))
        return found

    def title_candidates(self, keys: _Keys) -> set[int]:
        """Files sharing the rarest title word, whatever their artist (a second look for a
        song the first found nothing for: a misspelt artist, or a candidate worth naming in
        ``amsync local unmatched``); nothing when that word is too common to narrow it down."""
        rarest = self._rarest(keys)
        postings = self.by_word.get(rarest[0], ()) if rarest else ()
        return set(postings) if len(postings) <= _TITLE_ONLY_LIMIT else set()


def _closest(song: SongRecord, positions: Iterable[int], files: Sequence[FileRecord]) -> int:
    """The file whose duration is closest to the song's (an unknown one last), then by path."""

    def distance(position: int) -> tuple[float, str]:
        duration = files[position].duration_ms
        if song.duration_ms is None or duration is None:
            return (math.inf, files[position].path)
        return (abs(duration - song.duration_ms), files[position].path)

    return min(positions, key=distance)


def _judge(song_keys: _Keys, song: SongRecord, position: int, index: FileIndex) -> _Candidate:
    """How well the file at ``position`` fits the song by its tags (rule 4). The cheap checks
    come first; a candidate they reject gets a partial score (half its title similarity),
    enough to rank the rejected ones for ``amsync local unmatched``."""
    record = index.files[position]
    keys = index.keys[position]
    ours, theirs = song_keys.title, keys.title
    title = 100.0 if theirs.core == ours.core else fuzz.ratio(theirs.core, ours.core)
    reason: str | None = None
    if theirs.versions != ours.versions:
        found = ", ".join(sorted(theirs.versions)) or "studio"
        wanted = ", ".join(sorted(ours.versions)) or "studio"
        reason = f"another recording ({found}, not {wanted})"
    elif theirs.numbers != ours.numbers:
        reason = "the numbers in the title differ"
    elif title < TITLE_MIN:
        reason = f"title differs (similarity {title:.0f})"
    if reason is not None:
        return _Candidate(record, round(0.5 * title, 1), reason, None)
    artist = _artist_score(song_keys.artists, keys.artists)
    album = fuzz.ratio(song_keys.album, keys.album) if song_keys.album and keys.album else 70.0
    delta = (
        abs(record.duration_ms - song.duration_ms)
        if record.duration_ms is not None and song.duration_ms is not None
        else None
    )
    duration_score = 70.0 if delta is None else max(0.0, 100.0 - delta / 100.0)
    score = round(0.5 * title + 0.3 * artist + 0.1 * duration_score + 0.1 * album, 1)
    if artist < ARTIST_MIN:
        reason = f"artist differs (similarity {artist:.0f})"
    elif delta is not None and delta > WINDOW_MS:
        strong = title == 100.0 and artist == 100.0 and album == 100.0
        if not strong or delta > WIDE_WINDOW_MS:
            reason = f"duration differs by {delta / 1000:.0f} s"
    if reason is None and score < ACCEPT:
        reason = f"score {score:.0f} below {ACCEPT:.0f}"
    return _Candidate(record, score, reason, delta)


def _isrc_contradicted(song_keys: _Keys, song: SongRecord, record: FileRecord) -> bool:
    if record.duration_ms is None or song.duration_ms is None:
        return False
    if abs(record.duration_ms - song.duration_ms) <= ISRC_CONFLICT_MS:
        return False
    file_title = title_key(record.title).core
    return bool(file_title) and fuzz.ratio(file_title, song_keys.title.core) < 50


def _by_tags(song: SongRecord, song_keys: _Keys, index: FileIndex) -> Decision:
    """Rule 4: the best candidate that passes every check; else the best rejected one, with
    its reason. Candidates come from the song's main artist and title words, and — when none
    of those passes — from a second look by title alone."""
    names = artist_names(song.artist) or song_keys.title.featured
    pairs = index.candidates(song_keys, names[0] if names else "")
    judged = [_judge(song_keys, song, position, index) for position in pairs]
    if not any(candidate.reason is None for candidate in judged):
        second = index.title_candidates(song_keys) - pairs
        judged += [_judge(song_keys, song, position, index) for position in second]
    accepted = [candidate for candidate in judged if candidate.reason is None]
    if accepted:
        best = min(accepted, key=_rank)
        return Decision(song.id, best.file.id, True, "tags", best.score, None)
    if judged:
        best = min(judged, key=_rank)
        return Decision(song.id, best.file.id, False, "tags", best.score, best.reason)
    return Decision(song.id, None, False, None, None, "no file with a similar title")


def _rank(candidate: _Candidate) -> tuple[float, float, str]:
    """Candidates in order: the higher score, then the closer duration (an unknown one last),
    then the path — the album already counts in the score, so it breaks ties of the rest."""
    delta = candidate.delta_ms if candidate.delta_ms is not None else math.inf
    return (-candidate.score, delta, candidate.file.path)


def match_songs(
    songs: Iterable[SongRecord],
    index: FileIndex,
    links: Mapping[str, str | None],
    *,
    recordings: Mapping[int, str] | None = None,
) -> Iterator[Decision]:
    """One decision per song. ``links`` maps a song's library id to the path a person linked
    it to (``None``: no file). ``recordings`` maps a song's key to the MusicBrainz recording id
    of the file it was matched or linked to before: a file moved, renamed or re-encoded since
    (gone from its old path, with the same recording id) is found again."""
    files = index.files
    recordings = recordings or {}
    for song in songs:
        recording = recordings.get(song.id)
        if song.library_id in links:
            path = links[song.library_id]
            if path is None:
                yield Decision(song.id, None, False, "link", None, "unlinked by you")
                continue
            position = index.by_path.get(path)
            if position is None and recording:
                moved = index.by_mbid.get(recording)
                position = _closest(song, moved, files) if moved else None
            if position is None:
                yield Decision(song.id, None, False, "link", None, "the linked file is gone")
            else:
                yield Decision(song.id, files[position].id, True, "link", 100.0, None)
            continue
        song_keys = _keys(song.name, song.artist, song.album)
        yield _by_ids(song, song_keys, index, recording) or _by_tags(song, song_keys, index)


def _by_ids(
    song: SongRecord, song_keys: _Keys, index: FileIndex, recording: str | None
) -> Decision | None:
    """Rules 2 and 3: the ISRC (directly, or through a file of the same recording), then the
    recording id the song's file had before."""
    files = index.files
    tables: list[tuple[str, Sequence[int]]] = []
    if song.isrc:
        tables += [
            ("isrc", index.by_isrc.get(song.isrc, ())),
            ("mbid", index.by_isrc_via_mbid.get(song.isrc, ())),
        ]
    if recording:
        tables.append(("mbid", index.by_mbid.get(recording, ())))
    for method, found in tables:
        positions = [p for p in found if not _isrc_contradicted(song_keys, song, files[p])]
        if positions:
            chosen = _closest(song, positions, files)
            return Decision(song.id, files[chosen].id, True, method, 100.0, None)
    return None
