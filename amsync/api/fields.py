"""Typed, forgiving reads of decoded JSON values.

Apple's payloads are JSON:API documents whose optional attributes may be missing, ``null`` or of
an unexpected type. These readers never raise: a value of the wrong type reads as ``None`` (or an
empty tuple), so one odd attribute cannot break a whole listing.
"""

from __future__ import annotations

from collections.abc import Mapping

JsonObject = Mapping[str, object]


def as_object(value: object) -> JsonObject | None:
    """``value`` when it is a JSON object, else ``None`` (``json`` decodes objects to dicts
    whose keys are always strings)."""
    if isinstance(value, dict):
        return value
    return None


def get_object(obj: JsonObject | None, key: str) -> JsonObject | None:
    if obj is None:
        return None
    return as_object(obj.get(key))


def get_str(obj: JsonObject | None, key: str) -> str | None:
    if obj is None:
        return None
    value = obj.get(key)
    return value if isinstance(value, str) else None


def get_int(obj: JsonObject | None, key: str) -> int | None:
    """An integer attribute; a bool, a string or a fractional number reads as ``None``."""
    if obj is None:
        return None
    value = obj.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return None


def get_bool(obj: JsonObject | None, key: str) -> bool | None:
    if obj is None:
        return None
    value = obj.get(key)
    return value if isinstance(value, bool) else None


def get_str_tuple(obj: JsonObject | None, key: str) -> tuple[str, ...]:
    """A list of strings; non-string members are dropped, a non-list reads as ``()``."""
    if obj is None:
        return ()
    value = obj.get(key)
    if not isinstance(value, list):
        return ()
    return tuple(item for item in value if isinstance(item, str))


def get_list(obj: JsonObject | None, key: str) -> list[object] | None:
    if obj is None:
        return None
    value = obj.get(key)
    return value if isinstance(value, list) else None


def first_related(resource: JsonObject, relationship: str) -> JsonObject | None:
    """``relationships.<relationship>.data[0]`` when it is an object, else ``None``."""
    related = get_object(get_object(resource, "relationships"), relationship)
    data = get_list(related, "data")
    if not data:
        return None
    return as_object(data[0])
