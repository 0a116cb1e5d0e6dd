"""The cause classifier, table-driven: every rule, its order, and its exact evidence."""

from __future__ import annotations

import itertools

import pytest

from amsync.lost.causes import Cause, LossEvidence, LossKind, Verdict, classify

LIB, UNP, PL = LossKind.LIBRARY, LossKind.UNPLAYABLE, LossKind.PLAYLIST
GREYED = "greyed out (no playParams), and Apple no longer says which catalog song it was"
UPLOAD = "an upload or a song without a catalog match: amsync cannot tell who removed it"
CHECKING = "catalog song 7 is being checked in Apple's catalog"
GONE = "Apple's catalog no longer has catalog song 7"
NOT_HERE = "catalog song 7 is listed without playParams: not playable in your storefront"
GREY_LISTED = (
    "the library song lost its playParams (greyed out) while catalog song 7 is still listed"
)
AGAIN = "catalog song 7 is available and playable again"
CURATED = (
    "left a playlist you cannot edit (its curator changed it) while catalog song 7 was still "
    "available"
)
PERSON = (
    "left while catalog song 7 was still available and playable: most likely you or another "
    "of your devices"
)


def facts(kind: LossKind = LIB, catalog_id: str | None = "7", **values: object) -> LossEvidence:
    values.setdefault("catalog_checked", True)
    return LossEvidence(kind=kind, catalog_id=catalog_id, **values)  # type: ignore[arg-type]


CASES = {
    "greyed, no catalog id": (facts(UNP, None), Verdict(Cause.UNPLAYABLE, GREYED)),
    "left greyed, no id": (
        facts(LIB, None, library_playable=False),
        Verdict(Cause.UNPLAYABLE, GREYED),
    ),
    "playlist greyed, no id": (
        facts(PL, None, library_playable=False),
        Verdict(Cause.UNPLAYABLE, GREYED),
    ),
    "upload left": (facts(LIB, None, library_playable=True), Verdict(Cause.UNKNOWN, UPLOAD)),
    "upload, playability unknown": (facts(PL, None), Verdict(Cause.UNKNOWN, UPLOAD)),
    "upload not checked": (
        facts(LIB, None, catalog_checked=False, library_playable=True),
        Verdict(Cause.UNKNOWN, UPLOAD),
    ),
    "not checked yet": (
        facts(catalog_checked=False, catalog_available=True, catalog_playable=True),
        Verdict(Cause.UNKNOWN, CHECKING, False),
    ),
    "not checked, looked withdrawn": (
        facts(catalog_checked=False, catalog_available=False),
        Verdict(Cause.UNKNOWN, CHECKING, False),
    ),
    "checked, availability unknown": (facts(), Verdict(Cause.UNKNOWN, CHECKING, False)),
    "withdrawn": (facts(catalog_available=False), Verdict(Cause.WITHDRAWN, GONE)),
    "withdrawn wins over unplayable": (
        facts(UNP, catalog_available=False, catalog_playable=False, library_playable=False),
        Verdict(Cause.WITHDRAWN, GONE),
    ),
    "withdrawn from a playlist": (
        facts(PL, catalog_available=False, playlist_editable=False),
        Verdict(Cause.WITHDRAWN, GONE),
    ),
    "not playable in the storefront": (
        facts(UNP, catalog_available=True, catalog_playable=False, library_playable=True),
        Verdict(Cause.UNPLAYABLE, NOT_HERE),
    ),
    "storefront before greyed library": (
        facts(LIB, catalog_available=True, catalog_playable=False, library_playable=False),
        Verdict(Cause.UNPLAYABLE, NOT_HERE),
    ),
    "greyed while listed": (
        facts(UNP, catalog_available=True, catalog_playable=True, library_playable=False),
        Verdict(Cause.UNPLAYABLE, GREY_LISTED),
    ),
    "greyed, catalog playability unknown": (
        facts(PL, catalog_available=True, library_playable=False),
        Verdict(Cause.UNPLAYABLE, GREY_LISTED),
    ),
    "unplayable loss that plays again": (
        facts(UNP, catalog_available=True, catalog_playable=True, library_playable=True),
        Verdict(Cause.UNKNOWN, AGAIN),
    ),
    "curated playlist": (
        facts(PL, catalog_available=True, catalog_playable=True, playlist_editable=False),
        Verdict(Cause.REMOVED, CURATED),
    ),
    "own playlist": (
        facts(PL, catalog_available=True, catalog_playable=True, playlist_editable=True),
        Verdict(Cause.REMOVED, PERSON),
    ),
    "playlist, editability unknown": (
        facts(PL, catalog_available=True, catalog_playable=True),
        Verdict(Cause.REMOVED, PERSON),
    ),
    "left the library while available": (
        facts(LIB, catalog_available=True, catalog_playable=True, library_playable=True),
        Verdict(Cause.REMOVED, PERSON),
    ),
    "left, playability unknown": (
        facts(LIB, catalog_available=True, playlist_editable=False),
        Verdict(Cause.REMOVED, PERSON),
    ),
    "first sight, withdrawn": (
        facts(UNP, catalog_available=False, first_sight=True),
        Verdict(Cause.WITHDRAWN, "already so when amsync first mirrored the library; " + GONE),
    ),
    "first sight, waiting": (
        facts(UNP, catalog_checked=False, first_sight=True),
        Verdict(
            Cause.UNKNOWN, "already so when amsync first mirrored the library; " + CHECKING, False
        ),
    ),
}


@pytest.mark.parametrize(("given", "expected"), CASES.values(), ids=CASES.keys())
def test_cause_and_evidence(given: LossEvidence, expected: Verdict) -> None:
    assert classify(given) == expected


def test_causes_spell_as_lost_v_does() -> None:
    assert [c.value for c in Cause] == ["withdrawn", "unplayable", "removed", "unknown"]
    assert [k.value for k in LossKind] == ["library", "unplayable", "playlist"]


TRI = (None, False, True)


def test_a_song_still_there_to_be_played_is_never_apples_doing() -> None:
    """Whatever the kind: Apple is blamed only on evidence — a catalog that lost the song, a
    catalog or library entry without playParams — and the person only when all is well."""
    for kind, checked, available, playable, library, editable in itertools.product(
        LossKind, (False, True), TRI, TRI, TRI, TRI
    ):
        given = LossEvidence(kind, "7", checked, available, playable, library, editable)
        cause = classify(given).cause
        if cause is Cause.WITHDRAWN:
            assert checked and available is False, given
        if cause is Cause.UNPLAYABLE:
            assert checked and available and False in (playable, library), given
        if cause is Cause.REMOVED:
            assert checked and available and playable is not False and library is not False
            assert kind is not LossKind.UNPLAYABLE, given
