"""Whole response documents: ``data`` lists, ``next`` links, ``meta.total`` and ``errors``."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from amsync.api.fields import JsonObject, as_object, get_int, get_list, get_object, get_str
from amsync.api.parsing import ResourceParser, resource_object, resource_type
from amsync.errors import MalformedResponse

T = TypeVar("T")

_RETRY_HINT = "try again later; report it if it persists"


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(value: object) -> object:
    """Every string with its lone surrogates (``"\\ud800"`` escapes without a partner, which
    no UTF-8 database or file can hold) replaced by U+FFFD; pairs were joined by the decoder."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {
            _LONE_SURROGATE.sub("\ufffd", key): _without_lone_surrogates(item)
            for key, item in value.items()
        }
    return value


def decode_json(content: bytes, endpoint: str) -> JsonObject:
    """The body as a JSON object, or ``MalformedResponse`` (not JSON, or not an object).
    Lone surrogate escapes in strings become U+FFFD (one bad name must not stop a backup)."""
    try:
        value: object = json.loads(content)
        if _SURROGATE_ESCAPE.search(content):
            value = _without_lone_surrogates(value)
    except (ValueError, RecursionError):
        raise MalformedResponse(
            f"Apple Music sent a body that is not JSON from {endpoint}",
            hint=_RETRY_HINT,
            endpoint=endpoint,
        ) from None
    document = as_object(value)
    if document is None:
        raise MalformedResponse(
            f"Apple Music sent a JSON body that is not an object from {endpoint}",
            hint=_RETRY_HINT,
            endpoint=endpoint,
        )
    return document


def data_list(document: JsonObject, endpoint: str) -> list[object]:
    """``document["data"]``, which must be a list (a missing ``data`` is malformed too)."""
    data = get_list(document, "data")
    if data is None:
        raise MalformedResponse(
            f"Apple Music sent a document whose 'data' is not a list from {endpoint}",
            hint=_RETRY_HINT,
            endpoint=endpoint,
        )
    return data


@dataclass(slots=True)
class Page(Generic[T]):
    """One parsed page: its items in order, Apple's ``next`` link and ``meta.total``.

    ``size`` counts every resource Apple sent (including skipped ones), to tell a short page;
    ``skipped`` counts resources of types without a parser, by type.
    """

    items: list[T]
    ids: list[str]
    size: int
    next_path: str | None
    total: int | None
    skipped: dict[str, int] = field(default_factory=dict)


def parse_page(
    document: JsonObject, endpoint: str, parsers: Mapping[str, ResourceParser[T]]
) -> Page[T]:
    """Parse every resource of ``data`` with the parser for its ``type``.

    Resources of a type without a parser are skipped and counted in ``skipped``.
    """
    items: list[T] = []
    ids: list[str] = []
    skipped: dict[str, int] = {}
    data = data_list(document, endpoint)
    for value in data:
        resource = resource_object(value, endpoint)
        kind = resource_type(resource)
        parser = parsers.get(kind) if kind is not None else None
        if parser is None:
            label = kind[:60] if kind is not None else "(no type)"
            skipped[label] = skipped.get(label, 0) + 1
            continue
        items.append(parser(resource, endpoint))
        ids.append(str(resource["id"]))
    total = get_int(get_object(document, "meta"), "total")
    return Page(
        items=items,
        ids=ids,
        size=len(data),
        next_path=get_str(document, "next") or None,
        total=total if total is not None and total >= 0 else None,
        skipped=skipped,
    )


@dataclass(frozen=True, slots=True)
class AppleError:
    """The first entry of an ``errors`` array (all fields optional: bodies may be empty)."""

    title: str | None = None
    detail: str | None = None
    code: str | None = None


def parse_error_body(content: bytes) -> AppleError:
    """Apple's error object, read leniently; an empty or odd body gives an empty ``AppleError``."""
    try:
        value: object = json.loads(content) if content else None
    except (ValueError, RecursionError):
        return AppleError()
    errors = get_list(as_object(value), "errors")
    first = as_object(errors[0]) if errors else None
    if first is None:
        return AppleError()
    code = first.get("code")
    return AppleError(
        title=get_str(first, "title"),
        detail=get_str(first, "detail"),
        code=str(code) if isinstance(code, str | int) and not isinstance(code, bool) else None,
    )
