"""``amsync restore``: plan from a fresh look at the live library, then apply.

``make_restore_plan`` reads the live library (complete listings), asks Apple's catalog which of
the needed songs and albums it still has and what the backed-up favourites are rated now, and
returns the plan; ``apply_restore`` (``restore_apply``) carries it out. The caller shows the plan
in between — and stops there for a dry run.
"""

from __future__ import annotations

from amsync.backup.document import LibraryDocument
from amsync.backup.live import check_catalog, read_listings, read_ratings
from amsync.backup.restore_plan import (
    RestorePlan,
    RestoreSelection,
    catalog_questions,
    check_selection,
    favourite_targets,
    plan_restore,
)
from amsync.domain.ports import LibraryReader


async def make_restore_plan(
    reader: LibraryReader, document: LibraryDocument, selection: RestoreSelection
) -> RestorePlan:
    check_selection(document, selection)
    live = await read_listings(reader)
    songs, albums = catalog_questions(document, live, selection)
    await check_catalog(reader, live, songs, albums)
    targets, _lost, _after = favourite_targets(document, live, selection)
    await read_ratings(reader, live, [target[0] for target in targets])
    return plan_restore(document, live, selection)
