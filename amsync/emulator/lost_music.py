"""Music Apple takes away, staged on an emulator library: withdrawals with or without a playable
replacement, songs made unplayable, and the decoys a replacement search must not fall for.

Two steps, so that a mirror can be synced in between: ``prepare_withdrawals`` picks library
songs and puts into the catalog what Apple would have for them (a re-release with the same ISRC,
an unplayable twin, a live version by the same artist, an unrelated recording of the same
title); ``carry_out`` then withdraws them (greyed out, some also taken out of playlists).
Each :class:`Withdrawal` says which catalog songs are acceptable replacements (the same
recording, playable) — empty when Apple has none — so a test or benchmark can score the
replacements a client chooses.

Shapes (``kind``), drawn per song from the seed:

- ``isrc``: a playable re-release with the same ISRC ("<album> (Remastered)"); sometimes also
  an unplayable twin and a playable compilation copy a few seconds longer.
- ``search``: as ``isrc``, but the original's catalog entry has no ISRC (some catalog entries
  have none), so only a search on title and artist finds the re-release.
- ``none``: nothing else in the catalog.
- ``unplayable-only``: the only other song with the ISRC is not playable in the storefront.
- ``live-decoy``: no ISRC; the catalog has only a live (or acoustic) version by the same
  artist.
- ``ambiguous``: no ISRC; two different recordings with the same title and artist.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Final

from amsync.emulator.library import Library

REPLACED_KINDS: Final = ("isrc", "search")
UNREPLACED_KINDS: Final = ("none", "unplayable-only", "live-decoy", "ambiguous")


@dataclass(slots=True)
class Withdrawal:
    catalog_id: str
    kind: str
    replacements: set[str] = field(default_factory=set)
    """Catalog ids that are the same recording and playable: right answers (empty: none)."""
    library_ids: list[str] = field(default_factory=list)


def _candidates(library: Library) -> list[str]:
    """Catalog ids of library songs that can be withdrawn (one library song each, playable)."""
    owners: dict[str, int] = {}
    for song in library.songs.values():
        if song.catalog_id is not None and song.kind == "song":
            owners[song.catalog_id] = owners.get(song.catalog_id, 0) + 1
    return sorted(
        cid
        for cid, n in owners.items()
        if n == 1
        and cid in library.catalog_songs
        and not library.catalog_songs[cid].withdrawn
        and library.catalog_songs[cid].playable
    )


def prepare_withdrawals(
    library: Library, count: int, *, seed: int = 0, replaced: float = 0.8
) -> list[Withdrawal]:
    """Pick ``count`` library songs to withdraw and give the catalog what Apple would have for
    them; ``replaced`` of them get a playable replacement (``REPLACED_KINDS``)."""
    rng = random.Random(f"withdrawals-{seed}")
    chosen = rng.sample(_candidates(library), min(count, len(_candidates(library))))
    with_replacement = round(len(chosen) * replaced)
    plans: list[Withdrawal] = []
    for index, catalog_id in enumerate(chosen):
        if index < with_replacement:
            kind = "search" if rng.random() < 0.15 else "isrc"
        else:
            kind = rng.choice(UNREPLACED_KINDS)
        plans.append(_stage(library, catalog_id, kind, rng))
    library.touch()
    return plans


def _stage(library: Library, catalog_id: str, kind: str, rng: random.Random) -> Withdrawal:
    original = library.catalog_songs[catalog_id]
    plan = Withdrawal(catalog_id, kind)
    if kind in ("search", "live-decoy", "ambiguous"):
        original.isrc = ""  # this catalog entry carries no ISRC
    if kind in REPLACED_KINDS:
        isrc = original.isrc or _fresh_isrc(rng)
        release = library.add_catalog_release(catalog_id, isrc=isrc)
        plan.replacements.add(release.id)
        if rng.random() < 0.3:
            library.add_catalog_release(catalog_id, album_name="Greatest Hits", playable=False)
        if kind == "isrc" and rng.random() < 0.2:
            extra = library.add_catalog_release(
                catalog_id, album_name="Now That's Music", duration_ms=original.duration_ms + 2_000
            )
            plan.replacements.add(extra.id)
    elif kind == "unplayable-only":
        library.add_catalog_release(catalog_id, playable=False)
    elif kind == "live-decoy":
        live = library.add_catalog_release(catalog_id, album_name="Live at the Roundhouse")
        version = next(
            v for v in ("Live", "Acoustic", "Demo") if v.lower() not in original.name.lower()
        )
        live.name = f"{original.name} ({version})"  # another recording of the song
        live.isrc = _fresh_isrc(rng)
    elif kind == "ambiguous":
        for album in ("Sessions", "Rarities"):
            other = library.add_catalog_release(catalog_id, album_name=album, isrc=_fresh_isrc(rng))
            other.duration_ms = original.duration_ms + rng.randrange(-1_000, 1_000)
    return plan


def _fresh_isrc(rng: random.Random) -> str:
    letters = "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ", k=3))
    return f"GB{letters}{rng.randrange(10, 26)}{rng.randrange(100000):05d}"


def carry_out(
    library: Library,
    plans: list[Withdrawal],
    *,
    seed: int = 0,
    grey_out: bool = True,
    leave_playlists: float = 0.3,
) -> None:
    """Withdraw the prepared songs; ``leave_playlists`` of them Apple also takes out of every
    playlist."""
    rng = random.Random(f"carry-out-{seed}")
    for plan in plans:
        plan.library_ids = library.withdraw_catalog_song(
            plan.catalog_id, grey_out=grey_out, leave_playlists=rng.random() < leave_playlists
        )


def withdraw_songs(
    library: Library, count: int, *, seed: int = 0, replaced: float = 0.8, grey_out: bool = True
) -> list[Withdrawal]:
    """``prepare_withdrawals`` and ``carry_out`` at once."""
    plans = prepare_withdrawals(library, count, seed=seed, replaced=replaced)
    carry_out(library, plans, seed=seed, grey_out=grey_out)
    return plans


def make_songs_unplayable(library: Library, count: int, *, seed: int = 0) -> list[str]:
    """Make ``count`` library songs' catalog songs unplayable in the storefront (still listed,
    no ``playParams``); returns their catalog ids."""
    rng = random.Random(f"unplayable-{seed}")
    candidates = _candidates(library)
    chosen = rng.sample(candidates, min(count, len(candidates)))
    for catalog_id in chosen:
        library.make_unplayable(catalog_id)
    return chosen
