"""Carrying out a restore plan on Apple Music, and reading the favourites back.

Writes, in this order: one add-to-library (songs, albums, catalog playlists; the client sends
at most 100 ids per request), each playlist created with its tracks in order (the client sends
the first 100 with the playlist and appends the rest in chunks), then the favourites and
dislikes (a rating of 1 or -1 each), read back afterwards. An item Apple refuses is recorded
and the rest goes on; authorization and lasting network failures stop the run (a second run
picks up where this one stopped, because the plan is made afresh from the live library).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from amsync.backup.live import RatingKey
from amsync.backup.restore_plan import PlannedFavourite, RestorePlan
from amsync.domain import ProgressCallback, ProgressEvent, no_progress
from amsync.domain.ports import LibraryWriter, RatingWriter
from amsync.errors import BadRequest, MalformedResponse, NotFound

log = logging.getLogger(__name__)

_ITEM_FAILURES = (BadRequest, NotFound, MalformedResponse)


@dataclass(slots=True)
class CreatedPlaylist:
    name: str
    library_id: str
    tracks: int


@dataclass(slots=True)
class RestoreReport:
    plan: RestorePlan
    status: str = "planned"  # planned | dry-run | nothing-to-do | restored | partial
    added: dict[str, int] = field(default_factory=dict)
    created: list[CreatedPlaylist] = field(default_factory=list)
    favourites_set: int = 0
    dislikes_set: int = 0
    unconfirmed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "source": self.source,
            "plan": self.plan.as_dict(),
            "added": dict(self.added),
            "created_playlists": [
                {"name": c.name, "library_id": c.library_id, "tracks": c.tracks}
                for c in self.created
            ],
            "favourites_set": self.favourites_set,
            "dislikes_set": self.dislikes_set,
            "unconfirmed": list(self.unconfirmed),
            "failed": list(self.failed),
        }


async def apply_restore(
    plan: RestorePlan,
    writer: LibraryWriter,
    ratings: RatingWriter,
    report: RestoreReport,
    progress: ProgressCallback = no_progress,
) -> RestoreReport:
    """Carry out ``plan``; the outcome goes into ``report`` (also returned)."""
    if plan.empty:
        report.status = "nothing-to-do"
        return report
    total = len(plan.playlists) + len(plan.favourites) + (1 if plan.additions else 0)
    done = 0
    if plan.additions:
        await _add_to_library(plan, writer, report)
        done += 1
        progress(ProgressEvent("restore", done, total))
    favourites = list(plan.favourites)
    for planned in plan.playlists:
        try:
            created = await writer.create_playlist(
                planned.name, planned.description, planned.tracks, planned.parent_folder_id
            )
        except _ITEM_FAILURES as exc:
            report.failed.append(f"playlist {planned.name!r}: {exc}")
            log.warning("could not recreate playlist %r: %s", planned.name, exc)
        else:
            report.created.append(
                CreatedPlaylist(planned.name, created.library_id, len(planned.tracks))
            )
            if planned.rating is not None:
                favourites.append(
                    PlannedFavourite(
                        "playlist",
                        planned.name,
                        "library-playlists",
                        created.library_id,
                        planned.rating,
                    )
                )
        done += 1
        progress(ProgressEvent("restore", done, total))
    await _set_favourites(favourites, ratings, report)
    report.status = "partial" if report.failed or report.unconfirmed else "restored"
    return report


async def _add_to_library(plan: RestorePlan, writer: LibraryWriter, report: RestoreReport) -> None:
    ids_by_type: dict[str, list[str]] = {}
    for add in plan.additions:
        ids_by_type.setdefault(f"{add.kind}s", []).append(add.catalog_id)
    try:
        await writer.add_to_library(ids_by_type)
    except _ITEM_FAILURES as exc:
        report.failed.append(f"adding {sum(map(len, ids_by_type.values()))} item(s): {exc}")
        log.warning("could not add items to the library: %s", exc)
        return
    report.added = {kind: len(ids) for kind, ids in ids_by_type.items()}


async def _set_favourites(
    favourites: list[PlannedFavourite], ratings: RatingWriter, report: RestoreReport
) -> None:
    done: list[PlannedFavourite] = []
    for favourite in favourites:
        try:
            await ratings.put_rating(favourite.resource_type, favourite.item_id, favourite.value)
        except _ITEM_FAILURES as exc:
            report.failed.append(f"favourite {favourite.item_type} {favourite.name!r}: {exc}")
            continue
        done.append(favourite)
    report.favourites_set = sum(1 for f in done if f.value == 1)
    report.dislikes_set = sum(1 for f in done if f.value == -1)
    by_type: dict[str, list[str]] = {}
    for favourite in done:
        by_type.setdefault(favourite.resource_type, []).append(favourite.item_id)
    read: dict[RatingKey, int] = {}
    for resource_type, ids in sorted(by_type.items()):
        for item_id, value in (await ratings.get_ratings(resource_type, ids)).items():
            read[(resource_type, item_id)] = value
    for favourite in done:
        if read.get((favourite.resource_type, favourite.item_id)) != favourite.value:
            word = "favourite" if favourite.value == 1 else "dislike"
            report.unconfirmed.append(
                f"{favourite.item_type} {favourite.name!r}: Apple does not show the {word} yet"
            )
