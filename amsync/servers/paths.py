"""Where a local music file is on the server: ``--path-prefix LOCAL=SERVER``, or the prefix
inferred from the two lists of paths.

A server reports a song's path relative to its music folder (Supysonic, Navidrome's real paths
in recent versions: ``Artist/Album/01 Song.flac``) or absolute as the server sees it
(``/music/Artist/Album/01 Song.flac`` inside a container). ``LOCAL=SERVER`` replaces the
``LOCAL`` root of amsync's path with ``SERVER`` (whole path components only); an empty
``SERVER`` means the server's paths are relative to ``LOCAL``. Paths are compared in Unicode
NFC (a file named on macOS is NFD).

Without ``--path-prefix``, the prefix is inferred: for files whose last two path components
(folder and name) the server also has, the differing heads of the two paths are counted; the
pair that explains most of them (and at least half) is used. ``amsync server status`` says
which prefix was used.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from typing import Final

from amsync.errors import UsageError

Prefix = tuple[str, str]
SAMPLE: Final = 2_000
MIN_AGREEMENT: Final = 0.5


def nfc(path: str) -> str:
    return unicodedata.normalize("NFC", path)


def parse_path_prefixes(values: Sequence[str]) -> tuple[Prefix, ...]:
    """``LOCAL=SERVER`` values, longest ``LOCAL`` first; a ``UsageError`` for a bad one."""
    pairs: list[Prefix] = []
    for value in values:
        local, sep, server = value.partition("=")
        if not sep or not local:
            raise UsageError(
                f"--path-prefix {value!r}: write it as LOCAL=SERVER, e.g. "
                "/home/me/Music=/music (or /home/me/Music= when the server's paths are relative)"
            )
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
            raise UsageError("--path-prefix may not contain control characters")
        if not local.startswith("/"):
            raise UsageError(f"--path-prefix {value!r}: LOCAL must be an absolute path")
        pairs.append((nfc(local.rstrip("/") or "/"), nfc(server.rstrip("/") or server[:1])))
    return tuple(sorted(pairs, key=lambda pair: len(pair[0]), reverse=True))


def on_server(path: str, prefixes: Sequence[Prefix]) -> str | None:
    """The server's path of local ``path`` (NFC), or ``None`` when no prefix applies."""
    path = nfc(path)
    for local, server in prefixes:
        if local == "/":
            rest = path.lstrip("/")
        elif path.startswith(local + "/"):
            rest = path[len(local) + 1 :]
        else:
            continue
        if server == "/":
            return "/" + rest
        return f"{server}/{rest}" if server else rest
    return None


def _tail(path: str) -> str:
    return "/".join(path.rsplit("/", 2)[-2:])


def infer_prefix(local_paths: Iterable[str], server_paths: Collection[str]) -> Prefix | None:
    """The ``LOCAL=SERVER`` pair that maps most local files onto server paths (see the module
    docstring), or ``None`` when none explains at least half of the files that share a folder
    and name with a server path."""
    by_tail: dict[str, list[str]] = defaultdict(list)
    for path in server_paths:
        by_tail[_tail(nfc(path))].append(nfc(path))
    votes: Counter[Prefix] = Counter()
    seen = 0
    for path in local_paths:
        if seen >= SAMPLE:
            break
        local = nfc(path)
        candidates = by_tail.get(_tail(local))
        if not candidates:
            continue
        seen += 1
        for server in candidates[:3]:
            prefix = _heads(local, server)
            if prefix is not None:
                votes[prefix] += 1
    if not votes:
        return None
    (best, count), *_ = votes.most_common(1)
    return best if count >= MIN_AGREEMENT * seen else None


def _heads(local: str, server: str) -> Prefix | None:
    """The differing heads of two paths with a common tail of whole components."""
    ours, theirs = local.split("/"), server.split("/")
    same = 0
    while same < min(len(ours), len(theirs)) and ours[-1 - same] == theirs[-1 - same]:
        same += 1
    if same == len(ours) == len(theirs):
        return "/", "/"  # the same paths on both sides
    if same < 2 or same == len(ours):
        return None
    local_head = "/".join(ours[: len(ours) - same]) or "/"
    server_head = "/".join(theirs[: len(theirs) - same])
    return local_head, server_head
