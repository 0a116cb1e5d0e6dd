"""Request/response values passed between the transports, the router and the handlers, and
Apple-shaped error bodies (reference §6.1, §8).

Error ``id`` values are 26-character uppercase tokens, fresh per response. [UNCERTAIN] titles
and codes for 401 ("Unauthenticated", 40100), 405 (40500), 429 (42900), 5xx (50000/50300/50400)
follow the 5-digit pattern of the observed codes.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from amsync.emulator.rendering import dumps

JSON_TYPE = "application/json;charset=utf-8"


@dataclass(slots=True)
class Request:
    """One HTTP request as the handler sees it; header names are lower-case."""

    method: str
    path: str
    query_string: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.params and self.query_string:
            self.params = dict(parse_qsl(self.query_string, keep_blank_values=True))

    @property
    def target(self) -> str:
        """Path plus query string, as on the request line."""
        return f"{self.path}?{self.query_string}" if self.query_string else self.path


@dataclass(slots=True)
class Response:
    """What a handler answers; ``action`` tells a transport to drop or truncate the reply."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    action: str | None = None  # None | "drop" | "truncate"
    delay: float = 0.0
    endpoint: str = ""

    def all_headers(self) -> list[tuple[str, str]]:
        out = list(self.headers)
        if self.body and not any(k.lower() == "content-type" for k, _ in out):
            out.append(("Content-Type", JSON_TYPE))
        return out


def json_response(status: int, body: bytes) -> Response:
    return Response(status, body)


def _error_id() -> str:
    return base64.b32encode(os.urandom(20)).decode()[:26]


TITLES = {
    400: ("Invalid Parameter Value", "40005"),
    401: ("Unauthenticated", "40100"),
    403: ("Forbidden", "40300"),
    404: ("Resource Not Found", "40400"),
    405: ("Method Not Allowed", "40500"),
    409: ("Conflict", "40900"),
    429: ("Too Many Requests", "42900"),
    500: ("Internal Server Error", "50000"),
    503: ("Service Unavailable", "50300"),
    504: ("Gateway Timeout", "50400"),
}
DETAILS = {
    401: "Invalid authentication",
    403: "Invalid authentication",
    404: "Resource with requested id was not found",
    405: "Method not allowed for this resource",
    429: "Rate limit exceeded. Please slow down.",
    500: "An unexpected error occurred",
    503: "The service is temporarily unavailable",
    504: "The upstream request timed out",
}


def error(
    status: int,
    detail: str | None = None,
    *,
    parameter: str | None = None,
    code: str | None = None,
    title: str | None = None,
) -> Response:
    """An ``{"errors":[…]}`` response in Apple's shape (status and code are strings)."""
    default_title, default_code = TITLES.get(status, ("Error", f"{status}00"))
    item: dict[str, object] = {
        "id": _error_id(),
        "title": title or default_title,
        "detail": detail or DETAILS.get(status, default_title),
        "status": str(status),
        "code": code or default_code,
    }
    if parameter is not None:
        item["source"] = {"parameter": parameter}
    return Response(status, dumps({"errors": [item]}))


def bad_parameter(parameter: str, detail: str) -> Response:
    """400 / 40005 "Invalid Parameter Value" naming the parameter."""
    return error(400, detail, parameter=parameter)


def not_found() -> Response:
    return error(404)
